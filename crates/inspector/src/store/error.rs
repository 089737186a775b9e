//! The store's failure domain: every way opening or using the recording database can fail.

use std::path::PathBuf;

use super::SessionId;

/// Why a store operation failed. Messages name the file or the session involved.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create the data directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open the recording database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{path} is not a readable Switchboard recording database (corrupt, or another \
         program's file): {source}. It was left untouched; move it away or choose another \
         data directory"
    )]
    Unreadable {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "{path} belongs to another program (SQLite application id {found:#x}); it was left \
         untouched; choose another data directory"
    )]
    ForeignDatabase { path: PathBuf, found: i32 },
    #[error(
        "{path} was written by a newer Switchboard (schema version {found}, this build reads up \
         to {supported}); upgrade Switchboard or choose another data directory"
    )]
    NewerSchema { path: PathBuf, found: i64, supported: i64 },
    #[error("no session with id {0}")]
    NoSuchSession(SessionId),
    #[error("a session name must be 1 to {max} characters and not blank")]
    InvalidName { max: usize },
    #[error("session {session} already holds a record with seq {seq}")]
    DuplicateSeq { session: SessionId, seq: u64 },
    #[error("cannot encode record {seq}: {source}")]
    Encode {
        seq: u64,
        #[source]
        source: serde_json::Error,
    },
    #[error("record {seq} of session {session} cannot be decoded: {source}")]
    Decode {
        session: SessionId,
        seq: u64,
        #[source]
        source: serde_json::Error,
    },
    #[error("recording database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
}
