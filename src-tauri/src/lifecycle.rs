//! Quitting cleanly, however it is asked for (File → Quit, the tray, SIGTERM/SIGINT, the
//! self-check): the server closes its clients with 4200, webhooks get their deadline, the
//! recorder is flushed, then the app exits with the code asked for.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tauri::{AppHandle, Manager, RunEvent, Runtime};

use crate::supervisor::Supervisor;

/// How long stopping the server may take before the app exits anyway (its own deadlines
/// are 3 s for clients and 2 s for webhooks).
const STOP_DEADLINE: Duration = Duration::from_secs(15);

/// Where quitting stands.
#[derive(Default)]
pub struct Exit {
    started: AtomicBool,
    /// Set once the server has stopped: the next exit request goes through.
    ready: AtomicBool,
}

/// Stops the server, then exits with `code`. Later calls do nothing.
pub fn quit<R: Runtime>(app: &AppHandle<R>, code: i32) {
    if app.state::<Exit>().started.swap(true, Ordering::SeqCst) {
        return;
    }
    tracing::info!("quitting");
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        let supervisor = app.state::<Supervisor>().inner().clone();
        if tokio::time::timeout(STOP_DEADLINE, supervisor.stop()).await.is_err() {
            tracing::warn!("the server did not stop within {STOP_DEADLINE:?}; exiting anyway");
        }
        app.state::<Exit>().ready.store(true, Ordering::SeqCst);
        app.exit(code);
    });
}

/// The run loop's events: an exit request (the last window closed, `app.exit`) first stops
/// the server.
pub fn on_run_event<R: Runtime>(app: &AppHandle<R>, event: &RunEvent) {
    if let RunEvent::ExitRequested { api, code, .. } = event {
        if !app.state::<Exit>().ready.load(Ordering::SeqCst) {
            api.prevent_exit();
            quit(app, code.unwrap_or(0));
        }
    }
}

/// SIGTERM and SIGINT quit cleanly (exit code 0) instead of killing the process.
pub fn watch_signals<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        if let Some(name) = signal().await {
            tracing::info!("{name} received");
            quit(&app, 0);
        }
    });
}

#[cfg(unix)]
async fn signal() -> Option<&'static str> {
    use tokio::signal::unix::{signal, SignalKind};
    let (mut term, mut int) =
        match (signal(SignalKind::terminate()), signal(SignalKind::interrupt())) {
            (Ok(term), Ok(int)) => (term, int),
            (Err(error), _) | (_, Err(error)) => {
                tracing::warn!("cannot watch SIGTERM/SIGINT: {error}");
                return None;
            }
        };
    tokio::select! {
        _ = term.recv() => Some("SIGTERM"),
        _ = int.recv() => Some("SIGINT"),
    }
}

#[cfg(not(unix))]
async fn signal() -> Option<&'static str> {
    tokio::signal::ctrl_c().await.ok().map(|()| "Ctrl-C")
}
