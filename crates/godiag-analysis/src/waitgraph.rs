//! Deadlocks the runtime cannot see, from a goroutine dump, crash text or
//! core: a wait-for graph of blocked goroutines, what each waits for (a
//! `sync.Mutex` or `RWMutex`, a channel, a `sync.WaitGroup` or `sync.Cond`)
//! and who could release it.
//!
//! What a goroutine waits for: a lock's address is the argument of the
//! lock's slow path (`(internal/)sync.(*Mutex).lockSlow(0xc0000b2010)`); a
//! wait group's or condition's that of `Wait`; a channel's that of the
//! runtime's send or receive frame, or the core's sudog. A dump hides the
//! runtime frames of a channel wait, so the channel is then one of the
//! addresses its own frames were passed.
//!
//! Who could release it is not recorded by Go; it is inferred from the
//! argument values the program's own frames print (not those marked `?`,
//! which may be stale):
//! - a lock's holder: a blocked goroutine whose frame was passed the lock's
//!   address, or that of a struct holding it (the lock lies up to a page
//!   past it), unless it waits for that very lock. A core proves a holder
//!   instead: a pending deferred unlock of the lock in its frames
//!   (`Goroutine::holds_locks`). When no printed value decides, a blocked
//!   method of the lock's owner type whose receiver was not saved (`0x0?`)
//!   is the candidate, at low confidence.
//! - a channel's, wait group's or condition's releasers: every goroutine
//!   whose frames were passed it. If any of them is not blocked itself, it
//!   may still release it, and there is no edge.
//!
//! A running goroutine holding a lock is contention, not a deadlock. A
//! cycle of blocked goroutines each waiting for what the next could release
//! is a deadlock; the goroutines waiting behind it are its victims.

use std::rc::Rc;

use godiag_model::{Frame, Goroutine};

use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::frames::{receiver_type, user_frame};
use crate::input::TextInput;
use crate::steps::next_steps;

/// How far past a struct's address a lock inside it may lie.
const STRUCT_SPAN: u64 = 4096;
/// Victims a finding names one by one (for their full frames in a core).
const MAX_NAMED_VICTIMS: usize = 4;

/// What a blocked goroutine waits for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Waited {
    Lock(u64),
    Chan(u64),
    /// A channel operation whose channel the text does not show.
    SomeChan,
    WaitGroup(u64),
    Cond(u64),
}

impl Waited {
    fn addr(self) -> Option<u64> {
        match self {
            Waited::Lock(a) | Waited::Chan(a) | Waited::WaitGroup(a) | Waited::Cond(a) => Some(a),
            Waited::SomeChan => None,
        }
    }

    fn describe(self) -> String {
        match self {
            Waited::Lock(a) => format!("the lock at {a:#x}"),
            Waited::Chan(a) => format!("the channel at {a:#x}"),
            Waited::SomeChan => "a channel".into(),
            Waited::WaitGroup(a) => format!("the wait group at {a:#x}"),
            Waited::Cond(a) => format!("the condition at {a:#x}"),
        }
    }
}

/// How an edge of the graph is known.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Proof {
    /// A pending deferred unlock in the holder's frames (cores).
    Proved,
    /// Argument values printed in frames.
    Values,
    /// A method of the lock's owner type whose receiver was not saved.
    ReceiverType,
}

/// A blocked goroutine and what it waits for.
struct Waiter<'r, 'a> {
    g: &'r Goroutine<'a>,
    /// Its index among the input's goroutines.
    index: usize,
    waited: Waited,
    /// Addresses the program's frames were passed.
    args: Vec<u64>,
}

const LOCK_FRAMES: [&str; 6] = [
    "sync.(*Mutex).lockSlow",
    "internal/sync.(*Mutex).lockSlow",
    "sync.(*Mutex).Lock",
    "internal/sync.(*Mutex).Lock",
    "sync.(*RWMutex).Lock",
    "sync.(*RWMutex).RLock",
];
const CHAN_FRAMES: [&str; 5] = [
    "runtime.chansend1",
    "runtime.chansend",
    "runtime.chanrecv1",
    "runtime.chanrecv2",
    "runtime.chanrecv",
];

