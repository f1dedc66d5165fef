//! Proactive disclosure (主动公开): documents with immutable versions through draft →
//! confidentiality review (Art. 17) → publication, corrections as new versions, withdrawals
//! with a tombstone, the import of the laws corpus, and the agency catalog with its revisions.
//!
//! Every published version is appended to the transparency log in the same transaction, with
//! the SHA-256 of its canonical content (the exact bytes offered at
//! `/documents/{id}/versions/{n}.json`), and every change leaves a change record that the
//! search indexes of all processes follow.

use crate::transparency::append_leaf;
use crate::{Actor, ServiceError, ServiceResult, Services, sha256_hex};
use gongkai_domain::account::Role;
use gongkai_domain::agency::AdministrativeLevel;
use gongkai_domain::canonical_json::to_canonical_bytes;
use gongkai_domain::catalog::{FiveDisclosure, UpdateRule, standard_catalog};
use gongkai_domain::form::FormProblems;
use gongkai_domain::publication::{
    DEFAULT_INDEX_NUMBER_TEMPLATE, DocumentMetadata, IndexNumberTemplate, MetadataInput, Validity,
    summary_from_body, validate_metadata,
};
use gongkai_domain::tlog::leaf_json;
use gongkai_store::{
    AgencyRow, CatalogItemRow, CatalogRevisionRow, DocumentAttachmentRow, DocumentRow,
    DocumentVersionRow, Tx,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use uuid::Uuid;

/// Version states. A version is written once; only its state moves forward.
pub mod version_state {
    pub const DRAFT: &str = "draft";
    pub const IN_REVIEW: &str = "in_review";
    pub const PUBLISHED: &str = "published";
    pub const REJECTED: &str = "rejected";
    /// A published version replaced by a correction: still viewable, no longer current.
    pub const SUPERSEDED: &str = "superseded";
    /// A published version of a withdrawn document.
    pub const WITHDRAWN: &str = "withdrawn";
}

/// Document statuses as the public sees them.
pub mod document_status {
    pub const DRAFT: &str = "draft";
    pub const PUBLISHED: &str = "published";
    pub const WITHDRAWN: &str = "withdrawn";
}

/// One line of `laws_corpus.jsonl` (see ../shared/data/README.md); unknown fields are ignored.
#[derive(Debug, Clone, Deserialize)]
pub struct LawRecord {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub short_title: Option<String>,
    #[serde(default)]
    pub issuer: Option<String>,
    #[serde(default)]
    pub date: Option<String>,
    #[serde(default)]
    pub valid_from: Option<String>,
    #[serde(default)]
    pub level: Option<String>,
    #[serde(default)]
    pub category: Option<String>,
    #[serde(default)]
    pub expired: Option<bool>,
    #[serde(default)]
    pub header: Vec<String>,
    pub body: String,
}

/// What an import did, line by line problems included.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ImportReport {
    pub imported: u64,
    pub corrected: u64,
    pub unchanged: u64,
    pub errors: Vec<ImportLineError>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ImportLineError {
    pub line: u64,
    pub message: String,
}

/// A document version as shown: the stored row plus its parsed metadata.
#[derive(Debug, Clone)]
pub struct VersionView {
    pub row: DocumentVersionRow,
    pub metadata: DocumentMetadata,
    pub header: Vec<String>,
}

/// Everything a document page needs.
#[derive(Debug, Clone)]
pub struct DocumentView {
    pub document: DocumentRow,
    pub agency: AgencyRow,
    /// The version shown (the current published one unless another was asked for).
    pub version: VersionView,
    /// Every version, oldest first, bodies included (for the history and diffs).
    pub versions: Vec<DocumentVersionRow>,
    pub interpretations: Vec<DocumentRow>,
    pub interprets: Vec<DocumentRow>,
    /// The catalog item's name, when the document sits in one.
    pub catalog_item_name: Option<String>,
    /// The files attached up to the version shown (only those the viewer may see).
    pub attachments: Vec<DocumentAttachmentRow>,
}

/// A catalog item's editable content, stored as JSON so that revisions are exact snapshots.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CatalogItemData {
    pub name: String,
    pub elements: String,
    pub responsible_department: String,
    pub channels: Vec<String>,
    pub update_rule: UpdateRule,
    pub legal_basis: String,
    pub five_disclosures: Vec<FiveDisclosure>,
}

/// A catalog item as shown, with its template and whether it deviates from it.
#[derive(Debug, Clone)]
pub struct CatalogItemView {
    pub row: CatalogItemRow,
    pub data: CatalogItemData,
    /// The template's content, when the item was adopted from one and differs from it now.
    pub deviates_from_template: bool,
    pub published_count: i64,
    pub last_published: Option<Date>,
}

fn unexpected(message: impl std::fmt::Display) -> ServiceError {
    ServiceError::Unexpected(anyhow::anyhow!("{message}"))
}

fn date_text(date: Option<Date>) -> Value {
    match date {
        Some(date) => Value::String(gongkai_domain::calendar::format_iso_date(date)),
        None => Value::Null,
    }
}

/// The canonical content of a version: RFC 8785 JSON of its index number, metadata, header and
/// body. These exact bytes are offered for download and their SHA-256 is logged, so a file
/// downloaded once can later be checked against the log.
pub fn canonical_version_content(
    external_id: &str,
    index_number: &str,
    version: i64,
    metadata: &DocumentMetadata,
    header: &[String],
) -> ServiceResult<Vec<u8>> {
    let value = json!({
        "external_id": external_id,
        "index_number": index_number,
        "version": version,
        "title": metadata.title,
        "short_title": metadata.short_title,
        "summary": metadata.summary,
        "issuer": metadata.issuer,
        "document_number": metadata.document_number,
        "written_date": date_text(metadata.written_date),
        "published_date": date_text(metadata.published_date),
        "topic": metadata.topic,
        "genre": metadata.genre,
        "validity": metadata.validity.code(),
        "valid_from": date_text(metadata.valid_from),
        "invalid_from": date_text(metadata.invalid_from),
        "keywords": metadata.keywords,
        "header": header,
        "body": metadata.body,
    });
    to_canonical_bytes(&value).map_err(unexpected)
}

/// The metadata stored beside the body (the body has its own column).
fn metadata_json(metadata: &DocumentMetadata) -> ServiceResult<String> {
    let mut value = serde_json::to_value(metadata).map_err(unexpected)?;
    if let Value::Object(map) = &mut value {
        map.remove("body");
    }
    Ok(value.to_string())
}

pub(crate) fn parse_version_row(row: DocumentVersionRow) -> ServiceResult<VersionView> {
    let mut value: Value = serde_json::from_str(&row.metadata).map_err(unexpected)?;
    if let Value::Object(map) = &mut value {
        map.insert("body".to_string(), Value::String(row.body.clone()));
    }
    let metadata: DocumentMetadata = serde_json::from_value(value).map_err(unexpected)?;
    let header: Vec<String> = serde_json::from_str(&row.header).map_err(unexpected)?;
    Ok(VersionView {
        row,
        metadata,
        header,
    })
}

