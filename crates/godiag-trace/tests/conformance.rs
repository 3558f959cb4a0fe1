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
    let mut r = Reader::new(data, mode).map_err(|e| e.message)?;
    let mut n = 0;
    loop {
        match r.next_event() {
            Ok(Some(_)) => n += 1,
            Ok(None) => return Ok(n),
            Err(e) => return Err(e.message),
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
