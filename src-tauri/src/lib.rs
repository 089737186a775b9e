//! switchboard-desktop — the Tauri shell: starts the server and the inspector in-process
//! (through `switchboard::launch`, like `switchboard serve`), shows the inspector UI in a
//! native window, and adds the menu, the tray, native file dialogs, settings and a clean
//! quit. It wires things together and holds no protocol logic.

mod api;
mod commands;
mod csp;
mod error;
mod files;
mod lifecycle;
mod menu;
mod port;
mod selfcheck;
mod settings;
mod settings_file;
mod supervisor;
mod tray;
mod window;

use tauri::{App, Builder, Manager, Runtime, WindowEvent};

use crate::error::SettingsError;
use crate::settings::Paths;
use crate::supervisor::Supervisor;

pub use crate::commands::ServerView;

/// Runs the app; returns the process exit code (0 after a clean quit).
pub fn run() -> i32 {
    switchboard::init_tracing();
    let single = tauri_plugin_single_instance::init(|app, _args, _cwd| {
        tracing::info!("another launch: showing this window");
        window::show_main(app);
    });
    let builder = configure(Builder::default().plugin(single)).setup(setup);
    match builder.build(tauri::generate_context!()) {
        Ok(app) => app.run_return(|app, event| lifecycle::on_run_event(app, &event)),
        Err(error) => {
            eprintln!("error: cannot start Switchboard: {error}");
            1
        }
    }
}

/// Plugins, state, commands, the menu and window behaviour: everything but start-up, so
/// tests can build the same app on a mock runtime.
pub fn configure<R: Runtime>(builder: Builder<R>) -> Builder<R> {
    builder
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .plugin(tauri_plugin_opener::init())
        .manage(lifecycle::Exit::default())
        .manage(menu::Zoom::default())
        .invoke_handler(commands::handler())
        .menu(|app| menu::build(app))
        .on_menu_event(|app, event| menu::on_event(app, &event))
        .on_window_event(|window, event| {
            // Closing the main window hides it; the server keeps running in the tray.
            if let (window::MAIN, WindowEvent::CloseRequested { api, .. }) = (window.label(), event)
            {
                api.prevent_close();
                let _ = window.hide();
            }
        })
}

/// Starts the server with the saved settings, then opens the window and the tray.
fn setup<R: Runtime>(app: &mut App<R>) -> Result<(), Box<dyn std::error::Error>> {
    let handle = app.handle().clone();
    let paths = paths(&handle)?;
    paths.ensure()?;
    tracing::info!("settings in {}", paths.server.display());
    let supervisor = tauri::async_runtime::block_on(async move {
        let supervisor = Supervisor::spawn(paths, csp::secure);
        if let Err(error) = supervisor.start().await {
            tracing::error!("cannot start the server: {error}");
        }
        supervisor
    });
    app.manage(supervisor);
    window::open_main(&handle)?;
    if let Err(error) = tray::build(&handle) {
        tracing::warn!("no tray icon: {error}");
    }
    lifecycle::watch_signals(&handle);
    selfcheck::arm(&handle);
    Ok(())
}

/// The settings files in the app's config directory, sessions in its data directory (not
/// the headless binary's: a second recorder on the same database would close the sessions
/// of a `switchboard serve` running beside the app as if it had crashed).
fn paths<R: Runtime>(app: &tauri::AppHandle<R>) -> Result<Paths, SettingsError> {
    let dir = |d: tauri::Result<std::path::PathBuf>| {
        d.map_err(|e| SettingsError::NoConfigDir(e.to_string()))
    };
    Ok(Paths::new(&dir(app.path().app_config_dir())?, dir(app.path().app_data_dir())?))
}

#[cfg(test)]
mod tests;
