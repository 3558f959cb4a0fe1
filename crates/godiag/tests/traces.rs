//! Execution traces the lab wrote under Go 1.22–1.27 (`lab/scenarios/trace-*`): each
//! scenario's finding, at the line its program marks `// godiag:root-cause`, the
//! figures the trace summary gives, a crash that cut its trace short, a flight-
//! recorder snapshot, and traces cut at many offsets.

use std::path::{Path, PathBuf};

use godiag::{build_report, PreparedInput};
use godiag_model::{GroupKeyMode, InputStatus};

const VERSIONS: [&str; 6] = ["1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3"];

fn lab() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab")
}

fn artifact(v: &str, name: &str) -> PathBuf {
    lab().join(format!("artifacts/go{v}/{name}"))
}

/// The line of the scenario's `// godiag:root-cause` marker.
fn marker(scenario: &str) -> u32 {
    let src = std::fs::read_to_string(lab().join(format!("scenarios/{scenario}/main.go"))).unwrap();
    let n = src
        .lines()
        .position(|l| l.contains("// godiag:root-cause"))
        .unwrap_or_else(|| panic!("{scenario}: no marker"));
    n as u32 + 1
}

fn load(paths: &[PathBuf]) -> Vec<PreparedInput> {
    paths
        .iter()
        .map(|p| {
            PreparedInput::from_bytes(
                p.display().to_string(),
                std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display())),
            )
        })
        .collect()
}

#[test]
fn each_traced_scenario_gives_its_finding_at_the_marked_line() {
    let cases = [
        ("trace-starvation", "scheduler-starvation", "main.spin"),
        ("trace-gc-heavy", "gc-pressure", "main.build"),
        (
            "trace-lock-contention",
            "lock-contention",
            "main.(*cache).update",
        ),
        ("trace-blocking-io", "blocking-io", "main.fetch"),
        ("trace-leak", "goroutine-leak", "main.handleRequest"),
        // Two goroutines each blocked in a Lock until the trace ended: the
        // one that waited first.
        (
            "trace-deadlock-abba",
            "deadlock",
            "main.(*bank).transferOut",
        ),
    ];
    for v in VERSIONS {
        for (scenario, kind, function) in cases {
            let loaded = load(&[artifact(v, &format!("{scenario}.trace.out"))]);
            let report = build_report(&loaded, GroupKeyMode::Stack);
            let input = &report.inputs[0];
            assert_eq!(
                input.status,
                InputStatus::Parsed,
                "go{v} {scenario}: {:?}",
                input.warnings
            );
            let f = report
                .findings
                .first()
                .unwrap_or_else(|| panic!("go{v} {scenario}: no finding"));
            assert_eq!(f.kind.name(), kind, "go{v} {scenario}: {}", f.title);
            let loc = f.location.as_ref().expect("a location");
            assert_eq!(loc.function, function, "go{v} {scenario}");
            assert_eq!(loc.line, marker(scenario), "go{v} {scenario}");
            assert!(loc.file.ends_with(&format!("scenarios/{scenario}/main.go")));
            assert_eq!(
                f.verification.get("trace").copied(),
                Some(godiag_analysis::Verdict::Confirms),
                "go{v} {scenario}"
            );
            // One finding per scenario: nothing else in these programs is wrong.
            assert_eq!(
                report.findings.len(),
                1,
                "go{v} {scenario}: {:?}",
                report.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
            );
        }
    }
}

/// A lock held across a channel send, told by the trace alone: the receiver
/// waits for the lock, and the sender, a method of the same type, has been
/// parked on the channel since before; the send is the place.
#[test]
fn a_lock_held_across_a_send_is_told_by_the_trace_alone() {
    let line = marker("deadlock-lock-chan");
    for v in VERSIONS {
        let loaded = load(&[artifact(v, "deadlock-lock-chan.trace.out")]);
        let report = build_report(&loaded, GroupKeyMode::Stack);
        let f = &report.findings[0];
        assert_eq!(f.kind.name(), "deadlock", "go{v}: {}", f.title);
        assert_eq!(f.confidence, godiag_analysis::Confidence::Medium, "go{v}");
        let loc = f.location.as_ref().expect("a location");
        assert_eq!(
            (loc.function.as_str(), loc.line),
            ("main.(*registry).publish", line),
            "go{v}"
        );
        assert!(
            f.title
                .contains("holding the lock that main.(*registry).consume"),
            "go{v}: {}",
            f.title
        );
        assert_eq!(report.findings.len(), 1, "go{v}");
    }
}

