//! Attaching to a live Go program (the lab's leaking service): every
//! goroutine is read while its threads are stopped, the pause is measured,
//! and the program goes on serving after the detach.

use std::io::BufRead;
use std::path::Path;
use std::process::{Command, Stdio};

fn lab() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../lab")
}

/// Builds the lab package `package` (`./scenarios/…`, `./cmd/…`) with the
/// test toolchain into `<target tmp>/<dir>/<name>`.
fn build_lab(package: &str, dir: &str, name: &str) -> std::path::PathBuf {
    let version = std::env::var("GODIAG_TEST_GO").unwrap_or_else(|_| "1.24.11".into());
    let go = lab().join(format!("../.cache/go/{version}/bin/go"));
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join(dir);
    std::fs::create_dir_all(&out).unwrap();
    let bin = out.join(name);
    let status = Command::new(&go)
        .current_dir(lab())
        .env("CGO_ENABLED", "0")
        .env("GOTOOLCHAIN", "local")
        .args(["build", "-o"])
        .arg(&bin)
        .arg(package)
        .status()
        .unwrap();
    assert!(status.success(), "go build {package}");
    bin
}

struct Service(std::process::Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn attach_reads_every_goroutine_and_leaves_the_program_running() {
    let bin = build_lab("./scenarios/service-leak", "attach", "svc");
    let mut svc = Service(Command::new(&bin).stdout(Stdio::piped()).spawn().unwrap());
    let mut line = String::new();
    std::io::BufReader::new(svc.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    // Let leaked lookups pile up.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let pid = svc.0.id() as i32;

    let live = godiag_live::LiveProcess::attach(pid, None).expect("attach");
    let exe = godiag_exe::GoExecutable::parse(live.exe_bytes()).unwrap();
    let read = godiag_core::goroutines(&live.image(), &exe, live.exe_bytes()).expect("goroutines");
    let leaked = read
        .goroutines
        .iter()
        .filter(|g| g.status == "chan send" && g.frames.iter().any(|f| f.function == "main.lookup"))
        .count();
    assert!(
        leaked >= 10,
        "{leaked} leaked lookups of {}",
        read.goroutines.len()
    );
    let total = read.goroutines.len();
    drop(read);
    drop(exe);
    let stop = live.detach();
    assert!(total > leaked);
    assert!(stop.paused < std::time::Duration::from_secs(5), "{stop:?}");
    assert!(stop.bytes_read > 0 && stop.threads >= 2, "{stop:?}");

    // Still running, not stopped, not traced.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let state = status.lines().find(|l| l.starts_with("State:")).unwrap();
    assert!(
        !state.contains("stopped") && !state.contains("tracing"),
        "{state}"
    );
    assert!(status.contains("TracerPid:\t0"), "{status}");
    assert!(svc.0.try_wait().unwrap().is_none(), "the service exited");

    // A second attach while nothing traces it works too; a PID that does not
    // exist is a clear error.
    assert!(matches!(
        godiag_live::LiveProcess::attach(i32::MAX, None),
        Err(godiag_live::AttachError::NoSuchProcess { .. })
    ));
}

/// A signal sent while the process is stopped is delivered once it is let
/// go (lab/cmd/hang prints the signals it gets).
#[test]
#[ignore = "needs a Go toolchain: run scripts/test.sh"]
fn signals_during_the_stop_are_delivered_after_it() {
    let bin = build_lab("./cmd/hang", "attach-signal", "hang");
    let mut svc = Service(
        Command::new(&bin)
            .args(["-parked", "10", "-beat", "1h"])
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut lines = std::io::BufReader::new(svc.0.stdout.take().unwrap()).lines();
    assert!(lines.next().unwrap().unwrap().starts_with("ready "));
    let pid = svc.0.id() as i32;

    let live = godiag_live::LiveProcess::attach(pid, None).expect("attach");
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(pid),
        nix::sys::signal::Signal::SIGUSR1,
    )
    .unwrap();
    // Nothing runs while it is stopped.
    std::thread::sleep(std::time::Duration::from_millis(200));
    let stop = live.detach();
    assert!(
        stop.paused >= std::time::Duration::from_millis(200),
        "{stop:?}"
    );
    let line = lines.next().unwrap().unwrap();
    assert_eq!(line, "signal user defined signal 1");
    assert!(svc.0.try_wait().unwrap().is_none(), "it exited");
}
