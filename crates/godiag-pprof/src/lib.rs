//! Reader for the profiles Go programs write: `profile.proto` (gzipped or
//! not) of every type (cpu, heap, allocs, goroutine, mutex, block,
//! threadcreate, goroutineleak) and the legacy `debug=1` text profiles (heap,
//! mutex, block, threadcreate).
//!
//! Decoding walks the top-level fields itself, decoding each message with
//! prost, so that damage is reported with its byte offset and everything
//! before it is kept (the profile is then `partial`). No allocation is sized
//! by a number read from the input: lengths are checked against the bytes
//! that are there, and gzip expansion is capped.
//!
//! It also computes what `go tool pprof -top` shows (flat and cumulative per
//! function or per line), profile differences and folded stacks for flame
//! graphs. It does not decide what a profile means: that is `godiag-analysis`.

mod decode;
mod error;
mod index;
mod inflate;
mod kind;
mod legacy;
pub mod proto;
mod stacks;
mod sums;
mod symbolize;
mod top;
mod varint;
mod view;

pub use decode::read;
pub use error::ReadError;
pub use index::{Granularity, TopRow};
pub use top::diff_top;
pub use view::{FrameRef, Profile, ProfileKind, SourceFormat, SymbolFrame};
