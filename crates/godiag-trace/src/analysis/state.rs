//! What the analyzer follows per goroutine while it reads: state since
//! when, time by state, blocking times, the run queue.

use crate::event::GoState;
use crate::slots::SlotMap;
use crate::tables::{StackId, StrId};

pub(super) const REASON_NETWORK: u8 = 1;
pub(super) const REASON_SYNC: u8 = 2;
pub(super) const REASON_PREEMPTED: u8 = 4;
pub(super) const CLASS_UNKNOWN: u8 = 0x80;

/// A runnable goroutine waiting longer than this for a P is starved.
pub const STARVATION_NS: u64 = 100_000_000;
pub(super) const TOP_WAITS: usize = 32;
pub(super) const MAX_STW_KEPT: usize = 4096;
pub(super) const MAX_UTIL_INTERVALS: usize = 4 << 20;
pub(super) const HEAP_POINTS: usize = 2048;

/// Goroutines drawn as lanes, and state changes kept per lane.
pub(super) const MAX_LANES: usize = 24;
pub(super) const MAX_LANE_SPANS: usize = 4096;
pub(super) struct G {
    pub(super) state: GoState,
    pub(super) since: u64,
    pub(super) name: StrId,
    pub(super) created_in_trace: bool,
    pub(super) first_seen: u64,
    pub(super) runs: u32,
    pub(super) reason: StrId,
    pub(super) stack: StackId,
    /// What the goroutine runs as until it next stops: a GC mark worker's
    /// mode, from the label the runtime gives it.
    pub(super) gc_worker: Option<GcWorker>,
    pub(super) assist_since: Option<u64>,
    pub(super) assist_stack: StackId,
    pub(super) io_stack: StackId,
    /// In the run queue, and its neighbours there (slots).
    pub(super) queued: bool,
    pub(super) prev: u32,
    pub(super) next: u32,
    pub(super) stats: Stats,
    pub(super) track: [Option<(u64, StackId)>; 4],
    pub(super) regions: Vec<(StrId, u64)>,
    /// Its lane in the summary, [`LANE_NONE`] when it has none, or
    /// [`LANE_UNDECIDED`] until its start function is known.
    pub(super) lane: u8,
}

pub(super) const LANE_NONE: u8 = 254;
pub(super) const LANE_UNDECIDED: u8 = 255;

#[derive(Default, Clone)]
pub(super) struct Stats {
    pub(super) exec: u64,
    pub(super) sched: u64,
    pub(super) syscall: u64,
    pub(super) block: BlockTimes,
    pub(super) assist: u64,
    pub(super) stw: u64,
    pub(super) max_sched: u64,
}

impl Stats {
    /// Time the goroutine existed in the trace, as its states account for it.
    pub(super) fn tracked(&self) -> u64 {
        self.exec + self.sched + self.syscall + self.block.iter().map(|b| b.1).sum::<u64>()
    }
}

/// Blocked time by reason. A goroutine blocks for a handful of reasons, so the first
/// few live inline: adding to them touches no other memory.
#[derive(Default, Clone)]
pub(super) struct BlockTimes {
    pub(super) n: usize,
    pub(super) inline: [(StrId, u64); 4],
    pub(super) more: Vec<(StrId, u64)>,
}

impl BlockTimes {
    pub(super) fn add(&mut self, reason: StrId, ns: u64) {
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

    pub(super) fn iter(&self) -> impl Iterator<Item = &(StrId, u64)> {
        self.inline[..self.n].iter().chain(&self.more)
    }
}

impl Stats {
    pub(super) fn add_block(&mut self, reason: StrId, ns: u64) {
        self.block.add(reason, ns);
    }
    pub(super) fn fold(&mut self, o: &Stats) {
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
pub(super) struct Span {
    pub(super) count: u64,
    pub(super) total: u64,
    pub(super) min: u64,
    pub(super) max: u64,
    pub(super) unfinished: u64,
}

impl Span {
    pub(super) fn add(&mut self, d: u64) {
        if self.count == 0 || d < self.min {
            self.min = d;
        }
        self.max = self.max.max(d);
        self.count += 1;
        self.total += d;
    }
}

pub(super) const NO_SLOT: u32 = u32::MAX;

/// The runnable goroutines as a doubly linked list through their `G`s, oldest first:
/// joining and leaving are O(1) and need no search.
pub(super) struct RunQueue {
    pub(super) head: u32,
    pub(super) tail: u32,
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
    pub(super) fn push(&mut self, gs: &mut SlotMap<G>, slot: u32) {
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

    pub(super) fn unlink(&mut self, gs: &mut SlotMap<G>, slot: u32) {
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
pub(super) fn lane_state(s: GoState) -> Option<&'static str> {
    match s {
        GoState::Running => Some("running"),
        GoState::Runnable => Some("runnable"),
        GoState::Syscall => Some("syscall"),
        GoState::Waiting => Some("waiting"),
        _ => None,
    }
}

/// A GC mark worker's mode (`GC (dedicated)`, `GC (fractional)`, `GC
/// (idle)` labels): dedicated and fractional workers take CPU from the
/// program, idle ones only use what it leaves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum GcWorker {
    Dedicated,
    Fractional,
    Idle,
}

impl GcWorker {
    pub(super) fn from_label(label: &str) -> Option<GcWorker> {
        match label {
            "GC (dedicated)" => Some(GcWorker::Dedicated),
            "GC (fractional)" => Some(GcWorker::Fractional),
            "GC (idle)" => Some(GcWorker::Idle),
            _ => None,
        }
    }

    /// Whether its time is taken from the program (counts against MMU).
    pub(super) fn takes_from_program(self) -> bool {
        matches!(self, GcWorker::Dedicated | GcWorker::Fractional)
    }
}

/// Time `from..to` during which `weight` procs' worth of CPU did GC work
/// instead of the program's (infinite: the world was stopped).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct UtilInterval {
    pub(super) from: u64,
    pub(super) to: u64,
    pub(super) weight: f64,
}
