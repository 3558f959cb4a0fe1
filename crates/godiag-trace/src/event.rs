//! The ordered events the reader yields, and what each one means.
//!
//! An [`Event`] is the wire event plus the scheduling context (M, P, G) in which it
//! happened, with string and stack IDs already mapped to trace-wide IDs. Accessors
//! interpret it the way Go's `internal/trace` event API does (state transitions,
//! ranges, metrics, tasks), and [`Event::display`] prints it in the format of
//! `go tool trace -d=parsed` so the two can be compared line by line.

use crate::spec::{self, ev};
use crate::tables::{StackId, StrId, Tables};
use std::fmt::Write;

pub const NO_THREAD: i64 = -1;
pub const NO_PROC: i64 = -1;
pub const NO_GOROUTINE: i64 = -1;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Event {
    /// Nanoseconds on the trace clock (monotonic; strictly increasing along the stream).
    pub time: u64,
    pub m: i64,
    pub p: i64,
    pub g: i64,
    /// The wire event type, `ev::CPU_SAMPLE` for samples, `ev::READER_SYNC` for syncs.
    pub typ: u8,
    /// Arguments after the timestamp delta; string and stack IDs are trace-wide.
    pub args: [u64; 4],
    /// What the ordering learnt: old states of transitions, a finished task's parent
    /// and name, the kind of the stop-the-world an STWEnd closes.
    pub extra: [u64; 2],
}

/// Goroutine states (as in Go's `GoState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum GoState {
    Undetermined,
    NotExist,
    Runnable,
    Running,
    Waiting,
    Syscall,
}

/// Proc states (as in Go's `ProcState`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProcState {
    Undetermined,
    NotExist,
    Running,
    Idle,
}

impl GoState {
    pub fn name(self) -> &'static str {
        match self {
            GoState::Undetermined => "Undetermined",
            GoState::NotExist => "NotExist",
            GoState::Runnable => "Runnable",
            GoState::Running => "Running",
            GoState::Waiting => "Waiting",
            GoState::Syscall => "Syscall",
        }
    }
    pub(crate) fn from_u64(v: u64) -> GoState {
        match v {
            0 => GoState::Undetermined,
            1 => GoState::NotExist,
            2 => GoState::Runnable,
            3 => GoState::Running,
            4 => GoState::Waiting,
            _ => GoState::Syscall,
        }
    }
    /// The state a wire goroutine status stands for.
    pub(crate) fn from_wire(status: u64) -> GoState {
        match status {
            1 => GoState::Runnable,
            2 => GoState::Running,
            3 => GoState::Syscall,
            4 => GoState::Waiting,
            _ => GoState::Undetermined,
        }
    }
}

impl ProcState {
    pub fn name(self) -> &'static str {
        match self {
            ProcState::Undetermined => "Undetermined",
            ProcState::NotExist => "NotExist",
            ProcState::Running => "Running",
            ProcState::Idle => "Idle",
        }
    }
    pub(crate) fn from_u64(v: u64) -> ProcState {
        match v {
            0 => ProcState::Undetermined,
            1 => ProcState::NotExist,
            2 => ProcState::Running,
            _ => ProcState::Idle,
        }
    }
    /// Wire proc status → state: in syscall counts as running, abandoned as idle.
    pub(crate) fn from_wire(status: u64) -> ProcState {
        match status {
            1 | 3 => ProcState::Running,
            2 | 4 => ProcState::Idle,
            _ => ProcState::Undetermined,
        }
    }
}

/// What an event is, in the terms of Go's event API.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Sync,
    Metric,
    Label,
    StackSample,
    RangeBegin,
    RangeActive,
    RangeEnd,
    TaskBegin,
    TaskEnd,
    RegionBegin,
    RegionEnd,
    Log,
    StateTransition,
    Experimental,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Sync => "Sync",
            Kind::Metric => "Metric",
            Kind::Label => "Label",
            Kind::StackSample => "StackSample",
            Kind::RangeBegin => "RangeBegin",
            Kind::RangeActive => "RangeActive",
            Kind::RangeEnd => "RangeEnd",
            Kind::TaskBegin => "TaskBegin",
            Kind::TaskEnd => "TaskEnd",
            Kind::RegionBegin => "RegionBegin",
            Kind::RegionEnd => "RegionEnd",
            Kind::Log => "Log",
            Kind::StateTransition => "StateTransition",
            Kind::Experimental => "Experimental",
        }
    }
}

