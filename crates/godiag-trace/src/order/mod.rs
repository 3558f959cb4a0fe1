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

mod handlers;

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

/// What an event needs of the context it happens in: a thread, a proc, a
/// goroutine, each required, allowed or forbidden.
#[derive(Clone, Copy)]
struct Reqs {
    m: Need,
    p: Need,
    g: Need,
}

/// A goroutine running on a proc on a thread (user events, goroutine state
/// changes of the running goroutine).
const USER_GOROUTINE: Reqs = Reqs {
    m: Need::Must,
    p: Need::Must,
    g: Need::Must,
};
/// A thread, whatever it holds.
const THREAD: Reqs = Reqs {
    m: Need::Must,
    p: Need::May,
    g: Need::May,
};
/// A thread running a goroutine, with or without a proc (syscalls).
const THREAD_WITH_GOROUTINE: Reqs = Reqs {
    m: Need::Must,
    p: Need::May,
    g: Need::Must,
};
/// A thread running no goroutine.
const THREAD_WITHOUT_GOROUTINE: Reqs = Reqs {
    m: Need::Must,
    p: Need::May,
    g: Need::No,
};
/// A thread holding a proc.
const PROC: Reqs = Reqs {
    m: Need::Must,
    p: Need::Must,
    g: Need::May,
};
/// A thread holding a proc and running no goroutine.
const PROC_WITHOUT_GOROUTINE: Reqs = Reqs {
    m: Need::Must,
    p: Need::Must,
    g: Need::No,
};
/// A thread holding no proc (it is about to take one).
const THREAD_WITHOUT_PROC: Reqs = Reqs {
    m: Need::Must,
    p: Need::No,
    g: Need::May,
};

fn require(ctx: Ctx, Reqs { m, p, g }: Reqs) -> Result<(), String> {
    let check = |have: bool, need: Need, what: &str| match (need, have) {
        (Need::Must, false) => Err(format!("expected a {what} but didn't have one")),
        (Need::No, true) => Err(format!("expected no {what} but had one")),
        _ => Ok(()),
    };
    check(ctx.m != NO_THREAD, m, "thread")?;
    check(ctx.p != NO_PROC, p, "proc")?;
    check(ctx.g != NO_GOROUTINE, g, "goroutine")
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
    /// `at` is the event's offset in the input: a contradiction is an
    /// [`Error`](crate::Error) there.
    pub fn advance(
        &mut self,
        e: &Event,
        at: u64,
        gen: u64,
        slot: Option<usize>,
    ) -> Result<bool, crate::Error> {
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
        let Some(new) = self
            .dispatch(e, gen, cur)
            .map_err(|message| crate::Error::contradiction(at, message))?
        else {
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
        self.emit_with(e, ctx, |_| {});
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
        match e.typ {
            PROC_STATUS => self.proc_status(e, gen, cur),
            PROC_START => self.proc_start(e, gen, cur),
            PROC_STOP => self.proc_stop(e, gen, cur),
            PROC_STEAL => self.proc_steal(e, gen, cur),
            GO_STATUS | GO_STATUS_STACK => self.go_status(e, gen, cur),
            GO_CREATE | GO_CREATE_BLOCKED => self.go_create(e, gen, cur),
            GO_DESTROY | GO_STOP | GO_BLOCK => self.go_destroy(e, gen, cur),
            GO_START => self.go_start(e, gen, cur),
            GO_UNBLOCK => self.go_unblock(e, gen, cur),
            GO_SWITCH | GO_SWITCH_DESTROY => self.go_switch(e, gen, cur),
            GO_SYSCALL_BEGIN => self.go_syscall_begin(e, gen, cur),
            GO_SYSCALL_END => self.go_syscall_end(e, gen, cur),
            GO_SYSCALL_END_BLOCKED => self.go_syscall_end_blocked(e, gen, cur),
            GO_CREATE_SYSCALL => self.go_create_syscall(e, gen, cur),
            GO_DESTROY_SYSCALL => self.go_destroy_syscall(e, gen, cur),
            USER_TASK_BEGIN => self.user_task_begin(e, gen, cur),
            USER_TASK_END => self.user_task_end(e, gen, cur),
            USER_REGION_BEGIN | USER_REGION_END => self.user_region_begin(e, gen, cur),
            GC_ACTIVE => self.gc_active(e, gen, cur),
            GC_BEGIN => self.gc_begin(e, gen, cur),
            GC_END => self.gc_end(e, gen, cur),
            PROCS_CHANGE | GO_LABEL | USER_LOG => self.in_context(e, cur, USER_GOROUTINE),
            HEAP_ALLOC | HEAP_GOAL => self.in_context(e, cur, PROC),
            GC_SWEEP_BEGIN | GC_SWEEP_END => self.gc_sweep_begin(e, gen, cur),
            GC_SWEEP_ACTIVE => self.gc_sweep_active(e, gen, cur),
            STW_BEGIN | GC_MARK_ASSIST_BEGIN => self.stw_begin(e, gen, cur),
            GC_MARK_ASSIST_ACTIVE => self.gc_mark_assist_active(e, gen, cur),
            STW_END | GC_MARK_ASSIST_END => self.stw_end(e, gen, cur),
            t if t >= 128 => self.in_context(e, cur, THREAD),
            other => Err(format!("bad event type found while ordering: {other}")),
        }
    }
}
