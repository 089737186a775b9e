//! Starting and stopping one Switchboard: settings → `Server::bind` → the inspector attached
//! → its routes merged → served on a task → live reload. [`Running::shutdown`] closes clients
//! with 4200, gives webhooks their deadline, stops the reload watcher and flushes the
//! recorder. `switchboard serve` and the desktop app both start the server through here.

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use axum::Router;
use switchboard_inspector::api::guard::Access;
use switchboard_inspector::api::ServerInfo;
use switchboard_inspector::attach::{attach, AttachError, InspectorOptions, ServerSide};
use switchboard_inspector::recorder::RecorderHandle;
use switchboard_inspector::store::Retention;
use switchboard_server::config::Settings;
use switchboard_server::reload::{self, Loader, Outcome, Reloader, Watcher};
use switchboard_server::{ServeError, Server, ServerControl};
use tokio::sync::oneshot;
use tokio::task::{JoinError, JoinHandle};

/// How the inspector records what passes through the server.
#[derive(Debug, Clone)]
pub struct Recording {
    /// Observations at all (`serve --no-record` turns them off; leaner for benchmarks).
    pub enabled: bool,
    /// Where sessions are kept; `None` keeps records in memory only.
    pub data_dir: Option<PathBuf>,
    pub retention: Retention,
}

/// A change made to the inspector's routes before they join the server's (the desktop app
/// adds its security headers there).
pub type RouteLayer = fn(Router) -> Router;

/// Everything needed to start: the settings, how to load them again on a file change, how
/// to record.
pub struct Launch {
    pub settings: Settings,
    /// Loads the settings again exactly as at start-up (live reload).
    pub load: Loader,
    pub recording: Recording,
    pub inspector_routes: Option<RouteLayer>,
}

/// Why a Switchboard could not start or did not stop cleanly.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("cannot listen on {host}:{port}: address already in use")]
    AddressInUse { host: String, port: u16 },
    #[error(transparent)]
    Serve(#[from] ServeError),
    #[error("cannot start the recorder: {0}")]
    Inspector(#[from] AttachError),
    #[error("the server task ended abnormally: {0}")]
    Task(#[from] JoinError),
}

/// A started Switchboard: where it listens and the handles the binaries need.
pub struct Running {
    addr: SocketAddr,
    token: Option<String>,
    settings: Settings,
    control: ServerControl,
    recorder: RecorderHandle,
    stop: Option<oneshot::Sender<()>>,
    served: JoinHandle<Result<(), ServeError>>,
    watcher: Option<Watcher>,
}

/// Where the settings come from again (config file, `.env`), for a running server.
fn watched_files(settings: &Settings) -> Vec<PathBuf> {
    let env_file = settings.env_file.as_ref().map(|f| f.path.clone());
    settings.config_path.iter().cloned().chain(env_file).collect()
}

impl Launch {
    /// Binds, attaches the inspector (before traffic flows, so no observation is missed),
    /// starts serving on a task and watches the config files.
    pub async fn start(self) -> Result<Running, LaunchError> {
        let Launch { settings, load, recording, inspector_routes } = self;
        let server = Server::bind(settings.clone()).await.map_err(|error| match error {
            ServeError::AddressInUse { .. } => {
                LaunchError::AddressInUse { host: url_host(&settings.host), port: settings.port }
            }
            other => LaunchError::Serve(other),
        })?;
        if !recording.enabled {
            server.control().hub().set_recording(false);
        }
        let token = (!is_loopback(&settings.host)).then(new_token);
        let options = inspector_options(&server, &settings.host, &recording, token.clone());
        let attached = attach(options, server_side(&server)).await?;
        let routes =
            inspector_routes.map_or(attached.router.clone(), |layer| layer(attached.router));
        let server = server.with_routes(routes);
        let (addr, control) = (server.local_addr(), server.control());
        let (stop, stopped) = oneshot::channel::<()>();
        let served = tokio::spawn(server.run_until(async move {
            let _ = stopped.await;
        }));
        let watcher = start_reload(control.clone(), settings.clone(), addr.port(), load);
        tracing::info!("listening on {addr}");
        let recorder = attached.recorder;
        let stop = Some(stop);
        Ok(Running { addr, token, settings, control, recorder, stop, served, watcher })
    }
}

impl Running {
    /// The address actually listened on (the port is the OS's pick when 0 was asked).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The inspector's token, when the server listens beyond loopback.
    pub fn token(&self) -> Option<&str> {
        self.token.as_deref()
    }

    /// The settings the server started with.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Changes the running server (apps, recording, metrics).
    pub fn control(&self) -> &ServerControl {
        &self.control
    }

    pub fn recorder(&self) -> &RecorderHandle {
        &self.recorder
    }

    /// Serves until `signal` resolves (or the server fails), then shuts down.
    pub async fn until(mut self, signal: impl Future<Output = ()>) -> Result<(), LaunchError> {
        tokio::select! {
            () = signal => self.shutdown().await,
            result = &mut self.served => {
                self.stop_watching();
                self.flush().await;
                result??;
                Ok(())
            }
        }
    }

    /// Closes clients with 4200, lets webhooks go out (bounded), stops the reload watcher and
    /// flushes the recorder (ending its session).
    pub async fn shutdown(mut self) -> Result<(), LaunchError> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        let result = (&mut self.served).await;
        self.stop_watching();
        self.flush().await;
        tracing::info!("stopped");
        result??;
        Ok(())
    }

    /// Stops watching the config files (until [`Running::reload_with`]).
    pub fn stop_watching(&mut self) {
        if let Some(watcher) = self.watcher.take() {
            watcher.stop();
        }
    }

    /// Loads the settings with `load` from now on (the desktop app's choice of `.env` file
    /// changed): applies their apps now, recorded like any reload, and watches their files.
    pub async fn reload_with(&mut self, load: Loader) -> Outcome {
        self.stop_watching();
        let port = self.addr.port();
        let loaded = load();
        let files = watched_files(loaded.as_ref().unwrap_or(&self.settings));
        let mut reloader =
            Reloader::new(self.control.clone(), self.settings.clone(), port, load.clone(), files);
        let outcome = reloader.reload_now().await;
        if let (Ok(loaded), Outcome::Applied { .. }) = (loaded, &outcome) {
            self.settings.apps = loaded.apps;
            self.settings.env_file = loaded.env_file;
            self.settings.config_path = loaded.config_path;
        }
        self.watcher = start_reload(self.control.clone(), self.settings.clone(), port, load);
        outcome
    }

    async fn flush(&self) {
        if let Err(error) = self.recorder.shutdown().await {
            tracing::warn!("the recorder did not shut down cleanly: {error}");
        }
    }
}

/// Watches the config and `.env` files, if any; without a watcher the server still runs.
fn start_reload(
    control: ServerControl,
    settings: Settings,
    port: u16,
    load: Loader,
) -> Option<Watcher> {
    match reload::watch(control, settings, port, load) {
        Ok(watcher) => watcher,
        Err(error) => {
            tracing::warn!("live reload is off: {error}");
            None
        }
    }
}

fn inspector_options(
    server: &Server,
    host: &str,
    recording: &Recording,
    token: Option<String>,
) -> InspectorOptions {
    let (shown, port) = (url_host(host), server.local_addr().port());
    let info = ServerInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        ws_url: format!("ws://{shown}:{port}"),
        http_url: format!("http://{shown}:{port}"),
    };
    InspectorOptions {
        data_dir: recording.data_dir.clone(),
        retention: recording.retention,
        access: Access { token },
        info,
    }
}

