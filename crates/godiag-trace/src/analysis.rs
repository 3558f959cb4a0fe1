//! What the event stream shows: per-goroutine time by state, scheduler latency,
//! blocking by reason, GC cycles, stop-the-world windows, mark assists, GC CPU share
//! and minimum mutator utilization, heap over time, user tasks and regions, the
//! state at the end of the trace, and the four blocking profiles `go tool trace
//! -pprof=` offers. [`analyze`] reads the trace once, keeping aggregates only:
//! goroutines that end are folded into their group, so memory follows the number of
//! live goroutines and distinct stacks, not the number of events.

use crate::event::{Event, GoState, Kind, RangeName, Transition};
use crate::reader::{Mode, Reader};
use crate::slots::SlotMap;
use crate::spec::ev;
use crate::tables::{StackId, StrId, Tables};
use godiag_model::group::FxMap;
use serde::Serialize;

const REASON_NETWORK: u8 = 1;
const REASON_SYNC: u8 = 2;
const REASON_PREEMPTED: u8 = 4;
const CLASS_UNKNOWN: u8 = 0x80;

/// A runnable goroutine waiting longer than this for a P is starved.
pub const STARVATION_NS: u64 = 100_000_000;
const TOP_WAITS: usize = 32;
const MAX_STW_KEPT: usize = 4096;
const MAX_UTIL_INTERVALS: usize = 4 << 20;
const HEAP_POINTS: usize = 2048;

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

/// Goroutines drawn as lanes, and state changes kept per lane.
const MAX_LANES: usize = 24;
const MAX_LANE_SPANS: usize = 4096;

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
    by_kind: [FxMap<StackId, (u64, u64)>; 4],
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
    fn state(self) -> GoState {
        match self {
            ProfileKind::Net | ProfileKind::Sync => GoState::Waiting,
            ProfileKind::Syscall => GoState::Syscall,
            ProfileKind::Sched => GoState::Runnable,
        }
    }
    /// Whether a state entered for a reason of this class counts (`go tool trace`'s
    /// filters: net is "network"; sync is chan, sync and select).
    fn wants(self, reason_class: u8) -> bool {
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

/// Log-linear histogram of durations: 8 buckets per power of two.
struct Histogram {
    buckets: Vec<u64>,
}

impl Histogram {
    fn new() -> Histogram {
        Histogram {
            buckets: vec![0; 64 * 8],
        }
    }
    fn index(ns: u64) -> usize {
        if ns < 8 {
            return ns as usize;
        }
        let log = 63 - ns.leading_zeros() as usize;
        let sub = ((ns >> (log - 3)) & 7) as usize;
        log * 8 + sub
    }
    fn upper(i: usize) -> u64 {
        if i < 8 {
            return i as u64;
        }
        let log = i / 8;
        if log < 3 {
            return 7; // unused: values below 8 have their own buckets
        }
        let sub = (i % 8) as u64;
        ((8 + sub + 1) << (log - 3)).saturating_sub(1)
    }
    fn add(&mut self, ns: u64) {
        self.buckets[Self::index(ns)] += 1;
    }
    fn quantile(&self, q: f64, total: u64) -> u64 {
        if total == 0 {
            return 0;
        }
        let want = ((total as f64) * q).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (i, &c) in self.buckets.iter().enumerate() {
            seen += c;
            if seen >= want {
                return Self::upper(i);
            }
        }
        0
    }
}

struct G {
    state: GoState,
    since: u64,
    name: StrId,
    created_in_trace: bool,
    first_seen: u64,
    runs: u32,
    reason: StrId,
    stack: StackId,
    label: u8,
    assist_since: Option<u64>,
    assist_stack: StackId,
    io_stack: StackId,
    /// In the run queue, and its neighbours there (slots).
    queued: bool,
    prev: u32,
    next: u32,
    stats: Stats,
    track: [Option<(u64, StackId)>; 4],
    regions: Vec<(StrId, u64)>,
    /// Its lane in the summary, [`LANE_NONE`] when it has none, or
    /// [`LANE_UNDECIDED`] until its start function is known.
    lane: u8,
}

const LANE_NONE: u8 = 254;
const LANE_UNDECIDED: u8 = 255;

#[derive(Default, Clone)]
struct Stats {
    exec: u64,
    sched: u64,
    syscall: u64,
    block: BlockTimes,
    assist: u64,
    stw: u64,
    max_sched: u64,
}

impl Stats {
    /// Time the goroutine existed in the trace, as its states account for it.
    fn tracked(&self) -> u64 {
        self.exec + self.sched + self.syscall + self.block.iter().map(|b| b.1).sum::<u64>()
    }
}

/// Blocked time by reason. A goroutine blocks for a handful of reasons, so the first
/// few live inline: adding to them touches no other memory.
#[derive(Default, Clone)]
struct BlockTimes {
    n: usize,
    inline: [(StrId, u64); 4],
    more: Vec<(StrId, u64)>,
}

impl BlockTimes {
    fn add(&mut self, reason: StrId, ns: u64) {
        if let Some(b) = self.inline[..self.n].iter_mut().find(|(r, _)| *r == reason) {
            b.1 += ns;
        } else if let Some(b) = self.more.iter_mut().find(|(r, _)| *r == reason) {
            b.1 += ns;
        } else if self.n < self.inline.len() {
            self.inline[self.n] = (reason, ns);
            self.n += 1;
        } else {
            self.more.push((reason, ns));
        }
    }

    fn iter(&self) -> impl Iterator<Item = &(StrId, u64)> {
        self.inline[..self.n].iter().chain(&self.more)
    }
}

impl Stats {
    fn add_block(&mut self, reason: StrId, ns: u64) {
        self.block.add(reason, ns);
    }
    fn fold(&mut self, o: &Stats) {
        self.exec += o.exec;
        self.sched += o.sched;
        self.syscall += o.syscall;
        self.assist += o.assist;
        self.stw += o.stw;
        self.max_sched = self.max_sched.max(o.max_sched);
        for &(r, ns) in o.block.iter() {
            self.add_block(r, ns);
        }
    }
}

#[derive(Default)]
struct Span {
    count: u64,
    total: u64,
    min: u64,
    max: u64,
    unfinished: u64,
}

impl Span {
    fn add(&mut self, d: u64) {
        if self.count == 0 || d < self.min {
            self.min = d;
        }
        self.max = self.max.max(d);
        self.count += 1;
        self.total += d;
    }
}

const NO_SLOT: u32 = u32::MAX;

/// The runnable goroutines as a doubly linked list through their `G`s, oldest first:
/// joining and leaving are O(1) and need no search.
struct RunQueue {
    head: u32,
    tail: u32,
}

impl Default for RunQueue {
    fn default() -> Self {
        RunQueue {
            head: NO_SLOT,
            tail: NO_SLOT,
        }
    }
}

impl RunQueue {
    fn push(&mut self, gs: &mut SlotMap<G>, slot: u32) {
        let tail = self.tail;
        let Some(g) = gs.at_mut(slot) else { return };
        g.queued = true;
        g.prev = tail;
        g.next = NO_SLOT;
        match gs.at_mut(tail) {
            Some(t) => t.next = slot,
            None => self.head = slot,
        }
        self.tail = slot;
    }

    fn unlink(&mut self, gs: &mut SlotMap<G>, slot: u32) {
        let Some(g) = gs.at_mut(slot).filter(|g| g.queued) else {
            return;
        };
        let (prev, next) = (g.prev, g.next);
        g.queued = false;
        g.prev = NO_SLOT;
        g.next = NO_SLOT;
        match gs.at_mut(prev) {
            Some(p) => p.next = next,
            None => self.head = next,
        }
        match gs.at_mut(next) {
            Some(n) => n.prev = prev,
            None => self.tail = prev,
        }
    }
}

/// Feeds events one by one; [`Analyzer::finish`] gives the summary.
/// A goroutine state as a lane draws it; `None` before it exists.
fn lane_state(s: GoState) -> Option<&'static str> {
    match s {
        GoState::Running => Some("running"),
        GoState::Runnable => Some("runnable"),
        GoState::Syscall => Some("syscall"),
        GoState::Waiting => Some("waiting"),
        _ => None,
    }
}

