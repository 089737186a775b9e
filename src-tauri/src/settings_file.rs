//! Writing `switchboard.toml` from the settings window's edit without losing what the window
//! does not show: comments, per-app limits and webhooks written by hand stay as they were.

use std::path::Path;

use switchboard_engine::config::AppConfig;
use toml_edit::{value, ArrayOfTables, DocumentMut, Item, Table};

use crate::error::SettingsError;
use crate::settings::{AppEdit, SettingsEdit};

/// The new text of `switchboard.toml`: `old` with host, port and apps replaced by `edit`.
/// `current` holds the apps in force, whose secrets are kept when the edit sends none.
pub fn render(
    old: &str,
    edit: &SettingsEdit,
    current: &[AppConfig],
) -> Result<String, SettingsError> {
    let mut doc: DocumentMut =
        old.parse().map_err(|e| SettingsError::Invalid(format!("switchboard.toml: {e}")))?;
    doc["host"] = value(edit.host.trim());
    doc["port"] = value(i64::from(edit.port));
    let old_apps = doc.remove("apps").and_then(|item| item.into_array_of_tables().ok());
    let mut apps = ArrayOfTables::new();
    for app in &edit.apps {
        let existing = app.original_id.as_deref().and_then(|id| find(old_apps.as_ref(), id));
        apps.push(app_table(app, existing, current)?);
    }
    doc.insert("apps", Item::ArrayOfTables(apps));
    Ok(doc.to_string())
}

fn find(apps: Option<&ArrayOfTables>, id: &str) -> Option<Table> {
    let mut tables = apps?.iter();
    tables.find(|t| t.get("id").and_then(Item::as_str) == Some(id)).cloned()
}

/// The table of one app: the one in the file (if any) with the edited fields replaced.
fn app_table(
    app: &AppEdit,
    existing: Option<Table>,
    current: &[AppConfig],
) -> Result<Table, SettingsError> {
    let mut table = existing.unwrap_or_default();
    table["id"] = value(app.id.trim());
    table["key"] = value(app.key.trim());
    let kept =
        app.secret.as_deref().is_none_or(|s| s.trim().is_empty()) && table.contains_key("secret");
    if !kept {
        table["secret"] = value(secret(app, current)?);
    }
    table["enabled"] = value(app.enabled);
    table["enable_client_messages"] = value(app.client_events);
    table["enable_user_authentication"] = value(app.user_authentication);
    Ok(table)
}

/// The secret to write when the file has none for the app: the new one, else the one in
/// force (the default app), else (a new app) a random one.
fn secret(app: &AppEdit, current: &[AppConfig]) -> Result<String, SettingsError> {
    if let Some(secret) = app.secret.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        return Ok(secret.to_owned());
    }
    let Some(original) = app.original_id.as_deref() else {
        return Ok(random_secret());
    };
    let running = current.iter().find(|a| a.id.as_str() == original);
    let exposed = running.map(|a| String::from_utf8_lossy(a.secret.expose()).into_owned());
    exposed.ok_or_else(|| SettingsError::Invalid(format!("app {original:?} is not in the file")))
}

fn random_secret() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Writes through a temporary file and a rename, so a reader (the reload watcher) never
/// sees half a file.
pub fn write_atomic(path: &Path, text: &str) -> Result<(), SettingsError> {
    let temp = path.with_extension("tmp");
    std::fs::write(&temp, text).map_err(|e| SettingsError::write(&temp, e))?;
    std::fs::rename(&temp, path).map_err(|e| SettingsError::write(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edit(apps: Vec<AppEdit>) -> SettingsEdit {
        SettingsEdit {
            host: " 127.0.0.1 ".into(),
            port: 6002,
            apps,
            env_file: None,
            data_dir: None,
            retention_sessions: None,
            retention_days: None,
        }
    }

    fn app(original: Option<&str>, id: &str, secret: Option<&str>) -> AppEdit {
        AppEdit {
            original_id: original.map(str::to_owned),
            id: id.into(),
            key: format!("{id}-key"),
            secret: secret.map(str::to_owned),
            enabled: true,
            client_events: true,
            user_authentication: false,
        }
    }

    #[test]
    fn comments_and_unknown_app_keys_survive() {
        let old = "# mine\nport = 6001\n\n[[apps]]\nid = \"a\"\nkey = \"k\"\nsecret = \"s3\"\n\
                   max_connections = 5\n\n[[apps]]\nid = \"gone\"\nkey = \"g\"\nsecret = \"x\"\n";
        let apps = vec![app(Some("a"), "a2", None), app(None, "new", Some("given"))];
        let text = render(old, &edit(apps), &[]).unwrap();
        assert!(text.starts_with("# mine\n"), "{text}");
        assert!(text.contains("host = \"127.0.0.1\""), "{text}");
        assert!(text.contains("port = 6002"), "{text}");
        assert!(text.contains("max_connections = 5"), "{text}");
        assert!(text.contains("secret = \"s3\""), "{text}");
        assert!(text.contains("secret = \"given\""), "{text}");
        assert!(!text.contains("gone"), "{text}");
    }

    #[test]
    fn secrets_come_from_the_edit_the_running_app_or_chance() {
        let current = [AppConfig::default_app()];
        let cases = [
            (app(Some("app-id"), "app-id", None), Some("app-secret".to_owned())),
            (app(Some("app-id"), "app-id", Some(" new ")), Some("new".to_owned())),
            (app(Some("nowhere"), "x", None), None),
        ];
        for (edit, expected) in cases {
            assert_eq!(secret(&edit, &current).ok(), expected, "{edit:?}");
        }
        let random = secret(&app(None, "fresh", Some("")), &current).unwrap();
        assert_eq!(random.len(), 32);
    }
}
