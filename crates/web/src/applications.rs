//! Pages of the application workflow: applying (Art. 29), the applicant's own list and
//! timeline, the staff queue with due-soon and overdue marking, registering applications that
//! arrived by other channels, and one page per application with the actions its stage allows.

use crate::AppState;
use crate::ctx::{CsrfForm, Ctx};
use crate::error::WebError;
use crate::i18n::Lang;
use crate::pages::{level_label, render};
use crate::templates::{
    AllowedActions, ApplicationFormValues, ApplicationListPage, ApplicationListRow,
    ApplicationPage, ApplyChoosePage, ApplyPage, Base, Choice, ConsultationView, DeadlineView,
    DirectoryEntry, Problems, SuggestionView, TimelineEntry,
};
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_domain::account::Role;
use gongkai_domain::application::{
    Command, CommunicationMethod, CommunicationOutcome, ConsultationParty, Event,
    REGISTRATION_CHANNELS, Stage,
};
use gongkai_domain::application_form::{
    ApplicantKind, ApplicationInput, DeliveryMethod, InformationForm,
};
use gongkai_domain::calendar::{format_iso_date, parse_iso_date};
use gongkai_domain::deadline::{DeadlineKind, DeadlineStatus};
use gongkai_domain::identity::IdentityDocumentKind;
use gongkai_domain::reply::ReplyKind;
use gongkai_service::{Actor, ApplicationRow, ApplicationView, QueueFilter, ServiceError};
use serde::Deserialize;
use uuid::Uuid;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/apply", get(choose_agency))
        .route("/a/{slug}/apply", get(apply_page).post(apply_submit))
        .route("/my/applications", get(my_applications))
        .route("/my/inbox", get(inbox))
        .route("/applications/{id}", get(application_page))
        .route("/applications/{id}/act", post(act))
        .route("/applications/{id}/rating", post(rate))
        .route("/applications/{id}/archive.zip", get(archive))
        .route(
            "/applications/{id}/attachments",
            post(upload).layer(axum::extract::DefaultBodyLimit::max(UPLOAD_BODY_MAX_BYTES)),
        )
        .route(
            "/applications/{id}/attachments/{attachment_id}",
            get(download),
        )
        .route("/staff/applications", get(staff_queue))
        .route("/staff/dashboard", get(dashboard))
        .route(
            "/staff/applications/new",
            get(register_page).post(register_submit),
        )
}

fn pick(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

fn choices<T: Copy>(
    all: &[T],
    selected: &str,
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Choice> {
    all.iter()
        .map(|item| Choice {
            value: code(*item).to_string(),
            label: label(*item).to_string(),
            selected: code(*item) == selected,
        })
        .collect()
}

fn new_key() -> String {
    gongkai_service::random_hex(16).unwrap_or_default()
}

fn apply_view(
    ctx: &Ctx,
    agency_name: String,
    action: String,
    problems: Problems,
    mut values: ApplicationFormValues,
    staff: bool,
) -> ApplyPage {
    let lang = ctx.lang;
    if values.applicant_kind.is_empty() {
        values.applicant_kind = ApplicantKind::NaturalPerson.code().to_string();
    }
    if values.identity_kind.is_empty() {
        values.identity_kind = IdentityDocumentKind::ResidentIdCard.code().to_string();
    }
    if values.form_preference.is_empty() {
        values.form_preference = InformationForm::Electronic.code().to_string();
    }
    if values.delivery_preference.is_empty() {
        values.delivery_preference = DeliveryMethod::PortalDownload.code().to_string();
    }
    if values.idempotency_key.is_empty() {
        values.idempotency_key = new_key();
    }
    let staff_channels = staff.then(|| {
        REGISTRATION_CHANNELS
            .iter()
            .map(|code| Choice {
                value: (*code).to_string(),
                label: channel_label(lang, code).to_string(),
                selected: values.channel == *code,
            })
            .collect()
    });
    ApplyPage {
        base: Base::new(ctx, "apply.title"),
        problems,
        agency_name,
        action,
        applicant_kinds: choices(
            &ApplicantKind::ALL,
            &values.applicant_kind,
            ApplicantKind::code,
            |k| pick(lang, k.label_zh(), k.label_en()),
        ),
        identity_kinds: choices(
            &IdentityDocumentKind::ALL,
            &values.identity_kind,
            IdentityDocumentKind::code,
            |k| pick(lang, k.label_zh(), k.label_en()),
        ),
        forms: choices(
            &InformationForm::ALL,
            &values.form_preference,
            InformationForm::code,
            |k| pick(lang, k.label_zh(), k.label_en()),
        ),
        deliveries: choices(
            &DeliveryMethod::ALL,
            &values.delivery_preference,
            DeliveryMethod::code,
            |k| pick(lang, k.label_zh(), k.label_en()),
        ),
        staff_channels,
        values,
    }
}

pub(crate) fn channel_label(lang: Lang, code: &str) -> &'static str {
    match code {
        "online" => pick(lang, "网上申请", "Online"),
        "in_person" => pick(lang, "当面提交", "In person"),
        "oral" => pick(
            lang,
            "口头提出（代为填写）",
            "Oral (form filled in by staff)",
        ),
        "post_signed_for" => pick(lang, "邮寄（签收）", "Post (signed for)"),
        "post_without_signature" => pick(lang, "平邮（无需签收）", "Ordinary post"),
        "fax" => pick(lang, "传真", "Fax"),
        "email" => pick(lang, "电子邮件", "E-mail"),
        _ => "",
    }
}

fn input_of(v: &ApplicationFormValues) -> ApplicationInput<'_> {
    ApplicationInput {
        applicant_kind: &v.applicant_kind,
        name: &v.name,
        identity_kind: &v.identity_kind,
        identity_number: &v.identity_number,
        organisation_code: &v.organisation_code,
        legal_representative: &v.legal_representative,
        contact_phone: &v.contact_phone,
        contact_email: &v.contact_email,
        postal_address: &v.postal_address,
        information_description: &v.information_description,
        document_number: &v.document_number,
        purpose: &v.purpose,
        form_preference: &v.form_preference,
        delivery_preference: &v.delivery_preference,
    }
}

async fn choose_agency(
    State(state): State<AppState>,
    ctx: Ctx,
    prefill: Result<Query<ApplyPrefill>, QueryRejection>,
) -> Result<Response, WebError> {
    let prefill_query = match prefill {
        Ok(Query(p)) if !p.description.trim().is_empty() => format!(
            "?{}",
            serde_urlencoded::to_string([(
                "description",
                p.description.chars().take(500).collect::<String>()
            )])
            .unwrap_or_default()
        ),
        _ => String::new(),
    };
    let tree = state.services.agency_tree().await?;
    let base = Base::new(&ctx, "apply.title");
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
    render(ApplyChoosePage {
        base,
        directory,
        prefill_query,
    })
}

