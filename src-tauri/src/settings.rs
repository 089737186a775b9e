//! The desktop app's settings, kept in its config directory as two files:
//! `switchboard.toml` — the server's own config format (host, port, `[[apps]]`; the same file
//! `switchboard serve --config` reads, watched for live reload) — and `desktop.toml` (the
//! project `.env` to follow, the data directory and retention). The settings window sees
//! them as a [`SettingsView`] (secrets masked) and sends back a [`SettingsEdit`].

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use switchboard::launch::Recording;
use switchboard_inspector::store::Retention;
use switchboard_server::config::{Overrides, Settings};
use switchboard_server::reload::Loader;

use crate::error::SettingsError;
use crate::settings_file;

/// Written on first start so there is a file to edit and to watch.
const STARTER: &str = "\
# Switchboard's server settings, in the format `switchboard serve --config` reads
# (see docs/configuration.md). The desktop app's Settings window edits this file, and
# changes made here by hand apply while the app runs.
host = \"127.0.0.1\"
port = 6001

[[apps]]
id = \"app-id\"
key = \"app-key\"
secret = \"app-secret\"
enable_client_messages = true
";

/// Where the two files live.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    pub server: PathBuf,
    pub desktop: PathBuf,
    /// The data directory when `desktop.toml` names none.
    pub default_data_dir: PathBuf,
}

impl Paths {
    pub fn new(config_dir: &Path, default_data_dir: PathBuf) -> Self {
        Self {
            server: config_dir.join("switchboard.toml"),
            desktop: config_dir.join("desktop.toml"),
            default_data_dir,
        }
    }

    /// Creates the config directory and the starter `switchboard.toml` if missing.
    pub fn ensure(&self) -> Result<(), SettingsError> {
        if let Some(dir) = self.server.parent() {
            std::fs::create_dir_all(dir).map_err(|e| SettingsError::write(dir, e))?;
        }
        if !self.server.exists() {
            std::fs::write(&self.server, STARTER)
                .map_err(|e| SettingsError::write(&self.server, e))?;
        }
        Ok(())
    }
}

/// `desktop.toml`: what only the desktop app needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesktopFile {
    /// A project's `.env` whose `PUSHER_APP_*` (etc.) variables define more apps.
    pub env_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub retention_sessions: Option<u32>,
    pub retention_days: Option<u32>,
}

impl DesktopFile {
    /// Reads `desktop.toml`; a missing file is the defaults.
    pub fn read(path: &Path) -> Result<Self, SettingsError> {
        match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text)
                .map_err(|e| SettingsError::Invalid(format!("{}: {e}", path.display()))),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Self::default()),
            Err(e) => Err(SettingsError::read(path, e)),
        }
    }

    pub fn write(&self, path: &Path) -> Result<(), SettingsError> {
        let text =
            toml::to_string_pretty(self).map_err(|e| SettingsError::Invalid(e.to_string()))?;
        settings_file::write_atomic(path, &text)
    }

    pub fn retention(&self) -> Retention {
        let default = Retention::default();
        Retention {
            max_sessions: self.retention_sessions.or(default.max_sessions),
            max_age_days: self.retention_days.or(default.max_age_days),
        }
    }

    pub fn recording(&self, paths: &Paths) -> Recording {
        let data_dir = self.data_dir.clone().unwrap_or_else(|| paths.default_data_dir.clone());
        Recording { enabled: true, data_dir: Some(data_dir), retention: self.retention() }
    }
}

/// Loads the server settings from `switchboard.toml` and the `.env` file only: the desktop
/// app ignores `SWITCHBOARD_*` variables so that what runs is what the Settings window shows.
pub fn loader(server: &Path, env_file: Option<&Path>) -> Loader {
    let overrides = Overrides {
        config: Some(server.to_path_buf()),
        env_file: env_file.map(Path::to_path_buf),
        host: None,
        port: None,
    };
    Arc::new(move || Settings::load(overrides.clone(), &|_| None))
}

