//! The windows. The main one shows the inspector UI served by the embedded server (or the
//! bundled start-up page when the server could not start), follows the server when it moves
//! (another port, restarted), and cannot be pointed anywhere else. Closing it hides it: the
//! server keeps running in the tray. The settings window shows the bundled settings page.

use tauri::webview::{NewWindowResponse, PageLoadEvent, PageLoadPayload};
use tauri::{AppHandle, Manager, Runtime, WebviewUrl, WebviewWindow, WebviewWindowBuilder};
use tokio::sync::watch;
use url::Url;

use crate::files;
use crate::selfcheck;
use crate::supervisor::{Status, Supervisor};

pub const MAIN: &str = "main";
pub const SETTINGS: &str = "settings";
const STARTUP_PAGE: &str = "startup.html";
const SETTINGS_PAGE: &str = "settings.html";

/// Opens the main window on the inspector (or the start-up page) and keeps it following
/// the server.
pub fn open_main<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<WebviewWindow<R>> {
    let supervisor = app.state::<Supervisor>();
    let status = supervisor.status();
    let url = match &*status.borrow() {
        Status::Running(served) => WebviewUrl::External(served.page.clone()),
        _ => WebviewUrl::App(STARTUP_PAGE.into()),
    };
    let allowed = status.clone();
    let downloads = app.clone();
    let window = WebviewWindowBuilder::new(app, MAIN, url)
        .title("Switchboard")
        .inner_size(1280.0, 820.0)
        .min_inner_size(720.0, 480.0)
        .on_navigation(move |url| allows(&allowed.borrow(), url))
        .on_new_window(|url, _| {
            tracing::warn!("the inspector may not open other windows ({url})");
            NewWindowResponse::Deny
        })
        .on_download(move |_, event| files::intercept(&downloads, event))
        .on_page_load(|window, payload| page_loaded(&window, &payload))
        .build()?;
    follow(app.clone(), status);
    Ok(window)
}

/// Local pages, and the embedded server's own origin while it runs; nothing else.
fn allows(status: &Status, url: &Url) -> bool {
    let allowed = is_local(url)
        || url.scheme() == "about"
        || matches!(status, Status::Running(served) if url.origin() == served.origin.origin());
    if !allowed {
        tracing::warn!("navigation refused: {url}");
    }
    allowed
}

/// The app's bundled pages (`tauri://localhost` here, `http(s)://tauri.localhost` on Windows).
fn is_local(url: &Url) -> bool {
    match url.scheme() {
        "tauri" => url.host_str() == Some("localhost"),
        "http" | "https" => url.host_str() == Some("tauri.localhost") && url.port().is_none(),
        _ => false,
    }
}

fn page_loaded<R: Runtime>(window: &WebviewWindow<R>, payload: &PageLoadPayload<'_>) {
    if payload.event() != PageLoadEvent::Finished {
        return;
    }
    let url = payload.url();
    tracing::info!("window loaded {url}");
    let served = window.state::<Supervisor>().served();
    if served.is_some_and(|s| url.origin() == s.origin.origin()) {
        selfcheck::page_loaded(window.app_handle(), url);
    }
}

/// Moves the main window to where the server is now: the inspector once it runs, the
/// start-up page when it could not start.
fn follow<R: Runtime>(app: AppHandle<R>, mut status: watch::Receiver<Status>) {
    tauri::async_runtime::spawn(async move {
        let mut shown: Option<Url> = None;
        while status.changed().await.is_ok() {
            let target = match &*status.borrow_and_update() {
                Status::Running(served) => Some(served.page.clone()),
                Status::PortTaken { .. } | Status::Failed(_) => local_url(STARTUP_PAGE),
                Status::Starting | Status::Stopped => None,
            };
            let Some(target) = target.filter(|t| shown.as_ref() != Some(t)) else { continue };
            if let Some(window) = app.get_webview_window(MAIN) {
                if let Err(error) = window.navigate(target.clone()) {
                    tracing::warn!("cannot move the window to {target}: {error}");
                }
            }
            shown = Some(target);
        }
    });
}

/// A bundled page's URL on this platform.
fn local_url(page: &str) -> Option<Url> {
    let base = if cfg!(windows) { "http://tauri.localhost/" } else { "tauri://localhost/" };
    Url::parse(base).and_then(|b| b.join(page)).ok()
}

/// Brings the main window to the front (tray, second launch, menu).
pub fn show_main<R: Runtime>(app: &AppHandle<R>) {
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

/// Shows a view of the inspector UI (`#/start`, `#/sessions`…) in the main window: a
/// hash change when the inspector is already there (no reload), else a navigation.
pub fn show_view<R: Runtime>(app: &AppHandle<R>, view: &str) {
    show_main(app);
    let (Some(served), Some(window)) =
        (app.state::<Supervisor>().served(), app.get_webview_window(MAIN))
    else {
        return;
    };
    let on_inspector = window.url().is_ok_and(|url| url.origin() == served.origin.origin());
    let result = if on_inspector {
        window.eval(format!("window.location.hash = {}", serde_json::json!(format!("/{view}"))))
    } else {
        let mut page = served.page.clone();
        page.set_fragment(Some(&format!("/{view}")));
        window.navigate(page)
    };
    if let Err(error) = result {
        tracing::warn!("cannot show the {view} view: {error}");
    }
}

/// Shows the Sessions view and tells the page which session was just opened (the
/// `switchboard:open-session` event, `detail: {id, name}`), so it can open it.
pub fn show_session<R: Runtime>(app: &AppHandle<R>, id: u64, name: &str) {
    show_view(app, "sessions");
    let detail = serde_json::json!({ "id": id, "name": name });
    let script = format!(
        "window.dispatchEvent(new CustomEvent('switchboard:open-session', {{ detail: {detail} }}))"
    );
    if let Some(window) = app.get_webview_window(MAIN) {
        let _ = window.eval(script);
    }
}

/// Opens (or brings forward) the settings window.
pub fn open_settings<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(window) = app.get_webview_window(SETTINGS) {
        window.show()?;
        return window.set_focus();
    }
    let window = WebviewWindowBuilder::new(app, SETTINGS, WebviewUrl::App(SETTINGS_PAGE.into()))
        .title("Switchboard Settings")
        .inner_size(760.0, 700.0)
        .on_navigation(is_local)
        .on_new_window(|_, _| NewWindowResponse::Deny)
        .build()?;
    let _ = window.remove_menu();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_local_pages_count_as_local() {
        let cases = [
            ("tauri://localhost/startup.html", true),
            ("http://tauri.localhost/settings.html", true),
            ("https://tauri.localhost/", true),
            ("http://tauri.localhost:8080/", false),
            ("tauri://evil/", false),
            ("https://example.com/", false),
            ("file:///etc/passwd", false),
        ];
        for (url, local) in cases {
            assert_eq!(is_local(&Url::parse(url).unwrap()), local, "{url}");
        }
    }

    #[test]
    fn without_a_server_only_local_pages_are_allowed() {
        let url = Url::parse("http://127.0.0.1:6001/").unwrap();
        assert!(!allows(&Status::Starting, &url));
        assert!(allows(&Status::Starting, &local_url(STARTUP_PAGE).unwrap()));
    }
}
