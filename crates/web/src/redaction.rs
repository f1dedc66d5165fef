//! Staff pages of the redaction review (issue 7; Art. 15 and Art. 37 of the 《政府信息公开条例》):
//! start a review of an application's material or a document draft, see the text with every
//! span marked, accept or reject each suggestion, add spans by offsets or by the exact text,
//! confirm, and read the log; then download the redacted text as HTML, plain text or PDF.
//!
//! Everything works with plain forms and links (no JavaScript). The outputs are built from the
//! confirmed, redacted text only: the handlers that serve them never load the original.

use crate::AppState;
use crate::ctx::{CsrfForm, Ctx};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::render;
use crate::templates::{Base, Choice, Problems, ShownProblem};
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_domain::form::FormProblems;
use gongkai_domain::redaction::Category;
use gongkai_render::RedactedDocumentPdf;
use gongkai_service::{
    OTHER_CATEGORY_CODE, RedactedOutput, RedactionReviewView, RedactionSubject, ServiceError,
    category_label_zh, ground_from_code, withheld_statement_en, withheld_statement_zh,
};
use std::collections::HashMap;
use uuid::Uuid;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/staff/redaction/applications/{id}",
            get(application_reviews).post(application_create),
        )
        .route(
            "/staff/redaction/documents/{id}",
            get(document_reviews).post(document_create),
        )
        .route("/staff/redaction/reviews/{id}", get(review_page))
        .route(
            "/staff/redaction/reviews/{id}/spans/{span_id}",
            post(decide_span),
        )
        .route("/staff/redaction/reviews/{id}/add", post(add_span))
        .route("/staff/redaction/reviews/{id}/bulk", post(decide_category))
        .route("/staff/redaction/reviews/{id}/confirm", post(confirm))
        .route(
            "/staff/redaction/reviews/{id}/redacted.html",
            get(output_html),
        )
        .route(
            "/staff/redaction/reviews/{id}/redacted.txt",
            get(output_text),
        )
        .route(
            "/staff/redaction/reviews/{id}/redacted.pdf",
            get(output_pdf),
        )
}

fn parse_id(text: &str) -> Result<Uuid, WebError> {
    Uuid::parse_str(text).map_err(|_| WebError::Status(StatusCode::NOT_FOUND))
}

/// A document named by its id or by the external id of its public address
/// (`/documents/{external_id}`), so that staff can reach its reviews from the page they see.
async fn document_id(state: &AppState, text: &str) -> Result<Uuid, WebError> {
    if let Ok(id) = Uuid::parse_str(text) {
        return Ok(id);
    }
    state
        .services
        .db
        .document_by_external_id(text)
        .await
        .map_err(ServiceError::from)?
        .map(|document| document.id)
        .ok_or(WebError::Status(StatusCode::NOT_FOUND))
}

/// The message of a problem code of these forms, in both languages: specific, so that staff
/// know what to change.
fn problem_message(code: &str) -> (&'static str, &'static str) {
    match code {
        "required" => ("此项为必填项", "is required"),
        "too_long" => ("内容过长", "is too long"),
        "number_invalid" => (
            "请填写从0开始的字符位置（整数）",
            "must be a character position counted from 0",
        ),
        "span_empty" => (
            "结束位置必须大于开始位置",
            "the end must come after the start",
        ),
        "span_out_of_range" => (
            "结束位置超出了文本的长度",
            "the end lies beyond the end of the text",
        ),
        "span_overlaps" => (
            "与已建议或已确认删除的片段重叠；请先驳回那个片段",
            "overlaps a span already suggested or accepted; reject that span first",
        ),
        "text_not_found" => (
            "文本中没有找到这段文字（须逐字一致）",
            "this exact text does not occur in the text",
        ),
        "too_many_occurrences" => (
            "出现次数过多，请输入更长、更具体的文字",
            "occurs too often; enter a longer, more specific text",
        ),
        "choice_invalid" => ("请从列表中选择", "choose one of the options"),
        "attachment_has_no_text" => (
            "未能从该附件中提取文字（可能是扫描件），请粘贴文本或线下审查",
            "no text could be extracted from this file (a scan?); paste its text or review it on paper",
        ),
        "text_and_attachment" => (
            "请二选一：粘贴文本，或选择一个附件",
            "either paste a text or choose a file, not both",
        ),
        "redaction_undecided_spans" => (
            "还有未处理的建议：每个建议都须采纳或驳回后才能确认",
            "some suggestions are undecided: accept or reject each before confirming",
        ),
        "redaction_review_confirmed" => (
            "该审查已确认，不能再修改；如需修改请新建审查",
            "this review is confirmed and cannot change; start a new review",
        ),
        _ => ("填写有误", "is not valid"),
    }
}

