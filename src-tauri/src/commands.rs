//! The commands the bundled pages call — and the only ones: the start-up page's
//! `startup_status`, `retry_start` and `use_port`, the settings window's `get_settings`,
//! `save_settings`, `choose_env_file` and `choose_data_dir`. `capabilities/` grants each to
//! its own window; the inspector UI (a page of the embedded server) is granted none.

use std::path::PathBuf;

use serde::Serialize;
use tauri::ipc::Invoke;
use tauri::{AppHandle, Runtime, State};

use crate::error::CommandError;
use crate::files;
use crate::settings::{self, SettingsEdit, SettingsView};
use crate::supervisor::{Status, Supervisor};

/// The server's state, as the start-up page and the settings window show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServerView {
    /// `starting`, `running`, `port_taken`, `failed` or `stopped`.
    pub state: &'static str,
    /// What to tell the person.
    pub message: String,
    pub url: Option<String>,
    pub port: Option<u16>,
    /// A free port to offer when `port` is taken.
    pub suggestion: Option<u16>,
}

impl ServerView {
    pub fn of(status: &Status) -> Self {
        let view = |state, message: String| ServerView {
            state,
            message,
            url: None,
            port: None,
            suggestion: None,
        };
        match status {
            Status::Starting => view("starting", "Starting the server…".into()),
            Status::Running(served) => ServerView {
                url: Some(served.origin.to_string()),
                port: Some(served.addr.port()),
                ..view("running", format!("Listening on {}", served.origin))
            },
            Status::PortTaken { host, port, suggestion } => ServerView {
                port: Some(*port),
                suggestion: *suggestion,
                ..view(
                    "port_taken",
                    format!(
                        "Port {port} on {host} is already in use — is another Switchboard, soketi \
                         or Laravel Reverb running?"
                    ),
                )
            },
            Status::Failed(error) => view("failed", error.clone()),
            Status::Stopped => view("stopped", "The server has stopped.".into()),
        }
    }
}

/// What the settings window shows: the settings and the server's state.
#[derive(Debug, Clone, Serialize)]
pub struct SettingsPage {
    pub settings: SettingsView,
    pub server: ServerView,
}

// Tauri hands command arguments over by value (`State` is a cheap reference).
#[tauri::command]
#[allow(clippy::needless_pass_by_value)]
pub fn startup_status(supervisor: State<'_, Supervisor>) -> ServerView {
    ServerView::of(&supervisor.status().borrow())
}

#[tauri::command]
pub async fn retry_start(supervisor: State<'_, Supervisor>) -> Result<ServerView, CommandError> {
    supervisor.start().await?;
    Ok(ServerView::of(&supervisor.status().borrow()))
}

#[tauri::command]
pub async fn use_port(
    supervisor: State<'_, Supervisor>,
    port: u16,
) -> Result<ServerView, CommandError> {
    supervisor.use_port(port).await?;
    Ok(ServerView::of(&supervisor.status().borrow()))
}

#[tauri::command]
#[allow(clippy::needless_pass_by_value)]
pub fn get_settings(supervisor: State<'_, Supervisor>) -> Result<SettingsPage, CommandError> {
    settings_page(&supervisor)
}

fn settings_page(supervisor: &Supervisor) -> Result<SettingsPage, CommandError> {
    let settings = settings::view(supervisor.paths())?;
    Ok(SettingsPage { settings, server: ServerView::of(&supervisor.status().borrow()) })
}

#[tauri::command]
pub async fn save_settings(
    supervisor: State<'_, Supervisor>,
    settings: SettingsEdit,
) -> Result<SettingsPage, CommandError> {
    supervisor.save(settings).await?;
    settings_page(&supervisor)
}

#[tauri::command]
pub async fn choose_env_file<R: Runtime>(
    app: AppHandle<R>,
) -> Result<Option<PathBuf>, CommandError> {
    Ok(files::pick_any(&app).await?)
}

#[tauri::command]
pub async fn choose_data_dir<R: Runtime>(
    app: AppHandle<R>,
) -> Result<Option<PathBuf>, CommandError> {
    Ok(files::pick_folder(&app).await?)
}

/// Every command, for `Builder::invoke_handler` (keep in step with `build.rs`).
pub fn handler<R: Runtime>() -> impl Fn(Invoke<R>) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        startup_status,
        retry_start,
        use_port,
        get_settings,
        save_settings,
        choose_env_file,
        choose_data_dir,
    ]
}
