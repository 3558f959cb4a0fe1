//! Lines from outside the Go runtime that tell how the process ended: its
//! exit status as a launcher or service manager printed it, and a kill for
//! memory. They matter when the runtime's own report was cut from the paste
//! (a `systemctl status` tail) or never written (an OOM kill).

use godiag_model::{KilledBy, OomKill};

/// How a line says the process ended.
pub(crate) enum ProcessEnd<'a> {
    Exit(i32),
    OomKill(OomKill<'a>),
    Killed(KilledBy<'a>),
}

/// Reads `line` (anything before its words, a journald or dmesg prefix,
/// is allowed) as one of the forms below.
pub(crate) fn process_end(line: &str, offset: u64) -> Option<ProcessEnd<'_>> {
    // Every form holds one of these; most lines of a log hold none.
    if !(line.contains("xit") || line.contains("ill") || line.contains("ode=")) {
        return None;
    }
    exit_status(line)
        .map(ProcessEnd::Exit)
        .or_else(|| oom_kill(line, offset).map(ProcessEnd::OomKill))
        .or_else(|| killed_by(line, offset).map(ProcessEnd::Killed))
}

/// systemd's `code=killed, status=9/KILL` (`code=dumped, status=6/ABRT`
/// when a core was written; `(code=killed, signal=KILL)` in `systemctl
/// status`), Go's `os/exec` error `PROGRAM: signal: killed` (what `go build`
/// prints when its compiler dies), a shell's `Killed`.
fn killed_by(line: &str, offset: u64) -> Option<KilledBy<'_>> {
    let t = line.trim();
    let (signal, program) = if t == "Killed" {
        ("SIGKILL", None)
    } else if let Some(at) = t.find(": signal: killed") {
        let path = t[..at].rsplit(' ').next().unwrap_or("");
        let program = path.rsplit('/').next().filter(|p| !p.is_empty());
        ("SIGKILL", program)
    } else {
        let name = [
            "code=killed, status=",
            "code=dumped, status=",
            "code=killed, signal=",
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
        line: t,
        offset,
    })
}

/// systemd's short signal names, for the ones that end a Go program
/// without its runtime's report.
fn signal_name(short: &str) -> Option<&'static str> {
    Some(match short {
        "KILL" => "SIGKILL",
        "ABRT" => "SIGABRT",
        "SEGV" => "SIGSEGV",
        "TERM" => "SIGTERM",
        "BUS" => "SIGBUS",
        "QUIT" => "SIGQUIT",
        _ => return None,
    })
}

/// `exit status 2` (`go run`, `go test`), `code=exited, status=2/INVALIDARGUMENT`
/// and `(code=exited, status=2)` (systemd), `app-1 exited with code 2`
/// (docker compose), `Exit Code: 2` (`kubectl describe`).
fn exit_status(line: &str) -> Option<i32> {
    let t = line.trim();
    let after = t
        .strip_prefix("exit status ")
        .or_else(|| t.strip_prefix("Exit Code:"))
        .or_else(|| after_words(t, "code=exited, status="))
        .or_else(|| after_words(t, " exited with code "))?;
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
/// N or sacrifice child`, then `Killed process PID (NAME) ...`), and
/// Kubernetes' `OOMKilled` (`Reason: OOMKilled`, `reason: OOMKilled`).
fn oom_kill(line: &str, offset: u64) -> Option<OomKill<'_>> {
    let at = line
        .find("Killed process ")
        .map(|at| (at, "Killed process ".len()))
        .or_else(|| {
            line.find("of memory: Kill process ")
                .map(|at| (at + "of memory: ".len(), "Kill process ".len()))
        });
    if let Some((at, words)) = at {
        let rest = &line[at + words..];
        let (pid, rest) = rest.split_once(" (")?;
        let pid = pid.parse().ok()?;
        let (process, rest) = rest.split_once(')')?;
        let anon_rss_kib = after_words(rest, "anon-rss:").and_then(|r| {
            let n = r.split_once("kB")?.0;
            n.parse().ok()
        });
        return Some(OomKill {
            process: Some(process),
            pid: Some(pid),
            anon_rss_kib,
            cgroup: line.contains("Memory cgroup out of memory"),
            line: line.trim(),
            offset,
        });
    }
    let word = line.find("OOMKilled")?;
    let bounded = |b: Option<&u8>| b.is_none_or(|b| !b.is_ascii_alphanumeric());
    let bytes = line.as_bytes();
    let whole = bounded(word.checked_sub(1).and_then(|i| bytes.get(i)))
        && bounded(bytes.get(word + "OOMKilled".len()));
    whole.then(|| OomKill {
        process: None,
        pid: None,
        anon_rss_kib: None,
        cgroup: true,
        line: line.trim(),
        offset,
    })
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

    #[test]
    fn exit_statuses_as_launchers_print_them() {
        assert_eq!(exit("exit status 2"), Some(2));
        assert_eq!(
            exit("Okt 27 19:28:02 zwave-me systemd[1]: zwaymqtt.service: Main process exited, code=exited, status=2/INVALIDARGUMENT"),
            Some(2)
        );
        assert_eq!(exit(" Main PID: 5416 (code=exited, status=2)"), Some(2));
        assert_eq!(exit("api-1 exited with code 2"), Some(2));
        assert_eq!(exit("      Exit Code:    137"), Some(137));
        // Not a status: words after the digits, or none.
        assert_eq!(exit("exit status 2x"), None);
        assert_eq!(exit("the exit status was unknown"), None);
    }

    fn killed(line: &str) -> Option<(&str, Option<&str>)> {
        match process_end(line, 0)? {
            ProcessEnd::Killed(k) => Some((k.signal, k.program)),
            _ => None,
        }
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
        assert_eq!(killed("Killed the old worker"), None);
        // A status that is no signal systemd names this way.
        assert_eq!(killed("code=killed, status=99/WHAT"), None);
    }

    #[test]
    fn kernel_oom_kills() {
        let line = "[529166.355318] Out of memory: Killed process 8522 (thanos) total-vm:2709100kB, anon-rss:718480kB, file-rss:0kB, shmem-rss:0kB, UID:994 pgtables:1608kB oom_score_adj:0";
        let Some(ProcessEnd::OomKill(k)) = process_end(line, 7) else {
            panic!("not read");
        };
        assert_eq!(
            (k.process, k.pid, k.anon_rss_kib, k.cgroup, k.offset),
            (Some("thanos"), Some(8522), Some(718480), false, 7)
        );
        let old = "Out of memory: Kill process 1234 (node) score 912 or sacrifice child";
        let Some(ProcessEnd::OomKill(k)) = process_end(old, 0) else {
            panic!("not read");
        };
        assert_eq!(
            (k.process, k.pid, k.anon_rss_kib),
            (Some("node"), Some(1234), None)
        );
        let cgroup = "Memory cgroup out of memory: Killed process 99 (app) total-vm:10kB, anon-rss:5kB, file-rss:0kB";
        let Some(ProcessEnd::OomKill(k)) = process_end(cgroup, 0) else {
            panic!("not read");
        };
        assert!(k.cgroup);
        assert!(matches!(
            process_end("      Reason:       OOMKilled", 0),
            Some(ProcessEnd::OomKill(OomKill { process: None, .. }))
        ));
        // A word that only contains it is not a kill.
        assert!(process_end("wasOOMKilledBefore = true", 0).is_none());
    }
}
