//! Public endpoints of the transparency log, for anyone to mirror and verify offline: the tree
//! head, the entries (base64 leaf data), and inclusion and consistency proofs (base64 hashes),
//! in the JSON shapes of the transparency issue. Signed checkpoints and the C2SP tiles arrive
//! with the signing key.

use crate::AppState;
use crate::api::ApiError;
use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gongkai_domain::tlog::base64_encode;
use serde::Deserialize;
use serde_json::json;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/transparency/tree-head", get(tree_head))
        .route("/transparency/entries", get(entries))
        .route("/transparency/proof/inclusion", get(inclusion))
        .route("/transparency/proof/consistency", get(consistency))
}

/// The most entries one request returns.
const ENTRIES_LIMIT_MAX: i64 = 1000;

fn bad_query() -> ApiError {
    ApiError::from(gongkai_service::ServiceError::invalid("query", "invalid"))
}

async fn tree_head(State(state): State<AppState>) -> Result<Response, ApiError> {
    let head = state.services.tree_head().await?;
    Ok(Json(json!({ "size": head.size, "root": base64_encode(&head.root.0) })).into_response())
}

#[derive(Deserialize)]
struct EntriesQuery {
    #[serde(default)]
    start: i64,
    #[serde(default)]
    limit: Option<i64>,
}

async fn entries(
    State(state): State<AppState>,
    query: Result<Query<EntriesQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|_| bad_query())?;
    if q.start < 0 {
        return Err(bad_query());
    }
    let limit = q.limit.unwrap_or(100).clamp(1, ENTRIES_LIMIT_MAX);
    let rows = state.services.log_entries(q.start, limit).await?;
    let entries: Vec<_> = rows
        .into_iter()
        .map(|(index, data)| json!({ "index": index, "data": base64_encode(&data) }))
        .collect();
    Ok(Json(json!({ "entries": entries })).into_response())
}

#[derive(Deserialize)]
struct InclusionQuery {
    index: u64,
    size: u64,
}

async fn inclusion(
    State(state): State<AppState>,
    query: Result<Query<InclusionQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|_| bad_query())?;
    let proof = state.services.inclusion_proof(q.index, q.size).await?;
    let proof: Vec<String> = proof.iter().map(|h| base64_encode(&h.0)).collect();
    Ok(Json(json!({ "index": q.index, "size": q.size, "proof": proof })).into_response())
}

#[derive(Deserialize)]
struct ConsistencyQuery {
    from: u64,
    to: u64,
}

async fn consistency(
    State(state): State<AppState>,
    query: Result<Query<ConsistencyQuery>, QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|_| bad_query())?;
    let proof = state.services.consistency_proof(q.from, q.to).await?;
    let proof: Vec<String> = proof.iter().map(|h| base64_encode(&h.0)).collect();
    Ok((
        StatusCode::OK,
        Json(json!({ "from": q.from, "to": q.to, "proof": proof })),
    )
        .into_response())
}
