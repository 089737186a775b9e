//! `--data-dir`: where recorded sessions live (the platform's app-data folder by default).

use std::path::PathBuf;

use anyhow::Context;

/// The data directory flag, shared by `serve` and the session subcommands.
#[derive(Debug, Clone, clap::Args)]
pub struct DataDirArg {
    /// Where recorded sessions are kept [default: the platform's app-data folder,
    /// e.g. ~/.local/share/switchboard] [env: SWITCHBOARD_DATA_DIR]
    #[arg(long, value_name = "DIR", env = "SWITCHBOARD_DATA_DIR", hide_env = true)]
    pub data_dir: Option<PathBuf>,
}

impl DataDirArg {
    /// The directory to use: the flag, else the platform's app-data folder.
    pub fn resolve(&self) -> anyhow::Result<PathBuf> {
        if let Some(dir) = &self.data_dir {
            return Ok(dir.clone());
        }
        switchboard::launch::default_data_dir().context(
            "cannot find the home directory for the default data directory; pass --data-dir",
        )
    }
}
