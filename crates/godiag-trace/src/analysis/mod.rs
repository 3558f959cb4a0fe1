//! What the event stream shows: per-goroutine time by state, scheduler latency,
//! blocking by reason, GC cycles, stop-the-world windows, mark assists, GC CPU share
//! and minimum mutator utilization, heap over time, user tasks and regions, the
//! state at the end of the trace, and the four blocking profiles `go tool trace
//! -pprof=` offers. [`analyze`] reads the trace once, keeping aggregates only:
//! goroutines that end are folded into their group, so memory follows the number of
//! live goroutines and distinct stacks, not the number of events.

mod analyzer;
mod finish;
mod histogram;
mod mmu;
mod run;
mod state;
mod summary;
mod transitions;

pub use analyzer::Analyzer;
pub use finish::frames;
pub use run::{analyze, analyze_with_progress};
pub use state::STARVATION_NS;
pub use summary::*;
