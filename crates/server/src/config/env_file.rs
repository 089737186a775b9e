//! A project's `.env` file (Laravel, Node): the apps its `PUSHER_APP_*`, `REVERB_APP_*` and
//! `SOKETI_DEFAULT_APP_*` variables define, and what it tells clients about the server.
//!
//! The file is only ever read, with `dotenvy`'s parser (quotes, `export`, `${NAME}`
//! interpolation) and without touching the process environment. One app is defined per
//! distinct key: two families with the same key are one app, so they must agree on its id
//! and secret. A family with only some of its three variables defines no app and earns a
//! warning, not an error: a `.env` is shared with the project's other tools, and a half-filled
//! family (often an untouched template) must not stop the server. Empty values count as unset.

mod warnings;

use std::collections::hash_map::{Entry, HashMap};
use std::path::{Path, PathBuf};

use switchboard_engine::config::AppConfig;
use switchboard_proto::{AppId, AppKey, AppSecret, IdError};

use super::error::{ConfigError, Credential, Location, Written};
use super::file::FileApp;

use warnings::{Check, Expect};
pub use warnings::{EnvFileWarning, Problem};

/// Variables that define one app, and the client-side settings that go with them: the
/// family's own variable first, then the front-end copies (`VITE_`, `MIX_`).
pub(super) struct Family {
    pub id: &'static str,
    pub key: &'static str,
    pub secret: &'static str,
    pub hosts: &'static [&'static str],
    pub ports: &'static [&'static str],
    pub schemes: &'static [&'static str],
    pub key_copies: &'static [&'static str],
}

/// Laravel's Pusher driver (and Node projects using the `pusher` SDKs), Laravel Reverb, and
/// soketi's own default app.
pub(super) static FAMILIES: [Family; 3] = [
    Family {
        id: "PUSHER_APP_ID",
        key: "PUSHER_APP_KEY",
        secret: "PUSHER_APP_SECRET",
        hosts: &["PUSHER_HOST", "VITE_PUSHER_HOST", "MIX_PUSHER_HOST"],
        ports: &["PUSHER_PORT", "VITE_PUSHER_PORT", "MIX_PUSHER_PORT"],
        schemes: &["PUSHER_SCHEME", "VITE_PUSHER_SCHEME", "MIX_PUSHER_SCHEME"],
        key_copies: &["VITE_PUSHER_APP_KEY", "MIX_PUSHER_APP_KEY"],
    },
    Family {
        id: "REVERB_APP_ID",
        key: "REVERB_APP_KEY",
        secret: "REVERB_APP_SECRET",
        hosts: &["REVERB_HOST", "VITE_REVERB_HOST"],
        ports: &["REVERB_PORT", "VITE_REVERB_PORT"],
        schemes: &["REVERB_SCHEME", "VITE_REVERB_SCHEME"],
        key_copies: &["VITE_REVERB_APP_KEY"],
    },
    Family {
        id: "SOKETI_DEFAULT_APP_ID",
        key: "SOKETI_DEFAULT_APP_KEY",
        secret: "SOKETI_DEFAULT_APP_SECRET",
        hosts: &[],
        ports: &["SOKETI_PORT"],
        schemes: &[],
        key_copies: &[],
    },
];

/// A `.env` file in use: where it is and what it expects of the server. Holds no secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvFile {
    pub path: PathBuf,
    /// Client-side settings to hold against where the server listens.
    checks: Vec<Check>,
    /// Warnings known from the file alone (incomplete families, no app).
    found: Vec<EnvFileWarning>,
}

/// What reading a `.env` file gives the settings loader.
pub(super) struct EnvFileLayer {
    pub apps: Vec<EnvFileApp>,
    pub file: EnvFile,
}

/// Reads the `.env` file at `path`.
pub(super) fn read(path: &Path) -> Result<EnvFileLayer, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|source| ConfigError::EnvFileRead { path: path.to_path_buf(), source })?;
    parse(&text, path)
}

/// Interprets `text` as the `.env` file at `path`.
pub(super) fn parse(text: &str, path: &Path) -> Result<EnvFileLayer, ConfigError> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let vars = Vars::parse(text, path)?;
    let mut apps = Vec::new();
    let mut checks = Vec::new();
    let mut found = Vec::new();
    for family in &FAMILIES {
        match vars.family_app(family, path)? {
            FamilyApp::Absent => {}
            FamilyApp::Partial(problem) => found.push(vars.warning(path, family, problem)),
            FamilyApp::Defined(app) => {
                add_app(&mut apps, app)?;
                checks.extend(vars.checks(family));
            }
        }
    }
    if apps.is_empty() {
        found.push(EnvFileWarning {
            path: path.to_path_buf(),
            line: None,
            problem: Problem::NoApps,
        });
    }
    Ok(EnvFileLayer { apps, file: EnvFile { path: path.to_path_buf(), checks, found } })
}

