//! Renders a godiag report — findings first, then the inputs and the grouped
//! goroutines — as terminal text, markdown (for a ticket) or JSON
//! (`godiag.report/v1`).
//!
//! Renderers only read: the findings were decided by `godiag-analysis`, the
//! evidence was read by the readers. Nothing here changes either.

mod backtrace;
mod explain;
mod html;
mod json;
mod markdown;
mod profile;
mod text;
mod trace;

use godiag_analysis::Finding;
use godiag_model::{GoroutineGroup, GroupDiff, InputKind, InputStatus, TextArtifact};

pub use explain::{
    render_catalog_markdown, render_explanation_json, render_explanation_markdown,
    render_explanation_text,
};
pub use html::render_html;
pub use json::render_json;
pub use markdown::render_markdown;
pub use profile::{format_value, profile_json, profile_text};
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

/// The JSON schema name, part of the command-line contract.
pub const SCHEMA: &str = "godiag.report/v1";

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

/// One input as the report shows it.
pub struct InputReport<'a> {
    pub path: String,
    pub kind: InputKind,
    pub bytes: u64,
    pub go_version: Option<String>,
    /// A lower bound when the exact version is unknown (`1.22` for `gp=` headers).
    pub go_version_at_least: Option<String>,
    pub status: InputStatus,
    /// Whether this build has a reader for the kind.
    pub analysed: bool,
    pub warnings: Vec<String>,
    /// What the text reader read, for text kinds.
    pub text: Option<TextArtifact<'a>>,
    pub groups: Vec<GoroutineGroup<'a>>,
    /// What the pprof reader read, for profile kinds.
    pub profile: Option<godiag_pprof::Profile>,
    /// What the executable reader read, for Go executables.
    pub executable: Option<ExecutableSummary>,
    /// What the core reader read besides goroutines: its threads.
    pub core_threads: Vec<CoreThread>,
    /// Blocked goroutines by the object they wait on (cores).
    pub wait_objects: Vec<godiag_model::WaitObjectGroup<'a>>,
    /// What the trace reader found, for execution traces.
    pub trace: Option<godiag_trace::analysis::Summary>,
    /// When it was captured (its bundle's `bundle.json`).
    pub captured_at: Option<String>,
    /// Frames with their variables' values for the goroutines the
    /// findings name (cores).
    pub backtraces: Vec<godiag_model::FullBacktrace>,
}

/// A thread of a core dump and its registers at dump time.
#[derive(Clone, Debug, serde::Serialize)]
pub struct CoreThread {
    pub pid: u32,
    /// The signal that stopped it.
    pub signal: u16,
    /// The function the instruction pointer is in, when the executable was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
    /// The goroutine it was running (its M's current goroutine).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub goroutine: Option<u64>,
    pub registers: Vec<(&'static str, u64)>,
}

/// A Go executable's symbol table, as read.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ExecutableSummary {
    /// Functions in the runtime's symbol table (pclntab).
    pub functions: usize,
    /// Where the pclntab was found: a section name, or `scan`.
    pub pclntab: String,
    /// Whether inlined frames can be resolved (moduledata found).
    pub inline_info: bool,
}

impl InputReport<'_> {
    /// Goroutines read from this input (debug=1 dumps: the profile's total).
    pub fn goroutine_count(&self) -> Option<u64> {
        if let Some(p) = &self.profile {
            let kind = p.kind();
            if matches!(
                kind,
                godiag_pprof::ProfileKind::Goroutine | godiag_pprof::ProfileKind::GoroutineLeak
            ) {
                return Some(p.total(0).max(0) as u64);
            }
            return None;
        }
        let t = self.text.as_ref()?;
        if let Some(total) = t.count_total {
            return Some(total);
        }
        (!t.goroutines.is_empty()).then_some(t.goroutines.len() as u64)
    }
}

/// Two dumps of one process compared group by group.
pub struct DumpComparison {
    /// Indices into `Report::inputs`.
    pub earlier: usize,
    pub later: usize,
    pub diffs: Vec<GroupDiff>,
}

/// Two profiles of one kind compared (what `go tool pprof -base` shows).
pub struct ProfileComparison {
    /// Indices into `Report::inputs`.
    pub earlier: usize,
    pub later: usize,
    /// The sample type compared (the later profile's default).
    pub sample_type: String,
    pub unit: String,
    /// `later - earlier` per function, largest change first.
    pub rows: Vec<godiag_pprof::TopRow>,
}

/// Everything a renderer shows.
pub struct Report<'a> {
    pub inputs: Vec<InputReport<'a>>,
    pub findings: Vec<Finding>,
    /// The evidence placed in time: when bundles were captured, how long a
    /// program ran, the last GC before a crash, how far apart dumps were.
    pub timeline: Vec<String>,
    pub comparisons: Vec<DumpComparison>,
    pub profile_comparisons: Vec<ProfileComparison>,
}