/// A goroutine or proc state change.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Transition {
    Go {
        id: i64,
        from: GoState,
        to: GoState,
        /// Block or stop reason; 0 when none.
        reason: StrId,
        /// The stack of the goroutine that changed (a new goroutine's start, or where
        /// a goroutine blocked); 0 when none.
        stack: StackId,
    },
    Proc {
        id: i64,
        from: ProcState,
        to: ProcState,
    },
}

/// A time range: stop-the-world, GC mark phase, sweep, mark assist.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RangeName {
    /// `stop-the-world (<kind>)`
    StopTheWorld(StrId),
    GcMark,
    Sweep,
    MarkAssist,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Scope {
    None,
    Goroutine(i64),
    Proc(i64),
}

impl Event {
    pub fn kind(&self) -> Kind {
        use ev::*;
        match self.typ {
            READER_SYNC => Kind::Sync,
            CPU_SAMPLE => Kind::StackSample,
            PROCS_CHANGE | HEAP_ALLOC | HEAP_GOAL => Kind::Metric,
            STW_BEGIN | GC_BEGIN | GC_SWEEP_BEGIN | GC_MARK_ASSIST_BEGIN => Kind::RangeBegin,
            GC_ACTIVE | GC_SWEEP_ACTIVE | GC_MARK_ASSIST_ACTIVE => Kind::RangeActive,
            STW_END | GC_END | GC_SWEEP_END | GC_MARK_ASSIST_END => Kind::RangeEnd,
            GO_LABEL => Kind::Label,
            USER_TASK_BEGIN => Kind::TaskBegin,
            USER_TASK_END => Kind::TaskEnd,
            USER_REGION_BEGIN => Kind::RegionBegin,
            USER_REGION_END => Kind::RegionEnd,
            USER_LOG => Kind::Log,
            t if t >= 128 => Kind::Experimental,
            _ => Kind::StateTransition,
        }
    }

    /// The event's own stack (where it happened), 0 when none.
    pub fn stack(&self) -> StackId {
        if self.typ == ev::READER_SYNC {
            return 0;
        }
        if self.typ == ev::CPU_SAMPLE {
            return self.args[0] as StackId;
        }
        match spec::spec(self.typ).and_then(|s| s.stack_args.first()) {
            Some(&i) => self.args[usize::from(i) - 1] as StackId,
            None => 0,
        }
    }

    pub fn transition(&self) -> Option<Transition> {
        use ev::*;
        let go = |id: i64, from, to, reason, stack| Transition::Go {
            id,
            from,
            to,
            reason,
            stack,
        };
        let proc_ = |id: i64, from, to| Transition::Proc { id, from, to };
        let a = &self.args;
        Some(match self.typ {
            PROC_START => proc_(a[0] as i64, ProcState::Idle, ProcState::Running),
            PROC_STOP => proc_(self.p, ProcState::Running, ProcState::Idle),
            PROC_STEAL => {
                // extra[0]: the wire status the P had (4 = abandoned: it was idle already).
                let from = if self.extra[0] == 4 {
                    ProcState::Idle
                } else {
                    ProcState::Running
                };
                proc_(a[0] as i64, from, ProcState::Idle)
            }
            PROC_STATUS => proc_(
                a[0] as i64,
                ProcState::from_u64(self.extra[0]),
                ProcState::from_wire(a[1]),
            ),
            GO_CREATE | GO_CREATE_BLOCKED => {
                let to = if self.typ == GO_CREATE_BLOCKED {
                    GoState::Waiting
                } else {
                    GoState::Runnable
                };
                go(a[0] as i64, GoState::NotExist, to, 0, a[1] as StackId)
            }
            GO_CREATE_SYSCALL => go(a[0] as i64, GoState::NotExist, GoState::Syscall, 0, 0),
            GO_START => go(a[0] as i64, GoState::Runnable, GoState::Running, 0, 0),
            GO_DESTROY => go(self.g, GoState::Running, GoState::NotExist, 0, 0),
            GO_DESTROY_SYSCALL => go(self.g, GoState::Syscall, GoState::NotExist, 0, 0),
            GO_STOP => go(
                self.g,
                GoState::Running,
                GoState::Runnable,
                a[0] as StrId,
                self.stack(),
            ),
            GO_BLOCK => go(
                self.g,
                GoState::Running,
                GoState::Waiting,
                a[0] as StrId,
                self.stack(),
            ),
            GO_UNBLOCK | GO_SWITCH | GO_SWITCH_DESTROY => {
                go(a[0] as i64, GoState::Waiting, GoState::Runnable, 0, 0)
            }
            GO_SYSCALL_BEGIN => go(self.g, GoState::Running, GoState::Syscall, 0, self.stack()),
            GO_SYSCALL_END => go(self.g, GoState::Syscall, GoState::Running, 0, 0),
            GO_SYSCALL_END_BLOCKED => go(self.g, GoState::Syscall, GoState::Runnable, 0, 0),
            GO_STATUS | GO_STATUS_STACK => go(
                a[0] as i64,
                GoState::from_u64(self.extra[0]),
                GoState::from_wire(a[2]),
                0,
                self.stack(),
            ),
            _ => return None,
        })
    }

