//! Storage of the catalog and of published documents: items with their revisions, documents
//! with immutable versions, interpretation links and the change records that search indexes
//! follow.

use crate::{Db, StoreError, StoreResult, Tx, db_run, tx_run};
use time::{Date, OffsetDateTime};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub external_id: String,
    pub index_number: String,
    pub catalog_code: Option<String>,
    pub status: String,
    pub current_version: i64,
    pub title: String,
    pub issuer: String,
    pub level: String,
    pub topic: String,
    pub validity: String,
    pub published_date: Option<Date>,
    pub published_year: Option<i64>,
    pub formed_on: Option<Date>,
    pub withdrawn_reason: Option<String>,
    pub withdrawn_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentVersionRow {
    pub document_id: Uuid,
    pub version: i64,
    pub state: String,
    /// The checked metadata as JSON (`gongkai_domain::publication::DocumentMetadata` without
    /// the body).
    pub metadata: String,
    /// Promulgation lines above the body, as a JSON array of strings.
    pub header: String,
    pub body: String,
    pub content_sha256: String,
    pub change_note: String,
    pub review_note: String,
    pub created_by: Option<Uuid>,
    pub reviewed_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
    pub published_at: Option<OffsetDateTime>,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CatalogItemRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub code: String,
    pub template_agency_id: Option<Uuid>,
    pub template_code: Option<String>,
    pub data: String,
    pub sort_order: i64,
    pub active: bool,
    pub revision: i64,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct CatalogRevisionRow {
    pub id: Uuid,
    pub agency_id: Uuid,
    pub code: String,
    pub revision: i64,
    pub data: String,
    pub active: bool,
    pub changed_by: Option<Uuid>,
    pub change_note: String,
    pub changed_at: OffsetDateTime,
}

/// Filters of the public document lists; every field narrows the list when set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocumentListFilter {
    pub agency_id: Option<Uuid>,
    pub issuer: Option<String>,
    pub year: Option<i64>,
    pub validity: Option<String>,
    pub topic: Option<String>,
    pub level: Option<String>,
    pub catalog_code: Option<String>,
}

/// The columns a facet may count over; a closed set so that no caller builds SQL from input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocumentFacet {
    Issuer,
    Year,
    Validity,
    Level,
    Topic,
}

impl DocumentFacet {
    fn column(self) -> &'static str {
        match self {
            DocumentFacet::Issuer => "issuer",
            DocumentFacet::Year => "CAST(published_year AS TEXT)",
            DocumentFacet::Validity => "validity",
            DocumentFacet::Level => "level",
            DocumentFacet::Topic => "topic",
        }
    }
}

const DOCUMENT_COLUMNS: &str = "id, agency_id, external_id, index_number, catalog_code, status, \
    current_version, title, issuer, level, topic, validity, published_date, published_year, \
    formed_on, withdrawn_reason, withdrawn_at, created_at, updated_at";

const VERSION_COLUMNS: &str = "document_id, version, state, metadata, header, body, \
    content_sha256, change_note, review_note, created_by, reviewed_by, created_at, published_at";

/// Appends the WHERE conditions of a list filter with numbered placeholders starting after
/// `first_placeholder`; returns the SQL and the string arguments in order.
fn list_conditions(filter: &DocumentListFilter) -> (String, Vec<ListArgument>) {
    let mut sql = String::from(" WHERE status = 'published'");
    let mut arguments = Vec::new();
    let mut push = |sql: &mut String, column: &str, argument: ListArgument| {
        arguments.push(argument);
        sql.push_str(&format!(" AND {column} = ${}", arguments.len()));
    };
    if let Some(agency_id) = filter.agency_id {
        push(&mut sql, "agency_id", ListArgument::Uuid(agency_id));
    }
    if let Some(issuer) = &filter.issuer {
        push(&mut sql, "issuer", ListArgument::Text(issuer.clone()));
    }
    if let Some(year) = filter.year {
        push(&mut sql, "published_year", ListArgument::Integer(year));
    }
    if let Some(validity) = &filter.validity {
        push(&mut sql, "validity", ListArgument::Text(validity.clone()));
    }
    if let Some(topic) = &filter.topic {
        push(&mut sql, "topic", ListArgument::Text(topic.clone()));
    }
    if let Some(level) = &filter.level {
        push(&mut sql, "level", ListArgument::Text(level.clone()));
    }
    if let Some(code) = &filter.catalog_code {
        push(&mut sql, "catalog_code", ListArgument::Text(code.clone()));
    }
    (sql, arguments)
}

#[derive(Debug, Clone)]
enum ListArgument {
    Uuid(Uuid),
    Text(String),
    Integer(i64),
}

