//! Checking a lab corpus (`<root>/go<VER>/` directories) against
//! `lab/manifest.json` (the ground truth as constructed) and each version's
//! `index.json` (an independent `grep -c '^goroutine [0-9]'` per artifact).
// Each test binary that includes this module uses only part of it.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

use godiag::{build_report, load_inputs};
use godiag_model::{GroupKeyMode, InputKind, InputStatus};
use serde_json::Value;

pub fn lab_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab")
}

struct Scenario {
    name: String,
    kind: String,
    function: String,
    file: String,
    line: u64,
    message: Option<String>,
    message_by_version: Value,
    /// Profile scenarios: the sample type each artifact variant is about.
    sample_types: Value,
}

fn manifest() -> Vec<Scenario> {
    let text = std::fs::read_to_string(lab_dir().join("manifest.json")).expect("lab/manifest.json");
    let v: Value = serde_json::from_str(&text).expect("manifest is JSON");
    v["scenarios"]
        .as_array()
        .expect("scenarios")
        .iter()
        // Traced scenarios are checked by tests/traces.rs.
        .filter(|s| s["evidence"].as_str() != Some("trace"))
        .map(|s| Scenario {
            name: s["name"].as_str().unwrap().to_string(),
            kind: s["kind"].as_str().unwrap().to_string(),
            function: s["location"]["function"].as_str().unwrap().to_string(),
            file: s["location"]["file"]
                .as_str()
                .unwrap()
                .trim_start_matches("lab/")
                .to_string(),
            line: s["location"]["line"].as_u64().unwrap(),
            message: s["message"].as_str().map(str::to_string),
            message_by_version: s["message_by_version"].clone(),
            sample_types: s["sample_types"].clone(),
        })
        .collect()
}

fn expected_message<'s>(s: &'s Scenario, version: &str) -> Option<&'s str> {
    // "1.26" keys apply to 1.26.x.
    let minor: String = version.split('.').take(2).collect::<Vec<_>>().join(".");
    s.message_by_version
        .get(&minor)
        .and_then(Value::as_str)
        .or(s.message.as_deref())
}

fn at(file: &str, line: u32, s: &Scenario) -> bool {
    u64::from(line) == s.line && file.ends_with(&s.file)
}

/// Artifacts of one version: (file path, index entry).
fn artifacts(version_dir: &Path) -> Vec<(PathBuf, Value)> {
    let index: Value = serde_json::from_str(
        &std::fs::read_to_string(version_dir.join("index.json")).expect("index.json"),
    )
    .expect("index.json is JSON");
    index["artifacts"]
        .as_array()
        .expect("artifacts")
        .iter()
        .map(|a| (version_dir.join(a["file"].as_str().unwrap()), a.clone()))
        .collect()
}

/// The text artifacts (`*.txt`) of the lab for each Go version given, in
/// name order.
pub fn lab_texts(versions: &[&str]) -> Vec<PathBuf> {
    let root = lab_dir().join("artifacts");
    let mut out = Vec::new();
    for version in versions {
        let mut paths: Vec<_> = std::fs::read_dir(root.join(version))
            .expect("lab artifacts")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "txt"))
            .collect();
        paths.sort();
        out.extend(paths);
    }
    out
}

/// What one text reads as: the top finding's kind, its function and
/// line, and the goroutines read.
pub type TopFinding = (Option<String>, Option<(String, u32)>, usize);

/// The top finding of `bytes` read as one input named `name`.
pub fn top_finding(name: &str, bytes: Vec<u8>) -> TopFinding {
    let loaded = godiag::PreparedInput::from_bytes(name.to_string(), bytes);
    let report = build_report(std::slice::from_ref(&loaded), GroupKeyMode::Stack);
    let goroutines = report.inputs[0].text().map_or(0, |t| t.goroutines.len());
    let f = report.findings.first();
    (
        f.map(|f| f.kind.name().to_string()),
        f.and_then(|f| f.location.as_ref())
            .map(|l| (l.function.to_string(), l.line)),
        goroutines,
    )
}

pub fn version_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root)
        .expect("artifact directory")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("index.json").exists())
        .collect();
    dirs.sort();
    dirs
}

