//! Why a configuration was refused, and where: file positions, env variables, credentials.

use std::fmt;
use std::path::{Path, PathBuf};

/// A configuration that cannot be used. Every variant names its source precisely: a file
/// with line, column and field, or an environment variable with its value.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {}: {source}", .path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The TOML parser or a value check refused the file (syntax, type, unknown key, value).
    #[error("{at}: {}{message}", field_label(.field))]
    Invalid {
        at: Location,
        /// Dotted path of the offending field, like `apps[0].max_connections`; empty for
        /// syntax errors outside any field.
        field: String,
        message: String,
    },
    /// Two `[[apps]]` share an id or a key.
    #[error(
        "{at}: apps[{index}].{what}: app {what} \"{value}\" is already used by \
         apps[{first_index}] (line {first_line})"
    )]
    Duplicate {
        at: Location,
        index: usize,
        what: Credential,
        value: String,
        first_index: usize,
        first_line: usize,
    },
    /// An environment variable holds a value that cannot be used.
    #[error("{var}={value:?}: {problem}")]
    Env { var: &'static str, value: String, problem: EnvProblem },
    /// The app given by `SWITCHBOARD_APP_*` collides with an app from the file. (Its unset
    /// credentials default to `app-id` / `app-key` / `app-secret`.)
    #[error(
        "the app from SWITCHBOARD_APP_ID/KEY/SECRET has {what} \"{value}\", already used by \
         {field} at {at}"
    )]
    EnvDuplicate { what: Credential, value: String, field: String, at: Location },
    #[error("cannot read env file {}: {source}", .path.display())]
    EnvFileRead {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// `dotenvy` refused a line of the `.env` file (the line is not quoted: it may hold a secret).
    #[error(
        "{}:{line}: not a valid .env line; expected NAME=value, with quotes around a value \
         that holds spaces or #, and closing quotes",
        .path.display()
    )]
    EnvFileSyntax { path: PathBuf, line: usize },
    /// A `.env` app uses an id or key that another app already uses.
    #[error("{at}: {field}: app {what} \"{value}\" is already used by {first}")]
    EnvFileDuplicate {
        at: Location,
        field: &'static str,
        what: Credential,
        value: String,
        first: Box<Written>,
    },
    /// Two `.env` families use one key (so one app) with different ids or secrets.
    #[error(
        "{at}: {field} differs from {first}, but both go with app key \"{key}\"; one key is \
         one app, so give them the same value or different keys"
    )]
    EnvFileConflict { at: Location, field: &'static str, first: Box<Written>, key: String },
    /// An app switch was set in the environment, but there is no env-defined or default
    /// app for it to apply to.
    #[error(
        "{var} applies to the app given by SWITCHBOARD_APP_ID/KEY/SECRET or to the default \
         app, but {} defines its own [[apps]]; set the switch per app in the file instead",
        .path.display()
    )]
    EnvSwitchWithoutApp { var: &'static str, path: PathBuf },
}

fn field_label(field: &str) -> String {
    if field.is_empty() {
        String::new()
    } else {
        format!("{field}: ")
    }
}

/// Which app credential collided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credential {
    Id,
    Key,
}

impl fmt::Display for Credential {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Id => "id",
            Self::Key => "key",
        })
    }
}

/// Why an environment variable's value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvProblem {
    #[error("must not be empty")]
    Empty,
    #[error("expected a port number from 0 to 65535")]
    NotPort,
    #[error("expected a whole number from 1 to 4294967295")]
    NotPositive,
    #[error("expected true or false")]
    NotBool,
    #[error("{0}")]
    Id(#[from] switchboard_proto::IdError),
}

/// A field and where its value is written, shown as `apps[0].id at s.toml:2:6`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Written {
    pub field: String,
    pub at: Location,
}

impl fmt::Display for Written {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} at {}", self.field, self.at)
    }
}

/// A position in a config file: `path:line:column`, both 1-based, columns in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
}

impl Location {
    /// The position of byte `offset` in `text` (clamped to the text's end).
    pub fn at_offset(path: &Path, text: &str, offset: usize) -> Self {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Self {
            path: path.to_path_buf(),
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.path.display(), self.line, self.column)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_become_line_and_column() {
        let text = "a = 1\nbé = \"x\"\n\nz";
        let cases = [
            (0, 1, 1),
            (4, 1, 5),
            (6, 2, 1),
            (10, 2, 4), // after the two-byte 'é', counted as one column
            (16, 3, 1),
            (17, 4, 1),
            (999, 4, 2),
        ];
        for (offset, line, column) in cases {
            let at = Location::at_offset(Path::new("s.toml"), text, offset);
            assert_eq!((at.line, at.column), (line, column), "offset {offset}");
        }
    }

    #[test]
    fn offset_inside_a_character_is_clamped_to_its_start() {
        let at = Location::at_offset(Path::new("s.toml"), "é", 1);
        assert_eq!((at.line, at.column), (1, 1));
    }

    #[test]
    fn messages_name_the_place() {
        let at = Location::at_offset(Path::new("switchboard.toml"), "\n\nx", 2);
        let cases = [
            (
                ConfigError::Invalid {
                    at: at.clone(),
                    field: "apps[0].max_connections".into(),
                    message: "invalid type".into(),
                },
                "switchboard.toml:3:1: apps[0].max_connections: invalid type",
            ),
            (
                ConfigError::Invalid { at, field: String::new(), message: "bad".into() },
                "switchboard.toml:3:1: bad",
            ),
            (
                ConfigError::Env {
                    var: "SWITCHBOARD_PORT",
                    value: "x".into(),
                    problem: EnvProblem::NotPort,
                },
                "SWITCHBOARD_PORT=\"x\": expected a port number from 0 to 65535",
            ),
        ];
        for (error, expected) in cases {
            assert_eq!(error.to_string(), expected);
        }
    }
}
