//! Taking sessions away and bringing them back (see `docs/file-formats.md`):
//! NDJSON, Switchboard's own lossless format, and HAR 1.2 with Chrome's
//! `_webSocketMessages`, which Chrome DevTools and other HAR viewers open.
//!
//! Records never carry app secrets, so neither format can leak one.

mod error;
mod har;
mod ndjson;
mod time;

use serde::{Deserialize, Serialize};
use switchboard_engine::{Millis, Observation};

pub use error::{ImportError, ImportSkip};
pub use har::{
    export_har, import_har, write_har, Har, HarCache, HarContent, HarCreator, HarEntry, HarLog,
    HarNameValue, HarOptions, HarPage, HarPostData, HarRequest, HarResponse, HarSwitchboard,
    HarTimings, HarWebSocketMessage,
};
pub use ndjson::{
    import_ndjson, write_ndjson, NdjsonHeader, NdjsonWriter, FORMAT_NAME, FORMAT_VERSION,
};
pub use time::{iso8601, parse_iso8601};

/// What a file says about the session it holds. The store converts its sessions to this.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionMeta {
    /// The session's id where it was recorded (empty for a HAR import; the store gives
    /// every imported session a fresh id anyway).
    pub id: String,
    pub name: String,
    /// Unix milliseconds.
    pub started_at: Millis,
    /// Unix milliseconds; `None` while the session was still recording.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<Millis>,
}

/// The result of an import: the session, its records (numbered by `seq` in file order for
/// NDJSON, by time for HAR), and everything that was left out, each with the reason.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Imported {
    pub meta: SessionMeta,
    pub records: Vec<Observation>,
    pub skipped: Vec<ImportSkip>,
}

impl Imported {
    /// The strict reading: the import is refused, naming the first thing left out, unless
    /// nothing was.
    pub fn require_complete(self) -> Result<Self, ImportError> {
        match self.skipped.first() {
            Some(first) => Err(ImportError::Incomplete(first.clone())),
            None => Ok(self),
        }
    }
}
