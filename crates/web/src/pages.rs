//! Public pages: the portal home with the agency directory, each agency's entry page with its
//! disclosure guide (Art. 12), search, and the language and display switches.

use crate::AppState;
use crate::ctx::{Ctx, DISPLAY_COOKIE, LANG_COOKIE, safe_back, set_cookie};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::templates::{
    AgencyLink, AgencyPage, Base, DepartmentView, DirectoryEntry, DocumentHit, HomePage,
    SearchFacet, SearchFacetValue, SearchHit, SearchPage,
};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use gongkai_domain::agency::AdministrativeLevel;
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/agencies", get(home))
        .route("/a/{slug}", get(agency_page))
        .route("/search", get(search))
        .route("/search/click", get(search_click))
        .route("/preferences/language", get(set_language))
        .route("/preferences/display", get(set_display))
}

pub(crate) fn level_label(lang: Lang, code: &str) -> &'static str {
    match (AdministrativeLevel::parse(code), lang) {
        (Some(level), Lang::Zh) => level.label_zh(),
        (Some(level), Lang::En) => level.label_en(),
        (None, _) => "",
    }
}

pub(crate) fn render(page: impl Template) -> Result<Response, WebError> {
    Ok(Html(page.render()?).into_response())
}

async fn home(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let tree = state.services.agency_tree().await?;
    let base = Base::new(&ctx, "home.title");
    let directory = tree
        .depth_first()
        .into_iter()
        .map(|(depth, a)| DirectoryEntry {
            depth: depth.min(3),
            slug: a.slug.clone(),
            name: base.pick(&a.name_zh, &a.name_en).to_string(),
            level: level_label(ctx.lang, &a.level),
        })
        .collect();
    render(HomePage { base, directory })
}

async fn agency_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let agency = state.services.agency_by_slug(&slug).await?;
    let tree = state.services.agency_tree().await?;
    let departments = state.services.departments(agency.id).await?;
    let probe = Base::new(&ctx, "agency.guide");
    let name = probe.pick(&agency.name_zh, &agency.name_en).to_string();
    let link = |a: &gongkai_service::AgencyRow| AgencyLink {
        slug: a.slug.clone(),
        name: probe.pick(&a.name_zh, &a.name_en).to_string(),
    };
    let parent = agency.parent_id.and_then(|p| tree.get(p)).map(link);
    let children = tree
        .children(Some(agency.id))
        .into_iter()
        .map(link)
        .collect();
    let departments = departments
        .iter()
        .map(|d| DepartmentView {
            name: probe.pick(&d.name_zh, &d.name_en).to_string(),
            duties: d.duties.clone(),
        })
        .collect();
    render(AgencyPage {
        base: Base::titled(&ctx, name.clone()),
        slug: agency.slug.clone(),
        name,
        level: level_label(ctx.lang, &agency.level),
        org_code: agency.org_code,
        ogi_office_name: agency.ogi_office_name,
        ogi_office_address: agency.ogi_office_address,
        ogi_office_hours: agency.ogi_office_hours,
        ogi_office_phone: agency.ogi_office_phone,
        ogi_office_email: agency.ogi_office_email,
        departments,
        parent,
        children,
    })
}

#[derive(Deserialize, Default)]
struct SearchQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    page: String,
    #[serde(default)]
    issuer: String,
    #[serde(default)]
    year: String,
    #[serde(default)]
    level: String,
    #[serde(default)]
    validity: String,
    #[serde(default)]
    topic: String,
}

impl SearchQuery {
    /// The query string with one parameter replaced (or removed with ""), page reset.
    fn with(&self, name: &str, value: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = vec![("q", self.q.as_str())];
        for (key, current) in [
            ("issuer", &self.issuer),
            ("year", &self.year),
            ("level", &self.level),
            ("validity", &self.validity),
            ("topic", &self.topic),
        ] {
            let chosen = if key == name { value } else { current.as_str() };
            if !chosen.is_empty() {
                pairs.push((key, chosen));
            }
        }
        if name == "page" && !value.is_empty() {
            pairs.push(("page", value));
        }
        serde_urlencoded::to_string(pairs).unwrap_or_default()
    }
}

/// The longest query accepted; longer input is cut, not refused.
const SEARCH_QUERY_MAX_CHARS: usize = 200;
/// Results per search page.
const SEARCH_PAGE_SIZE: usize = 10;

