//! Reader tests on hand-written inputs for forms that the lab corpus (tested
//! in `crates/godiag/tests`) does not show in every variation.

use crate::parse;

const CRASH: &str = "\
starting server on :8080
panic: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x8 pc=0x4d2860]

goroutine 7 [running]:
main.(*Server).handle(0x0, {0xc000012345, 0x5})
\t/app/server.go:42 +0x20
main.main.func1()
\t/app/main.go:17 +0x2a
created by main.main in goroutine 1
\t/app/main.go:15 +0x85

goroutine 1 [chan receive, 12 minutes]:
2024/05/01 10:00:00 an application log line (written meanwhile)
main.main()
\t/app/main.go:20 +0x99
gc 4 @1.002s 1%: 0.01+0.2+0.01 ms clock, 0.02+0/0.1/0.2+0.02 ms cpu, 4->4->0 MB, 4 MB goal, 0 MB stacks, 0 MB globals, 2 P
SCHED 1000ms: gomaxprocs=2 idleprocs=2 threads=5 spinningthreads=0 needspinning=0 idlethreads=3 runqueue=0 [0 0]

goroutine 9 [running]:
\tgoroutine running on other thread; stack unavailable
created by main.main in goroutine 1
\t/app/main.go:16 +0x45
exit status 2
";

#[test]
fn crash_with_interleaved_lines() {
    let t = parse(CRASH.as_bytes());
    assert!(!t.partial, "{:?}", t.warnings);
    assert_eq!(t.goroutines.len(), 3);
    let g = &t.goroutines[0];
    assert_eq!((g.id, g.status, g.parent), (7, "running", Some(1)));
    assert_eq!(g.frames.len(), 2);
    assert_eq!(g.frames[0].function, "main.(*Server).handle");
    assert_eq!(g.frames[0].args, "0x0, {0xc000012345, 0x5}");
    assert_eq!(
        (
            g.frames[0].file,
            g.frames[0].line,
            g.frames[0].pc_offset.map(|o| o.get())
        ),
        ("/app/server.go", 42, Some(0x20))
    );
    assert_eq!(
        g.created_by.as_ref().map(|f| (f.function, f.line)),
        Some(("main.main", 15))
    );
    let main = &t.goroutines[1];
    assert_eq!(
        (main.status, main.wait_minutes, main.frames.len()),
        ("chan receive", Some(12), 1)
    );
    assert!(t.goroutines[2].stack_unavailable);
    assert_eq!(t.crash.panics.len(), 1);
    let s = t.crash.signal.as_ref().unwrap();
    assert_eq!((s.name, s.addr), ("SIGSEGV", 8));
    assert_eq!(t.gc_traces.len(), 1);
    assert_eq!(t.sched_traces.len(), 1);
    assert_eq!(t.crash.exit_status, Some(2));
    assert_eq!(t.other_lines, 2, "the two application lines");
    assert_eq!(t.failing_goroutine().map(|g| g.id), Some(7));
}

#[test]
fn multi_line_panic_values_old_and_new() {
    // Go 1.21/1.22 print continuation lines raw; 1.23+ indent them with a tab.
    for text in [
        "panic: first line\nsecond line [recovered]\n\tpanic: again\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n",
        "panic: first line\n\tsecond line [recovered]\n\tpanic: again\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n",
    ] {
        let t = parse(text.as_bytes());
        assert_eq!(t.crash.panics.len(), 2, "{text}");
        assert_eq!(t.crash.panics[0].value, "first line\nsecond line");
        assert!(t.crash.panics[0].recovered);
        assert_eq!(t.crash.panics[1].value, "again");
        assert_eq!(t.goroutines.len(), 1);
    }
}

/// Frames pasted right under the message, without a goroutine header
/// (sirupsen/logrus#1046), are frames, not more lines of the message; a
/// `%+v` error's own frames inside a value (no call, no pc offset) stay in
/// the value.
#[test]
fn frames_under_a_message_are_not_its_lines() {
    let text = "fatal error: concurrent map iteration and map write\nruntime.mapiternext(0xc000bbee98)\n\t/usr/local/go/src/runtime/map.go:858 +0x579 fp=0xc000bbedd8 sp=0xc000bbed50 pc=0x1011289\nvendor/github.com/sirupsen/logrus.(*Entry).WithFields(0xc0001065b0, 0xc0009d3f50, 0xc0009d3f50)\n\tvendor/github.com/sirupsen/logrus/entry.go:117 +0xef fp=0xc000bbef08 sp=0xc000bbedd8 pc=0x1479b0f\n";
    let t = parse(text.as_bytes());
    assert_eq!(
        t.crash.fatal_error.as_deref(),
        Some("concurrent map iteration and map write")
    );
    let frames: Vec<&str> = t
        .goroutines
        .iter()
        .flat_map(|g| g.frames.iter().map(|f| f.function))
        .collect();
    assert_eq!(
        frames,
        [
            "runtime.mapiternext",
            "vendor/github.com/sirupsen/logrus.(*Entry).WithFields"
        ]
    );
    // Go 1.23+ indents a value's lines by a tab: a stack re-panicked
    // inside the value has its file lines two tabs in, and stays in it.
    let repanicked = "panic: boom\n\tgoroutine 7 [running]:\n\truntime/debug.Stack()\n\t\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e\n\tmain.f()\n\t\t/app/main.go:9 +0x25\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:12 +0x1d\n";
    let t = parse(repanicked.as_bytes());
    assert_eq!(
        t.crash.panics[0].value,
        "boom\ngoroutine 7 [running]:\nruntime/debug.Stack()\n\t/usr/local/go/src/runtime/debug/stack.go:26 +0x5e\nmain.f()\n\t/app/main.go:9 +0x25"
    );
    assert_eq!(t.goroutines.len(), 1);
    assert_eq!(t.goroutines[0].frames[0].function, "main.main");
    // The same with its tabs turned into spaces.
    let spaced = repanicked.replace('\t', "    ");
    let t = parse(spaced.as_bytes());
    assert!(
        t.crash.panics[0].value.contains("stack.go:26 +0x5e"),
        "{}",
        t.crash.panics[0].value
    );
    assert_eq!(t.goroutines.len(), 1);
    let wrapped = "panic: open config: no such file\n\tmain.load\n\t\t/app/config.go:12\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d\n";
    let t = parse(wrapped.as_bytes());
    assert_eq!(
        t.crash.panics[0].value,
        "open config: no such file\nmain.load\n\t/app/config.go:12"
    );
}

#[test]
fn repanic_forms() {
    let old = parse(b"panic: boom [recovered]\n\tpanic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n");
    assert!(old.crash.panics[1].repanicked);
    let new = parse(b"panic: boom [recovered, repanicked]\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n");
    assert_eq!(new.crash.panics.len(), 1);
    assert!(new.crash.panics[0].repanicked && new.crash.panics[0].recovered);
    assert_eq!(new.go_version_at_least.as_deref(), Some("1.25"));
}

/// A panic value whose lines hold runtime words (an error carrying a
/// child's log): Go 1.23+ indents them with a tab, as Go 1.26 indents a
/// fatal error raised under a panic. Without a `panic` frame on any stack,
/// no deferred call raised it: the line is the value's. Go 1.24.11's output
/// of `panic(errors.New("config invalid:\nfatal error: ...\ngoroutine 7
/// [running]:\n  key \"db\" missing"))`.
#[test]
fn fatal_error_line_inside_a_panic_value() {
    let text = "panic: config invalid:
	fatal error: concurrent map writes
	goroutine 7 [running]:
	  key \"db\" missing

goroutine 1 [running]:
main.main()
	/tmp/review-r3/p/multiline/main.go:11 +0x45
";
    let t = parse(text.as_bytes());
    assert_eq!(t.crash.fatal_error, None);
    assert!(!t.crash.fatal_under_panic);
    assert_eq!(
        t.crash.panics[0].value,
        "config invalid:\nfatal error: concurrent map writes\ngoroutine 7 [running]:\n  key \"db\" missing"
    );
    assert_eq!(t.goroutines.len(), 1);
}

