//! Findings from crash output, goroutine dumps and race reports.

use godiag_model::{
    diff_groups, Frame, Goroutine, GoroutineGroup, InputKind, Source, TextArtifact,
};

use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};

/// One text input as the rules see it.
pub struct TextInput<'r, 'a> {
    /// Index in the report's inputs.
    pub index: usize,
    pub kind: InputKind,
    pub artifact: &'r TextArtifact<'a>,
    pub groups: &'r [GoroutineGroup<'a>],
}

impl TextInput<'_, '_> {
    fn source(&self) -> Source {
        self.kind.source().unwrap_or(Source::Crash)
    }
}

/// Runs every text rule over the inputs.
pub fn analyze_text(inputs: &[TextInput<'_, '_>]) -> Vec<Finding> {
    let mut out = Vec::new();
    for input in inputs {
        let t = input.artifact;
        for (i, race) in t.races.iter().enumerate() {
            if i < 8 {
                out.push(race_finding(input, race));
            }
        }
        if t.crash.is_failure() {
            crash_findings(input, &mut out);
        }
    }
    leak_findings(inputs, &mut out);
    out
}

/// The message → kind table shared with `godiag explain`.
pub fn classify_message(msg: &str) -> Option<FindingKind> {
    use FindingKind::*;
    const TABLE: &[(&str, FindingKind)] = &[
        ("runtime error: invalid memory address or nil pointer dereference", NilDereference),
        ("runtime error: cgo argument has Go pointer", UnsafePointerMisuse),
        ("runtime error: cgo result", UnsafePointerMisuse),
        ("runtime error: ", RuntimeError),
        ("assignment to entry in nil map", RuntimeError),
        ("interface conversion: ", RuntimeError),
        ("go of nil func value", RuntimeError),
        ("value method ", NilDereference),
        ("concurrent map ", ConcurrentMapAccess),
        ("small map with no empty slot", ConcurrentMapAccess),
        ("all goroutines are asleep - deadlock!", Deadlock),
        ("no goroutines (main called runtime.Goexit) - deadlock!", Deadlock),
        ("stack overflow", StackOverflow),
        ("runtime: split stack overflow", StackOverflow),
        ("morestack on g0", StackOverflow),
        ("morestack on gsignal", StackOverflow),
        ("out of memory", OutOfMemory),
        ("runtime: out of memory", OutOfMemory),
        ("runtime: cannot allocate memory", OutOfMemory),
        ("runtime: cannot map pages in arena address space", OutOfMemory),
        ("checkptr: ", UnsafePointerMisuse),
        ("found bad pointer in Go heap", UnsafePointerMisuse),
        ("found pointer to free object", UnsafePointerMisuse),
        ("invalid pointer found on stack", UnsafePointerMisuse),
        ("unpinned Go pointer stored into non-Go memory", UnsafePointerMisuse),
        ("sync: unlock of unlocked mutex", SyncMisuse),
        ("sync: Unlock of unlocked RWMutex", SyncMisuse),
        ("sync: RUnlock of unlocked RWMutex", SyncMisuse),
        ("sync: negative WaitGroup counter", SyncMisuse),
        ("sync: WaitGroup misuse", SyncMisuse),
        ("sync: WaitGroup is reused", SyncMisuse),
        ("sync.Cond is copied", SyncMisuse),
        ("send on closed channel", SyncMisuse),
        ("close of closed channel", SyncMisuse),
        ("close of nil channel", SyncMisuse),
        ("signal arrived during cgo execution", CgoCrash),
        ("fault", BadAddress),
        ("internal compiler error", CompilerInternalError),
        ("schedule: holding locks", RuntimeInternalError),
        ("unlock of unlocked lock", RuntimeInternalError),
        ("lock ordering problem", RuntimeInternalError),
        ("gopark: bad g status", RuntimeInternalError),
        ("checkdead: ", RuntimeInternalError),
        ("sweep increased allocation count", RuntimeInternalError),
        ("unexpected signal during runtime execution", RuntimeInternalError),
        ("panic during panic", RuntimeInternalError),
        ("panic on system stack", RuntimeInternalError),
        ("malloc deadlock", RuntimeInternalError),
    ];
    let msg = msg.trim();
    TABLE.iter().find_map(|(pat, kind)| {
        let hit = if *pat == "fault" {
            msg == "fault"
        } else {
            msg.starts_with(pat) || (pat.len() > 12 && msg.contains(pat))
        };
        hit.then_some(*kind)
    })
}