fn field_label(field: &str) -> (&'static str, &'static str) {
    match field {
        "text" => ("待审查文本", "Text to review"),
        "title" => ("标题", "Title"),
        "start" => ("开始位置", "Start"),
        "end" => ("结束位置", "End"),
        "needle" => ("要删除的文字", "Text to redact"),
        "category" => ("类别", "Category"),
        "ground" => ("理由", "Ground"),
        "mask_style" => ("遮盖方式", "Masking"),
        "span" => ("片段", "Span"),
        "source" => ("审查对象", "What to review"),
        _ => ("审查", "Review"),
    }
}

fn pick(lang: Lang, pair: (&'static str, &'static str)) -> &'static str {
    if lang == Lang::En { pair.1 } else { pair.0 }
}

fn shown_problems(lang: Lang, problems: &FormProblems) -> Problems {
    Problems {
        items: problems
            .problems()
            .iter()
            .map(|p| ShownProblem {
                field: p.field,
                label: pick(lang, field_label(p.field)),
                message: pick(lang, problem_message(p.code)),
                detail: String::new(),
            })
            .collect(),
        prefix: "",
    }
}

fn one_problem(field: &'static str, code: &'static str) -> FormProblems {
    let mut problems = FormProblems::new();
    problems.add(field, code);
    problems
}

/// The problems of a rejected change, or the error itself when it is no form problem.
fn problems_of(lang: Lang, error: ServiceError) -> Result<Problems, WebError> {
    match error {
        ServiceError::Invalid(problems) => Ok(shown_problems(lang, &problems)),
        ServiceError::Refused { code } => {
            let mut problems = FormProblems::new();
            problems.add("review", code);
            Ok(shown_problems(lang, &problems))
        }
        other => Err(other.into()),
    }
}

fn ground_label(lang: Lang, code: &str) -> String {
    match ground_from_code(code) {
        Some(ground) if lang == Lang::En => ground.citation_en().to_string(),
        Some(ground) => ground.citation_zh().to_string(),
        None => String::new(),
    }
}

fn category_label(lang: Lang, code: &str) -> String {
    if lang == Lang::En {
        match Category::parse(code) {
            Some(category) => category.code().replace('_', " "),
            None => "other".to_string(),
        }
    } else {
        category_label_zh(code).to_string()
    }
}

fn status_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "accepted" => pick(lang, ("已采纳（删除）", "accepted (removed)")),
        "rejected" => pick(lang, ("已驳回（保留）", "rejected (kept)")),
        _ => pick(lang, ("待处理建议", "undecided suggestion")),
    }
}

fn action_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "suggested" => pick(lang, ("机器建议", "suggested")),
        "added" => pick(lang, ("人工添加", "added")),
        "accepted" => pick(lang, ("采纳", "accepted")),
        "rejected" => pick(lang, ("驳回", "rejected")),
        "confirmed" => pick(lang, ("确认", "confirmed")),
        _ => pick(lang, ("其他", "other")),
    }
}

fn format_beijing(at: time::OffsetDateTime) -> String {
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    let local = at.to_offset(offset);
    format!(
        "{} {:02}:{:02}:{:02}",
        local.date(),
        local.hour(),
        local.minute(),
        local.second()
    )
}

