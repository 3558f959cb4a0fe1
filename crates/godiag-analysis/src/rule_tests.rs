//! Each rule on hand-built evidence (model structs, a summary, a profile
//! encoded as Go writes it): once where it fires, once where it must not.
//! Ranking and merging: `ranking_tests.rs`.

use std::borrow::Cow;

use godiag_model::{
    Crash, FatalSignal, Frame, GcTrace, Goroutine, GoroutineGroup, GroupKeyMode, InputKind,
    PanicEntry, SignalInfo, TextArtifact, WaitObject,
};

use crate::finding::{Confidence, Finding, FindingKind};
use crate::input::TextInput;

fn frame<'a>(function: &'a str, file: &'a str, line: u32, args: &'a str) -> Frame<'a> {
    Frame {
        function,
        args: Cow::Borrowed(args),
        file,
        line,
        pc_offset: None,
        pc: None,
    }
}

fn goroutine<'a>(id: u64, status: &'a str, frames: Vec<Frame<'a>>) -> Goroutine<'a> {
    Goroutine {
        id,
        status,
        frames,
        ..Goroutine::default()
    }
}

/// The findings of every text rule over one hand-built input.
fn findings_of(kind: InputKind, t: &TextArtifact<'_>) -> Vec<Finding> {
    let groups: Vec<GoroutineGroup<'_>> =
        godiag_model::group_goroutines(&t.goroutines, GroupKeyMode::Stack);
    let input = TextInput {
        index: 0,
        kind,
        artifact: t,
        groups: &groups,
        captured_at: None,
    };
    crate::textrules::analyze_text(&[input])
}

fn kinds(f: &[Finding]) -> Vec<FindingKind> {
    f.iter().map(|f| f.kind).collect()
}

/// The function a finding is placed at.
fn place(f: &Finding) -> Option<&str> {
    f.location.as_ref().map(|l| l.function.as_str())
}

fn main_goroutine<'a>(status: &'a str, line: u32) -> Goroutine<'a> {
    goroutine(
        1,
        status,
        vec![
            frame("main.lookup", "/app/main.go", line, "0x0"),
            frame("main.main", "/app/main.go", 20, ""),
        ],
    )
}

/// The runtime's nil-dereference panic, as printed.
fn nil_deref_panic() -> PanicEntry<'static> {
    PanicEntry {
        value: Cow::Borrowed("runtime error: invalid memory address or nil pointer dereference"),
        recovered: false,
        repanicked: false,
        logged: false,
        value_unread: false,
        offset: 0,
    }
}

#[test]
fn nil_dereference_fires_on_the_signal_and_not_without_a_failure() {
    let crash = Crash {
        panics: vec![nil_deref_panic()],
        signal: Some(SignalInfo {
            name: "SIGSEGV",
            description: "segmentation violation",
            code: 1,
            addr: 0,
            pc: 0x4a08c0,
            offset: 70,
        }),
        ..Crash::default()
    };
    let t = TextArtifact {
        goroutines: vec![main_goroutine("running", 12)],
        crash,
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &t);
    assert_eq!(f[0].kind, FindingKind::NilDereference, "{:?}", kinds(&f));
    assert_eq!(f[0].location.as_ref().unwrap().line, 12);
    // The same goroutine without the failure line: no nil dereference is
    // claimed (alone, it is a failing stack of unknown cause, low).
    let t = TextArtifact {
        goroutines: vec![main_goroutine("running", 12)],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(kinds(&f), [FindingKind::UnknownFailure]);
    assert_eq!(f[0].confidence, crate::finding::Confidence::Low);
}

/// A recovered panic logged by a handler whose paste stops at the `panic`
/// frame (internetarchive/Zeno#132): the handler above it is not where it
/// failed, so no place is claimed; with the frames below, the program's is.
#[test]
fn a_recovered_panic_is_located_below_its_handler_or_nowhere() {
    let crash = Crash {
        panics: vec![PanicEntry {
            recovered: true,
            ..nil_deref_panic()
        }],
        ..Crash::default()
    };
    let handler = vec![
        frame(
            "net/http.(*conn).serve.func1",
            "/go/src/net/http/server.go",
            1898,
            "",
        ),
        frame(
            "panic",
            "/go/src/runtime/panic.go",
            770,
            "{0x1d6c6a0?, 0x3a5b960?}",
        ),
    ];
    let t = TextArtifact {
        goroutines: vec![goroutine(212832422, "running", handler.clone())],
        crash: crash.clone(),
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &t);
    assert_eq!(f[0].kind, FindingKind::NilDereference);
    assert_eq!(f[0].location, None);
    let mut whole = handler;
    whole.push(frame("main.(*worker).run", "/app/worker.go", 44, ""));
    let t = TextArtifact {
        goroutines: vec![goroutine(212832422, "running", whole)],
        crash,
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &t);
    assert_eq!(place(&f[0]), Some("main.(*worker).run"));
}

fn lock_waiter<'a>(id: u64, lock: &'a str, func: &'a str, recv: &'a str) -> Goroutine<'a> {
    goroutine(
        id,
        "sync.Mutex.Lock",
        vec![
            frame(
                "internal/sync.runtime_SemacquireMutex",
                "/go/src/runtime/sema.go",
                95,
                "0x0?",
            ),
            frame(
                "internal/sync.(*Mutex).lockSlow",
                "/go/src/internal/sync/mutex.go",
                149,
                lock,
            ),
            frame(func, "/app/main.go", 30, recv),
        ],
    )
}

