//! Session files through native dialogs: Export… saves a session (NDJSON or HAR) fetched
//! from the inspector API; Import… and Open session… read a file and post it to the import
//! route. The inspector UI's own export links (downloads) land here too, so they also get a
//! native Save dialog; its file inputs already open the platform's file chooser.

use std::path::PathBuf;

use serde::Deserialize;
use tauri::webview::DownloadEvent;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_dialog::{DialogExt, FileDialogBuilder, FilePath, MessageDialogKind};
use tokio::sync::oneshot;
use url::Url;

use crate::api;
use crate::error::FileError;
use crate::supervisor::{Served, Supervisor};
use crate::window;

/// The part of `SessionInfo` the menu needs.
#[derive(Deserialize)]
struct Session {
    id: u64,
    #[serde(default)]
    current: bool,
}

/// What the import route answers.
#[derive(Deserialize)]
struct Imported {
    id: u64,
    name: String,
    records: u64,
}

/// File → Export…: the session being recorded (else the newest), as NDJSON or HAR by the
/// extension chosen in the dialog.
pub async fn export_current<R: Runtime>(app: AppHandle<R>) {
    report(&app, "Export", export_current_inner(&app).await);
}

async fn export_current_inner<R: Runtime>(app: &AppHandle<R>) -> Result<Option<String>, FileError> {
    let served = served(app)?;
    let sessions: Vec<Session> = api::get(&served, "inspector/api/sessions").await?.json().await?;
    let session = sessions.iter().find(|s| s.current).or(sessions.first());
    let id = session.ok_or(FileError::NoSession)?.id;
    let dialog = app.dialog().file().set_file_name(format!("switchboard-session-{id}.ndjson"));
    let dialog = dialog.add_filter("NDJSON", &["ndjson"]).add_filter("HAR", &["har"]);
    let Some(path) = save_dialog(dialog).await? else { return Ok(None) };
    let is_har = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("har"));
    let format = if is_har { "har" } else { "ndjson" };
    let route = format!("inspector/api/sessions/{id}/export?format={format}");
    write(api::get(&served, &route).await?, &path).await.map(Some)
}

/// A download the inspector page started: its own export links get a Save dialog, any
/// other download is refused. Always answers `false` (the webview does not download).
pub fn intercept<R: Runtime>(app: &AppHandle<R>, event: DownloadEvent<'_>) -> bool {
    if let DownloadEvent::Requested { url, .. } = event {
        tracing::info!("download requested: {url}");
        let served = app.state::<Supervisor>().served();
        match served.filter(|s| is_export(s, &url)) {
            Some(_) => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    let result = export_url(&app, url).await;
                    report(&app, "Export", result);
                });
            }
            None => tracing::warn!("download refused: {url}"),
        }
    }
    false
}

fn is_export(served: &Served, url: &Url) -> bool {
    url.origin() == served.origin.origin()
        && url.path().starts_with("/inspector/api/sessions/")
        && url.path().ends_with("/export")
}

async fn export_url<R: Runtime>(app: &AppHandle<R>, url: Url) -> Result<Option<String>, FileError> {
    let served = served(app)?;
    let format = url.query_pairs().find(|(k, _)| k == "format").map(|(_, v)| v.into_owned());
    let format = format.filter(|f| f == "har").unwrap_or_else(|| "ndjson".to_owned());
    let id = url.path().trim_end_matches("/export").rsplit('/').next().unwrap_or("session");
    let name = format!("switchboard-session-{id}.{format}");
    let dialog = app.dialog().file().set_file_name(name);
    let dialog = dialog.add_filter(format.to_uppercase(), &[&format]);
    let Some(path) = save_dialog(dialog).await? else { return Ok(None) };
    let response = api::get_url(&served, url).await?;
    write(response, &path).await.map(Some)
}