pub(crate) struct ReviewListEntry {
    pub href: String,
    pub title: String,
    pub status: &'static str,
    pub created_at: String,
}

#[derive(Template)]
#[template(path = "redaction_list.html")]
pub(crate) struct ReviewListPage {
    pub base: Base,
    pub problems: Problems,
    pub action: String,
    pub back_href: String,
    pub back_label: &'static str,
    pub reviews: Vec<ReviewListEntry>,
    pub title_value: String,
    pub text_value: String,
    /// The document's files whose extracted text a review can start from.
    pub sources: Vec<SourceChoice>,
}

pub(crate) struct SourceChoice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

/// The subject's reviews and the form to start one, filled with `form` (what was submitted,
/// or nothing).
async fn list_page(
    state: &AppState,
    ctx: &Ctx,
    subject: RedactionSubject,
    problems: Problems,
    form: &HashMap<String, String>,
) -> Result<ReviewListPage, WebError> {
    let actor = ctx.require_actor()?;
    let value = |name: &str| form.get(name).cloned().unwrap_or_default();
    let source_value = value("source");
    let reviews = state.services.redaction_reviews_of(actor, subject).await?;
    let sources = state
        .services
        .redaction_attachment_sources(actor, subject)
        .await?
        .into_iter()
        .map(|file| {
            let value = format!("attachment:{}", file.id);
            use gongkai_service::attachment_text_status::{EXTRACTED, OCR, OCR_PARTIAL};
            let status = file.text_status.as_str();
            let no_text = status != EXTRACTED && status != OCR && status != OCR_PARTIAL;
            SourceChoice {
                selected: value == source_value,
                label: if no_text {
                    format!(
                        "{}{}",
                        file.filename,
                        pick(ctx.lang, ("（未提取到文字）", " (no text extracted)"))
                    )
                } else {
                    file.filename
                },
                value,
            }
        })
        .collect();
    let base = Base::titled(
        ctx,
        pick(ctx.lang, ("脱敏审查", "Redaction review")).to_string(),
    );
    let (action, back_href, back_label) = match subject {
        RedactionSubject::Application(id) => (
            format!("/staff/redaction/applications/{id}"),
            format!("/applications/{id}"),
            pick(ctx.lang, ("返回申请", "Back to the application")),
        ),
        RedactionSubject::Document(id) => (
            format!("/staff/redaction/documents/{id}"),
            "/staff/documents".to_string(),
            pick(ctx.lang, ("返回文件管理", "Back to documents")),
        ),
    };
    Ok(ReviewListPage {
        problems,
        action,
        back_href,
        back_label,
        reviews: reviews
            .into_iter()
            .map(|r| ReviewListEntry {
                href: format!("/staff/redaction/reviews/{}", r.id),
                title: r.title,
                status: if r.status == "confirmed" {
                    pick(ctx.lang, ("已确认", "confirmed"))
                } else {
                    pick(ctx.lang, ("审查中", "open"))
                },
                created_at: format_beijing(r.created_at),
            })
            .collect(),
        title_value: value("title"),
        text_value: value("text"),
        sources,
        base,
    })
}

async fn application_reviews(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let subject = RedactionSubject::Application(parse_id(&id)?);
    render(list_page(&state, &ctx, subject, Problems::default(), &HashMap::new()).await?)
}

async fn document_reviews(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let subject = RedactionSubject::Document(document_id(&state, &id).await?);
    render(list_page(&state, &ctx, subject, Problems::default(), &HashMap::new()).await?)
}

