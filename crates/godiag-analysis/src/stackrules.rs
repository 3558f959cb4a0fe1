//! Findings from stacks alone: text that holds goroutines or bare frames
//! but no failure line (an excerpt pasted into an issue, a dump taken while
//! something went wrong), and the runtime's own leak verdicts.
//!
//! Each rule reads a signature the runtime leaves in the frames of the
//! goroutine that failed: the code it was running says what went wrong even
//! when the message was not copied. Confidence says how much was inferred.

use godiag_model::{CountRecord, CountRecordFrame, Frame, Goroutine, TextArtifact};

use crate::finding::{Confidence, Evidence, Finding, FindingKind, Location};
use crate::frames::{
    below_logger_panic, is_panic_frame, is_runtime_throw, is_unaligned_atomic_fault,
    is_unaligned_atomic_raiser, stack_cycle, user_frame,
};
use crate::input::TextInput;
use crate::steps::next_steps;

/// The runtime helpers that raise a `runtime.Error` panic, by what they mean.
const RUNTIME_ERROR_RAISERS: &[(&str, &str)] = &[
    ("runtime.goPanicIndex", "index out of range"),
    ("runtime.panicIndex", "index out of range"),
    ("runtime.goPanicSlice", "slice bounds out of range"),
    ("runtime.panicSlice", "slice bounds out of range"),
    ("runtime.panicdivide", "integer divide by zero"),
    ("runtime.panicdottype", "interface conversion"),
    ("runtime.panicnildottype", "interface conversion"),
    ("runtime.assertE2I", "interface conversion"),
    ("runtime.panicshift", "negative shift amount"),
];

/// What a goroutine's frames show, and where.
struct Signature {
    kind: FindingKind,
    what: String,
    confidence: Confidence,
    /// Frames below the signature: the program's first one is the location.
    below: usize,
}

/// Runs the stack rules over inputs that printed no failure.
pub(crate) fn stack_findings(input: &TextInput<'_, '_>, out: &mut Vec<Finding>) {
    let t = input.artifact;
    if t.crash.is_failure() {
        return;
    }
    if t.count_leaked {
        if let Some(f) = leak_profile_finding(input) {
            out.push(f);
        }
        return;
    }
    if !t.count_records.is_empty() {
        if let Some(f) = count_pileup_finding(input) {
            out.push(f);
        }
        return;
    }
    // The goroutines that could have failed: running ones, and frames
    // pasted without their header. (A runnable goroutine of a live dump was
    // only preempted there: in the map code or a recursion it is at work.)
    let candidates = t
        .goroutines
        .iter()
        .filter(|g| g.headerless || g.status == "running");
    for g in candidates {
        let Some(sig) = signature(&g.frames).or_else(|| lone_stack(t, g)) else {
            continue;
        };
        let mut f = inferred(input, &sig, &g.frames, &describe(g), Some(g.offset));
        f.goroutine = g.known_id().filter(|_| !g.headerless);
        out.push(f);
        return;
    }
    // Only the runtime's own stack was pasted (`runtime stack:`, the system
    // stack a throw ran on).
    let system = &t.crash.runtime_stack;
    if t.goroutines.is_empty() && !system.is_empty() {
        if let Some(sig) = signature(system) {
            out.push(inferred(input, &sig, system, "the runtime stack", None));
        }
    }
}

