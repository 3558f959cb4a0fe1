#!/usr/bin/env python3
"""Writes lab/manifest.json: the ground truth for every lab scenario.

The facts below are written by hand; the root-cause line numbers are taken from the
`// godiag:root-cause` marker in each program, so editing a program and rerunning this
script keeps the manifest right. Run: python3 lab/gen_manifest.py
"""
import json
import sys
import os
import re

LAB = os.path.dirname(os.path.abspath(__file__))
ALL = ["default"]
TB = ["default", "gotraceback-all", "gotraceback-system", "gotraceback-crash"]

# name, kind, function, message, build, variants, root_cause, notes, extra
S = [
    ("nil-deref", "nil-dereference", "main.deref",
     "invalid memory address or nil pointer dereference", "default", TB,
     "main.deref reads a field through a nil *T",
     "Two goroutines parked on a channel and one in time.Sleep are only shown from "
     "GOTRACEBACK=all up. gotraceback-system adds runtime frames, system goroutines, "
     "gp=/m= in headers and fp=/sp=/pc= per frame; gotraceback-crash is the same text, "
     "then SIGABRT (exit 134 as seen by the shell), with no register dump. The leaf frame "
     "has no +0x offset (the fault is on the function's first instruction).",
     {"signal": "SIGSEGV"}),
    ("bad-address", "bad-address", "main.readAt", "fault", "default", ALL,
     "main.readAt dereferences a non-nil pointer to unmapped memory (0xdead0000)",
     "A runtime throw, not a recoverable panic: 'unexpected fault address 0xdead0000', "
     "'fatal error: fault', then [signal SIGSEGV ... addr=0xdead0000]; all goroutines "
     "with runtime frames and gp=/fp= for the crashing one.",
     {"signal": "SIGSEGV", "fault_address": "0xdead0000"}),
    ("sigbus", "bad-address", "main.main", "fault", "default", ALL,
     "main.main reads an mmapped page that lies past the end of the truncated file",
     "syscall.Mmap of a 2-page temp file, Truncate(0), read data[4096] → SIGBUS "
     "(code=0x2 BUS_ADRERR); printed as 'unexpected fault address 0x7f...' + "
     "'fatal error: fault' + [signal SIGBUS: bus error ...]. The address varies per run.",
     {"signal": "SIGBUS"}),
    ("map-concurrent-writes", "concurrent-map-access", "main.writer",
     "concurrent map writes", "default", ["default", "gctrace-schedtrace", "gotraceback-all"],
     "four goroutines in main.writer write the same map without a lock",
     "Which writer goroutine detects it varies. Up to 1.25 a user fatal error prints all "
     "goroutines (the other writers too); from 1.26 it prints only the failing goroutine "
     "unless GOTRACEBACK=all (variant gotraceback-all). Go 1.24+ shows the leaf frame "
     "internal/runtime/maps.fatal even at the default level. The gctrace-schedtrace "
     "variant (GODEBUG=gctrace=1,schedtrace=100) interleaves 'gc N @...' and 'SCHED ...' "
     "lines before the crash, and the crash itself prints a detailed SCHED block "
     "('SCHED Nms: ... gcwaiting=...' then indented P0:/M0:/G1: lines) between the "
     "'fatal error:' line and the first goroutine.",
     {}),
    ("map-read-write", "concurrent-map-access", "main.reader",
     "concurrent map read and map write", "default", ALL,
     "main.reader reads a map that main.writer writes concurrently without a lock",
     "Thrown in the reading goroutine; up to 1.25 the writer (main.writer) is also shown, "
     "from 1.26 only the failing goroutine is printed (user fatal errors no longer imply "
     "GOTRACEBACK=all).", {}),
    ("map-iteration-write", "concurrent-map-access", "main.iterate",
     "concurrent map iteration and map write", "default", ALL,
     "main.iterate ranges over a map that main.writer writes concurrently",
     "Thrown in the iterating goroutine (mapiternext / maps.(*Iter).Next below the range "
     "statement). From 1.26 only the failing goroutine is printed.", {}),
    ("data-race", "data-race", "main.main", "WARNING: DATA RACE", "race", ALL,
     "main.main reads `last` while the goroutine running main.record wrote it with no synchronisation",
     "Race detector report (6-space indented frames, no args), 'Found 1 data race(s)', "
     "exit 66. The marked line is the current access ('Read at ... by main goroutine'); "
     "the previous access is the write in main.record (line 13).",
     {"secondary_location": {"function": "main.record",
                             "file": "lab/scenarios/data-race/main.go", "line": 13}}),
    ("checkptr", "unsafe-pointer-misuse", "main.view",
     "checkptr: misaligned pointer conversion", "checkptr", ALL,
     "main.view converts &buf[1] (misaligned) to *node, a type that holds pointers",
     "Built with -gcflags=all=-d=checkptr; checkptr throws, so runtime frames "
     "(runtime.checkptrAlignment) and gp=/fp= are shown.", {}),
    ("deadlock-chan", "deadlock", "main.main", "all goroutines are asleep - deadlock!",
     "default", ALL, "main.main receives from a channel that nobody sends to",
     "goroutine 1 [chan receive].", {}),
    ("deadlock-waitgroup", "deadlock", "main.main", "all goroutines are asleep - deadlock!",
     "default", ALL, "main.main waits on a WaitGroup with Add(3) but only two Done calls",
     "goroutine 1 is [semacquire] up to 1.23 and [sync.WaitGroup.Wait] from 1.24.", {}),
    ("deadlock-mutex", "deadlock", "main.(*store).update",
     "all goroutines are asleep - deadlock!", "default", ALL,
     "main.(*store).update locks a sync.Mutex its caller already holds",
     "goroutine 1 [sync.Mutex.Lock]; frames go through sync.(*Mutex).lockSlow "
     "(internal/sync.(*Mutex).lockSlow from 1.24).", {}),
    ("deadlock-rlock-recursive", "deadlock", "main.(*index).get",
     "all goroutines are asleep - deadlock!", "default", ALL,
     "main.(*index).get takes a read lock its caller sum already holds, after a writer "
     "queued its Lock",
     "goroutine 1 [sync.RWMutex.RLock] in get under sum; the writer goroutine "
     "[sync.RWMutex.Lock] in set.", {}),
    ("deadlock-rlock-held", "deadlock", "main.(*store).snapshot",
     "all goroutines are asleep - deadlock!", "default", ALL,
     "main.(*store).snapshot holds the read lock across a send no one receives; a writer "
     "queues behind it and a reader behind the writer",
     "The holder [chan send] in snapshot, the writer [sync.RWMutex.Lock] in set, the "
     "reader [sync.RWMutex.RLock] in get (it only waits), main [sync.WaitGroup.Wait] "
     "(semacquire up to 1.23).", {}),
    ("deadlock-exec-writer", "deadlock", "main.(*gate).Write",
     "all goroutines are asleep - deadlock!", "default", ALL,
     "main.(*gate).Write, the command's Stdout, waits on a channel no one sends to, so "
     "the copier os/exec started never ends and Cmd.Wait waits for it",
     "goroutine 1 [chan receive] in os/exec.(*Cmd).Wait (awaitGoroutines from 1.20); "
     "the copier, created by os/exec.(*Cmd).Start, [chan receive] in main.(*gate).Write. "
     "On Go 1.21 the runtime reports no deadlock and the program hangs (no artifact).",
     {"min_go": "1.22"}),
    ("stack-overflow-recursion", "stack-overflow", "main.depth", "stack overflow",
     "default", ALL, "main.depth calls itself with no base case",
     "'runtime: goroutine stack exceeds 1000000000-byte limit', 'runtime: sp=... stack=[...]', "
     "'fatal error: stack overflow', a 'runtime stack:' block, then the goroutine with "
     "50 inner + 50 outer frames and '...N frames elided...'.", {}),
    ("stack-overflow-stringer", "stack-overflow", "main.Celsius.String", "stack overflow",
     "default", ALL,
     "main.Celsius.String formats its own receiver with %v, so fmt calls String again forever",
     "The repeating cycle is main.Celsius.String → fmt.Sprintf → fmt.(*pp).doPrintf → "
     "printArg → handleMethods → main.Celsius.String.", {}),
    ("oom-huge-alloc", "out-of-memory", "main.load", "out of memory", "default", ALL,
     "main.load makes a 4 GiB []byte while the address space is limited to ~2 GB",
     "Run under `ulimit -v 2000000`. Preceded by 'runtime: out of memory: cannot allocate "
     "4294967296-byte block (N in use)'; a runtime throw, so runtime frames and "
     "'runtime stack:' are shown.", {}),
    ("unlock-unlocked-mutex", "sync-misuse", "main.release",
     "sync: unlock of unlocked mutex", "default", ALL,
     "main.release unlocks a sync.Mutex that is not locked",
     "fatal error (not recoverable). Leaf frames sync.fatal / sync.(*Mutex).Unlock up to "
     "1.23; internal/sync.fatal / internal/sync.(*Mutex).unlockSlow from 1.24.", {}),
    ("rwmutex-unlock-unlocked", "sync-misuse", "main.main",
     "sync: Unlock of unlocked RWMutex", "default", ALL,
     "main.main calls RWMutex.Unlock without holding the write lock", "", {}),
    ("rwmutex-runlock-unlocked", "sync-misuse", "main.main",
     "sync: RUnlock of unlocked RWMutex", "default", ALL,
     "main.main calls RWMutex.RUnlock without holding a read lock", "", {}),
    ("waitgroup-negative", "sync-misuse", "main.main", "sync: negative WaitGroup counter",
     "default", ALL, "main.main calls WaitGroup.Done once more than Add allowed",
     "An ordinary panic from package sync (recoverable).", {}),
    ("close-closed-channel", "sync-misuse", "main.shutdown", "close of closed channel",
     "default", ALL, "main.shutdown closes a channel that main.main already closed", "", {}),
    ("close-nil-channel", "sync-misuse", "main.(*server).stop", "close of nil channel",
     "default", ALL, "main.(*server).stop closes a channel field that was never made", "", {}),
    ("send-closed-channel", "sync-misuse", "main.main", "send on closed channel",
     "default", ALL, "main.main sends on a channel after closing it", "", {}),
    ("index-out-of-range", "runtime-error", "main.nth",
     "index out of range [3] with length 3", "default", ALL,
     "main.nth indexes a 3-element slice with 3",
     "From 1.26 bounds checks go through runtime.panicBounds (visible only at system level).", {}),
    ("slice-bounds", "runtime-error", "main.head",
     "slice bounds out of range [:10] with capacity 4", "default", ALL,
     "main.head slices a 4-byte slice to length 10", "", {}),
    ("divide-by-zero", "runtime-error", "main.average", "integer divide by zero",
     "default", ALL, "main.average divides by a count of zero",
     "No [signal ...] line on amd64: the compiler checks the divisor explicitly.", {}),
    ("type-assertion", "runtime-error", "main.asInt",
     "interface conversion: interface {} is string, not int", "default", ALL,
     "main.asInt asserts v.(int) on a string", "", {}),
    ("nil-map-write", "runtime-error", "main.(*registry).add",
     "assignment to entry in nil map", "default", ALL,
     "main.(*registry).add writes to a map field that was never initialised", "", {}),
    ("panic-custom-error", "user-panic", "main.loadConfig",
     "config: invalid value in app.yaml:12", "default", ALL,
     "main.loadConfig panics with a *ConfigError",
     "The panic value is printed via its Error() method, which spans three lines: the "
     "continuation lines are printed raw up to 1.22 and tab-indented from 1.23.", {}),
    ("panic-nested", "user-panic", "main.process", "process: unexpected state",
     "default", ALL,
     "main.process panics; its deferred main.cleanup panics again while unwinding",
     "Two-line panic chain: 'panic: process: unexpected state' then "
     "'\\tpanic: cleanup failed'. The first panic is the root cause; the second is raised "
     "in main.cleanup (line 8), which is the top frame.",
     {"secondary": "cleanup failed"}),
    ("panic-repanic", "user-panic", "main.handle", "handler: broken invariant",
     "default", ALL,
     "main.handle panics; the deferred main.guard recovers and re-panics with the same value",
     "≤1.24: 'panic: X [recovered]' then '\\tpanic: X'; 1.25+: a single line "
     "'panic: X [recovered, repanicked]'. Top frame is main.guard (the re-panic).", {}),
    ("panic-value", "user-panic", "main.check", "(main.Point)", "default", ALL,
     "main.check panics with a Point struct value",
     "A struct without Error/String prints as '(main.Point) 0x<address>'; the address "
     "differs per run (and is not 0xc0... from 1.26).", {}),
    ("fatal-in-defer-after-segv", "nil-dereference", "main.lookup",
     "sync: unlock of unlocked mutex", "default", ALL,
     "main.lookup reads a field through a nil *session; its deferred mu.Unlock() then "
     "fails on a mutex that was never locked",
     "The visible 'fatal error: sync: unlock of unlocked mutex' hides the SIGSEGV: up to "
     "1.25 only the [signal SIGSEGV ... addr=0x0] line and the panic() frame below the "
     "Unlock frames show the nil dereference. 1.26+ first prints the pending panic "
     "('panic: runtime error: invalid memory address or nil pointer dereference' + "
     "[signal ...]) and then '\\tfatal error: sync: unlock of unlocked mutex'.",
     {"secondary": "sync: unlock of unlocked mutex", "signal": "SIGSEGV",
      "message_by_version": {"1.26": "invalid memory address or nil pointer dereference",
                             "1.27": "invalid memory address or nil pointer dereference"}}),
    ("cgo-crash", "cgo-crash", "main.readCounter", "signal arrived during cgo execution",
     "cgo", ALL,
     "the C function read_counter dereferences the NULL pointer main.readCounter passes it",
     "location is the Go function that called into C (inlined into main.main, shown as "
     "main.readCounter(...)). No 'panic:'/'fatal error:' line: the dump starts with "
     "'SIGSEGV: segmentation violation', 'PC=... m=0 sigcode=1 addr=0x0', "
     "'signal arrived during cgo execution'; goroutine 1 is [syscall] in runtime.cgocall "
     "→ main._Cfunc_read_counter (_cgo_gotypes.go); a register dump ends the output. "
     "The C frame itself is not visible (no cgo symbolizer).",
     {"signal": "SIGSEGV",
      "c_function": "read_counter"}),
    ("goroutine-leak", "goroutine-leak", "main.handleRequest", None, "default",
     ["debug2-1", "debug1-1", "debug2-2", "debug1-2"],
     "every request starts main.handleRequest, which waits forever for a reply nobody sends",
     "No crash: runtime/pprof goroutine dumps written by the program itself, debug=2 and "
     "debug=1, about 3 s apart (~200 then ~800 leaked handlers in [chan receive]). Healthy "
     "goroutines: 4 main.worker ranging over a job channel, 1 main.ticker in select, main. "
     "The leak shows as the main.handleRequest group growing between dump 1 and dump 2.",
     {"leak_function": "main.handleRequest"}),
    ("goroutine-leak-minutes", "goroutine-leak", "main.handleRequest", None, "default",
     ["debug2"],
     "200 main.handleRequest goroutines wait forever for a reply nobody sends",
     "Two runtime.GC() calls stamp their wait start (the first GC's stack scan stamps "
     "nothing because work.tstart is still 0), then the program sleeps 65 s before one "
     "debug=2 dump: 200 headers read '[chan receive, 1 minutes]', 20 newer leaks read "
     "'[chan receive]'.", {"leak_function": "main.handleRequest"}),
    ("deadlock-minutes", "deadlock", "main.(*ledger).transfer", None, "default",
     ["debug2-1", "debug2-2"],
     "main.(*ledger).transfer holds a and waits for b while main.(*ledger).refund holds b and "
     "waits for a (AB/BA)",
     "A ticking goroutine keeps the runtime from reporting the deadlock. Two runtime.GC() "
     "calls stamp the wait start; dump 1 after 65 s reads '[sync.Mutex.Lock, 1 minutes]', "
     "dump 2 60 s later '[sync.Mutex.Lock, 2 minutes]' for the same two goroutines at the "
     "same lines.", {}),
    ("sigquit", "unknown-failure", "main.main", "SIGQUIT: quit", "default", ALL,
     "main.main waits for a third result that never comes (the program hangs)",
     "A hang dump: regen.sh sends SIGQUIT after 1 s. The output is at level 2 (runtime "
     "frames, gp=/fp=, system goroutines) and starts with the thread that took the "
     "signal (often 'goroutine 0 ... [idle]'); goroutine 1 [chan receive] is the main "
     "goroutine. Others: [sync.Mutex.Lock], [select], [sleep]. A register dump ends it.",
     {"signal": "SIGQUIT"}),
    ("goroutine-panic", "user-panic", "main.runJob", "job 3: quota exceeded", "default",
     ["default", "ancestors"],
     "main.runJob panics in a goroutine started by main.dispatch, itself started by main.main",
     "ancestors variant (GODEBUG=tracebackancestors=5) adds '[originating from goroutine N]:' "
     "blocks whose frames all print '(...)' and whose 'created by' lacks ' in goroutine N'. "
     "Ancestor frame lines are return addresses, so they can be one line after the go "
     "statement.", {}),
    ("labels", "user-panic", "main.serve", "serve: request abc-123 failed", "default",
     ["default", "labels-126"],
     "main.serve panics in a goroutine started inside pprof.Do with labels",
     "default: no labels anywhere. labels-126 (GODEBUG=tracebacklabels=1 GOTRACEBACK=all, "
     "Go 1.26+ only): 1.26 prints ' labels:{\"request_id\": \"abc-123\", ...}' inside the "
     "brackets; 1.27 with this go 1.21 module prints them outside the brackets with "
     "minimal quoting: '] {request_id: \"abc-123\", route: /api/v1}:' (abc-123 is quoted "
     "because of its '-'). A background goroutine labelled worker=janitor is parked in "
     "[select (no cases)].", {"variant_min_go": {"labels-126": "1.26"}}),
    ("labels-127", "user-panic", "main.serve", "serve: request abc-123 failed", "gomod127",
     ALL,
     "main.serve panics in a goroutine started inside pprof.Do with labels",
     "The lab/gomod127 module says go 1.27, so labels are printed by default: "
     "'goroutine N [running] {request_id: \"abc-123\", route: /api/v1}:' (run with "
     "GOTRACEBACK=all so the labelled background goroutine shows too).",
     {"min_go": "1.27", "file": "lab/gomod127/main.go"}),
    ("deep-stack", "user-panic", "main.walk", "walk: reached depth limit", "default", ALL,
     "main.walk panics at recursion depth 300",
     "The 301 main.walk frames are cut to 50 inner + 50 outer with "
     "'...N frames elided...' between them.", {}),
    ("generics", "user-panic", "main.(*Stack[...]).Pop", "Stack.Pop: empty stack",
     "default", ALL,
     "main.(*Stack[...]).Pop panics on an empty stack, called from the generic main.Drain[...]",
     "Type arguments print as [...]; both frames may be inlined (printed '(...)').", {}),
] + [
    # Evidence "pprof": no crash text; the program writes runtime/pprof profiles itself
    # (regen.sh runner `files`), artifacts <name>.<file>. `sample_type` is what the
    # finding is about; `sample_types` gives it per pprof variant (proto and debug=1 text).
    # check.py verifies the location with `go tool pprof -top -lines -show='^main\.'`.
    ("heap-leak", "heap-leak", "main.handleRequest", None, "default",
     ["heap-1", "heap-2", "heap-3", "gctrace"],
     "main.handleRequest stores every 64 KiB response in a global map that nothing ever "
     "deletes from, so in-use heap grows by ~12 MB/s",
     "Three heap profiles (debug=0, each after runtime.GC()) about 1 s apart. inuse_space "
     "of the marked make() grows ~12 → ~25 → ~37 MB and is ~97% of in-use space in every "
     "profile; the other in-use sites are the bounded 32-entry ring (main.go:32, ~0.5-1 MB, "
     "flat) and, in some runs, the cache map's own buckets (main.go:35, ~0.5 MB). The 256 KiB scratch buffer per request (main.go:30) dominates alloc_space but "
     "is not in use. Compare heap-1 with heap-3 (pprof -base) to see the growth. "
     "gctrace.txt (stderr, GODEBUG=gctrace=1): the scratch buffers make a GC every few "
     "requests, and the live heap after each rises with the cache.",
     {"sample_type": "inuse_space",
      "sample_types": {"heap-1": "inuse_space", "heap-2": "inuse_space", "heap-3": "inuse_space"}}),
    ("cpu-hotspot", "cpu-hotspot", "main.countValid", None, "default", ["cpu"],
     "main.countValid calls regexp.MatchString for every address, compiling the same "
     "pattern again each time",
     "2 s CPU profile. Flat time is spread over regexp compile internals, mallocgc and GC "
     "(no single runtime/regexp function has more than a few %); attributed to user frames "
     "(pprof -show='^main\\.') the marked line has ~80% of all samples, main.normalize "
     "~1%. The rest is GC background work with no main frame.",
     {"sample_type": "cpu", "sample_types": {"cpu": "cpu"}}),
    ("mutex-contention", "lock-contention", "main.(*ledger).post", None, "default",
     ["mutex", "mutex.debug1"],
     "main.(*ledger).post sleeps 1 ms while holding the ledger's only sync.Mutex, so 8 "
     "goroutines queue on it",
     "runtime.SetMutexProfileFraction(1). The mutex profile blames the holder: the delay "
     "of the waiters is recorded at the Unlock call site (the marked l.mu.Unlock() line), "
     "with leaf frame sync.(*Mutex).Unlock (a real call up to 1.23; from 1.24 the sync "
     "wrapper inlined over internal/sync, printed '(inline)') above main.(*ledger).post; "
     "not at the Lock line where the waiters blocked. Delay scaling changed in 1.22: 1.21 "
     "records ~2 s (one waiter's wait per unlock), 1.22+ ~14 s (the wait times the number "
     "of waiters; 8 goroutines over 2 s); ~1700-1800 contentions in all. 1.22-1.24 can add "
     "a tiny runtime._LostContendedRuntimeLock record (runtime-internal lock contention). "
     "1.21 has no main.main.gowrap1 frame. The debug=1 text is '--- mutex:', 'cycles/second=', "
     "'sampling period=1', then '<cycles> <count> @ <pcs>' records with '#' frame lines.",
     {"sample_type": "delay", "sample_types": {"mutex": "delay", "mutex.debug1": "delay"}}),
    ("channel-blocking", "lock-contention", "main.worker", None, "default",
     ["block", "block.debug1"],
     "four main.worker goroutines spend their time blocked receiving from an unbuffered "
     "channel that a single producer feeds only every 2 ms",
     "runtime.SetBlockProfileRate(1). Block events are recorded when the wait ends, with "
     "the waiter's stack: leaf runtime.chanrecv2 (the range receive) above main.worker at "
     "the marked 'for j := range jobs' line, ~8 s of delay (4 workers x 2 s) and ~900 "
     "contentions; the producer's sends hardly block. The debug=1 text starts "
     "'--- contention:' and 'cycles/second=' (no sampling period line).",
     {"sample_type": "delay", "sample_types": {"block": "delay", "block.debug1": "delay"}}),
    ("gc-heavy", "gc-pressure", "main.parse", None, "default", ["cpu", "heap", "gctrace"],
     "main.parse allocates a 48-byte token on the heap for every input position and drops "
     "it right away, so allocation and garbage collection take most of the CPU",
     "Run with GODEBUG=gctrace=1 (all three artifacts record that env); gctrace is the "
     "program's stderr: ~75-260 'gc N @Ts P%: ...' lines, the last one '(forced)' by the "
     "runtime.GC() before the heap profile; its P% (GC mark share since start) is only "
     "~11-22% because allocation itself is not counted. CPU profile (2 s): runtime.mallocgc ~65-70% cum "
     "(most of it under the marked line, ~25% of it GC assist) plus gcBgMarkWorker ~20%; "
     "main.parse is inlined into main.main ('(inline)' with -lines). The heap profile shows "
     "the marked line with ~99% of alloc_objects/alloc_space and almost nothing in use (the "
     "long-lived 100k-entry index at main.go:47 is what in-use shows).",
     {"sample_type": "cpu",
      "sample_types": {"cpu": "cpu", "heap": "alloc_space"}}),
    ("goroutine-leak-profile", "goroutine-leak", "main.handleRequest", None, "leakprofile",
     ["goroutine-1", "goroutine-2", "goroutine-2.debug2", "goroutineleak"],
     "every request starts main.handleRequest, which waits forever for a reply on a "
     "channel nobody sends to",
     "Two goroutine profiles (debug=0) ~2 s apart: ~195 then ~585 goroutines at the marked "
     "receive (leaf runtime.gopark ← runtime.chanrecv1), plus 4 main.worker in "
     "'range jobs' and main itself. goroutineleak.pb.gz (sample type goroutineleak/count) "
     "holds only the leaked handlers, as found by the leak-detecting GC that WriteTo runs: "
     "Go 1.26 registers the profile only when built with GOEXPERIMENT=goroutineleakprofile "
     "(build 'leakprofile'), 1.27 always; up to 1.25 pprof.Lookup returns nil. "
     "goroutine-2.debug2.txt is a debug=2 dump taken right after goroutine-2.pb.gz, so the "
     "dump and the profile describe the same goroutines (cross-source confirmation).",
     {"sample_type": "goroutine", "leak_function": "main.handleRequest",
      "sample_types": {"goroutine-1": "goroutine", "goroutine-2": "goroutine",
                       "goroutineleak": "goroutineleak"},
      "variant_min_go": {"goroutineleak": "1.26"}}),
] + [
    # Evidence "core": run by lab/cores.sh (not regen.sh) under GOTRACEBACK=crash with
    # `ulimit -c unlimited`; artifacts under lab/cores/go<VER>/: <name>.<build>.{exe.gz,
    # core.gz,txt} for the builds (variants) plain, stripped (-ldflags=-s -w) and pie.
    ("core-goroutine-leak", "goroutine-leak", "main.handleRequest", "SIGQUIT: quit", "default",
     ["plain", "stripped", "pie"],
     "every request starts main.handleRequest, which waits forever for a reply nobody sends",
     "A leaking service dumped on purpose: 200 main.handleRequest goroutines in [chan receive] "
     "at the marked line, 4 main.worker in 'range jobs', 1 main.ticker in select; after "
     "~300 ms main sends itself SIGQUIT (syscall.Kill, so goroutine 1 is [running] in "
     "syscall.Kill), and under GOTRACEBACK=crash the runtime prints every goroutine with "
     "runtime frames and fp=/sp=/pc=, then aborts (SIGABRT, exit 134) and the kernel writes "
     "a core holding all 200 leaked stacks.",
     {"evidence": "core", "leak_function": "main.handleRequest", "signal": "SIGQUIT"}),
    ("core-stack-overflow", "stack-overflow", "main.resolve", "stack overflow", "default",
     ["plain", "stripped", "pie"],
     "main.resolve follows config includes recursively and the includes form a cycle "
     "(a → b → c → a)",
     "debug.SetMaxStack(4 << 20) first, so 'runtime: goroutine stack exceeds 4194304-byte "
     "limit' and 'fatal error: stack overflow' come after ~4 MiB (frames of ~300 bytes: a "
     "[32]int scratch array); under GOTRACEBACK=crash then SIGABRT (exit 134) and a core "
     "with the 4 MiB stack.",
     {"evidence": "core"}),
    ("core-wait-minutes", "nil-dereference", "main.main", "invalid memory address or nil pointer dereference", "default",
     ["plain"],
     "main reads a field through a nil *reply; eight goroutines had been blocked in [chan receive] for over a minute",
     "Slow (65 s), made only when named. Five main.wait goroutines block, a GC records their "
     "wait (g.waitsince), three more block 65 s later, another GC, then the nil dereference: "
     "the crash output prints '[chan receive, 1 minutes]' for all eight, which a core reader "
     "must match from g.waitsince and sched.lastpoll.",
     {"evidence": "core"}),
    # Evidence "service": a long-running service that `godiag collect` captures a bundle
    # from (crates/godiag/tests/live_lab.rs starts it on loopback).
    ("service-leak", "goroutine-leak", "main.lookup", None, "default", ["collect"],
     "search returns on timeout without reading the unbuffered result channel, so each slow "
     "lookup blocks forever in its send",
     "An HTTP service with net/http/pprof, mutex and block profiling on, and a load loop "
     "calling /search every 2 ms; every lookup is slower than the 5 ms budget, so about one "
     "main.lookup goroutine per request leaks in [chan send] at the marked line, and the "
     "mutex guarding the cache sees contention from them.",
     {"evidence": "service"}),
]