async fn create(
    state: &AppState,
    ctx: Ctx,
    subject: RedactionSubject,
    form: HashMap<String, String>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let source = field("source");
    let created = match source.strip_prefix("attachment:") {
        None if source.is_empty() => {
            state
                .services
                .create_redaction_review(actor, subject, &field("title"), &field("text"))
                .await
        }
        None => Err(ServiceError::Invalid(one_problem(
            "source",
            "choice_invalid",
        ))),
        Some(_) if !field("text").trim().is_empty() => Err(ServiceError::Invalid(one_problem(
            "text",
            "text_and_attachment",
        ))),
        Some(raw) => match Uuid::parse_str(raw) {
            Ok(attachment_id) => {
                state
                    .services
                    .create_redaction_review_of_attachment(
                        actor,
                        subject,
                        &field("title"),
                        attachment_id,
                    )
                    .await
            }
            Err(_) => Err(ServiceError::Invalid(one_problem(
                "source",
                "choice_invalid",
            ))),
        },
    };
    match created {
        Ok(review_id) => {
            Ok(Redirect::to(&format!("/staff/redaction/reviews/{review_id}")).into_response())
        }
        Err(error) => {
            let problems = problems_of(ctx.lang, error)?;
            let page = list_page(state, &ctx, subject, problems, &form).await?;
            let mut response = render(page)?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
    }
}

async fn application_create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let subject = RedactionSubject::Application(parse_id(&id)?);
    create(&state, ctx, subject, form).await
}

async fn document_create(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let subject = RedactionSubject::Document(document_id(&state, &id).await?);
    create(&state, ctx, subject, form).await
}

/// A piece of the reviewed text: plain text, a line break, or a marked span.
pub(crate) struct Segment {
    /// `text`, `break` or `mark`.
    pub kind: &'static str,
    pub text: String,
    /// The span's number on the page (1-based), for marks.
    pub number: usize,
    /// The span's status code, for the mark's class.
    pub status: String,
    /// What a screen reader announces before the marked text.
    pub label: String,
}

pub(crate) struct SpanRow {
    pub number: usize,
    pub id: Uuid,
    pub start: i64,
    pub end: i64,
    pub text: String,
    pub category: String,
    pub ground: String,
    pub confidence: i64,
    pub origin: &'static str,
    pub status: String,
    pub status_label: &'static str,
    pub reason: String,
}

pub(crate) struct LogRow {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub span: String,
    pub category: String,
    pub ground: String,
}

/// A span kept visible on purpose (or a public fact), as the review page lists it.
pub(crate) struct KeptRow {
    pub start: usize,
    pub end: usize,
    pub text: String,
    pub category: String,
    pub reason: &'static str,
}

#[derive(Template)]
#[template(path = "redaction_review.html")]
pub(crate) struct ReviewPage {
    pub base: Base,
    pub problems: Problems,
    pub id: Uuid,
    pub back_href: String,
    pub confirmed: bool,
    pub may_edit: bool,
    pub text_length_chars: usize,
    pub segments: Vec<Segment>,
    pub spans: Vec<SpanRow>,
    pub undecided: usize,
    pub log: Vec<LogRow>,
    pub categories: Vec<Choice>,
    pub grounds: Vec<Choice>,
    pub mask_styles: Vec<Choice>,
    pub withheld: Option<String>,
    /// What the policy keeps visible on purpose, with the reason.
    pub kept: Vec<KeptRow>,
    pub start_value: String,
    pub end_value: String,
    pub needle_value: String,
}

