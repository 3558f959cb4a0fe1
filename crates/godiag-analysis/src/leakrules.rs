//! Goroutine leaks from dumps: many goroutines parked at one site for
//! long, growing across snapshots, or proved leaked by the runtime; and the
//! goroutines a dump shows stuck for good, a hang when something waits for
//! them (an excerpt's parked goroutines, a wait that nothing can end).

use godiag_model::diff_groups;

use std::borrow::Cow;

use crate::deadlockrules::{blocked_on_peer, is_lock_wait, stuck_lock_finding, wait_of_headless};
use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::frames::{frame_line, name_in_package, user_frame};
use crate::input::TextInput;
use crate::steps::{next_steps, steps_after_comparing_dumps};
use godiag_model::{Frame, GoroutineGroup};

pub(crate) fn leak_findings(inputs: &[TextInput<'_, '_>], out: &mut Vec<Finding>) {
    // A SIGQUIT's (or a sent SIGABRT's) dump is a goroutine dump too.
    let dumps: Vec<&TextInput<'_, '_>> = inputs
        .iter()
        .filter(|i| {
            let t = i.artifact;
            !t.goroutines.is_empty() && (!t.crash.is_failure() || t.is_dump_request())
        })
        .collect();
    let mut reported = false;
    // Two dumps of one process: groups that grew.
    if dumps.len() >= 2 {
        // The first and the last snapshot, and those between for the
        // count at each (200 → 400 → 600, not only the last step).
        let series = in_capture_order_all(&dumps);
        let (a, b) = (series[0], series[series.len() - 1]);
        let diffs = diff_groups(a.groups, b.groups);
        // Each snapshot between against the last, once for every group.
        let between: Vec<_> = series[1..series.len() - 1]
            .iter()
            .map(|m| (*m, diff_groups(m.groups, b.groups)))
            .collect();
        for d in diffs.iter().take(3) {
            let Some(li) = d.later else { continue };
            let g = &b.groups[li];
            if d.growth() <= 0 || !blocked_on_peer(g.status) || d.after < 10 {
                continue;
            }
            // The dumps' capture times turn the growth into a rate.
            let rate = match (a.captured_at, b.captured_at) {
                (Some(ta), Some(tb)) if tb > ta => format!(
                    " in {:.1} s (about {:.0} a minute)",
                    tb - ta,
                    d.growth() as f64 * 60.0 / (tb - ta)
                ),
                _ => String::new(),
            };
            // The group's count in each snapshot between.
            let mut counts = vec![(a, d.before)];
            for (m, to_last) in &between {
                let n = to_last
                    .iter()
                    .find(|e| e.later == Some(li))
                    .map_or(0, |e| e.before);
                counts.push((*m, n));
            }
            counts.push((b, d.after));
            let grew = growth_words(
                &counts.iter().map(|(_, n)| *n as u64).collect::<Vec<_>>(),
                "dumps",
            );
            let mut f = Finding::new(
                FindingKind::GoroutineLeak,
                format!(
                    "goroutine leak: {} goroutines blocked in [{}] {grew}{rate}",
                    d.after, g.status
                ),
                Confidence::High,
            );
            f.location = user_frame(&g.frames).map(Location::from);
            for (inp, n) in counts {
                f.confirm(Evidence {
                    source: inp.source(),
                    summary: format!("{n} goroutines in this group"),
                    input: inp.index,
                    offset: None,
                    lines: Vec::new(),
                    goroutines: Some(n as u64),
                });
            }
            f.next_steps = steps_after_comparing_dumps(FindingKind::GoroutineLeak);
            out.push(f);
            reported = true;
        }
    }
    if reported {
        return;
    }
    // One dump: a large group parked on a peer, the longer the stronger.
    for input in &dumps {
        // Aggregated dumps stand for more goroutines than they print.
        let total: usize = input.groups.iter().map(|g| g.count).sum();
        // A test's leak checker's verdict: one finding over what it listed.
        if let Some(f) = crate::testleak::checker_finding(input) {
            out.push(f);
            continue;
        }
        if let Some(f) = blocked_forever_finding(input) {
            out.push(f);
            continue;
        }
        if let Some(f) = crate::orphanwait::orphaned_wait_group(input) {
            out.push(f);
            continue;
        }
        // The runtime's verdict outranks a guess from an excerpt's waits.
        let proved_any = input.groups.iter().any(|g| g.leaked > 0);
        if let Some(f) = stuck_in_excerpt(input, total)
            .or_else(|| stuck_in_io(input, total))
            .filter(|_| !proved_any)
        {
            out.push(f);
            continue;
        }
        for g in input.groups.iter().take(3) {
            let minutes = minutes(g);
            // Waiting minutes for a lock is not a leak: its holder never
            // released it, a deadlock the runtime cannot see.
            if minutes >= 1 && g.leaked == 0 && is_lock_wait(g) {
                out.push(stuck_lock_finding(input, g, minutes));
                break;
            }
            // Goroutines the runtime proved leaked (Go 1.26+) need no
            // count; nor does an excerpt (no main goroutine) of goroutines
            // parked on a peer for ten minutes or more.
            let excerpt = !input.artifact.goroutines.iter().any(|m| m.id == 1);
            let proved = g.leaked > 0 || (excerpt && minutes >= 10);
            if !blocked_on_peer(g.status) || (!proved && g.count < 50.max(total / 5)) {
                continue;
            }
            let conf = if g.leaked > 0 || minutes >= 10 {
                Confidence::High
            } else if minutes >= 1 {
                Confidence::Medium
            } else {
                Confidence::Low
            };
            let mut f = Finding::new(
                FindingKind::GoroutineLeak,
                if g.leaked > 0 {
                    format!(
                        "goroutine leak: the runtime proved {} of {} goroutines leaked, blocked in [{}]",
                        g.leaked, total, g.status
                    )
                } else {
                    format!(
                        "possible goroutine leak: {} of {} goroutines blocked in [{}]{}",
                        g.count,
                        total,
                        g.status,
                        if minutes > 0 {
                            format!(
                                " for at least {minutes} minute{}",
                                if minutes == 1 { "" } else { "s" }
                            )
                        } else {
                            String::new()
                        }
                    )
                },
                conf,
            );
            f.location = user_frame(&g.frames).map(Location::from);
            let site = user_frame(&g.frames);
            // Only goroutines with a wait object count (`wait_fact` drops the
            // others): a text dump has none, and a core's 100,000 need no
            // stack scan when that is known first.
            let members = input.artifact.goroutines.iter().filter(|m| {
                !m.waits_on.is_empty()
                    && m.status == g.status
                    && user_frame(&m.frames).map(|u| (u.function, u.line))
                        == site.map(|u| (u.function, u.line))
            });
            let waits = crate::corerules::wait_fact(members, &input.artifact.goroutines);
            // A core shows each waits on an object nothing else is blocked on.
            if waits.as_ref().is_some_and(|w| w.exclusive) {
                f.confidence = f.confidence.max(Confidence::Medium);
            }
            f.confirm(Evidence {
                source: input.source(),
                summary: match waits {
                    Some(w) => {
                        format!("{}; {}", crate::frames::share_sentence(g.count), w.sentence)
                    }
                    None => crate::frames::share_sentence(g.count),
                },
                input: input.index,
                offset: None,
                lines: g.frames.iter().take(4).map(frame_line).collect(),
                goroutines: Some(g.count as u64),
            });
            f.next_steps = next_steps(FindingKind::GoroutineLeak);
            out.push(f);
            break;
        }
    }
}

