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

/// `godiag analyze --format json PATH`, its report.
fn analyze_json_path(path: &std::path::Path) -> serde_json::Value {
    let out = godiag()
        .args(["analyze", "--format", "json"])
        .arg(path)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
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

/// A path that cannot be read among others is reported with why (a
/// missing file, a dangling link in a bundle), and the rest is diagnosed;
/// with nothing readable, the error names each path. Tools given the wrong
/// kind of input say what it is.
#[test]
fn unreadable_paths_among_others() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("unreadable-paths");
    let _ = std::fs::remove_dir_all(&dir);
    let bundle = dir.join("bundle");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::create_dir_all(dir.join("empty")).unwrap();
    std::fs::write(bundle.join("crash.txt"), CRASH).unwrap();
    std::os::unix::fs::symlink("/nonexistent/prog", bundle.join("prog")).unwrap();
    std::os::unix::fs::symlink(bundle.join("crash.txt"), bundle.join("linked.txt")).unwrap();

    let out = godiag()
        .args(["analyze", "--format", "json", "/nonexistent/crash.txt"])
        .arg(&bundle)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["findings"][0]["kind"], "user-panic");
    let inputs = report["inputs"].as_array().unwrap();
    let input = |end: &str| {
        inputs
            .iter()
            .find(|i| i["path"].as_str().unwrap().ends_with(end))
            .unwrap_or_else(|| panic!("{end} in {inputs:?}"))
    };
    assert_eq!(input("/nonexistent/crash.txt")["status"], "unrecognized");
    assert!(input("/nonexistent/crash.txt")["warnings"][0]
        .as_str()
        .unwrap()
        .starts_with("cannot read it: "));
    assert_eq!(
        input("/prog")["warnings"][0],
        "cannot read it: a link to /nonexistent/prog, which does not exist"
    );
    // A link to a file is followed.
    assert_eq!(input("/linked.txt")["kind"], "crash-text");

    for (path, says) in [
        (
            dir.join("empty"),
            "a directory with no files to analyse in it",
        ),
        (dir.join("missing.txt"), "cannot read it: "),
    ] {
        let out = godiag().arg("analyze").arg(&path).output().unwrap();
        assert_eq!(out.status.code(), Some(3));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(
            err.contains("nothing to analyse: ")
                && err.contains(&*path.to_string_lossy())
                && err.contains(says),
            "{err}"
        );
    }

    // Another language's program is not a damaged Go one.
    let ls = analyze_json_path(std::path::Path::new("/bin/ls"));
    assert_eq!(ls["inputs"][0]["status"], "unrecognized", "{ls}");
    assert!(ls["inputs"][0]["warnings"][0]
        .as_str()
        .unwrap()
        .starts_with("an ELF executable not built by Go"));

    let out = godiag()
        .args(["flamegraph", "-o", "-"])
        .arg(bundle.join("crash.txt"))
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("not a pprof profile: it reads as crash-text"),
        "{err}"
    );
}

/// Reports saved beside their inputs are not read as evidence again, and a
/// report is never written over one of its inputs.
#[test]
fn own_reports_beside_the_inputs() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("own-reports");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/leak-bundle");
    for entry in std::fs::read_dir(example).unwrap() {
        let entry = entry.unwrap();
        std::fs::copy(entry.path(), dir.join(entry.file_name())).unwrap();
    }
    let before = analyze_json_path(&dir);
    for (format, name) in [
        ("html", "report.html"),
        ("markdown", "report.md"),
        ("json", "report.json"),
    ] {
        let out = godiag()
            .args(["analyze", "--format", format, "-o"])
            .arg(dir.join(name))
            .arg(&dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}");
    }
    let after = analyze_json_path(&dir);
    assert_eq!(after["findings"], before["findings"]);
    for input in after["inputs"].as_array().unwrap() {
        if input["path"].as_str().unwrap().contains("/report.") {
            assert_eq!(input["status"], "unrecognized", "{input}");
        }
    }
    let crash = dir.join("crash.txt");
    std::fs::write(&crash, CRASH).unwrap();
    let out = godiag()
        .args(["analyze", "-o"])
        .arg(&crash)
        .arg(&crash)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&crash).unwrap(), CRASH);
    let out = godiag()
        .arg("analyze")
        .arg(&crash)
        .arg(dir.join("missing.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.txt: cannot read it: "));
}