macro_rules! bind_list_arguments {
    ($query:expr, $arguments:expr) => {{
        let mut query = $query;
        for argument in $arguments {
            query = match argument {
                ListArgument::Uuid(value) => query.bind(*value),
                ListArgument::Text(value) => query.bind(value.clone()),
                ListArgument::Integer(value) => query.bind(*value),
            };
        }
        query
    }};
}

impl Tx {
    /// The next 索引号 sequence value of an agency for a year (row lock on PostgreSQL; SQLite
    /// has one writer).
    pub async fn next_index_number_sequence(
        &mut self,
        agency_id: Uuid,
        year: i32,
    ) -> StoreResult<i64> {
        Ok(tx_run!(self, |c| {
            sqlx::query_scalar::<_, i64>(
            "INSERT INTO index_number_counters (agency_id, year, last_value) VALUES ($1, $2, 1) \
             ON CONFLICT (agency_id, year) DO UPDATE SET last_value = index_number_counters.last_value + 1 \
             RETURNING last_value"
        )
        .bind(agency_id)
        .bind(i64::from(year))
        .fetch_one(c)
        .await
        })?)
    }

    pub async fn document_insert(&mut self, row: &DocumentRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO documents ({DOCUMENT_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19)"
        )))
        .bind(row.id)
        .bind(row.agency_id)
        .bind(&row.external_id)
        .bind(&row.index_number)
        .bind(&row.catalog_code)
        .bind(&row.status)
        .bind(row.current_version)
        .bind(&row.title)
        .bind(&row.issuer)
        .bind(&row.level)
        .bind(&row.topic)
        .bind(&row.validity)
        .bind(row.published_date)
        .bind(row.published_year)
        .bind(row.formed_on)
        .bind(&row.withdrawn_reason)
        .bind(row.withdrawn_at)
        .bind(row.created_at)
        .bind(row.updated_at)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    /// Rewrites the listing columns of a document (its current published state).
    pub async fn document_update(&mut self, row: &DocumentRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "UPDATE documents SET catalog_code = $2, status = $3, current_version = $4, title = $5, \
             issuer = $6, level = $7, topic = $8, validity = $9, published_date = $10, \
             published_year = $11, formed_on = $12, withdrawn_reason = $13, withdrawn_at = $14, \
             updated_at = $15 WHERE id = $1"
        )
        .bind(row.id)
        .bind(&row.catalog_code)
        .bind(&row.status)
        .bind(row.current_version)
        .bind(&row.title)
        .bind(&row.issuer)
        .bind(&row.level)
        .bind(&row.topic)
        .bind(&row.validity)
        .bind(row.published_date)
        .bind(row.published_year)
        .bind(row.formed_on)
        .bind(&row.withdrawn_reason)
        .bind(row.withdrawn_at)
        .bind(row.updated_at)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    pub async fn document_version_insert(&mut self, row: &DocumentVersionRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO document_versions ({VERSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, \
             $7, $8, $9, $10, $11, $12, $13)"
        )))
        .bind(row.document_id)
        .bind(row.version)
        .bind(&row.state)
        .bind(&row.metadata)
        .bind(&row.header)
        .bind(&row.body)
        .bind(&row.content_sha256)
        .bind(&row.change_note)
        .bind(&row.review_note)
        .bind(row.created_by)
        .bind(row.reviewed_by)
        .bind(row.created_at)
        .bind(row.published_at)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    /// Moves a version from `expected_state` to `state`; false when it was not in the expected
    /// state (someone else acted first).
    #[allow(clippy::too_many_arguments)]
    pub async fn document_version_transition(
        &mut self,
        document_id: Uuid,
        version: i64,
        expected_state: &str,
        state: &str,
        reviewed_by: Option<Uuid>,
        review_note: &str,
        published_at: Option<OffsetDateTime>,
    ) -> StoreResult<bool> {
        let affected = tx_run!(self, |c| sqlx::query(
            "UPDATE document_versions SET state = $4, reviewed_by = COALESCE($5, reviewed_by), \
             review_note = $6, published_at = COALESCE($7, published_at) \
             WHERE document_id = $1 AND version = $2 AND state = $3"
        )
        .bind(document_id)
        .bind(version)
        .bind(expected_state)
        .bind(state)
        .bind(reviewed_by)
        .bind(review_note)
        .bind(published_at)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
        Ok(affected == 1)
    }

    pub async fn document_version_get(
        &mut self,
        document_id: Uuid,
        version: i64,
    ) -> StoreResult<Option<DocumentVersionRow>> {
        Ok(tx_run!(self, |c| {
            sqlx::query_as::<_, DocumentVersionRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM document_versions WHERE document_id = $1 AND version = $2"
        )))
        .bind(document_id)
        .bind(version)
        .fetch_optional(c)
        .await
        })?)
    }

    pub async fn document_get_for_update(&mut self, id: Uuid) -> StoreResult<Option<DocumentRow>> {
        Ok(tx_run!(self, |c| sqlx::query_as::<_, DocumentRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = $1"
            ))
        )
        .bind(id)
        .fetch_optional(c)
        .await)?)
    }

    pub async fn document_max_version(&mut self, document_id: Uuid) -> StoreResult<i64> {
        Ok(tx_run!(self, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(version), 0) FROM document_versions WHERE document_id = $1"
        )
        .bind(document_id)
        .fetch_one(c)
        .await)?)
    }

    /// Records that a document changed, for every process's search index to pick up.
    pub async fn document_change_record(
        &mut self,
        document_id: Uuid,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO document_changes (document_id, changed_at) VALUES ($1, $2)"
        )
        .bind(document_id)
        .bind(at)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    pub async fn document_link_insert(
        &mut self,
        document_id: Uuid,
        interpretation_id: Uuid,
    ) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO document_links (document_id, interpretation_id) VALUES ($1, $2) \
             ON CONFLICT DO NOTHING"
        )
        .bind(document_id)
        .bind(interpretation_id)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    pub async fn catalog_item_get(
        &mut self,
        agency_id: Uuid,
        code: &str,
    ) -> StoreResult<Option<CatalogItemRow>> {
        Ok(tx_run!(self, |c| sqlx::query_as::<_, CatalogItemRow>(
            "SELECT id, agency_id, code, template_agency_id, template_code, data, sort_order, \
             active, revision, updated_at FROM catalog_items WHERE agency_id = $1 AND code = $2"
        )
        .bind(agency_id)
        .bind(code)
        .fetch_optional(c)
        .await)?)
    }

    /// Inserts or replaces a catalog item; the caller also writes the matching revision.
    pub async fn catalog_item_upsert(&mut self, row: &CatalogItemRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO catalog_items (id, agency_id, code, template_agency_id, template_code, \
             data, sort_order, active, revision, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, \
             $8, $9, $10) ON CONFLICT (agency_id, code) DO UPDATE SET data = excluded.data, \
             sort_order = excluded.sort_order, active = excluded.active, revision = excluded.revision, \
             updated_at = excluded.updated_at"
        )
        .bind(row.id)
        .bind(row.agency_id)
        .bind(&row.code)
        .bind(row.template_agency_id)
        .bind(&row.template_code)
        .bind(&row.data)
        .bind(row.sort_order)
        .bind(row.active)
        .bind(row.revision)
        .bind(row.updated_at)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    pub async fn catalog_revision_insert(&mut self, row: &CatalogRevisionRow) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO catalog_revisions (id, agency_id, code, revision, data, active, \
             changed_by, change_note, changed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        )
        .bind(row.id)
        .bind(row.agency_id)
        .bind(&row.code)
        .bind(row.revision)
        .bind(&row.data)
        .bind(row.active)
        .bind(row.changed_by)
        .bind(&row.change_note)
        .bind(row.changed_at)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    pub async fn document_settings_set(
        &mut self,
        agency_id: Uuid,
        index_number_template: &str,
    ) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(
            "INSERT INTO document_settings (agency_id, index_number_template) VALUES ($1, $2) \
             ON CONFLICT (agency_id) DO UPDATE SET index_number_template = excluded.index_number_template"
        )
        .bind(agency_id)
        .bind(index_number_template)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    pub async fn document_settings_get(&mut self, agency_id: Uuid) -> StoreResult<Option<String>> {
        Ok(tx_run!(self, |c| sqlx::query_scalar::<_, String>(
            "SELECT index_number_template FROM document_settings WHERE agency_id = $1"
        )
        .bind(agency_id)
        .fetch_optional(c)
        .await)?)
    }

    pub async fn document_id_by_external_id(
        &mut self,
        external_id: &str,
    ) -> StoreResult<Option<Uuid>> {
        Ok(tx_run!(self, |c| sqlx::query_scalar::<_, Uuid>(
            "SELECT id FROM documents WHERE external_id = $1"
        )
        .bind(external_id)
        .fetch_optional(c)
        .await)?)
    }
}

