//! `SWITCHBOARD_*` environment variables: reading and checking them, and the app they define.

use std::path::PathBuf;

use switchboard_engine::config::AppConfig;
use switchboard_proto::{AppId, AppKey, AppSecret};

use super::env_file::EnvFileApp;
use super::error::{ConfigError, Credential, EnvProblem, Location};
use super::file::FileApp;
use super::ServerLayer;

pub const CONFIG: &str = "SWITCHBOARD_CONFIG";
pub const ENV_FILE: &str = "SWITCHBOARD_ENV_FILE";
pub const HOST: &str = "SWITCHBOARD_HOST";
pub const PORT: &str = "SWITCHBOARD_PORT";
pub const ACTIVITY_TIMEOUT: &str = "SWITCHBOARD_ACTIVITY_TIMEOUT";
pub const PONG_TIMEOUT: &str = "SWITCHBOARD_PONG_TIMEOUT";
pub const USER_AUTHENTICATION_TIMEOUT: &str = "SWITCHBOARD_USER_AUTHENTICATION_TIMEOUT";
pub const MAX_MESSAGE_SIZE_IN_KB: &str = "SWITCHBOARD_MAX_MESSAGE_SIZE_IN_KB";
pub const APP_ID: &str = "SWITCHBOARD_APP_ID";
pub const APP_KEY: &str = "SWITCHBOARD_APP_KEY";
pub const APP_SECRET: &str = "SWITCHBOARD_APP_SECRET";
pub const ENABLE_CLIENT_MESSAGES: &str = "SWITCHBOARD_ENABLE_CLIENT_MESSAGES";
pub const ENABLE_SUBSCRIPTION_COUNT: &str = "SWITCHBOARD_ENABLE_SUBSCRIPTION_COUNT";

/// Everything the environment sets; `None` where a variable is unset.
pub(super) struct EnvLayer {
    pub config: Option<PathBuf>,
    pub env_file: Option<PathBuf>,
    pub server: ServerLayer,
    pub app: EnvApp,
}

/// The app given by `SWITCHBOARD_APP_*`, or changes to the default app.
pub(super) struct EnvApp {
    id: Option<AppId>,
    key: Option<AppKey>,
    secret: Option<AppSecret>,
    enable_client_messages: Option<bool>,
    enable_subscription_count: Option<bool>,
}

impl EnvLayer {
    /// Reads every variable through `env`; the first unusable value is an error.
    pub fn read(env: &dyn Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        let vars = Vars(env);
        Ok(Self {
            config: vars.get(CONFIG, |v| Ok(PathBuf::from(v)))?,
            env_file: vars.get(ENV_FILE, |v| Ok(PathBuf::from(v)))?,
            server: ServerLayer {
                host: vars.get(HOST, |v| Ok(v.to_owned()))?,
                port: vars.get(PORT, |v| v.parse().map_err(|_| EnvProblem::NotPort))?,
                activity_timeout: vars.get(ACTIVITY_TIMEOUT, positive)?,
                pong_timeout: vars.get(PONG_TIMEOUT, positive)?,
                user_authentication_timeout: vars.get(USER_AUTHENTICATION_TIMEOUT, positive)?,
                max_message_size_in_kb: vars.get(MAX_MESSAGE_SIZE_IN_KB, positive)?,
            },
            app: EnvApp {
                id: vars.get(APP_ID, |v| Ok(AppId::new(v)?))?,
                key: vars.get(APP_KEY, |v| Ok(AppKey::new(v)?))?,
                secret: vars.get(APP_SECRET, |v| Ok(AppSecret::new(v)?))?,
                enable_client_messages: vars.get(ENABLE_CLIENT_MESSAGES, boolean)?,
                enable_subscription_count: vars.get(ENABLE_SUBSCRIPTION_COUNT, boolean)?,
            },
        })
    }
}

/// The process environment, or a stand-in for tests.
struct Vars<'a>(&'a dyn Fn(&str) -> Option<String>);

impl Vars<'_> {
    fn get<T>(
        &self,
        var: &'static str,
        parse: impl Fn(&str) -> Result<T, EnvProblem>,
    ) -> Result<Option<T>, ConfigError> {
        let Some(value) = (self.0)(var) else {
            return Ok(None);
        };
        let checked = if value.is_empty() { Err(EnvProblem::Empty) } else { parse(&value) };
        checked.map(Some).map_err(|problem| {
            // A secret is only refused when empty, but never echo one, whatever the rule.
            let value = if var == APP_SECRET { String::new() } else { value };
            ConfigError::Env { var, value, problem }
        })
    }
}

fn positive(value: &str) -> Result<u32, EnvProblem> {
    match value.parse::<u32>() {
        Ok(number) if number > 0 => Ok(number),
        _ => Err(EnvProblem::NotPositive),
    }
}