/// What a goroutine waits for, from its status and top frames.
fn waited(g: &Goroutine<'_>) -> Option<Waited> {
    // Only these wait states block on what the graph follows (`semacquire`:
    // locks and wait groups of older releases).
    if !matches!(
        g.status,
        "sync.Mutex.Lock"
            | "sync.RWMutex.Lock"
            | "sync.RWMutex.RLock"
            | "semacquire"
            | "chan send"
            | "chan receive"
            | "sync.WaitGroup.Wait"
            | "sync.Cond.Wait"
    ) {
        return None;
    }
    let top = || g.frames.iter().take(8);
    let arg_of = |names: &[&str]| {
        top()
            .filter(|f| names.contains(&f.function))
            .find_map(|f| first_address(f))
    };
    if let Some(a) = arg_of(&LOCK_FRAMES) {
        return Some(Waited::Lock(a));
    }
    match g.status {
        "chan send" | "chan receive" => Some(
            g.waits_on
                .iter()
                .find(|w| w.what.starts_with("chan"))
                .map(|w| w.addr)
                .or_else(|| arg_of(&CHAN_FRAMES))
                .map_or(Waited::SomeChan, Waited::Chan),
        ),
        _ => {
            if let Some(a) = arg_of(&["sync.(*WaitGroup).Wait"]) {
                return Some(Waited::WaitGroup(a));
            }
            arg_of(&["sync.(*Cond).Wait"]).map(Waited::Cond)
        }
    }
}

/// The frame's first argument word (a method's receiver) as an address.
pub(crate) fn first_address(f: &Frame<'_>) -> Option<u64> {
    f.arg_words().next().and_then(address)
}

/// A saved argument word that can be an address (`0xc0000b2000`); a word
/// marked `?` may be stale and is not trusted.
fn address(w: godiag_model::ArgWord) -> Option<u64> {
    w.trusted().filter(|&a| a >= 0x1000)
}

/// The address words the program's own frames print (the lock frames and
/// the runtime's are left out: they name what is being waited for).
fn program_args(g: &Goroutine<'_>) -> Vec<u64> {
    let mut v: Vec<u64> = g
        .frames
        .iter()
        // Most frames print no arguments: skip them before the package test.
        .filter(|f| !f.args.is_empty() && f.args != "..." && !f.is_stdlib())
        .flat_map(|f| f.arg_words().filter_map(address))
        .collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The frame's first argument word (a method's receiver) is marked `?`:
/// its spill slot was not live, so its value was not saved.
fn receiver_unsaved(f: &Frame<'_>) -> bool {
    f.arg_words().next().is_some_and(|w| !w.saved)
}

/// The arguments sorted with who was passed them, to find who references
/// an address (or a struct up to a page below it) in a dump of tens of
/// thousands of goroutines.
struct References {
    /// (address, goroutine index in the input).
    by_addr: Vec<(u64, usize)>,
}

impl References {
    fn new(pairs: impl Iterator<Item = (u64, usize)>) -> Self {
        let mut by_addr: Vec<(u64, usize)> = pairs.collect();
        by_addr.sort_unstable();
        References { by_addr }
    }

    /// Goroutines (indexes) passed `addr`, or with `span`, a struct holding it.
    fn of(&self, addr: u64, span: u64) -> impl Iterator<Item = usize> + '_ {
        let from = self
            .by_addr
            .partition_point(|&(a, _)| a < addr.saturating_sub(span.saturating_sub(1)));
        let to = self.by_addr.partition_point(|&(a, _)| a <= addr);
        self.by_addr[from..to].iter().map(|&(_, j)| j)
    }
}

/// Who can release what a waiter waits for: waiter indexes, and how each is known.
type Releasers = Rc<Vec<(usize, Proof)>>;

pub(crate) fn lock_cycle_findings(input: &TextInput<'_, '_>, out: &mut Vec<Finding>) {
    let all = &input.artifact.goroutines;
    // A cycle holds a lock: without a goroutine blocked on one, none.
    if !all
        .iter()
        .any(|g| g.is_waiting() && matches!(waited(g), Some(Waited::Lock(_))))
    {
        return;
    }
    // waiter_of[j]: the waiter index of goroutine j, if it is blocked on
    // something the graph knows.
    let mut waiter_of: Vec<Option<usize>> = vec![None; all.len()];
    let mut waiters: Vec<Waiter<'_, '_>> = Vec::new();
    for (j, g) in all.iter().enumerate() {
        if !g.is_waiting() {
            continue;
        }
        if let Some(w) = waited(g) {
            waiter_of[j] = Some(waiters.len());
            waiters.push(Waiter {
                g,
                index: j,
                waited: w,
                args: program_args(g),
            });
        }
    }
    let waiter_refs = References::new(
        waiters
            .iter()
            .flat_map(|w| w.args.iter().map(move |&a| (a, w.index))),
    );
    let mut graph = Graph {
        all,
        waiters: &waiters,
        waiter_of: &waiter_of,
        waiter_refs: &waiter_refs,
        all_refs: std::cell::OnceCell::new(),
        edges: vec![None; waiters.len()],
        per_object: Default::default(),
    };
    let Some(cycle) = find_cycle(&mut graph) else {
        return;
    };
    out.push(cycle_finding(input, &mut graph, &cycle));
}