/// Query of the application form: a description to start from, when the visitor comes from a
/// search that found nothing or from a document page.
#[derive(Debug, Default, Deserialize)]
struct ApplyPrefill {
    #[serde(default)]
    description: String,
}

async fn apply_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(slug): Path<String>,
    prefill: Result<Query<ApplyPrefill>, QueryRejection>,
) -> Result<Response, WebError> {
    ctx.require_actor()?;
    let agency = state.services.agency_by_slug(&slug).await?;
    let name = Base::new(&ctx, "apply.title")
        .pick(&agency.name_zh, &agency.name_en)
        .to_string();
    let mut values = ApplicationFormValues::default();
    if let Ok(Query(prefill)) = prefill {
        values.information_description = prefill.description.chars().take(500).collect();
    }
    if let Some(actor) = &ctx.actor {
        values.name = actor.display_name.clone();
        values.contact_email = actor.email.clone().unwrap_or_default();
        values.contact_phone = actor.mobile.clone().unwrap_or_default();
    }
    render(apply_view(
        &ctx,
        name,
        format!("/a/{slug}/apply"),
        Problems::default(),
        values,
        false,
    ))
}

async fn apply_submit(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    CsrfForm(ctx, values): CsrfForm<ApplicationFormValues>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let agency = state.services.agency_by_slug(&slug).await?;
    match state
        .services
        .submit_application(
            &actor,
            agency.id,
            &input_of(&values),
            &values.idempotency_key,
        )
        .await
    {
        Ok(row) => Ok(Redirect::to(&format!("/applications/{}", row.id)).into_response()),
        Err(ServiceError::Invalid(p)) => {
            let name = Base::new(&ctx, "apply.title")
                .pick(&agency.name_zh, &agency.name_en)
                .to_string();
            let page = apply_view(
                &ctx,
                name,
                format!("/a/{slug}/apply"),
                Problems::from_form(ctx.lang, &p),
                values,
                false,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn stage_label(lang: Lang, code: &str) -> &'static str {
    Stage::parse(code)
        .map(|s| pick(lang, s.label_zh(), s.label_en()))
        .unwrap_or("")
}

pub(crate) fn summary(text: &str) -> String {
    const SUMMARY_CHARS: usize = 40;
    let mut out: String = text.chars().take(SUMMARY_CHARS).collect();
    if text.chars().count() > SUMMARY_CHARS {
        out.push('…');
    }
    out
}

/// Marks applications whose reply is overdue or due within this many working days.
const DUE_SOON_WORKING_DAYS: i64 = 3;

fn list_rows(
    state: &AppState,
    ctx: &Ctx,
    rows: &[ApplicationRow],
    calendar: &gongkai_domain::calendar::WorkingDayCalendar,
) -> Vec<ApplicationListRow> {
    rows.iter()
        .map(|r| {
            let left = r
                .reply_due_date
                .map(|d| state.services.working_days_left(calendar, d));
            let open = Stage::parse(&r.stage).is_some_and(Stage::is_open);
            let (urgency, urgency_label) = match left {
                Some(l) if open && l < 0 => ("overdue", ctx.t("queue.overdue")),
                Some(l) if open && l <= DUE_SOON_WORKING_DAYS => {
                    ("due-soon", ctx.t("queue.due_soon"))
                }
                _ => ("", ""),
            };
            ApplicationListRow {
                href: format!("/applications/{}", r.id),
                receipt_number: r.receipt_number.clone(),
                applicant_name: r.applicant_name.clone(),
                summary: summary(&r.information_description),
                stage: stage_label(ctx.lang, &r.stage),
                receipt_date: r.receipt_date.map(format_iso_date).unwrap_or_default(),
                due: if open {
                    r.reply_due_date.map(format_iso_date).unwrap_or_default()
                } else {
                    String::new()
                },
                due_provisional: open && r.reply_due_provisional,
                urgency,
                urgency_label,
            }
        })
        .collect()
}

async fn my_applications(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let rows = state.services.my_applications(actor).await?;
    let calendar = state.services.working_day_calendar().await?;
    render(ApplicationListPage {
        base: Base::new(&ctx, "my.title"),
        heading: ctx.t("my.title").to_string(),
        rows: list_rows(&state, &ctx, &rows, &calendar),
        is_staff_queue: false,
        stage_filter: Vec::new(),
        sort_choices: Vec::new(),
        due_soon_only: false,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct QueueQuery {
    stage: String,
    due_soon: String,
    sort: String,
}

async fn staff_queue(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let query = query.map(|Query(q)| q).unwrap_or_default();
    let calendar = state.services.working_day_calendar().await?;
    let open: Vec<String> = Stage::ALL
        .into_iter()
        .filter(|s| s.is_open())
        .map(|s| s.code().to_string())
        .collect();
    let stages = match query.stage.as_str() {
        "" | "open" => open,
        "all" => Vec::new(),
        code => match Stage::parse(code) {
            Some(s) => vec![s.code().to_string()],
            None => return Err(WebError::Status(StatusCode::BAD_REQUEST)),
        },
    };
    let due_soon_only = query.due_soon == "1";
    let sort = gongkai_service::QueueSort::parse(&query.sort)
        .ok_or(WebError::Status(StatusCode::BAD_REQUEST))?;
    let due_on_or_before = if due_soon_only {
        let today = state.services.clock.today_in_china();
        Some(
            calendar
                .add_working_days(today, DUE_SOON_WORKING_DAYS as u32, Default::default())
                .date,
        )
    } else {
        None
    };
    let rows = state
        .services
        .application_queue(
            actor,
            QueueFilter {
                stages,
                due_on_or_before,
                sort,
                limit: 200,
                ..QueueFilter::default()
            },
        )
        .await?;
    let mut stage_filter = vec![
        Choice {
            value: "open".into(),
            label: ctx.t("queue.all_open").into(),
            selected: query.stage.is_empty() || query.stage == "open",
        },
        Choice {
            value: "all".into(),
            label: ctx.t("queue.all").into(),
            selected: query.stage == "all",
        },
    ];
    stage_filter.extend(Stage::ALL.into_iter().map(|s| Choice {
        value: s.code().into(),
        label: pick(ctx.lang, s.label_zh(), s.label_en()).into(),
        selected: query.stage == s.code(),
    }));
    render(ApplicationListPage {
        base: Base::new(&ctx, "queue.title"),
        heading: ctx.t("queue.title").to_string(),
        rows: list_rows(&state, &ctx, &rows, &calendar),
        is_staff_queue: true,
        stage_filter,
        sort_choices: [
            ("due", "queue.sort_due"),
            ("newest", "queue.sort_newest"),
            ("number", "queue.sort_number"),
        ]
        .into_iter()
        .map(|(value, key)| Choice {
            value: value.to_string(),
            label: ctx.t(key).to_string(),
            selected: query.sort == value || (query.sort.is_empty() && value == "due"),
        })
        .collect(),
        due_soon_only,
    })
}

/// The agency where the actor registers applications: the first where it holds an intake role.
fn intake_agency(
    state: &AppState,
    actor: &Actor,
    tree: &gongkai_service::AgencyTree,
) -> Option<Uuid> {
    tree.agencies.iter().map(|a| a.id).find(|id| {
        state
            .services
            .roles_in_agency(actor, *id)
            .iter()
            .any(|r| matches!(r, Role::OgiOffice | Role::Clerk))
    })
}

async fn register_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let tree = state.services.agency_tree().await?;
    let agency_id =
        intake_agency(&state, actor, &tree).ok_or(WebError::Status(StatusCode::FORBIDDEN))?;
    let agency = state.services.agency(agency_id).await?;
    let values = ApplicationFormValues {
        channel: "in_person".into(),
        receipt_date: format_iso_date(state.services.clock.today_in_china()),
        delivery_preference: DeliveryMethod::CollectInPerson.code().into(),
        form_preference: InformationForm::Paper.code().into(),
        ..Default::default()
    };
    let name = Base::new(&ctx, "apply.title")
        .pick(&agency.name_zh, &agency.name_en)
        .to_string();
    render(apply_view(
        &ctx,
        name,
        "/staff/applications/new".into(),
        Problems::default(),
        values,
        true,
    ))
}

async fn register_submit(
    State(state): State<AppState>,
    CsrfForm(ctx, values): CsrfForm<ApplicationFormValues>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let tree = state.services.agency_tree().await?;
    let agency_id =
        intake_agency(&state, &actor, &tree).ok_or(WebError::Status(StatusCode::FORBIDDEN))?;
    match state
        .services
        .register_application(
            &actor,
            agency_id,
            &input_of(&values),
            &values.channel,
            &values.receipt_date,
        )
        .await
    {
        Ok(row) => Ok(Redirect::to(&format!("/applications/{}", row.id)).into_response()),
        Err(ServiceError::Invalid(p)) => {
            let agency = state.services.agency(agency_id).await?;
            let name = Base::new(&ctx, "apply.title")
                .pick(&agency.name_zh, &agency.name_en)
                .to_string();
            let page = apply_view(
                &ctx,
                name,
                "/staff/applications/new".into(),
                Problems::from_form(ctx.lang, &p),
                values,
                true,
            );
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

fn deadline_title(lang: Lang, kind: DeadlineKind) -> &'static str {
    match kind {
        DeadlineKind::CorrectionNotice => pick(
            lang,
            "补正告知期限（第三十条，7个工作日）",
            "Correction notice (Art. 30, 7 working days)",
        ),
        DeadlineKind::Reply => pick(
            lang,
            "答复期限（第三十三条，20个工作日）",
            "Reply (Art. 33, 20 working days)",
        ),
        DeadlineKind::ExtendedReply => pick(
            lang,
            "延长后的答复期限（第三十三条）",
            "Extended reply (Art. 33)",
        ),
        DeadlineKind::DelayedReply => pick(
            lang,
            "另行确定的答复期限（第三十五条）",
            "Delayed reply (Art. 35)",
        ),
        DeadlineKind::ThirdPartyConsultation => pick(
            lang,
            "第三方意见期限（第三十二条）",
            "Third-party views (Art. 32)",
        ),
        DeadlineKind::OtherAgencyConsultation => pick(
            lang,
            "其他机关意见期限（第三十四条）",
            "Other agency's views (Art. 34)",
        ),
        DeadlineKind::FeePayment => pick(lang, "缴费期限", "Fee payment"),
    }
}

fn deadline_status(lang: Lang, status: DeadlineStatus) -> String {
    match status {
        DeadlineStatus::Open => pick(lang, "进行中", "Running").to_string(),
        DeadlineStatus::Paused => pick(lang, "暂停计算", "Paused").to_string(),
        DeadlineStatus::Done { on, late } => format!(
            "{} {}{}",
            pick(lang, "已完成", "Done on"),
            format_iso_date(on),
            if late {
                pick(lang, "（逾期）", " (late)")
            } else {
                ""
            }
        ),
        DeadlineStatus::Lapsed { on } => format!(
            "{} {}",
            pick(lang, "已届满", "Lapsed on"),
            format_iso_date(on)
        ),
    }
}

fn event_title(lang: Lang, event: &Event) -> (String, String) {
    let t = |zh: &'static str, en: &'static str| pick(lang, zh, en).to_string();
    match event {
        Event::Submitted { .. } => (t("网上提交申请", "Submitted online"), String::new()),
        Event::Registered {
            channel,
            receipt_date,
        } => (
            t("登记申请", "Registered"),
            format!(
                "{} · {}",
                channel_label(lang, channel),
                format_iso_date(*receipt_date)
            ),
        ),
        Event::ReceiptConfirmed { receipt_date } => (
            t("确认收到申请（第三十一条）", "Receipt confirmed (Art. 31)"),
            format_iso_date(*receipt_date),
        ),
        Event::CorrectionRequested { items, due, .. } => (
            t("发出补正告知（第三十条）", "Correction requested (Art. 30)"),
            format!(
                "{}\n{} {}",
                items.join("\n"),
                pick(lang, "补正期限", "by"),
                format_iso_date(*due)
            ),
        ),
        Event::CorrectionSubmitted { text, .. } => {
            (t("申请人提交补正", "Correction submitted"), text.clone())
        }
        Event::CorrectionLapsed { .. } => (
            t(
                "逾期未补正，视为放弃申请",
                "Correction lapsed; deemed abandoned",
            ),
            String::new(),
        ),
        Event::Accepted { .. } => (t("受理", "Accepted"), String::new()),
        Event::Assigned {
            departments, lead, ..
        } => (
            t("分办至承办部门", "Assigned to departments"),
            format!("{} ({})", departments.len(), lead),
        ),
        Event::ConsultationStarted {
            party, party_name, ..
        } => (
            t("发起征求意见", "Consultation started"),
            format!(
                "{} · {party_name}",
                pick(lang, party.label_zh(), party.label_en())
            ),
        ),
        Event::ConsultationAnswered { answer, .. } => {
            (t("收到意见", "Views received"), answer.clone())
        }
        Event::ExtensionApproved {
            working_days,
            reason,
            ..
        } => (
            t(
                "批准延长答复期限（第三十三条）",
                "Extension approved (Art. 33)",
            ),
            format!("{working_days} · {reason}"),
        ),
        Event::SensitivityFlagged { .. } => (
            t(
                "标记为敏感，适用较高审核层级",
                "Flagged sensitive: higher review tier",
            ),
            String::new(),
        ),
        Event::ReplyDrafted { .. } => (t("拟写答复", "Reply drafted"), String::new()),
        Event::SubmittedForReview { steps, .. } => (
            t("提交审核", "Submitted for review"),
            steps
                .iter()
                .filter_map(|s| Role::parse(s))
                .map(|r| pick(lang, r.label_zh(), r.label_en()))
                .collect::<Vec<_>>()
                .join(" → "),
        ),
        Event::ReviewApproved { step, comment, .. } => (
            format!(
                "{}：{}",
                t("审核通过", "Approved"),
                Role::parse(step)
                    .map(|r| pick(lang, r.label_zh(), r.label_en()))
                    .unwrap_or("")
            ),
            comment.clone(),
        ),
        Event::ReviewRejected { reason, .. } => {
            (t("退回修改", "Returned for revision"), reason.clone())
        }
        Event::ReplyIssued { .. } => (t("出具答复", "Reply issued"), String::new()),
        Event::Delivered { method, .. } => (t("送达", "Delivered"), method.clone()),
        Event::Archived { .. } => (t("归档", "Archived"), String::new()),
        Event::Withdrawn { reason, .. } => (
            t("申请人撤回申请", "Withdrawn by the applicant"),
            reason.clone(),
        ),
        Event::FeeNoticeIssued {
            amount_fen, due, ..
        } => (
            t(
                "发出信息处理费收费通知（国办函〔2020〕109号）",
                "Fee notice issued",
            ),
            format!(
                "{} · {} {}",
                gongkai_domain::fees::format_fen_as_yuan(*amount_fen),
                pick(lang, "缴费期限", "pay by"),
                format_iso_date(*due)
            ),
        ),
        Event::AttachmentAdded { filename, .. } => {
            (t("添加附件", "Attachment added"), filename.clone())
        }
        Event::FeePaid { .. } => (t("已缴纳信息处理费", "Fee paid"), String::new()),
        Event::FeePaymentLapsed { .. } => (
            t(
                "逾期未缴费，不再处理",
                "Fee not paid in time; no longer handled",
            ),
            String::new(),
        ),
        Event::CommunicationRecorded {
            method,
            outcome,
            summary,
            ..
        } => (
            format!(
                "{}（{}）",
                t(
                    "答复前与申请人沟通",
                    "Talked with the applicant before replying"
                ),
                pick(lang, method.label_zh(), method.label_en())
            ),
            format!(
                "{}\n{summary}",
                pick(lang, outcome.label_zh(), outcome.label_en())
            ),
        ),
    }
}

fn event_date(event: &Event) -> Option<time::Date> {
    Some(match event {
        Event::Submitted { on }
        | Event::CorrectionRequested { on, .. }
        | Event::CorrectionSubmitted { on, .. }
        | Event::CorrectionLapsed { on }
        | Event::Accepted { on }
        | Event::Assigned { on, .. }
        | Event::ConsultationStarted { on, .. }
        | Event::ConsultationAnswered { on, .. }
        | Event::ExtensionApproved { on, .. }
        | Event::SensitivityFlagged { on, .. }
        | Event::ReplyDrafted { on, .. }
        | Event::SubmittedForReview { on, .. }
        | Event::ReviewApproved { on, .. }
        | Event::ReviewRejected { on, .. }
        | Event::ReplyIssued { on }
        | Event::Delivered { on, .. }
        | Event::Archived { on }
        | Event::Withdrawn { on, .. }
        | Event::FeeNoticeIssued { on, .. }
        | Event::FeePaid { on }
        | Event::AttachmentAdded { on, .. }
        | Event::CommunicationRecorded { on, .. }
        | Event::FeePaymentLapsed { on } => *on,
        Event::Registered { receipt_date, .. } | Event::ReceiptConfirmed { receipt_date } => {
            *receipt_date
        }
    })
}

fn reply_kind_label(lang: Lang, code: &str) -> String {
    ReplyKind::ALL
        .iter()
        .find(|k| k.row_code() == code)
        .map(|k| match lang {
            Lang::Zh => k.label_zh(),
            Lang::En => k.label_en().to_string(),
        })
        .unwrap_or_else(|| code.to_string())
}

pub(crate) async fn application_view_page(
    state: &AppState,
    ctx: &Ctx,
    view: ApplicationView,
    problems: Problems,
) -> Result<ApplicationPage, WebError> {
    let actor = ctx.require_actor()?;
    let lang = ctx.lang;
    let row = &view.row;
    let agency = state.services.agency(row.agency_id).await?;
    let base = Base::new(ctx, "application.title");
    // Staff of the agency see everything; the actions offered are those of the roles that
    // count on this application (a department's staff act only on its own assignments).
    let is_staff_view = !state
        .services
        .roles_in_agency(actor, row.agency_id)
        .is_empty();
    let roles = state
        .services
        .roles_for_application(actor, row.agency_id, &view.state.departments);
    let is_applicant = row.applicant_account_id == Some(actor.account_id);
    let st = &view.state;
    let has = |wanted: &[Role]| roles.iter().any(|r| wanted.contains(r));
    let intake = has(&[Role::OgiOffice, Role::Clerk]);
    let today = state.services.clock.today_in_china();
    let stage = st.stage;
    let actions = AllowedActions {
        confirm_receipt: intake && stage == Stage::Submitted,
        request_correction: intake && stage == Stage::Received && !st.correction_requested,
        accept: intake && stage == Stage::Received,
        assign: intake && matches!(stage, Stage::Accepted | Stage::InHandling),
        consult: has(&[
            Role::OgiOffice,
            Role::Clerk,
            Role::Liaison,
            Role::DepartmentReviewer,
        ]) && stage == Stage::InHandling,
        extend: has(&[Role::OgiOffice])
            && !st.extension_approved
            && matches!(
                stage,
                Stage::Received
                    | Stage::Accepted
                    | Stage::InHandling
                    | Stage::ReplyDrafted
                    | Stage::InReview
                    | Stage::ReviewApproved
            ),
        draft_reply: intake
            && matches!(
                stage,
                Stage::Received | Stage::Accepted | Stage::InHandling | Stage::ReplyDrafted
            )
            && st.open_consultations().next().is_none(),
        submit_for_review: intake && stage == Stage::ReplyDrafted,
        review: st.next_review_step().is_some_and(|s| roles.contains(&s)),
        issue: has(&[Role::OgiOffice]) && stage == Stage::ReviewApproved,
        deliver: intake && stage == Stage::Issued,
        archive: intake
            && matches!(
                stage,
                Stage::Delivered | Stage::Abandoned | Stage::Withdrawn
            ),
        lapse_correction: intake
            && stage == Stage::CorrectionRequested
            && st.correction_due.is_some_and(|d| today > d),
        submit_correction: is_applicant && stage == Stage::CorrectionRequested,
        withdraw: is_applicant && stage.is_open() && !matches!(stage, Stage::Issued),
        fee_notice: intake
            && matches!(stage, Stage::Accepted | Stage::InHandling)
            && !st.fee_notice_issued,
        fee_payment: intake && st.fee_pending.is_some(),
        // Pre-reply communication (前置沟通): before the reply is issued, by whoever handles it.
        record_communication: has(&[
            Role::OgiOffice,
            Role::Clerk,
            Role::Liaison,
            Role::DepartmentReviewer,
        ]) && matches!(
            stage,
            Stage::Submitted
                | Stage::Received
                | Stage::CorrectionRequested
                | Stage::Accepted
                | Stage::InHandling
                | Stage::ReplyDrafted
                | Stage::InReview
                | Stage::ReviewApproved
        ),
    };
    let communications = st
        .communications
        .iter()
        .map(|c| crate::templates::CommunicationView {
            date: format_iso_date(c.contacted_on),
            method: pick(lang, c.method.label_zh(), c.method.label_en()),
            outcome: pick(lang, c.outcome.label_zh(), c.outcome.label_en()),
            summary: c.summary.clone(),
        })
        .collect();
    let communication_methods = CommunicationMethod::ALL
        .iter()
        .map(|m| Choice {
            value: m.code().to_string(),
            label: pick(lang, m.label_zh(), m.label_en()).to_string(),
            selected: false,
        })
        .collect();
    let communication_outcomes = CommunicationOutcome::ALL
        .iter()
        .map(|o| Choice {
            value: o.code().to_string(),
            label: pick(lang, o.label_zh(), o.label_en()).to_string(),
            selected: false,
        })
        .collect();
    let departments = state.services.departments(row.agency_id).await?;
    let department_name = |id: &str| {
        departments
            .iter()
            .find(|d| d.id.to_string() == id)
            .map(|d| base.pick(&d.name_zh, &d.name_en).to_string())
            .unwrap_or_else(|| id.to_string())
    };
    let mut timeline: Vec<TimelineEntry> = view
        .events
        .iter()
        .map(|(_, e)| {
            let (title, mut detail) = event_title(lang, e);
            if let Event::Assigned {
                departments: ds,
                lead,
                ..
            } = e
            {
                detail = format!(
                    "{}（{}：{}）",
                    ds.iter()
                        .map(|d| department_name(d))
                        .collect::<Vec<_>>()
                        .join("、"),
                    pick(lang, "牵头", "lead"),
                    department_name(lead)
                );
            }
            TimelineEntry {
                date: event_date(e).map(format_iso_date).unwrap_or_default(),
                title,
                detail,
            }
        })
        .collect();
    // Staff see every step; the applicant sees the milestones, not the internal drafting,
    // review and department consultations (whose answers are internal working papers).
    if !is_staff_view {
        let internal: Vec<bool> = view
            .events
            .iter()
            .map(|(_, e)| match e {
                Event::Assigned { .. }
                | Event::ConsultationAnswered { .. }
                | Event::SensitivityFlagged { .. }
                | Event::ReplyDrafted { .. }
                | Event::SubmittedForReview { .. }
                | Event::ReviewApproved { .. }
                | Event::ReviewRejected { .. } => true,
                Event::ConsultationStarted { party, .. } => *party == ConsultationParty::Department,
                _ => false,
            })
            .collect();
        let mut flags = internal.into_iter();
        timeline.retain(|_| !flags.next().unwrap_or(false));
    }
    let deadlines: Vec<DeadlineView> = view
        .deadlines
        .as_ref()
        .map(|summary| {
            summary
                .deadlines
                .iter()
                .map(|d| DeadlineView {
                    title: deadline_title(lang, d.kind).to_string(),
                    due: format_iso_date(d.due.date),
                    provisional: d.due.provisional,
                    status: deadline_status(lang, d.status),
                    derivation: match lang {
                        Lang::Zh => d.derivation.zh.clone(),
                        Lang::En => d.derivation.en.clone(),
                    },
                })
                .collect()
        })
        .unwrap_or_default();
    let effective = view.deadlines.as_ref().and_then(|s| s.effective_reply());
    let (expected_completion, expected_completion_provisional) = match (effective, stage.is_open())
    {
        (Some(d), true) => (format_iso_date(d.due.date), d.due.provisional),
        (_, false) => (stage_label(lang, stage.code()).to_string(), false),
        (None, true) => (ctx.t("application.not_started").to_string(), false),
    };
    let draft = st.draft.as_ref();
    let show_draft = is_staff_view || stage_is_answered(stage);
    let reply_kinds = ReplyKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.row_code().to_string(),
            label: reply_kind_label(lang, k.row_code()),
            selected: draft.is_some_and(|d| d.reply_kind == k.row_code()),
        })
        .collect();
    let selected_departments = &st.departments;
    let rating = state
        .services
        .db
        .rating_get(row.id)
        .await
        .map_err(ServiceError::from)?;
    let attachments = state
        .services
        .db
        .attachments_of(row.id)
        .await
        .map_err(ServiceError::from)?
        .into_iter()
        .map(|a| crate::templates::AttachmentView {
            href: format!("/applications/{}/attachments/{}", row.id, a.id),
            filename: a.filename,
            sha256: a.sha256,
        })
        .collect();
    let prereview = if is_staff_view {
        Some(prereview_view(state, lang, actor, row).await)
    } else {
        None
    };
    let remedies = if is_staff_view {
        Some(crate::annual_report::remedy_section(state, ctx, actor, row.id).await?)
    } else {
        None
    };
    Ok(ApplicationPage {
        communications,
        communication_methods,
        communication_outcomes,
        remedies,
        prereview,
        may_rate: is_applicant && stage_is_answered(stage),
        may_upload: (is_applicant && stage.is_open()) || is_staff_view,
        attachments,
        rating: rating
            .map(|r| format!("{} / 5 {}", r.rating, r.comment))
            .unwrap_or_default(),
        problems,
        id: row.id.to_string(),
        version: row.version,
        receipt_number: row.receipt_number.clone(),
        stage: stage_label(lang, stage.code()),
        agency_name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
        applicant_name: row.applicant_name.clone(),
        applicant_kind: ApplicantKind::parse(&row.applicant_kind)
            .map(|k| pick(lang, k.label_zh(), k.label_en()))
            .unwrap_or(""),
        identity_masked: gongkai_domain::identity::mask_identity_number(&row.identity_number),
        contact: [
            row.contact_phone.as_str(),
            row.contact_email.as_str(),
            row.postal_address.as_str(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" · "),
        description: row.information_description.clone(),
        document_number: row.document_number.clone(),
        form_preference: InformationForm::parse(&row.form_preference)
            .map(|k| pick(lang, k.label_zh(), k.label_en()))
            .unwrap_or("")
            .to_string(),
        delivery_preference: DeliveryMethod::parse(&row.delivery_preference)
            .map(|k| pick(lang, k.label_zh(), k.label_en()))
            .unwrap_or("")
            .to_string(),
        channel: channel_label(lang, &row.channel).to_string(),
        receipt_date: st
            .receipt_date
            .map(format_iso_date)
            .unwrap_or_else(|| ctx.t("application.not_started").to_string()),
        expected_completion,
        expected_completion_provisional,
        deadlines,
        deadline_problem: view.deadline_problem.clone().unwrap_or_default(),
        timeline,
        correction_items: st.correction_items.clone(),
        correction_due: st.correction_due.map(format_iso_date).unwrap_or_default(),
        consultations: st
            .consultations
            .iter()
            .filter(|c| is_staff_view || c.party != ConsultationParty::Department)
            .map(|c| ConsultationView {
                id: c.id.clone(),
                party: pick(lang, c.party.label_zh(), c.party.label_en()),
                party_name: c.party_name.clone(),
                due: format_iso_date(c.due),
                answer: if is_staff_view {
                    c.answer.clone().unwrap_or_default()
                } else {
                    String::new()
                },
                open: c.answered_on.is_none(),
            })
            .collect(),
        draft_kind: draft
            .filter(|_| show_draft)
            .map(|d| reply_kind_label(lang, &d.reply_kind))
            .unwrap_or_default(),
        draft_body: draft
            .filter(|_| show_draft)
            .map(|d| d.body.clone())
            .unwrap_or_default(),
        review_next: st
            .next_review_step()
            .map(|r| pick(lang, r.label_zh(), r.label_en()).to_string())
            .unwrap_or_default(),
        reply_issued: stage_is_answered(stage),
        is_staff_view,
        actions,
        suggestions: if is_staff_view && matches!(stage, Stage::Submitted | Stage::Received) {
            state
                .services
                .precheck_suggestions(&view)
                .into_iter()
                .map(|item| SuggestionView {
                    text: pick(lang, item.explanation_zh, item.explanation_en).to_string(),
                    basis: item.legal_basis,
                })
                .collect()
        } else {
            Vec::new()
        },
        departments: departments
            .iter()
            .map(|d| Choice {
                value: d.id.to_string(),
                label: base.pick(&d.name_zh, &d.name_en).to_string(),
                selected: selected_departments.contains(&d.id.to_string()),
            })
            .collect(),
        reply_kinds,
        today: format_iso_date(today),
        base,
    })
}

fn stage_is_answered(stage: Stage) -> bool {
    matches!(stage, Stage::Issued | Stage::Delivered | Stage::Archived)
}

fn parse_id(raw: &str) -> Result<Uuid, WebError> {
    Uuid::parse_str(raw).map_err(|_| WebError::Status(StatusCode::NOT_FOUND))
}

/// The pre-review of an application's description (a pure first reading from
/// `gongkai_domain::prereview`), up to three published articles that may already answer it,
/// and the same applicant's earlier answered applications that it may repeat (Art. 36(6)). A
/// failure of the search or of the repeat check only leaves its list empty: the page must
/// still show.
async fn prereview_view(
    state: &AppState,
    lang: Lang,
    actor: &Actor,
    row: &ApplicationRow,
) -> crate::templates::PrereviewView {
    use gongkai_domain::prereview::{ApplicationKind, classify_application};
    use gongkai_service::gongkai_search::{Granularity, SearchRequest};
    let description = row.information_description.as_str();
    let classification = classify_application(description);
    let kind = match classification.kind {
        ApplicationKind::InformationRequest => {
            pick(lang, "政府信息公开申请", "Request for information")
        }
        ApplicationKind::PetitionOrComplaint => pick(
            lang,
            "信访、举报、投诉（第三十九条第一款：告知通过相应渠道提出）",
            "Petition or complaint (Art. 39 ¶1: refer to the proper channel)",
        ),
        ApplicationKind::Consultation => pick(
            lang,
            "咨询（第三十九条第一款）",
            "Consultation (Art. 39 ¶1)",
        ),
        ApplicationKind::PublicationsRequest => pick(
            lang,
            "索取公开出版物（第三十九条第二款）",
            "Request for publications (Art. 39 ¶2)",
        ),
        ApplicationKind::AlreadyPublished => pick(
            lang,
            "可能已主动公开（第三十六条第一项）",
            "Possibly already published (Art. 36(1))",
        ),
    };
    let reasons = classification
        .reasons
        .iter()
        .map(|r| match lang {
            Lang::Zh => r.explanation_zh.clone(),
            Lang::En => r.explanation_en.clone(),
        })
        .collect();
    let query: String = description.chars().take(100).collect();
    let published = match state
        .services
        .search_documents(&SearchRequest {
            query,
            granularity: Granularity::Articles,
            limit: 3,
            ..SearchRequest::default()
        })
        .await
    {
        Ok(results) => results
            .hits
            .iter()
            .map(|hit| {
                let href = match &hit.article_key {
                    Some(key) => format!(
                        "{}#art-{key}",
                        crate::documents::document_href(&hit.external_id)
                    ),
                    None => crate::documents::document_href(&hit.external_id),
                };
                let label = hit
                    .article_key
                    .as_deref()
                    .and_then(gongkai_domain::document::ArticleNumber::parse_key)
                    .map(|n| format!("{} {}", hit.title, n.label_zh()))
                    .unwrap_or_else(|| hit.title.clone());
                (href, label)
            })
            .collect(),
        Err(_) => Vec::new(),
    };
    let repeats = match state
        .services
        .earlier_similar_applications(actor, row.id)
        .await
    {
        Ok(candidates) => candidates
            .into_iter()
            .map(|c| crate::templates::RepeatCandidateView {
                href: format!("/applications/{}", c.application_id),
                receipt_number: c.receipt_number,
                similarity_percent: c.similarity_percent,
                reply_kind: reply_kind_label(lang, &c.reply_kind_code),
                replied_on: c
                    .replied_on
                    .map(format_iso_date)
                    .unwrap_or_else(|| pick(lang, "日期不详", "date unknown").to_string()),
            })
            .collect(),
        Err(e) => {
            tracing::warn!(error = %e, application = %row.id, "repeat check failed");
            Vec::new()
        }
    };
    crate::templates::PrereviewView {
        kind,
        kind_code: classification.kind.code(),
        reasons,
        published,
        repeats,
    }
}

async fn application_page(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let view = state.services.application(&actor, parse_id(&id)?).await?;
    render(application_view_page(&state, &ctx, view, Problems::default()).await?)
}

fn field<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

/// Turns the posted action form into a domain command, listing every problem at once.
fn command_of(
    state: &AppState,
    pairs: &[(String, String)],
    view: &ApplicationView,
    consultation_due: time::Date,
    standard_letter: Option<String>,
) -> Result<Command, gongkai_domain::form::FormProblems> {
    let mut problems = gongkai_domain::form::FormProblems::new();
    let today = state.services.clock.today_in_china();
    let mut date_field = |name: &'static str, default: Option<time::Date>| -> Option<time::Date> {
        let raw = field(pairs, name).trim();
        if raw.is_empty() {
            if default.is_none() {
                problems.add(name, "required");
            }
            return default;
        }
        match parse_iso_date(raw) {
            Ok(d) => Some(d),
            Err(_) => {
                problems.add(name, "date_invalid");
                None
            }
        }
    };
    let command = match field(pairs, "action") {
        "confirm_receipt" => date_field("receipt_date", Some(today))
            .map(|receipt_date| Command::ConfirmReceipt { receipt_date }),
        "accept" => Some(Command::Accept),
        "request_correction" => {
            let items: Vec<String> = field(pairs, "items")
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect();
            let due = date_field("due", None);
            if items.is_empty() {
                problems.add("items", "required");
            }
            due.map(|due| Command::RequestCorrection { items, due })
        }
        "lapse_correction" => Some(Command::LapseCorrection),
        "submit_correction" => Some(Command::SubmitCorrection {
            text: field(pairs, "text").to_string(),
        }),
        "assign" => {
            let departments: Vec<String> = pairs
                .iter()
                .filter(|(k, _)| k == "departments")
                .map(|(_, v)| v.clone())
                .collect();
            let lead = field(pairs, "lead").to_string();
            Some(Command::Assign { departments, lead })
        }
        "start_consultation" => {
            let party = ConsultationParty::parse(field(pairs, "party"));
            if party.is_none() {
                problems.add("party", "invalid");
            }
            let id = format!("c{}", view.state.consultations.len() + 1);
            party.map(|party| Command::StartConsultation {
                id,
                party,
                party_name: field(pairs, "party_name").to_string(),
                due: consultation_due,
            })
        }
        "answer_consultation" => Some(Command::AnswerConsultation {
            id: field(pairs, "consultation_id").to_string(),
            answer: field(pairs, "answer").to_string(),
        }),
        "approve_extension" => match field(pairs, "working_days").trim().parse::<u32>() {
            Ok(working_days) => Some(Command::ApproveExtension {
                working_days,
                reason: field(pairs, "reason").to_string(),
            }),
            Err(_) => {
                problems.add("working_days", "number_invalid");
                None
            }
        },
        "draft_reply" => {
            let code = field(pairs, "reply_kind");
            match ReplyKind::ALL.iter().find(|k| k.row_code() == code) {
                Some(kind) => {
                    let body = field(pairs, "body");
                    let body = if body.trim().is_empty() {
                        standard_letter
                            .unwrap_or_else(|| state.services.standard_reply_body(view, *kind))
                    } else {
                        body.to_string()
                    };
                    Some(Command::DraftReply {
                        reply_kind: code.to_string(),
                        body,
                        withholds_information: kind.withholds_information(),
                    })
                }
                None => {
                    problems.add(
                        "reply_kind",
                        if code.is_empty() {
                            "required"
                        } else {
                            "invalid"
                        },
                    );
                    None
                }
            }
        }
        "submit_for_review" => Some(Command::SubmitForReview),
        "approve_review" => Some(Command::ApproveReview {
            comment: field(pairs, "comment").to_string(),
        }),
        "reject_review" => Some(Command::RejectReview {
            reason: field(pairs, "rejection_reason").to_string(),
        }),
        "issue_reply" => Some(Command::IssueReply),
        "mark_delivered" => Some(Command::MarkDelivered {
            method: field(pairs, "method").to_string(),
        }),
        "archive" => Some(Command::Archive),
        "withdraw" => Some(Command::Withdraw {
            reason: field(pairs, "withdraw_reason").to_string(),
        }),
        "issue_fee_notice" => {
            let method = field(pairs, "fee_method");
            let units: Option<u32> = field(pairs, "fee_units")
                .trim()
                .parse()
                .ok()
                .filter(|n| *n > 0);
            let due = date_field("fee_due", None);
            if !matches!(method, "per_application" | "per_page") {
                problems.add("fee_method", "invalid");
            }
            // The amount follows the tiers of 国办函〔2020〕109号 and is never typed in: for
            // per-application charging the count is this application's place in the month.
            let amount_fen = units.map(|n| {
                if method == "per_page" {
                    gongkai_domain::fees::fee_for_pages_fen(n)
                } else {
                    gongkai_domain::fees::fee_for_applications_fen(n - 1, 1)
                }
            });
            match amount_fen {
                None => problems.add("fee_units", "number_invalid"),
                Some(0) => problems.add("fee_units", "fee_not_due"),
                Some(_) => {}
            }
            match (amount_fen, due) {
                (Some(amount_fen), Some(due)) if amount_fen > 0 => Some(Command::IssueFeeNotice {
                    amount_fen,
                    method: method.to_string(),
                    due,
                }),
                _ => None,
            }
        }
        "record_fee_payment" => Some(Command::RecordFeePayment),
        "lapse_fee" => Some(Command::LapseFee),
        "record_communication" => {
            let contacted_on = date_field("contacted_on", Some(today));
            let method = CommunicationMethod::parse(field(pairs, "communication_method"));
            if method.is_none() {
                problems.add("communication_method", "invalid");
            }
            let outcome = CommunicationOutcome::parse(field(pairs, "communication_outcome"));
            if outcome.is_none() {
                problems.add("communication_outcome", "invalid");
            }
            if field(pairs, "communication_summary").trim().is_empty() {
                problems.add("communication_summary", "required");
            }
            match (contacted_on, method, outcome) {
                (Some(contacted_on), Some(method), Some(outcome)) => {
                    Some(Command::RecordCommunication {
                        contacted_on,
                        method,
                        outcome,
                        summary: field(pairs, "communication_summary").to_string(),
                    })
                }
                _ => None,
            }
        }
        _ => {
            problems.add("action", "invalid");
            None
        }
    };
    match command {
        Some(c) if problems.is_empty() => Ok(c),
        _ => Err(problems),
    }
}

/// Maps a command refusal to the field it concerns, so the page can point at it.
fn refusal_field(code: &str) -> &'static str {
    match code {
        "correction_items_missing" => "items",
        "correction_text_missing" => "text",
        "receipt_date_in_future" => "receipt_date",
        "departments_missing" | "lead_not_assigned" => "lead",
        "party_name_missing" => "party_name",
        "answer_missing" => "answer",
        "extension_length" => "working_days",
        "extension_reason_missing" => "reason",
        "reply_kind_missing" => "reply_kind",
        "reply_body_missing" => "body",
        "reason_missing" => "rejection_reason",
        "delivery_method_missing" => "method",
        "fee_amount_invalid" | "fee_notice_already_issued" => "fee_units",
        "communication_date_in_future" | "communication_date_too_early" => "contacted_on",
        "communication_summary_missing" => "communication_summary",
        _ => "action",
    }
}

async fn act(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, pairs): CsrfForm<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let id = parse_id(&id)?;
    let view = state.services.application(&actor, id).await?;
    let version: i64 = field(&pairs, "version")
        .trim()
        .parse()
        .map_err(|_| WebError::Status(StatusCode::BAD_REQUEST))?;
    // The answer date of a consultation follows the calendar in force (Art. 32 and 34 give
    // 15 working days; a department of the agency gets 5).
    let party =
        ConsultationParty::parse(field(&pairs, "party")).unwrap_or(ConsultationParty::ThirdParty);
    let consultation_due = state.services.consultation_due(party).await?;
    // A draft left empty starts from the standard letter of its kind, which for a partial
    // disclosure states what the confirmed redaction reviews withheld (Art. 37 and 15).
    let standard_letter = match ReplyKind::ALL
        .iter()
        .find(|k| k.row_code() == field(&pairs, "reply_kind"))
    {
        Some(kind)
            if field(&pairs, "action") == "draft_reply"
                && field(&pairs, "body").trim().is_empty() =>
        {
            Some(state.services.standard_reply_letter(&view, *kind).await?)
        }
        _ => None,
    };
    let command = match command_of(&state, &pairs, &view, consultation_due, standard_letter) {
        Ok(c) => c,
        Err(problems) => {
            let page =
                application_view_page(&state, &ctx, view, Problems::from_form(ctx.lang, &problems))
                    .await?;
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response());
        }
    };
    match state
        .services
        .act_on_application(&actor, id, version, command)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(ServiceError::Refused { code }) => {
            let mut problems = gongkai_domain::form::FormProblems::new();
            problems.add(refusal_field(code), code);
            let page =
                application_view_page(&state, &ctx, view, Problems::from_form(ctx.lang, &problems))
                    .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(ServiceError::Conflict { code }) => {
            let fresh = state.services.application(&actor, id).await?;
            let problems = Problems::one(
                ctx.lang,
                "action",
                if code == "wrong_stage" {
                    "error.wrong_stage"
                } else {
                    "error.stale_version"
                },
            );
            let page = application_view_page(&state, &ctx, fresh, problems).await?;
            Ok((StatusCode::CONFLICT, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RatingForm {
    rating: String,
    rating_comment: String,
}

async fn rate(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, form): CsrfForm<RatingForm>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let id = parse_id(&id)?;
    match state
        .services
        .rate_reply(&actor, id, &form.rating, &form.rating_comment)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(ServiceError::Invalid(p)) => {
            let view = state.services.application(&actor, id).await?;
            let page = application_view_page(&state, &ctx, view, Problems::from_form(ctx.lang, &p))
                .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// The application's archive as a ZIP download (never shown inline).
async fn archive(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let (name, bytes) = state
        .services
        .application_archive(&actor, parse_id(&id)?)
        .await?;
    let disposition = format!(
        "attachment; filename=\"{}\"",
        name.replace(['"', '\\'], "_")
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/zip".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response())
}

/// The largest upload request (one attachment plus the form fields).
const UPLOAD_BODY_MAX_BYTES: usize = gongkai_service::ATTACHMENT_BYTES_MAX + 64 * 1024;

async fn upload(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
    mut multipart: axum::extract::Multipart,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let id = parse_id(&id)?;
    let mut csrf = String::new();
    let mut file: Option<(String, Vec<u8>)> = None;
    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|_| WebError::Status(StatusCode::BAD_REQUEST))?
    {
        match field.name().unwrap_or("") {
            "csrf_token" => {
                csrf = field
                    .text()
                    .await
                    .map_err(|_| WebError::Status(StatusCode::BAD_REQUEST))?;
            }
            "file" => {
                let name = field.file_name().unwrap_or("").to_string();
                let bytes = field
                    .bytes()
                    .await
                    .map_err(|_| WebError::Status(StatusCode::PAYLOAD_TOO_LARGE))?;
                file = Some((name, bytes.to_vec()));
            }
            _ => {}
        }
    }
    ctx.check_csrf(&csrf)?;
    let (name, bytes) = file.unwrap_or_default();
    match state
        .services
        .add_attachment(&actor, id, &name, &bytes)
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/applications/{id}")).into_response()),
        Err(ServiceError::Invalid(p)) => {
            let view = state.services.application(&actor, id).await?;
            let page = application_view_page(&state, &ctx, view, Problems::from_form(ctx.lang, &p))
                .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

/// Serves an attachment as a download only: a hostile upload can never run as a page here.
async fn download(
    State(state): State<AppState>,
    ctx: Ctx,
    Path((id, attachment_id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let (row, bytes) = state
        .services
        .attachment(&actor, parse_id(&id)?, parse_id(&attachment_id)?)
        .await?;
    let encoded = crate::templates::encode(&row.filename);
    let disposition = format!("attachment; filename=\"download\"; filename*=UTF-8''{encoded}");
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "application/octet-stream".to_string(),
            ),
            (axum::http::header::CONTENT_DISPOSITION, disposition),
            (
                axum::http::header::CONTENT_SECURITY_POLICY,
                "sandbox".to_string(),
            ),
        ],
        bytes,
    )
        .into_response())
}

async fn dashboard(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let tree = state.services.agency_tree().await?;
    let base = Base::new(&ctx, "dashboard.title");
    let mut agencies = Vec::new();
    for agency in &tree.agencies {
        if state.services.roles_in_agency(&actor, agency.id).is_empty() {
            continue;
        }
        let departments = state.services.departments(agency.id).await?;
        let rows = state
            .services
            .department_workload(&actor, agency.id)
            .await?
            .into_iter()
            .map(|w| crate::templates::WorkloadView {
                department: if w.department_id.is_empty() {
                    ctx.t("dashboard.unassigned").to_string()
                } else {
                    departments
                        .iter()
                        .find(|d| d.id.to_string() == w.department_id)
                        .map(|d| base.pick(&d.name_zh, &d.name_en).to_string())
                        .unwrap_or(w.department_id.clone())
                },
                n_open: w.n_open,
                n_overdue: w.n_overdue,
                n_due_soon: w.n_due_soon,
                n_answered: w.n_answered,
                n_closed_otherwise: w.n_closed_otherwise,
            })
            .collect();
        agencies.push(crate::templates::AgencyWorkload {
            name: base.pick(&agency.name_zh, &agency.name_en).to_string(),
            rows,
        });
    }
    if agencies.is_empty() {
        return Err(WebError::Status(StatusCode::FORBIDDEN));
    }
    render(crate::templates::DashboardPage { base, agencies })
}

/// The site inbox: every notice sent to the signed-in person, e-mailed or not.
async fn inbox(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let notices = state
        .services
        .inbox(actor)
        .await?
        .into_iter()
        .map(|n| crate::templates::NoticeView {
            sent_at: n
                .created_at
                .to_offset(time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC))
                .date()
                .to_string(),
            subject: n.subject,
            body: n.body,
            href: n
                .application_id
                .map(|id| format!("/applications/{id}"))
                .unwrap_or_default(),
        })
        .collect();
    render(crate::templates::InboxPage {
        base: Base::new(&ctx, "inbox.title"),
        notices,
    })
}