impl Db {
    pub async fn document_by_external_id(
        &self,
        external_id: &str,
    ) -> StoreResult<Option<DocumentRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, DocumentRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE external_id = $1"
            ))
        )
        .bind(external_id)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn document_get(&self, id: Uuid) -> StoreResult<Option<DocumentRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, DocumentRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE id = $1"
            ))
        )
        .bind(id)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn documents_by_ids(&self, ids: &[Uuid]) -> StoreResult<Vec<DocumentRow>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = self.document_get(*id).await? {
                out.push(row);
            }
        }
        Ok(out)
    }

    pub async fn document_version(
        &self,
        document_id: Uuid,
        version: i64,
    ) -> StoreResult<Option<DocumentVersionRow>> {
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, DocumentVersionRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM document_versions WHERE document_id = $1 AND version = $2"
        )))
        .bind(document_id)
        .bind(version)
        .fetch_optional(p)
        .await
        })?)
    }

    /// Every version of a document, oldest first.
    pub async fn document_versions(
        &self,
        document_id: Uuid,
    ) -> StoreResult<Vec<DocumentVersionRow>> {
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, DocumentVersionRow>(sqlx::AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM document_versions WHERE document_id = $1 ORDER BY version"
        )))
        .bind(document_id)
        .fetch_all(p)
        .await
        })?)
    }

    /// Published versions whose canonical content, or one of whose files, has this SHA-256,
    /// with their documents' external ids: the answer to "is this file exactly something
    /// that was published?". A file is published by the version it was added to and by every
    /// later version, as the log's leaves record it.
    pub async fn document_versions_by_sha256(
        &self,
        sha256: &str,
    ) -> StoreResult<Vec<VerifiedFileRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, VerifiedFileRow>(
            "SELECT d.external_id, v.version, v.published_at, v.state, \
             CAST(NULL AS TEXT) AS attachment_filename FROM document_versions v \
             JOIN documents d ON d.id = v.document_id WHERE v.content_sha256 = $1 \
             AND v.state IN ('published', 'superseded') \
             UNION ALL \
             SELECT d.external_id, v.version, v.published_at, v.state, a.filename \
             FROM document_attachments a JOIN documents d ON d.id = a.document_id \
             JOIN document_versions v ON v.document_id = a.document_id AND v.version >= a.version \
             WHERE a.sha256 = $1 AND v.state IN ('published', 'superseded') \
             ORDER BY 1, 2"
        )
        .bind(sha256)
        .fetch_all(p)
        .await)?)
    }

    /// A page of published documents, newest first, with the total count.
    pub async fn documents_list(
        &self,
        filter: &DocumentListFilter,
        offset: i64,
        limit: i64,
    ) -> StoreResult<(Vec<DocumentRow>, i64)> {
        let (conditions, arguments) = list_conditions(filter);
        let next = arguments.len();
        let sql = format!(
            "SELECT {DOCUMENT_COLUMNS} FROM documents{conditions} \
             ORDER BY published_date DESC, external_id LIMIT ${} OFFSET ${}",
            next + 1,
            next + 2
        );
        let count_sql = format!("SELECT COUNT(*) FROM documents{conditions}");
        let rows = db_run!(self, |p| {
            bind_list_arguments!(
                sqlx::query_as::<_, DocumentRow>(sqlx::AssertSqlSafe(sql.clone())),
                &arguments
            )
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await
        })?;
        let total = db_run!(self, |p| {
            bind_list_arguments!(
                sqlx::query_scalar::<_, i64>(sqlx::AssertSqlSafe(count_sql.clone())),
                &arguments
            )
            .fetch_one(p)
            .await
        })?;
        Ok((rows, total))
    }

    /// Counts of published documents per value of one facet, largest first.
    pub async fn documents_facet(
        &self,
        filter: &DocumentListFilter,
        facet: DocumentFacet,
        limit: i64,
    ) -> StoreResult<Vec<(String, i64)>> {
        let (conditions, arguments) = list_conditions(filter);
        let column = facet.column();
        let sql = format!(
            "SELECT COALESCE({column}, '') AS value, COUNT(*) AS n FROM documents{conditions} \
             GROUP BY value ORDER BY n DESC, value LIMIT {limit}"
        );
        Ok(db_run!(self, |p| {
            bind_list_arguments!(
                sqlx::query_as::<_, (String, i64)>(sqlx::AssertSqlSafe(sql.clone())),
                &arguments
            )
            .fetch_all(p)
            .await
        })?)
    }

    /// Change records after `after_seq`, oldest first.
    pub async fn document_changes_since(
        &self,
        after_seq: i64,
        limit: i64,
    ) -> StoreResult<Vec<(i64, Uuid)>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, (i64, Uuid)>(
            "SELECT seq, document_id FROM document_changes WHERE seq > $1 ORDER BY seq LIMIT $2"
        )
        .bind(after_seq)
        .bind(limit)
        .fetch_all(p)
        .await)?)
    }

    pub async fn document_changes_last_seq(&self) -> StoreResult<i64> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, i64>(
            "SELECT COALESCE(MAX(seq), 0) FROM document_changes"
        )
        .fetch_one(p)
        .await)?)
    }

    pub async fn document_ids_published(&self) -> StoreResult<Vec<Uuid>> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, Uuid>(
            "SELECT id FROM documents WHERE status = 'published' ORDER BY external_id"
        )
        .fetch_all(p)
        .await)?)
    }

    pub async fn document_count(&self) -> StoreResult<i64> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM documents"
        )
        .fetch_one(p)
        .await)?)
    }

    /// Interpretations of a document, and documents an interpretation explains.
    pub async fn document_links(&self, document_id: Uuid) -> StoreResult<(Vec<Uuid>, Vec<Uuid>)> {
        let interpretations = db_run!(self, |p| sqlx::query_scalar::<_, Uuid>(
            "SELECT interpretation_id FROM document_links WHERE document_id = $1"
        )
        .bind(document_id)
        .fetch_all(p)
        .await)?;
        let explained = db_run!(self, |p| sqlx::query_scalar::<_, Uuid>(
            "SELECT document_id FROM document_links WHERE interpretation_id = $1"
        )
        .bind(document_id)
        .fetch_all(p)
        .await)?;
        Ok((interpretations, explained))
    }

    /// Documents of an agency that have unpublished work (drafts or versions in review), for
    /// the Art. 26 overdue check.
    pub async fn documents_with_pending_versions(
        &self,
        agency_id: Uuid,
    ) -> StoreResult<Vec<DocumentRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, DocumentRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE agency_id = $1 AND id IN \
             (SELECT document_id FROM document_versions WHERE state IN ('draft', 'in_review')) \
             ORDER BY formed_on, external_id"
            ))
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }

    /// One catalog item, read without a transaction (pages must not take SQLite's writer).
    pub async fn catalog_item(
        &self,
        agency_id: Uuid,
        code: &str,
    ) -> StoreResult<Option<CatalogItemRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, CatalogItemRow>(
            "SELECT id, agency_id, code, template_agency_id, template_code, data, sort_order, \
             active, revision, updated_at FROM catalog_items WHERE agency_id = $1 AND code = $2"
        )
        .bind(agency_id)
        .bind(code)
        .fetch_optional(p)
        .await)?)
    }

    pub async fn document_settings(&self, agency_id: Uuid) -> StoreResult<Option<String>> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, String>(
            "SELECT index_number_template FROM document_settings WHERE agency_id = $1"
        )
        .bind(agency_id)
        .fetch_optional(p)
        .await)?)
    }

    /// Every published document of an agency, newest first (the paper catalog's rows).
    pub async fn documents_published_of(&self, agency_id: Uuid) -> StoreResult<Vec<DocumentRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, DocumentRow>(
            sqlx::AssertSqlSafe(format!(
                "SELECT {DOCUMENT_COLUMNS} FROM documents WHERE agency_id = $1 \
             AND status = 'published' ORDER BY published_date DESC, external_id"
            ))
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }

    pub async fn catalog_items(&self, agency_id: Uuid) -> StoreResult<Vec<CatalogItemRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, CatalogItemRow>(
            "SELECT id, agency_id, code, template_agency_id, template_code, data, sort_order, \
             active, revision, updated_at FROM catalog_items WHERE agency_id = $1 \
             ORDER BY sort_order, code"
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }

    pub async fn catalog_revisions(
        &self,
        agency_id: Uuid,
        code: &str,
    ) -> StoreResult<Vec<CatalogRevisionRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, CatalogRevisionRow>(
            "SELECT id, agency_id, code, revision, data, active, changed_by, change_note, \
             changed_at FROM catalog_revisions WHERE agency_id = $1 AND code = $2 \
             ORDER BY revision DESC"
        )
        .bind(agency_id)
        .bind(code)
        .fetch_all(p)
        .await)?)
    }

    /// The latest publication date per catalog item of an agency, for periodic overdue checks.
    pub async fn catalog_last_published(
        &self,
        agency_id: Uuid,
    ) -> StoreResult<Vec<(String, Option<Date>)>> {
        Ok(db_run!(self, |p| sqlx::query_as::<
            _,
            (String, Option<Date>),
        >(
            "SELECT catalog_code, MAX(published_date) FROM documents WHERE agency_id = $1 \
             AND status = 'published' AND catalog_code IS NOT NULL GROUP BY catalog_code"
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }

    pub async fn catalog_document_counts(
        &self,
        agency_id: Uuid,
    ) -> StoreResult<Vec<(String, i64)>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, (String, i64)>(
            "SELECT catalog_code, COUNT(*) FROM documents WHERE agency_id = $1 \
             AND status = 'published' AND catalog_code IS NOT NULL GROUP BY catalog_code"
        )
        .bind(agency_id)
        .fetch_all(p)
        .await)?)
    }
}

