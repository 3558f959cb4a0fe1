//! `godiag attach PID` on real hung Go programs (lab/cmd/hang, built with
//! the toolchain scripts/test.sh installs): the AB/BA deadlock is found at
//! its two methods for plain, stripped, PIE and cgo builds, the program's
//! heartbeat goes on afterwards, `--core` writes a core that `analyze`
//! reads the same, and every refusal is a clear error: a process that exits
//! meanwhile, one already traced, one that is not Go, one godiag may not
//! trace.

mod common;

use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Builds lab/cmd/hang as `build` (plain, stripped, pie, cgo).
fn build_hang(build: &str, dir: &Path) -> PathBuf {
    let out = dir.join(format!("hang-{build}"));
    let flags: &[&str] = match build {
        "stripped" => &["-ldflags=-s -w"],
        "pie" => &["-buildmode=pie"],
        _ => &[],
    };
    let status = Command::new(common::toolchain().1)
        .current_dir(common::lab_dir())
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", if build == "cgo" { "1" } else { "0" })
        .arg("build")
        .args(flags)
        .arg("-o")
        .arg(&out)
        .arg("./cmd/hang")
        .status()
        .expect("go build runs");
    assert!(status.success(), "go build {build}");
    out
}

/// A running lab/cmd/hang: its stdout lines arrive on `lines`.
struct Hang {
    child: std::process::Child,
    lines: mpsc::Receiver<(Instant, String)>,
}

impl Hang {
    fn start(bin: &Path, args: &[&str]) -> Hang {
        let (child, lines) = common::spawn_lines(bin, args);
        let hang = Hang { child, lines };
        let ready = hang.wait_for(|l| l.starts_with("ready "), Duration::from_secs(60));
        assert!(ready.is_some(), "{} never got ready", bin.display());
        hang
    }

    fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Waits for a line that `want` accepts; `None` on timeout.
    fn wait_for(&self, want: impl Fn(&str) -> bool, timeout: Duration) -> Option<String> {
        let until = Instant::now() + timeout;
        while let Some(left) = until.checked_duration_since(Instant::now()) {
            match self.lines.recv_timeout(left) {
                Ok((_, l)) if want(&l) => return Some(l),
                Ok(_) => continue,
                Err(_) => return None,
            }
        }
        None
    }

    /// The last heartbeat number printed so far.
    fn last_beat(&self) -> u64 {
        self.lines
            .try_iter()
            .filter_map(|(_, l)| l.strip_prefix("beat ")?.parse().ok())
            .last()
            .unwrap_or(0)
    }

    fn status_field(&self, field: &str) -> String {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid()))
            .unwrap_or_default()
            .lines()
            .find_map(|l| l.strip_prefix(field).map(|v| v.trim().to_string()))
            .unwrap_or_default()
    }
}