#[test]
fn summaries_give_the_programs_figures() {
    for v in VERSIONS {
        let summary = |name: &str| {
            let data = std::fs::read(artifact(v, name)).unwrap();
            godiag_trace::analysis::analyze(&data).unwrap().0
        };
        // 20 CPU-bound goroutines on one P: every one waits well over 100 ms.
        let s = summary("trace-starvation.trace.out");
        assert_eq!(s.gomaxprocs.last().map(|p| p.1), Some(1), "go{v}");
        assert!(
            s.sched_latency.over_100ms >= 20,
            "go{v}: {:?}",
            s.sched_latency
        );
        assert!(s.sched_latency.max_ns >= 300_000_000, "go{v}");
        assert!(s.partial.is_none());
        // 50 goroutines blocked on a reply channel from creation to the end.
        let s = summary("trace-leak.trace.out");
        let b = &s.blocked_at_end[0];
        assert_eq!((b.count, b.blocked_throughout), (50, 50), "go{v}");
        assert_eq!(b.reason, "chan receive");
        // Many GC cycles, every one with its two stop-the-world pauses.
        let s = summary("trace-gc-heavy.trace.out");
        assert!(s.gc.cycles >= 10, "go{v}: {} cycles", s.gc.cycles);
        assert!(s.gc.stw_count >= 2 * s.gc.cycles - 2, "go{v}");
        assert!(
            s.gc.assist_count > 0 && s.gc.cpu_fraction > 0.25,
            "go{v}: {}",
            s.gc.cpu_fraction
        );
        assert!(
            s.gc.mmu.iter().any(|(w, u)| *w == 1_000_000 && *u < 0.5),
            "go{v}: {:?}",
            s.gc.mmu
        );
        // Tasks, regions and logs of the annotations scenario: 10 requests.
        let s = summary("trace-annotations.trace.out");
        let task = |n: &str| s.tasks.iter().find(|t| t.name == n).map(|t| t.count);
        assert_eq!(task("request"), Some(10), "go{v}: {:?}", s.tasks);
        for r in ["parse", "query", "render"] {
            let c = s.regions.iter().find(|x| x.name == r).map(|x| x.count);
            assert_eq!(c, Some(10), "go{v} region {r}: {:?}", s.regions);
        }
        let q = s.regions.iter().find(|x| x.name == "query").unwrap();
        assert!(
            q.min_ns >= 20_000_000,
            "go{v}: query regions sleep 20 ms: {q:?}"
        );
        assert!(
            s.logs.iter().any(|(c, n)| c == "request_id" && *n == 10),
            "go{v}: {:?}",
            s.logs
        );
        assert_eq!(
            s.wire_version,
            format!(
                "go 1.{} trace",
                match v {
                    "1.24.11" => 23,
                    "1.27.3" => 26,
                    _ => v.split('.').nth(1).unwrap().parse::<u32>().unwrap(),
                }
            )
        );
    }
}

#[test]
fn a_crash_while_tracing_is_placed_on_the_trace() {
    for v in VERSIONS {
        let paths = [
            artifact(v, "trace-crash.trace.out"),
            artifact(v, "trace-crash.crash.txt"),
        ];
        let loaded = load(&paths);
        let report = build_report(&loaded, GroupKeyMode::Stack);
        let trace = &report.inputs[0];
        let s = trace.trace().expect("trace read");
        assert!(
            s.events > 1000 && s.duration_ns > 1_000_000_000,
            "go{v}: {} events",
            s.events
        );
        let f = &report.findings[0];
        assert_eq!(f.kind.name(), "nil-dereference", "go{v}");
        assert_eq!(f.location.as_ref().unwrap().line, marker("trace-crash"));
        // Before 1.26 a generation has no end marker: a trace cut between
        // generations looks whole (Go's reader reads it as whole too).
        if !matches!(v, "1.26.6" | "1.27.3") {
            continue;
        }
        assert_eq!(trace.status, InputStatus::Partial, "go{v}");
        assert!(s.partial.is_some(), "go{v}");
        let on_trace = f
            .evidence
            .iter()
            .find(|e| e.source == godiag_model::Source::Trace)
            .unwrap_or_else(|| panic!("go{v}: no trace evidence"));
        assert!(
            on_trace.summary.contains("cut short by the crash"),
            "{}",
            on_trace.summary
        );
    }
}

#[test]
fn a_flight_recorder_snapshot_starts_at_a_later_generation() {
    for v in ["1.25.5", "1.26.6", "1.27.3"] {
        let data = std::fs::read(artifact(v, "trace-flight-recorder.flight.out")).unwrap();
        let (s, _, _) = godiag_trace::analysis::analyze(&data).unwrap();
        assert!(
            s.first_generation > 1,
            "go{v}: generation {}",
            s.first_generation
        );
        assert!(s.partial.is_none(), "go{v}: {:?}", s.partial);
        let loaded = load(&[artifact(v, "trace-flight-recorder.flight.out")]);
        let report = build_report(&loaded, GroupKeyMode::Stack);
        assert!(s.events > 100, "go{v}");
        // The snapshot's last seconds hold a few long waits on the marked lock; when
        // they add up to contention, that is the finding.
        for f in &report.findings {
            assert_eq!(f.kind.name(), "lock-contention", "go{v}");
            assert_eq!(
                f.location.as_ref().unwrap().line,
                marker("trace-flight-recorder")
            );
        }
        assert!(
            s.contention.iter().any(|c| c
                .stack
                .iter()
                .any(|f| f.line == u64::from(marker("trace-flight-recorder")))),
            "go{v}"
        );
    }
}