/// A query that people ran and how it fared, for the OGI office.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct SearchGapRow {
    pub query: String,
    pub searches: i64,
    pub zero_result_searches: i64,
    pub clicks: i64,
}

impl Db {
    pub async fn search_query_insert(
        &self,
        id: Uuid,
        query: &str,
        results: i64,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO search_queries (id, query, results, searched_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(id)
        .bind(query)
        .bind(results)
        .bind(at)
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    pub async fn search_click_insert(
        &self,
        id: Uuid,
        query: &str,
        external_id: &str,
        at: OffsetDateTime,
    ) -> StoreResult<()> {
        db_run!(self, |p| sqlx::query(
            "INSERT INTO search_clicks (id, query, external_id, clicked_at) VALUES ($1, $2, $3, $4)"
        )
        .bind(id)
        .bind(query)
        .bind(external_id)
        .bind(at)
        .execute(p)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    /// How often each document was opened from search results since `since`: the raw data of
    /// the search's popularity prior.
    pub async fn search_click_counts(
        &self,
        since: OffsetDateTime,
    ) -> StoreResult<Vec<(String, i64)>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, (String, i64)>(
            "SELECT external_id, CAST(COUNT(*) AS BIGINT) FROM search_clicks \
             WHERE clicked_at >= $1 GROUP BY external_id ORDER BY external_id"
        )
        .bind(since)
        .fetch_all(p)
        .await)?)
    }

    /// Queries since `since` that found nothing or whose results nobody opened, most
    /// searched first: candidates for proactive disclosure.
    pub async fn search_gaps(
        &self,
        since: OffsetDateTime,
        limit: i64,
    ) -> StoreResult<Vec<SearchGapRow>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, SearchGapRow>(
            "SELECT q.query AS query, COUNT(*) AS searches, \
             SUM(CASE WHEN q.results = 0 THEN 1 ELSE 0 END) AS zero_result_searches, \
             (SELECT COUNT(*) FROM search_clicks c WHERE c.query = q.query) AS clicks \
             FROM search_queries q WHERE q.searched_at >= $1 GROUP BY q.query \
             HAVING SUM(CASE WHEN q.results = 0 THEN 1 ELSE 0 END) > 0 \
             OR (SELECT COUNT(*) FROM search_clicks c WHERE c.query = q.query) = 0 \
             ORDER BY searches DESC, q.query LIMIT $2"
        )
        .bind(since)
        .bind(limit)
        .fetch_all(p)
        .await)?)
    }
}