    pub fn range(&self) -> Option<(RangeName, Scope)> {
        use ev::*;
        Some(match self.typ {
            STW_BEGIN | STW_END => (
                RangeName::StopTheWorld(self.args[0] as StrId),
                Scope::Goroutine(self.g),
            ),
            GC_BEGIN | GC_ACTIVE | GC_END => (RangeName::GcMark, Scope::None),
            GC_SWEEP_BEGIN | GC_SWEEP_END => (RangeName::Sweep, Scope::Proc(self.p)),
            GC_SWEEP_ACTIVE => (RangeName::Sweep, Scope::Proc(self.args[0] as i64)),
            GC_MARK_ASSIST_BEGIN | GC_MARK_ASSIST_END => {
                (RangeName::MarkAssist, Scope::Goroutine(self.g))
            }
            GC_MARK_ASSIST_ACTIVE => (RangeName::MarkAssist, Scope::Goroutine(self.args[0] as i64)),
            _ => return None,
        })
    }

    /// `(name, value)` of a metric event.
    pub fn metric(&self) -> Option<(&'static str, u64)> {
        match self.typ {
            ev::PROCS_CHANGE => Some(("/sched/gomaxprocs:threads", self.args[0])),
            ev::HEAP_ALLOC => Some(("/memory/classes/heap/objects:bytes", self.args[0])),
            ev::HEAP_GOAL => Some(("/gc/heap/goal:bytes", self.args[0])),
            _ => None,
        }
    }

    /// `(id, parent, type name)` of a task begin or end.
    pub fn task(&self) -> Option<(u64, u64, StrId)> {
        match self.typ {
            ev::USER_TASK_BEGIN => Some((self.args[0], self.args[1], self.args[2] as StrId)),
            ev::USER_TASK_END => Some((self.args[0], self.extra[0], self.extra[1] as StrId)),
            _ => None,
        }
    }

    /// Sync number and clock snapshot `(trace, mono, wall sec, wall nsec)`.
    pub fn sync(&self) -> Option<(u64, Option<[u64; 4]>)> {
        if self.typ != ev::READER_SYNC {
            return None;
        }
        let clock = (self.args[1] == 1).then_some([
            self.args[2],
            self.args[3],
            self.extra[0],
            self.extra[1],
        ]);
        Some((self.args[0], clock))
    }

