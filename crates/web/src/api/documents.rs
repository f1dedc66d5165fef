//! The JSON API of proactive disclosure: published documents with their articles and
//! versions, the lists with filters, article-level search, and each agency's catalog.
//! Everything here is public (Art. 24: search, view and download what is published).

use super::{ApiError, ApiResult, find_agency, ok};
use crate::AppState;
use crate::documents::document_href;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use gongkai_domain::calendar::format_iso_date;
use gongkai_domain::document::parse_body;
use gongkai_service::gongkai_search::{
    FacetCount, Granularity, RetrievalMode, SearchFilters, SearchRequest,
    Validity as SearchValidity,
};
use gongkai_service::{DocumentListFilter, DocumentRow, ServiceError, document_status};
use serde::Deserialize;
use serde_json::{Value, json};

/// Documents per list page, and the most a caller may ask for.
const LIST_PAGE_SIZE_DEFAULT: i64 = 20;
const LIST_PAGE_SIZE_MAX: i64 = 100;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct ListQuery {
    issuer: String,
    year: String,
    validity: String,
    level: String,
    topic: String,
    catalog: String,
    page: String,
    per_page: String,
}

fn text(value: &str) -> Option<String> {
    Some(value.replace('\0', "").trim().to_string()).filter(|s| !s.is_empty())
}

fn bad_query(field: &str, code: &str) -> ApiError {
    let mut problems = gongkai_domain::form::FormProblems::new();
    // The field names are this module's own query parameters, so they are 'static.
    let field: &'static str = match field {
        "year" => "year",
        "page" => "page",
        "per_page" => "per_page",
        "validity" => "validity",
        _ => "q",
    };
    problems.add(
        field,
        if code == "required" {
            "required"
        } else {
            "invalid"
        },
    );
    super::invalid_query(&problems)
}

fn document_summary_json(row: &DocumentRow) -> Value {
    json!({
        "external_id": row.external_id,
        "index_number": row.index_number,
        "title": row.title,
        "issuer": row.issuer,
        "level": row.level,
        "topic": row.topic,
        "validity": row.validity,
        "published_date": row.published_date.map(format_iso_date),
        "catalog_item": row.catalog_code,
        "current_version": row.current_version,
        "href": document_href(&row.external_id),
    })
}

pub(super) async fn list_documents(
    State(state): State<AppState>,
    query: Result<Query<ListQuery>, QueryRejection>,
) -> ApiResult {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let year = match query.year.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i64>()
                .map_err(|_| bad_query("year", "invalid"))?,
        ),
    };
    if !query.validity.trim().is_empty()
        && gongkai_domain::publication::Validity::from_code(query.validity.trim()).is_none()
    {
        return Err(bad_query("validity", "invalid"));
    }
    let page = match query.page.trim() {
        "" => 1,
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|p| (1..=100_000).contains(p))
            .ok_or_else(|| bad_query("page", "invalid"))?,
    };
    let per_page = match query.per_page.trim() {
        "" => LIST_PAGE_SIZE_DEFAULT,
        raw => raw
            .parse::<i64>()
            .ok()
            .filter(|n| (1..=LIST_PAGE_SIZE_MAX).contains(n))
            .ok_or_else(|| bad_query("per_page", "invalid"))?,
    };
    let filter = DocumentListFilter {
        agency_id: None,
        issuer: text(&query.issuer),
        year,
        validity: text(&query.validity),
        topic: text(&query.topic),
        level: text(&query.level),
        catalog_code: text(&query.catalog),
    };
    let (rows, total) = state
        .services
        .db
        .documents_list(&filter, (page - 1) * per_page, per_page)
        .await
        .map_err(ServiceError::from)?;
    ok(json!({
        "total": total,
        "page": page,
        "per_page": per_page,
        "documents": rows.iter().map(document_summary_json).collect::<Vec<_>>(),
    }))
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct DocumentQuery {
    version: String,
}

