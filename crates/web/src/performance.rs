//! The performance dashboard on the web (C17): the staff page with every figure per
//! department, and the public page of each agency with small-cell suppression (C14). The
//! figures and their definitions come from `gongkai_service::performance`; this module only
//! parses the request and formats numbers.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::WebError;
use crate::pages::render;
use crate::templates::Base;
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use gongkai_domain::calendar::format_iso_date;
use gongkai_domain::statistics::{Cell, DurationSummary, Fraction, ShownFraction};
use gongkai_service::{AgencyRow, ApplicationPerformance, PublicPerformance};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/performance", get(staff_page))
        .route("/a/{slug}/performance", get(public_page))
}

/// The earliest and latest year accepted: the regulation's first version took effect in 2008.
const YEAR_MIN: i32 = 2008;
const YEAR_MAX: i32 = 2100;

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct PerformanceQuery {
    pub year: String,
    pub agency: String,
}

/// The year asked for, or this year (the dashboard follows the current year as it runs);
/// `None` for anything that is not a year between 2008 and 2100.
pub(crate) fn parse_year(state: &AppState, text: &str) -> Option<i32> {
    let text = text.trim();
    if text.is_empty() {
        return Some(state.services.clock.today_in_china().year());
    }
    text.parse::<i32>()
        .ok()
        .filter(|y| (YEAR_MIN..=YEAR_MAX).contains(y))
}

/// A rate as `75.0%（3/4）`, or a dash with no data.
pub(crate) fn fraction_text(fraction: Fraction) -> String {
    match fraction.percent_text() {
        Some(percent) => format!("{percent}（{fraction}）"),
        None => "—".to_string(),
    }
}

/// A mean rating as `4.25（8）`: the mean to two decimals and how many ratings.
fn mean_text(fraction: Fraction) -> String {
    match fraction.decimal_text(2) {
        Some(mean) => format!("{mean}（{}）", fraction.denominator),
        None => "—".to_string(),
    }
}

/// A ratio to two decimals, e.g. views per document.
fn ratio_text(fraction: Fraction) -> String {
    fraction.decimal_text(2).unwrap_or_else(|| "—".to_string())
}

fn days_text(days: Option<u32>) -> String {
    days.map(|d| d.to_string())
        .unwrap_or_else(|| "—".to_string())
}

fn shown_fraction_text(shown: ShownFraction, mean: bool) -> String {
    match shown {
        ShownFraction::Shown(fraction) if mean => mean_text(fraction),
        ShownFraction::Shown(fraction) => fraction_text(fraction),
        ShownFraction::NoData => "—".to_string(),
        ShownFraction::Suppressed { k } => format!("<{k}"),
    }
}

/// One department's (or the agency's) row on the staff page, formatted.
pub(crate) struct PerformanceRowView {
    pub name: String,
    pub received: u64,
    pub replies: u64,
    pub on_time: String,
    pub median_days: String,
    pub p90_days: String,
    pub correction: String,
    pub corrected_on_remedy: String,
    pub satisfaction: String,
    pub due_unknown: u64,
}

fn row_view(name: String, figures: &ApplicationPerformance) -> PerformanceRowView {
    PerformanceRowView {
        name,
        received: figures.n_received,
        replies: figures.n_replies,
        on_time: fraction_text(figures.on_time),
        median_days: days_text(figures.reply_working_days.median_working_days),
        p90_days: days_text(figures.reply_working_days.p90_working_days),
        correction: fraction_text(figures.correction),
        corrected_on_remedy: fraction_text(figures.corrected_on_remedy),
        satisfaction: mean_text(figures.satisfaction),
        due_unknown: figures.n_replies_due_date_unknown,
    }
}

pub(crate) struct DocumentUseView {
    pub title: String,
    pub href: String,
    pub views: u64,
    pub downloads: u64,
    pub onward_to_application: u64,
    pub is_interpretation: bool,
}

