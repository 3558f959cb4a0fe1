//! What a text artifact (crash output, goroutine dump, race report) holds.

use std::borrow::Cow;

use serde::Serialize;

use crate::goroutine::{Frame, Goroutine, Label};

/// A problem met while reading an input, with the byte offset where it was met.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub offset: u64,
    pub message: String,
}

/// One `panic:` line of the chain printed by the runtime, oldest first.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PanicEntry<'a> {
    /// The value as printed; continuation lines of a multi-line value are
    /// joined with `\n` (their `\t` indentation, Go 1.23+, removed).
    pub value: Cow<'a, str>,
    /// `[recovered]`: recovered, then superseded by a later panic.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub recovered: bool,
    /// `[recovered, repanicked]` (Go 1.25+), or the ≤1.24 two-line form of the
    /// same value printed again.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub repanicked: bool,
    /// Not printed by the runtime: a recovery handler caught the panic and
    /// logged it (`http: panic serving ...`, `Observed a panic: ...`) with
    /// the stack of the goroutine that recovered it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub logged: bool,
    /// Known only from its stack (through the runtime's `panic.go`): the
    /// handler logged its value in words no reader reads; `value` says so.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub value_unread: bool,
    pub offset: u64,
}

/// `go test`'s alarm: `panic: test timed out after 10m0s`.
pub fn is_test_timeout(message: &str) -> bool {
    message.starts_with("test timed out after ")
}

impl<'a> PanicEntry<'a> {
    /// A panic a recovery handler logged (see `logged`).
    pub fn logged(value: Cow<'a, str>, offset: u64) -> Self {
        PanicEntry {
            value,
            recovered: true,
            repanicked: false,
            logged: true,
            value_unread: false,
            offset,
        }
    }
}

/// `[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x..]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SignalInfo<'a> {
    /// `SIGSEGV`, or the hex number for unknown signals.
    pub name: &'a str,
    /// `segmentation violation`.
    pub description: &'a str,
    pub code: u64,
    pub addr: u64,
    pub pc: u64,
    pub offset: u64,
}

/// The `fatalsignal` preamble: `SIGQUIT: quit` / `PC=0x.. m=N sigcode=N [addr=0x..]`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FatalSignal<'a> {
    pub name: &'a str,
    pub description: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pc: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub m: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sigcode: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub addr: Option<u64>,
    /// `signal arrived during cgo execution` followed.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub during_cgo: bool,
    pub offset: u64,
}

/// The failure printed in crash output; empty for a plain goroutine dump.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Crash<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub panics: Vec<PanicEntry<'a>>,
    /// `fatal error: <msg>` (also `fatal: morestack on g0`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fatal_error: Option<Cow<'a, str>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fatal_error_offset: Option<u64>,
    /// The fatal error was printed under a pending panic chain (`\tfatal error:`, Go 1.26+).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub fatal_under_panic: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub signal: Option<SignalInfo<'a>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fatal_signal: Option<FatalSignal<'a>>,
    /// `unexpected fault address 0x..`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault_address: Option<u64>,
    /// `runtime: ...` diagnostic lines (stack overflow limits, out-of-memory sizes, ...).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runtime_messages: Vec<&'a str>,
    /// Register dump after the goroutines (signal-handler path).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub registers: Vec<(&'a str, u64)>,
    /// `runtime stack:` (the system stack of the crashing M).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub runtime_stack: Vec<Frame<'a>>,
    /// `FILE:LINE:COL: internal compiler error: ...` from `go build`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub compiler_error: Option<&'a str>,
    /// What a reader could tell about the fault beyond the printed lines
    /// (a core's faulting instruction, what the address is).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fault_notes: Vec<String>,
    /// The tests `go test` listed under `running tests:` when its timeout
    /// panicked (Go 1.21+), without their durations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub running_tests: Vec<String>,
    /// How the process exited, as printed after the output: `exit status N`
    /// (`go run`, `go test`), systemd's `code=exited, status=N`, docker's
    /// `exited with code N`, Kubernetes' `Exit Code: N`. In a journal of
    /// several runs, Go's failure status 2 is kept over any other, and a
    /// failing one over a clean one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exit_status: Option<i32>,
    /// The process was killed for its memory from outside the Go runtime:
    /// the kernel's OOM killer, or Kubernetes' `OOMKilled`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub oom_kill: Option<OomKill<'a>>,
    /// A signal the Go runtime cannot report ended the process, as its
    /// launcher said: systemd's `code=killed, status=9/KILL`, `go build`'s
    /// `.../compile: signal: killed`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub killed_by: Option<KilledBy<'a>>,
    /// The `flag` package's error for a bad command line (`flag provided
    /// but not defined: -listen`), after which it exits with status 2.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage_error: Option<EndLine<'a>>,
    /// systemd gave up waiting for the program to stop after SIGTERM
    /// (`State 'stop-sigterm' timed out. Killing.`): the SIGKILL after it
    /// is the stop's, not a kill for memory.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_timed_out: Option<EndLine<'a>>,
}

