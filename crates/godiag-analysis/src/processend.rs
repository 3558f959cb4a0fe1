//! Findings from how the process ended when the Go runtime's report of it
//! is not in the input: a kill for memory (the runtime never wrote one), a
//! SIGKILL (it cannot), the `flag` package's usage error, and Go's failure
//! status or a fatal signal whose report was cut from the paste (the head of
//! a dump that `systemctl status` did not keep).

use crate::crashrules::human_bytes;
use crate::finding::{Confidence, Evidence, Finding, FindingKind};
use crate::input::TextInput;
use godiag_model::{EndLine, KilledBy, OomKill};

/// The status the Go runtime exits with after an unrecovered panic, a
/// fatal error or a SIGQUIT dump, and the `flag` package after a usage
/// error.
const GO_FAILURE_STATUS: i32 = 2;

/// The Go toolchain's own programs, which `go build` and `go test` run.
const TOOLCHAIN: &[&str] = &["compile", "link", "asm", "cgo", "vet", "cover"];

pub(crate) fn process_end_finding(input: &TextInput<'_, '_>) -> Option<Finding> {
    let c = &input.artifact.crash;
    if c.is_failure() {
        return None;
    }
    if let Some(k) = &c.oom_kill {
        return Some(oom_kill_finding(input, k));
    }
    // Of a usage error and a kill, the later ended the journal's last run;
    // a usage error explains the status 2 after it.
    let killed = c
        .killed_by
        .as_ref()
        .filter(|k| c.usage_error.is_none_or(|u| k.at.offset > u.offset));
    match (killed, c.usage_error) {
        (Some(k), _) if k.signal == "SIGKILL" => Some(sigkill_finding(input, k)),
        (Some(k), _) => Some(cut_report_finding(input, Some(k))),
        (None, Some(u)) => Some(usage_finding(input, u)),
        (None, None) => {
            (c.exit_status == Some(GO_FAILURE_STATUS)).then(|| cut_report_finding(input, None))
        }
    }
}

fn evidence(input: &TextInput<'_, '_>, summary: String, at: EndLine<'_>) -> Evidence {
    Evidence {
        source: input.source(),
        summary,
        input: input.index,
        offset: Some(at.offset),
        lines: vec![at.line.to_string()],
        goroutines: None,
    }
}

/// The title every kill for memory opens with: ranking knows it by it.
const KILL_TITLE: &str = "out of memory: killed by ";

/// Whether a finding is a kill for memory read from the process's end (not
/// the runtime's own out-of-memory report).
pub(crate) fn is_kill_for_memory(f: &Finding) -> bool {
    f.title.starts_with(KILL_TITLE)
}

