//! The web UI: server-rendered HTML with no external assets. The groups
//! page (sortable by last seen and by count, filtered by service and kind),
//! and a group page (occurrences over time, the latest occurrence's report
//! by the engine's HTML renderer, a button to mark it resolved).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::Arc;

use axum::extract::rejection::FormRejection;
use axum::extract::{Form, Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};

use crate::state::{blocking, request_token, App};
use crate::store::Group;

const STYLE: &str = "body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35em .6em;border-bottom:1px solid #ddd;vertical-align:top}th a{color:inherit}.kind{font-family:monospace}.loc{font-family:monospace;font-size:12px;color:#555}.tag{display:inline-block;padding:0 .4em;border-radius:3px;font-size:12px}.regressed{background:#fdd}.resolved{background:#dfd}form.filters{margin:1em 0}iframe{width:100%;height:900px;border:1px solid #ccc}";

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn page(title: &str, body: &str) -> Html<String> {
    Html(format!(
        "<!doctype html><html><head><meta charset=\"utf-8\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        esc(title)
    ))
}

fn status_tag(g: &Group) -> &'static str {
    if g.regressed {
        "<span class=\"tag regressed\">regressed</span>"
    } else if g.resolved {
        "<span class=\"tag resolved\">resolved</span>"
    } else {
        ""
    }
}

pub(crate) async fn groups_page(
    state: State<Arc<App>>,
    q: Query<HashMap<String, String>>,
) -> Response {
    blocking(move || groups_page_now(state, q)).await
}

pub(crate) async fn group_page(state: State<Arc<App>>, id: Path<i64>) -> Response {
    blocking(move || group_page_now(state, id)).await
}

pub(crate) async fn resolve_form(
    state: State<Arc<App>>,
    id: Path<i64>,
    headers: HeaderMap,
    form: Result<Form<HashMap<String, String>>, FormRejection>,
) -> Response {
    // A page of another site must not post this form for a visitor's
    // browser (the browser names the page's origin).
    if cross_site(&headers) {
        return (
            StatusCode::FORBIDDEN,
            "a form of another site cannot resolve groups",
        )
            .into_response();
    }
    // With project tokens, the form carries one (its password field), as
    // the API's requests do.
    let token = form
        .ok()
        .and_then(|Form(f)| f.get("token").cloned())
        .or_else(|| request_token(&headers, &HashMap::new()));
    if !state.admits(token.as_deref()) {
        return (
            StatusCode::UNAUTHORIZED,
            "a project token is needed to resolve a group",
        )
            .into_response();
    }
    blocking(move || resolve_form_now(state, id)).await
}

/// A request a browser sent from another site's page: `Sec-Fetch-Site:
/// cross-site`, or an `Origin` whose host is not the one asked.
fn cross_site(headers: &HeaderMap) -> bool {
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if text("sec-fetch-site") == Some("cross-site") {
        return true;
    }
    match (text("origin"), text("host")) {
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
            origin_host != host
        }
        _ => false,
    }
}

fn groups_page_now(
    State(app): State<Arc<App>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let by_count = q.get("sort").is_some_and(|s| s == "count");
    let service = q.get("service").filter(|s| !s.is_empty());
    let kind = q.get("kind").filter(|s| !s.is_empty());
    let (groups, all) = match (
        app.store.groups(
            service.map(String::as_str),
            kind.map(String::as_str),
            by_count,
        ),
        app.store.groups(None, None, false),
    ) {
        (Ok(g), Ok(a)) => (g, a),
        (Err(e), _) | (_, Err(e)) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")).into_response()
        }
    };
    let mut services: Vec<&str> = all
        .iter()
        .flat_map(|g| g.services.iter().map(String::as_str))
        .collect();
    services.sort_unstable();
    services.dedup();
    let mut kinds: Vec<&str> = all.iter().map(|g| g.kind.as_str()).collect();
    kinds.sort_unstable();
    kinds.dedup();
    let options = |values: &[&str], chosen: Option<&String>| {
        let mut o = String::from("<option value=\"\">all</option>");
        for v in values {
            let sel = if chosen.is_some_and(|c| c == v) {
                " selected"
            } else {
                ""
            };
            let _ = write!(o, "<option{sel}>{}</option>", esc(v));
        }
        o
    };
    let keep = |sort: &str| {
        let mut u = format!("/?sort={sort}");
        if let Some(s) = service {
            let _ = write!(u, "&service={}", esc(s));
        }
        if let Some(k) = kind {
            let _ = write!(u, "&kind={}", esc(k));
        }
        u
    };
    let mut b = String::new();
    let _ = write!(
        b,
        "<h1>Crash groups</h1><form class=\"filters\" method=\"get\" action=\"/\">service <select name=\"service\">{}</select> kind <select name=\"kind\">{}</select> <input type=\"hidden\" name=\"sort\" value=\"{}\"><button>filter</button></form>",
        options(&services, service),
        options(&kinds, kind),
        if by_count { "count" } else { "last_seen" }
    );
    let _ = write!(
        b,
        "<table id=\"groups\"><tr><th>kind</th><th>title</th><th><a href=\"{}\">count</a></th><th>first seen</th><th><a href=\"{}\">last seen</a></th><th>versions</th><th>services</th></tr>",
        keep("count"),
        keep("last_seen")
    );
    for g in &groups {
        let _ = write!(
            b,
            "<tr class=\"group\" data-id=\"{id}\"><td class=\"kind\">{kind}</td><td><a href=\"/groups/{id}\">{title}</a> {tag}<div class=\"loc\">{loc}</div></td><td class=\"count\">{count}</td><td>{first}</td><td>{last}</td><td>{versions}</td><td>{services}</td></tr>",
            id = g.id,
            kind = esc(&g.kind),
            title = esc(&g.title),
            tag = status_tag(g),
            loc = esc(g.location.as_deref().unwrap_or("")),
            count = g.count,
            first = esc(&g.first_seen),
            last = esc(&g.last_seen),
            versions = esc(&g.versions.join(", ")),
            services = esc(&g.services.join(", ")),
        );
    }
    b.push_str("</table>");
    if groups.is_empty() {
        b.push_str("<p>No reports yet.</p>");
    }
    page("godiag: crash groups", &b).into_response()
}

