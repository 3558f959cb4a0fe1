//! Hangs an execution trace shows by itself: goroutines that waited for a
//! lock until the trace ended and were never woken. A trace names no mutex,
//! so who holds it is told by who else stopped for good: a second lock
//! waiter elsewhere (a lock-order cycle), or a method of the same type parked
//! on a channel since before the lock wait began (a lock held across a send
//! or receive).

use crate::finding::{Confidence, Finding, FindingKind};
use crate::frames::receiver_type;
use crate::steps::next_steps;
use crate::traceparts::{evidence, location, ms, stack_lines, user_frame, TraceInput};
use godiag_model::goroutine::wait_of_blocking_call;
use godiag_trace::analysis::{BlockedGroup, Frame, Summary};

/// A lock wait this long is no contention: the holder is not coming back.
const STUCK_NS: u64 = 1_000_000_000;
/// Or this long, over at least half of a shorter trace.
const STUCK_IN_SHORT_TRACE_NS: u64 = 500_000_000;

/// The blocking call a stack waits in, in the runtime's words.
fn wait_of(stack: &[Frame]) -> Option<&'static str> {
    stack
        .iter()
        .take(6)
        .find_map(|f| wait_of_blocking_call(&f.function))
}

fn waits_for_lock(b: &BlockedGroup) -> bool {
    matches!(
        wait_of(&b.stack),
        Some("sync.Mutex.Lock" | "sync.RWMutex.Lock" | "sync.RWMutex.RLock")
    )
}

fn waits_on_channel(b: &BlockedGroup) -> bool {
    matches!(
        wait_of(&b.stack),
        Some("chan send" | "chan receive" | "select")
    )
}

/// Blocked for good: never woken until the trace ended, for a second or
/// more, or for half a second and half of a short trace.
fn stuck(s: &Summary, b: &BlockedGroup) -> bool {
    b.min_wait_ns >= STUCK_NS
        || (b.min_wait_ns >= STUCK_IN_SHORT_TRACE_NS && b.min_wait_ns * 2 >= s.duration_ns)
}

fn site(f: &Frame) -> String {
    format!("{} ({}:{})", f.function, f.file, f.line)
}

pub(crate) fn lock_waits_never_woken(input: &TraceInput<'_>, s: &Summary, out: &mut Vec<Finding>) {
    // The program's lock waiters that stopped for good, longest first: the
    // first to wait took its first lock before the others.
    let mut waiters: Vec<(&BlockedGroup, &Frame)> = s
        .blocked_at_end
        .iter()
        .filter(|b| waits_for_lock(b) && stuck(s, b))
        .filter_map(|b| Some((b, user_frame(&b.stack)?)))
        .collect();
    if waiters.is_empty() {
        return;
    }
    waiters.sort_by_key(|(b, _)| std::cmp::Reverse(b.max_wait_ns));
    let shortest = waiters
        .iter()
        .map(|(b, _)| b.min_wait_ns)
        .min()
        .unwrap_or(0);
    let mut sites: Vec<&Frame> = Vec::new();
    for (_, u) in &waiters {
        if !sites
            .iter()
            .any(|s| s.function == u.function && s.line == u.line)
        {
            sites.push(u);
        }
    }
    // A method of a waiter's type parked on a channel since before that
    // waiter stopped: it holds the lock across the channel operation.
    // The waiter named beside it is one in another method when there is
    // one (`consume` waits for what `Set` holds, not another `Set`).
    let pairs = || {
        waiters.iter().filter_map(|(w, u)| {
            let owner = receiver_type(&u.function)?;
            s.blocked_at_end
                .iter()
                .filter(|b| waits_on_channel(b) && b.min_wait_ns >= w.max_wait_ns)
                .find_map(|b| {
                    let f = b
                        .stack
                        .iter()
                        .find(|f| receiver_type(&f.function) == Some(owner))?;
                    Some((b, f, *u))
                })
        })
    };
    let holder = pairs()
        .find(|(_, f, u)| f.function != u.function)
        .or_else(|| pairs().next());
    let count: u64 = waiters.iter().map(|(b, _)| b.count).sum();
    // Blocked since before the trace began, a goroutine has no reason in
    // it: its stack's blocking call tells the wait.
    let reason = |b: &BlockedGroup| {
        if b.reason.is_empty() {
            wait_of(&b.stack).unwrap_or("blocked").to_string()
        } else {
            b.reason.clone()
        }
    };
    let (title, at, confidence) = if let Some((b, f, waiter)) = holder {
        (
            format!(
                "Deadlock: {} waits on a channel ({}) while holding the lock that {} has waited for since, both for at least {} until the trace ended, never woken",
                f.function,
                reason(b),
                waiter.function,
                ms(shortest)
            ),
            f,
            Confidence::Medium,
        )
    } else if sites.len() >= 2 {
        let names: Vec<&str> = sites.iter().map(|f| f.function.as_str()).collect();
        (
            format!(
                "Deadlock: goroutines at {} each waited for a lock for at least {} until the trace ended, never woken: a lock-order cycle (AB/BA) is likely",
                names.join(" and "),
                ms(shortest)
            ),
            sites[0],
            Confidence::Medium,
        )
    } else {
        (
            format!(
                "Deadlock suspected: {} goroutine{} waited for a lock at {} for at least {} until the trace ended, never woken: {}",
                count,
                if count == 1 { "" } else { "s" },
                sites[0].function,
                ms(shortest),
                if count == 1 {
                    "its holder never released it"
                } else {
                    // `transfer(a, b)` and `transfer(b, a)` wait at one line.
                    "they may hold each other's locks (AB/BA through one function), or their holder never released it"
                }
            ),
            sites[0],
            Confidence::Low,
        )
    };
    let mut f = Finding::new(FindingKind::Deadlock, title, confidence);
    f.location = Some(location(at));
    let mut lines: Vec<String> = waiters
        .iter()
        .map(|(b, u)| {
            format!(
                "{} goroutine{} blocked in a lock at {} for {}, never woken",
                b.count,
                if b.count == 1 { "" } else { "s" },
                site(u),
                ms(b.max_wait_ns)
            )
        })
        .collect();
    if let Some((b, f, _)) = holder {
        lines.push(format!(
            "{} goroutine{} blocked ({}) at {} for {}, never woken",
            b.count,
            if b.count == 1 { "" } else { "s" },
            reason(b),
            site(f),
            ms(b.max_wait_ns)
        ));
    }
    lines.extend(stack_lines(&waiters[0].0.stack));
    let mut e = evidence(
        input,
        if count == 1 {
            format!(
                "1 goroutine waited for a lock until the trace ended ({} trace), for {}; it was never woken",
                ms(s.duration_ns),
                ms(shortest)
            )
        } else {
            format!(
                "{count} goroutines waited for locks until the trace ended ({} trace), each for at least {}; none was woken",
                ms(s.duration_ns),
                ms(shortest)
            )
        },
        lines,
    );
    e.goroutines = Some(count);
    f.confirm(e);
    f.goroutines = waiters
        .iter()
        .flat_map(|(b, _)| &b.goroutines)
        .chain(holder.iter().flat_map(|(b, _, _)| &b.goroutines))
        .filter_map(|&g| u64::try_from(g).ok())
        .collect();
    f.next_steps = next_steps(FindingKind::Deadlock);
    out.push(f);
}