pub struct Analyzer {
    start: Option<u64>,
    now: u64,
    gs: SlotMap<G>,
    groups: FxMap<StrId, (u64, Stats)>,
    seen: u64,
    hist: Histogram,
    lat: Latency,
    waits: Vec<LongWait>,
    /// Runnable goroutines in the order they became runnable (events come in time
    /// order, so the first is the one waiting longest): a list through their slots.
    runnable: RunQueue,
    /// Per interned reason string: `REASON_*` bits, computed once.
    reason_class: Vec<u8>,
    held: FxMap<StrId, u64>,
    gomaxprocs: Vec<(u64, u64)>,
    procs: u64,
    profiles: BlockingProfiles,
    syscall_count: u64,
    gc_start: Option<u64>,
    gc: GcSummary,
    stw_open: FxMap<i64, (StrId, u64)>,
    stw_kinds: FxMap<StrId, StwKind>,
    stw: Vec<(u64, u64, StrId)>,
    last_stw_end: Option<(u64, StrId)>,
    last_gc_end: Option<u64>,
    util: Vec<(u64, u64, f64)>,
    lanes: Vec<Lane>,
    heap: Vec<HeapPoint>,
    heap_bucket: u64,
    alloc: u64,
    goal: u64,
    tasks_open: FxMap<u64, (StrId, u64)>,
    tasks: FxMap<StrId, Span>,
    regions: FxMap<StrId, Span>,
    logs: FxMap<StrId, u64>,
    cpu_samples: u64,
    wall_start: Option<String>,
    name_loc: FxMap<StrId, (StrId, u64)>,
    assists: FxMap<StackId, (u64, u64)>,
    waits_at: FxMap<(StrId, StackId), (u64, u64)>,
    io_at: FxMap<(StrId, StackId), (u64, u64)>,
    /// Where each goroutine group was when preempted: the loop that holds the P.
    preempted_at: FxMap<(StrId, StackId), u64>,
    /// The goroutines that ended, longest tracked first (at most `TOP_GOROUTINES`).
    longest: Vec<(u64, i64, StrId, u64, bool, u64, Stats)>,
}

const TOP_GOROUTINES: usize = 20;

impl Default for Analyzer {
    fn default() -> Self {
        Analyzer::new()
    }
}

impl Analyzer {
    pub fn new() -> Analyzer {
        Analyzer {
            start: None,
            now: 0,
            gs: SlotMap::default(),
            groups: FxMap::default(),
            seen: 0,
            hist: Histogram::new(),
            lat: Latency::default(),
            waits: Vec::new(),
            runnable: RunQueue::default(),
            reason_class: Vec::new(),
            held: FxMap::default(),
            gomaxprocs: Vec::new(),
            procs: 0,
            profiles: BlockingProfiles::default(),
            syscall_count: 0,
            gc_start: None,
            gc: GcSummary::default(),
            stw_open: FxMap::default(),
            stw_kinds: FxMap::default(),
            stw: Vec::new(),
            last_stw_end: None,
            last_gc_end: None,
            util: Vec::new(),
            lanes: Vec::new(),
            heap: Vec::new(),
            heap_bucket: 1_000_000,
            alloc: 0,
            goal: 0,
            tasks_open: FxMap::default(),
            tasks: FxMap::default(),
            regions: FxMap::default(),
            logs: FxMap::default(),
            cpu_samples: 0,
            wall_start: None,
            name_loc: FxMap::default(),
            assists: FxMap::default(),
            waits_at: FxMap::default(),
            io_at: FxMap::default(),
            preempted_at: FxMap::default(),
            longest: Vec::new(),
        }
    }

    fn start(&self) -> u64 {
        self.start.unwrap_or(0)
    }

    fn procs(&self) -> f64 {
        self.procs.max(1) as f64
    }

    fn add_util(&mut self, from: u64, to: u64, weight: f64) {
        if to > from && self.util.len() < MAX_UTIL_INTERVALS {
            self.util.push((from, to, weight));
        }
    }

