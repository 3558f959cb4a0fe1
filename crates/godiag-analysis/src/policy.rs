//! What the rules require of evidence, and how findings are ordered, in
//! words: `docs/findings.md` renders these, and the numbers are the ones
//! the rules use.

use crate::profilerules::{MIN_CONTENTION_SECONDS, MIN_HOTSPOT_SECONDS};

/// The ranking rules, in the order `rank` applies them.
pub const RANKING_RULES: &[&str] = &[
    "A secondary failure (a fatal error raised by a deferred call while an earlier panic or fault unwound) ranks below the failure it hides.",
    "A consequence ranks below its cause: a panic raised by a watchdog, health check or supervisor timeout (its message or function names one: watchdog, no progress, health check, liveness, stuck, hung, timed out, timeout, deadline exceeded, supervisor) ranks below a finding that explains the stall (deadlock, goroutine leak, lock contention, scheduler starvation, GC pressure, blocking I/O); so does a SIGQUIT dump's own finding, the operator's dump of that stall; and, beside a deadlock in the program's code, a goroutine leak of the standard library's goroutines alone (an HTTP client's or server's connections) or of goroutines queued in the very function that deadlocked.",
    "Higher confidence first.",
    "At equal confidence, a failure (a crash, a deadlock) before a finding about how the program ran (leaks, contention, GC, CPU).",
    "Then the finding more sources confirm first: two sources confirming outrank one confirming while the others are silent.",
    "Then the kind's own order.",
];

/// The merging rules: one finding per root cause.
pub const MERGING_RULES: &[&str] = &[
    "Findings of one kind at one code location, from different inputs or rules, are one finding with the evidence of each; each source beyond the first that confirms a finding raises its confidence one step (low to medium to high), and a source that contradicts it keeps it at medium at most.",
    "A deadlock among named goroutines is contradicted by a later dump of the same process (the same goroutine ids, started by the same go statements) in which one of them is in another state or at another line: a deadlock never moves, so it is kept at low confidence and marked contradicted by that dump. A later dump in which every one of them it holds is the same goroutine, in the same state at the same line, raises the deadlock's confidence one step (two dumps are one source, so their agreement would raise nothing otherwise).",
    "A heap leak that profiles claim is confirmed by a GODEBUG=gctrace=1 log whose live heap after GC (the last of A->B->C MB) grew from its first third to its last (by a quarter and at least 1 MB, compared by medians), and contradicted by one whose live heap stayed within a tenth over at least as long as the profiles span.",
    "Lock contention, CPU hotspots, heap growth and blocking I/O add up time or memory over a code site: two of one kind in the same function are one finding (a mutex profile charges the Unlock line, a trace the Lock line).",
    "A CPU hotspot in the function that is the allocating site of GC pressure is that GC work: it joins the GC pressure finding.",
    "Long channel waits (trace, block profile) at a goroutine leak's site join the leak.",
    "A crash known without its location (text cut before the stacks) is the crash another source locates.",
];

