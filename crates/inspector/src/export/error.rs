//! What can go wrong reading a session file: `ImportError` refuses the whole file,
//! `ImportSkip` reports one part that was left out while the rest was imported.

use serde::{Deserialize, Serialize};

/// A file that cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("could not read the file: {0}")]
    Io(#[from] std::io::Error),
    #[error("the file is empty")]
    Empty,
    #[error("line 1 is not a Switchboard session header: {reason}")]
    NotASession { reason: String },
    #[error("line 1: the format is {found:?}; expected \"switchboard-session\"")]
    WrongFormat { found: String },
    #[error("line 1: format version {found} is newer than this Switchboard reads ({supported})")]
    UnsupportedVersion { found: u64, supported: u64 },
    #[error("not JSON (line {line}, column {column}): {reason}")]
    NotJson { line: usize, column: usize, reason: String },
    #[error("not a HAR file: {missing} is missing")]
    NotHar { missing: &'static str },
    #[error("incomplete import: {0}")]
    Incomplete(ImportSkip),
}

/// A part of a file that was not imported, and why. The rest of the file was.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "skip", rename_all = "snake_case")]
pub enum ImportSkip {
    /// An NDJSON line that is not a record (bad JSON, a missing field, a cut-off line).
    #[error("line {line}: {error}")]
    BadLine { line: usize, error: String },
    #[error("line {line}: not valid UTF-8")]
    NotUtf8 { line: usize },
    /// The header counted more (or fewer) records than the file holds.
    #[error("the header announces {expected} records but the file holds {found}")]
    CountMismatch { expected: u64, found: u64 },
    /// A WebSocket message that is not a text frame (binary, close, ping, pong).
    #[error("HAR entry {entry}, message {message}: opcode {opcode} is not a text frame")]
    NotText { entry: usize, message: usize, opcode: u64 },
    #[error("HAR entry {entry}, message {message}: {error}")]
    BadMessage { entry: usize, message: usize, error: String },
    #[error("HAR entry {entry}: {error}")]
    BadEntry { entry: usize, error: String },
    /// A WebSocket entry whose messages are not in the file (e.g. saved beside it).
    #[error("HAR entry {entry}: a WebSocket without its messages")]
    NoMessages { entry: usize },
    /// HTTP entries that are not Pusher traffic (pages, scripts, other APIs).
    #[error("{count} HAR entries are not Pusher traffic")]
    Unrelated { count: usize },
}
