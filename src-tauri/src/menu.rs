//! The native menu: File (Open session…, Import…, Export…, Settings…, Quit), Edit, View
//! (reload, zoom, full screen) and Help (getting started, documentation, copy client config,
//! about). Each item's id maps to one action in [`on_event`].

use std::sync::atomic::{AtomicU32, Ordering};

use tauri::menu::{AboutMetadataBuilder, Menu, MenuBuilder, MenuEvent, SubmenuBuilder};
use tauri::path::BaseDirectory;
use tauri::{AppHandle, Manager, Runtime};
use tauri_plugin_clipboard_manager::ClipboardExt;
use tauri_plugin_opener::OpenerExt;

use crate::supervisor::Supervisor;
use crate::{api, files, lifecycle, window};

/// The zoom of the main window, in percent.
pub struct Zoom(AtomicU32);

impl Default for Zoom {
    fn default() -> Self {
        Self(AtomicU32::new(100))
    }
}

/// Builds the app menu.
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<Menu<R>> {
    let file = SubmenuBuilder::new(app, "File")
        .text("open-session", "Open Session…")
        .text("import", "Import…")
        .text("export", "Export…")
        .separator()
        .text("settings", "Settings…")
        .separator()
        .text("quit", "Quit")
        .build()?;
    let edit = SubmenuBuilder::new(app, "Edit").cut().copy().paste().select_all().build()?;
    let view = SubmenuBuilder::new(app, "View")
        .text("reload", "Reload")
        .separator()
        .text("zoom-in", "Zoom In")
        .text("zoom-out", "Zoom Out")
        .text("zoom-reset", "Actual Size")
        .separator()
        .text("fullscreen", "Toggle Full Screen")
        .build()?;
    let about = AboutMetadataBuilder::new()
        .name(Some("Switchboard"))
        .version(Some(app.package_info().version.to_string()))
        .comments(Some("A local Pusher Channels server with a live inspector."))
        .license(Some("MIT"))
        .build();
    let help = SubmenuBuilder::new(app, "Help")
        .text("getting-started", "Getting Started")
        .text("docs", "Documentation")
        .text("copy-client-config", "Copy Client Config (pusher-js)")
        .separator()
        .about(Some(about))
        .build()?;
    MenuBuilder::new(app).items(&[&file, &edit, &view, &help]).build()
}

/// Carries out a menu (or tray) item; ids not known here are ignored.
pub fn on_event<R: Runtime>(app: &AppHandle<R>, event: &MenuEvent) {
    use tauri::async_runtime::spawn;
    match event.id().as_ref() {
        "open-session" => drop(spawn(files::import(app.clone(), true))),
        "import" => drop(spawn(files::import(app.clone(), false))),
        "export" => drop(spawn(files::export_current(app.clone()))),
        "settings" => {
            if let Err(error) = window::open_settings(app) {
                tracing::warn!("cannot open the settings window: {error}");
            }
        }
        "quit" => lifecycle::quit(app, 0),
        "reload" => reload(app),
        "zoom-in" => zoom(app, 10),
        "zoom-out" => zoom(app, -10),
        "zoom-reset" => zoom(app, 0),
        "fullscreen" => toggle_fullscreen(app),
        "getting-started" => window::show_view(app, "start"),
        "docs" => open_docs(app),
        "copy-client-config" => copy_client_config(app),
        _ => {}
    }
}

fn reload<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(window::MAIN) {
        let _ = window.reload();
    }
}

/// `step` percent more or less; 0 resets to 100 %. Bounded to 30–300 %.
fn zoom<R: Runtime>(app: &AppHandle<R>, step: i32) {
    let zoom = app.state::<Zoom>();
    let now = zoom.0.load(Ordering::Relaxed);
    let next = next_zoom(now, step);
    zoom.0.store(next, Ordering::Relaxed);
    if let Some(window) = app.get_webview_window(window::MAIN) {
        let _ = window.set_zoom(f64::from(next) / 100.0);
    }
}

fn next_zoom(now: u32, step: i32) -> u32 {
    if step == 0 {
        return 100;
    }
    let next = i64::from(now) + i64::from(step);
    u32::try_from(next.clamp(30, 300)).unwrap_or(100)
}

fn toggle_fullscreen<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(window::MAIN) {
        let full = window.is_fullscreen().unwrap_or(false);
        let _ = window.set_fullscreen(!full);
    }
}

/// Opens the README bundled with the app (with `docs/`) in the system's viewer.
fn open_docs<R: Runtime>(app: &AppHandle<R>) {
    let readme = app.path().resolve("docs/README.md", BaseDirectory::Resource);
    let opened = readme.map_err(|e| e.to_string()).and_then(|path| {
        let shown = path.display().to_string();
        let result = app.opener().open_path(shown.clone(), None::<&str>);
        result.map(|()| shown).map_err(|e| e.to_string())
    });
    match opened {
        Ok(path) => tracing::info!("opened the documentation: {path}"),
        Err(error) => tracing::warn!("cannot open the documentation: {error}"),
    }
}

/// Puts a pusher-js configuration for this server and its first app on the clipboard.
fn copy_client_config<R: Runtime>(app: &AppHandle<R>) {
    let Some(served) = app.state::<Supervisor>().served() else {
        tracing::warn!("the server is not running: no client config to copy");
        return;
    };
    let app_handle = app.clone();
    tauri::async_runtime::spawn(async move {
        let key = first_app_key(&served).await.unwrap_or_else(|| "app-key".to_owned());
        let text = client_config(&key, &served.client_host, served.addr.port());
        match app_handle.clipboard().write_text(text) {
            Ok(()) => tracing::info!("client config copied to the clipboard"),
            Err(error) => tracing::warn!("cannot copy the client config: {error}"),
        }
    });
}

/// The key of the first enabled app, from the inspector API's `info`.
async fn first_app_key(served: &crate::supervisor::Served) -> Option<String> {
    let info: serde_json::Value =
        api::get(served, "inspector/api/info").await.ok()?.json().await.ok()?;
    let apps = info.get("apps")?.as_array()?;
    let enabled = apps.iter().find(|a| a.get("enabled").and_then(|e| e.as_bool()) == Some(true));
    let key = enabled.or(apps.first())?.get("key")?.as_str()?;
    Some(key.to_owned())
}

/// The pusher-js snippet for `key` on `host:port`.
fn client_config(key: &str, host: &str, port: u16) -> String {
    let host = host.trim_matches(['[', ']']);
    let host = if host == "0.0.0.0" || host == "::" { "127.0.0.1" } else { host };
    format!(
        "const pusher = new Pusher('{key}', {{\n  wsHost: '{host}',\n  wsPort: {port},\n  \
         forceTLS: false,\n  enabledTransports: ['ws', 'wss'],\n  cluster: 'mt1',\n}});\n"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zoom_moves_in_steps_within_bounds() {
        let cases = [(100, 10, 110), (100, -10, 90), (300, 10, 300), (30, -10, 30), (150, 0, 100)];
        for (now, step, next) in cases {
            assert_eq!(next_zoom(now, step), next, "{now} {step}");
        }
    }

    #[test]
    fn the_client_config_points_at_this_server() {
        let text = client_config("k", "0.0.0.0", 6002);
        assert!(text.contains("new Pusher('k'"), "{text}");
        assert!(text.contains("wsHost: '127.0.0.1'"), "{text}");
        assert!(text.contains("wsPort: 6002"), "{text}");
        assert!(text.contains("enabledTransports: ['ws', 'wss']"), "{text}");
    }
}
