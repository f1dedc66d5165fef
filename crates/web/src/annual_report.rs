//! The annual report (政府信息公开工作年度报告, Art. 49–50) on the web: the OGI office's working
//! page (all six sections computed from stored data, every rule checked and shown, the texts
//! and department figures entered, drill-down from every cell of tables 三 and 四 to what it
//! counts, publication), and the public pages of published reports with PDF, XLSX and JSON.
//!
//! One laid-out form of the report (`ReportLayout`) feeds the HTML, the PDF and the XLSX, so the
//! three can never disagree.

use crate::AppState;
use crate::ctx::{CsrfForm, Ctx};
use crate::error::WebError;
use crate::pages::render;
use crate::templates::{Base, Problems};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_domain::annual_report::{GridTable, ReportLayout, fen_as_ten_thousand_yuan};
use gongkai_domain::remedy::{
    RemedyKind, RemedyOutcome, TABLE4_COLUMN_LABELS, TABLE4_GROUP_LABELS,
};
use gongkai_domain::report::COLUMN_LABELS;
use gongkai_render::{
    AnnualReportPdf, ReportBlock, ReportSection, TableCell, TablePdf, TableRow, WorkbookSheet,
};
use gongkai_service::{AgencyRow, AnnualReportView, FiguresForm, ServiceError, TextsForm};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/staff/report", get(staff_page))
        .route("/staff/report/texts", post(save_texts))
        .route("/staff/report/figures", post(save_figures))
        .route("/staff/report/publish", post(publish))
        .route("/staff/report/export", get(staff_export))
        .route("/a/{slug}/annual-reports", get(public_list))
        .route("/a/{slug}/annual-reports/{file}", get(public_report))
        .route("/applications/{id}/remedies", post(record_remedy))
        .route(
            "/applications/{id}/remedies/{remedy_id}",
            post(decide_remedy),
        )
}

/// A laid-out table as the templates see it.
pub(crate) struct TableView {
    pub caption: String,
    pub header_rows: Vec<Vec<CellView>>,
    pub rows: Vec<Vec<CellView>>,
}

pub(crate) struct CellView {
    /// `th` for headers, `td` for figures.
    pub is_header: bool,
    /// `col`, `colgroup`, `row` or `rowgroup` for headers.
    pub scope: &'static str,
    pub text: String,
    pub column_span: usize,
    pub row_span: usize,
    /// A drill-down link for staff; empty otherwise.
    pub href: String,
}

pub(crate) struct SectionView {
    pub heading: String,
    pub anchor: String,
    pub paragraphs: Vec<String>,
    pub tables: Vec<TableView>,
}

fn table_view(table: &GridTable, drill_base: Option<&str>) -> TableView {
    let header_rows = table
        .header_rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|cell| CellView {
                    is_header: true,
                    scope: if cell.column_span > 1 {
                        "colgroup"
                    } else {
                        "col"
                    },
                    text: cell.text.clone(),
                    column_span: cell.column_span,
                    row_span: cell.row_span,
                    href: String::new(),
                })
                .collect()
        })
        .collect();
    let rows = table
        .rows
        .iter()
        .map(|row| {
            let mut cells: Vec<CellView> = row
                .header_cells
                .iter()
                .map(|cell| CellView {
                    is_header: true,
                    scope: if cell.row_span > 1 { "rowgroup" } else { "row" },
                    text: cell.text.clone(),
                    column_span: cell.column_span,
                    row_span: cell.row_span,
                    href: String::new(),
                })
                .collect();
            cells.extend(row.value_cells.iter().map(|cell| {
                let href = match (drill_base, &cell.drill) {
                    (Some(base), Some(code)) if cell.text != "0" => {
                        format!("{base}&drill={code}#drill")
                    }
                    _ => String::new(),
                };
                CellView {
                    is_header: false,
                    scope: "",
                    text: cell.text.clone(),
                    column_span: cell.column_span,
                    row_span: cell.row_span,
                    href,
                }
            }));
            cells
        })
        .collect();
    TableView {
        caption: table.caption.clone(),
        header_rows,
        rows,
    }
}

