//! Every artifact kind is recognised by content on bytes the Go runtime wrote
//! (`lab/artifacts/go<VER>/profiles/`, made by `lab/cmd/profiles`), whatever
//! the file is called; kinds without a reader yet are listed, never dropped.

use std::path::Path;

use godiag::{build_report, load_inputs, PreparedInput};
use godiag_model::{GroupKeyMode, InputKind, InputStatus};

const VERSIONS: [&str; 7] = [
    "1.21.13", "1.22.10", "1.23.9", "1.24.11", "1.25.5", "1.26.6", "1.27.3",
];

fn expected(file: &str) -> (InputKind, bool) {
    match file {
        "cpu.pb.gz" | "heap.pb.gz" | "goroutine.pb.gz" => (InputKind::PprofProto, true),
        "heap.pb" => (InputKind::PprofProto, false),
        "trace.out" => (InputKind::ExecutionTrace, false),
        "goroutine.debug1.txt" => (InputKind::GoroutineCountDump, false),
        f if f.ends_with(".debug1.txt") => (InputKind::PprofText, false),
        other => panic!("unexpected lab profile artifact {other}"),
    }
}

#[test]
fn profiles_and_traces_of_every_version_are_recognised() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/artifacts");
    for v in VERSIONS {
        let dir = root.join(format!("go{v}/profiles"));
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        assert_eq!(files.len(), 10, "go{v}: {files:?}");
        // As a bundle (a directory), and each under a name that says nothing.
        let loaded = load_inputs(std::slice::from_ref(&dir)).unwrap();
        let report = build_report(&loaded, GroupKeyMode::Stack);
        assert_eq!(report.inputs.len(), files.len());
        for (input, path) in report.inputs.iter().zip(&files) {
            let name = path.file_name().unwrap().to_str().unwrap();
            let (kind, gzipped) = expected(name);
            assert_eq!(input.kind, kind, "go{v} {name}");
            let renamed = PreparedInput::from_bytes("artifact", std::fs::read(path).unwrap());
            assert_eq!(renamed.sniffed.kind, kind, "go{v} {name} renamed");
            assert_eq!(renamed.sniffed.gzipped, gzipped, "go{v} {name}");
            if kind == InputKind::ExecutionTrace {
                // The header names the wire format: 1.22, 1.23 (Go 1.23–1.24),
                // 1.25, 1.26 (Go 1.26–1.27); Go 1.21 wrote the old 1.21 format.
                let minor: u32 = v.split('.').nth(1).unwrap().parse().unwrap();
                let wire: u32 = input
                    .go_version_at_least
                    .as_deref()
                    .and_then(|w| w.split('.').nth(1))
                    .and_then(|m| m.parse().ok())
                    .unwrap_or_else(|| panic!("go{v}: no trace version"));
                assert!(
                    wire <= minor && minor - wire <= 1,
                    "go{v}: trace says 1.{wire}"
                );
            }
            if matches!(kind, InputKind::PprofProto | InputKind::PprofText) {
                assert_eq!(
                    input.status,
                    InputStatus::Parsed,
                    "go{v} {name}: {:?}",
                    input.warnings
                );
                let p = input.profile().expect("profile read");
                assert!(p.total(p.default_sample_index()) >= 0);
                assert!(!p.raw.sample_type.is_empty(), "go{v} {name}");
            }
            if !kind.is_analysed() {
                assert_eq!(input.status, InputStatus::Partial, "go{v} {name}");
                assert!(!input.analysed);
                assert!(
                    input
                        .warnings
                        .iter()
                        .any(|w| w.contains("does not analyse")),
                    "go{v} {name}"
                );
            }
        }
    }
}

#[test]
fn wrong_and_empty_inputs_are_named() {
    for (bytes, why) in [
        (&b""[..], "empty"),
        (
            b"just some log line\nanother\n",
            "text without Go runtime output",
        ),
        (b"\x00\x01\x02\x03binary", "binary"),
        (b"\x1f\x8b\x08\x00garbage", "gzip"),
    ] {
        let l = PreparedInput::from_bytes("x", bytes.to_vec());
        let r = build_report(std::slice::from_ref(&l), GroupKeyMode::Stack);
        assert_eq!(r.inputs[0].kind, InputKind::Unrecognized, "{why}");
        assert_eq!(r.inputs[0].status, InputStatus::Unrecognized, "{why}");
        assert!(!r.inputs[0].warnings.is_empty(), "{why}");
    }
}
