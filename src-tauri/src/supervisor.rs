//! The supervisor: the one task that owns the running server (a `switchboard::launch`
//! `Running`). Commands, menus and the tray ask it to start, restart, save settings, pause
//! recording or stop; everyone else follows its [`Status`] through a `watch` channel.

use std::net::SocketAddr;
use std::sync::Arc;

use switchboard::launch::{Launch, LaunchError, RouteLayer, Running};
use switchboard_server::ServerControl;
use tokio::sync::{mpsc, oneshot, watch};
use url::Url;

use crate::error::{SettingsError, SupervisorError};
use crate::port::suggest_port;
use crate::settings::{self, DesktopFile, Paths, SettingsEdit};

/// What the app is doing, as the window, the tray and the start-up page see it.
#[derive(Clone, Default)]
pub enum Status {
    #[default]
    Starting,
    Running(Arc<Served>),
    /// The port is held by another program; `suggestion` is a free one nearby.
    PortTaken {
        host: String,
        port: u16,
        suggestion: Option<u16>,
    },
    /// The settings were refused or the server could not start.
    Failed(String),
    Stopped,
}

/// A running server as the desktop sees it.
pub struct Served {
    pub addr: SocketAddr,
    /// The inspector UI, as the window loads it (with `?token=` when the guard needs one).
    pub page: Url,
    /// The server's own origin, for API calls (`http://127.0.0.1:6001/`).
    pub origin: Url,
    pub token: Option<String>,
    pub control: ServerControl,
    /// Where clients connect: host as written in a URL, and the port.
    pub client_host: String,
}

enum Request {
    Start(oneshot::Sender<()>),
    UsePort(u16, oneshot::Sender<Result<(), SettingsError>>),
    Save(Box<SettingsEdit>, oneshot::Sender<Result<(), SettingsError>>),
    Recording(bool),
    Stop(oneshot::Sender<()>),
}

/// A cheap, cloneable handle to the supervisor.
#[derive(Clone)]
pub struct Supervisor {
    requests: mpsc::UnboundedSender<Request>,
    status: watch::Receiver<Status>,
    recording: watch::Receiver<bool>,
    paths: Paths,
}

impl Supervisor {
    /// Starts the supervisor task on the current tokio runtime; nothing runs until
    /// [`Supervisor::start`].
    pub fn spawn(paths: Paths, routes: RouteLayer) -> Self {
        let (requests, inbox) = mpsc::unbounded_channel();
        let (status_tx, status) = watch::channel(Status::Starting);
        let (recording_tx, recording) = watch::channel(true);
        let owner = Owner {
            paths: paths.clone(),
            routes,
            running: None,
            status: status_tx,
            recording: recording_tx,
        };
        tokio::spawn(owner.run(inbox));
        Self { requests, status, recording, paths }
    }

    pub fn paths(&self) -> &Paths {
        &self.paths
    }

    pub fn status(&self) -> watch::Receiver<Status> {
        self.status.clone()
    }

    /// The server, if it runs.
    pub fn served(&self) -> Option<Arc<Served>> {
        match &*self.status.borrow() {
            Status::Running(served) => Some(Arc::clone(served)),
            _ => None,
        }
    }

    /// Whether observations are recorded (the tray's pause/resume).
    pub fn recording(&self) -> watch::Receiver<bool> {
        self.recording.clone()
    }

    /// (Re)starts the server with the saved settings; resolves once it runs or failed.
    pub async fn start(&self) -> Result<(), SupervisorError> {
        self.ask(Request::Start).await
    }

    /// Saves `port` in the settings and starts the server on it.
    pub async fn use_port(&self, port: u16) -> Result<(), SupervisorError> {
        Ok(self.ask(|reply| Request::UsePort(port, reply)).await??)
    }

    /// Saves the settings and applies them: apps and the `.env` live, host, port and the
    /// recording settings by restarting the listener.
    pub async fn save(&self, edit: SettingsEdit) -> Result<(), SupervisorError> {
        Ok(self.ask(|reply| Request::Save(Box::new(edit), reply)).await??)
    }

    pub fn set_recording(&self, on: bool) {
        let _ = self.requests.send(Request::Recording(on));
    }

    /// Stops the server: clients closed with 4200, webhooks flushed, recorder flushed.
    pub async fn stop(&self) {
        let _ = self.ask(Request::Stop).await;
    }

    async fn ask<T>(
        &self,
        request: impl FnOnce(oneshot::Sender<T>) -> Request,
    ) -> Result<T, SupervisorError> {
        let (reply, answer) = oneshot::channel();
        self.requests.send(request(reply)).map_err(|_| SupervisorError::Gone)?;
        answer.await.map_err(|_| SupervisorError::Gone)
    }
}

struct Owner {
    paths: Paths,
    routes: RouteLayer,
    running: Option<Running>,
    status: watch::Sender<Status>,
    recording: watch::Sender<bool>,
}

impl Owner {
    async fn run(mut self, mut inbox: mpsc::UnboundedReceiver<Request>) {
        while let Some(request) = inbox.recv().await {
            match request {
                Request::Start(reply) => {
                    self.restart().await;
                    let _ = reply.send(());
                }
                Request::UsePort(port, reply) => {
                    let _ = reply.send(self.use_port(port).await);
                }
                Request::Save(edit, reply) => {
                    let _ = reply.send(self.save(&edit).await);
                }
                Request::Recording(on) => self.set_recording(on),
                Request::Stop(reply) => {
                    self.stop().await;
                    self.status.send_replace(Status::Stopped);
                    let _ = reply.send(());
                }
            }
        }
        self.stop().await;
    }