/// Goroutines an excerpt holds at most: a reporter's selection from a hang
/// (a few goroutines, not the program's main one), not a whole dump.
const EXCERPT_AT_MOST: usize = 12;

/// Goroutines parked on a nil channel (`chan receive (nil chan)`) or in a
/// `select {}` with no cases can never run again: a leak by construction,
/// whatever their number and wait time; or, when the goroutine is one that
/// something waits for (the main goroutine, a test's), the program or test
/// hangs there. The main goroutine in `select {}` is a server keeping its
/// process alive on purpose: nothing is said of it.
fn blocked_forever_finding(input: &TextInput<'_, '_>) -> Option<Finding> {
    let (g, awaited) = input.groups.iter().find_map(|g| {
        let forever = matches!(
            g.status,
            "chan receive (nil chan)" | "chan send (nil chan)" | "select (no cases)"
        );
        if !forever || user_frame(&g.frames).is_none() {
            return None;
        }
        let awaited = awaited_as(&g.frames);
        let idling = g.status == "select (no cases)" && awaited == Some(Awaited::Main);
        (!idling).then_some((g, awaited))
    })?;
    let who = |one: &str, many: &str| {
        if g.count == 1 {
            one.to_string()
        } else {
            format!("{} {many}", g.count)
        }
    };
    let (kind, title) = match awaited {
        Some(whose) => (
            FindingKind::Deadlock,
            format!(
                "deadlock: {} blocked forever in [{}] (nothing can wake {})",
                match whose {
                    Awaited::Main => "the main goroutine".to_string(),
                    Awaited::Test => who("a test's goroutine", "tests' goroutines"),
                },
                g.status,
                if g.count == 1 { "it" } else { "them" }
            ),
        ),
        None => (
            FindingKind::GoroutineLeak,
            format!(
                "goroutine leak: {} blocked forever in [{}] (nothing can wake {})",
                who("a goroutine", "goroutines"),
                g.status,
                if g.count == 1 { "it" } else { "them" }
            ),
        ),
    };
    let mut f = Finding::new(kind, title, Confidence::High);
    f.location = user_frame(&g.frames).map(Location::from);
    f.confirm(Evidence {
        source: input.source(),
        summary: crate::frames::share_sentence(g.count),
        input: input.index,
        offset: None,
        lines: g.frames.iter().take(4).map(frame_line).collect(),
        goroutines: Some(g.count as u64),
    });
    f.next_steps = next_steps(kind);
    Some(f)
}

