//! `--format html`: one self-contained page (no network, no script) with the
//! findings and their verification matrix, the timeline of an execution
//! trace (heap, stop-the-world windows, the crash), where goroutines spent
//! their time, flame graphs of the profiles (inferno SVGs as images), what
//! blocked goroutines wait on, and the goroutine groups.

use std::fmt::Write as _;

use godiag_analysis::{Finding, Verdict};

use godiag_engine::{InputReport, Report};

use crate::html_charts::timeline;
use crate::html_style::{base64, esc, GROUPS, STYLE};

/// Rows shown per input before "... more".
const TOP_ROWS: usize = 12;

pub fn render_html(report: &Report<'_>) -> String {
    let mut o = String::new();
    let _ = write!(
        o,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>godiag report</title><style>{STYLE}</style></head><body><main>"
    );
    let goroutines: u64 = report
        .inputs
        .iter()
        .filter_map(InputReport::goroutine_count)
        .sum();
    let _ = write!(
        o,
        "<h1>godiag report</h1><div class=\"sub\">{} input{}, {} finding{}{} · godiag {}</div>",
        report.inputs.len(),
        if report.inputs.len() == 1 { "" } else { "s" },
        report.findings.len(),
        if report.findings.len() == 1 { "" } else { "s" },
        if goroutines > 0 {
            format!(", {goroutines} goroutines read")
        } else {
            String::new()
        },
        env!("CARGO_PKG_VERSION")
    );
    findings(&mut o, report);
    if !report.timeline.is_empty() {
        o.push_str("<h2>The evidence in time</h2><div class=\"card\"><ul>");
        for t in &report.timeline {
            let _ = write!(o, "<li>{}</li>", esc(t));
        }
        o.push_str("</ul></div>");
    }
    for i in report.inputs.iter().filter(|i| i.trace().is_some()) {
        timeline(&mut o, i);
    }
    for i in report.inputs.iter().filter(|i| i.profile().is_some()) {
        profile(&mut o, i);
    }
    for i in &report.inputs {
        core(&mut o, i);
    }
    for i in report.inputs.iter().filter(|i| !i.groups().is_empty()) {
        groups(&mut o, i);
    }
    inputs(&mut o, report);
    o.push_str("</main></body></html>\n");
    o
}

fn finding_card(o: &mut String, f: &Finding, report: &Report<'_>, root: bool) {
    let conf = format!("{:?}", f.confidence).to_lowercase();
    let _ = write!(
        o,
        "<div class=\"card{}\"><span class=\"kind\">{}</span><span class=\"conf-{conf}\">{conf} confidence</span><div class=\"title\">{}</div>",
        if root { " root" } else { "" },
        esc(f.kind.name()),
        esc(&f.title)
    );
    if let Some(l) = &f.location {
        let _ = write!(
            o,
            "<div class=\"loc\">at {} {}</div>",
            esc(&l.function),
            esc(&l.place())
        );
    }
    if !f.verification.is_empty() {
        o.push_str(
            "<h3>Verification</h3><table><tr><th>source</th><th>verdict</th><th>evidence</th></tr>",
        );
        for (source, verdict) in &f.verification {
            let v = match verdict {
                Verdict::Confirms => "confirms",
                Verdict::Contradicts => "contradicts",
                Verdict::Silent => "silent",
            };
            let facts: Vec<String> = f
                .evidence
                .iter()
                .filter(|e| e.source.name() == *source)
                .map(|e| {
                    let path = report
                        .inputs
                        .get(e.input)
                        .map(|i| i.path.as_str())
                        .unwrap_or("");
                    let mut s = format!(
                        "{} <span class=\"sub\">({})</span>",
                        esc(&e.summary),
                        esc(path)
                    );
                    if !e.lines.is_empty() {
                        let _ = write!(s, "<pre>{}</pre>", esc(&e.lines.join("\n")));
                    }
                    s
                })
                .collect();
            let _ = write!(
                o,
                "<tr><td>{}</td><td class=\"v-{v}\">{v}</td><td>{}</td></tr>",
                esc(source),
                if facts.is_empty() {
                    "<span class=\"sub\">nothing about this in the source</span>".to_string()
                } else {
                    facts.join("<br>")
                }
            );
        }
        o.push_str("</table>");
    }
    if !f.next_steps.is_empty() {
        o.push_str("<h3>Next steps</h3><ul>");
        for s in &f.next_steps {
            let _ = write!(o, "<li>{}</li>", esc(s));
        }
        o.push_str("</ul>");
    }
    o.push_str("</div>");
}

