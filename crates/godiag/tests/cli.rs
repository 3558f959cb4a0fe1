//! The command line as a user runs it: exit codes, stdin, `-o`, formats.

use std::io::Write;
use std::process::{Command, Stdio};

fn godiag() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_godiag"));
    c.env_remove("NO_COLOR");
    c
}

/// `godiag analyze --format json -` with `input` on stdin.
fn analyze_json_stdin(input: &[u8]) -> std::process::Output {
    let mut child = godiag()
        .args(["analyze", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

const CRASH: &str =
    "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/app/main.go:3 +0x1d\nexit status 2\n";

#[test]
fn exit_codes() {
    let ok = godiag()
        .args(["analyze", "--format", "json"])
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../examples/crash-bundle"
        ))
        .output()
        .unwrap();
    assert_eq!(ok.status.code(), Some(0));
    let missing = godiag()
        .args(["analyze", "/nonexistent/crash.txt"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/crash.txt"));
    let usage = godiag()
        .args(["analyze", "--format", "yaml", "x"])
        .output()
        .unwrap();
    assert_eq!(usage.status.code(), Some(2));
    let none = godiag().args(["analyze"]).output().unwrap();
    assert_eq!(none.status.code(), Some(2));
    let unknown = godiag()
        .args(["explain", "zzzz-not-a-thing"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(4));
    let help = godiag().args(["--help"]).output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for code in ["0 ", "1 ", "2 ", "3 ", "4 "] {
        assert!(
            help.contains(&format!("  {code}")),
            "--help documents exit status {code}"
        );
    }
}

#[test]
fn stdin_json_and_output_file() {
    let out = analyze_json_stdin(CRASH.as_bytes());
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], "godiag.report/v1");
    assert_eq!(v["inputs"][0]["path"], "-");
    assert_eq!(v["inputs"][0]["kind"], "crash-text");
    assert_eq!(v["inputs"][0]["status"], "parsed");
    assert_eq!(v["inputs"][0]["goroutines"], 1);
    assert_eq!(v["findings"][0]["kind"], "user-panic");
    assert_eq!(v["findings"][0]["location"]["line"], 3);
    assert_eq!(v["findings"][0]["verification"]["crash"], "confirms");

    let dir = std::env::temp_dir().join(format!("godiag-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("renamed.bin");
    std::fs::write(&input, CRASH).unwrap();
    let report = dir.join("report.txt");
    let out = godiag()
        .arg("analyze")
        .arg(&input)
        .arg("-o")
        .arg(&report)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(&report).unwrap();
    assert!(text.starts_with("ROOT CAUSE  user-panic"), "{text}");
    assert!(!text.contains('\x1b'), "no colour in a file");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn cut_input_is_partial_with_the_offset() {
    let cut = &CRASH[..CRASH.len() - 20];
    let out = analyze_json_stdin(cut.as_bytes());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["inputs"][0]["status"], "partial");
    let w = v["inputs"][0]["warnings"][0].as_str().unwrap();
    assert!(w.contains("byte"), "{w}");
}

#[test]
fn flamegraph_of_a_lab_profile() {
    let profile = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../lab/artifacts/go1.24.11/gc-heavy.cpu.pb.gz"
    );
    let out = std::env::temp_dir().join(format!("godiag-fg-{}.svg", std::process::id()));
    let r = godiag()
        .args(["flamegraph", profile, "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let svg = std::fs::read_to_string(&out).unwrap();
    assert!(svg.starts_with("<?xml") && svg.contains("<svg"));
    assert!(svg.contains("main.parse"), "the hot function is drawn");
    let r = godiag()
        .args(["flamegraph", profile, "--sample-type", "nope", "-o"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("no sample type"));
    let _ = std::fs::remove_file(&out);
}

#[test]
fn container_log_prefixes_are_understood() {
    // `kubectl logs` of a CRI runtime's log file: every line prefixed.
    let lab = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../lab/artifacts/go1.24.11/map-concurrent-writes.txt"
    );
    let text = std::fs::read_to_string(lab).unwrap();
    let prefixed: String = text
        .lines()
        .map(|l| format!("2026-11-27T09:00:00.123456789Z stderr F {l}\n"))
        .collect();
    let out = analyze_json_stdin(prefixed.as_bytes());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["inputs"][0]["kind"], "crash-text");
    assert_eq!(v["findings"][0]["kind"], "concurrent-map-access");
    assert_eq!(v["findings"][0]["location"]["function"], "main.writer");
}