/// A line about the process's end, as printed, and where it was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct EndLine<'a> {
    pub line: &'a str,
    pub offset: u64,
}

/// A process's end by a signal, as its launcher printed it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct KilledBy<'a> {
    /// `SIGKILL`, `SIGABRT`, ...
    pub signal: &'a str,
    /// The program the launcher ran, when it names it (`compile` in
    /// `/usr/local/go/pkg/tool/linux_amd64/compile: signal: killed`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub program: Option<&'a str>,
    #[serde(flatten)]
    pub at: EndLine<'a>,
}

/// A kill for memory: `Out of memory: Killed process 8522 (thanos)
/// total-vm:2709100kB, anon-rss:718480kB, ...` (the kernel), or `Reason:
/// OOMKilled` (Kubernetes, which says nothing more).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OomKill<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub process: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pid: Option<u32>,
    /// Resident anonymous memory (the heap and stacks) when it was killed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub anon_rss_kib: Option<u64>,
    /// A memory cgroup's limit was reached, not the machine's memory.
    pub cgroup: bool,
    #[serde(flatten)]
    pub at: EndLine<'a>,
}

impl Crash<'_> {
    /// Whether any failure was printed.
    pub fn is_failure(&self) -> bool {
        !self.panics.is_empty()
            || self.fatal_error.is_some()
            || self.runtime_messages.iter().any(|m| is_failure_message(m))
            || self.signal.is_some()
            || self.fatal_signal.is_some()
            || self.compiler_error.is_some()
    }
}

/// `runtime: ` lines that the runtime prints only on its way to a fatal
/// error, so they are a failure even when the fatal error line was not kept.
pub fn is_failure_message(m: &str) -> bool {
    m.contains(" to unallocated span")
        || m.contains(" to unused region of span")
        || m.starts_with("runtime: bad pointer in frame ")
        || m.starts_with("runtime: goroutine stack exceeds ")
        || m.starts_with("runtime: out of memory")
        || (m.starts_with("futexwakeup addr=") && m.contains(" returned "))
}

/// `gc N @Ts P%: ...` from `GODEBUG=gctrace=1`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GcTrace<'a> {
    pub number: u64,
    /// Seconds since program start.
    pub at_seconds: f64,
    /// Percentage of CPU time spent in GC since start.
    pub gc_cpu_percent: u32,
    pub forced: bool,
    /// The live heap when marking ended, MB (the last of `A->B->C MB`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub live_mb: Option<u64>,
    pub raw: &'a str,
    pub offset: u64,
}

/// `SCHED Nms: gomaxprocs=...` from `GODEBUG=schedtrace=N`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SchedTrace<'a> {
    pub at_ms: u64,
    pub gomaxprocs: u32,
    pub idleprocs: u32,
    pub threads: u32,
    pub runqueue: u32,
    pub raw: &'a str,
    pub offset: u64,
}

/// One memory access in a race report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RaceAccess<'a> {
    /// `read` or `write` (with `atomic ` prefixes kept, e.g. `atomic write`).
    pub op: Cow<'a, str>,
    /// `Previous read/write`: the earlier of the two accesses.
    pub previous: bool,
    /// 0 when not printed (releases before Go 1.6).
    pub addr: u64,
    /// The goroutine id; `by main goroutine` is goroutine 1.
    pub goroutine: u64,
    pub frames: Vec<Frame<'a>>,
}

/// `Goroutine N (running|finished) created at:` in a race report.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RaceGoroutine<'a> {
    pub id: u64,
    pub state: &'a str,
    pub created_at: Vec<Frame<'a>>,
}

/// One `WARNING: DATA RACE` report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct RaceReport<'a> {
    pub accesses: Vec<RaceAccess<'a>>,
    pub goroutines: Vec<RaceGoroutine<'a>>,
    /// `Heap block of size ...` / `Global var ...` line, when printed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<&'a str>,
    pub offset: u64,
}