# Evidence "trace": no crash text (except trace-crash's stderr); the program writes a
# runtime/trace execution trace itself (regen.sh runner `files`, artifact <name>.trace.out or
# <name>.flight.out, index format "execution-trace"; Go 1.22+ only: 1.21 writes the old v1
# format). `trace_facts` is what the trace must show; check.py measures it from `go tool trace
# -d=parsed` of the same version. `location` is the user line the trace blames: in the stacks
# of the preemptions, GC mark assists, blocking transitions or sleeps the finding is about.
TRACE = [
    ("trace-starvation", "scheduler-starvation", "main.spin", None, "default", ["trace"],
     "with GOMAXPROCS(1), 20 goroutines run main.spin's CPU loop for ~600 ms and never block, "
     "so every runnable goroutine waits for the only P until sysmon preempts the running one",
     "The program sets runtime.GOMAXPROCS(1) (metric /sched/gomaxprocs:threads = 1 in the "
     "trace). Each spinner runs ~10-20 ms slices ending in 'Running->Runnable' "
     "Reason=\"preempted\" with stack runtime.asyncPreempt above main.spin at the marked line, "
     "then waits ~200-400 ms in Runnable: ~20 goroutines wait >= 100 ms (max ~390 ms). A "
     "10 ms ticker goroutine is starved too (worst gap ~115 ms on 1.24, ~300 ms on 1.22). "
     "`go tool trace -pprof=sched` of 1.22-1.25 does NOT show this: it only closes a runnable "
     "interval on a later transition that carries a stack, and Runnable->Running never does, so "
     "the spinners' waits are dropped and the profile holds ~25-100 us. The 1.26+ tool counts "
     "them: ~7.7 s of delay, the marked line first (~85%, leaf runtime.asyncPreempt2 above "
     "main.spin), main.go:21 (time.Now) ~10%. ~4-5 KB.",
     {"min_go": "1.22",
      "trace_facts": {"gomaxprocs": 1, "spinners": 20, "spin_ms": 600,
                      "starved_ms": 100, "min_starved_goroutines": 15}}),
    ("trace-gc-heavy", "gc-pressure", "main.build", None, "default", ["trace"],
     "main.build allocates a 64-byte node for every list element and drops the list at once, "
     "with GOGC=10 over a ~19 MB live heap, so the collector runs back to back and the "
     "allocating goroutine is drafted into mark assists",
     "debug.SetGCPercent(10); the loop stops after 16 GC cycles (~150-300 ms) or once 256 KB "
     "of trace is written. The trace shows ~15-16 'GC concurrent mark phase' ranges, two "
     "stop-the-world ranges per cycle ('stop-the-world (GC sweep termination)' / '(GC mark "
     "termination)'), and hundreds (≤1.25) to thousands (1.26+) of 'GC mark assist' ranges whose "
     "stack is the marked allocation (runtime.mallocgc → gcAssistAlloc). From 1.25 the "
     "background sweeper (runtime.bgsweep) can spin in runtime.Gosched "
     "('Running->Runnable' Reason=\"runtime.Gosched\" via goschedIfBusy, Go issue #73499) "
     "for thousands of yields per cycle on a busy machine; that is runtime noise, not the "
     "finding, and why the program caps the trace size. ~75-115 KB.",
     {"min_go": "1.22",
      "trace_facts": {"gogc": 10, "min_gc_cycles": 10, "min_mark_assists_at_location": 100}}),
    ("trace-lock-contention", "lock-contention", "main.(*cache).update", None, "default",
     ["trace"],
     "main.(*cache).update sleeps 2 ms while holding the cache's only sync.Mutex, so 8 "
     "goroutines spend most of ~500 ms blocked in Lock",
     "~230 'Running->Waiting' Reason=\"sync\" transitions with stack sync.(*Mutex).Lock "
     "(leaf in every version; internal/sync frames are not shown) above main.(*cache).update "
     "at the marked Lock line, ~3.5 s of waiting in all (8 goroutines x ~500 ms minus the "
     "holder's time). Unlike the mutex profile (which blames the Unlock of the holder), the "
     "trace blames the waiter's Lock call; `go tool trace -pprof=sync` puts the marked line "
     "first (~78-87%; the rest is main's WaitGroup.Wait). ~18-22 KB.",
     {"min_go": "1.22",
      "trace_facts": {"goroutines": 8, "hold_ms": 2, "min_wait_ms_at_location": {"sync": 1000}}}),
    ("trace-blocking-io", "blocking-io", "main.fetch", None, "default", ["trace"],
     "main.fetch waits on a loopback TCP backend that answers each request after 50 ms, four "
     "clients in a row for ~500 ms",
     "Network: ~80 'Running->Waiting' Reason=\"network\" transitions at the marked io.ReadFull "
     "(frames internal/poll.(*FD).Read → net.(*netFD).Read → net.(*conn).Read → "
     "bufio.(*Reader).Read → io.ReadAtLeast → io.ReadFull → main.fetch), "
     "~2 s of waiting; `go tool trace -pprof=net` shows the marked line ~100%. Syscall: "
     "main.readPipe blocks in syscall.Read on a blocking pipe fd (not the netpoller) written "
     "every 50 ms: ~10 Syscall states of ~50 ms each ('Running->Syscall' then "
     "'Syscall->Runnable' when sysmon took the P). `go tool trace -pprof=syscall` of 1.22-1.25 "
     "misses them (the transition out of Syscall has no stack, so only microseconds of short "
     "syscalls are counted); the 1.26+ tool shows main.readPipe (main.go:74) with ~500 ms. "
     "The backend goroutines sleep 50 ms per request ('sleep'). ~12-15 KB.",
     {"min_go": "1.22",
      "trace_facts": {"clients": 4, "backend_delay_ms": 50,
                      "min_wait_ms_at_location": {"network": 1000},
                      "long_syscall_ms": 40, "min_long_syscalls": 5}}),
    ("trace-leak", "goroutine-leak", "main.handleRequest", None, "default", ["trace"],
     "50 main.handleRequest goroutines wait forever for a reply on a channel nobody sends to",
     "The 50 handlers are created during the trace ('NotExist->Runnable' with the go "
     "statement's stack), block once ('Running->Waiting' Reason=\"chan receive\", stack "
     "runtime.chanrecv1 above the marked line) and have no later transition; trace.Stop ~300 ms "
     "later. The 4 healthy main.worker goroutines block on 'range jobs' (main.go:24) about "
     "every 5 ms and are woken each time, then exit when jobs is closed. ~8-9 KB.",
     {"min_go": "1.22", "leak_function": "main.handleRequest",
      "trace_facts": {"leaked_goroutines": 50}}),
    ("trace-annotations", None, "main.query.func1", None, "default", ["trace"],
     "no failure: 10 requests with user tasks, regions and logs; the 20 ms 'query' region "
     "(the marked sleep) is where each request spends most of its time",
     "One goroutine per request (started 10 ms apart, overlapping): task 'request' (root, "
     "Parent=NoTask, printed as 18446744073709551615) with child task 'db'; regions 'parse' "
     "(2 ms, trace.WithRegion), 'query' (20 ms, inside task 'db', trace.WithRegion: the marked "
     "sleep is in the closure main.query.func1) and 'render' (5 ms, trace.StartRegion/End); "
     "logs 'request_id' (req-01..req-10) on 'request', 'sql' and 'rows' on 'db', 'status' on "
     "'request'. kind is null: nothing is wrong; a reader should report the tasks/regions, not "
     "a finding. ~7-8 KB.",
     {"min_go": "1.22",
      "trace_facts": {"tasks": {"request": 10, "db": 10},
                      "regions": {"parse": 10, "query": 10, "render": 10},
                      "logs": {"request_id": 10, "sql": 10, "rows": 10, "status": 10},
                      "region_min_ms": {"parse": 2, "query": 20, "render": 5},
                      "min_wait_ms_at_location": {"sleep": 150}}}),
    ("deadlock-abba", "deadlock", "main.(*bank).transferOut",
     "watchdog: no transfer completed for 1s", "default", ["goroutines.debug2", "crash"],
     "main.(*bank).transferOut holds from.mu and waits for to.mu while main.(*bank).transferBack "
     "holds to.mu and waits for from.mu (AB/BA)",
     "Two workers keep sleeping and ticking, so the runtime never reports a deadlock. main "
     "runs the watchdog: after 1 s without a completed transfer it writes goroutines.debug2.txt "
     "(debug=2, with main.(*bank).audit blocked behind the pair on from.mu) and panics; "
     "crash.txt (GOTRACEBACK=all, exit 2) shows the watchdog's panic first and every goroutine. "
     "The visible failure is the watchdog's panic; its cause is the lock cycle. The blocked "
     "goroutines' headers read [sync.Mutex.Lock] (1.21+), their frames go through "
     "(internal/)sync.(*Mutex).lockSlow with the mutex address as its argument.",
     {}),
    ("deadlock-lock-chan", "deadlock", "main.(*registry).publish",
     "watchdog: no event handled for 1s", "default",
     ["goroutines.debug2", "goroutines-later.debug2", "crash"],
     "main.(*registry).publish sends on an unbuffered channel while holding the registry's "
     "lock; the only receiver, main.(*registry).consume, waits for that lock (lock and channel)",
     "Two workers keep sleeping and ticking, so the runtime never reports a deadlock. main "
     "runs the watchdog: after 1 s without a handled event it writes goroutines.debug2.txt "
     "(debug=2), 300 ms later goroutines-later.debug2.txt (the same goroutines at the same "
     "lines), and panics; crash.txt (GOTRACEBACK=all, exit 2) shows the watchdog's panic "
     "first. The receiver's lock wait prints the lock's address (lockSlow's argument) and the "
     "channel as its own argument; the sender's frames hide the runtime's channel frames and "
     "print its receiver as 0x0? (not saved), so from text the holder is inferred from the "
     "method's receiver type; a core proves it by the pending deferred unlock.",
     {}),
    ("trace-deadlock-abba", "deadlock", "main.(*bank).transferOut", None, "default", ["trace"],
     "main.(*bank).transferOut holds from.mu and waits for to.mu while main.(*bank).transferBack "
     "holds to.mu and waits for from.mu (AB/BA), seen only in an execution trace",
     "The trace runs from the program's start. transferOut blocks on to.mu first (20 ms "
     "before transferBack blocks on from.mu); both stay blocked ('Running->Waiting' "
     "Reason=\"sync\", stack sync.(*Mutex).Lock above the Lock call) with no later "
     "transition, while two workers sleep and tick every 5 ms. main stops the trace after "
     "1 s without a completed transfer and exits 0. The trace names no mutex: the cycle is "
     "told by two goroutines each blocked in a Lock for the rest of the trace.",
     {"min_go": "1.22"}),
    ("trace-crash", "nil-dereference", "main.lookup",
     "invalid memory address or nil pointer dereference", "default", ["trace", "crash"],
     "main.lookup reads a field through the nil *session the map returns for an unknown name",
     "Tracing to an *os.File (trace.Start writes each chunk straight to it) for ~1.5 s of "
     "pipeline work, then ~12000 runtime.Gosched calls (a burst of events on one M) and the nil "
     "dereference; trace.Stop never runs. crash.txt (stderr, exit 2) is the usual nil-deref "
     "panic with main.lookup(...) inlined into main.main. What trace.out holds depends on the "
     "version: 1.22 writes no more than it had flushed: generation 1 complete and one full "
     "64 KB batch of generation 2 with no frequency/stack/string batches, so `go tool trace "
     "-d=1` fails with 'no frequency event found' (-d=2 dumps the batches); ~125-140 KB. 1.23+ "
     "flush the current generation when an unrecovered panic reaches the top (gopanic calls "
     "traceAdvance, which waits for the writer), so the file is a complete trace of ~1.5 s "
     "ending with the panic: -d=parsed succeeds, last event ~1.5 s after the first; ~200-215 "
     "KB. The crash location is not in any trace stack (no event is emitted at the faulting "
     "line).",
     {"min_go": "1.22", "signal": "SIGSEGV",
      "trace_facts": {"parse_error_by_version": {"1.22": "no frequency event found",
                                                 "1.23": None},
                      "location_in_trace": False, "min_generations": 2,
                      "min_span_ms": 1400}}),
    ("trace-flight-recorder", "lock-contention", "main.(*store).get", None, "default",
     ["flight"],
     "main.(*store).get waits ~120 ms for the store's mutex while main.(*store).compact "
     "holds it, and the program snapshots its flight recorder when it sees the slow request",
     "Go 1.25+ only (runtime/trace.FlightRecorder; the file has //go:build go1.25, so older "
     "toolchains see no buildable file). FlightRecorderConfig{MinAge: 200 ms, MaxBytes: 1 MiB}; "
     "4 request goroutines run ~1.3 s, then compact() holds the lock ~120 ms, a request "
     "measures a > 50 ms wait, main waits 20 ms more (so the queued requests' waits end "
     "inside the snapshot) and calls WriteTo(flight.out). The snapshot starts at "
     "generation 2 (-d=wire: every EventBatch gen=2): the ring keeps only generations newer "
     "than MinAge, so generation 1 (0-1 s) is gone and the parsed trace begins with "
     "'Undetermined->Running/Waiting' transitions (GoStatus/ProcStatus) for goroutines and Ps "
     "that existed before; no goroutine creation is in it. It shows 'Running->Waiting' Reason=\"sync\" at the "
     "marked Lock for ~120 ms in each of the 4 request goroutines. ~20 KB.",
     {"min_go": "1.25",
      "trace_facts": {"min_age_ms": 200, "max_bytes": 1048576, "min_first_generation": 2,
                      "min_wait_ms_at_location": {"sync": 100}}}),
]

