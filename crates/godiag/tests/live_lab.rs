//! Builds and crashes lab programs with a real Go toolchain right now (through
//! `lab/regen.sh`, the script that made the committed corpus) and checks the
//! fresh artifacts exactly as the committed ones. Ignored by plain
//! `cargo test`; `scripts/test.sh` installs Go and runs it.

mod common;

use std::process::Command;

#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn regenerated_artifacts_match_the_manifest() {
    let version = std::env::var("GODIAG_TEST_GO").unwrap_or_else(|_| "1.24.11".into());
    let lab = common::lab_dir();
    let go = lab.join(format!("../.cache/go/{version}/bin/go"));
    assert!(
        go.exists(),
        "Go {version} is not installed at {}: run scripts/test.sh, which installs it",
        go.display()
    );
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
