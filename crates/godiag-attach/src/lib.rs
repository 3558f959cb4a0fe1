//! `godiag attach PID`: the process's threads are stopped, the engine reads
//! it like a core through the same memory abstraction (goroutines, wait
//! objects, lock holders), and the process is let go while the rules run;
//! it is stopped a second time, briefly, for the frames in full of the
//! goroutines the findings name. With `--core` it stays stopped from the
//! first read to the core's last byte, so that the core and the diagnosis
//! show one moment. The report says how long each stop lasted.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};

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
struct Live {
    first: Arc<LiveProcess>,
    /// Let go once read (no core to write from the same stop).
    release_early: bool,
    /// Whether it was still alive when let go after the read.
    alive_when_released: Mutex<Option<bool>>,
    /// The second stop, for the frames in full; `None` when it failed.
    again: OnceLock<Option<LiveProcess>>,
}

impl godiag_engine::ProcessSource for Live {
    fn image(&self) -> godiag_core::Image<'_> {
        self.first.image()
    }

    fn release(&self) {
        if !self.release_early {
            return;
        }
        if let Ok(mut alive) = self.alive_when_released.lock() {
            if alive.is_none() {
                *alive = Some(self.first.is_alive());
                self.first.detach();
            }
        }
    }

    fn image_again(&self) -> Option<godiag_core::Image<'_>> {
        let released = self.alive_when_released.lock().ok().and_then(|a| *a);
        match released {
            None => return Some(self.first.image()),
            // Gone when let go: nothing to stop again.
            Some(false) => return None,
            Some(true) => {}
        }
        self.again
            .get_or_init(|| {
                LiveProcess::attach(self.first.pid(), Some(self.first.exe_bytes().to_vec())).ok()
            })
            .as_ref()
            .map(LiveProcess::image)
    }

    fn done_again(&self) {
        if let Some(Some(again)) = self.again.get() {
            again.detach();
        }
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
    let source = Arc::new(Live {
        first: Arc::clone(&live),
        release_early: options.core.is_none(),
        alive_when_released: Mutex::new(None),
        again: OnceLock::new(),
    });
    let inputs = vec![
        Input::new(
            format!("process {pid}"),
            InputBytes::Process(Arc::clone(&source) as Arc<dyn godiag_engine::ProcessSource>),
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
    // Alive when the read ended is what counts: a process that exits
    // after it was let go was read whole.
    let alive = match source.alive_when_released.lock().ok().and_then(|a| *a) {
        Some(alive) => alive,
        None => live.is_alive(),
    };
    let summary = live.detach();
    let second = source
        .again
        .get()
        .and_then(Option::as_ref)
        .map(LiveProcess::detach);
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
    let pauses_us: Vec<u64> = std::iter::once(&summary)
        .chain(second.as_ref())
        .map(|s| s.paused.as_micros() as u64)
        .collect();
    diagnosis.set_process_stop(
        ProcessStop {
            pid,
            paused_us: pauses_us.iter().sum(),
            pauses_us,
            threads: summary.threads,
            bytes_read: summary.bytes_read + second.as_ref().map_or(0, |s| s.bytes_read),
            signals_passed_on: summary.signals_passed_on
                + second.as_ref().map_or(0, |s| s.signals_passed_on),
            core_written,
        },
        notes,
    );
    Ok(diagnosis)
}
