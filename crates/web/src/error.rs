//! The one mapping from failures to HTTP answers for pages.
//!
//! Error pages are bilingual (Chinese above, English below) because an error can happen before
//! the visitor's language is known. Internal details never reach the page: an unexpected error
//! is logged with its request id, and the page shows only the id.

use crate::i18n::{Lang, t};
use askama::Template;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use gongkai_service::ServiceError;
use std::any::Any;

#[derive(Debug, thiserror::Error)]
pub enum WebError {
    #[error("status {0}")]
    Status(StatusCode),
    #[error("service: {0}")]
    Service(#[from] ServiceError),
    #[error("csrf token missing or wrong")]
    Csrf,
    #[error("login required")]
    LoginRequired { back: String },
    #[error("template: {0}")]
    Render(#[from] askama::Error),
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    status: u16,
    zh_title: &'static str,
    zh_message: String,
    en_title: &'static str,
    en_message: String,
}

fn status_message(lang: Lang, status: StatusCode) -> String {
    crate::i18n::lookup(lang, &format!("error.{}", status.as_u16()))
        .unwrap_or_else(|| t(lang, "error.400"))
        .to_string()
}

pub(crate) fn error_page(status: StatusCode, zh_message: String, en_message: String) -> Response {
    let page = ErrorPage {
        status: status.as_u16(),
        zh_title: t(Lang::Zh, "error.title"),
        zh_message,
        en_title: t(Lang::En, "error.title"),
        en_message,
    };
    let body = page.render().unwrap_or_else(|_| {
        format!(
            "<!doctype html><title>{0}</title><p>{0}</p>",
            status.as_u16()
        )
    });
    let mut response = (status, axum::response::Html(body)).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn status_page(status: StatusCode) -> Response {
    error_page(
        status,
        status_message(Lang::Zh, status),
        status_message(Lang::En, status),
    )
}

fn keyed_page(status: StatusCode, key: &str) -> Response {
    error_page(
        status,
        t(Lang::Zh, key).to_string(),
        t(Lang::En, key).to_string(),
    )
}

impl WebError {
    pub(crate) fn into_response_plain(self) -> Response {
        self.into_response()
    }

    pub fn status(&self) -> StatusCode {
        match self {
            WebError::Status(s) => *s,
            WebError::Csrf => StatusCode::FORBIDDEN,
            WebError::LoginRequired { .. } => StatusCode::SEE_OTHER,
            WebError::Render(_) => StatusCode::INTERNAL_SERVER_ERROR,
            WebError::Service(e) => service_status(e),
        }
    }
}

pub(crate) fn service_status(error: &ServiceError) -> StatusCode {
    match error {
        ServiceError::Invalid(_) | ServiceError::Refused { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        ServiceError::Unauthenticated | ServiceError::LoginFailed => StatusCode::UNAUTHORIZED,
        ServiceError::Forbidden => StatusCode::FORBIDDEN,
        ServiceError::NotFound => StatusCode::NOT_FOUND,
        ServiceError::Conflict { .. } => StatusCode::CONFLICT,
        ServiceError::AccountLocked { .. } | ServiceError::RateLimited { .. } => {
            StatusCode::TOO_MANY_REQUESTS
        }
        ServiceError::Unexpected(_) => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            WebError::Status(status) => status_page(status),
            WebError::Csrf => keyed_page(StatusCode::FORBIDDEN, "error.csrf"),
            WebError::LoginRequired { back } => {
                let target = format!(
                    "/login?back={}",
                    serde_urlencoded::to_string([("", back.as_str())])
                        .unwrap_or_default()
                        .trim_start_matches('=')
                );
                Redirect::to(&target).into_response()
            }
            WebError::Render(e) => {
                tracing::error!(error = %e, "template rendering failed");
                status_page(StatusCode::INTERNAL_SERVER_ERROR)
            }
            WebError::Service(e) => match &e {
                ServiceError::Unexpected(inner) => {
                    tracing::error!(error = ?inner, "unexpected service error");
                    status_page(StatusCode::INTERNAL_SERVER_ERROR)
                }
                ServiceError::RateLimited {
                    retry_after_seconds,
                } => {
                    let mut response =
                        keyed_page(StatusCode::TOO_MANY_REQUESTS, "error.rate_limited");
                    if let Ok(v) = HeaderValue::from_str(&retry_after_seconds.to_string()) {
                        response.headers_mut().insert(header::RETRY_AFTER, v);
                    }
                    response
                }
                ServiceError::AccountLocked { .. } => {
                    keyed_page(StatusCode::TOO_MANY_REQUESTS, "error.account_locked")
                }
                ServiceError::LoginFailed => {
                    keyed_page(StatusCode::UNAUTHORIZED, "error.login_failed")
                }
                other => status_page(service_status(other)),
            },
        }
    }
}

/// Turns a panic inside a handler into the bilingual 500 page. The panic itself is logged; the
/// visitor never sees its message.
pub(crate) fn panic_response(panic: Box<dyn Any + Send + 'static>) -> Response {
    let message = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(non-string panic)");
    tracing::error!(panic = message, "handler panicked");
    status_page(StatusCode::INTERNAL_SERVER_ERROR)
}