/// A service's log across a restart holds two deaths: each report is read
/// apart, and the last is the one kept (Go 1.24.11's output of two
/// programs, the `exit status 2` and start-up lines between them as a
/// supervisor's log has them). Two goroutines printing one failure line
/// under the first's stacks stay one death.
#[test]
fn two_runs_in_one_log() {
    let text = "2026/12/07 10:00:00 starting server
panic: runtime error: index out of range [3] with length 0 [recovered]
\tpanic: handler failed: runtime error: index out of range [3] with length 0

goroutine 1 [running]:
main.handler.func1()
\t/tmp/review-r3/p/repanic/main.go:16 +0x59
panic({0x4ada20?, 0xc000016090?})
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/runtime/panic.go:792 +0x132
main.handler(0x490013?)
\t/tmp/review-r3/p/repanic/main.go:21 +0x55
main.main()
\t/tmp/review-r3/p/repanic/main.go:25 +0xb9
exit status 2
2026/12/07 10:00:05 starting server
fatal error: concurrent map writes

goroutine 6 [running]:
internal/runtime/maps.fatal({0x47eb71?, 0x0?})
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/runtime/panic.go:1058 +0x18
main.fill(0x64, 0x0?)
\t/tmp/review-r3/p/concmap/main.go:10 +0x85
created by main.main in goroutine 1
\t/tmp/review-r3/p/concmap/main.go:18 +0x30

exit status 2
";
    let t = parse(text.as_bytes());
    assert!(t.crash.panics.is_empty());
    assert_eq!(
        t.crash.fatal_error.as_deref(),
        Some("concurrent map writes")
    );
    assert_eq!(t.goroutines.len(), 1);
    assert_eq!(t.goroutines[0].frames[1].function, "main.fill");
    assert!(t.warnings.iter().any(|w| w.message.starts_with(
        "the input holds 2 deaths of the program, one per run; the last, from here, is read; before it: `panic: runtime error: index out of range [3] with length 0` at byte 36"
    )));
    // https://github.com/Bhinneka/gubrak/issues/8: the second goroutine's
    // failure line after the first's stack.
    let interleaved = "`panic: send on closed channel\n\ngoroutine 160 [running]:\ngithub.com/Bhinneka/gubrak.Scan.func1(0xc0000b4030)\n\t/Users/wurianto/Documents/go-work/src/github.com/Bhinneka/gubrak/worker.go:30 +0xd6\npanic: send on closed channel`\n";
    let t = parse(interleaved.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    assert!(t.warnings.is_empty(), "{:?}", t.warnings);
}

/// A program's own `fatal: ` line (git's, a log.Fatal wrapper's) is no
/// runtime message: the runtime writes only `fatal: morestack on g0` and its
/// like so.
#[test]
fn a_programs_fatal_line_is_not_the_runtimes() {
    let text = "fatal: could not connect to database\npanic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:5 +0x1d\n";
    let t = parse(text.as_bytes());
    assert_eq!(t.crash.fatal_error, None);
    assert_eq!(t.crash.panics[0].value, "boom");
    let t = parse(b"fatal: morestack on g0\n");
    assert_eq!(t.crash.fatal_error.as_deref(), Some("morestack on g0"));
}

/// A worker's log: a panic ends one run; the worker starts again, logs,
/// and the kernel kills it for memory. The kill is the last death, and
/// the warning places the earlier report where it starts (Go 1.24.11's
/// output of a re-panicking program).
#[test]
fn a_kill_after_a_restart_is_the_last_death() {
    let text = "starting worker
panic: runtime error: invalid memory address or nil pointer dereference [recovered]
\tpanic: middle: wrapped: runtime error: invalid memory address or nil pointer dereference [recovered]
\tpanic: outer: middle: wrapped: runtime error: invalid memory address or nil pointer dereference
[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x49382d]

goroutine 1 [running]:
main.outer.func1()
\t/tmp/review-r4/p/repanic/main.go:27 +0xa5
panic({0x4a0c40?, 0xc000094040?})
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/runtime/panic.go:792 +0x132
main.middle.func1()
\t/tmp/review-r4/p/repanic/main.go:18 +0x59
panic({0x4a18a0?, 0x55e100?})
\t/work/main/.cache/go/1.24.11/lib/python3.11/site-packages/go/src/runtime/panic.go:792 +0x132
main.inner(...)
\t/tmp/review-r4/p/repanic/main.go:12
main.middle()
\t/tmp/review-r4/p/repanic/main.go:21 +0x2d
main.outer()
\t/tmp/review-r4/p/repanic/main.go:30 +0x30
main.main()
\t/tmp/review-r4/p/repanic/main.go:33 +0xf
starting worker
processed 100 jobs
[ 1234.5678] Out of memory: Killed process 4242 (worker) total-vm:2048000kB, anon-rss:1900000kB, file-rss:0kB, shmem-rss:0kB, UID:0 pgtables:4000kB oom_score_adj:0
";
    let t = parse(text.as_bytes());
    assert!(t.crash.panics.is_empty() && t.goroutines.is_empty());
    assert_eq!(t.crash.oom_kill.as_ref().and_then(|k| k.pid), Some(4242));
    let w = t
        .warnings
        .iter()
        .find(|w| {
            w.message
                .starts_with("the input holds 2 deaths of the program")
        })
        .expect("the earlier run is named");
    assert!(w.message.contains("at byte 16"), "{}", w.message);
    assert_eq!(w.offset as usize, text.find("[ 1234.5678]").unwrap());
}

#[test]
fn fatal_under_panic_126() {
    let t = parse(include_bytes!(
        "../../../lab/artifacts/go1.26.6/fatal-in-defer-after-segv.txt"
    ));
    assert!(t.crash.fatal_under_panic);
    assert_eq!(
        t.crash.fatal_error.as_deref(),
        Some("sync: unlock of unlocked mutex")
    );
    assert_eq!(t.go_version_at_least.as_deref(), Some("1.26"));
}

#[test]
fn system_level_dump_with_registers() {
    let text = "\
SIGSEGV: segmentation violation
PC=0x7f3a1c2d m=0 sigcode=1 addr=0x0
signal arrived during cgo execution

goroutine 1 gp=0xc000002380 m=0 mp=0x5d8b20 [syscall, locked to thread]:
runtime.cgocall(0x4d2860, 0xc00005af20)
\t/go/src/runtime/cgocall.go:167 +0x4b fp=0xc00005aef8 sp=0xc00005aec0 pc=0x40a2ab
main._Cfunc_crash()
\t_cgo_gotypes.go:61 +0x3f fp=0xc00005af20 sp=0xc00005aef8 pc=0x4d273f
main.main()
\t/app/main.go:9 +0xf fp=0xc00005af40 sp=0xc00005af20 pc=0x4d27af

rax    0x0
rbx    0x7ffd1
rip    0x7f3a1c2d
rflags 0x10246
";
    let t = parse(text.as_bytes());
    let fs = t.crash.fatal_signal.as_ref().unwrap();
    assert_eq!(
        (fs.name, fs.pc, fs.m, fs.sigcode, fs.addr, fs.during_cgo),
        ("SIGSEGV", Some(0x7f3a1c2d), Some(0), Some(1), Some(0), true)
    );
    let g = &t.goroutines[0];
    assert_eq!(
        (g.gp, g.m, g.locked_to_thread),
        (Some(0xc000002380), Some(0), true)
    );
    assert_eq!(g.frames[0].pc.map(|p| p.get()), Some(0x40a2ab));
    assert_eq!(t.crash.registers.len(), 4);
    assert_eq!(t.crash.registers[3], ("rflags", 0x10246));
    assert_eq!(t.go_version_at_least.as_deref(), Some("1.22"));
}

#[test]
fn runtime_stack_and_elision() {
    let text = "\
runtime: goroutine stack exceeds 1000000000-byte limit
runtime: sp=0xc0200e0348 stack=[0xc0200e0000, 0xc0400e0000]
fatal error: stack overflow

runtime stack:
runtime.throw({0x50269a?, 0x7ffda5211e10?})
\t/go/src/runtime/panic.go:1101 +0x48 fp=0x7ffda5211de0 sp=0x7ffda5211db0 pc=0x46bee8

goroutine 1 gp=0xc000002380 m=0 mp=0x5d8b20 [running]:
main.recurse(0x555546?)
\t/app/main.go:7 +0x48 fp=0xc0200e0358 sp=0xc0200e0350 pc=0x4d2868
main.recurse(0x555545?)
\t/app/main.go:8 +0x25 fp=0xc0200e0378 sp=0xc0200e0358 pc=0x4d2845
...5592294 frames elided...
main.recurse(0x1?)
\t/app/main.go:8 +0x25 fp=0xc0400dffb8 sp=0xc0400dff98 pc=0x4d2845
main.main()
\t/app/main.go:12 +0x17 fp=0xc0400dffd0 sp=0xc0400dffb8 pc=0x4d2897
";
    let t = parse(text.as_bytes());
    assert_eq!(t.crash.fatal_error.as_deref(), Some("stack overflow"));
    assert_eq!(t.crash.runtime_messages.len(), 2);
    assert_eq!(t.crash.runtime_stack.len(), 1);
    let g = &t.goroutines[0];
    assert_eq!(g.frames.len(), 4);
    assert_eq!(g.elided, Some((2, 5592294)));
}

#[test]
fn race_report() {
    let text = "\
==================
WARNING: DATA RACE
Write at 0x00c0000a0018 by goroutine 8:
  main.inc()
      /app/main.go:9 +0x44
  main.main.gowrap1()
      /app/main.go:15 +0x17

Previous read at 0x00c0000a0018 by main goroutine:
  main.main()
      /app/main.go:17 +0x30

Goroutine 8 (running) created at:
  main.main()
      /app/main.go:15 +0x27
==================
Found 1 data race(s)
exit status 66
";
    let t = parse(text.as_bytes());
    assert_eq!(t.races.len(), 1);
    let r = &t.races[0];
    assert_eq!(r.accesses.len(), 2);
    assert_eq!(
        (
            &*r.accesses[0].op,
            r.accesses[0].goroutine,
            r.accesses[0].previous
        ),
        ("write", 8, false)
    );
    assert_eq!(r.accesses[0].frames.len(), 2);
    assert_eq!(
        (
            &*r.accesses[1].op,
            r.accesses[1].goroutine,
            r.accesses[1].previous
        ),
        ("read", 1, true)
    );
    assert_eq!(r.goroutines.len(), 1);
    assert_eq!((r.goroutines[0].id, r.goroutines[0].state), (8, "running"));
    assert_eq!(r.goroutines[0].created_at[0].line, 15);
    assert_eq!(t.races_found, Some(1));
    assert!(!t.partial);
}

#[test]
fn count_profile() {
    let text = "goroutine profile: total 5\n4 @ 0x46d78e 0x40c325 0x4d1455 0x474401\n# labels: {\"k\":\"v\"}\n#\t0x4d1454\tmain.handle+0x34\t/app/main.go:15\n\n1 @ 0x46d78e 0x474401\n#\t0x4d1bf9\tmain.worker+0x39\t\t/app/main.go:21\n";
    let t = parse(text.as_bytes());
    assert_eq!(t.count_total, Some(5));
    assert_eq!(t.count_records.len(), 2);
    assert_eq!(t.count_records[0].count, 4);
    assert_eq!(t.count_records[0].labels.len(), 1);
    assert_eq!(t.count_records[0].frames[0].function, "main.handle");
    assert_eq!(t.count_records[1].frames[0].line, 21);
}

#[test]
fn tabs_turned_into_spaces() {
    let text = "goroutine 1 [running]:\nmain.main()\n        /app/main.go:5 +0x1d\n";
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines[0].frames.len(), 1);
}

#[test]
fn unknown_header_does_not_swallow_what_follows() {
    let text = "goroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n\ngoroutine 2 <<a form from Go 1.40>>:\nmain.f()\n\t/a.go:2 +0x1\n\ngoroutine 3 [select]:\nmain.g()\n\t/a.go:3 +0x1\n";
    let t = parse(text.as_bytes());
    // The unknown header's frames are kept, as frames without a header.
    assert_eq!(
        t.goroutines.iter().map(|g| g.id).collect::<Vec<_>>(),
        vec![1, 0, 3]
    );
    assert!(t.goroutines[1].headerless);
    assert_eq!(t.goroutines[2].frames[0].line, 3);
}

#[test]
fn every_cut_yields_a_prefix_flagged_partial() {
    let full = parse(CRASH.as_bytes());
    for cut in 0..CRASH.len() {
        let t = parse(&CRASH.as_bytes()[..cut]);
        assert!(t.goroutines.len() <= full.goroutines.len());
        if cut > 0 && CRASH.as_bytes()[cut - 1] != b'\n' && !t.partial {
            // Read whole only where the cut changed no place read.
            assert_same_places(&t, &full, cut);
        }
        // Every goroutine but the last read from the prefix is whole.
        if t.goroutines.len() > 1 {
            for (a, b) in t
                .goroutines
                .iter()
                .zip(&full.goroutines)
                .take(t.goroutines.len() - 1)
            {
                assert_eq!(a, b, "cut at {cut}");
            }
        }
    }
}

/// Every frame read from a prefix is at the full input's place.
fn assert_same_places(
    t: &godiag_model::TextArtifact<'_>,
    full: &godiag_model::TextArtifact<'_>,
    cut: usize,
) {
    for (a, b) in t.goroutines.iter().zip(&full.goroutines) {
        assert_eq!(a.id, b.id, "cut at {cut}");
        for (fa, fb) in a.frames.iter().zip(&b.frames) {
            let place =
                |f: &godiag_model::Frame<'_>| (f.function.to_string(), f.file.to_string(), f.line);
            assert_eq!(place(fa), place(fb), "cut at {cut}");
        }
    }
}

#[test]
fn a_last_line_without_its_newline() {
    // A paste ends without one: the line is read.
    let t = parse(b"fatal error: concurrent map writes");
    assert_eq!(
        t.crash.fatal_error.as_deref(),
        Some("concurrent map writes")
    );
    assert!(!t.partial);
    let t = parse(
        b"panic: boom\n\ngoroutine 1 [running]:\nmain.deref(0x5f5e100?)\n\t/app/main.go:16 +0x1d",
    );
    assert_eq!(t.goroutines[0].frames[0].line, 16);
    assert!(!t.partial);
    // Its line number may be cut: read, and flagged.
    let t =
        parse(b"panic: boom\n\ngoroutine 1 [running]:\nmain.deref(0x5f5e100?)\n\t/app/main.go:1");
    assert!(t.partial);
    assert_eq!(t.goroutines[0].frames[0].line, 1);
    // Cut inside the path: not read.
    let t = parse(b"panic: boom\n\ngoroutine 1 [running]:\nmain.deref(0x5f5e100?)\n\t/app/ma");
    assert!(t.partial);
    assert_eq!(t.goroutines[0].frames[0].line, 0);
}