/// The wait-for graph, its edges worked out on demand (from the lock
/// waiters a cycle must pass through), once per object: a dump can hold
/// tens of thousands of goroutines waiting on one.
struct Graph<'g, 'r, 'a> {
    all: &'g [Goroutine<'a>],
    waiters: &'g [Waiter<'r, 'a>],
    waiter_of: &'g [Option<usize>],
    /// What the waiters were passed (lock holders are among them).
    waiter_refs: &'g References,
    /// What every goroutine was passed: built only when a channel, wait
    /// group or condition is followed (a goroutine still running that was
    /// passed it may release it).
    all_refs: std::cell::OnceCell<References>,
    edges: Vec<Option<Releasers>>,
    per_object: std::collections::HashMap<Waited, Releasers>,
}

impl Graph<'_, '_, '_> {
    fn all_refs(&self) -> &References {
        self.all_refs.get_or_init(|| {
            References::new(
                self.all
                    .iter()
                    .enumerate()
                    .flat_map(|(j, g)| program_args(g).into_iter().map(move |a| (a, j))),
            )
        })
    }

    /// Who could release what waiter `i` waits for.
    fn edges(&mut self, i: usize) -> Releasers {
        if let Some(e) = &self.edges[i] {
            return e.clone();
        }
        let (waiters, waiter_of) = (self.waiters, self.waiter_of);
        let w = &waiters[i];
        // A channel no frame was passed (reached through a struct, as
        // `c.updates`) is read like one whose address was not shown: the
        // goroutines passed what the waiter was passed may do the other half.
        let unreferenced_chan = match w.waited {
            Waited::Chan(addr) => self.all_refs().of(addr, 1).next().is_none(),
            _ => false,
        };
        let e = if w.waited == Waited::SomeChan || unreferenced_chan {
            // Each such waiter has its own candidate channels.
            Rc::new(releasers_of_some_chan(
                i,
                waiters,
                waiter_of,
                self.all_refs(),
            ))
        } else if let Some(e) = self.per_object.get(&w.waited) {
            e.clone()
        } else {
            let e = Rc::new(match w.waited {
                Waited::Lock(lock) => lock_holders(i, lock, waiters, waiter_of, self.waiter_refs),
                other => releasers(other, waiters, waiter_of, self.all_refs()),
            });
            self.per_object.insert(w.waited, e.clone());
            e
        };
        self.edges[i] = Some(e.clone());
        e
    }
}

