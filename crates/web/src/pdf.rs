//! Printable PDFs with embedded CJK fonts: the paper catalog of an agency (Art. 25) and the
//! issued reply letter of an application (Art. 36, for the applicant's and the agency's
//! records). Typesetting is CPU work, so it runs on the blocking pool.

use crate::AppState;
use crate::ctx::Ctx;
use crate::error::WebError;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gongkai_domain::publication::Validity;
use gongkai_render::{CatalogPdf, CatalogRow, CatalogSection, LetterPdf, RenderError, Renderer};
use gongkai_service::ServiceError;
use std::sync::Arc;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/a/{slug}/catalog.pdf", get(catalog_pdf))
        .route("/applications/{id}/reply.pdf", get(reply_pdf))
}

/// The shared renderer, created on first use; `None` when no CJK font is installed.
pub(crate) async fn renderer(state: &AppState) -> Option<Arc<Renderer>> {
    state
        .renderer
        .get_or_init(|| async {
            match tokio::task::spawn_blocking(|| {
                Renderer::new(&gongkai_render::RendererConfig::default())
            })
            .await
            {
                Ok(Ok(renderer)) => Some(Arc::new(renderer)),
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "PDF output unavailable");
                    None
                }
                Err(e) => {
                    tracing::warn!(error = %e, "PDF renderer did not start");
                    None
                }
            }
        })
        .await
        .clone()
}

fn render_failure(error: RenderError) -> WebError {
    match error {
        RenderError::TooLarge { .. } | RenderError::InvalidTable { .. } => {
            WebError::Status(StatusCode::UNPROCESSABLE_ENTITY)
        }
        RenderError::NoCjkFont { .. } => WebError::Status(StatusCode::SERVICE_UNAVAILABLE),
        other => {
            tracing::error!(error = %other, "typesetting failed");
            WebError::Status(StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

pub(crate) async fn typeset<F>(state: &AppState, job: F) -> Result<Vec<u8>, WebError>
where
    F: FnOnce(&Renderer) -> Result<Vec<u8>, RenderError> + Send + 'static,
{
    let Some(renderer) = renderer(state).await else {
        return Err(WebError::Status(StatusCode::SERVICE_UNAVAILABLE));
    };
    tokio::task::spawn_blocking(move || job(&renderer))
        .await
        .map_err(|e| {
            tracing::error!(error = %e, "typesetting task failed");
            WebError::Status(StatusCode::INTERNAL_SERVER_ERROR)
        })?
        .map_err(render_failure)
}

fn pdf_response(bytes: Vec<u8>, filename: &str) -> Response {
    let disposition = HeaderValue::from_str(&format!("inline; filename=\"{filename}\""))
        .unwrap_or(HeaderValue::from_static("inline"));
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/pdf"),
            ),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        bytes,
    )
        .into_response()
}

async fn catalog_pdf(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let agency = state.services.agency_by_slug(&slug).await?;
    let items = state.services.catalog_view(agency.id).await?;
    let mut sections: Vec<CatalogSection> = items
        .iter()
        .filter(|i| i.row.active)
        .map(|i| CatalogSection {
            heading: i.data.name.clone(),
            rows: Vec::new(),
        })
        .collect();
    let mut unfiled = CatalogSection {
        heading: "其他".to_string(),
        rows: Vec::new(),
    };
    // Paper catalog: every published document of the agency, at once.
    let rows = state
        .services
        .db
        .documents_published_of(agency.id)
        .await
        .map_err(ServiceError::from)?;
    for row in rows {
        let entry = CatalogRow {
            index_number: row.index_number.clone(),
            title: row.title.clone(),
            document_number: String::new(),
            published_date: row
                .published_date
                .map(gongkai_domain::calendar::format_iso_date)
                .unwrap_or_default(),
            validity: Validity::from_code(&row.validity)
                .map(|v| v.label_zh().to_string())
                .unwrap_or_default(),
        };
        let position = row.catalog_code.as_ref().and_then(|code| {
            items
                .iter()
                .filter(|i| i.row.active)
                .position(|i| &i.row.code == code)
        });
        match position.and_then(|p| sections.get_mut(p)) {
            Some(section) => section.rows.push(entry),
            None => unfiled.rows.push(entry),
        }
    }
    if !unfiled.rows.is_empty() {
        sections.push(unfiled);
    }
    sections.retain(|s| !s.rows.is_empty());
    let catalog = CatalogPdf {
        agency_name: agency.name_zh.clone(),
        generated_on: gongkai_domain::calendar::format_iso_date(
            state.services.clock.today_in_china(),
        ),
        sections,
    };
    let bytes = typeset(&state, move |r| r.render_catalog(&catalog)).await?;
    Ok(pdf_response(bytes, &format!("{}-catalog.pdf", agency.slug)))
}

async fn reply_pdf(
    State(state): State<AppState>,
    ctx: Ctx,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let actor = ctx.require_actor()?.clone();
    let id = uuid::Uuid::parse_str(&id).map_err(|_| WebError::Status(StatusCode::NOT_FOUND))?;
    let letter = state.services.issued_reply_letter(&actor, id).await?;
    let date = letter.issued_on;
    let pdf = LetterPdf {
        title: "政府信息公开申请答复书".to_string(),
        recipient: format!("{}：", letter.applicant_name),
        body_paragraphs: letter.paragraphs,
        agency_name: letter.agency_name,
        date_text: format!(
            "{}年{}月{}日",
            date.year(),
            u8::from(date.month()),
            date.day()
        ),
        reference: letter.receipt_number.clone(),
        seal_text: None,
    };
    let bytes = typeset(&state, move |r| r.render_letter(&pdf)).await?;
    Ok(pdf_response(
        bytes,
        &format!("{}-reply.pdf", letter.receipt_number),
    ))
}
