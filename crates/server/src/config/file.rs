//! The TOML config file: reading it, turning parser errors into `file:line:col: field:`
//! messages, and the checks that span several apps (unique ids and keys).

use std::path::Path;

use serde_path_to_error::Segment;
use switchboard_engine::config::AppConfig;

use super::error::{ConfigError, Credential, Location};
use super::schema::RawFile;
use super::webhooks::WebhookSettings;
use super::ServerLayer;

/// What a config file sets: server values, and its apps with where their ids and keys are.
pub(super) struct FileLayer {
    pub server: ServerLayer,
    pub apps: Vec<FileApp>,
    pub webhooks: WebhookSettings,
}

/// An app from the file, with the positions of its id and key for duplicate reports.
pub(super) struct FileApp {
    pub app: AppConfig,
    pub id_at: Location,
    pub key_at: Location,
}

/// Reads and parses the file at `path`.
pub(super) fn read(path: &Path) -> Result<FileLayer, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
    parse(&text, path)
}

/// Parses `text`; errors are located in `path` by line, column and field.
pub(super) fn parse(text: &str, path: &Path) -> Result<FileLayer, ConfigError> {
    let raw: RawFile = serde_path_to_error::deserialize(toml::Deserializer::new(text))
        .map_err(|error| parse_error(&error, text, path))?;
    let layer = raw.into_layer(Place { text, path })?;
    check_unique(&layer.apps)?;
    Ok(layer)
}

/// Turns the parser's error into one line: position, field path, message.
fn parse_error(
    error: &serde_path_to_error::Error<toml::de::Error>,
    text: &str,
    path: &Path,
) -> ConfigError {
    let field = field_path(error.path());
    let inner = error.inner();
    let offset = inner.span().map_or(0, |span| span.start);
    let message = if is_app_secret(&field) {
        // Type errors quote the value; a secret's value must not reach the terminal or logs.
        "expected a non-empty string (value not shown)".to_owned()
    } else {
        inner.message().trim().replace('\n', "; ")
    };
    ConfigError::Invalid { at: Location::at_offset(path, text, offset), field, message }
}

/// Whether `field` is `apps[N].secret`.
fn is_app_secret(field: &str) -> bool {
    let index = field.strip_prefix("apps[").and_then(|rest| rest.strip_suffix("].secret"));
    index.is_some_and(|index| index.bytes().all(|b| b.is_ascii_digit()))
}

/// `apps[0].webhooks[1].url`, leaving out the parser's private `Spanned` keys.
fn field_path(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for segment in path.iter() {
        match segment {
            Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            Segment::Map { key } if key.starts_with("$__serde_spanned_private") => {}
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => out.push_str(".?"),
        }
    }
    out
}

/// The file being parsed, for turning spans into locations.
#[derive(Clone, Copy)]
pub(super) struct Place<'a> {
    text: &'a str,
    path: &'a Path,
}

impl Place<'_> {
    pub fn location(self, span: std::ops::Range<usize>) -> Location {
        Location::at_offset(self.path, self.text, span.start)
    }
}

