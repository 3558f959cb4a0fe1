//! `--format json`: the `godiag.report/v1` document.

use serde_json::{json, Map, Value};

use crate::{Report, SCHEMA};

/// How many groups per input the JSON lists (the rest are counted).
const MAX_GROUPS: usize = 200;

pub fn render_json(report: &Report<'_>) -> String {
    let inputs: Vec<Value> = report
        .inputs
        .iter()
        .map(|i| {
            let mut o = Map::new();
            o.insert("path".into(), json!(i.path));
            o.insert("kind".into(), json!(i.kind.name()));
            if let Some(v) = &i.go_version {
                o.insert("go_version".into(), json!(v));
            }
            if let Some(v) = &i.go_version_at_least {
                o.insert("go_version_at_least".into(), json!(v));
            }
            o.insert("status".into(), json!(i.status));
            o.insert("analysed".into(), json!(i.analysed));
            o.insert("bytes".into(), json!(i.bytes));
            if let Some(t) = &i.captured_at {
                o.insert("captured_at".into(), json!(t));
            }
            if let Some(n) = i.goroutine_count() {
                o.insert("goroutines".into(), json!(n));
            }
            o.insert("warnings".into(), json!(i.warnings));
            if let Some(t) = &i.text {
                if t.crash.is_failure() {
                    o.insert("failure".into(), json!(t.crash));
                    if let Some(g) = t.failing_goroutine() {
                        o.insert("failing_goroutine".into(), json!(g));
                    }
                }
                if !t.races.is_empty() {
                    o.insert("races".into(), json!(t.races));
                }
                if !t.gc_traces.is_empty() {
                    o.insert("gc_traces".into(), json!(t.gc_traces.len()));
                }
                if !t.sched_traces.is_empty() {
                    o.insert("sched_traces".into(), json!(t.sched_traces.len()));
                }
                if !t.count_records.is_empty() {
                    o.insert("count_records".into(), json!(t.count_records.len()));
                }
                o.insert("other_lines".into(), json!(t.other_lines));
            }
            if let Some(p) = &i.profile {
                o.insert("profile".into(), crate::profile::profile_json(p));
            }
            if let Some(t) = &i.trace {
                o.insert("trace".into(), json!(t));
            }
            if let Some(e) = &i.executable {
                o.insert("executable".into(), json!(e));
            }
            if !i.core_threads.is_empty() {
                o.insert("threads".into(), json!(i.core_threads));
            }
            if !i.backtraces.is_empty() {
                o.insert("backtraces".into(), json!(i.backtraces));
            }
            if !i.wait_objects.is_empty() {
                o.insert("wait_objects_total".into(), json!(i.wait_objects.len()));
                o.insert(
                    "wait_objects".into(),
                    json!(i.wait_objects.iter().take(MAX_GROUPS).collect::<Vec<_>>()),
                );
            }
            if !i.groups.is_empty() {
                o.insert("goroutine_groups_total".into(), json!(i.groups.len()));
                o.insert(
                    "goroutine_groups".into(),
                    json!(i.groups.iter().take(MAX_GROUPS).collect::<Vec<_>>()),
                );
            }
            Value::Object(o)
        })
        .collect();
    let comparisons: Vec<Value> = report
        .comparisons
        .iter()
        .map(|c| {
            let later = &report.inputs[c.later];
            json!({
                "earlier": c.earlier,
                "later": c.later,
                "groups": c.diffs.iter().take(MAX_GROUPS).map(|d| {
                    let g = d.later.and_then(|li| later.groups.get(li))
                        .or_else(|| d.earlier.and_then(|ei| report.inputs[c.earlier].groups.get(ei)));
                    json!({
                        "status": g.map(|g| g.status),
                        "top_frame": g.and_then(|g| g.frames.first()).map(|f| json!({"function": f.function, "file": f.file, "line": f.line})),
                        "before": d.before,
                        "after": d.after,
                        "growth": d.growth(),
                    })
                }).collect::<Vec<_>>(),
            })
        })
        .collect();
    let profile_comparisons: Vec<Value> = report
        .profile_comparisons
        .iter()
        .map(|c| {
            json!({
                "earlier": c.earlier,
                "later": c.later,
                "sample_type": c.sample_type,
                "unit": c.unit,
                "rows": c.rows.iter().take(MAX_GROUPS).map(|r| json!({
                    "function": r.function, "file": r.file, "flat": r.flat, "cum": r.cum,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    let doc = json!({
        "schema": SCHEMA,
        "tool": { "name": "godiag", "version": env!("CARGO_PKG_VERSION") },
        "inputs": inputs,
        "findings": report.findings,
        "timeline": report.timeline,
        "comparisons": comparisons,
        "profile_comparisons": profile_comparisons,
    });
    let mut s =
        serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    s.push('\n');
    s
}
