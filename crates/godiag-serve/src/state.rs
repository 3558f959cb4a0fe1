//! What every handler shares: the store, the tokens, the limits, the
//! metrics and the alerts; and how handlers answer errors and run blocking
//! store calls.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

use crate::alerts::Alerter;
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::store::Store;

pub(crate) struct App {
    pub(crate) store: Store,
    pub(crate) tokens: Vec<String>,
    pub(crate) limiter: RateLimiter,
    pub(crate) rate_per_minute: u32,
    /// Bytes a report may inflate to (gzip, bundle archives).
    pub(crate) max_inflated: u64,
    pub(crate) metrics: Metrics,
    pub(crate) alerter: Alerter,
    /// Rendered HTML reports by report id: a group page shows its latest
    /// occurrence, diagnosed once, not at every view.
    pub(crate) report_pages: Mutex<HashMap<i64, Arc<str>>>,
}

/// Rendered reports kept at most; past it the cache starts over.
pub(crate) const REPORT_PAGES: usize = 64;

impl App {
    /// Whether a request that changes something may: with project tokens
    /// configured, only one carrying one of them.
    pub(crate) fn admits(&self, token: Option<&str>) -> bool {
        self.tokens.is_empty() || token.is_some_and(|t| self.tokens.iter().any(|k| k == t))
    }
}

/// The project token a request carries: `Authorization: Bearer TOKEN`, or
/// `?token=` (a client that cannot set headers).
pub(crate) fn request_token(
    headers: &HeaderMap,
    query: &HashMap<String, String>,
) -> Option<String> {
    headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::to_string)
        .or_else(|| query.get("token").cloned())
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
