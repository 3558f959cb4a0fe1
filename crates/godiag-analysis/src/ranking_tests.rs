//! The ranking and merging rules of `docs/findings.md` ("Ranking"), each
//! on hand-built findings: once where it applies, once where it must not.

use godiag_model::Source;

use crate::{merge, rank, Confidence, Evidence, Finding, FindingKind, Location};

fn at(function: &str, line: u32) -> Location {
    Location {
        function: function.into(),
        file: "/app/main.go".into(),
        line,
    }
}

fn finding(kind: FindingKind, title: &str, loc: Location, sources: &[Source]) -> Finding {
    let mut f = Finding::new(kind, title, Confidence::High);
    f.location = Some(loc);
    for (input, s) in sources.iter().enumerate() {
        f.confirm(Evidence {
            source: *s,
            summary: format!("seen by {}", s.name()),
            input,
            offset: None,
            lines: Vec::new(),
            goroutines: None,
        });
    }
    f
}

fn kinds(fs: &[Finding]) -> Vec<&'static str> {
    fs.iter().map(|f| f.kind.name()).collect()
}

#[test]
fn a_watchdog_panic_ranks_below_the_stall_it_reports() {
    let watchdog = finding(
        FindingKind::UserPanic,
        "panic: watchdog: no progress for 5s",
        at("main.watchdog", 40),
        &[Source::Crash, Source::Core],
    );
    let deadlock = finding(
        FindingKind::Deadlock,
        "deadlock: goroutines 7 and 8 wait for each other's mutex",
        at("main.(*bank).transfer", 21),
        &[Source::GoroutineDump],
    );
    let mut fs = vec![watchdog.clone(), deadlock];
    rank(&mut fs);
    assert_eq!(kinds(&fs), ["deadlock", "user-panic"]);
    assert!(fs[1].consequence);
    // Without a finding that explains the stall, the panic stays first.
    let mut alone = vec![watchdog];
    rank(&mut alone);
    assert!(!alone[0].consequence);
    // An ordinary panic beside a stall is no consequence of it.
    let plain = finding(
        FindingKind::UserPanic,
        "panic: bad config",
        at("main.load", 9),
        &[Source::Crash],
    );
    let leak = finding(
        FindingKind::GoroutineLeak,
        "goroutine leak",
        at("main.handle", 16),
        &[Source::GoroutineDump],
    );
    let mut fs = vec![leak, plain];
    rank(&mut fs);
    assert_eq!(kinds(&fs), ["user-panic", "goroutine-leak"]);
}

#[test]
fn two_sources_outrank_one_at_equal_confidence() {
    let hotspot = finding(
        FindingKind::CpuHotspot,
        "CPU hotspot",
        at("main.render", 30),
        &[Source::Pprof],
    );
    let gc = finding(
        FindingKind::GcPressure,
        "GC pressure",
        at("main.parse", 27),
        &[Source::Pprof, Source::Trace],
    );
    let mut fs = vec![hotspot, gc];
    rank(&mut fs);
    assert_eq!(kinds(&fs), ["gc-pressure", "cpu-hotspot"]);
    // A crash confirmed by one source still comes before a performance
    // finding that two confirm: the program failed.
    let crash = finding(
        FindingKind::NilDereference,
        "nil pointer dereference",
        at("main.deref", 16),
        &[Source::Crash],
    );
    let mut fs = vec![fs.remove(0), crash];
    rank(&mut fs);
    assert_eq!(kinds(&fs), ["nil-dereference", "gc-pressure"]);
}

#[test]
fn a_hotspot_at_the_allocating_site_is_the_gc_pressure() {
    let gc = finding(
        FindingKind::GcPressure,
        "GC pressure",
        at("main.parse", 27),
        &[Source::Trace],
    );
    let hot_there = finding(
        FindingKind::CpuHotspot,
        "CPU hotspot: main.parse",
        at("main.parse", 25),
        &[Source::Pprof],
    );
    let hot_elsewhere = finding(
        FindingKind::CpuHotspot,
        "CPU hotspot: main.render",
        at("main.render", 30),
        &[Source::Pprof],
    );
    let fs = merge(vec![gc, hot_there, hot_elsewhere]);
    assert_eq!(kinds(&fs), ["gc-pressure", "cpu-hotspot"]);
    assert_eq!(fs[0].verification.len(), 2);
    assert_eq!(fs[1].location.as_ref().unwrap().function, "main.render");
}

#[test]
fn one_finding_per_kind_and_site() {
    // A mutex profile charges the Unlock line, a trace the Lock line.
    let pprof = finding(
        FindingKind::LockContention,
        "lock contention",
        at("main.(*ledger).post", 26),
        &[Source::Pprof],
    );
    let trace = finding(
        FindingKind::LockContention,
        "lock contention",
        at("main.(*ledger).post", 24),
        &[Source::Trace],
    );
    let fs = merge(vec![pprof.clone(), trace]);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].verification.len(), 2);
    // Crashes keep their exact line: two panics are two failures.
    let a = finding(
        FindingKind::UserPanic,
        "panic: a",
        at("main.f", 10),
        &[Source::Crash],
    );
    let b = finding(
        FindingKind::UserPanic,
        "panic: b",
        at("main.f", 12),
        &[Source::Crash],
    );
    assert_eq!(merge(vec![a, b]).len(), 2);
    // Another function is another site.
    let other = finding(
        FindingKind::LockContention,
        "lock contention",
        at("main.(*cache).get", 40),
        &[Source::Trace],
    );
    assert_eq!(merge(vec![pprof, other]).len(), 2);
}

