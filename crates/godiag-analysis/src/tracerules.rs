//! Findings from execution traces (the scheduler-timeline view): starvation, GC
//! pressure, contention and blocking I/O measured over the whole trace, leaks and
//! deadlocks from the goroutines' state at its end, and what the trace says about
//! findings from other sources.

use crate::finding::{Confidence, Finding, FindingKind, Verdict};
use crate::steps::next_steps;
pub use crate::traceparts::TraceInput;
use crate::traceparts::{evidence, in_parens, location, ms, stack_lines, user_frame};
use godiag_model::Source;
use godiag_trace::analysis::Summary;
use godiag_trace::tables::is_runtime_function;

fn procs(s: &Summary) -> u64 {
    s.gomaxprocs.last().map_or(0, |p| p.1)
}

pub fn analyze_traces(inputs: &[TraceInput<'_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    for input in inputs {
        let s = input.summary;
        starvation(input, s, &mut out);
        gc_pressure(input, s, &mut out);
        contention(input, s, &mut out);
        blocking_io(input, s, &mut out);
        leak(input, s, &mut out);
        crate::tracehang::lock_waits_never_woken(input, s, &mut out);
    }
    out
}

fn starvation(input: &TraceInput<'_>, s: &Summary, out: &mut Vec<Finding>) {
    let lat = &s.sched_latency;
    // A trace cut short (or damaged) may have lost the events that ended a
    // wait still open at its end: only waits seen to end are measured.
    let cut = s.partial.is_some();
    let measured = |w: &&godiag_trace::analysis::LongWait| !(cut && w.at_end);
    let long_waits = if cut {
        lat.over_100ms.saturating_sub(lat.over_100ms_open_at_end)
    } else {
        lat.over_100ms
    };
    if long_waits == 0 {
        return;
    }
    let longest = s
        .longest_waits
        .iter()
        .find(measured)
        .map_or(lat.max_ns, |w| w.wait_ns);
    let mut f = Finding::new(
        FindingKind::SchedulerStarvation,
        format!(
            "Scheduler starvation: {} wait{} of 100 ms or more for a P (longest {}, GOMAXPROCS={})",
            long_waits,
            if long_waits == 1 { "" } else { "s" },
            ms(longest),
            procs(s)
        ),
        if long_waits >= 3 {
            Confidence::High
        } else {
            Confidence::Medium
        },
    );
    // The code to change is what kept the Ps busy.
    f.location = s
        .held_sites
        .iter()
        .find(|h| !h.file.is_empty() && !is_runtime_function(&h.function))
        .map(location);
    let mut lines: Vec<String> = s
        .longest_waits
        .iter()
        .filter(measured)
        .take(5)
        .map(|w| {
            format!(
                "goroutine {} ({}) runnable for {} from +{}{}",
                w.goroutine,
                w.name,
                ms(w.wait_ns),
                ms(w.since_ns),
                if w.at_end {
                    ", still waiting at the end"
                } else {
                    ""
                }
            )
        })
        .collect();
    for (name, ns) in s.held_while_starving.iter().take(3) {
        lines.push(format!(
            "held the Ps while others starved: {name} for {}",
            ms(*ns)
        ));
    }
    f.confirm(evidence(
        input,
        format!(
            "scheduler latency p50 {} p99 {} max {} over {} waits; {} of them 100 ms or more",
            ms(lat.p50_ns),
            ms(lat.p99_ns),
            ms(lat.max_ns),
            lat.count,
            long_waits
        ),
        lines,
    ));
    f.next_steps = next_steps(FindingKind::SchedulerStarvation);
    out.push(f);
}