/// Occurrences per hour, as an inline SVG bar chart.
fn timeline(received: &[String]) -> String {
    let mut per_hour: BTreeMap<&str, usize> = BTreeMap::new();
    for r in received {
        *per_hour.entry(r.get(..13).unwrap_or(r)).or_default() += 1;
    }
    let max = per_hour.values().copied().max().unwrap_or(1).max(1);
    let (w, h, bar) = (720usize, 120usize, 24usize);
    let mut svg = format!(
        "<svg id=\"occurrences\" width=\"{w}\" height=\"{}\" role=\"img\">",
        h + 30
    );
    for (i, (hour, n)) in per_hour.iter().enumerate().take(w / (bar + 4)) {
        let bh = n * h / max;
        let x = i * (bar + 4);
        let _ = write!(
            svg,
            "<rect class=\"bar\" x=\"{x}\" y=\"{}\" width=\"{bar}\" height=\"{bh}\" fill=\"#c33\"><title>{} {n}</title></rect><text x=\"{x}\" y=\"{}\" font-size=\"9\">{}</text>",
            h - bh,
            esc(hour),
            h + 12,
            esc(hour.get(11..).unwrap_or(""))
        );
    }
    svg.push_str("</svg>");
    svg
}

fn pages(app: &App) -> std::sync::MutexGuard<'_, HashMap<i64, Arc<str>>> {
    app.report_pages
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

fn group_page_now(State(app): State<Arc<App>>, Path(id): Path<i64>) -> Response {
    let (g, received, raw) = match (
        app.store.group(id),
        app.store.occurrences(id),
        app.store.latest_raw(id),
    ) {
        (Ok(Some((g, _))), Ok(r), Ok(raw)) => (g, r, raw),
        (Ok(None), _, _) => {
            return (
                StatusCode::NOT_FOUND,
                page("not found", "<h1>No such group</h1>"),
            )
                .into_response()
        }
        (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => {
            return (StatusCode::INTERNAL_SERVER_ERROR, format!("{e:#}")).into_response()
        }
    };
    // The latest occurrence, diagnosed again from its raw input and shown
    // by the same renderer as `analyze --format html` (once per report).
    let report_html: Arc<str> = match raw {
        Some((report, raw)) => {
            let cached = pages(&app).get(&report).cloned();
            cached.unwrap_or_else(|| {
                let d = crate::ingest::diagnose_body(Arc::new(raw), app.max_inflated);
                let html: Arc<str> = godiag_report::render_html(d.report()).into();
                let mut pages = pages(&app);
                if pages.len() >= crate::state::REPORT_PAGES {
                    pages.clear();
                }
                pages.insert(report, html.clone());
                html
            })
        }
        None => Arc::from(""),
    };
    let mut b = String::new();
    let _ = write!(
        b,
        "<p><a href=\"/\">all groups</a></p><h1 id=\"title\">{title}</h1><p class=\"kind\">{kind} {tag}</p><p class=\"loc\">{loc}</p><p><span id=\"count\">{count}</span> occurrences, first {first}, last {last}; {versions}; services {services}</p>",
        title = esc(&g.title),
        kind = esc(&g.kind),
        tag = status_tag(&g),
        loc = esc(g.location.as_deref().unwrap_or("")),
        count = g.count,
        first = esc(&g.first_seen),
        last = esc(&g.last_seen),
        versions = if g.versions.is_empty() {
            "Go version unknown".to_string()
        } else {
            format!("Go {}", esc(&g.versions.join(", ")))
        },
        services = esc(&g.services.join(", ")),
    );
    if !g.resolved {
        let _ = write!(
            b,
            "<form method=\"post\" action=\"/groups/{id}/resolve\">{}<button id=\"resolve\">Mark resolved</button></form>",
            if app.tokens.is_empty() {
                ""
            } else {
                "<input type=\"password\" name=\"token\" placeholder=\"project token\" required> "
            }
        );
    }
    let _ = write!(b, "<h2>Occurrences over time</h2>{}", timeline(&received));
    let _ = write!(
        b,
        "<h2>Latest occurrence</h2><iframe id=\"report\" sandbox srcdoc=\"{}\"></iframe>",
        esc(&report_html)
    );
    page(&format!("godiag: {}", g.title), &b).into_response()
}

fn resolve_form_now(State(app): State<Arc<App>>, Path(id): Path<i64>) -> Response {
    match app.store.resolve(id) {
        Ok(true) => Redirect::to(&format!("/groups/{id}")).into_response(),
        Ok(false) => (StatusCode::NOT_FOUND, "no such group").into_response(),
        Err(e) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            [(header::CONTENT_TYPE, "text/plain")],
            format!("{e:#}"),
        )
            .into_response(),
    }
}
