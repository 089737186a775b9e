//! `.env` parsing: each family, mixed families, duplicates, warnings, interpolation, syntax.

use std::path::Path;

use super::*;
use switchboard_proto::{AppId, AppKey, AppSecret};

fn parse_env(text: &str) -> Result<EnvFileLayer, String> {
    parse(text, Path::new(".env")).map_err(|e| e.to_string())
}

fn app(id: &str, key: &str, secret: &str) -> AppConfig {
    let (id, key) = (AppId::new(id).unwrap(), AppKey::new(key).unwrap());
    AppConfig::with_credentials(id, key, AppSecret::new(secret).unwrap())
}

fn apps_of(text: &str) -> Vec<AppConfig> {
    parse_env(text).unwrap().apps.into_iter().map(|a| a.app).collect()
}

/// The warnings for a server on `127.0.0.1:port` serving the file's own apps, as text.
fn warnings_at(text: &str, port: u16) -> Vec<String> {
    let layer = parse_env(text).unwrap();
    let apps: Vec<AppConfig> = layer.apps.into_iter().map(|a| a.app).collect();
    layer.file.warnings("127.0.0.1", port, &apps).iter().map(ToString::to_string).collect()
}

/// A Laravel 10 `.env` using the Pusher driver, as its template leaves it plus credentials.
const LARAVEL_PUSHER: &str = r#"APP_NAME=Laravel
BROADCAST_DRIVER=pusher

PUSHER_APP_ID=123456
PUSHER_APP_KEY=laravel-key
PUSHER_APP_SECRET="laravel secret"
PUSHER_HOST=
PUSHER_PORT=443
PUSHER_SCHEME=https
PUSHER_APP_CLUSTER=mt1

VITE_APP_NAME="${APP_NAME}"
VITE_PUSHER_APP_KEY="${PUSHER_APP_KEY}"
VITE_PUSHER_HOST="${PUSHER_HOST}"
VITE_PUSHER_PORT="${PUSHER_PORT}"
VITE_PUSHER_SCHEME="${PUSHER_SCHEME}"
VITE_PUSHER_APP_CLUSTER="${PUSHER_APP_CLUSTER}"
"#;

/// What `php artisan install:broadcasting` writes for Reverb.
const LARAVEL_REVERB: &str = r#"BROADCAST_CONNECTION=reverb
REVERB_APP_ID=reverb-id
REVERB_APP_KEY=reverb-key
REVERB_APP_SECRET=reverb-secret
REVERB_HOST="localhost"
REVERB_PORT=6001
REVERB_SCHEME=http

VITE_REVERB_APP_KEY="${REVERB_APP_KEY}"
VITE_REVERB_HOST="${REVERB_HOST}"
VITE_REVERB_PORT="${REVERB_PORT}"
VITE_REVERB_SCHEME="${REVERB_SCHEME}"
"#;

const SOKETI: &str = "SOKETI_DEFAULT_APP_ID=soketi-id\nSOKETI_DEFAULT_APP_KEY=soketi-key\n\
                      SOKETI_DEFAULT_APP_SECRET=soketi-secret\nSOKETI_PORT=6001\n";

#[test]
fn each_family_defines_its_app() {
    let cases = [
        (LARAVEL_PUSHER, app("123456", "laravel-key", "laravel secret")),
        (LARAVEL_REVERB, app("reverb-id", "reverb-key", "reverb-secret")),
        (SOKETI, app("soketi-id", "soketi-key", "soketi-secret")),
        (
            "export PUSHER_APP_ID=e\nexport PUSHER_APP_KEY='k'\nPUSHER_APP_SECRET = s\n",
            app("e", "k", "s"),
        ),
    ];
    for (text, expected) in cases {
        assert_eq!(apps_of(text), vec![expected], "{text}");
    }
}

#[test]
fn a_clean_file_earns_no_warning() {
    assert_eq!(warnings_at(LARAVEL_REVERB, 6001), Vec::<String>::new());
    assert_eq!(warnings_at(SOKETI, 6001), Vec::<String>::new());
}