#[test]
fn traces_cut_anywhere_read_up_to_the_cut() {
    for v in ["1.22.10", "1.23.9", "1.25.5", "1.26.6"] {
        let data = std::fs::read(artifact(v, "trace-gc-heavy.trace.out")).unwrap();
        let (whole, _, _) = godiag_trace::analysis::analyze(&data).unwrap();
        let mut last_events = 0;
        for i in 1..=40u64 {
            let cut = (data.len() as u64 * i / 41) as usize;
            let (s, _, _) = godiag_trace::analysis::analyze(&data[..cut])
                .unwrap_or_else(|e| panic!("go{v} cut at {cut}: {e}"));
            let why = s
                .partial
                .as_deref()
                .unwrap_or_else(|| panic!("go{v} cut at {cut}: not partial"));
            assert!(
                s.partial_offset.unwrap() <= cut as u64,
                "go{v} {cut}: {why}"
            );
            assert!(s.events <= whole.events, "go{v} {cut}");
            assert!(
                s.events + 200 >= last_events,
                "go{v} {cut}: {} after {last_events}",
                s.events
            );
            last_events = s.events;
        }
        // Damage in the middle: an error naming the offset, never a panic.
        let mut bad = data.clone();
        for b in bad.iter_mut().skip(data.len() / 2).take(64) {
            *b = 0xff;
        }
        if let Ok((s, _, _)) = godiag_trace::analysis::analyze(&bad) {
            assert!(s.partial.is_some(), "go{v}: damage not reported");
        }
    }
    // Not a trace, and an old (v1) trace: clear errors.
    assert!(godiag_trace::analysis::analyze(b"hello").is_err());
    let v1 = std::fs::read(lab().join("artifacts/go1.21.13/profiles/trace.out")).unwrap();
    let e = godiag_trace::analysis::analyze(&v1)
        .err()
        .expect("v1 refused");
    assert!(e.message().contains("go 1.21"), "{e}");
}

/// A trace cut anywhere says nothing its whole says not: a goroutine still
/// runnable at the cut may have been run by events the cut lost, so no
/// scheduler starvation is made of it (the lab's traces, cut at 40 places,
/// give only the whole trace's own findings).
#[test]
fn a_cut_trace_invents_no_starvation() {
    let mut cuts = 0;
    for v in VERSIONS {
        for scenario in ["trace-leak", "trace-deadlock-abba", "trace-blocking-io"] {
            let path = artifact(v, &format!("{scenario}.trace.out"));
            let data = std::fs::read(&path).unwrap();
            for i in 1..=40u64 {
                let cut = (data.len() as u64 * i / 41) as usize;
                let loaded = vec![PreparedInput::from_bytes(
                    format!("{scenario}.cut{cut}"),
                    data[..cut].to_vec(),
                )];
                let report = build_report(&loaded, GroupKeyMode::Stack);
                for f in &report.findings {
                    assert_ne!(
                        f.kind.name(),
                        "scheduler-starvation",
                        "go{v} {scenario} cut at {cut}: {}",
                        f.title
                    );
                }
                cuts += 1;
            }
        }
    }
    assert!(cuts >= 600);
}

/// A trace gzipped (as people attach them to tickets) is inflated and
/// read like the trace itself.
#[test]
fn a_gzipped_trace_reads_like_the_trace() {
    use std::io::Write;
    for v in VERSIONS {
        let path = artifact(v, "trace-lock-contention.trace.out");
        let bytes = std::fs::read(&path).unwrap();
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&bytes).unwrap();
        let json = |name: &str, bytes: Vec<u8>| {
            let loaded = [PreparedInput::from_bytes(name, bytes)];
            let report = build_report(&loaded, GroupKeyMode::Stack);
            let mut json: serde_json::Value =
                serde_json::from_str(&godiag_report::render_json(&report)).unwrap();
            // Named and sized as given: the rest is the same.
            json["inputs"][0]["path"] = "trace".into();
            json["inputs"][0]["bytes"] = 0.into();
            json
        };
        assert_eq!(
            json("trace.out", bytes),
            json("trace.out.gz", gz.finish().unwrap()),
            "go{v}"
        );
    }
}