fn gc_pressure(input: &TraceInput<'_>, s: &Summary, out: &mut Vec<Finding>) {
    let gc = &s.gc;
    let share = gc.cpu_fraction * 100.0;
    let long_stw = gc.stw_max_ns >= 10_000_000;
    if share < 25.0 && !long_stw {
        return;
    }
    let per_sec = if s.duration_ns > 0 {
        gc.cycles as f64 / (s.duration_ns as f64 / 1e9)
    } else {
        0.0
    };
    let mut f = Finding::new(
        FindingKind::GcPressure,
        if share >= 25.0 {
            format!(
                "GC pressure: the garbage collector takes {share:.0}% of CPU ({} cycles, {per_sec:.0}/s)",
                gc.cycles
            )
        } else {
            format!(
                "GC pressure: stop-the-world pauses up to {}",
                ms(gc.stw_max_ns)
            )
        },
        if share >= 40.0 || gc.stw_max_ns >= 50_000_000 {
            Confidence::High
        } else {
            Confidence::Medium
        },
    );
    f.location = s
        .assist_sites
        .first()
        .and_then(|site| user_frame(&site.stack))
        .map(location);
    let mut lines = vec![
        format!(
            "{} GC cycles in {}; mark phase {} in total",
            gc.cycles,
            ms(s.duration_ns),
            ms(gc.mark_total_ns)
        ),
        format!(
            "{} stop-the-world pauses, {} in total, longest {}",
            gc.stw_count,
            ms(gc.stw_total_ns),
            ms(gc.stw_max_ns)
        ),
        format!(
            "{} mark assists ran {} (of {} inside assists); workers {} dedicated, {} fractional",
            gc.assist_count,
            ms(gc.assist_cpu_ns),
            ms(gc.assist_total_ns),
            ms(gc.worker_dedicated_ns),
            ms(gc.worker_fractional_ns)
        ),
    ];
    if let Some((w, u)) = gc.mmu.iter().find(|(w, _)| *w == 10_000_000) {
        lines.push(format!(
            "minimum mutator utilization over {}: {:.0}%",
            ms(*w),
            u * 100.0
        ));
    }
    if let Some(site) = s.assist_sites.first() {
        if let Some(u) = user_frame(&site.stack) {
            lines.push(format!(
                "most assists ({}) were made allocating at {} {}:{}",
                site.count, u.function, u.file, u.line
            ));
        }
    }
    f.confirm(evidence(
        input,
        format!(
            "GC took {share:.0}% of the CPU available (GOMAXPROCS={})",
            procs(s)
        ),
        lines,
    ));
    f.next_steps = next_steps(FindingKind::GcPressure);
    out.push(f);
}

fn contention(input: &TraceInput<'_>, s: &Summary, out: &mut Vec<Finding>) {
    if s.duration_ns == 0 {
        return;
    }
    // Mutexes (reason "sync") and full channels; idle receivers are normal.
    let Some(site) = s
        .contention
        .iter()
        .filter(|c| {
            c.reason == "sync" || c.reason == "sync.(*Cond).Wait" || c.reason == "chan send"
        })
        .max_by_key(|c| c.total_ns)
    else {
        return;
    };
    let load = site.total_ns as f64 / s.duration_ns as f64;
    // Many waits that add up, or a few long ones that kept a goroutine waiting
    // the whole time on average.
    let many = load >= 0.5 && site.total_ns >= 50_000_000 && site.count >= 10;
    let long = load >= 1.0 && site.total_ns >= 100_000_000 && site.count >= 2;
    if !many && !long {
        return;
    }
    let Some(u) = user_frame(&site.stack) else {
        return;
    };
    let what = if site.reason == "chan send" {
        "a channel"
    } else {
        "a lock"
    };
    let mut f = Finding::new(
        FindingKind::LockContention,
        format!(
            "Lock contention: goroutines waited {} on {what} at {} ({} waits, on average {:.1} goroutines waiting)",
            ms(site.total_ns),
            u.function,
            site.count,
            load
        ),
        if load >= 2.0 {
            Confidence::High
        } else {
            Confidence::Medium
        },
    );
    f.location = Some(location(u));
    f.confirm(evidence(
        input,
        format!(
            "{} waits ({}) totalling {} in a {} trace",
            site.count,
            site.reason,
            ms(site.total_ns),
            ms(s.duration_ns)
        ),
        stack_lines(&site.stack),
    ));
    f.next_steps = next_steps(FindingKind::LockContention);
    out.push(f);
}