/// A frame of a debug=1 record: `#\t0x4d2f33\tmain.f+0x33\t/path/main.go:12`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountRecordFrame<'a> {
    pub pc: u64,
    pub function: &'a str,
    pub file: &'a str,
    pub line: u32,
}

/// One `N @ 0x.. 0x..` record of a debug=1 goroutine profile.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CountRecord<'a> {
    pub count: u64,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub labels: Vec<Label<'a>>,
    pub frames: Vec<CountRecordFrame<'a>>,
    pub offset: u64,
}

/// Everything read from one text artifact.
#[derive(Clone, Debug, Default, Serialize)]
pub struct TextArtifact<'a> {
    pub crash: Crash<'a>,
    pub goroutines: Vec<Goroutine<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub races: Vec<RaceReport<'a>>,
    /// `Found N data race(s)`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub races_found: Option<u64>,
    /// debug=1: `goroutine profile: total N`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub count_total: Option<u64>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub count_records: Vec<CountRecord<'a>>,
    /// `goroutineleak profile: total N` (Go 1.26+): every record counts
    /// goroutines the runtime proved leaked.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub count_leaked: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gc_traces: Vec<GcTrace<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sched_traces: Vec<SchedTrace<'a>>,
    /// The earliest Go version the output's syntax allows (`1.22` for `gp=`
    /// headers), and the exact version when a GOROOT path names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub go_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub go_version_at_least: Option<String>,
    /// The input ended inside a record: what precedes the cut is reported.
    pub partial: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Warning>,
    /// Lines that were not part of any runtime output (application logs).
    pub other_lines: u64,
}

impl<'a> TextArtifact<'a> {
    /// How many goroutines the text stands for: entries that were
    /// aggregated (by a tool, or folded past the parse limit) count for all
    /// of theirs.
    pub fn goroutine_total(&self) -> u64 {
        self.goroutines
            .iter()
            .filter(|g| !g.is_thread_stack())
            .map(Goroutine::weight)
            .sum()
    }

    /// The process was stopped for its dump, not by a failure: SIGQUIT (what
    /// the runtime dumps on), or SIGABRT sent with `kill` (sigcode 0,
    /// SI_USER) to a hung process whose Go code printed no failure
    /// (restic/restic#2834). C's `abort()` raises its SIGABRT from its own
    /// thread: SI_TKILL on Linux; on macOS sigcode 0 too, but at a pc the
    /// runtime does not know (`runtime: unknown pc`), during cgo execution,
    /// or while a goroutine is in C (`runtime.cgocall`).
    pub fn is_dump_request(&self) -> bool {
        let c = &self.crash;
        let Some(s) = &c.fatal_signal else {
            return false;
        };
        if s.name == "SIGQUIT" {
            return true;
        }
        let in_c = s.during_cgo
            || c.runtime_messages
                .iter()
                .any(|m| m.starts_with("runtime: unknown pc"))
            || self
                .goroutines
                .iter()
                .any(|g| g.frames.iter().any(|f| f.function == "runtime.cgocall"));
        s.name == "SIGABRT"
            && s.sigcode == Some(0)
            && !in_c
            && c.panics.is_empty()
            && c.fatal_error.is_none()
    }

