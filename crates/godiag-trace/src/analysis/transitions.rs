//! Goroutine state transitions: time charged to the state left, blocking
//! profiles, long waits, lanes.

use crate::event::{Event, GoState, Transition};
use crate::tables::{StrId, Tables};

use super::analyzer::Analyzer;
use super::state::*;
use super::summary::*;

impl Analyzer {
    pub(super) fn go_transition(&mut self, e: &Event, tr: Transition, t: &Tables) {
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
                    gc_worker: None,
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
                match g.gc_worker {
                    Some(GcWorker::Dedicated) => self.gc.worker_dedicated_ns += d,
                    Some(GcWorker::Fractional) => self.gc.worker_fractional_ns += d,
                    Some(GcWorker::Idle) => self.gc.worker_idle_ns += d,
                    None => {}
                }
                if g.gc_worker.is_some_and(GcWorker::takes_from_program)
                    && self.util.len() < MAX_UTIL_INTERVALS
                    && d > 0
                {
                    self.util.push(UtilInterval {
                        from: g.since,
                        to: now,
                        weight: 1.0,
                    });
                }
                g.gc_worker = None;
                if let Some(a) = g.assist_since {
                    let from = a.max(g.since);
                    self.gc.assist_cpu_ns += now.saturating_sub(from);
                    if self.util.len() < MAX_UTIL_INTERVALS && now > from {
                        self.util.push(UtilInterval {
                            from,
                            to: now,
                            weight: 1.0,
                        });
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
}