fn segments_of(lang: Lang, text: &str, spans: &[SpanRow]) -> Vec<Segment> {
    let chars: Vec<char> = text.chars().collect();
    let mut segments = Vec::new();
    let push_plain = |segments: &mut Vec<Segment>, piece: &[char]| {
        let piece: String = piece.iter().collect();
        for (index, line) in piece.split('\n').enumerate() {
            if index > 0 {
                segments.push(Segment {
                    kind: "break",
                    text: String::new(),
                    number: 0,
                    status: String::new(),
                    label: String::new(),
                });
            }
            if !line.is_empty() {
                segments.push(Segment {
                    kind: "text",
                    text: line.to_string(),
                    number: 0,
                    status: String::new(),
                    label: String::new(),
                });
            }
        }
    };
    let mut position = 0usize;
    // Rejected spans may overlap spans in force; the marks show the spans in force first and
    // a rejected span only where nothing else is marked.
    let mut shown: Vec<&SpanRow> = spans.iter().filter(|s| s.status != "rejected").collect();
    for rejected in spans.iter().filter(|s| s.status == "rejected") {
        if !shown
            .iter()
            .any(|s| s.start < rejected.end && rejected.start < s.end)
        {
            shown.push(rejected);
        }
    }
    shown.sort_by_key(|s| (s.start, s.end));
    for span in shown {
        let (Ok(start), Ok(end)) = (usize::try_from(span.start), usize::try_from(span.end)) else {
            continue;
        };
        if start < position || end > chars.len() {
            continue;
        }
        push_plain(&mut segments, &chars[position..start]);
        segments.push(Segment {
            kind: "mark",
            text: chars[start..end].iter().collect(),
            number: span.number,
            status: span.status.clone(),
            label: format!(
                "{} {}：{}，{}，{}",
                pick(lang, ("片段", "span")),
                span.number,
                span.category,
                span.status_label,
                span.ground
            ),
        });
        position = end;
    }
    push_plain(&mut segments, &chars[position..]);
    segments
}

fn review_page_of(
    ctx: &Ctx,
    view: RedactionReviewView,
    problems: Problems,
    values: [String; 3],
) -> ReviewPage {
    let lang = ctx.lang;
    let text = &view.row.original_text;
    let chars: Vec<char> = text.chars().collect();
    let spans: Vec<SpanRow> = view
        .spans
        .iter()
        .enumerate()
        .map(|(index, s)| SpanRow {
            number: index + 1,
            id: s.id,
            start: s.start_char,
            end: s.end_char,
            text: chars
                .get(s.start_char.max(0) as usize..(s.end_char.max(0) as usize).min(chars.len()))
                .map(|piece| piece.iter().collect())
                .unwrap_or_default(),
            category: category_label(lang, &s.category),
            ground: ground_label(lang, &s.ground),
            confidence: s.confidence_percent,
            origin: if s.origin == "added" {
                pick(lang, ("人工添加", "added by staff"))
            } else {
                pick(lang, ("机器建议", "suggested"))
            },
            status: s.status.clone(),
            status_label: status_label(lang, &s.status),
            reason: s.reason.clone(),
        })
        .collect();
    let numbers: HashMap<Uuid, usize> = spans.iter().map(|s| (s.id, s.number)).collect();
    let log = view
        .log
        .iter()
        .map(|l| LogRow {
            at: format_beijing(l.at),
            actor: l.actor_name.clone().unwrap_or_default(),
            action: action_label(lang, &l.action),
            span: match (
                l.span_id.and_then(|id| numbers.get(&id)),
                l.start_char,
                l.end_char,
            ) {
                (Some(number), Some(start), Some(end)) => format!("#{number} ({start}–{end})"),
                _ => String::new(),
            },
            category: if l.category.is_empty() {
                String::new()
            } else {
                category_label(lang, &l.category)
            },
            ground: ground_label(lang, &l.ground),
        })
        .collect();
    let mut categories: Vec<Choice> = Category::ALL
        .iter()
        .map(|c| Choice {
            value: c.code().to_string(),
            label: category_label(lang, c.code()),
            selected: false,
        })
        .collect();
    categories.push(Choice {
        value: OTHER_CATEGORY_CODE.to_string(),
        label: category_label(lang, OTHER_CATEGORY_CODE),
        selected: false,
    });
    let grounds = ["art15_personal_privacy", "art15_trade_secret"]
        .iter()
        .map(|code| Choice {
            value: (*code).to_string(),
            label: ground_label(lang, code),
            selected: false,
        })
        .collect();
    let mask_styles = [
        (
            "replace",
            ("整段替换为「[已删除]」", "replace with “[已删除]”"),
        ),
        ("blocks", ("逐字涂黑（■）", "black out each character (■)")),
        (
            "partial",
            (
                "部分遮盖（张某、138****5678）",
                "partial masking (张某, 138****5678)",
            ),
        ),
    ]
    .iter()
    .map(|(code, label)| Choice {
        value: (*code).to_string(),
        label: pick(lang, *label).to_string(),
        selected: false,
    })
    .collect();
    let segments = segments_of(lang, text, &spans);
    let withheld = if view.is_confirmed() {
        let counts = accepted_counts(&view);
        if lang == Lang::En {
            withheld_statement_en(&counts)
        } else {
            withheld_statement_zh(&counts)
        }
    } else {
        None
    };
    let back_href = match (view.row.application_id, view.row.document_id) {
        (Some(id), _) => format!("/staff/redaction/applications/{id}"),
        (None, Some(id)) => format!("/staff/redaction/documents/{id}"),
        (None, None) => "/dashboard".to_string(),
    };
    let [start_value, end_value, needle_value] = values;
    let kept = view
        .kept
        .iter()
        .map(|k| KeptRow {
            start: k.start_char,
            end: k.end_char,
            text: chars
                .get(k.start_char..k.end_char.min(chars.len()))
                .map(|piece| piece.iter().collect())
                .unwrap_or_default(),
            category: match k.category {
                Some(category) => category_label(lang, category.code()),
                None => pick(lang, ("公开信息", "public fact")).to_string(),
            },
            reason: pick(lang, (k.reason_zh, k.reason_en)),
        })
        .collect();
    ReviewPage {
        kept,
        base: Base::titled(
            ctx,
            format!(
                "{} · {}",
                pick(lang, ("脱敏审查", "Redaction review")),
                view.row.title
            ),
        ),
        problems,
        id: view.row.id,
        back_href,
        confirmed: view.is_confirmed(),
        may_edit: view.may_edit && !view.is_confirmed(),
        text_length_chars: chars.len(),
        undecided: view.undecided_count(),
        segments,
        spans,
        log,
        categories,
        grounds,
        mask_styles,
        withheld,
        start_value,
        end_value,
        needle_value,
    }
}