fn boolean(value: &str) -> Result<bool, EnvProblem> {
    match value.to_ascii_lowercase().as_str() {
        "true" | "1" => Ok(true),
        "false" | "0" => Ok(false),
        _ => Err(EnvProblem::NotBool),
    }
}

impl EnvApp {
    fn defines_app(&self) -> bool {
        self.id.is_some() || self.key.is_some() || self.secret.is_some()
    }

    /// The first app switch that is set, if any.
    fn switch_set(&self) -> Option<&'static str> {
        let switches = [
            (ENABLE_CLIENT_MESSAGES, self.enable_client_messages),
            (ENABLE_SUBSCRIPTION_COUNT, self.enable_subscription_count),
        ];
        switches.into_iter().find_map(|(var, value)| value.map(|_| var))
    }

    /// The default app with whatever the environment replaces.
    fn app(&self) -> AppConfig {
        let defaults = AppConfig::default_app();
        let mut app = AppConfig::with_credentials(
            self.id.clone().unwrap_or(defaults.id),
            self.key.clone().unwrap_or(defaults.key),
            self.secret.clone().unwrap_or(defaults.secret),
        );
        self.apply_switches(&mut app);
        app
    }

    fn apply_switches(&self, app: &mut AppConfig) {
        app.enable_client_messages =
            self.enable_client_messages.unwrap_or(app.enable_client_messages);
        app.enable_subscription_count =
            self.enable_subscription_count.unwrap_or(app.enable_subscription_count);
    }

    /// The final app list: the config file's apps, then the `.env` file's, then this app
    /// when the environment gives credentials (its id and key must be free). With none of
    /// these, this app alone: the default one unless the environment changes it. The two
    /// switches apply to this app and to the `.env` apps, which have no switches of their
    /// own; set while only the config file defines apps, they are refused.
    pub fn resolve(
        self,
        file_apps: Vec<FileApp>,
        env_file_apps: Vec<EnvFileApp>,
    ) -> Result<Vec<AppConfig>, ConfigError> {
        if file_apps.is_empty() && env_file_apps.is_empty() {
            return Ok(vec![self.app()]);
        }
        if !self.defines_app() && env_file_apps.is_empty() {
            if let (Some(var), Some(first)) = (self.switch_set(), file_apps.first()) {
                let path = first.id_at.path.clone();
                return Err(ConfigError::EnvSwitchWithoutApp { var, path });
            }
        }
        let own = if self.defines_app() {
            let app = self.app();
            check_free(&app, &file_apps, &env_file_apps)?;
            Some(app)
        } else {
            None
        };
        let env_file_apps = env_file_apps.into_iter().map(|defined| {
            let mut app = defined.app;
            self.apply_switches(&mut app);
            app
        });
        Ok(file_apps.into_iter().map(|f| f.app).chain(env_file_apps).chain(own).collect())
    }
}