    pub fn event(&mut self, e: &Event, t: &Tables) {
        if self.start.is_none() {
            self.start = Some(e.time);
        }
        self.now = e.time;
        match e.kind() {
            Kind::Sync => {
                if let Some((_, Some([trace, _, sec, nsec]))) = e.sync() {
                    if self.wall_start.is_none() {
                        // Wall clock at the start: the snapshot minus its trace offset.
                        let off = trace.saturating_sub(self.start());
                        let total = (sec as u128) * 1_000_000_000 + nsec as u128;
                        let at = total.saturating_sub(off as u128);
                        self.wall_start = Some(crate::event::rfc3339_nano(
                            (at / 1_000_000_000) as u64,
                            (at % 1_000_000_000) as u64,
                        ));
                    }
                }
            }
            Kind::StateTransition => {
                if let Some(tr) = e.transition() {
                    if let Transition::Go { .. } = tr {
                        self.go_transition(e, tr, t);
                    }
                }
            }
            Kind::Metric => match e.typ {
                ev::PROCS_CHANGE => {
                    if self.gomaxprocs.last().map(|x| x.1) != Some(e.args[0]) {
                        self.gomaxprocs.push((e.time - self.start(), e.args[0]));
                    }
                    self.procs = e.args[0];
                }
                ev::HEAP_ALLOC => {
                    self.alloc = e.args[0];
                    self.heap_point(e.time);
                }
                ev::HEAP_GOAL => {
                    self.goal = e.args[0];
                    self.heap_point(e.time);
                }
                _ => {}
            },
            Kind::Label => {
                let label = t.string(e.args[0] as StrId);
                if let Some(g) = self.gs.get_mut(&e.g) {
                    g.label = match label {
                        "GC (dedicated)" => 1,
                        "GC (fractional)" => 2,
                        "GC (idle)" => 3,
                        _ => 0,
                    };
                }
            }
            Kind::RangeBegin | Kind::RangeActive | Kind::RangeEnd => self.range(e),
            Kind::TaskBegin => {
                self.tasks_open
                    .insert(e.args[0], (e.args[2] as StrId, e.time));
            }
            Kind::TaskEnd => {
                if let Some((name, start)) = self.tasks_open.remove(&e.args[0]) {
                    self.tasks.entry(name).or_default().add(e.time - start);
                }
            }
            Kind::RegionBegin => {
                if let Some(g) = self.gs.get_mut(&e.g) {
                    g.regions.push((e.args[1] as StrId, e.time));
                }
            }
            Kind::RegionEnd => {
                let name = e.args[1] as StrId;
                if let Some(g) = self.gs.get_mut(&e.g) {
                    if let Some(i) = g.regions.iter().rposition(|r| r.0 == name) {
                        let (_, start) = g.regions.remove(i);
                        self.regions.entry(name).or_default().add(e.time - start);
                    }
                }
            }
            Kind::Log => *self.logs.entry(e.args[1] as StrId).or_default() += 1,
            Kind::StackSample => self.cpu_samples += 1,
            Kind::Experimental => {}
        }
    }

    /// Keeps `g` among the `TOP_GOROUTINES` that lived longest in the trace.
    fn keep_if_long(&mut self, id: i64, g: &G, ended: Option<u64>) {
        let tracked = g.stats.tracked();
        if self.longest.len() == TOP_GOROUTINES
            && self.longest.last().is_some_and(|l| l.0 >= tracked)
        {
            return;
        }
        let entry = (
            tracked,
            id,
            g.name,
            g.first_seen,
            g.created_in_trace,
            ended.map_or(u64::MAX, |e| e),
            g.stats.clone(),
        );
        let at = self
            .longest
            .partition_point(|l| (l.0, std::cmp::Reverse(l.1)) > (tracked, std::cmp::Reverse(id)));
        self.longest.insert(at, entry);
        self.longest.truncate(TOP_GOROUTINES);
    }

    /// When the runnable goroutine waiting longest became runnable.
    fn oldest_runnable(&self) -> Option<u64> {
        self.gs.at(self.runnable.head).map(|g| g.since)
    }

    fn reason_class(&mut self, t: &Tables, reason: StrId) -> u8 {
        let i = reason as usize;
        if i >= self.reason_class.len() {
            self.reason_class.resize(i + 1, CLASS_UNKNOWN);
        }
        if self.reason_class[i] == CLASS_UNKNOWN {
            let r = t.string(reason);
            let mut c = 0;
            if r == "network" {
                c |= REASON_NETWORK;
            }
            if r.contains("chan") || r.contains("sync") || r.contains("select") {
                c |= REASON_SYNC;
            }
            if r == "preempted" {
                c |= REASON_PREEMPTED;
            }
            self.reason_class[i] = c;
        }
        self.reason_class[i]
    }

    fn heap_point(&mut self, time: u64) {
        let rel = time - self.start();
        let p = HeapPoint {
            time_ns: rel,
            alloc: self.alloc,
            goal: self.goal,
        };
        push_heap_point(&mut self.heap, p, self.heap_bucket);
        if self.heap.len() > HEAP_POINTS {
            // Twice as wide buckets, half as many points.
            self.heap_bucket *= 2;
            let mut merged: Vec<HeapPoint> = Vec::with_capacity(HEAP_POINTS / 2 + 1);
            for p in self.heap.drain(..) {
                push_heap_point(&mut merged, p, self.heap_bucket);
            }
            self.heap = merged;
        }
    }

