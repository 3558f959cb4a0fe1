//! Findings from a printed failure: panics, fatal errors, signals, out of
//! memory, the compiler's internal errors; what was raised while another
//! failure unwound is secondary to it.

use godiag_model::{Frame, Goroutine, TextArtifact};

use crate::catalog;
use crate::deadlockrules::{awaited_by_main, deadlock_goroutine, reader_behind_writer};
use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::frames::{
    below_logger_panic, below_recovery_handler, frame_line, is_cgo_wrapper, is_failure_machinery,
    is_logging_method, is_panic_frame, is_runtime_throw, is_unaligned_atomic_fault, past_runtime,
    raising_frame, stack_cycle, user_frame,
};
use crate::input::TextInput;
use crate::steps::{next_steps, steps_for};
use crate::testtimeout::{hung_test_goroutine, stalled_child, timeout_headline};
use godiag_model::text::is_test_timeout;

/// The kind the catalog gives a printed message value, if any. Catalog
/// entries are one line: a multi-line value is classified by its first,
/// or by its first two rejoined when a copy broke the message.
pub fn classify_message(msg: &str) -> Option<FindingKind> {
    // Rejoined first: a broken line's first part may match a shorter,
    // generic entry (`runtime error: `) by itself.
    rejoined_message(msg)
        .and_then(|m| catalog::classify(&m).map(|e| e.kind))
        .or_else(|| message_forms(msg).find_map(|m| catalog::classify(m).map(|e| e.kind)))
}

/// A message a terminal or a copy broke onto a second line, joined again:
/// right after the runtime's opening words (`interface conversion:` over
/// `interface {} is nil, not string`, packethost/terraform-provider-packet#239),
/// between two words (`runtime error: invalid` over `memory address or nil
/// pointer dereference`, perkeep/perkeep#466) or inside one (`... memory
/// addres` over `s or nil pointer dereference`, robfig/cron#301). Only
/// when the first line begins a catalog message that goes on past it.
fn rejoined_message(msg: &str) -> Option<String> {
    let mut lines = msg.lines();
    let first = lines.next()?.trim();
    let second = lines.next()?.trim();
    if second.is_empty() || first.len() < "runtime error: ".len() {
        return None;
    }
    let messages = &catalog::catalog().messages;
    // The joined lines must be the message the first begins, not only
    // start it (`runtime error: index out of range` of Go before 1.12,
    // followed by `exit status 2`, begins the later `... range [`).
    [" ", ""].into_iter().find_map(|join| {
        let joined = format!("{first}{join}{second}");
        messages
            .iter()
            .any(|m| m.text.len() > first.len() && m.text.starts_with(first) && m.matches(&joined))
            .then_some(joined)
    })
}

/// The forms a printed value may hold its runtime message in: as printed,
/// the part in its last parentheses (Kubernetes logs `"msg" (runtime
/// error: msg)`), without quotes, and behind a wrapper's words (`recovered
/// from errgroup.Group: assignment to entry in nil map`, gohugoio/hugo#13853)
/// when what follows a `: ` is the runtime's own message.
fn message_forms(msg: &str) -> impl Iterator<Item = &str> {
    let first = msg.lines().next().unwrap_or("").trim();
    // Go ≤1.3 printed channel misuse as `runtime error: close of closed channel`.
    let specific = first.strip_prefix("runtime error: ").filter(|rest| {
        catalog::classify(rest).is_some_and(|e| e.kind != FindingKind::RuntimeError)
    });
    let in_parens = first
        .strip_suffix(')')
        .and_then(|b| b.rfind(" (").map(|i| &b[i + 2..]));
    let unquoted = first
        .strip_prefix('"')
        .and_then(|b| b.split_once('"'))
        .map(|(inner, _)| inner);
    // Only the runtime's own words: a `runtime error: ...` or a whole
    // message of the catalog, not a phrase a program's message may share
    // (`redislock: unlock of unlocked lock`).
    let wrapped = first
        .match_indices(": ")
        .map(move |(at, _)| &first[at + 2..])
        .filter(|tail| {
            tail.starts_with("runtime error: ")
                || catalog::catalog().messages.iter().any(|m| m.text == *tail)
        });
    specific
        .into_iter()
        .chain(std::iter::once(first))
        .chain(in_parens)
        .chain(unquoted)
        .chain(wrapped)
}

