//! The tray icon: shows that the server runs and how many connections it has (title,
//! tooltip and the first menu line, refreshed every second), with Open Switchboard,
//! Pause/Resume Recording, Settings… and Quit.

use std::time::Duration;

use tauri::menu::{Menu, MenuEvent, MenuItem, PredefinedMenuItem};
use tauri::tray::{MouseButton, MouseButtonState, TrayIcon, TrayIconBuilder, TrayIconEvent};
use tauri::{AppHandle, Manager, Runtime};

use crate::supervisor::{Status, Supervisor};
use crate::window;

const REFRESH: Duration = Duration::from_secs(1);

/// The tray's items whose text changes.
struct Items<R: Runtime> {
    status: MenuItem<R>,
    recording: MenuItem<R>,
}

/// Builds the tray icon and starts refreshing it.
pub fn build<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    let items = Items {
        status: MenuItem::with_id(
            app,
            "tray-status",
            "Switchboard — starting",
            false,
            None::<&str>,
        )?,
        recording: MenuItem::with_id(app, "tray-recording", "Pause Recording", true, None::<&str>)?,
    };
    let open = MenuItem::with_id(app, "tray-open", "Open Switchboard", true, None::<&str>)?;
    let settings = MenuItem::with_id(app, "settings", "Settings…", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit Switchboard", true, None::<&str>)?;
    let separator = || PredefinedMenuItem::separator(app);
    let tray_menu = Menu::with_items(
        app,
        &[&items.status, &separator()?, &open, &items.recording, &settings, &separator()?, &quit],
    )?;
    let mut builder = TrayIconBuilder::with_id("switchboard")
        .tooltip("Switchboard")
        .menu(&tray_menu)
        .show_menu_on_left_click(false)
        .on_menu_event(|app, event| on_menu_event(app, &event))
        .on_tray_icon_event(|tray, event| {
            if let TrayIconEvent::Click {
                button: MouseButton::Left,
                button_state: MouseButtonState::Up,
                ..
            } = event
            {
                window::show_main(tray.app_handle());
            }
        });
    if let Some(icon) = app.default_window_icon() {
        builder = builder.icon(icon.clone());
    }
    let tray = builder.build(app)?;
    refresh(app.clone(), tray, items);
    Ok(())
}

fn on_menu_event<R: Runtime>(app: &AppHandle<R>, event: &MenuEvent) {
    match event.id().as_ref() {
        "tray-open" => window::show_main(app),
        "tray-recording" => {
            let supervisor = app.state::<Supervisor>();
            let on = *supervisor.recording().borrow();
            supervisor.set_recording(!on);
        }
        // Every menu handler sees every menu event: the app's handler (`menu::on_event`)
        // carries out the ids the tray shares with the menu (settings, quit).
        _ => {}
    }
}

/// Every second: the connection count, the server's state and the recording switch.
fn refresh<R: Runtime>(app: AppHandle<R>, tray: TrayIcon<R>, items: Items<R>) {
    tauri::async_runtime::spawn(async move {
        let supervisor = app.state::<Supervisor>().inner().clone();
        let mut shown = (String::new(), true);
        loop {
            let status = supervisor.status().borrow().clone();
            let recording = *supervisor.recording().borrow();
            let text = describe(&status, connections(&status).await, recording);
            if (text.as_str(), recording) != (shown.0.as_str(), shown.1) {
                let _ = tray.set_tooltip(Some(&text));
                let _ = tray.set_title(Some(&text));
                let _ = items.status.set_text(&text);
                let label = if recording { "Pause Recording" } else { "Resume Recording" };
                let _ = items.recording.set_text(label);
                shown = (text, recording);
            }
            tokio::time::sleep(REFRESH).await;
        }
    });
}

async fn connections(status: &Status) -> Option<usize> {
    let Status::Running(served) = status else { return None };
    let metrics = served.control.hub().metrics().await?;
    Some(metrics.apps.iter().map(|app| app.connections).sum())
}

/// `Switchboard — 3 connections`, `Switchboard — port 6001 is taken`…
fn describe(status: &Status, connections: Option<usize>, recording: bool) -> String {
    let state = match (status, connections) {
        (Status::Running(_), Some(1)) => "1 connection".to_owned(),
        (Status::Running(_), Some(n)) => format!("{n} connections"),
        (Status::Running(_), None) | (Status::Starting, _) => "starting".to_owned(),
        (Status::PortTaken { port, .. }, _) => format!("port {port} is taken"),
        (Status::Failed(_), _) => "not running".to_owned(),
        (Status::Stopped, _) => "stopped".to_owned(),
    };
    let paused = if recording { "" } else { " (recording paused)" };
    format!("Switchboard — {state}{paused}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tray_text_says_what_runs() {
        let taken = Status::PortTaken { host: "127.0.0.1".into(), port: 6001, suggestion: None };
        let cases = [
            (Status::Starting, None, true, "Switchboard — starting"),
            (taken, None, true, "Switchboard — port 6001 is taken"),
            (
                Status::Failed("x".into()),
                None,
                false,
                "Switchboard — not running (recording paused)",
            ),
        ];
        for (status, connections, recording, text) in cases {
            assert_eq!(describe(&status, connections, recording), text);
        }
    }
}