    async fn stop(&mut self) {
        if let Some(running) = self.running.take() {
            if let Err(error) = running.shutdown().await {
                tracing::warn!("the server did not stop cleanly: {error}");
            }
        }
    }

    async fn restart(&mut self) {
        self.stop().await;
        self.status.send_replace(Status::Starting);
        let status = self.launch().await;
        match &status {
            Status::PortTaken { host, port, suggestion } => {
                tracing::warn!("port {port} on {host} is taken; offering {suggestion:?}");
            }
            Status::Failed(error) => tracing::error!("the server cannot start: {error}"),
            _ => {}
        }
        self.status.send_replace(status);
    }

    async fn launch(&mut self) -> Status {
        let desktop = match DesktopFile::read(&self.paths.desktop) {
            Ok(desktop) => desktop,
            Err(error) => return Status::Failed(error.to_string()),
        };
        let load = settings::loader(&self.paths.server, desktop.env_file.as_deref());
        let settings = match load() {
            Ok(settings) => settings,
            Err(error) => return Status::Failed(error.to_string()),
        };
        let host = settings.host.clone();
        let mut recording = desktop.recording(&self.paths);
        recording.enabled = *self.recording.borrow();
        let launch = Launch { settings, load, recording, inspector_routes: Some(self.routes) };
        match launch.start().await {
            Ok(running) => self.running_status(running),
            Err(LaunchError::AddressInUse { port, .. }) => {
                let suggestion = suggest_port(&host, port);
                Status::PortTaken { host, port, suggestion }
            }
            Err(error) => Status::Failed(error.to_string()),
        }
    }

    fn running_status(&mut self, running: Running) -> Status {
        let served = Served::of(&running);
        for warning in running.settings().env_file_warnings(running.addr().port()) {
            tracing::warn!("{warning}");
        }
        self.running = Some(running);
        match served {
            Ok(served) => Status::Running(Arc::new(served)),
            Err(error) => Status::Failed(error),
        }
    }

    async fn use_port(&mut self, port: u16) -> Result<(), SettingsError> {
        let view = settings::view(&self.paths)?;
        let mut edit = SettingsEdit::from_view(&view);
        edit.port = port;
        settings::prepare(&self.paths, &edit)?.write()?;
        self.restart().await;
        Ok(())
    }

    async fn save(&mut self, edit: &SettingsEdit) -> Result<(), SettingsError> {
        let before =
            (settings::file_settings(&self.paths)?, DesktopFile::read(&self.paths.desktop)?);
        let prepared = settings::prepare(&self.paths, edit)?;
        let desktop = edit.desktop();
        let listener = before.0.host != edit.host.trim() || before.0.port != edit.port;
        let recorder =
            before.1.data_dir != desktop.data_dir || before.1.retention() != desktop.retention();
        match self.running.as_mut() {
            Some(running) if !listener && !recorder => {
                running.stop_watching();
                let written = prepared.write();
                let load = settings::loader(&self.paths.server, desktop.env_file.as_deref());
                let outcome = running.reload_with(load).await;
                tracing::info!("settings saved: {outcome:?}");
                written
            }
            _ => {
                prepared.write()?;
                self.restart().await;
                Ok(())
            }
        }
    }

    fn set_recording(&mut self, on: bool) {
        self.recording.send_replace(on);
        if let Some(running) = &self.running {
            running.control().hub().set_recording(on);
        }
    }
}

impl Served {
    fn of(running: &Running) -> Result<Self, String> {
        let addr = running.addr();
        let host = window_host(addr);
        let origin = Url::parse(&format!("http://{host}:{}/", addr.port()))
            .map_err(|e| format!("cannot make the inspector's URL: {e}"))?;
        let mut page = origin.clone();
        if let Some(token) =
            running.token().filter(|_| !addr.ip().is_loopback() && !addr.ip().is_unspecified())
        {
            page.query_pairs_mut().append_pair("token", token);
        }
        let client_host = switchboard::launch::url_host(&running.settings().host);
        Ok(Self {
            addr,
            page,
            origin,
            token: running.token().map(str::to_owned),
            control: running.control().clone(),
            client_host,
        })
    }
}

/// The host the window uses: loopback when the server listens on every address (no token
/// needed then), else the address it listens on.
fn window_host(addr: SocketAddr) -> String {
    match addr.ip() {
        ip if ip.is_unspecified() && ip.is_ipv6() => "[::1]".to_owned(),
        ip if ip.is_unspecified() => "127.0.0.1".to_owned(),
        ip if ip.is_ipv6() => format!("[{ip}]"),
        ip => ip.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_uses_loopback_for_every_address() {
        let cases = [
            ("0.0.0.0:6001", "127.0.0.1"),
            ("[::]:6001", "[::1]"),
            ("127.0.0.1:6001", "127.0.0.1"),
            ("192.168.1.4:6001", "192.168.1.4"),
            ("[::1]:6001", "[::1]"),
        ];
        for (addr, host) in cases {
            assert_eq!(window_host(addr.parse().unwrap()), host, "{addr}");
        }
    }
}