pub(crate) struct OverdueView {
    pub subject: String,
    pub reference: String,
    pub due: String,
    pub working_days_late: u32,
}

/// The figures of proactive disclosure, formatted (the same on both pages: they count no
/// person).
pub(crate) struct DisclosureView {
    pub n_published_documents: u64,
    pub views: u64,
    pub downloads: u64,
    pub views_per_document: String,
    pub downloads_per_document: String,
    pub n_interpretations: u64,
    pub interpretation_views: u64,
    pub interpreted_document_views: u64,
    pub click_through: String,
    pub interpretation_onward_to_application: u64,
    pub onward_rate: String,
    pub n_overdue: u64,
}

#[derive(Template)]
#[template(path = "performance_staff.html")]
pub(crate) struct StaffPerformancePage {
    pub base: Base,
    pub agency_name: String,
    pub agency_slug: String,
    pub agencies: Vec<(String, String)>,
    pub year: i32,
    pub rows: Vec<PerformanceRowView>,
    pub total: PerformanceRowView,
    pub disclosure: DisclosureView,
    pub documents: Vec<DocumentUseView>,
    pub overdue: Vec<OverdueView>,
}

#[derive(Template)]
#[template(path = "performance_public.html")]
pub(crate) struct PublicPerformancePage {
    pub base: Base,
    pub agency_name: String,
    pub slug: String,
    pub year: i32,
    pub k: u64,
    /// (label zh, label en, value) of the application figures.
    pub figures: Vec<(&'static str, &'static str, String)>,
    pub received_by_department: Vec<(String, String)>,
    pub received_total: String,
    pub disclosure: DisclosureView,
}

/// The agency the staff member looks at: the one named, or the first they work in; with the
/// list of all agencies they work in, for switching.
async fn staff_agency(
    state: &AppState,
    ctx: &Ctx,
    slug: &str,
) -> Result<(AgencyRow, Vec<AgencyRow>), WebError> {
    let actor = ctx.require_actor()?;
    let tree = state.services.agency_tree().await?;
    let mine: Vec<AgencyRow> = tree
        .agencies
        .iter()
        .filter(|a| !state.services.roles_in_agency(actor, a.id).is_empty())
        .cloned()
        .collect();
    let chosen = mine
        .iter()
        .find(|a| slug.trim().is_empty() || a.slug == slug.trim())
        .cloned()
        .ok_or(WebError::Status(StatusCode::FORBIDDEN))?;
    Ok((chosen, mine))
}

fn disclosure_view(public: &PublicPerformance) -> DisclosureView {
    let utilisation = &public.utilisation;
    let interpretation = &public.interpretation;
    DisclosureView {
        n_published_documents: utilisation.n_published_documents,
        views: utilisation.views,
        downloads: utilisation.downloads,
        views_per_document: ratio_text(utilisation.views_per_document),
        downloads_per_document: ratio_text(utilisation.downloads_per_document),
        n_interpretations: interpretation.n_interpretations,
        interpretation_views: interpretation.interpretation_views,
        interpreted_document_views: interpretation.interpreted_document_views,
        click_through: ratio_text(interpretation.click_through),
        interpretation_onward_to_application: interpretation.interpretation_onward_to_application,
        onward_rate: ratio_text(interpretation.onward_rate),
        n_overdue: public.n_overdue,
    }
}