/// Checks every artifact under `root` (one `go<VER>` directory per version);
/// returns the failures, one line each.
pub fn check_corpus(root: &Path) -> (usize, Vec<String>) {
    let scenarios = manifest();
    let mut failures = Vec::new();
    let mut checked = 0;
    let mut profile_files: std::collections::BTreeMap<String, Vec<PathBuf>> = Default::default();
    for dir in version_dirs(root) {
        let version = dir
            .file_name()
            .unwrap()
            .to_string_lossy()
            .trim_start_matches("go")
            .to_string();
        for (path, entry) in artifacts(&dir) {
            let name = entry["scenario"].as_str().unwrap();
            if name.starts_with("trace-") {
                continue; // tests/traces.rs
            }
            if path.extension().is_some_and(|e| e == "out") {
                continue; // a trace beside text artifacts: tests/crossverify.rs
            }
            checked += 1;
            let variant = entry["variant"].as_str().unwrap_or("default");
            let Some(s) = scenarios.iter().find(|s| s.name == name) else {
                failures.push(format!(
                    "{}: scenario {name} not in the manifest",
                    path.display()
                ));
                continue;
            };
            let mut fail =
                |what: String| failures.push(format!("go{version} {name}.{variant}: {what}"));
            let loaded = load_inputs(std::slice::from_ref(&path)).expect("artifact loads");
            let report = build_report(&loaded, GroupKeyMode::Stack);
            let input = &report.inputs[0];
            // Artifacts of the profile scenarios: recognised and read here,
            // judged together per scenario below.
            if let Some(format) = entry["format"].as_str() {
                let want = match format {
                    "pprof-proto" => InputKind::PprofProto,
                    "pprof-text" => InputKind::PprofText,
                    "goroutine-dump" => InputKind::GoroutineDump,
                    "goroutine-count-dump" => InputKind::GoroutineCountDump,
                    _ => InputKind::CrashText,
                };
                if input.kind != want {
                    fail(format!("kind {:?}, expected {want:?}", input.kind));
                } else if input.status != InputStatus::Parsed {
                    fail(format!("status {:?}: {:?}", input.status, input.warnings));
                } else if matches!(want, InputKind::PprofProto | InputKind::PprofText) {
                    let p = input.profile().expect("profile read");
                    let base = variant.split('.').next().unwrap_or(variant);
                    if matches!(base, "mutex" | "block" | "cpu" | "heap") && p.kind().name() != base
                    {
                        fail(format!("read as a {} profile", p.kind().name()));
                    }
                    if let Some(ty) = s.sample_types.get(variant).and_then(Value::as_str) {
                        if p.sample_index(ty).is_none() {
                            fail(format!("no sample type {ty} in {:?}", p.sample_types()));
                        }
                    }
                }
                profile_files
                    .entry(name.to_string())
                    .or_default()
                    .push(path.clone());
                continue;
            }
            let expected_kind = if variant.starts_with("debug1") {
                InputKind::GoroutineCountDump
            } else if variant.starts_with("debug2") {
                InputKind::GoroutineDump
            } else if name == "data-race" {
                InputKind::RaceReport
            } else if name == "sigquit" {
                InputKind::SigquitDump
            } else {
                InputKind::CrashText
            };
            if input.kind != expected_kind {
                fail(format!(
                    "kind {:?}, expected {:?}",
                    input.kind, expected_kind
                ));
                continue;
            }
            if input.status != InputStatus::Parsed {
                fail(format!("status {:?}: {:?}", input.status, input.warnings));
            }
            let t = input.text().expect("text kinds are read");
            // Goroutine count against the independent grep of the index.
            if let Some(total) = entry["debug1_total"].as_u64() {
                let sum: u64 = t.count_records.iter().map(|r| r.count).sum();
                if t.count_total != Some(total) || sum != total {
                    fail(format!(
                        "debug=1 total {:?}, records sum {sum}, index says {total}",
                        t.count_total
                    ));
                }
            } else if let Some(n) = entry["goroutine_headers"].as_u64() {
                if t.goroutines.len() as u64 != n {
                    fail(format!(
                        "{} goroutines read, grep counts {n}",
                        t.goroutines.len()
                    ));
                }
            }
            // The Go version the syntax proves never exceeds the real one.
            if let Some(at_least) = &input.go_version_at_least {
                let minor = |v: &str| {
                    v.split('.')
                        .nth(1)
                        .and_then(|m| m.parse::<u32>().ok())
                        .unwrap_or(0)
                };
                if minor(at_least) > minor(&version) {
                    fail(format!("inferred go >= {at_least}"));
                }
            }
            // The failure message.
            if t.crash.is_failure() {
                if let Some(msg) = expected_message(s, &version) {
                    let printed: Vec<String> = t
                        .crash
                        .panics
                        .iter()
                        .map(|p| p.value.to_string())
                        .chain(t.crash.fatal_error.iter().map(|f| f.to_string()))
                        .chain(
                            t.crash
                                .fatal_signal
                                .iter()
                                .map(|f| format!("{}: {}", f.name, f.description)),
                        )
                        .chain(
                            t.crash
                                .fatal_signal
                                .iter()
                                .filter(|f| f.during_cgo)
                                .map(|_| "signal arrived during cgo execution".to_string()),
                        )
                        .chain(t.crash.runtime_messages.iter().map(|m| m.to_string()))
                        .collect();
                    if !printed.iter().any(|p| p.contains(msg)) {
                        fail(format!("message {msg:?} not among {printed:?}"));
                    }
                }
            }
            // The root-cause line is in the stacks the reader read: in the
            // failing goroutine for a crash, anywhere for dumps and deadlocks.
            let in_frames = |frames: &[godiag_model::Frame<'_>]| {
                frames
                    .iter()
                    .any(|f| f.function == s.function && at(f.file, f.line, s))
            };
            let found = match (t.failing_goroutine(), s.kind.as_str()) {
                (Some(g), k) if k != "deadlock" && name != "goroutine-panic" => {
                    in_frames(&g.frames)
                }
                _ => {
                    t.goroutines.iter().any(|g| in_frames(&g.frames))
                        || t.races
                            .iter()
                            .any(|r| r.accesses.iter().any(|a| in_frames(&a.frames)))
                        || t.count_records.iter().any(|r| {
                            r.frames
                                .iter()
                                .any(|f| f.function == s.function && at(f.file, f.line, s))
                        })
                }
            };
            if !found {
                fail(format!("no frame {} at {}:{}", s.function, s.file, s.line));
            }
            // The top finding, for artifacts that show the failure on their own
            // (leak dumps are judged in pairs below).
            if name != "goroutine-leak" {
                match report.findings.first() {
                    Some(f) => {
                        let loc_ok = f
                            .location
                            .as_ref()
                            .is_some_and(|l| l.function == s.function && at(&l.file, l.line, s));
                        if f.kind.name() != s.kind || !loc_ok {
                            fail(format!(
                                "top finding {} at {:?}, expected {} at {} {}:{}",
                                f.kind.name(),
                                f.location
                                    .as_ref()
                                    .map(|l| format!("{} {}:{}", l.function, l.file, l.line)),
                                s.kind,
                                s.function,
                                s.file,
                                s.line
                            ));
                        }
                    }
                    None => fail("no finding".into()),
                }
            }
        }
        // Each profile scenario's files analysed together, as a bundle.
        for (name, files) in std::mem::take(&mut profile_files) {
            let s = scenarios
                .iter()
                .find(|s| s.name == name)
                .expect("in the manifest");
            let loaded = load_inputs(&files).expect("profiles load");
            let report = build_report(&loaded, GroupKeyMode::Stack);
            let ok = report.findings.first().is_some_and(|f| {
                f.kind.name() == s.kind
                    && f.location
                        .as_ref()
                        .is_some_and(|l| l.function == s.function && at(&l.file, l.line, s))
            });
            // A bundle holding a debug=2 dump and profiles of the same
            // goroutines: one finding, confirmed by both sources.
            let kinds: Vec<InputKind> = report.inputs.iter().map(|i| i.kind).collect();
            if kinds.contains(&InputKind::GoroutineDump) && kinds.contains(&InputKind::PprofProto) {
                let confirms = report.findings.first().map_or(0, |f| {
                    f.verification
                        .values()
                        .filter(|v| **v == godiag_analysis::Verdict::Confirms)
                        .count()
                });
                if confirms < 2 {
                    failures.push(format!(
                        "go{version} {name} bundle: top finding not confirmed by dump and pprof"
                    ));
                }
            }
            if !ok {
                failures.push(format!(
                    "go{version} {name} bundle: top finding {:?}, expected {} at {} {}:{}",
                    report.findings.first().map(|f| (
                        f.kind.name(),
                        f.title.clone(),
                        f.location.clone()
                    )),
                    s.kind,
                    s.function,
                    s.file,
                    s.line
                ));
            }
        }
        // Two debug=2 dumps of the leaking process: the leak is found and located.
        let first = dir.join("goroutine-leak.debug2-1.txt");
        let second = dir.join("goroutine-leak.debug2-2.txt");
        if first.exists() && second.exists() {
            let s = scenarios
                .iter()
                .find(|s| s.name == "goroutine-leak")
                .expect("leak scenario");
            let loaded = load_inputs(&[first, second]).expect("dumps load");
            let report = build_report(&loaded, GroupKeyMode::Stack);
            let ok = report.findings.first().is_some_and(|f| {
                f.kind.name() == "goroutine-leak"
                    && f.location
                        .as_ref()
                        .is_some_and(|l| l.function == s.function && at(&l.file, l.line, s))
            });
            if !ok {
                failures.push(format!(
                    "go{version} goroutine-leak pair: top finding {:?}",
                    report
                        .findings
                        .first()
                        .map(|f| (f.kind.name(), f.location.clone()))
                ));
            }
            if report.comparisons.len() != 1 {
                failures.push(format!(
                    "go{version} goroutine-leak pair: dumps not compared"
                ));
            }
        }
    }
    (checked, failures)
}