/// The evidence each rule needs before it reports: (finding, threshold).
pub fn thresholds() -> Vec<(&'static str, String)> {
    vec![
        (
            "cpu-hotspot",
            format!("one function holds at least 25% of the CPU samples and at least {MIN_HOTSPOT_SECONDS} s of them (high confidence from 50%)"),
        ),
        (
            "gc-pressure",
            "CPU profile: GC marking, assists or sweeping in at least 25% of the samples (high from 40%); trace: the GC's CPU share at least 25%, or a stop-the-world pause of 10 ms or more (high from 40% or 50 ms); gctrace: the cumulative GC share the runtime prints".into(),
        ),
        (
            "lock-contention",
            format!("mutex or block profile: one function holds at least 50% of the delay and at least {MIN_CONTENTION_SECONDS} s of it, and is the program's (not a runtime pseudo-frame such as `runtime._LostContendedRuntimeLock`; high from 80%); trace: waits at one site add up to half a goroutine's time (50 ms, 10 waits) or a whole goroutine's (100 ms, 2 waits)"),
        ),
        (
            "scheduler-starvation",
            "trace: goroutines runnable for 100 ms or more without a P (high from 3 such waits)".into(),
        ),
        (
            "goroutine-leak",
            "two dumps: a group blocked on another goroutine grew, to at least 10; one dump: at least 50 goroutines (and a fifth of the dump) blocked on another goroutine at one stack, or any number the runtime (`(leaked)`, Go 1.26+) or a leak checker (goleak, leaktest) reported, or parked on a nil channel or in a `select` with no cases (never to run again; a test's goroutine so parked, or the main goroutine on a nil channel, is a deadlock instead, and the main goroutine in `select {}` is a server idling on purpose: nothing), or, in an excerpt without the main goroutine (at most 12 goroutines, no failure printed), several parked at one site or a worker the program (not a test, which would be waiting for it) started parked on channels in its own function; a `debug=1` goroutine profile: one stack holding at least 50 goroutines and a fifth of all (medium confidence: its records carry no wait state), or, for records pasted without the profile's `total` line, at least 10 (low)".into(),
        ),
        (
            "heap-leak",
            "heap snapshots of one program (the latest's main binary): one allocation site's in-use bytes grew by at least 1 MiB, never shrinking; several snapshots without such growth give none; one snapshot gives only a low-confidence largest retainer (at least half the heap and 1 MiB); with no heap profile's leak, a `GODEBUG=gctrace=1` log alone whose live heap after GC (the last of `A->B->C MB`) at least doubled, by 16 MB or more, from the median of its first third of cycles to that of its last third, over at least 10 cycles, and ends at half its peak or above: a placeless leak (low; medium when it grew fourfold)".into(),
        ),
        (
            "deadlock",
            "the runtime's `all goroutines are asleep`; a cycle in the wait-for graph of blocked goroutines, with at least one lock: each waits for a `sync.Mutex`/`sync.RWMutex` lock, channel, `sync.WaitGroup` or `sync.Cond` that only the next could release (lock holders and the goroutines passed a channel, group or condition inferred from the argument values of the program's frames, not those marked `?`, and no goroutine that is not blocked passed it: medium; every link a lock whose holder a pending deferred unlock in a core's frames proves: high; a link inferred only from a blocked method of the owner type whose receiver was not saved: low), located where it closes (a send or wait made while holding a lock the other waits for, else the frame taking the second lock); a dump in which every goroutine of the program waits for another (medium confidence, low when a select may have a timer); goroutines waiting a minute or more to take a `sync.Mutex` or `sync.RWMutex` (its holder never released it: medium from 10 minutes, else low); an excerpt without the main goroutine (at most 12 goroutines, no failure printed) in which a goroutine is parked on a channel, lock, wait group or condition for a minute or more, or whose goroutines are all parked, located at the parked goroutine's program frame (channel operations first, then locks, then wait-group and condition waiters; medium from 10 minutes, else low); the main goroutine or a test's goroutine parked on a nil channel, or a test's in a `select` with no cases (high: nothing can wake it); `go test`'s `test timed out after D`, located at the hung test's blocked goroutine (one running a test listed under `running tests:`, else the longest waiting one in the program's code; never the testing harness's own, nor a parallel test paused for its turn), medium (a test may just be slower than `-timeout`), or, when no goroutine of the hung test is in the input, low and without a location; a full goroutine dump in which a function waits in `sync.WaitGroup.Wait` while no goroutine it started (it or its closures as `created by`) is left, no other goroutine was passed the group, and none of the program's goroutines is running, runnable, in a syscall or in I/O (the dump's own writer aside): low, medium when the wait has lasted a minute or more; a goroutine queued in `sync.RWMutex.RLock` beside one of the same package waiting in `Lock`, and no other goroutine of that package blocked elsewhere, at `all goroutines are asleep` or a test's timeout: the reader, a read lock taken again while held; main waiting in a standard-library call (not `testing`'s) for goroutines that package started, all blocked at one place in the program's code and not on a lock: that place; an execution trace alone: goroutines blocked in a `sync.Mutex`/`sync.RWMutex` Lock until the trace ended and never woken, for 1 s or more (or 0.5 s and half of a shorter trace) — medium when two sites wait (a lock-order cycle) or a method of the waiter's receiver type sat on a channel since before the wait began (the lock held across the send or receive, placed at that channel operation), low for one site alone".into(),
        ),
        (
            "stack-only inference",
            "frames without the failure line (a pasted excerpt) give a medium-confidence finding from the code the failing goroutine was in (WaitGroup.Add, the map code, a runtime error raiser, a 32-bit platform's 64-bit atomic that crashes on purpose on an unaligned address, `panic`, a logger's `Panic` method (located at the program's call below the logger), a recursion cycle) and a low-confidence nil dereference from `runtime.sigpanic`, or from a `panic` frame whose value's data word is static (beside its type word, not on the heap) in a goroutine whose argument words show a 64-bit program (a word past 32 bits, or one marked `?`, which only the register ABI of 64-bit platforms prints); a stack pasted alone (frames without a header, or a single `[running]` goroutine, none of the runtime's frames, no other goroutine) gives a low-confidence unknown failure at its program's top frame".into(),
        ),
    ]
}
