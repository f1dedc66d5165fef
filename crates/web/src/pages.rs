//! Public pages: the portal home with the agency directory, each agency's entry page with its
//! disclosure guide (Art. 12), search, and the language and display switches.

use crate::AppState;
use crate::ctx::{Ctx, DISPLAY_COOKIE, LANG_COOKIE, safe_back, set_cookie};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::templates::{
    AgencyLink, AgencyPage, Base, DepartmentView, DirectoryEntry, HomePage, SearchHit, SearchPage,
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

#[derive(Deserialize)]
struct SearchQuery {
    #[serde(default)]
    q: String,
}

/// The longest query accepted; longer input is cut, not refused.
const SEARCH_QUERY_MAX_CHARS: usize = 200;

/// Searches the agency directory (agency and department names and duties). Document search
/// arrives with the catalog; until then the page says so plainly.
async fn search(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<SearchQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query: String = query
        .map(|Query(q)| q.q)
        .unwrap_or_default()
        .trim()
        .chars()
        .take(SEARCH_QUERY_MAX_CHARS)
        .collect();
    let base = Base::new(&ctx, "search.title");
    let mut hits = Vec::new();
    if !query.is_empty() {
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
    render(SearchPage { base, query, hits })
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
