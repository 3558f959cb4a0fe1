//! `--format html`: one self-contained page (no network, no script) with the
//! findings and their verification matrix, the timeline of an execution
//! trace (heap, stop-the-world windows, the crash), where goroutines spent
//! their time, flame graphs of the profiles (inferno SVGs as images), what
//! blocked goroutines wait on, and the goroutine groups.

use std::fmt::Write as _;

use godiag_analysis::{Finding, Verdict};

use godiag_engine::{InputReport, Report};

/// Groups and rows shown per input before "... more".
const GROUPS: usize = 25;
const TOP_ROWS: usize = 12;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(data.len().div_ceil(3) * 4);
    for chunk in data.chunks(3) {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (i, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if i <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

const STYLE: &str = "
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2330;background:#f4f5f7}
main{max-width:1180px;margin:0 auto;padding:20px 24px 60px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:28px 0 10px;border-bottom:1px solid #d5d9e0;padding-bottom:4px}
h3{font-size:15px;margin:16px 0 6px}
.sub{color:#5b6474}.card{background:#fff;border:1px solid #d5d9e0;border-radius:8px;padding:14px 18px;margin:12px 0}
.root{border-left:6px solid #c0392b}.kind{display:inline-block;font:12px ui-monospace,monospace;background:#eef1f6;border-radius:4px;padding:1px 6px;margin-right:6px}
.conf-high{color:#1e7b34;font-weight:600}.conf-medium{color:#9a6b00;font-weight:600}.conf-low{color:#6b7280;font-weight:600}
.loc{font:13px ui-monospace,monospace;color:#234}.title{font-size:17px;font-weight:600;margin:4px 0}
table{border-collapse:collapse;width:100%;margin:6px 0}th,td{text-align:left;padding:4px 8px;border-bottom:1px solid #e4e7ec;vertical-align:top}
th{background:#f0f2f5;font-weight:600}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.v-confirms{color:#1e7b34;font-weight:600}.v-contradicts{color:#c0392b;font-weight:600}.v-silent{color:#8a93a2}
pre{font:12px/1.4 ui-monospace,monospace;background:#f7f8fa;border:1px solid #e4e7ec;border-radius:4px;padding:6px 8px;overflow-x:auto;margin:4px 0}
details>summary{cursor:pointer}.warn{color:#9a4b00}
.bar{display:flex;height:14px;border-radius:3px;overflow:hidden;background:#eceff3;min-width:200px}.bar span{display:block;height:100%}
.legend span{display:inline-block;margin-right:12px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
img.flame{width:100%;border:1px solid #e4e7ec;border-radius:4px;background:#fff}
";

/// Colours of the time-by-state bars (exec, waiting for a P, syscall, blocked, assist, STW).
const STATES: [(&str, &str); 6] = [
    ("running", "#2e86de"),
    ("runnable (waiting for a P)", "#e67e22"),
    ("syscall", "#8e44ad"),
    ("blocked", "#95a5a6"),
    ("GC assist", "#27ae60"),
    ("stop-the-world", "#c0392b"),
];

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
        o.push_str("<h2>Root cause</h2><div class=\"card\">No failure found in the inputs.</div>");
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

fn ms(ns: u64) -> String {
    if ns >= 1_000_000_000 {
        format!("{:.2} s", ns as f64 / 1e9)
    } else {
        format!("{:.1} ms", ns as f64 / 1e6)
    }
}

/// The trace over time: heap in use and its goal, stop-the-world windows,
/// GOMAXPROCS changes, and where the trace (and the crash) ends; then time
/// by state for the largest goroutine groups.
fn timeline(o: &mut String, i: &InputReport<'_>) {
    let Some(t) = i.trace() else { return };
    let _ = write!(
        o,
        "<h2>Timeline: {}</h2><div class=\"card\"><div class=\"sub\">{} over {}, {} GC cycles, {} stop-the-world pauses (longest {})</div>",
        esc(&i.path),
        esc(&t.writers),
        ms(t.duration_ns),
        t.gc.cycles,
        t.gc.stw_count,
        ms(t.gc.stw_max_ns)
    );
    let (w, h) = (1100.0, 190.0);
    let span = t.duration_ns.max(1) as f64;
    let x = |ns: u64| 40.0 + (ns as f64 / span) * (w - 60.0);
    let _ = write!(
        o,
        "<svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"trace timeline\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"sans-serif\" font-size=\"11\">"
    );
    // Heap in use and goal, scaled to the largest of either.
    let top = t
        .heap
        .iter()
        .map(|p| p.alloc.max(p.goal))
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let y = |v: u64| 20.0 + (1.0 - v as f64 / top) * 100.0;
    let line = |f: &dyn Fn(&godiag_trace::analysis::HeapPoint) -> u64| -> String {
        t.heap
            .iter()
            .map(|p| format!("{:.1},{:.1}", x(p.time_ns), y(f(p))))
            .collect::<Vec<_>>()
            .join(" ")
    };
    if t.heap.len() > 1 {
        let _ = write!(
            o,
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#c9a227\" stroke-dasharray=\"4 3\"/><polyline points=\"{}\" fill=\"none\" stroke=\"#2e86de\" stroke-width=\"1.5\"/>",
            line(&|p| p.goal),
            line(&|p| p.alloc)
        );
        let _ = write!(
            o,
            "<text x=\"40\" y=\"14\" fill=\"#2e86de\">heap in use</text><text x=\"130\" y=\"14\" fill=\"#c9a227\">heap goal (max {:.1} MiB)</text>",
            top / (1024.0 * 1024.0)
        );
    }
    // Stop-the-world windows, at least a pixel wide.
    let _ = write!(o, "<text x=\"0\" y=\"148\" fill=\"#c0392b\">STW</text>");
    for s in &t.gc.stw_windows {
        let x0 = x(s.start_ns);
        let width = (x(s.start_ns + s.duration_ns) - x0).max(1.0);
        let _ = write!(
            o,
            "<rect x=\"{x0:.1}\" y=\"136\" width=\"{width:.1}\" height=\"16\" fill=\"#c0392b\"><title>{} stop-the-world, {} at {}</title></rect>",
            esc(&s.kind),
            ms(s.duration_ns),
            ms(s.start_ns)
        );
    }
    // The end: a cut trace ends where the program crashed.
    let end = x(t.duration_ns);
    let (color, label) = match &t.partial {
        Some(_) => ("#c0392b", "trace cut here (crash)".to_string()),
        None => ("#5b6474", "end".to_string()),
    };
    let _ = write!(
        o,
        "<line x1=\"{end:.1}\" y1=\"18\" x2=\"{end:.1}\" y2=\"160\" stroke=\"{color}\" stroke-width=\"2\"/><text x=\"{:.1}\" y=\"176\" text-anchor=\"end\" fill=\"{color}\">{}</text>",
        end,
        esc(&label)
    );
    let _ = write!(
        o,
        "<line x1=\"40\" y1=\"160\" x2=\"{end:.1}\" y2=\"160\" stroke=\"#aab\"/><text x=\"40\" y=\"176\">0</text><text x=\"{:.1}\" y=\"188\" text-anchor=\"end\" fill=\"#5b6474\">{}</text></svg>",
        end,
        ms(t.duration_ns)
    );
    if let Some(since) = t.end.since_last_stw_ns {
        let _ = write!(
            o,
            "<div class=\"sub\">The trace ends {} after the last stop-the-world ({}){}.</div>",
            ms(since),
            esc(t.end.last_stw_kind.as_deref().unwrap_or("")),
            if t.end.gc_in_progress {
                ", during a GC cycle"
            } else {
                ""
            }
        );
    }
    lanes(o, t);
    // Time by state for the largest groups.
    o.push_str("<h3>Where goroutines spent their time</h3><div class=\"legend\">");
    for (name, color) in STATES {
        let _ = write!(o, "<span><i style=\"background:{color}\"></i>{name}</span>");
    }
    o.push_str("</div><table><tr><th>goroutines</th><th>starting in</th><th style=\"width:55%\">time by state</th></tr>");
    for g in t.groups.iter().take(GROUPS) {
        let s = &g.stats;
        let parts = [
            s.exec_ns,
            s.sched_wait_ns,
            s.syscall_ns,
            s.block_ns,
            s.gc_assist_ns,
            s.stw_ns,
        ];
        let total: u64 = parts.iter().sum();
        let mut bar = String::new();
        for (v, (name, color)) in parts.iter().zip(STATES) {
            if *v == 0 || total == 0 {
                continue;
            }
            let pct = *v as f64 * 100.0 / total as f64;
            let _ = write!(
                bar,
                "<span style=\"width:{pct:.2}%;background:{color}\" title=\"{name}: {}\"></span>",
                ms(*v)
            );
        }
        let _ = write!(
            o,
            "<tr><td class=\"num\">{}</td><td class=\"loc\">{}</td><td><div class=\"bar\">{bar}</div></td></tr>",
            g.count,
            esc(&g.name)
        );
    }
    o.push_str("</table></div>");
}

/// The program's first goroutines, one lane each: their state over the
/// trace (running, runnable, in a syscall, waiting), on the same time axis.
fn lanes(o: &mut String, t: &godiag_trace::analysis::Summary) {
    if t.lanes.is_empty() {
        return;
    }
    let color = |state: &str| match state {
        "running" => STATES[0].1,
        "runnable" => STATES[1].1,
        "syscall" => STATES[2].1,
        _ => STATES[3].1,
    };
    let (w, row) = (1100.0, 14.0);
    let h = row * t.lanes.len() as f64 + 6.0;
    let span = t.duration_ns.max(1) as f64;
    let x = |ns: u64| 180.0 + (ns as f64 / span) * (w - 200.0);
    o.push_str("<h3>Goroutine states over time</h3><div class=\"legend\">");
    for (name, c) in STATES.iter().take(4) {
        let _ = write!(o, "<span><i style=\"background:{c}\"></i>{name}</span>");
    }
    let _ = write!(
        o,
        "</div><svg viewBox=\"0 0 {w} {h}\" width=\"100%\" role=\"img\" aria-label=\"goroutine states over time\" xmlns=\"http://www.w3.org/2000/svg\" font-family=\"monospace\" font-size=\"10\">"
    );
    for (n, lane) in t.lanes.iter().enumerate() {
        let y = n as f64 * row + 2.0;
        let label: String = format!("{} {}", lane.goroutine, lane.name)
            .chars()
            .take(30)
            .collect();
        let _ = write!(
            o,
            "<text x=\"0\" y=\"{:.1}\">{}</text>",
            y + row - 4.0,
            esc(&label)
        );
        for &(a, b, state) in &lane.spans {
            let x0 = x(a);
            let width = (x(b) - x0).max(0.5);
            let _ = write!(
                o,
                "<rect x=\"{x0:.1}\" y=\"{y:.1}\" width=\"{width:.1}\" height=\"{:.1}\" fill=\"{}\"><title>goroutine {} {state} {}–{}</title></rect>",
                row - 3.0,
                color(state),
                lane.goroutine,
                ms(a),
                ms(b)
            );
        }
    }
    o.push_str("</svg>");
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
    for r in p
        .top(index, godiag_pprof::Granularity::Function)
        .iter()
        .take(TOP_ROWS)
    {
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
        "<h2>Goroutines: {}</h2><div class=\"card\"><div class=\"sub\">{total} goroutines in {} groups (same wait state, frames and creator)</div><table><tr><th class=\"num\">count</th><th>state</th><th>where (first frame of the program)</th><th>created by</th></tr>",
        esc(&i.path),
        i.groups().len()
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
            .warnings
            .iter()
            .map(|w| format!("<div class=\"warn\">{}</div>", esc(w)))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_base64() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"<svg>"), "PHN2Zz4=");
    }

    #[test]
    fn escapes() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
