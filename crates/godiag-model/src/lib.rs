//! The evidence model shared by godiag's readers, rules and renderers.
//!
//! Readers (one crate per artifact kind) turn bytes into these types; rules in
//! `godiag-analysis` read only these types; renderers read findings and these
//! types. Strings borrow from the input (`'a`), so a memory-mapped dump of
//! 100,000 goroutines is described without copying its text.
//!
//! This crate does not parse anything and does not decide anything: it holds
//! what was seen, with the byte offset where it was seen.

pub mod backtrace;
pub mod goroutine;
pub mod group;
pub mod signal;
pub mod source;
pub mod text;
pub mod units;
pub mod version;

pub use backtrace::{FrameVariable, FullBacktrace, FullFrame, ValuesFrom, VariableRole};
pub use goroutine::{Ancestor, ArgWord, Frame, Goroutine, Label, WaitObject};
pub use group::{
    diff_groups, group_goroutines, group_of, group_wait_objects, GoroutineGroup, GroupDiff,
    GroupKeyMode, WaitObjectGroup,
};
pub use source::{InputKind, InputStatus, Source};
pub use text::{
    CountRecord, CountRecordFrame, Crash, EndLine, FatalSignal, GcTrace, KilledBy, OomKill,
    PanicEntry, RaceAccess, RaceGoroutine, RaceReport, SchedTrace, SignalInfo, TextArtifact,
    Warning,
};
pub use version::GoVersion;
