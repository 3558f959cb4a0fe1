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

/// Executables (plain, stripped, PIE) and a kernel core dump made right now
/// are recognised, with the Go version read from the build info.
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn executables_and_cores_are_recognised() {
    use godiag::Loaded;
    use godiag_model::InputKind;

    let version = std::env::var("GODIAG_TEST_GO").unwrap_or_else(|_| "1.24.11".into());
    let lab = common::lab_dir();
    let go = lab.join(format!("../.cache/go/{version}/bin/go"));
    assert!(
        go.exists(),
        "Go {version} is not installed: run scripts/test.sh"
    );
    let tmp = std::env::temp_dir().join(format!("godiag-live-exe-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    for (name, flags) in [
        ("plain", vec![]),
        ("stripped", vec!["-ldflags=-s -w"]),
        ("pie", vec!["-buildmode=pie"]),
    ] {
        let out = tmp.join(name);
        let status = Command::new(&go)
            .current_dir(&lab)
            .env("GOTOOLCHAIN", "local")
            .env("CGO_ENABLED", "0")
            .arg("build")
            .args(&flags)
            .arg("-o")
            .arg(&out)
            .arg("./scenarios/nil-deref")
            .status()
            .expect("go build runs");
        assert!(status.success(), "go build {name}");
        let l = Loaded::from_bytes(name, std::fs::read(&out).unwrap()).unwrap();
        assert_eq!(l.sniffed.kind, InputKind::ElfExecutable, "{name}");
        assert_eq!(
            l.sniffed.go_version.as_deref(),
            Some(version.as_str()),
            "{name}"
        );
    }
    // GOTRACEBACK=crash aborts after the traceback; the kernel writes `core`
    // in the working directory (core_pattern permitting).
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern").unwrap_or_default();
    assert!(
        !pattern.starts_with('|'),
        "core_pattern pipes cores to {pattern:?}; this test needs cores written as files"
    );
    let status = Command::new("bash")
        .current_dir(&tmp)
        .arg("-c")
        .arg("ulimit -c unlimited; GOTRACEBACK=crash ./plain 2>/dev/null")
        .status()
        .expect("bash runs");
    assert!(!status.success());
    let core = std::fs::read_dir(&tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("core"))
        .expect("a core file was written");
    let l = Loaded::from_bytes("core", std::fs::read(&core).unwrap()).unwrap();
    assert_eq!(l.sniffed.kind, InputKind::ElfCore);
    let _ = std::fs::remove_dir_all(&tmp);
}
