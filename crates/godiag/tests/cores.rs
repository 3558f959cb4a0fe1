//! Core dumps of the lab's crashing programs (`lab/cores/go<VER>/`, made by
//! `lab/cores.sh` with `GOTRACEBACK=crash`): every goroutine read from the
//! core agrees with the runtime's own output of the same crash, and the core
//! alone, then with the crash text, yields the scenario's finding at its
//! marked line.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};

use godiag_analysis::Verdict;
use godiag_model::{Goroutine, GroupKeyMode};
use serde_json::Value;

/// Scenario → the finding kind its core must yield.
const KINDS: &[(&str, &str)] = &[
    ("nil-deref", "nil-dereference"),
    ("bad-address", "bad-address"),
    ("deadlock-chan", "deadlock"),
    ("core-goroutine-leak", "goroutine-leak"),
    ("core-stack-overflow", "stack-overflow"),
    ("cgo-crash", "cgo-crash"),
    ("map-concurrent-writes", "concurrent-map-access"),
    ("labels", "user-panic"),
    ("core-wait-minutes", "nil-dereference"),
    ("fatal-in-defer-after-segv", "nil-dereference"),
    ("deadlock-abba", "deadlock"),
    ("deadlock-lock-chan", "deadlock"),
];

struct Case {
    version: String,
    scenario: String,
    build: String,
    function: String,
    line: u32,
    dir: PathBuf,
}

fn committed() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/cores")
}

/// The committed cores, or those under `GODIAG_LAB_CORES` (a full
/// `LAB_CORES_OUT=dir lab/cores.sh` run).
fn cases() -> Vec<Case> {
    let root = std::env::var_os("GODIAG_LAB_CORES").map_or_else(committed, PathBuf::from);
    cases_in(&root)
}

/// The cores under `root/go<VER>/` that exist on disk.
fn cases_in(root: &Path) -> Vec<Case> {
    let mut out = Vec::new();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("lab/cores")
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("index.json").exists())
        .collect();
    dirs.sort();
    for dir in dirs {
        let index: Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("index.json")).unwrap())
                .unwrap();
        for a in index["artifacts"].as_array().unwrap() {
            let core = a["core"]["file"].as_str().unwrap_or("");
            // Only what is committed (the index lists the full matrix).
            if core.is_empty() || !dir.join(core).exists() {
                continue;
            }
            out.push(Case {
                version: index["go_version"].as_str().unwrap().to_string(),
                scenario: a["scenario"].as_str().unwrap().to_string(),
                build: a["build"].as_str().unwrap().to_string(),
                function: a["root_cause"]["function"].as_str().unwrap().to_string(),
                line: a["root_cause"]["line"].as_u64().unwrap() as u32,
                dir: dir.clone(),
            });
        }
    }
    out
}

fn gunzip(path: &Path) -> Vec<u8> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(path).unwrap())
        .read_to_end(&mut out)
        .unwrap();
    out
}

impl Case {
    fn name(&self) -> String {
        format!("go{} {}.{}", self.version, self.scenario, self.build)
    }
    fn file(&self, ext: &str) -> PathBuf {
        self.dir
            .join(format!("{}.{}.{ext}", self.scenario, self.build))
    }
    /// The core and executable, inflated into a scratch directory of the
    /// test's own (`test`): tests run in parallel and map these files.
    fn unpack(&self, test: &str) -> Unpacked {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("cores")
            .join(test)
            .join(format!("{}-{}-{}", self.version, self.scenario, self.build));
        std::fs::create_dir_all(&dir).unwrap();
        let (core, exe) = (dir.join("core"), dir.join("prog"));
        std::fs::write(&core, gunzip(&self.file("core.gz"))).unwrap();
        std::fs::write(&exe, gunzip(&self.file("exe.gz"))).unwrap();
        Unpacked { dir, core, exe }
    }
}

/// A case's core and executable inflated on disk, removed when dropped: the
/// suite unpacks over a hundred of them (3.5 GB together, more than a CI
/// machine's disk may spare).
struct Unpacked {
    dir: PathBuf,
    core: PathBuf,
    exe: PathBuf,
}

impl Unpacked {
    fn paths(&self) -> (PathBuf, PathBuf) {
        (self.core.clone(), self.exe.clone())
    }
}

