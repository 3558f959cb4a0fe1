//! Why a process could not be attached to, each with what to do about it.

/// Why a process could not be attached to.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("no process {pid}{hint}")]
    NoSuchProcess { pid: i32, hint: String },
    #[error("process {0} exited while godiag was attaching to it; nothing was read")]
    Exited(i32),
    #[error("process {pid} exited while godiag was reading it (after {read_ms} ms): the report would be of a process that is gone")]
    ExitedDuringRead { pid: i32, read_ms: u64 },
    #[error("process {pid} is already traced by process {tracer} ({tracer_name}): a process has one tracer at a time; detach the debugger first")]
    AlreadyTraced {
        pid: i32,
        tracer: i32,
        tracer_name: String,
    },
    #[error("not permitted to trace process {pid}: {hint}")]
    NotPermitted { pid: i32, hint: String },
    #[error("process {pid} ({exe}) is not a Go program: {reason}")]
    NotGo {
        pid: i32,
        exe: String,
        reason: String,
    },
    #[error("cannot read the executable of process {pid}: {source}{hint}")]
    Executable {
        pid: i32,
        source: std::io::Error,
        hint: String,
    },
    #[error("cannot read {what} of process {pid}: {source}")]
    Read {
        pid: i32,
        what: &'static str,
        source: std::io::Error,
    },
}
