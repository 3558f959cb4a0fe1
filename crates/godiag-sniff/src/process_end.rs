//! Lines from outside the Go runtime that tell how the process ended: its
//! exit status as a launcher or service manager printed it, a kill, and
//! the `flag` package's usage error (after which it exits with 2). They
//! matter when the runtime's own report was cut from the paste (a
//! `systemctl status` tail) or never written (a kill for memory). One
//! grammar for the sniffer, which recognises a text by them, and the
//! reader, which keeps them.
//!
//! Only the forms that speak of the program itself are read: systemd's
//! main process (not an `ExecStartPre=` helper's status), a compose
//! service's exit, the kernel's OOM victim with its memory, Kubernetes'
//! `reason: OOMKilled` field; not a program's log of a child it ran
//! (`ffmpeg: signal: killed`) or a stop (`status=15/TERM`).

use godiag_model::{EndLine, KilledBy, OomKill};

/// How a line says the process ended.
#[derive(Debug)]
pub enum ProcessEnd<'a> {
    Exit(i32),
    OomKill(OomKill<'a>),
    Killed(KilledBy<'a>),
    /// The `flag` package's error for a bad command line, as printed.
    UsageError(&'a str),
    /// systemd's `State 'stop-sigterm' timed out. Killing.`: the program
    /// did not stop after SIGTERM, and SIGKILL follows.
    StopTimedOut(&'a str),
}

/// Reads `line` (a collector's prefix already stripped, except before the
/// forms that are found inside their line: systemd's and the kernel's).
pub fn process_end(line: &str, offset: u64) -> Option<ProcessEnd<'_>> {
    // Every form holds one of these; most lines of a log hold none.
    if !["xit", "ill", "ode=", "lag", "boolean", "OOM", "signal: "]
        .iter()
        .any(|w| line.contains(w))
    {
        return None;
    }
    let t = line.trim();
    exit_status(t)
        .map(|n| match signal_of_status(n).filter(|s| s.failure) {
            // A shell's or a container runtime's way of saying a signal
            // ended the process: `exit status 137` is SIGKILL.
            Some(s) => ProcessEnd::Killed(KilledBy {
                signal: s.name(),
                program: None,
                at: EndLine { line: t, offset },
            }),
            None => ProcessEnd::Exit(n),
        })
        .or_else(|| oom_kill(t, offset).map(ProcessEnd::OomKill))
        .or_else(|| killed_by(t, offset).map(ProcessEnd::Killed))
        .or_else(|| usage_error(t).map(ProcessEnd::UsageError))
        .or_else(|| {
            (t.contains("State 'stop-sigterm' timed out")
                || t.contains("State 'stop-final-sigterm' timed out"))
            .then_some(ProcessEnd::StopTimedOut(t))
        })
}

/// systemd's words for the unit's own process, in the journal and in
/// `systemctl status`.
const SYSTEMD_MAIN: [&str; 2] = ["Main process exited, ", "Main PID: "];

/// `exit status 2` (`go run`, `go test`), `Main process exited,
/// code=exited, status=2/INVALIDARGUMENT` and `Main PID: 5416
/// (code=exited, status=2)` (systemd), `app-1 exited with code 2` (docker
/// compose), `Exit Code: 2` (`kubectl describe`).
fn exit_status(t: &str) -> Option<i32> {
    let systemd = || {
        SYSTEMD_MAIN
            .iter()
            .any(|w| t.contains(w))
            .then(|| after_words(t, "code=exited, status="))
            .flatten()
    };
    let after = t
        .strip_prefix("exit status ")
        .or_else(|| t.strip_prefix("Exit Code:"))
        .or_else(systemd)
        .or_else(|| {
            // Compose's line: the service's container, one word, then the
            // code (`api-1 exited with code 2`); not a log of a child's exit.
            let (name, code) = t.rsplit_once(" exited with code ")?;
            let service = !name.is_empty()
                && name
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
            (service && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
        })?;
    let digits = after.trim_start();
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    // A status is one word: `2`, `2/INVALIDARGUMENT`, `2)`.
    let rest = &digits[end..];
    if !(rest.is_empty() || rest.starts_with(['/', ')', ' '])) {
        return None;
    }
    digits[..end].parse().ok()
}

fn after_words<'a>(line: &'a str, words: &str) -> Option<&'a str> {
    line.find(words).map(|at| &line[at + words.len()..])
}

/// The kernel's `Out of memory: Killed process PID (NAME) total-vm:..,
/// anon-rss:NkB, ...` (`Memory cgroup out of memory: ...` for a cgroup's
/// limit; older kernels print `Out of memory: Kill process PID (NAME) score
/// N or sacrifice child`, then `Killed process PID (NAME) total-vm:...,
/// anon-rss:...`), and Kubernetes' `OOMKilled` as the value of a `reason`
/// field (`Reason: OOMKilled` in `kubectl describe`, `reason: OOMKilled`
/// in YAML, `"reason": "OOMKilled"` in JSON).
fn oom_kill(t: &str, offset: u64) -> Option<OomKill<'_>> {
    let kernel = ["of memory: Killed process ", "of memory: Kill process "]
        .iter()
        .find_map(|w| t.find(w).map(|at| at + w.len()))
        .or_else(|| {
            // The older second line: the victim with its memory.
            let at = t.find("Killed process ")?;
            t.contains("anon-rss:")
                .then_some(at + "Killed process ".len())
        });
    if let Some(at) = kernel {
        let (pid, rest) = t[at..].split_once(" (")?;
        let pid = pid.parse().ok()?;
        let (process, rest) = rest.split_once(')')?;
        let anon_rss_kib = after_words(rest, "anon-rss:")
            .and_then(|r| r.split_once("kB"))
            .and_then(|(n, _)| n.parse().ok());
        return Some(OomKill {
            process: Some(process),
            pid: Some(pid),
            anon_rss_kib,
            cgroup: t.contains("Memory cgroup out of memory"),
            at: EndLine { line: t, offset },
        });
    }
    let (key, value) = t.trim_end_matches(',').split_once(':')?;
    let key = key.trim().trim_matches('"');
    let value = value.trim().trim_matches('"');
    (key.eq_ignore_ascii_case("reason") && value == "OOMKilled").then_some(OomKill {
        process: None,
        pid: None,
        anon_rss_kib: None,
        cgroup: true,
        at: EndLine { line: t, offset },
    })
}

