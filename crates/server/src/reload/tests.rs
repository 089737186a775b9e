//! Reload logic against a real (bound, not serving) server, and one watcher on a real file.

use std::sync::Mutex;

use notify::event::{AccessKind, CreateKind, ModifyKind};
use switchboard_engine::config::AppConfig;
use switchboard_proto::{AppId, AppKey, AppSecret};
use tokio::sync::broadcast;
use tokio::time::timeout;

use super::*;
use crate::config::Overrides;
use crate::test_files::TestFiles;
use crate::Server;

const TWO_APPS: &str = "[[apps]]\nid = \"a\"\nkey = \"ak\"\nsecret = \"as\"\n\n\
                        [[apps]]\nid = \"b\"\nkey = \"bk\"\nsecret = \"bs\"\n";

fn app(id: &str, key: &str, secret: &str) -> AppConfig {
    let (id, key) = (AppId::new(id).unwrap(), AppKey::new(key).unwrap());
    AppConfig::with_credentials(id, key, AppSecret::new(secret).unwrap())
}

async fn bound() -> Server {
    let settings = Settings { port: 0, ..Settings::default() };
    Server::bind(settings).await.unwrap()
}

/// A loader that reads TOML text the test can change, as `s.toml`.
fn text_loader(text: &Arc<Mutex<String>>) -> Loader {
    let text = Arc::clone(text);
    Arc::new(move || Settings::from_toml_str(&text.lock().unwrap(), Path::new("s.toml")))
}

/// The next `ConfigReloaded` observation as `(summary, error)`.
async fn next_reload(bus: &mut broadcast::Receiver<Arc<Observation>>) -> (String, Option<String>) {
    let wait = async {
        loop {
            let observation = bus.recv().await.unwrap();
            if let Detail::ConfigReloaded { summary, error } = &observation.detail {
                assert_eq!(observation.origin, Origin::Config);
                return (summary.clone(), error.clone());
            }
        }
    };
    timeout(Duration::from_secs(10), wait).await.expect("a config_reloaded observation")
}

#[test]
fn summaries_read_plainly() {
    let summary = |added: &[&str], changed: &[&str], removed: &[&str], closed| ReloadSummary {
        added: added.iter().map(|s| s.to_string()).collect(),
        changed: changed.iter().map(|s| s.to_string()).collect(),
        removed: removed.iter().map(|s| s.to_string()).collect(),
        closed_sockets: closed,
    };
    let cases = [
        (summary(&[], &[], &[], 0), "no app changed"),
        (summary(&["c"], &[], &[], 0), "added c"),
        (
            summary(&["c"], &["a", "b"], &["d"], 1),
            "added c; changed a, b; removed d; closed 1 socket",
        ),
        (summary(&[], &["a"], &[], 3), "changed a; closed 3 sockets"),
    ];
    for (summary, expected) in cases {
        assert_eq!(describe(&summary), expected);
    }
}

#[test]
fn server_settings_that_need_a_restart_are_named() {
    let running = Settings::default();
    let mut moved = running.clone();
    moved.host = "0.0.0.0".into();
    moved.port = 7000;
    moved.limits.pong_timeout_secs = 3;
    let mut apps_only = running.clone();
    apps_only.apps = vec![app("x", "xk", "xs")];
    assert_eq!(needs_restart(&running, &moved), ["host", "port", "pong_timeout"]);
    assert!(needs_restart(&running, &apps_only).is_empty());
}

#[test]
fn only_writes_to_the_watched_files_count() {
    let dir = std::env::temp_dir();
    let target = Target { dir: dir.clone(), name: "switchboard.toml".into() };
    let event = |kind, name: &str| notify::Event::new(kind).add_path(dir.join(name));
    let cases = [
        (event(EventKind::Modify(ModifyKind::Any), "switchboard.toml"), true),
        (event(EventKind::Create(CreateKind::File), "switchboard.toml"), true),
        (event(EventKind::Access(AccessKind::Any), "switchboard.toml"), false),
        (event(EventKind::Modify(ModifyKind::Any), "other.toml"), false),
        (event(EventKind::Modify(ModifyKind::Any), "sub/switchboard.toml"), false),
    ];
    for (event, expected) in cases {
        assert_eq!(concerns(&event, std::slice::from_ref(&target)), expected, "{event:?}");
    }
}

