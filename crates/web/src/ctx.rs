//! The request context every page needs: language, display mode, the signed-in actor, the
//! CSRF token, and where the request came from.
//!
//! CSRF protection is a signed double-submit token: every visitor gets a random, HttpOnly
//! `gk_csrf` cookie, and every form carries HMAC(installation secret, cookie). A forged form
//! from another site cannot read the cookie and so cannot compute the token; SameSite=Lax
//! cookies are a second line.

use crate::AppState;
use crate::error::WebError;
use crate::i18n::Lang;
use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use gongkai_service::{Actor, RequestOrigin, constant_time_eq, hmac_sha256_hex, random_hex};
use serde::de::DeserializeOwned;
use std::net::SocketAddr;

pub const SESSION_COOKIE: &str = "gk_session";
pub(crate) const CSRF_COOKIE: &str = "gk_csrf";
pub(crate) const LANG_COOKIE: &str = "gk_lang";
pub(crate) const DISPLAY_COOKIE: &str = "gk_display";
/// The form field that carries the CSRF token.
pub(crate) const CSRF_FIELD: &str = "csrf_token";

/// The visitor's CSRF seed (the cookie value), put into request extensions by the middleware.
#[derive(Debug, Clone)]
pub(crate) struct CsrfSeed(pub(crate) String);

/// Reads one cookie from the request headers.
pub(crate) fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim())
}

/// Formats a Set-Cookie value. `max_age_seconds = None` makes a browser-session cookie.
pub(crate) fn set_cookie(
    name: &str,
    value: &str,
    max_age_seconds: Option<i64>,
    http_only: bool,
    secure: bool,
) -> HeaderValue {
    let mut cookie = format!("{name}={value}; Path=/; SameSite=Lax");
    if let Some(age) = max_age_seconds {
        cookie.push_str(&format!("; Max-Age={age}"));
    }
    if http_only {
        cookie.push_str("; HttpOnly");
    }
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).unwrap_or_else(|_| HeaderValue::from_static("invalid=1"))
}

fn valid_seed(value: &str) -> bool {
    value.len() == 64 && value.bytes().all(|b| b.is_ascii_hexdigit())
}

/// Gives every visitor a CSRF seed cookie, so that the first page they see already has forms
/// with valid tokens.
pub(crate) async fn ensure_csrf_cookie(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let existing = cookie(request.headers(), CSRF_COOKIE)
        .filter(|v| valid_seed(v))
        .map(str::to_string);
    let (seed, fresh) = match existing {
        Some(seed) => (seed, false),
        None => match random_hex(32) {
            Ok(seed) => (seed, true),
            Err(e) => return WebError::from(e).into_response_plain(),
        },
    };
    request.extensions_mut().insert(CsrfSeed(seed.clone()));
    let mut response = next.run(request).await;
    if fresh {
        response.headers_mut().append(
            header::SET_COOKIE,
            set_cookie(CSRF_COOKIE, &seed, None, true, state.config.secure_cookies),
        );
    }
    response
}

/// Everything a page handler needs to know about the request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub lang: Lang,
    pub large_text: bool,
    pub actor: Option<Actor>,
    pub session_token: Option<String>,
    pub csrf_token: String,
    pub origin: RequestOrigin,
    /// The path and query of this request, for "back" links after switching language.
    pub here: String,
    pub request_id: String,
}

impl Ctx {
    pub fn t(&self, key: &str) -> &'static str {
        crate::templates::static_t(self.lang, key)
    }

    pub fn require_actor(&self) -> Result<&Actor, WebError> {
        self.actor.as_ref().ok_or(WebError::LoginRequired {
            back: self.here.clone(),
        })
    }

    pub(crate) fn check_csrf(&self, submitted: &str) -> Result<(), WebError> {
        if !submitted.is_empty() && constant_time_eq(submitted, &self.csrf_token) {
            Ok(())
        } else {
            Err(WebError::Csrf)
        }
    }
}

pub(crate) fn client_address(parts: &Parts, trust_forwarded_for: bool) -> String {
    if trust_forwarded_for
        && let Some(first) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(',').next())
    {
        return first.trim().to_string();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Ctx, WebError> {
        let headers = &parts.headers;
        let lang = cookie(headers, LANG_COOKIE)
            .and_then(Lang::parse)
            .unwrap_or_else(|| {
                headers
                    .get(header::ACCEPT_LANGUAGE)
                    .and_then(|v| v.to_str().ok())
                    .map(Lang::from_accept_language)
                    .unwrap_or(Lang::Zh)
            });
        let large_text = cookie(headers, DISPLAY_COOKIE) == Some("large");
        let session_token = cookie(headers, SESSION_COOKIE).map(str::to_string);
        let actor = match &session_token {
            Some(token) => state.services.session_actor(token).await?,
            None => None,
        };
        let seed = parts
            .extensions
            .get::<CsrfSeed>()
            .map(|s| s.0.clone())
            .unwrap_or_default();
        let csrf_token = hmac_sha256_hex(&state.csrf_secret, seed.as_bytes());
        let origin = RequestOrigin {
            address: client_address(parts, state.config.trust_forwarded_for),
            user_agent: headers
                .get(header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string(),
        };
        let here = parts
            .uri
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_else(|| "/".to_string());
        let request_id = headers
            .get("x-request-id")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("-")
            .to_string();
        Ok(Ctx {
            lang,
            large_text,
            actor,
            session_token,
            csrf_token,
            origin,
            here,
            request_id,
        })
    }
}

/// A URL-encoded form whose CSRF token has been checked. Every field of `T` should be a
/// `String` with `#[serde(default)]`, so that missing or garbage fields become validation
/// problems listed on the page instead of a bare rejection.
pub(crate) struct CsrfForm<T>(pub(crate) Ctx, pub(crate) T);

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = WebError;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, WebError> {
        let (mut parts, body) = request.into_parts();
        let ctx = Ctx::from_request_parts(&mut parts, state).await?;
        let is_form = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return Err(WebError::Status(
                axum::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ));
        }
        let bytes = axum::body::to_bytes(body, crate::REQUEST_BODY_MAX_BYTES)
            .await
            .map_err(|_| WebError::Status(axum::http::StatusCode::PAYLOAD_TOO_LARGE))?;
        let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| WebError::Status(axum::http::StatusCode::BAD_REQUEST))?;
        // A NUL character is never legitimate in a form, and PostgreSQL cannot store it in
        // text: it is refused here, once for every form, as a bad request.
        if pairs
            .iter()
            .any(|(k, v)| k.contains('\0') || v.contains('\0'))
        {
            return Err(WebError::Status(axum::http::StatusCode::BAD_REQUEST));
        }
        let submitted = pairs
            .iter()
            .find(|(k, _)| k == CSRF_FIELD)
            .map(|(_, v)| v.as_str())
            .unwrap_or("");
        ctx.check_csrf(submitted)?;
        let value: T = serde_urlencoded::from_bytes(&bytes)
            .map_err(|_| WebError::Status(axum::http::StatusCode::BAD_REQUEST))?;
        Ok(CsrfForm(ctx, value))
    }
}

/// Only same-site paths are accepted as "back" targets, so a link cannot bounce a visitor to
/// another site (an open redirect).
pub(crate) fn safe_back(back: &str) -> String {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.chars().any(char::is_control);
    if ok {
        back.to_string()
    } else {
        "/".to_string()
    }
}
