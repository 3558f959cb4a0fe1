//! The HTTP API and the server: `POST /api/v1/reports` (in `ingest`),
//! `GET /api/v1/groups`, `GET /api/v1/groups/{id}`,
//! `POST /api/v1/groups/{id}/resolve`, `/metrics`, and the web UI's routes.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::alerts::{AlertOptions, Alerter};
use crate::metrics::Metrics;
use crate::ratelimit::RateLimiter;
use crate::state::{blocking, error, request_token, App};
use crate::store::Store;

/// How to serve.
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// `sqlite:PATH`.
    pub db: String,
    /// When any is given, a report must carry one (`Authorization: Bearer`).
    pub tokens: Vec<String>,
    /// Largest report accepted, in bytes.
    pub max_report_bytes: usize,
    /// Bytes a report may inflate to (gzip, bundle archives).
    pub max_inflated_bytes: u64,
    /// Reports a minute per sender; 0: no limit.
    pub rate_per_minute: u32,
    pub alerts: AlertOptions,
}

/// The state the handlers share, over an open store.
fn app(store: Store, opts: &ServeOptions) -> Arc<App> {
    Arc::new(App {
        store,
        tokens: opts.tokens.clone(),
        limiter: RateLimiter::new(opts.rate_per_minute),
        rate_per_minute: opts.rate_per_minute,
        max_inflated: opts.max_inflated_bytes,
        metrics: Metrics::new(),
        alerter: Alerter::start(opts.alerts.clone()),
        report_pages: Default::default(),
    })
}

/// The application's routes.
fn router(app: Arc<App>, max_report_bytes: usize) -> Router {
    Router::new()
        .route("/api/v1/reports", post(crate::ingest::ingest))
        .route("/metrics", get(metrics))
        .route("/api/v1/groups", get(groups))
        .route("/api/v1/groups/{id}", get(group))
        .route("/api/v1/groups/{id}/resolve", post(resolve))
        .route("/", get(crate::web::groups_page))
        .route("/groups/{id}", get(crate::web::group_page))
        .route("/groups/{id}/resolve", post(crate::web::resolve_form))
        .layer(DefaultBodyLimit::max(max_report_bytes))
        .with_state(app)
}

fn open(db: &str) -> Result<Store> {
    match db.split_once(':') {
        Some(("sqlite", path)) => Store::open_sqlite(std::path::Path::new(path)),
        Some(("postgres" | "postgresql", _)) => Store::open_postgres(db),
        _ => anyhow::bail!("--db is sqlite:PATH or postgres://USER@HOST:PORT/DB, not {db}"),
    }
}

/// Serves until SIGTERM or SIGINT.
pub fn serve(opts: ServeOptions) -> Result<()> {
    // Dropped last, outside the runtime: PostgreSQL's blocking client
    // closes its connections on a runtime of its own, which may not start
    // inside another.
    let state = app(open(&opts.db)?, &opts);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let routes = router(state.clone(), opts.max_report_bytes);
    let served = runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .with_context(|| format!("listening on {}", opts.listen))?;
        tracing::info!(addr = %opts.listen, db = %opts.db, "serving");
        let app = routes.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let mut term =
                    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                    {
                        Ok(t) => t,
                        Err(_) => return std::future::pending().await,
                    };
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            })
            .await
            .context("serving")
    });
    drop(runtime);
    drop(state);
    served
}

fn metrics_now(State(app): State<Arc<App>>) -> Response {
    match app.store.groups_by_kind() {
        Ok(by_kind) => (
            [(
                header::CONTENT_TYPE,
                "application/openmetrics-text; version=1.0.0; charset=utf-8",
            )],
            app.metrics.encode(&by_kind),
        )
            .into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
    }
}

fn groups_now(State(app): State<Arc<App>>, Query(q): Query<HashMap<String, String>>) -> Response {
    let by_count = q.get("sort").is_some_and(|s| s == "count");
    match app.store.groups(
        q.get("service").map(String::as_str),
        q.get("kind").map(String::as_str),
        by_count,
    ) {
        Ok(g) => Json(g).into_response(),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
    }
}

fn group_now(State(app): State<Arc<App>>, Path(id): Path<i64>) -> Response {
    match app.store.group(id) {
        Ok(Some((g, latest))) => {
            Json(json!({ "group": g, "latest_report": latest })).into_response()
        }
        Ok(None) => error(StatusCode::NOT_FOUND, format!("no group {id}")),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
    }
}

fn resolve_now(State(app): State<Arc<App>>, Path(id): Path<i64>) -> Response {
    match app.store.resolve(id) {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => error(StatusCode::NOT_FOUND, format!("no group {id}")),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
    }
}

async fn metrics(state: State<Arc<App>>) -> Response {
    blocking(move || metrics_now(state)).await
}

async fn groups(state: State<Arc<App>>, q: Query<HashMap<String, String>>) -> Response {
    blocking(move || groups_now(state, q)).await
}

async fn group(state: State<Arc<App>>, id: Path<i64>) -> Response {
    blocking(move || group_now(state, id)).await
}

async fn resolve(
    state: State<Arc<App>>,
    id: Path<i64>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    // Resolving changes what pages next: as ingesting, it needs a token.
    if !state.admits(request_token(&headers, &query).as_deref()) {
        return error(
            StatusCode::UNAUTHORIZED,
            "a project token is needed: Authorization: Bearer TOKEN",
        );
    }
    blocking(move || resolve_now(state, id)).await
}
