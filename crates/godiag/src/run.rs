//! `godiag run`: runs a Go program with its crash diagnostics on
//! (`GOTRACEBACK=crash`, `GODEBUG=gctrace=1`, core dumps allowed), passes
//! its output through, and when it fails keeps what it left — the crash
//! output, the core dump, the executable — in a bundle directory with a
//! `bundle.json` that says what was captured when, and what could not be.

use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::time::SystemTime;

use anyhow::{Context, Result};
use godiag_engine::bundle::Exit;
use godiag_engine::time::rfc3339;
use godiag_engine::{BundleFile, BundleManifest, Failure};

/// What to run and where to keep the bundle.
pub struct RunOptions {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// The bundle directory; `godiag-run-<time>-<pid>` in the current
    /// directory when not given.
    pub out: Option<PathBuf>,
    /// Keep the bundle when the program succeeds, too.
    pub keep: bool,
    /// Send the program SIGQUIT (a goroutine dump and a core) when it runs
    /// this long.
    pub timeout: Option<std::time::Duration>,
}

/// How the run ended.
pub struct RunOutcome {
    pub status: ExitStatus,
    /// The bundle, when one was kept.
    pub bundle: Option<PathBuf>,
    /// Why godiag stopped the program, when it did.
    pub stopped: Option<crate::run_stop::Stopped>,
}

impl RunOutcome {
    /// The exit status to pass on: the program's code, or 128 + its signal
    /// as a shell reports it.
    pub fn exit_code(&self) -> u8 {
        match (self.status.code(), self.status.signal()) {
            (Some(c), _) => u8::try_from(c & 0xff).unwrap_or(1),
            (None, Some(s)) => u8::try_from(128 + s).unwrap_or(1),
            _ => 1,
        }
    }
}

/// `GODEBUG` with `gctrace=1` added to what the caller already set.
fn godebug() -> String {
    match std::env::var("GODEBUG") {
        Ok(v) if v.split(',').any(|kv| kv.starts_with("gctrace=")) => v,
        Ok(v) if !v.is_empty() => format!("{v},gctrace=1"),
        _ => "gctrace=1".into(),
    }
}

/// A program named without a `/` is looked up in `PATH`, as a shell does.
fn resolve(program: &Path) -> PathBuf {
    if program.components().count() > 1 {
        return program.to_path_buf();
    }
    std::env::var_os("PATH")
        .and_then(|paths| {
            std::env::split_paths(&paths)
                .map(|d| d.join(program))
                .find(|p| p.is_file())
        })
        .unwrap_or_else(|| program.to_path_buf())
}

