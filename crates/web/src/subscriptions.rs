//! Subscription pages: the form (double opt-in), the confirmation link, the unsubscribe link
//! (one-click POST per RFC 8058, and a GET page with a button, because mail scanners follow
//! GET links and must not unsubscribe anyone), and cancelling from the account page.

use crate::AppState;
use crate::ctx::{CsrfForm, Ctx};
use crate::error::WebError;
use crate::pages::render;
use crate::templates::{Base, Choice, Problems};
use askama::Template;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use gongkai_service::{SUBSCRIPTION_FILTER_KINDS, ServiceError, SubscriptionRequest};
use serde::Deserialize;
use uuid::Uuid;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/subscriptions", get(form).post(submit))
        .route("/subscriptions/confirm", get(confirm))
        .route(
            "/subscriptions/unsubscribe",
            get(unsubscribe_page).post(unsubscribe_one_click),
        )
        .route("/account/subscriptions/{id}/cancel", post(cancel_own))
}

#[derive(Debug, Clone, Default, Deserialize)]
pub(crate) struct SubscriptionForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub frequency: String,
}

#[derive(Template)]
#[template(path = "subscribe.html")]
pub(crate) struct SubscribePage {
    pub base: Base,
    pub problems: Problems,
    pub values: SubscriptionForm,
    pub kind_choices: Vec<Choice>,
    pub frequency_choices: Vec<Choice>,
    pub sent_to: Option<String>,
    pub already: bool,
}

fn kind_label(en: bool, kind: &str) -> &'static str {
    match (kind, en) {
        ("catalog", false) => "某一目录事项",
        ("catalog", true) => "One catalog item",
        ("topic", false) => "某一主题",
        ("topic", true) => "One topic",
        ("issuer", false) => "某一发布机构",
        ("issuer", true) => "One issuer",
        (_, false) => "全部新公开文件",
        (_, true) => "Every new document",
    }
}

fn page(ctx: &Ctx, values: SubscriptionForm, problems: Problems) -> SubscribePage {
    let base = Base::titled(
        ctx,
        if ctx.lang == crate::i18n::Lang::En {
            "Subscribe to new publications".to_string()
        } else {
            "订阅新公开文件".to_string()
        },
    );
    let kind_choices = SUBSCRIPTION_FILTER_KINDS
        .iter()
        .map(|k| Choice {
            value: (*k).to_string(),
            label: kind_label(base.is_en(), k).to_string(),
            selected: values.kind == *k || (values.kind.is_empty() && *k == "all"),
        })
        .collect();
    let frequency_choices = [("daily", "每日", "Daily"), ("weekly", "每周", "Weekly")]
        .iter()
        .map(|(code, zh, en)| Choice {
            value: (*code).to_string(),
            label: if base.is_en() { *en } else { *zh }.to_string(),
            selected: values.frequency == *code
                || (values.frequency.is_empty() && *code == "weekly"),
        })
        .collect();
    SubscribePage {
        base,
        problems,
        values,
        kind_choices,
        frequency_choices,
        sent_to: None,
        already: false,
    }
}

async fn form(
    ctx: Ctx,
    query: Result<Query<SubscriptionForm>, QueryRejection>,
) -> Result<Response, WebError> {
    let mut values = query.map(|Query(q)| q).unwrap_or_default();
    if values.email.is_empty()
        && let Some(actor) = &ctx.actor
    {
        values.email = actor.email.clone().unwrap_or_default();
    }
    render(page(&ctx, values, Problems::default()))
}