    fn range(&mut self, e: &Event) {
        let Some((name, _)) = e.range() else { return };
        let now = e.time;
        let kind = e.kind();
        match name {
            RangeName::GcMark => match kind {
                Kind::RangeBegin => self.gc_start = Some(now),
                Kind::RangeActive => self.gc_start = Some(self.start()),
                _ => {
                    if let Some(s) = self.gc_start.take() {
                        let d = now - s;
                        self.gc.cycles += 1;
                        self.gc.mark_total_ns += d;
                        self.gc.mark_max_ns = self.gc.mark_max_ns.max(d);
                    }
                    self.last_gc_end = Some(now);
                }
            },
            RangeName::StopTheWorld(k) => match kind {
                Kind::RangeBegin => {
                    self.stw_open.insert(e.g, (k, now));
                }
                _ => {
                    if let Some((k, s)) = self.stw_open.remove(&e.g) {
                        let d = now - s;
                        self.gc.stw_count += 1;
                        self.gc.stw_total_ns += d;
                        self.gc.stw_max_ns = self.gc.stw_max_ns.max(d);
                        let entry = self.stw_kinds.entry(k).or_insert(StwKind {
                            kind: String::new(),
                            count: 0,
                            total_ns: 0,
                            max_ns: 0,
                        });
                        entry.count += 1;
                        entry.total_ns += d;
                        entry.max_ns = entry.max_ns.max(d);
                        self.stw.push((s, d, k));
                        if self.stw.len() > 2 * MAX_STW_KEPT {
                            self.stw.sort_by_key(|w| std::cmp::Reverse(w.1));
                            self.stw.truncate(MAX_STW_KEPT);
                        }
                        self.add_util(s, now, f64::INFINITY);
                        self.last_stw_end = Some((now, k));
                        if let Some(g) = self.gs.get_mut(&e.g) {
                            g.stats.stw += d;
                        }
                    }
                }
            },
            RangeName::MarkAssist => {
                let gid = match e.range() {
                    Some((_, crate::event::Scope::Goroutine(g))) => g,
                    _ => e.g,
                };
                let start = self.start();
                let mut closed = None;
                if kind == Kind::RangeBegin {
                    self.assists.entry(e.stack()).or_default().0 += 1;
                }
                if let Some(g) = self.gs.get_mut(&gid) {
                    match kind {
                        Kind::RangeBegin => {
                            g.assist_since = Some(now);
                            g.assist_stack = e.stack();
                        }
                        Kind::RangeActive => g.assist_since = Some(start),
                        _ => {
                            if let Some(s) = g.assist_since.take() {
                                g.stats.assist += now - s;
                                closed = Some(s);
                            }
                        }
                    }
                }
                if let Some(s) = closed {
                    let (stack, running_since) = self.gs.get(&gid).map_or((0, None), |g| {
                        (
                            g.assist_stack,
                            (g.state == GoState::Running).then_some(g.since),
                        )
                    });
                    if let Some(rs) = running_since {
                        let from = rs.max(s);
                        self.gc.assist_cpu_ns += now - from;
                        self.add_util(from, now, 1.0);
                    }
                    self.assists.entry(stack).or_default().1 += now - s;
                    self.gc.assist_count += 1;
                    self.gc.assist_total_ns += now - s;
                }
            }
            RangeName::Sweep => {}
        }
    }