pub(super) async fn show_document(
    State(state): State<AppState>,
    Path(external_id): Path<String>,
    query: Result<Query<DocumentQuery>, QueryRejection>,
) -> ApiResult {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let version = match query.version.trim() {
        "" => None,
        raw => Some(
            raw.parse::<i64>()
                .map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "not_found"))?,
        ),
    };
    let view = state
        .services
        .document_view(&external_id, version, None)
        .await?;
    let m = &view.version.metadata;
    let mut articles = Vec::new();
    let mut outline = Vec::new();
    for block in parse_body(&m.body) {
        match block {
            gongkai_domain::document::BodyBlock::Article(a) => articles.push(json!({
                "key": a.number.key(),
                "label": a.number.label_zh(),
                "anchor": a.number.anchor(),
                "headings": a.headings,
                "text": a.text,
                "href": format!("{}#{}", document_href(&view.document.external_id), a.number.anchor()),
            })),
            gongkai_domain::document::BodyBlock::Heading(h) => {
                outline.push(json!({ "level": h.level, "text": h.text }))
            }
            gongkai_domain::document::BodyBlock::Paragraph(_) => {}
        }
    }
    let date = |d: Option<time::Date>| d.map(format_iso_date);
    let mut value = document_summary_json(&view.document);
    value["version"] = json!(view.version.row.version);
    value["version_state"] = json!(view.version.row.state);
    value["metadata"] = json!({
        "title": m.title,
        "short_title": m.short_title,
        "summary": m.summary,
        "issuer": m.issuer,
        "document_number": m.document_number,
        "written_date": date(m.written_date),
        "published_date": date(m.published_date),
        "topic": m.topic,
        "genre": m.genre,
        "validity": m.validity.code(),
        "valid_from": date(m.valid_from),
        "invalid_from": date(m.invalid_from),
        "keywords": m.keywords,
    });
    value["header"] = json!(view.version.header);
    value["outline"] = Value::Array(outline);
    value["articles"] = Value::Array(articles);
    value["body"] = json!(m.body);
    value["content_sha256"] = json!(view.version.row.content_sha256);
    value["canonical_content_href"] = json!(format!(
        "{}/versions/{}.json",
        document_href(&view.document.external_id),
        view.version.row.version
    ));
    value["versions"] = Value::Array(
        view.versions
            .iter()
            .map(|v| {
                json!({
                    "version": v.version,
                    "state": v.state,
                    "change_note": v.change_note,
                    "content_sha256": v.content_sha256,
                    "published_at": v.published_at.map(super::timestamp),
                })
            })
            .collect(),
    );
    if view.document.status == document_status::WITHDRAWN {
        value["withdrawn"] = json!({
            "reason": view.document.withdrawn_reason,
            "at": view.document.withdrawn_at.map(super::timestamp),
        });
    }
    let link = |r: &DocumentRow| json!({ "external_id": r.external_id, "title": r.title, "href": document_href(&r.external_id) });
    value["interpretations"] = Value::Array(view.interpretations.iter().map(link).collect());
    value["interprets"] = Value::Array(view.interprets.iter().map(link).collect());
    ok(value)
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct SearchQuery {
    q: String,
    page: String,
    per_page: String,
    issuer: String,
    year: String,
    level: String,
    validity: String,
    topic: String,
    catalog: String,
    granularity: String,
}

fn facet_json(counts: &[FacetCount]) -> Value {
    Value::Array(
        counts
            .iter()
            .map(|c| json!({ "value": c.value, "count": c.count }))
            .collect(),
    )
}