impl Drop for Hang {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn godiag(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_godiag"))
        .args(args)
        .output()
        .unwrap()
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

/// The deadlock finding at one of the two methods, naming both.
fn assert_abba(report: &serde_json::Value, what: &str) {
    let top = &report["findings"][0];
    assert_eq!(top["kind"], "deadlock", "{what}: {:#}", report["findings"]);
    let function = top["location"]["function"].as_str().unwrap_or("");
    assert!(
        function == "main.(*ledger).transferOut" || function == "main.(*ledger).transferBack",
        "{what}: at {function}"
    );
    assert!(
        top["location"]["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("cmd/hang/main.go")),
        "{what}: {}",
        top["location"]
    );
    let title = top["title"].as_str().unwrap_or("");
    assert!(
        title.contains("transferOut") && title.contains("transferBack"),
        "{what}: {title}"
    );
    assert_eq!(top["verification"]["core"], "confirms", "{what}");
    // The cycle's two members are counted, not the thousands of parked
    // goroutines the process also holds.
    let summary = top["evidence"][0]["summary"].as_str().unwrap_or("");
    assert!(
        summary.starts_with("2 goroutines blocked on locks: "),
        "{what}: {summary}"
    );
}

#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn attach_finds_the_abba_deadlock_and_the_program_goes_on() {
    let dir = common::scratch("attach-abba");
    for build in ["plain", "stripped", "pie", "cgo"] {
        let bin = build_hang(build, &dir);
        let hang = Hang::start(&bin, &["-parked", "3000", "-beat", "10ms"]);
        let pid = hang.pid().to_string();
        let out = dir.join(format!("{build}.json"));
        let core = dir.join(format!("{build}.core"));
        let mut args = vec!["attach", &pid, "--format", "json", "-o"];
        let out_s = out.to_str().unwrap();
        args.push(out_s);
        let core_s = core.to_str().unwrap();
        if build == "plain" {
            args.extend(["--core", core_s]);
        }
        let run = godiag(&args);
        assert!(
            run.status.success(),
            "{build}: {}",
            String::from_utf8_lossy(&run.stderr)
        );
        let before = hang.last_beat();
        let report = json(&out);
        assert_abba(&report, build);
        let process = &report["inputs"][0];
        assert_eq!(process["kind"], "live-process", "{build}");
        assert!(
            process["goroutines"].as_u64().unwrap_or(0) >= 3003,
            "{build}: {}",
            process["goroutines"]
        );
        let paused = process["process"]["paused_us"].as_u64().unwrap_or(0);
        assert!(
            paused > 0 && paused < 10_000_000,
            "{build}: paused {paused} us"
        );
        assert!(process["process"]["threads"].as_u64().unwrap_or(0) >= 2);
        // Let go while the rules ran, then stopped again briefly for the
        // named goroutines' frames in full; one stop when a core is
        // written, so that core and report show one moment.
        let pauses: Vec<u64> = process["process"]["pauses_us"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_u64())
            .collect();
        assert_eq!(
            pauses.len(),
            if build == "plain" { 1 } else { 2 },
            "{build}: {pauses:?}"
        );
        assert_eq!(pauses.iter().sum::<u64>(), paused, "{build}");
        // The two goroutines of the cycle, parked, read the same both times.
        let full = process["backtraces"].as_array().unwrap();
        assert!(
            full.len() >= 2
                && full
                    .iter()
                    .all(|b| !b["frames"].as_array().unwrap().is_empty()),
            "{build}: {full:#?}"
        );
        assert!(
            process["warnings"]
                .as_array()
                .unwrap()
                .iter()
                .all(|w| !w.as_str().unwrap_or("").contains("frames in full")),
            "{build}: {}",
            process["warnings"]
        );
        // The leaked requests are found too.
        assert!(
            report["findings"].as_array().unwrap().iter().any(
                |f| f["kind"] == "goroutine-leak" && f["location"]["function"] == "main.handle"
            ),
            "{build}: {:#}",
            report["findings"]
        );
        // Let go: the heartbeat goes on, nothing traces it, it is not stopped.
        let later = hang.wait_for(
            |l| l.strip_prefix("beat ").and_then(|n| n.parse::<u64>().ok()) > Some(before + 5),
            Duration::from_secs(5),
        );
        assert!(later.is_some(), "{build}: no heartbeat after the attach");
        assert_eq!(hang.status_field("TracerPid:"), "0", "{build}");
        let state = hang.status_field("State:");
        assert!(
            !state.contains("stopped") && !state.contains("tracing"),
            "{build}: {state}"
        );
        if build == "plain" {
            let size = std::fs::metadata(&core).unwrap().len();
            assert!(size > 1 << 20, "core of {size} bytes");
            let again = dir.join("from-core.json");
            let run = godiag(&[
                "analyze",
                core_s,
                "--exe",
                bin.to_str().unwrap(),
                "--format",
                "json",
                "-o",
                again.to_str().unwrap(),
            ]);
            assert!(run.status.success());
            let from_core = json(&again);
            assert_abba(&from_core, "the core attach wrote");
            assert_eq!(from_core["inputs"][0]["kind"], "elf-core");
            assert_eq!(
                from_core["inputs"][0]["goroutines"],
                report["inputs"][0]["goroutines"]
            );
            assert!(process["process"]["core_written"]
                .as_str()
                .is_some_and(|c| c.ends_with("plain.core")));
        }
    }
}

/// The text report says how long the process was stopped.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn attach_text_report_says_the_pause() {
    let dir = common::scratch("attach-text");
    let bin = build_hang("plain", &dir);
    let hang = Hang::start(&bin, &["-parked", "100"]);
    let run = godiag(&["attach", &hang.pid().to_string()]);
    assert!(run.status.success());
    let text = String::from_utf8_lossy(&run.stdout);
    assert!(text.starts_with("ROOT CAUSE  deadlock"), "{text}");
    let line = text
        .lines()
        .find(|l| l.contains(&format!("process {} stopped", hang.pid())))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        line.contains(" ms (") && line.contains(" + ") && line.ends_with("then let go"),
        "{line}"
    );
}

