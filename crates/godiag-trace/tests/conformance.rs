//! Go's own trace tests: the text traces under `internal/trace/testdata/tests` of each
//! installed toolchain must get the same verdict (success, or failure with the
//! expected message), and the fuzz corpus must not crash the reader.
//!
//! The test data ships with the Go toolchain (not with godiag), so these tests need one:
//! `scripts/test.sh` installs Go 1.24.11 into `.cache/go`; any other version found
//! there (or at `$GODIAG_GOROOT`) is tested too.

use godiag_trace::{text, Mode, Reader};
use std::path::{Path, PathBuf};

fn goroots() -> Vec<PathBuf> {
    let mut roots = Vec::new();
    if let Ok(r) = std::env::var("GODIAG_GOROOT") {
        roots.push(PathBuf::from(r));
    }
    let cache = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../.cache/go");
    if let Ok(dirs) = std::fs::read_dir(&cache) {
        for d in dirs.flatten() {
            if let Ok(libs) = std::fs::read_dir(d.path().join("lib")) {
                for l in libs.flatten() {
                    let root = l.path().join("site-packages/go");
                    if root.join("src/internal/trace/testdata/tests").is_dir() {
                        roots.push(root);
                    }
                }
            }
        }
    }
    roots.sort();
    roots
}

fn read_all(data: &[u8], mode: Mode) -> Result<usize, String> {
    let mut r = Reader::new(data, mode).map_err(|e| e.message().to_string())?;
    let mut n = 0;
    loop {
        match r.next_event() {
            Ok(Some(_)) => n += 1,
            Ok(None) => return Ok(n),
            Err(e) => return Err(e.message().to_string()),
        }
    }
}

#[test]
#[ignore = "needs a Go toolchain (scripts/test.sh installs one)"]
fn go_golden_tests_get_go_verdicts() {
    let roots = goroots();
    assert!(
        !roots.is_empty(),
        "no Go toolchain under .cache/go or $GODIAG_GOROOT"
    );
    let mut checked = 0;
    for root in roots {
        let dir = root.join("src/internal/trace/testdata/tests");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "test"))
            .collect();
        files.sort();
        assert!(
            files.len() >= 20,
            "{}: only {} tests",
            dir.display(),
            files.len()
        );
        for f in files {
            let body = std::fs::read_to_string(&f).expect("read test");
            let expect = body
                .split("-- expect --\n")
                .nth(1)
                .and_then(|s| s.lines().next())
                .expect("expect section")
                .to_string();
            let trace = body.split("-- trace --\n").nth(1).expect("trace section");
            let data = text::to_binary(trace).unwrap_or_else(|e| panic!("{}: {e}", f.display()));
            let got = read_all(&data, Mode::Strict);
            let name = f
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            if expect == "SUCCESS" {
                let n = got.unwrap_or_else(|e| panic!("{name}: expected success, got {e}"));
                assert!(n > 0, "{name}: no events");
            } else {
                let want = expect
                    .trim_start_matches("FAILURE ")
                    .trim_matches('"')
                    .trim_start_matches(".*")
                    .trim_end_matches(".*")
                    .to_string();
                let err = got
                    .err()
                    .unwrap_or_else(|| panic!("{name}: expected failure {want}"));
                assert!(err.contains(&want), "{name}: error {err:?} lacks {want:?}");
            }
            checked += 1;
        }
    }
    assert!(checked >= 20);
}

#[test]
#[ignore = "needs a Go toolchain (scripts/test.sh installs one)"]
fn go_fuzz_corpus_does_not_crash() {
    let mut seen = 0;
    for root in goroots() {
        let dir = root.join("src/internal/trace/testdata/fuzz/FuzzReader");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let body = std::fs::read_to_string(e.path()).expect("read corpus");
            let Some(q) = body
                .lines()
                .find_map(|l| l.strip_prefix("[]byte(").and_then(|l| l.strip_suffix(')')))
            else {
                continue;
            };
            let data = text::unquote(q).expect("corpus entry is a Go string");
            for mode in [Mode::Strict, Mode::Salvage] {
                let _ = read_all(&data, mode);
            }
            seen += 1;
        }
    }
    assert!(seen >= 10, "fuzz corpus not found");
}

/// Events as `go tool trace -d=parsed` prints them, normalised across the Go versions'
/// spellings: Sync events dropped (1.24 prints fewer), `Value{X}` as `X` (1.25+),
/// transitions as `GoID=N A->B Reason=".."` (1.24 and 1.25 put `Resource=` and the reason
/// first), and a transition stack left out where it repeats the event's stack (1.24 and
/// 1.25 leave it unset for status events).
fn normalise(text: &str) -> Vec<String> {
    let mut events: Vec<(String, Vec<String>, Vec<String>)> = Vec::new();
    let mut block: Option<bool> = None; // Some(true): TransitionStack, Some(false): Stack
    for line in text.lines() {
        if line.trim().is_empty() {
            continue;
        }
        if line.starts_with("M=") {
            events.push((canonical_header(line), Vec::new(), Vec::new()));
            block = None;
        } else if line == "TransitionStack=" {
            block = Some(true);
        } else if line == "Stack=" {
            block = Some(false);
        } else if let (Some(ev), Some(b)) = (events.last_mut(), block) {
            if b { &mut ev.1 } else { &mut ev.2 }.push(line.to_string());
        }
    }
    let mut out = Vec::new();
    for (head, ts, st) in events {
        if head.contains(" Sync Time=") {
            continue;
        }
        out.push(head);
        if !ts.is_empty() && ts != st {
            out.push("TransitionStack=".into());
            out.extend(ts);
        }
        if !st.is_empty() {
            out.push("Stack=".into());
            out.extend(st);
        }
    }
    out
}