/// systemd's `Main process exited, code=killed, status=9/KILL`
/// (`code=dumped, status=6/ABRT` when a core was written; `Main PID: N
/// (code=killed, signal=KILL)` in `systemctl status`), `go run`'s and `go
/// test`'s `signal: killed` (`signal: aborted (core dumped)`, ... for the
/// other failure signals), `go build`'s
/// `.../pkg/tool/linux_amd64/compile: signal: killed` when its compiler
/// dies, a shell's `Killed`.
fn killed_by(t: &str, offset: u64) -> Option<KilledBy<'_>> {
    let (signal, program) = if t == "Killed" {
        ("SIGKILL", None)
    } else if let Some(s) = t.strip_prefix("signal: ").and_then(failure_described) {
        (s, None)
    } else if let Some((before, described)) = t.rsplit_once(": signal: ") {
        // Only the toolchain's own programs: a program's log of a child
        // it ran (`ffmpeg: signal: killed`) says nothing of its own end.
        let signal = failure_described(described)?;
        let path = before.rsplit(' ').next().unwrap_or("");
        let (dir, program) = path.rsplit_once('/')?;
        if !dir.contains("/pkg/tool/") || program.is_empty() {
            return None;
        }
        (signal, Some(program))
    } else {
        if !SYSTEMD_MAIN.iter().any(|w| t.contains(w)) {
            return None;
        }
        let name = [
            "code=killed, status=",
            "code=dumped, status=",
            "code=killed, signal=",
            "code=dumped, signal=",
        ]
        .iter()
        .find_map(|words| after_words(t, words))?;
        let name = name.split_once('/').map_or(name, |(_, n)| n);
        let end = name
            .find(|c: char| !c.is_ascii_uppercase())
            .unwrap_or(name.len());
        (signal_name(&name[..end])?, None)
    };
    Some(KilledBy {
        signal,
        program,
        at: EndLine { line: t, offset },
    })
}

/// systemd's short names of the signals that end a Go program as a
/// failure: SIGKILL, which no program can catch, and those after which the
/// runtime prints its report and dies. A stop (TERM, INT, HUP) is none.
fn signal_name(short: &str) -> Option<&'static str> {
    SIGNALS
        .iter()
        .find(|s| s.failure && s.name().strip_prefix("SIG") == Some(short))
        .map(Signal::name)
}

