//! The desktop app's errors, one enum per failure domain; each reaches the person as one line
//! (a dialog, the start-up page or the settings window), so they serialize as their message.

use std::path::Path;

/// Reading or writing the settings files.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
    /// The server would refuse these settings; the message says where and why.
    #[error("{0}")]
    Invalid(String),
    #[error("no config directory for the settings: {0}")]
    NoConfigDir(String),
}

impl SettingsError {
    pub fn read(path: &Path, source: std::io::Error) -> Self {
        Self::Read { path: path.display().to_string(), source }
    }

    pub fn write(path: &Path, source: std::io::Error) -> Self {
        Self::Write { path: path.display().to_string(), source }
    }
}

/// Exporting or importing a session file.
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("the server is not running")]
    NotRunning,
    #[error("no session to export yet")]
    NoSession,
    #[error("the inspector API: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the inspector API answered {status}: {body}")]
    Refused { status: u16, body: String },
    #[error("cannot read {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: String, source: std::io::Error },
    #[error("the dialog did not give a file path")]
    NotAPath,
}

/// Talking to the supervisor that owns the running server.
#[derive(Debug, thiserror::Error)]
pub enum SupervisorError {
    #[error("the app is shutting down")]
    Gone,
    #[error(transparent)]
    Settings(#[from] SettingsError),
}

/// What a command answers when it fails: the message, for the page to show.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct CommandError(String);

impl serde::Serialize for CommandError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl From<SupervisorError> for CommandError {
    fn from(error: SupervisorError) -> Self {
        Self(error.to_string())
    }
}

impl From<SettingsError> for CommandError {
    fn from(error: SettingsError) -> Self {
        Self(error.to_string())
    }
}

impl From<FileError> for CommandError {
    fn from(error: FileError) -> Self {
        Self(error.to_string())
    }
}
