//! `godiag attach PID`: the process's threads are stopped, the engine reads
//! it like a core through the same memory abstraction (goroutines, wait
//! objects, lock holders, findings, full backtraces), an ELF core is
//! written when asked, and the process is let go. Only what the diagnosis
//! reads is read while it is stopped; the report says for how long.

use std::path::PathBuf;
use std::sync::Arc;

use godiag_engine::{Diagnosis, Input, InputBytes, ProcessStop};
use godiag_live::{AttachError, LiveProcess};

/// What to do besides the diagnosis.
#[derive(Default)]
pub struct AttachOptions {
    /// The executable, when `/proc/PID/exe` cannot be read (another mount
    /// namespace) or is not the one to use.
    pub exe: Option<(String, Vec<u8>)>,
    /// Write the stopped process as an ELF core here, as gcore does.
    pub core: Option<PathBuf>,
    pub engine: godiag_engine::Options,
}

/// Why attach failed.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Attach(#[from] AttachError),
    #[error("cannot write the core to {path}: {source} (the process was let go)")]
    Core {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// The live process, as the engine reads it.
struct Live(Arc<LiveProcess>);

impl godiag_engine::ProcessSource for Live {
    fn image(&self) -> godiag_core::Image<'_> {
        self.0.image()
    }
}

/// Stops `pid`, diagnoses it, lets it go.
pub fn attach(pid: i32, options: AttachOptions) -> Result<Diagnosis, Error> {
    let (exe_name, exe) = match options.exe {
        Some((name, bytes)) => (name, Some(bytes)),
        None => (
            std::fs::read_link(format!("/proc/{pid}/exe"))
                .map(|p| p.display().to_string())
                .unwrap_or_else(|_| format!("/proc/{pid}/exe")),
            None,
        ),
    };
    let live = Arc::new(LiveProcess::attach(pid, exe)?);
    let inputs = vec![
        Input::new(
            format!("process {pid}"),
            InputBytes::Process(Arc::new(Live(Arc::clone(&live)))),
        ),
        Input::from_vec(exe_name, live.exe_bytes().to_vec()),
    ];
    let mut diagnosis = godiag_engine::diagnose(inputs, &options.engine);
    let core = options.core.map(|path| {
        let written = std::fs::File::create(&path).and_then(|f| {
            let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
            let n = live.write_core(&mut w)?;
            std::io::Write::flush(&mut w)?;
            Ok(n)
        });
        (path, written)
    });
    let alive = live.is_alive();
    let summary = live.detach();
    if !alive {
        return Err(AttachError::ExitedDuringRead {
            pid,
            read_ms: summary.paused.as_millis() as u64,
        }
        .into());
    }
    let core_written = match core {
        Some((path, Ok(_))) => Some(path.display().to_string()),
        Some((path, Err(source))) => return Err(Error::Core { path, source }),
        None => None,
    };
    let notes = (!live.foreign_namespaces.is_empty())
        .then(|| {
            format!(
                "the process is in another {} namespace (a container): thread ids are as godiag's namespace sees them",
                live.foreign_namespaces.join(" and ")
            )
        })
        .into_iter()
        .collect();
    diagnosis.set_process_stop(
        ProcessStop {
            pid,
            paused_us: summary.paused.as_micros() as u64,
            threads: summary.threads,
            bytes_read: summary.bytes_read,
            signals_passed_on: summary.signals_passed_on,
            core_written,
        },
        notes,
    );
    Ok(diagnosis)
}