/// The counts by ground of a confirmed review, from its accepted spans.
fn accepted_counts(view: &RedactionReviewView) -> Vec<gongkai_service::WithheldCount> {
    [
        gongkai_domain::redaction::Ground::PersonalPrivacy,
        gongkai_domain::redaction::Ground::TradeSecret,
    ]
    .into_iter()
    .map(|ground| gongkai_service::WithheldCount {
        ground,
        n_spans: view
            .spans
            .iter()
            .filter(|s| s.status == "accepted" && s.ground == ground.code())
            .count() as u64,
    })
    .filter(|c| c.n_spans > 0)
    .collect()
}

#[derive(Debug, Default, serde::Deserialize)]
struct ReviewQuery {
    added: Option<usize>,
    overlapping: Option<usize>,
}

async fn review_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    Query(query): Query<ReviewQuery>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let view = state
        .services
        .redaction_review(actor, parse_id(&id)?)
        .await?;
    let mut page = review_page_of(&ctx, view, Problems::default(), Default::default());
    if let Some(added) = query.added {
        let overlapping = query.overlapping.unwrap_or(0);
        page.base.notice = Some(if ctx.lang == Lang::En {
            format!("{added} spans added; {overlapping} occurrences already covered were left out.")
        } else {
            format!("已添加{added}处；{overlapping}处与已有片段重叠，未重复添加。")
        });
    }
    render(page)
}

/// Shows the review again with the problems of a rejected change (422).
async fn rejected(
    state: &AppState,
    ctx: &Ctx,
    review_id: Uuid,
    error: ServiceError,
    values: [String; 3],
) -> Result<Response, WebError> {
    let problems = problems_of(ctx.lang, error)?;
    let actor = ctx.require_actor()?;
    let view = state.services.redaction_review(actor, review_id).await?;
    let mut response = render(review_page_of(ctx, view, problems, values))?;
    *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    Ok(response)
}