fn lock_holders(
    i: usize,
    lock: u64,
    waiters: &[Waiter<'_, '_>],
    waiter_of: &[Option<usize>],
    refs: &References,
) -> Vec<(usize, Proof)> {
    let not_same = |j: &usize| waiters[*j].waited != Waited::Lock(lock);
    // A pending deferred unlock proves who holds it (cores).
    let mut proved: Vec<usize> = (0..waiters.len())
        .filter(|&j| waiters[j].g.holds_locks.contains(&lock))
        .collect();
    if !proved.is_empty() {
        proved.sort_by_key(|&j| waiters[j].g.id);
        return proved.into_iter().map(|j| (j, Proof::Proved)).collect();
    }
    let mut h: Vec<usize> = refs
        .of(lock, STRUCT_SPAN)
        .filter_map(|j| waiter_of[j])
        .filter(not_same)
        .collect();
    h.sort_by_key(|&j| waiters[j].g.id);
    h.dedup();
    if !h.is_empty() {
        return h.into_iter().map(|j| (j, Proof::Values)).collect();
    }
    // No printed value decides: a blocked method of the type that owns the
    // lock (the waiter's frame passed the lock's struct as receiver, or,
    // its own receiver unsaved, as another argument: `s.transferTo(o)`
    // taking `o.mu`) whose own receiver word was not saved.
    let holds_lock = |a: u64| a <= lock && lock - a < STRUCT_SPAN;
    let owner = waiters[i]
        .g
        .frames
        .iter()
        .filter(|f| !f.is_stdlib())
        .find_map(|f| {
            let t = receiver_type(f.function)?;
            if let Some(recv) = first_address(f) {
                return holds_lock(recv).then_some(t);
            }
            (receiver_unsaved(f) && f.arg_words().skip(1).filter_map(address).any(holds_lock))
                .then_some(t)
        });
    let Some(owner) = owner else {
        return Vec::new();
    };
    let mut h: Vec<usize> = (0..waiters.len())
        .filter(|&j| j != i && not_same(&j))
        .filter(|&j| {
            waiters[j]
                .g
                .frames
                .iter()
                .any(|f| receiver_type(f.function) == Some(owner) && receiver_unsaved(f))
        })
        .collect();
    h.sort_by_key(|&j| waiters[j].g.id);
    h.into_iter().map(|j| (j, Proof::ReceiverType)).collect()
}

/// Who could release a channel, wait group or condition: every goroutine
/// passed it, all of them blocked (else none: a live one may release it).
fn releasers(
    object: Waited,
    waiters: &[Waiter<'_, '_>],
    waiter_of: &[Option<usize>],
    refs: &References,
) -> Vec<(usize, Proof)> {
    let Some(addr) = object.addr() else {
        return Vec::new();
    };
    // A channel is an allocation of its own; a wait group or condition
    // may sit inside a struct that was passed.
    let span = if matches!(object, Waited::Chan(_)) {
        1
    } else {
        STRUCT_SPAN
    };
    collect_releasers(refs.of(addr, span), object, waiters, waiter_of)
}

/// A channel operation whose channel is one of the waiter's own argument
/// words: the goroutines passed any of them.
fn releasers_of_some_chan(
    i: usize,
    waiters: &[Waiter<'_, '_>],
    waiter_of: &[Option<usize>],
    refs: &References,
) -> Vec<(usize, Proof)> {
    if waiters[i].args.is_empty() {
        return some_chan_by_receiver_type(i, waiters);
    }
    let mut seen: Vec<usize> = waiters[i]
        .args
        .iter()
        .flat_map(|&a| refs.of(a, 1))
        .collect();
    seen.sort_unstable();
    seen.dedup();
    let mut out = Vec::new();
    for j in seen {
        match waiter_of[j] {
            Some(k) if k == i => {}
            // A goroutine not blocked may still do the other half.
            None => return Vec::new(),
            Some(k) if waiters[k].waited == Waited::SomeChan => {}
            Some(k) => out.push((k, Proof::Values)),
        }
    }
    out.sort_by_key(|&(k, _)| waiters[k].g.id);
    out
}

/// No argument word of the waiter was saved: the other blocked methods of
/// the type whose method waits (its receiver not saved either) are the
/// candidates, at low confidence.
fn some_chan_by_receiver_type(i: usize, waiters: &[Waiter<'_, '_>]) -> Vec<(usize, Proof)> {
    let Some(owner) = waiters[i]
        .g
        .frames
        .iter()
        .filter(|f| !f.is_stdlib())
        .filter(|f| receiver_unsaved(f))
        .find_map(|f| receiver_type(f.function))
    else {
        return Vec::new();
    };
    let mut out: Vec<usize> = (0..waiters.len())
        .filter(|&j| j != i && waiters[j].waited != Waited::SomeChan)
        .filter(|&j| {
            waiters[j]
                .g
                .frames
                .iter()
                .any(|f| !f.is_stdlib() && receiver_type(f.function) == Some(owner))
        })
        .collect();
    out.sort_by_key(|&j| waiters[j].g.id);
    out.into_iter().map(|j| (j, Proof::ReceiverType)).collect()
}

fn collect_releasers(
    referencing: impl Iterator<Item = usize>,
    object: Waited,
    waiters: &[Waiter<'_, '_>],
    waiter_of: &[Option<usize>],
) -> Vec<(usize, Proof)> {
    let mut out = Vec::new();
    for j in referencing {
        match waiter_of[j] {
            Some(k) if waiters[k].waited == object => {}
            Some(k) => out.push((k, Proof::Values)),
            // Running, or blocked on something the graph does not know
            // (a sleep, I/O): it may still release it.
            None => return Vec::new(),
        }
    }
    out.sort_by_key(|&(k, _)| waiters[k].g.id);
    out.dedup();
    out
}

