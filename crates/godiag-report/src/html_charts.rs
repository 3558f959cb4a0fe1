//! The HTML report's charts, drawn as inline SVG: the trace's timeline and
//! the goroutine state lanes.

use std::fmt::Write;

use godiag_engine::InputReport;

use crate::html_style::{esc, GROUPS};

/// Colours of the time-by-state bars (exec, waiting for a P, syscall, blocked, assist, STW).
const STATES: [(&str, &str); 6] = [
    ("running", "#2e86de"),
    ("runnable (waiting for a P)", "#e67e22"),
    ("syscall", "#8e44ad"),
    ("blocked", "#95a5a6"),
    ("GC assist", "#27ae60"),
    ("stop-the-world", "#c0392b"),
];

pub(crate) fn ms(ns: u64) -> String {
    if ns >= 1_000_000_000 {
        format!("{:.2} s", ns as f64 / 1e9)
    } else {
        format!("{:.1} ms", ns as f64 / 1e6)
    }
}

/// The trace over time: heap in use and its goal, stop-the-world windows,
/// GOMAXPROCS changes, and where the trace (and the crash) ends; then time
/// by state for the largest goroutine groups.
pub(crate) fn timeline(o: &mut String, i: &InputReport<'_>) {
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
pub(crate) fn lanes(o: &mut String, t: &godiag_trace::analysis::Summary) {
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
