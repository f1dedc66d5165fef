//! Public pages of proactive disclosure (Art. 24: search, view and download everything
//! published): document lists by topic, issuer, year and validity; the document page with
//! anchored articles, versions, diffs and its log record; the canonical download; the catalog
//! of each agency; Atom feeds; and the "is this file exactly what was published?" check.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::pages::render;
use crate::templates::{Base, Problems, encode};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{DefaultBodyLimit, Multipart, Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use gongkai_domain::document::{BodyBlock, parse_body};
use gongkai_domain::publication::Validity;
use gongkai_service::{DocumentFacet, DocumentListFilter, DocumentRow};
use gongkai_service::{DocumentView, ServiceError, document_status, version_state};
use serde::Deserialize;
use time::format_description::well_known::Rfc3339;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/documents", get(list))
        .route("/documents/{external_id}", get(document_page))
        .route(
            "/documents/{external_id}/versions/{file}",
            get(version_download),
        )
        .route(
            "/documents/{external_id}/attachments/{attachment_id}",
            get(attachment_download),
        )
        .route("/documents/{external_id}/apply", get(apply_from_document))
        .route("/a/{slug}/catalog", get(catalog_page))
        .route("/a/{slug}/catalog.csv", get(catalog_csv))
        .route("/a/{slug}/catalog.xlsx", get(catalog_xlsx))
        .route("/feeds/all.atom", get(feed_all))
        .route("/feeds/documents.atom", get(feed_filtered))
        .route(
            "/transparency/verify",
            get(verify_form)
                .post(verify_upload)
                .layer(DefaultBodyLimit::max(VERIFY_UPLOAD_BYTES_MAX)),
        )
}

/// Documents per list page.
const PAGE_SIZE: i64 = 20;
/// The largest file the verify form accepts (the largest canonical document is far smaller).
const VERIFY_UPLOAD_BYTES_MAX: usize = 16 * 1024 * 1024;
/// Entries in a feed.
const FEED_ENTRIES: i64 = 50;

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ListQuery {
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    validity: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    topic: String,
    #[serde(default)]
    catalog: String,
    #[serde(default)]
    page: String,
}

impl ListQuery {
    fn filter(&self) -> DocumentListFilter {
        // NUL cannot be stored in PostgreSQL text, so it can match nothing; dropping it keeps
        // a pasted value usable instead of failing the query.
        let text = |s: &str| Some(s.replace('\0', "").trim().to_string()).filter(|s| !s.is_empty());
        DocumentListFilter {
            agency_id: None,
            issuer: text(&self.issuer),
            year: self.year.trim().parse().ok(),
            validity: text(&self.validity),
            topic: text(&self.topic),
            level: text(&self.level),
            catalog_code: text(&self.catalog),
        }
    }