impl Db {
    /// The stored data of an application event by receipt number and sequence, for the audit.
    pub async fn application_event_data_by_receipt(
        &self,
        receipt_number: &str,
        seq: i64,
    ) -> StoreResult<Option<String>> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, String>(
            "SELECT e.data FROM application_events e JOIN applications a \
             ON a.id = e.application_id WHERE a.receipt_number = $1 AND e.seq = $2"
        )
        .bind(receipt_number)
        .bind(seq)
        .fetch_optional(p)
        .await)?)
    }

    /// The stored data of a catalog revision by agency slug, item code and revision.
    pub async fn catalog_revision_data(
        &self,
        agency_slug: &str,
        code: &str,
        revision: i64,
    ) -> StoreResult<Option<String>> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, String>(
            "SELECT r.data FROM catalog_revisions r JOIN agencies a ON a.id = r.agency_id \
             WHERE a.slug = $1 AND r.code = $2 AND r.revision = $3"
        )
        .bind(agency_slug)
        .bind(code)
        .bind(revision)
        .fetch_optional(p)
        .await)?)
    }
}

/// A published version that a file is exactly: its canonical content, or (with the file's
/// name) one of the files it publishes.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct VerifiedFileRow {
    pub external_id: String,
    pub version: i64,
    pub published_at: Option<OffsetDateTime>,
    pub state: String,
    pub attachment_filename: Option<String>,
}