/// The frame a person would change: the first frame outside the standard
/// library and cgo's generated wrappers.
fn user_frame<'g, 'a>(frames: &'g [Frame<'a>]) -> Option<&'g Frame<'a>> {
    frames
        .iter()
        .find(|f| !f.is_stdlib() && !f.function.contains("._Cfunc_") && !f.file.ends_with("_cgo_gotypes.go") && f.function != "panic")
}

fn frame_line(f: &Frame<'_>) -> String {
    format!("{}(...) at {}:{}", f.function, f.file, f.line)
}

fn crash_findings(input: &TextInput<'_, '_>, out: &mut Vec<Finding>) {
    let t = input.artifact;
    let c = &t.crash;
    let source = input.source();
    let failing = t.failing_goroutine();
    let quit = c.fatal_signal.as_ref().is_some_and(|s| s.name == "SIGQUIT");
    if quit {
        out.push(sigquit_finding(input));
        return;
    }
    let mut lines = Vec::new();
    for p in &c.panics {
        lines.push(format!(
            "panic: {}{}",
            p.value,
            if p.repanicked && p.recovered {
                " [recovered, repanicked]"
            } else if p.recovered {
                " [recovered]"
            } else {
                ""
            }
        ));
    }
    if let Some(f) = &c.fatal_error {
        lines.push(format!("fatal error: {f}"));
    }
    if let Some(s) = &c.signal {
        lines.push(format!(
            "[signal {}: {} code={:#x} addr={:#x} pc={:#x}]",
            s.name, s.description, s.code, s.addr, s.pc
        ));
    }
    if let Some(fs) = &c.fatal_signal {
        lines.push(format!("{}: {}", fs.name, fs.description));
    }
    lines.extend(
        c.runtime_messages
            .iter()
            .filter(|m| !m.starts_with("runtime: g ") && !m.contains("unexpected return pc"))
            .take(4)
            .map(|m| m.to_string()),
    );

    let last_panic = c.panics.iter().rev().find(|p| !p.recovered).or(c.panics.last());
    let panic_kind = last_panic.map(|p| {
        classify_message(&p.value).unwrap_or(FindingKind::UserPanic)
    });
    let fatal_kind = c.fatal_error.as_deref().map(|f| {
        classify_message(f).unwrap_or_else(|| {
            if failing.is_some_and(|g| g.frames.iter().all(|f| f.is_runtime())) {
                FindingKind::RuntimeInternalError
            } else {
                FindingKind::UnknownFailure
            }
        })
    });
    let cgo = c.fatal_signal.as_ref().is_some_and(|s| s.during_cgo)
        || c.runtime_messages.iter().any(|m| m.contains("signal arrived during cgo execution"));

    // A fatal error raised by a deferred call while a panic or signal unwound:
    // the failure in flight is the root cause, the fatal error secondary.
    let in_flight = failing.and_then(|g| panic_in_flight(g).map(|i| (g, i)));
    if let (Some(fk), Some((g, panic_idx))) = (fatal_kind, in_flight) {
        if matches!(
            fk,
            FindingKind::SyncMisuse | FindingKind::ConcurrentMapAccess | FindingKind::UnknownFailure
        ) {
            let mut primary = primary_in_flight(input, g, panic_idx, last_panic.map(|p| &*p.value));
            primary.confirm(Evidence {
                source,
                summary: format!(
                    "goroutine {} was unwinding a panic when a deferred call raised `fatal error: {}`",
                    g.id,
                    c.fatal_error.as_deref().unwrap_or("")
                ),
                input: input.index,
                offset: Some(g.offset),
                lines: lines.clone(),
            });
            out.push(primary);
            let mut secondary = Finding::new(
                fk,
                format!(
                    "secondary failure: `{}` raised while the panic unwound",
                    c.fatal_error.as_deref().unwrap_or("")
                ),
                Confidence::High,
            );
            secondary.secondary = true;
            secondary.goroutine = Some(g.id);
            secondary.location = user_frame(&g.frames[..panic_idx]).map(Location::from);
            secondary.confirm(Evidence {
                source,
                summary: "raised by a deferred call during the panic; it hides the original failure".into(),
                input: input.index,
                offset: c.fatal_error_offset,
                lines: lines.clone(),
            });
            secondary.next_steps.push(
                "Fix the deferred call too: it assumes a state (a locked mutex, an open channel) that the panic did not reach".into(),
            );
            out.push(secondary);
            return;
        }
    }

    let mut kind = if cgo {
        FindingKind::CgoCrash
    } else {
        fatal_kind.or(panic_kind).unwrap_or(FindingKind::UnknownFailure)
    };
    // A nil-pointer panic whose fault address is not near zero is a bad address.
    if let Some(s) = &c.signal {
        if kind == FindingKind::NilDereference && s.addr >= 0x1000 {
            kind = FindingKind::BadAddress;
        }
        if kind == FindingKind::BadAddress && s.addr < 0x1000 && s.name == "SIGSEGV" {
            kind = FindingKind::NilDereference;
        }
    }
    let message = c
        .fatal_error
        .as_deref()
        .or(last_panic.map(|p| &*p.value))
        .unwrap_or("");
    let mut f = Finding::new(kind, title_for(kind, message, c), Confidence::High);
    let location_goroutine = match kind {
        // The main goroutine shows where the program waits forever.
        FindingKind::Deadlock => deadlock_goroutine(t),
        _ => failing,
    };
    if let Some(g) = location_goroutine {
        f.goroutine = Some(g.id);
        f.location = user_frame(&g.frames).or(g.frames.first()).map(Location::from);
        if kind == FindingKind::RuntimeInternalError {
            f.location = g.frames.first().map(Location::from);
        }
    }
    if kind == FindingKind::UnknownFailure || kind == FindingKind::RuntimeInternalError {
        f.confidence = Confidence::Medium;
    }
    let mut summary = match location_goroutine {
        Some(g) => format!("goroutine {} [{}]: {}", g.id, g.status, message.lines().next().unwrap_or("")),
        None => message.lines().next().unwrap_or("").to_string(),
    };
    if let Some(loc) = &f.location {
        summary.push_str(&format!(" at {}:{}", loc.file, loc.line));
    }
    f.confirm(Evidence {
        source,
        summary,
        input: input.index,
        offset: c.fatal_error_offset.or(c.panics.first().map(|p| p.offset)),
        lines,
    });
    if let Some(v) = t.go_version.as_deref().or(t.go_version_at_least.as_deref()) {
        if kind == FindingKind::RuntimeInternalError {
            f.title.push_str(&format!(" (Go {v})"));
        }
    }
    f.next_steps = next_steps(kind);
    out.push(f);
}