    /// The query string for the same filters with one of them replaced (or removed with "").
    fn with(&self, name: &str, value: &str) -> String {
        let mut pairs: Vec<(&str, String)> = Vec::new();
        for (key, current) in [
            ("issuer", &self.issuer),
            ("year", &self.year),
            ("validity", &self.validity),
            ("level", &self.level),
            ("topic", &self.topic),
            ("catalog", &self.catalog),
        ] {
            let chosen = if key == name { value } else { current.as_str() };
            if !chosen.is_empty() {
                pairs.push((key, chosen.to_string()));
            }
        }
        if name == "page" && !value.is_empty() {
            pairs.push(("page", value.to_string()));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

pub(crate) struct ListEntry {
    pub href: String,
    pub title: String,
    pub index_number: String,
    pub issuer: String,
    pub published_date: String,
    pub validity: &'static str,
    pub current: bool,
}

pub(crate) struct FacetGroup {
    pub label: &'static str,
    pub values: Vec<FacetValue>,
}

pub(crate) struct FacetValue {
    pub label: String,
    pub count: i64,
    pub href: String,
    pub selected: bool,
}

#[derive(Template)]
#[template(path = "documents_list.html")]
pub(crate) struct DocumentsListPage {
    pub base: Base,
    pub entries: Vec<ListEntry>,
    pub total: i64,
    pub page: i64,
    pub pages: i64,
    pub previous_href: Option<String>,
    pub next_href: Option<String>,
    pub facets: Vec<FacetGroup>,
    pub active_filters: Vec<(String, String)>,
    pub feed_href: String,
}

fn validity_label(base: &Base, code: &str) -> &'static str {
    match Validity::from_code(code) {
        Some(v) if base.is_en() => v.label_en(),
        Some(v) => v.label_zh(),
        None => "",
    }
}

fn list_entry(base: &Base, row: &DocumentRow) -> ListEntry {
    ListEntry {
        href: document_href(&row.external_id),
        title: row.title.clone(),
        index_number: row.index_number.clone(),
        issuer: row.issuer.clone(),
        published_date: row
            .published_date
            .map(gongkai_domain::calendar::format_iso_date)
            .unwrap_or_default(),
        validity: validity_label(base, &row.validity),
        current: row.validity == "effective",
    }
}

/// The path of a document page. External ids may hold `/` (index numbers such as
/// `11330100002500017H/2026-00001` are used as ids of drafted documents), so it is escaped.
pub(crate) fn document_href(external_id: &str) -> String {
    format!("/documents/{}", path_segment(external_id))
}

fn path_segment(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

async fn list(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let filter = query.filter();
    let page: i64 = query.page.trim().parse().unwrap_or(1).clamp(1, 100_000);
    let (rows, total) = state
        .services
        .db
        .documents_list(&filter, (page - 1) * PAGE_SIZE, PAGE_SIZE)
        .await
        .map_err(ServiceError::from)?;
    let base = Base::titled(&ctx, pick(&ctx, "政府信息公开目录", "Published documents"));
    let entries = rows.iter().map(|r| list_entry(&base, r)).collect();
    let mut facets = Vec::new();
    for (name, facet, label_zh, label_en) in [
        ("year", DocumentFacet::Year, "年份", "Year"),
        ("validity", DocumentFacet::Validity, "有效性", "Validity"),
        ("level", DocumentFacet::Level, "效力层级", "Level"),
        ("issuer", DocumentFacet::Issuer, "发布机构", "Issuer"),
        ("topic", DocumentFacet::Topic, "主题分类", "Topic"),
    ] {
        let values = state
            .services
            .db
            .documents_facet(&filter, facet, 12)
            .await
            .map_err(ServiceError::from)?;
        let current = match name {
            "year" => &query.year,
            "validity" => &query.validity,
            "level" => &query.level,
            "issuer" => &query.issuer,
            _ => &query.topic,
        };
        let values: Vec<FacetValue> = values
            .into_iter()
            .filter(|(value, _)| !value.is_empty())
            .map(|(value, count)| FacetValue {
                label: if name == "validity" {
                    validity_label(&base, &value).to_string()
                } else {
                    value.clone()
                },
                count,
                href: format!("/documents?{}", query.with(name, &value)),
                selected: *current == value,
            })
            .collect();
        if !values.is_empty() {
            facets.push(FacetGroup {
                label: if base.is_en() { label_en } else { label_zh },
                values,
            });
        }
    }
    let mut active_filters = Vec::new();
    for (name, value) in [
        ("year", &query.year),
        ("validity", &query.validity),
        ("level", &query.level),
        ("issuer", &query.issuer),
        ("topic", &query.topic),
        ("catalog", &query.catalog),
    ] {
        if !value.trim().is_empty() {
            let shown = if name == "validity" {
                validity_label(&base, value).to_string()
            } else {
                value.clone()
            };
            active_filters.push((shown, format!("/documents?{}", query.with(name, ""))));
        }
    }
    let pages = ((total + PAGE_SIZE - 1) / PAGE_SIZE).max(1);
    let page_href = |n: i64| format!("/documents?{}", query.with("page", &n.to_string()));
    render(DocumentsListPage {
        base,
        entries,
        total,
        page,
        pages,
        previous_href: (page > 1).then(|| page_href(page - 1)),
        next_href: (page < pages).then(|| page_href(page + 1)),
        facets,
        active_filters,
        feed_href: format!("/feeds/documents.atom?{}", query.with("page", "")),
    })
}

fn pick(ctx: &Ctx, zh: &str, en: &str) -> String {
    if ctx.lang == crate::i18n::Lang::En {
        en.to_string()
    } else {
        zh.to_string()
    }
}

/// One block of a rendered body.
pub(crate) struct BodyItem {
    /// `heading`, `article` or `paragraph`.
    pub kind: &'static str,
    pub level: u8,
    pub anchor: String,
    pub label: String,
    pub paragraphs: Vec<String>,
}

pub(crate) fn body_items(body: &str) -> Vec<BodyItem> {
    parse_body(body)
        .into_iter()
        .map(|block| match block {
            BodyBlock::Heading(h) => BodyItem {
                kind: "heading",
                level: h.level.clamp(2, 5),
                anchor: String::new(),
                label: h.text,
                paragraphs: Vec::new(),
            },
            BodyBlock::Article(a) => BodyItem {
                kind: "article",
                level: 0,
                anchor: a.number.anchor(),
                label: a.number.label_zh(),
                paragraphs: a.paragraphs().map(str::to_string).collect(),
            },
            BodyBlock::Paragraph(text) => BodyItem {
                kind: "paragraph",
                level: 0,
                anchor: String::new(),
                label: String::new(),
                paragraphs: vec![text],
            },
        })
        .collect()
}

pub(crate) struct VersionEntry {
    pub version: i64,
    pub state_label: &'static str,
    pub date: String,
    pub change_note: String,
    pub href: String,
    pub diff_href: Option<String>,
    pub download_href: String,
    pub sha256: String,
    pub shown: bool,
}

/// One transparency-log entry about the document, as the log records it.
pub(crate) struct LogHistoryEntry {
    pub index: u64,
    pub kind_label: &'static str,
    pub version: i64,
    pub version_href: String,
    pub time: String,
    pub sha256: String,
    /// The entry's inclusion proof in the tree of the size read with it.
    pub proof_href: String,
}

pub(crate) struct DiffLine {
    /// `same`, `added` or `removed`.
    pub kind: &'static str,
    pub text: String,
}

pub(crate) struct LinkEntry {
    pub href: String,
    pub title: String,
}

/// The addresses of a dataset's table on its document's page.
pub(crate) struct DatasetLinks {
    pub csv_href: String,
    pub json_href: String,
    pub schema_href: String,
    pub row_count: i64,
    pub csv_sha256: String,
}

#[derive(Template)]
#[template(path = "document.html")]
pub(crate) struct DocumentPage {
    pub base: Base,
    pub title: String,
    pub withdrawn: Option<(String, String)>,
    pub is_current: bool,
    pub shown_version: i64,
    pub current_version: i64,
    pub metadata_rows: Vec<(&'static str, String)>,
    pub header: Vec<String>,
    pub body: Vec<BodyItem>,
    pub versions: Vec<VersionEntry>,
    pub diff: Option<(i64, Vec<DiffLine>)>,
    pub interpretations: Vec<LinkEntry>,
    pub interprets: Vec<LinkEntry>,
    pub agency_name: String,
    pub agency_href: String,
    pub sha256: String,
    pub download_href: String,
    pub apply_href: String,
    pub staff: Option<crate::staff_documents::StaffPanel>,
    pub problems: Problems,
    pub version_state_label: &'static str,
    /// The files attached to the version shown and the ones before it.
    pub attachments: Vec<AttachmentEntry>,
    /// The document's complete history read from the transparency log (issue 6).
    pub log_history: Vec<LogHistoryEntry>,
    /// The table of the version shown, when the document is a dataset (C12).
    pub dataset: Option<DatasetLinks>,
    /// Where staff upload or replace the table of a draft.
    pub dataset_upload_href: Option<String>,
}

/// A file attached to the document, as listed on its page.
pub(crate) struct AttachmentEntry {
    pub filename: String,
    pub href: String,
    /// The confirmation page that deletes the file, for staff who may, while its version is
    /// the draft shown.
    pub delete_href: Option<String>,
    /// The version the file was added with.
    pub version: i64,
    pub id: String,
    pub kind: &'static str,
    pub size: String,
    pub sha256: String,
    /// Shown when the file's text could not be extracted (so search does not find it).
    pub text_note: Option<&'static str>,
}

/// A size for people: bytes, KB or MB with one decimal.
pub(crate) fn size_label(size_bytes: i64) -> String {
    const KIB: i64 = 1024;
    if size_bytes < KIB {
        format!("{size_bytes} B")
    } else if size_bytes < KIB * KIB {
        format!("{:.1} KB", size_bytes as f64 / KIB as f64)
    } else {
        format!("{:.1} MB", size_bytes as f64 / (KIB * KIB) as f64)
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct DocumentQuery {
    #[serde(default)]
    version: String,
    #[serde(default)]
    diff: String,
}

fn state_label(base: &Base, state: &str) -> &'static str {
    let (zh, en) = match state {
        version_state::DRAFT => ("草稿", "Draft"),
        version_state::IN_REVIEW => ("保密审查中", "In confidentiality review"),
        version_state::PUBLISHED => ("现行版本", "Current"),
        version_state::REJECTED => ("审查未通过", "Refused in review"),
        version_state::SUPERSEDED => ("已被更正", "Superseded"),
        version_state::WITHDRAWN => ("已撤回", "Withdrawn"),
        _ => ("", ""),
    };
    if base.is_en() { en } else { zh }
}

/// A line diff by longest common subsequence: documents have at most a few thousand lines,
/// so the quadratic table stays small, and lines (articles, paragraphs) are the unit readers
/// compare.
pub(crate) fn line_diff(old: &str, new: &str) -> Vec<DiffLine> {
    let old_lines: Vec<&str> = old.lines().filter(|l| !l.trim().is_empty()).collect();
    let new_lines: Vec<&str> = new.lines().filter(|l| !l.trim().is_empty()).collect();
    let (n, m) = (old_lines.len(), new_lines.len());
    // Past this size the table would be too large; show the replacement as a whole instead.
    if n.saturating_mul(m) > 4_000_000 {
        let mut out: Vec<DiffLine> = old_lines
            .iter()
            .map(|l| DiffLine {
                kind: "removed",
                text: l.to_string(),
            })
            .collect();
        out.extend(new_lines.iter().map(|l| DiffLine {
            kind: "added",
            text: l.to_string(),
        }));
        return out;
    }
    let mut table = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i * (m + 1) + j] = if old_lines[i] == new_lines[j] {
                table[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                table[(i + 1) * (m + 1) + j].max(table[i * (m + 1) + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::new();
    while i < n || j < m {
        if i < n && j < m && old_lines[i] == new_lines[j] {
            out.push(DiffLine {
                kind: "same",
                text: old_lines[i].to_string(),
            });
            i += 1;
            j += 1;
        } else if j < m && (i == n || table[i * (m + 1) + j + 1] >= table[(i + 1) * (m + 1) + j]) {
            out.push(DiffLine {
                kind: "added",
                text: new_lines[j].to_string(),
            });
            j += 1;
        } else {
            out.push(DiffLine {
                kind: "removed",
                text: old_lines[i].to_string(),
            });
            i += 1;
        }
    }
    out
}

fn date_of(time: Option<time::OffsetDateTime>) -> String {
    time.map(|t| gongkai_domain::calendar::format_iso_date(t.date()))
        .unwrap_or_default()
}

fn version_download_href(external_id: &str, version: i64) -> String {
    format!("{}/versions/{version}.json", document_href(external_id))
}

async fn document_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(external_id): Path<String>,
    query: Result<Query<DocumentQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let wanted = match query.version.trim() {
        "" => None,
        text => Some(
            text.parse::<i64>()
                .map_err(|_| WebError::Status(StatusCode::NOT_FOUND))?,
        ),
    };
    let diff_against = query.diff.trim().parse::<i64>().ok();
    state.services.count_document_view(&external_id).await;
    render_document(
        &state,
        &ctx,
        &external_id,
        wanted,
        diff_against,
        Problems::default().prefixed("act-"),
    )
    .await
}

/// Renders a document page; the staff action handler uses it too, to show its problems.
pub(crate) async fn render_document(
    state: &AppState,
    ctx: &Ctx,
    external_id: &str,
    version: Option<i64>,
    diff_against: Option<i64>,
    problems: Problems,
) -> Result<Response, WebError> {
    let view = state
        .services
        .document_view(external_id, version, ctx.actor.as_ref())
        .await?;
    let mut page = document_page_content(ctx, &view, diff_against);
    if let Some(actor) = &ctx.actor {
        let roles = state
            .services
            .roles_in_agency(actor, view.document.agency_id);
        page.staff = crate::staff_documents::staff_panel(
            &roles,
            &view.document.external_id,
            view.version.row.version,
            &view.version.row.state,
            view.document.status == document_status::PUBLISHED,
        );
        // Files of the draft shown can be deleted again before the review (Art. 17); those of
        // earlier versions were reviewed with them and stay.
        if page.staff.as_ref().is_some_and(|panel| panel.can_attach) {
            for attachment in &mut page.attachments {
                if attachment.version == view.version.row.version {
                    attachment.delete_href = Some(format!(
                        "/staff/documents/attachments/delete?{}",
                        serde_urlencoded::to_string([
                            ("external_id", view.document.external_id.as_str()),
                            ("attachment", attachment.id.as_str()),
                        ])
                        .unwrap_or_default()
                    ));
                }
            }
        }
    }
    page.problems = problems;
    page.log_history = log_history_entries(state, &page.base, external_id).await?;
    // A dataset's table (C12) is offered as CSV, typed JSON and its Table Schema.
    if let Some(row) = state
        .services
        .db
        .dataset_of_version(view.document.id, view.version.row.version)
        .await
        .map_err(gongkai_service::ServiceError::from)?
    {
        let href = document_href(&view.document.external_id);
        let query = if view.version.row.version == view.document.current_version {
            String::new()
        } else {
            format!("?version={}", view.version.row.version)
        };
        page.dataset = Some(DatasetLinks {
            csv_href: format!("{href}/data.csv{query}"),
            json_href: format!("{href}/data.json{query}"),
            schema_href: format!("{href}/schema.json{query}"),
            row_count: row.row_count,
            csv_sha256: row.csv_sha256,
        });
    }
    if page.staff.as_ref().is_some_and(|panel| panel.can_attach) {
        page.dataset_upload_href = Some(format!(
            "/staff/datasets?{}",
            serde_urlencoded::to_string([
                ("external_id", view.document.external_id.as_str()),
                ("version", view.version.row.version.to_string().as_str()),
            ])
            .unwrap_or_default()
        ));
    }
    let status = if view.document.status == document_status::WITHDRAWN {
        // A tombstone: the record is still shown, but the document is gone (410 tells
        // crawlers and mirrors to drop it).
        StatusCode::GONE
    } else {
        StatusCode::OK
    };
    let mut response = render(page)?;
    *response.status_mut() = status;
    Ok(response)
}

/// The document's entries in the transparency log, each with a link to its inclusion proof.
async fn log_history_entries(
    state: &AppState,
    base: &Base,
    external_id: &str,
) -> Result<Vec<LogHistoryEntry>, WebError> {
    let history = state.services.document_log_history(external_id).await?;
    Ok(history
        .entries
        .into_iter()
        .map(|entry| LogHistoryEntry {
            index: entry.index,
            kind_label: crate::log_explorer::kind_label(base.is_en(), &entry.kind),
            version: entry.version,
            version_href: format!("{}?version={}", document_href(external_id), entry.version),
            time: entry.time_rfc3339,
            sha256: entry.sha256_hex,
            proof_href: format!(
                "/transparency/proof/inclusion?index={}&size={}",
                entry.index, history.tree_size
            ),
        })
        .collect())
}

fn document_page_content(
    ctx: &Ctx,
    view: &DocumentView,
    diff_against: Option<i64>,
) -> DocumentPage {
    let base = Base::titled(ctx, view.version.metadata.title.clone());
    let metadata = &view.version.metadata;
    let date = |d: Option<time::Date>| {
        d.map(gongkai_domain::calendar::format_iso_date)
            .unwrap_or_default()
    };
    let en = base.is_en();
    let label = |zh: &'static str, english: &'static str| if en { english } else { zh };
    let mut metadata_rows = vec![
        (
            label("索引号", "Index number"),
            view.document.index_number.clone(),
        ),
        (label("名称", "Title"), metadata.title.clone()),
        (label("发布机构", "Issued by"), metadata.issuer.clone()),
        (
            label("文号", "Document number"),
            metadata.document_number.clone().unwrap_or_default(),
        ),
        (
            label("成文日期", "Date written"),
            date(metadata.written_date),
        ),
        (
            label("发布日期", "Date published"),
            date(metadata.published_date.or(view.document.published_date)),
        ),
        (label("主题分类", "Topic"), metadata.topic.clone()),
        (label("体裁", "Genre"), metadata.genre.clone()),
        (
            label("有效性", "Validity"),
            validity_label(&base, metadata.validity.code()).to_string(),
        ),
        (
            label("施行日期", "In force from"),
            date(metadata.valid_from),
        ),
        (
            label("失效日期", "In force until"),
            date(metadata.invalid_from),
        ),
        (label("关键词", "Keywords"), metadata.keywords.join("、")),
        (label("内容概述", "Summary"), metadata.summary.clone()),
    ];
    if let Some(name) = &view.catalog_item_name {
        metadata_rows.push((label("目录分类", "Catalog item"), name.clone()));
    }
    metadata_rows.retain(|(_, value)| !value.is_empty());
    let external_id = &view.document.external_id;
    let shown = view.version.row.version;
    let versions: Vec<VersionEntry> = view
        .versions
        .iter()
        .enumerate()
        .map(|(position, v)| VersionEntry {
            version: v.version,
            state_label: state_label(&base, &v.state),
            date: date_of(v.published_at.or(Some(v.created_at))),
            change_note: v.change_note.clone(),
            href: format!("{}?version={}", document_href(external_id), v.version),
            diff_href: (position > 0).then(|| {
                format!(
                    "{}?version={}&diff={}",
                    document_href(external_id),
                    v.version,
                    view.versions[position - 1].version
                )
            }),
            download_href: version_download_href(external_id, v.version),
            sha256: v.content_sha256.clone(),
            shown: v.version == shown,
        })
        .collect();
    let diff = diff_against.and_then(|other| {
        view.versions
            .iter()
            .find(|v| v.version == other)
            .map(|old| (other, line_diff(&old.body, &view.version.row.body)))
    });
    let link = |row: &DocumentRow| LinkEntry {
        href: document_href(&row.external_id),
        title: row.title.clone(),
    };
    let withdrawn = (view.document.status == document_status::WITHDRAWN).then(|| {
        (
            view.document.withdrawn_reason.clone().unwrap_or_default(),
            date_of(view.document.withdrawn_at),
        )
    });
    let attachments = view
        .attachments
        .iter()
        .map(|a| AttachmentEntry {
            delete_href: None,
            version: a.version,
            id: a.id.to_string(),
            filename: a.filename.clone(),
            href: format!(
                "{}/attachments/{}",
                document_href(external_id),
                a.id.as_simple()
            ),
            kind: match a.content_type.as_str() {
                "application/pdf" => "PDF",
                t if t.contains("wordprocessingml") => "DOCX",
                t if t.contains("spreadsheetml") => "XLSX",
                _ => "",
            },
            size: size_label(a.size_bytes),
            sha256: a.sha256.clone(),
            text_note: match a.text_status.as_str() {
                gongkai_service::attachment_text_status::EXTRACTED => None,
                gongkai_service::attachment_text_status::EMPTY => Some(label(
                    "此文件没有可检索的文字（可能是空白的扫描件）",
                    "This file has no searchable text (it may be a blank scan)",
                )),
                gongkai_service::attachment_text_status::OCR => Some(label(
                    "此文件是扫描件，文字由光学字符识别（OCR）得出，可能有误",
                    "This file is a scan; its text was recognised by OCR and may contain errors",
                )),
                gongkai_service::attachment_text_status::OCR_PARTIAL => Some(label(
                    "此文件是扫描件，仅前若干页的文字经光学字符识别（OCR）得出，可能有误，其余页面无法检索",
                    "This file is a scan; only its first pages were recognised by OCR (which may contain errors), so search does not find the rest",
                )),
                _ => Some(label(
                    "此文件的文字暂未提取，无法检索",
                    "This file's text has not been extracted, so search does not find it",
                )),
            },
        })
        .collect();
    DocumentPage {
        dataset: None,
        dataset_upload_href: None,
        attachments,
        title: metadata.title.clone(),
        withdrawn,
        is_current: shown == view.document.current_version,
        shown_version: shown,
        current_version: view.document.current_version,
        metadata_rows,
        header: view.version.header.clone(),
        body: body_items(&view.version.row.body),
        versions,
        diff,
        interpretations: view.interpretations.iter().map(link).collect(),
        interprets: view.interprets.iter().map(link).collect(),
        agency_name: base
            .pick(&view.agency.name_zh, &view.agency.name_en)
            .to_string(),
        agency_href: format!("/a/{}", view.agency.slug),
        sha256: view.version.row.content_sha256.clone(),
        download_href: version_download_href(external_id, shown),
        staff: None,
        problems: Problems::default(),
        version_state_label: state_label(&base, &view.version.row.state),
        log_history: Vec::new(),
        // Through a counting redirect, so that the dashboard sees how often readers go on from
        // a document (an interpretation above all) to an application (C17).
        apply_href: format!("{}/apply", document_href(external_id)),
        base,
    }
}

/// The "apply for related information" link of a document page: counts the visit, then sends
/// the visitor to the agency's application form with a description naming the document.
async fn apply_from_document(
    State(state): State<AppState>,
    Path(external_id): Path<String>,
) -> Result<Response, WebError> {
    // Only the document row and its agency are needed (not every version with its body):
    // the link is on the public page of a published document.
    let document = state
        .services
        .db
        .document_by_external_id(&external_id)
        .await
        .map_err(ServiceError::from)?
        .filter(|d| d.status == document_status::PUBLISHED)
        .ok_or(WebError::Status(StatusCode::NOT_FOUND))?;
    let agency = state.services.agency(document.agency_id).await?;
    state
        .services
        .count_document_onward_to_application(&document.external_id)
        .await;
    Ok(Redirect::to(&format!(
        "/a/{}/apply?description={}",
        agency.slug,
        encode(&format!("《{}》相关信息", document.title))
    ))
    .into_response())
}

/// The exact canonical bytes of a version, as logged.
async fn version_download(
    State(state): State<AppState>,
    Path((external_id, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let version: i64 = file
        .strip_suffix(".json")
        .and_then(|n| n.parse().ok())
        .ok_or(WebError::Status(StatusCode::NOT_FOUND))?;
    let bytes = state
        .services
        .document_version_content(&external_id, version)
        .await?;
    state.services.count_document_download(&external_id).await;
    let filename = format!(
        "{}-v{version}.json",
        external_id.replace(|c: char| !c.is_ascii_alphanumeric() && c != '-', "_")
    );
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// RFC 8187 encoding of a file name for `filename*=UTF-8''…`: every byte outside the
/// attribute characters is percent-encoded (spaces too, unlike form encoding).
fn rfc8187_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"!#$&+-.^_`|~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Serves an attached file as a download, never inline (Art. 24: everything published can be
/// downloaded); a hostile file can never run as a page of this site.
async fn attachment_download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((external_id, attachment_id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let attachment_id = uuid::Uuid::try_parse(attachment_id.trim())
        .map_err(|_| WebError::Status(StatusCode::NOT_FOUND))?;
    let (row, bytes) = state
        .services
        .document_attachment(&external_id, attachment_id, ctx.actor.as_ref())
        .await?;
    // An attachment is part of the published document's content: its downloads count towards
    // the document's utilisation (C17) like those of the canonical file.
    state.services.count_document_download(&external_id).await;
    // An ASCII fallback name for old clients, the real (often Chinese) name in filename*.
    let fallback: String = row
        .filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{fallback}\"; filename*=UTF-8''{}",
        rfc8187_encode(&row.filename)
    ))
    .unwrap_or(HeaderValue::from_static("attachment"));
    let content_type = HeaderValue::from_str(&row.content_type)
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    Ok((
        [
            (header::CONTENT_TYPE, content_type),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static("sandbox"),
            ),
        ],
        bytes,
    )
        .into_response())
}

pub(crate) struct CatalogEntry {
    pub code: String,
    pub name: String,
    pub legal_basis: String,
    pub update_rule: String,
    pub elements: String,
    pub responsible_department: String,
    pub channels: String,
    pub five_disclosures: String,
    pub published_count: i64,
    pub last_published: String,
    pub deviates: bool,
    pub list_href: String,
    pub feed_href: String,
}

#[derive(Template)]
#[template(path = "catalog.html")]
pub(crate) struct CatalogPage {
    pub base: Base,
    pub agency_slug: String,
    pub agency_name: String,
    pub agency_href: String,
    pub entries: Vec<CatalogEntry>,
}

async fn catalog_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let agency = state.services.agency_by_slug(&slug).await?;
    let items = state.services.catalog_view(agency.id).await?;
    let base = Base::titled(&ctx, pick(&ctx, "政府信息公开目录", "Disclosure catalog"));
    let entries = items
        .into_iter()
        .filter(|i| i.row.active)
        .map(|item| CatalogEntry {
            list_href: format!("/documents?{}", encode_pair("catalog", &item.row.code)),
            feed_href: format!(
                "/feeds/documents.atom?{}",
                encode_pair("catalog", &item.row.code)
            ),
            code: item.row.code,
            name: item.data.name,
            legal_basis: item.data.legal_basis,
            update_rule: if base.is_en() {
                item.data.update_rule.describe_en()
            } else {
                item.data.update_rule.describe_zh()
            },
            elements: item.data.elements,
            responsible_department: item.data.responsible_department,
            channels: item
                .data
                .channels
                .iter()
                .filter_map(|c| gongkai_domain::catalog::channel_label_zh(c))
                .collect::<Vec<_>>()
                .join("、"),
            five_disclosures: item
                .data
                .five_disclosures
                .iter()
                .map(|d| d.label_zh())
                .collect::<Vec<_>>()
                .join("、"),
            published_count: item.published_count,
            last_published: item
                .last_published
                .map(gongkai_domain::calendar::format_iso_date)
                .unwrap_or_default(),
            deviates: item.deviates_from_template,
        })
        .collect();
    render(CatalogPage {
        agency_slug: agency.slug.clone(),
        agency_name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
        agency_href: format!("/a/{}", agency.slug),
        base,
        entries,
    })
}

/// One CSV field, quoted when it holds a separator, a quote or a line break (RFC 4180), and
/// prefixed with an apostrophe when a spreadsheet would read it as a formula.
fn csv_field(text: &str) -> String {
    let text = if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text.to_string()
    };
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text
    }
}

/// The paper catalog (Art. 25) as CSV: every published document of the agency under its
/// catalog item, with index number, title, document number, dates and validity. UTF-8 with a
/// byte-order mark, so that spreadsheet programs open the Chinese text correctly.
/// The columns of the paper catalog in CSV and XLSX (Art. 12: index, title, date; with the
/// catalog item, issuer and validity that readers filter by).
const CATALOG_EXPORT_COLUMNS: [&str; 6] = [
    "目录事项",
    "索引号",
    "名称",
    "发布机构",
    "发布日期",
    "有效性",
];

/// Every published document of the agency as rows of the paper catalog, at once.
async fn catalog_export_rows(
    state: &AppState,
    agency_id: uuid::Uuid,
) -> Result<Vec<[String; 6]>, WebError> {
    let items = state.services.catalog_view(agency_id).await?;
    let rows = state
        .services
        .db
        .documents_published_of(agency_id)
        .await
        .map_err(ServiceError::from)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let item = row
                .catalog_code
                .as_ref()
                .and_then(|code| items.iter().find(|i| &i.row.code == code))
                .map(|i| i.data.name.clone())
                .unwrap_or_default();
            [
                item,
                row.index_number,
                row.title,
                row.issuer,
                row.published_date
                    .map(gongkai_domain::calendar::format_iso_date)
                    .unwrap_or_default(),
                Validity::from_code(&row.validity)
                    .map(|v| v.label_zh().to_string())
                    .unwrap_or_default(),
            ]
        })
        .collect())
}

async fn catalog_csv(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let agency = state.services.agency_by_slug(&slug).await?;
    let mut csv = format!("\u{feff}{}\r\n", CATALOG_EXPORT_COLUMNS.join(","));
    for fields in catalog_export_rows(&state, agency.id).await? {
        let line: Vec<String> = fields.iter().map(|f| csv_field(f)).collect();
        csv.push_str(&line.join(","));
        csv.push_str("\r\n");
    }
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-catalog.csv\"",
        agency.slug
    ))
    .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/csv; charset=utf-8"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        csv,
    )
        .into_response())
}