/// The leaf recording a document version event (published, corrected, withdrawn).
///
/// A published version's leaf also lists the SHA-256 of every file it publishes
/// (`attachments`, sorted), so that an attachment downloaded from the site is bound to the log
/// as firmly as the version's text; the member is left out when there are none, which keeps
/// the leaves of versions without files as they always were.
pub(crate) fn document_leaf(
    kind: &str,
    external_id: &str,
    version: i64,
    content_sha256: &str,
    attachment_sha256s: &[String],
    now: OffsetDateTime,
) -> ServiceResult<Vec<u8>> {
    let time = now.format(&Rfc3339).map_err(unexpected)?;
    let mut extra = serde_json::Map::new();
    if !attachment_sha256s.is_empty() {
        let mut sorted = attachment_sha256s.to_vec();
        sorted.sort();
        extra.insert(
            LEAF_ATTACHMENTS_MEMBER.to_string(),
            serde_json::Value::Array(sorted.into_iter().map(serde_json::Value::String).collect()),
        );
    }
    leaf_json(
        kind,
        &format!("{external_id}@v{version}"),
        &time,
        content_sha256,
        extra,
    )
    .map_err(unexpected)
}

/// The leaf member listing the digests of a published version's files (docs/transparency.md).
pub const LEAF_ATTACHMENTS_MEMBER: &str = "attachments";

/// A version written as published whose log leaf is not yet appended. The leaf lists the
/// version's files, so it is appended only once every file is in place (an import attaches
/// files after creating the version); `Services::log_publication` appends it in the same
/// transaction.
#[must_use = "a publication must be logged in the transaction that writes it"]
pub(crate) struct UnloggedPublication {
    kind: &'static str,
    document_id: Uuid,
    external_id: String,
    version: i64,
    content_sha256: String,
}

impl UnloggedPublication {
    pub(crate) fn version(&self) -> i64 {
        self.version
    }
}

/// The level of a corpus document from its folder path (民法典/… → 法律, DLC/… → 地方性法规).
fn level_from_category(category: &str) -> String {
    let first = category.split('/').next().unwrap_or("");
    match first {
        "法律" | "宪法" | "行政法规" | "司法解释" | "部门规章" | "案例" => {
            first.to_string()
        }
        // The Civil Code's parts and the Criminal Law's amendments are national laws, as are
        // the laws filed under the NPC's seven departments of law (法律部门).
        "民法典"
        | "刑法"
        | "宪法相关法"
        | "民法商法"
        | "行政法"
        | "经济法"
        | "社会法"
        | "诉讼与非诉讼程序法" => "法律".to_string(),
        "DLC" => "地方性法规".to_string(),
        _ => String::new(),
    }
}

/// Limits external ids to what a URL path segment and a hit id carry unambiguously.
pub fn valid_external_id(external_id: &str) -> bool {
    !external_id.is_empty()
        && external_id.len() <= 80
        && external_id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && !external_id.starts_with('.')
}

/// The new document's row before its first version is published.
pub(crate) struct NewDocument<'a> {
    pub(crate) agency: &'a AgencyRow,
    pub(crate) external_id: Option<String>,
    pub(crate) catalog_code: Option<String>,
    pub(crate) metadata: DocumentMetadata,
    pub(crate) header: Vec<String>,
    pub(crate) level: String,
    pub(crate) formed_on: Option<Date>,
    pub(crate) change_note: String,
}

impl Services {
    pub(crate) fn may_publish(&self, actor: &Actor, agency_id: Uuid) -> bool {
        let roles = self.roles_in_agency(actor, agency_id);
        roles.contains(&Role::Clerk) || roles.contains(&Role::OgiOffice)
    }

    fn may_review_publication(&self, actor: &Actor, agency_id: Uuid) -> bool {
        // Art. 17: the pre-release review is the confidentiality reviewer's; the OGI office
        // may also sign it off in small agencies that combine both.
        let roles = self.roles_in_agency(actor, agency_id);
        roles.contains(&Role::ConfidentialityReviewer) || roles.contains(&Role::OgiOffice)
    }

    async fn index_number_template(
        &self,
        tx: &mut Tx,
        agency_id: Uuid,
    ) -> ServiceResult<IndexNumberTemplate> {
        let text = tx
            .document_settings_get(agency_id)
            .await?
            .unwrap_or_else(|| DEFAULT_INDEX_NUMBER_TEMPLATE.to_string());
        IndexNumberTemplate::parse(&text).map_err(unexpected)
    }

    /// An agency's 索引号 template as configured (the default when none is).
    pub async fn index_number_template_of(&self, agency_id: Uuid) -> ServiceResult<String> {
        Ok(self
            .db
            .document_settings(agency_id)
            .await?
            .unwrap_or_else(|| DEFAULT_INDEX_NUMBER_TEMPLATE.to_string()))
    }