/// A wait of the test harness's own, or one that ends by itself: a test
/// paused in `T.Parallel` while serial tests run, a parent in `T.Run`
/// waiting for its subtest (the subtest is what hangs), or a `select`
/// (a wait loop or a timeout as often as a hang).
fn in_harness_wait(g: &GoroutineGroup<'_>) -> bool {
    g.status.starts_with("select")
        || g.frames
            .iter()
            .take_while(|f| f.is_stdlib())
            .any(|f| f.function.starts_with("testing."))
}

/// A test function or a closure of one (`pkg.TestName`, `pkg.TestName.func2`).
fn is_test_function(function: &str) -> bool {
    name_in_package(function).starts_with("Test")
}

/// Whose work a stack is, when something waits for it to finish.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Awaited {
    /// The main goroutine: its outermost frame outside the runtime is
    /// `main.main` (`runtime.main` and `runtime.goexit` below it are shown
    /// with `GOTRACEBACK=system`).
    Main,
    /// A test's, run by `testing.tRunner` (a fuzz target's by `fRunner`, a
    /// benchmark's by `(*B).runN`).
    Test,
}

fn awaited_as(frames: &[Frame<'_>]) -> Option<Awaited> {
    let outermost = frames.iter().rev().find(|f| !f.in_runtime_package());
    if outermost.is_some_and(|f| f.function == "main.main") {
        Some(Awaited::Main)
    } else if frames.iter().any(|f| {
        matches!(
            f.function,
            "testing.tRunner" | "testing.fRunner" | "testing.(*B).runN"
        )
    }) || outermost.is_some_and(|f| {
        // A stack cut below the test function still shows whose it is
        // (its closures run on goroutines of their own).
        is_test_function(f.function) && !name_in_package(f.function).contains(".func")
    }) {
        Some(Awaited::Test)
    } else {
        None
    }
}

/// A reporter's selection from a hang: at most [`EXCERPT_AT_MOST`]
/// goroutines, no failure printed, not the main goroutine (by its id or,
/// pasted without its header, by its outermost frame).
fn is_excerpt(input: &TextInput<'_, '_>, total: usize) -> bool {
    let t = input.artifact;
    let main = |g: &godiag_model::Goroutine<'_>| {
        g.id == 1 || (g.headerless && matches!(awaited_as(&g.frames), Some(Awaited::Main)))
    };
    !t.crash.is_failure() && total <= EXCERPT_AT_MOST && !t.goroutines.iter().any(main)
}