/// A signal as the launchers of a Go program name it.
#[derive(Debug, PartialEq, Eq)]
pub struct Signal {
    /// Its Linux number: a shell, Docker and Kubernetes report a death by
    /// signal N as status 128 + N.
    pub number: i32,
    /// os/exec's words for it after `signal: `, as `go run` prints them.
    pub described: &'static str,
    /// Whether a process it ends failed: not a request to stop (TERM,
    /// INT, HUP), which a Go program that does not catch it obeys at once
    /// and silently.
    pub failure: bool,
}

impl Signal {
    /// `SIGKILL`: its name, from the model's table of Linux signals.
    pub fn name(&self) -> &'static str {
        u64::try_from(self.number)
            .ok()
            .and_then(godiag_model::signal::linux)
            .map_or("signal", |(name, _)| name)
    }
}

const fn signal(number: i32, described: &'static str, failure: bool) -> Signal {
    Signal {
        number,
        described,
        failure,
    }
}

pub const SIGNALS: [Signal; 12] = [
    signal(1, "hangup", false),
    signal(2, "interrupt", false),
    signal(3, "quit", true),
    signal(4, "illegal instruction", true),
    signal(5, "trace/breakpoint trap", true),
    signal(6, "aborted", true),
    signal(7, "bus error", true),
    signal(8, "floating point exception", true),
    signal(9, "killed", true),
    signal(11, "segmentation fault", true),
    // A write to a closed standard output or error, after which Go dies
    // by it silently: no crash.
    signal(13, "broken pipe", false),
    signal(15, "terminated", false),
];

/// The failure signal os/exec names so, by its name.
fn failure_described(described: &str) -> Option<&'static str> {
    described_signal(described)
        .filter(|s| s.failure)
        .map(Signal::name)
}

/// The signal an exit status of 128 + N stands for.
fn signal_of_status(status: i32) -> Option<&'static Signal> {
    SIGNALS.iter().find(|s| status == 128 + s.number)
}

/// The signal os/exec's `ProcessState` names after `signal: ` (`killed`,
/// `aborted (core dumped)`).
fn described_signal(described: &str) -> Option<&'static Signal> {
    let described = described
        .strip_suffix(" (core dumped)")
        .unwrap_or(described);
    SIGNALS.iter().find(|s| s.described == described)
}

/// The signal a line names alone, as someone asking about it would write
/// it: its name (`SIGTERM`, `TERM`, the runtime's `SIGTERM: terminated`),
/// os/exec's words (`signal: terminated`) or an exit status of 128 + its
/// number (`exit status 143`, `Exit Code: 143`).
pub fn named_signal(line: &str) -> Option<&'static Signal> {
    let t = line.trim();
    let name = t.split_once(':').map_or(t, |(name, _)| name).trim();
    let bare = name
        .get(..3)
        .filter(|p| p.eq_ignore_ascii_case("SIG"))
        .map_or(name, |_| &name[3..]);
    SIGNALS
        .iter()
        .find(|s| {
            s.name()
                .strip_prefix("SIG")
                .is_some_and(|n| n.eq_ignore_ascii_case(bare))
        })
        .or_else(|| t.strip_prefix("signal: ").and_then(described_signal))
        .or_else(|| named_status(t).and_then(signal_of_status))
}

/// An exit status as a line names it: the launchers' forms
/// ([`process_end`]'s), and `exited with code N`, `exit code N` alone.
pub fn named_status(line: &str) -> Option<i32> {
    let t = line.trim();
    exit_status(t).or_else(|| {
        let digits = ["exited with code ", "exit code ", "exit code: "]
            .iter()
            .find_map(|w| {
                t.len()
                    .checked_sub(w.len())
                    .and_then(|_| t.get(..w.len()))
                    .filter(|head| head.eq_ignore_ascii_case(w))
                    .map(|_| t[w.len()..].trim())
            })?;
        digits.parse().ok()
    })
}