#[test]
fn the_laravel_template_is_warned_about_once_per_mistake() {
    let expected = [
        ".env:7: PUSHER_HOST is empty, so Laravel and the Pusher SDKs connect to Pusher's own \
         servers instead of Switchboard; set PUSHER_HOST=127.0.0.1",
        ".env:8: PUSHER_PORT=443, but Switchboard listens on port 6001; set PUSHER_PORT=6001 or \
         start Switchboard with --port 443",
        ".env:9: PUSHER_SCHEME=https, but Switchboard serves plain ws:// and http:// (no TLS), \
         so clients set up from this file cannot connect; set PUSHER_SCHEME=http",
    ];
    assert_eq!(warnings_at(LARAVEL_PUSHER, 6001), expected);
}

#[test]
fn each_warning_names_the_variable_and_its_line() {
    let base = "PUSHER_APP_ID=i\nPUSHER_APP_KEY=k\nPUSHER_APP_SECRET=s\n";
    let cases = [
        ("REVERB_SCHEME=https", LARAVEL_REVERB.to_owned(), ".env:7: REVERB_SCHEME=https, but"),
        ("", format!("{base}PUSHER_SCHEME=wss\n"), ".env:4: PUSHER_SCHEME=wss, but"),
        ("REVERB_PORT=8080", LARAVEL_REVERB.to_owned(), ".env:6: REVERB_PORT=8080, but Switchboard listens on port 6001"),
        ("", SOKETI.replace("6001", "6002"), ".env:4: SOKETI_PORT=6002, but"),
        ("REVERB_HOST=ws.example.com", LARAVEL_REVERB.to_owned(), ".env:5: REVERB_HOST=ws.example.com is not this machine"),
        ("", format!("{base}PUSHER_HOST=soketi\n"), ".env:4: PUSHER_HOST=soketi is not this machine, so clients will not reach Switchboard here; set PUSHER_HOST=127.0.0.1"),
        ("", format!("{base}VITE_PUSHER_PORT=6002\n"), ".env:4: VITE_PUSHER_PORT=6002, but"),
        ("", format!("{base}VITE_PUSHER_APP_KEY=other\n"), ".env:4: VITE_PUSHER_APP_KEY=other is not the key of any app"),
    ];
    for (line, text, expected) in cases {
        let text = replace_var(&text, line);
        let warnings = warnings_at(&text, 6001);
        assert!(
            warnings.len() == 1 && warnings[0].starts_with(expected),
            "{text}\n{warnings:#?}\nexpected: {expected}"
        );
    }
}

/// `text` with the line defining the variable of `line` (`NAME=value`) replaced by `line`, in
/// place (a definition added after the first would not count); unchanged when `line` is empty.
fn replace_var(text: &str, line: &str) -> String {
    let Some((name, _)) = line.split_once('=') else { return text.to_owned() };
    let prefix = format!("{name}=");
    let lines = text.lines().map(|l| if l.starts_with(&prefix) { line } else { l });
    lines.map(|l| format!("{l}\n")).collect()
}

#[test]
fn ports_are_compared_with_the_one_listened_on() {
    assert!(warnings_at(LARAVEL_REVERB, 6001).is_empty());
    let warnings = warnings_at(LARAVEL_REVERB, 40000);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with(".env:6: REVERB_PORT=6001, but Switchboard listens on port 40000; set REVERB_PORT=40000 or start Switchboard with --port 6001"), "{warnings:?}");
}

#[test]
fn a_front_end_copy_that_differs_is_checked_on_its_own() {
    let text =
        LARAVEL_REVERB.replace("VITE_REVERB_PORT=\"${REVERB_PORT}\"", "VITE_REVERB_PORT=443");
    let warnings = warnings_at(&text, 6001);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with(".env:11: VITE_REVERB_PORT=443, but"), "{warnings:?}");
}