/// The fewest minutes a group's members printed they have waited.
fn minutes(g: &GoroutineGroup<'_>) -> u32 {
    g.wait_minutes.map_or(0, |(lo, _)| lo)
}

/// `1 goroutine`, `3 goroutines`.
fn goroutines_of(g: &GoroutineGroup<'_>) -> String {
    match g.count {
        1 => "1 goroutine".to_string(),
        n => format!("{n} goroutines"),
    }
}

/// Minutes a connection of the standard library's may wait idle in I/O
/// before an excerpt of it reads as a hang.
const IDLE_AT_MOST: u32 = 10;

/// A hang in I/O as reporters paste it: an excerpt (as for
/// [`stuck_in_excerpt`]) whose goroutines of the program wait, one or more
/// of them for minutes on a network read or write (`[IO wait, 6382
/// minutes]` in a database driver's read, go-sql-driver/mysql#375) or in a
/// blocking read system call (`[syscall, 67 minutes]`): a read or write
/// with no deadline, the peer gone silent. The longest such wait is named.
fn stuck_in_io(input: &TextInput<'_, '_>, total: usize) -> Option<Finding> {
    if !is_excerpt(input, total) {
        return None;
    }
    // A listener's accept, a datagram server's read and a file's (stdin,
    // a pipe) wait for no peer that went silent.
    let serving = |g: &GoroutineGroup<'_>| {
        g.frames.iter().any(|f| {
            let name = f.function;
            name.contains("Accept")
                || name.contains(".accept")
                || name.contains("ReadFrom")
                || name.contains("ReadMsg")
                || name.starts_with("os.(*File).")
        })
    };
    let in_io = |g: &GoroutineGroup<'_>| {
        let blocking_read = g.status == "syscall"
            && g.frames.iter().take(8).any(|f| {
                matches!(
                    f.function,
                    "syscall.Read" | "syscall.read" | "syscall.Write" | "syscall.write"
                )
            });
        !serving(g) && (g.status == "IO wait" || blocking_read)
    };
    let running = input
        .groups
        .iter()
        .any(|g| matches!(g.status, "running" | "runnable") && user_frame(&g.frames).is_some());
    if running {
        return None;
    }
    let g = input
        .groups
        .iter()
        // With no frame of the program (a server's connection waiting for
        // its next request, DSiSc/justitia#63), only a long wait says so;
        // an HTTP client's pooled connection waits idle by design (many of
        // them are a leak's shape, spidernet-io/spiderpool#917).
        .filter(|g| {
            let pooled = g
                .frames
                .iter()
                .any(|f| f.function == "net/http.(*persistConn).readLoop");
            in_io(g)
                && minutes(g) >= 1
                && (user_frame(&g.frames).is_some() || (minutes(g) >= IDLE_AT_MOST && !pooled))
        })
        .max_by_key(|g| minutes(g))?;
    let m = minutes(g);
    let mut f = excerpt_finding(
        input,
        g,
        FindingKind::BlockingIo,
        format!(
            "possible hang in I/O: {} in [{}] for at least {m} minute{}; a read or write with no deadline waits for a peer that went silent",
            goroutines_of(g),
            g.status,
            if m == 1 { "" } else { "s" }
        ),
        format!(
            "an excerpt of {total} goroutine{} without the main one, none of the program's running",
            if total == 1 { "" } else { "s" }
        ),
    );
    f.next_steps = vec![
        "Set a deadline on the connection (`SetReadDeadline`/`SetDeadline`), a timeout on the client (`http.Client.Timeout`, the driver's `readTimeout`), or pass a `context.Context` with a timeout".into(),
        "A second dump minutes later shows whether the wait ever ends".into(),
    ]
    .into_iter()
    .chain(next_steps(FindingKind::BlockingIo))
    .collect();
    Some(f)
}