#[test]
fn a_log_line_between_a_call_and_its_file_line() {
    let text = "panic: boom\n\ngoroutine 1 [running]:\nmain.deref(0x0)\ntime=2024-05-01T10:00:00Z level=INFO msg=\"shutting down\"\n\t/app/main.go:16 +0x1d\nmain.main()\n\t/app/main.go:20 +0x99\n";
    let t = parse(text.as_bytes());
    let f = &t.goroutines[0].frames;
    assert_eq!(
        (f[0].function, f[0].file, f[0].line),
        ("main.deref", "/app/main.go", 16)
    );
    assert_eq!((f[1].function, f[1].line), ("main.main", 20));
    assert!(!t.partial);
    // Two such lines: the call keeps no place, and what follows is read.
    let text = "goroutine 1 [running]:\nmain.deref(0x0)\nlog one\nlog two\nmain.main()\n\t/app/main.go:20 +0x99\n";
    let t = parse(text.as_bytes());
    let f = &t.goroutines[0].frames;
    assert_eq!((f[0].function, f[0].line), ("main.deref", 0));
    assert_eq!((f[1].function, f[1].line), ("main.main", 20));
}

#[test]
fn empty_and_binary_input() {
    let t = parse(b"");
    assert!(t.goroutines.is_empty() && !t.partial);
    let t = parse(&[0xff, 0xfe, b'\n', 0, 1, 2, b'\n']);
    assert!(t.goroutines.is_empty());
    assert_eq!(t.other_lines, 2);
}

#[test]
fn interleaved_fatal_errors_of_two_goroutines() {
    // Two goroutines detected the same map race at once (seen with Go 1.23).
    let text = "fatal error: fatal error: concurrent map writes\nconcurrent map writes\n\ngoroutine 9 [running]:\nmain.writer(...)\n\t/a.go:16\n";
    let t = parse(text.as_bytes());
    assert_eq!(
        t.crash.fatal_error.as_deref(),
        Some("concurrent map writes")
    );
    assert_eq!(t.goroutines.len(), 1);
    assert!(t.warnings.iter().any(|w| w.message.contains("interleaved")));
}

#[test]
fn collector_prefixes_are_removed() {
    let plain = parse(CRASH.as_bytes());
    for prefix in [
        "2024-05-01T10:00:00.123456789Z stderr F ",
        "2024-05-01T10:00:00.1Z ",
        "May  1 10:00:00 web-1 app[4242]: ",
    ] {
        let prefixed: String = CRASH.lines().map(|l| format!("{prefix}{l}\n")).collect();
        let t = parse(prefixed.as_bytes());
        assert_eq!(t.goroutines.len(), plain.goroutines.len(), "{prefix}");
        for (a, b) in t.goroutines.iter().zip(&plain.goroutines) {
            assert_eq!(
                (a.id, a.status, &a.frames),
                (b.id, b.status, &b.frames),
                "{prefix}"
            );
        }
        assert_eq!(t.crash.panics.len(), 1, "{prefix}");
        assert_eq!(t.crash.signal.as_ref().map(|s| s.addr), Some(8), "{prefix}");
    }
}

/// Pastes that lost their layout: each is read as the clean text would be.
#[test]
fn damaged_layouts_keep_their_frames() {
    let clean = parse(CRASH.as_bytes());
    let frames = |t: &godiag_model::TextArtifact<'_>| -> Vec<(String, String, u32)> {
        t.goroutines
            .iter()
            .flat_map(|g| g.frames.iter())
            .map(|f| (f.function.to_string(), f.file.to_string(), f.line))
            .collect()
    };
    let want = frames(&clean);
    // Markdown stripped the tabs.
    let tabless = CRASH.replace("\n\t", "\n");
    assert_eq!(frames(&parse(tabless.as_bytes())), want, "tabless");
    // A blank line between each line (double-spaced paste).
    let spaced = CRASH.replace('\n', "\n\n");
    assert_eq!(frames(&parse(spaced.as_bytes())), want, "double-spaced");
    // CRLF line ends.
    let crlf = CRASH.replace('\n', "\r\n");
    assert_eq!(frames(&parse(crlf.as_bytes())), want, "crlf");
}

#[test]
fn frames_without_header_or_file_line() {
    // An excerpt: frames alone, one file line dropped, one frame cut.
    let text = "main.handle(0xc000010000)\n\t/app/main.go:12 +0x1d\nmain.serve(...)\nmain.main()\n\t/app/main.go:30 +0x45\nmain.cut(0xc0000";
    let text = format!("{text}\n");
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    let g = &t.goroutines[0];
    assert!(g.headerless);
    let names: Vec<(&str, u32)> = g.frames.iter().map(|f| (f.function, f.line)).collect();
    assert_eq!(
        names,
        vec![
            ("main.handle", 12),
            ("main.serve", 0),
            ("main.main", 30),
            ("main.cut", 0)
        ]
    );
}

#[test]
fn frame_and_file_on_one_line_and_placeholder_ids() {
    let text = "goroutine NNNNN [chan receive, 5 minutes]:\nmain.wait(0x1) /app/main.go:7 +0x20\n";
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines[0].id, 0);
    assert_eq!(t.goroutines[0].wait_minutes, Some(5));
    assert_eq!(t.goroutines[0].frames[0].file, "/app/main.go");
}

#[test]
fn logged_panics_and_runtime_text_mid_line() {
    let http = "2024/01/02 03:04:05 http: panic serving 10.0.0.1:5555: runtime error: index out of range [3] with length 3\ngoroutine 7 [running]:\nnet/http.(*conn).serve.func1()\n\t/go/src/net/http/server.go:1898 +0xbe\npanic({0x6d1a80?, 0xc000012345?})\n\t/go/src/runtime/panic.go:770 +0x132\nmain.handler(...)\n\t/app/main.go:12\n";
    let t = parse(http.as_bytes());
    assert_eq!(t.crash.panics.len(), 1);
    assert!(t.crash.panics[0].logged);
    assert_eq!(
        t.crash.panics[0].value,
        "runtime error: index out of range [3] with length 3"
    );
    // A quote marker glued to the first line.
    let quoted = ">fatal error: concurrent map writes\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n";
    let t = parse(quoted.as_bytes());
    assert_eq!(
        t.crash.fatal_error.as_deref(),
        Some("concurrent map writes")
    );
    assert_eq!(t.goroutines.len(), 1);
}

#[test]
fn old_releases() {
    // Go ≤1.5: the signal as a number, fp/sp without pc, runtime.panic.
    let text = "panic: runtime error: invalid memory address or nil pointer dereference\n[signal 0xb code=0x1 addr=0x0 pc=0x4016d3]\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/x.go:8 +0x33 fp=0xc820041f30 sp=0xc820041f08\ncreated by main.init\n\t/tmp/x.go:3 +0x1\n";
    let t = parse(text.as_bytes());
    let s = t.crash.signal.as_ref().unwrap();
    assert_eq!((s.name, s.addr), ("SIGSEGV", 0));
    assert_eq!(t.goroutines[0].frames[0].line, 8);
    assert_eq!(t.goroutines[0].parent, None);
}

/// Lines far longer than any frame (a megabyte of blanks and parentheses)
/// are read in linear time: the searches for where a call starts skip them.
#[test]
fn very_long_lines_are_not_read_as_frames() {
    let text = format!(
        "goroutine 1 [running]:\n{}\n{}\nmain.main()\n\t/a.go:1 +0x1\n",
        "a ".repeat(500_000) + ")",
        "main.f(".to_string() + &"(a)".repeat(300_000)
    );
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    assert_eq!(
        t.goroutines[0].frames.last().map(|f| f.function),
        Some("main.main")
    );
    assert!(crate::restore(text.as_bytes()).is_none());
}

