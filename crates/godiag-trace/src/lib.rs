//! Reader for Go execution traces, the v2 format written by Go 1.22 and later
//! (wire versions 1.22, 1.23, 1.25 and 1.26; Go 1.27 writes 1.26).
//!
//! The input is borrowed (a slice or a memory map) and read one generation at a time:
//! memory is bounded by the largest generation plus interned stacks, not by the file.
//! [`Reader`] yields events in an order the scheduler could have produced, checked
//! with the runtime's state machine; a trace cut short (a crash while tracing) yields
//! what can be ordered and then says where and why it ends. [`text`] reads Go's test
//! trace text format. [`analysis`] turns the event stream into the summaries and
//! findings godiag reports; [`export`] writes blocking profiles and timelines.
//!
//! Not read: the v1 format of Go 1.21 and older (refused with a clear error).

pub mod analysis;
pub mod event;
pub mod export;
pub mod generation;
pub mod order;
pub mod reader;
mod slots;
pub mod spec;
pub mod tables;
pub mod text;
pub mod wire;

pub use event::{Event, GoState, Kind, ProcState, RangeName, Scope, Transition};
pub use reader::{Mode, Reader};
pub use spec::WireVersion;
pub use tables::{StackId, StrId, Tables};

/// Why a trace could not be read further, with the offset in the input
/// where it was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// The input ended early (a trace cut by a crash, a partial copy).
    #[error("at offset {offset}: {message}")]
    Truncated { offset: u64, message: String },
    /// Bytes that make no sense for the format: header, batch, event
    /// encoding, tables.
    #[error("at offset {offset}: {message}")]
    Malformed { offset: u64, message: String },
    /// Events no order of the scheduler could have produced (the
    /// ordering's verdict on the event at `offset`).
    #[error("at offset {offset}: {message}")]
    Contradiction { offset: u64, message: String },
}

impl Error {
    pub fn at(offset: u64, message: impl Into<String>) -> Error {
        Error::Malformed {
            offset,
            message: message.into(),
        }
    }

    pub fn truncated(offset: u64, message: impl Into<String>) -> Error {
        Error::Truncated {
            offset,
            message: message.into(),
        }
    }

    pub fn contradiction(offset: u64, message: impl Into<String>) -> Error {
        Error::Contradiction {
            offset,
            message: message.into(),
        }
    }

    pub fn offset(&self) -> u64 {
        match self {
            Error::Truncated { offset, .. }
            | Error::Malformed { offset, .. }
            | Error::Contradiction { offset, .. } => *offset,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Error::Truncated { message, .. }
            | Error::Malformed { message, .. }
            | Error::Contradiction { message, .. } => message,
        }
    }

    /// The input ended early (as opposed to bytes that make no sense).
    pub fn is_truncated(&self) -> bool {
        matches!(self, Error::Truncated { .. })
    }
}
