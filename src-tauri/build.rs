//! Tauri's build step: embeds the config, the bundled pages and the access control list.
//! Every command gets `allow-*`/`deny-*` permissions, so a window may call only the commands
//! its capability (in `capabilities/`) grants.

/// The app's commands: keep in step with `commands::handler`.
const COMMANDS: &[&str] = &[
    "startup_status",
    "retry_start",
    "use_port",
    "get_settings",
    "save_settings",
    "choose_env_file",
    "choose_data_dir",
];

fn main() {
    let manifest = tauri_build::AppManifest::new().commands(COMMANDS);
    tauri_build::try_build(tauri_build::Attributes::new().app_manifest(manifest))
        .expect("the Tauri config, capabilities and icons are valid");
}