    /// Sets an agency's 索引号 template; numbers already issued keep their form.
    pub async fn set_index_number_template(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        template: &str,
    ) -> ServiceResult<()> {
        let roles = self.roles_in_agency(actor, agency_id);
        if !roles.contains(&Role::OgiOffice) && !actor.is_installation_administrator() {
            return Err(ServiceError::Forbidden);
        }
        let parsed = IndexNumberTemplate::parse(template).map_err(|_| {
            let mut problems = FormProblems::new();
            problems.add("index_number_template", "invalid_template");
            ServiceError::Invalid(problems)
        })?;
        let mut tx = self.db.begin().await?;
        tx.document_settings_set(agency_id, parsed.as_str()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Inserts a document with version 1 in `state` inside `tx`. When the state is
    /// `published` it returns the publication, which the caller logs with
    /// [`Services::log_publication`] once the version's files are in place.
    pub(crate) async fn insert_document(
        &self,
        tx: &mut Tx,
        new: NewDocument<'_>,
        state: &str,
        actor_id: Option<Uuid>,
        now: OffsetDateTime,
    ) -> ServiceResult<(DocumentRow, Option<UnloggedPublication>)> {
        let template = self.index_number_template(tx, new.agency.id).await?;
        let dated = new.metadata.published_date.unwrap_or(now.date());
        let sequence = tx
            .next_index_number_sequence(new.agency.id, dated.year())
            .await?;
        let index_number = template.render(
            &new.agency.org_code,
            dated.year(),
            u8::from(dated.month()),
            sequence as u64,
        );
        let id = Uuid::now_v7();
        // A document drafted here takes its index number as its external id, with `/` made
        // `-` so that it stays one readable URL segment.
        let external_id = new
            .external_id
            .unwrap_or_else(|| index_number.replace('/', "-"));
        let published = state == version_state::PUBLISHED;
        let row = DocumentRow {
            id,
            agency_id: new.agency.id,
            external_id: external_id.clone(),
            index_number: index_number.clone(),
            catalog_code: new.catalog_code,
            status: if published {
                document_status::PUBLISHED
            } else {
                document_status::DRAFT
            }
            .to_string(),
            current_version: if published { 1 } else { 0 },
            title: new.metadata.title.clone(),
            issuer: new.metadata.issuer.clone(),
            level: new.level,
            topic: new.metadata.topic.clone(),
            validity: new.metadata.validity.code().to_string(),
            published_date: new.metadata.published_date,
            published_year: new.metadata.published_date.map(|d| i64::from(d.year())),
            formed_on: new.formed_on,
            withdrawn_reason: None,
            withdrawn_at: None,
            created_at: now,
            updated_at: now,
        };
        tx.document_insert(&row).await.map_err(|e| match e {
            gongkai_store::StoreError::Conflict(_) => ServiceError::Conflict {
                code: "external_id_taken",
            },
            other => other.into(),
        })?;
        let content =
            canonical_version_content(&external_id, &index_number, 1, &new.metadata, &new.header)?;
        let content_sha256 = sha256_hex(&content);
        tx.document_version_insert(&DocumentVersionRow {
            document_id: id,
            version: 1,
            state: state.to_string(),
            metadata: metadata_json(&new.metadata)?,
            header: serde_json::to_string(&new.header).map_err(unexpected)?,
            body: new.metadata.body.clone(),
            content_sha256: content_sha256.clone(),
            change_note: new.change_note,
            review_note: String::new(),
            created_by: actor_id,
            reviewed_by: None,
            created_at: now,
            published_at: published.then_some(now),
        })
        .await?;
        let unlogged = published.then(|| UnloggedPublication {
            kind: "document_version_published",
            document_id: id,
            external_id: external_id.clone(),
            version: 1,
            content_sha256,
        });
        Ok((row, unlogged))
    }

    /// Appends the leaf of a publication (with the digests of the files the version
    /// publishes) and records the change for search, inside the transaction that wrote it.
    pub(crate) async fn log_publication(
        &self,
        tx: &mut Tx,
        publication: UnloggedPublication,
        now: OffsetDateTime,
    ) -> ServiceResult<()> {
        let attachments = tx
            .document_attachment_digests_up_to(publication.document_id, publication.version)
            .await?;
        let leaf = document_leaf(
            publication.kind,
            &publication.external_id,
            publication.version,
            &publication.content_sha256,
            &attachments,
            now,
        )?;
        append_leaf(tx, &leaf, now).await?;
        tx.document_change_record(publication.document_id, now)
            .await?;
        Ok(())
    }

    /// Imports documents in the format of `laws_corpus.jsonl` into an agency's library. A line
    /// whose document exists with the same content is left alone; changed content becomes a
    /// new published version (a correction), so re-running an import is safe.
    pub async fn import_laws_jsonl(
        &self,
        agency_slug: &str,
        text_lines: impl Iterator<Item = std::io::Result<String>>,
    ) -> ServiceResult<ImportReport> {
        let agency = self
            .db
            .agency_by_slug(agency_slug)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let mut report = ImportReport::default();
        // Batches keep one transaction per 200 documents: fast on SQLite's single writer, yet
        // a bad line never takes the good ones with it (it is reported and skipped).
        const BATCH_DOCUMENTS: usize = 200;
        let mut tx = self.db.begin().await?;
        let mut in_batch = 0;
        for (index, line) in text_lines.enumerate() {
            let line_number = index as u64 + 1;
            let line = line.map_err(unexpected)?;
            if line.trim().is_empty() {
                continue;
            }
            let record: LawRecord = match serde_json::from_str(&line) {
                Ok(record) => record,
                Err(error) => {
                    report.errors.push(ImportLineError {
                        line: line_number,
                        message: format!("not a law record: {error}"),
                    });
                    continue;
                }
            };
            match self.import_one(&mut tx, &agency, record).await {
                Ok(ImportOutcome::Imported) => report.imported += 1,
                Ok(ImportOutcome::Corrected) => report.corrected += 1,
                Ok(ImportOutcome::Unchanged) => report.unchanged += 1,
                Err(ServiceError::Invalid(problems)) => {
                    report.errors.push(ImportLineError {
                        line: line_number,
                        message: problems.to_string(),
                    });
                    continue;
                }
                Err(other) => return Err(other),
            }
            in_batch += 1;
            if in_batch >= BATCH_DOCUMENTS {
                tx.commit().await?;
                tx = self.db.begin().await?;
                in_batch = 0;
            }
        }
        tx.commit().await?;
        Ok(report)
    }

    async fn import_one(
        &self,
        tx: &mut Tx,
        agency: &AgencyRow,
        record: LawRecord,
    ) -> ServiceResult<ImportOutcome> {
        let now = self.clock.now();
        let mut problems = FormProblems::new();
        if !valid_external_id(&record.id) {
            problems.add("id", "invalid_external_id");
        }
        let validity = match record.expired {
            Some(true) => Validity::Expired,
            _ => Validity::Effective,
        };
        let input = MetadataInput {
            title: record.title.clone(),
            short_title: record.short_title.clone().unwrap_or_default(),
            summary: summary_from_body(&record.body, 100),
            issuer: record
                .issuer
                .clone()
                .filter(|i| !i.trim().is_empty())
                .unwrap_or_else(|| "未注明".to_string()),
            document_number: String::new(),
            written_date: record.date.clone().unwrap_or_default(),
            published_date: record.date.clone().unwrap_or_default(),
            // The corpus's folder path: 行政法规, 法律/民法商法, DLC/北京地方法规/地方性法规/北京.
            // Its first meaningful segment is the topic (the DLC prefix only says "local").
            topic: record
                .category
                .as_deref()
                .map(|c| c.trim_start_matches("DLC/"))
                .and_then(|c| c.split('/').next())
                .unwrap_or("")
                .to_string(),
            genre: record.level.clone().unwrap_or_default(),
            validity: validity.code().to_string(),
            valid_from: record.valid_from.clone().unwrap_or_default(),
            invalid_from: String::new(),
            keywords: String::new(),
            body: record.body.clone(),
        };
        let metadata = match validate_metadata(&input) {
            Ok(metadata) if problems.is_empty() => metadata,
            Ok(_) => return Err(ServiceError::Invalid(problems)),
            Err(more) => {
                for problem in more.problems() {
                    problems.add(problem.field, problem.code);
                }
                return Err(ServiceError::Invalid(problems));
            }
        };
        // The corpus leaves `level` empty for some documents (the 民法典 parts, 刑法修正案);
        // their folder says which level they are, and search ranks by level.
        let level = match record.level.clone().filter(|l| !l.trim().is_empty()) {
            Some(level) => level,
            None => level_from_category(record.category.as_deref().unwrap_or("")),
        };
        if let Some(existing_id) = tx.document_id_by_external_id(&record.id).await? {
            let existing = tx
                .document_get_for_update(existing_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if existing.agency_id != agency.id {
                problems.add("id", "belongs_to_another_agency");
                return Err(ServiceError::Invalid(problems));
            }
            let current = tx
                .document_version_get(existing.id, existing.current_version)
                .await?;
            if let Some(current) = current {
                let content = canonical_version_content(
                    &existing.external_id,
                    &existing.index_number,
                    current.version,
                    &metadata,
                    &record.header,
                )?;
                if sha256_hex(&content) == current.content_sha256 {
                    return Ok(ImportOutcome::Unchanged);
                }
            }
            let publication = self
                .publish_new_version(
                    tx,
                    existing,
                    metadata,
                    record.header,
                    "导入更新".to_string(),
                    None,
                    now,
                )
                .await?;
            self.log_publication(tx, publication, now).await?;
            return Ok(ImportOutcome::Corrected);
        }
        let formed_on = metadata.published_date;
        let (_, publication) = self
            .insert_document(
                tx,
                NewDocument {
                    agency,
                    external_id: Some(record.id),
                    catalog_code: Some("art20-1".to_string()),
                    metadata,
                    header: record.header,
                    level,
                    formed_on,
                    change_note: "导入".to_string(),
                },
                version_state::PUBLISHED,
                None,
                now,
            )
            .await?;
        if let Some(publication) = publication {
            self.log_publication(tx, publication, now).await?;
        }
        Ok(ImportOutcome::Imported)
    }

    /// Writes a new published version that supersedes the current one (a correction made
    /// without review: imports, and the final step of a reviewed correction).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn publish_new_version(
        &self,
        tx: &mut Tx,
        mut document: DocumentRow,
        metadata: DocumentMetadata,
        header: Vec<String>,
        change_note: String,
        actor_id: Option<Uuid>,
        now: OffsetDateTime,
    ) -> ServiceResult<UnloggedPublication> {
        let version = tx.document_max_version(document.id).await? + 1;
        let content = canonical_version_content(
            &document.external_id,
            &document.index_number,
            version,
            &metadata,
            &header,
        )?;
        let content_sha256 = sha256_hex(&content);
        tx.document_version_insert(&DocumentVersionRow {
            document_id: document.id,
            version,
            state: version_state::PUBLISHED.to_string(),
            metadata: metadata_json(&metadata)?,
            header: serde_json::to_string(&header).map_err(unexpected)?,
            body: metadata.body.clone(),
            content_sha256: content_sha256.clone(),
            change_note,
            review_note: String::new(),
            created_by: actor_id,
            reviewed_by: actor_id,
            created_at: now,
            published_at: Some(now),
        })
        .await?;
        self.finish_publication(tx, &mut document, version, &metadata, content_sha256, now)
            .await
    }

    /// Makes `version` the current one: supersedes the previous and rewrites the listing
    /// columns; the caller logs the returned publication (which also records the change for
    /// search) once the version's files are in place.
    async fn finish_publication(
        &self,
        tx: &mut Tx,
        document: &mut DocumentRow,
        version: i64,
        metadata: &DocumentMetadata,
        content_sha256: String,
        now: OffsetDateTime,
    ) -> ServiceResult<UnloggedPublication> {
        let kind = if document.current_version > 0 {
            tx.document_version_transition(
                document.id,
                document.current_version,
                version_state::PUBLISHED,
                version_state::SUPERSEDED,
                None,
                "",
                None,
            )
            .await?;
            "document_version_corrected"
        } else {
            "document_version_published"
        };
        document.status = document_status::PUBLISHED.to_string();
        document.current_version = version;
        document.title = metadata.title.clone();
        document.issuer = metadata.issuer.clone();
        document.topic = metadata.topic.clone();
        document.validity = metadata.validity.code().to_string();
        document.published_date = metadata.published_date.or(Some(now.date()));
        document.published_year = document.published_date.map(|d| i64::from(d.year()));
        document.updated_at = now;
        tx.document_update(document).await?;
        Ok(UnloggedPublication {
            kind,
            document_id: document.id,
            external_id: document.external_id.clone(),
            version,
            content_sha256,
        })
    }

    /// Creates a draft document (or, with `document_external_id`, a draft correction of an
    /// existing one). Nothing is public until the confidentiality review approves it.
    pub async fn create_document_draft(
        &self,
        actor: &Actor,
        request: &DraftRequest<'_>,
    ) -> ServiceResult<(String, i64)> {
        let DraftRequest {
            agency_id,
            existing_external_id,
            catalog_code,
            formed_on,
            input,
            change_note,
        } = *request;
        if !self.may_publish(actor, agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let mut problems = FormProblems::new();
        let metadata = match validate_metadata(input) {
            Ok(metadata) => Some(metadata),
            Err(found) => {
                for problem in found.problems() {
                    problems.add(problem.field, problem.code);
                }
                None
            }
        };
        let formed_on = match formed_on.map(str::trim).filter(|t| !t.is_empty()) {
            None => None,
            Some(text) => match gongkai_domain::calendar::parse_iso_date(text) {
                Ok(date) => Some(date),
                Err(_) => {
                    problems.add("formed_on", "date_invalid");
                    None
                }
            },
        };
        let catalog_code = catalog_code
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(str::to_string);
        let mut tx = self.db.begin().await?;
        if let Some(code) = &catalog_code
            && tx.catalog_item_get(agency_id, code).await?.is_none()
        {
            problems.add("catalog_code", "unknown_catalog_item");
        }
        let Some(metadata) = metadata.filter(|_| problems.is_empty()) else {
            return Err(ServiceError::Invalid(problems));
        };
        let now = self.clock.now();
        let header: Vec<String> = Vec::new();
        if let Some(external_id) = existing_external_id {
            let id = tx
                .document_id_by_external_id(external_id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let mut document = tx
                .document_get_for_update(id)
                .await?
                .ok_or(ServiceError::NotFound)?;
            if document.agency_id != agency_id {
                return Err(ServiceError::Forbidden);
            }
            if document.status == document_status::WITHDRAWN {
                return Err(ServiceError::Refused {
                    code: "document_withdrawn",
                });
            }
            let version = tx.document_max_version(id).await? + 1;
            let content = canonical_version_content(
                &document.external_id,
                &document.index_number,
                version,
                &metadata,
                &header,
            )?;
            tx.document_version_insert(&DocumentVersionRow {
                document_id: id,
                version,
                state: version_state::DRAFT.to_string(),
                metadata: metadata_json(&metadata)?,
                header: "[]".to_string(),
                body: metadata.body.clone(),
                content_sha256: sha256_hex(&content),
                change_note: change_note.trim().to_string(),
                review_note: String::new(),
                created_by: Some(actor.account_id),
                reviewed_by: None,
                created_at: now,
                published_at: None,
            })
            .await?;
            if catalog_code.is_some() {
                document.catalog_code = catalog_code;
            }
            if formed_on.is_some() {
                document.formed_on = formed_on;
            }
            document.updated_at = now;
            tx.document_update(&document).await?;
            tx.commit().await?;
            return Ok((document.external_id, version));
        }
        let agency = self
            .db
            .agency_get(agency_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let (row, _) = self
            .insert_document(
                &mut tx,
                NewDocument {
                    agency: &agency,
                    external_id: None,
                    catalog_code,
                    metadata,
                    header,
                    level: String::new(),
                    formed_on: formed_on.or(Some(now.date())),
                    change_note: change_note.trim().to_string(),
                },
                version_state::DRAFT,
                Some(actor.account_id),
                now,
            )
            .await?;
        tx.commit().await?;
        Ok((row.external_id, 1))
    }

    async fn load_for_workflow(
        &self,
        tx: &mut Tx,
        external_id: &str,
    ) -> ServiceResult<DocumentRow> {
        let id = tx
            .document_id_by_external_id(external_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        tx.document_get_for_update(id)
            .await?
            .ok_or(ServiceError::NotFound)
    }

    /// Sends a draft to the confidentiality review (Art. 17).
    pub async fn submit_document_for_review(
        &self,
        actor: &Actor,
        external_id: &str,
        version: i64,
    ) -> ServiceResult<()> {
        let mut tx = self.db.begin().await?;
        let document = self.load_for_workflow(&mut tx, external_id).await?;
        if !self.may_publish(actor, document.agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let moved = tx
            .document_version_transition(
                document.id,
                version,
                version_state::DRAFT,
                version_state::IN_REVIEW,
                None,
                "",
                None,
            )
            .await?;
        if !moved {
            return Err(ServiceError::Conflict {
                code: "version_not_a_draft",
            });
        }
        tx.commit().await?;
        Ok(())
    }

    /// The confidentiality review's decision (Art. 17): approval publishes the version at once
    /// (the log and the search indexes follow in the same transaction); refusal sends it back
    /// with the reviewer's note.
    pub async fn review_document_version(
        &self,
        actor: &Actor,
        external_id: &str,
        version: i64,
        approve: bool,
        note: &str,
    ) -> ServiceResult<()> {
        let mut tx = self.db.begin().await?;
        let mut document = self.load_for_workflow(&mut tx, external_id).await?;
        if !self.may_review_publication(actor, document.agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let note = note.trim();
        if !approve && note.is_empty() {
            let mut problems = FormProblems::new();
            problems.add("note", "required");
            return Err(ServiceError::Invalid(problems));
        }
        let now = self.clock.now();
        let target = if approve {
            version_state::PUBLISHED
        } else {
            version_state::REJECTED
        };
        let moved = tx
            .document_version_transition(
                document.id,
                version,
                version_state::IN_REVIEW,
                target,
                Some(actor.account_id),
                note,
                approve.then_some(now),
            )
            .await?;
        if !moved {
            return Err(ServiceError::Conflict {
                code: "version_not_in_review",
            });
        }
        if approve {
            let row = tx
                .document_version_get(document.id, version)
                .await?
                .ok_or(ServiceError::NotFound)?;
            let view = parse_version_row(row)?;
            let mut metadata = view.metadata;
            // The publication date is the day it is actually published unless staff set one.
            if metadata.published_date.is_none() {
                metadata.published_date = Some(now.date());
            }
            // The document row's version pointer must still name the previous version while
            // it is superseded, so finish_publication reads it first.
            let publication = self
                .finish_publication(
                    &mut tx,
                    &mut document,
                    version,
                    &metadata,
                    view.row.content_sha256.clone(),
                    now,
                )
                .await?;
            self.log_publication(&mut tx, publication, now).await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Withdraws a published document: it leaves lists and search, and its page becomes a
    /// tombstone with the reason; the versions stay in the record and in the log.
    pub async fn withdraw_document(
        &self,
        actor: &Actor,
        external_id: &str,
        reason: &str,
    ) -> ServiceResult<()> {
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > 500 {
            let mut problems = FormProblems::new();
            problems.add(
                "reason",
                if reason.is_empty() {
                    "required"
                } else {
                    "too_long"
                },
            );
            return Err(ServiceError::Invalid(problems));
        }
        let mut tx = self.db.begin().await?;
        let mut document = self.load_for_workflow(&mut tx, external_id).await?;
        let roles = self.roles_in_agency(actor, document.agency_id);
        if !roles.contains(&Role::OgiOffice) {
            return Err(ServiceError::Forbidden);
        }
        if document.status != document_status::PUBLISHED {
            return Err(ServiceError::Conflict {
                code: "document_not_published",
            });
        }
        let now = self.clock.now();
        tx.document_version_transition(
            document.id,
            document.current_version,
            version_state::PUBLISHED,
            version_state::WITHDRAWN,
            None,
            "",
            None,
        )
        .await?;
        document.status = document_status::WITHDRAWN.to_string();
        document.withdrawn_reason = Some(reason.to_string());
        document.withdrawn_at = Some(now);
        document.updated_at = now;
        tx.document_update(&document).await?;
        let leaf = document_leaf(
            "document_withdrawn",
            &document.external_id,
            document.current_version,
            &sha256_hex(reason.as_bytes()),
            &[],
            now,
        )?;
        append_leaf(&mut tx, &leaf, now).await?;
        tx.document_change_record(document.id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Links a policy interpretation (政策解读) to the document it explains; both pages show it.
    pub async fn link_interpretation(
        &self,
        actor: &Actor,
        document_external_id: &str,
        interpretation_external_id: &str,
    ) -> ServiceResult<()> {
        let mut tx = self.db.begin().await?;
        let document = self
            .load_for_workflow(&mut tx, document_external_id)
            .await?;
        let interpretation = self
            .load_for_workflow(&mut tx, interpretation_external_id)
            .await?;
        if !self.may_publish(actor, interpretation.agency_id) {
            return Err(ServiceError::Forbidden);
        }
        if document.id == interpretation.id {
            return Err(ServiceError::Refused {
                code: "interpretation_of_itself",
            });
        }
        tx.document_link_insert(document.id, interpretation.id)
            .await?;
        let now = self.clock.now();
        tx.document_change_record(document.id, now).await?;
        tx.document_change_record(interpretation.id, now).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The document page's content. `version` picks an older version; staff of the agency
    /// may also see drafts and versions in review, the public only published ones.
    pub async fn document_view(
        &self,
        external_id: &str,
        version: Option<i64>,
        actor: Option<&Actor>,
    ) -> ServiceResult<DocumentView> {
        let document = self
            .db
            .document_by_external_id(external_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let is_staff =
            actor.is_some_and(|a| !self.roles_in_agency(a, document.agency_id).is_empty());
        let versions = self.db.document_versions(document.id).await?;
        let public = |state: &str| {
            matches!(
                state,
                version_state::PUBLISHED | version_state::SUPERSEDED | version_state::WITHDRAWN
            )
        };
        let wanted = version.unwrap_or(if document.current_version > 0 {
            document.current_version
        } else {
            versions.last().map(|v| v.version).unwrap_or(0)
        });
        let row = versions
            .iter()
            .find(|v| v.version == wanted)
            .filter(|v| is_staff || public(&v.state))
            .cloned()
            .ok_or(ServiceError::NotFound)?;
        let visible_versions: Vec<DocumentVersionRow> = versions
            .into_iter()
            .filter(|v| is_staff || public(&v.state))
            .collect();
        let agency = self
            .db
            .agency_get(document.agency_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let (interpretation_ids, interprets_ids) = self.db.document_links(document.id).await?;
        let only_published = |rows: Vec<DocumentRow>| -> Vec<DocumentRow> {
            rows.into_iter()
                .filter(|r| r.status == document_status::PUBLISHED)
                .collect()
        };
        let interpretations = only_published(self.db.documents_by_ids(&interpretation_ids).await?);
        let interprets = only_published(self.db.documents_by_ids(&interprets_ids).await?);
        let catalog_item_name = match &document.catalog_code {
            Some(code) => self
                .db
                .catalog_item(document.agency_id, code)
                .await?
                .and_then(|i| serde_json::from_str::<CatalogItemData>(&i.data).ok())
                .map(|d| d.name),
            None => None,
        };
        // Attachments travel with the version they were added to (they went through its
        // review) and stay with the later ones; the public sees none of a withdrawn document,
        // whose content is gone and only its record stays.
        let shown_version = row.version;
        let public_versions: Vec<i64> = visible_versions.iter().map(|v| v.version).collect();
        let attachments = if !is_staff && document.status == document_status::WITHDRAWN {
            Vec::new()
        } else {
            self.db
                .document_attachments(document.id)
                .await?
                .into_iter()
                .filter(|a| a.version <= shown_version && public_versions.contains(&a.version))
                .collect()
        };
        Ok(DocumentView {
            attachments,
            version: parse_version_row(row)?,
            document,
            agency,
            versions: visible_versions,
            interpretations,
            interprets,
            catalog_item_name,
        })
    }

    /// The exact canonical bytes of a published version (what its SHA-256 in the log covers).
    pub async fn document_version_content(
        &self,
        external_id: &str,
        version: i64,
    ) -> ServiceResult<Vec<u8>> {
        let view = self.document_view(external_id, Some(version), None).await?;
        canonical_version_content(
            &view.document.external_id,
            &view.document.index_number,
            version,
            &view.version.metadata,
            &view.version.header,
        )
    }

    /// Which published versions, if any, have exactly these bytes as canonical content or as
    /// one of their files (attachments are listed in the versions' log leaves).
    pub async fn verify_document_file(
        &self,
        bytes: &[u8],
    ) -> ServiceResult<Vec<gongkai_store::VerifiedFileRow>> {
        Ok(self
            .db
            .document_versions_by_sha256(&sha256_hex(bytes))
            .await?)
    }

    /// Drafts and versions in review of an agency, oldest first, with their Art. 26 dates.
    pub async fn pending_publications(
        &self,
        actor: &Actor,
        agency_id: Uuid,
    ) -> ServiceResult<Vec<PendingVersion>> {
        if self.roles_in_agency(actor, agency_id).is_empty() {
            return Err(ServiceError::Forbidden);
        }
        let calendar = self.working_day_calendar().await?;
        let mut out = Vec::new();
        for document in self.db.documents_with_pending_versions(agency_id).await? {
            for version in self.db.document_versions(document.id).await? {
                if !matches!(
                    version.state.as_str(),
                    version_state::DRAFT | version_state::IN_REVIEW | version_state::REJECTED
                ) {
                    continue;
                }
                let due = document.formed_on.map(|formed| {
                    gongkai_domain::catalog::publication_due(
                        &calendar,
                        formed,
                        gongkai_domain::catalog::ART26_PUBLICATION_WORKING_DAYS,
                    )
                });
                out.push(PendingVersion {
                    document: document.clone(),
                    version: version.version,
                    state: version.state,
                    review_note: version.review_note,
                    due,
                });
            }
        }
        out.sort_by_key(|p| (p.due, p.document.external_id.clone()));
        Ok(out)
    }

    /// Every late publication duty of an agency on today's date: unpublished information past
    /// Art. 26's 20 working days, and periodic catalog items that missed their update.
    pub async fn publication_overdue(
        &self,
        agency_id: Uuid,
    ) -> ServiceResult<Vec<PublicationOverdue>> {
        use gongkai_domain::catalog::{
            Overdue, periodic_update_overdue, unpublished_change_overdue,
        };
        let calendar = self.working_day_calendar().await?;
        let today = self.clock.today_in_china();
        let mut out = Vec::new();
        let catalog = self.catalog_view(agency_id).await?;
        for document in self.db.documents_with_pending_versions(agency_id).await? {
            // A correction of a published document is as bound by Art. 26 as a first
            // publication: the information changed on `formed_on`.
            let Some(formed_on) = document.formed_on else {
                continue;
            };
            let rule = document
                .catalog_code
                .as_ref()
                .and_then(|code| catalog.iter().find(|i| &i.row.code == code))
                .map(|i| i.data.update_rule)
                .unwrap_or(UpdateRule::ART26);
            if let Some(Overdue::UnpublishedChange { formed_on, due }) =
                unpublished_change_overdue(&calendar, rule, formed_on, today)
            {
                out.push(PublicationOverdue {
                    kind: "unpublished_change",
                    subject: document.title.clone(),
                    reference: document.external_id.clone(),
                    since: formed_on,
                    due,
                    working_days_late: calendar.working_days_between(due, today),
                });
            }
        }
        for item in catalog.iter().filter(|i| i.row.active) {
            let since = self
                .db
                .catalog_revisions(agency_id, &item.row.code)
                .await?
                .last()
                .map(|first| first.changed_at.date())
                .unwrap_or(item.row.updated_at.date());
            if let Some(Overdue::MissedPeriodicUpdate { period_end, due }) = periodic_update_overdue(
                &calendar,
                item.data.update_rule,
                item.last_published,
                since,
                today,
            ) {
                out.push(PublicationOverdue {
                    kind: "missed_periodic_update",
                    subject: item.data.name.clone(),
                    reference: item.row.code.clone(),
                    since: period_end,
                    due,
                    working_days_late: calendar.working_days_between(due, today),
                });
            }
        }
        out.sort_by_key(|o| o.due);
        Ok(out)
    }

    /// The agency whose library receives imports by default: the first top-level agency.
    pub async fn default_library_agency(&self) -> ServiceResult<Option<AgencyRow>> {
        Ok(self
            .db
            .agency_list()
            .await?
            .into_iter()
            .find(|a| a.parent_id.is_none()))
    }

    /// Gives an agency the standard catalog of its level (Art. 20, Art. 21) if it has none,
    /// adopting its parent agency's items where the parent has them (the seed's 上下一致).
    pub async fn ensure_standard_catalog(&self, agency_id: Uuid) -> ServiceResult<bool> {
        if !self.db.catalog_items(agency_id).await?.is_empty() {
            return Ok(false);
        }
        let agency = self
            .db
            .agency_get(agency_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let level = AdministrativeLevel::parse(&agency.level)
            .ok_or_else(|| unexpected(format!("agency level {}", agency.level)))?;
        let parent_items = match agency.parent_id {
            Some(parent_id) => self.db.catalog_items(parent_id).await?,
            None => Vec::new(),
        };
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        for (position, item) in standard_catalog(level).into_iter().enumerate() {
            let parent = parent_items.iter().find(|p| p.code == item.code);
            let data = match parent.and_then(|p| serde_json::from_str(&p.data).ok()) {
                Some(data) => data,
                None => CatalogItemData {
                    name: item.name_zh.to_string(),
                    elements: String::new(),
                    responsible_department: String::new(),
                    channels: vec!["website".to_string()],
                    update_rule: item.update_rule,
                    legal_basis: format!("《政府信息公开条例》{}", item.legal_basis),
                    five_disclosures: item.five_disclosures.to_vec(),
                },
            };
            let row = CatalogItemRow {
                id: Uuid::now_v7(),
                agency_id,
                code: item.code.to_string(),
                template_agency_id: parent.map(|p| p.agency_id),
                template_code: Some(item.code.to_string()),
                data: serde_json::to_string(&data).map_err(unexpected)?,
                sort_order: position as i64 * 10,
                active: true,
                revision: 1,
                updated_at: now,
            };
            tx.catalog_item_upsert(&row).await?;
            tx.catalog_revision_insert(&CatalogRevisionRow {
                id: Uuid::now_v7(),
                agency_id,
                code: row.code.clone(),
                revision: 1,
                data: row.data.clone(),
                active: true,
                changed_by: None,
                change_note: "标准目录".to_string(),
                changed_at: now,
            })
            .await?;
            // The standard catalog an agency starts from is generated from the regulation, not
            // decided by anyone; edits from here on are logged (`update_catalog_item`).
        }
        tx.commit().await?;
        Ok(true)
    }

    /// An agency's catalog with, per item, whether it deviates from its template and how
    /// much is published in it.
    pub async fn catalog_view(&self, agency_id: Uuid) -> ServiceResult<Vec<CatalogItemView>> {
        let rows = self.db.catalog_items(agency_id).await?;
        let counts = self.db.catalog_document_counts(agency_id).await?;
        let last = self.db.catalog_last_published(agency_id).await?;
        let mut template_cache: std::collections::HashMap<Uuid, Vec<CatalogItemRow>> =
            Default::default();
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let data: CatalogItemData = serde_json::from_str(&row.data).map_err(unexpected)?;
            let deviates_from_template = match (row.template_agency_id, &row.template_code) {
                (Some(template_agency), Some(code)) => {
                    if let std::collections::hash_map::Entry::Vacant(entry) =
                        template_cache.entry(template_agency)
                    {
                        entry.insert(self.db.catalog_items(template_agency).await?);
                    }
                    template_cache
                        .get(&template_agency)
                        .and_then(|items| items.iter().find(|i| &i.code == code))
                        .is_none_or(|template| template.data != row.data)
                }
                _ => false,
            };
            out.push(CatalogItemView {
                published_count: counts
                    .iter()
                    .find(|(code, _)| *code == row.code)
                    .map(|(_, n)| *n)
                    .unwrap_or(0),
                last_published: last
                    .iter()
                    .find(|(code, _)| *code == row.code)
                    .and_then(|(_, date)| *date),
                row,
                data,
                deviates_from_template,
            });
        }
        Ok(out)
    }

    /// Edits (or adds) a catalog item; every change is kept as a revision.
    pub async fn update_catalog_item(
        &self,
        actor: &Actor,
        agency_id: Uuid,
        code: &str,
        data: CatalogItemData,
        active: bool,
        change_note: &str,
    ) -> ServiceResult<i64> {
        let roles = self.roles_in_agency(actor, agency_id);
        if !roles.contains(&Role::OgiOffice) {
            return Err(ServiceError::Forbidden);
        }
        let mut problems = FormProblems::new();
        let code = code.trim();
        if code.is_empty()
            || code.len() > 60
            || !code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_'))
        {
            problems.add("code", "invalid_code");
        }
        if data.name.trim().is_empty() {
            problems.add("name", "required");
        } else if data.name.chars().count() > 200 {
            problems.add("name", "too_long");
        }
        if data
            .channels
            .iter()
            .any(|c| gongkai_domain::catalog::channel_label_zh(c).is_none())
        {
            problems.add("channels", "invalid_choice");
        }
        if data.elements.chars().count() > 2000 {
            problems.add("elements", "too_long");
        }
        if !problems.is_empty() {
            return Err(ServiceError::Invalid(problems));
        }
        let now = self.clock.now();
        let mut tx = self.db.begin().await?;
        let revision = self
            .write_catalog_revision(
                &mut tx,
                actor,
                agency_id,
                code,
                data,
                active,
                change_note,
                now,
            )
            .await?;
        tx.commit().await?;
        Ok(revision)
    }

    /// Writes a checked catalog item as its next revision, with its log leaf, inside `tx`:
    /// the caller commits, so that a revision and whatever caused it (an adopted template
    /// change) land together or not at all.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn write_catalog_revision(
        &self,
        tx: &mut gongkai_store::Tx,
        actor: &Actor,
        agency_id: Uuid,
        code: &str,
        data: CatalogItemData,
        active: bool,
        change_note: &str,
        now: OffsetDateTime,
    ) -> ServiceResult<i64> {
        let existing = tx.catalog_item_get(agency_id, code).await?;
        let revision = existing.as_ref().map(|e| e.revision + 1).unwrap_or(1);
        let data_json = serde_json::to_string(&data).map_err(unexpected)?;
        let row = CatalogItemRow {
            id: existing.as_ref().map(|e| e.id).unwrap_or_else(Uuid::now_v7),
            agency_id,
            code: code.to_string(),
            template_agency_id: existing.as_ref().and_then(|e| e.template_agency_id),
            template_code: existing.as_ref().and_then(|e| e.template_code.clone()),
            data: data_json.clone(),
            sort_order: existing.as_ref().map(|e| e.sort_order).unwrap_or(10_000),
            active,
            revision,
            updated_at: now,
        };
        tx.catalog_item_upsert(&row).await?;
        tx.catalog_revision_insert(&CatalogRevisionRow {
            id: Uuid::now_v7(),
            agency_id,
            code: code.to_string(),
            revision,
            data: data_json.clone(),
            active,
            changed_by: Some(actor.account_id),
            change_note: change_note.trim().to_string(),
            changed_at: now,
        })
        .await?;
        let time = now.format(&Rfc3339).map_err(unexpected)?;
        let agency = self
            .db
            .agency_get(agency_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        let leaf = leaf_json(
            "catalog_revision",
            &format!("{}/{}@r{}", agency.slug, code, revision),
            &time,
            &sha256_hex(data_json.as_bytes()),
            serde_json::Map::new(),
        )
        .map_err(unexpected)?;
        append_leaf(tx, &leaf, now).await?;
        Ok(revision)
    }
}

/// The largest file attached to a document (the same bound as for application attachments).
pub const DOCUMENT_ATTACHMENT_BYTES_MAX: usize = crate::ATTACHMENT_BYTES_MAX;
/// At most this many files per document, across its versions.
pub const DOCUMENT_ATTACHMENTS_MAX: i64 = 30;

/// Whether an attachment's text could be extracted, as stored in `text_status`.
pub mod attachment_text_status {
    pub const EXTRACTED: &str = "extracted";
    /// The file has no text at all, not even by OCR (a blank scan, an empty sheet).
    pub const EMPTY: &str = "empty";
    /// A scanned PDF whose text was recognised by OCR: searchable, but it may contain errors.
    pub const OCR: &str = "ocr";
    /// As `OCR`, but only the first pages were read (the page cap or the time ran out).
    pub const OCR_PARTIAL: &str = "ocr_partial";

    /// The status of text that was extracted, and the text to store. Text that is blank is
    /// stored as nothing, so that `EMPTY` and an empty text always go together.
    pub fn of(extracted: gongkai_extract::Extracted) -> (&'static str, String) {
        if extracted.text.trim().is_empty() {
            return (EMPTY, String::new());
        }
        let status = match extracted.source {
            gongkai_extract::TextSource::Embedded => EXTRACTED,
            gongkai_extract::TextSource::Ocr {
                pages_unread: 0, ..
            } => OCR,
            gongkai_extract::TextSource::Ocr { .. } => OCR_PARTIAL,
        };
        // NUL cannot be stored in PostgreSQL text.
        (status, extracted.text.replace('\0', ""))
    }
}

impl Services {
    /// Attaches a file (PDF, DOCX or XLSX) to a draft version of a document and stores the
    /// text extracted from it for search. Only drafts take files: a file published without
    /// the confidentiality review would bypass Art. 17, so a published document gets new
    /// files through a correction (a new draft version), and the review sees them.
    pub async fn add_document_attachment(
        &self,
        actor: &Actor,
        external_id: &str,
        version: i64,
        filename: &str,
        bytes: &[u8],
    ) -> ServiceResult<DocumentAttachmentRow> {
        let document = self
            .db
            .document_by_external_id(external_id)
            .await?
            .ok_or(ServiceError::NotFound)?;
        if !self.may_publish(actor, document.agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let mut problems = FormProblems::new();
        let format = gongkai_extract::Format::detect(bytes, filename);
        if bytes.is_empty() {
            problems.add("file", "required");
        } else if bytes.len() > DOCUMENT_ATTACHMENT_BYTES_MAX {
            problems.add("file", "file_too_large");
        } else if format.is_none() {
            problems.add("file", "document_file_type_not_allowed");
        }
        let Some(format) = format.filter(|_| problems.is_empty()) else {
            return Err(ServiceError::Invalid(problems));
        };
        // Extraction runs a subprocess for PDFs and parses untrusted ZIP and XML otherwise:
        // it stays off the async workers.
        let owned = bytes.to_vec();
        let extracted =
            tokio::task::spawn_blocking(move || gongkai_extract::extract_text(format, &owned))
                .await
                .map_err(|e| unexpected(format!("extraction task: {e}")))?;
        let (text_status, text) = match extracted {
            Ok(extracted) => {
                let (status, text) = attachment_text_status::of(extracted);
                (status.to_string(), text)
            }
            // A file that cannot be read as what it claims to be is refused: it would be
            // published as a download nobody can open.
            Err(gongkai_extract::ExtractError::Unreadable { .. }) => {
                problems.add("file", "file_unreadable");
                return Err(ServiceError::Invalid(problems));
            }
            // The file is fine but its text is unavailable here (no pdftotext or tesseract, a
            // timeout): it is kept, and the page says that its text is not searchable.
            Err(other) => {
                tracing::warn!(error = %other, external_id, "attachment text not extracted");
                (other.code().to_string(), String::new())
            }
        };
        let now = self.clock.now();
        let digest = sha256_hex(bytes);
        let row = DocumentAttachmentRow {
            id: Uuid::now_v7(),
            document_id: document.id,
            version,
            sha256: digest.clone(),
            filename: crate::clean_filename(filename),
            content_type: format.content_type().to_string(),
            size_bytes: bytes.len() as i64,
            text_status,
            uploaded_by: Some(actor.account_id),
            created_at: now,
        };
        let mut tx = self.db.begin().await?;
        // The version's state is checked inside the transaction, so a review that started in
        // the meantime cannot be handed a file it never saw.
        let state = tx
            .document_version_get(document.id, version)
            .await?
            .ok_or(ServiceError::NotFound)?
            .state;
        if state != version_state::DRAFT {
            return Err(ServiceError::Conflict {
                code: "version_not_a_draft",
            });
        }
        if tx.document_attachment_count(document.id).await? >= DOCUMENT_ATTACHMENTS_MAX {
            problems.add("file", "too_many_files");
            return Err(ServiceError::Invalid(problems));
        }
        tx.blob_insert(&digest, bytes, now).await?;
        tx.document_attachment_insert(&row, &text).await?;
        tx.commit().await?;
        Ok(row)
    }

    /// The attachment that `delete_document_attachment` would delete, for its confirmation
    /// page: only a publisher of the agency sees it, and only while its version is a draft.
    pub async fn document_attachment_to_delete(
        &self,
        actor: &Actor,
        external_id: &str,
        attachment_id: Uuid,
    ) -> ServiceResult<DocumentAttachmentRow> {
        let mut tx = self.db.begin().await?;
        let row = self
            .deletable_attachment(&mut tx, actor, external_id, attachment_id)
            .await?;
        tx.commit().await?;
        Ok(row)
    }

    /// Deletes a file from a draft version, and its stored bytes when nothing else uses them.
    /// A version sent to the confidentiality review, or published, keeps its files: the
    /// reviewer approved exactly those (Art. 17), and a published file is part of the record
    /// in the log; it is replaced through a correction instead.
    pub async fn delete_document_attachment(
        &self,
        actor: &Actor,
        external_id: &str,
        attachment_id: Uuid,
    ) -> ServiceResult<DocumentAttachmentRow> {
        let mut tx = self.db.begin().await?;
        let row = self
            .deletable_attachment(&mut tx, actor, external_id, attachment_id)
            .await?;
        tx.document_attachment_delete(row.id).await?;
        tx.blob_delete_if_unreferenced(&row.sha256).await?;
        tx.commit().await?;
        tracing::info!(
            external_id,
            version = row.version,
            attachment = %row.id,
            account = %actor.account_id,
            "attachment deleted from a draft"
        );
        Ok(row)
    }

    /// Checks, inside `tx`, that the attachment belongs to the document, that the actor may
    /// publish for its agency and that its version is still a draft (read in the same
    /// transaction, so a review that starts meanwhile keeps the file it was handed).
    async fn deletable_attachment(
        &self,
        tx: &mut Tx,
        actor: &Actor,
        external_id: &str,
        attachment_id: Uuid,
    ) -> ServiceResult<DocumentAttachmentRow> {
        let document = self.load_for_workflow(tx, external_id).await?;
        if !self.may_publish(actor, document.agency_id) {
            return Err(ServiceError::Forbidden);
        }
        let row = tx
            .document_attachment_get(attachment_id)
            .await?
            .filter(|a| a.document_id == document.id)
            .ok_or(ServiceError::NotFound)?;
        let state = tx
            .document_version_get(document.id, row.version)
            .await?
            .ok_or(ServiceError::NotFound)?
            .state;
        if state != version_state::DRAFT {
            return Err(ServiceError::Conflict {
                code: "attachment_not_in_a_draft",
            });
        }
        Ok(row)
    }

    /// An attachment's metadata and bytes, for whoever may see the document version it
    /// belongs to (Art. 24: everything published can be downloaded).
    pub async fn document_attachment(
        &self,
        external_id: &str,
        attachment_id: Uuid,
        actor: Option<&Actor>,
    ) -> ServiceResult<(DocumentAttachmentRow, Vec<u8>)> {
        let view = self.document_view(external_id, None, actor).await?;
        let row = view
            .attachments
            .into_iter()
            .find(|a| a.id == attachment_id)
            .ok_or(ServiceError::NotFound)?;
        let bytes = self
            .db
            .blob_get(&row.sha256)
            .await?
            .ok_or(ServiceError::NotFound)?;
        // A blob that no longer matches its digest is never served as the published file.
        if sha256_hex(&bytes) != row.sha256 {
            return Err(unexpected(format!(
                "blob {} does not match its digest",
                row.sha256
            )));
        }
        Ok((row, bytes))
    }
}

/// A new draft, or a draft correction of an existing document (`existing_external_id`).
#[derive(Debug, Clone, Copy)]
pub struct DraftRequest<'a> {
    pub agency_id: Uuid,
    pub existing_external_id: Option<&'a str>,
    pub catalog_code: Option<&'a str>,
    /// The day the information was formed or changed (Art. 26 counts from it); today if empty.
    pub formed_on: Option<&'a str>,
    pub input: &'a MetadataInput,
    pub change_note: &'a str,
}

/// A publication duty that is late (Art. 26, or a periodic catalog item's rule).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicationOverdue {
    /// `unpublished_change` (a draft not published 20 working days after the information
    /// was formed) or `missed_periodic_update` (a catalog item without its periodic update).
    pub kind: &'static str,
    pub subject: String,
    /// The document's external id or the catalog item's code.
    pub reference: String,
    /// The day the information was formed, or the end of the period that needed an update.
    pub since: Date,
    pub due: Date,
    pub working_days_late: u32,
}

/// A version waiting for someone on the staff.
#[derive(Debug, Clone)]
pub struct PendingVersion {
    pub document: DocumentRow,
    pub version: i64,
    pub state: String,
    pub review_note: String,
    /// The Art. 26 due date counted from the day the information was formed.
    pub due: Option<Date>,
}

enum ImportOutcome {
    Imported,
    Corrected,
    Unchanged,
}
