//! What the analysis of a trace gives: the summary, its parts, and the
//! blocking profiles.

use serde::Serialize;

use godiag_model::group::FxMap;

use crate::event::GoState;
use crate::tables::StackId;

use super::state::{REASON_NETWORK, REASON_SYNC};

#[derive(Clone, Debug, Default, Serialize)]
pub struct Frame {
    pub function: String,
    pub file: String,
    pub line: u64,
}

/// Time by state of one goroutine or a group of them (nanoseconds).
#[derive(Clone, Debug, Default, Serialize)]
pub struct ExecStats {
    pub exec_ns: u64,
    pub sched_wait_ns: u64,
    pub syscall_ns: u64,
    pub block_ns: u64,
    pub block_by_reason: Vec<(String, u64)>,
    pub gc_assist_ns: u64,
    /// Time in stop-the-world pauses this goroutine started (runtime.GC, ReadMemStats,
    /// GOMAXPROCS, the GC's own).
    pub stw_ns: u64,
    pub max_sched_wait_ns: u64,
}

/// One goroutine, for the goroutines that lived longest in the trace.
#[derive(Clone, Debug, Serialize)]
pub struct GoroutineSummary {
    pub id: i64,
    /// The function it starts in.
    pub name: String,
    /// Offsets from the start of the trace: when it was created (or first seen) and
    /// when it ended (none: still alive at the end).
    pub first_seen_ns: u64,
    pub created_in_trace: bool,
    pub ended_ns: Option<u64>,
    pub stats: ExecStats,
}

