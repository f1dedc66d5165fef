//! Signing in and out, registering, and the account page (password change, API tokens).

use crate::AppState;
use crate::ctx::{CsrfForm, Ctx, SESSION_COOKIE, safe_back, set_cookie};
use crate::error::WebError;
use crate::pages::render;
use crate::templates::{AccountPage, Base, LoginPage, Problems, RegisterPage, RoleView};
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_domain::account::RegistrationInput;
use gongkai_service::{Actor, DEMO_PASSWORD, NewSession, ServiceError};
use serde::Deserialize;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/login", get(login_page).post(login_submit))
        .route("/register", get(register_page).post(register_submit))
        .route("/logout", post(logout))
        .route("/account", get(account_page))
        .route("/account/password", post(change_password))
        .route("/account/tokens", post(create_token))
}

#[derive(Deserialize, Default)]
struct BackQuery {
    #[serde(default)]
    back: String,
}

#[derive(Deserialize, Default)]
struct LoginForm {
    #[serde(default)]
    identifier: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    back: String,
}

fn login_view(
    state: &AppState,
    ctx: &Ctx,
    problems: Problems,
    identifier: String,
    back: String,
) -> LoginPage {
    LoginPage {
        base: Base::new(ctx, "login.title"),
        problems,
        identifier,
        back,
        demo_password: state.config.demo.then_some(DEMO_PASSWORD),
    }
}

async fn login_page(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<BackQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let back = query.map(|Query(q)| q.back).unwrap_or_default();
    render(login_view(
        &state,
        &ctx,
        Problems::default(),
        String::new(),
        safe_back(&back),
    ))
}

/// Sets the session cookie and sends the person on. The cookie is HttpOnly and SameSite=Lax;
/// its lifetime follows the session's idle timeout, which the server enforces anyway.
fn session_response(state: &AppState, session: &NewSession, to: &str) -> Response {
    let max_age = state.services.config.session_idle_minutes * 60;
    (
        [(
            header::SET_COOKIE,
            set_cookie(
                SESSION_COOKIE,
                &session.token,
                Some(max_age),
                true,
                state.config.secure_cookies,
            ),
        )],
        Redirect::to(to),
    )
        .into_response()
}

async fn login_submit(
    State(state): State<AppState>,
    CsrfForm(ctx, form): CsrfForm<LoginForm>,
) -> Result<Response, WebError> {
    let back = safe_back(&form.back);
    match state
        .services
        .login(&form.identifier, &form.password, &ctx.origin)
        .await
    {
        Ok(session) => Ok(session_response(&state, &session, &back)),
        Err(error) => {
            let (status, problems) = match &error {
                ServiceError::Invalid(p) => (
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Problems::from_form(ctx.lang, p),
                ),
                ServiceError::LoginFailed => (
                    StatusCode::UNAUTHORIZED,
                    Problems::one(ctx.lang, "identifier", "error.login_failed"),
                ),
                ServiceError::AccountLocked { .. } => (
                    StatusCode::TOO_MANY_REQUESTS,
                    Problems::one(ctx.lang, "identifier", "error.account_locked"),
                ),
                _ => return Err(error.into()),
            };
            let page = login_view(&state, &ctx, problems, form.identifier, back);
            Ok((status, render(page)?).into_response())
        }
    }
}

#[derive(Deserialize, Default)]
struct RegisterForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    mobile: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    password: String,
    #[serde(default)]
    password_confirmation: String,
}

async fn register_page(ctx: Ctx) -> Result<Response, WebError> {
    render(RegisterPage {
        base: Base::new(&ctx, "register.title"),
        problems: Problems::default(),
        email: String::new(),
        mobile: String::new(),
        display_name: String::new(),
    })
}

