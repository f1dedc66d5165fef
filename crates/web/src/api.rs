//! The JSON API under `/api/v1`, for the same operations as the pages, with its OpenAPI 3.1
//! document at `/api/v1/openapi.json`.
//!
//! Authentication is a bearer token (`Authorization: Bearer gk_…`, created on the account page
//! or through `POST /api/v1/me/tokens`) or the session cookie. Cookie-authenticated requests
//! that change something must carry the CSRF token in `X-CSRF-Token` (from `GET /api/v1/csrf`),
//! because a browser would send the cookie for a forged cross-site request too.
//! Errors are `{"error": {"code", "message_zh", "message_en", "problems": [...]}}`.
//!
//! The application workflow (Art. 29 onwards) is here too. Choices the client must send come
//! from `GET /agencies/{key}/application-form`; a submission needs an `idempotency_key` (a
//! retried POST must not start a second statutory clock), answers 201 when it created the
//! application and 200 with the same application when the key was used before. Commands are
//! `POST /applications/{id}/commands` with `{"version", "command", ...fields}`; the version is
//! the one the caller last saw, so of two people acting at once exactly one wins and the other
//! gets 409 with the current version. Type and format problems of a body are listed all at
//! once; a rule of the regulation refuses with its own code (422), one rule at a time, because
//! the rules are checked in order by `domain::application::decide`. Unknown fields are ignored.
//! An applicant sees milestones only; drafts, review steps, internal consultations and the
//! machine precheck are for the agency's staff.

use crate::AppState;
use crate::ctx::{Ctx, SESSION_COOKIE, set_cookie};
use crate::error::service_status;
use crate::i18n::{self, Lang};
use axum::extract::rejection::{JsonRejection, QueryRejection};
use axum::extract::{FromRequestParts, Path, Query, State};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use gongkai_domain::account::{RegistrationInput, Role};
use gongkai_domain::agency::AgencyInput;
use gongkai_domain::application::{
    Command, CommunicationMethod, CommunicationOutcome, ConsultationParty, Event,
    REGISTRATION_CHANNELS, SensitivityFlag, Stage, registration_channel,
};
use gongkai_domain::application_form::{
    APPLICANT_NAME_LENGTH_MAX_CHARS, ApplicantKind, ApplicationInput, CorrectionSeverity,
    DeliveryMethod, INFORMATION_DESCRIPTION_LENGTH_MAX_CHARS,
    INFORMATION_DESCRIPTION_LENGTH_MIN_CHARS, InformationForm, PURPOSE_LENGTH_MAX_CHARS,
    validate_application,
};
use gongkai_domain::calendar::{WorkingDayCalendar, format_iso_date, parse_iso_date};
use gongkai_domain::deadline::{Deadline, DeadlineKind, DeadlineStatus};
use gongkai_domain::form::FormProblems;
use gongkai_domain::identity::IdentityDocumentKind;
use gongkai_domain::reply::ReplyKind;
use gongkai_service::{
    Actor, AgencyRow, ApplicationRow, ApplicationView, DepartmentRow, QueueFilter, ServiceError,
    StaffInput,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use time::Date;
use uuid::Uuid;

mod documents;
mod performance;

/// Every API route: method, path (relative to `/api/v1`), summary, whether it needs a
/// signed-in caller. The OpenAPI document is generated from this list, and a test checks that
/// every route registered in `routes()` appears here.
pub const API_ROUTES: &[(&str, &str, &str, bool)] = &[
    ("get", "/openapi.json", "This OpenAPI document", false),
    (
        "get",
        "/documents",
        "Published documents, newest first, with filters and pages",
        false,
    ),
    (
        "get",
        "/documents/{id}",
        "One document (by external id): metadata, articles, versions and log digest",
        false,
    ),
    (
        "get",
        "/search",
        "Article-level search of the published documents, with facets",
        false,
    ),
    (
        "get",
        "/agencies/{key}/catalog",
        "An agency's proactive-disclosure catalog",
        false,
    ),
    (
        "get",
        "/csrf",
        "The CSRF token for cookie-authenticated requests",
        false,
    ),
    (
        "post",
        "/auth/register",
        "Register a public account and sign in",
        false,
    ),
    (
        "post",
        "/auth/login",
        "Sign in with e-mail or mobile number and password",
        false,
    ),
    ("post", "/auth/logout", "End the current session", false),
    ("get", "/me", "The signed-in account and its roles", true),
    (
        "post",
        "/me/password",
        "Change the signed-in account's password",
        true,
    ),
    (
        "post",
        "/me/tokens",
        "Create a personal API token (shown once)",
        true,
    ),
    ("get", "/agencies", "All agencies, top-down", false),
    ("post", "/agencies", "Create an agency below a parent", true),
    (
        "get",
        "/agencies/{key}",
        "One agency (by id or slug) with its departments",
        false,
    ),
    (
        "put",
        "/agencies/{key}",
        "Update an agency's particulars",
        true,
    ),
    (
        "post",
        "/agencies/{key}/departments",
        "Create a department",
        true,
    ),
    ("put", "/departments/{id}", "Update a department", true),
    (
        "get",
        "/agencies/{key}/staff",
        "Staff holding roles in an agency",
        true,
    ),
    (
        "post",
        "/agencies/{key}/staff",
        "Create a staff account with a first role",
        true,
    ),
    (
        "post",
        "/agencies/{key}/grants",
        "Grant a role to a staff account",
        true,
    ),
    ("delete", "/grants/{id}", "Revoke a role", true),
    (
        "put",
        "/staff/{id}/active",
        "Deactivate or reactivate a staff account",
        true,
    ),
    (
        "get",
        "/security-events",
        "The security log (administrators, auditors)",
        true,
    ),
    (
        "get",
        "/agencies/{key}/application-form",
        "The choices of the application form (Art. 29): applicant kinds, identity documents, \
         forms, deliveries and registration channels, with codes and zh/en labels",
        false,
    ),
    (
        "post",
        "/agencies/{key}/applications",
        "Submit an application (Art. 29). `idempotency_key` is required: 201 with the new \
         application, 200 with the existing one when the key was used before",
        true,
    ),
    (
        "get",
        "/applications",
        "The signed-in account's own applications, newest first",
        true,
    ),
    (
        "get",
        "/applications/{id}",
        "One application: fields (identity number masked), stage, version, receipt date, \
         deadlines with their derivation, timeline; draft, review and precheck for staff",
        true,
    ),
    (
        "post",
        "/applications/{id}/commands",
        "Run a workflow command `{version, command, ...fields}`: 409 on a stale version or \
         wrong stage, 422 with the rule code when a rule refuses, 403 when not permitted",
        true,
    ),
    (
        "get",
        "/staff/applications",
        "The staff queue of every agency where the caller handles applications",
        true,
    ),
    (
        "post",
        "/staff/applications",
        "Register an application that arrived in person, by post, fax, e-mail or orally, \
         with its channel and receipt date (Art. 31)",
        true,
    ),
    ("get", "/me/inbox", "The signed-in account's notices", true),
    (
        "get",
        "/agencies/{key}/performance",
        "An agency's performance figures for a year (C17), with counts of fewer than k people \
         suppressed (C14)",
        false,
    ),
];

/// Query parameters of GET routes, for the OpenAPI document: path, name, description.
pub const API_QUERY_PARAMETERS: &[(&str, &str, &str)] = &[
    (
        "/documents",
        "issuer",
        "Only documents of this issuing body",
    ),
    (
        "/documents",
        "year",
        "Only documents published in this year",
    ),
    (
        "/documents",
        "validity",
        "`effective`, `expired` or `repealed`",
    ),
    ("/documents", "level", "Only this level (法律, 行政法规, …)"),
    ("/documents", "topic", "Only this topic"),
    ("/documents", "catalog", "Only this catalog item code"),
    ("/documents", "page", "Page number, from 1"),
    (
        "/documents",
        "per_page",
        "Documents per page (1–100, default 20)",
    ),
    ("/documents/{id}", "version", "An older version's number"),
    (
        "/search",
        "q",
        "The question or words, in Chinese or English (required)",
    ),
    ("/search", "page", "Page number, from 1 to 50"),
    ("/search", "per_page", "Hits per page (1–100, default 10)"),
    ("/search", "issuer", "Only this issuing body"),
    ("/search", "year", "Only this year"),
    ("/search", "level", "Only this level"),
    ("/search", "validity", "`current` or `expired`"),
    ("/search", "topic", "Only this topic"),
    ("/search", "catalog", "Only this catalog item code"),
    (
        "/search",
        "granularity",
        "`articles` (default), `documents` or `mixed`",
    ),
    (
        "/staff/applications",
        "stage",
        "`open` (default), `all`, or stage codes separated by commas",
    ),
    (
        "/staff/applications",
        "due_before",
        "Only applications whose reply is due on or before this date (YYYY-MM-DD)",
    ),
    (
        "/staff/applications",
        "limit",
        "Page size, 1 to 200 (default 50)",
    ),
    ("/staff/applications", "offset", "Rows to skip (default 0)"),
    ("/security-events", "limit", "How many events (default 100)"),
    (
        "/agencies/{key}/performance",
        "year",
        "The calendar year (2008–2100, default this year)",
    ),
];

/// Every command of `POST /applications/{id}/commands`, with the fields it reads besides
/// `version` and `command`. The names are `domain::application::Command::name()`.
pub const API_COMMANDS: &[(&str, &str)] = &[
    (
        "confirm_receipt",
        "receipt_date (YYYY-MM-DD, default today)",
    ),
    (
        "request_correction",
        "items (array of strings), due (YYYY-MM-DD)",
    ),
    ("submit_correction", "text"),
    ("lapse_correction", ""),
    ("accept", ""),
    (
        "assign",
        "departments (array of department ids), lead (a department id)",
    ),
    (
        "start_consultation",
        "party (department | third_party | other_agency), party_name, due (default: 5 \
         working days for a department, 15 otherwise, Art. 32 and 34)",
    ),
    ("answer_consultation", "consultation_id, answer"),
    (
        "approve_extension",
        "working_days (1 to 20, Art. 33), reason",
    ),
    (
        "flag_sensitivity",
        "flags (array of third_party_rights | non_disclosure | media_interest | \
         possible_state_secret)",
    ),
    (
        "draft_reply",
        "reply_kind (a reply kind code), body (default: the standard letter of the kind)",
    ),
    ("submit_for_review", ""),
    ("approve_review", "comment"),
    ("reject_review", "reason"),
    ("issue_reply", ""),
    ("mark_delivered", "method"),
    ("archive", ""),
    ("withdraw", "reason"),
    (
        "issue_fee_notice",
        "method (per_application | per_page), units (the application's place in the \
         month, or the pages), due (YYYY-MM-DD); the amount follows 国办函〔2020〕109号",
    ),
    ("record_fee_payment", ""),
    ("lapse_fee", ""),
    (
        "record_communication",
        "contacted_on (YYYY-MM-DD, default today), method (phone | meeting | email | letter | \
         online_message | other), outcome (need_clarified | request_narrowed | \
         pointed_to_published_information | withdrawal_intended | no_agreement | \
         applicant_unreachable), summary: a pre-reply communication (前置沟通)",
    ),
];

/// Every API route. Each `.route(...)` call stays on one line (short handler names keep
/// rustfmt from wrapping it), because a test reads them from this source to compare them with
/// `API_ROUTES`.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/csrf", get(csrf))
        .route("/auth/register", post(register))
        .route("/auth/login", post(login))
        .route("/auth/logout", post(logout))
        .route("/me", get(me))
        .route("/me/password", post(change_password))
        .route("/me/tokens", post(create_token))
        .route("/agencies", get(list_agencies).post(create_agency))
        .route("/agencies/{key}", get(show_agency).put(update_agency))
        .route("/agencies/{key}/departments", post(create_department))
        .route("/departments/{id}", put(update_department))
        .route("/agencies/{key}/staff", get(list_staff).post(create_staff))
        .route("/agencies/{key}/grants", post(grant_role))
        .route("/grants/{id}", delete(revoke_role))
        .route("/staff/{id}/active", put(set_active))
        .route("/security-events", get(security_events))
        .route("/agencies/{key}/application-form", get(application_form))
        .route("/agencies/{key}/applications", post(submit_application))
        .route("/applications", get(my_applications))
        .route("/applications/{id}", get(show_application))
        .route("/applications/{id}/commands", post(run_command))
        .route("/staff/applications", get(staff_queue).post(intake))
        .route("/me/inbox", get(inbox))
        .route("/documents", get(documents::list_documents))
        .route("/documents/{id}", get(documents::show_document))
        .route("/search", get(documents::search))
        .route("/agencies/{key}/catalog", get(documents::show_catalog))
        .route("/agencies/{key}/performance", get(performance::show))
        .fallback(api_not_found)
        .method_not_allowed_fallback(api_method_not_allowed)
}