fn findings(o: &mut String, report: &Report<'_>) {
    let Some((first, rest)) = report.findings.split_first() else {
        let (headline, unread) = crate::nothing_found(report);
        let _ = write!(
            o,
            "<h2>Root cause</h2><div class=\"card\">{}",
            esc(headline)
        );
        if !unread.is_empty() {
            o.push_str("<ul>");
            for u in &unread {
                let _ = write!(o, "<li>not analysed: {}</li>", esc(u));
            }
            o.push_str("</ul>");
        }
        o.push_str("</div>");
        return;
    };
    o.push_str("<h2>Root cause</h2>");
    finding_card(o, first, report, true);
    if !rest.is_empty() {
        o.push_str("<h2>Other findings</h2>");
        for f in rest {
            let _ = write!(
                o,
                "<details><summary><span class=\"kind\">{}</span>{}</summary>",
                esc(f.kind.name()),
                esc(&f.title)
            );
            finding_card(o, f, report, false);
            o.push_str("</details>");
        }
    }
}

fn profile(o: &mut String, i: &InputReport<'_>) {
    let Some(p) = i.profile() else { return };
    let index = p.default_sample_index();
    let (ty, unit) = p.sample_types().get(index).copied().unwrap_or(("", ""));
    let _ = write!(
        o,
        "<h2>Profile: {}</h2><div class=\"card\"><div class=\"sub\">{} profile, {} ({}), {} samples, total {}</div>",
        esc(&i.path),
        esc(p.kind().name()),
        esc(ty),
        esc(unit),
        p.raw.sample.len(),
        esc(&crate::profile::format_value(p.total(index), unit))
    );
    o.push_str(
        "<table><tr><th class=\"num\">flat</th><th class=\"num\">cum</th><th>function</th></tr>",
    );
    for r in &p.top_first(index, godiag_pprof::Granularity::Function, TOP_ROWS) {
        let _ = write!(
            o,
            "<tr><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"loc\">{}</td></tr>",
            esc(&crate::profile::format_value(r.flat, unit)),
            esc(&crate::profile::format_value(r.cum, unit)),
            esc(&r.function)
        );
    }
    o.push_str("</table>");
    if let Some(svg) = crate::flamegraph_svg(p, index, &format!("{} — {ty}", i.path)) {
        let _ = write!(
            o,
            "<img class=\"flame\" alt=\"flame graph of {}\" src=\"data:image/svg+xml;base64,{}\">",
            esc(&i.path),
            base64(&svg)
        );
    }
    o.push_str("</div>");
}