/// A hang as reporters paste it: the few goroutines they found stuck, cut
/// from a larger dump (no main goroutine, no failure printed). A goroutine
/// parked on a channel, a lock, a wait group or a condition for minutes
/// (or in an excerpt whose goroutines are all parked, several of them or
/// one waiting for a lock or awaited by a test, which needs no minutes) is
/// stuck there: a deadlock the runtime cannot see, unless the excerpt
/// shows the shape of a leak (several at one site, or a worker the program
/// started whose only frame of the program is its own function, parked on
/// channels). Channel
/// operations are reported before lock waiters, and those before
/// wait-group and condition waiters, which wait on others.
fn stuck_in_excerpt(input: &TextInput<'_, '_>, total: usize) -> Option<Finding> {
    if !is_excerpt(input, total) {
        return None;
    }
    // A stack pasted without its header waits where its frames say.
    let groups: Vec<Cow<'_, GoroutineGroup<'_>>> = input
        .groups
        .iter()
        .map(|g| match wait_of_headless(&g.frames) {
            Some(status) if g.status == "unknown" => Cow::Owned(GoroutineGroup {
                status,
                ..g.clone()
            }),
            _ => Cow::Borrowed(g),
        })
        .collect();
    let parked: Vec<&GoroutineGroup<'_>> = groups
        .iter()
        .map(|g| g.as_ref())
        .filter(|g| blocked_on_peer(g.status) && g.leaked == 0)
        .collect();
    // Goroutines without a frame of the program that wait for nothing of
    // it (the signal watcher, the GC's workers) stand by; one running (the
    // dump's own writer) is no sign that the program is stuck or not.
    let bystanders: usize = groups
        .iter()
        .filter(|g| {
            !blocked_on_peer(g.status)
                && !matches!(g.status, "running" | "runnable")
                && g.frames.iter().all(|f| f.is_stdlib())
                && g.created_by.as_ref().is_none_or(|c| c.is_stdlib())
        })
        .map(|g| g.count)
        .sum();
    // Several waiting means several of the program's.
    let program = total.saturating_sub(bystanders);
    // What is waited on: a channel (0), a lock (1), or other goroutines'
    // work, a wait group or a condition (2), the later the more a
    // consequence.
    let waits_on = |g: &GoroutineGroup<'_>| {
        if is_lock_wait(g) {
            1
        } else if g.frames.iter().take(4).any(|f| {
            f.function.starts_with("sync.(*WaitGroup).Wait")
                || f.function.starts_with("sync.(*Cond).Wait")
        }) {
            2
        } else {
            0
        }
    };
    // Without minutes, an excerpt shows a hang when its goroutines are all
    // parked and either several wait, or one waits for a lock, or one is
    // what something waits for (a test's own goroutine,
    // cockroachdb/cockroach#6319): one goroutine parked on a channel is an
    // idle worker as often as a stuck one.
    let all_parked = parked.iter().map(|g| g.count).sum::<usize>() + bystanders == total;
    let g = parked
        .iter()
        .filter(|g| user_frame(&g.frames).is_some() || g.count > 1)
        .filter(|g| {
            let awaited = awaited_as(&g.frames).is_some() && !in_harness_wait(g);
            minutes(g) >= 1 || (all_parked && (program >= 2 || is_lock_wait(g) || awaited))
        })
        .min_by_key(|g| (waits_on(g), std::cmp::Reverse(minutes(g))))?;
    // A lone worker of the program parked on channels (a listener, an idle
    // worker) waits for nothing anyone owes it; a test's or main's own
    // goroutine parked as long is what cannot finish: the hang is its wait
    // (uber/zanzibar#209: a signal listener and the test's WaitGroup wait,
    // both 49 minutes).
    let awaited_as_long = |lone: &GoroutineGroup<'_>| {
        parked.iter().copied().find(|a| {
            !std::ptr::eq(*a, lone)
                && awaited_as(&a.frames).is_some()
                && !in_harness_wait(a)
                && user_frame(&a.frames).is_some()
                && minutes(a) >= minutes(lone).max(1)
        })
    };
    let g = match is_lone_worker(g).then(|| awaited_as_long(g)).flatten() {
        Some(awaited) => awaited,
        None => g,
    };
    let m = minutes(g);
    let leak = g.count > 1 || is_lone_worker(g);
    if !leak && is_lock_wait(g) {
        let mut f = stuck_lock_finding(input, g, m);
        f.goroutine = g.ids.first().copied();
        return Some(f);
    }
    let for_minutes = if m > 0 {
        format!(" for at least {m} minute{}", if m == 1 { "" } else { "s" })
    } else {
        String::new()
    };
    let (goroutines, them) = (goroutines_of(g), if g.count == 1 { "it" } else { "them" });
    let (kind, title) = if leak {
        (
            FindingKind::GoroutineLeak,
            format!(
                "possible goroutine leak: {goroutines} the program started, parked in [{}]{for_minutes} and never let go",
                g.status
            ),
        )
    } else {
        (
            FindingKind::Deadlock,
            format!(
                "possible deadlock: {goroutines} stuck in [{}]{for_minutes}; nothing in the excerpt can release {them}",
                g.status
            ),
        )
    };
    let summary = format!(
        "an excerpt of {total} goroutine{} without the main one, {} of them parked on channels, locks, wait groups or conditions",
        if total == 1 { "" } else { "s" },
        parked.iter().map(|g| g.count).sum::<usize>()
    );
    let mut f = excerpt_finding(input, g, kind, title, summary);
    f.next_steps = next_steps(kind);
    Some(f)
}