#[test]
fn lock_cycle_fires_on_two_locks_and_not_on_one() {
    let running = goroutine(
        1,
        "running",
        vec![frame("main.main", "/app/main.go", 9, "")],
    );
    let t = TextArtifact {
        goroutines: vec![
            running.clone(),
            lock_waiter(7, "0xc000010010", "main.(*pair).ab", "0xc000010000"),
            lock_waiter(8, "0xc000010000", "main.(*pair).ba", "0xc000010000"),
        ],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert!(
        f.iter()
            .any(|f| f.kind == FindingKind::Deadlock && f.goroutines == [7, 8]),
        "{:?}",
        f.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
    let t = TextArtifact {
        goroutines: vec![
            running,
            lock_waiter(7, "0xc000010000", "main.(*pair).ab", "0xc000010000"),
            lock_waiter(8, "0xc000010000", "main.(*pair).ba", "0xc000010000"),
        ],
        ..TextArtifact::default()
    };
    assert!(findings_of(InputKind::GoroutineDump, &t)
        .iter()
        .all(|f| !f.title.starts_with("deadlock: goroutines")));
}

#[test]
fn dump_deadlock_fires_when_all_wait_and_not_when_one_runs() {
    let waiting = |id| {
        goroutine(
            id,
            "chan receive",
            vec![frame("main.worker", "/app/main.go", 40, "")],
        )
    };
    let t = TextArtifact {
        goroutines: vec![main_goroutine("chan receive", 12), waiting(5), waiting(6)],
        ..TextArtifact::default()
    };
    assert!(kinds(&findings_of(InputKind::GoroutineDump, &t)).contains(&FindingKind::Deadlock));
    let t = TextArtifact {
        goroutines: vec![main_goroutine("running", 12), waiting(5), waiting(6)],
        ..TextArtifact::default()
    };
    assert!(!kinds(&findings_of(InputKind::GoroutineDump, &t)).contains(&FindingKind::Deadlock));
}

#[test]
fn leak_fires_on_many_blocked_for_long_and_not_on_a_few() {
    let blocked = |id, minutes| Goroutine {
        wait_minutes: Some(minutes),
        ..goroutine(
            id,
            "chan send",
            vec![frame("main.handle.func1", "/app/handler.go", 55, "")],
        )
    };
    let running = goroutine(
        1,
        "running",
        vec![frame("main.main", "/app/main.go", 9, "")],
    );
    let mut many = vec![running.clone()];
    many.extend((10..110).map(|id| blocked(id, 30)));
    let t = TextArtifact {
        goroutines: many,
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    let leak = f.iter().find(|f| f.kind == FindingKind::GoroutineLeak);
    assert_eq!(
        leak.and_then(|f| f.location.as_ref()).map(|l| l.line),
        Some(55),
        "{:?}",
        kinds(&f)
    );
    let t = TextArtifact {
        goroutines: vec![running, blocked(10, 30), blocked(11, 30)],
        ..TextArtifact::default()
    };
    assert!(
        !kinds(&findings_of(InputKind::GoroutineDump, &t)).contains(&FindingKind::GoroutineLeak)
    );
}

#[test]
fn gc_pressure_fires_on_a_high_share_and_not_on_a_low_one() {
    let traces = |share| -> Vec<GcTrace<'static>> {
        (1..=8)
            .map(|n| GcTrace {
                number: n,
                at_seconds: n as f64,
                gc_cpu_percent: share,
                forced: false,
                live_mb: None,
                raw: "gc 1 @0.010s 30%: ...",
                offset: 0,
            })
            .collect()
    };
    let t = TextArtifact {
        gc_traces: traces(35),
        ..TextArtifact::default()
    };
    assert!(kinds(&findings_of(InputKind::CrashText, &t)).contains(&FindingKind::GcPressure));
    let t = TextArtifact {
        gc_traces: traces(2),
        ..TextArtifact::default()
    };
    assert!(!kinds(&findings_of(InputKind::CrashText, &t)).contains(&FindingKind::GcPressure));
}

#[test]
fn core_stack_overflow_fires_on_a_deep_repeating_stack_and_not_on_a_short_one() {
    let recursion = |elided: u64, bytes: u64| {
        let frames: Vec<Frame<'static>> = (0..40)
            .map(|i| {
                if i % 2 == 0 {
                    frame("main.resolve", "/app/main.go", 28, "")
                } else {
                    frame("main.walk", "/app/main.go", 40, "")
                }
            })
            .collect();
        Goroutine {
            elided: Some((frames.len(), elided)),
            stack_bytes: Some(bytes),
            waits_on: Vec::<WaitObject>::new(),
            ..goroutine(1, "running", frames)
        }
    };
    let t = TextArtifact {
        goroutines: vec![recursion(50_000, 1 << 30)],
        ..TextArtifact::default()
    };
    assert!(kinds(&findings_of(InputKind::ElfCore, &t)).contains(&FindingKind::StackOverflow));
    // A deep stack on a small stack, with no frames beyond those read: a
    // long call chain, not an overflow.
    let mut shallow = recursion(0, 64 << 10);
    shallow.elided = None;
    shallow.frames.truncate(2);
    let t = TextArtifact {
        goroutines: vec![shallow],
        ..TextArtifact::default()
    };
    assert!(!kinds(&findings_of(InputKind::ElfCore, &t)).contains(&FindingKind::StackOverflow));
}

mod trace_rules {
    use godiag_trace::analysis::{BlockedGroup, Frame as TraceFrame, Site, Summary};

    use crate::finding::{Finding, FindingKind, Verdict};
    use crate::tracerules::{analyze_traces, confirm_from_traces, TraceInput};

    fn run(s: &Summary) -> Vec<Finding> {
        analyze_traces(&[TraceInput {
            index: 0,
            summary: s,
        }])
    }

    fn second() -> Summary {
        Summary {
            duration_ns: 1_000_000_000,
            ..Summary::default()
        }
    }

    fn user_stack(line: u64) -> Vec<TraceFrame> {
        vec![
            TraceFrame {
                function: "sync.(*Mutex).Lock".into(),
                file: "/go/src/sync/mutex.go".into(),
                line: 46,
            },
            TraceFrame {
                function: "main.(*store).put".into(),
                file: "/app/store.go".into(),
                line,
            },
        ]
    }

    /// A goroutine still runnable where a trace was cut is no measured
    /// wait: the events that ran it may be what the cut lost (a 65 s trace
    /// cut at a fortieth of its length looked starved for 1001 ms).
    #[test]
    fn a_wait_open_at_a_cut_is_no_starvation() {
        let mut s = second();
        s.sched_latency.over_100ms = 1;
        s.sched_latency.over_100ms_open_at_end = 1;
        s.longest_waits.push(godiag_trace::analysis::LongWait {
            goroutine: 22,
            name: "main.busy".into(),
            since_ns: 30_000_000_000,
            wait_ns: 1_001_000_000,
            at_end: true,
        });
        // Whole, the trace shows the goroutine waiting to its end.
        assert!(run(&s)
            .iter()
            .any(|f| f.kind == FindingKind::SchedulerStarvation));
        s.partial = Some("batch cut short".into());
        assert!(run(&s)
            .iter()
            .all(|f| f.kind != FindingKind::SchedulerStarvation));
        // A wait seen to end before the cut still counts.
        s.sched_latency.over_100ms = 2;
        s.longest_waits.push(godiag_trace::analysis::LongWait {
            goroutine: 23,
            name: "main.busy".into(),
            since_ns: 1_000_000_000,
            wait_ns: 150_000_000,
            at_end: false,
        });
        let f = run(&s);
        let starved = f
            .iter()
            .find(|f| f.kind == FindingKind::SchedulerStarvation)
            .expect("the measured wait");
        assert!(
            starved.title.contains("1 wait of 100 ms or more"),
            "{}",
            starved.title
        );
        assert!(
            starved.title.contains("longest 150 ms"),
            "{}",
            starved.title
        );
    }

    #[test]
    fn gc_pressure_fires_on_a_third_of_the_cpu_and_not_on_a_tenth() {
        let mut s = second();
        s.gc.cycles = 40;
        s.gc.cpu_fraction = 0.35;
        assert!(run(&s).iter().any(|f| f.kind == FindingKind::GcPressure));
        s.gc.cpu_fraction = 0.10;
        assert!(run(&s).iter().all(|f| f.kind != FindingKind::GcPressure));
    }

    #[test]
    fn lock_contention_fires_on_heavy_waits_and_not_on_light_ones() {
        let mut s = second();
        s.contention = vec![Site {
            reason: "sync".into(),
            stack: user_stack(31),
            count: 200,
            total_ns: 900_000_000,
        }];
        let f = run(&s);
        let c = f.iter().find(|f| f.kind == FindingKind::LockContention);
        assert_eq!(
            c.and_then(|f| f.location.as_ref()).map(|l| l.line),
            Some(31)
        );
        s.contention[0].total_ns = 20_000_000;
        assert!(run(&s)
            .iter()
            .all(|f| f.kind != FindingKind::LockContention));
    }

    #[test]
    fn starvation_fires_on_waits_of_100_ms_and_not_without() {
        let mut s = second();
        s.sched_latency.over_100ms = 3;
        s.sched_latency.max_ns = 250_000_000;
        assert!(run(&s)
            .iter()
            .any(|f| f.kind == FindingKind::SchedulerStarvation));
        s.sched_latency.over_100ms = 0;
        assert!(run(&s)
            .iter()
            .all(|f| f.kind != FindingKind::SchedulerStarvation));
    }

    #[test]
    fn blocking_io_fires_when_io_dominates_and_not_when_it_is_small() {
        let mut s = second();
        s.io = vec![Site {
            reason: "syscall".into(),
            stack: user_stack(77),
            count: 40,
            total_ns: 800_000_000,
        }];
        assert!(run(&s).iter().any(|f| f.kind == FindingKind::BlockingIo));
        s.io[0].total_ns = 30_000_000;
        assert!(run(&s).iter().all(|f| f.kind != FindingKind::BlockingIo));
    }

    #[test]
    fn a_leak_fires_on_many_blocked_for_the_whole_trace_and_not_on_a_few() {
        let group = |count| BlockedGroup {
            reason: "chan send".into(),
            stack: user_stack(55),
            count,
            min_wait_ns: 900_000_000,
            max_wait_ns: 900_000_000,
            blocked_throughout: count,
            goroutines: Vec::new(),
        };
        let mut s = second();
        s.blocked_at_end = vec![group(50)];
        assert!(run(&s).iter().any(|f| f.kind == FindingKind::GoroutineLeak));
        s.blocked_at_end = vec![group(3)];
        assert!(run(&s).iter().all(|f| f.kind != FindingKind::GoroutineLeak));
        // Created one after another while the trace ran, none woken: the
        // newest blocked only 1 ms, the oldest most of the trace.
        let growing = BlockedGroup {
            min_wait_ns: 1_000_000,
            max_wait_ns: 800_000_000,
            ..group(200)
        };
        s.blocked_at_end = vec![growing.clone()];
        let f = run(&s);
        let leak = f.iter().find(|f| f.kind == FindingKind::GoroutineLeak);
        assert!(
            leak.is_some_and(|f| f.title.contains("grew during the trace")),
            "{f:?}"
        );
        // Some of them woke once: in-flight work, not a leak.
        s.blocked_at_end = vec![BlockedGroup {
            blocked_throughout: 150,
            ..growing
        }];
        assert!(run(&s).iter().all(|f| f.kind != FindingKind::GoroutineLeak));
    }

    /// A cycle the text placed in `main.(*store).put`: the trace of the same
    /// run confirms it when its goroutines stay blocked there, contradicts
    /// it when one runs, and says nothing when it shows other functions
    /// (another program's goroutines 8 and 9).
    #[test]
    fn a_cycle_is_confirmed_when_its_goroutines_stay_blocked_and_contradicted_when_one_runs() {
        let mut f = Finding::new(FindingKind::Deadlock, "deadlock", crate::Confidence::Medium);
        f.goroutines = vec![8, 9];
        f.location = Some(crate::finding::Location {
            function: "main.(*store).put".into(),
            file: "/app/store.go".into(),
            line: 31,
        });
        f.evidence.push(crate::finding::Evidence {
            source: godiag_model::Source::GoroutineDump,
            summary: "2 goroutines blocked on locks".into(),
            input: 1,
            offset: None,
            lines: vec![
                "goroutine 8 [sync.Mutex.Lock] in main.(*store).put (/app/store.go:31)".into(),
                "goroutine 9 [sync.Mutex.Lock] in main.(*store).put (/app/store.go:31)".into(),
            ],
            goroutines: None,
        });
        let blocked = |stack| BlockedGroup {
            reason: "sync".into(),
            stack,
            count: 2,
            min_wait_ns: 900_000_000,
            max_wait_ns: 900_000_000,
            blocked_throughout: 0,
            goroutines: vec![8, 9],
        };
        let mut s = second();
        s.blocked_at_end = vec![blocked(user_stack(31))];
        let mut findings = vec![f.clone()];
        confirm_from_traces(
            &mut findings,
            &[TraceInput {
                index: 0,
                summary: &s,
            }],
        );
        assert_eq!(
            findings[0].verification.get("trace"),
            Some(&Verdict::Confirms)
        );
        let mut s = second();
        s.end.running_ids = vec![9];
        s.blocked_at_end = vec![BlockedGroup {
            goroutines: vec![8],
            ..blocked(user_stack(31))
        }];
        let mut findings = vec![f.clone()];
        confirm_from_traces(
            &mut findings,
            &[TraceInput {
                index: 0,
                summary: &s,
            }],
        );
        assert_eq!(
            findings[0].verification.get("trace"),
            Some(&Verdict::Contradicts)
        );
        let mut other = user_stack(51);
        other[1].function = "main.worker".into();
        let mut s = second();
        s.blocked_at_end = vec![blocked(other)];
        let mut findings = vec![f];
        confirm_from_traces(
            &mut findings,
            &[TraceInput {
                index: 0,
                summary: &s,
            }],
        );
        assert_eq!(findings[0].verification.get("trace"), None);
    }
}

#[test]
fn race_report_fires_and_a_dump_without_one_does_not() {
    use godiag_model::{RaceAccess, RaceReport};
    let access = |previous, goroutine, line| RaceAccess {
        op: Cow::Borrowed("write"),
        previous,
        addr: 0xc000012345,
        goroutine,
        frames: vec![frame("main.(*counter).inc", "/app/counter.go", line, "")],
    };
    let t = TextArtifact {
        races: vec![RaceReport {
            accesses: vec![access(false, 7, 14), access(true, 8, 14)],
            goroutines: Vec::new(),
            location: None,
            offset: 0,
        }],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::RaceReport, &t);
    assert_eq!(f[0].kind, FindingKind::DataRace, "{:?}", kinds(&f));
    assert_eq!(f[0].location.as_ref().unwrap().line, 14);
    assert!(findings_of(InputKind::RaceReport, &TextArtifact::default()).is_empty());
}

/// A race whose current access is the standard library's alone is placed
/// at the program's code in the previous access (rjeczalik/gh#8: net/http
/// finishing a response that a handler's goroutine still writes to); the
/// current access's program frame wins when it has one.
#[test]
fn race_in_library_code_alone_is_placed_at_the_other_access() {
    use godiag_model::{RaceAccess, RaceReport};
    let access = |previous, goroutine, frames| RaceAccess {
        op: Cow::Borrowed(if previous { "write" } else { "read" }),
        previous,
        addr: 0xc4200ac108,
        goroutine,
        frames,
    };
    let library = || {
        vec![
            frame(
                "net/http.(*response).finishRequest",
                "/go/src/net/http/server.go",
                1534,
                "",
            ),
            frame(
                "net/http.(*conn).serve",
                "/go/src/net/http/server.go",
                1830,
                "",
            ),
        ]
    };
    let handler = || {
        vec![
            frame(
                "net/http.(*response).WriteHeader",
                "/go/src/net/http/server.go",
                1056,
                "",
            ),
            frame(
                "example.com/hook.(*Handler).handle",
                "/src/hook/handler.go",
                234,
                "",
            ),
        ]
    };
    let race = |current: Vec<Frame<'static>>| TextArtifact {
        races: vec![RaceReport {
            accesses: vec![access(false, 12, current), access(true, 16, handler())],
            ..RaceReport::default()
        }],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::RaceReport, &race(library()));
    let loc = f[0].location.as_ref().expect("a location");
    assert_eq!(
        (loc.function.as_str(), loc.line, f[0].goroutine),
        ("example.com/hook.(*Handler).handle", 234, Some(16))
    );
    assert_eq!(
        f[0].title,
        "data race: read in net/http.(*response).finishRequest and write in example.com/hook.(*Handler).handle"
    );
    // A current access without frames: placed at the previous one's
    // program code; the title names no function it cannot.
    let f = findings_of(InputKind::RaceReport, &race(Vec::new()));
    assert_eq!(place(&f[0]), Some("example.com/hook.(*Handler).handle"));
    assert_eq!(f[0].title, "data race");
    let mut own = library();
    own.insert(
        1,
        frame("example.com/hook.finish", "/src/hook/finish.go", 9, ""),
    );
    let f = findings_of(InputKind::RaceReport, &race(own));
    let loc = f[0].location.as_ref().expect("a location");
    assert_eq!(
        (loc.function.as_str(), f[0].goroutine),
        ("example.com/hook.finish", Some(12))
    );
}

/// A goroutine parked in errgroup's Wait is held up where its caller
/// waits (spacemeshos/go-spacemesh#6477: a test stuck 58 minutes in
/// `errgroup.(*Group).Wait`).
#[test]
fn a_wait_in_errgroup_is_placed_at_its_caller() {
    let waiter = goroutine(
        288,
        "semacquire",
        vec![
            frame("sync.runtime_Semacquire", "/go/src/runtime/sema.go", 71, ""),
            frame(
                "sync.(*WaitGroup).Wait",
                "/go/src/sync/waitgroup.go",
                118,
                "",
            ),
            frame(
                "golang.org/x/sync/errgroup.(*Group).Wait",
                "/mod/golang.org/x/sync@v0.9.0/errgroup/errgroup.go",
                56,
                "",
            ),
            frame(
                "example.com/sys.testPartition",
                "/src/sys/partition_test.go",
                107,
                "",
            ),
        ],
    );
    let loc = crate::frames::user_frame(&waiter.frames).expect("the caller");
    assert_eq!(loc.function, "example.com/sys.testPartition");
    // A frame alone: whether it is one a person would change.
    let own = |function: &'static str| {
        crate::frames::user_frame(&[frame(function, "/src/errgroup.go", 56, "")]).is_some()
    };
    // Vendored into a GOPATH program, the same wait.
    assert!(!own(
        "example.com/app/vendor/golang.org/x/sync/errgroup.(*Group).Wait"
    ));
    // A program's package whose path merely ends like x/sync's is not it.
    assert!(own(
        "example.com/mygolang.org/x/sync/errgroup.(*Group).Wait"
    ));
    // errgroup's other frames are not waits.
    assert!(own("golang.org/x/sync/errgroup.(*Group).Go.func1"));
}

#[test]
fn compiler_crash_fires_on_its_line_and_not_on_an_ordinary_build_error() {
    let t = TextArtifact {
        crash: Crash {
            compiler_error: Some("./main.go:12:3: internal compiler error: panic: runtime error"),
            ..Crash::default()
        },
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &t);
    assert_eq!(f.len(), 1, "{:?}", kinds(&f));
    let t = TextArtifact {
        other_lines: 1,
        ..TextArtifact::default()
    };
    assert!(findings_of(InputKind::CrashText, &t).is_empty());
}