    fn go_transition(&mut self, e: &Event, tr: Transition, t: &Tables) {
        let Transition::Go {
            id,
            from,
            to,
            reason,
            stack,
        } = tr
        else {
            return;
        };
        let now = e.time;
        let start = self.start();
        // A status a new generation re-states (`GoStatus`) for a goroutine
        // already followed: nothing changed, and its wait still began
        // when it blocked, with the reason it blocked for.
        if from == to && self.gs.get_mut(&id).is_some_and(|g| g.state == to) {
            return;
        }
        if !self.gs.contains_key(&id) {
            if to == GoState::NotExist {
                return;
            }
            self.seen += 1;
            // Name: the function a new goroutine starts in, else where it was first seen.
            let frame = if from == GoState::NotExist {
                t.stack(stack).next()
            } else {
                t.stack(stack).last()
            };
            let name = frame.map_or(0, |f| f.func);
            if let Some(f) = frame {
                self.name_loc.entry(f.func).or_insert((f.file, f.line));
            }
            self.gs.insert(
                id,
                G {
                    state: from,
                    since: if from == GoState::NotExist {
                        now
                    } else {
                        start
                    },
                    name,
                    created_in_trace: from == GoState::NotExist,
                    first_seen: if from == GoState::NotExist {
                        now
                    } else {
                        start
                    },
                    runs: 0,
                    reason: 0,
                    stack: 0,
                    label: 0,
                    assist_since: None,
                    assist_stack: 0,
                    io_stack: 0,
                    queued: false,
                    prev: NO_SLOT,
                    next: NO_SLOT,
                    stats: Stats::default(),
                    track: [None; 4],
                    regions: Vec::new(),
                    lane: LANE_UNDECIDED,
                },
            );
        }
        let mut ran: Option<(u64, StrId)> = None;
        let reason_class = self.reason_class(t, reason);
        let Some(g) = self.gs.get_mut(&id) else {
            return;
        };
        if g.name == 0 && stack != 0 {
            g.name = t.stack(stack).last().map_or(0, |f| f.func);
        }
        let d = now.saturating_sub(g.since);
        // Lanes: the program's first goroutines (started in user code),
        // decided once per goroutine.
        if g.lane == LANE_UNDECIDED && g.name != 0 {
            g.lane = if self.lanes.len() < MAX_LANES
                && !crate::tables::is_runtime_function(t.string(g.name))
            {
                self.lanes.push(Lane {
                    goroutine: id,
                    name: t.string(g.name).to_string(),
                    ..Lane::default()
                });
                (self.lanes.len() - 1) as u8
            } else {
                LANE_NONE
            };
        }
        if let (Some(lane), Some(state)) =
            (self.lanes.get_mut(usize::from(g.lane)), lane_state(g.state))
        {
            if d > 0 {
                if lane.spans.len() < MAX_LANE_SPANS {
                    let start = self.start.unwrap_or(0);
                    lane.spans.push((
                        g.since.saturating_sub(start),
                        now.saturating_sub(start),
                        state,
                    ));
                } else {
                    lane.truncated = true;
                }
            }
        }
        match g.state {
            GoState::Running => {
                g.stats.exec += d;
                match g.label {
                    1 => self.gc.worker_dedicated_ns += d,
                    2 => self.gc.worker_fractional_ns += d,
                    3 => self.gc.worker_idle_ns += d,
                    _ => {}
                }
                if (g.label == 1 || g.label == 2) && self.util.len() < MAX_UTIL_INTERVALS && d > 0 {
                    self.util.push((g.since, now, 1.0));
                }
                g.label = 0;
                if let Some(a) = g.assist_since {
                    let from = a.max(g.since);
                    self.gc.assist_cpu_ns += now.saturating_sub(from);
                    if self.util.len() < MAX_UTIL_INTERVALS && now > from {
                        self.util.push((from, now, 1.0));
                    }
                }
                ran = Some((g.since, g.name));
            }
            GoState::Runnable => {
                g.stats.sched += d;
                g.stats.max_sched = g.stats.max_sched.max(d);
                self.hist.add(d);
                self.lat.count += 1;
                self.lat.total_ns += d;
                self.lat.max_ns = self.lat.max_ns.max(d);
                if d >= STARVATION_NS {
                    self.lat.over_100ms += 1;
                    self.waits.push(LongWait {
                        goroutine: id,
                        name: t.string(g.name).to_string(),
                        since_ns: g.since - start,
                        wait_ns: d,
                        at_end: false,
                    });
                    if self.waits.len() > 4 * TOP_WAITS {
                        self.waits.sort_by_key(|w| std::cmp::Reverse(w.wait_ns));
                        self.waits.truncate(TOP_WAITS);
                    }
                }
            }
            GoState::Waiting => {
                g.stats.add_block(g.reason, d);
                let class = self
                    .reason_class
                    .get(g.reason as usize)
                    .copied()
                    .unwrap_or(0);
                let key = (g.reason, g.stack);
                if class & REASON_NETWORK != 0 {
                    let x = self.io_at.entry(key).or_default();
                    x.0 += 1;
                    x.1 += d;
                } else if class & REASON_SYNC != 0 {
                    let x = self.waits_at.entry(key).or_default();
                    x.0 += 1;
                    x.1 += d;
                }
            }
            GoState::Syscall => {
                g.stats.syscall += d;
                let x = self.io_at.entry((0, g.io_stack)).or_default();
                x.0 += 1;
                x.1 += d;
            }
            _ => {}
        }
        // Blocking profiles: charge the time in a state to the stack it was entered at.
        for kind in ProfileKind::ALL {
            let k = kind as usize;
            match g.track[k] {
                None => {
                    if to == kind.state() && kind.wants(reason_class) {
                        g.track[k] = Some((now, e.stack()));
                    }
                }
                Some((s, stk)) => {
                    if to != kind.state() {
                        g.track[k] = None;
                        // As `go tool trace -pprof` does, only time after the goroutine
                        // first ran counts (a new goroutine's wait to start does not).
                        if g.runs > 0 && now > s {
                            let rec = self.profiles.by_kind[k].entry(stk).or_default();
                            rec.0 += 1;
                            rec.1 += now - s;
                        }
                    }
                }
            }
        }
        if from == GoState::Running
            && to == GoState::Runnable
            && reason_class & REASON_PREEMPTED != 0
        {
            *self.preempted_at.entry((g.name, stack)).or_default() += 1;
        }
        let was_runnable = g.state == GoState::Runnable;
        g.state = to;
        g.since = now;
        match to {
            GoState::Running => g.runs += 1,
            GoState::Waiting => {
                g.reason = reason;
                g.stack = stack;
            }
            GoState::Syscall => {
                self.syscall_count += 1;
                g.io_stack = e.stack();
            }
            _ => {}
        }
        if let Some(slot) = self.gs.slot(&id) {
            if was_runnable {
                self.runnable.unlink(&mut self.gs, slot);
            }
            if to == GoState::Runnable {
                self.runnable.push(&mut self.gs, slot);
            }
        }
        // Who held a P while someone starved.
        if let Some((since, name)) = ran {
            if let Some(o) = self.oldest_runnable() {
                let starved_from = o + STARVATION_NS;
                if starved_from < now {
                    *self.held.entry(name).or_default() += now - starved_from.max(since);
                }
            }
        }
        if to == GoState::NotExist {
            if let Some(g) = self.gs.remove(&id) {
                self.keep_if_long(id, &g, Some(now));
                let entry = self.groups.entry(g.name).or_default();
                entry.0 += 1;
                entry.1.fold(&g.stats);
            }
        }
    }