/// A file attached to a document version (the extracted text is read separately: lists and
/// pages do not need it).
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct DocumentAttachmentRow {
    pub id: Uuid,
    pub document_id: Uuid,
    /// The version it was added to; it is public once that version is.
    pub version: i64,
    pub sha256: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// `extracted`, or why there is no text (`empty`, `tool_missing`, `timed_out`, …).
    pub text_status: String,
    pub uploaded_by: Option<Uuid>,
    pub created_at: OffsetDateTime,
}

const ATTACHMENT_COLUMNS: &str = "id, document_id, version, sha256, filename, content_type, \
    size_bytes, text_status, uploaded_by, created_at";

impl Tx {
    pub async fn document_attachment_insert(
        &mut self,
        row: &DocumentAttachmentRow,
        extracted_text: &str,
    ) -> StoreResult<()> {
        tx_run!(self, |c| sqlx::query(sqlx::AssertSqlSafe(format!(
            "INSERT INTO document_attachments ({ATTACHMENT_COLUMNS}, extracted_text) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
        )))
        .bind(row.id)
        .bind(row.document_id)
        .bind(row.version)
        .bind(&row.sha256)
        .bind(&row.filename)
        .bind(&row.content_type)
        .bind(row.size_bytes)
        .bind(&row.text_status)
        .bind(row.uploaded_by)
        .bind(row.created_at)
        .bind(extracted_text)
        .execute(c)
        .await
        .map(|_| ()))
        .map_err(StoreError::from_write)
    }