impl Drop for Unpacked {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The first `n` frames (all by default), the program's own only when asked.
fn frames(g: &Goroutine<'_>, n: Option<usize>, user_only: bool) -> Vec<(String, u32)> {
    let n = n.unwrap_or(g.frames.len()).min(g.frames.len());
    g.frames[..n]
        .iter()
        .filter(|f| !user_only || !f.is_stdlib())
        .map(|f| {
            (
                common::strip_type_args(&f.function.replace("[...]", "")),
                f.line,
            )
        })
        .collect()
}

/// Goroutine by goroutine, the core and the runtime's output agree: ids,
/// wait states, frames (function and line) and `created by`.
#[test]
fn core_goroutines_agree_with_the_runtime_output() {
    let cases = cases();
    assert!(cases.len() >= 8, "only {} committed cores", cases.len());
    goroutines_agree(&cases);
}

fn goroutines_agree(cases: &[Case]) {
    for case in cases {
        let name = case.name();
        let text = std::fs::read(case.file("txt")).unwrap();
        let printed = godiag_traceback::parse(&text);
        let core_bytes = gunzip(&case.file("core.gz"));
        let exe_bytes = gunzip(&case.file("exe.gz"));
        let core = godiag_core::Core::parse(&core_bytes).expect("an ELF core");
        let exe = godiag_exe::GoExecutable::parse(&exe_bytes).unwrap();
        let read = godiag_core::goroutines(&core.image(), &exe, &exe_bytes).expect(&name);
        // Goroutine 0 blocks are other threads' g0 stacks, not goroutines;
        // a goroutine running on another thread can be printed twice (by its
        // own thread's SIGQUIT handler too).
        // Keep the block with the stack.
        let mut printed_by_id: Vec<&Goroutine<'_>> = Vec::new();
        for g in printed.goroutines.iter().filter(|g| g.id != 0) {
            match printed_by_id.iter_mut().find(|p| p.id == g.id) {
                Some(p) if g.frames.len() > p.frames.len() => *p = g,
                Some(_) => {}
                None => printed_by_id.push(g),
            }
        }
        let printed = printed_by_id;
        assert_eq!(
            read.goroutines.len(),
            printed.len(),
            "{name}: goroutine count"
        );
        for p in printed {
            let Some(g) = read.goroutines.iter().find(|g| g.id == p.id) else {
                panic!("{name}: goroutine {} [{}] not in the core", p.id, p.status);
            };
            assert_eq!(g.status, p.status, "{name}: goroutine {}", p.id);
            // `N minutes`: from g.waitsince against the scheduler's last poll.
            assert_eq!(
                g.wait_minutes, p.wait_minutes,
                "{name}: goroutine {} minutes",
                p.id
            );
            // `m=N` (printed from GOTRACEBACK=system up): the M it runs on.
            if p.m.is_some() {
                assert_eq!(g.m, p.m, "{name}: goroutine {} m", p.id);
            }
            // A running goroutine's printed stack starts where the runtime
            // printed it; the core has it where the thread stopped: compare
            // the program's own frames.
            let running = p.status == "running" || p.status == "syscall";
            // The runtime elides the middle of deep stacks: compare the part
            // it printed before the elision.
            let n = p.elided.map(|(at, _)| at);
            // `goroutine running on other thread; stack unavailable`: the
            // runtime could not print it; the core still has it.
            if p.stack_unavailable {
                assert!(!g.frames.is_empty(), "{name}: goroutine {}", p.id);
                continue;
            }
            assert_eq!(
                frames(g, n, running),
                frames(p, n, running),
                "{name}: goroutine {} [{}]",
                p.id,
                p.status
            );
            // A goroutine blocked taking a lock: its frames' arguments, read
            // as the runtime reads them, are the ones it printed.
            if matches!(
                g.status,
                "sync.Mutex.Lock" | "sync.RWMutex.Lock" | "sync.RWMutex.RLock" | "semacquire"
            ) {
                let mut compared = 0;
                for f in g
                    .frames
                    .iter()
                    .filter(|f| !f.args.is_empty() && f.args != "...")
                {
                    if let Some(pf) = p
                        .frames
                        .iter()
                        .find(|pf| pf.function == f.function && pf.line == f.line)
                    {
                        assert_eq!(f.args, pf.args, "{name}: goroutine {} {}", p.id, f.function);
                        compared += 1;
                    }
                }
                assert!(
                    compared > 0,
                    "{name}: goroutine {}: no arguments compared",
                    p.id
                );
            }
            if p.id != 1 {
                assert_eq!(
                    g.created_by.as_ref().map(|f| (f.function, f.line)),
                    p.created_by.as_ref().map(|f| (f.function, f.line)),
                    "{name}: goroutine {} created by",
                    p.id
                );
                assert_eq!(g.parent, p.parent, "{name}: goroutine {} parent", p.id);
            }
        }
    }
}

/// The core alone yields the scenario's finding at its marked line; with
/// the crash text, the two sources confirm one finding.
#[test]
fn core_findings_at_the_marked_line() {
    findings_at_the_marked_line(&cases(), "findings");
}

fn findings_at_the_marked_line(cases: &[Case], tag: &str) {
    for case in cases {
        let name = case.name();
        let kind = KINDS
            .iter()
            .find(|(s, _)| *s == case.scenario)
            .map(|(_, k)| *k)
            .unwrap();
        let unpacked = case.unpack(tag);
        let (core, exe) = unpacked.paths();
        let loaded = godiag::load_inputs(&[core.clone(), exe.clone()]).unwrap();
        let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
        let top = report
            .findings
            .first()
            .unwrap_or_else(|| panic!("{name}: no finding"));
        assert_eq!(top.kind.name(), kind, "{name}: {}", top.title);
        let loc = top.location.as_ref().expect("a location");
        assert_eq!(
            (loc.function.as_str(), loc.line),
            (case.function.as_str(), case.line),
            "{name}"
        );
        assert_eq!(
            top.verification.get("core"),
            Some(&Verdict::Confirms),
            "{name}"
        );
        // The runtime's `checkdead` throws on a thread's system stack, no
        // goroutine's: its message is read from there.
        if case.scenario == "deadlock-chan" {
            assert!(
                top.title.starts_with(
                    "deadlock: every goroutine is blocked; goroutine 1 waits in [chan receive]"
                ),
                "{name}: {}",
                top.title
            );
        }

        let loaded = godiag::load_inputs(&[case.file("txt"), core, exe]).unwrap();
        let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
        let top = &report.findings[0];
        assert_eq!(top.kind.name(), kind, "{name} with text: {}", top.title);
        assert!(
            top.verification.len() >= 2
                && top.verification.values().all(|v| *v == Verdict::Confirms),
            "{name} with text: {:?}",
            top.verification
        );
        assert_eq!(
            report
                .findings
                .iter()
                .filter(|f| f.kind.name() == kind)
                .count(),
            1,
            "{name}: one finding per root cause"
        );
    }
}

/// The lab ships its cores and executables gzipped, and they are read as
/// shipped: one case per Go version gives the same report as the inflated
/// files (inputs aside, which are named by their paths).
#[test]
fn gzipped_cores_and_executables_are_read_as_shipped() {
    let cases = cases();
    let mut versions = std::collections::BTreeSet::new();
    for case in cases.iter().filter(|c| versions.insert(c.version.clone())) {
        let name = case.name();
        let unpacked = case.unpack("gzipped");
        let (core, exe) = unpacked.paths();
        let report_of = |paths: &[PathBuf]| {
            let loaded = godiag::load_inputs(paths).unwrap();
            let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
            let mut json: Value =
                serde_json::from_str(&godiag_report::render_json(&report)).unwrap();
            let inputs = json["inputs"].take();
            (json, inputs)
        };
        let (plain, plain_inputs) = report_of(&[core, exe]);
        let (gzipped, gzipped_inputs) = report_of(&[case.file("core.gz"), case.file("exe.gz")]);
        assert_eq!(plain, gzipped, "{name}");
        for (a, b) in plain_inputs
            .as_array()
            .unwrap()
            .iter()
            .zip(gzipped_inputs.as_array().unwrap())
        {
            for key in ["kind", "status", "goroutines", "go_version"] {
                assert_eq!(a[key], b[key], "{name}: {key}");
            }
        }
    }
    assert!(versions.len() >= 3, "{versions:?}");
}

/// A core read with another program's executable lists no goroutines and
/// says which program wrote it, instead of "no failure" from garbage: a
/// position-dependent program by its entry point, a PIE by its first page
/// (the ELF header and Go build ID the kernel dumps).
#[test]
fn a_core_with_another_programs_executable_says_so() {
    let cases = cases();
    let mut versions = std::collections::BTreeSet::new();
    let mut checked = 0;
    for case in cases.iter().filter(|c| versions.insert(c.version.clone())) {
        // A version with one committed pair (Go 1.21's) has no other.
        let Some(other) = cases
            .iter()
            .find(|o| o.version == case.version && o.scenario != case.scenario && o.build != "pie")
        else {
            continue;
        };
        checked += 1;
        let name = format!("{} with {}", case.name(), other.name());
        let loaded = godiag::load_inputs(&[case.file("core.gz"), other.file("exe.gz")]).unwrap();
        let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
        let core = &report.inputs[0];
        assert!(!core.analysed, "{name}");
        let warning = core.warnings.join(" | ");
        assert!(
            warning.contains("the executable given is not the program that wrote this core")
                && warning.contains(&format!("/{} (run as `./{}", case.scenario, case.scenario)),
            "{name}: {warning}"
        );
        assert!(
            report
                .findings
                .iter()
                .all(|f| !f.verification.contains_key("core")),
            "{name}: {:?}",
            report.findings.iter().map(|f| &f.title).collect::<Vec<_>>()
        );
        let text = godiag_report::render_text(&report, godiag_report::TextOptions::default());
        assert!(
            text.starts_with(
                "No failure found in the inputs that could be analysed.\n  not analysed: "
            ) || !report.findings.is_empty(),
            "{name}: {text}"
        );
    }
    assert!(checked >= 3, "{checked}");

    // A PIE is entered wherever it was loaded: its first page tells.
    let pie = cases.iter().find(|c| c.build == "pie").expect("a PIE core");
    let unpacked = pie.unpack("mismatch");
    let mut exe = std::fs::read(&unpacked.exe).unwrap();
    let id = object::read::File::parse(&*exe)
        .ok()
        .and_then(|f| {
            use object::{Object, ObjectSection};
            f.section_by_name(".note.go.buildid")?.file_range()
        })
        .expect("a Go build ID note");
    // The build ID's first character, changed: another build of the program.
    let at = id.0 as usize + 16;
    exe[at] = if exe[at] == b'A' { b'B' } else { b'A' };
    let rebuilt = unpacked.dir.join("rebuilt");
    std::fs::write(&rebuilt, &exe).unwrap();
    // The core (the first path) as read with the others: analysed or not,
    // and its warnings.
    let core_read = |paths: &[PathBuf]| {
        let loaded = godiag::load_inputs(paths).unwrap();
        let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
        (
            report.inputs[0].analysed,
            report.inputs[0].warnings.join(" | "),
        )
    };
    let (analysed, warning) = core_read(&[unpacked.core.clone(), rebuilt]);
    assert!(
        warning.contains("the core's program has Go build ID ") && !analysed,
        "{}: {warning}",
        pie.name()
    );
    // The position-dependent build's core with the PIE build of the same
    // program: the core's own mapping of the program (NT_FILE) holds
    // another first page.
    if let Some(plain) = cases
        .iter()
        .find(|c| c.version == pie.version && c.scenario == pie.scenario && c.build == "plain")
    {
        let (analysed, warning) = core_read(&[plain.file("core.gz"), pie.file("exe.gz")]);
        assert!(
            warning.contains("not the program that wrote this core") && !analysed,
            "{}: {warning}",
            plain.name()
        );
    }
    // Without an executable, the core still names its program and the
    // signal it died of (GOTRACEBACK=crash's abort).
    let (_, warning) = core_read(std::slice::from_ref(&unpacked.core));
    assert!(
        warning.contains("give the executable")
            && warning.contains("the core was written by ")
            && warning.contains("the process died of SIGABRT (signal 6)"),
        "{}: {warning}",
        pie.name()
    );
}

/// Blocked goroutines are grouped by the exact object they wait on: the
/// leaking handlers each on their own channel, the workers on one.
#[test]
fn wait_objects_of_the_leak() {
    let mut seen = 0;
    for case in cases()
        .iter()
        .filter(|c| c.scenario == "core-goroutine-leak")
    {
        let name = case.name();
        let unpacked = case.unpack("waits");
        let (core, exe) = unpacked.paths();
        let loaded = godiag::load_inputs(&[core, exe]).unwrap();
        let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
        let objects = &report.inputs[0].wait_objects();
        let replies: Vec<_> = objects.iter().filter(|o| o.what == "chan string").collect();
        assert_eq!(replies.len(), 200, "{name}");
        assert!(replies.iter().all(|o| o.waiters == 1
            && o.state == "unbuffered"
            && o.frame
                .as_ref()
                .is_some_and(|f| f.function == "main.handleRequest")));
        let jobs = objects
            .iter()
            .find(|o| o.what == "chan int")
            .expect("the jobs channel");
        assert_eq!(
            (jobs.waiters, jobs.by_status[0].0),
            (4, "chan receive"),
            "{name}"
        );
        let top = &report.findings[0];
        assert!(
            top.evidence[0].summary.contains("200 different objects"),
            "{name}: {}",
            top.evidence[0].summary
        );
        seen += 1;
    }
    assert!(seen >= 1);
}

/// The per-version offset tables agree with the DWARF of the executables
/// that have it (the plain builds).
#[test]
fn offset_tables_agree_with_dwarf() {
    assert!(tables_match_dwarf(&cases()) >= 5);
}

/// Every executable with DWARF (not stripped): its layout — `g`, `sudog`,
/// `hchan`, `_panic`, `m` — equals the table of its Go version. Returns how
/// many were compared.
fn tables_match_dwarf(cases: &[Case]) -> usize {
    let mut checked = 0;
    for case in cases.iter().filter(|c| c.build != "stripped") {
        let bytes = gunzip(&case.file("exe.gz"));
        let file = object::File::parse(&*bytes).unwrap();
        let exe = godiag_exe::GoExecutable::parse(&bytes).unwrap();
        let Some(dwarf) = godiag_core::layout::from_dwarf(&file) else {
            panic!("{}: no DWARF layout", case.name());
        };
        let table = godiag_core::layout::table(godiag_core::layout::minor_version(&exe));
        assert_eq!(
            dwarf,
            godiag_core::Layout {
                source: godiag_core::LayoutSource::Dwarf,
                ..table
            },
            "{}",
            case.name()
        );
        checked += 1;
    }
    checked
}

/// The whole core lab (every scenario, plain, stripped and PIE) made now
/// with the installed toolchain by `lab/cores.sh`, checked like the
/// committed cores.
#[test]
#[ignore = "needs a Go toolchain and gcc: run scripts/test.sh"]
fn cores_made_now_by_the_installed_toolchain() {
    let version = std::env::var("GODIAG_TEST_GO").unwrap_or_else(|_| "1.24.11".into());
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cores-live");
    let _ = std::fs::remove_dir_all(&out);
    let status = std::process::Command::new("bash")
        .arg(committed().join("../cores.sh"))
        .arg(&version)
        .env("LAB_CORES_OUT", &out)
        .status()
        .expect("bash lab/cores.sh");
    assert!(status.success(), "lab/cores.sh {version} failed");
    let cases = cases_in(&out);
    assert_eq!(cases.len(), 33, "11 scenarios x 3 builds");
    goroutines_agree(&cases);
    findings_at_the_marked_line(&cases, "live");
    assert_eq!(check_labels(&cases), 3);
    assert!(tables_match_dwarf(&cases) >= 20, "plain and PIE builds");
    assert_eq!(check_full_backtraces(&cases), 3, "plain, stripped and PIE");
    assert_eq!(same_through_a_second_memory(&cases), 33);
    let _ = std::fs::remove_dir_all(&out);
}

/// A core cut short (`ulimit -c`, a full disk) at any offset: never a
/// panic, always flagged partial with the offset, and what the remaining
/// bytes hold is still read (the threads, once the notes are in).
#[test]
fn cut_cores_are_partial() {
    let case = cases()
        .into_iter()
        .find(|c| c.scenario == "nil-deref" && c.build == "plain")
        .expect("a committed nil-deref core");
    let core = gunzip(&case.file("core.gz"));
    let exe = gunzip(&case.file("exe.gz"));
    let len = core.len();
    let mut cuts: Vec<usize> = vec![0, 1, 4, 16, 63, 64, 65, 200, 1000, 4096, 8192, len - 1];
    cuts.extend((1..40).map(|i| len / 40 * i));
    let mut threads_read = 0;
    for cut in cuts {
        let loaded = vec![
            godiag::PreparedInput::from_bytes("core", core[..cut].to_vec()),
            godiag::PreparedInput::from_bytes("prog", exe.clone()),
        ];
        let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
        let input = &report.inputs[0];
        assert_ne!(
            input.status,
            godiag_model::InputStatus::Parsed,
            "cut at {cut} of {len}"
        );
        if input.kind == godiag_model::InputKind::ElfCore && !input.core_threads().is_empty() {
            threads_read += 1;
            assert!(
                input
                    .warnings
                    .iter()
                    .any(|w| w.contains(&format!("cut short at byte {cut} "))),
                "cut at {cut}: {:?}",
                input.warnings
            );
        }
    }
    assert!(threads_read >= 30, "threads read from {threads_read} cuts");
}

/// Crash text with its executable (`--exe`, no core): the faulting
/// instruction is disassembled and placed in its Go or C function, also for
/// a PIE (load address from the printed `pc=`); a wrong executable is named.
#[test]
fn crash_text_with_its_executable() {
    let expect = [
        ("nil-deref", "plain", "in main.deref ("),
        ("nil-deref", "pie", "in main.deref ("),
        ("cgo-crash", "plain", "Cfunc_read_counter (C code)"),
    ];
    let cases = cases();
    for (scenario, build, want) in expect {
        let case = cases
            .iter()
            .find(|c| c.scenario == scenario && c.build == build && c.version == "1.26.6")
            .expect("committed");
        let unpacked = case.unpack("text");
        let (_, exe) = unpacked.paths();
        let loaded = godiag::load_inputs(&[case.file("txt"), exe]).unwrap();
        let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
        let notes = &report.inputs[0].text().unwrap().crash.fault_notes;
        assert!(
            notes
                .iter()
                .any(|n| n.starts_with("faulting instruction") && n.contains(want)),
            "{}: {notes:?}",
            case.name()
        );
    }
    // A SIGQUIT dump's `PC=` is where a thread happened to be, not a
    // fault: with its own executable, no mismatch is claimed.
    let quit = cases
        .iter()
        .find(|c| c.scenario == "core-goroutine-leak" && c.build == "plain")
        .expect("committed");
    let unpacked = quit.unpack("text-sigquit");
    let (_, exe) = unpacked.paths();
    let loaded = godiag::load_inputs(&[quit.file("txt"), exe]).unwrap();
    let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
    assert!(
        report.inputs[0]
            .warnings
            .iter()
            .all(|w| !w.contains("not the one that crashed")),
        "{}: {:?}",
        quit.name(),
        report.inputs[0].warnings
    );
    // The nil dereference's text with the cgo program's executable.
    let text = cases
        .iter()
        .find(|c| c.scenario == "nil-deref" && c.build == "plain")
        .unwrap();
    let other = cases
        .iter()
        .find(|c| c.scenario == "cgo-crash" && c.build == "plain")
        .unwrap();
    let unpacked = other.unpack("text-mismatch");
    let (_, exe) = unpacked.paths();
    let loaded = godiag::load_inputs(&[text.file("txt"), exe]).unwrap();
    let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
    let input = &report.inputs[0];
    assert!(input.text().unwrap().crash.fault_notes.is_empty());
    assert!(
        input
            .warnings
            .iter()
            .any(|w| w.contains("not the one that crashed")),
        "{:?}",
        input.warnings
    );
}

/// Values only memory holds: the profiler labels of each goroutine (a map
/// before Go 1.24, a slice after) and the panic value, read from the core.
#[test]
fn labels_and_panic_values() {
    assert!(check_labels(&cases()) >= 1);
    assert!(check_constant_panic_values(&cases()) >= 1);
}

/// `panic("...")` of a constant: the interface points at a string header in
/// the executable's read-only data, which the core does not hold; the value
/// is read from the executable, not named by its type.
fn check_constant_panic_values(cases: &[Case]) -> usize {
    let mut seen = 0;
    for case in cases.iter().filter(|c| c.scenario == "deadlock-lock-chan") {
        with_core_goroutines(case, |read| {
            let (_, panics) = read.panics.as_ref().expect("a panic in progress");
            assert_eq!(
                panics,
                &vec![("watchdog: no event handled for 1s".to_string(), false)],
                "{}",
                case.name()
            );
        });
        seen += 1;
    }
    seen
}

/// What `godiag_core::goroutines` reads from a case's core and executable,
/// handed to `check`.
fn with_core_goroutines(case: &Case, check: impl FnOnce(&godiag_core::CoreGoroutines<'_>)) {
    let core_bytes = gunzip(&case.file("core.gz"));
    let exe_bytes = gunzip(&case.file("exe.gz"));
    let core = godiag_core::Core::parse(&core_bytes).unwrap();
    let exe = godiag_exe::GoExecutable::parse(&exe_bytes).unwrap();
    let read = godiag_core::goroutines(&core.image(), &exe, &exe_bytes).unwrap();
    check(&read);
}

fn check_labels(cases: &[Case]) -> usize {
    let mut seen = 0;
    for case in cases.iter().filter(|c| c.scenario == "labels") {
        let name = case.name();
        with_core_goroutines(case, |read| {
            let labels = |function: &str| -> Vec<(String, String)> {
                let g = read
                    .goroutines
                    .iter()
                    .find(|g| g.frames.iter().any(|f| f.function == function))
                    .unwrap_or_else(|| panic!("{name}: no goroutine in {function}"));
                g.labels
                    .iter()
                    .map(|l| (l.key.to_string(), l.value.to_string()))
                    .collect()
            };
            let pair = |k: &str, v: &str| (k.to_string(), v.to_string());
            assert_eq!(
                labels("main.serve"),
                vec![pair("request_id", "abc-123"), pair("route", "/api/v1")],
                "{name}"
            );
            assert_eq!(
                labels("main.background"),
                vec![pair("worker", "janitor")],
                "{name}"
            );
            let (_, panics) = read.panics.as_ref().expect("a panic in progress");
            assert_eq!(
                panics,
                &vec![("serve: request abc-123 failed".to_string(), false)],
                "{name}"
            );
        });
        seen += 1;
    }
    seen
}

/// Crash text cut before its stacks (a log shipper's line limit,
/// GOTRACEBACK=none) names the failure but not where; the core of the same
/// crash places it. One finding, located, confirmed by both.
#[test]
fn cut_crash_text_is_located_by_the_core() {
    let case = cases()
        .into_iter()
        .find(|c| c.scenario == "nil-deref" && c.build == "plain")
        .expect("committed");
    let text = std::fs::read_to_string(case.file("txt")).unwrap();
    let head: String = text
        .lines()
        .take_while(|l| !l.starts_with("goroutine "))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(head.contains("[signal SIGSEGV") && !head.contains("main.deref"));
    let unpacked = case.unpack("cut-text");
    let (core, exe) = unpacked.paths();
    let cut = core.with_file_name("cut.txt");
    std::fs::write(&cut, head).unwrap();
    // Alone, the text knows the kind and not the place.
    let loaded = godiag::load_inputs(std::slice::from_ref(&cut)).unwrap();
    let alone = godiag::build_report(&loaded, GroupKeyMode::Stack);
    assert_eq!(alone.findings[0].kind.name(), "nil-dereference");
    assert!(alone.findings[0].location.is_none());
    let loaded = godiag::load_inputs(&[cut, core, exe]).unwrap();
    let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
    let same: Vec<_> = report
        .findings
        .iter()
        .filter(|f| f.kind.name() == "nil-dereference")
        .collect();
    assert_eq!(same.len(), 1, "one finding per root cause");
    let loc = same[0].location.as_ref().expect("located by the core");
    assert_eq!(
        (loc.function.as_str(), loc.line),
        (case.function.as_str(), case.line)
    );
    assert_eq!(same[0].verification.get("crash"), Some(&Verdict::Confirms));
    assert_eq!(same[0].verification.get("core"), Some(&Verdict::Confirms));
}

/// The crash text's last word misleads: a deferred `mu.Unlock()` raises
/// `fatal error: sync: unlock of unlocked mutex` while a nil dereference
/// unwinds. The core's recorded fault (g.sig) puts the root cause at the
/// dereference, as the text rules do from the text's pending panic; the
/// fatal error stays one secondary finding, seen by both sources.
#[test]
fn secondary_fatal_error_does_not_hide_the_fault() {
    let mut seen = 0;
    for case in cases()
        .iter()
        .filter(|c| c.scenario == "fatal-in-defer-after-segv")
    {
        let name = case.name();
        let unpacked = case.unpack("secondary");
        let (core, exe) = unpacked.paths();
        let loaded = godiag::load_inputs(&[case.file("txt"), core, exe]).unwrap();
        let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
        let top = &report.findings[0];
        assert_eq!(top.kind.name(), "nil-dereference", "{name}");
        let loc = top.location.as_ref().unwrap();
        assert_eq!(
            (loc.function.as_str(), loc.line),
            ("main.lookup", case.line)
        );
        for source in ["crash", "core"] {
            assert_eq!(
                top.verification.get(source),
                Some(&Verdict::Confirms),
                "{name}"
            );
        }
        let secondary: Vec<_> = report
            .findings
            .iter()
            .filter(|f| f.kind.name() == "sync-misuse")
            .collect();
        assert_eq!(secondary.len(), 1, "{name}");
        assert!(secondary[0].secondary);
        assert_eq!(
            secondary[0].verification.get("core"),
            Some(&Verdict::Confirms)
        );
        seen += 1;
    }
    assert!(seen >= 1);
}

/// `fatal error: concurrent map writes` names one side; the crash output
/// shows the other only from GOTRACEBACK=all up, and not at all while it
/// runs on another thread. The core of the same crash holds it: the finding
/// then names both goroutines. (Committed cores only: which writer is
/// caught where is a race.)
#[test]
fn the_core_names_the_other_map_writer() {
    let committed = cases_in(&committed());
    let mut seen = 0;
    for case in committed
        .iter()
        .filter(|c| c.scenario == "map-concurrent-writes")
    {
        let name = case.name();
        let text = std::fs::read_to_string(case.file("txt")).unwrap();
        let unpacked = case.unpack("map-writers");
        let (core, exe) = unpacked.paths();
        let loaded = godiag::load_inputs(&[case.file("txt"), core, exe]).unwrap();
        let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
        let top = &report.findings[0];
        assert_eq!(top.kind.name(), "concurrent-map-access", "{name}");
        let other: u64 = top
            .title
            .split("against goroutine ")
            .nth(1)
            .and_then(|r| r.split(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("{name}: {}", top.title));
        assert_ne!(Some(other), top.goroutine, "{name}");
        assert!(text.contains(&format!("goroutine {other} ")), "{name}");
        seen += 1;
    }
    assert!(seen >= 2);
}

/// The AB/BA core: each goroutine of the cycle holds, by a pending deferred
/// unlock in its frames, the lock the other waits for, so the cycle is
/// closed by evidence (high confidence), not inferred from arguments.
#[test]
fn lock_cycle_closed_by_deferred_unlocks() {
    let mut seen = 0;
    for case in cases().iter().filter(|c| c.scenario == "deadlock-abba") {
        let name = case.name();
        let unpacked = case.unpack("abba");
        let (core, exe) = unpacked.paths();
        let loaded = godiag::load_inputs(&[core, exe]).unwrap();
        let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
        let top = &report.findings[0];
        assert_eq!(top.kind.name(), "deadlock", "{name}: {}", top.title);
        assert_eq!(top.confidence, godiag_analysis::Confidence::High, "{name}");
        assert!(
            top.evidence[0]
                .summary
                .contains("proved by a pending deferred unlock"),
            "{name}: {}",
            top.evidence[0].summary
        );
        // The count is the cycle's two members; the third goroutine on
        // those locks waits behind them (it was counted among them).
        let summary = &top.evidence[0].summary;
        assert!(
            summary.starts_with("2 goroutines blocked on locks: ")
                && summary.ends_with("; 1 more waits behind them"),
            "{name}: {summary}"
        );
        let core_text = report.inputs[0].text().expect("the core's goroutines");
        let in_fn = |f: &str| {
            core_text
                .goroutines
                .iter()
                .find(|g| g.frames.iter().any(|fr| fr.function == f))
                .unwrap_or_else(|| panic!("{name}: no goroutine in {f}"))
        };
        let (out, back) = (
            in_fn("main.(*bank).transferOut"),
            in_fn("main.(*bank).transferBack"),
        );
        // transferOut holds from.mu (the bank's first word), which transferBack waits for.
        assert_eq!(out.holds_locks.len(), 1, "{name}");
        assert_eq!(back.holds_locks.len(), 1, "{name}");
        assert_eq!(
            out.holds_locks[0] + 0x10,
            back.holds_locks[0],
            "{name}: to.mu follows from.mu"
        );
        seen += 1;
    }
    assert!(seen >= 1, "no committed deadlock-abba core");
}

/// `bt full` of the AB/BA core: the frames of the cycle's goroutines carry
/// their parameters' values as the program passed them (`transferOut(10)`,
/// `transferBack(5)`), and the lock each waits for (`lockSlow`'s `m`) is
/// the bank's `to.mu` (16 bytes in) or `from.mu` (its first word). Stripped
/// builds give the argument words of the spill slots instead.
#[test]
fn full_backtraces_of_the_cycle() {
    assert!(
        check_full_backtraces(&cases()) >= 1,
        "no deadlock-abba core"
    );
}

fn check_full_backtraces(cases: &[Case]) -> usize {
    let mut seen = 0;
    for case in cases.iter().filter(|c| c.scenario == "deadlock-abba") {
        let name = case.name();
        let unpacked = case.unpack("btfull");
        let (core, exe) = unpacked.paths();
        let loaded = godiag::load_inputs(&[core, exe]).unwrap();
        let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
        let md = godiag_report::render_markdown(&report);
        assert!(md.contains("### Frames in full in "), "{name}: markdown");
        let json = godiag_report::render_json(&report);
        let v: Value = serde_json::from_str(&json).unwrap();
        let traces = v["inputs"][0]["backtraces"]
            .as_array()
            .unwrap_or_else(|| panic!("{name}: no backtraces"));
        assert!(traces.len() >= 3, "{name}: the cycle and its victim");
        let frame_in = |f: &str| -> (Value, Value) {
            for t in traces {
                let frames = t["frames"].as_array().unwrap();
                if let Some(at) = frames.iter().position(|fr| fr["function"] == f) {
                    let lock = frames[..at]
                        .iter()
                        .rev()
                        .find(|fr| fr["function"].as_str().unwrap().ends_with("lockSlow"))
                        .cloned()
                        .unwrap_or_else(|| panic!("{name}: no lockSlow under {f}"));
                    return (frames[at].clone(), lock);
                }
            }
            panic!("{name}: no full frame of {f}")
        };
        let var = |fr: &Value, n: &str| -> String {
            fr["variables"]
                .as_array()
                .and_then(|vs| vs.iter().find(|x| x["name"] == n))
                .and_then(|x| x["value"].as_str())
                .unwrap_or_else(|| panic!("{name}: no value of {n} in {fr}"))
                .to_string()
        };
        // The address, before what it points at (`0x.. → {..}`).
        let hex = |s: &str| {
            let word = s.split(' ').next().unwrap();
            u64::from_str_radix(word.trim_start_matches("0x").trim_end_matches('?'), 16).unwrap()
        };
        let (out, out_lock) = frame_in("main.(*bank).transferOut");
        let (back, back_lock) = frame_in("main.(*bank).transferBack");
        if case.build == "stripped" {
            assert_eq!(traces[0]["values_from"], "spill-slots", "{name}");
            let words = |fr: &Value| -> Vec<String> {
                fr["argument_words"]
                    .as_str()
                    .unwrap_or_else(|| panic!("{name}: no argument words in {fr}"))
                    .split(", ")
                    .map(str::to_string)
                    .collect()
            };
            let (o, b) = (words(&out), words(&back));
            assert_eq!(o[1], "0xa", "{name}: transferOut(10)");
            assert_eq!(b[1], "0x5", "{name}: transferBack(5)");
            assert_eq!(hex(&o[0]), hex(&b[0]), "{name}: one bank");
            assert_eq!(hex(&words(&out_lock)[0]), hex(&o[0]) + 16, "{name}");
            assert_eq!(hex(&words(&back_lock)[0]), hex(&b[0]), "{name}");
        } else {
            assert_eq!(traces[0]["values_from"], "dwarf", "{name}");
            assert_eq!(var(&out, "n"), "10", "{name}");
            assert!(md.contains("    n int = 10"), "{name}: markdown");
            assert_eq!(var(&back, "n"), "5", "{name}");
            let bank = hex(&var(&out, "b"));
            assert_eq!(hex(&var(&back, "b")), bank, "{name}: one bank");
            assert_eq!(
                hex(&var(&out_lock, "m")),
                bank + 16,
                "{name}: waits for to.mu"
            );
            assert_eq!(
                hex(&var(&back_lock, "m")),
                bank,
                "{name}: waits for from.mu"
            );
            let types: Vec<&str> = out["variables"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x["type"].as_str().unwrap())
                .collect();
            assert_eq!(types, ["*main.bank", "int"], "{name}");
        }
        seen += 1;
    }
    seen
}

/// A process's memory as a live reader sees it: 4 KiB pages copied out of
/// the core's segments, every read assembled across pages into a buffer of
/// its own. The second implementation of `godiag_exe::Memory`, beside the
/// core file's.
struct PagedMemory {
    pages: std::collections::BTreeMap<u64, Vec<u8>>,
}

impl PagedMemory {
    const PAGE: u64 = 4096;

    fn copy_of(core: &godiag_core::Core<'_>) -> Self {
        let mut pages = std::collections::BTreeMap::new();
        for s in core.segments() {
            let end = s.vaddr + s.filesz;
            let mut at = s.vaddr & !(Self::PAGE - 1);
            while at < end {
                let from = at.max(s.vaddr);
                let to = (at + Self::PAGE).min(end);
                if let Some(bytes) = core.read(from, (to - from) as usize) {
                    let page: &mut Vec<u8> = pages.entry(at).or_default();
                    let off = (from - at) as usize;
                    if page.len() < off + bytes.len() {
                        page.resize(off + bytes.len(), 0);
                    }
                    page[off..off + bytes.len()].copy_from_slice(bytes);
                }
                at += Self::PAGE;
            }
        }
        PagedMemory { pages }
    }
}

impl godiag_exe::Memory for PagedMemory {
    fn read(&self, addr: u64, len: usize) -> Option<std::borrow::Cow<'_, [u8]>> {
        let mut out = Vec::with_capacity(len.min(1 << 16));
        let mut at = addr;
        while out.len() < len {
            let page = at & !(Self::PAGE - 1);
            let bytes = self.pages.get(&page)?;
            let off = (at - page) as usize;
            let n = (Self::PAGE as usize - off).min(len - out.len());
            out.extend_from_slice(bytes.get(off..off + n)?);
            at = at.checked_add(n as u64)?;
        }
        Some(std::borrow::Cow::Owned(out))
    }
}

/// What the core reader reads from an image, as one JSON value: every
/// goroutine, the fault, throw, panics, signals, threads' goroutines, the
/// crash state, and the full backtraces (DWARF values) of the first
/// goroutines.
fn read_image(image: &godiag_core::Image<'_>, exe_bytes: &[u8]) -> Value {
    let exe = godiag_exe::GoExecutable::parse(exe_bytes).unwrap();
    let file = object::File::parse(exe_bytes).unwrap();
    let bias = godiag_core::load_bias(image, &file);
    let Ok(mut read) = godiag_core::goroutines(image, &exe, exe_bytes) else {
        return Value::Null;
    };
    let crash = godiag_core::crash::crash_state(image, &exe, bias, &mut read);
    let wanted: Vec<(u64, u64)> = read
        .goroutines
        .iter()
        .filter_map(|g| Some((g.id, g.gp?)))
        .take(8)
        .collect();
    let backtraces = godiag_core::full_backtraces(image, &exe, exe_bytes, &wanted);
    serde_json::json!({
        "goroutines": read.goroutines,
        "fault": format!("{:?}", read.fault),
        "throw": read.throw,
        "panics": read.panics,
        "signals": format!("{:?}", read.signals),
        "on_threads": read.on_threads,
        "stacks": format!("{:?}", read.stacks),
        "crash": crash,
        "backtraces": backtraces,
    })
}

fn same_through_a_second_memory(cases: &[Case]) -> usize {
    let mut checked = 0;
    for case in cases {
        let name = case.name();
        let core_bytes = gunzip(&case.file("core.gz"));
        let exe_bytes = gunzip(&case.file("exe.gz"));
        let core = godiag_core::Core::parse(&core_bytes).expect("an ELF core");
        let paged = PagedMemory::copy_of(&core);
        let second =
            godiag_core::Image::new(&paged, &core.threads, &core.auxv, core_bytes.len() as u64);
        let (a, b) = (
            read_image(&core.image(), &exe_bytes),
            read_image(&second, &exe_bytes),
        );
        assert!(a != Value::Null, "{name}: no goroutines read");
        assert!(a == b, "{name}: the two memories read differently");
        checked += 1;
    }
    checked
}

/// Every committed core read through a second memory (pages copied out,
/// as a live process is read) gives exactly what the core file gives.
#[test]
fn reports_through_a_second_memory_are_identical() {
    assert!(same_through_a_second_memory(&cases()) >= 10);
}

/// Two programs' cores and executables given together: each core is read
/// with the executable that wrote it, whichever order they come in.
#[test]
fn each_core_takes_its_own_executable() {
    let cases = cases();
    let pick = |scenario: &str| {
        cases
            .iter()
            .find(|c| c.scenario == scenario && c.build == "plain" && c.version == "1.26.6")
            .expect("committed")
    };
    let (nil, dead) = (pick("nil-deref"), pick("deadlock-chan"));
    let (nil_files, dead_files) = (nil.unpack("two-programs"), dead.unpack("two-programs"));
    let loaded = godiag::load_inputs(&[
        nil_files.core.clone(),
        dead_files.exe.clone(),
        dead_files.core.clone(),
        nil_files.exe.clone(),
    ])
    .unwrap();
    let report = godiag::build_report(&loaded, GroupKeyMode::Stack);
    for (i, input) in report
        .inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.kind.name() == "elf-core")
    {
        assert!(input.analysed, "core {i}: {:?}", input.warnings);
    }
    let kinds: Vec<&str> = report.findings.iter().map(|f| f.kind.name()).collect();
    assert!(
        kinds.contains(&"nil-dereference") && kinds.contains(&"deadlock"),
        "{kinds:?}"
    );
}
