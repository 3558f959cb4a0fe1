//! The analyzer: fed event by event, it follows goroutines, GC, STW,
//! heap, ranges and lanes.

use godiag_model::group::FxMap;

use crate::event::{Event, GoState, Kind, RangeName, Transition};
use crate::slots::SlotMap;
use crate::spec::ev;
use crate::tables::{StackId, StrId, Tables};

use super::histogram::Histogram;
use super::state::*;
use super::summary::*;

pub struct Analyzer {
    pub(super) start: Option<u64>,
    pub(super) now: u64,
    pub(super) gs: SlotMap<G>,
    pub(super) groups: FxMap<StrId, (u64, Stats)>,
    pub(super) seen: u64,
    pub(super) hist: Histogram,
    pub(super) lat: Latency,
    pub(super) waits: Vec<LongWait>,
    /// Runnable goroutines in the order they became runnable (events come in time
    /// order, so the first is the one waiting longest): a list through their slots.
    pub(super) runnable: RunQueue,
    /// Per interned reason string: `REASON_*` bits, computed once.
    pub(super) reason_class: Vec<u8>,
    pub(super) held: FxMap<StrId, u64>,
    pub(super) gomaxprocs: Vec<(u64, u64)>,
    pub(super) procs: u64,
    pub(super) profiles: BlockingProfiles,
    pub(super) syscall_count: u64,
    pub(super) gc_start: Option<u64>,
    pub(super) gc: GcSummary,
    pub(super) stw_open: FxMap<i64, (StrId, u64)>,
    pub(super) stw_kinds: FxMap<StrId, StwKind>,
    pub(super) stw: Vec<(u64, u64, StrId)>,
    pub(super) last_stw_end: Option<(u64, StrId)>,
    pub(super) last_gc_end: Option<u64>,
    pub(super) util: Vec<UtilInterval>,
    pub(super) lanes: Vec<Lane>,
    pub(super) heap: Vec<HeapPoint>,
    pub(super) heap_bucket: u64,
    pub(super) alloc: u64,
    pub(super) goal: u64,
    pub(super) tasks_open: FxMap<u64, (StrId, u64)>,
    pub(super) tasks: FxMap<StrId, Span>,
    pub(super) regions: FxMap<StrId, Span>,
    pub(super) logs: FxMap<StrId, u64>,
    pub(super) cpu_samples: u64,
    pub(super) wall_start: Option<String>,
    pub(super) name_loc: FxMap<StrId, (StrId, u64)>,
    pub(super) assists: FxMap<StackId, (u64, u64)>,
    pub(super) waits_at: FxMap<(StrId, StackId), (u64, u64)>,
    pub(super) io_at: FxMap<(StrId, StackId), (u64, u64)>,
    /// Where each goroutine group was when preempted: the loop that holds the P.
    pub(super) preempted_at: FxMap<(StrId, StackId), u64>,
    /// The goroutines that ended, longest tracked first (at most `TOP_GOROUTINES`).
    pub(super) longest: Vec<(u64, i64, StrId, u64, bool, u64, Stats)>,
}

pub(super) const TOP_GOROUTINES: usize = 20;

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

    pub(super) fn start(&self) -> u64 {
        self.start.unwrap_or(0)
    }

    pub(super) fn procs(&self) -> f64 {
        self.procs.max(1) as f64
    }

    pub(super) fn add_util(&mut self, from: u64, to: u64, weight: f64) {
        if to > from && self.util.len() < MAX_UTIL_INTERVALS {
            self.util.push(UtilInterval { from, to, weight });
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
                    g.gc_worker = GcWorker::from_label(label);
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
    pub(super) fn keep_if_long(&mut self, id: i64, g: &G, ended: Option<u64>) {
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
    pub(super) fn oldest_runnable(&self) -> Option<u64> {
        self.gs.at(self.runnable.head).map(|g| g.since)
    }

    pub(super) fn reason_class(&mut self, t: &Tables, reason: StrId) -> u8 {
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

    pub(super) fn heap_point(&mut self, time: u64) {
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

    pub(super) fn range(&mut self, e: &Event) {
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
}

/// One point per time bucket: the peak heap in it and the latest goal.
pub(super) fn push_heap_point(points: &mut Vec<HeapPoint>, p: HeapPoint, bucket: u64) {
    match points.last_mut() {
        Some(last) if p.time_ns / bucket == last.time_ns / bucket => {
            last.alloc = last.alloc.max(p.alloc);
            last.goal = p.goal;
        }
        _ => points.push(p),
    }
}
