//! Server settings: defaults, the TOML file, `SWITCHBOARD_*` env vars and CLI flags, merged
//! in that order (flags beat env beat file beat defaults) and checked once, at start-up.
//! A project's `.env` file (`--env-file`) adds apps; see `env_file`.
//!
//! Every refusal says where it comes from: `file:line:column: field: problem` for the file,
//! `VARIABLE="value": problem` for the environment. The reference is `docs/configuration.md`.

mod env;
mod env_file;
mod error;
mod file;
mod schema;
mod values;
mod webhooks;

use std::path::{Path, PathBuf};

use switchboard_engine::config::{AppConfig, ServerLimits};

pub use env_file::{EnvFile, EnvFileWarning, Problem as EnvFileProblem};
pub use error::{ConfigError, Credential, EnvProblem, Location};
pub use values::ValueError;
pub use webhooks::WebhookSettings;

/// Where the server listens unless told otherwise: loopback only.
pub const DEFAULT_HOST: &str = "127.0.0.1";
/// The port every Pusher-compatible dev server uses (soketi, sockudo, Laravel Sail).
pub const DEFAULT_PORT: u16 = 6001;

/// Everything the server needs to start. `Debug` is safe to log: secrets are redacted.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    pub host: String,
    /// 0 asks the OS for a free port.
    pub port: u16,
    pub limits: ServerLimits,
    /// Never empty once loaded: the default app when nothing defines one.
    pub apps: Vec<AppConfig>,
    /// The file the settings came from, if any (for reloads and messages).
    pub config_path: Option<PathBuf>,
    /// The project `.env` file that added apps, if any, with what it expects of the server.
    pub env_file: Option<EnvFile>,
    /// How webhooks are batched, held back and retried (`[webhooks]`).
    pub webhooks: WebhookSettings,
}

impl Default for Settings {
    /// The settings with no configuration at all: `127.0.0.1:6001` and the default app.
    fn default() -> Self {
        Self {
            host: DEFAULT_HOST.to_owned(),
            port: DEFAULT_PORT,
            limits: ServerLimits::default(),
            apps: vec![AppConfig::default_app()],
            config_path: None,
            env_file: None,
            webhooks: WebhookSettings::default(),
        }
    }
}

/// Values from command-line flags, which beat every other source.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Overrides {
    pub config: Option<PathBuf>,
    pub env_file: Option<PathBuf>,
    pub host: Option<String>,
    pub port: Option<u16>,
}

/// The server-wide values one source sets; `None` leaves the value below it in place.
#[derive(Debug, Default)]
struct ServerLayer {
    host: Option<String>,
    port: Option<u16>,
    activity_timeout: Option<u32>,
    pong_timeout: Option<u32>,
    user_authentication_timeout: Option<u32>,
    max_message_size_in_kb: Option<u32>,
}

impl ServerLayer {
    fn apply(self, settings: &mut Settings) {
        let limits = &mut settings.limits;
        let given = [
            (&mut limits.activity_timeout_secs, self.activity_timeout),
            (&mut limits.pong_timeout_secs, self.pong_timeout),
            (&mut limits.user_authentication_timeout_secs, self.user_authentication_timeout),
            (&mut limits.max_message_size_in_kb, self.max_message_size_in_kb),
        ];
        for (slot, value) in given {
            if let Some(value) = value {
                *slot = value;
            }
        }
        if let Some(host) = self.host {
            settings.host = host;
        }
        if let Some(port) = self.port {
            settings.port = port;
        }
    }
}