/// A Go function name without its type arguments (`F[...]`, `F[int]` → `F`):
/// the runtime prints `[...]`, symbol tables the instantiation.
pub fn strip_type_args(name: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in name.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Where HTML report tests leave their pages and screenshots.
pub fn html_out_dir() -> PathBuf {
    let d = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/html-report");
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Renders a page in headless Chromium: (the DOM as rendered, Chromium's
/// log), and writes its screenshot to `shot`.
pub fn render_in_chromium(page: &Path, shot: &Path) -> (String, String) {
    let url = format!("file://{}", page.canonicalize().unwrap().display());
    render_url_in_chromium(&url, &page.with_extension("chromium-profile"), shot)
}

/// [`render_in_chromium`] for any URL (a server's page); `profile` is the
/// browser's scratch directory.
pub fn render_url_in_chromium(url: &str, profile: &Path, shot: &Path) -> (String, String) {
    let profile = profile.to_path_buf();
    let common = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ];
    let shot_run = Command::new("chromium")
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--window-size=1280,2400")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(url)
        .output()
        .expect("chromium runs (scripts/test.sh installs it)");
    let dom_run = Command::new("chromium")
        .args(common)
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg("--dump-dom")
        .arg(url)
        .output()
        .unwrap();
    let _ = std::fs::remove_dir_all(&profile);
    let log = format!(
        "{}{}",
        String::from_utf8_lossy(&shot_run.stderr),
        String::from_utf8_lossy(&dom_run.stderr)
    );
    (String::from_utf8_lossy(&dom_run.stdout).into_owned(), log)
}

/// What a page must not do: load anything from the network, or log errors
/// of its own (Chromium's own start-up noise, such as D-Bus, is not the page's).
pub fn assert_clean_page(html: &str, log: &str) {
    for attr in ["src=\"http", "href=\"http", "url(http", "@import"] {
        assert!(!html.contains(attr), "the page loads {attr}...");
    }
    for line in log.lines() {
        assert!(
            !line.contains("CONSOLE") && !line.contains("Uncaught"),
            "console: {line}"
        );
    }
}

/// The Go version the live tests use, and its `go` (installed by
/// scripts/test.sh; its absence fails the test, it does not skip it).
pub fn toolchain() -> (String, PathBuf) {
    let version = std::env::var("GODIAG_TEST_GO").unwrap_or_else(|_| "1.24.11".into());
    let go = lab_dir().join(format!("../.cache/go/{version}/bin/go"));
    assert!(
        go.exists(),
        "Go {version} is not installed at {}: run scripts/test.sh, which installs it",
        go.display()
    );
    (version, go)
}

/// An empty scratch directory `<target tmp>/<name>` for one test.
pub fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A loopback port free now (for a server the test starts).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child killed when the test ends, however it ends.
pub struct Proc(pub std::process::Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Whether `url` answered 200 within a minute; false at once when `child`
/// exits first.
fn poll_ready(url: &str, child: &mut std::process::Child) -> bool {
    let client = godiag::collect::Client::new(&Default::default());
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while std::time::Instant::now() < until {
        if client
            .get(url, std::time::Duration::from_secs(2))
            .is_ok_and(|r| r.status == 200)
        {
            return true;
        }
        if !matches!(child.try_wait(), Ok(None)) {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }
    false
}

/// A server started on a free loopback port and ready at `ready` (a path);
/// its process and base URL. `command` builds its command line for a port
/// and a route prefix, which the server must serve everything under: unique
/// to this child, so that another test's server that took the port between
/// `free_port` and our bind cannot answer ready in its place.
/// A server that exits before it is ready is started again on another port,
/// twice at most; its standard error is kept in `dir` and shown when it fails.
fn serve_ready(
    dir: &Path,
    what: &str,
    ready: &str,
    command: impl Fn(u16, &str) -> std::process::Command,
) -> (Proc, String) {
    static CHILDREN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let mut last_log = String::new();
    for attempt in 0..3 {
        let port = free_port();
        let n = CHILDREN.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let prefix = format!("/{what}-{}-{n}", std::process::id());
        let url = format!("http://127.0.0.1:{port}{prefix}");
        let log_path = dir.join(format!("{what}-{attempt}.log"));
        let log = std::fs::File::create(&log_path).unwrap();
        let mut child = Proc(
            command(port, &prefix)
                .stdout(std::process::Stdio::null())
                .stderr(log)
                .spawn()
                .unwrap_or_else(|e| panic!("{what} (Debian) runs: {e}")),
        );
        // Ready under our prefix is ours; the exit check is for a server
        // that answered and then stopped.
        if poll_ready(&format!("{url}{ready}"), &mut child.0)
            && matches!(child.0.try_wait(), Ok(None))
        {
            return (child, url);
        }
        drop(child);
        last_log = std::fs::read_to_string(&log_path).unwrap_or_default();
    }
    let tail: Vec<&str> = last_log.lines().rev().take(20).collect();
    panic!(
        "{what} never got ready (3 attempts); its last log lines:\n{}",
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    );
}

/// A real Alertmanager (Debian's prometheus-alertmanager) on loopback, with
/// no clustering and a receiver that drops; its URL.
pub fn alertmanager(dir: &Path) -> (Proc, String) {
    std::fs::write(
        dir.join("am.yml"),
        "route:\n  receiver: drop\nreceivers:\n  - name: drop\n",
    )
    .unwrap();
    serve_ready(dir, "alertmanager", "/-/ready", |port, prefix| {
        let mut c = std::process::Command::new("prometheus-alertmanager");
        c.arg(format!("--config.file={}", dir.join("am.yml").display()))
            .arg(format!("--storage.path={}", dir.join("am-data").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .arg(format!("--web.route-prefix={prefix}"))
            .arg("--cluster.listen-address=");
        c
    })
}

/// A real Prometheus (Debian's) on loopback scraping `127.0.0.1:port`
/// every second as `job`; its URL.
pub fn prometheus(dir: &Path, job: &str, port: u16) -> (Proc, String) {
    std::fs::write(
        dir.join("prometheus.yml"),
        format!(
            "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: {job}\n    static_configs:\n      - targets: ['127.0.0.1:{port}']\n"
        ),
    )
    .unwrap();
    serve_ready(dir, "prometheus", "/-/ready", |prom_port, prefix| {
        let mut c = std::process::Command::new("prometheus");
        c.arg(format!(
            "--config.file={}",
            dir.join("prometheus.yml").display()
        ))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.join("prom-data").display()
        ))
        .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
        .arg(format!("--web.route-prefix={prefix}"));
        c
    })
}

/// The first value of a PromQL `query` now, if there is one.
pub fn prometheus_value(prom: &str, query: &str) -> Option<f64> {
    let encoded: String = query
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'-' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let client = godiag::collect::Client::new(&Default::default());
    let r = client
        .get(
            &format!("{prom}/api/v1/query?query={encoded}"),
            std::time::Duration::from_secs(5),
        )
        .ok()?;
    let v: Value = serde_json::from_slice(&r.body).ok()?;
    v["data"]["result"][0]["value"][1].as_str()?.parse().ok()
}

/// Starts `bin` with its standard output read on a thread: each line, with
/// when it arrived, comes on the receiver.
pub fn spawn_lines(
    bin: &Path,
    args: &[&str],
) -> (
    std::process::Child,
    std::sync::mpsc::Receiver<(std::time::Instant, String)>,
) {
    use std::io::BufRead;
    let mut child = Command::new(bin)
        .args(args)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            if tx.send((std::time::Instant::now(), line)).is_err() {
                break;
            }
        }
    });
    (child, lines)
}
