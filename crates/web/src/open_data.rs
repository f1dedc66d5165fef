//! Open data of an agency's proactive disclosure (docs/open-data.md): the Frictionless Data
//! Package at `/a/{slug}/datapackage.json` with the two CSV files it references, and the
//! DCAT-AP catalog at `/a/{slug}/dcat.jsonld`. The content is built by the service; this module
//! only serves it.

use crate::AppState;
use crate::error::WebError;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/a/{slug}/datapackage.json", get(datapackage))
        .route("/a/{slug}/data/{file}", get(data_file))
        .route("/a/{slug}/dcat.jsonld", get(dcat))
}

fn with_type(content_type: &'static str, body: String) -> Response {
    (
        [
            (header::CONTENT_TYPE, HeaderValue::from_static(content_type)),
            // Harvesters on other sites read these files from scripts too.
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        body,
    )
        .into_response()
}

async fn datapackage(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let data = state.services.open_data(&slug).await?;
    Ok(with_type(
        "application/json; charset=utf-8",
        data.datapackage()?.to_string(),
    ))
}

async fn data_file(
    State(state): State<AppState>,
    Path((slug, file)): Path<(String, String)>,
) -> Result<Response, WebError> {
    // Only the two resources of the package exist; anything else is not found before the
    // database is read.
    if !matches!(file.as_str(), "catalog-items.csv" | "documents.csv") {
        return Err(WebError::Status(axum::http::StatusCode::NOT_FOUND));
    }
    let data = state.services.open_data(&slug).await?;
    let csv = if file == "documents.csv" {
        data.documents_csv()?
    } else {
        data.catalog_items_csv()?
    };
    Ok(with_type("text/csv; charset=utf-8", csv))
}

async fn dcat(
    State(state): State<AppState>,
    Path(slug): Path<String>,
) -> Result<Response, WebError> {
    let data = state.services.open_data(&slug).await?;
    Ok(with_type(
        "application/ld+json; charset=utf-8",
        data.dcat()?.to_string(),
    ))
}