impl Settings {
    /// Loads the settings. Precedence: flags beat env (`SWITCHBOARD_*`) beat file beat
    /// defaults. The file is `overrides.config`, else `SWITCHBOARD_CONFIG`, else none; the
    /// `.env` file is `overrides.env_file`, else `SWITCHBOARD_ENV_FILE`, else none.
    /// `env` looks a variable up (the process environment in the binary, a table in tests).
    pub fn load(
        overrides: Overrides,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, ConfigError> {
        let env = env::EnvLayer::read(env)?;
        let config_path = overrides.config.or(env.config);
        let mut settings = Settings { config_path: config_path.clone(), ..Settings::default() };
        let mut file_apps = Vec::new();
        if let Some(path) = &config_path {
            let file = file::read(path)?;
            file.server.apply(&mut settings);
            settings.webhooks = file.webhooks;
            file_apps = file.apps;
        }
        let env_file = match overrides.env_file.or(env.env_file) {
            Some(path) => Some(env_file::read(&path)?),
            None => None,
        };
        let (env_file_apps, env_file) =
            env_file.map_or((Vec::new(), None), |f| (f.apps, Some(f.file)));
        env_file::check_against(&file_apps, &env_file_apps)?;
        env.server.apply(&mut settings);
        settings.apps = env.app.resolve(file_apps, env_file_apps)?;
        settings.env_file = env_file;
        let flags =
            ServerLayer { host: overrides.host, port: overrides.port, ..Default::default() };
        flags.apply(&mut settings);
        Ok(settings)
    }

    /// What the `.env` file expects that the server, listening on `port`, does not give.
    pub fn env_file_warnings(&self, port: u16) -> Vec<EnvFileWarning> {
        let file = self.env_file.as_ref();
        file.map(|f| f.warnings(&self.host, port, &self.apps)).unwrap_or_default()
    }

    /// The settings from a file's text alone (no env, no flags); `path` is used in errors.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Settings, ConfigError> {
        let file = file::parse(text, path)?;
        let mut settings = Settings { config_path: Some(path.to_path_buf()), ..Default::default() };
        file.server.apply(&mut settings);
        settings.webhooks = file.webhooks;
        if !file.apps.is_empty() {
            settings.apps = file.apps.into_iter().map(|f| f.app).collect();
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use switchboard_proto::{AppId, AppKey, AppSecret};

    /// A config file in the temp dir, removed on drop.
    struct TempFile(PathBuf);

    impl TempFile {
        fn new(name: &str, text: &str) -> Self {
            let file = format!("switchboard-config-{}-{name}.toml", std::process::id());
            let path = std::env::temp_dir().join(file);
            std::fs::write(&path, text).unwrap();
            Self(path)
        }
    }

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    type Vars<'a> = &'a [(&'a str, &'a str)];

    fn env_of<'a>(vars: Vars<'a>) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| (*v).to_owned())
    }

    fn load(overrides: Overrides, vars: Vars<'_>) -> Result<Settings, String> {
        Settings::load(overrides, &env_of(vars)).map_err(|e| e.to_string())
    }

    fn app(id: &str, key: &str, secret: &str) -> AppConfig {
        let (id, key) = (AppId::new(id).unwrap(), AppKey::new(key).unwrap());
        AppConfig::with_credentials(id, key, AppSecret::new(secret).unwrap())
    }

    #[test]
    fn nothing_configured_gives_the_defaults() {
        let settings = load(Overrides::default(), &[]).unwrap();
        assert_eq!(settings, Settings::default());
        assert_eq!((settings.host.as_str(), settings.port), ("127.0.0.1", 6001));
        assert_eq!(settings.limits.activity_timeout_secs, 120);
        assert_eq!(settings.apps, vec![app("app-id", "app-key", "app-secret")]);
        assert!(settings.apps[0].enable_client_messages);
    }

    #[test]
    fn every_server_key_is_read_from_the_file() {
        let text = "host = \"0.0.0.0\"\nport = 7000\nactivity_timeout = 60\npong_timeout = 5\n\
                    user_authentication_timeout = 9\nmax_message_size_in_kb = 128\n";
        let settings = Settings::from_toml_str(text, Path::new("s.toml")).unwrap();
        let limits = ServerLimits {
            activity_timeout_secs: 60,
            pong_timeout_secs: 5,
            user_authentication_timeout_secs: 9,
            max_message_size_in_kb: 128,
        };
        let expected = Settings {
            host: "0.0.0.0".into(),
            port: 7000,
            limits,
            apps: vec![AppConfig::default_app()],
            config_path: Some(PathBuf::from("s.toml")),
            env_file: None,
            webhooks: WebhookSettings::default(),
        };
        assert_eq!(settings, expected);
    }

    #[test]
    fn flags_beat_env_beat_file_beat_defaults() {
        let file = TempFile::new("precedence", "host = \"10.0.0.1\"\nport = 7001\n");
        let path = file.0.to_str().unwrap();
        let flags =
            Overrides { host: Some("10.0.0.3".into()), port: Some(7003), ..Overrides::default() };
        let env = [("SWITCHBOARD_HOST", "10.0.0.2"), ("SWITCHBOARD_PORT", "7002")];
        let with_file = [("SWITCHBOARD_CONFIG", path)];
        let all = [env[0], env[1], with_file[0]];
        let cases: [(&str, Overrides, Vars<'_>, &str, u16); 5] = [
            ("defaults", Overrides::default(), &[], "127.0.0.1", 6001),
            ("file", Overrides::default(), &with_file, "10.0.0.1", 7001),
            ("env over file", Overrides::default(), &all, "10.0.0.2", 7002),
            ("flags over env", flags.clone(), &all, "10.0.0.3", 7003),
            ("flags alone", flags, &[], "10.0.0.3", 7003),
        ];
        for (name, overrides, vars, host, port) in cases {
            let settings = load(overrides, vars).unwrap();
            assert_eq!((settings.host.as_str(), settings.port), (host, port), "{name}");
        }
    }

    #[test]
    fn env_limits_beat_the_file() {
        let text = "activity_timeout = 60\npong_timeout = 5\nuser_authentication_timeout = 9\n\
                    max_message_size_in_kb = 128\n";
        let file = TempFile::new("limits", text);
        let vars = [
            ("SWITCHBOARD_CONFIG", file.0.to_str().unwrap()),
            ("SWITCHBOARD_ACTIVITY_TIMEOUT", "61"),
            ("SWITCHBOARD_PONG_TIMEOUT", "6"),
            ("SWITCHBOARD_USER_AUTHENTICATION_TIMEOUT", "10"),
            ("SWITCHBOARD_MAX_MESSAGE_SIZE_IN_KB", "129"),
        ];
        let limits = load(Overrides::default(), &vars).unwrap().limits;
        let expected = ServerLimits {
            activity_timeout_secs: 61,
            pong_timeout_secs: 6,
            user_authentication_timeout_secs: 10,
            max_message_size_in_kb: 129,
        };
        assert_eq!(limits, expected);
    }

    #[test]
    fn the_config_flag_beats_switchboard_config() {
        let file = TempFile::new("flag", "port = 7100\n");
        let overrides = Overrides { config: Some(file.0.clone()), ..Overrides::default() };
        let settings = load(overrides, &[("SWITCHBOARD_CONFIG", "/nonexistent.toml")]).unwrap();
        assert_eq!((settings.port, settings.config_path), (7100, Some(file.0.clone())));
        let error = load(Overrides::default(), &[("SWITCHBOARD_CONFIG", "/nonexistent.toml")]);
        let error = error.unwrap_err();
        assert!(error.starts_with("cannot read config file /nonexistent.toml: "), "{error}");
    }

    #[test]
    fn file_errors_carry_the_file_path() {
        let file = TempFile::new(
            "bad",
            "[[apps]]\nid = \"a\"\nkey = \"k\"\nsecret = \"s\"\nmax_connections = \"x\"\n",
        );
        let overrides = Overrides { config: Some(file.0.clone()), ..Overrides::default() };
        let error = load(overrides, &[]).unwrap_err();
        let expected = format!(
            "{}:5:19: apps[0].max_connections: invalid type: string \"x\", expected u32",
            file.0.display()
        );
        assert_eq!(error, expected);
    }

    #[test]
    fn debug_output_never_shows_secrets() {
        let text = "[[apps]]\nid = \"a\"\nkey = \"k\"\nsecret = \"file-secret-123\"\n";
        let from_file = Settings::from_toml_str(text, Path::new("s.toml")).unwrap();
        let from_env =
            load(Overrides::default(), &[("SWITCHBOARD_APP_SECRET", "env-secret-456")]).unwrap();
        for (settings, secret) in [(from_file, "file-secret-123"), (from_env, "env-secret-456")] {
            let debug = format!("{settings:?} {settings:#?}");
            assert!(!debug.contains(secret), "{debug}");
            assert!(debug.contains("<redacted>"), "{debug}");
        }
    }
}