/// Index of the `panic` frame in a goroutine that was unwinding a panic.
fn panic_in_flight(g: &Goroutine<'_>) -> Option<usize> {
    g.frames
        .iter()
        .position(|f| f.function == "panic" || f.function == "runtime.gopanic")
        .filter(|&i| i > 0)
}

/// The failure that was unwinding below the `panic` frame.
fn primary_in_flight(
    input: &TextInput<'_, '_>,
    g: &Goroutine<'_>,
    panic_idx: usize,
    panic_value: Option<&str>,
) -> Finding {
    let c = &input.artifact.crash;
    let below = &g.frames[panic_idx + 1..];
    let from_signal = below
        .iter()
        .take_while(|f| f.is_runtime())
        .any(|f| f.function == "runtime.sigpanic" || f.function == "runtime.panicmem");
    let kind = match (&c.signal, panic_value) {
        (Some(s), _) if s.name == "SIGSEGV" && s.addr < 0x1000 => FindingKind::NilDereference,
        (Some(_), _) => FindingKind::BadAddress,
        (None, Some(v)) => classify_message(v).unwrap_or(FindingKind::UserPanic),
        (None, None) if from_signal => FindingKind::NilDereference,
        (None, None) => FindingKind::UnknownFailure,
    };
    let title = match kind {
        FindingKind::NilDereference => {
            "nil pointer dereference, hidden by a fatal error in a deferred call".to_string()
        }
        FindingKind::BadAddress => "invalid memory access, hidden by a fatal error in a deferred call".to_string(),
        _ => format!(
            "panic{} hidden by a fatal error in a deferred call",
            panic_value.map(|v| format!(" `{v}`")).unwrap_or_default()
        ),
    };
    let mut f = Finding::new(kind, title, if kind == FindingKind::UnknownFailure { Confidence::Medium } else { Confidence::High });
    f.goroutine = Some(g.id);
    f.location = user_frame(below).map(Location::from);
    f.next_steps = next_steps(kind);
    f
}