/// Searches the published documents article by article (hybrid retrieval when a model is
/// installed), with facets, "did you mean", pagination, and, when nothing is found, an offer
/// to apply for the information with the form filled in; agencies and departments whose
/// names or duties match are listed too.
async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    use gongkai_service::gongkai_search::{
        Granularity, RetrievalMode, SearchFilters, SearchRequest, Validity as SearchValidity,
    };
    let mut params = query.map(|Query(q)| q).unwrap_or_default();
    params.q = params
        .q
        .replace('\0', "")
        .trim()
        .chars()
        .take(SEARCH_QUERY_MAX_CHARS)
        .collect();
    let query = params.q.clone();
    let page: usize = params.page.trim().parse().unwrap_or(1).clamp(1, 50);
    let base = Base::new(&ctx, "search.title");
    let mut hits = Vec::new();
    let mut document_hits = Vec::new();
    let mut facets = Vec::new();
    let mut total = 0usize;
    let mut did_you_mean = None;
    let mut expansions = Vec::new();
    let mut lexical_only = false;
    let mut search_available = true;
    if !query.is_empty() {
        let text = |s: &str| Some(s.replace('\0', "").trim().to_string()).filter(|s| !s.is_empty());
        let request = SearchRequest {
            query: query.clone(),
            filters: SearchFilters {
                issuer: text(&params.issuer),
                year: params.year.trim().parse().ok(),
                level: text(&params.level),
                validity: SearchValidity::parse_code(params.validity.trim()),
                topic: text(&params.topic),
                catalog_item: None,
            },
            granularity: Granularity::Articles,
            offset: (page - 1) * SEARCH_PAGE_SIZE,
            limit: SEARCH_PAGE_SIZE,
            with_facets: true,
            // The service measures recency from today.
            reference_day: None,
        };
        match state.services.search_documents(&request).await {
            Ok(results) => {
                total = results.total;
                did_you_mean = results.did_you_mean.clone();
                expansions = results.expansions.clone();
                lexical_only = results.mode == RetrievalMode::LexicalOnly;
                for hit in &results.hits {
                    let href = match &hit.article_key {
                        // A hit in an attached file leads to the page's list of files.
                        Some(key)
                            if key.starts_with(
                                gongkai_service::gongkai_search::ATTACHMENT_KEY_PREFIX,
                            ) =>
                        {
                            format!(
                                "{}#attachments-title",
                                crate::documents::document_href(&hit.external_id)
                            )
                        }
                        Some(key) => format!(
                            "{}#art-{key}",
                            crate::documents::document_href(&hit.external_id)
                        ),
                        None => crate::documents::document_href(&hit.external_id),
                    };
                    let article_label = hit
                        .article_key
                        .as_deref()
                        .and_then(gongkai_domain::document::ArticleNumber::parse_key)
                        .map(|n| n.label_zh())
                        .unwrap_or_default();
                    document_hits.push(DocumentHit {
                        click_href: format!(
                            "/search/click?{}",
                            serde_urlencoded::to_string([
                                ("q", query.as_str()),
                                ("to", href.as_str())
                            ])
                            .unwrap_or_default()
                        ),
                        title: hit.title.clone(),
                        article_label,
                        headings: hit.headings.join(" · "),
                        snippet_html: hit.snippet_html.clone(),
                        expired: hit.validity == SearchValidity::Expired,
                        date: hit.date.clone().unwrap_or_default(),
                    });
                }
                for (name, label_zh, label_en, counts) in [
                    ("level", "效力层级", "Level", &results.facets.level),
                    ("validity", "有效性", "Validity", &results.facets.validity),
                    ("year", "年份", "Year", &results.facets.year),
                    ("issuer", "发布机构", "Issuer", &results.facets.issuer),
                    ("topic", "分类", "Topic", &results.facets.topic),
                ] {
                    if counts.is_empty() {
                        continue;
                    }
                    let current = match name {
                        "level" => &params.level,
                        "validity" => &params.validity,
                        "year" => &params.year,
                        "issuer" => &params.issuer,
                        _ => &params.topic,
                    };
                    facets.push(SearchFacet {
                        label: if base.is_en() { label_en } else { label_zh },
                        values: counts
                            .iter()
                            .take(10)
                            .map(|c| SearchFacetValue {
                                label: match (name, c.value.as_str(), base.is_en()) {
                                    ("validity", "current", false) => "有效".to_string(),
                                    ("validity", "expired", false) => "已失效".to_string(),
                                    ("validity", "current", true) => "In force".to_string(),
                                    ("validity", "expired", true) => "Expired".to_string(),
                                    _ => c.value.clone(),
                                },
                                count: c.count,
                                href: format!("/search?{}", params.with(name, &c.value)),
                                selected: *current == c.value,
                            })
                            .collect(),
                    });
                }
            }
            Err(gongkai_service::ServiceError::Refused { .. }) => search_available = false,
            Err(other) => return Err(other.into()),
        }
        state
            .services
            .record_search(&query, total as i64)
            .await
            .unwrap_or_else(|e| tracing::warn!(error = %e, "search log not written"));
        let needle = query.to_lowercase();
        let tree = state.services.agency_tree().await?;
        for agency in &tree.agencies {
            let agency_name = base.pick(&agency.name_zh, &agency.name_en).to_string();
            if agency.name_zh.to_lowercase().contains(&needle)
                || agency.name_en.to_lowercase().contains(&needle)
            {
                hits.push(SearchHit {
                    href: format!("/a/{}", agency.slug),
                    title: agency_name.clone(),
                    context: agency.ogi_office_address.clone(),
                });
            }
            for d in state.services.departments(agency.id).await? {
                let haystack = format!("{} {} {}", d.name_zh, d.name_en, d.duties).to_lowercase();
                if haystack.contains(&needle) {
                    hits.push(SearchHit {
                        href: format!("/a/{}", agency.slug),
                        title: format!("{} · {}", agency_name, base.pick(&d.name_zh, &d.name_en)),
                        context: d.duties.clone(),
                    });
                }
            }
        }
    }
    let pages = total.div_ceil(SEARCH_PAGE_SIZE).clamp(1, 50);
    let apply_href = format!(
        "/apply?{}",
        serde_urlencoded::to_string([("description", query.as_str())]).unwrap_or_default()
    );
    render(SearchPage {
        did_you_mean_href: did_you_mean.as_ref().map(|d| {
            format!(
                "/search?{}",
                serde_urlencoded::to_string([("q", d.as_str())]).unwrap_or_default()
            )
        }),
        did_you_mean,
        previous_href: (page > 1)
            .then(|| format!("/search?{}", params.with("page", &(page - 1).to_string()))),
        next_href: (page < pages)
            .then(|| format!("/search?{}", params.with("page", &(page + 1).to_string()))),
        base,
        query,
        hits,
        document_hits,
        facets,
        total,
        page,
        pages,
        expansions: expansions.join("、"),
        lexical_only,
        search_available,
        apply_href,
    })
}