fn section_views(layout: &ReportLayout, drill_base: Option<&str>) -> Vec<SectionView> {
    layout
        .sections
        .iter()
        .enumerate()
        .map(|(index, section)| SectionView {
            heading: section.heading.clone(),
            anchor: format!("section-{}", index + 1),
            paragraphs: section.paragraphs.clone(),
            tables: section
                .tables
                .iter()
                .map(|t| table_view(t, drill_base))
                .collect(),
        })
        .collect()
}

/// The report as the PDF renderer takes it.
pub fn report_pdf_data(layout: &ReportLayout) -> AnnualReportPdf {
    AnnualReportPdf {
        title: layout.title.clone(),
        subtitle: String::new(),
        sections: layout
            .sections
            .iter()
            .map(|section| {
                let mut blocks: Vec<ReportBlock> = section
                    .paragraphs
                    .iter()
                    .cloned()
                    .map(ReportBlock::Paragraph)
                    .collect();
                blocks.extend(
                    section
                        .tables
                        .iter()
                        .map(|t| ReportBlock::Table(table_pdf(t))),
                );
                ReportSection {
                    heading: section.heading.clone(),
                    blocks,
                }
            })
            .collect(),
    }
}

fn table_pdf(table: &GridTable) -> TablePdf {
    let cell = |c: &gongkai_domain::annual_report::GridCell| {
        TableCell::spanning(c.text.clone(), c.column_span, c.row_span)
    };
    TablePdf {
        title: table.caption.clone(),
        // The caption is the title already; a second line would repeat it.
        caption: String::new(),
        column_header_rows: table
            .header_rows
            .iter()
            .map(|row| row.iter().map(cell).collect())
            .collect(),
        rows: table
            .rows
            .iter()
            .map(|row| TableRow {
                row_header_cells: row.header_cells.iter().map(cell).collect(),
                value_cells: row.value_cells.iter().map(cell).collect(),
            })
            .collect(),
        footnotes: Vec::new(),
    }
}

/// The report's tables as workbook sheets: one sheet per table, named after it.
pub fn report_workbook(layout: &ReportLayout) -> Vec<WorkbookSheet> {
    let mut sheets = Vec::new();
    for section in &layout.sections {
        for table in &section.tables {
            let name = if table.caption.starts_with("第二十条") {
                format!("表二 {}", table.caption)
            } else if table.caption.starts_with("三") {
                "表三 申请情况".to_string()
            } else if table.caption.starts_with("四") {
                "表四 复议诉讼".to_string()
            } else {
                table.caption.clone()
            };
            sheets.push(WorkbookSheet {
                name,
                table: table_pdf(table),
            });
        }
    }
    sheets
}

#[derive(Template)]
#[template(path = "annual_report_staff.html")]
pub(crate) struct StaffReportPage {
    pub base: Base,
    pub problems: Problems,
    pub agency_name: String,
    pub year: i32,
    pub report_title: String,
    pub sections: Vec<SectionView>,
    pub rule_problems: Vec<String>,
    pub warnings: Vec<String>,
    pub drill_title: String,
    pub drill_references: Vec<String>,
    pub drill_shown: bool,
    pub overview: String,
    pub problems_and_improvements: String,
    pub other_matters: String,
    pub departments: Vec<(String, String)>,
    pub figure_rows: Vec<FigureRowView>,
    pub published_href: String,
    pub published_at: String,
}

pub(crate) struct FigureRowView {
    pub department: String,
    pub licensing: u64,
    pub penalty: u64,
    pub coercion: u64,
    pub fees: String,
}

#[derive(Template)]
#[template(path = "annual_report_public.html")]
pub(crate) struct PublicReportPage {
    pub base: Base,
    pub agency_name: String,
    pub slug: String,
    pub year: i32,
    pub report_title: String,
    pub sections: Vec<SectionView>,
    pub published_at: String,
    pub document_href: String,
}