#[test]
fn mixed_families_define_one_app_per_key() {
    let both = format!("{LARAVEL_PUSHER}{LARAVEL_REVERB}{SOKETI}");
    let expected = vec![
        app("123456", "laravel-key", "laravel secret"),
        app("reverb-id", "reverb-key", "reverb-secret"),
        app("soketi-id", "soketi-key", "soketi-secret"),
    ];
    assert_eq!(apps_of(&both), expected);
    let same = "PUSHER_APP_ID=a\nPUSHER_APP_KEY=k\nPUSHER_APP_SECRET=s\n\
                REVERB_APP_ID=a\nREVERB_APP_KEY=k\nREVERB_APP_SECRET=s\n";
    assert_eq!(apps_of(same), vec![app("a", "k", "s")]);
}

#[test]
fn families_that_disagree_are_refused_naming_both_places() {
    let pusher = "PUSHER_APP_ID=a\nPUSHER_APP_KEY=k\nPUSHER_APP_SECRET=s\n";
    let cases = [
        (
            "REVERB_APP_ID=b\nREVERB_APP_KEY=k\nREVERB_APP_SECRET=s\n",
            ".env:4:15: REVERB_APP_ID differs from PUSHER_APP_ID at .env:1:15, but both go with \
             app key \"k\"; one key is one app, so give them the same value or different keys",
        ),
        (
            "REVERB_APP_ID=a\nREVERB_APP_KEY=k\nREVERB_APP_SECRET=t\n",
            ".env:6:19: REVERB_APP_SECRET differs from PUSHER_APP_SECRET at .env:3:19, but both \
             go with app key \"k\"; one key is one app, so give them the same value or different \
             keys",
        ),
        (
            "SOKETI_DEFAULT_APP_ID=a\nSOKETI_DEFAULT_APP_KEY=k2\nSOKETI_DEFAULT_APP_SECRET=s\n",
            ".env:4:23: SOKETI_DEFAULT_APP_ID: app id \"a\" is already used by PUSHER_APP_ID at \
             .env:1:15",
        ),
    ];
    for (more, expected) in cases {
        let error = parse_env(&format!("{pusher}{more}")).err();
        assert_eq!(error.as_deref(), Some(expected));
    }
}

#[test]
fn a_secret_in_conflict_is_never_shown() {
    let text = "PUSHER_APP_ID=a\nPUSHER_APP_KEY=k\nPUSHER_APP_SECRET=first-secret\n\
                REVERB_APP_ID=a\nREVERB_APP_KEY=k\nREVERB_APP_SECRET=second-secret\n";
    let error = parse_env(text).err().unwrap_or_default();
    assert!(!error.contains("first-secret") && !error.contains("second-secret"), "{error}");
}

#[test]
fn an_incomplete_family_is_a_warning_naming_what_is_missing() {
    let text = "PUSHER_APP_ID=\nPUSHER_APP_KEY=k\n\nREVERB_APP_ID=r\nREVERB_APP_KEY=rk\n";
    let layer = parse_env(text).unwrap();
    assert!(layer.apps.is_empty());
    let warnings: Vec<String> =
        layer.file.warnings("127.0.0.1", 6001, &[]).iter().map(ToString::to_string).collect();
    let expected = [
        ".env:2: PUSHER_APP_KEY is set but PUSHER_APP_ID and PUSHER_APP_SECRET are missing or \
         empty, so it defines no app",
        ".env:4: REVERB_APP_ID and REVERB_APP_KEY are set but REVERB_APP_SECRET is missing or \
         empty, so they define no app",
        ".env: defines no app: it has no complete PUSHER_APP_ID/KEY/SECRET, \
         REVERB_APP_ID/KEY/SECRET or SOKETI_DEFAULT_APP_ID/KEY/SECRET",
    ];
    assert_eq!(warnings, expected);
}

