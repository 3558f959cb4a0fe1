//! What users see, reviewed as diffs: the text report of every lab artifact of
//! Go 1.24.11 and 1.27.3 (crash texts and execution traces), and the JSON report of a few.

use std::path::Path;

use godiag::{build_report, PreparedInput};
use godiag_model::GroupKeyMode;
use godiag_report::{render_json, render_text, TextOptions};

fn artifacts(version: &str) -> Vec<(String, Vec<u8>)> {
    artifacts_with(version, "txt")
}

fn artifacts_with(version: &str, extension: &str) -> Vec<(String, Vec<u8>)> {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../../lab/artifacts/go{version}"));
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("lab artifacts")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == extension))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

/// One snapshot per artifact (insta's `glob!`): every artifact is checked
/// and every difference reported, one failure does not hide the rest.
fn snapshot_artifacts(pattern: &str, name: &'static str, extension: &str) {
    insta::glob!("../../../lab/artifacts", pattern, |path| {
        let version = path
            .parent()
            .and_then(|d| d.file_name())
            .map(|d| d.to_string_lossy().into_owned())
            .unwrap_or_default();
        let file = path
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Named by file, so the snapshot does not depend on where the repository is.
        let loaded = PreparedInput::from_bytes(file.clone(), std::fs::read(path).unwrap());
        let report = build_report(std::slice::from_ref(&loaded), GroupKeyMode::Stack);
        let text = render_text(&report, TextOptions::default());
        let stem = file.trim_end_matches(extension);
        insta::with_settings!({ snapshot_suffix => format!("{version}-{stem}"), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!(name, text);
        });
    });
}

#[test]
fn text_reports() {
    snapshot_artifacts("go{1.24.11,1.27.3}/*.txt", "text", ".txt");
}

#[test]
fn trace_text_reports() {
    snapshot_artifacts("go{1.24.11,1.27.3}/*.out", "trace", ".out");
}

#[test]
fn json_reports() {
    for name in [
        "fatal-in-defer-after-segv.txt",
        "map-concurrent-writes.txt",
        "data-race.txt",
        "stack-overflow-stringer.txt",
        "labels.txt",
        "sigquit.txt",
    ] {
        let (_, bytes) = artifacts("1.24.11")
            .into_iter()
            .find(|(n, _)| n == name)
            .unwrap();
        let loaded = PreparedInput::from_bytes(name.to_string(), bytes);
        let report = build_report(std::slice::from_ref(&loaded), GroupKeyMode::Stack);
        let json: serde_json::Value = serde_json::from_str(&render_json(&report)).unwrap();
        insta::with_settings!({ snapshot_suffix => format!("go1.24.11-{}", name.trim_end_matches(".txt")), prepend_module_to_snapshot => false }, {
            insta::assert_json_snapshot!("json", json);
        });
    }
}

#[test]
fn profile_bundle_reports() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/artifacts/go1.24.11");
    for scenario in [
        "heap-leak",
        "cpu-hotspot",
        "mutex-contention",
        "channel-blocking",
        "gc-heavy",
        "goroutine-leak-profile",
    ] {
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with(&format!("{scenario}."))
            })
            .collect();
        files.sort();
        let loaded: Vec<PreparedInput> = files
            .iter()
            .map(|p| {
                PreparedInput::from_bytes(
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(p).unwrap(),
                )
            })
            .collect();
        let report = build_report(&loaded, GroupKeyMode::Stack);
        let text = render_text(&report, TextOptions::default());
        insta::with_settings!({ snapshot_suffix => format!("go1.24.11-{scenario}-bundle"), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("text", text);
        });
    }
}

#[test]
fn markdown_reports() {
    for (name, files) in [
        (
            "crash-bundle",
            vec!["go1.25.5/fatal-in-defer-after-segv.txt"],
        ),
        (
            "leak-dumps",
            vec![
                "go1.24.11/goroutine-leak.debug2-1.txt",
                "go1.24.11/goroutine-leak.debug2-2.txt",
            ],
        ),
        (
            "heap-leak",
            vec![
                "go1.24.11/heap-leak.heap-1.pb.gz",
                "go1.24.11/heap-leak.heap-3.pb.gz",
            ],
        ),
    ] {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/artifacts");
        let loaded: Vec<PreparedInput> = files
            .iter()
            .map(|f| PreparedInput::from_bytes(f.to_string(), std::fs::read(root.join(f)).unwrap()))
            .collect();
        let report = build_report(&loaded, GroupKeyMode::Stack);
        let md = godiag_report::render_markdown(&report);
        insta::with_settings!({ snapshot_suffix => name.to_string(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("markdown", md);
        });
    }
}

/// `bt full` as users read it: the frames in full of the AB/BA core's
/// cycle and victim (the committed Go 1.27.3 core).
#[test]
fn core_full_frames_text() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/cores/go1.27.3");
    let gunzip = |name: &str| {
        use std::io::Read;
        let mut out = Vec::new();
        flate2::read::GzDecoder::new(std::fs::File::open(dir.join(name)).unwrap())
            .read_to_end(&mut out)
            .unwrap();
        out
    };
    let loaded = vec![
        PreparedInput::from_bytes(
            "deadlock-abba.core".to_string(),
            gunzip("deadlock-abba.plain.core.gz"),
        ),
        PreparedInput::from_bytes(
            "deadlock-abba".to_string(),
            gunzip("deadlock-abba.plain.exe.gz"),
        ),
    ];
    let report = build_report(&loaded, GroupKeyMode::Stack);
    let text = render_text(&report, TextOptions::default());
    let full = text
        .split("\nFRAMES IN FULL")
        .nth(1)
        .and_then(|s| s.split("\nGOROUTINES").next())
        .expect("a FRAMES IN FULL section");
    insta::assert_snapshot!("core_full_frames", format!("FRAMES IN FULL{full}"));
}

/// What a user sees when the Go runtime's report is missing and only the
/// process's end is pasted: the corpus's copies of a kernel OOM kill
/// (thanos-io/thanos#6748), a `systemctl status` tail of a dump
/// (cblomart/zwaymqtt#9) and `go build`'s compiler killed
/// (eclipse-archived/codewind#189).
#[test]
fn process_end_text_reports() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../testdata/realworld");
    for (name, file) in [
        ("oom-kill", "thanos-io-thanos-6748-compactor-oom-kill.txt"),
        (
            "dump-tail-exit-2",
            "cblomart-zwaymqtt-9-systemctl-status-tail-only.txt",
        ),
        (
            "compiler-killed",
            "eclipse-archived-codewind-189-jenkins-compile-signal-killed.txt",
        ),
    ] {
        let loaded =
            PreparedInput::from_bytes(file.to_string(), std::fs::read(corpus.join(file)).unwrap());
        let report = build_report(std::slice::from_ref(&loaded), GroupKeyMode::Stack);
        let text = render_text(&report, TextOptions::default());
        insta::with_settings!({ snapshot_suffix => name.to_string(), prepend_module_to_snapshot => false }, {
            insta::assert_snapshot!("process-end", text);
        });
    }
}