/// The `flag` package's messages for a bad command line, after which a
/// program using `flag.Parse` exits with status 2: at the start of the
/// line, or after the program's journald or syslog tag (`api[900]: `),
/// which is not learned when nothing else in the text is the runtime's;
/// not inside a log line's words (a test logging an expected error).
fn usage_error(t: &str) -> Option<&str> {
    let at = [
        "flag provided but not defined: -",
        "flag needs an argument: -",
        "bad flag syntax: ",
        "invalid value \"",
        "invalid boolean value \"",
    ]
    .iter()
    .filter_map(|w| t.find(w))
    .min()?;
    let message = &t[at..];
    let value_error = message.starts_with("invalid value \"") && message.contains("\" for flag -")
        || message.starts_with("invalid boolean value \"") && message.contains("\" for -");
    let opens = at == 0 || t[..at].ends_with("]: ");
    (opens && (value_error || !message.starts_with("invalid "))).then_some(message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exit(line: &str) -> Option<i32> {
        match process_end(line, 0)? {
            ProcessEnd::Exit(n) => Some(n),
            _ => None,
        }
    }

    fn killed(line: &str) -> Option<(&str, Option<&str>)> {
        match process_end(line, 0)? {
            ProcessEnd::Killed(k) => Some((k.signal, k.program)),
            _ => None,
        }
    }

    fn oom(line: &str) -> Option<OomKill<'_>> {
        match process_end(line, 0)? {
            ProcessEnd::OomKill(k) => Some(k),
            _ => None,
        }
    }

    #[test]
    fn exit_statuses_as_launchers_print_them() {
        assert_eq!(exit("exit status 2"), Some(2));
        assert_eq!(
            exit("Okt 27 19:28:02 zwave-me systemd[1]: zwaymqtt.service: Main process exited, code=exited, status=2/INVALIDARGUMENT"),
            Some(2)
        );
        assert_eq!(exit(" Main PID: 5416 (code=exited, status=2)"), Some(2));
        assert_eq!(exit("api-1 exited with code 2"), Some(2));
        assert_eq!(exit("      Exit Code:    3"), Some(3));
        // Not a status: words after the digits, or none.
        assert_eq!(exit("exit status 2x"), None);
        assert_eq!(exit("the exit status was unknown"), None);
        // A helper's status, not the program's.
        assert_eq!(
            exit("  Process: 811 ExecStartPre=/usr/bin/grep -q ^KEY= /etc/env (code=exited, status=2)"),
            None
        );
        assert_eq!(exit("api-1 exited with code 2 and was restarted"), None);
        assert_eq!(
            exit("2024/05/10 14:02:41 job 1881: ffmpeg exited with code 2"),
            None
        );
    }

    #[test]
    fn kills_as_launchers_print_them() {
        assert_eq!(
            killed("Jan 15 22:45:47 x01go2rtc01 systemd[1]: go2rtc.service: Main process exited, code=killed, status=9/KILL"),
            Some(("SIGKILL", None))
        );
        assert_eq!(
            killed(" Main PID: 32386 (code=killed, signal=KILL)"),
            Some(("SIGKILL", None))
        );
        assert_eq!(
            killed("app.service: Main process exited, code=dumped, status=6/ABRT"),
            Some(("SIGABRT", None))
        );
        assert_eq!(
            killed("10:12:42  go build crypto/elliptic: /usr/local/go/pkg/tool/linux_amd64/compile: signal: killed"),
            Some(("SIGKILL", Some("compile")))
        );
        assert_eq!(killed("Killed"), Some(("SIGKILL", None)));
        assert_eq!(killed("signal: killed"), Some(("SIGKILL", None)));
        assert_eq!(killed("Killed the old worker"), None);
        // os/exec's words for every failure signal, and a shell's or a
        // container's status of 128 + the signal's number.
        assert_eq!(
            killed("signal: aborted (core dumped)"),
            Some(("SIGABRT", None))
        );
        assert_eq!(
            killed("signal: segmentation fault"),
            Some(("SIGSEGV", None))
        );
        assert_eq!(killed("exit status 137"), Some(("SIGKILL", None)));
        assert_eq!(killed("      Exit Code:    134"), Some(("SIGABRT", None)));
        assert_eq!(
            killed("api-1 exited with code 139"),
            Some(("SIGSEGV", None))
        );
        assert_eq!(
            killed(
                "/usr/lib/go/pkg/tool/linux_arm64/link: signal: segmentation fault (core dumped)"
            ),
            Some(("SIGSEGV", Some("link")))
        );
        // A stop is no failure; nor a status that is no signal's.
        assert_eq!(killed("signal: terminated"), None);
        assert_eq!(killed("signal: interrupt"), None);
        assert_eq!(exit("exit status 143"), Some(143));
        assert_eq!(exit("exit status 1"), Some(1));
    }

    #[test]
    fn signals_named_alone() {
        for line in [
            "SIGTERM",
            "term",
            "SIGTERM: terminated",
            "signal: terminated",
            "exit status 143",
            "Exit Code: 143",
        ] {
            assert_eq!(
                named_signal(line).map(Signal::name),
                Some("SIGTERM"),
                "{line}"
            );
        }
        assert_eq!(
            named_signal("signal: aborted (core dumped)").map(Signal::name),
            Some("SIGABRT")
        );
        assert_eq!(named_signal("exit status 2"), None);
        assert_eq!(
            named_signal("exited with code 143").map(Signal::name),
            Some("SIGTERM")
        );
        assert_eq!(named_signal("SIGPIPE").map(|s| s.failure), Some(false));
        assert_eq!(named_status("Exit code 66"), Some(66));
        assert_eq!(named_status("exit status 1"), Some(1));
        assert_eq!(named_status("the exit code was 1"), None);
        assert_eq!(named_signal("SIGNAL"), None);
        // A stop, a status systemd names no signal this way, a program's
        // log of its child, a helper's kill.
        assert_eq!(
            killed("api.service: Main process exited, code=killed, status=15/TERM"),
            None
        );
        assert_eq!(
            killed("Main process exited, code=killed, status=99/WHAT"),
            None
        );
        assert_eq!(
            killed("2024/05/10 14:02:41 job 1881: ffmpeg: signal: killed"),
            None
        );
        assert_eq!(
            killed("Control process exited, code=killed, status=9/KILL"),
            None
        );
    }

    #[test]
    fn kills_for_memory() {
        let k = oom("[529166.355318] Out of memory: Killed process 8522 (thanos) total-vm:2709100kB, anon-rss:718480kB, file-rss:0kB, shmem-rss:0kB, UID:994 pgtables:1608kB oom_score_adj:0").expect("kernel");
        assert_eq!(
            (k.process, k.pid, k.anon_rss_kib, k.cgroup),
            (Some("thanos"), Some(8522), Some(718480), false)
        );
        let k = oom("Out of memory: Kill process 1234 (node) score 912 or sacrifice child")
            .expect("older kernel");
        assert_eq!(
            (k.process, k.pid, k.anon_rss_kib),
            (Some("node"), Some(1234), None)
        );
        let k = oom("Killed process 1234 (node) total-vm:10kB, anon-rss:5kB, file-rss:0kB")
            .expect("older kernel's second line");
        assert_eq!(k.anon_rss_kib, Some(5));
        let k = oom("Memory cgroup out of memory: Killed process 99 (app) total-vm:10kB, anon-rss:5kB, file-rss:0kB").expect("cgroup");
        assert!(k.cgroup);
        for field in [
            "      Reason:       OOMKilled",
            "        reason: OOMKilled",
            "\"reason\": \"OOMKilled\",",
        ] {
            assert!(oom(field).is_some_and(|k| k.process.is_none()), "{field}");
        }
        // Words that only look like it: a supervisor's kill, a test's
        // name, another pod's reason inside a log record.
        for prose in [
            "supervisor: Killed process 4242 (ffmpeg) after 30s timeout",
            "=== RUN   TestContainerReason/OOMKilled",
            "{\"msg\":\"pod restarted\",\"reason\":\"OOMKilled\"}",
            "wasOOMKilledBefore = true",
        ] {
            assert!(oom(prose).is_none(), "{prose}");
        }
    }

    #[test]
    fn usage_errors_of_the_flag_package() {
        for line in [
            "flag provided but not defined: -listen",
            "flag needs an argument: -config",
            "invalid value \"x\" for flag -port: parse error",
            "invalid boolean value \"maybe\" for -v: parse error",
        ] {
            assert!(
                matches!(process_end(line, 0), Some(ProcessEnd::UsageError(_))),
                "{line}"
            );
        }
        assert!(matches!(
            process_end(
                "May 10 14:02:11 web1 api[900]: flag provided but not defined: -listen",
                0
            ),
            Some(ProcessEnd::UsageError(
                "flag provided but not defined: -listen"
            ))
        ));
        assert!(process_end("the flag provided was wrong", 0).is_none());
        assert!(process_end("invalid value \"x\" in config", 0).is_none());
        assert!(process_end(
            "    main_test.go:20: got expected error: flag provided but not defined: -bogus",
            0
        )
        .is_none());
    }
}