/// An app a `.env` family defines, with where its credentials are written.
pub(super) struct EnvFileApp {
    pub app: AppConfig,
    family: &'static Family,
    pub id_at: Location,
    pub key_at: Location,
    secret_at: Location,
}

impl EnvFileApp {
    /// The variable holding the app's id or key.
    pub fn field(&self, what: Credential) -> &'static str {
        match what {
            Credential::Id => self.family.id,
            Credential::Key => self.family.key,
        }
    }
}

/// Adds a family's app unless another family already defined it: the same key is the same
/// app, so it must come with the same id and secret; the same id needs the same key.
fn add_app(apps: &mut Vec<EnvFileApp>, new: EnvFileApp) -> Result<(), ConfigError> {
    for old in apps.iter() {
        if old.app.key == new.app.key {
            return conflict(old, &new).map_or(Ok(()), Err);
        }
        if old.app.id == new.app.id {
            let first = (old.field(Credential::Id).to_owned(), &old.id_at);
            return Err(duplicate(&new, Credential::Id, first));
        }
    }
    apps.push(new);
    Ok(())
}

/// Why two families with one key cannot be one app, if they cannot.
fn conflict(old: &EnvFileApp, new: &EnvFileApp) -> Option<ConfigError> {
    let (at, field, first_at, first_field) = if old.app.id != new.app.id {
        (&new.id_at, new.family.id, &old.id_at, old.family.id)
    } else if old.app.secret != new.app.secret {
        (&new.secret_at, new.family.secret, &old.secret_at, old.family.secret)
    } else {
        return None;
    };
    let first = Written { field: first_field.to_owned(), at: first_at.clone() };
    Some(ConfigError::EnvFileConflict {
        at: at.clone(),
        field,
        first: Box::new(first),
        key: new.app.key.to_string(),
    })
}

/// `new`'s id or key is already used by the app whose field and place are `first`.
fn duplicate(new: &EnvFileApp, what: Credential, first: (String, &Location)) -> ConfigError {
    let (at, value) = match what {
        Credential::Id => (&new.id_at, new.app.id.to_string()),
        Credential::Key => (&new.key_at, new.app.key.to_string()),
    };
    ConfigError::EnvFileDuplicate {
        at: at.clone(),
        field: new.field(what),
        what,
        value,
        first: Box::new(Written { field: first.0, at: first.1.clone() }),
    }
}

/// Refuses a `.env` app whose id or key an app of the config file already uses.
pub(super) fn check_against(
    file_apps: &[FileApp],
    env_apps: &[EnvFileApp],
) -> Result<(), ConfigError> {
    for new in env_apps {
        for (index, old) in file_apps.iter().enumerate() {
            let (what, first_at) = if old.app.id == new.app.id {
                (Credential::Id, &old.id_at)
            } else if old.app.key == new.app.key {
                (Credential::Key, &old.key_at)
            } else {
                continue;
            };
            return Err(duplicate(new, what, (format!("apps[{index}].{what}"), first_at)));
        }
    }
    Ok(())
}

impl EnvFile {
    /// Everything the file expects that a server listening on `host:port` with `apps` does
    /// not give, and the warnings found when reading it, in file order.
    pub fn warnings(&self, host: &str, port: u16, apps: &[AppConfig]) -> Vec<EnvFileWarning> {
        let listen = warnings::Listen::new(host, port);
        let found = self.found.iter().cloned();
        let problems = self.checks.iter().filter_map(|check| {
            let problem = check.problem(&listen, apps)?;
            Some(EnvFileWarning { path: self.path.clone(), line: Some(check.line), problem })
        });
        let mut warnings: Vec<EnvFileWarning> = found.chain(problems).collect();
        warnings.sort_by_key(|warning| warning.line.unwrap_or(usize::MAX));
        warnings
    }
}

/// One variable's value and where its definition starts (line, column of the value).
struct Var {
    value: String,
    line: usize,
    column: usize,
}

/// The file's variables; when a name is defined twice the first definition counts, as when
/// `dotenvy` or Laravel load the file into an environment.
struct Vars(HashMap<String, Var>);

enum FamilyApp {
    Absent,
    Partial(Problem),
    Defined(EnvFileApp),
}