/// `explain` knows the runtime's signal lines, and reads what its catalog
/// lacks as pasted text.
#[test]
fn explain_signals_and_kills() {
    for (query, starts) in [
        ("SIGSEGV", "SIGSEGV: segmentation violation"),
        ("SIGABRT: abort", "SIGABRT: abort"),
        (
            "signal: killed",
            "\"signal: killed\": the process was killed by SIGKILL",
        ),
        (
            "OOMKilled",
            "\"OOMKilled\", read as pasted text: out of memory",
        ),
        (
            "exit status 137",
            "\"exit status 137\": the process was killed by SIGKILL",
        ),
        (
            "SIGKILL",
            "\"SIGKILL\": the process was killed by SIGKILL",
        ),
        (
            "signal: aborted (core dumped)",
            "\"signal: aborted (core dumped)\": the program ended by SIGABRT",
        ),
        (
            "SIGTERM",
            "\"SIGTERM\": SIGTERM (status 143, `signal: terminated`) asks the program to stop; it is no failure.",
        ),
        (
            "exit status 143",
            "\"exit status 143\": SIGTERM (status 143",
        ),
        (
            "exited with code 2",
            "\"exited with code 2\": the program exited with status 2 and the input holds no report of why: exit status 2 and no Go output: the Go runtime's status after a panic or a fatal error",
        ),
        ("exit status 66", "\"exit status 66\": status 66 is the race detector's"),
        ("exit status 1", "\"exit status 1\": status 1 is the program's own"),
        ("SIGPIPE", "\"SIGPIPE\": SIGPIPE (status 141, `signal: broken pipe`) ends a Go program that writes to a closed standard output"),
        (
            "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x49e480]",
            "\"[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x49e480]\", read as pasted text: nil pointer dereference",
        ),
    ] {
        let out = godiag().args(["explain", query]).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{query}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.starts_with(starts), "{query}: {text}");
    }
}

/// `run` of a program that cannot be started leaves no bundle behind.
#[test]
fn run_that_cannot_start_leaves_nothing() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("run-cannot-start");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = godiag()
        .current_dir(&dir)
        .args(["run", "--", "/nonexistent/program"])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0));
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "{:?}", out);
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