/// Runs the program; on failure writes the bundle.
pub fn run(opts: &RunOptions) -> Result<RunOutcome> {
    let started = SystemTime::now();
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let program = resolve(&opts.program);
    let program = std::fs::canonicalize(&program).unwrap_or(program);
    let bundle = opts.out.clone().unwrap_or_else(|| {
        let secs = started
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        cwd.join(format!("godiag-run-{secs}-{}", std::process::id()))
    });
    // A directory made here is removed again if the program cannot be run:
    // no empty bundle is left behind. One the user named and had is kept.
    let made_here = !bundle.exists();
    std::fs::create_dir_all(&bundle)
        .with_context(|| format!("cannot create {}", bundle.display()))?;
    let stderr_path = bundle.join("stderr.txt");
    let mut stderr_file = std::fs::File::create(&stderr_path)
        .with_context(|| format!("cannot write {}", stderr_path.display()))?;
    let pattern = std::fs::read_to_string("/proc/sys/kernel/core_pattern")
        .unwrap_or_default()
        .trim()
        .to_string();

    // The core size limit raised as far as allowed (the hard limit) for the
    // child, which inherits it at spawn; godiag's own is put back after.
    let core_limit = rlimit::Resource::CORE.get().ok();
    if let Some((_, hard)) = core_limit {
        let _ = rlimit::Resource::CORE.set(hard, hard);
    }
    let spawned = Command::new(&program)
        .args(&opts.args)
        .env("GOTRACEBACK", "crash")
        .env("GODEBUG", godebug())
        .stdin(Stdio::inherit())
        .stdout(Stdio::inherit())
        .stderr(Stdio::piped())
        .spawn();
    if let Some((soft, hard)) = core_limit {
        let _ = rlimit::Resource::CORE.set(soft, hard);
    }
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => {
            drop(stderr_file);
            if made_here {
                let _ = std::fs::remove_dir_all(&bundle);
            }
            return Err(e).with_context(|| format!("cannot run {}", program.display()));
        }
    };
    let pid = child.id();
    // Pass the program's stderr through while keeping a copy.
    let mut pipe = child.stderr.take().context("no stderr pipe")?;
    let tee = std::thread::spawn(move || -> std::io::Result<()> {
        let mut buf = [0u8; 64 << 10];
        let mut out = std::io::stderr();
        loop {
            let n = pipe.read(&mut buf)?;
            if n == 0 {
                return Ok(());
            }
            let _ = out.write_all(&buf[..n]);
            stderr_file.write_all(&buf[..n])?;
        }
    });
    let (status, stopped) =
        crate::run_stop::wait(&mut child, opts.timeout).context("cannot wait for the program")?;
    let tee_result = tee.join();
    let ended = SystemTime::now();

    if status.success() && !opts.keep {
        let _ = std::fs::remove_dir_all(&bundle);
        return Ok(RunOutcome {
            status,
            bundle: None,
            stopped,
        });
    }

    let mut manifest = BundleManifest::new("run");
    manifest.files.push(BundleFile {
        name: "stderr.txt".into(),
        what: "the program's standard error: crash output, gctrace lines".into(),
        captured_at: Some(rfc3339(ended)),
        ..BundleFile::default()
    });
    let failure = |what: &str, why: String| Failure {
        what: what.into(),
        query: None,
        why,
    };
    if !matches!(tee_result, Ok(Ok(()))) {
        manifest.failed.push(failure(
            "stderr.txt",
            "the copy of standard error is incomplete".into(),
        ));
    }
    // The executable, so that the core can be read (its symbols, pclntab).
    let exe_name = program
        .file_name()
        .map_or_else(|| OsString::from("program"), |n| n.to_os_string());
    match std::fs::copy(&program, bundle.join(&exe_name)) {
        Ok(_) => manifest.files.push(BundleFile {
            name: exe_name.to_string_lossy().into_owned(),
            what: "the executable that ran".into(),
            source: Some(program.display().to_string()),
            ..BundleFile::default()
        }),
        Err(e) => manifest.failed.push(failure(
            "the executable",
            format!("cannot copy {}: {e}", program.display()),
        )),
    }
    // `go run` and `go test` run the program as their child and report its
    // death as their own failure: neither its core nor its executable is
    // the go command's.
    let via_go = program.file_name().is_some_and(|n| n == "go")
        && opts.args.first().is_some_and(|a| a == "run" || a == "test");
    if via_go {
        eprintln!(
            "godiag: warning: `go {}` runs the program as its child: its core and executable are not captured; build it first and run the binary",
            opts.args[0].to_string_lossy()
        );
        manifest.failed.push(failure(
            "the program's own core and executable",
            "`go run` and `go test` run the program as their child and report its crash as their own exit status: build it first (`go build -o prog ./pkg`, `go test -c`) and run `godiag run -- ./prog`".into(),
        ));
    }
    let dumped = status.core_dumped();
    // Only a process the kernel says dumped core left one: a `core` file
    // there otherwise is another run's, and stays where it is.
    let core = if dumped {
        find_core(&pattern, &cwd, pid, &program, started)
    } else {
        Err(format!(
            "the kernel wrote none: {}",
            match status.signal() {
                Some(9) => "SIGKILL never dumps core",
                Some(_) =>
                    "the core size limit (ulimit -c) was 0, or the signal does not dump core",
                None => "the program exited",
            }
        ))
    };
    match core {
        Ok(core) => {
            let dest = bundle.join("core");
            if std::fs::rename(&core, &dest).is_err() {
                std::fs::copy(&core, &dest)
                    .with_context(|| format!("cannot copy {}", core.display()))?;
            }
            manifest.files.push(BundleFile {
                name: "core".into(),
                what: "the core dump".into(),
                source: Some(core.display().to_string()),
                captured_at: Some(rfc3339(ended)),
                ..BundleFile::default()
            });
        }
        Err(why) if dumped || status.signal().is_some() => {
            manifest.failed.push(failure("core dump", why));
        }
        // Exited with an error code, no signal: no core was expected.
        Err(_) => {}
    }
    manifest.exit = Some(Exit {
        code: status.code(),
        signal: status.signal(),
        core_dumped: dumped,
    });
    manifest.command = std::iter::once(program.display().to_string())
        .chain(opts.args.iter().map(|a| a.to_string_lossy().into_owned()))
        .collect();
    manifest.cwd = Some(cwd.display().to_string());
    manifest.pid = Some(pid);
    manifest.started_at = Some(rfc3339(started));
    manifest.ended_at = Some(rfc3339(ended));
    manifest.env = Some(
        [
            ("GOTRACEBACK".to_string(), "crash".to_string()),
            ("GODEBUG".to_string(), godebug()),
        ]
        .into_iter()
        .collect(),
    );
    manifest.core_pattern = Some(pattern.clone());
    std::fs::write(bundle.join("bundle.json"), manifest.to_json())
        .with_context(|| format!("cannot write {}", bundle.display()))?;
    Ok(RunOutcome {
        status,
        bundle: Some(bundle),
        stopped,
    })
}