#[tokio::test]
async fn applies_good_settings_and_keeps_the_running_ones_on_refusal() {
    let server = bound().await;
    let mut bus = server.control().hub().observations();
    let text = Arc::new(Mutex::new(TWO_APPS.to_owned()));
    let mut reloader =
        Reloader::new(server.control(), Settings::default(), 6001, text_loader(&text), Vec::new());

    let outcome = reloader.reload_now().await;
    let summary = ReloadSummary {
        added: vec!["a".into(), "b".into()],
        removed: vec!["app-id".into()],
        ..ReloadSummary::default()
    };
    assert_eq!(outcome, Outcome::Applied { summary, restart: Vec::new() });
    assert_eq!(next_reload(&mut bus).await, ("added a, b; removed app-id".to_owned(), None));

    *text.lock().unwrap() = TWO_APPS.replace("\"bs\"", "12");
    let error = "s.toml:9:10: apps[1].secret: expected a non-empty string (value not shown)";
    assert_eq!(reloader.reload_now().await, Outcome::Refused(error.to_owned()));
    let refused = ("refused; the running configuration stays".to_owned(), Some(error.to_owned()));
    assert_eq!(next_reload(&mut bus).await, refused);
    assert_eq!(reloader.running.apps, vec![app("a", "ak", "as"), app("b", "bk", "bs")]);

    *text.lock().unwrap() = format!("port = 7000\n{}", TWO_APPS.replace("\"bs\"", "\"bs2\""));
    let outcome = reloader.reload_now().await;
    let summary = ReloadSummary { changed: vec!["b".into()], ..ReloadSummary::default() };
    assert_eq!(outcome, Outcome::Applied { summary, restart: vec!["port"] });
    let applied = ("changed b; needs a restart: port".to_owned(), None);
    assert_eq!(next_reload(&mut bus).await, applied);
}

#[tokio::test]
async fn unchanged_files_are_not_reloaded() {
    let dir = TestFiles::new();
    let path = dir.write("switchboard.toml", TWO_APPS);
    let server = bound().await;
    let text = Arc::new(Mutex::new(TWO_APPS.to_owned()));
    let load = text_loader(&text);
    let mut reloader = Reloader::new(server.control(), Settings::default(), 0, load, vec![path]);
    assert_eq!(reloader.reload().await, Outcome::Unchanged);
    dir.write("switchboard.toml", "port = 1\n");
    assert!(matches!(reloader.reload().await, Outcome::Applied { .. }));
    assert_eq!(reloader.reload().await, Outcome::Unchanged);
}

#[tokio::test]
async fn editing_the_watched_file_reloads_it() {
    let dir = TestFiles::new();
    let path = dir.write("switchboard.toml", TWO_APPS);
    let overrides = Overrides { config: Some(path.clone()), port: Some(0), ..Overrides::default() };
    let load: Loader = Arc::new(move || Settings::load(overrides.clone(), &|_| None));
    let settings = load().unwrap();
    let server = Server::bind(settings.clone()).await.unwrap();
    let mut bus = server.control().hub().observations();
    let watcher = watch(server.control(), settings, 0, load).unwrap().expect("a watcher");

    let three = format!("{TWO_APPS}\n[[apps]]\nid = \"c\"\nkey = \"ck\"\nsecret = \"cs\"\n");
    dir.write("switchboard.toml", &three);
    assert_eq!(next_reload(&mut bus).await, ("added c".to_owned(), None));

    // Saved the way many editors do: a new file renamed over the old one.
    let staged = dir.write(".switchboard.toml.swp", TWO_APPS);
    std::fs::rename(staged, &path).unwrap();
    assert_eq!(next_reload(&mut bus).await, ("removed c".to_owned(), None));
    watcher.stop();
}
