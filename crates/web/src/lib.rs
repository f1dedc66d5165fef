//! The only crate of Gongkai that knows HTTP: server-rendered pages (askama), forms with CSRF
//! tokens, database-backed sessions, the bilingual interface, error pages, and the JSON API
//! under `/api/v1` with its OpenAPI document.
//!
//! Pages work without JavaScript, in Chinese first and English second, by keyboard and screen
//! reader, and in a large-text, high-contrast mode. This crate must never hold business rules
//! (they belong to `gongkai-domain` and `gongkai-service`) and must never answer bad input with
//! a panic or a 500: every rejection is a clear, specific 4xx.

mod account;
mod admin;
pub mod annual_report;
pub mod api;
mod applications;
mod ctx;
mod datasets;
mod documents;
mod error;
mod guide;
pub mod i18n;
mod log_explorer;
mod open_data;
mod pages;
mod pdf;
mod performance;
mod redaction;
mod staff_catalog;
mod staff_documents;
mod subscriptions;
mod templates;
mod transparency;

pub use ctx::{Ctx, SESSION_COOKIE};
pub use error::WebError;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gongkai_service::Services;
use std::sync::Arc;
use std::time::Duration;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

/// The largest request body accepted by pages and the API (forms and JSON; uploads will get
/// their own, larger limit on their own routes).
pub const REQUEST_BODY_MAX_BYTES: usize = 1024 * 1024;
/// Requests taking longer than this are answered with 408 rather than holding a worker.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);

/// Settings of the web layer.
#[derive(Debug, Clone, Default)]
pub struct WebConfig {
    /// Mark cookies `Secure` (behind HTTPS in production).
    pub secure_cookies: bool,
    /// Take the client address from `X-Forwarded-For` (only behind a trusted reverse proxy).
    pub trust_forwarded_for: bool,
    /// Show the demo password hint on the login page.
    pub demo: bool,
}

/// Shared state of every handler.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub config: WebConfig,
    /// Signs CSRF tokens; the same on every process because it lives in the database.
    pub(crate) csrf_secret: Arc<Vec<u8>>,
    /// Signs the transparency log's checkpoints. It comes from a file of the data directory,
    /// never from the database; without it the checkpoint and key endpoints answer 503.
    pub(crate) log_signer: Option<Arc<gongkai_domain::signed_note::NoteSigner>>,
    /// The PDF typesetter, loaded with its fonts on the first PDF request (about a fifth of a
    /// second); `None` inside when no CJK font is installed, and PDF links then answer 503.
    pub(crate) renderer: Arc<tokio::sync::OnceCell<Option<Arc<gongkai_render::Renderer>>>>,
}

impl AppState {
    pub async fn new(services: Services, config: WebConfig) -> Result<AppState, WebError> {
        let csrf_secret = services
            .installation_secret()
            .await
            .map_err(WebError::from)?;
        Ok(AppState {
            services,
            config,
            csrf_secret: Arc::new(csrf_secret),
            log_signer: None,
            renderer: Arc::new(tokio::sync::OnceCell::new()),
        })
    }

    /// The same state, signing the transparency log's checkpoints with `signer`.
    pub fn with_log_signer(mut self, signer: gongkai_domain::signed_note::NoteSigner) -> AppState {
        self.log_signer = Some(Arc::new(signer));
        self
    }
}

/// Builds the whole application: pages, API, health check and the middleware stack.
pub fn router(state: AppState) -> Router {
    let x_request_id = HeaderName::from_static("x-request-id");
    Router::new()
        .merge(pages::routes())
        .merge(account::routes())
        .merge(admin::routes())
        .merge(applications::routes())
        .merge(annual_report::routes())
        .merge(transparency::routes())
        .merge(documents::routes())
        .merge(guide::routes())
        .merge(staff_documents::routes())
        .merge(staff_catalog::routes())
        .merge(subscriptions::routes())
        .merge(pdf::routes())
        .merge(log_explorer::routes())
        .merge(open_data::routes())
        .merge(datasets::routes())
        .merge(performance::routes())
        .merge(redaction::routes())
        .nest("/api/v1", api::routes())
        .route("/healthz", get(healthz))
        .route("/static/site.css", get(stylesheet))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ctx::ensure_csrf_cookie,
        ))
        .layer(DefaultBodyLimit::max(REQUEST_BODY_MAX_BYTES))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'",
            ),
        ))
        .layer(middleware::from_fn(log_request))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(CatchPanicLayer::custom(error::panic_response))
        .layer(TraceLayer::new_for_http().make_span_with(|request: &Request| {
            let request_id = request
                .headers()
                .get("x-request-id")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("-");
            tracing::info_span!("request", request_id = %request_id, method = %request.method(), path = %request.uri().path())
        }))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(state)
}

/// Logs one structured line per request with its status, so operations can follow a
/// request id from the error page to the log.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_string();
    let started = std::time::Instant::now();
    let response = next.run(request).await;
    let status = response.status().as_u16();
    let elapsed_ms = started.elapsed().as_millis() as u64;
    if status >= 500 {
        tracing::error!(%method, %path, status, elapsed_ms, "request failed");
    } else {
        tracing::info!(%method, %path, status, elapsed_ms, "request");
    }
    response
}

/// Answers 200 once the database is reachable, 503 otherwise.
async fn healthz(State(state): State<AppState>) -> Response {
    match state.services.db.ping().await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "health check: database unreachable");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable").into_response()
        }
    }
}

async fn stylesheet() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../static/site.css"),
    )
        .into_response()
}

async fn not_found() -> WebError {
    WebError::Status(StatusCode::NOT_FOUND)
}

async fn method_not_allowed() -> WebError {
    WebError::Status(StatusCode::METHOD_NOT_ALLOWED)
}