fn canonical_header(line: &str) -> String {
    // Value{Uint64(5)} -> Uint64(5)
    let mut s = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find("Value{") {
        s.push_str(&rest[..i]);
        let after = &rest[i + "Value{".len()..];
        match after.find(")}") {
            Some(j) => {
                s.push_str(&after[..=j]);
                rest = &after[j + 2..];
            }
            None => {
                s.push_str(&rest[i..]);
                rest = "";
            }
        }
    }
    s.push_str(rest);
    // "Resource=Goroutine(1) Reason=\"x\" GoID=1 A->B" -> "GoID=1 A->B Reason=\"x\""
    if let Some(i) = s.find(" Resource=") {
        let tail = &s[i + 1..];
        let parts: Vec<&str> = tail.splitn(2, " Reason=\"").collect();
        if parts.len() == 2 {
            if let Some(q) = parts[1].find("\" ") {
                let reason = &parts[1][..q];
                let id_and_change = &parts[1][q + 2..];
                return format!("{} {id_and_change} Reason=\"{reason}\"", &s[..i]);
            }
        }
    }
    s
}

/// The ordered event stream of every lab trace equals `go tool trace -d=parsed` of
/// each installed toolchain that has it (1.24 and later): its own version's traces,
/// and for 1.24 also those of 1.22 and 1.23, whose tools lack `-d=parsed`.
#[test]
#[ignore = "needs a Go toolchain (scripts/test.sh installs one)"]
fn lab_traces_match_go_tool_trace_d_parsed() {
    let lab = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/artifacts");
    let mut compared = 0;
    for root in goroots() {
        let Some(version) = std::fs::read_to_string(root.join("VERSION"))
            .ok()
            .and_then(|v| {
                v.lines()
                    .next()
                    .map(|l| l.trim_start_matches("go").to_string())
            })
        else {
            continue;
        };
        let minor: u32 = version
            .split('.')
            .nth(1)
            .and_then(|m| m.parse().ok())
            .unwrap_or(0);
        if minor < 24 {
            continue;
        }
        let mut dirs = vec![format!("go{version}")];
        if minor == 24 {
            dirs.extend(["go1.22.10".to_string(), "go1.23.9".to_string()]);
        }
        for dir in dirs {
            let Ok(entries) = std::fs::read_dir(lab.join(&dir)) else {
                continue;
            };
            let mut files: Vec<PathBuf> = entries
                .flatten()
                .map(|e| e.path())
                .filter(|p| p.extension().is_some_and(|x| x == "out"))
                .collect();
            files.sort();
            for f in files {
                let go = std::process::Command::new(root.join("bin/go"))
                    .args(["tool", "trace", "-d=parsed"])
                    .arg(&f)
                    .env("GOTOOLCHAIN", "local")
                    .output()
                    .expect("go tool trace runs");
                let data = std::fs::read(&f).unwrap();
                let mut r = Reader::new(&data, Mode::Strict).unwrap();
                let mut ours = String::new();
                while let Ok(Some(e)) = r.next_event() {
                    ours.push_str(&e.display(r.tables()));
                    ours.push('\n');
                }
                let (a, b) = (
                    normalise(&ours),
                    normalise(&String::from_utf8_lossy(&go.stdout)),
                );
                assert!(
                    b.len() > 100,
                    "{}: go printed {} lines",
                    f.display(),
                    b.len()
                );
                if go.status.success() {
                    assert_eq!(a.len(), b.len(), "{} (go{version})", f.display());
                }
                // A trace cut short: Go prints what it read before the error.
                for (i, (x, y)) in a.iter().zip(&b).enumerate() {
                    assert_eq!(x, y, "{} line {i} (go{version})", f.display());
                }
                compared += 1;
            }
        }
    }
    assert!(compared >= 20, "only {compared} traces compared");
}

/// Two traces joined end to end are read up to the second's header, which
/// the error names; a header of a release newer than the reader's says so.
#[test]
fn joined_and_future_traces_say_what_they_are() {
    let lab = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab/artifacts/go1.26.6");
    let one = std::fs::read(lab.join("trace-annotations.trace.out")).unwrap();
    let two = [one.as_slice(), one.as_slice()].concat();
    let (s, _, _) = godiag_trace::analysis::analyze(&two).unwrap();
    assert_eq!(s.partial_offset, Some(one.len() as u64));
    assert!(
        s.partial
            .as_deref()
            .unwrap_or("")
            .contains("a second trace starts here"),
        "{:?}",
        s.partial
    );
    let mut future = one.clone();
    future[..16].copy_from_slice(b"go 1.99 trace\0\0\0");
    let err = Reader::new(&future, Mode::Salvage).err().unwrap();
    assert!(
        err.message().contains("newer than this build"),
        "{}",
        err.message()
    );
}