/// One app as the settings window shows it: never its secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppView {
    pub id: String,
    pub key: String,
    pub secret_masked: String,
    pub enabled: bool,
    pub client_events: bool,
    pub user_authentication: bool,
}

/// The settings as the settings window shows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SettingsView {
    pub host: String,
    pub port: u16,
    pub apps: Vec<AppView>,
    pub env_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub default_data_dir: PathBuf,
    pub retention_sessions: u32,
    pub retention_days: u32,
    /// `switchboard.toml`, for people who prefer to edit it.
    pub config_file: PathBuf,
}

/// One app as the settings window sends it back.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AppEdit {
    /// The id it had when the window read it; `None` for a new app.
    pub original_id: Option<String>,
    pub id: String,
    pub key: String,
    /// A new secret; `None` keeps the current one (a new app without one gets a random one).
    pub secret: Option<String>,
    pub enabled: bool,
    pub client_events: bool,
    pub user_authentication: bool,
}

/// The settings window's changes.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct SettingsEdit {
    pub host: String,
    pub port: u16,
    pub apps: Vec<AppEdit>,
    pub env_file: Option<PathBuf>,
    pub data_dir: Option<PathBuf>,
    pub retention_sessions: Option<u32>,
    pub retention_days: Option<u32>,
}

impl SettingsEdit {
    /// The edit that changes nothing.
    pub fn from_view(view: &SettingsView) -> Self {
        let apps = view.apps.iter().map(|app| AppEdit {
            original_id: Some(app.id.clone()),
            id: app.id.clone(),
            key: app.key.clone(),
            secret: None,
            enabled: app.enabled,
            client_events: app.client_events,
            user_authentication: app.user_authentication,
        });
        Self {
            host: view.host.clone(),
            port: view.port,
            apps: apps.collect(),
            env_file: view.env_file.clone(),
            data_dir: view.data_dir.clone(),
            retention_sessions: Some(view.retention_sessions).filter(|n| *n > 0),
            retention_days: Some(view.retention_days).filter(|n| *n > 0),
        }
    }

    pub fn desktop(&self) -> DesktopFile {
        DesktopFile {
            env_file: self.env_file.clone(),
            data_dir: self.data_dir.clone(),
            retention_sessions: self.retention_sessions,
            retention_days: self.retention_days,
        }
    }
}

/// The settings of `switchboard.toml` alone (no `.env`): the apps the window may edit.
pub fn file_settings(paths: &Paths) -> Result<Settings, SettingsError> {
    let load = loader(&paths.server, None);
    load().map_err(|e| SettingsError::Invalid(e.to_string()))
}

/// What the settings window shows.
pub fn view(paths: &Paths) -> Result<SettingsView, SettingsError> {
    let settings = file_settings(paths)?;
    let desktop = DesktopFile::read(&paths.desktop)?;
    let retention = desktop.retention();
    let apps = settings.apps.iter().map(|app| AppView {
        id: app.id.to_string(),
        key: app.key.to_string(),
        secret_masked: app.secret.masked(),
        enabled: app.enabled,
        client_events: app.enable_client_messages,
        user_authentication: app.enable_user_authentication,
    });
    Ok(SettingsView {
        host: settings.host,
        port: settings.port,
        apps: apps.collect(),
        env_file: desktop.env_file,
        data_dir: desktop.data_dir,
        default_data_dir: paths.default_data_dir.clone(),
        retention_sessions: retention.max_sessions.unwrap_or(0),
        retention_days: retention.max_age_days.unwrap_or(0),
        config_file: paths.server.clone(),
    })
}

/// An edit checked as the server would load it (with the `.env`), ready to be written.
pub struct Prepared<'a> {
    paths: &'a Paths,
    server_text: String,
    desktop: DesktopFile,
}

