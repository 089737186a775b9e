//! The launch self-check (`SWITCHBOARD_SELF_CHECK=1`): the app exits 0 once its window has
//! loaded the inspector page from the embedded server, or 1 if that has not happened within
//! `SWITCHBOARD_SELF_CHECK_TIMEOUT` seconds (default 60). CI launches the app this way under
//! Xvfb, so "the desktop app starts" is an exit code.

use std::time::Duration;

use tauri::{AppHandle, Runtime};
use url::Url;

use crate::lifecycle;

const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);

fn enabled() -> bool {
    std::env::var("SWITCHBOARD_SELF_CHECK").is_ok_and(|v| v == "1")
}

fn timeout() -> Duration {
    let secs = std::env::var("SWITCHBOARD_SELF_CHECK_TIMEOUT").ok().and_then(|v| v.parse().ok());
    secs.map_or(DEFAULT_TIMEOUT, Duration::from_secs)
}

/// Starts the clock when the self-check is on.
pub fn arm<R: Runtime>(app: &AppHandle<R>) {
    if !enabled() {
        return;
    }
    let (app, limit) = (app.clone(), timeout());
    tauri::async_runtime::spawn(async move {
        tokio::time::sleep(limit).await;
        println!("self-check: FAILED, the window did not load the inspector within {limit:?}");
        lifecycle::quit(&app, 1);
    });
}

/// The window loaded `url` from the embedded server.
pub fn page_loaded<R: Runtime>(app: &AppHandle<R>, url: &Url) {
    if enabled() {
        println!("self-check: OK, the window loaded {url} from the embedded server");
        lifecycle::quit(app, 0);
    }
}