/// `godiag export` of lab traces: a Perfetto timeline with the Ps and the goroutines
/// that ran on them, the GC's mark phases and stop-the-world windows, user tasks, and
/// the end of a trace a crash cut short; and a blocking profile `go tool pprof` reads.
#[test]
fn export_of_lab_traces() {
    let lab = concat!(env!("CARGO_MANIFEST_DIR"), "/../../lab/artifacts/go1.26.6/");
    let tmp = std::env::temp_dir().join(format!("godiag-export-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let export = |trace: &str, extra: &[&str], out: &str| -> std::path::PathBuf {
        let path = tmp.join(out);
        let r = godiag()
            .arg("export")
            .arg(format!("{lab}{trace}"))
            .args(extra)
            .arg("-o")
            .arg(&path)
            .output()
            .unwrap();
        assert_eq!(
            r.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&r.stderr)
        );
        path
    };
    let events = |path: &std::path::Path| -> Vec<serde_json::Value> {
        let v: serde_json::Value =
            serde_json::from_slice(&std::fs::read(path).unwrap()).expect("valid JSON");
        v["traceEvents"].as_array().expect("traceEvents").clone()
    };
    let named = |evs: &[serde_json::Value], ph: &str, prefix: &str| {
        evs.iter()
            .filter(|e| e["ph"] == ph && e["name"].as_str().is_some_and(|n| n.starts_with(prefix)))
            .count()
    };

    let gc = events(&export(
        "trace-gc-heavy.trace.out",
        &["--format", "perfetto"],
        "gc.json",
    ));
    let summary = {
        let data = std::fs::read(format!("{lab}trace-gc-heavy.trace.out")).unwrap();
        godiag_trace::analysis::analyze(&data).unwrap().0
    };
    assert_eq!(named(&gc, "X", "GC mark") as u64, summary.gc.cycles);
    assert_eq!(named(&gc, "X", "STW (") as u64, summary.gc.stw_count);
    assert!(named(&gc, "X", "G") > 100, "goroutine slices on the Ps");
    assert!(named(&gc, "M", "thread_name") >= 2, "one track per P");
    assert!(gc
        .iter()
        .any(|e| e["ph"] == "C" && e["name"] == "heap in use"));

    let tasks = events(&export(
        "trace-annotations.trace.out",
        &["--format", "perfetto"],
        "t.json",
    ));
    assert_eq!(named(&tasks, "b", "request"), 10);
    assert_eq!(named(&tasks, "e", "request"), 10);

    let crash = events(&export(
        "trace-crash.trace.out",
        &["--format", "perfetto"],
        "c.json",
    ));
    assert_eq!(named(&crash, "i", "trace ends early"), 1);

    let pprof = export(
        "trace-lock-contention.trace.out",
        &["--format", "pprof", "--profile", "sync"],
        "sync.pb.gz",
    );
    let p = godiag_pprof::read(&std::fs::read(&pprof).unwrap()).expect("a profile");
    let names: Vec<&str> = p.sample_types().iter().map(|(t, _)| *t).collect();
    assert_eq!(names, ["contentions", "delay"]);
    let top = p.top(1, godiag_pprof::Granularity::Function);
    assert!(
        top.iter()
            .any(|r| &*r.function == "main.(*cache).update" && r.cum > 1_000_000_000),
        "over a second of waiting under main.(*cache).update"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Endless standard input (`< /dev/zero`) ends at once with an error that
/// names the limit and what to do, instead of reading for ever.
#[test]
fn endless_stdin_ends_with_a_clear_error() {
    let out = godiag()
        .args(["analyze", "--max-stdin-mib", "8", "-"])
        .stdin(std::fs::File::open("/dev/zero").unwrap())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("standard input is larger than 8 MiB") && err.contains("give its path"),
        "{err}"
    );
}

/// A bundle packed as one archive (what `run --report` uploads) reads as
/// its directory: the same finding, the manifest's capture time.
#[test]
fn bundle_archive_reads_as_its_directory() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("cli-archive");
    let _ = std::fs::remove_dir_all(&dir);
    let bundle = dir.join("godiag-run-1");
    std::fs::create_dir_all(&bundle).unwrap();
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../lab/artifacts/go1.24.11/nil-deref.txt"
        ),
        bundle.join("stderr.txt"),
    )
    .unwrap();
    std::fs::write(
        bundle.join("bundle.json"),
        r#"{"schema":"godiag.bundle/v1","created_by":"run","files":[{"name":"stderr.txt","what":"crash output","captured_at":"2026-12-06T01:02:03.000Z"}]}"#,
    )
    .unwrap();
    let packed = godiag_engine::pack_bundle(&bundle, &[]).unwrap();
    let archive = dir.join("bundle.tar.gz");
    std::fs::write(&archive, packed).unwrap();
    let report = analyze_json_path(&archive);
    assert_eq!(
        report["findings"][0]["kind"], "nil-dereference",
        "{report:#}"
    );
    assert_eq!(report["inputs"][0]["path"], "stderr.txt");
    assert_eq!(
        report["inputs"][0]["captured_at"],
        "2026-12-06T01:02:03.000Z"
    );
    // The same archive on standard input.
    let out = analyze_json_stdin(&std::fs::read(&archive).unwrap());
    let piped: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(piped["findings"], report["findings"]);
    assert_eq!(piped["inputs"][0]["path"], "stderr.txt");
    // Inside a directory it is named for what it is, and not unpacked.
    let holder = dir.join("holder");
    std::fs::create_dir_all(&holder).unwrap();
    std::fs::copy(&archive, holder.join("bundle.tar.gz")).unwrap();
    let nested = analyze_json_path(&holder);
    assert_eq!(nested["inputs"][0]["kind"], "tar-archive", "{nested:#}");
    assert_eq!(nested["inputs"][0]["analysed"], false);
    let warning = nested["inputs"][0]["warnings"][0].as_str().unwrap();
    assert!(warning.contains("give it as its own path"), "{warning}");
}