fn deadlock_goroutine<'r, 'a>(t: &'r TextArtifact<'a>) -> Option<&'r Goroutine<'a>> {
    // The goroutine holding everyone up is usually main; failing that the
    // first blocked goroutine with user code.
    t.goroutines
        .iter()
        .find(|g| g.id == 1 && user_frame(&g.frames).is_some())
        .or_else(|| t.goroutines.iter().find(|g| g.is_waiting() && user_frame(&g.frames).is_some()))
}

fn sigquit_finding(input: &TextInput<'_, '_>) -> Finding {
    let t = input.artifact;
    let mut f = Finding::new(
        FindingKind::UnknownFailure,
        "the process was stopped with SIGQUIT: a hang or an operator's dump",
        Confidence::Medium,
    );
    let main = t.goroutines.iter().find(|g| g.id == 1);
    if let Some(g) = main {
        f.goroutine = Some(1);
        f.location = user_frame(&g.frames).map(Location::from);
    }
    let waiting = t.goroutines.iter().filter(|g| g.is_waiting()).count();
    f.confirm(Evidence {
        source: input.source(),
        summary: format!(
            "{} goroutines, {} of them waiting{}",
            t.goroutines.len(),
            waiting,
            main.map(|g| format!("; main is in [{}]", g.status)).unwrap_or_default()
        ),
        input: input.index,
        offset: t.crash.fatal_signal.as_ref().map(|s| s.offset),
        lines: main
            .and_then(|g| user_frame(&g.frames))
            .map(frame_line)
            .into_iter()
            .collect(),
    });
    f.next_steps = vec![
        "Look at what main and the largest goroutine groups wait for; a second dump a few seconds later shows whether anything moves".into(),
        "Take a goroutine dump with /debug/pprof/goroutine?debug=2 instead of SIGQUIT to keep the process alive".into(),
    ];
    f
}

fn title_for(kind: FindingKind, message: &str, c: &godiag_model::Crash<'_>) -> String {
    let first = message.lines().next().unwrap_or("");
    match kind {
        FindingKind::NilDereference => "nil pointer dereference".into(),
        FindingKind::BadAddress => match (c.signal.as_ref(), c.fault_address) {
            (Some(s), _) => format!("invalid memory access ({} at address {:#x})", s.name, s.addr),
            (None, Some(a)) => format!("invalid memory access at address {a:#x}"),
            _ => "invalid memory access".into(),
        },
        FindingKind::CgoCrash => match c.fatal_signal.as_ref() {
            Some(s) => format!("{} in C code called through cgo", s.name),
            None => "crash in C code called through cgo".into(),
        },
        FindingKind::UserPanic => format!("panic: {first}"),
        FindingKind::Deadlock => "deadlock: all goroutines are asleep".into(),
        _ => first.to_string(),
    }
}

