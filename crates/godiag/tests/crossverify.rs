//! Triple verification on the lab: for every scenario whose artifacts are
//! of several kinds (profiles and a dump; gctrace and profiles; crash text
//! and a trace), read together, the top finding is the scenario's root
//! cause at its marked line, at least two sources confirm it, and none
//! contradicts it. (Cores: tests/cores.rs; a live service: live_lab.rs.)

mod common;

use godiag_analysis::Verdict;
use godiag_model::GroupKeyMode;
use serde_json::Value;

/// Scenario, the file suffixes read together, and the first Go minor
/// version from which two sources can confirm (a crash-cut trace before
/// 1.26 loses its last generation, so it cannot see the crash).
const MULTI: &[(&str, &[&str], u32)] = &[
    (
        "goroutine-leak-profile",
        &[
            "goroutine-1.pb.gz",
            "goroutine-2.pb.gz",
            "goroutine-2.debug2.txt",
        ],
        21,
    ),
    ("gc-heavy", &["cpu.pb.gz", "heap.pb.gz", "gctrace.txt"], 21),
    ("trace-crash", &["crash.txt", "trace.out"], 26),
    ("deadlock-abba", &["crash.txt", "goroutines.debug2.txt"], 21),
    (
        "deadlock-lock-chan",
        &["crash.txt", "goroutines.debug2.txt", "trace.out"],
        22,
    ),
];

#[test]
fn multi_source_scenarios_are_confirmed_by_two_sources() {
    let lab = common::lab_dir();
    let manifest: Value =
        serde_json::from_str(&std::fs::read_to_string(lab.join("manifest.json")).unwrap()).unwrap();
    let mut checked = 0;
    for dir in common::version_dirs(&lab.join("artifacts")) {
        let version = dir.file_name().unwrap().to_string_lossy().to_string();
        let minor: u32 = version
            .trim_start_matches("go")
            .split('.')
            .nth(1)
            .and_then(|m| m.parse().ok())
            .unwrap();
        for (scenario, suffixes, two_from) in MULTI {
            let paths: Vec<_> = suffixes
                .iter()
                .map(|s| dir.join(format!("{scenario}.{s}")))
                .collect();
            if !paths.iter().all(|p| p.exists()) {
                continue; // not written by this version (traces: 1.22+)
            }
            let m = manifest["scenarios"]
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["name"] == *scenario)
                .unwrap();
            let loaded = godiag::load_inputs(&paths).unwrap();
            let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
            let top = &report.findings[0];
            let name = format!("{version} {scenario}");
            assert_eq!(top.kind.name(), m["kind"].as_str().unwrap(), "{name}");
            let loc = top.location.as_ref().expect("a location");
            assert_eq!(
                (loc.function.as_str(), u64::from(loc.line)),
                (
                    m["location"]["function"].as_str().unwrap(),
                    m["location"]["line"].as_u64().unwrap()
                ),
                "{name}"
            );
            assert!(
                !top.verification
                    .values()
                    .any(|v| *v == Verdict::Contradicts),
                "{name}: {:?}",
                top.verification
            );
            let confirms = top
                .verification
                .values()
                .filter(|v| **v == Verdict::Confirms)
                .count();
            if minor >= *two_from {
                assert!(confirms >= 2, "{name}: {:?}", top.verification);
            }
            checked += 1;
        }
    }
    assert!(checked >= 18, "{checked} scenario/version pairs checked");
}