#[test]
fn an_untouched_template_family_is_ignored_quietly() {
    let text =
        format!("PUSHER_APP_ID=\nPUSHER_APP_KEY=\nPUSHER_APP_SECRET=\nPUSHER_PORT=443\n{SOKETI}");
    assert_eq!(apps_of(&text), vec![app("soketi-id", "soketi-key", "soketi-secret")]);
    assert!(warnings_at(&text, 6001).is_empty(), "{:?}", warnings_at(&text, 6001));
}

#[test]
fn values_are_interpolated_from_earlier_lines() {
    let text = "SB_TEST_PROJECT=shop\nPUSHER_APP_ID=${SB_TEST_PROJECT}-id\nPUSHER_APP_KEY=\"${SB_TEST_PROJECT}-key\"\n\
                PUSHER_APP_SECRET='${SB_TEST_PROJECT}'\nVITE_PUSHER_APP_KEY=\"${PUSHER_APP_KEY}\"\n";
    assert_eq!(apps_of(text), vec![app("shop-id", "shop-key", "${SB_TEST_PROJECT}")]);
    assert!(warnings_at(text, 6001).is_empty());
}

#[test]
fn the_first_definition_of_a_name_counts() {
    let text = "PUSHER_APP_ID=one\nPUSHER_APP_ID=two\nPUSHER_APP_KEY=k\nPUSHER_APP_SECRET=s\n";
    assert_eq!(apps_of(text), vec![app("one", "k", "s")]);
}

#[test]
fn syntax_errors_name_the_line_without_quoting_it() {
    let multi_line = "A=\"one\ntwo\"\nPUSHER_APP_SECRET=a b\n";
    let cases = [
        ("PUSHER_APP_KEY=k\nPUSHER_APP_SECRET=\"unclosed\nX=1\n", 2),
        ("A=1\nB=c d\n", 2),
        (multi_line, 3),
        ("just words\n", 1),
    ];
    for (text, line) in cases {
        let error = parse_env(text).err().unwrap_or_default();
        let expected = format!(".env:{line}: not a valid .env line; expected NAME=value");
        assert!(error.starts_with(&expected), "{text:?}: {error}");
        assert!(!error.contains("unclosed") && !error.contains("a b"), "{error}");
    }
}

#[test]
fn a_byte_order_mark_is_skipped() {
    let text = format!("\u{feff}{SOKETI}");
    assert_eq!(apps_of(&text), vec![app("soketi-id", "soketi-key", "soketi-secret")]);
}

#[test]
fn debug_output_holds_no_secret() {
    let layer = parse_env(LARAVEL_PUSHER).unwrap();
    let debug = format!("{:?}", layer.file);
    assert!(!debug.contains("laravel secret"), "{debug}");
}

/// With the other sources, through `Settings::load`.
mod loading {
    use super::*;
    use crate::config::{Overrides, Settings};
    use crate::test_files::TestFiles;

    const PUSHER: &str = "PUSHER_APP_ID=p\nPUSHER_APP_KEY=pk\nPUSHER_APP_SECRET=ps\n";
    const TOML_APP: &str = "[[apps]]\nid = \"a\"\nkey = \"k\"\nsecret = \"s\"\n";

