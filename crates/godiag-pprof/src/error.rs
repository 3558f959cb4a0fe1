//! Why a profile could not be read.

/// Why nothing usable could be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("not a profile: {0}")]
    NotAProfile(String),
    #[error("damaged at byte {offset}: {message}")]
    Damaged { offset: u64, message: String },
}