/// The lock-cycle labs: each artifact alone finds the cycle the runtime
/// never reports, at the frame where it closes (AB/BA: where the second lock
/// is taken, with the goroutine blocked behind it as a victim; lock and
/// channel: the send made while holding the lock); the watchdog's panic in
/// the crash text is ranked below it as its consequence.
#[test]
fn lock_cycles_are_found_before_the_watchdog_that_reports_them() {
    /// Scenario, location, the cycle's sites in the title, a victim line.
    type Lab<'s> = (&'s str, (&'s str, u32), &'s str, Option<&'s str>);
    let labs: [Lab<'_>; 2] = [
        (
            "deadlock-abba",
            ("main.(*bank).transferOut", 31),
            "main.(*bank).transferOut ↔ main.(*bank).transferBack",
            Some("main.(*bank).audit waits behind them"),
        ),
        (
            "deadlock-lock-chan",
            ("main.(*registry).publish", 28),
            "main.(*registry).consume ↔ main.(*registry).publish",
            None,
        ),
    ];
    let lab = common::lab_dir();
    let mut checked = 0;
    for dir in common::version_dirs(&lab.join("artifacts")) {
        for (scenario, at, sites, victim) in labs {
            for artifact in ["crash.txt", "goroutines.debug2.txt"] {
                let path = dir.join(format!("{scenario}.{artifact}"));
                let loaded = godiag::load_inputs(std::slice::from_ref(&path)).unwrap();
                let r =
                    godiag::build_report(Box::leak(loaded.into_boxed_slice()), GroupKeyMode::Stack);
                let what = path.display().to_string();
                let top = &r.findings[0];
                assert_eq!(top.kind.name(), "deadlock", "{what}: {}", top.title);
                let loc = top.location.as_ref().unwrap();
                assert_eq!((loc.function.as_str(), loc.line), at, "{what}");
                assert!(top.title.contains(sites), "{what}: {}", top.title);
                let lines = &top.evidence[0].lines;
                if let Some(v) = victim {
                    assert!(
                        top.title
                            .contains("1 more goroutine is blocked behind them")
                            && lines.iter().any(|l| l.contains(v)),
                        "{what}: {} {lines:?}",
                        top.title
                    );
                }
                if artifact == "crash.txt" {
                    let watchdog = r
                        .findings
                        .iter()
                        .find(|f| f.kind.name() == "user-panic")
                        .expect("the watchdog's panic");
                    assert!(watchdog.consequence, "{what}");
                    assert_eq!(
                        watchdog.location.as_ref().unwrap().function,
                        "main.watchdog"
                    );
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 4, "no lock-cycle artifacts");
}

/// A gctrace of another program says nothing of a heap leak that profiles
/// claim: the heap-leak scenario's profiles (26.6 MiB in use at one site)
/// read with gc-heavy's gctrace (a live heap of about 11 MB) cannot be one
/// process, so the gctrace is silent, not a contradiction.
#[test]
fn another_programs_gctrace_is_silent_on_a_heap_leak() {
    let dir = common::lab_dir().join("artifacts/go1.24.11");
    let mut paths: Vec<std::path::PathBuf> = (1..=3)
        .map(|n| dir.join(format!("heap-leak.heap-{n}.pb.gz")))
        .collect();
    paths.push(dir.join("gc-heavy.gctrace.txt"));
    let loaded = godiag::load_inputs(&paths).unwrap();
    let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
    let leak = &report.findings[0];
    assert_eq!(leak.kind.name(), "heap-leak", "{}", leak.title);
    assert_eq!(leak.verification.get("pprof"), Some(&Verdict::Confirms));
    assert_eq!(leak.verification.get("crash"), Some(&Verdict::Silent));
    assert_eq!(leak.confidence, godiag_analysis::Confidence::High);
    assert!(!leak.title.contains("contradicted"), "{}", leak.title);
}

/// A trace of another program says nothing of a deadlock, however its
/// goroutine ids fall: deadlock-abba's crash read with deadlock-lock-chan's
/// trace, whose goroutines 20 and 21 sleep in another function.
#[test]
fn another_programs_trace_is_silent_on_a_deadlock() {
    let dir = common::lab_dir().join("artifacts/go1.24.11");
    let paths = [
        dir.join("deadlock-abba.crash.txt"),
        dir.join("deadlock-lock-chan.trace.out"),
    ];
    let loaded = godiag::load_inputs(&paths).unwrap();
    let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
    let top = &report.findings[0];
    assert_eq!(top.kind.name(), "deadlock", "{}", top.title);
    assert_eq!(top.verification.get("trace"), Some(&Verdict::Silent));
    assert_eq!(top.confidence, godiag_analysis::Confidence::Medium);
}

/// Heap snapshots are compared only within one program: gc-heavy's heap
/// profile beside heap-leak's last is no earlier state of it, so no growth
/// is claimed across them; and two snapshots without growth (the same one
/// given twice) show no leak, not a "one snapshot" retainer.
#[test]
fn heap_snapshots_of_another_program_or_without_growth_show_no_leak() {
    let dir = common::lab_dir().join("artifacts/go1.24.11");
    let report = |names: &[&str]| {
        let paths: Vec<_> = names.iter().map(|n| dir.join(n)).collect();
        let loaded = godiag::load_inputs(&paths).unwrap();
        let r = godiag::build_report(Box::leak(loaded.into_boxed_slice()), GroupKeyMode::Stack);
        r.findings
            .iter()
            .filter(|f| f.kind.name() == "heap-leak")
            .map(|f| f.title.clone())
            .collect::<Vec<_>>()
    };
    // The real leak, three snapshots of one run.
    let leak = report(&[
        "heap-leak.heap-1.pb.gz",
        "heap-leak.heap-2.pb.gz",
        "heap-leak.heap-3.pb.gz",
    ]);
    assert!(leak.iter().any(|t| t.contains(" grew by ")), "{leak:?}");
    let mixed = report(&["gc-heavy.heap.pb.gz", "heap-leak.heap-3.pb.gz"]);
    assert!(mixed.iter().all(|t| !t.contains(" grew by ")), "{mixed:?}");
    let flat = report(&["heap-leak.heap-3.pb.gz", "heap-leak.heap-3.pb.gz"]);
    assert!(flat.is_empty(), "{flat:?}");
}

/// Two `debug=1` goroutine profiles of one process (the lab's goroutine-leak
/// scenario, every version): the leak is told by its growth at the marked
/// line, high confidence, each profile's count as evidence.
#[test]
fn two_debug1_goroutine_profiles_tell_the_growth() {
    let lab = common::lab_dir();
    let mut checked = 0;
    for dir in common::version_dirs(&lab.join("artifacts")) {
        let (a, b) = (
            dir.join("goroutine-leak.debug1-1.txt"),
            dir.join("goroutine-leak.debug1-2.txt"),
        );
        if !a.exists() || !b.exists() {
            continue;
        }
        let loaded = godiag::load_inputs(&[a, b]).unwrap();
        let r = godiag::build_report(Box::leak(loaded.into_boxed_slice()), GroupKeyMode::Stack);
        let top = &r.findings[0];
        let what = dir.display().to_string();
        assert_eq!(top.kind.name(), "goroutine-leak", "{what}: {}", top.title);
        assert_eq!(top.confidence, godiag_analysis::Confidence::High, "{what}");
        assert!(top.title.contains(" grew from "), "{what}: {}", top.title);
        assert_eq!(
            top.location.as_ref().map(|l| l.function.as_str()),
            Some("main.handleRequest"),
            "{what}"
        );
        checked += 1;
    }
    assert!(checked >= 7, "{checked} versions");
}

/// A later dump of the same process confirms a deadlock when its
/// goroutines are still where they were and have waited on: deadlock-minutes
/// (every version) dumps the AB/BA pair at "1 minutes", then at "2 minutes",
/// and the finding goes from medium to high with the later dump as evidence.
/// deadlock-lock-chan's second dump, 300 ms after the first, shows no wait
/// times: the same place alone could be a goroutine that moved and came
/// back, so it raises nothing and the step asking for a later dump stays.
#[test]
fn a_later_dump_raises_a_deadlock_only_when_the_wait_went_on() {
    let lab = common::lab_dir();
    let top = |paths: &[std::path::PathBuf]| findings_of(paths).remove(0);
    let second_dump =
        |f: &godiag_analysis::Finding| f.next_steps.iter().any(|s| s.contains("second dump"));
    let mut checked = 0;
    for dir in common::version_dirs(&lab.join("artifacts")) {
        let what = dir.display().to_string();
        let (first, later) = (
            dir.join("deadlock-minutes.debug2-1.txt"),
            dir.join("deadlock-minutes.debug2-2.txt"),
        );
        let one = top(std::slice::from_ref(&first));
        let two = top(&[first, later]);
        for f in [&one, &two] {
            assert_eq!(f.kind.name(), "deadlock", "{what}: {}", f.title);
            assert_eq!(
                f.location.as_ref().map(|l| l.function.as_str()),
                Some("main.(*ledger).transfer"),
                "{what}"
            );
        }
        assert_eq!(
            one.confidence,
            godiag_analysis::Confidence::Medium,
            "{what}"
        );
        assert_eq!(two.confidence, godiag_analysis::Confidence::High, "{what}");
        assert!(
            two.evidence.iter().any(|e| e.input == 1
                && e.summary
                    .starts_with("a later dump shows the same goroutines")
                && e.summary.contains("2 minutes")),
            "{what}: {:?}",
            two.evidence
        );
        assert!(second_dump(&one) && !second_dump(&two), "{what}");

        let (first, later) = (
            dir.join("deadlock-lock-chan.goroutines.debug2.txt"),
            dir.join("deadlock-lock-chan.goroutines-later.debug2.txt"),
        );
        let two = top(&[first, later]);
        assert_eq!(two.kind.name(), "deadlock", "{what}: {}", two.title);
        assert_eq!(two.confidence, godiag_analysis::Confidence::Low, "{what}");
        assert!(second_dump(&two), "{what}: {:?}", two.next_steps);
        checked += 1;
    }
    assert_eq!(checked, 7);
}

/// Next steps do not ask for what was given: with a goroutine dump and an
/// execution trace, none says to take a dump or capture a trace.
#[test]
fn next_steps_do_not_ask_for_evidence_already_given() {
    let dir = common::lab_dir().join("artifacts/go1.24.11");
    let paths = [
        dir.join("deadlock-lock-chan.goroutines.debug2.txt"),
        dir.join("deadlock-lock-chan.trace.out"),
    ];
    let loaded = godiag::load_inputs(&paths).unwrap();
    let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
    for f in &report.findings {
        for step in &f.next_steps {
            assert!(
                !step.starts_with("Take a goroutine dump") && !step.contains("execution trace"),
                "{}: {step}",
                f.title
            );
        }
    }
    // The crash text alone (GOTRACEBACK=all) shows every goroutine, but
    // no later dump: that step stays.
    let crash = [dir.join("deadlock-lock-chan.crash.txt")];
    let loaded = godiag::load_inputs(&crash).unwrap();
    let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
    let steps = &report.findings[0].next_steps;
    assert!(steps.iter().any(|s| s.contains("second dump")), "{steps:?}");
    assert!(
        steps
            .iter()
            .all(|s| !s.starts_with("Take a goroutine dump")),
        "{steps:?}"
    );
}

/// Only the inputs a finding was drawn from count as given: another
/// program's dump beside a Go 1.26 map crash that printed only the failing
/// goroutine leaves the step asking for `GOTRACEBACK=all`, and one heap
/// profile (its allocs twin is the same snapshot) leaves the step asking
/// for two.
#[test]
fn next_steps_count_only_the_findings_own_inputs() {
    let dir = common::lab_dir().join("artifacts/go1.26.6");
    let top = |names: &[&str]| {
        let paths: Vec<_> = names.iter().map(|n| dir.join(n)).collect();
        findings_of(&paths).remove(0)
    };
    let crash = top(&["map-concurrent-writes.txt", "goroutine-leak.debug2-1.txt"]);
    assert_eq!(
        crash.kind.name(),
        "concurrent-map-access",
        "{}",
        crash.title
    );
    assert!(
        crash
            .next_steps
            .iter()
            .any(|s| s.contains("GOTRACEBACK=all")),
        "{:?}",
        crash.next_steps
    );
    let heap = top(&["heap-leak.heap-3.pb.gz"]);
    assert!(
        heap.next_steps
            .iter()
            .any(|s| s.starts_with("Take two heap profiles")),
        "{:?}",
        heap.next_steps
    );
    let grown = top(&["heap-leak.heap-1.pb.gz", "heap-leak.heap-3.pb.gz"]);
    assert_eq!(grown.kind.name(), "heap-leak", "{}", grown.title);
    assert!(
        grown
            .next_steps
            .iter()
            .all(|s| !s.starts_with("Take two heap profiles")),
        "{:?}",
        grown.next_steps
    );
}

/// A gctrace alone tells a leak from churn by the live heap after GC:
/// heap-leak's (every version) grows with its cache and is a placeless
/// heap leak; gc-heavy's stays flat while it collects often, and is GC
/// pressure with no leak.
#[test]
fn a_gctrace_alone_tells_a_growing_live_heap() {
    let lab = common::lab_dir();
    let findings = |path: std::path::PathBuf| findings_of(&[path]);
    let mut checked = 0;
    for dir in common::version_dirs(&lab.join("artifacts")) {
        let what = dir.display().to_string();
        let leak = findings(dir.join("heap-leak.gctrace.txt"));
        let f = leak
            .iter()
            .find(|f| f.kind.name() == "heap-leak")
            .unwrap_or_else(|| panic!("{what}: no heap leak in {leak:?}"));
        assert!(f.location.is_none(), "{what}");
        assert!(
            f.title.contains("the live heap after GC grew from about"),
            "{what}: {}",
            f.title
        );
        let churn = findings(dir.join("gc-heavy.gctrace.txt"));
        assert!(
            churn.iter().all(|f| f.kind.name() != "heap-leak"),
            "{what}: {churn:?}"
        );
        assert_eq!(churn[0].kind.name(), "gc-pressure", "{what}");
        checked += 1;
    }
    assert_eq!(checked, 7);
}

/// The findings of `paths` read together (the inputs leaked for the
/// test's length: findings borrow nothing, the report would).
fn findings_of(paths: &[std::path::PathBuf]) -> Vec<godiag_analysis::Finding> {
    let loaded = godiag::load_inputs(paths).unwrap();
    godiag::build_report(Box::leak(loaded.into_boxed_slice()), GroupKeyMode::Stack).findings
}
