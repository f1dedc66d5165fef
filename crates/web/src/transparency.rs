//! Public endpoints of the transparency log, for anyone to mirror and verify offline: the tree
//! head, the entries (base64 leaf data), and inclusion and consistency proofs (base64 hashes),
//! in the JSON shapes of the transparency issue; the signed checkpoint (C2SP tlog-checkpoint in
//! a C2SP signed note) and the verifier key as text; and the log as C2SP tlog-tiles under
//! `/transparency/tile/…`, so that `/transparency` is a tlog-tiles prefix any mirror or witness
//! can read. These handlers only translate HTTP: they never decide what is in the log.

use crate::AppState;
use crate::api::ApiError;
use axum::Json;
use axum::Router;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use gongkai_domain::tlog::{Tile, base64_encode};
use serde::Deserialize;
use serde_json::json;

pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/transparency/tree-head", get(tree_head))
        .route("/transparency/checkpoint", get(checkpoint))
        .route("/transparency/key", get(key))
        .route("/transparency/tile/{*path}", get(tile))
        .route("/transparency/entries", get(entries))
        .route("/transparency/proof/inclusion", get(inclusion))
        .route("/transparency/proof/consistency", get(consistency))
}

/// Tiles never change once served (C2SP tlog-tiles), so caches may keep them for a year.
const TILE_CACHE_CONTROL: &str = "public, max-age=31536000, immutable";
/// A checkpoint changes with every append; a client should always ask again.
const CHECKPOINT_CACHE_CONTROL: &str = "no-cache";
/// The key changes only when an operator replaces the key file.
const KEY_CACHE_CONTROL: &str = "public, max-age=3600";

fn signer_missing() -> ApiError {
    ApiError::from(crate::WebError::Status(StatusCode::SERVICE_UNAVAILABLE))
}

/// The signed checkpoint: the current tree head, signed afresh (C2SP tlog-checkpoint and
/// signed-note; the tlog-tiles `<prefix>/checkpoint` path).
async fn checkpoint(State(state): State<AppState>) -> Result<Response, ApiError> {
    let signer = state.log_signer.as_ref().ok_or_else(signer_missing)?;
    let note = state.services.signed_checkpoint(signer).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, CHECKPOINT_CACHE_CONTROL),
        ],
        note,
    )
        .into_response())
}

/// The verifier key in signed-note `vkey` form, `<name>+<key id>+<base64(0x01 ‖ key)>`,
/// followed by a newline.
async fn key(State(state): State<AppState>) -> Result<Response, ApiError> {
    let signer = state.log_signer.as_ref().ok_or_else(signer_missing)?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/plain; charset=utf-8"),
            (header::CACHE_CONTROL, KEY_CACHE_CONTROL),
        ],
        format!("{}\n", signer.verifier().to_vkey()),
    )
        .into_response())
}

/// A hash tile (`tile/<L>/<N>[.p/<W>]`) or an entry bundle (`tile/entries/<N>[.p/<W>]`) of
/// C2SP tlog-tiles. A path that names no tile, or a tile the log has not filled yet, is 404,
/// which tlog-tiles clients read as "fetch the full tile or a smaller partial one".
async fn tile(
    State(state): State<AppState>,
    Path(path): Path<String>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::from(gongkai_service::ServiceError::NotFound);
    let tile = Tile::parse_path(&format!("tile/{path}")).map_err(|_| not_found())?;
    let bytes = state.services.log_tile(tile).await?.ok_or_else(not_found)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream"),
            (header::CACHE_CONTROL, TILE_CACHE_CONTROL),
        ],
        bytes,
    )
        .into_response())
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
