//! Findings from how the process ended when the Go runtime's report of it
//! is not in the input: a kill for memory (the runtime never wrote one),
//! and Go's exit status 2 under the tail of a goroutine dump (the report's
//! head, with the message and the failing goroutine, was cut).

use crate::crashrules::human_bytes;
use crate::finding::{Confidence, Evidence, Finding, FindingKind};
use crate::input::TextInput;

/// The status the Go runtime exits with after an unrecovered panic or a
/// fatal error (`runtime.exit(2)`).
const GO_FAILURE_STATUS: i32 = 2;

pub(crate) fn process_end_finding(input: &TextInput<'_, '_>) -> Option<Finding> {
    let t = input.artifact;
    if t.crash.is_failure() {
        return None;
    }
    if let Some(k) = &t.crash.oom_kill {
        return Some(oom_kill_finding(input, k));
    }
    if let Some(k) = &t.crash.killed_by {
        return Some(killed_finding(input, k));
    }
    (t.crash.exit_status? == GO_FAILURE_STATUS).then(|| cut_report_finding(input))
}

/// The Go toolchain's own programs, which `go build` and `go test` run.
const TOOLCHAIN: &[&str] = &["compile", "link", "asm", "cgo", "vet", "cover"];

/// A signal ended the process and the runtime could not say why: SIGKILL
/// cannot be caught. A toolchain program killed mid-build is the OOM
/// killer's work: nothing else sends SIGKILL to a compiler (a CI timeout
/// says so itself).
fn killed_finding(input: &TextInput<'_, '_>, k: &godiag_model::KilledBy<'_>) -> Finding {
    let tool = k.program.filter(|p| TOOLCHAIN.contains(p));
    let mut f = match tool {
        Some(p) if k.signal == "SIGKILL" => {
            let mut f = Finding::new(
                FindingKind::OutOfMemory,
                format!(
                    "out of memory: the Go toolchain's {p} was killed (SIGKILL) while building"
                ),
                Confidence::Medium,
            );
            f.next_steps = vec![
                "Give the build more memory (the CI runner's or container's limit), or build fewer packages at once (`go build -p 1`)".into(),
                "Check the kernel log of the build machine (`dmesg`, `journalctl -k`) for the OOM killer's `Killed process` line".into(),
            ];
            f
        }
        _ => {
            let mut f = Finding::new(
                FindingKind::UnknownFailure,
                format!(
                    "the process was killed by {}, which the Go runtime cannot report",
                    k.signal
                ),
                Confidence::Low,
            );
            f.next_steps = vec![
                "Look in the kernel log (`dmesg`, `journalctl -k`) for the OOM killer's `Killed process` line at that time: SIGKILL is most often a kill for memory".into(),
                "Otherwise find who sent it: a supervisor's stop timeout (systemd's `TimeoutStopSec`, Kubernetes' grace period), a watchdog, an operator".into(),
            ];
            f
        }
    };
    f.confirm(Evidence {
        source: input.source(),
        summary: format!("ended by {}, as its launcher reported", k.signal),
        input: input.index,
        offset: Some(k.offset),
        lines: vec![k.line.to_string()],
        goroutines: None,
    });
    f
}

fn oom_kill_finding(input: &TextInput<'_, '_>, k: &godiag_model::OomKill<'_>) -> Finding {
    let who = match (k.process, k.pid) {
        (Some(p), Some(pid)) => format!("{p} (pid {pid})"),
        _ => "the process".into(),
    };
    let by = match (k.process, k.cgroup) {
        (None, _) => "Kubernetes killed the container",
        (Some(_), true) => "its memory cgroup's limit was reached and the kernel killed",
        (Some(_), false) => "the kernel's OOM killer killed",
    };
    let held = k
        .anon_rss_kib
        .map(|kib| format!(" holding {} of heap and stacks", human_bytes(kib.saturating_mul(1024))))
        .unwrap_or_default();
    let mut f = Finding::new(
        FindingKind::OutOfMemory,
        match k.process {
            Some(_) => format!("out of memory: {by} {who}{held}"),
            None => format!("out of memory: {by} for exceeding its memory limit (OOMKilled)"),
        },
        Confidence::Medium,
    );
    f.confirm(Evidence {
        source: input.source(),
        summary: "killed from outside the Go runtime, which printed nothing: the heap grew past the limit of the machine or the container".into(),
        input: input.index,
        offset: Some(k.offset),
        lines: vec![k.line.to_string()],
        goroutines: None,
    });
    f.next_steps = vec![
        "Set GOMEMLIMIT a little below the container's or machine's limit: the GC then works harder before the kill, and a real leak shows as GC pressure instead of a sudden death".into(),
        "Take heap profiles while memory grows (`godiag collect` or /debug/pprof/heap, a few minutes apart) and compare them with `godiag analyze`: the allocation site that keeps growing is the leak".into(),
        "Check what the process holds besides the Go heap (cgo allocations, mmap'd files): `anon-rss` counts them too".into(),
    ];
    f
}

/// Exit status 2 with no failure printed: under the tail of a goroutine
/// dump, the report's head was cut; with no Go output at all, the report
/// went elsewhere (or it was a command-line usage error, which the `flag`
/// package also ends with 2).
fn cut_report_finding(input: &TextInput<'_, '_>) -> Finding {
    let t = input.artifact;
    let n = t.goroutines.len();
    let (title, summary, confidence) = if n > 0 {
        (
            "the program exited with status 2 after a panic or fatal error whose message was cut from the input",
            format!(
                "exit status 2 (the Go runtime's after an unrecovered panic or a fatal error) under the tail of a goroutine dump ({n} goroutine{}); the message and the failing goroutine come first in the runtime's report",
                if n == 1 { "" } else { "s" }
            ),
            Confidence::Medium,
        )
    } else {
        (
            "the program exited with status 2, the Go runtime's after a panic or fatal error, and the input holds no report of it",
            "exit status 2 and no Go output: the report went to another stream or log (or a command-line usage error, which also exits with 2)".to_string(),
            Confidence::Low,
        )
    };
    let mut f = Finding::new(FindingKind::UnknownFailure, title, confidence);
    f.confirm(Evidence {
        source: input.source(),
        summary,
        input: input.index,
        offset: None,
        lines: Vec::new(),
        goroutines: None,
    });
    f.next_steps = vec![
        "Get the report from its first line: `journalctl -u UNIT --no-pager` (`systemctl status` keeps only the last lines), `kubectl logs --previous POD`, or `docker logs CONTAINER`".into(),
        "The `panic:` or `fatal error:` line and the goroutine under it name the failure; give godiag the whole report".into(),
    ];
    f
}