/// Where the kernel put the core of process `pid`: `core_pattern` with its
/// `%p` (pid) and `%e` (command name) filled in, relative to the program's
/// working directory unless absolute; any other specifier matches anything.
/// A file older than the run (by more than a second of clock slack) is not it.
fn find_core(
    pattern: &str,
    cwd: &Path,
    pid: u32,
    program: &Path,
    started: SystemTime,
) -> std::result::Result<PathBuf, String> {
    if let Some(handler) = pattern.strip_prefix('|') {
        return Err(format!(
            "core_pattern sends cores to a program ({handler}); get it with `coredumpctl dump {pid} -o core` or set kernel.core_pattern=core"
        ));
    }
    if pattern.is_empty() {
        return Err("core_pattern is empty: the kernel writes no cores".into());
    }
    let comm: String = program
        .file_name()
        .map(|n| n.to_string_lossy().chars().take(15).collect())
        .unwrap_or_default();
    let mut want = String::new();
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        if c != '%' {
            want.push(c);
            continue;
        }
        match chars.next() {
            Some('p') | Some('P') => want.push_str(&pid.to_string()),
            Some('e') => want.push_str(&comm),
            Some('%') => want.push('%'),
            _ => want.push('\u{0}'),
        }
    }
    let full = if want.starts_with('/') {
        PathBuf::from(&want)
    } else {
        cwd.join(&want)
    };
    let dir = full.parent().unwrap_or(cwd).to_path_buf();
    let name = full
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // `core` may become `core.<pid>` (kernel.core_uses_pid).
    let matches = |file: &str| {
        wildcard(&name, file)
            || (!name.contains(&pid.to_string()) && wildcard(&format!("{name}.{pid}"), file))
    };
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| format!("cannot look for the core in {}: {e}", dir.display()))?;
    // File times come from the kernel's coarse clock, which may lag the
    // run's start by a tick: a core written right after it can look older
    // (then it was left beside the bundle). A second's slack; of several,
    // the newest is taken.
    let since = started
        .checked_sub(std::time::Duration::from_secs(1))
        .unwrap_or(started);
    let mut found: Option<(SystemTime, PathBuf)> = None;
    for e in entries.flatten() {
        let file = e.file_name().to_string_lossy().into_owned();
        if !matches(&file) {
            continue;
        }
        let Ok(modified) = e.metadata().and_then(|m| m.modified()) else {
            continue;
        };
        if modified >= since && found.as_ref().is_none_or(|(t, _)| modified > *t) {
            found = Some((modified, e.path()));
        }
    }
    found.map(|(_, p)| p).ok_or_else(|| {
        format!(
            "no core file matching {} was written (core_pattern {pattern:?}; a hard limit on core size, or a read-only directory, also prevents it)",
            full.display()
        )
    })
}

/// `pattern` against `name`, where NUL in the pattern matches any run of
/// characters (an unknown `%` specifier).
fn wildcard(pattern: &str, name: &str) -> bool {
    match pattern.split_once('\u{0}') {
        None => pattern == name,
        Some((head, rest)) => {
            let Some(tail) = name.strip_prefix(head) else {
                return false;
            };
            (0..=tail.len())
                .filter(|&i| tail.is_char_boundary(i))
                .any(|i| wildcard(rest, &tail[i..]))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_pattern_wildcards() {
        assert!(wildcard("core.\u{0}.42", "core.prog.42"));
        assert!(!wildcard("core.\u{0}.42", "core.prog.43"));
        assert!(wildcard("core", "core"));
    }
}