/// A failing goroutine's stack pasted alone, without its failure line:
/// the one `[running]` goroutine of a crash's traceback
/// (flashbots/builder-playground#299), or frames without a header
/// (segmentio/stats#73, a program's own `vendor/` path): an unknown
/// failure at the top program frame, low confidence. Beside another
/// goroutine it is a dump, not a crash's traceback: nothing is said.
#[test]
fn a_lone_failing_stack_is_an_unknown_failure_at_its_top() {
    let running = goroutine(
        1,
        "running",
        vec![
            frame(
                "main.init.func2",
                "/home/dvush/flashbots/code/builder-playground/main.go",
                145,
                "0xc00005f900?, {0x311fe20?, 0x4?, 0x174b889?}",
            ),
            frame(
                "github.com/spf13/cobra.(*Command).execute",
                "/home/dvush/.local/share/go/pkg/mod/github.com/spf13/cobra@v1.9.1/command.go",
                1015,
                "0x2667c20, {0x311fe20, 0x0, 0x0}",
            ),
            frame(
                "main.main",
                "/home/dvush/flashbots/code/builder-playground/main.go",
                320,
                "",
            ),
        ],
    );
    let t = TextArtifact {
        goroutines: vec![running.clone()],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(kinds(&f), [FindingKind::UnknownFailure]);
    assert_eq!(f[0].confidence, crate::finding::Confidence::Low);
    assert_eq!(place(&f[0]), Some("main.init.func2"));
    let headerless = Goroutine {
        headerless: true,
        ..goroutine(
            0,
            "unknown",
            vec![frame(
                "vendor/github.com/segmentio/stats.(*Buffer).HandleMeasures",
                "vendor/github.com/segmentio/stats/buffer.go",
                76,
                "0xc4202af108",
            )],
        )
    };
    let t = TextArtifact {
        goroutines: vec![headerless],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(kinds(&f), [FindingKind::UnknownFailure]);
    let t = TextArtifact {
        goroutines: vec![
            running,
            goroutine(
                7,
                "select",
                vec![frame("main.serve", "/app/main.go", 30, "")],
            ),
        ],
        ..TextArtifact::default()
    };
    assert!(findings_of(InputKind::GoroutineDump, &t).is_empty());
    // A stack the program printed on purpose, and a headerless stack of a
    // parked goroutine (its top frame where goroutines park).
    let printed = goroutine(
        1,
        "running",
        vec![
            frame(
                "runtime/debug.Stack",
                "/go/src/runtime/debug/stack.go",
                26,
                "",
            ),
            frame("main.logSlow", "/app/main.go", 50, ""),
        ],
    );
    let parked = Goroutine {
        headerless: true,
        ..goroutine(
            0,
            "unknown",
            vec![
                frame("sync.runtime_Semacquire", "/go/src/runtime/sema.go", 71, ""),
                frame(
                    "sync.(*WaitGroup).Wait",
                    "/go/src/sync/waitgroup.go",
                    118,
                    "",
                ),
                frame("main.main", "/app/main.go", 30, ""),
            ],
        )
    };
    for g in [printed, parked] {
        let t = TextArtifact {
            goroutines: vec![g],
            ..TextArtifact::default()
        };
        assert!(findings_of(InputKind::GoroutineDump, &t).is_empty());
    }
}

#[test]
fn a_stack_alone_names_its_failure_and_a_parked_one_does_not() {
    // Frames pasted without a failure line: a send on a closed channel.
    let pasted = Goroutine {
        headerless: true,
        ..goroutine(
            0,
            "unknown",
            vec![
                frame("panic", "/go/src/runtime/panic.go", 787, ""),
                frame("runtime.chansend", "/go/src/runtime/chan.go", 206, ""),
                frame("runtime.chansend1", "/go/src/runtime/chan.go", 161, ""),
                frame("main.publish", "/app/main.go", 21, ""),
            ],
        )
    };
    let t = TextArtifact {
        goroutines: vec![pasted],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &t);
    assert_eq!(f[0].kind, FindingKind::SyncMisuse, "{:?}", kinds(&f));
    assert_eq!(f[0].location.as_ref().unwrap().line, 21);
    // The same program parked in a receive: nothing failed.
    let t = TextArtifact {
        goroutines: vec![goroutine(
            5,
            "chan receive",
            vec![frame("main.publish", "/app/main.go", 21, "")],
        )],
        ..TextArtifact::default()
    };
    assert!(findings_of(InputKind::GoroutineDump, &t).is_empty());
    // Alone in an excerpt, taking a lock: what a hang's reporter pastes.
    let t = TextArtifact {
        goroutines: vec![goroutine(
            5,
            "semacquire",
            vec![
                frame("sync.(*Mutex).Lock", "/go/src/sync/mutex.go", 81, ""),
                frame("main.publish", "/app/main.go", 21, ""),
            ],
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(f[0].kind, FindingKind::Deadlock, "{:?}", kinds(&f));
    assert_eq!(f[0].confidence, crate::finding::Confidence::Low);
    assert_eq!(f[0].location.as_ref().unwrap().line, 21);
}

#[test]
fn a_lock_held_for_minutes_fires_and_a_brief_wait_does_not() {
    let waiter = |minutes| Goroutine {
        wait_minutes: minutes,
        ..lock_waiter(9, "0xc000010000", "main.(*store).put", "0xc000010000")
    };
    let running = goroutine(
        1,
        "running",
        vec![frame("main.main", "/app/main.go", 9, "")],
    );
    let t = TextArtifact {
        goroutines: vec![running.clone(), waiter(Some(12))],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert!(
        f.iter()
            .any(|f| f.kind == FindingKind::Deadlock && f.title.contains("for a lock")),
        "{:?}",
        f.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
    let t = TextArtifact {
        goroutines: vec![running, waiter(None)],
        ..TextArtifact::default()
    };
    assert!(findings_of(InputKind::GoroutineDump, &t).is_empty());
}

mod profile_rules {
    use godiag_pprof::proto;
    use prost::Message;

    use crate::finding::FindingKind;
    use crate::profilerules::{analyze_profiles, ProfileInput};

    /// A profile whose every sample sits in one function at one line: the
    /// shape both profile rules are tested on.
    struct OneSite<'a> {
        strings: &'a [&'a str],
        /// (type, unit) string indexes per sample value.
        sample_types: &'a [(i64, i64)],
        values: Vec<i64>,
        /// (name, filename) string indexes.
        function: (i64, i64),
        line: i64,
        start_line: i64,
        period_type: (i64, i64),
        period: i64,
    }

    fn one_site(site: OneSite<'_>) -> proto::Profile {
        let vt = |(t, u): (i64, i64)| proto::ValueType { r#type: t, unit: u };
        let (name, filename) = site.function;
        proto::Profile {
            sample_type: site.sample_types.iter().copied().map(vt).collect(),
            sample: vec![proto::Sample {
                location_id: vec![1],
                value: site.values,
                label: Vec::new(),
            }],
            location: vec![proto::Location {
                id: 1,
                address: 0x401000,
                line: vec![proto::Line {
                    function_id: 1,
                    line: site.line,
                    column: 0,
                }],
                ..proto::Location::default()
            }],
            function: vec![proto::Function {
                id: 1,
                name,
                system_name: name,
                filename,
                start_line: site.start_line,
            }],
            string_table: site.strings.iter().map(|s| s.to_string()).collect(),
            period_type: Some(vt(site.period_type)),
            period: site.period,
            ..proto::Profile::default()
        }
    }

    /// What the profile rules find in `profiles`, given in this order.
    fn findings_of_profiles(profiles: &[godiag_pprof::Profile]) -> Vec<crate::Finding> {
        let inputs: Vec<ProfileInput<'_>> = profiles
            .iter()
            .enumerate()
            .map(|(index, profile)| ProfileInput { index, profile })
            .collect();
        analyze_profiles(&inputs)
    }

    /// The finding of `kind` that one profile gives, placed in `function`.
    fn found_at(p: &godiag_pprof::Profile, kind: FindingKind, function: &str) -> crate::Finding {
        let f = findings_of_profiles(std::slice::from_ref(p));
        let found = f.iter().find(|f| f.kind == kind).unwrap_or_else(|| {
            panic!(
                "no {kind:?}: {:?}",
                f.iter().map(|f| &f.title).collect::<Vec<_>>()
            )
        });
        assert_eq!(
            found.location.as_ref().map(|l| l.function.as_str()),
            Some(function),
            "{}",
            found.title
        );
        found.clone()
    }

    /// A CPU profile whose samples all land in `main.spin` (main.go:12):
    /// `seconds` of CPU in 10 ms samples.
    fn cpu_profile(seconds: f64) -> godiag_pprof::Profile {
        let n = (seconds * 100.0).round() as i64;
        let raw = proto::Profile {
            duration_nanos: 5_000_000_000,
            ..one_site(OneSite {
                strings: &[
                    "",
                    "samples",
                    "count",
                    "cpu",
                    "nanoseconds",
                    "main.spin",
                    "/app/main.go",
                ],
                sample_types: &[(1, 2), (3, 4)],
                values: vec![n, n * 10_000_000],
                function: (5, 6),
                line: 12,
                start_line: 10,
                period_type: (3, 4),
                period: 10_000_000,
            })
        };
        godiag_pprof::read(&raw.encode_to_vec()).unwrap()
    }

    /// A heap profile whose in-use bytes all sit at `main.cache` (main.go:30).
    fn heap_profile(inuse: i64, time_nanos: i64) -> godiag_pprof::Profile {
        godiag_pprof::read(&heap_proto(inuse, time_nanos).encode_to_vec()).unwrap()
    }

    fn heap_proto(inuse: i64, time_nanos: i64) -> proto::Profile {
        proto::Profile {
            time_nanos,
            ..one_site(OneSite {
                strings: &[
                    "",
                    "alloc_objects",
                    "count",
                    "alloc_space",
                    "bytes",
                    "inuse_objects",
                    "inuse_space",
                    "main.cache",
                    "/app/main.go",
                    "space",
                ],
                sample_types: &[(1, 2), (3, 4), (5, 2), (6, 4)],
                values: vec![inuse / 64, inuse, inuse / 64, inuse],
                function: (7, 8),
                line: 30,
                start_line: 28,
                period_type: (9, 4),
                period: 512 * 1024,
            })
        }
    }

    /// `/debug/pprof/allocs` beside `/debug/pprof/heap`: the same heap
    /// profile under `alloc_space` by default, the same moment again.
    #[test]
    fn an_allocs_profile_beside_a_heap_profile_is_no_other_snapshot() {
        let minute = 60_000_000_000;
        let allocs = proto::Profile {
            default_sample_type: 3,
            ..heap_proto(64 << 20, minute + 2_000_000_000)
        };
        let profiles = [
            heap_profile(8 << 20, 0),
            heap_profile(64 << 20, minute),
            godiag_pprof::read(&allocs.encode_to_vec()).unwrap(),
        ];
        let f = findings_of_profiles(&profiles);
        let leak = f.iter().find(|f| f.kind == FindingKind::HeapLeak);
        let title = leak.map(|f| f.title.as_str()).unwrap_or_default();
        assert!(title.contains("over 2 snapshots"), "{title}");
        assert!(leak.is_some_and(|f| f.evidence.iter().all(|e| e.input != 2)));
    }

    /// Goroutines of the standard library alone (an HTTP client's
    /// connection readers) grew: they are told by the function they started
    /// in, not by `runtime.gopark`, where every waiting stack parks.
    #[test]
    fn standard_library_goroutines_are_told_by_where_they_started() {
        let goroutines = |n: i64, time_nanos: i64| {
            let strings = [
                "",
                "goroutine",
                "count",
                "runtime.gopark",
                "/go/src/runtime/proc.go",
                "net/http.(*persistConn).readLoop",
                "/go/src/net/http/transport.go",
            ];
            let frame = |id: u64, function_id: u64, line: i64| proto::Location {
                id,
                address: 0x401000 + id,
                line: vec![proto::Line {
                    function_id,
                    line,
                    column: 0,
                }],
                ..proto::Location::default()
            };
            let raw = proto::Profile {
                sample_type: vec![proto::ValueType { r#type: 1, unit: 2 }],
                sample: vec![proto::Sample {
                    location_id: vec![1, 2],
                    value: vec![n],
                    label: Vec::new(),
                }],
                location: vec![frame(1, 1, 435), frame(2, 2, 2270)],
                function: vec![
                    proto::Function {
                        id: 1,
                        name: 3,
                        system_name: 3,
                        filename: 4,
                        start_line: 400,
                    },
                    proto::Function {
                        id: 2,
                        name: 5,
                        system_name: 5,
                        filename: 6,
                        start_line: 2200,
                    },
                ],
                string_table: strings.iter().map(|s| s.to_string()).collect(),
                period_type: Some(proto::ValueType { r#type: 1, unit: 2 }),
                period: 1,
                time_nanos,
                ..proto::Profile::default()
            };
            godiag_pprof::read(&raw.encode_to_vec()).unwrap()
        };
        let f = findings_of_profiles(&[goroutines(120, 0), goroutines(420, 60_000_000_000)]);
        let leak = f
            .iter()
            .find(|f| f.kind == FindingKind::GoroutineLeak)
            .expect("the growth");
        assert_eq!(
            leak.location.as_ref().map(|l| l.function.as_str()),
            Some("net/http.(*persistConn).readLoop"),
            "{}",
            leak.title
        );
    }

    /// A block profile taken with tracing on holds the trace advancer's
    /// waits (runtime frames only): they are no part of the program's delay.
    #[test]
    fn runtime_goroutines_waits_are_left_out_of_the_block_profile() {
        let strings = [
            "",
            "contentions",
            "count",
            "delay",
            "nanoseconds",
            "sync.(*Mutex).Lock",
            "/go/src/sync/mutex.go",
            "main.hot",
            "/app/main.go",
            "runtime.chanrecv1",
            "/go/src/runtime/chan.go",
            "runtime.(*wakeableSleep).sleep",
            "/go/src/runtime/trace.go",
            "main.main",
        ];
        let function = |id: u64, name: i64, filename: i64| proto::Function {
            id,
            name,
            system_name: name,
            filename,
            start_line: 1,
        };
        let location = |id: u64, function_id: u64, line: i64| proto::Location {
            id,
            address: 0x401000 + id,
            line: vec![proto::Line {
                function_id,
                line,
                column: 0,
            }],
            ..proto::Location::default()
        };
        let sample = |location_id: Vec<u64>, seconds: i64| proto::Sample {
            location_id,
            value: vec![10, seconds * 1_000_000_000],
            label: Vec::new(),
        };
        let vt = |t, u| proto::ValueType { r#type: t, unit: u };
        let raw = proto::Profile {
            sample_type: vec![vt(1, 2), vt(3, 4)],
            sample: vec![
                sample(vec![1, 2], 23),
                sample(vec![3, 4], 16),
                sample(vec![5], 8),
            ],
            location: vec![
                location(1, 1, 46),
                location(2, 2, 18),
                location(3, 3, 506),
                location(4, 4, 1023),
                location(5, 5, 30),
            ],
            function: vec![
                function(1, 5, 6),
                function(2, 7, 8),
                function(3, 9, 10),
                function(4, 11, 12),
                function(5, 13, 8),
            ],
            string_table: strings.iter().map(|s| s.to_string()).collect(),
            period_type: Some(vt(1, 2)),
            period: 1,
            ..proto::Profile::default()
        };
        let p = godiag_pprof::read(&raw.encode_to_vec()).unwrap();
        let lock = found_at(&p, FindingKind::LockContention, "main.hot");
        // 23 s of the program's 31 s, not of 47 s.
        assert!(lock.title.contains("74%"), "{}", lock.title);
    }

    #[test]
    fn heap_leak_fires_on_steady_growth_and_not_on_a_shrinking_heap() {
        let minute = 60_000_000_000;
        let grow = [heap_profile(8 << 20, 0), heap_profile(64 << 20, minute)];
        let f = findings_of_profiles(&grow);
        let leak = f.iter().find(|f| f.kind == FindingKind::HeapLeak);
        assert_eq!(
            leak.and_then(|f| f.location.as_ref()).map(|l| l.line),
            Some(30),
            "{:?}",
            f.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
        let shrink = [heap_profile(64 << 20, 0), heap_profile(8 << 20, minute)];
        assert!(findings_of_profiles(&shrink)
            .iter()
            .all(|f| !(f.kind == FindingKind::HeapLeak && f.title.contains("grew"))));
    }

    #[test]
    fn cpu_hotspot_fires_on_seconds_of_samples_and_not_on_a_tenth() {
        let p = cpu_profile(2.0);
        found_at(&p, FindingKind::CpuHotspot, "main.spin");
        let p = cpu_profile(0.09);
        let f = analyze_profiles(&[ProfileInput {
            index: 0,
            profile: &p,
        }]);
        assert!(f.iter().all(|f| f.kind != FindingKind::CpuHotspot));
    }
}

fn timed_out<'a>(goroutines: Vec<Goroutine<'a>>) -> TextArtifact<'a> {
    TextArtifact {
        crash: Crash {
            panics: vec![PanicEntry {
                value: Cow::Borrowed("test timed out after 10m0s"),
                recovered: false,
                repanicked: false,
                logged: false,
                value_unread: false,
                offset: 0,
            }],
            ..Crash::default()
        },
        goroutines,
        ..TextArtifact::default()
    }
}

/// `go test`'s alarm locates the hung test, not the harness waiting for
/// it; with only the harness in the input, the hang has no location.
#[test]
fn test_timeout_locates_the_hung_test_and_not_the_harness() {
    let alarm = goroutine(
        243,
        "running",
        vec![frame(
            "testing.(*M).startAlarm.func1",
            "/go/src/testing/testing.go",
            2029,
            "",
        )],
    );
    let mut harness = goroutine(
        1,
        "chan receive",
        vec![
            frame("testing.(*T).Run", "/go/src/testing/testing.go", 1487, ""),
            frame("testing.runTests", "/go/src/testing/testing.go", 1837, ""),
            frame("testing.(*M).Run", "/go/src/testing/testing.go", 1719, ""),
            frame(
                "example.com/feeds.TestMain",
                "/src/feeds/main_test.go",
                12,
                "",
            ),
        ],
    );
    harness.wait_minutes = Some(9);
    let t = timed_out(vec![alarm.clone(), harness.clone()]);
    let f = findings_of(InputKind::CrashText, &t);
    assert_eq!(kinds(&f), [FindingKind::Deadlock]);
    assert_eq!(f[0].confidence, crate::finding::Confidence::Low);
    assert!(f[0]
        .title
        .contains("no goroutine of the hung test is in the input"));
    assert!(f[0].location.is_none(), "not the harness's TestMain");

    let hung = goroutine(
        123,
        "chan receive",
        vec![
            frame(
                "example.com/feeds.TestDownload.func1",
                "/src/feeds/dl_test.go",
                31,
                "",
            ),
            frame("testing.tRunner", "/go/src/testing/testing.go", 1439, ""),
        ],
    );
    let mut paused = goroutine(
        7,
        "chan receive",
        vec![
            frame(
                "testing.(*testContext).waitParallel",
                "/go/src/testing/testing.go",
                1818,
                "",
            ),
            frame(
                "testing.(*T).Parallel",
                "/go/src/testing/testing.go",
                1485,
                "",
            ),
            frame(
                "example.com/feeds.TestFast",
                "/src/feeds/fast_test.go",
                9,
                "",
            ),
        ],
    );
    paused.wait_minutes = Some(10);
    let mut background = goroutine(
        30,
        "select",
        vec![frame(
            "example.com/feeds.(*Pool).reap",
            "/src/feeds/pool.go",
            40,
            "",
        )],
    );
    background.wait_minutes = Some(10);
    let mut t = timed_out(vec![alarm, harness, paused, background, hung]);
    t.crash.running_tests = vec!["TestDownload".into()];
    let f = findings_of(InputKind::CrashText, &t);
    assert_eq!(kinds(&f), [FindingKind::Deadlock]);
    assert_eq!(f[0].confidence, crate::finding::Confidence::Medium);
    // The listed test's goroutine, not a paused parallel test nor a
    // background goroutine that waited longer.
    let loc = f[0].location.as_ref().expect("the hung test");
    assert_eq!(loc.function, "example.com/feeds.TestDownload.func1");
    assert!(
        f[0].title.contains("(running TestDownload)"),
        "{}",
        f[0].title
    );
}

/// Frames pasted alone that are one recursion to the end of the paste
/// (golang/go#34251: `String` printing its own receiver) are an excerpt of
/// a stack overflow; the same recursion returning to its caller is not,
/// nor one through the standard library alone.
#[test]
fn a_paste_that_is_one_recursion_is_a_likely_stack_overflow() {
    let cycle = |n: usize, tail: Option<Frame<'static>>, program: bool| {
        let names = [
            "fmt.Fprintln",
            "fmt.Println",
            if program {
                "main.bitch.String"
            } else {
                "fmt.(*pp).catchPanic"
            },
            "fmt.(*pp).handleMethods",
            "fmt.(*pp).printArg",
            "fmt.(*pp).doPrintln",
        ];
        let mut frames: Vec<Frame<'static>> = (0..n)
            .map(|i| {
                frame(
                    names[i % names.len()],
                    "/src/x.go",
                    10 + (i % names.len()) as u32,
                    "",
                )
            })
            .collect();
        frames.extend(tail);
        let pasted = Goroutine {
            headerless: true,
            ..goroutine(0, "unknown", frames)
        };
        TextArtifact {
            goroutines: vec![pasted],
            ..TextArtifact::default()
        }
    };
    let f = findings_of(InputKind::GoroutineDump, &cycle(10, None, true));
    assert_eq!(kinds(&f), [FindingKind::StackOverflow]);
    assert_eq!(f[0].confidence, Confidence::Low);
    assert_eq!(place(&f[0]), Some("main.bitch.String"));
    let caller = frame("main.main", "/src/main.go", 5, "");
    let f = findings_of(InputKind::GoroutineDump, &cycle(12, Some(caller), true));
    assert!(!kinds(&f).contains(&FindingKind::StackOverflow));
    let f = findings_of(InputKind::GoroutineDump, &cycle(10, None, false));
    assert!(!kinds(&f).contains(&FindingKind::StackOverflow));
    // One cycle seen whole and two frames of the next: too little.
    let f = findings_of(InputKind::GoroutineDump, &cycle(8, None, true));
    assert!(!kinds(&f).contains(&FindingKind::StackOverflow));
    // A truncated paste of a recursion whose top frame was called on nil:
    // the nil receiver is the evidence; and seven frames of one line are
    // too few to call an overflow.
    let walk = |recv: &'static str| frame("main.(*node).sum", "/src/tree.go", 17, recv);
    let mut frames = vec![frame("main.(*node).sum", "/src/tree.go", 14, "0x0")];
    frames.extend((0..6).map(|_| walk("0xc00000e030")));
    let pasted = Goroutine {
        headerless: true,
        ..goroutine(0, "unknown", frames)
    };
    let t = TextArtifact {
        goroutines: vec![pasted],
        ..TextArtifact::default()
    };
    assert_eq!(
        kinds(&findings_of(InputKind::GoroutineDump, &t)),
        [FindingKind::NilDereference]
    );
    // The same deep recursion running in a dump of two goroutines.
    let mut deep = vec![frame("main.(*node).sum", "/src/tree.go", 14, "0x0")];
    deep.extend((0..10).map(|_| walk("0xc00000e030")));
    let t = TextArtifact {
        goroutines: vec![
            goroutine(1, "running", deep),
            goroutine(
                2,
                "chan receive",
                vec![frame("main.main", "/src/main.go", 9, "")],
            ),
        ],
        ..TextArtifact::default()
    };
    assert_eq!(
        kinds(&findings_of(InputKind::GoroutineDump, &t)),
        [FindingKind::NilDereference]
    );
    // A method that takes a nil receiver, recursing through fmt on nil:
    // the overflow, not a nil dereference.
    let stringer = |line| frame("main.(*T).String", "/src/t.go", line, "0x0");
    let fmt = || frame("fmt.Sprint", "/go/src/fmt/print.go", 251, "");
    let frames: Vec<Frame<'static>> = (0..12).flat_map(|_| [stringer(7), fmt()]).collect();
    let t = TextArtifact {
        goroutines: vec![goroutine(1, "running", frames)],
        ..TextArtifact::default()
    };
    assert_eq!(
        kinds(&findings_of(InputKind::GoroutineDump, &t)),
        [FindingKind::StackOverflow]
    );
}

/// A goroutine excerpt whose top frames are a logger's Panic method, its
/// message not pasted (jaegertracing/jaeger#1531: zap's `Logger.Panic`).
#[test]
fn logger_panic_without_its_message() {
    let g = goroutine(
        13,
        "running",
        vec![
            frame(
                "go.uber.org/zap/zapcore.(*CheckedEntry).Write",
                "/src/zapcore/entry.go",
                229,
                "",
            ),
            frame(
                "go.uber.org/zap.(*Logger).Panic",
                "/src/zap/logger.go",
                225,
                "",
            ),
            frame("example.com/app.watch.func1", "/src/app/watch.go", 71, ""),
        ],
    );
    let t = TextArtifact {
        goroutines: vec![g],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(kinds(&f), [FindingKind::UserPanic]);
    // The program's call, below the logger's frames.
    let loc = f[0].location.as_ref().expect("a location");
    assert_eq!(loc.function, "example.com/app.watch.func1");
    // `Panic` as a plain function name of the runtime is not a logger's.
    assert!(!crate::frames::is_logger_panic("runtime.Panic"));
}

/// The runtime's own abort during a cgo call (SIGTRAP after `fatal:
/// morestack on g0`, therecipe/qt#399) is what the message says; a fault
/// in C code (SIGSEGV during cgo) stays a cgo crash.
#[test]
fn runtime_abort_during_cgo_is_the_message_not_c_code() {
    let crash = |message: &'static str, signal: &'static str| TextArtifact {
        crash: Crash {
            fatal_error: Some(Cow::Borrowed(message)),
            fatal_signal: Some(FatalSignal {
                name: signal,
                description: "",
                pc: Some(0x4079c02),
                m: Some(0),
                sigcode: Some(1),
                addr: None,
                during_cgo: true,
                offset: 0,
            }),
            ..Crash::default()
        },
        goroutines: vec![goroutine(
            1,
            "running",
            vec![frame(
                "runtime.morestack",
                "/go/src/runtime/asm_amd64.s",
                368,
                "",
            )],
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &crash("morestack on g0", "SIGTRAP"));
    assert_eq!(kinds(&f), [FindingKind::StackOverflow]);
    let f = findings_of(
        InputKind::CrashText,
        &crash("unexpected signal during runtime execution", "SIGSEGV"),
    );
    assert_eq!(kinds(&f), [FindingKind::CgoCrash]);
}

/// Before Go 1.16, 32-bit ARM's 64-bit atomics faulted on purpose on an
/// unaligned address (iikira/BaiduPCS-Go#61): the misuse, not a nil
/// pointer; the same fault in the program's own code stays one.
#[test]
fn unaligned_atomic_fault_on_arm_is_sync_misuse() {
    let crash = |file: &'static str| TextArtifact {
        crash: Crash {
            panics: vec![nil_deref_panic()],
            signal: Some(SignalInfo {
                name: "SIGSEGV",
                description: "segmentation violation",
                code: 1,
                addr: 4,
                pc: 0x127bc,
                offset: 60,
            }),
            ..Crash::default()
        },
        goroutines: vec![goroutine(
            117,
            "running",
            vec![
                frame("sync/atomic.addUint64", file, 31, "0x1133ccf4, 0x2e8, 0x0"),
                frame(
                    "example.com/dl.(*Downloader).downloadBlock",
                    "/src/dl/block.go",
                    236,
                    "",
                ),
            ],
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(
        InputKind::CrashText,
        &crash("/usr/local/go/src/sync/atomic/64bit_arm.go"),
    );
    assert_eq!(kinds(&f), [FindingKind::SyncMisuse]);
    assert_eq!(f[0].title, "unaligned 64-bit atomic operation");
    let loc = f[0].location.as_ref().expect("the atomic call");
    assert_eq!(loc.function, "example.com/dl.(*Downloader).downloadBlock");
    let f = findings_of(InputKind::CrashText, &crash("/src/dl/atomic.go"));
    assert_eq!(kinds(&f), [FindingKind::NilDereference]);
}

/// The runtime's own 64-bit atomics on arm write to address 0 when the
/// address is unaligned (tailscale/tailscale#529: `goLoad64(0x27da00c,
/// ...)` in `atomic_arm.go`): the misuse. An aligned or nil address
/// printed as the first argument faults at 0 for being nil: a nil pointer.
#[test]
fn runtime_atomic_on_arm_tells_unaligned_from_nil() {
    let crash = |args: &'static str| TextArtifact {
        crash: Crash {
            panics: vec![nil_deref_panic()],
            signal: Some(SignalInfo {
                name: "SIGSEGV",
                description: "segmentation violation",
                code: 1,
                addr: 0,
                pc: 0x11ce8,
                offset: 60,
            }),
            ..Crash::default()
        },
        goroutines: vec![goroutine(
            59,
            "running",
            vec![
                frame(
                    "runtime/internal/atomic.goLoad64",
                    "/go/src/runtime/internal/atomic/atomic_arm.go",
                    131,
                    args,
                ),
                frame(
                    "tailscale.com/wgengine/tstun.(*TUN).IdleDuration",
                    "/src/wgengine/tstun/tun.go",
                    250,
                    "0x27da000, 0x1, 0x2517201",
                ),
            ],
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &crash("0x27da00c, 0x1, 0x1"));
    assert_eq!(kinds(&f), [FindingKind::SyncMisuse]);
    assert_eq!(
        place(&f[0]),
        Some("tailscale.com/wgengine/tstun.(*TUN).IdleDuration")
    );
    // An aligned or nil address, or one not printed (or not saved): no
    // evidence of misalignment.
    for args in [
        "0x0, 0x1, 0x1",
        "0x27da008, 0x1, 0x1",
        "...",
        "0x27da00c?, 0x1?",
    ] {
        let f = findings_of(InputKind::CrashText, &crash(args));
        assert_eq!(kinds(&f), [FindingKind::NilDereference], "{args}");
    }
    use crate::frames::is_unaligned_atomic_fault as unaligned;
    // From Go 1.16 the atomics panic with their own message instead; the
    // 1.23 package path never faults on purpose.
    let later = frame(
        "internal/runtime/atomic.goLoad64",
        "/go/src/internal/runtime/atomic/atomic_arm.go",
        131,
        "0x27da00c, 0x1",
    );
    assert!(!unaligned(&later));
    let mips = frame(
        "runtime/internal/atomic.lockAndCheck",
        "/go/src/runtime/internal/atomic/atomic_mipsx.go",
        27,
        "0x27da00c",
    );
    assert!(unaligned(&mips));
    // The runtime's own on 386 (centrifugal/centrifuge-go#46:
    // `runtime/internal/atomic.Xadd64(0x13f70614, 0x1, ...)` at
    // `runtime/internal/atomic/asm_386.s:105` under `[signal 0xc0000005
    // code=0x0 addr=0x0 ...]`).
    let x86 = frame(
        "runtime/internal/atomic.Xadd64",
        "runtime/internal/atomic/asm_386.s",
        105,
        "0x13f70614, 0x1, 0x0, 0xbc9440, 0x0",
    );
    assert!(unaligned(&x86));
    // A field of a nil struct: the offset, not an address.
    let offset = frame(
        "sync/atomic.AddUint64",
        "/go/src/sync/atomic/asm_386.s",
        112,
        "0x4, 0x1, 0x0",
    );
    assert!(!unaligned(&offset));
    let nil_sync = frame(
        "sync/atomic.addUint64",
        "/go/src/sync/atomic/64bit_arm.go",
        31,
        "0x0, 0x1, 0x0",
    );
    assert!(!unaligned(&nil_sync));
}

/// A Windows access violation while the failing goroutine is in a DLL
/// call (`syscall.Syscall` of `runtime/syscall_windows.go`), pasted without
/// `signal arrived during external code execution` (lxn/walk#666): a crash
/// in C code, located at the Go function that made the call. The same
/// goroutine after a SIGQUIT is no crash of C code.
#[test]
fn windows_exception_in_a_dll_call_is_a_cgo_crash() {
    let crash = |name: &'static str| TextArtifact {
        crash: Crash {
            fatal_signal: Some(FatalSignal {
                name,
                description: "",
                pc: Some(0x7767d196),
                m: None,
                sigcode: None,
                addr: Some(0xc8),
                during_cgo: false,
                offset: 0,
            }),
            ..Crash::default()
        },
        goroutines: vec![goroutine(
            1,
            "running",
            vec![
                frame(
                    "syscall.Syscall",
                    "C:/Go/src/runtime/syscall_windows.go",
                    188,
                    "0x7fee90fd1d0, 0x1, 0x1460950, 0x0",
                ),
                frame(
                    "github.com/lxn/win.(*IWebBrowser2).Refresh",
                    "C:/src/lxn/win/webbrowser.go",
                    90,
                    "",
                ),
            ],
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &crash("EXCEPTION_ACCESS_VIOLATION"));
    assert_eq!(kinds(&f), [FindingKind::CgoCrash]);
    assert_eq!(
        place(&f[0]),
        Some("github.com/lxn/win.(*IWebBrowser2).Refresh")
    );
    let f = findings_of(InputKind::CrashText, &crash("SIGQUIT"));
    assert!(
        !kinds(&f).contains(&FindingKind::CgoCrash),
        "{:?}",
        kinds(&f)
    );
}

/// A 32-bit platform's 64-bit atomic crashing on purpose on an unaligned
/// address, pasted without its message (golang/groupcache#66, linux/386,
/// `asm_386.s`): the misuse, located at the program's atomic call.
#[test]
fn unaligned_atomic_on_386_from_its_frames() {
    let pasted = Goroutine {
        headerless: true,
        ..goroutine(
            0,
            "unknown",
            vec![
                frame(
                    "panic",
                    "/usr/local/go/src/runtime/panic.go",
                    443,
                    "0x8406140, 0x1880a038",
                ),
                frame(
                    "sync/atomic.AddUint64",
                    "/usr/local/go/src/sync/atomic/asm_386.s",
                    112,
                    "0x1880c7ac, 0x1, 0x0, 0x80554be, 0x188b4360",
                ),
                frame(
                    "github.com/golang/groupcache.(*AtomicInt).Add",
                    ".../github.com/golang/groupcache/groupcache.go",
                    470,
                    "0x1880c7ac, 0x1, 0x0",
                ),
            ],
        )
    };
    let t = TextArtifact {
        goroutines: vec![pasted],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(kinds(&f), [FindingKind::SyncMisuse]);
    assert_eq!(
        place(&f[0]),
        Some("github.com/golang/groupcache.(*AtomicInt).Add")
    );
}

/// Throws the catalog does not know, from inside the runtime: `fatal
/// error: entersyscall` (golang/go#7684, netbsd), and a fault in runtime
/// code whose stack the traceback could not walk (golang/go#46182,
/// `runtime: unexpected return pc`): the runtime's state, not the program.
#[test]
fn uncatalogued_throws_and_faults_inside_the_runtime() {
    let entersyscall = TextArtifact {
        crash: Crash {
            fatal_error: Some(Cow::Borrowed("entersyscall")),
            ..Crash::default()
        },
        goroutines: vec![goroutine(
            25,
            "running",
            vec![
                frame(
                    "runtime.throw",
                    "/go/src/pkg/runtime/panic.c",
                    520,
                    "0x660415",
                ),
                frame(
                    "runtime.entersyscall",
                    "/go/src/pkg/runtime/proc.c",
                    1493,
                    "",
                ),
                frame(
                    "syscall.Syscall",
                    "/go/src/pkg/syscall/asm_netbsd_amd64.s",
                    17,
                    "",
                ),
                frame("os.TestKill", "/go/src/pkg/os/os_test.go", 900, ""),
            ],
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &entersyscall);
    assert_eq!(f[0].kind, FindingKind::RuntimeInternalError);
    let fault = TextArtifact {
        crash: Crash {
            fatal_error: Some(Cow::Borrowed("fault")),
            fault_address: Some(0x100198),
            signal: Some(SignalInfo {
                name: "SIGSEGV",
                description: "segmentation violation",
                code: 1,
                addr: 0x100198,
                pc: 0x41020a,
                offset: 60,
            }),
            runtime_messages: vec![
                "runtime: unexpected return pc for runtime.recordForPanic called from 0x2",
            ],
            ..Crash::default()
        },
        goroutines: vec![goroutine(
            391,
            "running",
            vec![
                frame("runtime.throw", "/go/src/runtime/panic.go", 1198, ""),
                frame(
                    "runtime.sigpanic",
                    "/go/src/runtime/signal_unix.go",
                    742,
                    "",
                ),
                frame("runtime.recordForPanic", "/go/src/runtime/print.go", 54, ""),
            ],
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &fault);
    assert_eq!(f[0].kind, FindingKind::RuntimeInternalError);
    // The throw alone, from a journal (coreos/bugs#1909): no frame of the
    // program to blame, and the catalog lists every misuse's message.
    let journal = TextArtifact {
        crash: Crash {
            fatal_error: Some(Cow::Borrowed("acquirep: invalid p state")),
            ..Crash::default()
        },
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &journal);
    assert_eq!(kinds(&f), [FindingKind::UnknownFailure]);
    // With the runtime's own lines beside it (the journal's `runtime:
    // nonempty check fails`), it is the runtime's.
    let journal = TextArtifact {
        crash: Crash {
            runtime_messages: vec!["runtime: nonempty check fails b.log[0]= 0 b.log[1]= 0"],
            ..journal.crash
        },
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &journal);
    assert_eq!(kinds(&f), [FindingKind::RuntimeInternalError]);
    // Under a program's own call of the runtime's throw, it stays unknown.
    let linknamed = TextArtifact {
        crash: Crash {
            fatal_error: Some(Cow::Borrowed("bad state")),
            ..Crash::default()
        },
        goroutines: vec![goroutine(
            1,
            "running",
            vec![
                frame("runtime.throw", "/go/src/runtime/panic.go", 1198, ""),
                frame("main.check", "/app/main.go", 12, ""),
            ],
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &linknamed);
    assert_eq!(f[0].kind, FindingKind::UnknownFailure);
}

/// A test's goroutine in the testing package's `logDepth`, its panic line
/// not pasted (openbao/openbao#702): logging after the test completed.
#[test]
fn late_test_log_without_its_message() {
    let g = goroutine(
        539,
        "running",
        vec![
            frame(
                "testing.(*common).logDepth",
                "/go/src/testing/testing.go",
                1029,
                "",
            ),
            frame(
                "testing.(*common).log",
                "/go/src/testing/testing.go",
                1011,
                "",
            ),
            frame(
                "testing.(*common).Logf",
                "/go/src/testing/testing.go",
                1062,
                "",
            ),
            frame(
                "example.com/kv.testWriters.func2",
                "/src/kv/testing.go",
                927,
                "",
            ),
        ],
    );
    let t = TextArtifact {
        goroutines: vec![g],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(kinds(&f), [FindingKind::UserPanic]);
    let loc = f[0].location.as_ref().expect("the test's goroutine");
    assert_eq!(loc.function, "example.com/kv.testWriters.func2");
}

/// A goroutine parked on a nil channel can never run again
/// (jbenet/goprocess#10): a leak, however few and however briefly seen.
#[test]
fn nil_channel_wait_is_a_leak() {
    let g = goroutine(
        22,
        "chan receive (nil chan)",
        vec![frame(
            "example.com/proc/context.func1",
            "/src/proc/context.go",
            31,
            "",
        )],
    );
    let t = TextArtifact {
        goroutines: vec![g],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(kinds(&f), [FindingKind::GoroutineLeak]);
    assert_eq!(f[0].confidence, crate::finding::Confidence::High);
    let t = TextArtifact {
        goroutines: vec![goroutine(
            22,
            "chan receive",
            vec![frame(
                "example.com/proc/context.func1",
                "/src/proc/context.go",
                31,
                "",
            )],
        )],
        ..TextArtifact::default()
    };
    assert!(findings_of(InputKind::GoroutineDump, &t).is_empty());
}

/// The main goroutine parked for good: on a nil channel the program hangs
/// there (with `GOTRACEBACK=system` the runtime's frames below `main.main`
/// are shown), while in `select {}` it is a server idling on purpose, which
/// hides no worker leaked on a nil channel beside it.
#[test]
fn main_parked_forever_hangs_unless_it_idles_in_an_empty_select() {
    let main_in = |status| {
        goroutine(
            1,
            status,
            vec![
                frame("main.main", "/app/main.go", 12, ""),
                frame("runtime.main", "/go/src/runtime/proc.go", 283, ""),
                frame("runtime.goexit", "/go/src/runtime/asm_amd64.s", 1700, "{}"),
            ],
        )
    };
    let t = TextArtifact {
        goroutines: vec![main_in("chan receive (nil chan)")],
        ..TextArtifact::default()
    };
    // (The every-goroutine-waits rule sees the same hang; the pipeline
    // merges the two.)
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert!(f.iter().all(|f| f.kind == FindingKind::Deadlock));
    assert!(f.iter().any(|f| f.title.contains("the main goroutine")));
    // A server: main idles, the listener waits for connections.
    let listener = goroutine(
        7,
        "IO wait",
        vec![
            frame(
                "internal/poll.runtime_pollWait",
                "/go/src/runtime/netpoll.go",
                351,
                "",
            ),
            frame(
                "net/http.(*Server).Serve",
                "/go/src/net/http/server.go",
                3360,
                "",
            ),
            frame("main.main.func1", "/app/main.go", 9, ""),
        ],
    );
    let t = TextArtifact {
        goroutines: vec![main_in("select (no cases)"), listener.clone()],
        ..TextArtifact::default()
    };
    assert!(findings_of(InputKind::GoroutineDump, &t).is_empty());
    let worker = goroutine(
        9,
        "chan send (nil chan)",
        vec![frame(
            "example.com/svc.(*pool).put",
            "/src/svc/pool.go",
            40,
            "",
        )],
    );
    let t = TextArtifact {
        goroutines: vec![main_in("select (no cases)"), listener, worker],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(kinds(&f), [FindingKind::GoroutineLeak]);
    assert_eq!(place(&f[0]), Some("example.com/svc.(*pool).put"));
    // Main idles and the workers wait in a select that may hold a ticker's
    // channel: a server between ticks, not a deadlock.
    let ticking = goroutine(
        11,
        "select",
        vec![frame("example.com/svc.idle", "/src/svc/idle.go", 15, "")],
    );
    let t = TextArtifact {
        goroutines: vec![main_in("select (no cases)"), ticking],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert!(f.iter().all(|f| f.kind != FindingKind::Deadlock), "{f:?}");
}

/// One goroutine of an excerpt parked on a channel for minutes, whose only
/// frame of the program is its own function: a worker the program started
/// and never let go (a leak), but one a test started while it still runs
/// is what the test waits for (FootprintAI/Containarium#1796, 9 minutes
/// under a 10-minute timeout): a hang.
#[test]
fn a_parked_worker_is_a_leak_unless_a_test_started_it() {
    let worker = |creator| {
        Goroutine {
        wait_minutes: Some(9),
        created_by: Some(frame(creator, "internal/sandbox/pool/pool_test.go", 215, "")),
        ..goroutine(
            233,
            "chan send",
            vec![frame(
                "github.com/footprintai/containarium/internal/sandbox/pool.TestClaimDuringReconcile_NoTornState.func2",
                "internal/sandbox/pool/pool_test.go",
                223,
                "",
            )],
        )
    }
    };
    let t = TextArtifact {
        goroutines: vec![worker(
            "github.com/footprintai/containarium/internal/sandbox/pool.TestClaimDuringReconcile_NoTornState",
        )],
        ..TextArtifact::default()
    };
    assert_eq!(
        kinds(&findings_of(InputKind::GoroutineDump, &t)),
        [FindingKind::Deadlock]
    );
    let t = TextArtifact {
        goroutines: vec![worker(
            "github.com/footprintai/containarium/internal/sandbox/pool.(*Pool).Start",
        )],
        ..TextArtifact::default()
    };
    assert_eq!(
        kinds(&findings_of(InputKind::GoroutineDump, &t)),
        [FindingKind::GoroutineLeak]
    );
}

/// A test's own goroutine parked on a nil channel: the test hangs there,
/// a deadlock rather than a leak (Unleash/unleash-go-sdk#48, a send on a
/// channel `Close` never made).
#[test]
fn nil_channel_wait_of_a_test_is_a_deadlock() {
    let g = goroutine(
        20,
        "chan send (nil chan)",
        vec![
            frame(
                "github.com/Unleash/unleash-client-go/v3.(*repository).Close",
                "/home/frekui/code/unleash-client-go/repository.go",
                124,
                "...",
            ),
            frame(
                "github.com/Unleash/unleash-client-go/v3.(*Client).Close",
                "/home/frekui/code/unleash-client-go/client.go",
                264,
                "0xc0001412c0, 0xc00001c800, 0x1b",
            ),
            frame(
                "testing.tRunner",
                "/usr/local/go/src/testing/testing.go",
                865,
                "0xc0000e4900, 0xc000138fa0",
            ),
        ],
    );
    let t = TextArtifact {
        goroutines: vec![g],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(kinds(&f), [FindingKind::Deadlock]);
    assert!(f[0].title.contains("a test's goroutine"), "{}", f[0].title);
    let loc = f[0].location.as_ref().expect("where it waits");
    assert_eq!(
        loc.function,
        "github.com/Unleash/unleash-client-go/v3.(*repository).Close"
    );
}

/// A `[running]` goroutine pasted alone whose stack starts at a pointer
/// method called on a nil receiver (pingcap/tiup#538): the fault's frame.
/// An unsaved receiver (`0x0?`) says nothing.
#[test]
fn lone_stack_starting_at_a_nil_receiver() {
    let pasted = |receiver: &'static str| TextArtifact {
        goroutines: vec![goroutine(
            332,
            "running",
            vec![
                frame(
                    "github.com/pingcap/tiup/components/playground/instance.(*Process).Wait",
                    "github.com/pingcap/tiup@/components/playground/instance/process.go",
                    30,
                    receiver,
                ),
                frame(
                    "main.(*Playground).bootCluster.func7.1",
                    "github.com/pingcap/tiup@/components/playground/playground.go",
                    927,
                    "0xc000483f68, 0x0",
                ),
            ],
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &pasted("0x0, 0x0, 0x0"));
    assert_eq!(kinds(&f), [FindingKind::NilDereference]);
    assert_eq!(f[0].confidence, Confidence::Low);
    assert_eq!(
        f[0].location
            .as_ref()
            .map(|l| (l.function.as_str(), l.line)),
        Some((
            "github.com/pingcap/tiup/components/playground/instance.(*Process).Wait",
            30
        ))
    );
    let f = findings_of(InputKind::GoroutineDump, &pasted("0x0?, 0x0?"));
    assert_eq!(kinds(&f), [FindingKind::UnknownFailure]);
    // A closure inside a method takes no receiver: its 0x0 is any nil value.
    let mut closure = pasted("0x0, 0xc000010000");
    closure.goroutines[0].frames[0].function =
        "github.com/pingcap/tiup/components/playground/instance.(*Process).Wait.func1";
    let f = findings_of(InputKind::GoroutineDump, &closure);
    assert_eq!(kinds(&f), [FindingKind::UnknownFailure]);
}

/// Only the runtime's stack of a throw in its stack growth was pasted
/// (letsfire/factory#7): `runtime.throw(0x16bbd89, 0xe)`, 14 bytes,
/// `stack overflow`. Another throw there is not one.
#[test]
fn runtime_stack_of_a_stack_growth_throw() {
    let pasted = |args: &'static str| TextArtifact {
        crash: Crash {
            runtime_stack: vec![
                frame(
                    "runtime.throw",
                    "/root/.gvm/gos/go1.13/src/runtime/panic.go",
                    774,
                    args,
                ),
                frame(
                    "runtime.newstack",
                    "/root/.gvm/gos/go1.13/src/runtime/stack.go",
                    1046,
                    "",
                ),
                frame(
                    "runtime.morestack",
                    "/root/.gvm/gos/go1.13/src/runtime/asm_amd64.s",
                    449,
                    "",
                ),
            ],
            ..Crash::default()
        },
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &pasted("0x16bbd89, 0xe"));
    assert_eq!(kinds(&f), [FindingKind::StackOverflow]);
    assert!(f[0].location.is_none());
    let f = findings_of(InputKind::CrashText, &pasted("{0x16bbd89?, 0xe?}"));
    assert_eq!(kinds(&f), [FindingKind::StackOverflow]);
    // `missing stack in newstack` (25 bytes).
    let f = findings_of(InputKind::CrashText, &pasted("0x16bbd89, 0x19"));
    assert!(f.iter().all(|f| f.kind != FindingKind::StackOverflow));
}

/// `panic: foo` raised through zap's `SugaredLogger.Panicw`
/// (uber-go/zap#1170): the place is the program's call below the logger,
/// none when the paste stops at the logger.
#[test]
fn panic_through_a_logger_is_located_below_it() {
    let zap = "/go/pkg/mod/go.uber.org/zap@v1.23.0";
    let pasted = |caller: Option<Frame<'static>>| TextArtifact {
        crash: Crash {
            panics: vec![PanicEntry {
                value: Cow::Borrowed("foo"),
                ..nil_deref_panic()
            }],
            ..Crash::default()
        },
        goroutines: vec![goroutine(
            520,
            "running",
            [
                frame(
                    "go.uber.org/zap/zapcore.CheckWriteAction.OnWrite",
                    zap,
                    198,
                    "",
                ),
                frame(
                    "go.uber.org/zap/zapcore.(*CheckedEntry).Write",
                    zap,
                    264,
                    "",
                ),
                frame("go.uber.org/zap.(*SugaredLogger).log", zap, 287, ""),
                frame("go.uber.org/zap.(*SugaredLogger).Panicw", zap, 227, ""),
            ]
            .into_iter()
            .chain(caller)
            .collect(),
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &pasted(None));
    assert_eq!(kinds(&f), [FindingKind::UserPanic]);
    assert!(f[0].location.is_none());
    let f = findings_of(
        InputKind::CrashText,
        &pasted(Some(frame("main.serve", "/app/main.go", 40, ""))),
    );
    assert_eq!(place(&f[0]), Some("main.serve"));
}

/// Only `runtime: bad pointer in frame F at ADDR` and its fatal error
/// (davrodpin/mole#140): F is where to look, with no stack to find it in.
#[test]
fn bad_pointer_frame_without_a_stack() {
    let t = TextArtifact {
        crash: Crash {
            fatal_error: Some(Cow::Borrowed("invalid pointer found on stack")),
            runtime_messages: vec![
                "runtime: bad pointer in frame github.com/konsorten/go-windows-terminal-sequences.EnableVirtualTerminalProcessing at 0xc0000674e8: 0x50",
            ],
            ..Crash::default()
        },
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &t);
    assert_eq!(
        place(&f[0]),
        Some("github.com/konsorten/go-windows-terminal-sequences.EnableVirtualTerminalProcessing")
    );
}

/// cgo's wrapper for a call that also returns errno is `_C2func_`
/// (pebbe/zmq4#80): the Go caller below it is the place.
#[test]
fn errno_returning_cgo_wrapper_is_skipped() {
    assert!(crate::frames::is_cgo_wrapper(
        "github.com/pebbe/zmq4._C2func_zmq_poll"
    ));
    let g = goroutine(
        48,
        "syscall, locked to thread",
        vec![
            frame(
                "runtime.cgocall",
                "/usr/local/go/src/runtime/cgocall.go",
                123,
                "",
            ),
            frame("github.com/pebbe/zmq4._C2func_zmq_poll", "??", 0, ""),
            frame(
                "github.com/pebbe/zmq4.(*Poller).poll",
                "/src/github.com/pebbe/zmq4/polling.go",
                127,
                "",
            ),
        ],
    );
    assert_eq!(
        crate::frames::user_frame(&g.frames).map(|f| f.function),
        Some("github.com/pebbe/zmq4.(*Poller).poll")
    );
}

/// A fault in C code the standard library called (apache/answer#28: libc's
/// getaddrinfo under `net._C2func_getaddrinfo`) is placed at the Go
/// function that called cgo's wrapper; a paste that stops at the wrapper
/// (golang-ui/nuklear#83) at the wrapper, which names the C function.
#[test]
fn cgo_crash_in_library_code_is_placed_at_the_wrappers_caller() {
    let crash = |below: Option<Frame<'static>>| {
        let mut frames = vec![
            frame("runtime.cgocall", "/go/src/runtime/cgocall.go", 133, ""),
            frame("net._C2func_getaddrinfo", "_cgo_gotypes.go", 94, ""),
        ];
        frames.extend(below);
        TextArtifact {
            crash: Crash {
                fatal_error: Some(Cow::Borrowed("unexpected signal during runtime execution")),
                signal: Some(SignalInfo {
                    name: "SIGSEGV",
                    description: "segmentation violation",
                    code: 1,
                    addr: 0x7f6fa803a298,
                    pc: 0x7f6fa803a298,
                    offset: 50,
                }),
                ..Crash::default()
            },
            goroutines: vec![goroutine(15, "syscall", frames)],
            ..TextArtifact::default()
        }
    };
    let caller = frame(
        "net.cgoLookupIPCNAME.func1",
        "/go/src/net/cgo_unix.go",
        160,
        "",
    );
    let f = findings_of(InputKind::CrashText, &crash(Some(caller)));
    assert_eq!(kinds(&f), [FindingKind::CgoCrash]);
    assert_eq!(place(&f[0]), Some("net.cgoLookupIPCNAME.func1"));
    let f = findings_of(InputKind::CrashText, &crash(None));
    assert_eq!(place(&f[0]), Some("net._C2func_getaddrinfo"));
    // Go 1.20+: a one-line shim (`net._C_getaddrinfo`) between the wrapper
    // and its caller is glue too.
    let shim = frame("net._C_getaddrinfo", "/go/src/net/cgo_unix_cgo.go", 77, "");
    let mut t = crash(Some(frame(
        "net.cgoLookupHostIP.func1",
        "/go/src/net/cgo_unix.go",
        166,
        "",
    )));
    t.goroutines[0].frames.insert(2, shim);
    let f = findings_of(InputKind::CrashText, &t);
    assert_eq!(place(&f[0]), Some("net.cgoLookupHostIP.func1"));
}

/// With no frame of the program, a runtime fault is placed at the
/// runtime's function that failed (golang/go#19473: `sweep increased
/// allocation count` under `runtime.(*mspan).sweep`), not at
/// `runtime.throw`, which only reported it; memory running out with no
/// frame of the program is placed nowhere.
#[test]
fn a_runtime_failure_is_placed_past_its_reporting_machinery() {
    let crash = |message: &'static str, frames: Vec<Frame<'static>>| TextArtifact {
        crash: Crash {
            fatal_error: Some(Cow::Borrowed(message)),
            ..Crash::default()
        },
        goroutines: vec![goroutine(1, "running", frames)],
        ..TextArtifact::default()
    };
    let throw = || frame("runtime.throw", "/go/src/runtime/panic.go", 1077, "");
    let swept = crash(
        "sweep increased allocation count",
        vec![
            throw(),
            frame(
                "runtime.(*mspan).sweep",
                "/go/src/runtime/mgcsweep.go",
                695,
                "",
            ),
            frame("runtime.gosweepone", "/go/src/runtime/mgcsweep.go", 240, ""),
        ],
    );
    let f = findings_of(InputKind::CrashText, &swept);
    assert_eq!(place(&f[0]), Some("runtime.(*mspan).sweep"));
    let oom = crash(
        "runtime: out of memory",
        vec![
            throw(),
            frame(
                "runtime.(*mcache).refill",
                "/go/src/runtime/mcache.go",
                181,
                "",
            ),
            frame("runtime.mallocgc", "/go/src/runtime/malloc.go", 1150, ""),
        ],
    );
    let f = findings_of(InputKind::CrashText, &oom);
    assert_eq!(kinds(&f), [FindingKind::OutOfMemory]);
    assert_eq!(f[0].location, None);
    // Nothing but the machinery: no place.
    let f = findings_of(
        InputKind::CrashText,
        &crash("schedule: holding locks", vec![throw()]),
    );
    assert_eq!(f[0].location, None);
    // The standard library's reporters too (`sync.throw`), and closures of
    // the runtime's.
    let unlocked = crash(
        "sync: unlock of unlocked mutex",
        vec![
            frame(
                "runtime.fatalthrow.func1",
                "/go/src/runtime/panic.go",
                1170,
                "",
            ),
            frame("sync.throw", "/go/src/runtime/panic.go", 1077, ""),
            frame("sync.(*Mutex).unlockSlow", "/go/src/sync/mutex.go", 229, ""),
        ],
    );
    let f = findings_of(InputKind::CrashText, &unlocked);
    assert_eq!(place(&f[0]), Some("sync.(*Mutex).unlockSlow"));
}

/// For SIGFPE (and SIGILL, SIGTRAP) the kernel reports the faulting
/// instruction's own address as `addr`, so pc == addr is no jump off the
/// code: a divide by zero pasted without its stack is a runtime error
/// (trailofbits/go-panikint#1: `panic: runtime error: integer divide by
/// zero [recovered, repanicked]` / `[signal SIGFPE: floating-point exception
/// code=0x1 addr=0x549892 pc=0x549892]`). The same pc == addr on a SIGSEGV
/// without a program frame still is: the PC left the code.
#[test]
fn pc_equal_to_addr_is_a_jump_off_the_code_only_for_an_access_fault() {
    let crash = |name: &'static str, value: &'static str| TextArtifact {
        crash: Crash {
            panics: vec![PanicEntry {
                value: Cow::Borrowed(value),
                repanicked: true,
                ..nil_deref_panic()
            }],
            signal: Some(SignalInfo {
                name,
                description: "",
                code: 1,
                addr: 0x549892,
                pc: 0x549892,
                offset: 0,
            }),
            ..Crash::default()
        },
        ..TextArtifact::default()
    };
    let divide = crash("SIGFPE", "runtime error: integer divide by zero");
    let f = findings_of(InputKind::CrashText, &divide);
    assert_eq!(kinds(&f), [FindingKind::RuntimeError]);
    let jumped = crash(
        "SIGSEGV",
        "runtime error: invalid memory address or nil pointer dereference",
    );
    let f = findings_of(InputKind::CrashText, &jumped);
    assert_eq!(kinds(&f), [FindingKind::RuntimeInternalError]);
}

/// A fault the runtime could not turn into a panic at PC 0 is a call
/// through a nil function pointer: here the runtime's DLL trampoline
/// calling a Windows API the OS lacks (117503445/GoWebDAV#35: `Exception
/// 0xc0000005 0x8 0x0 0x0` / `PC=0x0` / `runtime.asmstdcall(0x22fcf8)`).
/// The same fault at a PC in code stays unexplained.
#[test]
fn a_fatal_fault_at_pc_zero_is_a_call_through_nil() {
    let crash = |pc: u64| TextArtifact {
        crash: Crash {
            fatal_signal: Some(FatalSignal {
                name: "EXCEPTION_ACCESS_VIOLATION",
                description: "access violation (execute: a jump to memory that is not code)",
                pc: Some(pc),
                m: None,
                sigcode: None,
                addr: Some(0),
                during_cgo: false,
                offset: 0,
            }),
            ..Crash::default()
        },
        goroutines: vec![goroutine(
            0,
            "unknown",
            vec![frame(
                "runtime.asmstdcall",
                "/opt/hostedtoolcache/go/1.22.0/x64/src/runtime/sys_windows_amd64.s",
                75,
                "0x22fcf8",
            )],
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::CrashText, &crash(0));
    assert_eq!(kinds(&f), [FindingKind::NilDereference]);
    assert_eq!(f[0].title, "call through a nil function pointer (PC=0)");
    let f = findings_of(InputKind::CrashText, &crash(0x471c3a));
    assert_ne!(kinds(&f), [FindingKind::NilDereference]);
}

/// A stack pasted without its message, recovered twice (a tracing
/// middleware recovered the panic, finished its span and panicked again;
/// net/http recovered that): the failure is below the deepest `panic`
/// frame, not in the middleware above it (grafana/loki#6930).
#[test]
fn a_stack_alone_recovered_twice_is_placed_below_the_deepest_panic() {
    let frames = vec![
        frame("net/http.(*conn).serve.func1", "/usr/local/go/src/net/http/server.go", 1825, ""),
        frame("panic", "/usr/local/go/src/runtime/panic.go", 844, "{0x3f48720, 0x7666310}"),
        frame(
            "github.com/opentracing-contrib/go-stdlib/nethttp.MiddlewareFunc.func5.1",
            "/go/pkg/mod/github.com/opentracing-contrib/go-stdlib@v1.0.0/nethttp/server.go",
            150,
            "",
        ),
        frame("panic", "/usr/local/go/src/runtime/panic.go", 838, "{0x3f48720, 0x7666310}"),
        frame(
            "github.com/grafana/loki/clients/pkg/promtail/targets/docker.(*Target).Details",
            "/go/pkg/mod/github.com/grafana/loki@v1.6.2-0.20220411060007-0315102c34cf/clients/pkg/promtail/targets/docker/target.go",
            238,
            "0xc000c91340",
        ),
        frame(
            "github.com/grafana/agent/pkg/logs.listTargetsHandler.func1",
            "/drone/src/pkg/logs/http.go",
            59,
            "{0x52bdb88, 0xc000477c20}, 0xc000739c70?",
        ),
    ];
    let t = TextArtifact {
        goroutines: vec![goroutine(2580, "running", frames)],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(
        place(&f[0]),
        Some("github.com/grafana/loki/clients/pkg/promtail/targets/docker.(*Target).Details"),
        "{:?}",
        kinds(&f)
    );
}

/// A fault in a deferred call while an earlier panic unwound, pasted as a
/// stack alone: the fault below the innermost `panic` is the evidence, not
/// the earlier panic's raiser further down (the runtime raised the inner
/// one: no handler panicked again).
#[test]
fn a_fault_in_a_deferred_call_is_placed_at_the_fault() {
    let frames = vec![
        frame("panic", "/go/src/runtime/panic.go", 770, ""),
        frame("runtime.panicmem", "/go/src/runtime/panic.go", 261, ""),
        frame(
            "runtime.sigpanic",
            "/go/src/runtime/signal_unix.go",
            861,
            "",
        ),
        frame("main.cleanup", "/app/main.go", 12, ""),
        frame("main.f.func1", "/app/main.go", 20, ""),
        frame("panic", "/go/src/runtime/panic.go", 770, ""),
        frame("main.f", "/app/main.go", 24, ""),
    ];
    let t = TextArtifact {
        goroutines: vec![goroutine(1, "running", frames)],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(place(&f[0]), Some("main.cleanup"), "{:?}", kinds(&f));
}

/// A leak checker that counted the goroutines of a stack (etcd's `3
/// instances of:`): the finding counts them, not the stack.
#[test]
fn a_checker_count_is_the_number_of_goroutines() {
    let g = Goroutine {
        headerless: true,
        outlived_test: true,
        aggregated: Some(3),
        ..goroutine(
            0,
            "unknown",
            vec![frame("main.worker", "/app/worker.go", 9, "")],
        )
    };
    let t = TextArtifact {
        goroutines: vec![g],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    let leak = f
        .iter()
        .find(|f| f.kind == FindingKind::GoroutineLeak)
        .unwrap_or_else(|| panic!("{:?}", kinds(&f)));
    assert!(
        leak.title.starts_with("goroutine leak: 3 goroutines were"),
        "{}",
        leak.title
    );
}

/// A runtime message behind a wrapper's words is the runtime's only when
/// what follows the `: ` is its whole message or a `runtime error:`
/// (hugo#13853's errgroup re-panic); a program's words that share a
/// catalog phrase stay the program's.
#[test]
fn runtime_message_behind_a_wrapper() {
    use crate::crashrules::classify_message;
    assert_eq!(
        classify_message(
            "recovered from errgroup.Group: recovered from errgroup.Group: assignment to entry in nil map"
        ),
        Some(FindingKind::RuntimeError)
    );
    assert_eq!(
        classify_message("worker 3: runtime error: integer divide by zero"),
        Some(FindingKind::RuntimeError)
    );
    for program in [
        "redislock: unlock of unlocked lock \"jobs:42\"",
        "waitForServer: test timed out after 5s waiting for :8080",
        "alloc arena: out of memory: requested 1073741824 bytes",
    ] {
        assert_eq!(classify_message(program), None, "{program}");
    }
}

/// A stack pasted from its header on, without the signal line: the runtime
/// threw from `sigpanic` itself (`unexpected fault address`, a fault it
/// would not turn into a panic), so the fault was not at a nil address.
/// From https://github.com/erigontech/erigon/issues/8500 (a mapped file on
/// a full disk). With `panicmem` between them it was a nil dereference.
#[test]
fn a_throw_from_sigpanic_is_a_bad_address() {
    let stack = |top: Vec<Frame<'static>>| {
        let mut frames = top;
        frames.extend([
            frame("runtime.sigpanic", "runtime/signal_unix.go", 858, ""),
            frame("runtime.memmove", "runtime/memmove_amd64.s", 375, ""),
            frame(
                "github.com/anacrolix/torrent/mmap_span.copyBytes",
                "github.com/anacrolix/torrent@v1.52.6/mmap_span/mmap_span.go",
                79,
                "...",
            ),
        ]);
        TextArtifact {
            goroutines: vec![goroutine(18622, "running", frames)],
            ..TextArtifact::default()
        }
    };
    let thrown = stack(vec![frame(
        "runtime.throw",
        "runtime/panic.go",
        1077,
        "{0x25ab165?, 0x108edd39a6ef5956?}",
    )]);
    let f = findings_of(InputKind::GoroutineDump, &thrown);
    assert_eq!(f[0].kind, FindingKind::BadAddress, "{:?}", kinds(&f));
    assert_eq!(
        place(&f[0]),
        Some("github.com/anacrolix/torrent/mmap_span.copyBytes")
    );
    let panicked = stack(vec![
        frame("panic", "runtime/panic.go", 770, ""),
        frame("runtime.panicmem", "runtime/panic.go", 261, ""),
    ]);
    let f = findings_of(InputKind::GoroutineDump, &panicked);
    assert_eq!(f[0].kind, FindingKind::NilDereference, "{:?}", kinds(&f));
    // `unexpected signal during runtime execution` (42 bytes, saved) is
    // thrown when the runtime could not panic, at any address: its failure.
    let runtime_signal = stack(vec![frame(
        "runtime.throw",
        "runtime/panic.go",
        1077,
        "{0x25ab165, 0x2a}",
    )]);
    let f = findings_of(InputKind::GoroutineDump, &runtime_signal);
    assert_eq!(
        f[0].kind,
        FindingKind::RuntimeInternalError,
        "{:?}",
        kinds(&f)
    );
    // In the runtime's own code (the GC's `getempty`, golang/go#60783) the
    // runtime throws at any address: its own failure, not the program's.
    let gc = TextArtifact {
        goroutines: vec![goroutine(
            0,
            "running",
            vec![
                frame(
                    "runtime.throw",
                    "runtime/panic.go",
                    1047,
                    "{0xf1354a?, 0x16a7d40?}",
                ),
                frame("runtime.sigpanic", "runtime/signal_unix.go", 825, ""),
                frame("runtime.getempty", "runtime/mgcwork.go", 355, ""),
            ],
        )],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &gc);
    assert_eq!(
        f[0].kind,
        FindingKind::RuntimeInternalError,
        "{:?}",
        kinds(&f)
    );
    // In the map code, with `fault` (5 bytes) saved or the length unknown:
    // the program's map was bad, not the runtime's state.
    for args in ["{0x4b2c1a, 0x5}", "{0x4b2c1a?, 0xc000777970?}"] {
        let map = TextArtifact {
            goroutines: vec![goroutine(
                1,
                "running",
                vec![
                    frame("runtime.throw", "runtime/panic.go", 1047, args),
                    frame("runtime.sigpanic", "runtime/signal_unix.go", 825, ""),
                    frame(
                        "runtime.mapaccess2_faststr",
                        "runtime/map_faststr.go",
                        108,
                        "",
                    ),
                    frame("main.lookup", "/app/main.go", 12, ""),
                ],
            )],
            ..TextArtifact::default()
        };
        let f = findings_of(InputKind::GoroutineDump, &map);
        assert_eq!(
            f[0].kind,
            FindingKind::BadAddress,
            "{args}: {:?}",
            kinds(&f)
        );
        assert_eq!(place(&f[0]), Some("main.lookup"));
    }
}

/// Lock wrappers are looked through a few deep only: a hostile stack of
/// 100,000 `Lock` methods of alternating packages costs a bounded look at
/// each frame, and its first frame past the wrappers looked through is the
/// place.
#[test]
fn lock_wrappers_are_looked_through_a_few_deep() {
    let names: Vec<String> = (0..100_000)
        .map(|i| format!("example.com/p{}.(*L).Lock", i % 2))
        .collect();
    let mut frames = vec![frame(
        "golang.org/x/sync/semaphore.(*Weighted).Acquire",
        "/m/semaphore.go",
        60,
        "",
    )];
    frames.extend(names.iter().map(|n| frame(n, "/m/l.go", 1, "")));
    let place = crate::frames::user_frame(&frames).map(|f| f.function);
    // Five wrappers: the one over the semaphore and four over it.
    assert_eq!(place, Some("example.com/p1.(*L).Lock"));
    assert_eq!(
        frames
            .iter()
            .position(|f| std::ptr::eq(f, crate::frames::user_frame(&frames).unwrap())),
        Some(1 + 5)
    );
}

/// What an excerpt's waits are not (a review's cases): the signal watcher
/// and a running dump writer beside one idle worker are not "several
/// parked"; a listener 45 minutes in `Accept` waits for no silent peer; a
/// headerless stack in `sync.(*Mutex).Unlock` releases a lock.
#[test]
fn excerpt_waits_that_are_no_hang() {
    let worker = || Goroutine {
        created_by: Some(frame("main.start", "/app/main.go", 10, "")),
        ..goroutine(
            21,
            "chan receive",
            vec![frame("main.worker", "/app/main.go", 30, "")],
        )
    };
    let watcher = goroutine(
        5,
        "syscall",
        vec![
            frame(
                "os/signal.signal_recv",
                "/go/src/runtime/sigqueue.go",
                149,
                "",
            ),
            frame("os/signal.loop", "/go/src/os/signal/signal_unix.go", 23, ""),
        ],
    );
    let writer = goroutine(
        40,
        "running",
        vec![frame(
            "runtime/pprof.writeGoroutineStacks",
            "/go/src/runtime/pprof/pprof.go",
            761,
            "",
        )],
    );
    for other in [watcher, writer] {
        let t = TextArtifact {
            goroutines: vec![other, worker()],
            ..TextArtifact::default()
        };
        assert!(findings_of(InputKind::GoroutineDump, &t).is_empty());
    }
    let listener = Goroutine {
        wait_minutes: Some(45),
        ..goroutine(
            34,
            "IO wait",
            vec![
                frame(
                    "internal/poll.(*FD).Accept",
                    "/go/src/internal/poll/fd_unix.go",
                    611,
                    "",
                ),
                frame(
                    "net.(*TCPListener).Accept",
                    "/go/src/net/tcpsock.go",
                    380,
                    "",
                ),
                frame(
                    "net/http.(*Server).Serve",
                    "/go/src/net/http/server.go",
                    3424,
                    "",
                ),
                frame(
                    "example.com/app/metrics.Serve",
                    "/app/metrics/serve.go",
                    20,
                    "",
                ),
            ],
        )
    };
    let t = TextArtifact {
        goroutines: vec![listener],
        ..TextArtifact::default()
    };
    assert!(findings_of(InputKind::GoroutineDump, &t).is_empty());
    let releasing = Goroutine {
        headerless: true,
        ..goroutine(
            0,
            "unknown",
            vec![
                frame("runtime.semrelease1", "/go/src/runtime/sema.go", 204, ""),
                frame("sync.runtime_Semrelease", "/go/src/runtime/sema.go", 84, ""),
                frame("sync.(*Mutex).unlockSlow", "/go/src/sync/mutex.go", 229, ""),
                frame("sync.(*Mutex).Unlock", "/go/src/sync/mutex.go", 223, ""),
                frame(
                    "example.com/app/cache.(*Cache).Put",
                    "/app/cache/cache.go",
                    40,
                    "",
                ),
            ],
        )
    };
    let t = TextArtifact {
        goroutines: vec![releasing],
        ..TextArtifact::default()
    };
    assert!(findings_of(InputKind::GoroutineDump, &t).is_empty());
}

/// A paste that starts at `sync`'s throw over a lock method, its `fatal
/// error:` line cut (dundee/gdu#41): the method tells the message.
#[test]
fn a_sync_throw_over_a_lock_method_is_lock_misuse() {
    let stack = |thrower: &'static str, file: &'static str| Goroutine {
        headerless: true,
        ..goroutine(
            0,
            "unknown",
            vec![
                frame("sync.throw", "runtime/panic.go", 1103, ""),
                frame(thrower, file, 196, ""),
                frame("sync.(*Mutex).Unlock", "sync/mutex.go", 190, ""),
                frame(
                    "github.com/dundee/gdu/v4/tui.(*UI).updateProgress",
                    "github.com/dundee/gdu/v4/tui/tui.go",
                    336,
                    "",
                ),
            ],
        )
    };
    let t = TextArtifact {
        goroutines: vec![stack("sync.(*Mutex).unlockSlow", "sync/mutex.go")],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert_eq!(kinds(&f), [FindingKind::SyncMisuse]);
    assert!(
        f[0].title.contains("sync: unlock of unlocked mutex"),
        "{}",
        f[0].title
    );
    assert_eq!(
        place(&f[0]),
        Some("github.com/dundee/gdu/v4/tui.(*UI).updateProgress")
    );
    let t = TextArtifact {
        goroutines: vec![stack("sync.(*RWMutex).rUnlockSlow", "sync/rwmutex.go")],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert!(
        f[0].title.contains("RUnlock of unlocked RWMutex"),
        "{}",
        f[0].title
    );
    // Cut above the method, which is on top at its throw's line.
    let mut cut = stack("sync.(*RWMutex).Unlock", "sync/rwmutex.go");
    cut.frames.remove(0);
    let t = TextArtifact {
        goroutines: vec![cut],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert!(
        f[0].title.contains("Unlock of unlocked RWMutex"),
        "{}",
        f[0].title
    );
    assert_eq!(f[0].confidence, crate::finding::Confidence::Low);
    // Another throw of sync's is not read as one of these.
    let t = TextArtifact {
        goroutines: vec![stack("sync.(*Mutex).lockSlow", "sync/mutex.go")],
        ..TextArtifact::default()
    };
    let f = findings_of(InputKind::GoroutineDump, &t);
    assert!(f.iter().all(|f| f.kind != FindingKind::SyncMisuse));
}