/// Panics a handler logged as a structured field (klog's "Observed a
/// panic", quoted from https://github.com/kubernetes-sigs/controller-runtime/pull/3278)
/// and behind a bracketed label with the stack joined to the line (echo's
/// recover middleware, https://github.com/mitchellh/panicwrap/issues/21).
#[test]
fn logged_panics_as_fields_and_bracketed_labels() {
    use crate::shapes::logged_panic;
    let klog = r#"E0813 17:31:15.457852     127 runtime.go:140] "Observed a panic" panic="test" stacktrace=<"#;
    assert_eq!(logged_panic(klog), Some("test"));
    assert_eq!(
        logged_panic("[PANIC RECOVER] a problem goroutine 32 [running]:"),
        Some("a problem")
    );
    // klog's form for values other than strings, and keys that only end
    // in `panic`, or brackets with no stack joined after them.
    let bounds = r#"E0102 03:04:05.000000       1 runtime.go:142] "Observed a panic" panic="runtime error: index out of range [1] with length 1" panicGoValue="runtime.boundsError{x:1, y:1, signed:true, code:0x0}" stacktrace=<"#;
    assert_eq!(
        logged_panic(bounds),
        Some("runtime error: index out of range [1] with length 1")
    );
    assert_eq!(
        logged_panic(r#"msg="x" panic="a \"b\" c" next=1"#),
        Some(r#"a \"b\" c"#)
    );
    assert_eq!(
        logged_panic("level=info recover_panic=true msg=started"),
        None
    );
    assert_eq!(logged_panic("[panic-handler] installed"), None);
    // The earlier forms are unchanged.
    assert_eq!(
        logged_panic("panic.go:262: test panicked: boom"),
        Some("boom")
    );
    assert_eq!(logged_panic("[PANIC RECOVER]"), None);
}

/// Quoted from https://github.com/celzero/firestack/issues/118 (adb logcat):
/// the program logged a failed type assertion's message (which has no
/// `runtime error: ` prefix) before the stack, and every tab shows as `>---`.
#[test]
fn logged_type_assertion_and_visible_tab_markers() {
    use crate::shapes::logged_panic;
    let logged = "11-18 20:04:47.795  6460  6487 E LibLogger: F pxr.Hop.wg14>>wg16 [11] interface conversion: interface is nil, not ipn.Proxy";
    assert_eq!(
        logged_panic(logged),
        Some("interface conversion: interface is nil, not ipn.Proxy")
    );
    let pos = crate::lines::position(">---/home/jitpack/build/intra/core/volatile.go:124 +0x108")
        .unwrap();
    assert_eq!(
        (pos.file, pos.line),
        ("/home/jitpack/build/intra/core/volatile.go", 124)
    );
    let pos = crate::lines::position("^IC:/Go/src/runtime/panic.go:785 +0x124").unwrap();
    assert_eq!(pos.file, "C:/Go/src/runtime/panic.go");
    // Not a marker: a file whose name starts so stays whole.
    assert_eq!(crate::lines::position(">-x.go:1").unwrap().file, ">-x.go");
}

/// A race report of a release before Go 1.6, which printed no address
/// (quoted from https://github.com/cockroachdb/cockroach/issues/4482).
#[test]
fn race_accesses_without_an_address() {
    use crate::shapes::race_access;
    let a = race_access("Write by goroutine 56:").unwrap();
    assert_eq!(
        (a.op.as_ref(), a.previous, a.addr, a.goroutine),
        ("write", false, 0, 56)
    );
    let p = race_access("Previous read by goroutine 174:").unwrap();
    assert_eq!(
        (p.op.as_ref(), p.previous, p.goroutine),
        ("read", true, 174)
    );
    assert!(race_access("Written by goroutine 5:").is_none());
}

/// A race report pasted without its `WARNING: DATA RACE` line opens with
/// its first access, which the race detector prints at the line's start.
/// From https://github.com/gobwas/ws/issues/190.
#[test]
fn race_report_without_its_warning() {
    let text = "Read at 0x00c00036acaf by goroutine 113:
  github.com/gobwas/ws/wsflate.(*MessageState).IsCompressed()
      /home/mattn/go/pkg/mod/github.com/gobwas/ws@v1.3.1/wsflate/extension.go:161 +0x74
  github.com/nbd-wtf/go-nostr.(*Connection).WriteMessage()
      /home/mattn/go/src/github.com/nbd-wtf/go-nostr/connection.go:102 +0x47

Previous write at 0x00c00036acaf by goroutine 114:
  github.com/gobwas/ws/wsflate.(*MessageState).SetCompressed()
      /home/mattn/go/pkg/mod/github.com/gobwas/ws@v1.3.1/wsflate/extension.go:155 +0x6e
";
    assert_eq!(
        godiag_sniff::sniff(text.as_bytes()).kind,
        godiag_model::InputKind::RaceReport
    );
    let t = parse(text.as_bytes());
    assert_eq!(t.races.len(), 1);
    let r = &t.races[0];
    assert_eq!(
        r.accesses
            .iter()
            .map(|a| (&*a.op, a.previous, a.goroutine, a.frames.len()))
            .collect::<Vec<_>>(),
        [("read", false, 113, 2), ("write", true, 114, 1)]
    );
    assert!(
        t.goroutines.is_empty(),
        "the access stacks are not goroutines"
    );
}

/// A race report whose warning and first access share a line, the break
/// between them lost with the CI's timestamp before the access. From
/// https://github.com/sijms/go-ora/issues/297.
#[test]
fn race_warning_run_into_its_first_access() {
    let text =
        "WARNING: DATA RACE  [2023-01-25T13:41:44.263Z] Write at 0x0000040007f8 by goroutine 687:  
[2023-01-25T13:41:44.263Z]   github.com/sijms/go-ora/v2.(*Connection).OpenWithContext()  
[2023-01-25T13:41:44.263Z]      /vendor/github.com/sijms/go-ora/v2/connection.go:438 +0x1564  
[2023-01-25T13:41:44.263Z]   github.com/sijms/go-ora/v2.(*OracleConnector).Connect()  
[2023-01-25T13:41:44.263Z]      /vendor/github.com/sijms/go-ora/v2/connection.go:114 +0x111  
";
    let t = parse(text.as_bytes());
    assert_eq!(t.races.len(), 1);
    let a = &t.races[0].accesses[0];
    assert_eq!((&*a.op, a.goroutine, a.frames.len()), ("write", 687, 2));
    assert_eq!(
        a.frames[0].function,
        "github.com/sijms/go-ora/v2.(*Connection).OpenWithContext"
    );
}

/// A race report the paste indented as a whole, its warning by one blank
/// and the rest by two: the access is read with its frames. From
/// https://github.com/mindersec/minder/issues/3397.
#[test]
fn race_report_indented_as_a_whole() {
    let text = " WARNING: DATA RACE
  Write at 0x00c0002d6398 by goroutine 36:
    github.com/stacklok/minder/internal/providers/manager_test.TestProviderManager_CreateFromConfig.func1()
        /home/runner/work/minder/minder/internal/providers/manager/manager_test.go:83 +0xc66
    testing.tRunner()
        /opt/hostedtoolcache/go/1.22.2/x64/src/testing/testing.go:1689 +0x21e
    testing.(*T).Run.gowrap1()
        /opt/hostedtoolcache/go/1.22.2/x64/src/testing/testing.go:1742 +0x44
";
    let t = parse(text.as_bytes());
    assert_eq!(t.races.len(), 1);
    let a = &t.races[0].accesses;
    assert_eq!(a.len(), 1);
    assert_eq!((&*a[0].op, a[0].goroutine), ("write", 36));
    assert_eq!(
        a[0].frames.iter().map(|f| (f.function, f.line)).collect::<Vec<_>>(),
        [
            (
                "github.com/stacklok/minder/internal/providers/manager_test.TestProviderManager_CreateFromConfig.func1",
                83
            ),
            ("testing.tRunner", 1689),
            ("testing.(*T).Run.gowrap1", 1742)
        ]
    );
    assert!(t.goroutines.is_empty());
}

/// A race report from docker compose, whose service prefix the paste lost
/// on its first line only: the access lines anchor the prefix like the
/// frames do. From https://github.com/coder/websocket/issues/436.
#[test]
fn race_report_under_a_compose_prefix() {
    let text = "WARNING: DATA RACE
local-setup-websocket-api-1  | Write at 0x00c0002e31b0 by goroutine 129:
local-setup-websocket-api-1  |   nhooyr.io/websocket.(*Conn).setCloseErrLocked()
local-setup-websocket-api-1  |       /go/pkg/mod/nhooyr.io/websocket@v1.8.10/close.go:288 +0xd0
local-setup-websocket-api-1  |   nhooyr.io/websocket.(*Conn).setCloseErr()
local-setup-websocket-api-1  |       /go/pkg/mod/nhooyr.io/websocket@v1.8.10/close.go:282 +0x4c
local-setup-websocket-api-1  |
local-setup-websocket-api-1  | Previous read at 0x00c0002e31b0 by goroutine 165:
local-setup-websocket-api-1  |   nhooyr.io/websocket.(*Conn).CloseNow()
local-setup-websocket-api-1  |       /go/pkg/mod/nhooyr.io/websocket@v1.8.10/close.go:117 +0x138
...
";
    let t = parse(text.as_bytes());
    assert_eq!(t.races.len(), 1);
    let r = &t.races[0];
    assert_eq!(
        r.accesses
            .iter()
            .map(|a| (a.goroutine, a.frames.len()))
            .collect::<Vec<_>>(),
        [(129, 2), (165, 1)]
    );
    assert_eq!(
        r.accesses[0].frames[0].function,
        "nhooyr.io/websocket.(*Conn).setCloseErrLocked"
    );
}

/// A stack as Google Cloud Error Reporting renders it, one `at F ( FILE:LINE )`
/// per frame under the panic's message, quoted from
/// https://github.com/kubernetes/ingress-nginx/issues/12869.
#[test]
fn error_reporting_frames() {
    let text = "runtime error: slice bounds out of range [2:0]

at gke-internal/gke-metrics/gke-metrics-library/gcm.(*exporter).exportBuffer ( vendor/gke-internal/gke-metrics/gke-metrics-library/gcm/export.go:346 )
at gke-internal/gke-metrics/gke-metrics-library/gcm.(*exporter).flush ( vendor/gke-internal/gke-metrics/gke-metrics-library/gcm/export.go:293 )
at main.main ( cmd/egress-nat-controller/main.go:153 )
";
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    let frames: Vec<_> = t.goroutines[0]
        .frames
        .iter()
        .map(|f| (f.function, f.line))
        .collect();
    assert_eq!(
        frames,
        [
            (
                "gke-internal/gke-metrics/gke-metrics-library/gcm.(*exporter).exportBuffer",
                346
            ),
            (
                "gke-internal/gke-metrics/gke-metrics-library/gcm.(*exporter).flush",
                293
            ),
            ("main.main", 153)
        ]
    );
    assert_eq!(
        t.crash.panics.first().map(|p| &*p.value),
        Some("runtime error: slice bounds out of range [2:0]")
    );
}

/// Kubernetes' `Observed a panic: %#v (%v)` of a failed type assertion,
/// alone in a log viewer's table (vmware-archive/eventrouter#130): the
/// message in the parentheses is the runtime's, trusted without a stack.
#[test]
fn observed_type_assertion_without_a_stack() {
    let text = "  | 2022-01-17 08:56:09 | stderr | E0117 08:56:09.213171       1 runtime.go:69] Observed a panic: &runtime.TypeAssertionError{_interface:(*runtime._type)(0x18a29a0), concrete:(*runtime._type)(0x1974ce0), asserted:(*runtime._type)(0x1b05e00), missingMethod:\"\"} (interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Event)\n";
    let t = parse(text.as_bytes());
    assert_eq!(
        t.crash.panics.first().map(|p| &*p.value),
        Some("interface conversion: interface {} is cache.DeletedFinalStateUnknown, not *v1.Event")
    );
}

/// goleak's report: each goroutine it found still running opens a bracket
/// (`[Goroutine N in state ...`); the one below it outlived its test.
/// From https://github.com/redis/go-redis/issues/1029.
#[test]
fn goleak_report_marks_the_goroutines_it_lists() {
    let text = "goleak: Errors on successful test run: found unexpected goroutines:
[Goroutine 36 in state chan receive, with github.com/go-redis/redis/internal/pool.(*ConnPool).reaper on top of the stack:
goroutine 36 [chan receive]:
github.com/go-redis/redis/internal/pool.(*ConnPool).reaper(0xc0000c0580, 0xdf8475800)
\t/home/vthiery/go/pkg/mod/github.com/go-redis/redis@v6.15.2+incompatible/internal/pool/pool.go:449 +0xb4
created by github.com/go-redis/redis/internal/pool.NewConnPool
\t/home/vthiery/go/pkg/mod/github.com/go-redis/redis@v6.15.2+incompatible/internal/pool/pool.go:99 +0x2d3
]
";
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    let g = &t.goroutines[0];
    assert!(
        g.outlived_test && !g.leaked,
        "not the runtime's own verdict"
    );
    assert_eq!(g.frames.len(), 1);
    // Not a Go 1.26 `(leaked)` header: no version is implied.
    assert_eq!(t.go_version_at_least, None);
}

/// etcd's leak checker prints `N instances of:` over each distinct stack,
/// without its goroutine header: each stack is a goroutine that outlived
/// its test. From https://github.com/etcd-io/etcd/issues/14159.
#[test]
fn etcd_checker_stacks_outlived_their_test() {
    let text = "Too many goroutines running after all test(s).
1 instances of:
go.etcd.io/etcd/etcdserver/api/v3rpc.(*serverWatchStream).recvLoop(...)
\t/home/runner/work/etcd/etcd/etcdserver/api/v3rpc/watch.go:336 +0x214
go.etcd.io/etcd/etcdserver/api/v3rpc.(*watchServer).Watch.func2(...)
\t/home/runner/work/etcd/etcd/etcdserver/api/v3rpc/watch.go:190 +0x45
created by go.etcd.io/etcd/etcdserver/api/v3rpc.(*watchServer).Watch
\t/home/runner/work/etcd/etcd/etcdserver/api/v3rpc/watch.go:189 +0x2ec
FAIL\tgo.etcd.io/etcd/clientv3/integration\t270.490s
FAIL
";
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    assert!(t.goroutines[0].outlived_test && t.goroutines[0].headerless);
    // The checker's count is how many goroutines the stack stands for.
    assert_eq!(t.goroutines[0].aggregated, Some(1));
    assert_eq!(
        t.goroutines[0].frames[0].function,
        "go.etcd.io/etcd/etcdserver/api/v3rpc.(*serverWatchStream).recvLoop"
    );
    assert_eq!(t.goroutines[0].frames.len(), 2);
    // Prose that only mentions instances is no checker's line.
    let t = parse(b"found 3 instances of: nothing\n");
    assert!(t.goroutines.is_empty());
}

/// Go 1.0 printed a throw as `throw: MSG`, not `fatal error: MSG`.
/// From https://github.com/ha/doozerd/issues/30.
#[test]
fn go1_throw_line_is_the_fatal_error() {
    let text = "throw: runtime: out of memory
goroutine 26 [running]:
github.com/ha/doozerd/server.(*conn).read(0xf8400dfa00, 0xf840142008, 0xf800000000, 0x7f8ef9422f70, 0x51d0ee, ...)
    /home/ubuntu/doozer_compile/src/github.com/ha/doozerd/server/conn.go:50 +0x220
";
    let t = parse(text.as_bytes());
    assert_eq!(
        t.crash.fatal_error.as_deref(),
        Some("runtime: out of memory")
    );
    assert_eq!(t.goroutines.len(), 1);
    // A program's `throw: ...` log line gives way to the runtime's fatal
    // error after it.
    let t = parse(b"throw: retrying\n\nfatal error: concurrent map writes\n");
    assert_eq!(
        t.crash.fatal_error.as_deref(),
        Some("concurrent map writes")
    );
}

/// grpc's leak checker capitalises its word (`Leaked goroutine:`) before
/// the goroutine header it joins to its line.
/// From https://github.com/envoyproxy/go-control-plane/issues/370.
#[test]
fn grpc_leakcheck_marks_the_goroutine_it_joins() {
    let text = "grpctest.go:39: Leaked goroutine: goroutine 758 [chan send]:
  github.com/envoyproxy/go-control-plane/pkg/server/sotw/v3.(*server).StreamHandler.func1(0x27b4118, 0xc00032c3e0, 0xc00043c0e0, 0xc000a9a4e0)
    /Users/easwars/go/pkg/mod/github.com/envoyproxy/go-control-plane@v0.9.7/pkg/server/sotw/v3/server.go:409 +0x45
  created by github.com/envoyproxy/go-control-plane/pkg/server/sotw/v3.(*server).StreamHandler
    /Users/easwars/go/pkg/mod/github.com/envoyproxy/go-control-plane@v0.9.7/pkg/server/sotw/v3/server.go:399 +0x99
grpctest.go:60: Leak check disabled for future tests
";
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    let g = &t.goroutines[0];
    assert_eq!((g.id, g.status), (758, "chan send"));
    assert!(g.outlived_test);
    assert_eq!(
        g.frames[0].function,
        "github.com/envoyproxy/go-control-plane/pkg/server/sotw/v3.(*server).StreamHandler.func1"
    );
}

/// pingcap's testleak joins the leaked goroutine's first call line to its
/// message (`appears to have leaked: F(...)`), the header dropped: the
/// frame is read where it sits, and the stack outlived its test.
/// From https://github.com/pingcap/tiflow/issues/1452 (its CI prefix and
/// blank lines removed here).
#[test]
fn testleak_frame_joined_to_its_message() {
    let text = "etcd_test.go:74:
    ...
... Error: Test etcdSuite.TestEmbedEtcd check-count 50 appears to have leaked: github.com/pingcap/ticdc/pkg/etcd.(*etcdSuite).SetUpTest.func1(0xc000242a50, 0xc000361400)
\t/home/jenkins/agent/workspace/cdc_ghpr_leak_test/go/src/github.com/pingcap/ticdc/pkg/etcd/etcd_test.go:45 +0x6d
created by github.com/pingcap/ticdc/pkg/etcd.(*etcdSuite).SetUpTest
\t/home/jenkins/agent/workspace/cdc_ghpr_leak_test/go/src/github.com/pingcap/ticdc/pkg/etcd/etcd_test.go:44 +0x16d

OOPS: 4 passed, 1 FAILED
";
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    let g = &t.goroutines[0];
    assert!(g.outlived_test && g.headerless);
    assert_eq!(
        g.frames
            .iter()
            .map(|f| (f.function, f.line))
            .collect::<Vec<_>>(),
        [(
            "github.com/pingcap/ticdc/pkg/etcd.(*etcdSuite).SetUpTest.func1",
            45
        )]
    );
    assert_eq!(
        g.created_by.as_ref().map(|c| c.function),
        Some("github.com/pingcap/ticdc/pkg/etcd.(*etcdSuite).SetUpTest")
    );
    // A message ending in a call with no file line below opens nothing,
    // whether more text follows or the input ends there.
    for text in [
        &b"leak test: main.main(x)\nnext line\n"[..],
        b"error: main.main(0x1)\n",
    ] {
        let t = parse(text);
        assert!(
            t.goroutines.is_empty(),
            "{:?}",
            String::from_utf8_lossy(text)
        );
        assert!(!t.partial);
    }
    // Printed words (`0xc000242a50, ...`) are a traceback's even when the
    // file line under them is not read (a log prefix not learned).
    let t = parse(b"leaked: pkg.f(0xc000242a50, ...)\n[x] \t/a/f.go:1\n");
    assert_eq!(t.goroutines.len(), 1);
    assert!(t.goroutines[0].outlived_test);
}

/// A checker's heading that speaks of a leak and ends with `:` announces
/// the stack below it (net/http's `Test appears to have leaked a
/// Transport:`); the stack after it is another goroutine's.
/// From https://github.com/golang/go/issues/10457.
#[test]
fn leak_heading_marks_the_stack_below() {
    let text = "\tz_last_test.go:97: Test appears to have leaked a Transport:
\t\tnet/http.(*persistConn).readLoop(0xc20858c0b0)
\t\t\t/usr/local/go/src/net/http/transport.go:858 +0x4eb
\t\tcreated by net/http.(*Transport).dialConn
\t\t\t/usr/local/go/src/net/http/transport.go:660 +0x10d4

\t\ttesting.RunTests(0x6bb550, 0x838980, 0x1a, 0x1a, 0x11800)
\t\t\t/usr/local/go/src/testing/testing.go:556 +0xdc3
";
    let t = parse(text.as_bytes());
    let marked: Vec<_> = t
        .goroutines
        .iter()
        .map(|g| (g.frames[0].function, g.outlived_test))
        .collect();
    assert_eq!(
        marked,
        [
            ("net/http.(*persistConn).readLoop", true),
            ("testing.RunTests", false)
        ]
    );
    // A heading that does not speak of a leak marks nothing.
    let plain = text.replace("leaked a Transport", "a Transport");
    let t = parse(plain.as_bytes());
    assert!(t.goroutines.iter().all(|g| !g.outlived_test));
    // Nor one that a stack does not follow right under (an issue's
    // sentence over a dump): the heading holds for one line.
    let apart = text.replace("Transport:\n", "Transport:\n\n");
    let t = parse(apart.as_bytes());
    assert!(t.goroutines.iter().all(|g| !g.outlived_test));
}

/// A selection that began a character late: the runtime's first line's
/// words are restored, the message read.
/// From https://github.com/nats-io/nats-server/issues/5525.
#[test]
fn clipped_first_line_is_restored() {
    let text = "atal error: concurrent map read and map write

goroutine 61 [running]:
github.com/nats-io/nats-server/v2/server.(*fileStore).subjString(...)
\tgithub.com/nats-io/nats-server/v2/server/filestore.go:5648
";
    let t = parse(text.as_bytes());
    assert_eq!(
        t.crash.fatal_error.as_deref(),
        Some("concurrent map read and map write")
    );
    assert_eq!(t.goroutines.len(), 1);
    // Below a line of the reporter's own too (aquasecurity/tracee#3230);
    // not once runtime output was read: the same words then are another
    // line's.
    let later = format!("log start\n{text}");
    assert!(parse(later.as_bytes()).crash.fatal_error.is_some());
    let after = format!("{text}\natal error: all goroutines are asleep\n");
    assert_eq!(
        parse(after.as_bytes()).crash.fatal_error.as_deref(),
        Some("concurrent map read and map write")
    );
    let second = "panic: boom\n\natal error: unexpected signal\n";
    assert!(parse(second.as_bytes()).crash.fatal_error.is_none());
    let t = parse(b"nic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n");
    assert_eq!(t.crash.panics[0].value, "boom");
}

/// Past a paste's first line only one lost character is restored: a
/// config's `nic: eth0` key above a crash is no panic; and a logged
/// runtime message is not continued by how the process ended. Go's own
/// output (lab `nil-deref`, Go 1.24) under a reporter's config lines.
#[test]
fn keys_and_exit_lines_are_no_panic_words() {
    let lab = include_str!("../../../lab/artifacts/go1.24.11/nil-deref.txt");
    let text = format!("network:\nnic: eth0\nmtu: 9000\n{lab}");
    let t = parse(text.as_bytes());
    assert_eq!(t.crash.panics.len(), 1);
    assert!(t.crash.panics[0].value.starts_with("runtime error: "));
    let logged = "2016/01/02 10:00:00 http: panic serving 10.0.0.5:51234: runtime error: index out of range\nexit status 2\n";
    let t = parse(logged.as_bytes());
    assert_eq!(t.crash.panics[0].value, "runtime error: index out of range");
    assert_eq!(t.crash.exit_status, Some(2));
}

/// A recovery handler's line wrapped after `runtime error:`: the next line
/// goes on with the value. From
/// https://github.com/prometheus/blackbox_exporter/pull/106.
#[test]
fn logged_value_wrapped_at_its_colon() {
    let text = "    2017/01/27 16:40:42 http: panic serving 127.0.0.1:57487: runtime error:
    invalid memory address or nil pointer dereference
    goroutine 12 [running]:
    net/http.(*conn).serve.func1(0xc420086700)
    \t/usr/local/go/src/net/http/server.go:1491 +0x12a
";
    let t = parse(text.as_bytes());
    assert_eq!(
        t.crash.panics[0].value,
        "runtime error: invalid memory address or nil pointer dereference"
    );
    assert!(t.crash.panics[0].logged);
    assert_eq!(t.goroutines.len(), 1);
}

/// A tool's note after a goroutine header (`1 times: [[216074]`) is left
/// aside, the header read. From https://github.com/lightningnetwork/lnd/pull/10035.
#[test]
fn header_with_a_note_after_it() {
    let text = "goroutine 216074 [sync.RWMutex.RLock, 4 minutes]: 1 times: [[216074]
sync.runtime_SemacquireRWMutexR(0xc2120595219f4ec4?, 0xc0?, 0x4691180?)
        runtime/sema.go:100 +0x25
sync.(*RWMutex).RLock(...)
        sync/rwmutex.go:72
github.com/lightningnetwork/lnd/htlcswitch.(*Switch).failAliasUpdate(0xc00c3d2700, {0x0, 0x0, 0x0}, 0x0)
";
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    let g = &t.goroutines[0];
    assert_eq!((g.id, g.status), (216074, "sync.RWMutex.RLock"));
    assert_eq!(
        g.frames[2].function,
        "github.com/lightningnetwork/lnd/htlcswitch.(*Switch).failAliasUpdate"
    );
    // A call joined to a header is not a note.
    assert!(crate::header::parse_header("goroutine 1 [running]: main.main()", 0).is_none());
}

/// `created by F` whose file line the paste cut still names the creator.
/// From https://github.com/tendermint/tendermint/issues/2721.
#[test]
fn created_by_without_its_file_line() {
    let text = "goroutine 636358 [select, 122 minutes]:
github.com/MinterTeam/minter-go-node/vendor/github.com/tendermint/tendermint/p2p.(*MultiplexTransport).acceptPeers.func1(0xc4200ad860, 0x1082fa0, 0xc424d07bf0)
        /Users/daniillashin/go/src/github.com/MinterTeam/minter-go-node/vendor/github.com/tendermint/tendermint/p2p/transport.go:266 +0x15e
created by github.com/MinterTeam/minter-go-node/vendor/github.com/tendermint/tendermint/p2p.(*MultiplexTransport).acceptPeers
";
    let t = parse(text.as_bytes());
    assert_eq!(
        t.goroutines[0].created_by.as_ref().map(|c| c.function),
        Some("github.com/MinterTeam/minter-go-node/vendor/github.com/tendermint/tendermint/p2p.(*MultiplexTransport).acceptPeers")
    );
    assert!(t.partial);
}

/// One stray space before a header or a frame under a panic value is not
/// the value's indentation (a tab, or spaces made of one): the stack is
/// read. From https://github.com/iotaledger/hornet/issues/590.
#[test]
fn one_space_under_a_value_is_not_its_indentation() {
    let text = "panic: Milestone should never be updated: BLRFPIRZAUNRADRNKLWSQEAEECLSKWWUXKEQUMYORHRIKPDPAGJTXBLAZVUFQOYCWGDREMGNWIYLDD999 (648401)
 goroutine 289 [running]:
 github.com/gohornet/hornet/pkg/model/tangle.(*Milestone).Update(0xc001975800, 0x2232860, 0xc004a92de0)
/__w/hornet/hornet/pkg/model/tangle/milestones_storage.go:66 +0x11e
 github.com/iotaledger/hive.go/objectstorage.(*CachedObjectImpl).updateResult(0xc00ddbbc80, 0x2232860, 0xc004a92de0)
/github/home/go/pkg/mod/github.com/iotaledger/hive.go@v0.0.0-20200623195435-4722a3081401/objectstorage/cached_object.go:162 +0x210 
";
    let t = parse(text.as_bytes());
    assert!(t.crash.panics[0]
        .value
        .starts_with("Milestone should never be updated: "));
    assert!(!t.crash.panics[0].value.contains('\n'));
    let g = &t.goroutines[0];
    assert_eq!(g.id, 289);
    assert_eq!(
        g.frames[0].function,
        "github.com/gohornet/hornet/pkg/model/tangle.(*Milestone).Update"
    );
}

/// A race report's frames with their files on their lines (a CI page's
/// copy). From https://github.com/kubernetes/kubernetes/issues/103246.
#[test]
fn race_frames_with_their_files_on_one_line() {
    let text = "k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/server/filters: TestErrConnKilled expand_less\t0s
=== RUN   TestErrConnKilled
==================
WARNING: DATA RACE
Write at 0x0000039a5818 by goroutine 405:
  k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/server/filters.captureStdErr.func2()      /home/prow/go/src/k8s.io/kubernetes/_output/local/go/src/k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/server/filters/timeout_test.go:220 +0x5a
  k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/server/filters.TestErrConnKilled()     /home/prow/go/src/k8s.io/kubernetes/_output/local/go/src/k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/server/filters/timeout_test.go:270 +0x411
  testing.tRunner()
      /usr/local/go/src/testing/testing.go:1193 +0x202

Previous read at 0x0000039a5818 by goroutine 223:
  k8s.io/kubernetes/vendor/k8s.io/klog/v2.(*loggingT).output()
      /home/prow/go/src/k8s.io/kubernetes/_output/local/go/src/k8s.io/kubernetes/vendor/k8s.io/klog/v2/klog.go:924 +0xb74
";
    let t = parse(text.as_bytes());
    let first = &t.races[0].accesses[0];
    assert_eq!(
        first
            .frames
            .iter()
            .map(|f| (f.function, f.line))
            .collect::<Vec<_>>(),
        [
            (
                "k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/server/filters.captureStdErr.func2",
                220
            ),
            (
                "k8s.io/kubernetes/vendor/k8s.io/apiserver/pkg/server/filters.TestErrConnKilled",
                270
            ),
            ("testing.tRunner", 1193)
        ]
    );
}

/// A dotted word alone outside any stack (an `rpm -q` answer) is not a
/// frame without its file line. From
/// https://github.com/xudongzheng/gitstreak/issues/3.
#[test]
fn a_bare_word_is_no_frame_without_its_file_line() {
    let text = "$ rpm -q golang
golang-1.6.3-1.el7_2.1.x86_64
$ uname -r
3.10.0-327.28.3.el7.x86_64
panic: runtime error: slice bounds out of range
$ gitstream linux
goroutine 1 [running]:
panic(0x514680, 0xc82000e090)
        /usr/lib/golang/src/runtime/panic.go:481 +0x3e6
main.handlePath(0x7ffdcd869221, 0x14, 0x0, 0x0)
";
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    assert_eq!(t.goroutines[0].id, 1);
}

/// A version alone on a line below a stack (`Ubuntu22.04` after the
/// trace and a blank line) ends in a number below a word that is no
/// closure's: not a bare function name, so the stack stays whole. Names
/// that do end in numbers (nested closures, numbered inits) still are.
#[test]
fn a_version_below_a_stack_is_no_bare_frame() {
    use crate::shapes::bare_symbol;
    for version in ["Ubuntu22.04", "v1.2", "go1.21.5"] {
        assert_eq!(bare_symbol(version), None, "{version}");
    }
    for name in [
        "os/signal.init.0",
        "github.com/kolide/launcher/ee/gowrapper.GoWithRecoveryAction.func1.1",
        "main.main.func1.1.2",
        "main.main-range1.1",
        "main.main.gowrap1.1",
    ] {
        assert_eq!(bare_symbol(name), Some((name, "")), "{name}");
    }
    // Go's own output (lab `nil-deref`, Go 1.24) with a reporter's
    // platform line pasted under it.
    let lab = include_str!("../../../lab/artifacts/go1.24.11/nil-deref.txt");
    let text = format!("{lab}exit status 2\n\nUbuntu22.04\n");
    let t = parse(text.as_bytes());
    assert!(!t.partial, "{:?}", t.warnings);
    assert_eq!(t.goroutines[0].frames.len(), 2);
}

/// A blank line after every frame of a stack does not end it; a stack
/// that ended (`created by`) is not continued.
/// From https://github.com/miniflux/v2/pull/3570.
#[test]
fn blank_lines_between_frames_of_one_stack() {
    let text =
        "http: panic serving 127.0.0.1:45994: html/template: \"base\" is an incomplete template

goroutine 9 [running]:
net/http.(*conn).serve.func1()
    /usr/local/go/src/net/http/server.go:1947 +0xbe

panic({0xced600?, 0xc001545140?})
    /usr/local/go/src/runtime/panic.go:792 +0x132

miniflux.app/v2/internal/template.(*Engine).Render(0xc00037cae0?, {0xc000de3558, 0xc}, 0xc000d085a0)
    /home/fred/repos/miniflux/v2/internal/template/engine.go:117 +0x39f

miniflux.app/v2/internal/ui/view.(*View).Render(...)
    /home/fred/repos/miniflux/v2/internal/ui/view/view.go:31
";
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    assert_eq!(
        t.goroutines[0]
            .frames
            .iter()
            .map(|f| f.function)
            .collect::<Vec<_>>(),
        [
            "net/http.(*conn).serve.func1",
            "panic",
            "miniflux.app/v2/internal/template.(*Engine).Render",
            "miniflux.app/v2/internal/ui/view.(*View).Render",
        ]
    );
    // Without the header the stacks are an excerpt's, each maybe another
    // goroutine's: not joined.
    let headerless = text.replace("goroutine 9 [running]:\n", "");
    assert!(parse(headerless.as_bytes()).goroutines.len() > 1);
}

/// A header whose line end was lost before its first frame.
/// From https://github.com/apache/beam/pull/13720.
#[test]
fn header_joined_to_its_first_frame() {
    let text = "$ cd beam/sdks/go/examples/streaming_wordcap/wordcap.go
$ go run wordcap.go \\
  --project=MY_PROJECT\\
  --temp_location=gs://MY_BUKET/tmp\\
  --staging_location=gs://MY_BUKET/binaries\\
  --runner=dataflow
...
panic: runtime error: invalid memory address or nil pointer dereferencepanic: runtime error: invalid memory address or nil pointer dereference[signal SIGSEGV: segmentation violation code=0x1 addr=0x58 pc=0x15b85c3]
goroutine 1 [running]:github.com/apache/beam/sdks/go/pkg/beam/core/runtime/graphx.(*marshaller).addMultiEdge(0xc00079ba10, 0x1d16d9d, 0x8, 0xc00025a0a0, 0x2544dc0, 0xc0001f6c00, 0x2, 0x30, 0x2867560)
        $GOPATH/pkg/mod/github.com/apache/beam@v2.2.1-0.20210111102611-0994dfe6faef+incompatible/sdks/go/pkg/beam/core/runtime/graphx/translate.go:305 +0x163
...
";
    let t = parse(text.as_bytes());
    let g = &t.goroutines[0];
    assert_eq!((g.id, g.status), (1, "running"));
    assert_eq!(
        g.frames[0].function,
        "github.com/apache/beam/sdks/go/pkg/beam/core/runtime/graphx.(*marshaller).addMultiEdge"
    );
    assert_eq!(g.frames[0].line, 305);
}

/// Two blank lines after every line (the line breaks tripled): removed.
/// From https://github.com/blevesearch/bleve/issues/197.
#[test]
fn triple_spaced_text_is_restored() {
    let text = "panic: runtime error: index out of range





goroutine 16 [running]:


runtime.panic(0x905620, 0xe861bc)


        /usr/local/go/src/pkg/runtime/panic.c:279 +0xf5


encoding/binary.PutUvarint(0xc2081cc6b8, 0x8, 0x8, 0x2000000000000000, 0x8)


        /usr/local/go/src/pkg/encoding/binary/varint.go:48 +0x78


github.com/blevesearch/bleve/index/upside_down.(*DictionaryRow).Value(0xc208313c20, 0x0, 0x0, 0x0)


        /appl/src/github.com/blevesearch/bleve/index/upside_down/row.go:196 +0xee


github.com/blevesearch/bleve/index/upside_down.(*upsideDownMerge).FullMerge(0xec3de0, 0xc2081cc688, 0x8, 0x8, 0x0, 0x0, 0x0, 0xc2081b5460, 0x1, 0x1, ...)


        /appl/src/github.com/blevesearch/bleve/index/upside_down/row_merge.go:58 +0x253


github.com/blevesearch/bleve/index/store.(*EmulatedMerge).Execute(0xc20819d080, 0x7f9b389ccb58, 0xc2080dc620, 0x0, 0x0)


        /appl/src/github.com/blevesearch/bleve/index/store/merge.go:93 +0x24a


github.com/blevesearch/bleve/index/store.(*EmulatedBatch).Execute(0xc20810b8c0, 0x0, 0x0)
";
    let restored = crate::restore(text.as_bytes()).expect("triple-spaced");
    let t = parse(&restored.text);
    assert_eq!(t.goroutines.len(), 1);
    assert_eq!(
        t.goroutines[0]
            .frames
            .iter()
            .map(|f| f.function)
            .collect::<Vec<_>>()[..2],
        ["runtime.panic", "encoding/binary.PutUvarint"]
    );
}

/// A frame's name broken after a dot, the rest on the next line without
/// the log prefix: joined. From
/// https://github.com/xitongsys/parquet-go/issues/593.
#[test]
fn name_broken_after_a_dot_is_joined() {
    let text = "2024-07-19T08:47:26.502453865Z panic: runtime error: invalid memory address or nil pointer dereference
2024-07-19T08:47:26.502470269Z [signal SIGSEGV: segmentation violation code=0x1 addr=0x38 pc=0x19f2e1f]
2024-07-19T08:47:26.502473401Z 
2024-07-19T08:47:26.502478102Z goroutine 1712 [running]:
2024-07-19T08:47:26.502482723Z github.
com/xitongsys/parquet-go/layout.(*Table).Pop(0xc005472ee0?, 0xc0080a2180?)
2024-07-19T08:47:26.502490651Z \t/go/pkg/mod/github.com/xitongsys/parquet-go@v1.6.2/layout/table.go:76 +0x15f
2024-07-19T08:47:26.502492802Z github.com/xitongsys/parquet-go/reader.(*ColumnBufferType).ReadRows(0xc005472ee0, 0x1f4)
2024-07-19T08:47:26.502494875Z \t/go/pkg/mod/github.com/xitongsys/parquet-go@v1.6.2/reader/columnbuffer.go:249 +0x15b
";
    let restored = crate::restore(text.as_bytes()).expect("wrapped");
    let t = parse(&restored.text);
    assert_eq!(
        t.goroutines[0].frames[0].function,
        "github.com/xitongsys/parquet-go/layout.(*Table).Pop"
    );
}

/// Lines run together where their ends were lost: the panic, its signal,
/// the header and the first frame on one line, each file line glued to the
/// next function line. From https://github.com/concourse/concourse/issues/5077.
#[test]
fn lost_line_ends_between_runtime_lines() {
    let text = "panic: runtime error: invalid memory address or nil pointer dereference[signal SIGSEGV: segmentation violation code=0x1 addr=0x20 pc=0xb4a25a]goroutine 175554 [running]:github.com/concourse/concourse/atc/exec.(*RetryStep).Succeeded(0xc066d64690, 0x2)
/tmp/build/1c3187db/concourse/atc/exec/retry_step.go:47 +0x2agithub.com/concourse/concourse/atc/exec.OnSuccessStep.Succeeded(0x2841da0, 0xc066d64690, 0x284a7e0, 0xc0680fe400, 0x424101)
/tmp/build/1c3187db/concourse/atc/exec/on_success.go:45 +0x31github.com/concourse/concourse/atc/exec.OnSuccessStep.Succeeded(0x2841e20, 0xc066d647b0, 0x284a7e0, 0xc0680fe4c0, 0xc05ec4cc90)
";
    let t = parse(text.as_bytes());
    assert_eq!(
        t.crash.panics[0].value,
        "runtime error: invalid memory address or nil pointer dereference"
    );
    assert_eq!(t.crash.signal.as_ref().map(|s| s.addr), Some(0x20));
    let g = &t.goroutines[0];
    assert_eq!(g.id, 175554);
    assert_eq!(
        g.frames
            .iter()
            .map(|f| (f.function, f.line))
            .collect::<Vec<_>>(),
        [
            (
                "github.com/concourse/concourse/atc/exec.(*RetryStep).Succeeded",
                47
            ),
            (
                "github.com/concourse/concourse/atc/exec.OnSuccessStep.Succeeded",
                45
            ),
            (
                "github.com/concourse/concourse/atc/exec.OnSuccessStep.Succeeded",
                0
            ),
        ]
    );
}

/// A copy with a blank line after every line: restored, its stack is whole.
/// From https://github.com/pingcap/tidb/issues/41777.
#[test]
fn double_spaced_text_is_restored() {
    let text = "goroutine 454293 [sync.Cond.Wait, 5 minutes]:

sync.runtime_notifyListWait(0xc0105b5210, 0x0)

\tGOROOT/src/runtime/sema.go:527 +0x14c

sync.(*Cond).Wait(0xc002341f70?)

\tGOROOT/src/sync/cond.go:70 +0x8c

google.golang.org/grpc/internal/transport.(*http2Client).keepalive(0xc00c758b40)

\texternal/org_golang_google_grpc/internal/transport/http2_client.go:1693 +0x245

created by google.golang.org/grpc/internal/transport.newHTTP2Client

\texternal/org_golang_google_grpc/internal/transport/http2_client.go:386 +0x1dcc

";
    let restored = crate::restore(text.as_bytes()).expect("double-spaced");
    let t = parse(&restored.text);
    assert_eq!(t.goroutines.len(), 1);
    assert_eq!(t.goroutines[0].frames.len(), 3);
    assert!(t.goroutines[0].created_by.is_some());
    // Single-spaced text with blank lines between goroutines is left alone.
    assert!(crate::restore(CRASH.as_bytes()).is_none());
}

/// A recovery middleware's panic line over `FILE:LINE (0xPC)` frames: the
/// logged panic is the failure (its stack came in another grammar).
/// From https://github.com/MottainaiCI/mottainai-server/issues/83.
#[test]
fn logged_panic_over_caller_frames() {
    let text = "[Macaron] PANIC: assignment to entry in nil map
/usr/lib/go/src/runtime/map_faststr.go:204 (0x4144ac)
/luetbuild/go/src/github.com/MottainaiCI/mottainai-server/pkg/db/arangodb/arangodb.go:260 (0x1c6a8e4)
/luetbuild/go/src/github.com/MottainaiCI/mottainai-server/pkg/db/arangodb/task.go:86 (0x1c74fe4)
";
    let t = parse(text.as_bytes());
    assert_eq!(t.crash.panics.len(), 1);
    assert_eq!(t.crash.panics[0].value, "assignment to entry in nil map");
    assert!(t.crash.panics[0].logged);
}

/// gin's recovery puts the panic's value on the line after `panic
/// recovered:`, over a `FILE:LINE (0xPC)` stack without names.
/// From https://github.com/juicedata/juicefs-csi-driver/pull/1203.
#[test]
fn gin_recovery_value_on_the_next_line() {
    let text = "2024/12/11 07:44:08 [Recovery] 2024/12/11 - 07:44:08 panic recovered:
assignment to entry in nil map
/usr/local/go/src/runtime/map_faststr.go:205 (0x417d7a)
/workspace/pkg/dashboard/cm.go:89 (0x1ad5f9e)
/go/pkg/mod/github.com/gin-gonic/gin@v1.9.1/context.go:174 (0x9ffa19)
";
    let t = parse(text.as_bytes());
    assert_eq!(t.crash.panics.len(), 1);
    assert_eq!(t.crash.panics[0].value, "assignment to entry in nil map");
}

/// `panic("")` prints `panic: ` and nothing after it; a paste drops the
/// trailing blank. From https://github.com/vektra/mockery/issues/35.
#[test]
fn empty_panic_value() {
    let t = parse(b"FindAllOrgs(uint64,uint64,[]string)\n\t\t0: 25\n [recovered]\n\tpanic: \n");
    assert_eq!(t.crash.panics.len(), 1);
    assert_eq!(t.crash.panics[0].value, "");
}

/// A logger's stack of bare positions behind its prefix, one of them in
/// the runtime's panic.go: a recovered panic whose value was not read.
/// From https://github.com/tobegit3hub/seagull/issues/66 (beego).
#[test]
fn positions_through_panic_go_are_a_recovered_panic() {
    let text = "2016/03/05 06:32:35 [router.go:854][C] Handler crashed with error can't find templatefile in the path:index.html 
2016/03/05 06:32:35 [router.go:860][C] /usr/src/go/src/runtime/asm_amd64.s:401 
2016/03/05 06:32:35 [router.go:860][C] /usr/src/go/src/runtime/panic.go:387 
2016/03/05 06:32:35 [router.go:860][C] /go/src/github.com/astaxie/beego/controller.go:262 
2016/03/05 06:32:35 [router.go:860][C] /go/src/github.com/tobegit3hub/seagull/controllers/default.go:15 
";
    assert_eq!(
        godiag_sniff::sniff(text.as_bytes()).kind,
        godiag_model::InputKind::CrashText
    );
    let t = parse(text.as_bytes());
    assert_eq!(t.crash.panics.len(), 1);
    assert!(t.crash.panics[0].value_unread && t.crash.panics[0].recovered);
    // Positions alone, with no panic.go among them, are not a panic.
    let plain = text.replace("runtime/panic.go", "runtime/proc.go");
    assert!(parse(plain.as_bytes()).crash.panics.is_empty());
}

/// gin in debug mode (its default) prints the request between `panic
/// recovered:` and the value; the value is the last line before the stack.
#[test]
fn gin_debug_mode_request_is_not_the_value() {
    let text = "[Recovery] 2024/12/11 - 07:44:08 panic recovered:
GET /api/v1/users/7 HTTP/1.1
Host: localhost:8080

assignment to entry in nil map
/usr/local/go/src/runtime/map_faststr.go:205 (0x417d7a)
/app/pkg/api/users.go:89 (0x1ad5f9e)
";
    let t = parse(text.as_bytes());
    assert_eq!(t.crash.panics[0].value, "assignment to entry in nil map");
}

/// `panic: ` over a multi-line value (Ginkgo's) or a value the paste
/// moved to the next line: the value starts at its first words.
#[test]
fn value_after_an_empty_first_line() {
    let t = parse(b"panic: \nruntime error: index out of range [5] with length 3\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n");
    assert_eq!(
        t.crash.panics[0].value,
        "runtime error: index out of range [5] with length 3"
    );
}

/// The tests `go test` lists under a timeout's `running tests:`.
#[test]
fn running_tests_of_a_timeout() {
    let t = parse(b"panic: test timed out after 10m0s\nrunning tests:\n\tTestHang (10m0s)\n\tTestOther/case_1 (9m59s)\n\ngoroutine 7 [running]:\ntesting.(*M).startAlarm.func1()\n\t/go/src/testing/testing.go:2029 +0x8e\n");
    assert_eq!(t.crash.running_tests, ["TestHang", "TestOther/case_1"]);
}

/// Prose in one-line paragraphs over a short trace is not a double-spaced
/// copy: its blank lines stay.
#[test]
fn paragraphs_are_not_double_spacing() {
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!("2024/01/02 10:00:{i:02} request served\n\n"));
    }
    text.push_str("panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/a.go:1 +0x1\n");
    assert!(crate::restore(text.as_bytes()).is_none());
}

