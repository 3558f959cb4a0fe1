//! Putting the events of all threads in one order the scheduler could have produced.
//!
//! Every thread writes its own batches; their timestamps are not comparable enough to
//! order them. The runtime therefore numbers what happens to each goroutine and proc
//! within a generation, and an event is only *ready* when the state it needs holds:
//! a goroutine starts only once it is runnable and its sequence number is the next
//! one, a proc is stolen only while it sits in a syscall, a GC ends only after it began.
//! [`Ordering::advance`] checks one candidate event against that state; the reader
//! offers it the earliest event of each thread until one is ready.
//!
//! Outcomes: `Ok(true)` the event happened (its events are queued), `Ok(false)` not yet,
//! `Err` the trace contradicts itself. The rules are the runtime's documented protocol
//! (`runtime/trace.go`, reference notes §1.7), with Go's validity verdicts.

use crate::event::{Event, GoState, ProcState, NO_GOROUTINE, NO_PROC, NO_THREAD};
use crate::slots::SlotMap;
use crate::spec::{self, ev};
use crate::tables::StrId;
use godiag_model::group::FxMap;

// Wire statuses.
const G_RUNNABLE: u64 = 1;
const G_RUNNING: u64 = 2;
const G_SYSCALL: u64 = 3;
const G_WAITING: u64 = 4;
const P_RUNNING: u64 = 1;
const P_IDLE: u64 = 2;
const P_SYSCALL: u64 = 3;
const P_ABANDONED: u64 = 4;

/// `(generation, number)`: numbers restart with every generation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Seq(u64, u64);

impl Seq {
    fn follows(self, prev: Seq) -> bool {
        self.0 == prev.0 && self.1 == prev.1.wrapping_add(1)
    }
}

/// A range in flight on a goroutine or proc: its begin event and, for STW, its kind.
type RangeKey = (u8, StrId);

struct GState {
    status: u64,
    seq: Seq,
    regions: Vec<(u64, StrId)>,
    ranges: Vec<RangeKey>,
}

impl GState {
    /// A goroutine first seen in generation `gen` (sequence numbers start at 0).
    fn new(status: u64, gen: u64) -> GState {
        GState {
            status,
            seq: Seq(gen, 0),
            regions: Vec::new(),
            ranges: Vec::new(),
        }
    }
}

struct PState {
    status: u64,
    seq: Seq,
    ranges: Vec<RangeKey>,
}

#[derive(Clone, Copy)]
struct MState {
    g: i64,
    p: i64,
    /// The thread has had an event ordered, or a goroutine's status named it.
    known: bool,
}

const FRESH_M: MState = MState {
    g: NO_GOROUTINE,
    p: NO_PROC,
    known: false,
};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Gc {
    NotRunning,
    Running,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Need {
    No,
    May,
    Must,
}

/// The scheduling context an event happens in: thread, proc, goroutine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Ctx {
    pub m: i64,
    pub p: i64,
    pub g: i64,
}

fn require(ctx: Ctx, m: Need, p: Need, g: Need) -> Result<(), String> {
    let check = |have: bool, need: Need, what: &str| match (need, have) {
        (Need::Must, false) => Err(format!("expected a {what} but didn't have one")),
        (Need::No, true) => Err(format!("expected no {what} but had one")),
        _ => Ok(()),
    };
    check(ctx.m != NO_THREAD, m, "thread")?;
    check(ctx.p != NO_PROC, p, "proc")?;
    check(ctx.g != NO_GOROUTINE, g, "goroutine")
}

fn user_ctx(ctx: Ctx) -> Result<(), String> {
    require(ctx, Need::Must, Need::Must, Need::Must)
}

fn go_status_name(s: u64) -> &'static str {
    match s {
        G_RUNNABLE => "Runnable",
        G_RUNNING => "Running",
        G_SYSCALL => "Syscall",
        G_WAITING => "Waiting",
        _ => "Bad",
    }
}

