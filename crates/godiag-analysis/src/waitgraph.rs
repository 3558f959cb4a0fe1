//! Deadlocks the runtime cannot see, from a goroutine dump, crash text or
//! core: who waits for which mutex, and who holds it.
//!
//! A goroutine blocked taking a `sync.Mutex` or `sync.RWMutex` shows the
//! lock's address as the argument of the lock's slow path
//! (`(internal/)sync.(*Mutex).lockSlow(0xc0000b2010)`). Who holds a lock is
//! not recorded by Go; it is inferred from the argument values the program's
//! own frames print (not those marked `?`, which may be stale): a goroutine
//! whose frame was passed the lock's address, or the address of a struct
//! holding it (the lock lies up to a page past it), is a holder candidate,
//! unless it waits for that very lock. Only goroutines blocked on a lock
//! take part: a running goroutine holding a lock is contention, not a
//! deadlock. A core proves a holder instead: a pending deferred unlock of
//! the lock in its frames (`Goroutine::holds_locks`). A cycle of goroutines
//! each waiting for a lock the next holds is a deadlock (high confidence
//! when every holder is proved); the goroutines waiting behind it are its
//! victims.

use godiag_model::{Frame, Goroutine};

use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::textrules::{next_steps, user_frame, TextInput};

/// How far past a struct's address a lock inside it may lie.
const STRUCT_SPAN: u64 = 4096;
/// Victims a finding names one by one (for their full frames in a core).
const MAX_NAMED_VICTIMS: usize = 4;

/// A goroutine blocked taking a lock.
struct Waiter<'r, 'a> {
    g: &'r Goroutine<'a>,
    /// The lock's address.
    lock: u64,
    /// Addresses the program's frames were passed.
    args: Vec<u64>,
}

/// The lock a goroutine waits to take, from its lock frames' argument.
fn waited_lock(g: &Goroutine<'_>) -> Option<u64> {
    const LOCK_FRAMES: [&str; 6] = [
        "sync.(*Mutex).lockSlow",
        "internal/sync.(*Mutex).lockSlow",
        "sync.(*Mutex).Lock",
        "internal/sync.(*Mutex).Lock",
        "sync.(*RWMutex).Lock",
        "sync.(*RWMutex).RLock",
    ];
    g.frames
        .iter()
        .take(6)
        .filter(|f| LOCK_FRAMES.contains(&f.function))
        .find_map(|f| first_address(f))
}

fn first_address(f: &Frame<'_>) -> Option<u64> {
    let word = f.args.split(',').next()?.trim();
    parse_address(word)
}

/// `0xc0000b2000`; a word marked `?` may be stale and is not trusted.
fn parse_address(word: &str) -> Option<u64> {
    let hex = word.strip_prefix("0x")?;
    if hex.ends_with('?') || hex.is_empty() || hex.len() > 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok().filter(|&a| a >= 0x1000)
}

/// The address words the program's own frames print (the lock frames and
/// the runtime's are left out: they name the lock being waited for).
fn program_args(g: &Goroutine<'_>) -> Vec<u64> {
    g.frames
        .iter()
        .filter(|f| !f.is_stdlib())
        .flat_map(|f| {
            f.args
                .split(',')
                .filter_map(|w| parse_address(w.trim().trim_matches(['{', '}'])))
        })
        .collect()
}

/// Runs the rule over one text input (a dump or crash text that printed
/// the blocked goroutines).
pub(crate) fn lock_cycle_findings(input: &TextInput<'_, '_>, out: &mut Vec<Finding>) {
    let waiters: Vec<Waiter<'_, '_>> = input
        .artifact
        .goroutines
        .iter()
        .filter(|g| g.is_waiting())
        .filter_map(|g| {
            Some(Waiter {
                lock: waited_lock(g)?,
                args: program_args(g),
                g,
            })
        })
        .collect();
    if waiters.len() < 2 {
        return;
    }
    // holders[i]: the waiters that may hold the lock waiter i waits for,
    // lowest goroutine id first (the one started first, when several may).
    // Worked out once per lock, through the argument addresses sorted: a
    // dump can hold tens of thousands of goroutines waiting on one lock.
    let mut by_arg: Vec<(u64, usize)> = waiters
        .iter()
        .enumerate()
        .flat_map(|(j, w)| w.args.iter().map(move |&a| (a, j)))
        .collect();
    by_arg.sort_unstable();
    let mut per_lock: std::collections::HashMap<u64, std::rc::Rc<Vec<usize>>> = Default::default();
    let holders: Vec<std::rc::Rc<Vec<usize>>> = waiters
        .iter()
        .map(|w| {
            per_lock
                .entry(w.lock)
                .or_insert_with(|| {
                    // A pending deferred unlock proves who holds it (cores).
                    let mut proved: Vec<usize> = (0..waiters.len())
                        .filter(|&j| waiters[j].g.holds_locks.contains(&w.lock))
                        .collect();
                    if !proved.is_empty() {
                        proved.sort_by_key(|&j| waiters[j].g.id);
                        return std::rc::Rc::new(proved);
                    }
                    let from = by_arg
                        .partition_point(|&(a, _)| a < w.lock.saturating_sub(STRUCT_SPAN - 1));
                    let to = by_arg.partition_point(|&(a, _)| a <= w.lock);
                    let mut h: Vec<usize> = by_arg[from..to]
                        .iter()
                        .map(|&(_, j)| j)
                        .filter(|&j| waiters[j].lock != w.lock)
                        .collect();
                    h.sort_by_key(|&j| waiters[j].g.id);
                    h.dedup();
                    std::rc::Rc::new(h)
                })
                .clone()
        })
        .collect();
    let Some(cycle) = find_cycle(&holders, &waiters) else {
        return;
    };
    out.push(cycle_finding(input, &waiters, &holders, &cycle));
}

