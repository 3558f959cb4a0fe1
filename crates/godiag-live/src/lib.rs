//! A live Go process as a [`godiag_core::Image`], for `godiag attach`: every
//! thread is stopped briefly (ptrace seize and interrupt), its registers
//! read, and memory read from `/proc/PID/mem` while they are stopped; the
//! executable comes from `/proc/PID/exe` (also when it was deleted or
//! replaced on disk). [`LiveProcess::detach`] lets the process go on, with
//! any signal that arrived meanwhile, and says how long it was stopped.
//! [`LiveProcess::write_core`] writes the stopped process as an ELF core,
//! as gcore does.

mod error;
mod gcore;
mod maps;
mod memory;
mod namespace;
mod process;

pub use error::AttachError;
pub use process::{LiveProcess, StopSummary};