/// An app already defined, with how and where its id and key are written.
struct Taken<'a> {
    app: &'a AppConfig,
    id: (String, &'a Location),
    key: (String, &'a Location),
}

fn check_free(
    app: &AppConfig,
    file_apps: &[FileApp],
    env_file_apps: &[EnvFileApp],
) -> Result<(), ConfigError> {
    let from_file = file_apps.iter().enumerate().map(|(index, f)| Taken {
        app: &f.app,
        id: (format!("apps[{index}].id"), &f.id_at),
        key: (format!("apps[{index}].key"), &f.key_at),
    });
    let from_env_file = env_file_apps.iter().map(|e| Taken {
        app: &e.app,
        id: (e.field(Credential::Id).to_owned(), &e.id_at),
        key: (e.field(Credential::Key).to_owned(), &e.key_at),
    });
    for taken in from_file.chain(from_env_file) {
        let (what, value, (field, at)) = if taken.app.id == app.id {
            (Credential::Id, app.id.as_str(), taken.id)
        } else if taken.app.key == app.key {
            (Credential::Key, app.key.as_str(), taken.key)
        } else {
            continue;
        };
        return Err(ConfigError::EnvDuplicate {
            what,
            value: value.to_owned(),
            field,
            at: at.clone(),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    type Vars<'a> = &'a [(&'a str, &'a str)];

    fn read(vars: Vars<'_>) -> Result<EnvLayer, String> {
        let env = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
        EnvLayer::read(&env).map_err(|e| e.to_string())
    }

    /// The apps from a file's text plus the environment.
    fn apps(file: &str, vars: Vars<'_>) -> Result<Vec<AppConfig>, String> {
        let file = super::super::file::parse(file, Path::new("s.toml")).unwrap();
        read(vars)?.app.resolve(file.apps, Vec::new()).map_err(|e| e.to_string())
    }

    fn app(id: &str, key: &str, secret: &str) -> AppConfig {
        let (id, key) = (AppId::new(id).unwrap(), AppKey::new(key).unwrap());
        AppConfig::with_credentials(id, key, AppSecret::new(secret).unwrap())
    }

    #[test]
    fn env_credentials_and_switches_change_the_default_app() {
        let mut switched = app("app-id", "app-key", "app-secret");
        switched.enable_client_messages = false;
        switched.enable_subscription_count = true;
        let cases: [(Vars<'_>, AppConfig); 4] = [
            (&[], AppConfig::default_app()),
            (&[(APP_ID, "my-id"), (APP_SECRET, "my-secret")], app("my-id", "app-key", "my-secret")),
            (&[(APP_KEY, "my-key")], app("app-id", "my-key", "app-secret")),
            (&[(ENABLE_CLIENT_MESSAGES, "False"), (ENABLE_SUBSCRIPTION_COUNT, "1")], switched),
        ];
        for (vars, expected) in cases {
            assert_eq!(apps("", vars), Ok(vec![expected]), "{vars:?}");
        }
    }

    #[test]
    fn env_app_joins_the_file_apps_unless_it_collides() {
        let file = "[[apps]]\nid = \"a\"\nkey = \"k\"\nsecret = \"s\"\n";
        let prefix = "the app from SWITCHBOARD_APP_ID/KEY/SECRET has";
        let cases: [(Vars<'_>, Result<Vec<AppConfig>, String>); 6] = [
            (&[], Ok(vec![app("a", "k", "s")])),
            (
                &[(APP_ID, "b"), (APP_KEY, "k2")],
                Ok(vec![app("a", "k", "s"), app("b", "k2", "app-secret")]),
            ),
            (
                &[(APP_ID, "a")],
                Err(format!("{prefix} id \"a\", already used by apps[0].id at s.toml:2:6")),
            ),
            (
                &[(APP_ID, "b"), (APP_KEY, "k")],
                Err(format!("{prefix} key \"k\", already used by apps[0].key at s.toml:3:7")),
            ),
            (
                &[(ENABLE_CLIENT_MESSAGES, "false")],
                Err("SWITCHBOARD_ENABLE_CLIENT_MESSAGES applies to the app given by \
                     SWITCHBOARD_APP_ID/KEY/SECRET or to the default app, but s.toml defines \
                     its own [[apps]]; set the switch per app in the file instead"
                    .to_owned()),
            ),
            (&[(ENABLE_SUBSCRIPTION_COUNT, "true"), (APP_ID, "b"), (APP_KEY, "k2")], {
                let mut added = app("b", "k2", "app-secret");
                added.enable_subscription_count = true;
                Ok(vec![app("a", "k", "s"), added])
            }),
        ];
        for (vars, expected) in cases {
            assert_eq!(apps(file, vars), expected, "{vars:?}");
        }
    }

    #[test]
    fn bad_values_name_the_variable_and_value() {
        let whole = "expected a whole number from 1 to 4294967295";
        let cases = [
            (PORT, "abc", "expected a port number from 0 to 65535"),
            (PORT, "65536", "expected a port number from 0 to 65535"),
            (HOST, "", "must not be empty"),
            (CONFIG, "", "must not be empty"),
            (ENV_FILE, "", "must not be empty"),
            (ACTIVITY_TIMEOUT, "0", whole),
            (PONG_TIMEOUT, "-5", whole),
            (USER_AUTHENTICATION_TIMEOUT, "x", whole),
            (MAX_MESSAGE_SIZE_IN_KB, "1.5", whole),
            (APP_ID, "", "must not be empty"),
            (APP_KEY, "", "must not be empty"),
            (APP_SECRET, "", "must not be empty"),
            (ENABLE_CLIENT_MESSAGES, "yes", "expected true or false"),
            (ENABLE_SUBSCRIPTION_COUNT, "2", "expected true or false"),
        ];
        for (var, value, problem) in cases {
            let error = read(&[(var, value)]).err();
            assert_eq!(error, Some(format!("{var}={value:?}: {problem}")));
        }
    }

    #[test]
    fn good_values_are_read() {
        let vars = [
            (CONFIG, "dir/s.toml"),
            (ENV_FILE, "../app/.env"),
            (HOST, "0.0.0.0"),
            (PORT, "0"),
            (ACTIVITY_TIMEOUT, "1"),
            (PONG_TIMEOUT, "2"),
            (USER_AUTHENTICATION_TIMEOUT, "3"),
            (MAX_MESSAGE_SIZE_IN_KB, "4294967295"),
        ];
        let env = read(&vars).unwrap();
        let server = env.server;
        assert_eq!(env.config, Some(PathBuf::from("dir/s.toml")));
        assert_eq!(env.env_file, Some(PathBuf::from("../app/.env")));
        assert_eq!((server.host.as_deref(), server.port), (Some("0.0.0.0"), Some(0)));
        let limits = [
            server.activity_timeout,
            server.pong_timeout,
            server.user_authentication_timeout,
            server.max_message_size_in_kb,
        ];
        assert_eq!(limits, [Some(1), Some(2), Some(3), Some(u32::MAX)]);
    }
}