    /// The goroutine the failure happened on: the first one printed in crash
    /// output (the runtime prints the crashing goroutine first). A SIGQUIT dump
    /// has no failing goroutine.
    pub fn failing_goroutine(&self) -> Option<&Goroutine<'a>> {
        self.failing_goroutine_index().map(|i| &self.goroutines[i])
    }

    /// Where [`Self::failing_goroutine`] is in `goroutines`.
    pub fn failing_goroutine_index(&self) -> Option<usize> {
        if !self.crash.is_failure() || self.is_dump_request() || self.goroutines.is_empty() {
            return None;
        }
        // A paste may open with the tail of an earlier trace, frames without
        // their header above the failure's line (matveynator/
        // chicha-isotope-map#54): the runtime prints the failing goroutine
        // after its message. Unless the paste was cut there, or is printed
        // upside down: then the one after the message holds fewer frames
        // than the stack before it and none of the program's.
        let failure_at = self
            .crash
            .panics
            .iter()
            .map(|p| p.offset)
            .chain(self.crash.fatal_error_offset)
            .chain(self.crash.fatal_signal.as_ref().map(|s| s.offset))
            .min();
        let first = &self.goroutines[0];
        // A throw on a thread that ran no goroutine (sysmon, an exiting M)
        // prints its system stack, then every goroutine as it finds them:
        // the first one is waiting in a run queue, not the one that failed
        // (kubernetes/apimachinery#42: `netpoll failed` from sysmon). A
        // parked one failed nothing either: where the system stack shows a
        // throw and the paste cut the failing goroutine, the first left is
        // another (kubeshop/testkube#2969: a stack overflow over dots, then
        // klog's daemon in `chan receive`).
        if !self.crash.runtime_stack.is_empty()
            && (first.status.starts_with("runnable") || parked_by_its_own_call(first.status))
        {
            return None;
        }
        // A fault in C code on a thread of its own, which Go releases
        // before 1.1 printed with the goroutines as found (go-gl/gl#73): the
        // first is parked, and the goroutine in a cgo call made the call.
        // Not under a system stack: the runtime's own code faulted there.
        if first.is_waiting() && self.crash.runtime_stack.is_empty() {
            let in_c = self.goroutines.iter().position(|g| {
                g.status == "syscall" && g.frames.iter().any(|f| f.function.contains("._Cfunc_"))
            });
            if in_c.is_some() {
                return in_c;
            }
        }
        let Some(at) = failure_at.filter(|&at| first.headerless && first.offset < at) else {
            return Some(0);
        };
        let after = self.goroutines.iter().position(|g| g.offset > at);
        let whole = |g: &Goroutine<'_>| {
            g.frames.len() >= first.frames.len() || g.frames.iter().any(|f| !f.is_stdlib())
        };
        Some(after.filter(|&i| whole(&self.goroutines[i])).unwrap_or(0))
    }
}

/// A wait a goroutine enters by its own blocking call (a channel, a timer,
/// the network, a lock), not one the runtime puts a failing goroutine in
/// (`stack growth`, before Go 1.4, is the overflowing goroutine's own).
fn parked_by_its_own_call(status: &str) -> bool {
    ["chan ", "select", "sleep", "IO wait", "semacquire", "sync."]
        .iter()
        .any(|p| status.starts_with(p))
}

#[cfg(test)]
mod failing_tests {
    use super::*;

    fn frame(function: &str) -> Frame<'_> {
        Frame {
            function,
            args: Cow::Borrowed(""),
            file: "/src/x.go",
            line: 1,
            pc_offset: None,
            pc: None,
        }
    }

    fn goroutine<'a>(id: u64, status: &'a str, function: &'a str) -> Goroutine<'a> {
        Goroutine {
            id,
            status,
            frames: vec![frame(function)],
            ..Goroutine::default()
        }
    }

    /// A SIGQUIT dump prints each thread's g0 as `goroutine 0`: no
    /// goroutine of the program, not counted.
    #[test]
    fn thread_stacks_are_not_counted_as_goroutines() {
        let t = TextArtifact {
            goroutines: vec![
                goroutine(0, "idle", "runtime.mcall"),
                goroutine(1, "chan receive", "main.main"),
                goroutine(0, "idle", "runtime.futex"),
                goroutine(7, "select", "main.worker"),
            ],
            ..TextArtifact::default()
        };
        assert_eq!(t.goroutine_total(), 2);
    }

    /// Which goroutine failed when the first one printed did not: a parked
    /// first one over a goroutine in a cgo call (a fault in C, Go before
    /// 1.1) is that one's; under a system stack (the runtime's own code
    /// faulted, the GC's here) a goroutine in C is a bystander; a runnable
    /// or parked first one under a system stack is no one.
    #[test]
    fn failing_goroutine_when_the_first_did_not_fail() {
        let goroutines = vec![
            goroutine(1, "chan receive", "testing.RunTests"),
            goroutine(3, "syscall", "example.com/gl._Cfunc_glTexImage1D"),
        ];
        let mut t = TextArtifact {
            goroutines,
            ..TextArtifact::default()
        };
        t.crash.signal = Some(SignalInfo {
            name: "SIGSEGV",
            description: "segmentation violation",
            code: 1,
            addr: 0x438,
            pc: 0x7ffb_0900_5ac9,
            offset: 0,
        });
        assert_eq!(t.failing_goroutine_index(), Some(1));
        t.crash.runtime_stack = vec![frame("runtime.scanobject")];
        // Parked in its own channel receive, it failed nothing: the paste
        // cut the goroutine that did (kubeshop/testkube#2969).
        assert_eq!(t.failing_goroutine_index(), None);
        t.goroutines[0].status = "runnable";
        assert_eq!(t.failing_goroutine_index(), None);
        // Before Go 1.4 the overflowing goroutine itself reads `stack growth`.
        t.goroutines[0].status = "stack growth";
        assert_eq!(t.failing_goroutine_index(), Some(0));
    }
}