#[derive(Clone, Debug, Serialize)]
pub struct GoroutineGroup {
    /// The function the goroutines start in.
    pub name: String,
    pub count: u64,
    pub stats: ExecStats,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Latency {
    pub count: u64,
    pub total_ns: u64,
    pub max_ns: u64,
    pub p50_ns: u64,
    pub p90_ns: u64,
    pub p99_ns: u64,
    /// Waits of 100 ms or more (including goroutines still runnable at the end).
    pub over_100ms: u64,
    /// Of those, the ones still open at the end: in a trace cut short they
    /// were not measured (the events that ended them may be what was lost).
    pub over_100ms_open_at_end: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct LongWait {
    pub goroutine: i64,
    pub name: String,
    /// Offset from the start of the trace.
    pub since_ns: u64,
    pub wait_ns: u64,
    /// Still runnable when the trace ended.
    pub at_end: bool,
}

#[derive(Clone, Debug, Serialize)]
pub struct StwWindow {
    pub kind: String,
    pub start_ns: u64,
    pub duration_ns: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct StwKind {
    pub kind: String,
    pub count: u64,
    pub total_ns: u64,
    pub max_ns: u64,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct GcSummary {
    pub cycles: u64,
    pub mark_total_ns: u64,
    pub mark_max_ns: u64,
    pub stw_count: u64,
    pub stw_total_ns: u64,
    pub stw_max_ns: u64,
    pub stw_by_kind: Vec<StwKind>,
    /// The longest windows, longest first.
    pub stw_longest: Vec<StwWindow>,
    /// Every window in time order (the longest 4,096 when there are more).
    pub stw_windows: Vec<StwWindow>,
    pub assist_count: u64,
    /// Wall time goroutines spent inside assists (including waits for work).
    pub assist_total_ns: u64,
    /// Of that, time they ran (what assists take from the mutator).
    pub assist_cpu_ns: u64,
    pub worker_dedicated_ns: u64,
    pub worker_fractional_ns: u64,
    pub worker_idle_ns: u64,
    /// Share of the available CPU (duration × GOMAXPROCS) that GC took: dedicated and
    /// fractional workers, assists, and stop-the-world windows (idle workers excluded).
    pub cpu_fraction: f64,
    /// Minimum mutator utilization per window `(window_ns, utilization 0..1)`.
    pub mmu: Vec<(u64, f64)>,
}

#[derive(Clone, Copy, Debug, Serialize)]
pub struct HeapPoint {
    pub time_ns: u64,
    pub alloc: u64,
    pub goal: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct SpanStats {
    pub name: String,
    pub count: u64,
    pub total_ns: u64,
    pub min_ns: u64,
    pub max_ns: u64,
    /// Started but not ended when the trace ended.
    pub unfinished: u64,
}

#[derive(Clone, Debug, Serialize)]
pub struct BlockedGroup {
    pub reason: String,
    pub stack: Vec<Frame>,
    pub count: u64,
    /// The shortest time any of them had been blocked when the trace ended.
    pub min_wait_ns: u64,
    /// The longest.
    pub max_wait_ns: u64,
    /// How many had been blocked since they were created, or for the whole trace.
    pub blocked_throughout: u64,
    pub goroutines: Vec<i64>,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct EndState {
    pub running: u64,
    pub runnable: u64,
    pub waiting: u64,
    pub syscall: u64,
    /// Of those, goroutines with a user frame (not runtime-internal).
    pub user_running_or_runnable: u64,
    pub user_waiting: u64,
    pub gc_in_progress: bool,
    pub stw_in_progress: Option<String>,
    /// Time from the end of the last stop-the-world / GC cycle to the end of the trace.
    pub since_last_stw_ns: Option<u64>,
    pub last_stw_kind: Option<String>,
    pub since_last_gc_ns: Option<u64>,
    /// The goroutines running when the trace ends (on a crash-cut trace, the
    /// failing goroutine is among them), at most 64.
    pub running_ids: Vec<i64>,
}

/// One goroutine's states over time, for a timeline drawing.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Lane {
    pub goroutine: i64,
    /// The function it started in.
    pub name: String,
    /// (start, end) relative to the trace start, and the state then:
    /// `running`, `runnable`, `syscall` or `waiting`.
    pub spans: Vec<(u64, u64, &'static str)>,
    /// More changes happened than were kept.
    pub truncated: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Summary {
    /// `go 1.N trace` wire version and the releases that write it.
    pub wire_version: String,
    pub writers: String,
    pub start_ns: u64,
    pub end_ns: u64,
    pub duration_ns: u64,
    pub generations: u64,
    pub first_generation: u64,
    pub events: u64,
    /// Why the trace ends early, when it does (a crash while tracing, a cut file).
    pub partial: Option<String>,
    pub partial_offset: Option<u64>,
    /// Wall-clock time of the trace start when the trace has clock snapshots (1.25+).
    pub wall_start: Option<String>,
    pub gomaxprocs: Vec<(u64, u64)>,
    pub goroutines_seen: u64,
    pub groups: Vec<GoroutineGroup>,
    /// The goroutines the trace saw longest, one by one (those still alive at the end
    /// included), longest first.
    pub goroutines: Vec<GoroutineSummary>,
    pub sched_latency: Latency,
    pub longest_waits: Vec<LongWait>,
    /// Who ran while goroutines were starved (function, running ns).
    pub held_while_starving: Vec<(String, u64)>,
    pub blocking_by_reason: Vec<(String, u64, u64)>,
    pub syscall_ns: u64,
    pub syscall_count: u64,
    pub gc: GcSummary,
    pub heap: Vec<HeapPoint>,
    pub tasks: Vec<SpanStats>,
    pub regions: Vec<SpanStats>,
    pub logs: Vec<(String, u64)>,
    pub cpu_samples: u64,
    pub end: EndState,
    pub blocked_at_end: Vec<BlockedGroup>,
    /// The states over time of the first goroutines of the program seen
    /// (up to 24); for drawing, not in the JSON report.
    #[serde(skip)]
    pub lanes: Vec<Lane>,
    /// Where goroutines were when the GC made them assist, busiest first.
    pub assist_sites: Vec<Site>,
    /// Completed waits on locks and channels by reason and stack, longest total first.
    pub contention: Vec<Site>,
    /// Completed network waits and syscalls by stack, longest total first.
    pub io: Vec<Site>,
    /// Where the goroutine groups in `held_while_starving` start.
    pub held_sites: Vec<Frame>,
}

/// Time spent at one stack.
#[derive(Clone, Debug, Serialize)]
pub struct Site {
    pub reason: String,
    pub stack: Vec<Frame>,
    pub count: u64,
    pub total_ns: u64,
}

/// Stack-keyed `(count, ns)` for the four blocking profiles.
#[derive(Default)]
pub struct BlockingProfiles {
    /// Indexed by `ProfileKind as usize`.
    pub(super) by_kind: [FxMap<StackId, (u64, u64)>; 4],
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ProfileKind {
    Net,
    Sync,
    Syscall,
    Sched,
}

impl ProfileKind {
    pub const ALL: [ProfileKind; 4] = [
        ProfileKind::Net,
        ProfileKind::Sync,
        ProfileKind::Syscall,
        ProfileKind::Sched,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ProfileKind::Net => "net",
            ProfileKind::Sync => "sync",
            ProfileKind::Syscall => "syscall",
            ProfileKind::Sched => "sched",
        }
    }
    pub(super) fn state(self) -> GoState {
        match self {
            ProfileKind::Net | ProfileKind::Sync => GoState::Waiting,
            ProfileKind::Syscall => GoState::Syscall,
            ProfileKind::Sched => GoState::Runnable,
        }
    }
    /// Whether a state entered for a reason of this class counts (`go tool trace`'s
    /// filters: net is "network"; sync is chan, sync and select).
    pub(super) fn wants(self, reason_class: u8) -> bool {
        match self {
            ProfileKind::Net => reason_class & REASON_NETWORK != 0,
            ProfileKind::Sync => reason_class & REASON_SYNC != 0,
            _ => true,
        }
    }
}

impl BlockingProfiles {
    pub fn get(&self, k: ProfileKind) -> &FxMap<StackId, (u64, u64)> {
        &self.by_kind[k as usize]
    }
}
