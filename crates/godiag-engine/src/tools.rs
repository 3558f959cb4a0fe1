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

/// A pprof profile (proto or legacy text).
pub fn read_profile(bytes: &[u8]) -> Result<Profile, String> {
    godiag_pprof::read(bytes).map_err(|e| e.to_string())
}