/// The finding a signature gives, its evidence the frames it was read from.
fn inferred(
    input: &TextInput<'_, '_>,
    sig: &Signature,
    frames: &[Frame<'_>],
    described: &str,
    offset: Option<u64>,
) -> Finding {
    let mut f = Finding::new(sig.kind, sig.what.clone(), sig.confidence);
    f.location = user_frame(&frames[sig.below..]).map(Location::from);
    f.confirm(Evidence {
        source: input.source(),
        summary: format!(
            "{described}: no failure line was given; inferred from the frames{}",
            f.location
                .as_ref()
                .map(|l| format!(" (at {})", l.place()))
                .unwrap_or_default()
        ),
        input: input.index,
        offset,
        lines: frames
            .iter()
            .take(6)
            .map(|f| format!("{}(...) at {}:{}", f.function, f.file, f.line))
            .collect(),
        goroutines: None,
    });
    // What was inferred is confirmed by the lines that were not pasted.
    let after = if sig.kind == FindingKind::UnknownFailure {
        // The kind's own steps are about failures that were printed.
        vec!["Copy the output from its `panic:` or `fatal error:` line down; run with `GOTRACEBACK=all` (or under `godiag run`) to keep every goroutine too".to_string()]
    } else {
        next_steps(sig.kind)
    };
    f.next_steps = std::iter::once(
        "The failure line (`panic:`, `fatal error:`) was not in the input: get the whole output (the lines above the first goroutine) to confirm this".to_string(),
    )
    .chain(after)
    .collect();
    f
}

fn describe(g: &Goroutine<'_>) -> String {
    if g.headerless {
        "frames without a goroutine header".into()
    } else {
        format!("{} [{}]", g.name(), g.status)
    }
}

/// A stack pasted alone, without a failure line: frames without a header,
/// or the one `[running]` goroutine a crash's traceback shows (the
/// runtime's own frames above it hidden). Someone copied it because
/// something failed there, but what failed is not in it; its top program
/// frame is where to look. Not when a frame of the runtime's packages shows
/// the stack was taken on purpose (`runtime/debug.Stack`, a profile, a
/// `GOTRACEBACK=system` wait), nor when the top frame is one where
/// goroutines park (the runtime's own frames above it hidden): a headerless
/// wait, not a failure.
fn lone_stack(t: &TextArtifact<'_>, g: &Goroutine<'_>) -> Option<Signature> {
    let on_purpose = g
        .frames
        .iter()
        .any(|f| f.in_runtime_package() || f.function.starts_with("runtime/"));
    let parked = g.frames.first().is_some_and(|f| is_park_point(f.function));
    if t.goroutines.len() != 1 || on_purpose || parked || user_frame(&g.frames).is_none() {
        return None;
    }
    if let Some(sig) = nil_top_signature(&g.frames) {
        return Some(sig);
    }
    // A stack that is one recursion from top to bottom, through the
    // program's code: an excerpt of a stack overflow's thousands of frames
    // (golang/go#34251, String calling Println on its own receiver).
    if let Some((start, period)) = periodic_excerpt(&g.frames) {
        return Some(Signature {
            kind: FindingKind::StackOverflow,
            what: format!(
                "the pasted frames are one recursion through {}, repeating to the end: most likely a stack overflow (the failure line was not given)",
                cycle_names(&g.frames[start..start + period])
            ),
            confidence: Confidence::Low,
            below: start,
        });
    }
    Some(Signature {
        kind: FindingKind::UnknownFailure,
        what: "a failing goroutine's stack pasted without its failure line: what failed cannot be told from it".into(),
        confidence: Confidence::Low,
        below: 0,
    })
}

/// `(start, period)` when the frames from `start` (the top frame, or the
/// one below it) to the end repeat one cycle of `period` frames, by
/// function and line, seen whole and then again for at least three frames,
/// and the cycle holds a frame of the program. The stack ends inside the
/// cycle, as a paste of an overflow's thousands of frames does (a
/// recursion that returned to its caller ends at that caller). The last
/// frame may differ in its line: a paste cut inside it.
fn periodic_excerpt(frames: &[Frame<'_>]) -> Option<(usize, usize)> {
    let same = |a: &Frame<'_>, b: &Frame<'_>, last: bool| {
        a.function == b.function && (a.line == b.line || last)
    };
    (0..=1).find_map(|start| {
        let n = frames.len().checked_sub(start)?;
        (1..=32)
            .find(|&p| {
                n >= (p + 3).max(8)
                    && (start..frames.len() - p)
                        .all(|i| same(&frames[i], &frames[i + p], i + p == frames.len() - 1))
                    && frames[start..start + p].iter().any(|f| !f.is_stdlib())
            })
            .map(|p| (start, p))
    })
}

/// A recursion's cycle as its functions, `a → b → c`.
fn cycle_names(cycle: &[Frame<'_>]) -> String {
    cycle
        .iter()
        .map(|f| f.function)
        .collect::<Vec<_>>()
        .join(" → ")
}

/// The runtime prints a fault's stack from the faulting frame: a pointer
/// method there, called on a nil receiver, most likely dereferenced it.
/// Not when the same method lower down was called on nil too and went on:
/// it takes a nil receiver (`String` printing itself through fmt).
fn nil_top_signature(frames: &[Frame<'_>]) -> Option<Signature> {
    let (top, below) = frames.split_first()?;
    let nil_call = |f: &Frame<'_>| is_pointer_method(f.function) && nil_receiver(f);
    if !nil_call(top)
        || below
            .iter()
            .any(|f| f.function == top.function && nil_call(f))
    {
        return None;
    }
    Some(Signature {
        kind: FindingKind::NilDereference,
        what: format!(
            "{} was called on a nil pointer (its receiver is 0x0) and is where the stack starts: most likely the nil dereference that failed (the failure line was not given)",
            top.function
        ),
        confidence: Confidence::Low,
        below: 0,
    })
}

/// `pkg.(*T).M`: a method with a pointer receiver, not a closure inside one
/// (`pkg.(*T).M.func1`, whose first argument is no receiver).
fn is_pointer_method(function: &str) -> bool {
    function
        .rsplit_once(").")
        .is_some_and(|(recv, method)| recv.contains(".(*") && !method.contains('.'))
}

/// A receiver printed as `0x0`: saved and nil (`0x0?`, not saved under the
/// register ABI, may be anything).
fn nil_receiver(f: &Frame<'_>) -> bool {
    f.first_word() == Some(0)
}

/// The standard library's functions a parked goroutine's stack starts at
/// when the runtime's frames above them are hidden (the default
/// traceback): semaphores, the network poller, conditions, sleeps, signals.
fn is_park_point(function: &str) -> bool {
    const PARKS: &[&str] = &[
        "sync.runtime_Semacquire",
        "sync.runtime_SemacquireMutex",
        "sync.runtime_SemacquireRWMutex",
        "sync.runtime_SemacquireRWMutexR",
        "sync.runtime_SemacquireWaitGroup",
        "sync.runtime_notifyListWait",
        "internal/sync.runtime_SemacquireMutex",
        "internal/poll.runtime_pollWait",
        "time.Sleep",
        "os/signal.signal_recv",
    ];
    PARKS.contains(&function)
}

/// The `panic` frame whose raiser tells the failure: the innermost, or
/// past it while the code that called it is a handler's that recovered and
/// panicked again (net/http's, a tracing middleware's: grafana/loki#6930),
/// not the runtime raising a fault or an error of its own in a deferred
/// call, which is the evidence.
fn raising_panic(frames: &[Frame<'_>]) -> Option<usize> {
    let mut panics = frames
        .iter()
        .enumerate()
        .filter(|(_, f)| is_panic_frame(f.function))
        .map(|(i, _)| i);
    let mut p = panics.next()?;
    for next in panics {
        let between = &frames[p + 1..next];
        let re_raised = between.first().is_some_and(|f| !f.is_runtime());
        if !re_raised {
            break;
        }
        p = next;
    }
    Some(p)
}

/// The failure a stack shows, innermost evidence first.
fn signature(frames: &[Frame<'_>]) -> Option<Signature> {
    let starts = |prefix: &str| frames.iter().position(|f| f.function.starts_with(prefix));
    // A panic: what raised it tells its kind.
    if let Some(p) = raising_panic(frames) {
        let below = &frames[p + 1..];
        let raiser = below.first().map(|f| f.function).unwrap_or("");
        if let Some(s) = signal_below(below) {
            return Some(Signature {
                below: p + 1 + s,
                ..fault()
            });
        }
        if let Some((_, what)) = RUNTIME_ERROR_RAISERS
            .iter()
            .find(|(name, _)| raiser.starts_with(name))
        {
            return Some(Signature {
                kind: FindingKind::RuntimeError,
                what: format!("runtime error: {what} (the panic's message was not given)"),
                confidence: Confidence::Medium,
                below: p + 1,
            });
        }
        if matches!(
            raiser,
            "runtime.closechan" | "runtime.chansend" | "runtime.chansend1"
        ) {
            return Some(Signature {
                kind: FindingKind::SyncMisuse,
                what: if raiser == "runtime.closechan" {
                    "close of a closed or nil channel".into()
                } else {
                    "send on a closed channel".into()
                },
                confidence: Confidence::Medium,
                below: p + 1,
            });
        }
        if raiser.starts_with("sync.(*WaitGroup).Add") {
            return Some(waitgroup(p + 1));
        }
        let unaligned = below.first().is_some_and(is_unaligned_atomic_fault)
            || is_unaligned_atomic_raiser(raiser);
        if unaligned {
            return Some(Signature {
                kind: FindingKind::SyncMisuse,
                what: "unaligned 64-bit atomic operation on a 32-bit platform (the panic's message was not given)".into(),
                confidence: Confidence::Medium,
                below: p + 1,
            });
        }
        if let Some((ty, data)) =
            static_panic_value(&frames[p]).filter(|_| shows_64_bit_words(frames))
        {
            return Some(Signature {
                kind: FindingKind::NilDereference,
                what: format!(
                    "panic whose value is static data (0x{data:x}, beside its type 0x{ty:x}, not on the heap) and whose message was not given: most likely the runtime's nil-dereference error; a constant `panic(\"...\")` of the program looks the same"
                ),
                confidence: Confidence::Low,
                below: p + 1,
            });
        }
        return Some(Signature {
            kind: FindingKind::UserPanic,
            what: "panic raised by the program (its value was not given)".into(),
            confidence: Confidence::Medium,
            below: p + 1,
        });
    }
    // The unaligned-atomic raiser on top of a stack cut above its `panic`
    // (spacemeshos/go-spacemesh#3107: `atomic.panicUnaligned` over
    // `atomic.Load64` on a Raspberry Pi).
    if let Some(u) = frames
        .iter()
        .take(2)
        .position(|f| is_unaligned_atomic_raiser(f.function))
    {
        return Some(Signature {
            kind: FindingKind::SyncMisuse,
            what: "unaligned 64-bit atomic operation on a 32-bit platform (the panic's message was not given)".into(),
            confidence: Confidence::Medium,
            below: u + 1,
        });
    }
    if let Some(s) = signal_below(frames) {
        // `sigpanic` turns a fault below address 0x1000 into a panic. Else
        // it throws itself, and the throw's length tells which: `fault`
        // (5 bytes) when it could have panicked but the address was not
        // nil or the access a SIGBUS (erigontech/erigon#8500: `memmove`
        // into a mapped file on a full disk); `unexpected signal during
        // runtime execution` (42) when the runtime was in no state to
        // panic (the system stack, locks held, allocating).
        let throw = s
            .checked_sub(2)
            .map(|i| &frames[i])
            .filter(|f| is_runtime_throw(f.function));
        let runtime_state = |f: &Frame<'_>| {
            f.in_runtime_package() && !f.file.ends_with(".s") && !serves_the_program(f.file)
        };
        let runtime_failure = match throw.map(thrown_length) {
            None => None,
            Some(Some(5)) => Some(false),
            Some(Some(42)) => Some(true),
            Some(Some(_)) => None,
            // Unknown: the code it faulted in says which is likelier.
            Some(None) => Some(frames.get(s).is_some_and(runtime_state)),
        };
        match runtime_failure {
            Some(true) => {
                return Some(Signature {
                    kind: FindingKind::RuntimeInternalError,
                    what: format!(
                        "memory fault inside the runtime's {} while it could not panic (runtime.sigpanic threw; the fatal error was not given)",
                        frames.get(s).map_or("code", |f| f.function)
                    ),
                    confidence: Confidence::Low,
                    below: s,
                });
            }
            Some(false) => {
                return Some(Signature {
                    kind: FindingKind::BadAddress,
                    what: "memory fault the runtime threw on (runtime.sigpanic called runtime.throw): a fault at a non-nil address, or a SIGBUS such as a mapped file that shrank or whose disk filled (the signal line was not given)".into(),
                    confidence: Confidence::Low,
                    below: s,
                });
            }
            None => {}
        }
        return Some(Signature {
            below: s,
            ..fault()
        });
    }
    // A logger's Panic method (`log.Panicf`, zap's `(*Logger).Panic`,
    // logrus' `(*Entry).Panicf`) panics with the formatted message.
    if let Some(below) = below_logger_panic(frames) {
        return Some(Signature {
            kind: FindingKind::UserPanic,
            what: format!(
                "panic raised through a logger's {} (its message was not given)",
                frames[below - 1].function
            ),
            confidence: Confidence::Medium,
            below,
        });
    }
    if let Some(w) = starts("sync.(*WaitGroup).Add") {
        return Some(waitgroup(w));
    }
    if let Some(sig) = sync_throw_signature(frames) {
        return Some(sig);
    }
    // The map code is where a concurrent access is noticed and thrown: the
    // throw above it tells the failure from a goroutine at work in a map.
    let thrown = frames.iter().take(3).any(|f| {
        is_runtime_throw(f.function)
            || matches!(f.function, "runtime.fatal" | "internal/runtime/maps.fatal")
    });
    let in_map = frames.iter().take(6).position(|f| {
        f.function.starts_with("runtime.map")
            || f.function.starts_with("internal/runtime/maps.")
            || f.file.ends_with("/hashmap.go")
            || f.file.ends_with("/hashmap_fast.go")
    });
    if let (Some(m), true) = (in_map, thrown) {
        return Some(Signature {
            kind: FindingKind::ConcurrentMapAccess,
            what: "a goroutine was stopped inside the runtime's map code: a concurrent map access (the fatal error was not given)".into(),
            confidence: Confidence::Medium,
            below: m,
        });
    }
    // The testing package panics when a goroutine logs through `t` after
    // its test returned (`Log in goroutine after TestX has completed`).
    if let Some(l) = frames
        .iter()
        .take(3)
        .position(|f| f.function == "testing.(*common).logDepth")
    {
        return Some(Signature {
            kind: FindingKind::UserPanic,
            what: "t.Log from a goroutine after its test completed: the testing package's panic (its message was not given)".into(),
            confidence: Confidence::Medium,
            below: l + 1,
        });
    }
    // The runtime's stack growth throws when a goroutine's stack would pass
    // its limit (`stack overflow`, 14 bytes: the throw's printed length);
    // its other throws there are the runtime's own faults.
    if let Some(n) = frames
        .iter()
        .take(3)
        .position(|f| f.function == "runtime.newstack")
    {
        let throw = n.checked_sub(1).map(|i| &frames[i]);
        if throw.is_some_and(|f| {
            is_runtime_throw(f.function) && thrown_length(f).is_none_or(|l| l == 14)
        }) {
            return Some(Signature {
                kind: FindingKind::StackOverflow,
                what: "the runtime's stack growth (runtime.newstack) threw: a goroutine's stack passed its limit (the fatal error was not given)".into(),
                confidence: Confidence::Medium,
                below: n,
            });
        }
    }
    // A recursion whose top frame was called on nil failed there: the nil
    // dereference is the evidence, not the depth.
    if let Some((start, period)) = stack_cycle(frames) {
        if let Some(sig) = nil_top_signature(frames) {
            return Some(sig);
        }
        return Some(Signature {
            kind: FindingKind::StackOverflow,
            what: format!(
                "unbounded recursion through {} (the stack overflow itself was not given)",
                cycle_names(&frames[start..start + period])
            ),
            confidence: Confidence::Medium,
            below: start,
        });
    }
    None
}

/// The length of the message `runtime.throw` was called with, from its
/// printed string argument (`0x16bbd89, 0xe`, or `{0x16bbd89?, 0xe?}`
/// under the register ABI). A word marked `?` may be stale (erigontech/
/// erigon#8500 printed `0x108edd39a6ef5956?`), so it tells nothing unless
/// it is a plausible length.
fn thrown_length(f: &Frame<'_>) -> Option<u64> {
    let w = f.arg_words().nth(1)?;
    // No throw message is empty.
    w.value.filter(|&v| v > 0 && (w.saved || v < 4096))
}

/// The runtime's code that works on the program's data for it (maps,
/// channels, select, slices, strings, interfaces, write barriers): a fault
/// there is the program's data gone bad, not the runtime's state.
fn serves_the_program(file: &str) -> bool {
    let name = file.rsplit('/').next().unwrap_or(file);
    [
        "map", "hashmap", "chan", "select", "slice", "string", "iface", "alg", "mbarrier",
    ]
    .iter()
    .any(|p| {
        name.strip_prefix(p)
            .is_some_and(|rest| rest.starts_with(['.', '_']))
    })
}

/// A fault turned into a panic (`runtime.sigpanic`): the index of the frame
/// below it.
fn signal_below(frames: &[Frame<'_>]) -> Option<usize> {
    frames
        .iter()
        .take(4)
        .position(|f| f.function == "runtime.sigpanic")
        .map(|i| i + 1)
}

/// Whether the frames show a 64-bit platform: an argument word past 32
/// bits, or one marked `?` (a register argument's spill slot that may be
/// stale, Go 1.18+: only the register ABI, which Go has on 64-bit
/// platforms alone, marks them). On 32-bit platforms the heap lies just
/// above the executable, so a value's data word near its type tells nothing
/// there.
fn shows_64_bit_words(frames: &[Frame<'_>]) -> bool {
    frames.iter().any(|f| {
        f.arg_words()
            .any(|w| w.value.is_some_and(|v| !w.saved || v > u64::from(u32::MAX)))
    })
}

/// The panic value's type and data words from a `panic` frame's arguments
/// (`{0x144da00, 0x2415d00}`, or `0x6738e0, 0x98e988` before Go 1.17),
/// when the data is static: in the executable's data, near its type
/// descriptor, rather than on the heap. The runtime's nil-dereference
/// error is such a value (a package variable, `memoryError`); index and
/// conversion errors, and error values the program made, are allocated.
fn static_panic_value(f: &Frame<'_>) -> Option<(u64, u64)> {
    let words: Vec<u64> = f.arg_words().map(|w| w.value).collect::<Option<_>>()?;
    let [ty, data] = words[..] else {
        return None;
    };
    // The heap's arenas start at 0xc000000000 on 64-bit platforms
    // (0xc200000000 and up before Go 1.4); statics lie within the image.
    const NEAR: u64 = 256 << 20;
    let on_heap = (0xc0_0000_0000..0xc4_0000_0000).contains(&data);
    (ty != 0 && !on_heap && data.abs_diff(ty) < NEAR).then_some((ty, data))
}

fn fault() -> Signature {
    Signature {
        kind: FindingKind::NilDereference,
        what: "memory fault turned into a panic (runtime.sigpanic); without the signal line, most likely a nil pointer dereference".into(),
        confidence: Confidence::Low,
        below: 0,
    }
}

fn waitgroup(below: usize) -> Signature {
    Signature {
        kind: FindingKind::SyncMisuse,
        what: "sync: negative WaitGroup counter (a goroutine was in WaitGroup.Add, as Done does)"
            .into(),
        confidence: Confidence::Medium,
        below,
    }
}

/// A `debug=1` goroutine profile (`goroutine profile: total N`, or its
/// records pasted alone) in which one site holds at least 50 goroutines
/// and a fifth of them all: the pile-up a leak leaves. Its records carry no
/// wait state, so it is only possible; two profiles of one process tell
/// growth (the dump comparison).
fn count_pileup_finding(input: &TextInput<'_, '_>) -> Option<Finding> {
    let Pileup {
        record: top,
        site,
        count,
        records,
    } = largest_pileup(input.artifact)?;
    let total = profile_total(input.artifact);
    // Records pasted without the profile's first line are what the
    // reporter chose to show: a pile-up of ten is already the point.
    let excerpt = input.artifact.count_total.is_none();
    let least = if excerpt { 10 } else { 50 };
    if count < least || count.saturating_mul(5) < total {
        return None;
    }
    Some(record_finding(
        input,
        top,
        site,
        format!(
            "possible goroutine leak: {}{}",
            match (excerpt, records) {
                (true, 1) => format!("{count} goroutines share one stack (records pasted without the profile's total)"),
                (true, _) => format!("{count} goroutines in {records} stacks stop at one line (records pasted without the profile's total)"),
                (false, 1) => format!("{count} of {total} goroutines share one stack"),
                (false, _) => format!("{count} of {total} goroutines in {records} stacks stop at one line"),
            },
            site.map(|s| format!(" at {}", s.function))
                .unwrap_or_default()
        ),
        if excerpt {
            Confidence::Low
        } else {
            Confidence::Medium
        },
        format!(
            "goroutine profile (debug=1): {total} goroutines in {} records; {}",
            input.artifact.count_records.len(),
            if records == 1 {
                format!("the largest has {count} ({}%)", percent(count, total))
            } else {
                format!(
                    "{count} ({}%) in {records} records at one line, the largest of them shown",
                    percent(count, total)
                )
            }
        ),
        count,
    ))
}

/// `goroutineleak profile: total N` (Go 1.26+): every record counts
/// goroutines the runtime's leak detector proved can never run again.
fn leak_profile_finding(input: &TextInput<'_, '_>) -> Option<Finding> {
    let Pileup {
        record: top,
        site,
        count,
        records,
    } = largest_pileup(input.artifact)?;
    let total = profile_total(input.artifact);
    Some(record_finding(
        input,
        top,
        site,
        format!(
            "goroutine leak: the runtime proved {total} goroutine{} leaked; {} of them at {}",
            if total == 1 { "" } else { "s" },
            count,
            site.map_or("?", |s| s.function)
        ),
        Confidence::High,
        format!(
            "goroutineleak profile: {total} leaked goroutines in {} records; {}",
            input.artifact.count_records.len(),
            if records == 1 {
                format!("the largest has {count}")
            } else {
                format!("{count} in {records} records at one line")
            }
        ),
        total,
    ))
}

/// `part` as a whole percentage of `whole`, for counts read from input.
fn percent(part: u64, whole: u64) -> u64 {
    part.saturating_mul(100) / whole.max(1)
}

/// Where a count profile's goroutines pile up.
pub(crate) struct Pileup<'r, 'a> {
    /// The largest record at the site, for the evidence.
    record: &'r CountRecord<'a>,
    /// The records' first frame of the program.
    pub(crate) site: Option<&'r CountRecordFrame<'a>>,
    /// Goroutines of all the records stopped at the site.
    pub(crate) count: u64,
    records: usize,
}

/// Goroutines all records of a count profile count: the header's total
/// when printed, else their sum (counts come from the input: summed
/// without overflow).
fn profile_total(t: &TextArtifact<'_>) -> u64 {
    t.count_total.unwrap_or_else(|| {
        t.count_records
            .iter()
            .fold(0u64, |sum, r| sum.saturating_add(r.count))
    })
}

/// The site (the first frame of the program, by function and line) with
/// the most goroutines over its records.
fn largest_pileup<'r, 'a>(t: &'r TextArtifact<'a>) -> Option<Pileup<'r, 'a>> {
    pileups(t).into_iter().max_by_key(|p| p.count)
}

/// Every site of a count profile and the goroutines over its records:
/// goroutines parked at one line by different callers are one pile-up (a
/// leaking helper reached from two handlers). A record with no frame of
/// the program is a site of its own.
pub(crate) fn pileups<'r, 'a>(t: &'r TextArtifact<'a>) -> Vec<Pileup<'r, 'a>> {
    let site_of = |r: &'r CountRecord<'a>| {
        r.frames
            .iter()
            .find(|f| !godiag_model::goroutine::is_stdlib_function(f.function))
    };
    let mut sites: Vec<Pileup<'r, 'a>> = Vec::new();
    let mut at: rustc_hash::FxHashMap<(&str, u32), usize> = Default::default();
    for r in &t.count_records {
        let site = site_of(r);
        let same = site.and_then(|s| at.get(&(s.function, s.line)).copied());
        match same.and_then(|i| sites.get_mut(i)) {
            Some(p) => {
                p.count = p.count.saturating_add(r.count);
                p.records += 1;
                if r.count > p.record.count {
                    p.record = r;
                }
            }
            None => {
                if let Some(s) = site {
                    at.insert((s.function, s.line), sites.len());
                }
                sites.push(Pileup {
                    record: r,
                    site,
                    count: r.count,
                    records: 1,
                });
            }
        }
    }
    sites
}

/// A goroutine leak found in a count profile, at `site`, with the record's
/// first frames as its evidence.
fn record_finding(
    input: &TextInput<'_, '_>,
    top: &CountRecord<'_>,
    site: Option<&CountRecordFrame<'_>>,
    title: String,
    confidence: Confidence,
    summary: String,
    goroutines: u64,
) -> Finding {
    let mut f = Finding::new(FindingKind::GoroutineLeak, title, confidence);
    f.location = site.map(|s| Location {
        function: s.function.to_string(),
        file: s.file.to_string(),
        line: s.line,
    });
    f.confirm(Evidence {
        source: input.source(),
        summary,
        input: input.index,
        offset: Some(top.offset),
        lines: top
            .frames
            .iter()
            .take(4)
            .map(|f| format!("{} at {}:{}", f.function, f.file, f.line))
            .collect(),
        goroutines: Some(goroutines),
    });
    f.next_steps = next_steps(FindingKind::GoroutineLeak);
    f
}

/// The lock methods of `sync` that throw, by the one message each throws
/// (`sync/mutex.go`, `sync/rwmutex.go`; `internal/sync` from Go 1.24).
const SYNC_THROWERS: &[(&str, &str)] = &[
    ("sync.(*Mutex).unlockSlow", "sync: unlock of unlocked mutex"),
    (
        "internal/sync.(*Mutex).unlockSlow",
        "sync: unlock of unlocked mutex",
    ),
    (
        "sync.(*RWMutex).rUnlockSlow",
        "sync: RUnlock of unlocked RWMutex",
    ),
    ("sync.(*RWMutex).Unlock", "sync: Unlock of unlocked RWMutex"),
];

/// `sync`'s own throw on top of a lock method (dundee/gdu#41: the paste
/// starts at `sync.throw` over `sync.(*Mutex).unlockSlow`): the method
/// tells the message, which only misuse of the lock raises. A paste cut
/// above the method itself (ethpandaops/dugtrio#12: `sync.(*RWMutex).Unlock`
/// on top, at its throw's line) says it less surely.
fn sync_throw_signature(frames: &[Frame<'_>]) -> Option<Signature> {
    let is_sync_throw = |f: &Frame<'_>| {
        matches!(
            f.function,
            "sync.throw" | "sync.fatal" | "internal/sync.throw" | "internal/sync.fatal"
        )
    };
    let (at, confidence) = match frames.iter().take(3).position(is_sync_throw) {
        Some(t) => (t + 1, Confidence::Medium),
        None => (0, Confidence::Low),
    };
    let thrower = frames.get(at)?;
    let (_, message) = SYNC_THROWERS
        .iter()
        .find(|(name, _)| *name == thrower.function)?;
    Some(Signature {
        kind: FindingKind::SyncMisuse,
        what: format!(
            "{message} (read from {}; the fatal error was not given)",
            thrower.function
        ),
        confidence,
        below: at,
    })
}

#[cfg(test)]
mod tests {
    use super::{shows_64_bit_words, static_panic_value};
    use godiag_model::Frame;

    /// Panic frames' value words as the runtime printed them: static data
    /// beside its type (a nil dereference whose message was not pasted,
    /// https://github.com/google/cloud-android-orchestration/pull/249, and
    /// Go 1.2's form, https://github.com/willnorris/imageproxy/issues/7)
    /// against a value on the heap (one the program made and panicked with,
    /// https://github.com/erigontech/erigon/issues/10972).
    #[test]
    fn static_and_heap_panic_values() {
        let panicked = |args: &'static str| Frame {
            function: "panic",
            args: args.into(),
            file: "/go/src/runtime/panic.go",
            line: 1,
            pc_offset: None,
            pc: None,
        };
        assert_eq!(
            static_panic_value(&panicked("{0x144da00, 0x2415d00}")),
            Some((0x144da00, 0x2415d00))
        );
        assert_eq!(
            static_panic_value(&panicked("0x6738e0, 0x98e988")),
            Some((0x6738e0, 0x98e988))
        );
        assert_eq!(
            static_panic_value(&panicked("{0x2437a40?, 0xc0a30585c0?}")),
            None
        );
        assert_eq!(static_panic_value(&panicked("...")), None);
        assert_eq!(static_panic_value(&panicked("")), None);
        // A 32-bit program's frames (the heap beside the executable).
        let arm: Vec<Frame<'_>> = vec![Frame {
            function: "main.f",
            args: "0x1840e0a8, 0x2".into(),
            file: "/a.go",
            line: 1,
            pc_offset: None,
            pc: None,
        }];
        assert!(!shows_64_bit_words(&arm));
        // A register argument marked as maybe stale: the register ABI, so
        // a 64-bit platform (cloud-android-orchestration#249's receiver).
        let register: Vec<Frame<'_>> = vec![Frame {
            args: "0x0?".into(),
            ..arm[0].clone()
        }];
        assert!(shows_64_bit_words(&register));
    }
}