/// Column widths of the catalog workbook in Excel's unit (the width of a digit; a Chinese
/// character takes about two), set explicitly because Excel does not size CJK text itself.
const CATALOG_XLSX_COLUMN_WIDTHS: [f64; 6] = [24.0, 30.0, 60.0, 30.0, 12.0, 8.0];

/// The paper catalog as an XLSX workbook: one sheet, bold header row frozen at the top, a
/// filter on every column. Every value is written as text, so nothing is read as a formula
/// or a number that Excel would round.
fn catalog_workbook(
    sheet_name: &str,
    rows: &[[String; 6]],
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format, Workbook};
    let mut workbook = Workbook::new();
    let header = Format::new().set_bold();
    let sheet = workbook.add_worksheet();
    sheet.set_name(sheet_name)?;
    for (column, (title, width)) in CATALOG_EXPORT_COLUMNS
        .iter()
        .zip(CATALOG_XLSX_COLUMN_WIDTHS)
        .enumerate()
    {
        let column = column as u16;
        sheet.write_string_with_format(0, column, *title, &header)?;
        sheet.set_column_width(column, width)?;
    }
    for (index, fields) in rows.iter().enumerate() {
        let row = u32::try_from(index + 1)
            .map_err(|_| rust_xlsxwriter::XlsxError::RowColumnLimitError)?;
        for (column, value) in fields.iter().enumerate() {
            sheet.write_string(row, column as u16, value)?;
        }
    }
    sheet.set_freeze_panes(1, 0)?;
    let last_row = u32::try_from(rows.len()).unwrap_or(u32::MAX);
    sheet.autofilter(0, 0, last_row, (CATALOG_EXPORT_COLUMNS.len() - 1) as u16)?;
    workbook.save_to_buffer()
}

