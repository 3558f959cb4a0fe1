//! What a diagnosis produces and renderers read: the findings, and for each
//! input what was read from it (its evidence, one variant per input kind),
//! plus comparisons and the timeline. Borrowed from the inputs' bytes;
//! [`crate::Diagnosis`] keeps both together.

use godiag_analysis::Finding;
use godiag_model::{
    FullBacktrace, GoroutineGroup, GroupDiff, InputKind, InputStatus, TextArtifact, WaitObjectGroup,
};

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

/// One input as the report shows it.
pub struct InputReport<'a> {
    pub path: String,
    pub kind: InputKind,
    /// Size as stored (compressed size for gzip).
    pub bytes: u64,
    pub go_version: Option<String>,
    /// A lower bound when the exact version is unknown (`1.22` for `gp=` headers).
    pub go_version_at_least: Option<String>,
    pub status: InputStatus,
    /// Whether this build has a reader for the kind.
    pub analysed: bool,
    pub warnings: Vec<String>,
    /// When it was captured (its bundle's manifest).
    pub captured_at: Option<String>,
    /// A live process: how long it was stopped while it was read.
    pub stop: Option<ProcessStop>,
    /// What its reader read.
    pub evidence: Evidence<'a>,
}

/// How a live process was stopped and let go (`godiag attach`).
#[derive(Clone, Debug, serde::Serialize)]
pub struct ProcessStop {
    pub pid: i32,
    /// How long it was stopped in all, microseconds: the sum of `pauses_us`.
    pub paused_us: u64,
    /// Each stop, from the first thread stopped to the last one let go:
    /// the read, then (when findings name goroutines) a short one for
    /// their frames in full. One stop with `--core`.
    pub pauses_us: Vec<u64>,
    pub threads: usize,
    /// Memory read while it was stopped.
    pub bytes_read: u64,
    /// Signals that arrived during the stop, delivered after it.
    pub signals_passed_on: usize,
    /// The ELF core written while it was stopped (`--core`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub core_written: Option<String>,
}

impl ProcessStop {
    /// One line for people: `stopped 12.3 ms (5 threads, 1.2 MiB read), then let go`.
    pub fn describe(&self) -> String {
        format!(
            "process {} stopped {} ms ({} threads, {:.1} MiB read{}{}), then let go",
            self.pid,
            match self.pauses_us.as_slice() {
                [_, _, ..] => self
                    .pauses_us
                    .iter()
                    .map(|us| format!("{:.1}", *us as f64 / 1000.0))
                    .collect::<Vec<_>>()
                    .join(" + "),
                _ => format!("{:.1}", self.paused_us as f64 / 1000.0),
            },
            self.threads,
            self.bytes_read as f64 / f64::from(1u32 << 20),
            match self.signals_passed_on {
                0 => String::new(),
                n => format!(", {n} signals delivered after"),
            },
            self.core_written
                .as_ref()
                .map(|c| format!(", core written to {c}"))
                .unwrap_or_default()
        )
    }
}

/// What one input's reader read, by kind.
pub enum Evidence<'a> {
    /// Nothing: not recognised, not analysed by this build, or unreadable.
    None,
    /// Crash text, goroutine dumps, race reports, pprof text of goroutines.
    Text(Box<TextEvidence<'a>>),
    Core(Box<CoreEvidence<'a>>),
    Profile(Box<godiag_pprof::Profile>),
    Trace(Box<godiag_trace::analysis::Summary>),
    Executable(ExecutableSummary),
}

/// What a text input holds: goroutines, the failure, race reports.
pub struct TextEvidence<'a> {
    pub artifact: TextArtifact<'a>,
    pub groups: Vec<GoroutineGroup<'a>>,
    /// The group of the failing goroutine (its index in `groups`).
    pub failing_group: Option<usize>,
}

/// What a core dump holds, as far as it could be read.
#[derive(Default)]
pub struct CoreEvidence<'a> {
    pub threads: Vec<CoreThread>,
    /// Its goroutines (with the executable given), as a crash text would
    /// show them, grouped.
    pub goroutines: Option<TextArtifact<'a>>,
    pub groups: Vec<GoroutineGroup<'a>>,
    /// Blocked goroutines by the object they wait on.
    pub wait_objects: Vec<WaitObjectGroup<'a>>,
    /// Frames with their variables' values for the goroutines the
    /// findings name.
    pub backtraces: Vec<FullBacktrace>,
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