fn blocking_io(input: &TraceInput<'_>, s: &Summary, out: &mut Vec<Finding>) {
    if s.duration_ns == 0 {
        return;
    }
    let io_total: u64 = s.io.iter().map(|x| x.total_ns).sum();
    let busy: u64 = s
        .groups
        .iter()
        .filter(|g| !is_runtime_function(&g.name))
        .map(|g| g.stats.exec_ns + g.stats.sched_wait_ns)
        .sum();
    let sync: u64 = s.contention.iter().map(|c| c.total_ns).sum();
    let Some(site) = s.io.first() else { return };
    let Some(u) = user_frame(&site.stack) else {
        return;
    };
    let share = io_total as f64 / (io_total + busy + sync).max(1) as f64;
    if share < 0.5 || io_total < 100_000_000 {
        return;
    }
    let mut f = Finding::new(
        FindingKind::BlockingIo,
        format!(
            "Blocking I/O: goroutines spent {} waiting on {} ({:.0}% of their time), most at {}",
            ms(io_total),
            if site.reason == "network" {
                "the network"
            } else {
                "system calls"
            },
            share * 100.0,
            u.function
        ),
        Confidence::Medium,
    );
    f.location = Some(location(u));
    let mut lines: Vec<String> =
        s.io.iter()
            .take(3)
            .filter_map(|x| {
                user_frame(&x.stack).map(|u| {
                    format!(
                        "{}: {} waits, {} at {} {}:{}",
                        x.reason,
                        x.count,
                        ms(x.total_ns),
                        u.function,
                        u.file,
                        u.line
                    )
                })
            })
            .collect();
    lines.extend(stack_lines(&site.stack));
    f.confirm(evidence(
        input,
        format!(
            "network and syscall waits {} against {} running or runnable",
            ms(io_total),
            ms(busy)
        ),
        lines,
    ));
    f.next_steps = next_steps(FindingKind::BlockingIo);
    out.push(f);
}

fn leak(input: &TraceInput<'_>, s: &Summary, out: &mut Vec<Finding>) {
    for b in &s.blocked_at_end {
        if b.count < 10
            || b.blocked_throughout * 2 < b.count
            || matches!(b.reason.as_str(), "network" | "sleep" | "forever")
        {
            continue;
        }
        let long = (s.duration_ns / 2).min(1_000_000_000);
        // Every one blocked since it was created, never woken, the oldest
        // for half the trace: a leak that grew while the trace ran, the
        // newest only just started (one goroutine a millisecond, each on
        // its own channel).
        let growing = b.min_wait_ns < long
            && b.blocked_throughout == b.count
            && b.count >= 20
            && b.max_wait_ns >= long;
        if b.min_wait_ns < long && !growing {
            continue;
        }
        let Some(u) = user_frame(&b.stack) else {
            continue;
        };
        let mut f = Finding::new(
            FindingKind::GoroutineLeak,
            if growing {
                format!(
                    "Goroutine leak: {} goroutines blocked{} at {}, created while the trace ran and never woken: the leak grew during the trace",
                    b.count,
                    in_parens(&b.reason),
                    u.function
                )
            } else if b.max_wait_ns >= s.duration_ns / 20 * 19 {
                format!(
                    "Goroutine leak: {} goroutines blocked{} at {} for the whole trace",
                    b.count,
                    in_parens(&b.reason),
                    u.function
                )
            } else {
                // Created after the trace began: blocked since then.
                format!(
                    "Goroutine leak: {} goroutines blocked{} at {}, each for at least {} and never woken",
                    b.count,
                    in_parens(&b.reason),
                    u.function,
                    ms(b.min_wait_ns)
                )
            },
            Confidence::Medium,
        );
        f.location = Some(location(u));
        let mut e = evidence(
            input,
            format!(
                "{} goroutines were blocked in {} at the end of the trace, each for at least {}; {} since they were created or the trace began",
                b.count,
                b.reason,
                ms(b.min_wait_ns),
                b.blocked_throughout
            ),
            stack_lines(&b.stack),
        );
        e.goroutines = Some(b.count);
        f.confirm(e);
        f.next_steps = next_steps(FindingKind::GoroutineLeak);
        out.push(f);
    }
}