/// Refuses two apps with the same id or the same key, naming both.
fn check_unique(apps: &[FileApp]) -> Result<(), ConfigError> {
    for (index, later) in apps.iter().enumerate() {
        for (first, earlier) in apps[..index].iter().enumerate() {
            let clash = if later.app.id == earlier.app.id {
                Some((Credential::Id, later.app.id.as_str(), &later.id_at, &earlier.id_at))
            } else if later.app.key == earlier.app.key {
                Some((Credential::Key, later.app.key.as_str(), &later.key_at, &earlier.key_at))
            } else {
                None
            };
            if let Some((what, value, at, first_at)) = clash {
                return Err(ConfigError::Duplicate {
                    at: at.clone(),
                    index,
                    what,
                    value: value.to_owned(),
                    first_index: first,
                    first_line: first_at.line,
                });
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const APP: &str = "[[apps]]\nid = \"a\"\nkey = \"k\"\nsecret = \"s\"\n";

    fn parse_str(text: &str) -> Result<FileLayer, String> {
        parse(text, Path::new("switchboard.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn errors_name_file_line_column_and_field() {
        let hook = "[[apps.webhooks]]\nurl = \"http://h\"\n";
        let cases: Vec<(String, &str)> = vec![
            (
                format!("{APP}max_connections = \"x\"\n"),
                "switchboard.toml:5:19: apps[0].max_connections: invalid type: string \"x\", \
                 expected u32",
            ),
            ("activity_timeout = 0\n".into(), "switchboard.toml:1:20: activity_timeout: must be at least 1"),
            ("pong_timeout = -1\n".into(), "switchboard.toml:1:16: pong_timeout: invalid value: integer `-1`, expected u32"),
            ("port = 70000\n".into(), "switchboard.toml:1:8: port: invalid value: integer `70000`, expected u16"),
            ("host = \"\"\n".into(), "switchboard.toml:1:8: host: must not be empty"),
            (
                "[[apps]]\nid = \"\"\nkey = \"k\"\nsecret = \"s\"\n".into(),
                "switchboard.toml:2:6: apps[0].id: must not be empty",
            ),
            (
                "[[apps]]\nid = \"a\"\nkey = \"k\"\nsecret = 12345\n".into(),
                "switchboard.toml:4:10: apps[0].secret: expected a non-empty string (value not shown)",
            ),
            ("[[apps]]\nid = \"a\"\nkey = \"k\"\n".into(), "switchboard.toml:1:1: apps[0]: missing field `secret`"),
            (
                format!("{APP}{hook}event_types = [\"member_added\", \"nope\"]\n"),
                "switchboard.toml:7:32: apps[0].webhooks[0].event_types[1]: unknown webhook event \
                 type \"nope\"; expected one of channel_occupied, channel_vacated, member_added, \
                 member_removed, client_event, cache_miss, subscription_count",
            ),
            (
                format!("{APP}{hook}event_types = []\n"),
                "switchboard.toml:7:15: apps[0].webhooks[0].event_types: must list at least one \
                 event type; omit it to receive all of them",
            ),
            (
                format!("{APP}[[apps.webhooks]]\nurl = \"ftp://h\"\n"),
                "switchboard.toml:6:7: apps[0].webhooks[0].url: must be an http:// or https:// URL",
            ),
            (
                format!("{APP}{hook}headers = {{ \"X\" = \"a\\nb\" }}\n"),
                "switchboard.toml:7:19: apps[0].webhooks[0].headers.X: must not contain control \
                 characters",
            ),
            ("host = \n".into(), "switchboard.toml:1:8: invalid string; expected `\"`, `'`"),
            ("host = \"a\"\nhost = \"b\"\n".into(), "switchboard.toml:2:1: duplicate key `host` in document root"),
            (
                format!("{APP}{}", APP.replace("key = \"k\"", "key = \"k2\"")),
                "switchboard.toml:6:6: apps[1].id: app id \"a\" is already used by apps[0] (line 2)",
            ),
            (
                format!("{APP}{}", APP.replace("id = \"a\"", "id = \"b\"")),
                "switchboard.toml:7:7: apps[1].key: app key \"k\" is already used by apps[0] (line 3)",
            ),
        ];
        let wrong: Vec<String> = cases
            .into_iter()
            .filter_map(|(text, expected)| {
                let got = parse_str(&text).err().unwrap_or_default();
                (got != expected)
                    .then(|| format!("{text}\n  got:      {got}\n  expected: {expected}"))
            })
            .collect();
        assert!(wrong.is_empty(), "{}", wrong.join("\n\n"));
    }

    #[test]
    fn unknown_keys_are_refused_where_they_stand() {
        let cases = [
            ("bogus = 1\n".to_owned(), "switchboard.toml:1:1: bogus: unknown field `bogus`"),
            (
                format!("{APP}max_conections = 1\n"),
                "switchboard.toml:5:1: apps[0].max_conections: unknown field",
            ),
            (
                format!("{APP}[[apps.webhooks]]\nurl = \"http://h\"\nsecret = \"x\"\n"),
                "switchboard.toml:7:1: apps[0].webhooks[0].secret: unknown field `secret`",
            ),
        ];
        for (text, expected) in cases {
            let error = parse_str(&text).err().unwrap_or_default();
            assert!(error.starts_with(expected), "{error}");
        }
    }

    #[test]
    fn bad_header_names_are_refused() {
        let text = format!(
            "{APP}[[apps.webhooks]]\nurl = \"http://h\"\nheaders = {{ \"X Y\" = \"1\" }}\n"
        );
        let error = parse_str(&text).err().unwrap_or_default();
        assert!(error.contains("\"X Y\" is not a valid HTTP header name"), "{error}");
        assert!(error.starts_with("switchboard.toml:7:"), "{error}");
    }
}
