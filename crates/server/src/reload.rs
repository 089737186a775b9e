//! Live reload: watches the config file and the `.env` file and applies what changed to the
//! running server — apps added, changed or removed — without a restart. A refused edit keeps
//! the running configuration and says exactly what is wrong; fixing the file applies it.
//!
//! The parent directories are watched (not the files), so editors that save by writing a new
//! file and renaming it over the old one are seen too. Events are debounced, reads of the
//! files are ignored, and a change that leaves both files' contents as they were is skipped.
//! Every reload attempt, applied or refused, is logged and recorded as an observation.

use std::io;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use notify_debouncer_full::notify::{self, EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};
use switchboard_engine::{Detail, Observation, Origin, ReloadSummary};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::config::{ConfigError, EnvFileWarning, Settings};
use crate::ServerControl;

/// How long the files must stay quiet before they are read again.
pub const DEBOUNCE: Duration = Duration::from_millis(250);

/// Loads the settings again exactly as at start-up: same flags, same environment.
pub type Loader = Arc<dyn Fn() -> Result<Settings, ConfigError> + Send + Sync>;

/// Why the files cannot be watched (live reload is then off; the server still runs).
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot find the folder of {}: {source}", .path.display())]
    Folder {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    #[error("cannot watch {}: {source}", .dir.display())]
    Watch {
        dir: PathBuf,
        #[source]
        source: notify::Error,
    },
}

/// Watching in progress; [`Watcher::stop`] (or dropping it) ends it.
pub struct Watcher {
    debouncer: FileDebouncer,
    task: JoinHandle<()>,
}

impl Watcher {
    pub fn stop(self) {
        self.task.abort();
        self.debouncer.stop_nonblocking();
    }
}

/// Starts watching the config file and the `.env` file that `running` came from, if any.
/// `port` is the port actually listened on (for the `.env` warnings).
pub fn watch(
    control: ServerControl,
    running: Settings,
    port: u16,
    load: Loader,
) -> Result<Option<Watcher>, WatchError> {
    let files: Vec<PathBuf> = running
        .config_path
        .iter()
        .chain(running.env_file.as_ref().map(|f| &f.path))
        .cloned()
        .collect();
    if files.is_empty() {
        return Ok(None);
    }
    let targets = files.iter().map(|path| Target::new(path)).collect::<Result<Vec<_>, _>>()?;
    let (debouncer, changes) = start_debouncer(targets)?;
    let names: Vec<String> = files.iter().map(|f| f.display().to_string()).collect();
    tracing::info!("reloading on changes to {}", names.join(" and "));
    let reloader = Reloader::new(control, running, port, load, files);
    let task = tokio::spawn(reloader.run(changes));
    Ok(Some(Watcher { debouncer, task }))
}

type FileDebouncer = Debouncer<RecommendedWatcher, RecommendedCache>;

/// Watches the targets' folders; each debounced batch of events that may have changed a
/// target sends one `()`.
fn start_debouncer(
    targets: Vec<Target>,
) -> Result<(FileDebouncer, mpsc::UnboundedReceiver<()>), WatchError> {
    let (changed, changes) = mpsc::unbounded_channel();
    let mut dirs: Vec<PathBuf> = targets.iter().map(|t| t.dir.clone()).collect();
    dirs.dedup();
    let handler = move |result: DebounceEventResult| match result {
        Ok(events) if events.iter().any(|e| concerns(&e.event, &targets)) => {
            let _ = changed.send(());
        }
        Ok(_) => {}
        Err(errors) => errors.iter().for_each(|e| tracing::warn!("watching config files: {e}")),
    };
    let watch_error = |dir: &Path| {
        let dir = dir.to_path_buf();
        move |source| WatchError::Watch { dir, source }
    };
    let first = dirs.first().map_or(Path::new("."), PathBuf::as_path);
    let mut debouncer = new_debouncer(DEBOUNCE, None, handler).map_err(watch_error(first))?;
    for dir in &dirs {
        debouncer.watch(dir, RecursiveMode::NonRecursive).map_err(watch_error(dir))?;
    }
    Ok((debouncer, changes))
}

/// A watched file: its folder (absolute, symlinks resolved) and its name.
#[derive(Clone)]
struct Target {
    dir: PathBuf,
    name: std::ffi::OsString,
}

impl Target {
    fn new(path: &Path) -> Result<Self, WatchError> {
        let folder_error = |source| WatchError::Folder { path: path.to_path_buf(), source };
        let name = path.file_name().ok_or_else(|| folder_error(io::ErrorKind::NotFound.into()))?;
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        let dir = parent.canonicalize().map_err(folder_error)?;
        Ok(Self { dir, name: name.to_owned() })
    }

    fn is(&self, path: &Path) -> bool {
        path.file_name() == Some(self.name.as_os_str()) && path.parent() == Some(&self.dir)
    }
}

/// Whether `event` may have changed a watched file. Reads (access events, which include our
/// own reading of the files) do not count.
fn concerns(event: &notify::Event, targets: &[Target]) -> bool {
    let writes = !matches!(event.kind, EventKind::Access(_));
    writes && event.paths.iter().any(|path| targets.iter().any(|t| t.is(path)))
}