#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn attach_to_a_process_killed_meanwhile_says_so() {
    let dir = common::scratch("attach-exits");
    let bin = build_hang("plain", &dir);
    // Enough goroutines that reading them takes a while.
    let mut hang = Hang::start(&bin, &["-parked", "300000"]);
    let pid = hang.pid();
    let attach = Command::new(env!("CARGO_BIN_EXE_godiag"))
        .args([
            "attach",
            &pid.to_string(),
            "--format",
            "json",
            "-o",
            "/dev/null",
        ])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Once godiag holds it, the process is killed (an OOM kill, a
    // supervisor's kill -9).
    let until = Instant::now() + Duration::from_secs(20);
    while hang.status_field("TracerPid:") == "0" && Instant::now() < until {
        std::thread::sleep(Duration::from_micros(200));
    }
    assert_ne!(
        hang.status_field("TracerPid:"),
        "0",
        "godiag never attached"
    );
    hang.child.kill().unwrap();
    let out = attach.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!("process {pid} exited while godiag was")),
        "{err}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn attach_refusals_are_clear() {
    let dir = common::scratch("attach-refusals");
    let bin = build_hang("plain", &dir);
    let hang = Hang::start(&bin, &["-parked", "10"]);
    let pid = hang.pid().to_string();

    // Another user may not trace it.
    let out = Command::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .arg(env!("CARGO_BIN_EXE_godiag"))
        .args(["attach", &pid])
        .output()
        .expect("setpriv (util-linux) runs");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!("not permitted to trace process {pid}"))
            && err.contains("run godiag as that user, or as root"),
        "{err}"
    );

    // A debugger holds it.
    let mut gdb = Command::new("gdb")
        .args(["-p", &pid, "-batch", "-nx", "-ex", "shell sleep 4"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("gdb runs");
    let until = Instant::now() + Duration::from_secs(20);
    while hang.status_field("TracerPid:") == "0" && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(10));
    }
    let tracer = hang.status_field("TracerPid:");
    assert_ne!(tracer, "0", "gdb never attached");
    let out = godiag(&["attach", &pid]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!("already traced by process {tracer} (gdb)"))
            && err.contains("detach the debugger first"),
        "{err}"
    );
    let _ = gdb.wait();
    // Once gdb has let go, godiag can attach.
    let out = godiag(&["attach", &pid, "--format", "json", "-o", "/dev/null"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    // Not a Go program.
    let mut sleep = Command::new("sleep").arg("30").spawn().unwrap();
    let out = godiag(&["attach", &sleep.id().to_string()]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains(&format!("process {} (", sleep.id())) && err.contains("is not a Go program"),
        "{err}"
    );
    let _ = sleep.kill();
    let _ = sleep.wait();

    // No such process: with the container hint.
    let out = godiag(&["attach", "2147483646"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("no process 2147483646") && err.contains("container"),
        "{err}"
    );
}

/// A program in its own PID and mount namespaces (as in a container) is
/// read from outside by its host PID, and the report says where it lives.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn attach_reads_a_program_in_other_namespaces() {
    let dir = common::scratch("attach-namespaces");
    let bin = build_hang("plain", &dir);
    let mut unshare = Command::new("unshare")
        .args(["--pid", "--mount", "--fork", "--mount-proc"])
        .arg(&bin)
        // No heartbeat: its stdout is closed once read from.
        .args(["-parked", "10", "-beat", "1h"])
        .stdout(Stdio::piped())
        .spawn()
        .expect("unshare (util-linux) runs");
    let mut line = String::new();
    std::io::BufReader::new(unshare.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // Inside, it is PID 1.
    assert_eq!(line.trim(), "ready 1");
    let children = std::fs::read_to_string(format!(
        "/proc/{}/task/{}/children",
        unshare.id(),
        unshare.id()
    ))
    .unwrap();
    let host_pid = children.split_whitespace().next().unwrap().to_string();
    let out = dir.join("ns.json");
    let run = godiag(&[
        "attach",
        &host_pid,
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    let _ = unshare.kill();
    let _ = Command::new("kill").arg(&host_pid).status();
    let _ = unshare.wait();
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let report = json(&out);
    assert_abba(&report, "in other namespaces");
    assert!(
        report["inputs"][0]["warnings"]
            .to_string()
            .contains("in another pid and mnt namespace (a container)"),
        "{}",
        report["inputs"][0]
    );
}

/// What a user sees of the diagnosis of the hung program: the top finding,
/// its place and its verification (paths cut to the lab's, addresses and
/// timings left out).
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn attach_finding_snapshot() {
    let dir = common::scratch("attach-snapshot");
    let bin = build_hang("plain", &dir);
    let hang = Hang::start(&bin, &["-parked", "100"]);
    let out = dir.join("snap.json");
    let run = godiag(&[
        "attach",
        &hang.pid().to_string(),
        "--format",
        "json",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(run.status.success());
    let report = json(&out);
    let lab_path = |p: &serde_json::Value| {
        let p = p.as_str().unwrap_or("");
        p.find("lab/").map_or(p, |i| &p[i..]).to_string()
    };
    let lines: Vec<String> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            format!(
                "{} ({}) {}\n  at {} {}:{}\n  verification {}",
                f["kind"].as_str().unwrap_or(""),
                f["confidence"].as_str().unwrap_or(""),
                f["title"].as_str().unwrap_or(""),
                f["location"]["function"].as_str().unwrap_or(""),
                lab_path(&f["location"]["file"]),
                f["location"]["line"],
                f["verification"]
            )
        })
        .collect();
    insta::assert_snapshot!(goroutine_ids_out(&lines.join("\n")));
}

/// Goroutine ids in `goroutines 4 and 5` depend on what the runtime started
/// first, and the total in `100 of 110 goroutines` on how many GC workers
/// it started (one per P); they are written `N`.
fn goroutine_ids_out(text: &str) -> String {
    let text = total_out(text);
    let mut out = String::new();
    let mut rest = text.as_str();
    while let Some(i) = rest.find("goroutines ") {
        let (head, tail) = rest.split_at(i + "goroutines ".len());
        out.push_str(head);
        let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && tail[digits..].starts_with(" and ") {
            let after = &tail[digits + 5..];
            let more = after.len() - after.trim_start_matches(|c: char| c.is_ascii_digit()).len();
            out.push_str("N and N");
            rest = &after[more..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

fn total_out(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find(" of ") {
        let (head, tail) = rest.split_at(i + " of ".len());
        out.push_str(head);
        let digits = tail.len() - tail.trim_start_matches(|c: char| c.is_ascii_digit()).len();
        if digits > 0 && tail[digits..].starts_with(" goroutines") {
            out.push('N');
            rest = &tail[digits..];
        } else {
            rest = tail;
        }
    }
    out.push_str(rest);
    out
}

/// `godiag run --timeout` on a program that hangs: past the timeout godiag
/// sends it SIGQUIT, the runtime prints every goroutine and aborts with a
/// core (GOTRACEBACK=crash), and the bundle's report finds the AB/BA
/// deadlock. SIGTERM to godiag does the same at once (`timeout`, service
/// managers), and godiag outlives it to write the bundle.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn run_stops_a_hung_program_for_its_dump() {
    let dir = std::env::temp_dir().join(format!("godiag-run-hang-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let hang = build_hang("plain", &dir);
    let godiag = env!("CARGO_BIN_EXE_godiag");
    let started = Instant::now();
    let out = Command::new(godiag)
        .current_dir(&dir)
        .args([
            "run",
            "--timeout",
            "2",
            "--out",
            "timeout",
            "--format",
            "json",
            "-o",
            "timeout.json",
            "--",
        ])
        .arg(&hang)
        .args(["-parked", "100"])
        .output()
        .unwrap();
    assert!(started.elapsed() < Duration::from_secs(60));
    // The runtime's abort after its dump, as a shell reports it.
    assert_eq!(
        out.status.code(),
        Some(134),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("ran past --timeout"), "{stderr}");
    assert!(stderr.contains("SIGQUIT: quit"), "{stderr}");
    for f in ["stderr.txt", "core", "bundle.json"] {
        assert!(dir.join("timeout").join(f).is_file(), "{f} kept");
    }
    // The program's own stdout goes through; the report to its file.
    assert_abba(&json(&dir.join("timeout.json")), "run --timeout");

    // SIGTERM to godiag: the same dump, now.
    let child = Command::new(godiag)
        .current_dir(&dir)
        .args([
            "run",
            "--out",
            "term",
            "--format",
            "json",
            "-o",
            "term.json",
            "--",
        ])
        .arg(&hang)
        .args(["-parked", "100"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(term.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(134));
    assert_abba(&json(&dir.join("term.json")), "run, then SIGTERM");
    let _ = std::fs::remove_dir_all(&dir);
}