fn proc_status_name(s: u64) -> &'static str {
    match s {
        P_RUNNING => "Running",
        P_IDLE => "Idle",
        P_SYSCALL => "Syscall",
        P_ABANDONED => "SyscallAbandoned",
        _ => "Bad",
    }
}

fn name(typ: u8) -> &'static str {
    spec::spec(typ).map_or("?", |s| s.name)
}

/// The begin event a range event belongs to.
fn range_start(typ: u8) -> u8 {
    spec::spec(typ).and_then(|s| s.start).unwrap_or(typ)
}

fn begin_range(ranges: &mut Vec<RangeKey>, key: RangeKey) -> Result<(), String> {
    if ranges.contains(&key) {
        return Err(format!(
            "discovered event already in-flight for when starting event {}",
            name(key.0)
        ));
    }
    ranges.push(key);
    Ok(())
}

fn active_range(ranges: &mut Vec<RangeKey>, key: RangeKey, initial: bool) -> Result<(), String> {
    if initial {
        if ranges.contains(&key) {
            return Err(format!(
                "found named active range already in first gen: {}",
                name(key.0)
            ));
        }
        ranges.push(key);
    } else if !ranges.contains(&key) {
        return Err(format!("resource is missing active range: {}", name(key.0)));
    }
    Ok(())
}

fn end_range(ranges: &mut Vec<RangeKey>, typ: u8) -> Result<StrId, String> {
    let start = range_start(typ);
    match ranges.iter().position(|r| r.0 == start) {
        Some(i) => Ok(ranges.swap_remove(i).1),
        None => Err(format!(
            "tried to end event {}, but not in-flight",
            name(start)
        )),
    }
}

/// Events that happened, first in first out. Usually one at a time, so a vector that
/// is emptied when read to the end.
#[derive(Default)]
pub struct Queue {
    events: Vec<Event>,
    head: usize,
}

impl Queue {
    #[inline]
    pub fn push_back(&mut self, e: Event) {
        self.events.push(e);
    }

    #[inline]
    pub fn pop_front(&mut self) -> Option<Event> {
        let e = *self.events.get(self.head)?;
        self.head += 1;
        if self.head == self.events.len() {
            self.events.clear();
            self.head = 0;
        }
        Some(e)
    }

    pub fn is_empty(&self) -> bool {
        self.head == self.events.len()
    }
}

#[derive(Default)]
pub struct Ordering {
    gs: SlotMap<GState>,
    ps: FxMap<i64, PState>,
    /// Threads by slot (a reader's cursor keeps its thread's slot), and slots by id.
    ms: Vec<(i64, MState)>,
    m_slots: FxMap<i64, usize>,
    tasks: FxMap<u64, (StrId, u64)>,
    gc_seq: u64,
    gc: Option<Gc>,
    initial_gen: u64,
    /// Events that happened, in order, waiting to be handed out.
    pub queue: Queue,
}

/// The parent of a task without one.
pub const NO_TASK: u64 = u64::MAX;
const BACKGROUND_TASK: u64 = 0;

impl Ordering {
    pub fn new() -> Ordering {
        Ordering::default()
    }