/// The first cycle, walking from each waiter (in goroutine id order) to
/// the first holder of what it waits for; every member waits for a
/// different lock.
fn find_cycle(
    holders: &[std::rc::Rc<Vec<usize>>],
    waiters: &[Waiter<'_, '_>],
) -> Option<Vec<usize>> {
    let mut order: Vec<usize> = (0..waiters.len()).collect();
    order.sort_by_key(|&i| waiters[i].g.id);
    for start in order {
        let mut path = vec![start];
        let mut at = start;
        while let Some(&next) = holders[at].first() {
            if next == start {
                let mut locks: Vec<u64> = path.iter().map(|&i| waiters[i].lock).collect();
                locks.sort_unstable();
                locks.dedup();
                if locks.len() == path.len() {
                    return Some(path);
                }
                break;
            }
            if path.contains(&next) {
                break;
            }
            path.push(next);
            at = next;
        }
    }
    None
}

fn cycle_finding(
    input: &TextInput<'_, '_>,
    waiters: &[Waiter<'_, '_>],
    holders: &[std::rc::Rc<Vec<usize>>],
    cycle: &[usize],
) -> Finding {
    let members: Vec<&Waiter<'_, '_>> = cycle.iter().map(|&i| &waiters[i]).collect();
    // Each member holds what the one before it waits for; proved when a
    // pending deferred unlock of that lock sits in its frames.
    let closed_by_evidence = (0..members.len()).all(|k| {
        let before = members[(k + members.len() - 1) % members.len()];
        members[k].g.holds_locks.contains(&before.lock)
    });
    let in_cycle_locks: Vec<u64> = members.iter().map(|w| w.lock).collect();
    let victims: Vec<&Waiter<'_, '_>> = waiters
        .iter()
        .enumerate()
        .filter(|(i, w)| !cycle.contains(i) && in_cycle_locks.contains(&w.lock))
        .map(|(_, w)| w)
        .collect();
    fn site<'a>(w: &Waiter<'_, 'a>) -> &'a str {
        user_frame(&w.g.frames).map(|f| f.function).unwrap_or("?")
    }
    let ids: Vec<String> = members.iter().map(|w| w.g.id.to_string()).collect();
    let mut f = Finding::new(
        FindingKind::Deadlock,
        format!(
            "deadlock: goroutines {} wait for each other's locks ({}){}",
            ids.join(" and "),
            members
                .iter()
                .map(|w| site(w))
                .collect::<Vec<_>>()
                .join(" ↔ "),
            match victims.len() {
                0 => String::new(),
                1 => "; 1 more goroutine is blocked behind them".into(),
                n => format!("; {n} more goroutines are blocked behind them"),
            }
        ),
        if closed_by_evidence {
            Confidence::High
        } else {
            Confidence::Medium
        },
    );
    // Where the first of the cycle takes its second lock.
    f.goroutine = Some(members[0].g.id);
    f.goroutines = members
        .iter()
        .chain(victims.iter().take(MAX_NAMED_VICTIMS))
        .map(|w| w.g.id)
        .collect();
    f.location = user_frame(&members[0].g.frames).map(Location::from);
    let mut lines = Vec::new();
    for (k, w) in members.iter().enumerate() {
        // Member k waits for what member k+1 holds; it holds what member
        // k-1 waits for.
        let holder = members[(k + 1) % members.len()];
        let held = members[(k + members.len() - 1) % members.len()].lock;
        lines.push(format!(
            "goroutine {} in {}{} holds the lock at {held:#x} and waits for the lock at {:#x}, held by goroutine {}",
            w.g.id,
            site(w),
            user_frame(&w.g.frames)
                .map(|fr| format!(" ({}:{})", fr.file, fr.line))
                .unwrap_or_default(),
            w.lock,
            holder.g.id,
        ));
    }
    for v in &victims {
        lines.push(format!(
            "goroutine {} in {} waits behind them for the lock at {:#x}",
            v.g.id,
            site(v),
            v.lock
        ));
    }
    // A lock of the cycle that another goroutine could also be holding.
    let others = cycle.iter().any(|&i| holders[i].len() > 1);
    f.confirm(Evidence {
        source: input.source(),
        summary: if closed_by_evidence {
            format!(
                "{} goroutines blocked on locks: each waits for a lock the next holds (each holder proved by a pending deferred unlock of that lock in its frames)",
                waiters.len()
            )
        } else {
            format!(
                "{} goroutines blocked on locks: each waits for a lock the next holds (holders inferred from the argument values of their frames{})",
                waiters.len(),
                if others { "; another goroutine could also be the holder" } else { "" }
            )
        },
        input: input.index,
        offset: Some(members[0].g.offset),
        lines,
        goroutines: Some(members.len() as u64),
    });
    f.next_steps = vec![
        "Make every path take these locks in one order (or take one lock for both), so no goroutine holds one while waiting for the other".into(),
        "Confirm the holders: a core (`godiag analyze` with the executable) or a second dump shows the same goroutines still waiting at the same lines".into(),
    ]
    .into_iter()
    .chain(next_steps(FindingKind::Deadlock).into_iter().take(2))
    .collect();
    f
}