pub(super) async fn search(
    State(state): State<AppState>,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> ApiResult {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let q: String = query.q.replace('\0', "").trim().chars().take(200).collect();
    if q.is_empty() {
        return Err(bad_query("q", "required"));
    }
    let page = match query.page.trim() {
        "" => 1,
        raw => raw
            .parse::<usize>()
            .ok()
            .filter(|p| (1..=50).contains(p))
            .ok_or_else(|| bad_query("page", "invalid"))?,
    };
    let per_page = match query.per_page.trim() {
        "" => 10,
        raw => raw
            .parse::<usize>()
            .ok()
            .filter(|n| (1..=100).contains(n))
            .ok_or_else(|| bad_query("per_page", "invalid"))?,
    };
    let year = match query.year.trim() {
        "" => None,
        raw => Some(
            raw.parse::<u16>()
                .map_err(|_| bad_query("year", "invalid"))?,
        ),
    };
    let validity = match query.validity.trim() {
        "" => None,
        raw => {
            Some(SearchValidity::parse_code(raw).ok_or_else(|| bad_query("validity", "invalid"))?)
        }
    };
    let granularity = match query.granularity.trim() {
        "" | "articles" => Granularity::Articles,
        "documents" => Granularity::Documents,
        "mixed" => Granularity::Mixed,
        _ => return Err(bad_query("q", "invalid")),
    };
    let results = state
        .services
        .search_documents(&SearchRequest {
            query: q.clone(),
            filters: SearchFilters {
                issuer: text(&query.issuer),
                year,
                level: text(&query.level),
                validity,
                topic: text(&query.topic),
                catalog_item: text(&query.catalog),
            },
            granularity,
            offset: (page - 1) * per_page,
            limit: per_page,
            with_facets: true,
            // The service measures recency from today.
            reference_day: None,
        })
        .await?;
    if let Err(e) = state.services.record_search(&q, results.total as i64).await {
        tracing::warn!(error = %e, "search log not written");
    }
    let hits: Vec<Value> = results
        .hits
        .iter()
        .map(|h| {
            let href = match &h.article_key {
                Some(key) => format!("{}#art-{key}", document_href(&h.external_id)),
                None => document_href(&h.external_id),
            };
            json!({
                "hit_id": h.hit_id(),
                "external_id": h.external_id,
                "article_key": h.article_key,
                "title": h.title,
                "headings": h.headings,
                "snippet_html": h.snippet_html,
                "validity": h.validity.code(),
                "date": h.date,
                "score": h.score,
                "href": href,
            })
        })
        .collect();
    ok(json!({
        "query": q,
        "total": results.total,
        "page": page,
        "per_page": per_page,
        "mode": match results.mode { RetrievalMode::Hybrid => "hybrid", RetrievalMode::LexicalOnly => "lexical" },
        "did_you_mean": results.did_you_mean,
        "expansions": results.expansions,
        "hits": hits,
        "facets": {
            "issuer": facet_json(&results.facets.issuer),
            "year": facet_json(&results.facets.year),
            "level": facet_json(&results.facets.level),
            "validity": facet_json(&results.facets.validity),
            "topic": facet_json(&results.facets.topic),
            "catalog_item": facet_json(&results.facets.catalog_item),
        },
    }))
}

pub(super) async fn show_catalog(
    State(state): State<AppState>,
    Path(key): Path<String>,
) -> ApiResult {
    let agency = find_agency(&state, &key).await?;
    let items = state.services.catalog_view(agency.id).await?;
    ok(json!({
        "agency": agency.slug,
        "items": items.iter().filter(|i| i.row.active).map(|i| json!({
            "code": i.row.code,
            "name": i.data.name,
            "elements": i.data.elements,
            "responsible_department": i.data.responsible_department,
            "channels": i.data.channels,
            "update_rule": i.data.update_rule,
            "update_rule_zh": i.data.update_rule.describe_zh(),
            "legal_basis": i.data.legal_basis,
            "five_disclosures": i.data.five_disclosures,
            "revision": i.row.revision,
            "deviates_from_template": i.deviates_from_template,
            "published_count": i.published_count,
            "last_published": i.last_published.map(format_iso_date),
        })).collect::<Vec<_>>(),
    }))
}