    /// The content digests and file names of a document's attachments, inside the
    /// transaction that is about to add more (an import adds only the files not yet there).
    pub async fn document_attachment_digests(
        &mut self,
        document_id: Uuid,
    ) -> StoreResult<Vec<(String, String)>> {
        Ok(tx_run!(self, |c| sqlx::query_as::<_, (String, String)>(
            "SELECT sha256, filename FROM document_attachments WHERE document_id = $1"
        )
        .bind(document_id)
        .fetch_all(c)
        .await)?)
    }

    /// The content digests of the files a version publishes (every attachment added up to
    /// it: files stay with the later versions), sorted so that the list depends on the stored
    /// rows alone, as the transparency log's leaf and `gongkai audit` both need.
    pub async fn document_attachment_digests_up_to(
        &mut self,
        document_id: Uuid,
        version: i64,
    ) -> StoreResult<Vec<String>> {
        Ok(tx_run!(self, |c| sqlx::query_scalar::<_, String>(
            "SELECT sha256 FROM document_attachments WHERE document_id = $1 AND version <= $2 \
             ORDER BY sha256"
        )
        .bind(document_id)
        .bind(version)
        .fetch_all(c)
        .await)?)
    }

    /// One attachment, read inside the transaction that may delete it.
    pub async fn document_attachment_get(
        &mut self,
        attachment_id: Uuid,
    ) -> StoreResult<Option<DocumentAttachmentRow>> {
        Ok(tx_run!(self, |c| {
            sqlx::query_as::<_, DocumentAttachmentRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {ATTACHMENT_COLUMNS} FROM document_attachments WHERE id = $1"
            )))
            .bind(attachment_id)
            .fetch_optional(c)
            .await
        })?)
    }

    /// Removes an attachment row; true when there was one.
    pub async fn document_attachment_delete(&mut self, attachment_id: Uuid) -> StoreResult<bool> {
        Ok(tx_run!(self, |c| sqlx::query(
            "DELETE FROM document_attachments WHERE id = $1"
        )
        .bind(attachment_id)
        .execute(c)
        .await
        .map(|r| r.rows_affected() > 0))?)
    }

    /// Removes a blob that no attachment (of a document or of an application) names any more,
    /// so that a file deleted from a draft does not stay stored; true when it was removed.
    pub async fn blob_delete_if_unreferenced(&mut self, sha256: &str) -> StoreResult<bool> {
        Ok(tx_run!(self, |c| sqlx::query(
            "DELETE FROM blobs WHERE sha256 = $1 \
             AND NOT EXISTS (SELECT 1 FROM document_attachments WHERE sha256 = $1) \
             AND NOT EXISTS (SELECT 1 FROM application_attachments WHERE sha256 = $1)"
        )
        .bind(sha256)
        .execute(c)
        .await
        .map(|r| r.rows_affected() > 0))?)
    }

    pub async fn document_attachment_count(&mut self, document_id: Uuid) -> StoreResult<i64> {
        Ok(tx_run!(self, |c| sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM document_attachments WHERE document_id = $1"
        )
        .bind(document_id)
        .fetch_one(c)
        .await)?)
    }
}