#[derive(Template)]
#[template(path = "annual_reports_list.html")]
pub(crate) struct PublicListPage {
    pub base: Base,
    pub agency_name: String,
    pub slug: String,
    pub reports: Vec<(i32, String, String)>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StaffQuery {
    year: String,
    agency: String,
    drill: String,
    // The earlier table-三-only page's drill parameters, kept so old links still work.
    row: String,
    column: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExportQuery {
    year: String,
    agency: String,
    format: String,
}

/// The agency the staff member reports for: the one named, or the first they work in.
async fn staff_agency(state: &AppState, ctx: &Ctx, slug: &str) -> Result<AgencyRow, WebError> {
    let actor = ctx.require_actor()?;
    let tree = state.services.agency_tree().await?;
    tree.agencies
        .iter()
        .filter(|a| !state.services.roles_in_agency(actor, a.id).is_empty())
        .find(|a| slug.is_empty() || a.slug == slug)
        .cloned()
        .ok_or(WebError::Status(StatusCode::FORBIDDEN))
}

fn parse_year(state: &AppState, text: &str) -> Result<i32, WebError> {
    if text.trim().is_empty() {
        // Reports are compiled in January for the year just ended (Art. 49).
        return Ok(state.services.clock.today_in_china().year() - 1);
    }
    text.trim()
        .parse::<i32>()
        .ok()
        .filter(|y| (2008..=2100).contains(y))
        .ok_or(WebError::Status(StatusCode::BAD_REQUEST))
}

fn format_beijing(at: time::OffsetDateTime) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let local = at.to_offset(offset);
    format!("{} {:02}:{:02}", local.date(), local.hour(), local.minute())
}

/// What one drill-down code counts: the label and the references.
fn drill(view: &AnnualReportView, code: &str) -> Option<(String, Vec<String>)> {
    let report = &view.report;
    if let Some(rest) = code.strip_prefix("t4/") {
        let (group, column) = rest.split_once('/')?;
        let group: usize = group.parse().ok()?;
        let column: usize = column.parse().ok()?;
        let (top, second) = TABLE4_GROUP_LABELS.get(group)?;
        let label = format!(
            "{top}{} · {}",
            if second.is_empty() {
                String::new()
            } else {
                format!(" / {second}")
            },
            TABLE4_COLUMN_LABELS.get(column)?
        );
        let references = if column == 4 {
            report
                .table4
                .references
                .get(group)?
                .iter()
                .flatten()
                .cloned()
                .collect()
        } else {
            report.table4.references.get(group)?.get(column)?.clone()
        };
        return Some((label, references));
    }
    let (row_code, column) = code.rsplit_once('/')?;
    let column: usize = column.parse().ok()?;
    let table = &report.table3;
    let row = table.rows.iter().position(|r| r.code() == row_code)?;
    let references = if column == 6 {
        table
            .references
            .get(row)?
            .iter()
            .flatten()
            .cloned()
            .collect()
    } else {
        table.references.get(row)?.get(column)?.clone()
    };
    Some((
        format!(
            "{} · {}",
            table.rows[row].label(),
            COLUMN_LABELS.get(column)?
        ),
        references,
    ))
}

async fn staff_page_with(
    state: &AppState,
    ctx: &Ctx,
    agency: &AgencyRow,
    year: i32,
    drill_code: &str,
    problems: Problems,
    typed_texts: Option<TextsForm>,
) -> Result<StaffReportPage, WebError> {
    let actor = ctx.require_actor()?;
    let view = state
        .services
        .annual_report(Some(actor), agency.id, year)
        .await?;
    let report = &view.report;
    let base = Base::new(ctx, "report.title");
    let drill_base = format!("/staff/report?agency={}&year={year}", agency.slug);
    let (drill_title, drill_references, drill_shown) = match drill(&view, drill_code) {
        Some((title, references)) => (title, references, true),
        None => (String::new(), Vec::new(), false),
    };
    let departments = state
        .services
        .db
        .department_list(agency.id)
        .await
        .map_err(ServiceError::from)?
        .into_iter()
        .map(|d| (d.id.to_string(), d.name_zh))
        .collect();
    let figure_rows = view
        .department_figures
        .iter()
        .map(|d| FigureRowView {
            department: if d.department_key.is_empty() {
                base.pick("全机关", "Whole agency").to_string()
            } else {
                d.department_name.clone()
            },
            licensing: d.figures.licensing_decisions,
            penalty: d.figures.penalty_decisions,
            coercion: d.figures.coercion_decisions,
            fees: fen_as_ten_thousand_yuan(d.figures.administrative_fees_fen),
        })
        .collect();
    let texts = typed_texts.unwrap_or(TextsForm {
        overview: report.texts.overview.clone(),
        problems_and_improvements: report.texts.problems_and_improvements.clone(),
        other_matters: report.texts.other_matters.clone(),
    });
    let (published_href, published_at) = match &view.published {
        Some(published) => (
            format!("/a/{}/annual-reports/{year}", agency.slug),
            format_beijing(published.published_at),
        ),
        None => (String::new(), String::new()),
    };
    Ok(StaffReportPage {
        problems,
        agency_name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
        year,
        report_title: report.title(),
        sections: section_views(&report.layout(), Some(&drill_base)),
        rule_problems: report.problems.iter().map(ToString::to_string).collect(),
        warnings: report.warnings.clone(),
        drill_title,
        drill_references,
        drill_shown,
        overview: texts.overview,
        problems_and_improvements: texts.problems_and_improvements,
        other_matters: texts.other_matters,
        departments,
        figure_rows,
        published_href,
        published_at,
        base,
    })
}

async fn staff_page(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<StaffQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let agency = staff_agency(&state, &ctx, &query.agency).await?;
    let year = parse_year(&state, &query.year)?;
    let drill_code = if query.drill.is_empty() && !query.row.is_empty() {
        format!("{}/{}", query.row, query.column)
    } else {
        query.drill.clone()
    };
    render(
        staff_page_with(
            &state,
            &ctx,
            &agency,
            year,
            &drill_code,
            Problems::default(),
            None,
        )
        .await?,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct YearForm {
    year: String,
    agency: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TextsSubmission {
    year: String,
    agency: String,
    overview: String,
    problems_and_improvements: String,
    other_matters: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FiguresSubmission {
    year: String,
    agency: String,
    department: String,
    licensing_decisions: String,
    penalty_decisions: String,
    coercion_decisions: String,
    administrative_fees_yuan: String,
}

fn back_to(agency: &AgencyRow, year: i32, anchor: &str) -> Response {
    Redirect::to(&format!(
        "/staff/report?agency={}&year={year}#{anchor}",
        agency.slug
    ))
    .into_response()
}

async fn with_problems(
    state: &AppState,
    ctx: &Ctx,
    agency: &AgencyRow,
    year: i32,
    problems: &gongkai_domain::form::FormProblems,
    typed_texts: Option<TextsForm>,
) -> Result<Response, WebError> {
    let page = staff_page_with(
        state,
        ctx,
        agency,
        year,
        "",
        Problems::from_form(ctx.lang, problems),
        typed_texts,
    )
    .await?;
    let mut response = render(page)?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

async fn save_texts(
    State(state): State<AppState>,
    CsrfForm(ctx, form): CsrfForm<TextsSubmission>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let agency = staff_agency(&state, &ctx, &form.agency).await?;
    let year = parse_year(&state, &form.year)?;
    let texts = TextsForm {
        overview: form.overview,
        problems_and_improvements: form.problems_and_improvements,
        other_matters: form.other_matters,
    };
    match state
        .services
        .save_report_texts(&actor, agency.id, year, &texts)
        .await
    {
        Ok(()) => Ok(back_to(&agency, year, "texts")),
        Err(ServiceError::Invalid(problems)) => {
            with_problems(&state, &ctx, &agency, year, &problems, Some(texts)).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn save_figures(
    State(state): State<AppState>,
    CsrfForm(ctx, form): CsrfForm<FiguresSubmission>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let agency = staff_agency(&state, &ctx, &form.agency).await?;
    let year = parse_year(&state, &form.year)?;
    let figures = FiguresForm {
        department: form.department,
        licensing_decisions: form.licensing_decisions,
        penalty_decisions: form.penalty_decisions,
        coercion_decisions: form.coercion_decisions,
        administrative_fees_yuan: form.administrative_fees_yuan,
    };
    match state
        .services
        .save_report_figures(&actor, agency.id, year, &figures)
        .await
    {
        Ok(()) => Ok(back_to(&agency, year, "figures")),
        Err(ServiceError::Invalid(problems)) => {
            with_problems(&state, &ctx, &agency, year, &problems, None).await
        }
        Err(other) => Err(other.into()),
    }
}

async fn publish(
    State(state): State<AppState>,
    CsrfForm(ctx, form): CsrfForm<YearForm>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let agency = staff_agency(&state, &ctx, &form.agency).await?;
    let year = parse_year(&state, &form.year)?;
    match state
        .services
        .publish_annual_report(&actor, agency.id, year)
        .await
    {
        Ok(_) => {
            Ok(Redirect::to(&format!("/a/{}/annual-reports/{year}", agency.slug)).into_response())
        }
        Err(ServiceError::Invalid(problems)) => {
            with_problems(&state, &ctx, &agency, year, &problems, None).await
        }
        Err(other) => Err(other.into()),
    }
}

/// Typesets the report's PDF on the blocking pool.
async fn pdf_bytes(state: &AppState, layout: &ReportLayout) -> Result<Vec<u8>, WebError> {
    let data = report_pdf_data(layout);
    crate::pdf::typeset(state, move |renderer| renderer.render_annual_report(&data)).await
}

async fn xlsx_bytes(layout: &ReportLayout) -> Result<Vec<u8>, WebError> {
    let sheets = report_workbook(layout);
    tokio::task::spawn_blocking(move || gongkai_render::write_workbook(&sheets))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "workbook task failed");
            WebError::Status(StatusCode::INTERNAL_SERVER_ERROR)
        })?
        .map_err(|e| {
            tracing::error!(error = %e, "workbook failed");
            WebError::Status(StatusCode::INTERNAL_SERVER_ERROR)
        })
}

fn download(bytes: Vec<u8>, content_type: &'static str, filename: &str) -> Response {
    // The name is ASCII (slug and year), so it needs no RFC 5987 encoding.
    let disposition = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\""))
        .unwrap_or(HeaderValue::from_static("attachment"));
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

const XLSX_CONTENT_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

async fn export(
    state: &AppState,
    layout: &ReportLayout,
    keyed: &serde_json::Value,
    format: &str,
    stem: &str,
) -> Result<Response, WebError> {
    match format {
        "json" => Ok((
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            )],
            serde_json::to_string_pretty(keyed).unwrap_or_default(),
        )
            .into_response()),
        "pdf" => Ok(download(
            pdf_bytes(state, layout).await?,
            "application/pdf",
            &format!("{stem}.pdf"),
        )),
        "xlsx" => Ok(download(
            xlsx_bytes(layout).await?,
            XLSX_CONTENT_TYPE,
            &format!("{stem}.xlsx"),
        )),
        _ => Err(WebError::Status(StatusCode::NOT_FOUND)),
    }
}

async fn staff_export(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<ExportQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let agency = staff_agency(&state, &ctx, &query.agency).await?;
    let year = parse_year(&state, &query.year)?;
    let actor = ctx.require_actor()?;
    let view = state
        .services
        .annual_report(Some(actor), agency.id, year)
        .await?;
    let layout = view.report.layout();
    let keyed = view.report.keyed_json();
    export(
        &state,
        &layout,
        &keyed,
        &query.format,
        &format!("{}-annual-report-{year}-draft", agency.slug),
    )
    .await
}

async fn public_list(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let agency = state.services.agency_by_slug(&slug).await?;
    let reports = state
        .services
        .published_annual_reports(agency.id)
        .await?
        .into_iter()
        .map(|r| (r.year, r.layout.title, format_beijing(r.published_at)))
        .collect();
    let base = Base::new(&ctx, "report.public_title");
    render(PublicListPage {
        agency_name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
        slug,
        reports,
        base,
    })
}

async fn public_report(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let (year_text, format) = match file.split_once('.') {
        Some((year, format)) => (year, format),
        None => (file.as_str(), "html"),
    };
    let year: i32 = year_text
        .parse()
        .map_err(|_| WebError::Status(StatusCode::NOT_FOUND))?;
    let agency = state.services.agency_by_slug(&slug).await?;
    let published = state
        .services
        .published_annual_report(agency.id, year)
        .await?;
    if format != "html" {
        return export(
            &state,
            &published.layout,
            &published.keyed,
            format,
            &format!("{slug}-annual-report-{year}"),
        )
        .await;
    }
    let base = Base::titled(&ctx, published.layout.title.clone());
    render(PublicReportPage {
        agency_name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
        year,
        report_title: published.layout.title.clone(),
        sections: section_views(&published.layout, None),
        published_at: format_beijing(published.published_at),
        document_href: format!("/documents/{}", published.document_external_id),
        slug,
        base,
    })
}

/// The remedies of an application as its staff page shows them, with the forms' choices.
pub(crate) struct RemedySectionView {
    pub items: Vec<RemedyItemView>,
    pub kinds: Vec<(String, String)>,
    pub outcomes: Vec<(String, String)>,
}

pub(crate) struct RemedyItemView {
    pub id: String,
    pub kind: String,
    pub body_name: String,
    pub case_number: String,
    pub filed_on: String,
    pub filed_late: bool,
    pub filing_due: String,
    pub filing_derivation: String,
    pub decision_due: String,
    pub decision_derivation: String,
    pub overdue: bool,
    pub outcome: String,
    pub outcome_code: String,
    pub decided_on: String,
    pub note: String,
}

pub(crate) async fn remedy_section(
    state: &AppState,
    ctx: &Ctx,
    actor: &gongkai_service::Actor,
    application_id: uuid::Uuid,
) -> Result<RemedySectionView, WebError> {
    let en = ctx.lang == crate::i18n::Lang::En;
    let items = state
        .services
        .remedies_of_application(actor, application_id)
        .await?
        .into_iter()
        .map(|v| RemedyItemView {
            id: v.row.id.to_string(),
            kind: if en {
                v.kind.label_en()
            } else {
                v.kind.label_zh()
            }
            .to_string(),
            body_name: v.row.body_name.clone(),
            case_number: v.row.case_number.clone(),
            filed_on: v.row.filed_on.to_string(),
            filed_late: v.filed_late,
            filing_due: v
                .filing_deadline
                .as_ref()
                .map(|d| d.due.to_string())
                .unwrap_or_else(|| "—".to_string()),
            filing_derivation: v
                .filing_deadline
                .as_ref()
                .map(|d| d.derivation.clone())
                .unwrap_or_default(),
            decision_due: v
                .decision_deadline
                .as_ref()
                .map(|d| d.due.to_string())
                .unwrap_or_else(|| "—".to_string()),
            decision_derivation: v
                .decision_deadline
                .as_ref()
                .map(|d| d.derivation.clone())
                .unwrap_or_default(),
            overdue: v.decision_overdue,
            outcome: if en {
                v.outcome.label_en()
            } else {
                v.outcome.label_zh()
            }
            .to_string(),
            outcome_code: v.outcome.code().to_string(),
            decided_on: v.row.decided_on.map(|d| d.to_string()).unwrap_or_default(),
            note: v.row.decision_note.clone(),
        })
        .collect();
    Ok(RemedySectionView {
        items,
        kinds: remedy_kind_choices(en),
        outcomes: remedy_outcome_choices(en),
    })
}

async fn remedy_problems(
    state: &AppState,
    ctx: &Ctx,
    application_id: uuid::Uuid,
    problems: &gongkai_domain::form::FormProblems,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let view = state.services.application(actor, application_id).await?;
    let page = crate::applications::application_view_page(
        state,
        ctx,
        view,
        Problems::from_form(ctx.lang, problems),
    )
    .await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

async fn record_remedy(
    State(state): State<AppState>,
    Path(id): Path<uuid::Uuid>,
    CsrfForm(ctx, form): CsrfForm<gongkai_service::RemedyForm>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    match state.services.record_remedy(&actor, id, &form).await {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}#remedies-title")).into_response()),
        Err(ServiceError::Invalid(problems)) => remedy_problems(&state, &ctx, id, &problems).await,
        Err(other) => Err(other.into()),
    }
}

async fn decide_remedy(
    State(state): State<AppState>,
    Path((id, remedy_id)): Path<(uuid::Uuid, uuid::Uuid)>,
    CsrfForm(ctx, form): CsrfForm<gongkai_service::RemedyDecisionForm>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let belongs = state
        .services
        .db
        .remedy_get(remedy_id)
        .await
        .map_err(ServiceError::from)?
        .is_some_and(|r| r.application_id == id);
    if !belongs {
        return Err(WebError::Status(StatusCode::NOT_FOUND));
    }
    match state.services.decide_remedy(&actor, remedy_id, &form).await {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{id}#remedies-title")).into_response()),
        Err(ServiceError::Invalid(problems)) => remedy_problems(&state, &ctx, id, &problems).await,
        Err(other) => Err(other.into()),
    }
}

/// The labels of remedy kinds and outcomes for forms, in the page's language.
fn remedy_kind_choices(en: bool) -> Vec<(String, String)> {
    RemedyKind::ALL
        .iter()
        .map(|k| {
            (
                k.code().to_string(),
                if en { k.label_en() } else { k.label_zh() }.to_string(),
            )
        })
        .collect()
}

fn remedy_outcome_choices(en: bool) -> Vec<(String, String)> {
    RemedyOutcome::ALL
        .iter()
        .map(|o| {
            (
                o.code().to_string(),
                if en { o.label_en() } else { o.label_zh() }.to_string(),
            )
        })
        .collect()
}

/// A standalone HTML page of the report, for `gongkai report annual --format html`.
pub fn report_standalone_html(layout: &ReportLayout) -> String {
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>{}</title></head><body>\n<main>\n<h1>{}</h1>\n",
        escape(&layout.title),
        escape(&layout.title)
    );
    for section in section_views(layout, None) {
        html.push_str(&format!("<section><h2>{}</h2>\n", escape(&section.heading)));
        for paragraph in &section.paragraphs {
            html.push_str(&format!("<p>{}</p>\n", escape(paragraph)));
        }
        for table in &section.tables {
            html.push_str(&format!(
                "<table>\n<caption>{}</caption>\n<thead>\n",
                escape(&table.caption)
            ));
            for row in &table.header_rows {
                html.push_str("<tr>");
                for cell in row {
                    html.push_str(&cell_html(cell, &escape));
                }
                html.push_str("</tr>\n");
            }
            html.push_str("</thead>\n<tbody>\n");
            for row in &table.rows {
                html.push_str("<tr>");
                for cell in row {
                    html.push_str(&cell_html(cell, &escape));
                }
                html.push_str("</tr>\n");
            }
            html.push_str("</tbody>\n</table>\n");
        }
        html.push_str("</section>\n");
    }
    html.push_str("</main>\n</body></html>\n");
    html
}

fn cell_html(cell: &CellView, escape: &dyn Fn(&str) -> String) -> String {
    let tag = if cell.is_header { "th" } else { "td" };
    let mut attributes = String::new();
    if cell.is_header {
        attributes.push_str(&format!(" scope=\"{}\"", cell.scope));
    }
    if cell.column_span > 1 {
        attributes.push_str(&format!(" colspan=\"{}\"", cell.column_span));
    }
    if cell.row_span > 1 {
        attributes.push_str(&format!(" rowspan=\"{}\"", cell.row_span));
    }
    format!("<{tag}{attributes}>{}</{tag}>", escape(&cell.text))
}
