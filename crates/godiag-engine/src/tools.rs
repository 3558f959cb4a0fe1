//! The single-input tools of the command line (`export`, `flamegraph`),
//! so that front ends reach the readers through the engine only.

/// A profile, read for drawing (`godiag flamegraph`).
pub use godiag_pprof::Profile;
/// Why an export stopped: the trace, or writing the output.
pub use godiag_trace::export::ExportError;

/// Which blocking profile of a trace `export` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BlockingProfile {
    Net,
    Sync,
    Syscall,
    Sched,
}

/// A trace exported as Perfetto (Chrome trace event) JSON into `out`;
/// `Some(why)` when the trace ended early and what was read was exported.
pub fn export_perfetto(
    trace: &[u8],
    out: &mut dyn std::io::Write,
) -> Result<Option<String>, ExportError> {
    godiag_trace::export::perfetto_json(trace, out).map(|s| s.ended_early)
}

/// A blocking profile of a trace, as a pprof proto (gzipped), and why the
/// trace ended early if it did.
pub fn export_blocking_profile(
    trace: &[u8],
    which: BlockingProfile,
) -> Result<(Vec<u8>, Option<String>), String> {
    use godiag_trace::analysis::ProfileKind;
    let (summary, profiles, tables) =
        godiag_trace::analysis::analyze(trace).map_err(|e| e.to_string())?;
    let kind = match which {
        BlockingProfile::Net => ProfileKind::Net,
        BlockingProfile::Sync => ProfileKind::Sync,
        BlockingProfile::Syscall => ProfileKind::Syscall,
        BlockingProfile::Sched => ProfileKind::Sched,
    };
    let bytes = godiag_trace::export::blocking_profile_pprof(&profiles, kind, &tables);
    Ok((bytes, summary.partial))
}

/// A pprof profile (proto or legacy text). Another kind of input is named
/// as what it is, not read as a damaged profile.
pub fn read_profile(bytes: &[u8]) -> Result<Profile, String> {
    let sniffed = godiag_sniff::sniff(bytes);
    match sniffed.kind {
        godiag_model::InputKind::PprofProto | godiag_model::InputKind::PprofText => {
            godiag_pprof::read(bytes).map_err(|e| e.to_string())
        }
        // A `debug=1` goroutine profile is the goroutine profile in text,
        // which `go tool pprof` reads too.
        godiag_model::InputKind::GoroutineCountDump => godiag_pprof::read(bytes).map_err(|e| {
            format!("a debug=1 goroutine profile that does not read as a profile: {e}")
        }),
        // What the recogniser does not know may still decode.
        godiag_model::InputKind::Unrecognized => godiag_pprof::read(bytes).map_err(|e| {
            format!(
                "not a pprof profile ({}): {e}",
                sniffed.note.as_deref().unwrap_or("nothing godiag knows")
            )
        }),
        other => Err(format!(
            "not a pprof profile: it reads as {} (`godiag analyze` reads it)",
            other.name()
        )),
    }
}

/// What a pasted line means when the catalog has no entry for it.
pub enum PastedReading {
    /// The top finding the engine reads in it.
    Finding(PastedFinding),
    /// A line that tells of no failure (a request to stop, a program's own
    /// exit status): what it means, in words.
    Words(String),
}

/// The finding the engine reads in a pasted line, as `explain` tells it.
pub struct PastedFinding {
    pub kind: godiag_analysis::FindingKind,
    pub title: String,
    /// What the evidence says (the first evidence's summary).
    pub summary: Option<String>,
    pub next_steps: Vec<String>,
}

/// What a line means when the catalog has no entry for it: the top finding
/// the engine reads in it as pasted text (a signal's line, `signal:
/// killed`, Kubernetes' `reason: OOMKilled`), or, for a signal named alone
/// (`SIGKILL`, `exit status 137`), what the engine reads in os/exec's words
/// for it; a stop signal, SIGPIPE and a program's own exit status are told
/// in words.
pub fn read_as_pasted(line: &str) -> Option<PastedReading> {
    use godiag_sniff::process_end;
    let line = line.trim();
    let mut candidates = vec![line.to_string()];
    // Kubernetes' termination reason, as `kubectl describe` shows it.
    if line.eq_ignore_ascii_case("OOMKilled") {
        candidates.insert(0, "reason: OOMKilled".into());
    }
    if let Some(signal) = process_end::named_signal(line) {
        if !signal.failure {
            return Some(PastedReading::Words(no_failure_signal(signal)));
        }
        candidates.push(format!("signal: {}", signal.described));
    } else if let Some(status) = process_end::named_status(line) {
        // Go's own failure status, which the engine reads as such.
        if status == 2 {
            candidates.push("exit status 2".into());
        } else {
            return Some(PastedReading::Words(own_status(status)));
        }
    }
    candidates.into_iter().find_map(|text| {
        let inputs = vec![crate::PreparedInput::from_bytes(
            "-",
            format!("{text}\n").into_bytes(),
        )];
        let report = crate::build_report(&inputs, godiag_model::GroupKeyMode::Stack);
        let top = report.findings.first()?;
        Some(PastedReading::Finding(PastedFinding {
            kind: top.kind,
            title: top.title.clone(),
            summary: top.evidence.first().map(|e| e.summary.clone()),
            next_steps: top.next_steps.clone(),
        }))
    })
}

/// A signal that ends a Go program without a failure of its own.
fn no_failure_signal(signal: &godiag_sniff::process_end::Signal) -> String {
    let named = format!(
        "{} (status {}, `signal: {}`)",
        signal.name(),
        128 + signal.number,
        signal.described
    );
    if signal.name() == "SIGPIPE" {
        return format!(
            "{named} ends a Go program that writes to a closed standard output or error (a pipe whose reader went away: `| head`, a closed terminal); the runtime prints nothing. Writes to other closed pipes and sockets return EPIPE instead. Not a crash: keep the reader open, or handle the signal (`signal.Ignore(syscall.SIGPIPE)`) and the write error"
        );
    }
    format!(
        "{named} asks the program to stop; it is no failure. A Go program that does not catch it (`signal.Notify`, `signal.NotifyContext`) exits at once and prints nothing. If the stop is the problem, a shutdown that hangs until a SIGKILL follows, take a goroutine dump while it hangs (`kill -QUIT PID`) and give it to godiag"
    )
}

/// An exit status that is neither Go's failure status nor a signal's.
fn own_status(status: i32) -> String {
    match status {
        0 => "status 0: the program exited normally".into(),
        66 => "status 66 is the race detector's (its GORACE `exitcode`): a `-race` build found a data race and printed a `WARNING: DATA RACE` report for it; give godiag that report".into(),
        n => format!(
            "status {n} is the program's own (`os.Exit({n})`, `log.Fatal` gives 1, a command-line tool's error): the Go runtime exits with 2 after a panic or a fatal error, and a signal's death shows as 128 + its number. The program's last lines of output say why it chose it"
        ),
    }
}
