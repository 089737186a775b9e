//! HAR 1.2 with Chrome's WebSocket extension: written for Chrome DevTools (and any HAR
//! viewer), read back from Chrome, mitmproxy, Playwright and Switchboard files.

mod build;
mod import;
mod model;

use std::io::{self, Write};

use serde::{Deserialize, Serialize};
use switchboard_engine::Observation;

pub use import::import_har;
pub use model::{
    Har, HarCache, HarContent, HarCreator, HarEntry, HarLog, HarNameValue, HarPage, HarPostData,
    HarRequest, HarResponse, HarSwitchboard, HarTimings, HarWebSocketMessage,
};

use super::SessionMeta;

/// How the export names the server in URLs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarOptions {
    /// The server as clients reached it, e.g. `http://127.0.0.1:6001`. WebSocket URLs use
    /// the same host with `ws://` (or `wss://` for `https://`).
    pub origin: String,
}

impl Default for HarOptions {
    fn default() -> Self {
        Self { origin: "http://127.0.0.1:6001".to_owned() }
    }
}

impl HarOptions {
    fn websocket_origin(&self) -> String {
        let origin = self.origin.trim_end_matches('/');
        if let Some(rest) = origin.strip_prefix("https://") {
            format!("wss://{rest}")
        } else if let Some(rest) = origin.strip_prefix("http://") {
            format!("ws://{rest}")
        } else {
            origin.to_owned()
        }
    }
}

/// The HAR document for `records` (in `seq` order), with the session name as its comment.
pub fn export_har(session: &SessionMeta, records: &[Observation], options: &HarOptions) -> Har {
    let creator = HarCreator {
        name: "Switchboard".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    };
    Har {
        log: HarLog {
            version: "1.2".to_owned(),
            creator,
            pages: Vec::new(),
            entries: build::entries(records, options),
            comment: Some(session.name.clone()),
        },
    }
}

/// Writes a HAR document as indented JSON.
pub fn write_har<W: Write>(mut out: W, har: &Har) -> io::Result<W> {
    serde_json::to_writer_pretty(&mut out, har)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(out)
}
