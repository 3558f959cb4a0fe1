//! Reader for ELF core dumps of Go programs (linux/amd64): threads and their
//! registers, the auxiliary vector, memory reads across `PT_LOAD` segments,
//! and — with the executable — every goroutine of the runtime's `allgs` list
//! with its status, wait reason, creator and stack, unwound with the
//! runtime's own frame tables (`pcsp`) and symbolised with inlined frames;
//! the objects blocked goroutines wait on (channels, mutexes, wait groups);
//! the signals threads were handling (through the kernel's signal frame);
//! and the fault (`g.sig`, `g.sigcode1`, `g.sigpc`) of the goroutine that
//! crashed.
//!
//! Structure offsets come from the executable's DWARF or per-version tables
//! ([`layout`]). Goroutines are found through the `runtime.allgs` symbol or,
//! in a stripped executable, by scanning `.bss` for a slice of
//! goroutine-shaped structures; wait reasons come from the executable's own
//! `waitReasonStrings` (found by content when stripped). Not done: arm64,
//! goroutine labels, `gcore` specifics beyond what kernel cores share.

mod backtrace;
mod core_file;
pub mod crash;
mod fault;
mod identity;
mod image;
pub mod layout;
mod reasons;
mod signals;
mod unwind;
mod values;
mod waits;
mod walk;

pub use backtrace::{full_backtraces, BacktraceReader};
pub use core_file::{load_bias, Core, CoreError, MappedFile, Segment, USER_REGS};
pub use fault::{describe_fault, faulting_instruction};
pub use identity::executable_mismatch;
pub use image::{Image, ProcessImage, Thread};
pub use layout::{Layout, LayoutSource};
pub use signals::{signal_name, SignalFrame};
pub use walk::{goroutines, CoreGoroutines, Fault, GoroutineStack};
