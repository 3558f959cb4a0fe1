//! Builds and crashes lab programs with a real Go toolchain right now (through
//! `lab/regen.sh`, the script that made the committed corpus) and checks the
//! fresh artifacts exactly as the committed ones. Ignored by plain
//! `cargo test`; `scripts/test.sh` installs Go and runs it.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

/// A fresh directory for one test's builds and cores (removed by the test).
fn scratch_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("godiag-live-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A JSON file the test just had written (bundle.json).
fn read_json(path: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap()
}

/// Runs `program` (in `dir`) with `GOTRACEBACK=crash` and core dumps on; the
/// kernel writes `core` in the working directory. Returns the program's
/// stderr and the core's path.
fn crash_with_core(dir: &Path, program: &str) -> (String, PathBuf) {
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    assert!(
        !pattern.starts_with('|'),
        "core_pattern pipes cores to {pattern:?}; these tests need cores written as files"
    );
    let out = Command::new("bash")
        .current_dir(dir)
        .arg("-c")
        .arg(format!(
            "ulimit -c unlimited; GOTRACEBACK=crash ./{program}"
        ))
        .output()
        .expect("bash runs");
    assert!(!out.status.success(), "{program} did not crash");
    let core = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("core"))
        .expect("a core file was written");
    (String::from_utf8_lossy(&out.stderr).into_owned(), core)
}

/// `go build [flags] -o out ./scenarios/nil-deref` in the lab, cgo off.
fn build_nil_deref(go: &Path, flags: &[&str], out: &Path) {
    build_scenario(go, "nil-deref", flags, out);
}

/// `go build [flags] -o out ./scenarios/<name>` in the lab, cgo off.
fn build_scenario(go: &Path, name: &str, flags: &[&str], out: &Path) {
    let status = Command::new(go)
        .current_dir(common::lab_dir())
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .arg("build")
        .args(flags)
        .arg("-o")
        .arg(out)
        .arg(format!("./scenarios/{name}"))
        .status()
        .expect("go build runs");
    assert!(status.success(), "go build {flags:?}");
}

/// A lab service, killed however the test ends.
struct Service {
    child: std::process::Child,
    /// The URLs it announced ("listening on <url>"), in order.
    urls: Vec<String>,
}

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `bin` with `env` and waits for its first `listeners` announcements.
fn start_service(bin: &Path, env: &[(&str, &str)], listeners: usize) -> Service {
    use std::io::BufRead;
    let mut child = Command::new(bin)
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut service = Service {
        child,
        urls: Vec::new(),
    };
    for line in std::io::BufReader::new(stdout).lines().take(listeners) {
        let line = line.unwrap();
        let url = line.trim().strip_prefix("listening on ").unwrap();
        service.urls.push(url.to_string());
    }
    assert_eq!(service.urls.len(), listeners, "{:?}", service.urls);
    service
}

#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn regenerated_artifacts_match_the_manifest() {
    let (version, _go) = common::toolchain();
    let lab = common::lab_dir();
    let out = std::env::temp_dir().join(format!("godiag-live-lab-{}", std::process::id()));
    let scenarios = "nil-deref bad-address map-read-write deadlock-mutex stack-overflow-stringer \
                     panic-repanic fatal-in-defer-after-segv goroutine-leak sigquit data-race cgo-crash";
    let status = Command::new("bash")
        .arg(lab.join("regen.sh"))
        .arg(&version)
        .env("LAB_OUT", &out)
        .env("LAB_SCENARIOS", scenarios)
        .status()
        .expect("lab/regen.sh runs");
    assert!(status.success(), "lab/regen.sh failed: {status}");
    let (checked, failures) = common::check_corpus(&out);
    let _ = std::fs::remove_dir_all(&out);
    assert!(checked >= 14, "only {checked} artifacts regenerated");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Executables (plain, stripped, PIE) and a kernel core dump made right now