/// Killed for its memory. Beside a dump whose rules may name what grew
/// (a leak), the kill is the consequence and ranks no higher.
fn oom_kill_finding(input: &TextInput<'_, '_>, k: &OomKill<'_>) -> Finding {
    let who = match (k.process, k.pid) {
        (Some(p), Some(pid)) => format!("{p} (pid {pid})"),
        _ => "the process".into(),
    };
    let held = k
        .anon_rss_kib
        .map(|kib| {
            format!(
                " with {} resident (anon-rss: heap, stacks, C allocations)",
                human_bytes(kib.saturating_mul(1024))
            )
        })
        .unwrap_or_default();
    let title = match (k.process, k.cgroup) {
        // `kubectl describe` lists every container, and a previous run as
        // well as the current one: which of them is not said here.
        (None, _) => format!(
            "{KILL_TITLE}the kernel at a container's memory limit, as Kubernetes reports it (OOMKilled)"
        ),
        (Some(_), true) => {
            format!("{KILL_TITLE}the kernel at its memory cgroup's limit: {who}{held}")
        }
        (Some(_), false) => format!("{KILL_TITLE}the kernel's OOM killer: {who}{held}"),
    };
    let confidence = if input.artifact.goroutines.is_empty() && k.process.is_some() {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    let mut f = Finding::new(FindingKind::OutOfMemory, title, confidence);
    f.confirm(evidence(
        input,
        "killed from outside the Go runtime, which printed nothing: the process's memory grew past the limit of the machine or the container".into(),
        k.at,
    ));
    f.next_steps = vec![
        "Set GOMEMLIMIT a little below the container's or machine's limit: the GC then works harder before the kill, and a real leak shows as GC pressure instead of a sudden death".into(),
        "Take heap profiles while memory grows (`godiag collect` or /debug/pprof/heap, a few minutes apart) and compare them with `godiag analyze`: the allocation site that keeps growing is the leak".into(),
        "Check what the process holds besides the Go heap (cgo allocations, mmap'd files): the kernel counts them too".into(),
    ];
    f
}

/// A bad command line: the `flag` package printed why and exited with 2.
/// Beside a dump, the dump's own findings rank first.
fn usage_finding(input: &TextInput<'_, '_>, u: EndLine<'_>) -> Finding {
    let confidence = if input.artifact.goroutines.is_empty() {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    let mut f = Finding::new(
        FindingKind::UnknownFailure,
        format!("the program stopped at its command line: {}", u.line),
        confidence,
    );
    f.confirm(evidence(
        input,
        "the `flag` package's usage error, after which the program exits with status 2 before doing anything".into(),
        u,
    ));
    f.next_steps = vec![
        "Fix the flags the program is started with (the unit's `ExecStart=`, the container's `args`, the script): the usage text printed after the error lists the ones it defines".into(),
    ];
    f
}

/// SIGKILL: no program can catch it, so no report can exist. A toolchain
/// program killed mid-build is the OOM killer's work: nothing else sends
/// SIGKILL to a compiler (a CI timeout says so itself).
fn sigkill_finding(input: &TextInput<'_, '_>, k: &KilledBy<'_>) -> Finding {
    let tool = k.program.filter(|p| TOOLCHAIN.contains(p));
    let stop = input
        .artifact
        .crash
        .stop_timed_out
        .filter(|s| s.offset < k.at.offset);
    if let Some(s) = stop {
        let mut f = Finding::new(
            FindingKind::UnknownFailure,
            "the program did not stop after SIGTERM within systemd's stop timeout and was killed: its shutdown hangs",
            Confidence::Low,
        );
        f.confirm(evidence(
            input,
            "systemd timed out waiting for the stop, then sent SIGKILL".into(),
            s,
        ));
        f.next_steps = vec![
            "Take a goroutine dump while the stop hangs (`kill -QUIT PID` writes it to the journal, or /debug/pprof/goroutine?debug=2) and give it to godiag: what the shutdown waits for is in it".into(),
            "Check that the program handles SIGTERM (`signal.NotifyContext`) and that its shutdown has a deadline (`http.Server.Shutdown` with a context timeout) shorter than `TimeoutStopSec`".into(),
        ];
        return f;
    }
    let mut f = match tool {
        Some(p) => {
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
        None => {
            let mut f = Finding::new(
                FindingKind::UnknownFailure,
                "the process was killed by SIGKILL, which no program can catch or report",
                Confidence::Low,
            );
            f.next_steps = vec![
                "Look in the kernel log (`dmesg`, `journalctl -k`) for the OOM killer's `Killed process` line at that time: SIGKILL is most often a kill for memory".into(),
                "Otherwise find who sent it: a supervisor's stop timeout (systemd's `TimeoutStopSec`, Kubernetes' grace period), a watchdog, an operator".into(),
            ];
            f
        }
    };
    f.confirm(evidence(
        input,
        "ended by SIGKILL, as its launcher reported".into(),
        k.at,
    ));
    f
}

/// Go's failure status, or a signal after which the runtime prints its
/// report and dies, with no report in the input: under the tail of a
/// goroutine dump, the report's head was cut; with no Go output at all, it
/// went to another stream or log. Low confidence: a dump's own findings (a
/// SIGQUIT dump of a hang also exits with 2) rank first.
fn cut_report_finding(input: &TextInput<'_, '_>, signal: Option<&KilledBy<'_>>) -> Finding {
    let t = input.artifact;
    let n = t.goroutines.len();
    let ended = match signal {
        Some(k) => format!("ended by {}", k.signal),
        None => "exited with status 2".into(),
    };
    let title = if n > 0 {
        format!("the program {ended} after a report whose head was cut from the input (a panic, a fatal error or a SIGQUIT dump)")
    } else {
        format!("the program {ended} and the input holds no report of why")
    };
    let summary = match (signal, n) {
        (Some(k), _) => format!(
            "{ended}: the Go runtime prints its report of a fatal {} (or of a fatal error, with GOTRACEBACK=crash) before it dies",
            k.signal
        ),
        (None, 0) => "exit status 2 and no Go output: the Go runtime's status after a panic or a fatal error, whose report went to another stream or log; also a program's own `os.Exit(2)`".into(),
        (None, n) => format!(
            "exit status 2 (the Go runtime's after an unrecovered panic, a fatal error or a SIGQUIT dump) under the tail of a goroutine dump ({n} goroutine{}); the message and the failing goroutine come first in the report",
            if n == 1 { "" } else { "s" }
        ),
    };
    let mut f = Finding::new(FindingKind::UnknownFailure, title, Confidence::Low);
    f.confirm(Evidence {
        source: input.source(),
        summary,
        input: input.index,
        offset: signal.map(|k| k.at.offset),
        lines: signal.map(|k| k.at.line.to_string()).into_iter().collect(),
        goroutines: None,
    });
    f.next_steps = vec![
        "Get the report from its first line: `journalctl -u UNIT --no-pager` (`systemctl status` keeps only the last lines), `kubectl logs --previous POD`, or `docker logs CONTAINER`".into(),
        "The `panic:` or `fatal error:` line and the goroutine under it name the failure; give godiag the whole report".into(),
    ];
    f
}