impl<'a> InputReport<'a> {
    /// The goroutines and crash read from a text input or a core.
    pub fn text(&self) -> Option<&TextArtifact<'a>> {
        match &self.evidence {
            Evidence::Text(t) => Some(&t.artifact),
            Evidence::Core(c) => c.goroutines.as_ref(),
            _ => None,
        }
    }

    /// The index in [`Self::groups`] of the failing goroutine's group.
    pub fn failing_group(&self) -> Option<usize> {
        match &self.evidence {
            Evidence::Text(t) => t.failing_group,
            _ => None,
        }
    }

    /// Goroutines grouped by stack (text inputs and cores).
    pub fn groups(&self) -> &[GoroutineGroup<'a>] {
        match &self.evidence {
            Evidence::Text(t) => &t.groups,
            Evidence::Core(c) => &c.groups,
            _ => &[],
        }
    }

    pub fn profile(&self) -> Option<&godiag_pprof::Profile> {
        match &self.evidence {
            Evidence::Profile(p) => Some(p),
            _ => None,
        }
    }

    pub fn trace(&self) -> Option<&godiag_trace::analysis::Summary> {
        match &self.evidence {
            Evidence::Trace(t) => Some(t),
            _ => None,
        }
    }

    pub fn executable(&self) -> Option<&ExecutableSummary> {
        match &self.evidence {
            Evidence::Executable(e) => Some(e),
            _ => None,
        }
    }

    pub fn core(&self) -> Option<&CoreEvidence<'a>> {
        match &self.evidence {
            Evidence::Core(c) => Some(c),
            _ => None,
        }
    }

    /// A core's threads (empty for other kinds).
    pub fn core_threads(&self) -> &[CoreThread] {
        self.core().map_or(&[], |c| &c.threads)
    }

    /// A core's blocked goroutines by what they wait on.
    pub fn wait_objects(&self) -> &[WaitObjectGroup<'a>] {
        self.core().map_or(&[], |c| &c.wait_objects)
    }

    /// A core's full backtraces.
    pub fn backtraces(&self) -> &[FullBacktrace] {
        self.core().map_or(&[], |c| &c.backtraces)
    }

    /// Of [`Self::groups`], those of threads' own stacks (`goroutine 0`,
    /// each M's g0 under `GOTRACEBACK=crash`): grouped, not counted as
    /// goroutines.
    pub fn thread_stack_groups(&self) -> usize {
        let Some(t) = self.text() else { return 0 };
        self.groups()
            .iter()
            .filter(|g| {
                t.goroutines
                    .get(g.first_index)
                    .is_some_and(|first| first.is_thread_stack())
            })
            .count()
    }

    /// How many groups a heading counts, and the thread stacks apart:
    /// `11 groups`, or `7 groups, and 4 threads' own stacks (goroutine 0)`.
    pub fn groups_phrase(&self) -> String {
        let threads = self.thread_stack_groups();
        let groups = self.groups().len() - threads;
        let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
        if threads == 0 {
            return plural(groups, "group");
        }
        let stacks = self.text().map_or(0, |t| {
            t.goroutines.iter().filter(|g| g.is_thread_stack()).count()
        });
        let own = if stacks == 1 {
            "1 thread's own stack".to_string()
        } else {
            format!("{stacks} threads' own stacks")
        };
        format!("{}, and {own} (goroutine 0)", plural(groups, "group"))
    }

    /// Goroutines read from this input (debug=1 dumps: the profile's total).
    pub fn goroutine_count(&self) -> Option<u64> {
        if let Some(p) = self.profile() {
            let kind = p.kind();
            if matches!(
                kind,
                godiag_pprof::ProfileKind::Goroutine | godiag_pprof::ProfileKind::GoroutineLeak
            ) {
                return Some(p.total(0).max(0) as u64);
            }
            return None;
        }
        let t = self.text()?;
        if let Some(total) = t.count_total {
            return Some(total);
        }
        (!t.goroutines.is_empty()).then(|| t.goroutine_total())
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