impl Vars {
    fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        let pairs = pairs(text).map_err(|_| ConfigError::EnvFileSyntax {
            path: path.to_path_buf(),
            line: bad_line(text),
        })?;
        let mut vars = HashMap::new();
        for (name, value) in pairs {
            if let Entry::Vacant(slot) = vars.entry(name) {
                let (line, column) = position(text, slot.key()).unwrap_or((1, 1));
                slot.insert(Var { value, line, column });
            }
        }
        Ok(Self(vars))
    }

    /// A variable with a non-empty value.
    fn get(&self, name: &str) -> Option<&Var> {
        self.0.get(name).filter(|var| !var.value.is_empty())
    }

    fn at(&self, path: &Path, name: &str) -> Location {
        let (line, column) = self.0.get(name).map_or((1, 1), |var| (var.line, var.column));
        Location { path: path.to_path_buf(), line, column }
    }

    fn family_app(&self, family: &'static Family, path: &Path) -> Result<FamilyApp, ConfigError> {
        let names = [family.id, family.key, family.secret];
        let (set, missing): (Vec<&str>, Vec<&str>) =
            names.iter().partition(|name| self.get(name).is_some());
        if set.is_empty() {
            return Ok(FamilyApp::Absent);
        }
        if !missing.is_empty() {
            return Ok(FamilyApp::Partial(Problem::Incomplete { set, missing }));
        }
        let id = self.credential(path, family.id, AppId::new)?;
        let key = self.credential(path, family.key, AppKey::new)?;
        let secret = self.credential(path, family.secret, AppSecret::new)?;
        Ok(FamilyApp::Defined(EnvFileApp {
            app: AppConfig::with_credentials(id, key, secret),
            family,
            id_at: self.at(path, family.id),
            key_at: self.at(path, family.key),
            secret_at: self.at(path, family.secret),
        }))
    }

    fn credential<T>(
        &self,
        path: &Path,
        name: &'static str,
        make: fn(String) -> Result<T, IdError>,
    ) -> Result<T, ConfigError> {
        let value = self.get(name).map(|var| var.value.clone()).unwrap_or_default();
        make(value).map_err(|error| ConfigError::Invalid {
            at: self.at(path, name),
            field: name.to_owned(),
            message: error.to_string(),
        })
    }

    /// A warning about `family`, placed at its first variable that is set.
    fn warning(&self, path: &Path, family: &Family, problem: Problem) -> EnvFileWarning {
        let names = [family.id, family.key, family.secret];
        let line = names.iter().filter_map(|name| self.get(name)).map(|var| var.line).min();
        EnvFileWarning { path: path.to_path_buf(), line, problem }
    }

    /// What to check for a family that defines an app. A front-end copy holding the same
    /// value as the family's own variable (`VITE_PUSHER_PORT="${PUSHER_PORT}"`) is left out,
    /// so one mistake earns one warning.
    fn checks(&self, family: &Family) -> Vec<Check> {
        let mut checks = Vec::new();
        let groups = [(Expect::Host, family.hosts), (Expect::Port, family.ports)];
        for (expect, names) in groups.into_iter().chain([(Expect::Scheme, family.schemes)]) {
            let base = names.first().and_then(|name| self.0.get(*name)).map(|v| &v.value);
            for (index, name) in names.iter().enumerate() {
                let Some(var) = self.0.get(*name) else { continue };
                if index > 0 && Some(&var.value) == base {
                    continue;
                }
                checks.push(Check::new(name, &var.value, var.line, expect));
            }
        }
        for name in family.key_copies {
            if let Some(var) = self.get(name) {
                checks.push(Check::new(name, &var.value, var.line, Expect::Key(family.key)));
            }
        }
        checks
    }
}

/// Every `(name, value)` pair, interpolated, without touching the process environment.
fn pairs(text: &str) -> Result<Vec<(String, String)>, dotenvy::Error> {
    dotenvy::from_read_iter(text.as_bytes()).collect()
}

/// The line `dotenvy` refused: the one after the longest run of lines that parses, since a
/// quoted value may span lines and every longer prefix of a broken file stays broken.
fn bad_line(text: &str) -> usize {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let good = (0..lines.len()).rev().find(|&count| pairs(&lines[..count].concat()).is_ok());
    good.map_or(1, |count| count + 1)
}

/// Where `name` is first defined: its line and the column where its value starts.
fn position(text: &str, name: &str) -> Option<(usize, usize)> {
    text.lines().enumerate().find_map(|(index, line)| {
        let trimmed = line.trim_start();
        let unexported = trimmed
            .strip_prefix("export")
            .filter(|rest| rest.starts_with([' ', '\t']))
            .map_or(trimmed, str::trim_start);
        let value = unexported.strip_prefix(name)?.trim_start().strip_prefix('=')?.trim_start();
        Some((index + 1, line.chars().count() - value.chars().count() + 1))
    })
}

#[cfg(test)]
mod tests;