#[test]
fn the_sigquit_of_a_hung_program_ranks_below_its_stall() {
    let quit = || {
        finding(
            FindingKind::UnknownFailure,
            crate::crashrules::SIGQUIT_TITLE,
            at("main.main", 30),
            &[Source::Crash],
        )
    };
    let mut stalled = quit();
    stalled.confidence = Confidence::Medium;
    let mut hang = finding(
        FindingKind::Deadlock,
        "possible deadlock: the program's only goroutine, 1, waits in [select]",
        at("main.build", 12),
        &[Source::Crash],
    );
    hang.confidence = Confidence::Low;
    let mut fs = vec![stalled, hang];
    rank(&mut fs);
    assert_eq!(kinds(&fs), ["deadlock", "unknown-failure"]);
    assert!(fs[1].consequence && fs[1].title.starts_with("consequence: "));
    // A SIGQUIT dump that shows no stall stays what it is.
    let mut alone = vec![quit()];
    rank(&mut alone);
    assert!(!alone[0].consequence);
}

/// The same conclusion without a place, drawn from two pairs of dumps of
/// one process (debug=1 and debug=2), is one finding; another conclusion
/// without a place stays its own.
#[test]
fn one_placeless_conclusion_drawn_twice_is_one_finding() {
    let placeless = |title: &str, source: Source| {
        let mut f = finding(
            FindingKind::GoroutineLeak,
            title,
            at("main.x", 1),
            &[source],
        );
        f.location = None;
        f
    };
    let title = "goroutine leak: 220 goroutines blocked in [select] grew from 120 to 220";
    let fs = merge(vec![
        placeless(title, Source::GoroutineDump),
        placeless(title, Source::Pprof),
        placeless(
            "goroutine leak: 40 goroutines blocked in [IO wait] grew",
            Source::GoroutineDump,
        ),
    ]);
    assert_eq!(fs.len(), 2);
    assert_eq!(fs[0].evidence.len(), 2);
}

/// At equal certainty the merged finding keeps the wording that says more
/// of the same conclusion, whichever source came first (a core's `out of
/// memory`, then the crash text's account of the heap).
#[test]
fn merged_finding_keeps_the_wording_that_says_more() {
    let core = finding(
        FindingKind::OutOfMemory,
        "out of memory",
        at("main.record", 16),
        &[Source::Core],
    );
    let crash = finding(
        FindingKind::OutOfMemory,
        "out of memory: the heap grew to 319.8 MiB and could not grow by 4.0 MiB more",
        at("main.record", 16),
        &[Source::Crash],
    );
    let fs = merge(vec![core.clone(), crash.clone()]);
    assert_eq!(fs.len(), 1);
    assert_eq!(fs[0].title, crash.title);
    let fs = merge(vec![crash.clone(), core]);
    assert_eq!(fs[0].title, crash.title);
}

/// Beside a deadlock in the program's code, goroutines piling up in the
/// standard library alone, or queued in the very function that deadlocked,
/// are its consequence and rank below it; a leak elsewhere in the program
/// stays a root cause of its own.
#[test]
fn goroutines_piling_up_behind_a_deadlock_are_its_consequence() {
    let mut deadlock = finding(
        FindingKind::Deadlock,
        "Deadlock: main.(*Pool).Get waits on a channel while holding the lock",
        at("main.(*Pool).Get", 21),
        &[Source::Trace],
    );
    deadlock.confidence = Confidence::Medium;
    let queued = finding(
        FindingKind::GoroutineLeak,
        "goroutine leak: 217 goroutines at main.(*Pool).Get grew from 117 to 217",
        at("main.(*Pool).Get", 18),
        &[Source::GoroutineDump],
    );
    let mut stdlib = finding(
        FindingKind::GoroutineLeak,
        "goroutine leak: 220 goroutines blocked in [select] grew from 120 to 220",
        at("main.x", 1),
        &[Source::GoroutineDump],
    );
    stdlib.location = None;
    let elsewhere = finding(
        FindingKind::GoroutineLeak,
        "goroutine leak: 900 goroutines at main.poll grew from 100 to 900",
        at("main.poll", 40),
        &[Source::GoroutineDump],
    );
    let mut fs = vec![queued, stdlib, elsewhere.clone(), deadlock];
    rank(&mut fs);
    assert_eq!(fs[0].title, elsewhere.title);
    assert_eq!(fs[1].kind, FindingKind::Deadlock);
    assert!(
        fs[2..].iter().all(|f| f.consequence),
        "{:?}",
        fs.iter().map(|f| &f.title).collect::<Vec<_>>()
    );
}