/// What one reload attempt did.
#[derive(Debug, PartialEq)]
pub enum Outcome {
    /// Both files read as they were at the last attempt: nothing to do.
    Unchanged,
    /// The new apps are in force; `restart` lists the settings that need a restart.
    Applied { summary: ReloadSummary, restart: Vec<&'static str> },
    /// The files were refused; the running configuration stays.
    Refused(String),
}

/// Owns the running configuration and applies new ones.
pub struct Reloader {
    control: ServerControl,
    /// The settings in force: the start-up ones with the apps of the last applied reload.
    running: Settings,
    port: u16,
    load: Loader,
    files: Vec<PathBuf>,
    /// The files' contents at the last attempt (`None` for a file that could not be read).
    contents: Vec<Option<Vec<u8>>>,
    /// `.env` warnings already given, so a reload repeats none of them.
    warned: Vec<EnvFileWarning>,
}

impl Reloader {
    pub fn new(
        control: ServerControl,
        running: Settings,
        port: u16,
        load: Loader,
        files: Vec<PathBuf>,
    ) -> Self {
        let contents = read_all(&files);
        let warned = running.env_file_warnings(port);
        Self { control, running, port, load, files, contents, warned }
    }

    async fn run(mut self, mut changes: mpsc::UnboundedReceiver<()>) {
        while changes.recv().await.is_some() {
            while changes.try_recv().is_ok() {}
            self.reload().await;
        }
    }

    /// Reads the files again and applies them if they changed.
    pub async fn reload(&mut self) -> Outcome {
        let contents = read_all(&self.files);
        if contents == self.contents {
            return Outcome::Unchanged;
        }
        self.contents = contents;
        self.reload_now().await
    }

    /// Loads the settings and applies them, whatever the files hold.
    pub async fn reload_now(&mut self) -> Outcome {
        let load = Arc::clone(&self.load);
        let loaded = tokio::task::spawn_blocking(move || load()).await;
        match loaded {
            Ok(Ok(settings)) => self.apply(settings).await,
            Ok(Err(error)) => self.refuse(error.to_string()),
            Err(panic) => self.refuse(format!("the config loader failed: {panic}")),
        }
    }

    async fn apply(&mut self, loaded: Settings) -> Outcome {
        let restart = needs_restart(&self.running, &loaded);
        let Some(summary) = self.control.reconfigure(loaded.apps.clone()).await else {
            return Outcome::Refused("the server is shutting down".to_owned());
        };
        let mut text = describe(&summary);
        if !restart.is_empty() {
            let what = restart.join(", ");
            tracing::warn!("config changes that take effect only after a restart: {what}");
            text.push_str(&format!("; needs a restart: {what}"));
        }
        tracing::info!("config reloaded: {text}");
        self.observe(text, None);
        self.running.apps = loaded.apps;
        self.running.env_file = loaded.env_file;
        self.warn_env_file();
        Outcome::Applied { summary, restart }
    }

    fn refuse(&self, error: String) -> Outcome {
        tracing::warn!("config not reloaded, the running one stays: {error}");
        self.observe("refused; the running configuration stays".to_owned(), Some(error.clone()));
        Outcome::Refused(error)
    }

    fn observe(&self, summary: String, error: Option<String>) {
        let detail = Detail::ConfigReloaded { summary, error };
        self.control.hub().observe(Observation::new(Origin::Config, detail));
    }

    /// Logs the `.env` warnings not given before.
    fn warn_env_file(&mut self) {
        let now = self.running.env_file_warnings(self.port);
        for warning in now.iter().filter(|w| !self.warned.contains(w)) {
            tracing::warn!("{warning}");
        }
        self.warned = now;
    }
}

fn read_all(files: &[PathBuf]) -> Vec<Option<Vec<u8>>> {
    files.iter().map(|path| std::fs::read(path).ok()).collect()
}

/// The settings that changed but cannot change in a running server.
fn needs_restart(running: &Settings, loaded: &Settings) -> Vec<&'static str> {
    let limits = (&running.limits, &loaded.limits);
    let checks = [
        ("host", running.host != loaded.host),
        ("port", running.port != loaded.port),
        ("activity_timeout", limits.0.activity_timeout_secs != limits.1.activity_timeout_secs),
        ("pong_timeout", limits.0.pong_timeout_secs != limits.1.pong_timeout_secs),
        (
            "user_authentication_timeout",
            limits.0.user_authentication_timeout_secs != limits.1.user_authentication_timeout_secs,
        ),
        (
            "max_message_size_in_kb",
            limits.0.max_message_size_in_kb != limits.1.max_message_size_in_kb,
        ),
        ("[webhooks]", running.webhooks != loaded.webhooks),
    ];
    checks.into_iter().filter_map(|(name, changed)| changed.then_some(name)).collect()
}

/// `added c; changed a, b; closed 2 sockets`, or `no app changed`.
fn describe(summary: &ReloadSummary) -> String {
    let lists =
        [("added", &summary.added), ("changed", &summary.changed), ("removed", &summary.removed)];
    let mut parts: Vec<String> = lists
        .iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(verb, ids)| format!("{verb} {}", ids.join(", ")))
        .collect();
    match summary.closed_sockets {
        0 => {}
        1 => parts.push("closed 1 socket".to_owned()),
        n => parts.push(format!("closed {n} sockets")),
    }
    if parts.is_empty() {
        "no app changed".to_owned()
    } else {
        parts.join("; ")
    }
}

#[cfg(test)]
mod tests;