/// A deadlock among named goroutines, seen in a trace of the same run (the
/// goroutine ids are the same): confirmed when at least two of them were
/// blocked until the trace ended, contradicted when one of them was running.
fn cycle_in_trace(f: &mut Finding, input: &TraceInput<'_>) {
    let s = input.summary;
    let named = |g: i64| u64::try_from(g).is_ok_and(|g| f.goroutines.contains(&g));
    // Goroutine ids repeat across programs: a trace of another program (or
    // another run) says nothing of these goroutines. The trace is taken for
    // the same run only where it shows the finding's function.
    let Some(place) = f.location.as_ref().map(|l| l.function.as_str()) else {
        return;
    };
    let shows_place = s
        .blocked_at_end
        .iter()
        .flat_map(|b| &b.stack)
        .chain(s.contention.iter().flat_map(|c| &c.stack))
        .any(|fr| fr.function == place)
        || s.goroutines.iter().any(|g| g.name == place);
    if !shows_place {
        return;
    }
    // Where the other sources put goroutine `g`: its evidence lines.
    let placed_at = |g: i64, function: &str| {
        let head = format!("goroutine {g} ");
        f.evidence
            .iter()
            .filter(|e| e.source != Source::Trace)
            .flat_map(|e| &e.lines)
            .any(|l| l.starts_with(&head) && l.contains(function))
    };
    if let Some(g) = s.end.running_ids.iter().copied().find(|&g| named(g)) {
        f.verification
            .insert(Source::Trace.name(), Verdict::Contradicts);
        f.evidence.push(evidence(
            input,
            format!("goroutine {g}, which the deadlock names, was running at the end of the trace"),
            Vec::new(),
        ));
        return;
    }
    let mut lines = Vec::new();
    let mut blocked = 0u64;
    let mut least = u64::MAX;
    for b in &s.blocked_at_end {
        let program_functions: Vec<&str> = b
            .stack
            .iter()
            .filter(|fr| !godiag_model::goroutine::is_stdlib_function(&fr.function))
            .map(|fr| fr.function.as_str())
            .collect();
        for &g in b.goroutines.iter().filter(|&&g| {
            named(g)
                && program_functions
                    .iter()
                    .any(|function| placed_at(g, function))
        }) {
            blocked += 1;
            least = least.min(b.min_wait_ns);
            let site = b
                .stack
                .iter()
                .find(|fr| !godiag_model::goroutine::is_stdlib_function(&fr.function))
                .or(b.stack.first())
                .map(|fr| format!(" at {} ({}:{})", fr.function, fr.file, fr.line))
                .unwrap_or_default();
            lines.push(format!(
                "goroutine {g} blocked{}{site}",
                in_parens(&b.reason)
            ));
        }
    }
    if blocked >= 2 {
        let mut e = evidence(
            input,
            format!(
                "{blocked} of the goroutines it names were blocked when the trace ended, each for at least {}, never woken",
                ms(least)
            ),
            lines,
        );
        e.goroutines = Some(blocked);
        f.confirm(e);
    }
}