/// `-o -` is standard output, as in most Unix tools, for the report and for
/// the exporters alike; no file named `-` appears.
#[test]
fn dash_output_is_standard_output() {
    let dir = std::env::temp_dir().join(format!("godiag-dash-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let input = dir.join("crash.txt");
    std::fs::write(&input, CRASH).unwrap();
    let out = godiag()
        .current_dir(&dir)
        .args(["analyze", "--format", "json", "-o", "-"])
        .arg(&input)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["kind"], "user-panic");

    let profile = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../lab/artifacts/go1.24.11/gc-heavy.cpu.pb.gz"
    );
    let svg = godiag()
        .current_dir(&dir)
        .args(["flamegraph", profile, "-o", "-"])
        .output()
        .unwrap();
    assert_eq!(svg.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&svg.stdout).contains("main.parse"));
    assert!(!dir.join("-").exists(), "no file named -");
    // A reader that stops early (`| head`) is no failure of godiag's: an
    // SVG of 125 KB, more than a pipe holds.
    let big = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../lab/artifacts/go1.24.11/cpu-hotspot.cpu.pb.gz"
    );
    let (_, out) = head_then_closed(&["flamegraph", big, "-o", "-"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The same for a trace's Perfetto JSON (2.1 MB from a 201 KB trace):
    // the closed pipe is no trace error (it was exit 3, "Broken pipe").
    let trace = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../lab/artifacts/go1.24.11/trace-crash.trace.out"
    );
    let (head, out) = head_then_closed(&["export", "--format", "perfetto", trace, "-o", "-"]);
    assert_eq!(&head[..15], b"{\"displayTimeUn");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Runs godiag writing to a pipe whose reader takes the first 16 bytes and
/// closes it (`| head -c 16`): those bytes, and how godiag ended.
fn head_then_closed(args: &[&str]) -> ([u8; 16], std::process::Output) {
    let mut child = godiag()
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 16];
    std::io::Read::read_exact(child.stdout.as_mut().unwrap(), &mut head).unwrap();
    drop(child.stdout.take());
    (head, child.wait_with_output().unwrap())
}

/// A crash log saved by Windows PowerShell 5 (`>`: UTF-16LE with a
/// byte-order mark) reads as the same text in UTF-8; an input that is no
/// Go artifact leaves nothing analysed: the report says why, the status is
/// 3.
#[test]
fn utf16_text_and_nothing_analysed() {
    let text = include_str!("../../../lab/artifacts/go1.24.11/nil-deref.txt");
    let mut utf16 = vec![0xff, 0xfe];
    for u in text.replace('\n', "\r\n").encode_utf16() {
        utf16.extend(u.to_le_bytes());
    }
    let out = analyze_json_stdin(&utf16);
    assert_eq!(out.status.code(), Some(0));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["inputs"][0]["kind"], "crash-text");
    assert_eq!(v["findings"][0]["kind"], "nil-dereference");
    assert_eq!(v["findings"][0]["location"]["function"], "main.deref");
    let out = analyze_json_stdin(b"");
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["inputs"][0]["analysed"], false);
}

/// `flamegraph` draws a `debug=1` goroutine profile, the goroutine profile
/// in text, as `go tool pprof` reads it.
#[test]
fn flamegraph_of_a_debug1_goroutine_profile() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("flame-debug1");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let svg = dir.join("g.svg");
    let out = godiag()
        .arg("flamegraph")
        .arg(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../lab/artifacts/go1.24.11/profiles/goroutine.debug1.txt"
        ))
        .arg("-o")
        .arg(&svg)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let drawn = std::fs::read_to_string(&svg).unwrap();
    assert!(
        drawn.starts_with("<?xml") && drawn.contains("goroutine profile"),
        "{}",
        &drawn[..200.min(drawn.len())]
    );
}

/// A named pipe inside a bundle is not read (reading it could wait
/// forever): it is listed as such, and the rest is diagnosed.
#[test]
fn a_fifo_in_a_bundle_is_listed_not_read() {
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("fifo-bundle");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("crash.txt"), CRASH).unwrap();
    let made = Command::new("mkfifo")
        .arg(dir.join("pipe"))
        .status()
        .unwrap();
    assert!(made.success());
    let out = godiag()
        .args(["analyze", "--format", "json"])
        .arg(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stderr).contains("pipe: not read: a named pipe (FIFO)"));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["findings"][0]["kind"], "user-panic");
}
