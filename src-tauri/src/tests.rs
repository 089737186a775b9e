//! The wiring on Tauri's mock runtime, with the real config and capabilities: the commands
//! are registered, the state is managed, and each window may call only what its capability
//! grants (the inspector UI, served by the embedded server, nothing at all).

use serde_json::{json, Value};
use tauri::ipc::{CallbackFn, InvokeBody};
use tauri::test::{get_ipc_response, mock_builder, MockRuntime, INVOKE_KEY};
use tauri::webview::InvokeRequest;
use tauri::{App, Manager, WebviewUrl, WebviewWindow, WebviewWindowBuilder};

use super::*;

fn app(dir: &tempfile::TempDir) -> App<MockRuntime> {
    let app = configure(mock_builder()).build(tauri::generate_context!()).unwrap();
    let paths = Paths::new(dir.path(), dir.path().join("data"));
    paths.ensure().unwrap();
    let supervisor =
        tauri::async_runtime::block_on(async move { Supervisor::spawn(paths, csp::secure) });
    app.manage(supervisor);
    app
}

fn window(app: &App<MockRuntime>, label: &str, page: &str) -> WebviewWindow<MockRuntime> {
    WebviewWindowBuilder::new(app, label, WebviewUrl::App(page.into())).build().unwrap()
}

fn invoke(
    window: &WebviewWindow<MockRuntime>,
    url: &str,
    cmd: &str,
    body: Value,
) -> Result<Value, Value> {
    let request = InvokeRequest {
        cmd: cmd.into(),
        callback: CallbackFn(0),
        error: CallbackFn(1),
        url: url.parse().unwrap(),
        body: InvokeBody::Json(body),
        headers: Default::default(),
        invoke_key: INVOKE_KEY.to_string(),
    };
    get_ipc_response(window, request).map(|body| body.deserialize::<Value>().unwrap())
}

const LOCAL: &str = "tauri://localhost";

#[test]
fn state_and_menu_are_in_place() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir);
    assert!(app.try_state::<Supervisor>().is_some());
    assert!(app.try_state::<lifecycle::Exit>().is_some());
    assert!(app.try_state::<menu::Zoom>().is_some());
    let menu = app.menu().unwrap();
    let titles: Vec<String> =
        menu.items().unwrap().iter().filter_map(|item| item.as_submenu()?.text().ok()).collect();
    assert_eq!(titles, ["File", "Edit", "View", "Help"]);
}

#[test]
fn the_startup_page_gets_the_startup_commands_only() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir);
    let main = window(&app, window::MAIN, "startup.html");
    let status = invoke(&main, LOCAL, "startup_status", json!({})).unwrap();
    assert_eq!(status["state"], "starting");
    assert!(invoke(&main, LOCAL, "get_settings", json!({})).is_err());
    assert!(invoke(&main, LOCAL, "save_settings", json!({})).is_err());
}

#[test]
fn the_settings_window_reads_settings_with_secrets_masked() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir);
    let settings = window(&app, window::SETTINGS, "settings.html");
    let page = invoke(&settings, LOCAL, "get_settings", json!({})).unwrap();
    assert_eq!(page["settings"]["port"], 6001);
    assert_eq!(page["settings"]["apps"][0]["secret_masked"], "ap******");
    assert!(!page.to_string().contains("app-secret"), "{page}");
    assert!(invoke(&settings, LOCAL, "use_port", json!({ "port": 6002 })).is_err());
}

#[test]
fn the_inspector_ui_and_other_windows_get_no_commands() {
    let dir = tempfile::tempdir().unwrap();
    let app = app(&dir);
    let main = window(&app, window::MAIN, "startup.html");
    let remote = "http://127.0.0.1:6001/";
    assert!(invoke(&main, remote, "startup_status", json!({})).is_err());
    let other = window(&app, "other", "startup.html");
    assert!(invoke(&other, LOCAL, "startup_status", json!({})).is_err());
}