/// The paper catalog (Art. 25) as a spreadsheet, next to the CSV and the PDF.
async fn catalog_xlsx(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let agency = state.services.agency_by_slug(&slug).await?;
    let rows = catalog_export_rows(&state, agency.id).await?;
    // Compressing a few thousand rows takes a moment of CPU: off the async workers.
    let bytes = tokio::task::spawn_blocking(move || catalog_workbook("政府信息公开目录", &rows))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "catalog workbook task failed");
            WebError::Status(StatusCode::INTERNAL_SERVER_ERROR)
        })?
        .map_err(|e| {
            // Only a cell past Excel's limits (32,767 characters, a million rows) gets here;
            // stored titles and index numbers are far shorter.
            tracing::error!(error = %e, "catalog workbook failed");
            WebError::Status(StatusCode::INTERNAL_SERVER_ERROR)
        })?;
    let disposition = HeaderValue::from_str(&format!(
        "attachment; filename=\"{}-catalog.xlsx\"",
        agency.slug
    ))
    .unwrap_or(HeaderValue::from_static("attachment"));
    Ok((
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static(
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                ),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

fn encode_pair(name: &str, value: &str) -> String {
    serde_urlencoded::to_string([(name, value)]).unwrap_or_default()
}

fn xml_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 forbids are dropped rather than breaking the feed.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

/// An Atom feed (RFC 4287) of the newest published documents matching a filter.
async fn atom_feed(
    state: &AppState,
    filter: DocumentListFilter,
    self_path: &str,
    title: &str,
) -> Result<Response, WebError> {
    let (rows, _) = state
        .services
        .db
        .documents_list(&filter, 0, FEED_ENTRIES)
        .await
        .map_err(ServiceError::from)?;
    // Ids are tag URIs (RFC 4151), stable whatever host name serves the feed; links are
    // relative to the feed's own address, which Atom resolves like HTML does.
    let updated = rows
        .iter()
        .map(|r| r.updated_at)
        .max()
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let stamp = |t: time::OffsetDateTime| t.format(&Rfc3339).unwrap_or_default();
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n");
    xml.push_str("<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"zh-CN\">\n");
    xml.push_str(&format!("<title>{}</title>\n", xml_escape(title)));
    xml.push_str(&format!(
        "<id>tag:gongkai,2026:{}</id>\n<link rel=\"self\" href=\"{}\"/>\n<link rel=\"alternate\" href=\"/documents\"/>\n",
        xml_escape(self_path),
        xml_escape(self_path),
    ));
    xml.push_str(&format!("<updated>{}</updated>\n", stamp(updated)));
    xml.push_str("<author><name>公开 · Gongkai</name></author>\n");
    for row in &rows {
        let href = document_href(&row.external_id);
        xml.push_str("<entry>\n");
        xml.push_str(&format!("<title>{}</title>\n", xml_escape(&row.title)));
        xml.push_str(&format!(
            "<id>tag:gongkai,2026:documents/{}/v{}</id>\n<link rel=\"alternate\" href=\"{}\"/>\n",
            xml_escape(&row.external_id),
            row.current_version,
            xml_escape(&href)
        ));
        xml.push_str(&format!("<updated>{}</updated>\n", stamp(row.updated_at)));
        if let Some(date) = row.published_date {
            xml.push_str(&format!(
                "<published>{}T00:00:00+08:00</published>\n",
                gongkai_domain::calendar::format_iso_date(date)
            ));
        }
        xml.push_str(&format!(
            "<author><name>{}</name></author>\n",
            xml_escape(&row.issuer)
        ));
        xml.push_str(&format!(
            "<summary>{}</summary>\n",
            xml_escape(&format!("{} · {}", row.index_number, row.issuer))
        ));
        xml.push_str("</entry>\n");
    }
    xml.push_str("</feed>\n");
    Ok((
        [(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/atom+xml; charset=utf-8"),
        )],
        xml,
    )
        .into_response())
}

async fn feed_all(State(state): State<AppState>) -> Result<Response, WebError> {
    atom_feed(
        &state,
        DocumentListFilter::default(),
        "/feeds/all.atom",
        "公开 · 最新公开文件",
    )
    .await
}

async fn feed_filtered(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let filter = query.filter();
    let mut parts = Vec::new();
    for value in [&query.catalog, &query.topic, &query.issuer, &query.year] {
        if !value.trim().is_empty() {
            parts.push(value.trim().to_string());
        }
    }
    let title = if parts.is_empty() {
        "公开 · 最新公开文件".to_string()
    } else {
        format!("公开 · {}", parts.join(" · "))
    };
    let self_path = format!("/feeds/documents.atom?{}", query.with("page", ""));
    atom_feed(&state, filter, &self_path, &title).await
}

pub(crate) struct VerifyMatch {
    pub href: String,
    pub external_id: String,
    pub version: i64,
    pub published: String,
    pub state_label: &'static str,
    /// Set when the file is one of the version's attachments rather than its content.
    pub attachment_filename: Option<String>,
}

#[derive(Template)]
#[template(path = "verify.html")]
pub(crate) struct VerifyPage {
    pub base: Base,
    pub checked: bool,
    pub sha256: String,
    pub matches: Vec<VerifyMatch>,
    pub problem: Option<String>,
}

async fn verify_form(ctx: Ctx) -> Result<Response, WebError> {
    render(VerifyPage {
        base: Base::titled(&ctx, pick(&ctx, "核验文件", "Verify a file")),
        checked: false,
        sha256: String::new(),
        matches: Vec::new(),
        problem: None,
    })
}

/// Checks an uploaded file against every published version. The form is a plain multipart
/// upload without a session, so it carries no CSRF token: it changes nothing.
async fn verify_upload(
    State(state): State<AppState>,
    ctx: Ctx,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let base = Base::titled(&ctx, pick(&ctx, "核验文件", "Verify a file"));
    let mut bytes: Option<Vec<u8>> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) if field.name() == Some("file") => match field.bytes().await {
                Ok(data) => bytes = Some(data.to_vec()),
                Err(_) => break,
            },
            Ok(Some(_)) => continue,
            Ok(None) | Err(_) => break,
        }
    }
    let Some(bytes) = bytes.filter(|b| !b.is_empty()) else {
        let problem = Some(pick(
            &ctx,
            "请选择要核验的文件。",
            "Choose a file to verify.",
        ));
        let mut response = render(VerifyPage {
            base,
            checked: false,
            sha256: String::new(),
            matches: Vec::new(),
            problem,
        })?;
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(response);
    };
    let sha256 = gongkai_service::sha256_hex(&bytes);
    let matches = state
        .services
        .verify_document_file(&bytes)
        .await?
        .into_iter()
        .map(|found| VerifyMatch {
            href: format!(
                "{}?version={}",
                document_href(&found.external_id),
                found.version
            ),
            external_id: found.external_id,
            version: found.version,
            published: found
                .published_at
                .and_then(|t| t.format(&Rfc3339).ok())
                .unwrap_or_default(),
            state_label: state_label(&base, &found.state),
            attachment_filename: found.attachment_filename,
        })
        .collect();
    render(VerifyPage {
        base,
        checked: true,
        sha256,
        matches,
        problem: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_mark_added_and_removed_lines() {
        let diff = line_diff(
            "第一条 甲\n第二条 乙\n第三条 丙",
            "第一条 甲\n第二条 乙乙\n第三条 丙",
        );
        let kinds: Vec<&str> = diff.iter().map(|d| d.kind).collect();
        assert_eq!(kinds, ["same", "added", "removed", "same"]);
        assert!(line_diff("", "").is_empty());
        assert_eq!(line_diff("a", "").len(), 1);
    }

    #[test]
    fn external_ids_with_slashes_stay_one_path_segment() {
        assert_eq!(
            document_href("11330100002500017H/2026-00001"),
            "/documents/11330100002500017H%2F2026-00001"
        );
        assert_eq!(
            document_href("lrb-69a4c154d0af"),
            "/documents/lrb-69a4c154d0af"
        );
    }

    #[test]
    fn csv_fields_are_quoted_and_defused() {
        assert_eq!(csv_field("普通"), "普通");
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("=SUM(A1)"), "'=SUM(A1)");
    }

    #[test]
    fn feeds_escape_markup() {
        assert_eq!(
            xml_escape("<a & \"b\">\u{1}"),
            "&lt;a &amp; &quot;b&quot;&gt;"
        );
    }
}