/// A macaron frame of the program first, with no package in its name: it
/// is read (qualified by its directory), not dropped.
#[test]
fn unqualified_caller_frame_first() {
    let text = "[Macaron] PANIC: something went wrong
/app/pkg/api/users.go:89 (0x1ad5f9e)
        (*Handler).Get: panic(\"something went wrong\")
/usr/local/go/src/net/http/server.go:2136 (0x6b3c4d)
        HandlerFunc.ServeHTTP: f(w, r)
";
    let restored = crate::restore(text.as_bytes()).expect("caller frames");
    let t = parse(&restored.text);
    let g = &t.goroutines[0];
    assert_eq!(g.frames[0].function, "api.(*Handler).Get");
    assert_eq!(g.frames[1].function, "net/http.HandlerFunc.ServeHTTP");
}

/// `debug=1` records as pasted: frames indented with spaces for tabs
/// (bfenetworks/bfe#1209), pcs cut to `...` and no pc column
/// (ivahaev/amigo#37).
#[test]
fn count_records_as_pasted() {
    let spaced = "162 @ 0x7b0d96 0x77b41b 0x77af18 0xb85ec6 0x7e30c1
 #       0xb85ec5        github.com/bfenetworks/bfe/bfe_http.(*persistConn).readLoop+0x1a5       /workspace/bfe_http/transport.go:812
";
    assert_eq!(
        godiag_sniff::sniff(spaced.as_bytes()).kind,
        godiag_model::InputKind::GoroutineCountDump
    );
    let t = parse(spaced.as_bytes());
    assert_eq!(t.count_records.len(), 1);
    assert_eq!(t.count_records[0].count, 162);
    assert_eq!(
        t.count_records[0].frames[0].function,
        "github.com/bfenetworks/bfe/bfe_http.(*persistConn).readLoop"
    );
    let cut = "167 @ ...\n#       github.com/ivahaev/amigo.(*amiAdapter).reader.func1+0x1ac      ami.go:429\n";
    assert_eq!(
        godiag_sniff::sniff(cut.as_bytes()).kind,
        godiag_model::InputKind::GoroutineCountDump
    );
    let t = parse(cut.as_bytes());
    assert_eq!(t.count_records[0].frames[0].line, 429);
}

/// `fatal error:` and blanks, the message on the next line, over a
/// runtime stack (https://github.com/golang/go/issues/19473).
#[test]
fn fatal_error_message_on_the_next_line() {
    let text = "runtime: nelems=85 nalloc=6 previous allocCount=5 nfreed=65535
fatal error:      
sweep increased allocation count

runtime stack:
runtime.throw(0x8e319b, 0x20)
\t/home/reus/go/src/runtime/panic.go:596 +0x95
";
    let t = parse(text.as_bytes());
    assert_eq!(
        t.crash.fatal_error.as_deref(),
        Some("sweep increased allocation count")
    );
}

/// Only a fatal signal's lines, indented as a markdown block: the signal
/// header and `signal arrived during cgo execution` anchor the indentation
/// (https://github.com/bakape/thumbnailer/issues/15).
#[test]
fn indented_fatal_signal_alone() {
    let text = "      Assertion desc failed at libswscale/swscale_internal.h:674
      SIGABRT: abort
      PC=0x7f592d86f1f7 m=4 sigcode=0
      signal arrived during cgo execution
";
    assert_eq!(
        godiag_sniff::sniff(text.as_bytes()).kind,
        godiag_model::InputKind::CrashText
    );
}

/// Words that end in `read`/`write` before `by goroutine N:` open no race
/// report: only the race detector's access line does.
#[test]
fn log_words_open_no_race_report() {
    let text = "failed to read by goroutine 3:\n  main.f()\n      /a/main.go:1 +0x1\n";
    assert!(parse(text.as_bytes()).races.is_empty());
}

/// `Observed a panic: %#v (%v)`: only a `)` that closes nothing is dropped.
#[test]
fn observed_panic_parentheses() {
    use crate::shapes::logged_panic;
    assert_eq!(
        logged_panic("Observed a panic: &errors.errorString{} (runtime error: index out of range [3] with length 3)"),
        Some("runtime error: index out of range [3] with length 3")
    );
    assert_eq!(
        logged_panic("err: interface conversion: interface {} is nil, not string (in f())"),
        Some("interface conversion: interface {} is nil, not string (in f())")
    );
}

/// Windows' exception line indented more than the paste's other lines (every
/// line after a tab, this one after a tab and a blank): still the fault,
/// and the DLL call under it makes it a crash in C code. From
/// https://github.com/lxn/walk/issues/483 (its first 21 lines).
#[test]
fn an_exception_line_indented_past_the_others_is_read() {
    let text = "\t Exception 0xc0000005 0x1 0xc0001d0f30 0x7ffdc1bf672e\n\
\tPC=0x7ffdc1bf672e\n\
\n\
\tsyscall.Syscall(0x7ffdc1bf9440, 0x2, 0xb09d0, 0xc0001d0f20, 0x0, 0x0,\n\
\t0x0, 0x0)\n\
\t\tC:/build/Go/src/runtime/syscall_windows.go:186 +0xba\n\
\tgithub.com/lxn/win.IsDialogMessage(0xb09d0, 0xc0001d0f20, 0x0)\n\
\t\tC:/Users/Stephan/go/src/github.com/lxn/win/user32.go:2387 +0x69\n\
\tgithub.com/lxn/walk.(*FormBase).Run(0xc0003d5180, 0x0)\n\
\t\tC:/Users/Stephan/go/src/github.com/lxn/walk/form.go:432 +0x42e\n\
\tmain.RunMainWindow(0x0, 0x0)\n\
\t\tc:/Build/Accounting/Main.go:308 +0x3a26\n\
\tmain.main()\n\
\t\tc:/Build/Accounting/Main.go:52 +0x42\n\
\n\
\tgoroutine 12 [sleep]:\n\
\ttime.Sleep(0x77359400)\n\
\t\tC:/build/Go/src/runtime/time.go:105 +0x12f\n\
\tmain.CloseEmptyViewTabs()\n\
\t\tc:/Build/Accounting/ViewTabs.go:102 +0x15c\n\
\tcreated by main.StartInViewTab\n";
    let t = parse(text.as_bytes());
    let fs = t
        .crash
        .fatal_signal
        .as_ref()
        .expect("the exception is read");
    assert_eq!(fs.name, "EXCEPTION_ACCESS_VIOLATION");
    assert_eq!(fs.pc, Some(0x7ffdc1bf672e));
    assert_eq!(t.goroutines.len(), 2);
    assert_eq!(
        t.goroutines[0].frames[1].function,
        "github.com/lxn/win.IsDialogMessage"
    );
}

/// Frames pasted indented under a message, with no header and no other
/// runtime line: a call line whose file line follows opens a stack. From
/// https://github.com/googleapis/google-cloud-go/issues/1944.
#[test]
fn indented_frames_without_a_header_are_read() {
    let text = "runtime error: invalid memory address or nil pointer dereference:\n\
 \t/usr/local/Cellar/go/1.12.7/libexec/src/runtime/panic.go:522 +0x1b5\n\
 cloud.google.com/go/spanner.(*Client).Single(0x0, 0x7fa0f5d61460)\n\
 \t/usr/local/lib/go/src/cloud.google.com/go/spanner/client.go:324 +0x3f\n";
    let t = parse(text.as_bytes());
    assert_eq!(t.goroutines.len(), 1);
    let g = &t.goroutines[0];
    assert!(g.headerless);
    assert_eq!(
        g.frames[0].function,
        "cloud.google.com/go/spanner.(*Client).Single"
    );
    assert_eq!(g.frames[0].line, 324);
}

/// An abridged race report's placeholders (`by goroutine G1:`, `Goroutine
/// G1 (running) created at:`): the creation stacks are read as such, not
/// appended to the previous access's stack.
#[test]
fn race_report_with_placeholder_goroutines() {
    let text = "WARNING: DATA RACE
Write at 0x... by goroutine G1:
  main.(*Cache).Set()
      /home/u/app/cache.go:30 +0x44

Previous read at 0x... by goroutine G2:
  main.(*Cache).Get()
      /home/u/app/cache.go:20 +0x3a

Goroutine G1 (running) created at:
  main.main()
      /home/u/app/main.go:10 +0x8f
==================
";
    let t = parse(text.as_bytes());
    let race = &t.races[0];
    assert_eq!(race.accesses[1].frames.len(), 1);
    assert_eq!(race.goroutines.len(), 1);
    assert_eq!(race.goroutines[0].created_at[0].line, 10);
}

/// A `debug=1` frame cut inside its file column keeps its function (line
/// 0), a Windows drive's colon included; a position that is not cut keeps
/// its line.
#[test]
fn count_record_frame_cut_in_its_file() {
    use crate::shapes::count_record_frame;
    for (line, file, at) in [
        (
            "#\t0x1779aca\texample.com/rl.(*Limiter).MaxEvents+0x2a\t/go/pkg/mod/example.com/rl@v0.0.0-2024",
            "/go/pkg/mod/example.com/rl@v0.0.0-2024",
            0,
        ),
        (
            "#\t0x1779aca\texample.com/rl.(*Limiter).MaxEvents+0x2a\tC:/Users/dev/go/pkg/mod/example.com/rl@v0",
            "C:/Users/dev/go/pkg/mod/example.com/rl@v0",
            0,
        ),
        (
            "#\t0x1779aca\texample.com/rl.(*Limiter).MaxEvents+0x2a\tC:/src/rl/limiter.go:90",
            "C:/src/rl/limiter.go",
            90,
        ),
    ] {
        let f = count_record_frame(line).unwrap();
        assert_eq!(f.function, "example.com/rl.(*Limiter).MaxEvents");
        assert_eq!((f.file, f.line), (file, at));
    }
    // A colon past the drive is a position whose line did not read.
    assert!(count_record_frame("#\t0x1\tmain.f+0x2\t/src/main.go:xx").is_none());
}

/// `debug=1` records copied from a rendered page, whose Markdown took each
/// frame's leading `#` for a heading's and dropped it: the frames are read
/// without it, and the text is sniffed as a goroutine profile. From
/// https://github.com/micro/go-grpc/issues/23.
#[test]
fn count_records_that_lost_their_hashes() {
    let text = "113 @ 0x10309cf 0x103fae8 0x1693210 0x105b771
0x169320f\tgoogle.golang.org/grpc.(*ccBalancerWrapper).watcher+0x10f\t/Users/duanpengju/go/pkg/mod/google.golang.org/grpc@v1.19.1/balancer_conn_wrappers.go:122

56 @ 0x10309cf 0x103fae8 0x169a27b 0x105b771
0x169a27a\tgoogle.golang.org/grpc.(*addrConn).resetTransport+0x5ea\t/Users/duanpengju/go/pkg/mod/google.golang.org/grpc@v1.19.1/clientconn.go:1130
";
    assert_eq!(
        godiag_sniff::sniff(text.as_bytes()).kind,
        godiag_model::InputKind::GoroutineCountDump
    );
    let t = parse(text.as_bytes());
    let records: Vec<_> = t
        .count_records
        .iter()
        .map(|r| {
            (
                r.count,
                r.frames
                    .iter()
                    .map(|f| (f.function, f.line))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    assert_eq!(
        records,
        [
            (
                113,
                vec![("google.golang.org/grpc.(*ccBalancerWrapper).watcher", 122)]
            ),
            (
                56,
                vec![("google.golang.org/grpc.(*addrConn).resetTransport", 1130)]
            )
        ]
    );
    // A record whose pcs the reporter cut with a run of dots
    // (apache/dubbo-go#2038).
    let cut = "1165 @ 0x438696 .....\n#\t0x4653e4\tsync.runtime_SemacquireMutex+0x24\t/go/src/runtime/sema.go:71\n";
    assert_eq!(parse(cut.as_bytes()).count_records[0].count, 1165);
    assert!(parse(b"12 @ 0x1 ..... 0x2\n#\t0x1\tmain.f+0x1\t/a.go:1\n")
        .count_records
        .is_empty());
}

/// A logfmt record holding the stack escaped in a quoted value
/// (`stacktrace="util.NotFoundHandler()\n\t/drone/...`): its first frame
/// starts at the quote, not at the line's start. From
/// https://github.com/superseriousbusiness/gotosocial/issues/2807.
#[test]
fn logfmt_stack_value_keeps_its_first_frame() {
    let text = r#"Apr  4 16:10:14 hostname gotosocial[68822]: timestamp="04/04/2024 16:10:14.880" func=server.glob..func1.Logger.func13.1 level=ERROR stacktrace="util.NotFoundHandler()\n\t/drone/src/internal/api/util/errorhandling.go:50\nutil.ErrorHandler()\n\t/drone/src/internal/api/util/errorhandling.go:149\nserver.glob..func1.2()\n\t/drone/src/cmd/gotosocial/action/server/server.go:286\n" requestID=g00wva4e04001d60k6f0 msg="recovered panic: db error fetching instance: context canceled"
"#;
    // The first goroutine's frames, read from the restored text.
    let frames_of = |text: &str| -> Vec<String> {
        let restored = crate::restore(text.as_bytes()).expect("escaped");
        parse(&restored.text).goroutines[0]
            .frames
            .iter()
            .map(|f| format!("{}:{}", f.function, f.line))
            .collect()
    };
    assert_eq!(
        frames_of(text),
        [
            "util.NotFoundHandler:50",
            "util.ErrorHandler:149",
            "server.glob..func1.2:286"
        ]
    );
    // The value ends at its closing quote: the last frame's file line
    // does not take the fields after it.
    let text = "level=error msg=\"handler failed\" stacktrace=\"main.handler()\\n\\t/app/main.go:42 +0x1c\\nmain.main()\\n\\t/app/main.go:10 +0x25\" request=7\n";
    assert_eq!(frames_of(text), ["main.handler:42", "main.main:10"]);
}