    /// Goroutines the ordering knows, with their wire status (for end-of-trace checks).
    pub fn goroutine_statuses(&self) -> impl Iterator<Item = (i64, GoState)> + '_ {
        self.gs
            .iter()
            .map(|(g, s)| (g, GoState::from_wire(s.status)))
    }

    /// The slot of thread `m`, to pass to [`Ordering::advance`] for its events.
    pub fn m_slot(&mut self, m: i64) -> usize {
        if let Some(&i) = self.m_slots.get(&m) {
            return i;
        }
        self.ms.push((m, FRESH_M));
        self.m_slots.insert(m, self.ms.len() - 1);
        self.ms.len() - 1
    }

    /// A thread that has been seen, by id.
    fn known_m(&mut self, m: i64) -> Option<&mut MState> {
        let &i = self.m_slots.get(&m)?;
        Some(&mut self.ms[i].1).filter(|ms| ms.known)
    }

    /// Tries to let `e` (read from thread `e.m`, whose slot is `slot`; args already
    /// resolved) happen.
    pub fn advance(&mut self, e: &Event, gen: u64, slot: Option<usize>) -> Result<bool, String> {
        if self.initial_gen == 0 {
            self.initial_gen = gen;
        }
        let slot = slot.filter(|_| e.m != NO_THREAD);
        let cur = match slot {
            None => Ctx {
                m: e.m,
                p: NO_PROC,
                g: NO_GOROUTINE,
            },
            Some(i) => {
                let ms = &mut self.ms[i].1;
                ms.known = true;
                Ctx {
                    m: e.m,
                    p: ms.p,
                    g: ms.g,
                }
            }
        };
        let Some(new) = self.dispatch(e, gen, cur)? else {
            return Ok(false);
        };
        if let Some(i) = slot {
            let ms = &mut self.ms[i].1;
            ms.p = new.p;
            ms.g = new.g;
        }
        Ok(true)
    }

    /// The goroutine on this thread, which an event of type `typ` needs in state `want`.
    fn current_g(&mut self, typ: u8, g: i64, want: u64) -> Result<&mut GState, String> {
        let s = self
            .gs
            .get_mut(&g)
            .ok_or_else(|| format!("event {} for goroutine ({g}) that doesn't exist", name(typ)))?;
        if s.status != want {
            return Err(format!(
                "{} event for goroutine that's not {}",
                name(typ),
                go_status_name(want)
            ));
        }
        Ok(s)
    }

    /// The proc of this thread, which a syscall event of type `typ` needs to know.
    fn syscall_proc(&mut self, typ: u8, p: i64) -> Result<&mut PState, String> {
        self.ps
            .get_mut(&p)
            .ok_or_else(|| format!("uninitialized proc {p} found during {}", name(typ)))
    }

    fn emit(&mut self, e: &Event, ctx: Ctx) {
        let mut out = *e;
        out.m = ctx.m;
        out.p = ctx.p;
        out.g = ctx.g;
        self.queue.push_back(out);
    }

    fn emit_with(&mut self, e: &Event, ctx: Ctx, f: impl FnOnce(&mut Event)) {
        let mut out = *e;
        out.m = ctx.m;
        out.p = ctx.p;
        out.g = ctx.g;
        f(&mut out);
        self.queue.push_back(out);
    }

    /// `Ok(Some(new context))` when the event happened, `Ok(None)` when not yet.
    fn dispatch(&mut self, e: &Event, gen: u64, cur: Ctx) -> Result<Option<Ctx>, String> {
        use ev::*;
        let a = e.args;
        let initial = gen == self.initial_gen;
        match e.typ {
            PROC_STATUS => {
                let pid = a[0] as i64;
                let status = a[1];
                if !(1..=4).contains(&status) {
                    return Err(format!("invalid status for proc {pid}: {status}"));
                }
                let mut old = ProcState::from_wire(status);
                let mut status_out = status;
                let mut ctx = cur;
                match self.ps.get_mut(&pid) {
                    Some(s) => {
                        if status == P_ABANDONED && s.status == P_SYSCALL {
                            old = ProcState::Running;
                            status_out = P_SYSCALL;
                        } else if status == P_ABANDONED && s.status == P_ABANDONED {
                            old = ProcState::Idle;
                        } else if s.status != status {
                            return Err(format!(
                                "inconsistent status for proc {pid}: old {} vs. new {}",
                                proc_status_name(s.status),
                                proc_status_name(status)
                            ));
                        }
                        s.seq = Seq(gen, 0);
                    }
                    None => {
                        self.ps.insert(
                            pid,
                            PState {
                                status,
                                seq: Seq(gen, 0),
                                ranges: Vec::new(),
                            },
                        );
                        old = if initial {
                            ProcState::Undetermined
                        } else {
                            ProcState::NotExist
                        };
                    }
                }
                let mut new = cur;
                if status == P_RUNNING || status == P_SYSCALL {
                    new.p = pid;
                }
                if status == P_ABANDONED && old == ProcState::Running {
                    // The P is about to be stolen from the thread that holds it:
                    // report the transition in that thread's context.
                    let holder = self.ms.iter().find(|(_, ms)| ms.known && ms.p == pid);
                    match holder {
                        Some(&(mid, ms)) => {
                            ctx = Ctx {
                                m: mid,
                                p: pid,
                                g: ms.g,
                            }
                        }
                        None => {
                            return Err(format!(
                            "failed to find sched context for proc {pid} that's about to be stolen"
                        ))
                        }
                    }
                }
                let old_code = old as u64;
                self.emit_with(e, ctx, |o| {
                    o.args[1] = status_out;
                    o.extra[0] = old_code;
                });
                Ok(Some(new))
            }
            PROC_START => {
                let pid = a[0] as i64;
                let seq = Seq(gen, a[1]);
                let ready = matches!(self.ps.get(&pid), Some(s) if s.status == P_IDLE && seq.follows(s.seq));
                if !ready || cur.p != NO_PROC {
                    return Ok(None);
                }
                require(cur, Need::Must, Need::No, Need::May)?;
                if let Some(s) = self.ps.get_mut(&pid) {
                    s.status = P_RUNNING;
                    s.seq = seq;
                }
                self.emit(e, cur);
                Ok(Some(Ctx { p: pid, ..cur }))
            }
            PROC_STOP => {
                let Some(s) = self.ps.get_mut(&cur.p) else {
                    return Err(format!(
                        "event ProcStop for proc ({}) that doesn't exist",
                        cur.p
                    ));
                };
                if s.status != P_RUNNING && s.status != P_SYSCALL {
                    return Err("ProcStop event for proc that's not Running or Syscall".into());
                }
                require(cur, Need::Must, Need::Must, Need::May)?;
                s.status = P_IDLE;
                self.emit(e, cur);
                Ok(Some(Ctx { p: NO_PROC, ..cur }))
            }
            PROC_STEAL => {
                let pid = a[0] as i64;
                let seq = Seq(gen, a[1]);
                let old = match self.ps.get(&pid) {
                    Some(s)
                        if (s.status == P_SYSCALL || s.status == P_ABANDONED)
                            && seq.follows(s.seq) =>
                    {
                        s.status
                    }
                    _ => return Ok(None),
                };
                require(cur, Need::Must, Need::May, Need::May)?;
                if let Some(s) = self.ps.get_mut(&pid) {
                    s.status = P_IDLE;
                    s.seq = seq;
                }
                if old == P_ABANDONED {
                    self.emit_with(e, cur, |o| o.extra[0] = old);
                    return Ok(Some(cur));
                }
                let victim = a[2] as i64;
                let mut new = cur;
                if victim == cur.m {
                    if cur.p != pid {
                        return Err(format!(
                            "tried to self-steal proc {pid} (thread {victim}), but got proc {} instead",
                            cur.p
                        ));
                    }
                    new.p = NO_PROC;
                } else {
                    let Some(ms) = self.known_m(victim) else {
                        return Err(format!("stole proc from non-existent thread {victim}"));
                    };
                    if ms.p != pid {
                        return Err(format!(
                            "tried to steal proc {pid} from thread {victim}, but got proc {} instead",
                            ms.p
                        ));
                    }
                    ms.p = NO_PROC;
                }
                self.emit_with(e, cur, |o| o.extra[0] = old);
                Ok(Some(new))
            }
            GO_STATUS | GO_STATUS_STACK => {
                let gid = a[0] as i64;
                let mid = a[1] as i64;
                let status = a[2];
                if !(1..=4).contains(&status) {
                    return Err(format!("invalid status for goroutine {gid}: {status}"));
                }
                let mut old = GoState::from_wire(status);
                match self.gs.get_mut(&gid) {
                    Some(s) => {
                        if s.status != status {
                            return Err(format!(
                                "inconsistent status for goroutine {gid}: old {} vs. new {}",
                                go_status_name(s.status),
                                go_status_name(status)
                            ));
                        }
                        s.seq = Seq(gen, 0);
                    }
                    None if initial => {
                        self.gs.insert(
                            gid,
                            GState::new(status, gen),
                        );
                        old = GoState::Undetermined;
                    }
                    None => {
                        return Err(format!(
                            "found goroutine status for new goroutine after the first generation: id={gid} status={}",
                            go_status_name(status)
                        ))
                    }
                }
                let mut ctx = cur;
                let mut new = cur;
                match status {
                    G_RUNNING => new.g = gid,
                    G_SYSCALL => {
                        if mid == NO_THREAD {
                            return Err(format!(
                                "found goroutine {gid} in syscall without a thread"
                            ));
                        }
                        if mid == cur.m {
                            if !initial && cur.g != gid {
                                return Err(format!(
                                    "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                                    cur.g
                                ));
                            }
                            new.g = gid;
                        } else {
                            match self.known_m(mid) {
                                Some(ms) => {
                                    if ms.g != gid {
                                        return Err(format!(
                                            "inconsistent thread for syscalling goroutine {gid}: thread has goroutine {}",
                                            ms.g
                                        ));
                                    }
                                    ctx.g = ms.g;
                                }
                                None => {
                                    let i = self.m_slot(mid);
                                    self.ms[i].1 = MState {
                                        g: gid,
                                        p: NO_PROC,
                                        known: true,
                                    };
                                }
                            }
                            ctx.m = mid;
                        }
                    }
                    _ => {}
                }
                let old_code = old as u64;
                self.emit_with(e, ctx, |o| o.extra[0] = old_code);
                Ok(Some(new))
            }
            GO_CREATE | GO_CREATE_BLOCKED => {
                require(cur, Need::Must, Need::Must, Need::May)?;
                if let Some(s) = self.gs.get(&cur.g) {
                    if s.status != G_RUNNING {
                        return Err(format!(
                            "{} event for goroutine that's not Running",
                            name(e.typ)
                        ));
                    }
                }
                let new_g = a[0] as i64;
                if self.gs.contains_key(&new_g) {
                    return Err(format!(
                        "tried to create goroutine ({new_g}) that already exists"
                    ));
                }
                let status = if e.typ == GO_CREATE_BLOCKED {
                    G_WAITING
                } else {
                    G_RUNNABLE
                };
                self.gs.insert(new_g, GState::new(status, gen));
                self.emit(e, cur);
                Ok(Some(cur))
            }
            GO_DESTROY | GO_STOP | GO_BLOCK => {
                user_ctx(cur)?;
                let s = self.current_g(e.typ, cur.g, G_RUNNING)?;
                match e.typ {
                    GO_DESTROY => {
                        self.gs.remove(&cur.g);
                    }
                    GO_STOP => s.status = G_RUNNABLE,
                    _ => s.status = G_WAITING,
                }
                self.emit(e, cur);
                Ok(Some(Ctx {
                    g: NO_GOROUTINE,
                    ..cur
                }))
            }
            GO_START => {
                let gid = a[0] as i64;
                let seq = Seq(gen, a[1]);
                let ready = matches!(self.gs.get(&gid), Some(s) if s.status == G_RUNNABLE && seq.follows(s.seq));
                if !ready {
                    return Ok(None);
                }
                require(cur, Need::Must, Need::Must, Need::No)?;
                if let Some(s) = self.gs.get_mut(&gid) {
                    s.status = G_RUNNING;
                    s.seq = seq;
                }
                self.emit(e, cur);
                Ok(Some(Ctx { g: gid, ..cur }))
            }
            GO_UNBLOCK => {
                let gid = a[0] as i64;
                let seq = Seq(gen, a[1]);
                match self.gs.get_mut(&gid) {
                    Some(s) if s.status == G_WAITING && seq.follows(s.seq) => {
                        s.status = G_RUNNABLE;
                        s.seq = seq;
                    }
                    _ => return Ok(None),
                }
                self.emit(e, cur);
                Ok(Some(cur))
            }
            GO_SWITCH | GO_SWITCH_DESTROY => {
                user_ctx(cur)?;
                self.current_g(e.typ, cur.g, G_RUNNING)?;
                let next = a[0] as i64;
                let seq = Seq(gen, a[1]);
                let ready = matches!(self.gs.get(&next), Some(s) if s.status == G_WAITING && seq.follows(s.seq));
                if !ready {
                    return Ok(None);
                }
                self.emit(e, cur);
                // The switch is three things: the target is unblocked (above), the
                // current goroutine blocks or dies, the target starts.
                let mut follow = *e;
                follow.args = [0; 4];
                if e.typ == GO_SWITCH {
                    if let Some(s) = self.gs.get_mut(&cur.g) {
                        s.status = G_WAITING;
                    }
                    follow.typ = GO_BLOCK;
                } else {
                    self.gs.remove(&cur.g);
                    follow.typ = GO_DESTROY;
                }
                self.emit(&follow, cur);
                if let Some(s) = self.gs.get_mut(&next) {
                    s.status = G_RUNNING;
                    s.seq = seq;
                }
                let mut start = *e;
                start.typ = GO_START;
                start.args = [a[0], a[1], 0, 0];
                self.emit(
                    &start,
                    Ctx {
                        g: NO_GOROUTINE,
                        ..cur
                    },
                );
                Ok(Some(Ctx { g: next, ..cur }))
            }
            GO_SYSCALL_BEGIN => {
                user_ctx(cur)?;
                self.current_g(e.typ, cur.g, G_RUNNING)?.status = G_SYSCALL;
                let ps = self.syscall_proc(e.typ, cur.p)?;
                ps.status = P_SYSCALL;
                let seq = Seq(gen, a[0]);
                if !seq.follows(ps.seq) {
                    return Err(format!(
                        "failed to advance GoSyscallBegin: can't make sequence: {} (gen={}) -> {} (gen={})",
                        ps.seq.1, ps.seq.0, seq.1, seq.0
                    ));
                }
                ps.seq = seq;
                self.emit(e, cur);
                Ok(Some(cur))
            }
            GO_SYSCALL_END => {
                user_ctx(cur)?;
                self.current_g(e.typ, cur.g, G_SYSCALL)?.status = G_RUNNING;
                let ps = self.syscall_proc(e.typ, cur.p)?;
                if ps.status != P_SYSCALL {
                    return Err(format!(
                        "expected proc {} in state Syscall, but got {} instead",
                        cur.p,
                        proc_status_name(ps.status)
                    ));
                }
                ps.status = P_RUNNING;
                self.emit(e, cur);
                Ok(Some(cur))
            }
            GO_SYSCALL_END_BLOCKED => {
                // Wait until the proc is taken away (ProcSteal elsewhere).
                if cur.p != NO_PROC && self.syscall_proc(e.typ, cur.p)?.status == P_SYSCALL {
                    return Ok(None);
                }
                require(cur, Need::Must, Need::May, Need::Must)?;
                self.current_g(e.typ, cur.g, G_SYSCALL)?.status = G_RUNNABLE;
                self.emit(e, cur);
                Ok(Some(Ctx {
                    g: NO_GOROUTINE,
                    ..cur
                }))
            }
            GO_CREATE_SYSCALL => {
                require(cur, Need::Must, Need::May, Need::No)?;
                let new_g = a[0] as i64;
                if self.gs.contains_key(&new_g) {
                    return Err(format!(
                        "tried to create goroutine ({new_g}) in syscall that already exists"
                    ));
                }
                self.gs.insert(new_g, GState::new(G_SYSCALL, gen));
                self.emit(e, cur);
                Ok(Some(Ctx { g: new_g, ..cur }))
            }
            GO_DESTROY_SYSCALL => {
                require(cur, Need::Must, Need::May, Need::Must)?;
                self.current_g(e.typ, cur.g, G_SYSCALL)?;
                self.gs.remove(&cur.g);
                let mut new = Ctx {
                    g: NO_GOROUTINE,
                    ..cur
                };
                if cur.p != NO_PROC {
                    let Some(ps) = self.ps.get_mut(&cur.p) else {
                        return Err(format!(
                            "found invalid proc {} during GoDestroySyscall",
                            cur.p
                        ));
                    };
                    if ps.status != P_SYSCALL {
                        return Err(format!(
                            "proc {} in unexpected state {} during GoDestroySyscall",
                            cur.p,
                            proc_status_name(ps.status)
                        ));
                    }
                    // The thread may be reused for another goroutine: its proc is
                    // abandoned, shown as a steal by itself.
                    ps.status = P_ABANDONED;
                    new.p = NO_PROC;
                    let mut steal = *e;
                    steal.typ = PROC_STEAL;
                    steal.args = [cur.p as u64, 0, 0, 0];
                    steal.extra = [P_SYSCALL, 0];
                    self.emit(&steal, cur);
                }
                self.emit(e, cur);
                Ok(Some(new))
            }
            USER_TASK_BEGIN => {
                let id = a[0];
                if self.tasks.contains_key(&id) {
                    return Err(format!("task ID conflict: {id}"));
                }
                let parent = if a[1] == BACKGROUND_TASK {
                    NO_TASK
                } else {
                    a[1]
                };
                self.tasks.insert(id, (a[2] as StrId, parent));
                user_ctx(cur)?;
                self.emit_with(e, cur, |o| o.args[1] = parent);
                Ok(Some(cur))
            }
            USER_TASK_END => {
                let (name, parent) = self.tasks.remove(&a[0]).unwrap_or((0, NO_TASK));
                user_ctx(cur)?;
                self.emit_with(e, cur, |o| {
                    o.extra[0] = parent;
                    o.extra[1] = u64::from(name);
                });
                Ok(Some(cur))
            }
            USER_REGION_BEGIN | USER_REGION_END => {
                user_ctx(cur)?;
                let Some(s) = self.gs.get_mut(&cur.g) else {
                    return Err(format!(
                        "encountered {} without known state for current goroutine {}",
                        name(e.typ),
                        cur.g
                    ));
                };
                let region = (a[0], a[1] as StrId);
                if e.typ == USER_REGION_BEGIN {
                    s.regions.push(region);
                } else if let Some(&top) = s.regions.last() {
                    // An end without a begin is a region that began before the trace.
                    if top != region {
                        return Err(format!(
                            "misuse of region in goroutine {}: region end does not match the inner-most active region",
                            cur.g
                        ));
                    }
                    s.regions.pop();
                }
                self.emit(e, cur);
                Ok(Some(cur))
            }
            GC_ACTIVE => {
                let seq = a[0];
                if initial {
                    if self.gc.is_some() {
                        return Err("GCActive in the first generation isn't first GC event".into());
                    }
                    self.gc_seq = seq;
                    self.gc = Some(Gc::Running);
                    self.emit(e, cur);
                    return Ok(Some(cur));
                }
                if seq != self.gc_seq.wrapping_add(1) {
                    return Ok(None);
                }
                if self.gc != Some(Gc::Running) {
                    return Err("encountered GCActive while GC was not in progress".into());
                }
                self.gc_seq = seq;
                user_ctx(cur)?;
                self.emit(e, cur);
                Ok(Some(cur))
            }
            GC_BEGIN => {
                let seq = a[0];
                if self.gc.is_none() {
                    self.gc_seq = seq;
                    self.gc = Some(Gc::Running);
                    self.emit(e, cur);
                    return Ok(Some(cur));
                }
                if seq != self.gc_seq.wrapping_add(1) {
                    return Ok(None);
                }
                if self.gc == Some(Gc::Running) {
                    return Err("encountered GCBegin while GC was already in progress".into());
                }
                self.gc_seq = seq;
                self.gc = Some(Gc::Running);
                user_ctx(cur)?;
                self.emit(e, cur);
                Ok(Some(cur))
            }
            GC_END => {
                let seq = a[0];
                if seq != self.gc_seq.wrapping_add(1) {
                    return Ok(None);
                }
                match self.gc {
                    Some(Gc::NotRunning) => {
                        return Err("encountered GCEnd when GC was not in progress".into())
                    }
                    None => {
                        return Err("encountered GCEnd when GC was in an undetermined state".into())
                    }
                    _ => {}
                }
                self.gc_seq = seq;
                self.gc = Some(Gc::NotRunning);
                user_ctx(cur)?;
                self.emit(e, cur);
                Ok(Some(cur))
            }
            PROCS_CHANGE | GO_LABEL | USER_LOG => {
                user_ctx(cur)?;
                self.emit(e, cur);
                Ok(Some(cur))
            }
            HEAP_ALLOC | HEAP_GOAL => {
                require(cur, Need::Must, Need::Must, Need::May)?;
                self.emit(e, cur);
                Ok(Some(cur))
            }
            GC_SWEEP_BEGIN | GC_SWEEP_END => {
                require(cur, Need::Must, Need::Must, Need::May)?;
                let Some(ps) = self.ps.get_mut(&cur.p) else {
                    return Err(format!("sweep event for unknown proc {}", cur.p));
                };
                if e.typ == GC_SWEEP_BEGIN {
                    begin_range(&mut ps.ranges, (GC_SWEEP_BEGIN, 0))?;
                } else {
                    end_range(&mut ps.ranges, e.typ)?;
                }
                self.emit(e, cur);
                Ok(Some(cur))
            }
            GC_SWEEP_ACTIVE => {
                let pid = a[0] as i64;
                let Some(ps) = self.ps.get_mut(&pid) else {
                    return Err(format!("encountered GCSweepActive for unknown proc {pid}"));
                };
                active_range(&mut ps.ranges, (GC_SWEEP_BEGIN, 0), initial)?;
                self.emit(e, cur);
                Ok(Some(cur))
            }
            STW_BEGIN | GC_MARK_ASSIST_BEGIN => {
                user_ctx(cur)?;
                let desc = if e.typ == STW_BEGIN { a[0] as StrId } else { 0 };
                let Some(s) = self.gs.get_mut(&cur.g) else {
                    return Err(format!(
                        "encountered event of type {} without known state for current goroutine {}",
                        e.typ, cur.g
                    ));
                };
                begin_range(&mut s.ranges, (e.typ, desc))?;
                self.emit(e, cur);
                Ok(Some(cur))
            }
            GC_MARK_ASSIST_ACTIVE => {
                let gid = a[0] as i64;
                let Some(s) = self.gs.get_mut(&gid) else {
                    return Err(format!(
                        "uninitialized goroutine {gid} found during GCMarkAssistActive"
                    ));
                };
                active_range(&mut s.ranges, (GC_MARK_ASSIST_BEGIN, 0), initial)?;
                self.emit(e, cur);
                Ok(Some(cur))
            }
            STW_END | GC_MARK_ASSIST_END => {
                user_ctx(cur)?;
                let Some(s) = self.gs.get_mut(&cur.g) else {
                    return Err(format!(
                        "encountered event of type {} without known state for current goroutine {}",
                        e.typ, cur.g
                    ));
                };
                let desc = end_range(&mut s.ranges, e.typ)?;
                // STWEnd names the kind its begin had.
                self.emit_with(e, cur, |o| {
                    if o.typ == STW_END {
                        o.args[0] = u64::from(desc);
                    }
                });
                Ok(Some(cur))
            }
            t if t >= 128 => {
                require(cur, Need::Must, Need::May, Need::May)?;
                self.emit(e, cur);
                Ok(Some(cur))
            }
            other => Err(format!("bad event type found while ordering: {other}")),
        }
    }
}