pub(crate) fn crash_findings(input: &TextInput<'_, '_>, out: &mut Vec<Finding>) {
    let t = input.artifact;
    let c = &t.crash;
    let source = input.source();
    // Without a goroutine (an excerpt of the system stack only), the frames
    // of `runtime stack:` show where it failed.
    let system_stack;
    let failing = match t.failing_goroutine() {
        Some(g) => Some(g),
        None if !c.runtime_stack.is_empty() => {
            system_stack = Goroutine {
                status: "running",
                frames: c.runtime_stack.clone(),
                ..Goroutine::default()
            };
            Some(&system_stack)
        }
        None => None,
    };
    if t.is_dump_request() {
        out.push(dump_request_finding(input));
        return;
    }
    if let Some(line) = c.compiler_error {
        out.push(compiler_finding(input, line));
        return;
    }
    let mut lines = Vec::new();
    for p in &c.panics {
        lines.push(format!(
            "panic: {}{}",
            if p.value_unread {
                "(its value was logged in words godiag does not read)"
            } else {
                &p.value
            },
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
    lines.extend(c.fault_notes.iter().cloned());
    lines.extend(
        c.runtime_messages
            .iter()
            .filter(|m| !m.starts_with("runtime: g ") && !m.contains("unexpected return pc"))
            .take(4)
            .map(|m| m.to_string()),
    );

    let last_panic = c
        .panics
        .iter()
        .rev()
        .find(|p| !p.recovered)
        .or(c.panics.last());
    let panic_kind =
        last_panic.map(|p| classify_message(&p.value).unwrap_or(FindingKind::UserPanic));
    // The runtime's own lines, when the fatal error line itself was not kept.
    let runtime_message_kind = c
        .runtime_messages
        .iter()
        .filter(|m| godiag_model::text::is_failure_message(m))
        .find_map(|m| classify_message(m))
        .map(|k| {
            // A bad pointer inside a stack span (mSpanManual) is the
            // runtime's own memory: a runtime bug, not the program's unsafe code.
            let in_stack = c
                .runtime_messages
                .iter()
                .any(|m| m.contains("s.state=mSpanManual"));
            if k == FindingKind::UnsafePointerMisuse && in_stack {
                FindingKind::RuntimeInternalError
            } else {
                k
            }
        });
    // An uncatalogued throw from inside the runtime (the frame below
    // `runtime.throw` is the runtime's own: `fatal error: entersyscall`):
    // its state is inconsistent, not a misuse the catalog would name.
    let thrown_inside = failing.is_some_and(|g| {
        g.frames
            .iter()
            .position(|f| is_runtime_throw(f.function) || f.function == "runtime.fatal")
            .and_then(|i| g.frames.get(i + 1))
            .is_some_and(|f| f.in_runtime_package())
    });
    // A fatal error the catalog lacks, with no frame of the program under
    // it, is the runtime finding its own state broken; with no stack pasted
    // at all, only when the runtime's own lines came with it (`runtime:`
    // diagnostics, a signal, a runtime stack: `fatal error: acquirep:
    // invalid p state` in a journal): a program logs "fatal error:" too.
    let runtime_evidence =
        !c.runtime_messages.is_empty() || c.signal.is_some() || !c.runtime_stack.is_empty();
    let fatal_kind = c.fatal_error.as_deref().map(|f| {
        classify_message(f).unwrap_or_else(|| {
            let runtime_only = match failing {
                Some(g) => g.frames.iter().all(|f| f.is_runtime()),
                None => runtime_evidence,
            };
            if thrown_inside || runtime_only {
                FindingKind::RuntimeInternalError
            } else {
                FindingKind::UnknownFailure
            }
        })
    });
    // A fault while the failing goroutine was in a cgo call (its innermost
    // frames are the runtime's cgo entry, or on Windows the DLL call of
    // `syscall.Syscall*`) happened in C code, as does one the runtime
    // reports as arriving during cgo execution.
    // A paste may keep the fatal error that names the signal and lose the
    // signal's own line (pebbe/go-proj-4#6).
    let faulted = c.signal.is_some()
        || c.fatal_error.as_deref() == Some("unexpected signal during runtime execution")
        || c.fatal_signal.as_ref().is_some_and(|s| {
            matches!(s.name, "SIGSEGV" | "SIGBUS" | "SIGILL" | "SIGFPE")
                || s.name.starts_with("EXCEPTION_")
        });
    // Releases before Go 1 showed no runtime frame above cgo's wrapper of
    // a C function (go-gl/gl#73: `_Cfunc_glTexImage1D` on top).
    let in_cgo_call = faulted
        && failing.is_some_and(|g| {
            g.frames
                .iter()
                .take_while(|f| f.is_stdlib())
                .any(|f| is_cgo_entry(f))
                || g.frames.first().is_some_and(|f| calls_c(f.function))
        });
    // The runtime knows every pc of Go code: the signal's own pc, which it
    // cannot place (`runtime: unknown pc 0x..`), is in C code (a library
    // linked through cgo).
    let outside_go = faulted
        && c.fatal_signal
            .as_ref()
            .and_then(|s| s.pc)
            .is_some_and(|pc| {
                let unknown = format!("runtime: unknown pc {pc:#x}");
                c.runtime_messages.iter().any(|m| *m == unknown)
            });
    let cgo = c.fatal_signal.as_ref().is_some_and(|s| s.during_cgo)
        || in_cgo_call
        || outside_go
        || c.runtime_messages
            .iter()
            .any(|m| m.contains("signal arrived during cgo execution"));

    // A fatal error raised by a deferred call while a panic or signal unwound:
    // the failure in flight is the root cause, the fatal error secondary.
    let in_flight = failing.and_then(|g| panic_in_flight(g).map(|i| (g, i)));
    if let (Some(fk), None) = (fatal_kind, in_flight) {
        // No frames of the unwinding, but a `[signal` line under a fatal
        // error that is no fault of its own: the fault was in flight.
        let fault_in_flight = c
            .signal
            .as_ref()
            .is_some_and(|s| matches!(s.name, "SIGSEGV" | "SIGBUS"))
            && matches!(fk, FindingKind::SyncMisuse | FindingKind::UnknownFailure)
            && c.panics.is_empty();
        if fault_in_flight {
            secondary_without_frames(input, failing, fk, &lines, out);
            return;
        }
    }
    if let (Some(fk), Some((g, panic_idx))) = (fatal_kind, in_flight) {
        if matches!(
            fk,
            FindingKind::SyncMisuse
                | FindingKind::ConcurrentMapAccess
                | FindingKind::UnknownFailure
        ) {
            let mut primary = primary_in_flight(input, g, panic_idx, last_panic.map(|p| &*p.value));
            primary.confirm(Evidence {
                source,
                summary: format!(
                    "{} was unwinding a panic when a deferred call raised `fatal error: {}`",
                    g.name(),
                    c.fatal_error.as_deref().unwrap_or("")
                ),
                input: input.index,
                offset: Some(g.offset),
                lines: lines.clone(),
                goroutines: None,
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
            secondary.goroutine = g.known_id();
            secondary.location = user_frame(&g.frames[..panic_idx]).map(Location::from);
            secondary.confirm(Evidence {
                source,
                summary:
                    "raised by a deferred call during the panic; it hides the original failure"
                        .into(),
                input: input.index,
                offset: c.fatal_error_offset,
                lines: lines.clone(),
                goroutines: None,
            });
            secondary.next_steps.push(
                "Fix the deferred call too: it assumes a state (a locked mutex, an open channel) that the panic did not reach".into(),
            );
            out.push(secondary);
            return;
        }
    }

    // A memory fault known only from its signal (a core dump's goroutine,
    // or crash text whose panic line was lost).
    let signal_kind = c.signal.as_ref().and_then(|s| match s.name {
        // The runtime's poison for pointers it has invalidated: whoever
        // loaded it read memory the runtime (its GC) had given up.
        _ if s.addr == RUNTIME_POISON => Some(FindingKind::RuntimeInternalError),
        "SIGSEGV" if s.addr < 0x1000 => Some(FindingKind::NilDereference),
        "SIGSEGV" | "SIGBUS" => Some(FindingKind::BadAddress),
        _ => None,
    });
    // The fault was fetching an instruction (pc == addr): the program
    // jumped to an address that is not code, through a corrupted function
    // pointer or return address. With no frame of the program on the
    // stack, nothing points at the program's code: memory corruption.
    // Only for an access fault: for an arithmetic fault, an illegal
    // instruction or a trap the kernel gives the instruction's own address
    // as `addr`, so pc == addr there says nothing.
    let jumped_off_code = c.signal.as_ref().is_some_and(|s| {
        s.pc != 0 && s.pc == s.addr && !matches!(s.name, "SIGFPE" | "SIGILL" | "SIGTRAP")
    }) && failing.is_none_or(|g| user_frame(&g.frames).is_none());
    // A fault in the runtime's own code whose stack the traceback could not
    // walk (`runtime: unexpected return pc`), with no frame of the program
    // on it: a corrupted stack, not a bad pointer of the program.
    let corrupt_runtime_stack = c.signal.is_some()
        && c.runtime_messages
            .iter()
            .any(|m| m.contains("unexpected return pc"))
        && failing.is_some_and(|g| {
            !g.frames.is_empty() && g.frames.iter().all(|f| f.in_runtime_package())
        });
    // An illegal instruction in the runtime's own code, with nothing else
    // said (no fatal error, no panic): the runtime ran an instruction the
    // CPU lacks (fatedier/frp#1703: Go 1.14's asyncPreempt saving
    // floating-point registers on a softfloat MIPS, golang/go#37653).
    // A SIGILL another process sent (`kill -ILL`: sigcode 0, SI_USER, or
    // negative) lands wherever the thread was and says nothing of the code.
    let runtime_sigill = fatal_kind.is_none()
        && panic_kind.is_none()
        && c.fatal_signal
            .as_ref()
            .is_some_and(|s| s.name == "SIGILL" && s.sigcode.is_some_and(|code| code > 0))
        && failing
            .and_then(|g| g.frames.first())
            .is_some_and(|f| f.in_runtime_package() && !is_cgo_entry(f));
    let called_nil = called_nil(c);
    // A fatal SIGBUS the runtime could not turn into a panic: an access to
    // memory that is mapped but cannot be backed (a truncated mapped file,
    // a code page patched under the thread: bytedance/mockey#68).
    let bus_error = c.fatal_signal.as_ref().is_some_and(|s| s.name == "SIGBUS");
    let runtime_fault = jumped_off_code
        || runtime_sigill
        || corrupt_runtime_stack
        || c.signal.as_ref().is_some_and(|s| s.addr == RUNTIME_POISON);
    // The runtime's own abort (an INT3 after it printed why: `fatal:
    // morestack on g0`) is no fault of C code, even when it struck during a
    // cgo call: the message says what failed.
    let runtime_abort =
        fatal_kind.is_some() && c.fatal_signal.as_ref().is_some_and(|s| s.name == "SIGTRAP");
    let mut kind = if cgo && !runtime_abort {
        FindingKind::CgoCrash
    } else if runtime_fault {
        FindingKind::RuntimeInternalError
    } else {
        fatal_kind
            .or(panic_kind)
            .or(runtime_message_kind)
            .or(signal_kind)
            .or(bus_error.then_some(FindingKind::BadAddress))
            .or(called_nil.then_some(FindingKind::NilDereference))
            .or(in_page_error(c).then_some(FindingKind::BadAddress))
            .unwrap_or(FindingKind::UnknownFailure)
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
    // Before Go 1.16 the 32-bit ARM atomics faulted on purpose on an
    // unaligned 64-bit address (`sync/atomic/64bit_arm.go`), printed as a
    // memory fault in the atomic call: the misuse, not a nil pointer. Go
    // 1.6 and 1.7 print the `panic` frame above it (synocommunity/
    // spksrc#2400).
    let unaligned_atomic = matches!(kind, FindingKind::NilDereference | FindingKind::BadAddress)
        && failing
            .and_then(|g| g.frames.iter().find(|f| !is_failure_machinery(f.function)))
            .is_some_and(is_unaligned_atomic_fault);
    if unaligned_atomic {
        kind = FindingKind::SyncMisuse;
    }
    let message = if unaligned_atomic {
        "unaligned 64-bit atomic operation"
    } else {
        // Without a fatal error or panic, the runtime's own line that gave
        // the kind (`futexwakeup addr=0x.. returned -89`) says what failed.
        c.fatal_error
            .as_deref()
            .or(last_panic.map(|p| &*p.value))
            .or_else(|| {
                c.runtime_messages.iter().copied().find(|m| {
                    godiag_model::text::is_failure_message(m) && classify_message(m) == Some(kind)
                })
            })
            .unwrap_or("")
    };
    // A test's timeout: the hung test, when its goroutine is in the input.
    let timeout = is_test_timeout(message);
    let hung = timeout.then(|| hung_test_goroutine(t)).flatten();
    // The goroutines the hung test started, all stalled at one place: what
    // it waits for, and where it stalled.
    let stalled = hung.and_then(|h| stalled_child(t, h));
    // Or a reader queued behind a writer that waits for it.
    let reader = (timeout && stalled.is_none())
        .then(|| reader_behind_writer(t))
        .flatten();
    let mut f = Finding::new(kind, title_for(kind, message, c), Confidence::High);
    if timeout {
        let alarm = timeout_headline(message, c);
        f.title = match (hung, stalled, &reader) {
            (_, _, Some(r)) => format!("{alarm}: the test hung; {}", r.words()),
            (Some(h), Some(s), None) => format!(
                "{alarm}: the test hung; {} waits in [{}] for {}, which it started and which is blocked in [{}]",
                h.name(),
                h.status,
                s.name(),
                s.status
            ),
            (Some(h), None, None) => format!(
                "{alarm}: the test hung; {} waits in [{}]",
                h.name(),
                h.status
            ),
            (None, _, None) => {
                format!("{alarm}: a hang, but no goroutine of the hung test is in the input")
            }
        };
    }
    let location_goroutine = match kind {
        // The harness's goroutines wait for the test: they locate nothing.
        _ if timeout => stalled.or(reader.as_ref().map(|r| r.blamed())).or(hung),
        // The main goroutine shows where the program waits forever.
        FindingKind::Deadlock => deadlock_goroutine(t),
        _ => failing,
    };
    // No stack at all: `runtime: bad pointer in frame F at ADDR` still
    // names the function whose frame held the pointer.
    if location_goroutine.is_none() {
        f.location = bad_pointer_location(t);
    }
    if let Some(g) = location_goroutine {
        f.goroutine = g.known_id();
        f.location = raising_frame_of(kind, c, &g.frames)
            .or_else(|| {
                // A crash in C made by the standard library (net's
                // getaddrinfo): the Go function that called the cgo
                // wrapper; when the paste stops at the wrapper, the
                // wrapper, which still names the C function.
                (kind == FindingKind::CgoCrash)
                    .then(|| {
                        let w = g.frames.iter().position(|f| is_cgo_wrapper(f.function))?;
                        g.frames[w + 1..]
                            .iter()
                            .find(|f| {
                                !f.is_runtime()
                                    && !is_cgo_wrapper(f.function)
                                    && !is_cgo_shim(f.function)
                            })
                            .or(g.frames.get(w))
                    })
                    .flatten()
            })
            // No frame of the program: the standard library's that failed,
            // not the runtime's panic machinery above it (shown with
            // `GOTRACEBACK=system`); else the runtime's own function that
            // failed, not the machinery that reported it (`runtime.throw`
            // is no place). Memory ran out for the whole program: without
            // its frame, the allocator is no place either.
            .or_else(|| past_runtime(&g.frames))
            .or_else(|| {
                (kind != FindingKind::OutOfMemory)
                    .then(|| g.frames.iter().find(|f| !is_failure_machinery(f.function)))
                    .flatten()
            })
            .map(Location::from);
        // `runtime: bad pointer in frame F at ADDR` names the function
        // whose frame held the pointer, when the stacks do not show it.
        if f.location
            .as_ref()
            .is_none_or(|l| godiag_model::goroutine::is_stdlib_function(&l.function))
        {
            if let Some(l) = bad_pointer_location(t) {
                f.location = Some(l);
            }
        }
        // An illegal instruction of the runtime's own code: the program's
        // frames below were only interrupted there (v2ray-openwrt#20:
        // `runtime.asyncPreempt` over `uuid.ParseString`).
        if runtime_sigill {
            f.location = g.frames.first().map(Location::from);
        }
        // A panic recovered by a handler (which logged it, or re-panicked):
        // the frames above the `panic` frame are the handler's, the panic
        // was raised below it.
        if raised_by_panic(kind) {
            if let Some(i) = panic_in_flight(g) {
                // Below it, the program's frame, else the standard
                // library's; a paste cut at the `panic` frame has no
                // place: the handler above is not where it failed.
                let below = &g.frames[i + 1..];
                let raised = raising_frame_of(kind, c, below).or_else(|| past_runtime(below));
                // A panic while panicking (`panic: A` then `\tpanic: B`, no
                // `[recovered]`): the deferred call above failed too, and
                // its place is what is left when the paste cut the first's
                // (woodpecker-ci/woodpecker#4652).
                let nested = t.crash.panics.len() >= 2 && !t.crash.panics[0].recovered;
                f.location = match raised {
                    Some(frame) => Some(Location::from(frame)),
                    None if nested => f.location.take(),
                    None => None,
                };
            } else if c.panics.iter().any(|p| p.logged || p.recovered) {
                if let Some(frame) = below_recovery_handler(&g.frames)
                    .and_then(|below| raising_frame_of(kind, c, below))
                {
                    f.location = Some(Location::from(frame));
                } else if reraised_as_recovered(c) && only_a_deferred_closure(g) {
                    // The paste stops at the closure that recovered it
                    // and raised it again (controller-runtime's
                    // `Reconcile.func1` alone, rancher/elemental-operator#767):
                    // where it was raised is cut off. A new panic the
                    // closure raised itself is the closure's.
                    f.location = None;
                }
            }
        }
        // A panic raised through a logger's Panic method: the program's
        // call below the logger, none when the paste stops at the logger.
        if kind == FindingKind::UserPanic {
            let from = panic_in_flight(g).map_or(0, |i| i + 1);
            if let Some(below) = below_logger_panic(&g.frames[from..]) {
                f.location = user_frame(&g.frames[from + below..]).map(Location::from);
            }
            // `Log in goroutine after TestX has completed`: testing's log
            // raised it for whoever logged; a logging library's methods
            // between it and the program pass the call on (qmsk/snmpbot#30).
            let late_log = t
                .crash
                .panics
                .iter()
                .any(|p| p.value.starts_with("Log in goroutine after "));
            if late_log {
                if let Some(logger) = g
                    .frames
                    .iter()
                    .position(|fr| !fr.is_stdlib() && !is_logging_method(fr.function))
                {
                    f.location = user_frame(&g.frames[logger..]).map(Location::from);
                }
            }
        }
        if kind == FindingKind::StackOverflow {
            if let Some((start, period)) = stack_cycle(&g.frames) {
                let cycle = &g.frames[start..start + period];
                if let Some(u) = user_frame(cycle) {
                    f.location = Some(Location::from(u));
                }
                let names: Vec<&str> = cycle
                    .iter()
                    .filter(|f| f.file != "<autogenerated>")
                    .map(|f| f.function)
                    .collect();
                f.title = format!(
                    "stack overflow: unbounded recursion through {}",
                    names.join(" → ")
                );
            } else if let Some(m) = g.frames.iter().find(|fr| is_formatting_method(fr)) {
                // No repeat shown (an excerpt): a program's own String or
                // MarshalJSON under a formatter is the classic recursion,
                // the method formatting its own receiver again.
                f.location = Some(Location::from(m));
            }
        }
        if kind == FindingKind::ConcurrentMapAccess {
            if let Some(loc) = &f.location {
                // The runtime reports the access that noticed the conflict.
                // Its output cannot show the other party, which runs on
                // another thread ("stack unavailable"); a core can.
                let other = input
                    .kind
                    .is_process_image()
                    .then(|| other_map_user(t, g))
                    .flatten();
                if other.is_none() {
                    f.gaps.push(crate::finding::Gap::OtherAccessor);
                }
                // Text (GOTRACEBACK=all) may show another goroutine stopped
                // at the same access, preempted there rather than inside
                // the map code: the likely other party, not a proved one.
                let at_same_line: Vec<&godiag_model::Goroutine<'_>> = if other.is_none() {
                    t.goroutines
                        .iter()
                        .filter(|o| {
                            o.id != g.id
                                && user_frame(&o.frames).is_some_and(|u| {
                                    u.function == loc.function
                                        && u.line == loc.line
                                        && u.file == loc.file
                                })
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let same_line = at_same_line.first().copied();
                let more = match at_same_line.len() {
                    0 | 1 => String::new(),
                    n => format!(" (and {} more)", n - 1),
                };
                for o in &at_same_line {
                    lines.push(format!(
                        "{} [{}] is at the same line {}:{}",
                        o.name(),
                        o.status,
                        loc.file,
                        loc.line
                    ));
                }
                f.title = match other {
                    Some((id, _, at)) => format!(
                        "{} in {} (goroutine {}), against goroutine {id} in {} (line {}) inside the map code at the same moment",
                        message.lines().next().unwrap_or(""),
                        loc.function,
                        g.id,
                        at.function,
                        at.line
                    ),
                    None => match same_line {
                        Some(o) => format!(
                            "{} in {}; {}{more} is at the same line ({}:{}), likely the other access (confirm with -race)",
                            message.lines().next().unwrap_or(""),
                            loc.function,
                            o.name(),
                            loc.file.rsplit('/').next().unwrap_or(&loc.file),
                            loc.line
                        ),
                        None => format!(
                            "{} in {}; the other goroutine's access is not in the trace (find it with -race)",
                            message.lines().next().unwrap_or(""),
                            loc.function
                        ),
                    },
                };
                if let Some((id, status, at)) = other {
                    lines.push(format!(
                        "goroutine {id} [{status}] at {}:{} ({}), inside the map code",
                        at.file, at.line, at.function
                    ));
                }
            }
        }
        if kind == FindingKind::Deadlock && !timeout {
            let awaited = awaited_by_main(t).filter(|a| a.goroutine.id == g.id);
            let reader = reader_behind_writer(t).filter(|r| r.blamed().id == g.id);
            let why = match (awaited, reader) {
                (Some(a), _) => a.words(),
                (None, Some(r)) => r.words(),
                (None, None) => format!("{} waits in [{}]", g.name(), g.status),
            };
            f.title = format!("deadlock: every goroutine is blocked; {why}");
        }
        // Panics raised while earlier ones unwound (nested, or recovered and
        // re-panicked): the first one is the root cause, raised below the
        // outermost `panic` frame.
        let chained = c.panics.len() >= 2 || c.panics.iter().any(|p| p.repanicked);
        let failed_recovery = (chained && c.fatal_error.is_none())
            .then(|| recovery_that_failed(c, g))
            .flatten();
        if let Some(broken) = failed_recovery {
            f.kind = broken.kind;
            f.title = broken.title;
            f.location = broken.location;
            kind = broken.kind;
        } else if chained && c.fatal_error.is_none() {
            if let Some(i) = panic_in_flight(g) {
                if let Some(u) = user_frame(&g.frames[i + 1..]) {
                    f.location = Some(Location::from(u));
                }
                if let Some(first) = c.panics.first() {
                    kind = classify_message(&first.value).unwrap_or(FindingKind::UserPanic);
                    f.kind = kind;
                    f.title = title_for(kind, &first.value, c);
                    let last = c
                        .panics
                        .last()
                        .map(|p| p.value.to_string())
                        .unwrap_or_default();
                    if last != first.value {
                        f.title
                            .push_str(&format!(" (then `{last}` while it unwound)"));
                    } else {
                        f.title.push_str(" (recovered and re-panicked)");
                    }
                }
            }
        }
    }
    if kind == FindingKind::UnknownFailure || kind == FindingKind::RuntimeInternalError {
        f.confidence = Confidence::Medium;
    }
    // A panic known only from a stack through panic.go: what it was is a guess.
    if last_panic.is_some_and(|p| p.value_unread) {
        f.title = "a recovered panic (its stack runs through the runtime's panic.go; the value was logged in words godiag does not read)".into();
        f.confidence = Confidence::Medium;
    }
    // A test may also just be slower than its `-timeout`.
    if timeout {
        f.confidence = if hung.is_some() {
            Confidence::Medium
        } else {
            Confidence::Low
        };
    }
    // The message, or for a fault known only by its signal, the signal.
    let headline = match (message.lines().next(), &c.signal, &c.fatal_signal) {
        (Some(m), _, _) if !m.is_empty() => m.to_string(),
        (_, Some(s), _) => format!("{} at address {:#x}, pc {:#x}", s.name, s.addr, s.pc),
        // A fatal signal with no message (a fault in C code): its name.
        (_, None, Some(s)) => format!("{}: {}", s.name, s.description),
        _ if !c.panics.is_empty() => "a panic with an empty value".into(),
        _ => String::new(),
    };
    let mut summary = match (location_goroutine, headline.is_empty()) {
        (Some(g), false) => format!("{}: {headline}", g.name_and_state()),
        (Some(g), true) => g.name_and_state(),
        (None, _) => headline,
    };
    if let Some(loc) = &f.location {
        summary.push_str(&format!(" at {}", loc.place()));
    }
    f.confirm(Evidence {
        source,
        summary,
        input: input.index,
        offset: c.fatal_error_offset.or(c.panics.first().map(|p| p.offset)),
        lines,
        goroutines: None,
    });
    if let Some(v) = t.go_version.as_deref().or(t.go_version_at_least.as_deref()) {
        if kind == FindingKind::RuntimeInternalError {
            f.title.push_str(&format!(" (Go {v})"));
        }
    }
    f.next_steps = steps_for(kind, Some(message));
    out.push(f);
}

/// Index of the outermost `panic` frame of a goroutine that was unwinding a
/// panic: the frames below it show where the first panic was raised.
/// In a core, the other goroutine of a concurrent map access: another one
/// on a thread or preempted (running, runnable) inside the map code at
/// that moment. Its id, state and first frame of the program.
fn other_map_user<'r, 'a>(
    t: &'r TextArtifact<'a>,
    failing: &Goroutine<'a>,
) -> Option<(u64, &'a str, &'r Frame<'a>)> {
    t.goroutines
        .iter()
        .filter(|g| g.id != failing.id && matches!(g.status, "running" | "runnable"))
        .find_map(|g| {
            let in_map = g.frames.iter().any(|f| {
                f.function.starts_with("runtime.map")
                    || f.function.starts_with("internal/runtime/maps.")
            });
            let u = user_frame(&g.frames)?;
            in_map.then_some((g.id, g.status, u))
        })
}

fn panic_in_flight(g: &Goroutine<'_>) -> Option<usize> {
    g.frames
        .iter()
        .rposition(|f| is_panic_frame(f.function))
        .filter(|&i| i > 0)
}

/// What a recovery function that failed itself did: every earlier panic
/// was recovered (not re-raised), the first raised on purpose, and the last
/// is a runtime error of the deferred function's own code, not a wrap of
/// the first (a nil map written while handling the error). That failure
/// killed the program; the panic it was handling had been dealt with.
struct FailedRecovery {
    kind: FindingKind,
    title: String,
    location: Option<Location>,
}

fn recovery_that_failed(c: &godiag_model::Crash<'_>, g: &Goroutine<'_>) -> Option<FailedRecovery> {
    let (last, earlier) = c.panics.split_last()?;
    let first = earlier.first()?;
    let all_recovered = earlier
        .iter()
        .all(|p| p.recovered && !p.repanicked && !p.logged);
    let kind = classify_message(&last.value)
        .filter(|k| matches!(k, FindingKind::RuntimeError | FindingKind::NilDereference))?;
    // The first a panic the program raised on purpose (an error value),
    // which the recovery was written to handle; a runtime error there is a
    // defect of its own, the root cause (projectdiscovery/subfinder#141).
    let deliberate = classify_message(&first.value).is_none_or(|k| k == FindingKind::UserPanic);
    if !deliberate || !all_recovered || last.repanicked || last.value.contains(&*first.value) {
        return None;
    }
    // Raised above the outermost `panic` frame: in the deferred function.
    let outer = g.frames.iter().position(|f| is_panic_frame(f.function))?;
    let location = user_frame(&g.frames[..outer]).map(Location::from);
    location.as_ref()?;
    Some(FailedRecovery {
        kind,
        title: format!(
            "{} in the deferred function that recovered `{}`: the recovery code failed itself",
            title_for(kind, &last.value, c),
            first.value.lines().next().unwrap_or("")
        ),
        location,
    })
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
        // `panic(...)` called straight from the program's code.
        (None, None) if below.first().is_some_and(|f| !f.is_stdlib()) => FindingKind::UserPanic,
        (None, None) => FindingKind::UnknownFailure,
    };
    let title = match kind {
        FindingKind::NilDereference => {
            "nil pointer dereference, hidden by a fatal error in a deferred call".to_string()
        }
        FindingKind::BadAddress => {
            "invalid memory access, hidden by a fatal error in a deferred call".to_string()
        }
        _ => format!(
            "panic{} hidden by a fatal error in a deferred call",
            panic_value.map(|v| format!(" `{v}`")).unwrap_or_default()
        ),
    };
    let mut f = Finding::new(
        kind,
        title,
        if kind == FindingKind::UnknownFailure {
            Confidence::Medium
        } else {
            Confidence::High
        },
    );
    f.goroutine = g.known_id();
    f.location = user_frame(below).map(Location::from);
    f.next_steps = next_steps(kind);
    f
}

/// The program's frame where `kind` was raised: [`raising_frame`] for a
/// memory fault, whose wrapper may be to blame; [`user_frame`] for the rest
/// (a recursion may overflow in a wrapper, `value method ... called using
/// nil *T pointer` says the receiver was nil).
fn raising_frame_of<'g, 'a>(
    kind: FindingKind,
    c: &godiag_model::Crash<'_>,
    frames: &'g [Frame<'a>],
) -> Option<&'g Frame<'a>> {
    let nil_receiver = c
        .panics
        .iter()
        .any(|p| p.value.starts_with("value method "));
    if matches!(kind, FindingKind::NilDereference | FindingKind::BadAddress) && !nil_receiver {
        raising_frame(frames, c.fault_address)
    } else {
        user_frame(frames)
    }
}

/// The last panic raises again the value of a recovered one
/// (`panic: X [recovered]` over `panic: X`), not a new one.
fn reraised_as_recovered(c: &godiag_model::Crash<'_>) -> bool {
    match (c.panics.iter().find(|p| p.recovered), c.panics.last()) {
        (Some(recovered), Some(last)) => recovered.value == last.value,
        _ => false,
    }
}

/// A recovered panic's stack cut right after a closure of the program,
/// its only frame outside the standard library: the deferred function
/// that recovered it, with nothing of where it was raised (no frame
/// below, no `created by`).
fn only_a_deferred_closure(g: &Goroutine<'_>) -> bool {
    let mut own = g.frames.iter().filter(|f| !f.is_stdlib());
    let (Some(only), None) = (own.next(), own.next()) else {
        return false;
    };
    g.created_by.is_none()
        && g.frames.last().is_some_and(|last| std::ptr::eq(last, only))
        && crate::frames::name_in_package(only.function).contains(".func")
}

/// `runtime: bad pointer in frame F at 0x..: 0x..` → F.
fn bad_pointer_frame<'a>(c: &godiag_model::Crash<'a>) -> Option<&'a str> {
    c.runtime_messages.iter().find_map(|m| {
        let rest = m.strip_prefix("runtime: bad pointer in frame ")?;
        rest.split_once(" at ").map(|(f, _)| f)
    })
}

/// The standard library's one-line Go shims over cgo's wrappers
/// (`net._C_getaddrinfo` in `cgo_unix_cgo.go`, Go 1.20+): glue, not the
/// caller.
fn is_cgo_shim(function: &str) -> bool {
    crate::frames::name_in_package(function).starts_with("_C_")
}

/// cgo's wrapper of a C function, not of one of its Go helpers
/// (`_Cfunc_GoString` runs the runtime's Go code).
fn calls_c(function: &str) -> bool {
    is_cgo_wrapper(function)
        && ![
            "_Cfunc_GoString",
            "_Cfunc_GoStringN",
            "_Cfunc_GoBytes",
            "_Cfunc_CString",
            "_Cfunc_CBytes",
        ]
        .iter()
        .any(|helper| function.ends_with(helper))
}

/// Where a goroutine enters C code: the runtime's cgo call (Go 1.4 had a
/// second one, `runtime.cgocall_errno`, for calls whose errno cgo returns:
/// mattn/go-gtk#236, ethereum/go-ethereum#524; its assembly half
/// `runtime.asmcgocall_errno`, which Go 1.4's own cgo callback test expects
/// in a callback's frames), and on Windows the DLL call
/// that `syscall.Syscall*` makes through the runtime
/// (`runtime/syscall_windows.go`), which shows no cgo frame.
fn is_cgo_entry(f: &godiag_model::Frame<'_>) -> bool {
    matches!(
        f.function,
        "runtime.cgocall"
            | "runtime.cgocall_errno"
            | "runtime.asmcgocall"
            | "runtime.asmcgocall_errno"
    ) || (f.function.starts_with("syscall.Syscall") && f.file.ends_with("syscall_windows.go"))
}

/// The function `runtime: bad pointer in frame F at ADDR` names: its frame
/// in the stacks when one shows it, else its name alone.
fn bad_pointer_location(t: &TextArtifact<'_>) -> Option<Location> {
    let func = bad_pointer_frame(&t.crash)?;
    let frame = t
        .goroutines
        .iter()
        .flat_map(|g| g.frames.iter())
        .find(|fr| fr.function == func);
    Some(frame.map(Location::from).unwrap_or(Location {
        function: func.to_string(),
        file: String::new(),
        line: 0,
    }))
}

/// `0xb01dfacedebac1e`, which the runtime writes over pointers it has
/// invalidated (freed stack frames, swept objects under debug settings).
const RUNTIME_POISON: u64 = 0x0b01_dfac_edeb_ac1e;

/// A fault the runtime could not turn into a panic (it struck outside Go
/// code) at PC 0: a call through a nil function pointer, such as a Windows
/// API missing from the running OS (117503445/GoWebDAV#35: `Exception
/// 0xc0000005 0x8 0x0 0x0` / `PC=0x0` in `runtime.asmstdcall`).
fn called_nil(c: &godiag_model::Crash<'_>) -> bool {
    c.fatal_signal.as_ref().is_some_and(|s| {
        s.pc == Some(0) && matches!(s.name, "SIGSEGV" | "EXCEPTION_ACCESS_VIOLATION")
    })
}

/// Windows could not read a page in (`Exception 0xc0000006`, a mapped
/// file's or the executable's page on a failing disk or share): the
/// access's address was bad to use, as a SIGBUS says on Unix
/// (nyaosorg/nyagos#54).
fn in_page_error(c: &godiag_model::Crash<'_>) -> bool {
    c.fatal_signal
        .as_ref()
        .is_some_and(|s| s.name == "EXCEPTION_IN_PAGE_ERROR")
}

/// Kinds whose failure is a panic, raised where the `panic` frame's caller is.
fn raised_by_panic(kind: FindingKind) -> bool {
    matches!(
        kind,
        FindingKind::NilDereference
            | FindingKind::BadAddress
            | FindingKind::RuntimeError
            | FindingKind::UserPanic
            | FindingKind::SyncMisuse
    )
}

/// A fatal error printed with a fault's `[signal` line but without the
/// frames that were unwinding: the fault is the root cause, the fatal error
/// raised by a deferred call while it unwound is secondary.
fn secondary_without_frames(
    input: &TextInput<'_, '_>,
    failing: Option<&Goroutine<'_>>,
    fatal_kind: FindingKind,
    lines: &[String],
    out: &mut Vec<Finding>,
) {
    let c = &input.artifact.crash;
    let Some(s) = &c.signal else { return };
    let kind = if s.name == "SIGSEGV" && s.addr < 0x1000 {
        FindingKind::NilDereference
    } else {
        FindingKind::BadAddress
    };
    let fatal = c.fatal_error.as_deref().unwrap_or("");
    let mut primary = Finding::new(
        kind,
        format!(
            "{} (addr={:#x}), hidden by `fatal error: {fatal}` raised while it unwound",
            if kind == FindingKind::NilDereference {
                "nil pointer dereference"
            } else {
                "invalid memory access"
            },
            s.addr
        ),
        Confidence::Medium,
    );
    // Below the fault's `sigpanic`, when frames were kept.
    let location = failing.and_then(|g| {
        let below = g
            .frames
            .iter()
            .position(|f| f.function == "runtime.sigpanic")
            .map_or(&g.frames[..], |i| &g.frames[i + 1..]);
        user_frame(below)
    });
    primary.goroutine = failing.map(|g| g.id);
    primary.location = location.map(Location::from);
    primary.confirm(Evidence {
        source: input.source(),
        summary: format!(
            "`[signal {} ... addr={:#x}]` printed with `fatal error: {fatal}`: the fault was unwinding when a deferred call raised the fatal error",
            s.name, s.addr
        ),
        input: input.index,
        offset: Some(s.offset),
        lines: lines.to_vec(),
        goroutines: None,
    });
    primary.next_steps = next_steps(kind);
    out.push(primary);
    let mut secondary = Finding::new(
        fatal_kind,
        format!("secondary failure: `{fatal}` raised while the fault unwound"),
        Confidence::High,
    );
    secondary.secondary = true;
    secondary.confirm(Evidence {
        source: input.source(),
        summary:
            "raised by a deferred call during the fault's panic; it hides the original failure"
                .into(),
        input: input.index,
        offset: c.fatal_error_offset,
        lines: lines.to_vec(),
        goroutines: None,
    });
    secondary.next_steps.push(
        "Fix the deferred call too: it assumes a state (a locked mutex, an open channel) that the fault did not reach".into(),
    );
    out.push(secondary);
}

/// The title of a SIGQUIT dump's own finding: ranking knows it by its shape.
pub(crate) const SIGQUIT_TITLE: &str =
    "the process was stopped with SIGQUIT: a hang or an operator's dump";

/// The title of the finding of a dump taken with `signal` (SIGQUIT, a sent
/// SIGABRT).
fn dump_request_title(signal: &str) -> String {
    SIGQUIT_TITLE.replace("SIGQUIT", signal)
}

/// The signal a dump request's finding names, when `title` is one's.
pub(crate) fn dump_request_signal(title: &str) -> Option<&str> {
    let (head, tail) = SIGQUIT_TITLE.split_once("SIGQUIT")?;
    title.strip_prefix(head)?.strip_suffix(tail)
}

fn dump_request_finding(input: &TextInput<'_, '_>) -> Finding {
    let t = input.artifact;
    let signal = t.crash.fatal_signal.as_ref().map_or("SIGQUIT", |s| s.name);
    let mut f = Finding::new(
        FindingKind::UnknownFailure,
        dump_request_title(signal),
        Confidence::Medium,
    );
    let main = t.goroutines.iter().find(|g| g.id == 1);
    if let Some(g) = main {
        f.goroutine = Some(1);
        f.location = user_frame(&g.frames).map(Location::from);
    }
    let waiting: u64 = t
        .goroutines
        .iter()
        .filter(|g| g.is_waiting())
        .map(Goroutine::weight)
        .sum();
    f.confirm(Evidence {
        source: input.source(),
        summary: format!(
            "{} goroutines, {} of them waiting{}",
            t.goroutine_total(),
            waiting,
            main.map(|g| format!("; main is in [{}]", g.status))
                .unwrap_or_default()
        ),
        input: input.index,
        offset: t.crash.fatal_signal.as_ref().map(|s| s.offset),
        lines: main
            .and_then(|g| user_frame(&g.frames))
            .map(frame_line)
            .into_iter()
            .collect(),
        goroutines: None,
    });
    f.next_steps = vec![
        "Look at what main and the largest goroutine groups wait for; a second dump a few seconds later shows whether anything moves".into(),
        format!("Take a goroutine dump with /debug/pprof/goroutine?debug=2 instead of {signal} to keep the process alive"),
    ];
    f
}

/// `runtime: out of memory: cannot allocate N-byte block (M in use)` → (N, M).
fn oom_request(c: &godiag_model::Crash<'_>) -> Option<(u64, u64)> {
    c.runtime_messages.iter().find_map(|m| {
        let rest = m.strip_prefix("runtime: out of memory: cannot allocate ")?;
        let (n, rest) = rest.split_once("-byte block (")?;
        let used = rest.strip_suffix(" in use)")?;
        Some((n.parse().ok()?, used.parse().ok()?))
    })
}

/// Bytes, readable; for callers with unsigned sizes.
pub(crate) fn human_bytes(n: u64) -> String {
    godiag_model::units::human_bytes(i64::try_from(n).unwrap_or(i64::MAX))
}

fn title_for(kind: FindingKind, message: &str, c: &godiag_model::Crash<'_>) -> String {
    let rejoined = rejoined_message(message);
    let first = rejoined
        .as_deref()
        .unwrap_or_else(|| message.lines().next().unwrap_or(""));
    match kind {
        FindingKind::OutOfMemory => match oom_request(c) {
            // One request at least half the heap in use: a single huge
            // allocation, not growth.
            Some((want, used)) if want >= used / 2 => format!(
                "out of memory: a single allocation of {} (with {} in use)",
                human_bytes(want),
                human_bytes(used)
            ),
            Some((want, used)) => format!(
                "out of memory: the heap grew to {} and could not grow by {} more",
                human_bytes(used),
                human_bytes(want)
            ),
            None => "out of memory".into(),
        },
        FindingKind::NilDereference if c.signal.is_none() && called_nil(c) => {
            "call through a nil function pointer (PC=0)".into()
        }
        FindingKind::NilDereference => "nil pointer dereference".into(),
        FindingKind::BadAddress => match (c.signal.as_ref(), c.fault_address) {
            (Some(s), _) => format!(
                "invalid memory access ({} at address {:#x})",
                s.name, s.addr
            ),
            (None, Some(a)) => format!("invalid memory access at address {a:#x}"),
            _ => match c
                .fatal_signal
                .as_ref()
                .filter(|s| in_page_error(c) || s.name == "SIGBUS")
            {
                Some(s) => match s.addr {
                    Some(a) => format!("{}: {} at address {a:#x}", s.name, s.description),
                    None => format!("{}: {}", s.name, s.description),
                },
                None => "invalid memory access".into(),
            },
        },
        FindingKind::CgoCrash => match c.fatal_signal.as_ref() {
            Some(s) => format!("{} in C code called through cgo", s.name),
            None => "crash in C code called through cgo".into(),
        },
        // `panic("")`, or a value that ended up on lines the paste cut.
        FindingKind::UserPanic if first.trim().is_empty() => "panic with an empty value".into(),
        FindingKind::UserPanic => format!("panic: {first}"),
        // No goroutine was asleep: main's goroutine ended through Goexit
        // (`t.FailNow` outside a test, a deferred `Goexit`) and none other
        // was left, which the runtime reports as a deadlock.
        FindingKind::Deadlock if first.contains("main called runtime.Goexit") => {
            "main called runtime.Goexit and no other goroutine was left to run".into()
        }
        FindingKind::Deadlock => "deadlock: all goroutines are asleep".into(),
        // A fatal signal alone (C's `abort()` with nothing printed before):
        // its own line says what happened.
        _ if first.trim().is_empty() => match c.fatal_signal.as_ref() {
            Some(s) => format!("{}: {}", s.name, s.description),
            None => "the program failed; the input holds no message saying why".into(),
        },
        _ => first.to_string(),
    }
}

/// `./x.go:8:2: internal compiler error: panic: ...` from `go build`.
fn compiler_finding(input: &TextInput<'_, '_>, line: &str) -> Finding {
    let (position, message) = match line.split_once(": internal compiler error: ") {
        Some((p, m)) => (Some(p), m),
        None => (None, line.trim_start_matches("internal compiler error: ")),
    };
    let mut f = Finding::new(
        FindingKind::CompilerInternalError,
        format!("internal compiler error: {message}"),
        Confidence::High,
    );
    // FILE:LINE[:COL]: the source the compiler was working on.
    f.location = position.and_then(|p| {
        let mut parts = p.rsplitn(3, ':');
        let last = parts.next()?;
        let (file, line) = match (parts.next(), parts.next()) {
            (Some(l), Some(file)) if l.parse::<u32>().is_ok() => (file, l.parse().ok()?),
            (Some(file), None) => (file, last.parse().ok()?),
            _ => return None,
        };
        Some(Location {
            function: String::new(),
            file: file.to_string(),
            line,
        })
    });
    f.confirm(Evidence {
        source: input.source(),
        summary: "the Go compiler crashed while compiling this package".into(),
        input: input.index,
        offset: None,
        lines: vec![line.to_string()],
        goroutines: None,
    });
    f.next_steps = steps_for(
        FindingKind::CompilerInternalError,
        Some("internal compiler error"),
    );
    f
}

/// A program's method that formatters call back (`String`, `Error`,
/// `MarshalJSON`, ...): formatting its own receiver inside it recurses.
fn is_formatting_method(f: &Frame<'_>) -> bool {
    // A compiler-made wrapper (`(*T).String` over `T.String`) is the
    // method's, not the place.
    !f.is_stdlib()
        && f.file != "<autogenerated>"
        && matches!(
            f.function.rsplit('.').next(),
            Some(
                "String"
                    | "GoString"
                    | "Error"
                    | "Format"
                    | "MarshalJSON"
                    | "MarshalText"
                    | "MarshalYAML"
            )
        )
}