async fn decide_span(
    State(state): State<AppState>,
    Path((id, span_id)): Path<(String, String)>,
    CsrfForm(ctx, form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let review_id = parse_id(&id)?;
    let span_id = parse_id(&span_id)?;
    let accept = match form.get("decision").map(String::as_str) {
        Some("accept") => true,
        Some("reject") => false,
        _ => return Err(WebError::Status(StatusCode::UNPROCESSABLE_ENTITY)),
    };
    match state
        .services
        .decide_redaction_span(actor, review_id, span_id, accept)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!(
            "/staff/redaction/reviews/{review_id}#span-{span_id}"
        ))
        .into_response()),
        Err(error) => rejected(&state, &ctx, review_id, error, Default::default()).await,
    }
}

async fn decide_category(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let review_id = parse_id(&id)?;
    let accept = match form.get("decision").map(String::as_str) {
        Some("accept") => true,
        Some("reject") => false,
        _ => return Err(WebError::Status(StatusCode::UNPROCESSABLE_ENTITY)),
    };
    let category = form.get("category").cloned().unwrap_or_default();
    match state
        .services
        .decide_redaction_suggestions_of_category(actor, review_id, &category, accept)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/staff/redaction/reviews/{review_id}")).into_response()),
        Err(error) => rejected(&state, &ctx, review_id, error, Default::default()).await,
    }
}

async fn add_span(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let review_id = parse_id(&id)?;
    let field = |name: &str| form.get(name).cloned().unwrap_or_default();
    let values = [field("start"), field("end"), field("needle")];
    let result = if field("mode") == "text" {
        state
            .services
            .add_redaction_spans_by_text(
                actor,
                review_id,
                &field("needle"),
                &field("category"),
                &field("ground"),
            )
            .await
            .map(|added| (added.n_added, added.n_overlapping))
    } else {
        state
            .services
            .add_redaction_span_by_offsets(
                actor,
                review_id,
                &field("start"),
                &field("end"),
                &field("category"),
                &field("ground"),
            )
            .await
            .map(|_| (1, 0))
    };
    match result {
        Ok((added, overlapping)) => Ok(Redirect::to(&format!(
            "/staff/redaction/reviews/{review_id}?added={added}&overlapping={overlapping}"
        ))
        .into_response()),
        Err(error) => rejected(&state, &ctx, review_id, error, values).await,
    }
}

async fn confirm(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let review_id = parse_id(&id)?;
    let style = form.get("mask_style").cloned().unwrap_or_default();
    match state
        .services
        .confirm_redaction_review(actor, review_id, &style)
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/staff/redaction/reviews/{review_id}")).into_response())
        }
        Err(error) => rejected(&state, &ctx, review_id, error, Default::default()).await,
    }
}

/// The confirmed output, or a clear refusal while the review is open.
async fn confirmed_output(
    state: &AppState,
    ctx: &Ctx,
    id: &str,
) -> Result<RedactedOutput, WebError> {
    let actor = ctx.require_actor()?;
    Ok(state.services.redacted_output(actor, parse_id(id)?).await?)
}

const OUTPUT_TITLE_ZH: &str = "政府信息（区分处理后公开文本）";

fn output_notes(output: &RedactedOutput) -> Vec<String> {
    let mut notes = Vec::new();
    if let Some(statement) = withheld_statement_zh(&output.withheld) {
        notes.push(format!("说明：{statement}"));
    }
    notes.push(format!(
        "本文本于{}（北京时间）经人工审查确认后生成，删除的内容未保留在本文件中。",
        format_beijing(output.confirmed_at)
    ));
    notes
}

#[derive(Template)]
#[template(path = "redaction_output.html")]
pub(crate) struct OutputPage {
    pub title: &'static str,
    pub reference: String,
    pub lines: Vec<String>,
    pub notes: Vec<String>,
}

