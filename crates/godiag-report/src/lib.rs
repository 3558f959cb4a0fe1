//! Renders a godiag report — findings first, then the inputs and the grouped
//! goroutines — as terminal text, markdown (for a ticket) or JSON
//! (`godiag.report/v1`).
//!
//! Renderers only read: the findings were decided by `godiag-analysis`, the
//! evidence was read by the readers, the report was put together by
//! `godiag-engine` (which also writes the JSON form). Nothing here changes
//! any of them.

mod backtrace;
mod explain;
mod html;
mod html_charts;
mod html_style;
mod markdown;
mod profile;
mod text;
mod trace;

pub use explain::{
    render_catalog_markdown, render_explanation_json, render_explanation_markdown,
    render_explanation_text,
};
pub use godiag_engine::{render_json, InputReport, Report, SCHEMA};
pub use html::render_html;
pub use markdown::render_markdown;
pub use profile::{format_value, profile_text};
pub use text::{render_text, TextOptions};
pub use trace::trace_text;

/// A flame graph (SVG, drawn by inferno) of sample type `index` of a
/// profile; `None` when no sample has a value of that type.
pub fn flamegraph_svg(p: &godiag_pprof::Profile, index: usize, title: &str) -> Option<Vec<u8>> {
    let folded = p.folded(index);
    if folded.is_empty() {
        return None;
    }
    let (_, unit) = p.sample_types().get(index).copied().unwrap_or(("", ""));
    let mut opts = inferno::flamegraph::Options::default();
    opts.title = title.to_string();
    opts.count_name = unit.to_string();
    let mut svg = Vec::new();
    inferno::flamegraph::from_lines(&mut opts, folded.iter().map(String::as_str), &mut svg).ok()?;
    Some(svg)
}

/// What the report says when it has no finding: that nothing was found,
/// and, when some inputs could not be analysed, which and why (their first
/// warning), so "nothing found" is not read as "nothing wrong".
pub(crate) fn nothing_found(report: &Report<'_>) -> (&'static str, Vec<String>) {
    let unread: Vec<String> = report
        .inputs
        .iter()
        .filter(|i| !i.analysed)
        .map(|i| match i.warnings.first() {
            Some(w) => format!("{}: {w}", i.path),
            None => format!("{}: {} not read", i.path, i.kind.name()),
        })
        .collect();
    let headline = if report.inputs.is_empty() {
        "No input to analyse."
    } else if unread.is_empty() {
        "No failure found in the inputs."
    } else if unread.len() == report.inputs.len() {
        "No failure found: no input could be analysed."
    } else {
        "No failure found in the inputs that could be analysed."
    };
    (headline, unread)
}

/// `chan string 0xc000012345 (unbuffered): 5 goroutines [chan receive 5] 1 2 3`.
pub fn wait_object_line(o: &godiag_model::WaitObjectGroup<'_>) -> String {
    let state = if o.state.is_empty() {
        String::new()
    } else {
        format!(" ({})", o.state)
    };
    let by: Vec<String> = o
        .by_status
        .iter()
        .map(|(s, n)| format!("{n} in [{s}]"))
        .collect();
    let ids: Vec<String> = o.ids.iter().map(u64::to_string).collect();
    format!(
        "{} {:#x}{state}: {} goroutine{}, {}; ids {}{}",
        o.what,
        o.addr,
        o.waiters,
        if o.waiters == 1 { "" } else { "s" },
        by.join(", "),
        ids.join(" "),
        if o.waiters > o.ids.len() { " ..." } else { "" }
    )
}
