//! What every handler shares: the store and the tokens, and how handlers
//! answer errors and run blocking store calls.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::store::Store;

pub(crate) struct App {
    pub(crate) store: Store,
    pub(crate) tokens: Vec<String>,
}

pub(crate) fn error(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// Runs `f` on a blocking thread: the stores block (SQLite; PostgreSQL's
/// client runs its own runtime, which may not start inside this one).
pub(crate) async fn blocking(f: impl FnOnce() -> Response + Send + 'static) -> Response {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()))
}