fn core(o: &mut String, i: &InputReport<'_>) {
    if i.wait_objects().is_empty() && i.core_threads().is_empty() && i.backtraces().is_empty() {
        return;
    }
    let _ = write!(o, "<h2>Core: {}</h2><div class=\"card\">", esc(&i.path));
    if !i.wait_objects().is_empty() {
        o.push_str("<h3>What blocked goroutines wait on</h3><table><tr><th class=\"num\">waiters</th><th>object</th><th>state</th><th>first waiter</th></tr>");
        for w in i.wait_objects().iter().take(GROUPS) {
            let by: Vec<String> = w
                .by_status
                .iter()
                .map(|(s, n)| format!("{n} in [{s}]"))
                .collect();
            let _ = write!(
                o,
                "<tr><td class=\"num\">{}</td><td class=\"loc\">{} {:#x}</td><td>{} {}</td><td class=\"loc\">{}</td></tr>",
                w.waiters,
                esc(&w.what),
                w.addr,
                esc(&w.state),
                esc(&by.join(", ")),
                w.frame
                    .as_ref()
                    .map(|f| esc(&format!("{} {}:{}", f.function, f.file, f.line)))
                    .unwrap_or_default()
            );
        }
        o.push_str("</table>");
    }
    if !i.backtraces().is_empty() {
        o.push_str("<h3>Frames in full (the goroutines the findings name)</h3>");
        for b in i.backtraces() {
            let _ = write!(
                o,
                "<details class=\"backtrace\"><summary>{}</summary><pre>",
                esc(&crate::backtrace::heading(b))
            );
            for line in crate::backtrace::lines(b) {
                let _ = writeln!(o, "{}", esc(&line));
            }
            o.push_str("</pre></details>");
        }
    }
    if !i.core_threads().is_empty() {
        o.push_str("<h3>Threads</h3><table><tr><th>thread</th><th>signal</th><th>rip</th><th>rsp</th><th>function</th><th>goroutine</th></tr>");
        for t in i.core_threads() {
            let reg = |n: &str| {
                t.registers
                    .iter()
                    .find(|(r, _)| *r == n)
                    .map_or(0, |(_, v)| *v)
            };
            let _ = write!(
                o,
                "<tr><td>{}</td><td>{}</td><td class=\"loc\">{:#x}</td><td class=\"loc\">{:#x}</td><td class=\"loc\">{}</td><td>{}</td></tr>",
                t.pid,
                t.signal,
                reg("rip"),
                reg("rsp"),
                esc(t.function.as_deref().unwrap_or("")),
                t.goroutine.map(|g| g.to_string()).unwrap_or_default()
            );
        }
        o.push_str("</table>");
    }
    o.push_str("</div>");
}

fn groups(o: &mut String, i: &InputReport<'_>) {
    let total = i.goroutine_count().unwrap_or(0);
    let _ = write!(
        o,
        "<h2>Goroutines: {}</h2><div class=\"card\"><div class=\"sub\">{total} goroutines in {} (same wait state, frames and creator)</div><table><tr><th class=\"num\">count</th><th>state</th><th>where (first frame of the program)</th><th>created by</th></tr>",
        esc(&i.path),
        i.groups_phrase()
    );
    for g in i.groups().iter().take(GROUPS) {
        let user = g
            .frames
            .iter()
            .find(|f| !f.is_stdlib())
            .or(g.frames.first());
        let wait = g
            .wait_minutes
            .map(|(lo, _)| format!(", {lo} minutes"))
            .unwrap_or_default();
        let frames: Vec<String> = g
            .frames
            .iter()
            .map(|f| format!("{}\n\t{}:{}", f.function, f.file, f.line))
            .collect();
        let _ = write!(
            o,
            "<tr><td class=\"num\">{}</td><td>{}{}</td><td><details><summary class=\"loc\">{}</summary><pre>{}</pre></details></td><td class=\"loc\">{}</td></tr>",
            g.count,
            esc(g.status),
            esc(&wait),
            user.map(|f| esc(&format!("{} {}:{}", f.function, f.file, f.line)))
                .unwrap_or_default(),
            esc(&frames.join("\n")),
            g.created_by
                .as_ref()
                .map(|f| esc(f.function))
                .unwrap_or_default()
        );
    }
    o.push_str("</table>");
    if i.groups().len() > GROUPS {
        let _ = write!(
            o,
            "<div class=\"sub\">… {} more groups (the JSON report lists them)</div>",
            i.groups().len() - GROUPS
        );
    }
    o.push_str("</div>");
}

fn inputs(o: &mut String, report: &Report<'_>) {
    o.push_str("<h2>Inputs</h2><div class=\"card\"><table><tr><th>input</th><th>kind</th><th>Go</th><th>status</th><th>captured</th><th>notes</th></tr>");
    for i in &report.inputs {
        let warnings: Vec<String> = i
            .stop
            .iter()
            .map(|s| format!("<div class=\"stop\">{}</div>", esc(&s.describe())))
            .chain(
                i.warnings
                    .iter()
                    .map(|w| format!("<div class=\"warn\">{}</div>", esc(w))),
            )
            .collect();
        let _ = write!(
            o,
            "<tr><td class=\"loc\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&i.path),
            esc(i.kind.name()),
            esc(i.go_version.as_deref().unwrap_or("")),
            esc(&format!("{:?}", i.status).to_lowercase()),
            esc(i.captured_at.as_deref().unwrap_or("")),
            warnings.join("")
        );
    }
    o.push_str("</table></div>");
}