/// The first cycle, walking from each lock waiter (in goroutine id order)
/// to the first releaser of what it waits for; every member waits for a
/// different object. A cycle holds a lock, so starting from the lock
/// waiters finds every one.
fn find_cycle(graph: &mut Graph<'_, '_, '_>) -> Option<Vec<usize>> {
    let waiters = graph.waiters;
    let mut order: Vec<usize> = (0..waiters.len())
        .filter(|&i| matches!(waiters[i].waited, Waited::Lock(_)))
        .collect();
    order.sort_by_key(|&i| waiters[i].g.id);
    // Waiters already walked from without closing a cycle through them.
    let mut done = vec![false; waiters.len()];
    for start in order {
        if done[start] {
            continue;
        }
        let mut path = vec![start];
        let mut at = start;
        while let Some(&(next, _)) = graph.edges(at).first() {
            if next == start {
                let mut objects: Vec<Waited> = path.iter().map(|&i| waiters[i].waited).collect();
                objects.sort_unstable();
                objects.dedup();
                if objects.len() == path.len() {
                    return Some(path);
                }
                break;
            }
            if path.contains(&next) || path.len() > 64 {
                break;
            }
            path.push(next);
            at = next;
        }
        done[start] = true;
    }
    None
}

fn cycle_finding(
    input: &TextInput<'_, '_>,
    graph: &mut Graph<'_, '_, '_>,
    cycle: &[usize],
) -> Finding {
    let waiters = graph.waiters;
    let n = cycle.len();
    let members: Vec<&Waiter<'_, '_>> = cycle.iter().map(|&i| &waiters[i]).collect();
    // How each link is known (member k is released by member k+1); the
    // weakest decides the confidence.
    let mut proofs: Vec<Proof> = (0..n)
        .map(|k| {
            graph
                .edges(cycle[k])
                .first()
                .map_or(Proof::ReceiverType, |&(_, p)| p)
        })
        .collect();
    proofs.sort_unstable();
    proofs.dedup();
    let proof = proofs.last().copied().unwrap_or(Proof::ReceiverType);
    let all_locks = members.iter().all(|w| matches!(w.waited, Waited::Lock(_)));
    let in_cycle: Vec<Waited> = members.iter().map(|w| w.waited).collect();
    let victims: Vec<&Waiter<'_, '_>> = waiters
        .iter()
        .enumerate()
        .filter(|(i, w)| !cycle.contains(i) && in_cycle.contains(&w.waited))
        .map(|(_, w)| w)
        .collect();
    fn site<'a>(w: &Waiter<'_, 'a>) -> &'a str {
        user_frame(&w.g.frames).map(|f| f.function).unwrap_or("?")
    }
    // Where the cycle closes: a member that blocks on a channel, wait group
    // or condition while holding a lock another member waits for (the
    // classic bug); else the first member, at the frame taking its second lock.
    let lead = (0..n)
        .find(|&k| {
            let before = members[(k + n - 1) % n];
            !matches!(members[k].waited, Waited::Lock(_))
                && matches!(before.waited, Waited::Lock(_))
        })
        .unwrap_or(0);
    let ids: Vec<String> = members.iter().map(|w| w.g.id.to_string()).collect();
    // The goroutines blocked behind the cycle, said after it: `; 2 more
    // goroutines are blocked behind them`.
    let behind = match (victims.len(), n) {
        (0, _) => String::new(),
        (1, 1) => "; 1 more goroutine is blocked behind it".into(),
        (1, _) => "; 1 more goroutine is blocked behind them".into(),
        (v, 1) => format!("; {v} more goroutines are blocked behind it"),
        (v, _) => format!("; {v} more goroutines are blocked behind them"),
    };
    // One member: it waits for a lock it holds (Go's locks are not
    // reentrant), the shortest cycle there is.
    let title = if n == 1 {
        format!(
            "deadlock: goroutine {} waits for {} it already holds ({}){behind}",
            ids[0],
            members[0].waited.describe(),
            site(members[0])
        )
    } else {
        format!(
            "deadlock: goroutines {} wait for each other{} ({}){behind}",
            ids.join(" and "),
            if all_locks { "'s locks" } else { "" },
            members
                .iter()
                .map(|w| site(w))
                .collect::<Vec<_>>()
                .join(" ↔ "),
        )
    };
    let mut f = Finding::new(
        FindingKind::Deadlock,
        title,
        match (proof, all_locks) {
            (Proof::Proved, true) => Confidence::High,
            (Proof::ReceiverType, _) => Confidence::Low,
            _ => Confidence::Medium,
        },
    );
    f.goroutine = Some(members[lead].g.id);
    f.goroutines = members
        .iter()
        .map(|w| w.g.id)
        .chain(victims.iter().take(MAX_NAMED_VICTIMS).map(|w| w.g.id))
        .collect();
    f.location = user_frame(&members[lead].g.frames).map(Location::from);
    let mut lines = Vec::new();
    for (k, w) in members.iter().enumerate() {
        // Member k waits for what member k+1 can release; it holds what
        // member k-1 waits for, when that is a lock.
        let next = members[(k + 1) % n];
        let before = members[(k + n - 1) % n];
        let holds = match before.waited {
            Waited::Lock(a) => format!("holds the lock at {a:#x} and "),
            _ => String::new(),
        };
        let by = match w.waited {
            Waited::Lock(_) => format!("held by goroutine {}", next.g.id),
            _ => format!(
                "which only goroutine {}, itself blocked, was passed",
                next.g.id
            ),
        };
        lines.push(format!(
            "goroutine {} [{}] in {}{} {holds}waits for {}, {by}",
            w.g.id,
            w.g.status,
            site(w),
            user_frame(&w.g.frames)
                .map(|fr| format!(" ({}:{})", fr.file, fr.line))
                .unwrap_or_default(),
            w.waited.describe(),
        ));
    }
    for v in &victims {
        lines.push(format!(
            "goroutine {} in {} waits behind them for {}",
            v.g.id,
            site(v),
            v.waited.describe()
        ));
    }
    // An object of the cycle that another goroutine could also release.
    let others = cycle.iter().any(|&i| graph.edges(i).len() > 1);
    f.confirm(Evidence {
        source: input.source(),
        // The cycle's members, not every goroutine the graph holds (a
        // process with thousands parked on channels elsewhere read as
        // "5003 goroutines blocked on locks").
        summary: format!(
            "{} blocked on {}: {} ({}{}){}",
            if n == 1 { "1 goroutine".to_string() } else { format!("{n} goroutines") },
            if all_locks { "locks" } else { "locks, channels or wait groups" },
            match (n, all_locks) {
                (1, _) => "it waits for what it holds itself",
                (_, true) => "each waits for a lock the next holds",
                _ => "each waits for what the next could release",
            },
            proofs
                .iter()
                .map(|p| match p {
                    Proof::Proved => "each lock's holder proved by a pending deferred unlock of that lock in its frames",
                    Proof::Values if all_locks => "holders inferred from the argument values of their frames",
                    Proof::Values => "holders and releasers inferred from the argument values of their frames",
                    Proof::ReceiverType => "inferred from blocked methods of the owner type whose receiver was not saved",
                })
                .collect::<Vec<_>>()
                .join("; "),
            if others { "; another goroutine could also be the holder" } else { "" },
            match victims.len() {
                0 => String::new(),
                1 => "; 1 more waits behind them".into(),
                v => format!("; {v} more wait behind them"),
            }
        ),
        input: input.index,
        offset: Some(members[lead].g.offset),
        lines,
        goroutines: Some(n as u64),
    });
    f.next_steps = if all_locks {
        vec![
            "Make every path take these locks in one order (or take one lock for both), so no goroutine holds one while waiting for the other".into(),
            "Confirm the holders: a core (`godiag analyze` with the executable) or a second dump shows the same goroutines still waiting at the same lines".into(),
        ]
    } else {
        vec![
            "Do not block on a channel, wait group or condition while holding a lock that the other side needs: release the lock before the send or wait (copy what the send needs first), or give the channel a buffer the other side drains without the lock".into(),
            "Confirm the holder: a core (`godiag analyze` with the executable) proves who holds the lock by the pending deferred unlock in its frames".into(),
        ]
    }
    .into_iter()
    .chain(next_steps(FindingKind::Deadlock).into_iter().take(2))
    .collect();
    f
}