    /// Closes what is still open at the end of the trace and builds the summary.
    pub fn finish(mut self, t: &Tables) -> (Summary, BlockingProfiles) {
        let end = self.now;
        let start = self.start();
        let duration = end - start;
        let mut s = Summary {
            start_ns: start,
            end_ns: end,
            duration_ns: duration,
            goroutines_seen: self.seen,
            wall_start: self.wall_start.take(),
            ..Summary::default()
        };
        let mut end_state = EndState {
            gc_in_progress: self.gc_start.is_some(),
            stw_in_progress: self
                .stw_open
                .values()
                .next()
                .map(|(k, _)| t.string(*k).to_string()),
            since_last_stw_ns: self.last_stw_end.map(|(x, _)| end - x),
            last_stw_kind: self.last_stw_end.map(|(_, k)| t.string(k).to_string()),
            since_last_gc_ns: self.last_gc_end.map(|x| end - x),
            ..EndState::default()
        };
        let mut blocked: FxMap<(StrId, StackId), BlockedGroup> = FxMap::default();
        // Regions still open at the end, then every live goroutine in id order.
        let open_regions: Vec<StrId> = self
            .gs
            .values()
            .flat_map(|g| g.regions.iter().map(|r| r.0))
            .collect();
        let mut gs: Vec<(i64, G)> = std::mem::take(&mut self.gs).into_entries();
        gs.sort_unstable_by_key(|(id, _)| *id);
        for (id, mut g) in gs {
            let d = end.saturating_sub(g.since);
            // The state each lane's goroutine is still in at the end.
            if let (Some(lane), Some(state)) =
                (self.lanes.get_mut(usize::from(g.lane)), lane_state(g.state))
            {
                if d > 0 && lane.spans.len() < MAX_LANE_SPANS {
                    lane.spans.push((
                        g.since.saturating_sub(start),
                        end.saturating_sub(start),
                        state,
                    ));
                }
            }
            let user = g.stack == 0
                || t.stack(g.stack)
                    .any(|f| !crate::tables::is_runtime_function(t.string(f.func)))
                || !crate::tables::is_runtime_function(t.string(g.name));
            match g.state {
                GoState::Running => {
                    g.stats.exec += d;
                    end_state.running += 1;
                    if end_state.running_ids.len() < 64 {
                        end_state.running_ids.push(id);
                    }
                    if user {
                        end_state.user_running_or_runnable += 1;
                    }
                }
                GoState::Runnable => {
                    g.stats.sched += d;
                    end_state.runnable += 1;
                    if user {
                        end_state.user_running_or_runnable += 1;
                    }
                    if d >= STARVATION_NS {
                        self.lat.over_100ms += 1;
                        self.waits.push(LongWait {
                            goroutine: id,
                            name: t.string(g.name).to_string(),
                            since_ns: g.since - start,
                            wait_ns: d,
                            at_end: true,
                        });
                    }
                }
                GoState::Waiting => {
                    g.stats.add_block(g.reason, d);
                    end_state.waiting += 1;
                    let user_stack = t
                        .stack(g.stack)
                        .any(|f| !crate::tables::is_runtime_function(t.string(f.func)));
                    if user_stack {
                        end_state.user_waiting += 1;
                        let b =
                            blocked
                                .entry((g.reason, g.stack))
                                .or_insert_with(|| BlockedGroup {
                                    reason: t.string(g.reason).to_string(),
                                    stack: frames(t, g.stack),
                                    count: 0,
                                    min_wait_ns: u64::MAX,
                                    blocked_throughout: 0,
                                    goroutines: Vec::new(),
                                });
                        b.count += 1;
                        b.min_wait_ns = b.min_wait_ns.min(d);
                        let throughout = (g.created_in_trace && g.runs <= 1) || g.since == start;
                        if throughout {
                            b.blocked_throughout += 1;
                        }
                        if b.goroutines.len() < 16 {
                            b.goroutines.push(id);
                        }
                    }
                }
                GoState::Syscall => {
                    g.stats.syscall += d;
                    end_state.syscall += 1;
                    if user {
                        end_state.user_running_or_runnable += 1;
                    }
                }
                _ => {}
            }
            self.keep_if_long(id, &g, None);
            let entry = self.groups.entry(g.name).or_default();
            entry.0 += 1;
            entry.1.fold(&g.stats);
        }
        s.goroutines = self
            .longest
            .iter()
            .map(
                |(_, id, name, first, created, ended, st)| GoroutineSummary {
                    id: *id,
                    name: if *name == 0 {
                        "(unknown)".into()
                    } else {
                        t.string(*name).to_string()
                    },
                    first_seen_ns: first - start,
                    created_in_trace: *created,
                    ended_ns: (*ended != u64::MAX).then(|| ended - start),
                    stats: exec_stats(st, t),
                },
            )
            .collect();
        // Groups, busiest first.
        let mut groups: Vec<GoroutineGroup> = self
            .groups
            .iter()
            .map(|(&name, (count, st))| GoroutineGroup {
                name: if name == 0 {
                    "(unknown)".into()
                } else {
                    t.string(name).to_string()
                },
                count: *count,
                stats: exec_stats(st, t),
            })
            .collect();
        groups.sort_by(|a, b| {
            let ta = a.stats.exec_ns + a.stats.sched_wait_ns + a.stats.block_ns;
            let tb = b.stats.exec_ns + b.stats.sched_wait_ns + b.stats.block_ns;
            tb.cmp(&ta).then(a.name.cmp(&b.name))
        });
        let mut by_reason: FxMap<StrId, (u64, u64)> = FxMap::default();
        for (_, st) in self.groups.values() {
            for &(r, ns) in st.block.iter() {
                let x = by_reason.entry(r).or_default();
                x.0 += ns;
                x.1 += 1;
            }
            s.syscall_ns += st.syscall;
        }
        let mut br: Vec<(String, u64, u64)> = by_reason
            .into_iter()
            .map(|(r, (ns, n))| (reason_name(t, r), ns, n))
            .collect();
        br.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        s.blocking_by_reason = br;
        s.syscall_count = self.syscall_count;
        s.groups = groups;
        // Bucket bounds can overshoot the largest wait seen.
        let max = self.lat.max_ns;
        self.lat.p50_ns = self.hist.quantile(0.5, self.lat.count).min(max);
        self.lat.p90_ns = self.hist.quantile(0.9, self.lat.count).min(max);
        self.lat.p99_ns = self.hist.quantile(0.99, self.lat.count).min(max);
        s.sched_latency = self.lat.clone();
        self.waits.sort_by_key(|w| std::cmp::Reverse(w.wait_ns));
        self.waits.truncate(TOP_WAITS);
        s.longest_waits = self.waits.clone();
        let mut held: Vec<(String, u64)> = self
            .held
            .iter()
            .map(|(&n, &ns)| (t.string(n).to_string(), ns))
            .collect();
        held.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        held.truncate(10);
        s.held_while_starving = held;
        s.gomaxprocs = self.gomaxprocs.clone();
        // GC.
        let mut gc = std::mem::take(&mut self.gc);
        let mut kinds: Vec<StwKind> = self
            .stw_kinds
            .iter()
            .map(|(&k, v)| StwKind {
                kind: t.string(k).to_string(),
                ..v.clone()
            })
            .collect();
        kinds.sort_by(|a, b| b.total_ns.cmp(&a.total_ns).then(a.kind.cmp(&b.kind)));
        gc.stw_by_kind = kinds;
        self.stw.sort_by_key(|w| std::cmp::Reverse(w.1));
        let window = |&(st, d, k): &(u64, u64, StrId)| StwWindow {
            kind: t.string(k).to_string(),
            start_ns: st - start,
            duration_ns: d,
        };
        self.stw.truncate(MAX_STW_KEPT);
        gc.stw_longest = self.stw.iter().take(10).map(window).collect();
        let mut in_time = self.stw.clone();
        in_time.sort_by_key(|w| w.0);
        gc.stw_windows = in_time.iter().map(window).collect();
        let procs = self.procs();
        if duration > 0 {
            let gc_cpu = (gc.worker_dedicated_ns + gc.worker_fractional_ns + gc.assist_cpu_ns)
                as f64
                + gc.stw_total_ns as f64 * procs;
            gc.cpu_fraction = (gc_cpu / (duration as f64 * procs)).min(1.0);
        }
        gc.mmu = mmu(&self.util, procs, start, end);
        s.gc = gc;
        s.heap = std::mem::take(&mut self.heap);
        s.tasks = spans(&self.tasks, t, self.tasks_open.values().map(|v| v.0));
        s.regions = spans(&self.regions, t, open_regions.into_iter());
        let mut logs: Vec<(String, u64)> = self
            .logs
            .iter()
            .map(|(&c, &n)| (t.string(c).to_string(), n))
            .collect();
        logs.sort();
        s.logs = logs;
        s.cpu_samples = self.cpu_samples;
        let mut bl: Vec<BlockedGroup> = blocked.into_values().collect();
        bl.sort_by(|a, b| b.count.cmp(&a.count).then(a.reason.cmp(&b.reason)));
        s.blocked_at_end = bl;
        s.end = end_state;
        s.lanes = std::mem::take(&mut self.lanes);
        s.held_sites = s
            .held_while_starving
            .iter()
            .map(|(name, _)| {
                // Where the group was preempted most often (its busy loop), else
                // where its goroutines start.
                let busy = self
                    .preempted_at
                    .iter()
                    .filter(|((n, _), _)| t.string(*n) == name)
                    .max_by_key(|(k, c)| (**c, std::cmp::Reverse(k.1)))
                    .and_then(|((_, st), _)| t.user_frame(*st).copied());
                if let Some(f) = busy {
                    return Frame {
                        function: t.string(f.func).to_string(),
                        file: t.string(f.file).to_string(),
                        line: f.line,
                    };
                }
                let id = t_find(t, &self.name_loc, name);
                Frame {
                    function: name.clone(),
                    file: id.map_or(String::new(), |(f, _)| t.string(f).to_string()),
                    line: id.map_or(0, |(_, l)| l),
                }
            })
            .collect();
        s.assist_sites = sites(
            t,
            "mark assist",
            self.assists.iter().map(|(&k, &v)| ((0, k), v)),
        );
        s.contention = sites(t, "", self.waits_at.iter().map(|(&k, &v)| (k, v)));
        s.io = sites(t, "syscall", self.io_at.iter().map(|(&k, &v)| (k, v)));
        (s, self.profiles)
    }
}