fn next_steps(kind: FindingKind) -> Vec<String> {
    let s: &[&str] = match kind {
        FindingKind::NilDereference => &[
            "Find which pointer, map value or interface at the location can be nil on this path, and guard or initialise it",
            "To see the registers and the exact instruction, reproduce with GOTRACEBACK=crash and ulimit -c unlimited and analyse the core",
        ],
        FindingKind::BadAddress => &[
            "Look for unsafe.Pointer arithmetic, cgo memory or mmapped files read past their end at the location",
            "Build with -race (it enables checkptr) to catch bad unsafe conversions earlier",
        ],
        FindingKind::UnsafePointerMisuse => &[
            "Check the unsafe.Pointer conversions and cgo calls at the location against the unsafe.Pointer rules",
            "Run the tests with -race or -gcflags=all=-d=checkptr",
        ],
        FindingKind::ConcurrentMapAccess => &[
            "Only one side of the conflict is in this trace: run the program or its tests with -race to see the other access",
            "Guard the map with a sync.Mutex / sync.RWMutex or use sync.Map",
        ],
        FindingKind::DataRace => &[
            "Protect both accesses with the same mutex, or use sync/atomic or a channel",
        ],
        FindingKind::Deadlock => &[
            "Find who should have sent, unlocked or called Done for the operation main waits on",
        ],
        FindingKind::StackOverflow => &[
            "Break the recursion: add a base case or an explicit depth limit; for String()/Error() methods, do not format the receiver itself with %v",
        ],
        FindingKind::OutOfMemory => &[
            "Check the size requested at the location; take heap profiles over time to tell one huge allocation from steady growth",
        ],
        FindingKind::SyncMisuse => &[
            "Pair every Unlock/Done/close with exactly one Lock/Add/owner; run with -race to find the concurrent path",
        ],
        FindingKind::RuntimeError => &[
            "Check the bounds, divisor, type or map initialisation at the location",
        ],
        FindingKind::UserPanic => &[
            "Read the panic value and the code that raised it at the location",
        ],
        FindingKind::RuntimeInternalError => &[
            "Rule out memory corruption from unsafe or cgo first (build with -race, run with GODEBUG=cgocheck=1)",
            "If it persists on the latest Go release, report it to the Go team with this output",
        ],
        FindingKind::CgoCrash => &[
            "The fault is in C code: build the C side with -g and analyse the core, or run under gdb",
        ],
        FindingKind::GoroutineLeak => &[
            "Give the blocked operation a way out: a context with cancellation, a timeout, or a closed channel",
            "Take two dumps some minutes apart and compare the group's size (godiag analyze both files)",
        ],
        _ => &["Collect more evidence: a core dump, profiles and an execution trace of the same process"],
    };
    s.iter().map(|x| x.to_string()).collect()
}

