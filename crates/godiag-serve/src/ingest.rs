//! `POST /api/v1/reports`: a crash text or goroutine dump (gzipped or not),
//! or a bundle (a tar, gzipped or not, of a `run` or `collect` directory),
//! diagnosed by the engine, grouped by signature, stored, then answered
//! `201`; metrics and alerts follow.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Result;
use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::signature::Signature;
use crate::state::{error, request_token, App};
use crate::store::{Meta, NewReport, Stored};

/// A report's body diagnosed: a bundle archive as its files, anything else
/// as one input, read where it is. At most `max_inflated` bytes are inflated.
pub(crate) fn diagnose_body(
    body: godiag_engine::SharedBytes,
    max_inflated: u64,
) -> godiag_engine::Diagnosis {
    let options = godiag_engine::Options {
        limits: godiag_engine::Limits {
            inflated_bytes: max_inflated,
            ..Default::default()
        },
        ..Default::default()
    };
    let (inputs, not_unpacked) = godiag_engine::inputs_from_body(body, max_inflated);
    if let Some(e) = not_unpacked {
        tracing::info!(error = %format!("{e:#}"), "bundle not unpacked");
    }
    godiag_engine::diagnose(inputs, &options)
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

fn no_finding() -> Signature {
    Signature {
        key: "no-finding".into(),
        kind: "no-finding".into(),
        title: "reports in which godiag found no failure".into(),
        location: None,
    }
}

pub(crate) async fn ingest(
    State(app): State<Arc<App>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = request_token(&headers, &query);
    if !app.admits(token.as_deref()) {
        app.metrics.refuse("token");
        return error(
            StatusCode::UNAUTHORIZED,
            "a project token is needed: Authorization: Bearer TOKEN",
        );
    }
    // A project's reports share its bucket; without tokens, an address's do.
    let sender = match (&token, app.tokens.is_empty()) {
        (Some(t), false) => format!("token:{t}"),
        _ => format!("addr:{}", peer.ip()),
    };
    if let Err(wait) = app.limiter.take(&sender) {
        app.metrics.refuse("rate");
        let secs = wait.as_secs() + 1;
        let mut r = error(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "more than {} reports a minute from this sender: retry in {secs} s",
                app.rate_per_minute
            ),
        );
        if let Ok(v) = secs.to_string().parse() {
            r.headers_mut().insert(header::RETRY_AFTER, v);
        }
        return r;
    }
    if body.is_empty() {
        app.metrics.refuse("empty");
        return error(StatusCode::BAD_REQUEST, "an empty report");
    }
    let meta = Meta {
        service: field(&headers, &query, "x-godiag-service", "service"),
        version: field(&headers, &query, "x-godiag-version", "version"),
        host: field(&headers, &query, "x-godiag-host", "host"),
    };
    let worker = app.clone();
    let result =
        tokio::task::spawn_blocking(move || -> Result<Option<(Stored, Signature, Meta)>> {
            let app = worker;
            // The body is shared with the diagnosis, not copied.
            let d = diagnose_body(Arc::new(body.clone()), app.max_inflated);
            let report = d.report();
            if report.inputs.iter().all(|i| !i.analysed) {
                return Ok(None);
            }
            let signature = crate::signature::of(report).unwrap_or_else(no_finding);
            // The Go version, when the sender did not say, as the input says it.
            let meta = Meta {
                version: meta
                    .version
                    .or_else(|| report.inputs.iter().find_map(|i| i.go_version.clone())),
                ..meta
            };
            let report_json = d.to_json();
            // The diagnosis holds the inputs unpacked from the body (a
            // bundle's core): let them go before the store copies the body.
            drop(d);
            let stored = app.store.insert(NewReport {
                meta: meta.clone(),
                raw: &body,
                report_json,
                signature: &signature,
            })?;
            Ok(Some((stored, signature, meta)))
        })
        .await;
    match result {
        Ok(Ok(Some((stored, signature, meta)))) => {
            let kind = crate::metrics::Metrics::kind(&stored.kind);
            app.metrics.reports.get_or_create(&kind).inc();
            if stored.new_group {
                app.metrics.new_groups.get_or_create(&kind).inc();
            }
            if stored.regression {
                app.metrics.regressions.get_or_create(&kind).inc();
            }
            app.alerter.report(&stored, &signature, &meta);
            (StatusCode::CREATED, Json(stored)).into_response()
        }
        Ok(Ok(None)) => {
            app.metrics.refuse("unreadable");
            error(
                StatusCode::UNPROCESSABLE_ENTITY,
                "not a Go crash text, goroutine dump or godiag bundle that godiag reads",
            )
        }
        Ok(Err(e)) => error(StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")),
        Err(e) => error(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}