/// One point per time bucket: the peak heap in it and the latest goal.
fn push_heap_point(points: &mut Vec<HeapPoint>, p: HeapPoint, bucket: u64) {
    match points.last_mut() {
        Some(last) if p.time_ns / bucket == last.time_ns / bucket => {
            last.alloc = last.alloc.max(p.alloc);
            last.goal = p.goal;
        }
        _ => points.push(p),
    }
}

fn t_find(t: &Tables, m: &FxMap<StrId, (StrId, u64)>, name: &str) -> Option<(StrId, u64)> {
    m.iter()
        .find(|(&k, _)| t.string(k) == name)
        .map(|(_, &v)| v)
}

fn sites(
    t: &Tables,
    unnamed: &str,
    it: impl Iterator<Item = ((StrId, StackId), (u64, u64))>,
) -> Vec<Site> {
    // Only stacks with code of the program: the runtime's own goroutines and the
    // trace writer are not what the user asks about.
    let mut v: Vec<((StrId, StackId), (u64, u64))> = it
        .filter(|((_, st), _)| {
            let fs: Vec<&str> = t.stack(*st).map(|f| t.string(f.func)).collect();
            fs.iter().any(|f| !crate::tables::is_runtime_function(f))
                && !fs.iter().any(|f| f.starts_with("runtime/trace."))
        })
        .collect();
    v.sort_by(|a, b| b.1 .1.cmp(&a.1 .1).then(a.0.cmp(&b.0)));
    v.truncate(10);
    v.into_iter()
        .map(|((r, st), (count, ns))| Site {
            reason: if r == 0 {
                unnamed.into()
            } else {
                t.string(r).to_string()
            },
            stack: frames(t, st),
            count,
            total_ns: ns,
        })
        .collect()
}

fn reason_name(t: &Tables, r: StrId) -> String {
    match t.string(r) {
        "" => "unspecified".into(),
        x => x.to_string(),
    }
}

fn exec_stats(st: &Stats, t: &Tables) -> ExecStats {
    let mut block: Vec<(String, u64)> = st
        .block
        .iter()
        .map(|&(r, ns)| (reason_name(t, r), ns))
        .collect();
    block.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    ExecStats {
        exec_ns: st.exec,
        sched_wait_ns: st.sched,
        syscall_ns: st.syscall,
        block_ns: st.block.iter().map(|b| b.1).sum(),
        block_by_reason: block,
        gc_assist_ns: st.assist,
        stw_ns: st.stw,
        max_sched_wait_ns: st.max_sched,
    }
}

fn spans(m: &FxMap<StrId, Span>, t: &Tables, open: impl Iterator<Item = StrId>) -> Vec<SpanStats> {
    let mut out: FxMap<StrId, SpanStats> = m
        .iter()
        .map(|(&n, sp)| {
            (
                n,
                SpanStats {
                    name: t.string(n).to_string(),
                    count: sp.count,
                    total_ns: sp.total,
                    min_ns: sp.min,
                    max_ns: sp.max,
                    unfinished: sp.unfinished,
                },
            )
        })
        .collect();
    for n in open {
        out.entry(n)
            .or_insert_with(|| SpanStats {
                name: t.string(n).to_string(),
                count: 0,
                total_ns: 0,
                min_ns: 0,
                max_ns: 0,
                unfinished: 0,
            })
            .unfinished += 1;
    }
    let mut v: Vec<SpanStats> = out.into_values().collect();
    v.sort_by(|a, b| b.total_ns.cmp(&a.total_ns).then(a.name.cmp(&b.name)));
    v
}

pub fn frames(t: &Tables, stack: StackId) -> Vec<Frame> {
    t.stack(stack)
        .map(|f| Frame {
            function: t.string(f.func).to_string(),
            file: t.string(f.file).to_string(),
            line: f.line,
        })
        .collect()
}