    fn load(overrides: Overrides, vars: &[(&str, &str)]) -> Result<Settings, String> {
        let env = |name: &str| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string());
        Settings::load(overrides, &env).map_err(|e| e.to_string())
    }

    fn with_files(config: Option<PathBuf>, env_file: Option<PathBuf>) -> Overrides {
        Overrides { config, env_file, ..Overrides::default() }
    }

    #[test]
    fn env_file_apps_replace_the_default_app() {
        let dir = TestFiles::new();
        let env_file = dir.write(".env", PUSHER);
        let settings = load(with_files(None, Some(env_file.clone())), &[]).unwrap();
        assert_eq!(settings.apps, vec![app("p", "pk", "ps")]);
        assert_eq!(settings.env_file.map(|f| f.path), Some(env_file.clone()));
        let by_var =
            load(Overrides::default(), &[("SWITCHBOARD_ENV_FILE", env_file.to_str().unwrap())]);
        assert_eq!(by_var.unwrap().apps, vec![app("p", "pk", "ps")]);
        let other =
            dir.write("other.env", "REVERB_APP_ID=r\nREVERB_APP_KEY=rk\nREVERB_APP_SECRET=rs\n");
        let flag_wins =
            load(with_files(None, Some(other)), &[("SWITCHBOARD_ENV_FILE", "/nonexistent")]);
        assert_eq!(flag_wins.unwrap().apps, vec![app("r", "rk", "rs")]);
    }

    #[test]
    fn a_missing_env_file_is_a_clear_error() {
        let error = load(with_files(None, Some("/nonexistent/.env".into())), &[]).unwrap_err();
        assert!(error.starts_with("cannot read env file /nonexistent/.env: "), "{error}");
        let empty = load(Overrides::default(), &[("SWITCHBOARD_ENV_FILE", "")]).unwrap_err();
        assert_eq!(empty, "SWITCHBOARD_ENV_FILE=\"\": must not be empty");
    }

    #[test]
    fn env_file_apps_follow_the_config_file_apps_and_precede_the_env_app() {
        let dir = TestFiles::new();
        let overrides =
            with_files(Some(dir.write("s.toml", TOML_APP)), Some(dir.write(".env", PUSHER)));
        let vars = [("SWITCHBOARD_APP_ID", "e"), ("SWITCHBOARD_APP_KEY", "ek")];
        let apps = load(overrides, &vars).unwrap().apps;
        let expected = [app("a", "k", "s"), app("p", "pk", "ps"), app("e", "ek", "app-secret")];
        assert_eq!(apps, expected);
    }

    #[test]
    fn a_credential_used_twice_across_sources_names_both_places() {
        let dir = TestFiles::new();
        let toml = dir.write("s.toml", TOML_APP);
        let clashing =
            dir.write(".env", "PUSHER_APP_ID=a\nPUSHER_APP_KEY=pk\nPUSHER_APP_SECRET=ps\n");
        let error = load(with_files(Some(toml.clone()), Some(clashing.clone())), &[]).unwrap_err();
        let expected = format!(
            "{}:1:15: PUSHER_APP_ID: app id \"a\" is already used by apps[0].id at {}:2:6",
            clashing.display(),
            toml.display()
        );
        assert_eq!(error, expected);
        let env_file = dir.write("p.env", PUSHER);
        let error =
            load(with_files(None, Some(env_file.clone())), &[("SWITCHBOARD_APP_KEY", "pk")]);
        let expected = format!(
            "the app from SWITCHBOARD_APP_ID/KEY/SECRET has key \"pk\", already used by \
             PUSHER_APP_KEY at {}:2:16",
            env_file.display()
        );
        assert_eq!(error.unwrap_err(), expected);
    }

    #[test]
    fn env_switches_apply_to_env_file_apps() {
        let dir = TestFiles::new();
        let overrides =
            with_files(Some(dir.write("s.toml", TOML_APP)), Some(dir.write(".env", PUSHER)));
        let vars = [("SWITCHBOARD_ENABLE_CLIENT_MESSAGES", "false")];
        let apps = load(overrides, &vars).unwrap().apps;
        let flags: Vec<bool> = apps.iter().map(|a| a.enable_client_messages).collect();
        assert_eq!(flags, [true, false]);
    }

    #[test]
    fn warnings_use_the_port_actually_listened_on() {
        let dir = TestFiles::new();
        let env_file = dir.write(".env", &format!("{PUSHER}PUSHER_PORT=6001\n"));
        let settings = load(with_files(None, Some(env_file)), &[]).unwrap();
        assert!(settings.env_file_warnings(6001).is_empty());
        let warnings = settings.env_file_warnings(43210);
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].to_string().contains("listens on port 43210"), "{warnings:?}");
        assert!(Settings::default().env_file_warnings(1).is_empty());
    }
}