async fn submit(
    State(state): State<AppState>,
    CsrfForm(ctx, values): CsrfForm<SubscriptionForm>,
) -> Result<Response, WebError> {
    let request = SubscriptionRequest {
        email: values.email.clone(),
        filter_kind: values.kind.clone(),
        filter_value: values.value.clone(),
        frequency: values.frequency.clone(),
    };
    match state.services.subscribe(ctx.actor.as_ref(), &request).await {
        Ok(_) => {
            let mut shown = page(&ctx, values.clone(), Problems::default());
            shown.sent_to = Some(values.email.trim().to_lowercase());
            render(shown)
        }
        Err(ServiceError::Invalid(problems)) => {
            let mut response =
                render(page(&ctx, values, Problems::from_form(ctx.lang, &problems)))?;
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(ServiceError::Conflict { .. }) => {
            let mut shown = page(&ctx, values, Problems::default());
            shown.already = true;
            let mut response = render(shown)?;
            *response.status_mut() = StatusCode::CONFLICT;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct TokenQuery {
    #[serde(default)]
    id: String,
    #[serde(default)]
    token: String,
}

#[derive(Template)]
#[template(path = "subscription_done.html")]
pub(crate) struct DonePage {
    pub base: Base,
    pub heading: &'static str,
    pub message: &'static str,
    /// For the unsubscribe confirmation page: the form's id and token.
    pub unsubscribe_form: Option<(String, String)>,
}

fn parse_token(
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Result<(Uuid, String), WebError> {
    let Ok(Query(q)) = query else {
        return Err(WebError::Status(StatusCode::NOT_FOUND));
    };
    let id = Uuid::parse_str(q.id.trim()).map_err(|_| WebError::Status(StatusCode::NOT_FOUND))?;
    Ok((id, q.token))
}

async fn confirm(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let (id, token) = parse_token(query)?;
    state.services.confirm_subscription(id, &token).await?;
    let base = Base::titled(&ctx, String::new());
    let en = base.is_en();
    render(DonePage {
        heading: if en {
            "Subscription confirmed"
        } else {
            "订阅已确认"
        },
        message: if en {
            "You will receive a digest when new documents are published. Every digest has an unsubscribe link."
        } else {
            "有新公开文件时，我们会按您选择的频率发送摘要邮件。每封邮件都附有退订链接。"
        },
        unsubscribe_form: None,
        base,
    })
}

async fn unsubscribe_page(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let (id, token) = parse_token(query)?;
    // Checks the token without changing anything: the button below does the change.
    let row = state
        .services
        .db
        .subscription_get(id)
        .await
        .map_err(ServiceError::from)?
        .ok_or(WebError::Status(StatusCode::NOT_FOUND))?;
    let base = Base::titled(&ctx, String::new());
    let en = base.is_en();
    let done = row.status == "unsubscribed";
    render(DonePage {
        heading: match (done, en) {
            (true, true) => "Already unsubscribed",
            (true, false) => "已退订",
            (false, true) => "Unsubscribe",
            (false, false) => "退订",
        },
        message: if done {
            ""
        } else if en {
            "Press the button to stop these digests."
        } else {
            "点击下方按钮即可停止接收这些摘要邮件。"
        },
        unsubscribe_form: (!done).then(|| (id.to_string(), token)),
        base,
    })
}

/// RFC 8058 one-click: the mail program POSTs `List-Unsubscribe=One-Click` to the URL from
/// the header; our own button posts the same. No session or CSRF token is involved: the HMAC
/// token in the URL is the authority, and it only ever unsubscribes.
async fn unsubscribe_one_click(
    State(state): State<AppState>,
    ctx: Ctx,
    query: Result<Query<TokenQuery>, QueryRejection>,
) -> Result<Response, WebError> {
    let (id, token) = parse_token(query)?;
    state.services.unsubscribe(id, &token).await?;
    let base = Base::titled(&ctx, String::new());
    let en = base.is_en();
    render(DonePage {
        heading: if en { "Unsubscribed" } else { "已退订" },
        message: if en {
            "You will receive no more digests for this subscription."
        } else {
            "您将不再收到该订阅的邮件。"
        },
        unsubscribe_form: None,
        base,
    })
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct CancelForm {}

async fn cancel_own(
    State(state): State<AppState>,
    Path(id): Path<String>,
    CsrfForm(ctx, _form): CsrfForm<CancelForm>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?;
    let id = Uuid::parse_str(&id).map_err(|_| WebError::Status(StatusCode::NOT_FOUND))?;
    state.services.unsubscribe_own(actor, id).await?;
    Ok(Redirect::to("/account").into_response())
}