/// What traces say about findings from other sources: a deadlock is contradicted
/// when the program still ran at the end of a trace that a crash cut short; a leak
/// is confirmed when goroutines sat blocked at its site; and a crash is placed on
/// the trace's timeline (how long after the last stop-the-world, during GC or not).
pub fn confirm_from_traces(findings: &mut [Finding], inputs: &[TraceInput<'_>]) {
    for input in inputs {
        let s = input.summary;
        for f in findings.iter_mut() {
            if f.verification.contains_key(Source::Trace.name()) {
                continue;
            }
            match f.kind {
                // A cycle of named goroutines (not a global deadlock): the
                // trace confirms it when they sat blocked to its end.
                FindingKind::Deadlock if !f.goroutines.is_empty() => {
                    cycle_in_trace(f, input);
                }
                FindingKind::Deadlock if s.partial.is_some() => {
                    let e = &s.end;
                    if e.user_running_or_runnable > 0 {
                        f.verification
                            .insert(Source::Trace.name(), Verdict::Contradicts);
                        f.evidence.push(evidence(
                            input,
                            format!(
                                "the trace shows {} goroutines of the program running or runnable at its end, so this is not a global deadlock",
                                e.user_running_or_runnable
                            ),
                            Vec::new(),
                        ));
                        if f.confidence > Confidence::Low {
                            f.confidence = Confidence::Medium;
                        }
                    } else if e.user_waiting > 0 {
                        f.confirm(evidence(
                            input,
                            format!(
                                "nothing of the program runs or is runnable when the trace ends; {} goroutines wait",
                                e.user_waiting
                            ),
                            Vec::new(),
                        ));
                    }
                }
                FindingKind::GoroutineLeak => {
                    let Some(loc) = &f.location else { continue };
                    if let Some(b) = s.blocked_at_end.iter().find(|b| {
                        b.stack
                            .iter()
                            .any(|fr| fr.function == loc.function && fr.line == u64::from(loc.line))
                    }) {
                        let mut e = evidence(
                            input,
                            format!(
                                "{} goroutines blocked{} at this site at the end of the trace",
                                b.count,
                                in_parens(&b.reason)
                            ),
                            Vec::new(),
                        );
                        e.goroutines = Some(b.count);
                        f.confirm(e);
                    }
                }
                _ if s.partial.is_some() && f.kind.priority() == 2 => {
                    // A crash: where it falls on the trace's timeline. The
                    // failing goroutine still on a P when the trace is cut
                    // corroborates it.
                    match f
                        .goroutine
                        .filter(|g| i64::try_from(*g).is_ok_and(|g| s.end.running_ids.contains(&g)))
                    {
                        Some(g) => f.confirm(evidence(
                            input,
                            format!(
                                "goroutine {g} was running when the crash cut the trace; {}",
                                crash_moment(s)
                            ),
                            Vec::new(),
                        )),
                        None => f
                            .evidence
                            .push(evidence(input, crash_moment(s), Vec::new())),
                    }
                }
                _ => {}
            }
        }
    }
}

/// "The trace, cut short by the crash, ends 12.7 ms after a stop-the-world (GC mark
/// termination) ended; no GC was running."
pub fn crash_moment(s: &Summary) -> String {
    end_moment(s, "cut short by the crash")
}

/// Where a trace that ends early ends, when no crash was given to say why.
pub fn cut_moment(s: &Summary) -> String {
    end_moment(s, "cut short")
}

fn end_moment(s: &Summary, why: &str) -> String {
    let e = &s.end;
    let mut parts = vec![format!(
        "the trace, {why}, ends {} after it began",
        ms(s.duration_ns)
    )];
    if let Some(k) = &e.stw_in_progress {
        parts.push(format!("during a stop-the-world ({k})"));
    } else if let (Some(d), Some(k)) = (e.since_last_stw_ns, &e.last_stw_kind) {
        parts.push(format!("{} after a stop-the-world ({k}) ended", ms(d)));
    }
    parts.push(if e.gc_in_progress {
        "while the GC was marking".to_string()
    } else {
        match e.since_last_gc_ns {
            Some(d) => format!("with no GC running (the last cycle ended {} before)", ms(d)),
            None => "with no GC cycle in the trace".to_string(),
        }
    });
    parts.join(", ")
}
