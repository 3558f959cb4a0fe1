//! The end of a trace: the summary put together from what was followed.

use godiag_model::group::FxMap;

use crate::event::GoState;
use crate::tables::{StackId, StrId, Tables};

use super::analyzer::Analyzer;
use super::mmu::mmu;
use super::state::*;
use super::summary::*;

impl Analyzer {
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
                        self.lat.over_100ms_open_at_end += 1;
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
                                    max_wait_ns: 0,
                                    blocked_throughout: 0,
                                    goroutines: Vec::new(),
                                });
                        b.count += 1;
                        b.min_wait_ns = b.min_wait_ns.min(d);
                        b.max_wait_ns = b.max_wait_ns.max(d);
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
                let id = find_by_name(t, &self.name_loc, name);
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

pub(super) fn find_by_name(
    t: &Tables,
    m: &FxMap<StrId, (StrId, u64)>,
    name: &str,
) -> Option<(StrId, u64)> {
    m.iter()
        .find(|(&k, _)| t.string(k) == name)
        .map(|(_, &v)| v)
}

pub(super) fn sites(
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

pub(super) fn reason_name(t: &Tables, r: StrId) -> String {
    match t.string(r) {
        "" => "unspecified".into(),
        x => x.to_string(),
    }
}

pub(super) fn exec_stats(st: &Stats, t: &Tables) -> ExecStats {
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

pub(super) fn spans(
    m: &FxMap<StrId, Span>,
    t: &Tables,
    open: impl Iterator<Item = StrId>,
) -> Vec<SpanStats> {
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