async fn register_submit(
    State(state): State<AppState>,
    CsrfForm(ctx, form): CsrfForm<RegisterForm>,
) -> Result<Response, WebError> {
    let input = RegistrationInput {
        email: &form.email,
        mobile: &form.mobile,
        display_name: &form.display_name,
        password: &form.password,
        password_confirmation: &form.password_confirmation,
    };
    match state.services.register(&input, &ctx.origin).await {
        Ok(session) => Ok(session_response(&state, &session, "/account")),
        Err(ServiceError::Invalid(problems)) => {
            let page = RegisterPage {
                base: Base::new(&ctx, "register.title"),
                problems: Problems::from_form(ctx.lang, &problems),
                email: form.email,
                mobile: form.mobile,
                display_name: form.display_name,
            };
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
struct EmptyForm {}

async fn logout(
    State(state): State<AppState>,
    CsrfForm(ctx, _form): CsrfForm<EmptyForm>,
) -> Result<Response, WebError> {
    if let Some(token) = &ctx.session_token {
        state.services.logout(token, &ctx.origin).await?;
    }
    Ok((
        [(
            header::SET_COOKIE,
            set_cookie(
                SESSION_COOKIE,
                "",
                Some(0),
                true,
                state.config.secure_cookies,
            ),
        )],
        Redirect::to("/"),
    )
        .into_response())
}

pub(crate) async fn role_views(
    state: &AppState,
    ctx: &Ctx,
    actor: &Actor,
) -> Result<Vec<RoleView>, WebError> {
    let tree = state.services.agency_tree().await?;
    let base = Base::new(ctx, "account.title");
    let mut views = Vec::new();
    for grant in &actor.grants {
        let mut scope = match grant.agency_id.and_then(|id| tree.get(id)) {
            Some(agency) => base.pick(&agency.name_zh, &agency.name_en).to_string(),
            None if grant.role.is_staff() => base.t("common.installation").to_string(),
            None => String::new(),
        };
        if let Some(department_id) = grant.department_id
            && let Some(department) = state
                .services
                .db
                .department_get(department_id)
                .await
                .map_err(ServiceError::from)?
        {
            scope.push_str(" · ");
            scope.push_str(base.pick(&department.name_zh, &department.name_en));
        }
        views.push(RoleView {
            role: match ctx.lang {
                crate::i18n::Lang::Zh => grant.role.label_zh(),
                crate::i18n::Lang::En => grant.role.label_en(),
            },
            scope,
        });
    }
    Ok(views)
}

async fn account_view(
    state: &AppState,
    ctx: &Ctx,
    problems: Problems,
    new_token: Option<String>,
    notice: Option<String>,
) -> Result<AccountPage, WebError> {
    let actor = ctx.require_actor()?;
    let subscriptions = state
        .services
        .my_subscriptions(actor)
        .await?
        .into_iter()
        .map(|s| crate::templates::SubscriptionView {
            id: s.id.to_string(),
            what: match s.filter_kind.as_str() {
                "all" => "全部 / All".to_string(),
                kind => format!("{kind}: {}", s.filter_value),
            },
            frequency: s.frequency,
            pending: s.status == "pending",
            email: s.email,
        })
        .collect();
    Ok(AccountPage {
        base: Base::new(ctx, "account.title").with_notice(notice),
        problems,
        login: actor.login_label().to_string(),
        roles: role_views(state, ctx, actor).await?,
        new_token,
        subscriptions,
    })
}

async fn account_page(State(state): State<AppState>, ctx: Ctx) -> Result<Response, WebError> {
    render(account_view(&state, &ctx, Problems::default(), None, None).await?)
}

#[derive(Deserialize, Default)]
struct PasswordForm {
    #[serde(default)]
    current_password: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_confirmation: String,
}

async fn change_password(
    State(state): State<AppState>,
    CsrfForm(ctx, form): CsrfForm<PasswordForm>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let token = ctx.session_token.clone().unwrap_or_default();
    match state
        .services
        .change_password(
            &actor,
            &token,
            &form.current_password,
            &form.new_password,
            &form.new_password_confirmation,
            &ctx.origin,
        )
        .await
    {
        Ok(()) => {
            let notice = Some(ctx.t("account.password_changed").to_string());
            render(account_view(&state, &ctx, Problems::default(), None, notice).await?)
        }
        Err(ServiceError::Invalid(problems)) => {
            let page = account_view(
                &state,
                &ctx,
                Problems::from_form(ctx.lang, &problems),
                None,
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Deserialize, Default)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(state): State<AppState>,
    CsrfForm(ctx, form): CsrfForm<TokenForm>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    match state
        .services
        .create_api_token(&actor, &form.name, &ctx.origin)
        .await
    {
        Ok(token) => {
            render(account_view(&state, &ctx, Problems::default(), Some(token), None).await?)
        }
        Err(ServiceError::Invalid(problems)) => {
            let page = account_view(
                &state,
                &ctx,
                Problems::from_form(ctx.lang, &problems),
                None,
                None,
            )
            .await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
        Err(other) => Err(other.into()),
    }
}