EXTRA_SCENARIO_DIRS = {"labels-127": "gomod127"}


def marker_line(path):
    lines = [i + 1 for i, l in enumerate(open(path)) if "// godiag:root-cause" in l]
    if len(lines) != 1:
        raise SystemExit(f"{path}: expected exactly one godiag:root-cause marker, found {lines}")
    return lines[0]


def main():
    out = []
    for name, kind, func, msg, build, variants, root, notes, extra in S + TRACE:
        extra = dict(extra)
        rel = extra.pop("file", f"lab/scenarios/{name}/main.go")
        path = os.path.join(os.path.dirname(LAB), rel)
        sc = {
            "name": name,
            "kind": kind,
            "root_cause": root,
            "location": {"function": func, "file": rel, "line": marker_line(path)},
            "message": msg,
            "build": build,
            "min_go": extra.pop("min_go", "1.21"),
            "variants": variants,
            "notes": notes,
        }
        if "sample_type" in extra:
            sc["evidence"] = "pprof"
        elif "trace_facts" in extra:
            sc["evidence"] = "trace"
        sc.update(extra)
        out.append(sc)
    # every scenario directory must be described
    dirs = set(os.listdir(os.path.join(LAB, "scenarios"))) | {"labels-127"}
    missing = dirs - {s["name"] for s in out}
    if missing:
        raise SystemExit(f"scenarios without manifest entry: {sorted(missing)}")
    text = json.dumps({"scenarios": out}, indent=1, ensure_ascii=False) + "\n"
    path = os.path.join(LAB, "manifest.json")
    if "--check" in sys.argv[1:]:
        with open(path) as f:
            if f.read() != text:
                raise SystemExit("lab/manifest.json is stale: run python3 lab/gen_manifest.py")
        print(f"lab/manifest.json is up to date ({len(out)} scenarios)")
        return
    with open(path, "w") as f:
        f.write(text)
    print(f"wrote {len(out)} scenarios to lab/manifest.json")


if __name__ == "__main__":
    main()