#[derive(Debug, Deserialize, Default)]
struct ClickQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    to: String,
}

/// Records that a result was opened for a query (the popularity prior and the "never
/// clicked" list of the OGI office), then goes there. Only local document links are followed,
/// so the redirect can never send anyone off-site.
async fn search_click(
    State(state): State<AppState>,
    query: Result<Query<ClickQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(Query(click)) = query else {
        return Err(WebError::Status(axum::http::StatusCode::BAD_REQUEST));
    };
    if !click.to.starts_with("/documents/") || click.to.contains("//") || click.to.contains('\\') {
        return Err(WebError::Status(axum::http::StatusCode::BAD_REQUEST));
    }
    let target = click.to.clone();
    let document = target
        .trim_start_matches("/documents/")
        .split(['#', '?'])
        .next()
        .unwrap_or_default()
        .to_string();
    state
        .services
        .record_search_click(&click.q, &document)
        .await
        .unwrap_or_else(|e| tracing::warn!(error = %e, "search click not written"));
    Ok(Redirect::to(&target).into_response())
}

#[derive(Deserialize)]
struct PreferenceQuery {
    #[serde(default)]
    to: String,
    #[serde(default)]
    mode: String,
    #[serde(default)]
    back: String,
}

/// One year, for preference cookies.
const PREFERENCE_COOKIE_MAX_AGE_SECONDS: i64 = 365 * 24 * 3600;

async fn set_language(
    State(state): State<AppState>,
    query: Result<Query<PreferenceQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(Query(q)) = query else {
        return Err(WebError::Status(axum::http::StatusCode::BAD_REQUEST));
    };
    let lang = Lang::parse(&q.to).ok_or(WebError::Status(axum::http::StatusCode::BAD_REQUEST))?;
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(
                LANG_COOKIE,
                lang.code(),
                Some(PREFERENCE_COOKIE_MAX_AGE_SECONDS),
                false,
                state.config.secure_cookies,
            ),
        )],
        Redirect::to(&safe_back(&q.back)),
    )
        .into_response())
}

async fn set_display(
    State(state): State<AppState>,
    query: Result<Query<PreferenceQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let Ok(Query(q)) = query else {
        return Err(WebError::Status(axum::http::StatusCode::BAD_REQUEST));
    };
    let mode = match q.mode.as_str() {
        "large" => "large",
        "standard" => "standard",
        _ => return Err(WebError::Status(axum::http::StatusCode::BAD_REQUEST)),
    };
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(
                DISPLAY_COOKIE,
                mode,
                Some(PREFERENCE_COOKIE_MAX_AGE_SECONDS),
                false,
                state.config.secure_cookies,
            ),
        )],
        Redirect::to(&safe_back(&q.back)),
    )
        .into_response())
}