/// Two subscriptions to the observation bus, taken before traffic flows, and the control link.
fn server_side(server: &Server) -> ServerSide {
    let control = server.control();
    let hub = control.hub();
    ServerSide {
        records: hub.observations(),
        stats: hub.observations(),
        control: hub.control_link(),
    }
}

/// The headless binary's folder for sessions: the platform's app-data folder (e.g.
/// `~/.local/share/switchboard`); `None` without a home directory.
pub fn default_data_dir() -> Option<PathBuf> {
    let dirs = directories::ProjectDirs::from("dev", "Switchboard", "switchboard")?;
    Some(dirs.data_dir().to_path_buf())
}

/// A host as it appears in a URL: IPv6 literals go in brackets.
pub fn url_host(host: &str) -> String {
    if host.contains(':') && !host.starts_with('[') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// `localhost` or a loopback address (bracketed or not).
pub fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn new_token() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn launch(settings: Settings) -> Launch {
        let again = settings.clone();
        Launch {
            settings,
            load: Arc::new(move || Ok(again.clone())),
            recording: Recording { enabled: true, data_dir: None, retention: Retention::default() },
            inspector_routes: None,
        }
    }

    fn free_settings() -> Settings {
        Settings { port: 0, ..Settings::default() }
    }

    #[test]
    fn hosts_in_urls_and_loopback_names() {
        assert_eq!(url_host("::1"), "[::1]");
        assert_eq!(url_host("127.0.0.1"), "127.0.0.1");
        for (host, loopback) in
            [("localhost", true), ("127.0.0.1", true), ("[::1]", true), ("0.0.0.0", false)]
        {
            assert_eq!(is_loopback(host), loopback, "{host}");
        }
    }

    #[tokio::test]
    async fn starts_serves_and_stops() {
        let running = launch(free_settings()).start().await.unwrap();
        assert_ne!(running.addr().port(), 0);
        assert!(running.token().is_none());
        let metrics = running.control().hub().metrics().await;
        assert!(metrics.is_some());
        let stream = tokio::net::TcpStream::connect(running.addr()).await;
        assert!(stream.is_ok());
        tokio::time::timeout(std::time::Duration::from_secs(10), running.shutdown())
            .await
            .unwrap()
            .unwrap();
    }

    #[tokio::test]
    async fn a_taken_port_is_reported_as_such() {
        let first = launch(free_settings()).start().await.unwrap();
        let taken = Settings { port: first.addr().port(), ..Settings::default() };
        match launch(taken).start().await {
            Err(LaunchError::AddressInUse { host, port }) => {
                assert_eq!((host.as_str(), port), ("127.0.0.1", first.addr().port()));
            }
            Err(other) => panic!("expected AddressInUse, got {other}"),
            Ok(_) => panic!("the port was taken"),
        }
        first.shutdown().await.unwrap();
    }
}
