//! Recording flags of `switchboard serve`: the data directory for sessions and their
//! retention, turned into the shared [`Recording`] options of `switchboard::launch`.

use switchboard::launch::Recording;
use switchboard_inspector::store::Retention;

use crate::data_dir::DataDirArg;

/// Recording flags of `switchboard serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub data: DataDirArg,
    /// Keep at most this many sessions [default: 100] [env: SWITCHBOARD_RETENTION_SESSIONS]
    #[arg(long, value_name = "N", env = "SWITCHBOARD_RETENTION_SESSIONS", hide_env = true)]
    pub retention_sessions: Option<u32>,
    /// Delete sessions older than this many days [default: 30] [env: SWITCHBOARD_RETENTION_DAYS]
    #[arg(long, value_name = "DAYS", env = "SWITCHBOARD_RETENTION_DAYS", hide_env = true)]
    pub retention_days: Option<u32>,
}

impl RecordArgs {
    fn retention(&self) -> Retention {
        let default = Retention::default();
        Retention {
            max_sessions: self.retention_sessions.or(default.max_sessions),
            max_age_days: self.retention_days.or(default.max_age_days),
        }
    }

    /// The recording options; `enabled` is false under `--no-record`.
    pub fn recording(&self, enabled: bool) -> anyhow::Result<Recording> {
        let data_dir = Some(self.data.resolve()?);
        Ok(Recording { enabled, data_dir, retention: self.retention() })
    }
}
