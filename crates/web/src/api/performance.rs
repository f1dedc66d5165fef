//! The performance dashboard's public figures as JSON (C17), with the same small-cell
//! suppression as the public page (C14): a suppressed figure is `null` with its status beside
//! it, so that no reader can mistake a withheld number for a zero.

use super::{ApiResult, find_agency, invalid_query, ok};
use crate::AppState;
use crate::performance::{PerformanceQuery, parse_year};
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use gongkai_domain::form::FormProblems;
use gongkai_domain::statistics::{Cell, Fraction, ShownFraction};
use serde_json::{Value, json};

fn cell_json(cell: Cell) -> Value {
    json!({ "value": cell.shown(), "status": cell.status_code(), "display": cell.to_string() })
}

fn fraction_json(fraction: Fraction) -> Value {
    json!({
        "numerator": fraction.numerator,
        "denominator": fraction.denominator,
        "percent": fraction.percent_text(),
    })
}

fn shown_fraction_json(shown: ShownFraction) -> Value {
    json!({
        "status": shown.status_code(),
        "fraction": shown.shown().map(fraction_json),
    })
}

pub(super) async fn show(
    State(state): State<AppState>,
    Path(key): Path<String>,
    query: Result<Query<PerformanceQuery>, QueryRejection>,
) -> ApiResult {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let Some(year) = parse_year(&state, &query.year) else {
        let mut problems = FormProblems::new();
        problems.add("year", "invalid");
        return Err(invalid_query(&problems));
    };
    let agency = find_agency(&state, &key).await?;
    let public = state.services.public_performance(agency.id, year).await?;
    let durations = public.reply_working_days;
    let satisfaction = match public.satisfaction {
        ShownFraction::Shown(mean) => json!({
            "status": "shown",
            "ratings_sum": mean.numerator,
            "ratings": mean.denominator,
            "mean": mean.decimal_text(2),
        }),
        other => json!({ "status": other.status_code() }),
    };
    ok(json!({
        "agency": agency.slug,
        "year": year,
        "small_cell_threshold": public.k,
        "applications": {
            "received": cell_json(public.received),
            "replies": cell_json(public.replies),
            "on_time": shown_fraction_json(public.on_time),
            "reply_working_days": {
                "status": if durations.is_some() { "shown" } else { "suppressed" },
                "median": durations.and_then(|d| d.median_working_days),
                "p90": durations.and_then(|d| d.p90_working_days),
                "method": "nearest rank",
            },
            "correction_requested": shown_fraction_json(public.correction),
            "corrected_on_remedy": shown_fraction_json(public.corrected_on_remedy),
            "ratings": cell_json(public.ratings),
            "satisfaction": satisfaction,
            "received_by_department": public.received_by_department.iter().map(|(zh, en, cell)| json!({
                "department_zh": zh,
                "department_en": en,
                "received": cell_json(*cell),
            })).collect::<Vec<_>>(),
            "received_by_department_total": cell_json(public.received_row_total),
        },
        "disclosure": {
            "published_documents": public.utilisation.n_published_documents,
            "views": public.utilisation.views,
            "downloads": public.utilisation.downloads,
            "views_per_document": fraction_json(public.utilisation.views_per_document),
            "downloads_per_document": fraction_json(public.utilisation.downloads_per_document),
            "interpretations": public.interpretation.n_interpretations,
            "interpretation_views": public.interpretation.interpretation_views,
            "interpreted_document_views": public.interpretation.interpreted_document_views,
            "interpretation_onward_to_application":
                public.interpretation.interpretation_onward_to_application,
            "overdue_catalog_items": public.n_overdue,
        },
    }))
}