/// An API failure, always JSON.
pub struct ApiError {
    status: StatusCode,
    code: String,
    problems: Vec<Value>,
    retry_after_seconds: Option<u64>,
    /// Further members of the `error` object, e.g. the current version after a conflict.
    details: Map<String, Value>,
}

impl ApiError {
    fn new(status: StatusCode, code: &str) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            problems: Vec::new(),
            retry_after_seconds: None,
            details: Map::new(),
        }
    }
}

fn problems_json(problems: &FormProblems) -> Vec<Value> {
    problems
        .problems()
        .iter()
        .map(|p| {
            json!({
                "field": p.field,
                "code": p.code,
                "message_zh": i18n::problem(Lang::Zh, p.code),
                "message_en": i18n::problem(Lang::En, p.code),
            })
        })
        .collect()
}

impl From<ServiceError> for ApiError {
    fn from(error: ServiceError) -> ApiError {
        let mut api = ApiError::new(service_status(&error), error.code());
        match &error {
            ServiceError::Invalid(problems) => api.problems = problems_json(problems),
            ServiceError::RateLimited {
                retry_after_seconds,
            } => api.retry_after_seconds = Some(*retry_after_seconds),
            ServiceError::Unexpected(inner) => {
                tracing::error!(error = ?inner, "unexpected service error (api)");
            }
            _ => {}
        }
        api
    }
}

impl From<crate::WebError> for ApiError {
    fn from(error: crate::WebError) -> ApiError {
        match error {
            crate::WebError::Service(e) => e.into(),
            crate::WebError::Csrf => ApiError::new(StatusCode::FORBIDDEN, "csrf"),
            crate::WebError::LoginRequired { .. } => {
                ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated")
            }
            other => ApiError::new(other.status(), "request_failed"),
        }
    }
}

fn status_message(lang: Lang, status: StatusCode, code: &str) -> &'static str {
    i18n::lookup(lang, &format!("error.{code}"))
        .or_else(|| i18n::lookup(lang, &format!("error.{}", status.as_u16())))
        .unwrap_or_else(|| i18n::t(lang, "error.400"))
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut error = json!({
            "code": self.code,
            "message_zh": status_message(Lang::Zh, self.status, &self.code),
            "message_en": status_message(Lang::En, self.status, &self.code),
            "problems": self.problems,
        });
        if let Some(object) = error.as_object_mut() {
            object.extend(self.details);
        }
        let body = json!({ "error": error });
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after_seconds
            && let Ok(v) = header::HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

type ApiResult = Result<Response, ApiError>;

/// The caller of an API request: the page context plus how it authenticated.
struct ApiCaller {
    ctx: Ctx,
    actor: Option<Actor>,
    by_cookie: bool,
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let ctx = Ctx::from_request_parts(parts, state)
            .await
            .map_err(ApiError::from)?;
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let (actor, by_cookie) = match bearer {
            Some(token) => match state.services.token_actor(token).await? {
                Some(actor) => (Some(actor), false),
                None => return Err(ApiError::new(StatusCode::UNAUTHORIZED, "invalid_token")),
            },
            None => (ctx.actor.clone(), ctx.actor.is_some()),
        };
        // Changes made with the session cookie need the CSRF header; bearer tokens do not,
        // because a browser never attaches them by itself.
        if by_cookie && parts.method != Method::GET && parts.method != Method::HEAD {
            let submitted = parts
                .headers
                .get("x-csrf-token")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            ctx.check_csrf(submitted).map_err(ApiError::from)?;
        }
        Ok(ApiCaller {
            ctx,
            actor,
            by_cookie,
        })
    }
}

impl ApiCaller {
    fn actor(&self) -> Result<&Actor, ApiError> {
        self.actor
            .as_ref()
            .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated"))
    }
}

fn json_body<T>(body: Result<Json<T>, JsonRejection>) -> Result<T, ApiError> {
    body.map(|Json(v)| v).map_err(|rejection| {
        let mut error = ApiError::new(rejection.status(), "invalid_json");
        error.problems = vec![
            json!({ "field": "", "code": "invalid_json", "message_en": rejection.body_text() }),
        ];
        error
    })
}

fn ok(value: Value) -> ApiResult {
    Ok(Json(value).into_response())
}

fn created(value: Value) -> ApiResult {
    Ok((StatusCode::CREATED, Json(value)).into_response())
}

fn parse_uuid(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::new(StatusCode::NOT_FOUND, "not_found"))
}

#[derive(Serialize)]
struct AgencyDto<'a> {
    id: Uuid,
    parent_id: Option<Uuid>,
    level: &'a str,
    slug: &'a str,
    name_zh: &'a str,
    name_en: &'a str,
    org_code: &'a str,
    ogi_office_name: &'a str,
    ogi_office_phone: &'a str,
    ogi_office_email: &'a str,
    ogi_office_address: &'a str,
    ogi_office_hours: &'a str,
}

fn agency_json(a: &AgencyRow) -> Value {
    json!(AgencyDto {
        id: a.id,
        parent_id: a.parent_id,
        level: &a.level,
        slug: &a.slug,
        name_zh: &a.name_zh,
        name_en: &a.name_en,
        org_code: &a.org_code,
        ogi_office_name: &a.ogi_office_name,
        ogi_office_phone: &a.ogi_office_phone,
        ogi_office_email: &a.ogi_office_email,
        ogi_office_address: &a.ogi_office_address,
        ogi_office_hours: &a.ogi_office_hours,
    })
}

fn department_json(d: &DepartmentRow) -> Value {
    json!({ "id": d.id, "agency_id": d.agency_id, "name_zh": d.name_zh, "name_en": d.name_en, "duties": d.duties })
}

fn actor_json(a: &Actor) -> Value {
    json!({
        "id": a.account_id,
        "display_name": a.display_name,
        "email": a.email,
        "mobile": a.mobile,
        "is_staff": a.is_staff,
        "roles": a.grants.iter().map(|g| json!({
            "id": g.id, "role": g.role.code(), "agency_id": g.agency_id, "department_id": g.department_id,
        })).collect::<Vec<_>>(),
    })
}

async fn api_not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "not_found")
}