/// are recognised, with the Go version read from the build info.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn executables_and_cores_are_recognised() {
    use godiag::PreparedInput;
    use godiag_model::InputKind;

    let (version, go) = common::toolchain();
    let tmp = scratch_dir("exe");
    for (name, flags) in [
        ("plain", vec![]),
        ("stripped", vec!["-ldflags=-s -w"]),
        ("pie", vec!["-buildmode=pie"]),
    ] {
        let out = tmp.join(name);
        build_nil_deref(&go, &flags, &out);
        let l = PreparedInput::from_bytes(name, std::fs::read(&out).unwrap());
        assert_eq!(l.sniffed.kind, InputKind::ElfExecutable, "{name}");
        assert_eq!(
            l.sniffed.go_version.as_deref(),
            Some(version.as_str()),
            "{name}"
        );
    }
    // GOTRACEBACK=crash aborts after the traceback and leaves a core.
    let (_, core) = crash_with_core(&tmp, "plain");
    let l = PreparedInput::from_bytes("core", std::fs::read(&core).unwrap());
    assert_eq!(l.sniffed.kind, InputKind::ElfCore);
    let _ = std::fs::remove_dir_all(&tmp);
}

/// The executable reader against the runtime itself: every physical frame of
/// a `GOTRACEBACK=system` crash (which prints `pc=`) resolves, with its
/// inlined callees, to exactly the functions and lines the runtime printed;
/// for plain, stripped (`-s -w`) and PIE builds.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn executable_reader_agrees_with_the_runtime_traceback() {
    let (version, go) = common::toolchain();
    let tmp = scratch_dir("pcs");
    for (name, flags) in [("plain", vec![]), ("stripped", vec!["-ldflags=-s -w"])] {
        let bin = tmp.join(name);
        build_nil_deref(&go, &flags, &bin);
        let out = Command::new(&bin)
            .env("GOTRACEBACK", "system")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stderr).into_owned();
        let t = godiag_traceback::parse(text.as_bytes());
        let data = std::fs::read(&bin).unwrap();
        let exe = godiag_exe::GoExecutable::parse(&data).expect("a Go executable");
        assert_eq!(exe.go_version.as_deref(), Some(version.as_str()));
        let mut checked = 0;
        for g in &t.goroutines {
            // Runs of frames ending at a physical frame (the one with pc=).
            let mut run: Vec<&godiag_model::Frame<'_>> = Vec::new();
            let mut prev_fn = "";
            for f in &g.frames {
                run.push(f);
                let Some(pc) = f.pc else { continue };
                // Return addresses point after the call; only the frame a
                // signal interrupted (below runtime.sigpanic) is exact.
                let exact = prev_fn == "runtime.sigpanic";
                let pc = if exact { pc.get() } else { pc.get() - 1 };
                let got: Vec<(String, i64)> = exe
                    .frames(pc)
                    .iter()
                    .map(|x| (x.function.to_string(), x.line))
                    .collect();
                let want: Vec<(String, i64)> = run
                    .iter()
                    .map(|x| {
                        // printFuncName shows runtime.gopanic as `panic`.
                        let name = if x.function == "panic" {
                            "runtime.gopanic"
                        } else {
                            x.function
                        };
                        (name.replace("[...]", ""), i64::from(x.line))
                    })
                    .collect();
                // The runtime prints generic type arguments as [...]; the table has them.
                let got_names: Vec<(String, i64)> = got
                    .iter()
                    .map(|(n, l)| (common::strip_type_args(n), *l))
                    .collect();
                assert_eq!(got_names, want, "{name}: goroutine {} at pc {pc:#x}", g.id);
                checked += 1;
                prev_fn = f.function;
                run.clear();
            }
        }
        assert!(
            checked >= 10,
            "{name}: only {checked} physical frames checked"
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// The executable reader against `go tool addr2line` on every function of
/// plain, stripped and PIE builds (entry, entry+1, +5, +17).
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn executable_reader_agrees_with_go_tool_addr2line() {
    use std::io::Write;
    let (_version, go) = common::toolchain();
    let lab = common::lab_dir();
    let tmp = scratch_dir("a2l");
    let go_cmd = || {
        let mut c = Command::new(&go);
        c.current_dir(&lab)
            .env("GOTOOLCHAIN", "local")
            .env("CGO_ENABLED", "0");
        c
    };
    for (name, flags, symbols_from) in [
        ("plain", vec![], "plain"),
        ("stripped", vec!["-ldflags=-s -w"], "plain"),
        ("pie", vec!["-buildmode=pie"], "pie"),
    ] {
        let bin = tmp.join(name);
        build_nil_deref(&go, &flags, &bin);
        // A stripped binary has no symbols to list: its code is laid out as the plain one's.
        let nm = go_cmd()
            .args(["tool", "nm"])
            .arg(tmp.join(symbols_from))
            .output()
            .unwrap();
        let mut pcs = Vec::new();
        for line in String::from_utf8_lossy(&nm.stdout).lines() {
            let parts: Vec<&str> = line.split_whitespace().collect();
            if parts.len() >= 3 && parts[1] == "T" {
                if let Ok(a) = u64::from_str_radix(parts[0], 16) {
                    pcs.extend([a, a + 1, a + 5, a + 17]);
                }
            }
        }
        assert!(pcs.len() > 1000, "{name}: {} pcs", pcs.len());
        let mut child = go_cmd()
            .args(["tool", "addr2line"])
            .arg(&bin)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let input: String = pcs.iter().map(|pc| format!("{pc:x}\n")).collect();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
        let want = String::from_utf8(child.wait_with_output().unwrap().stdout).unwrap();
        let data = std::fs::read(&bin).unwrap();
        let exe = godiag_exe::GoExecutable::parse(&data).expect("a Go executable");
        let mut got = String::new();
        for pc in &pcs {
            let frames = exe.frames(*pc);
            // addr2line prints the physical function and the innermost line.
            let func = frames.last().map_or("?", |f| f.function);
            let (file, line) = frames.first().map_or(("", 0), |f| (f.file, f.line));
            let line = if file.is_empty() { -1 } else { line };
            got.push_str(&format!("{func}\n{file}:{line}\n"));
        }
        let diffs = want
            .lines()
            .zip(got.lines())
            .filter(|(a, b)| a != b)
            .count();
        assert_eq!(
            diffs,
            0,
            "{name}: {diffs} of {} lines differ from go tool addr2line",
            want.lines().count()
        );
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Goroutines read from a kernel core dump agree with the runtime's own
/// `GOTRACEBACK=crash` output of the same crash, goroutine by goroutine:
/// id, wait state and every frame's function and line.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn core_goroutines_agree_with_the_crash_output() {
    let (_version, go) = common::toolchain();
    let tmp = scratch_dir("core");
    let bin = tmp.join("prog");
    build_nil_deref(&go, &[], &bin);
    let (text, core_path) = crash_with_core(&tmp, "prog");
    let crash = godiag_traceback::parse(text.as_bytes());
    let core_bytes = std::fs::read(&core_path).unwrap();
    let exe_bytes = std::fs::read(&bin).unwrap();
    let core = godiag_core::Core::parse(&core_bytes).expect("an ELF core");
    assert!(!core.threads.is_empty());
    let exe = godiag_exe::GoExecutable::parse(&exe_bytes).unwrap();
    let read = godiag_core::goroutines(&core.image(), &exe, &exe_bytes).expect("goroutines");
    let gs = &read.goroutines;
    // The fault is the SIGSEGV of the goroutine (not the final SIGABRT), as printed.
    let fault = read.fault.expect("the faulting goroutine was found");
    let printed = crash.crash.signal.as_ref().expect("a [signal ...] line");
    assert_eq!(
        (fault.signal, fault.addr, fault.pc),
        (11, printed.addr, printed.pc)
    );
    let mut compared = 0;
    for g in gs.iter().filter(|g| g.status != "running") {
        let Some(printed) = crash.goroutines.iter().find(|p| p.id == g.id) else {
            panic!(
                "goroutine {} [{}] of the core is not in the crash output",
                g.id, g.status
            );
        };
        assert_eq!(g.status, printed.status, "goroutine {}", g.id);
        let ours: Vec<(String, u32)> = g
            .frames
            .iter()
            .map(|f| (common::strip_type_args(f.function), f.line))
            .collect();
        let theirs: Vec<(String, u32)> = printed
            .frames
            .iter()
            .map(|f| {
                (
                    common::strip_type_args(&f.function.replace("[...]", "")),
                    f.line,
                )
            })
            .collect();
        assert_eq!(ours, theirs, "goroutine {} [{}]", g.id, g.status);
        compared += 1;
    }
    assert!(compared >= 4, "only {compared} goroutines compared");
    // The same through the pipeline, as `godiag analyze core --exe prog` runs it.
    let loaded = godiag::load_inputs(&[core_path.clone(), bin.clone()]).unwrap();
    let report = godiag::build_report(&loaded, godiag_model::GroupKeyMode::Stack);
    let input = &report.inputs[0];
    assert_eq!(input.kind, godiag_model::InputKind::ElfCore);
    assert_eq!(
        input.status,
        godiag_model::InputStatus::Parsed,
        "{:?}",
        input.warnings
    );
    assert_eq!(input.goroutine_count(), Some(gs.len() as u64));
    assert!(input
        .groups()
        .iter()
        .any(|g| g.frames.iter().any(|f| f.function == "main.park")));
    // The core alone names the fault and the line, as the crash text does;
    // together they are one finding confirmed by both.
    let top = &report.findings[0];
    assert_eq!(top.kind.name(), "nil-dereference");
    let loc = top.location.as_ref().unwrap();
    assert_eq!((loc.function.as_str(), loc.line), ("main.deref", 16));
    assert_eq!(
        top.verification.get("core"),
        Some(&godiag_analysis::Verdict::Confirms)
    );
    // The faulting instruction, disassembled, and what the address means.
    let notes = &report.inputs[0].text().unwrap().crash.fault_notes;
    assert!(
        notes
            .iter()
            .any(|n| n.starts_with("faulting instruction") && n.contains("main.deref")),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains("nil pointer")), "{notes:?}");
    std::fs::write(tmp.join("stderr.txt"), &text).unwrap();
    let loaded =
        godiag::load_inputs(&[tmp.join("stderr.txt"), core_path.clone(), bin.clone()]).unwrap();
    let report = godiag::build_report(&loaded, godiag_model::GroupKeyMode::Stack);
    let top = &report.findings[0];
    assert_eq!(top.kind.name(), "nil-dereference");
    assert_eq!(
        top.verification.get("core"),
        Some(&godiag_analysis::Verdict::Confirms)
    );
    assert_eq!(
        top.verification.get("crash"),
        Some(&godiag_analysis::Verdict::Confirms)
    );
    assert_eq!(
        report
            .findings
            .iter()
            .filter(|f| f.kind.name() == "nil-dereference")
            .count(),
        1
    );
    // A stripped executable (-s -w): no symbols, allgs is found by scanning.
    let stripped_dir = tmp.join("stripped");
    std::fs::create_dir_all(&stripped_dir).unwrap();
    let stripped = stripped_dir.join("prog");
    build_nil_deref(&go, &["-ldflags=-s -w"], &stripped);
    let (_, core2) = crash_with_core(&stripped_dir, "prog");
    let loaded = godiag::load_inputs(&[core2, stripped]).unwrap();
    let report = godiag::build_report(&loaded, godiag_model::GroupKeyMode::Stack);
    assert_eq!(
        report.inputs[0].goroutine_count(),
        Some(gs.len() as u64),
        "{:?}",
        report.inputs[0].warnings
    );
    assert!(report.inputs[0]
        .groups()
        .iter()
        .any(|g| g.status == "chan receive" && g.frames.iter().any(|f| f.function == "main.park")));
    let top = &report.findings[0];
    assert_eq!(top.kind.name(), "nil-dereference");
    assert_eq!(top.location.as_ref().map(|l| l.line), Some(16));
    let _ = std::fs::remove_dir_all(&tmp);
}

/// A deadlock's core: the only goroutine of the program blocked on a
/// channel is a deadlock on its own, and one finding with the crash text.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn core_of_a_deadlock() {
    let (_version, go) = common::toolchain();
    let tmp = scratch_dir("dl");
    let bin = tmp.join("prog");
    build_scenario(&go, "deadlock-chan", &[], &bin);
    let (stderr, core) = crash_with_core(&tmp, "prog");
    std::fs::write(tmp.join("stderr.txt"), stderr).unwrap();
    for with_text in [false, true] {
        let mut paths = vec![core.clone(), bin.clone()];
        if with_text {
            paths.push(tmp.join("stderr.txt"));
        }
        let loaded = godiag::load_inputs(&paths).unwrap();
        let report = godiag::build_report(&loaded, godiag_model::GroupKeyMode::Stack);
        let top = &report.findings[0];
        assert_eq!(top.kind.name(), "deadlock", "{}", top.title);
        let loc = top.location.as_ref().unwrap();
        assert_eq!((loc.function.as_str(), loc.line), ("main.main", 12));
        assert_eq!(
            top.verification.get("core"),
            Some(&godiag_analysis::Verdict::Confirms)
        );
        if with_text {
            assert_eq!(
                top.verification.get("crash"),
                Some(&godiag_analysis::Verdict::Confirms)
            );
            assert_eq!(
                report
                    .findings
                    .iter()
                    .filter(|f| f.kind.name() == "deadlock")
                    .count(),
                1
            );
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
}

/// The shape of a lock-and-channel deadlock that is not one (lab/cmd/
/// slowlock): a first dump alone reads as a deadlock, as its holders can
/// only be inferred; a later dump of the same process, where the named
/// goroutines moved on, contradicts it.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn a_later_dump_contradicts_a_deadlock_that_moved_on() {
    let (_version, go) = common::toolchain();
    let tmp = scratch_dir("slowlock");
    let status = Command::new(&go)
        .current_dir(common::lab_dir())
        .env("GOTOOLCHAIN", "local")
        .env("CGO_ENABLED", "0")
        .args(["run", "./cmd/slowlock"])
        .arg(&tmp)
        .status()
        .expect("go run runs");
    assert!(status.success());
    let (first, second) = (tmp.join("goroutines-1.txt"), tmp.join("goroutines-2.txt"));
    let loaded = godiag::load_inputs(std::slice::from_ref(&first)).unwrap();
    let alone = godiag::build_report(&loaded, godiag_model::GroupKeyMode::Stack);
    let top = &alone.findings[0];
    assert_eq!(top.kind.name(), "deadlock", "{}", top.title);
    assert!(!top.title.contains("contradicted"), "{}", top.title);

    let loaded = godiag::load_inputs(&[first, second]).unwrap();
    let both = godiag::build_report(&loaded, godiag_model::GroupKeyMode::Stack);
    let deadlock = both
        .findings
        .iter()
        .find(|f| f.kind.name() == "deadlock")
        .expect("the first dump's deadlock, reported");
    assert_eq!(
        deadlock.verification.get("goroutine-dump"),
        Some(&godiag_analysis::Verdict::Contradicts)
    );
    assert_eq!(deadlock.confidence, godiag_analysis::Confidence::Low);
    assert!(
        deadlock.title.ends_with("— contradicted by a later dump"),
        "{}",
        deadlock.title
    );
    let later = deadlock
        .evidence
        .iter()
        .find(|e| e.input == 1)
        .expect("evidence from the later dump");
    assert!(
        later.summary.starts_with("a later dump shows goroutine ")
            && later.summary.contains("it moved on"),
        "{}",
        later.summary
    );
    // Nothing else outranks what the first dump saw, now doubted.
    assert!(
        both.findings[0].kind.name() != "deadlock"
            || both.findings[0].confidence == godiag_analysis::Confidence::Low
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// The heap-leak scenario run with `GODEBUG=gctrace=1`: its gctrace, read
/// with its heap profiles, confirms the leak (the live heap after GC grows).
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn a_growing_live_heap_confirms_a_heap_leak() {
    let (_version, go) = common::toolchain();
    let tmp = scratch_dir("heap-gctrace");
    let bin = tmp.join("prog");
    build_scenario(&go, "heap-leak", &[], &bin);
    let out = Command::new(&bin)
        .env("LAB_FILES_DIR", &tmp)
        .env("GODEBUG", "gctrace=1")
        .output()
        .expect("the scenario runs");
    std::fs::write(tmp.join("gctrace.txt"), &out.stderr).unwrap();
    let mut paths: Vec<PathBuf> = (1..=3)
        .map(|n| tmp.join(format!("heap-{n}.pb.gz")))
        .collect();
    paths.push(tmp.join("gctrace.txt"));
    let loaded = godiag::load_inputs(&paths).unwrap();
    let report = godiag::build_report(&loaded, godiag_model::GroupKeyMode::Stack);
    let top = &report.findings[0];
    assert_eq!(top.kind.name(), "heap-leak", "{}", top.title);
    assert_eq!(
        top.verification.get("crash"),
        Some(&godiag_analysis::Verdict::Confirms),
        "{:?}",
        top.evidence.iter().map(|e| &e.summary).collect::<Vec<_>>()
    );
    assert_eq!(top.confidence, godiag_analysis::Confidence::High);
    let gctrace = top.evidence.iter().find(|e| e.input == 3).unwrap();
    assert!(
        gctrace
            .summary
            .starts_with("gctrace: the live heap after GC grew from about "),
        "{}",
        gctrace.summary
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// A profile that holds addresses only (a legacy text profile without its
/// `#` symbol lines, as old Go releases and other tools write them) is
/// symbolised from the executable given with it, and then reads exactly as
/// the runtime's own symbolised profile of the same run: the same top
/// table, row by row.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn address_only_profile_symbolised_from_the_executable() {
    let (_version, go) = common::toolchain();
    let tmp = scratch_dir("symbolize");
    let bin = tmp.join("prog");
    build_scenario(&go, "mutex-contention", &[], &bin);
    let out = Command::new(&bin)
        .current_dir(&tmp)
        .env("LAB_FILES_DIR", &tmp)
        .output()
        .expect("the scenario runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let full = std::fs::read_to_string(tmp.join("mutex.debug1.txt")).unwrap();
    let bare: String = full
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(bare.len() < full.len() / 2, "the # lines were most of it");
    std::fs::write(tmp.join("bare.txt"), &bare).unwrap();
    let top = |paths: &[PathBuf]| {
        let loaded = godiag::load_inputs(paths).unwrap();
        let report = godiag::build_report(&loaded, godiag_model::GroupKeyMode::Stack);
        let input = &report.inputs[0];
        let p = input.profile().expect("a profile");
        let rows = p.top(p.default_sample_index(), godiag_pprof::Granularity::Line);
        // The runtime's `#` lines leave out runtime.goexit; symbols from the
        // executable name it like every other frame.
        let rows: Vec<(String, i64, i64, i64)> = rows
            .into_iter()
            .filter(|r| &*r.function != "runtime.goexit")
            .map(|r| (r.function.to_string(), r.line, r.flat, r.cum))
            .collect();
        (rows, input.warnings.clone(), p.unsymbolized())
    };
    let (theirs, _, _) = top(&[tmp.join("mutex.debug1.txt")]);
    let (ours, warnings, left) = top(&[tmp.join("bare.txt"), bin.clone()]);
    assert!(theirs.len() >= 3);
    assert_eq!(ours, theirs);
    assert_eq!(left, 0);
    assert!(
        warnings
            .iter()
            .any(|w| w.contains("symbolised from the executable")),
        "{warnings:?}"
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// `godiag run`: the program's crash is kept (its output, core and
/// executable, with bundle.json) and analysed; the exit status is the
/// program's. A program that succeeds leaves nothing behind.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn run_keeps_and_analyses_a_crash() {
    let (_version, go) = common::toolchain();
    let tmp = scratch_dir("run");
    build_nil_deref(&go, &[], &tmp.join("prog"));
    let godiag = env!("CARGO_BIN_EXE_godiag");
    let out = Command::new(godiag)
        .current_dir(&tmp)
        .args(["run", "--out", "bundle", "--format", "json", "--", "./prog"])
        .output()
        .unwrap();
    // GOTRACEBACK=crash: the runtime aborts, as a shell reports it.
    assert_eq!(out.status.code(), Some(134));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("panic: runtime error: invalid memory address"),
        "{stderr}"
    );
    let bundle = tmp.join("bundle");
    for f in ["stderr.txt", "core", "prog", "bundle.json"] {
        assert!(bundle.join(f).is_file(), "{f} kept");
    }
    let meta = read_json(&bundle.join("bundle.json"));
    assert_eq!(meta["schema"], "godiag.bundle/v1");
    assert_eq!(meta["exit"]["signal"], 6);
    assert_eq!(meta["env"]["GOTRACEBACK"], "crash");
    assert_eq!(meta["failed"].as_array().map(Vec::len), Some(0));
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let top = &report["findings"][0];
    assert_eq!(top["kind"], "nil-dereference");
    assert_eq!(top["location"]["function"], "main.deref");
    assert_eq!(top["verification"]["crash"], "confirms");
    assert_eq!(top["verification"]["core"], "confirms");
    assert!(report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["status"] == "parsed"));
    // bundle.json places the run in time.
    let first = report["timeline"][0].as_str().unwrap_or("");
    assert!(
        first.starts_with("`godiag run` started ") && first.contains("with signal 6 (core dumped)"),
        "{first}"
    );

    // Under `go run`, the program's core and executable are the go
    // command's child's: said, not claimed.
    let out = Command::new(godiag)
        .current_dir(&tmp)
        .args(["run", "--out", "gorun", "--"])
        .arg(&go)
        .arg("run")
        .arg(common::lab_dir().join("scenarios/nil-deref/main.go"))
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("runs the program as its child") && stderr.contains("no core was written;"),
        "{stderr}"
    );
    let meta = read_json(&tmp.join("gorun/bundle.json"));
    // The child's core, which the kernel wrote where it ran, is not ours.
    let _ = std::fs::remove_file(tmp.join("core"));
    assert!(
        meta["failed"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["why"].as_str().unwrap_or("").contains("go build -o prog")),
        "{meta}"
    );

    // Success: the status passes through and no bundle stays.
    let out = Command::new(godiag)
        .current_dir(&tmp)
        .args(["run", "--", "true"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let left: Vec<_> = std::fs::read_dir(&tmp)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with("godiag-run-"))
        .collect();
    assert!(left.is_empty());
    // A plain error exit: kept, no core expected, nothing reported missing.
    // A `core` left there by another run, however new, is not this run's:
    // it stays where it is, out of the bundle.
    std::fs::write(tmp.join("core"), b"another run's core").unwrap();
    let out = Command::new(godiag)
        .current_dir(&tmp)
        .args(["run", "--out", "failed", "--", "false"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let meta = read_json(&tmp.join("failed/bundle.json"));
    assert_eq!(meta["exit"]["code"], 1);
    assert_eq!(meta["failed"].as_array().map(Vec::len), Some(0));
    assert!(tmp.join("core").exists());
    assert!(!tmp.join("failed/core").exists());
    let _ = std::fs::remove_dir_all(&tmp);
}

/// `godiag collect` against a leaking service started here on loopback:
/// every endpoint is captured into the bundle with bundle.json, and the
/// analysis names the leak at the marked line, confirmed by the goroutine
/// dumps, the goroutine profiles and the trace, contradicted by none. A
/// second debug=2 dump within 30 s is skipped unless asked for.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn collect_from_a_leaking_service() {
    let (_version, go) = common::toolchain();
    let tmp = scratch_dir("collect");
    let bin = tmp.join("svc");
    build_scenario(&go, "service-leak", &[], &bin);
    let svc = start_service(&bin, &[], 1);
    let url = svc.urls[0].clone();
    let godiag = env!("CARGO_BIN_EXE_godiag");
    let collect = |out: &str, extra: &[&str]| {
        Command::new(godiag)
            .current_dir(&tmp)
            .args([
                "collect",
                "--out",
                out,
                "--seconds",
                "1",
                "--snapshots",
                "2",
            ])
            .args(["--interval", "2", "--format", "json"])
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    let out = collect("bundle", &["--allow-frequent-dumps"]);
    let _ = std::fs::write(tmp.join("report.json"), &out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta = read_json(&tmp.join("bundle/bundle.json"));
    assert_eq!(meta["created_by"], "collect");
    assert_eq!(meta["failed"].as_array().map(Vec::len), Some(0), "{meta}");
    let names: Vec<&str> = meta["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    for want in [
        "goroutine-debug2-1.txt",
        "goroutine-debug2-2.txt",
        "goroutine-debug1-1.txt",
        "goroutine-1.pb.gz",
        "goroutine-2.pb.gz",
        "heap-1.pb.gz",
        "heap-2.pb.gz",
        "allocs.pb.gz",
        "mutex.pb.gz",
        "block.pb.gz",
        "cpu.pb.gz",
        "trace.out",
    ] {
        assert!(names.contains(&want), "{want} not in {names:?}");
        assert!(tmp.join("bundle").join(want).is_file());
    }
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let top = &report["findings"][0];
    assert_eq!(top["kind"], "goroutine-leak", "{top}");
    assert_eq!(top["location"]["function"], "main.lookup");
    let manifest = read_json(&common::lab_dir().join("manifest.json"));
    let marked = manifest["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "service-leak")
        .map(|s| s["location"]["line"].clone())
        .unwrap();
    assert_eq!(top["location"]["line"], marked, "the marked line");
    for source in ["goroutine-dump", "pprof", "trace"] {
        assert_eq!(top["verification"][source], "confirms", "{source}: {top}");
    }
    assert!(top["verification"]
        .as_object()
        .unwrap()
        .values()
        .all(|v| v != "contradicts"));
    // The allocs profile is the second heap profile's moment again, not a
    // third snapshot.
    for f in report["findings"].as_array().unwrap() {
        if f["kind"] == "heap-leak" {
            let evidence = f["evidence"].to_string();
            assert!(!evidence.contains("allocs.pb.gz"), "{f}");
            assert!(
                !f["title"].as_str().unwrap().contains("over 3 snapshots"),
                "{f}"
            );
        }
    }
    // bundle.json's capture times: the growth as a rate, the capture in time.
    assert!(
        top["title"].as_str().unwrap().contains(" a minute)"),
        "{}",
        top["title"]
    );
    let timeline: Vec<&str> = report["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t.as_str())
        .collect();
    assert!(
        timeline.iter().any(|t| t.starts_with("collected from http://")
            && t.contains("2 snapshots 2 s apart")),
        "{timeline:?}"
    );
    assert!(
        timeline
            .iter()
            .any(|t| t.starts_with("goroutine dumps ") && t.contains(" s apart")),
        "{timeline:?}"
    );
    assert!(report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .all(|i| i["captured_at"].is_string()));
    // The trace's long channel waits at the leak site are the leak, not a second finding.
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["kind"] == "lock-contention" && f["location"]["function"] == "main.lookup"),
        "{}",
        report["findings"]
    );
    // The same bundle as a page, in a browser (the README's screenshot).
    let page = common::html_out_dir().join("service-leak.html");
    let out = Command::new(godiag)
        .args(["analyze", "--format", "html", "-o"])
        .arg(&page)
        .arg(tmp.join("bundle"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let html = std::fs::read_to_string(&page).unwrap();
    let shot = common::html_out_dir().join("service-leak.png");
    let (dom, log) = common::render_in_chromium(&page, &shot);
    common::assert_clean_page(&html, &log);
    assert!(std::fs::metadata(&shot).unwrap().len() > 50_000);
    for want in [
        "goroutine-leak",
        "main.lookup",
        "Timeline: ",
        "flame graph of",
    ] {
        assert!(dom.contains(want), "{want} not rendered");
    }
    // Without --allow-frequent-dumps the second debug=2 dump (2 s later) is skipped.
    let out = collect("limited", &["--no-cpu", "--no-trace"]);
    assert!(out.status.success());
    let meta = read_json(&tmp.join("limited/bundle.json"));
    let failed = meta["failed"].as_array().unwrap();
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert_eq!(failed[0]["query"], "goroutine?debug=2");
    assert!(!tmp.join("limited/goroutine-debug2-2.txt").exists());
    drop(svc);
    let _ = std::fs::remove_dir_all(&tmp);
}

/// `collect` over TLS from a service that wants credentials: with
/// `--insecure` (its certificate is self-signed) and a bearer token or basic
/// auth it gets the bundle; without credentials it says what is missing;
/// without `--insecure` it refuses the certificate.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn collect_over_tls_with_credentials() {
    let (_version, go) = common::toolchain();
    let tmp = scratch_dir("collect-tls");
    let bin = tmp.join("svc");
    build_scenario(&go, "service-leak", &[], &bin);
    // The plain listener is announced first, then the TLS one.
    let svc = start_service(&bin, &[("GODIAG_LAB_TLS_TOKEN", "s3cret")], 2);
    let url = svc.urls[1].clone();
    assert!(url.starts_with("https://"), "{url}");
    let collect = |out: &str, extra: &[&str]| {
        Command::new(env!("CARGO_BIN_EXE_godiag"))
            .current_dir(&tmp)
            .args([
                "collect",
                "--out",
                out,
                "--snapshots",
                "1",
                "--no-cpu",
                "--no-trace",
            ])
            .args(["--format", "json"])
            .args(extra)
            .arg(&url)
            .output()
            .unwrap()
    };
    for (out, creds) in [
        ("bearer", ["--header", "Authorization: Bearer s3cret"]),
        ("basic", ["--basic-auth", "godiag:s3cret"]),
    ] {
        let o = collect(out, &[&["--insecure"][..], &creds[..]].concat());
        assert!(
            o.status.success(),
            "{out}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        let meta = read_json(&tmp.join(out).join("bundle.json"));
        assert_eq!(meta["failed"].as_array().map(Vec::len), Some(0), "{meta}");
        assert!(
            tmp.join(out).join("goroutine-debug2-1.txt").exists(),
            "{out}"
        );
    }
    let o = collect("nocreds", &["--insecure"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("needs credentials"),
        "{err}"
    );
    // Credentials given and refused are not "needed".
    let o = collect(
        "wrongcreds",
        &["--insecure", "--basic-auth", "godiag:wrong"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("refused the credentials given"),
        "{err}"
    );
    let o = collect("noinsecure", &["--header", "Authorization: Bearer s3cret"]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success()
            && err.contains("TLS certificate was not accepted")
            && err.contains("--insecure"),
        "{err}"
    );
    // A collection that failed leaves no empty bundle behind.
    for out in ["nocreds", "wrongcreds", "noinsecure"] {
        assert!(!tmp.join(out).exists(), "{out}");
    }
}