    /// Prints the event as `go tool trace -d=parsed` (Go 1.26) does.
    pub fn display(&self, t: &Tables) -> String {
        let mut s = String::new();
        let _ = write!(
            s,
            "M={} P={} G={} {} Time={}",
            self.m,
            self.p,
            self.g,
            self.kind().name(),
            self.time
        );
        let q = |x: &str| go_quote(x);
        match self.kind() {
            Kind::Metric => {
                if let Some((name, v)) = self.metric() {
                    let _ = write!(s, " Name={} Value=Uint64({v})", q(name));
                }
            }
            Kind::Label => {
                let _ = write!(
                    s,
                    " Label={} Resource=Goroutine({})",
                    q(t.string(self.args[0] as StrId)),
                    self.g
                );
            }
            Kind::RangeBegin | Kind::RangeActive | Kind::RangeEnd => {
                if let Some((name, scope)) = self.range() {
                    let _ = write!(
                        s,
                        " Name={} Scope={}",
                        q(&range_name(name, t)),
                        scope_str(scope)
                    );
                }
                if self.kind() == Kind::RangeEnd {
                    s.push_str(" Attributes=[");
                    if self.typ == ev::GC_SWEEP_END {
                        let _ = write!(
                            s,
                            "\"bytes swept\"=Uint64({}) \"bytes reclaimed\"=Uint64({})",
                            self.args[0], self.args[1]
                        );
                    }
                    s.push(']');
                }
            }
            Kind::TaskBegin | Kind::TaskEnd => {
                if let Some((id, parent, name)) = self.task() {
                    let _ = write!(s, " ID={id} Parent={parent} Type={}", q(t.string(name)));
                }
            }
            Kind::RegionBegin | Kind::RegionEnd => {
                let _ = write!(
                    s,
                    " Task={} Type={}",
                    self.args[0],
                    q(t.string(self.args[1] as StrId))
                );
            }
            Kind::Log => {
                let _ = write!(
                    s,
                    " Task={} Category={} Message={}",
                    self.args[0],
                    q(t.string(self.args[1] as StrId)),
                    q(t.string(self.args[2] as StrId))
                );
            }
            Kind::StateTransition => {
                if let Some(tr) = self.transition() {
                    let stack = match tr {
                        Transition::Go {
                            id,
                            from,
                            to,
                            reason,
                            stack,
                        } => {
                            let _ = write!(
                                s,
                                " GoID={id} {}->{} Reason={}",
                                from.name(),
                                to.name(),
                                q(t.string(reason))
                            );
                            stack
                        }
                        Transition::Proc { id, from, to } => {
                            let _ = write!(
                                s,
                                " ProcID={id} {}->{} Reason=\"\"",
                                from.name(),
                                to.name()
                            );
                            0
                        }
                    };
                    if stack != 0 {
                        s.push_str("\nTransitionStack=\n");
                        print_stack(&mut s, t, stack);
                    }
                }
            }
            Kind::Experimental => {
                if let Some(sp) = spec::spec(self.typ) {
                    let _ = write!(s, " Name={} Args=[", sp.name);
                    for (i, name) in sp.args.iter().skip(1).enumerate() {
                        if i > 0 {
                            s.push_str(", ");
                        }
                        let _ = write!(s, "{name}=Uint64({})", self.args[i]);
                    }
                    s.push(']');
                }
            }
            Kind::Sync => {
                if let Some((n, clock)) = self.sync() {
                    let _ = write!(s, " N={n}");
                    if let Some([trace, mono, sec, nsec]) = clock {
                        let _ = write!(
                            s,
                            " Trace={trace} Mono={mono} Wall={}",
                            rfc3339_nano(sec, nsec)
                        );
                    }
                }
            }
            Kind::StackSample => {}
        }
        let stack = self.stack();
        if stack != 0 {
            s.push_str("\nStack=\n");
            print_stack(&mut s, t, stack);
        }
        s
    }
}

pub fn range_name(name: RangeName, t: &Tables) -> String {
    match name {
        RangeName::StopTheWorld(kind) => format!("stop-the-world ({})", t.string(kind)),
        RangeName::GcMark => "GC concurrent mark phase".into(),
        RangeName::Sweep => "GC incremental sweep".into(),
        RangeName::MarkAssist => "GC mark assist".into(),
    }
}

fn scope_str(scope: Scope) -> String {
    match scope {
        Scope::None => "None".into(),
        Scope::Goroutine(g) => format!("Goroutine({g})"),
        Scope::Proc(p) => format!("Proc({p})"),
    }
}

fn print_stack(s: &mut String, t: &Tables, stack: StackId) {
    for f in t.stack(stack) {
        let _ = writeln!(s, "\t{} @ {:#x}", t.string(f.func), f.pc);
        let _ = writeln!(s, "\t\t{}:{}", t.string(f.file), f.line);
    }
}

/// Go's `%q` for the strings that appear in traces (printable ASCII and UTF-8 kept).
pub fn go_quote(x: &str) -> String {
    let mut o = String::with_capacity(x.len() + 2);
    o.push('"');
    for c in x.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            '\r' => o.push_str("\\r"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(o, "\\x{:02x}", c as u32);
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

/// Wall-clock time as Go's `time.RFC3339Nano` in UTC (trailing zeros trimmed).
pub fn rfc3339_nano(sec: u64, nsec: u64) -> String {
    let ts = i64::try_from(sec)
        .ok()
        .and_then(|s| jiff::Timestamp::new(s, i32::try_from(nsec % 1_000_000_000).ok()?).ok());
    match ts {
        // jiff prints the fraction without trailing zeros, as Go does.
        Some(ts) => ts.to_string(),
        None => format!("{sec}.{nsec:09} (out of range)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_clock() {
        // 2026-11-27T09:03:28.58124892Z
        assert_eq!(
            rfc3339_nano(1_795_770_208, 581_248_920),
            "2026-11-27T09:03:28.58124892Z"
        );
        assert_eq!(rfc3339_nano(0, 0), "1970-01-01T00:00:00Z");
    }
}