fn download_headers(
    content_type: &'static str,
    filename: &str,
) -> [(header::HeaderName, HeaderValue); 3] {
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{filename}\""))
        .unwrap_or(HeaderValue::from_static("inline"));
    [
        (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
        (header::CONTENT_DISPOSITION, disposition),
        (header::CACHE_CONTROL, HeaderValue::from_static("no-store")),
    ]
}

async fn output_html(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let output = confirmed_output(&state, &ctx, &id).await?;
    let page = OutputPage {
        title: OUTPUT_TITLE_ZH,
        reference: output.reference.clone(),
        lines: output.redacted_text.lines().map(str::to_string).collect(),
        notes: output_notes(&output),
    };
    Ok((
        download_headers(
            "text/html; charset=utf-8",
            &format!("redacted-{}.html", output.review_id),
        ),
        page.render()?,
    )
        .into_response())
}

async fn output_text(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let output = confirmed_output(&state, &ctx, &id).await?;
    let mut body = format!("{OUTPUT_TITLE_ZH}\n");
    if !output.reference.is_empty() {
        body.push_str(&output.reference);
        body.push('\n');
    }
    body.push('\n');
    body.push_str(&output.redacted_text);
    if !body.ends_with('\n') {
        body.push('\n');
    }
    body.push_str("\n——————\n");
    for note in output_notes(&output) {
        body.push_str(&note);
        body.push('\n');
    }
    Ok((
        download_headers(
            "text/plain; charset=utf-8",
            &format!("redacted-{}.txt", output.review_id),
        ),
        body,
    )
        .into_response())
}

/// The lines of a text as PDF paragraphs, a line longer than the renderer's paragraph limit
/// cut into pieces of that length, so that a long unbroken text still prints.
fn pdf_paragraphs(text: &str) -> Vec<String> {
    let mut paragraphs = Vec::new();
    for line in text.lines() {
        let chars: Vec<char> = line.chars().collect();
        if chars.is_empty() {
            paragraphs.push(String::new());
        }
        for piece in chars.chunks(gongkai_render::PARAGRAPH_CHARS_MAX) {
            paragraphs.push(piece.iter().collect());
        }
    }
    paragraphs
}

async fn output_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let output = confirmed_output(&state, &ctx, &id).await?;
    let document = RedactedDocumentPdf {
        title: OUTPUT_TITLE_ZH.to_string(),
        reference: output.reference.clone(),
        paragraphs: pdf_paragraphs(&output.redacted_text),
        notes: output_notes(&output),
    };
    let bytes = crate::pdf::typeset(&state, move |r| r.render_redacted_document(&document)).await?;
    Ok((
        download_headers(
            "application/pdf",
            &format!("redacted-{}.pdf", output.review_id),
        ),
        bytes,
    )
        .into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_cut_for_the_pdf_and_empty_lines_kept() {
        let long = "字".repeat(gongkai_render::PARAGRAPH_CHARS_MAX + 5);
        let paragraphs = pdf_paragraphs(&format!("甲\n\n{long}"));
        assert_eq!(paragraphs.len(), 4);
        assert_eq!(paragraphs[1], "");
        assert_eq!(
            paragraphs[2].chars().count(),
            gongkai_render::PARAGRAPH_CHARS_MAX
        );
        assert_eq!(paragraphs[3], "字".repeat(5));
    }

    #[test]
    fn segments_mark_spans_and_keep_line_breaks() {
        let span = SpanRow {
            number: 1,
            id: Uuid::nil(),
            start: 3,
            end: 5,
            text: "张三".to_string(),
            category: "姓名".to_string(),
            ground: "第十五条".to_string(),
            confidence: 80,
            origin: "suggested",
            status: "suggested".to_string(),
            status_label: "待处理建议",
            reason: String::new(),
        };
        let segments = segments_of(Lang::Zh, "申请人张三\n住址", &[span]);
        let kinds: Vec<&str> = segments.iter().map(|s| s.kind).collect();
        assert_eq!(kinds, ["text", "mark", "break", "text"]);
        assert_eq!(segments[1].text, "张三");
        assert!(segments[1].label.contains("姓名"));
    }
}