/// Minimum mutator utilization for a few window sizes. GC takes a whole P while a
/// dedicated or fractional worker or an assist runs, and every P during a
/// stop-the-world; utilization is what is left, averaged over the window.
fn mmu(util: &[(u64, u64, f64)], procs: f64, start: u64, end: u64) -> Vec<(u64, f64)> {
    if end <= start {
        return Vec::new();
    }
    // Piecewise-constant GC load from the intervals.
    let mut edges: Vec<(u64, f64)> = Vec::with_capacity(util.len() * 2);
    let mut stw_edges: Vec<(u64, i64)> = Vec::new();
    for &(a, b, w) in util {
        if w.is_infinite() {
            stw_edges.push((a, 1));
            stw_edges.push((b, -1));
        } else {
            edges.push((a, w));
            edges.push((b, -w));
        }
    }
    let mut points: Vec<u64> = edges
        .iter()
        .map(|e| e.0)
        .chain(stw_edges.iter().map(|e| e.0))
        .collect();
    points.push(start);
    points.push(end);
    points.sort_unstable();
    points.dedup();
    edges.sort_by_key(|e| e.0);
    stw_edges.sort_by_key(|e| e.0);
    // Utilization on [points[i], points[i+1]).
    let mut seg_util = Vec::with_capacity(points.len());
    let (mut ei, mut si) = (0, 0);
    let (mut load, mut stw) = (0.0f64, 0i64);
    for w in points.windows(2) {
        while ei < edges.len() && edges[ei].0 <= w[0] {
            load += edges[ei].1;
            ei += 1;
        }
        while si < stw_edges.len() && stw_edges[si].0 <= w[0] {
            stw += stw_edges[si].1;
            si += 1;
        }
        let u = if stw > 0 {
            0.0
        } else {
            (1.0 - load / procs).clamp(0.0, 1.0)
        };
        seg_util.push(u);
    }
    // Prefix integral of utilization.
    let mut prefix = Vec::with_capacity(points.len());
    prefix.push(0.0f64);
    for (i, w) in points.windows(2).enumerate() {
        let last = *prefix.last().unwrap_or(&0.0);
        prefix.push(last + seg_util[i] * (w[1] - w[0]) as f64);
    }
    let integral = |x: u64| -> f64 {
        let i = match points.binary_search(&x) {
            Ok(i) => return prefix[i],
            Err(i) => i.saturating_sub(1),
        };
        prefix[i] + seg_util.get(i).copied().unwrap_or(1.0) * (x - points[i]) as f64
    };
    let mut out = Vec::new();
    for window in [1_000_000u64, 10_000_000, 100_000_000, 1_000_000_000] {
        if window > end - start {
            break;
        }
        let mut min = 1.0f64;
        for &p in &points {
            for (a, b) in [(Some(p), p + window), (p.checked_sub(window), p)] {
                let Some(a) = a else { continue };
                if a < start || b > end {
                    continue;
                }
                let u = (integral(b) - integral(a)) / window as f64;
                min = min.min(u);
            }
        }
        out.push((window, min.max(0.0)));
    }
    out
}

/// Reads a whole trace and analyses it. A trace that ends early still gives a summary
/// of what was read, with `partial` saying why and where it ends.
pub fn analyze(data: &[u8]) -> Result<(Summary, BlockingProfiles, Tables), crate::Error> {
    let r = Reader::new(data, Mode::Salvage)?;
    // Two stages on two threads: the reader orders events, the analyzer consumes
    // them in chunks, with the strings and stacks interned meanwhile.
    let (r, a, stop) = std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<(crate::tables::TablesDelta, Vec<Event>)>(2);
        let reader = scope.spawn(move || {
            let mut r = r;
            let mut mark = Tables::new().marks();
            let mut chunk = Vec::with_capacity(CHUNK);
            let stop = loop {
                match r.next_event() {
                    Ok(Some(e)) => {
                        chunk.push(e);
                        if chunk.len() == CHUNK {
                            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                            if tx.send((r.tables().delta_since(&mut mark), full)).is_err() {
                                break None;
                            }
                        }
                    }
                    Ok(None) => break None,
                    Err(e) => break Some(e),
                }
            };
            let _ = tx.send((r.tables().delta_since(&mut mark), chunk));
            (r, stop)
        });
        let mut tables = Tables::new();
        let mut a = Analyzer::new();
        for (delta, events) in rx {
            tables.apply(delta);
            for e in &events {
                a.event(e, &tables);
            }
        }
        match reader.join() {
            Ok((r, stop)) => (r, a, stop),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    });
    let (mut s, p) = a.finish(r.tables());
    s.wire_version = format!("go 1.{} trace", r.version().0);
    s.writers = r.version().writers().to_string();
    s.generations = r.generations();
    s.first_generation = r.first_generation();
    s.events = r.events();
    if let Some(e) = stop {
        s.partial = Some(e.message.clone());
        s.partial_offset = Some(e.offset);
    }
    Ok((s, p, r.into_tables()))
}

/// Events handed from the reader to the analyzer at a time (about 700 KB).
const CHUNK: usize = 8 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_monotonic() {
        let mut last = 0;
        for i in 0..200 {
            let u = Histogram::upper(i);
            assert!(u >= last, "{i}");
            last = u;
        }
        for ns in [0u64, 7, 8, 9, 100, 1_000_000, 123_456_789] {
            let i = Histogram::index(ns);
            assert!(Histogram::upper(i) >= ns, "{ns}");
        }
    }

    #[test]
    fn mmu_of_a_stop_the_world() {
        // 10 ms STW in a 1 s trace: the 10 ms window sees 0, the 1 s window 0.99.
        let util = [(100_000_000u64, 110_000_000u64, f64::INFINITY)];
        let m = mmu(&util, 4.0, 0, 1_000_000_000);
        assert_eq!(m[0], (1_000_000, 0.0));
        assert_eq!(m[1], (10_000_000, 0.0));
        assert!((m[3].1 - 0.99).abs() < 1e-9);
    }
}