/// File → Import… (`open` false) and File → Open session… (`open` true, which then shows
/// the session in the inspector).
pub async fn import<R: Runtime>(app: AppHandle<R>, open: bool) {
    let result = import_inner(&app, open).await;
    report(&app, "Import", result);
}

async fn import_inner<R: Runtime>(
    app: &AppHandle<R>,
    open: bool,
) -> Result<Option<String>, FileError> {
    let served = served(app)?;
    let dialog = app.dialog().file().add_filter("Sessions", &["ndjson", "har", "json"]);
    let Some(path) = pick_dialog(dialog).await? else { return Ok(None) };
    let body = tokio::fs::read(&path)
        .await
        .map_err(|source| FileError::Read { path: path.display().to_string(), source })?;
    let route = "inspector/api/sessions/import";
    let imported: Imported = api::post(&served, route, body).await?.json().await?;
    if open {
        window::show_session(app, imported.id, &imported.name);
    }
    Ok(Some(format!("Imported {} records as session “{}”.", imported.records, imported.name)))
}

fn served<R: Runtime>(app: &AppHandle<R>) -> Result<std::sync::Arc<Served>, FileError> {
    app.state::<Supervisor>().served().ok_or(FileError::NotRunning)
}

async fn write(response: reqwest::Response, path: &std::path::Path) -> Result<String, FileError> {
    let bytes = response.bytes().await?;
    tokio::fs::write(path, &bytes)
        .await
        .map_err(|source| FileError::Write { path: path.display().to_string(), source })?;
    tracing::info!("exported {} bytes to {}", bytes.len(), path.display());
    Ok(format!("Saved {}", path.display()))
}

async fn save_dialog<R: Runtime>(
    dialog: FileDialogBuilder<R>,
) -> Result<Option<PathBuf>, FileError> {
    let (tx, rx) = oneshot::channel();
    dialog.save_file(move |path| {
        let _ = tx.send(path);
    });
    to_path(rx.await.ok().flatten())
}

async fn pick_dialog<R: Runtime>(
    dialog: FileDialogBuilder<R>,
) -> Result<Option<PathBuf>, FileError> {
    let (tx, rx) = oneshot::channel();
    dialog.pick_file(move |path| {
        let _ = tx.send(path);
    });
    to_path(rx.await.ok().flatten())
}

/// Picks a folder (the settings window's data directory).
pub async fn pick_folder<R: Runtime>(app: &AppHandle<R>) -> Result<Option<PathBuf>, FileError> {
    let (tx, rx) = oneshot::channel();
    app.dialog().file().pick_folder(move |path| {
        let _ = tx.send(path);
    });
    to_path(rx.await.ok().flatten())
}

/// Picks any file (the settings window's project `.env`).
pub async fn pick_any<R: Runtime>(app: &AppHandle<R>) -> Result<Option<PathBuf>, FileError> {
    pick_dialog(app.dialog().file()).await
}

fn to_path(picked: Option<FilePath>) -> Result<Option<PathBuf>, FileError> {
    picked.map(|p| p.into_path().map_err(|_| FileError::NotAPath)).transpose()
}

/// Tells the person how it went: failures in an error dialog, successes in the log.
fn report<R: Runtime>(app: &AppHandle<R>, what: &str, result: Result<Option<String>, FileError>) {
    match result {
        Ok(Some(done)) => tracing::info!("{what}: {done}"),
        Ok(None) => tracing::info!("{what}: cancelled"),
        Err(error) => {
            tracing::warn!("{what} failed: {error}");
            let dialog = app.dialog().message(format!("{what} failed: {error}"));
            dialog.kind(MessageDialogKind::Error).title(what).show(|_| {});
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn to_path_accepts_paths_and_cancels() {
        assert_eq!(to_path(None).unwrap(), None);
        let picked = FilePath::Path(PathBuf::from("/tmp/x.har"));
        assert_eq!(to_path(Some(picked)).unwrap(), Some(PathBuf::from("/tmp/x.har")));
    }
}
