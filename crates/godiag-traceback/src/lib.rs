//! Reader for the text the Go runtime prints about goroutines: crash output
//! (`panic:`, `fatal error:`, signals, `GOTRACEBACK=all|system|crash`),
//! SIGQUIT dumps, `debug=2` and `debug=1` goroutine profiles, and race reports,
//! for Go 1.21 through 1.27.
//!
//! The reader is a line classifier with a little state (the goroutine, race
//! report or runtime stack being read). Each line is recognised on its own, so a
//! line it does not know — application logs mixed into stderr, a header form
//! from a future Go — is counted and skipped and never swallows what follows.
//! Strings borrow from the input; nothing is copied except label values and
//! multi-line panic messages.
//!
//! It does not decide what failed (that is `godiag-analysis`) and does not
//! group goroutines (that is `godiag_model::group`).

mod caller;
mod condensed;
mod delve;
mod escaped_ends;
mod escapes;
mod fold;
mod header;
mod joined_records;
mod lambda_frames;
mod last_line;
mod line_records;
mod lines;
mod markdown;
mod padded;
mod parser;
mod record_fields;
mod restore;
mod reversed;
mod shapes;
mod snapshots;
mod staircase;
mod version;

pub use fold::{ParseLimits, DEFAULT_FULL_GOROUTINES};
pub use parser::{parse, parse_with};
pub use restore::{restore, Restored};
pub use snapshots::snapshot_starts;
pub use version::SyntaxSeen;

#[cfg(test)]
mod tests;