impl Db {
    /// Every attachment of a document, in the order they were added.
    pub async fn document_attachments(
        &self,
        document_id: Uuid,
    ) -> StoreResult<Vec<DocumentAttachmentRow>> {
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, DocumentAttachmentRow>(sqlx::AssertSqlSafe(format!(
                "SELECT {ATTACHMENT_COLUMNS} FROM document_attachments WHERE document_id = $1 \
                 ORDER BY created_at, id"
            )))
            .bind(document_id)
            .fetch_all(p)
            .await
        })?)
    }

    /// One attachment's metadata with the text extracted from it (redaction reviews start from
    /// it).
    pub async fn document_attachment_with_text(
        &self,
        attachment_id: Uuid,
    ) -> StoreResult<Option<(DocumentAttachmentRow, String)>> {
        #[derive(sqlx::FromRow)]
        struct Found {
            #[sqlx(flatten)]
            row: DocumentAttachmentRow,
            extracted_text: String,
        }
        let found = db_run!(self, |p| {
            sqlx::query_as::<_, Found>(sqlx::AssertSqlSafe(format!(
                "SELECT {ATTACHMENT_COLUMNS}, extracted_text FROM document_attachments WHERE id = $1"
            )))
            .bind(attachment_id)
            .fetch_optional(p)
            .await
        })?;
        Ok(found.map(|f| (f.row, f.extracted_text)))
    }

    /// File names and extracted texts of the attachments added up to `version`, for search.
    pub async fn document_attachment_texts(
        &self,
        document_id: Uuid,
        version: i64,
    ) -> StoreResult<Vec<(String, String)>> {
        Ok(db_run!(self, |p| sqlx::query_as::<_, (String, String)>(
            "SELECT filename, extracted_text FROM document_attachments \
             WHERE document_id = $1 AND version <= $2 ORDER BY created_at, id"
        )
        .bind(document_id)
        .bind(version)
        .fetch_all(p)
        .await)?)
    }
}

/// A published document's current version as the open data describe it: its metadata without
/// the body, which the document page and its download carry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct OpenDataDocumentRow {
    pub external_id: String,
    pub index_number: String,
    pub catalog_code: Option<String>,
    pub current_version: i64,
    /// The version's metadata JSON (`DocumentMetadata` without the body).
    pub metadata: String,
    pub content_sha256: String,
    /// When the first version was published (the document's `created_at` for imports).
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Db {
    /// Every published document of an agency with its current version's metadata, in one
    /// query (the open data package and the DCAT catalog list them all), oldest first.
    pub async fn documents_open_data(
        &self,
        agency_id: Uuid,
    ) -> StoreResult<Vec<OpenDataDocumentRow>> {
        Ok(db_run!(self, |p| {
            sqlx::query_as::<_, OpenDataDocumentRow>(
                "SELECT d.external_id, d.index_number, d.catalog_code, d.current_version, \
             v.metadata, v.content_sha256, d.created_at, d.updated_at \
             FROM documents d JOIN document_versions v \
             ON v.document_id = d.id AND v.version = d.current_version \
             WHERE d.agency_id = $1 AND d.status = 'published' \
             ORDER BY d.published_date, d.external_id",
            )
            .bind(agency_id)
            .fetch_all(p)
            .await
        })?)
    }
}

impl Tx {
    /// Records today's reminder of a late publication duty; false when one was already
    /// recorded for that duty today (by this or another process), and then nothing is sent.
    pub async fn publication_reminder_insert(
        &mut self,
        agency_id: Uuid,
        kind: &str,
        reference: &str,
        reminded_on: Date,
        recipients: i64,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        Ok(tx_run!(self, |c| sqlx::query(
            "INSERT INTO publication_reminders \
             (agency_id, kind, reference, reminded_on, recipients, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (agency_id, kind, reference, reminded_on) DO NOTHING"
        )
        .bind(agency_id)
        .bind(kind)
        .bind(reference)
        .bind(reminded_on)
        .bind(recipients)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected() > 0))?)
    }
}

impl Tx {
    /// Records an agency's decision about one revision of its catalog template; false when it
    /// was already decided (a second click, or another member of the office first).
    pub async fn catalog_template_decision_insert(
        &mut self,
        agency_id: Uuid,
        code: &str,
        template_revision: i64,
        decision: &str,
        decided_by: Uuid,
        now: OffsetDateTime,
    ) -> StoreResult<bool> {
        Ok(tx_run!(self, |c| sqlx::query(
            "INSERT INTO catalog_template_decisions \
             (agency_id, code, template_revision, decision, decided_by, decided_at) \
             VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (agency_id, code, template_revision) DO NOTHING"
        )
        .bind(agency_id)
        .bind(code)
        .bind(template_revision)
        .bind(decision)
        .bind(decided_by)
        .bind(now)
        .execute(c)
        .await
        .map(|r| r.rows_affected() > 0))?)
    }
}

impl Db {
    /// The latest template revision an agency decided about for one of its items.
    pub async fn catalog_template_last_decided(
        &self,
        agency_id: Uuid,
        code: &str,
    ) -> StoreResult<Option<i64>> {
        Ok(db_run!(self, |p| sqlx::query_scalar::<_, Option<i64>>(
            "SELECT MAX(template_revision) FROM catalog_template_decisions \
             WHERE agency_id = $1 AND code = $2"
        )
        .bind(agency_id)
        .bind(code)
        .fetch_one(p)
        .await)?)
    }
}
