//! The HTTP API: `POST /api/v1/reports`, `GET /api/v1/groups`,
//! `GET /api/v1/groups/{id}`, `POST /api/v1/groups/{id}/resolve`.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::{Context, Result};
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use crate::state::{blocking, error, App};
use crate::store::{Meta, NewReport, Store};

/// How to serve.
pub struct ServeOptions {
    pub listen: SocketAddr,
    /// `sqlite:PATH`.
    pub db: String,
    /// When any is given, a report must carry one (`Authorization: Bearer`).
    pub tokens: Vec<String>,
    /// Largest report accepted, in bytes.
    pub max_report_bytes: usize,
}

/// The application's routes over an open store.
pub fn router(store: Store, tokens: Vec<String>, max_report_bytes: usize) -> Router {
    let app = Arc::new(App { store, tokens });
    Router::new()
        .route("/api/v1/reports", post(ingest))
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
    let store = open(&opts.db)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(opts.listen)
            .await
            .with_context(|| format!("listening on {}", opts.listen))?;
        tracing::info!(addr = %opts.listen, db = %opts.db, "serving");
        axum::serve(listener, router(store, opts.tokens, opts.max_report_bytes))
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
    })
}

fn field(
    headers: &HeaderMap,
    query: &HashMap<String, String>,
    header: &str,
    key: &str,
) -> Option<String> {
    headers
        .get(header)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
        .or_else(|| query.get(key).cloned())
        .filter(|v| !v.is_empty())
}

async fn ingest(
    State(app): State<Arc<App>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if !app.tokens.is_empty() {
        let given = headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::to_string)
            .or_else(|| query.get("token").cloned());
        if !given.is_some_and(|t| app.tokens.contains(&t)) {
            return error(
                StatusCode::UNAUTHORIZED,
                "a project token is needed: Authorization: Bearer TOKEN",
            );
        }
    }
    if body.is_empty() {
        return error(StatusCode::BAD_REQUEST, "an empty report");
    }
    let meta = Meta {
        service: field(&headers, &query, "x-godiag-service", "service"),
        version: field(&headers, &query, "x-godiag-version", "version"),
        host: field(&headers, &query, "x-godiag-host", "host"),
    };
    let result =
        tokio::task::spawn_blocking(move || -> Result<Result<crate::store::Stored, Response>> {
            let d = godiag_engine::diagnose(
                vec![godiag_engine::Input::from_vec("report", body.to_vec())],
                &godiag_engine::Options::default(),
            );
            let report = d.report();
            if report.inputs.iter().all(|i| !i.analysed) {
                return Ok(Err(error(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "not a Go crash text or goroutine dump godiag reads",
                )));
            }
            let signature =
                crate::signature::of(report).unwrap_or_else(|| crate::signature::Signature {
                    key: "no-finding".into(),
                    kind: "no-finding".into(),
                    title: "reports in which godiag found no failure".into(),
                    location: None,
                });
            let stored = app.store.insert(NewReport {
                meta,
                raw: &body,
                report_json: d.to_json(),
                signature: &signature,
            })?;
            Ok(Ok(stored))
        })
        .await;
    match result {
        Ok(Ok(Ok(stored))) => (StatusCode::CREATED, Json(stored)).into_response(),
        Ok(Ok(Err(refusal))) => refusal,
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
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

async fn groups(state: State<Arc<App>>, q: Query<HashMap<String, String>>) -> Response {
    blocking(move || groups_now(state, q)).await
}

async fn group(state: State<Arc<App>>, id: Path<i64>) -> Response {
    blocking(move || group_now(state, id)).await
}

async fn resolve(state: State<Arc<App>>, id: Path<i64>) -> Response {
    blocking(move || resolve_now(state, id)).await
}