/// Checks `edit` as the server would load it; nothing is written when it would be refused.
pub fn prepare<'a>(paths: &'a Paths, edit: &SettingsEdit) -> Result<Prepared<'a>, SettingsError> {
    let current = file_settings(paths)?;
    let old_text = std::fs::read_to_string(&paths.server).unwrap_or_default();
    let text = settings_file::render(&old_text, edit, &current.apps)?;
    let trial = paths.server.with_extension("toml.check");
    settings_file::write_atomic(&trial, &text)?;
    let checked = loader(&trial, edit.env_file.as_deref())();
    let _ = std::fs::remove_file(&trial);
    checked.map_err(|e| SettingsError::Invalid(e.to_string().replace(".toml.check", ".toml")))?;
    Ok(Prepared { paths, server_text: text, desktop: edit.desktop() })
}

impl Prepared<'_> {
    /// Writes both files (each atomically).
    pub fn write(self) -> Result<(), SettingsError> {
        settings_file::write_atomic(&self.paths.server, &self.server_text)?;
        self.desktop.write(&self.paths.desktop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(dir: &tempfile::TempDir) -> Paths {
        let paths = Paths::new(dir.path(), dir.path().join("data"));
        paths.ensure().unwrap();
        paths
    }

    fn edit_of(view: &SettingsView) -> SettingsEdit {
        SettingsEdit {
            retention_sessions: None,
            retention_days: None,
            ..SettingsEdit::from_view(view)
        }
    }

    #[test]
    fn the_starter_file_is_the_default_server() {
        let dir = tempfile::tempdir().unwrap();
        let view = view(&paths(&dir)).unwrap();
        assert_eq!((view.host.as_str(), view.port), ("127.0.0.1", 6001));
        assert_eq!(view.apps.len(), 1);
        assert_eq!(view.apps[0].secret_masked, "ap******");
        assert_eq!((view.retention_sessions, view.retention_days), (100, 30));
        let json = serde_json::to_string(&view).unwrap();
        assert!(!json.contains("app-secret"), "{json}");
    }

    #[test]
    fn saving_keeps_secrets_and_hand_written_keys() {
        let dir = tempfile::tempdir().unwrap();
        let paths = paths(&dir);
        let text = std::fs::read_to_string(&paths.server).unwrap() + "max_connections = 7\n";
        std::fs::write(&paths.server, text).unwrap();
        let mut edit = edit_of(&view(&paths).unwrap());
        edit.port = 7001;
        edit.apps[0].key = "renamed-key".into();
        edit.apps.push(AppEdit {
            original_id: None,
            id: "second".into(),
            key: "second-key".into(),
            secret: None,
            enabled: true,
            client_events: false,
            user_authentication: false,
        });
        edit.retention_days = Some(3);
        prepare(&paths, &edit).and_then(Prepared::write).unwrap();
        let loaded = file_settings(&paths).unwrap();
        assert_eq!(loaded.port, 7001);
        assert_eq!(loaded.apps[0].key.to_string(), "renamed-key");
        assert_eq!(loaded.apps[0].secret.expose(), b"app-secret");
        assert_eq!(loaded.apps[0].limits.max_connections, Some(7));
        assert_eq!(loaded.apps[1].secret.expose().len(), 32);
        assert_eq!(DesktopFile::read(&paths.desktop).unwrap().retention_days, Some(3));
    }

    #[test]
    fn a_refused_edit_writes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let paths = paths(&dir);
        let before = std::fs::read_to_string(&paths.server).unwrap();
        let mut edit = edit_of(&view(&paths).unwrap());
        let mut twin = edit.apps[0].clone();
        twin.original_id = None;
        twin.id = "other".into();
        edit.apps.push(twin);
        let error = prepare(&paths, &edit).and_then(Prepared::write).unwrap_err().to_string();
        assert!(error.contains("app-key"), "{error}");
        assert!(!error.contains(".check"), "{error}");
        assert_eq!(std::fs::read_to_string(&paths.server).unwrap(), before);
        assert!(!paths.desktop.exists());
    }
}