async fn staff_page(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<PerformanceQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let (agency, mine) = staff_agency(&state, &ctx, &query.agency).await?;
    let year = parse_year(&state, &query.year).ok_or(WebError::Status(StatusCode::BAD_REQUEST))?;
    let report = state.services.performance(agency.id, year).await?;
    let base = Base::titled(
        &ctx,
        format!(
            "{} {year}",
            if ctx.lang == crate::i18n::Lang::En {
                "Performance"
            } else {
                "工作绩效"
            }
        ),
    );
    let rows = report
        .departments
        .iter()
        .map(|d| row_view(base.pick(&d.name_zh, &d.name_en).to_string(), &d.figures))
        .collect();
    let total = row_view(
        base.pick("全机关", "Whole agency").to_string(),
        &report.agency,
    );
    // The staff page shows the same disclosure figures as the public page: none is suppressed.
    let public = gongkai_service::publish(&report, state.services.small_cell_threshold());
    let page = StaffPerformancePage {
        agency_name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
        agency_slug: agency.slug.clone(),
        agencies: mine
            .iter()
            .map(|a| {
                (
                    a.slug.clone(),
                    base.pick(&a.name_zh, &a.name_en).to_string(),
                )
            })
            .collect(),
        year,
        rows,
        total,
        disclosure: disclosure_view(&public),
        documents: report
            .utilisation
            .documents
            .iter()
            .take(20)
            .map(|d| DocumentUseView {
                title: d.title.clone(),
                href: crate::documents::document_href(&d.external_id),
                views: d.views,
                downloads: d.downloads,
                onward_to_application: d.onward_to_application,
                is_interpretation: d.is_interpretation,
            })
            .collect(),
        overdue: report
            .overdue
            .iter()
            .map(|o| OverdueView {
                subject: o.subject.clone(),
                reference: o.reference.clone(),
                due: format_iso_date(o.due),
                working_days_late: o.working_days_late,
            })
            .collect(),
        base,
    };
    render(page)
}

fn cell_text(cell: Cell) -> String {
    cell.to_string()
}

fn durations_text(durations: Option<DurationSummary>, p90: bool) -> String {
    match durations {
        Some(summary) if p90 => days_text(summary.p90_working_days),
        Some(summary) => days_text(summary.median_working_days),
        None => "—".to_string(),
    }
}

async fn public_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    query: Result<Query<PerformanceQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let year = parse_year(&state, &query.year).ok_or(WebError::Status(StatusCode::BAD_REQUEST))?;
    let agency = state.services.agency_by_slug(&slug).await?;
    let public = state.services.public_performance(agency.id, year).await?;
    let base = Base::titled(
        &ctx,
        format!(
            "{} · {} {year}",
            if ctx.lang == crate::i18n::Lang::En && !agency.name_en.trim().is_empty() {
                agency.name_en.as_str()
            } else {
                agency.name_zh.as_str()
            },
            if ctx.lang == crate::i18n::Lang::En {
                "Performance"
            } else {
                "工作绩效"
            }
        ),
    );
    let figures = vec![
        (
            "收到申请（件）",
            "Applications received",
            cell_text(public.received),
        ),
        (
            "作出答复（件）",
            "Replies issued",
            cell_text(public.replies),
        ),
        (
            "按期答复率",
            "Replied on time",
            shown_fraction_text(public.on_time, false),
        ),
        (
            "答复用时中位数（工作日）",
            "Median working days to reply",
            durations_text(public.reply_working_days, false),
        ),
        (
            "答复用时第90百分位（工作日）",
            "90th percentile of working days to reply",
            durations_text(public.reply_working_days, true),
        ),
        (
            "要求补正的比例",
            "Share asked to correct the application",
            shown_fraction_text(public.correction, false),
        ),
        (
            "经复议、诉讼、投诉被纠正的比例",
            "Share of replies corrected on remedy",
            shown_fraction_text(public.corrected_on_remedy, false),
        ),
        ("评价（件）", "Ratings", cell_text(public.ratings)),
        (
            "平均满意度（1–5）",
            "Mean satisfaction (1–5)",
            shown_fraction_text(public.satisfaction, true),
        ),
    ];
    let received_by_department = public
        .received_by_department
        .iter()
        .map(|(zh, en, cell)| (base.pick(zh, en).to_string(), cell_text(*cell)))
        .collect();
    let page = PublicPerformancePage {
        agency_name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
        slug: agency.slug.clone(),
        year,
        k: public.k,
        figures,
        received_by_department,
        received_total: cell_text(public.received_row_total),
        disclosure: disclosure_view(&public),
        base,
    };
    render(page)
}
