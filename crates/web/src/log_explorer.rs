//! The public log explorer (区块链浏览器, done right): the newest entries of the transparency
//! log, decoded, each linked to what it records and to its inclusion proof; the tree head and
//! the signed checkpoint for whoever wants to check it offline (docs/transparency.md).

use crate::AppState;
use crate::ctx::Ctx;
use crate::documents::document_href;
use crate::error::WebError;
use crate::pages::render;
use crate::templates::Base;
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use gongkai_domain::tlog::{base64_encode, record_hash};
use serde::Deserialize;

/// Entries per explorer page.
const PAGE_ENTRIES: u64 = 50;

pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/transparency", get(explorer))
}

pub(crate) struct EntryView {
    pub index: u64,
    pub kind: String,
    pub kind_label: &'static str,
    pub subject: String,
    pub subject_href: Option<String>,
    pub time: String,
    pub sha256: String,
    pub leaf_hash: String,
    pub proof_href: String,
}

#[derive(Template)]
#[template(path = "log_explorer.html")]
pub(crate) struct ExplorerPage {
    pub base: Base,
    pub size: u64,
    pub root: String,
    pub entries: Vec<EntryView>,
    pub older_href: Option<String>,
    pub newer_href: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct ExplorerQuery {
    #[serde(default)]
    before: String,
}

pub(crate) fn kind_label(en: bool, kind: &str) -> &'static str {
    match (kind, en) {
        ("application_event", false) => "申请办理环节",
        ("application_event", true) => "Application step",
        ("document_version_published", false) => "文件发布",
        ("document_version_published", true) => "Document published",
        ("document_version_corrected", false) => "文件更正",
        ("document_version_corrected", true) => "Document corrected",
        ("document_withdrawn", false) => "文件撤回",
        ("document_withdrawn", true) => "Document withdrawn",
        ("catalog_revision", false) => "目录修订",
        ("catalog_revision", true) => "Catalog revision",
        (_, false) => "其他",
        (_, true) => "Other",
    }
}

async fn explorer(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<ExplorerQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let head = state.services.tree_head().await?;
    let end = query
        .before
        .trim()
        .parse::<u64>()
        .ok()
        .map(|b| b.min(head.size))
        .unwrap_or(head.size);
    let start = end.saturating_sub(PAGE_ENTRIES);
    let rows = state
        .services
        .log_entries(start as i64, (end - start) as i64)
        .await?;
    let base = Base::titled(
        &ctx,
        if ctx.lang == crate::i18n::Lang::En {
            "Transparency log".to_string()
        } else {
            "存证日志".to_string()
        },
    );
    let mut entries: Vec<EntryView> = rows
        .into_iter()
        .map(|(index, data)| {
            let leaf: serde_json::Value = serde_json::from_slice(&data).unwrap_or_default();
            let kind = leaf["kind"].as_str().unwrap_or_default().to_string();
            let subject = leaf["subject"].as_str().unwrap_or_default().to_string();
            let subject_href = match kind.as_str() {
                "document_version_published" | "document_version_corrected" => subject
                    .rsplit_once("@v")
                    .map(|(id, v)| format!("{}?version={v}", document_href(id))),
                "document_withdrawn" => subject.rsplit_once("@v").map(|(id, _)| document_href(id)),
                _ => None,
            };
            let index = index as u64;
            EntryView {
                index,
                kind_label: kind_label(base.is_en(), &kind),
                kind,
                subject,
                subject_href,
                time: leaf["time"].as_str().unwrap_or_default().to_string(),
                sha256: leaf["sha256"].as_str().unwrap_or_default().to_string(),
                leaf_hash: base64_encode(&record_hash(&data).0),
                proof_href: format!(
                    "/transparency/proof/inclusion?index={index}&size={}",
                    head.size
                ),
            }
        })
        .collect();
    entries.reverse();
    render(ExplorerPage {
        base,
        size: head.size,
        root: base64_encode(&head.root.0),
        entries,
        older_href: (start > 0).then(|| format!("/transparency?before={start}")),
        newer_href: (end < head.size).then(|| {
            format!(
                "/transparency?before={}",
                (end + PAGE_ENTRIES).min(head.size)
            )
        }),
    })
}