async fn api_method_not_allowed() -> ApiError {
    ApiError::new(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed")
}

async fn csrf(caller: ApiCaller) -> ApiResult {
    ok(json!({ "csrf_token": caller.ctx.csrf_token }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegisterBody {
    email: String,
    mobile: String,
    display_name: String,
    password: String,
    password_confirmation: String,
}

fn session_cookie_response(
    state: &AppState,
    token: &str,
    status: StatusCode,
    body: Value,
) -> Response {
    let max_age = state.services.config.session_idle_minutes * 60;
    (
        status,
        [(
            header::SET_COOKIE,
            set_cookie(
                SESSION_COOKIE,
                token,
                Some(max_age),
                true,
                state.config.secure_cookies,
            ),
        )],
        Json(body),
    )
        .into_response()
}

async fn register(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<RegisterBody>, JsonRejection>,
) -> ApiResult {
    let b = json_body(body)?;
    let input = RegistrationInput {
        email: &b.email,
        mobile: &b.mobile,
        display_name: &b.display_name,
        password: &b.password,
        password_confirmation: &b.password_confirmation,
    };
    let session = state.services.register(&input, &caller.ctx.origin).await?;
    Ok(session_cookie_response(
        &state,
        &session.token,
        StatusCode::CREATED,
        json!({ "account": actor_json(&session.actor) }),
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LoginBody {
    identifier: String,
    password: String,
}

async fn login(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<LoginBody>, JsonRejection>,
) -> ApiResult {
    let b = json_body(body)?;
    let session = state
        .services
        .login(&b.identifier, &b.password, &caller.ctx.origin)
        .await?;
    Ok(session_cookie_response(
        &state,
        &session.token,
        StatusCode::OK,
        json!({ "account": actor_json(&session.actor) }),
    ))
}

async fn logout(State(state): State<AppState>, caller: ApiCaller) -> ApiResult {
    if caller.by_cookie
        && let Some(token) = &caller.ctx.session_token
    {
        state.services.logout(token, &caller.ctx.origin).await?;
    }
    Ok(session_cookie_response(
        &state,
        "",
        StatusCode::OK,
        json!({ "signed_out": true }),
    ))
}

async fn me(caller: ApiCaller) -> ApiResult {
    ok(json!({ "account": actor_json(caller.actor()?) }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PasswordBody {
    current_password: String,
    new_password: String,
    new_password_confirmation: String,
}

async fn change_password(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<PasswordBody>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let b = json_body(body)?;
    let token = caller.ctx.session_token.clone().unwrap_or_default();
    state
        .services
        .change_password(
            actor,
            &token,
            &b.current_password,
            &b.new_password,
            &b.new_password_confirmation,
            &caller.ctx.origin,
        )
        .await?;
    ok(json!({ "changed": true }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TokenBody {
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<TokenBody>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let b = json_body(body)?;
    let token = state
        .services
        .create_api_token(actor, &b.name, &caller.ctx.origin)
        .await?;
    created(json!({ "token": token }))
}

async fn list_agencies(State(state): State<AppState>) -> ApiResult {
    let tree = state.services.agency_tree().await?;
    ok(
        json!({ "agencies": tree.depth_first().into_iter().map(|(_, a)| agency_json(a)).collect::<Vec<_>>() }),
    )
}

async fn find_agency(state: &AppState, key: &str) -> Result<AgencyRow, ApiError> {
    Ok(match Uuid::parse_str(key) {
        Ok(id) => state.services.agency(id).await?,
        Err(_) => state.services.agency_by_slug(key).await?,
    })
}

async fn show_agency(State(state): State<AppState>, Path(key): Path<String>) -> ApiResult {
    let agency = find_agency(&state, &key).await?;
    let departments = state.services.departments(agency.id).await?;
    let mut value = agency_json(&agency);
    value["departments"] = Value::Array(departments.iter().map(department_json).collect());
    ok(value)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AgencyBody {
    parent_id: Option<String>,
    name_zh: String,
    name_en: String,
    slug: String,
    level: String,
    org_code: String,
    ogi_office_name: String,
    ogi_office_phone: String,
    ogi_office_email: String,
    ogi_office_address: String,
    ogi_office_hours: String,
}

fn agency_input(b: &AgencyBody) -> AgencyInput<'_> {
    AgencyInput {
        name_zh: &b.name_zh,
        name_en: &b.name_en,
        slug: &b.slug,
        level: &b.level,
        org_code: &b.org_code,
        ogi_office_name: &b.ogi_office_name,
        ogi_office_phone: &b.ogi_office_phone,
        ogi_office_email: &b.ogi_office_email,
        ogi_office_address: &b.ogi_office_address,
        ogi_office_hours: &b.ogi_office_hours,
    }
}

async fn create_agency(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<AgencyBody>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let b = json_body(body)?;
    let parent_id =
        match b
            .parent_id
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(raw) => Some(Uuid::parse_str(raw).map_err(|_| {
                ApiError::from(ServiceError::invalid("parent_id", "parent_invalid"))
            })?),
            None => None,
        };
    let row = state
        .services
        .create_agency(actor, parent_id, &agency_input(&b), &caller.ctx.origin)
        .await?;
    created(agency_json(&row))
}

async fn update_agency(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
    body: Result<Json<AgencyBody>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let agency = find_agency(&state, &key).await?;
    let b = json_body(body)?;
    let row = state
        .services
        .update_agency(actor, agency.id, &agency_input(&b), &caller.ctx.origin)
        .await?;
    ok(agency_json(&row))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DepartmentBody {
    name_zh: String,
    name_en: String,
    duties: String,
}

async fn create_department(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
    body: Result<Json<DepartmentBody>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let agency = find_agency(&state, &key).await?;
    let b = json_body(body)?;
    let row = state
        .services
        .create_department(
            actor,
            agency.id,
            &b.name_zh,
            &b.name_en,
            &b.duties,
            &caller.ctx.origin,
        )
        .await?;
    created(department_json(&row))
}

async fn update_department(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<DepartmentBody>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let id = parse_uuid(&id)?;
    let b = json_body(body)?;
    let row = state
        .services
        .update_department(
            actor,
            id,
            &b.name_zh,
            &b.name_en,
            &b.duties,
            &caller.ctx.origin,
        )
        .await?;
    ok(department_json(&row))
}

async fn list_staff(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
) -> ApiResult {
    let actor = caller.actor()?;
    let agency = find_agency(&state, &key).await?;
    let staff = state.services.staff_of_agency(actor, agency.id).await?;
    ok(json!({ "staff": staff.iter().map(|m| json!({
        "id": m.account.id,
        "display_name": m.account.display_name,
        "email": m.account.email,
        "mobile": m.account.mobile,
        "is_active": m.account.is_active,
        "roles": m.grants.iter().map(|g| json!({ "id": g.id, "role": g.role, "department_id": g.department_id })).collect::<Vec<_>>(),
    })).collect::<Vec<_>>() }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StaffBody {
    email: String,
    mobile: String,
    display_name: String,
    initial_password: String,
    role: String,
    department_id: String,
}

async fn create_staff(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
    body: Result<Json<StaffBody>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let agency = find_agency(&state, &key).await?;
    let b = json_body(body)?;
    let input = StaffInput {
        email: &b.email,
        mobile: &b.mobile,
        display_name: &b.display_name,
        initial_password: &b.initial_password,
        role: &b.role,
        department_id: &b.department_id,
    };
    let id = state
        .services
        .create_staff(actor, agency.id, &input, &caller.ctx.origin)
        .await?;
    created(json!({ "id": id }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct GrantBody {
    account_id: String,
    role: String,
    department_id: String,
}

async fn grant_role(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
    body: Result<Json<GrantBody>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let agency = find_agency(&state, &key).await?;
    let b = json_body(body)?;
    let account_id = Uuid::parse_str(b.account_id.trim())
        .map_err(|_| ApiError::from(ServiceError::invalid("account_id", "required")))?;
    let id = state
        .services
        .grant_role(
            actor,
            account_id,
            agency.id,
            &b.role,
            &b.department_id,
            &caller.ctx.origin,
        )
        .await?;
    created(json!({ "id": id }))
}

async fn revoke_role(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult {
    let actor = caller.actor()?;
    state
        .services
        .revoke_role(actor, parse_uuid(&id)?, &caller.ctx.origin)
        .await?;
    ok(json!({ "revoked": true }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActiveBody {
    active: Option<bool>,
}

async fn set_active(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<ActiveBody>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let b = json_body(body)?;
    let active = b
        .active
        .ok_or_else(|| ApiError::from(ServiceError::invalid("active", "required")))?;
    state
        .services
        .set_staff_active(actor, parse_uuid(&id)?, active, &caller.ctx.origin)
        .await?;
    ok(json!({ "active": active }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LimitQuery {
    limit: Option<i64>,
}

async fn security_events(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<LimitQuery>, QueryRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let limit = query.ok().and_then(|Query(q)| q.limit).unwrap_or(100);
    let events = state.services.security_events(actor, limit).await?;
    ok(json!({ "events": events.iter().map(|e| json!({
        "id": e.id, "occurred_at": e.occurred_at.to_string(), "kind": e.kind,
        "account_id": e.account_id, "actor_id": e.actor_id, "address": e.address,
        "detail": serde_json::from_str::<Value>(&e.detail).unwrap_or(Value::Null),
    })).collect::<Vec<_>>() }))
}

// ----- Applications (Art. 29 onwards) -------------------------------------------------------

/// The longest idempotency key accepted. The service ignores longer keys (and would then
/// create a second application on a retry), so the API refuses them instead.
const IDEMPOTENCY_KEY_MAX_CHARS: usize = 100;
/// The longest free text in a command: a reason, an answer, a correction, a comment.
const COMMAND_TEXT_MAX_CHARS: usize = 4000;
/// The longest reply letter a command may carry.
const REPLY_BODY_MAX_CHARS: usize = 50_000;
/// The most entries in a list field of a command (correction items, departments, flags).
const COMMAND_LIST_ITEMS_MAX: usize = 50;
/// The largest page of the staff queue, and the page size when the caller names none.
const QUEUE_PAGE_SIZE_MAX: i64 = 200;
const QUEUE_PAGE_SIZE_DEFAULT: i64 = 50;

/// The Art. 29 fields of an application, named as in the HTML form.
const FORM_FIELDS: [&str; 14] = [
    "applicant_kind",
    "name",
    "identity_kind",
    "identity_number",
    "organisation_code",
    "legal_representative",
    "contact_phone",
    "contact_email",
    "postal_address",
    "information_description",
    "document_number",
    "purpose",
    "form_preference",
    "delivery_preference",
];

fn not_a_json_object() -> ApiError {
    let mut error = ApiError::new(StatusCode::BAD_REQUEST, "invalid_json");
    error.problems = vec![json!({
        "field": "",
        "code": "invalid_json",
        "message_zh": "请求正文应为 JSON 对象",
        "message_en": "the body must be a JSON object",
    })];
    error
}

fn invalid(problems: FormProblems) -> ApiError {
    ServiceError::Invalid(problems).into()
}

/// Adds the problems of `more` for fields that have none yet: a field of the wrong type reads
/// as empty, and a `required` on top of its `invalid` would only confuse.
fn merge_problems(mut problems: FormProblems, more: &FormProblems) -> FormProblems {
    let taken: Vec<&'static str> = problems.problems().iter().map(|p| p.field).collect();
    for p in more.problems() {
        if !taken.contains(&p.field) {
            problems.add(p.field, p.code);
        }
    }
    problems
}

/// Reads typed fields from a JSON object and records every field of the wrong type, so that
/// one answer lists every problem of a request. Absent and `null` fields read as empty.
struct JsonFields {
    object: Map<String, Value>,
    problems: FormProblems,
}

impl JsonFields {
    fn parse(body: Result<Json<Value>, JsonRejection>) -> Result<JsonFields, ApiError> {
        match json_body(body)? {
            Value::Object(object) => Ok(JsonFields {
                object,
                problems: FormProblems::new(),
            }),
            _ => Err(not_a_json_object()),
        }
    }

    fn is_present(&self, name: &str) -> bool {
        self.object.get(name).is_some_and(|v| !v.is_null())
    }

    /// A string field; `None` (with a problem) when it holds another type.
    fn raw_text(&mut self, name: &'static str) -> Option<String> {
        match self.object.get(name) {
            None | Some(Value::Null) => Some(String::new()),
            Some(Value::String(text)) => Some(text.clone()),
            Some(_) => {
                self.problems.add(name, "invalid");
                None
            }
        }
    }

    fn text(&mut self, name: &'static str) -> String {
        self.raw_text(name).unwrap_or_default()
    }

    /// Reads a code field and parses it, recording `required` or `invalid` when it fails.
    fn choice<T>(&mut self, name: &'static str, parse: impl Fn(&str) -> Option<T>) -> Option<T> {
        let code = self.text(name);
        let parsed = parse(code.trim());
        if parsed.is_none() && !self.problems.has_field(name) {
            self.problems.add(
                name,
                if code.trim().is_empty() {
                    "required"
                } else {
                    "invalid"
                },
            );
        }
        parsed
    }

    /// Checks text that a command stores and shows to people: bounded, and without control
    /// characters other than line breaks and tabs (PostgreSQL refuses NUL in text).
    fn check_free_text(&mut self, name: &'static str, text: &str, max_chars: usize) {
        if text.chars().count() > max_chars {
            self.problems.add(name, "too_long");
        } else if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            self.problems.add(name, "invalid_characters");
        }
    }

    fn free_text(&mut self, name: &'static str, max_chars: usize) -> String {
        let text = self.text(name);
        self.check_free_text(name, &text, max_chars);
        text
    }

    /// An array of strings, each checked as free text.
    fn text_list(&mut self, name: &'static str) -> Vec<String> {
        let items = match self.object.get(name) {
            None | Some(Value::Null) => return Vec::new(),
            Some(Value::Array(items)) if items.len() > COMMAND_LIST_ITEMS_MAX => {
                self.problems.add(name, "too_long");
                return Vec::new();
            }
            Some(Value::Array(items)) => items
                .iter()
                .map(|item| item.as_str().map(str::to_string))
                .collect::<Option<Vec<String>>>(),
            Some(_) => None,
        };
        let Some(items) = items else {
            self.problems.add(name, "invalid");
            return Vec::new();
        };
        if let Some(bad) = items.iter().find(|item| {
            item.chars().count() > COMMAND_TEXT_MAX_CHARS
                || item
                    .chars()
                    .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        }) {
            let bad = bad.clone();
            self.check_free_text(name, &bad, COMMAND_TEXT_MAX_CHARS);
        }
        items
    }

    /// An integer, given as a JSON number or a string of digits.
    fn integer(&mut self, name: &'static str) -> Option<i64> {
        let parsed = match self.object.get(name) {
            None | Some(Value::Null) => {
                self.problems.add(name, "required");
                return None;
            }
            Some(Value::String(text)) if text.trim().is_empty() => {
                self.problems.add(name, "required");
                return None;
            }
            Some(Value::Number(n)) => n.as_i64(),
            Some(Value::String(text)) => text.trim().parse::<i64>().ok(),
            Some(_) => None,
        };
        if parsed.is_none() {
            self.problems.add(name, "number_invalid");
        }
        parsed
    }

    /// An ISO date; `default` when blank (or a `required` problem when there is none).
    fn date(&mut self, name: &'static str, default: Option<Date>) -> Option<Date> {
        let raw = self.raw_text(name)?;
        let raw = raw.trim();
        if raw.is_empty() {
            if default.is_none() {
                self.problems.add(name, "required");
            }
            return default;
        }
        match parse_iso_date(raw) {
            Ok(date) => Some(date),
            Err(_) => {
                self.problems.add(name, "date_invalid");
                None
            }
        }
    }
}

/// The Art. 29 fields read from a body, in the order of `FORM_FIELDS`.
struct FormFields {
    values: Vec<String>,
}

impl FormFields {
    fn read(fields: &mut JsonFields) -> FormFields {
        FormFields {
            values: FORM_FIELDS.iter().map(|name| fields.text(name)).collect(),
        }
    }

    fn get(&self, name: &str) -> &str {
        FORM_FIELDS
            .iter()
            .position(|f| *f == name)
            .and_then(|i| self.values.get(i))
            .map(String::as_str)
            .unwrap_or("")
    }

    fn input(&self) -> ApplicationInput<'_> {
        ApplicationInput {
            applicant_kind: self.get("applicant_kind"),
            name: self.get("name"),
            identity_kind: self.get("identity_kind"),
            identity_number: self.get("identity_number"),
            organisation_code: self.get("organisation_code"),
            legal_representative: self.get("legal_representative"),
            contact_phone: self.get("contact_phone"),
            contact_email: self.get("contact_email"),
            postal_address: self.get("postal_address"),
            information_description: self.get("information_description"),
            document_number: self.get("document_number"),
            purpose: self.get("purpose"),
            form_preference: self.get("form_preference"),
            delivery_preference: self.get("delivery_preference"),
        }
    }
}

fn labelled(code: &str, labels: Option<(&str, &str)>) -> Value {
    let (zh, en) = labels.unwrap_or(("", ""));
    json!({ "code": code, "label_zh": zh, "label_en": en })
}

fn stage_json(code: &str) -> Value {
    let stage = Stage::parse(code);
    let mut value = labelled(code, stage.map(|s| (s.label_zh(), s.label_en())));
    value["open"] = json!(stage.is_some_and(Stage::is_open));
    value
}

fn channel_json(code: &str) -> Value {
    labelled(
        code,
        Some((
            crate::applications::channel_label(Lang::Zh, code),
            crate::applications::channel_label(Lang::En, code),
        )),
    )
}

fn reply_kind_json(code: &str) -> Value {
    match ReplyKind::parse(code) {
        Some(kind) => json!({
            "code": code,
            "label_zh": kind.label_zh(),
            "label_en": kind.label_en(),
            "legal_basis": kind.legal_basis(),
        }),
        None => labelled(code, None),
    }
}

fn timestamp(at: time::OffsetDateTime) -> String {
    at.format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

fn agency_brief(a: &AgencyRow) -> Value {
    json!({ "id": a.id, "slug": a.slug, "name_zh": a.name_zh, "name_en": a.name_en })
}

fn deadline_kind_code(kind: DeadlineKind) -> &'static str {
    match kind {
        DeadlineKind::CorrectionNotice => "correction_notice",
        DeadlineKind::Reply => "reply",
        DeadlineKind::ExtendedReply => "extended_reply",
        DeadlineKind::DelayedReply => "delayed_reply",
        DeadlineKind::ThirdPartyConsultation => "third_party_consultation",
        DeadlineKind::OtherAgencyConsultation => "other_agency_consultation",
        DeadlineKind::FeePayment => "fee_payment",
    }
}

fn deadline_json(d: &Deadline) -> Value {
    let status = match d.status {
        DeadlineStatus::Open => json!({ "code": "open" }),
        DeadlineStatus::Paused => json!({ "code": "paused" }),
        DeadlineStatus::Done { on, late } => {
            json!({ "code": "done", "on": format_iso_date(on), "late": late })
        }
        DeadlineStatus::Lapsed { on } => json!({ "code": "lapsed", "on": format_iso_date(on) }),
    };
    json!({
        "kind": deadline_kind_code(d.kind),
        "due": format_iso_date(d.due.date),
        "provisional": d.due.provisional,
        "status": status,
        "derivation": { "zh": d.derivation.zh, "en": d.derivation.en },
    })
}

/// Whether an applicant sees an event: the milestones, never the agency's internal steps
/// (assignment, drafts, review, internal consultations). Unknown kinds stay hidden.
fn shown_to_applicant(event: &Event) -> bool {
    match event {
        Event::ConsultationStarted { party, .. } => *party != ConsultationParty::Department,
        Event::Submitted { .. }
        | Event::Registered { .. }
        | Event::ReceiptConfirmed { .. }
        | Event::CorrectionRequested { .. }
        | Event::CorrectionSubmitted { .. }
        | Event::CorrectionLapsed { .. }
        | Event::Accepted { .. }
        | Event::ExtensionApproved { .. }
        | Event::ReplyIssued { .. }
        | Event::Delivered { .. }
        | Event::Archived { .. }
        | Event::Withdrawn { .. }
        | Event::FeeNoticeIssued { .. }
        | Event::FeePaid { .. }
        | Event::FeePaymentLapsed { .. }
        // The applicant took part in a pre-reply communication and sees its record.
        | Event::CommunicationRecorded { .. } => true,
        _ => false,
    }
}

fn stage_is_answered(stage: Stage) -> bool {
    matches!(stage, Stage::Issued | Stage::Delivered | Stage::Archived)
}

/// One row of a list of applications.
fn application_summary_json(
    state: &AppState,
    calendar: &WorkingDayCalendar,
    row: &ApplicationRow,
) -> Value {
    let open = Stage::parse(&row.stage).is_some_and(Stage::is_open);
    let due = row.reply_due_date.filter(|_| open);
    let left = due.map(|d| state.services.working_days_left(calendar, d));
    json!({
        "id": row.id,
        "agency_id": row.agency_id,
        "receipt_number": row.receipt_number,
        "channel": channel_json(&row.channel),
        "applicant_name": row.applicant_name,
        "summary": crate::applications::summary(&row.information_description),
        "stage": stage_json(&row.stage),
        "receipt_date": row.receipt_date.map(format_iso_date),
        "reply_due_date": due.map(format_iso_date),
        "reply_due_provisional": due.is_some() && row.reply_due_provisional,
        "working_days_left": left,
        "overdue": left.is_some_and(|l| l < 0),
        "version": row.version,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    })
}

/// One application as the caller may see it: staff of its agency see everything, the
/// applicant sees the milestones and, once answered, the reply.
async fn application_json(
    state: &AppState,
    actor: &Actor,
    view: &ApplicationView,
) -> Result<Value, ApiError> {
    let row = &view.row;
    let st = &view.state;
    let stage = st.stage;
    let roles = state.services.roles_in_agency(actor, row.agency_id);
    let is_staff = !roles.is_empty();
    let is_applicant = row.applicant_account_id == Some(actor.account_id);
    let agency = state.services.agency(row.agency_id).await?;
    let calendar = state.services.working_day_calendar().await?;
    let reply_due = view
        .deadlines
        .as_ref()
        .filter(|_| stage.is_open())
        .and_then(|summary| summary.effective_reply())
        .map(|d| {
            json!({
                "kind": deadline_kind_code(d.kind),
                "date": format_iso_date(d.due.date),
                "provisional": d.due.provisional,
                "working_days_left": state.services.working_days_left(&calendar, d.due.date),
            })
        });
    let timeline: Vec<Value> = view
        .events
        .iter()
        .filter(|(_, event)| is_staff || shown_to_applicant(event))
        .map(|(event_row, event)| {
            let mut data: Value = serde_json::from_str(&event.to_json()).unwrap_or(Value::Null);
            if let Some(object) = data.as_object_mut() {
                object.remove("type");
            }
            let date = data
                .get("on")
                .or_else(|| data.get("receipt_date"))
                .cloned()
                .unwrap_or(Value::Null);
            let mut entry = json!({
                "seq": event_row.seq,
                "kind": event.kind(),
                "date": date,
                "occurred_at": timestamp(event_row.occurred_at),
                "data": data,
            });
            if is_staff {
                entry["actor_id"] = json!(event_row.actor_id);
            }
            entry
        })
        .collect();
    let consultations: Vec<Value> = st
        .consultations
        .iter()
        .filter(|c| is_staff || c.party != ConsultationParty::Department)
        .map(|c| {
            let mut value = json!({
                "id": c.id,
                "party": labelled(c.party.code(), Some((c.party.label_zh(), c.party.label_en()))),
                "party_name": c.party_name,
                "started_on": format_iso_date(c.started_on),
                "due": format_iso_date(c.due),
                "answered_on": c.answered_on.map(format_iso_date),
                "open": c.answered_on.is_none(),
            });
            if is_staff {
                value["answer"] = json!(c.answer);
            }
            value
        })
        .collect();
    let identity_kind = IdentityDocumentKind::parse(&row.identity_kind);
    let mut value = json!({
        "id": row.id,
        "receipt_number": row.receipt_number,
        "version": row.version,
        "agency": agency_brief(&agency),
        "channel": channel_json(&row.channel),
        "stage": stage_json(stage.code()),
        "applicant": {
            "kind": labelled(
                &row.applicant_kind,
                ApplicantKind::parse(&row.applicant_kind).map(|k| (k.label_zh(), k.label_en())),
            ),
            "name": row.applicant_name,
            "identity_kind": labelled(
                &row.identity_kind,
                identity_kind.map(|k| (k.label_zh(), k.label_en())),
            ),
            "identity_number_masked": gongkai_domain::identity::mask_identity_number(&row.identity_number),
            "organisation_code": row.organisation_code,
            "legal_representative": row.legal_representative,
        },
        "contact": {
            "phone": row.contact_phone,
            "email": row.contact_email,
            "postal_address": row.postal_address,
        },
        "information_description": row.information_description,
        "document_number": row.document_number,
        "purpose": row.purpose,
        "form_preference": labelled(
            &row.form_preference,
            InformationForm::parse(&row.form_preference).map(|k| (k.label_zh(), k.label_en())),
        ),
        "delivery_preference": labelled(
            &row.delivery_preference,
            DeliveryMethod::parse(&row.delivery_preference).map(|k| (k.label_zh(), k.label_en())),
        ),
        "receipt_date": st.receipt_date.map(format_iso_date),
        "reply_due": reply_due,
        "deadlines": view
            .deadlines
            .as_ref()
            .map(|summary| summary.deadlines.iter().map(deadline_json).collect::<Vec<_>>())
            .unwrap_or_default(),
        "correction": st.correction_requested.then(|| json!({
            "items": st.correction_items,
            "due": st.correction_due.map(format_iso_date),
        })),
        "consultations": consultations,
        "extension_approved": st.extension_approved,
        "fee": {
            "notice_issued": st.fee_notice_issued,
            "pending": st.fee_pending.map(|(fen, due)| json!({
                "amount_fen": fen,
                "amount_yuan": gongkai_domain::fees::format_fen_as_yuan(fen),
                "due": format_iso_date(due),
            })),
        },
        "outcome": st.issued_reply_kind.as_deref().map(reply_kind_json),
        "reply": st.draft.as_ref().filter(|_| stage_is_answered(stage)).map(|d| json!({
            "kind": reply_kind_json(&d.reply_kind),
            "body": d.body,
        })),
        "timeline": timeline,
        "viewer": {
            "is_staff": is_staff,
            "is_applicant": is_applicant,
            "roles": roles.iter().map(|r| r.code()).collect::<Vec<_>>(),
            // The roles that count on this application: a department's staff act only on
            // applications not yet assigned or assigned to their department.
            "acting_roles": state
                .services
                .roles_for_application(actor, row.agency_id, &st.departments)
                .iter()
                .map(|r| r.code())
                .collect::<Vec<_>>(),
        },
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    });
    if is_staff {
        value["draft"] = json!(st.draft.as_ref().map(|d| json!({
            "reply_kind": reply_kind_json(&d.reply_kind),
            "body": d.body,
            "withholds_information": d.withholds_information,
        })));
        value["review"] = json!({
            "steps": st.review_steps.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "done": st.review_steps_done.iter().map(|r| r.code()).collect::<Vec<_>>(),
            "next": st.next_review_step().map(Role::code),
        });
        value["departments"] = json!(st.departments);
        value["lead_department_id"] = json!(st.lead_department);
        value["flags"] = json!(st.flags.iter().map(|f| f.code()).collect::<Vec<_>>());
        value["deadline_problem"] = json!(view.deadline_problem);
        value["precheck_suggestions"] = Value::Array(
            state
                .services
                .precheck_suggestions(view)
                .into_iter()
                .map(|item| {
                    json!({
                        "code": item.code,
                        "field": item.field,
                        "severity": match item.severity {
                            CorrectionSeverity::Correction => "correction",
                            CorrectionSeverity::Advisory => "advisory",
                        },
                        "explanation_zh": item.explanation_zh,
                        "explanation_en": item.explanation_en,
                        "legal_basis": item.legal_basis,
                        "matched": item.matched,
                    })
                })
                .collect(),
        );
    }
    Ok(value)
}

async fn application_form(State(state): State<AppState>, Path(key): Path<String>) -> ApiResult {
    let agency = find_agency(&state, &key).await?;
    let mut fields: Vec<&str> = FORM_FIELDS.to_vec();
    fields.push("idempotency_key");
    ok(json!({
        "agency": agency_brief(&agency),
        "fields": fields,
        "applicant_kinds": ApplicantKind::ALL.iter().map(|k| json!({
            "code": k.code(),
            "label_zh": k.label_zh(),
            "label_en": k.label_en(),
            "natural_person": k.is_natural_person(),
        })).collect::<Vec<_>>(),
        "identity_kinds": IdentityDocumentKind::ALL.iter().map(|k| json!({
            "code": k.code(),
            "label_zh": k.label_zh(),
            "label_en": k.label_en(),
            "personal": k.is_personal(),
        })).collect::<Vec<_>>(),
        "forms": InformationForm::ALL.iter().map(|k| json!({
            "code": k.code(),
            "label_zh": k.label_zh(),
            "label_en": k.label_en(),
        })).collect::<Vec<_>>(),
        "deliveries": DeliveryMethod::ALL.iter().map(|d| json!({
            "code": d.code(),
            "label_zh": d.label_zh(),
            "label_en": d.label_en(),
            "suits_forms": InformationForm::ALL
                .iter()
                .filter(|f| d.suits(**f))
                .map(|f| f.code())
                .collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "registration_channels": REGISTRATION_CHANNELS
            .iter()
            .map(|code| channel_json(code))
            .collect::<Vec<_>>(),
        "limits": {
            "name_max_chars": APPLICANT_NAME_LENGTH_MAX_CHARS,
            "information_description_min_chars": INFORMATION_DESCRIPTION_LENGTH_MIN_CHARS,
            "information_description_max_chars": INFORMATION_DESCRIPTION_LENGTH_MAX_CHARS,
            "purpose_max_chars": PURPOSE_LENGTH_MAX_CHARS,
            "idempotency_key_max_chars": IDEMPOTENCY_KEY_MAX_CHARS,
        },
    }))
}

/// Checks the idempotency key the API requires.
fn check_idempotency_key(fields: &mut JsonFields) -> String {
    let key = fields.raw_text("idempotency_key");
    let Some(key) = key else {
        return String::new();
    };
    let key = key.trim().to_string();
    if key.is_empty() {
        fields.problems.add("idempotency_key", "required");
    } else if key.chars().count() > IDEMPOTENCY_KEY_MAX_CHARS {
        fields.problems.add("idempotency_key", "too_long");
    } else if key.chars().any(char::is_control) {
        fields.problems.add("idempotency_key", "invalid_characters");
    }
    key
}

async fn submit_application(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(key): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let agency = find_agency(&state, &key).await?;
    let mut fields = JsonFields::parse(body)?;
    let form = FormFields::read(&mut fields);
    let idempotency_key = check_idempotency_key(&mut fields);
    if !fields.problems.is_empty() {
        let today = state.services.clock.today_in_china();
        let validation = validate_application(&form.input(), today).err();
        let problems = merge_problems(fields.problems, &validation.unwrap_or_default());
        return Err(invalid(problems));
    }
    // A key used before answers with its application and 200. The service scopes keys to the
    // account as `account:key`; a concurrent retry that races past this look-up still gets
    // the same application from the service, with 201.
    let scoped_key = format!("{}:{idempotency_key}", actor.account_id);
    let existing = state
        .services
        .db
        .application_by_idempotency_key(&scoped_key)
        .await
        .map_err(ServiceError::from)?;
    if let Some(existing) = existing {
        if existing.agency_id != agency.id {
            let mut error = ApiError::new(StatusCode::CONFLICT, "idempotency_key_reused");
            error.problems = vec![json!({
                "field": "idempotency_key",
                "code": "idempotency_key_reused",
                "message_zh": "该幂等键已用于向其他机关提交的申请",
                "message_en": "this key was used for an application to another agency",
            })];
            return Err(error);
        }
        let view = state.services.application(actor, existing.id).await?;
        return ok(application_json(&state, actor, &view).await?);
    }
    let row = state
        .services
        .submit_application(actor, agency.id, &form.input(), &idempotency_key)
        .await?;
    let view = state.services.application(actor, row.id).await?;
    created(application_json(&state, actor, &view).await?)
}

async fn my_applications(State(state): State<AppState>, caller: ApiCaller) -> ApiResult {
    let actor = caller.actor()?;
    let rows = state.services.my_applications(actor).await?;
    let calendar = state.services.working_day_calendar().await?;
    ok(json!({
        "applications": rows
            .iter()
            .map(|row| application_summary_json(&state, &calendar, row))
            .collect::<Vec<_>>(),
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct QueueQuery {
    stage: String,
    due_before: String,
    limit: String,
    offset: String,
}

fn invalid_query(problems: &FormProblems) -> ApiError {
    let mut error = ApiError::new(StatusCode::BAD_REQUEST, "invalid_query");
    error.problems = problems_json(problems);
    error
}

/// Parses the staff queue's query, listing every problem.
fn queue_filter(query: &QueueQuery) -> Result<QueueFilter, FormProblems> {
    let mut problems = FormProblems::new();
    let stages: Vec<String> = match query.stage.trim() {
        "" | "open" => Stage::ALL
            .into_iter()
            .filter(|s| s.is_open())
            .map(|s| s.code().to_string())
            .collect(),
        "all" => Vec::new(),
        codes => {
            let parsed: Option<Vec<String>> = codes
                .split(',')
                .map(|code| Stage::parse(code.trim()).map(|s| s.code().to_string()))
                .collect();
            parsed.unwrap_or_else(|| {
                problems.add("stage", "invalid");
                Vec::new()
            })
        }
    };
    let due_on_or_before = match query.due_before.trim() {
        "" => None,
        raw => parse_iso_date(raw)
            .map_err(|_| problems.add("due_before", "date_invalid"))
            .ok(),
    };
    let limit = match query.limit.trim() {
        "" => QUEUE_PAGE_SIZE_DEFAULT,
        raw => match raw.parse::<i64>() {
            Ok(n) if (1..=QUEUE_PAGE_SIZE_MAX).contains(&n) => n,
            _ => {
                problems.add("limit", "number_invalid");
                QUEUE_PAGE_SIZE_DEFAULT
            }
        },
    };
    let offset = match query.offset.trim() {
        "" => 0,
        raw => match raw.parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => {
                problems.add("offset", "number_invalid");
                0
            }
        },
    };
    problems.into_result(|| QueueFilter {
        stages,
        due_on_or_before,
        limit,
        offset,
        ..QueueFilter::default()
    })
}

async fn staff_queue(
    State(state): State<AppState>,
    caller: ApiCaller,
    query: Result<Query<QueueQuery>, QueryRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let query = query.map_err(|rejection| {
        let mut error = ApiError::new(StatusCode::BAD_REQUEST, "invalid_query");
        error.problems = vec![
            json!({ "field": "", "code": "invalid_query", "message_en": rejection.body_text() }),
        ];
        error
    })?;
    let filter = queue_filter(&query).map_err(|p| invalid_query(&p))?;
    let (limit, offset) = (filter.limit, filter.offset);
    let rows = state.services.application_queue(actor, filter).await?;
    let calendar = state.services.working_day_calendar().await?;
    ok(json!({
        "applications": rows
            .iter()
            .map(|row| application_summary_json(&state, &calendar, row))
            .collect::<Vec<_>>(),
        "limit": limit,
        "offset": offset,
    }))
}

async fn show_application(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
) -> ApiResult {
    let actor = caller.actor()?;
    let view = state.services.application(actor, parse_uuid(&id)?).await?;
    ok(application_json(&state, actor, &view).await?)
}

/// Turns a command body into a domain command. Type, format and reference problems land in
/// `fields.problems`, all at once; the rules themselves are left to the domain.
async fn command_of_json(
    state: &AppState,
    view: &ApplicationView,
    fields: &mut JsonFields,
) -> Result<Option<Command>, ApiError> {
    let today = state.services.clock.today_in_china();
    let name = fields.raw_text("command");
    let Some(name) = name else {
        return Ok(None);
    };
    let command = match name.trim() {
        "" => {
            fields.problems.add("command", "required");
            None
        }
        "confirm_receipt" => fields
            .date("receipt_date", Some(today))
            .map(|receipt_date| Command::ConfirmReceipt { receipt_date }),
        "request_correction" => {
            let items: Vec<String> = fields
                .text_list("items")
                .into_iter()
                .map(|item| item.trim().to_string())
                .filter(|item| !item.is_empty())
                .collect();
            if items.is_empty() && !fields.problems.has_field("items") {
                fields.problems.add("items", "required");
            }
            let due = fields.date("due", None);
            due.map(|due| Command::RequestCorrection { items, due })
        }
        "submit_correction" => Some(Command::SubmitCorrection {
            text: fields.free_text("text", COMMAND_TEXT_MAX_CHARS),
        }),
        "lapse_correction" => Some(Command::LapseCorrection),
        "accept" => Some(Command::Accept),
        "assign" => {
            let known = state.services.departments(view.row.agency_id).await?;
            // Ids are stored in their canonical form, whatever case the client wrote.
            let canonical = |raw: &str| {
                Uuid::parse_str(raw.trim())
                    .ok()
                    .filter(|id| known.iter().any(|d| d.id == *id))
                    .map(|id| id.to_string())
            };
            let departments: Option<Vec<String>> = fields
                .text_list("departments")
                .iter()
                .map(|raw| canonical(raw))
                .collect();
            let departments = departments.unwrap_or_else(|| {
                fields.problems.add("departments", "department_invalid");
                Vec::new()
            });
            let lead = fields.text("lead");
            let lead = if lead.trim().is_empty() {
                String::new()
            } else {
                canonical(&lead).unwrap_or_else(|| {
                    fields.problems.add("lead", "department_invalid");
                    String::new()
                })
            };
            Some(Command::Assign { departments, lead })
        }
        "start_consultation" => {
            let party = fields.choice("party", ConsultationParty::parse);
            let party_name = fields.free_text("party_name", COMMAND_TEXT_MAX_CHARS);
            let due = if fields.is_present("due") {
                fields.date("due", None)
            } else {
                Some(
                    state
                        .services
                        .consultation_due(party.unwrap_or(ConsultationParty::ThirdParty))
                        .await?,
                )
            };
            match (party, due) {
                (Some(party), Some(due)) => Some(Command::StartConsultation {
                    id: format!("c{}", view.state.consultations.len() + 1),
                    party,
                    party_name,
                    due,
                }),
                _ => None,
            }
        }
        "answer_consultation" => Some(Command::AnswerConsultation {
            id: fields.text("consultation_id").trim().to_string(),
            answer: fields.free_text("answer", COMMAND_TEXT_MAX_CHARS),
        }),
        "approve_extension" => {
            let working_days = fields.integer("working_days").and_then(|n| {
                u32::try_from(n)
                    .map_err(|_| fields.problems.add("working_days", "number_invalid"))
                    .ok()
            });
            let reason = fields.free_text("reason", COMMAND_TEXT_MAX_CHARS);
            working_days.map(|working_days| Command::ApproveExtension {
                working_days,
                reason,
            })
        }
        "flag_sensitivity" => {
            let flags: Option<Vec<SensitivityFlag>> = fields
                .text_list("flags")
                .iter()
                .map(|code| SensitivityFlag::parse(code.trim()))
                .collect();
            match flags {
                Some(flags) => Some(Command::FlagSensitivity { flags }),
                None => {
                    fields.problems.add("flags", "invalid");
                    None
                }
            }
        }
        "draft_reply" => {
            let kind = fields.choice("reply_kind", ReplyKind::parse);
            let body = fields.free_text("body", REPLY_BODY_MAX_CHARS);
            match kind {
                // An empty body starts from the standard letter of the kind (for a partial
                // disclosure with what the confirmed redaction reviews withheld, Art. 37).
                Some(kind) => Some(Command::DraftReply {
                    reply_kind: kind.row_code().to_string(),
                    body: if body.trim().is_empty() {
                        state.services.standard_reply_letter(view, kind).await?
                    } else {
                        body
                    },
                    withholds_information: kind.withholds_information(),
                }),
                None => None,
            }
        }
        "submit_for_review" => Some(Command::SubmitForReview),
        "approve_review" => Some(Command::ApproveReview {
            comment: fields.free_text("comment", COMMAND_TEXT_MAX_CHARS),
        }),
        "reject_review" => Some(Command::RejectReview {
            reason: fields.free_text("reason", COMMAND_TEXT_MAX_CHARS),
        }),
        "issue_reply" => Some(Command::IssueReply),
        "mark_delivered" => Some(Command::MarkDelivered {
            method: fields.free_text("method", COMMAND_TEXT_MAX_CHARS),
        }),
        "archive" => Some(Command::Archive),
        "withdraw" => Some(Command::Withdraw {
            reason: fields.free_text("reason", COMMAND_TEXT_MAX_CHARS),
        }),
        "issue_fee_notice" => {
            let method = fields
                .choice("method", |m| {
                    matches!(m, "per_application" | "per_page").then(|| m.to_string())
                })
                .unwrap_or_default();
            let units = fields.integer("units").and_then(|n| {
                u32::try_from(n).ok().filter(|n| *n > 0).or_else(|| {
                    fields.problems.add("units", "number_invalid");
                    None
                })
            });
            // The amount follows the tiers of 国办函〔2020〕109号 and is never sent by the
            // client: per application, `units` is this application's place in the month.
            let amount_fen = units.map(|n| {
                if method == "per_page" {
                    gongkai_domain::fees::fee_for_pages_fen(n)
                } else {
                    gongkai_domain::fees::fee_for_applications_fen(n - 1, 1)
                }
            });
            if amount_fen == Some(0) {
                fields.problems.add("units", "fee_not_due");
            }
            let due = fields.date("due", None);
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
            let today = state.services.clock.today_in_china();
            let contacted_on = fields.date("contacted_on", Some(today));
            let method = fields.choice("method", CommunicationMethod::parse);
            let outcome = fields.choice("outcome", CommunicationOutcome::parse);
            let summary = fields.free_text("summary", COMMAND_TEXT_MAX_CHARS);
            match (contacted_on, method, outcome) {
                (Some(contacted_on), Some(method), Some(outcome)) => {
                    Some(Command::RecordCommunication {
                        contacted_on,
                        method,
                        outcome,
                        summary,
                    })
                }
                _ => None,
            }
        }
        _ => {
            fields.problems.add("command", "invalid");
            None
        }
    };
    Ok(command)
}

/// The body field a rule refusal concerns, so that a client can point at it.
fn refusal_field(code: &str) -> &'static str {
    match code {
        "correction_items_missing" => "items",
        "correction_text_missing" => "text",
        "receipt_date_in_future" => "receipt_date",
        "departments_missing" => "departments",
        "lead_not_assigned" => "lead",
        "party_name_missing" => "party_name",
        "consultation_unknown" => "consultation_id",
        "answer_missing" => "answer",
        "extension_length" => "working_days",
        "extension_reason_missing" | "reason_missing" => "reason",
        "reply_kind_missing" => "reply_kind",
        "reply_body_missing" => "body",
        "flags_missing" => "flags",
        "delivery_method_missing" => "method",
        "fee_amount_invalid" => "units",
        "communication_date_in_future" | "communication_date_too_early" => "contacted_on",
        "communication_summary_missing" => "summary",
        _ => "command",
    }
}

async fn run_command(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path(id): Path<String>,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let id = parse_uuid(&id)?;
    let view = state.services.application(actor, id).await?;
    let mut fields = JsonFields::parse(body)?;
    let version = fields.integer("version");
    let command = command_of_json(&state, &view, &mut fields).await?;
    let (Some(version), Some(command)) = (version, command) else {
        return Err(invalid(fields.problems));
    };
    if !fields.problems.is_empty() {
        return Err(invalid(fields.problems));
    }
    match state
        .services
        .act_on_application(actor, id, version, command)
        .await
    {
        Ok(view) => ok(application_json(&state, actor, &view).await?),
        Err(ServiceError::Refused { code }) => {
            let mut problems = FormProblems::new();
            problems.add(refusal_field(code), code);
            let mut error = ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, code);
            error.problems = problems_json(&problems);
            Err(error)
        }
        Err(ServiceError::Conflict { code }) => {
            // The caller needs the current version and stage to decide whether to retry.
            let current = state.services.application(actor, id).await?;
            let mut error = ApiError::new(StatusCode::CONFLICT, code);
            error.problems = vec![json!({
                "field": if code == "wrong_stage" { "command" } else { "version" },
                "code": code,
                "message_zh": status_message(Lang::Zh, StatusCode::CONFLICT, code),
                "message_en": status_message(Lang::En, StatusCode::CONFLICT, code),
            })];
            error
                .details
                .insert("current_version".into(), json!(current.row.version));
            error
                .details
                .insert("current_stage".into(), stage_json(current.stage().code()));
            Err(error)
        }
        Err(other) => Err(other.into()),
    }
}

/// The problems of a registration, as `register_application` finds them; used only when the
/// body already has type problems, so that the answer still lists every problem.
fn registration_problems(
    form: &FormFields,
    channel: &str,
    receipt_date: &str,
    today: Date,
) -> FormProblems {
    let mut problems = validate_application(&form.input(), today)
        .err()
        .unwrap_or_default();
    if registration_channel(channel).is_none() {
        problems.add("channel", "channel_invalid");
    }
    match parse_iso_date(receipt_date) {
        Ok(d) if d > today => problems.add("receipt_date", "date_in_future"),
        Ok(_) => {}
        Err(_) if receipt_date.trim().is_empty() => problems.add("receipt_date", "required"),
        Err(_) => problems.add("receipt_date", "date_invalid"),
    }
    problems
}

/// Registers an application that arrived by another channel than this site (Art. 31).
async fn intake(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Result<Json<Value>, JsonRejection>,
) -> ApiResult {
    let actor = caller.actor()?;
    let tree = state.services.agency_tree().await?;
    // The agencies where the caller registers applications: those where it holds an intake
    // role. Someone without one anywhere is refused before the body is looked at.
    let intake: Vec<Uuid> = tree
        .agencies
        .iter()
        .map(|a| a.id)
        .filter(|id| {
            state
                .services
                .roles_in_agency(actor, *id)
                .iter()
                .any(|r| matches!(r, Role::OgiOffice | Role::Clerk))
        })
        .collect();
    let Some(first_intake) = intake.first().copied() else {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden"));
    };
    let mut fields = JsonFields::parse(body)?;
    let form = FormFields::read(&mut fields);
    let channel = fields.text("channel");
    let receipt_date = fields.text("receipt_date");
    let agency_key = fields.text("agency");
    let agency_id = match agency_key.trim() {
        "" => Some(first_intake),
        key => match find_agency(&state, key).await {
            Ok(agency) if intake.contains(&agency.id) => Some(agency.id),
            Ok(_) => return Err(ApiError::new(StatusCode::FORBIDDEN, "forbidden")),
            Err(_) => {
                fields.problems.add("agency", "invalid");
                None
            }
        },
    };
    let (Some(agency_id), true) = (agency_id, fields.problems.is_empty()) else {
        let today = state.services.clock.today_in_china();
        let more = registration_problems(&form, &channel, &receipt_date, today);
        return Err(invalid(merge_problems(fields.problems, &more)));
    };
    let row = state
        .services
        .register_application(actor, agency_id, &form.input(), &channel, &receipt_date)
        .await?;
    let view = state.services.application(actor, row.id).await?;
    created(application_json(&state, actor, &view).await?)
}

async fn inbox(State(state): State<AppState>, caller: ApiCaller) -> ApiResult {
    let actor = caller.actor()?;
    let notices = state.services.inbox(actor).await?;
    ok(json!({
        "notices": notices.iter().map(|n| json!({
            "id": n.id,
            "created_at": timestamp(n.created_at),
            "kind": n.kind,
            "subject": n.subject,
            "body": n.body,
            "application_id": n.application_id,
            "status": n.status,
            "sent_at": n.sent_at.map(timestamp),
        })).collect::<Vec<_>>(),
    }))
}

/// The request body schema of a route: the command envelope for commands, else an object.
fn request_schema(path: &str) -> Value {
    if path != "/applications/{id}/commands" {
        return json!({ "type": "object" });
    }
    json!({
        "type": "object",
        "required": ["version", "command"],
        "properties": {
            "version": { "type": "integer", "description": "The version the caller last saw" },
            "command": {
                "type": "string",
                "enum": API_COMMANDS.iter().map(|(name, _)| *name).collect::<Vec<_>>(),
            },
        },
        "description": API_COMMANDS
            .iter()
            .map(|(name, fields)| if fields.is_empty() { name.to_string() } else { format!("{name}: {fields}") })
            .collect::<Vec<_>>()
            .join("; "),
    })
}

/// The public transparency-log endpoints (see `transparency.rs`): path, summary, query
/// parameters with whether each is required.
pub type QueryParameters = &'static [(&'static str, bool)];

pub const TRANSPARENCY_ROUTES: &[(&str, &str, QueryParameters)] = &[
    (
        "/transparency/tree-head",
        "The log's current size and root hash (base64)",
        &[],
    ),
    (
        "/transparency/checkpoint",
        "The signed checkpoint (text/plain): a C2SP tlog-checkpoint (origin, size, base64 root) in a C2SP signed note, Ed25519",
        &[],
    ),
    (
        "/transparency/key",
        "The checkpoint verifier key (text/plain) in signed-note vkey form name+keyid+base64(0x01 || public key)",
        &[],
    ),
    (
        "/transparency/tile/{path}",
        "C2SP tlog-tiles (application/octet-stream): hash tiles <L>/<N>[.p/<W>] and entry bundles entries/<N>[.p/<W>], N written as x001/x234/067; 404 until the log holds the whole tile",
        &[],
    ),
    (
        "/transparency/entries",
        "Log entries: {entries: [{index, data (base64 leaf JSON)}]}",
        &[("start", false), ("limit", false)],
    ),
    (
        "/transparency/proof/inclusion",
        "Inclusion proof of entry `index` in the tree of `size`",
        &[("index", true), ("size", true)],
    ),
    (
        "/transparency/proof/consistency",
        "Consistency proof between the trees of `from` and `to` entries",
        &[("from", true), ("to", true)],
    ),
];

/// The open data of proactive disclosure (docs/open-data.md): files for data portals, outside
/// /api/v1 like the log's endpoints, documented here so that clients find them.
pub const OPEN_DATA_ROUTES: &[(&str, &str, &str)] = &[
    (
        "/a/{slug}/datapackage.json",
        "Frictionless Data Package of an agency's catalog and published documents",
        "application/json",
    ),
    (
        "/a/{slug}/data/catalog-items.csv",
        "The agency's catalog, one row per item (Table Schema in the data package)",
        "text/csv",
    ),
    (
        "/a/{slug}/data/documents.csv",
        "Metadata of the agency's published documents (Table Schema in the data package)",
        "text/csv",
    ),
    (
        "/a/{slug}/dcat.jsonld",
        "DCAT-AP catalog (JSON-LD) of the agency's open data",
        "application/ld+json",
    ),
];

/// Published datasets (C12, docs/open-data.md): a document's table as CSV, as typed JSON and
/// its Table Schema, and the installation's DCAT-AP catalog of datasets. Outside /api/v1 like
/// the other open-data files, documented here so that clients find them.
pub const DATASET_ROUTES: &[(&str, &str, &str)] = &[
    (
        "/documents/{external_id}/data.csv",
        "A published dataset's table as CSV (UTF-8, RFC 4180; its SHA-256 is in data.json and the catalog)",
        "text/csv",
    ),
    (
        "/documents/{external_id}/data.json",
        "A published dataset: its Table Schema, the CSV's address and digest, and every row with typed values",
        "application/json",
    ),
    (
        "/documents/{external_id}/schema.json",
        "A published dataset's Frictionless Table Schema",
        "application/json",
    ),
    (
        "/data/catalog.jsonld",
        "DCAT-AP catalog (JSON-LD) of every published dataset of the installation",
        "application/ld+json",
    ),
];

/// Builds the OpenAPI 3.1 document from `API_ROUTES`.
pub fn openapi_document() -> Value {
    let mut paths = serde_json::Map::new();
    for (method, path, summary, needs_auth) in API_ROUTES {
        let mut operation = json!({
            "summary": summary,
            "operationId": format!("{}{}", method, path.replace(['/', '{', '}', '.', '-'], "_")),
            "responses": {
                "200": { "description": "Success", "content": { "application/json": {} } },
                "201": { "description": "Created", "content": { "application/json": {} } },
                "4XX": { "description": "A clear, specific error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
            },
        });
        if *needs_auth {
            operation["security"] = json!([{ "bearer": [] }, { "cookie": [] }]);
        }
        let mut parameters: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if *method == "get" {
            parameters.extend(
                API_QUERY_PARAMETERS
                    .iter()
                    .filter(|(p, _, _)| p == path)
                    .map(|(_, name, description)| json!({ "name": name, "in": "query", "required": false, "description": description, "schema": { "type": "string" } })),
            );
        }
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if matches!(*method, "post" | "put") {
            operation["requestBody"] =
                json!({ "content": { "application/json": { "schema": request_schema(path) } } });
        }
        let entry = paths
            .entry(format!("/api/v1{path}"))
            .or_insert_with(|| json!({}));
        entry[*method] = operation;
    }
    // The transparency log's public endpoints live outside /api/v1 (their paths are part of
    // the log's published interface), but they are documented here all the same.
    for (path, summary, parameters) in TRANSPARENCY_ROUTES {
        let parameters: Vec<Value> = parameters
            .iter()
            .map(|(name, required)| {
                json!({ "name": name, "in": "query", "required": required, "schema": { "type": "integer", "minimum": 0 } })
            })
            .collect();
        paths.insert(
            (*path).to_string(),
            json!({ "get": {
                "summary": summary,
                "operationId": format!("get{}", path.replace(['/', '-'], "_")),
                "parameters": parameters,
                "responses": {
                    "200": { "description": "Success", "content": { "application/json": {} } },
                    "4XX": { "description": "A clear, specific error", "content": { "application/json": { "schema": { "$ref": "#/components/schemas/Error" } } } },
                },
            } }),
        );
    }
    for (path, summary, media_type) in OPEN_DATA_ROUTES {
        paths.insert(
            (*path).to_string(),
            json!({ "get": {
                "summary": summary,
                "operationId": format!("get{}", path.replace(['/', '-', '.', '{', '}'], "_")),
                "parameters": [{ "name": "slug", "in": "path", "required": true, "description": "The agency's URL name", "schema": { "type": "string" } }],
                "responses": {
                    "200": { "description": "Success", "content": { *media_type: {} } },
                    "404": { "description": "No such agency" },
                },
            } }),
        );
    }
    for (path, summary, media_type) in DATASET_ROUTES {
        let parameters: Vec<Value> = if path.contains("{external_id}") {
            vec![
                json!({ "name": "external_id", "in": "path", "required": true, "description": "The document's external id", "schema": { "type": "string" } }),
            ]
        } else {
            Vec::new()
        };
        paths.insert(
            (*path).to_string(),
            json!({ "get": {
                "summary": summary,
                "operationId": format!("get{}", path.replace(['/', '-', '.', '{', '}'], "_")),
                "parameters": parameters,
                "responses": {
                    "200": { "description": "Success", "content": { *media_type: {} } },
                    "404": { "description": "No such published dataset" },
                },
            } }),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Gongkai API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "政府信息公开平台接口 / Government information disclosure platform API",
        },
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": { "type": "http", "scheme": "bearer" },
                "cookie": { "type": "apiKey", "in": "cookie", "name": SESSION_COOKIE },
            },
            "schemas": {
                "Error": {
                    "type": "object",
                    "properties": { "error": { "type": "object", "properties": {
                        "code": { "type": "string" },
                        "message_zh": { "type": "string" },
                        "message_en": { "type": "string" },
                        "problems": { "type": "array", "items": { "type": "object" } },
                    } } },
                },
            },
        },
    })
}

async fn openapi() -> Response {
    Json(openapi_document()).into_response()
}
