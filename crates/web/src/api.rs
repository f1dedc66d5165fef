//! The JSON API under `/api/v1`, for the same operations as the pages, with its OpenAPI 3.1
//! document at `/api/v1/openapi.json`.
//!
//! Authentication is a bearer token (`Authorization: Bearer gk_…`, created on the account page
//! or through `POST /api/v1/me/tokens`) or the session cookie. Cookie-authenticated requests
//! that change something must carry the CSRF token in `X-CSRF-Token` (from `GET /api/v1/csrf`),
//! because a browser would send the cookie for a forged cross-site request too.
//! Errors are `{"error": {"code", "message_zh", "message_en", "problems": [...]}}`.

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
use gongkai_domain::account::RegistrationInput;
use gongkai_domain::agency::AgencyInput;
use gongkai_domain::form::FormProblems;
use gongkai_service::{Actor, AgencyRow, DepartmentRow, ServiceError, StaffInput};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

/// Every API route: method, path (relative to `/api/v1`), summary, whether it needs a
/// signed-in caller. The OpenAPI document is generated from this list, and a test checks that
/// every route registered in `routes()` appears here.
pub const API_ROUTES: &[(&str, &str, &str, bool)] = &[
    ("get", "/openapi.json", "This OpenAPI document", false),
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
];

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
        .fallback(api_not_found)
}

/// An API failure, always JSON.
pub struct ApiError {
    status: StatusCode,
    code: String,
    problems: Vec<Value>,
    retry_after_seconds: Option<u64>,
}

impl ApiError {
    fn new(status: StatusCode, code: &str) -> ApiError {
        ApiError {
            status,
            code: code.to_string(),
            problems: Vec::new(),
            retry_after_seconds: None,
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
        let body = json!({
            "error": {
                "code": self.code,
                "message_zh": status_message(Lang::Zh, self.status, &self.code),
                "message_en": status_message(Lang::En, self.status, &self.code),
                "problems": self.problems,
            }
        });
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
        let parameters: Vec<Value> = path
            .split('/')
            .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
            .map(|name| json!({ "name": name, "in": "path", "required": true, "schema": { "type": "string" } }))
            .collect();
        if !parameters.is_empty() {
            operation["parameters"] = Value::Array(parameters);
        }
        if matches!(*method, "post" | "put") {
            operation["requestBody"] =
                json!({ "content": { "application/json": { "schema": { "type": "object" } } } });
        }
        let entry = paths
            .entry(format!("/api/v1{path}"))
            .or_insert_with(|| json!({}));
        entry[*method] = operation;
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