fn race_finding(input: &TextInput<'_, '_>, race: &godiag_model::RaceReport<'_>) -> Finding {
    let current = race.accesses.iter().find(|a| !a.previous).or(race.accesses.first());
    let previous = race.accesses.iter().find(|a| a.previous);
    let mut f = Finding::new(FindingKind::DataRace, "data race", Confidence::High);
    if let Some(a) = current {
        f.goroutine = Some(a.goroutine);
        f.location = user_frame(&a.frames).or(a.frames.first()).map(Location::from);
        if let (Some(p), Some(loc)) = (previous, &f.location) {
            let prev_loc = user_frame(&p.frames).or(p.frames.first());
            f.title = format!(
                "data race: {} in {} and {} in {}",
                a.op,
                loc.function,
                p.op,
                prev_loc.map_or("?", |x| x.function)
            );
        }
    }
    let mut lines = Vec::new();
    for a in &race.accesses {
        lines.push(format!(
            "{}{} at {:#x} by goroutine {}{}",
            if a.previous { "previous " } else { "" },
            a.op,
            a.addr,
            a.goroutine,
            user_frame(&a.frames)
                .map(|x| format!(": {}", frame_line(x)))
                .unwrap_or_default()
        ));
    }
    for g in &race.goroutines {
        lines.push(format!(
            "goroutine {} ({}) created at {}",
            g.id,
            g.state,
            user_frame(&g.created_at).map(frame_line).unwrap_or_default()
        ));
    }
    f.confirm(Evidence {
        source: Source::Race,
        summary: "the race detector saw two unsynchronised accesses to one address".into(),
        input: input.index,
        offset: Some(race.offset),
        lines,
    });
    f.next_steps = next_steps(FindingKind::DataRace);
    f
}

/// Statuses in which a goroutine waits for another goroutine (not for I/O or time).
fn blocked_on_peer(status: &str) -> bool {
    status.starts_with("chan ")
        || status.starts_with("select")
        || status.starts_with("sync.")
        || status == "semacquire"
}

fn leak_findings(inputs: &[TextInput<'_, '_>], out: &mut Vec<Finding>) {
    let dumps: Vec<&TextInput<'_, '_>> = inputs
        .iter()
        .filter(|i| !i.artifact.goroutines.is_empty() && !i.artifact.crash.is_failure())
        .collect();
    let mut reported = false;
    // Two dumps of one process: groups that grew.
    if dumps.len() >= 2 {
        let (a, b) = (dumps[dumps.len() - 2], dumps[dumps.len() - 1]);
        let diffs = diff_groups(a.groups, b.groups);
        for d in diffs.iter().take(3) {
            let Some(li) = d.later else { continue };
            let g = &b.groups[li];
            if d.growth() <= 0 || !blocked_on_peer(g.status) || d.after < 10 {
                continue;
            }
            let mut f = Finding::new(
                FindingKind::GoroutineLeak,
                format!(
                    "goroutine leak: {} goroutines blocked in [{}] grew from {} to {}",
                    d.after, g.status, d.before, d.after
                ),
                Confidence::High,
            );
            f.location = user_frame(&g.frames).map(Location::from);
            for (inp, n) in [(a, d.before), (b, d.after)] {
                f.confirm(Evidence {
                    source: inp.source(),
                    summary: format!("{n} goroutines in this group"),
                    input: inp.index,
                    offset: None,
                    lines: Vec::new(),
                });
            }
            f.next_steps = next_steps(FindingKind::GoroutineLeak);
            out.push(f);
            reported = true;
        }
    }
    if reported {
        return;
    }
    // One dump: a large group parked on a peer, the longer the stronger.
    for input in &dumps {
        let total = input.artifact.goroutines.len();
        for g in input.groups.iter().take(3) {
            let minutes = g.wait_minutes.map_or(0, |(lo, _)| lo);
            if !blocked_on_peer(g.status) || g.count < 50.max(total / 5) {
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
                format!(
                    "possible goroutine leak: {} of {} goroutines blocked in [{}]{}",
                    g.count,
                    total,
                    g.status,
                    if minutes > 0 { format!(" for at least {minutes} minutes") } else { String::new() }
                ),
                conf,
            );
            f.location = user_frame(&g.frames).map(Location::from);
            f.confirm(Evidence {
                source: input.source(),
                summary: format!("{} goroutines share this stack", g.count),
                input: input.index,
                offset: None,
                lines: g.frames.iter().take(4).map(frame_line).collect(),
            });
            f.next_steps = next_steps(FindingKind::GoroutineLeak);
            out.push(f);
            break;
        }
    }
}