/// One goroutine the program started (not a test), whose only frame of the
/// program is its own function, parked on channels: the shape of a leaked
/// worker, or of an idle one.
fn is_lone_worker(g: &GoroutineGroup<'_>) -> bool {
    let program_frames = g.frames.iter().filter(|f| !f.is_stdlib()).count();
    let started_by_program = g.created_by.as_ref().is_some_and(|c| !c.is_stdlib());
    // A test's own worker parked for minutes while the test still runs:
    // the test waits for it (a hang); goleak reports what outlived a test.
    let started_by_test = g
        .created_by
        .as_ref()
        .is_some_and(|c| is_test_function(c.function));
    let on_channels = g.status.starts_with("chan ") || g.status.starts_with("select");
    started_by_program && !started_by_test && program_frames == 1 && on_channels
}

/// A finding over an excerpt's group `g`, at its program's frame, its
/// first frames the evidence: the longer its members waited the surer
/// (ten minutes and more: medium).
fn excerpt_finding(
    input: &TextInput<'_, '_>,
    g: &GoroutineGroup<'_>,
    kind: FindingKind,
    title: String,
    summary: String,
) -> Finding {
    let confidence = if minutes(g) >= 10 {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    let mut f = Finding::new(kind, title, confidence);
    f.location = user_frame(&g.frames).map(Location::from);
    f.goroutine = g.ids.first().copied();
    f.confirm(Evidence {
        source: input.source(),
        summary,
        input: input.index,
        offset: None,
        lines: g.frames.iter().take(4).map(frame_line).collect(),
        goroutines: Some(g.count as u64),
    });
    f
}

/// Two dumps of one process, the earlier first: by their capture times
/// when both are known; else by their goroutine ids, which the runtime
/// hands out in increasing order and never reuses, so the later dump's
/// highest id is at least the earlier's (given in the wrong order, a
/// shrinking group would read as growth).
/// How a count grew over snapshots: `grew from 200 to 600`, or over three
/// or more, each step: `grew 200 → 400 → 600 over 3 dumps`.
pub(crate) fn growth_words(counts: &[u64], snapshots: &str) -> String {
    match counts {
        [first, last] => format!("grew from {first} to {last}"),
        _ => format!(
            "grew {} over {} {snapshots}",
            counts
                .iter()
                .map(u64::to_string)
                .collect::<Vec<_>>()
                .join(" → "),
            counts.len()
        ),
    }
}

/// Every dump in capture order: by capture time when all have one, else
/// by their highest goroutine id (ids only grow in one process).
pub(crate) fn in_capture_order_all<'i, 'r, 'a>(
    dumps: &[&'i TextInput<'r, 'a>],
) -> Vec<&'i TextInput<'r, 'a>> {
    let mut v = dumps.to_vec();
    if v.iter().all(|d| d.captured_at.is_some()) {
        v.sort_by(|x, y| {
            x.captured_at
                .partial_cmp(&y.captured_at)
                .unwrap_or(std::cmp::Ordering::Equal)
        });
    } else {
        v.sort_by_key(|d| d.artifact.goroutines.iter().map(|g| g.id).max());
    }
    v
}
