//! switchboard-server — thin I/O around the engine: the listener, WebSocket connection
//! tasks, the hub task that owns the engine, the HTTP API, health and metrics, config.

pub mod config;
pub mod http_api;
pub mod hub;
pub mod metrics;
pub mod reload;
#[cfg(test)]
mod test_files;
pub mod webhooks;
pub mod wire;
mod ws;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{any, get};
use axum::Router;
use switchboard_engine::config::AppConfig;
use switchboard_engine::Engine;
use switchboard_engine::ReloadSummary;
use tokio::net::TcpListener;
use tokio::sync::watch;

use crate::config::Settings;
use crate::http_api::auth::AppDirectory;
use crate::hub::HubHandle;
use crate::webhooks::{WebhookError, WebhookQueue, WebhookSender};

/// How long clients get to receive their 4200 close on shutdown.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(3);
/// How long pending webhooks get to go out on shutdown.
const WEBHOOK_FLUSH_DEADLINE: Duration = Duration::from_secs(2);

/// Shared by every request handler: cheap to clone.
#[derive(Clone)]
pub struct AppContext {
    pub hub: HubHandle,
    /// The app table for HTTP signature checks; replaced on reload.
    pub apps: watch::Receiver<Arc<AppDirectory>>,
    pub max_message_bytes: usize,
}

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error("cannot listen on {addr}: address already in use")]
    AddressInUse { addr: String },
    #[error("cannot listen on {addr}: {source}")]
    Bind { addr: String, source: std::io::Error },
    #[error("server error: {0}")]
    Io(#[from] std::io::Error),
    #[error(transparent)]
    Webhooks(#[from] WebhookError),
}

/// A bound, not yet running server.
pub struct Server {
    listener: TcpListener,
    router: Router,
    control: ServerControl,
    webhooks: WebhookSender,
}

/// Changes a running server: cheap to clone, usable from any task.
#[derive(Clone)]
pub struct ServerControl {
    hub: HubHandle,
    apps: Arc<watch::Sender<Arc<AppDirectory>>>,
}

impl ServerControl {
    /// Applies a new app table to the protocol engine and the HTTP API together.
    pub async fn reconfigure(&self, apps: Vec<AppConfig>) -> Option<ReloadSummary> {
        self.apps.send_replace(AppDirectory::new(apps.clone()));
        self.hub.reconfigure(apps).await
    }

    pub fn hub(&self) -> &HubHandle {
        &self.hub
    }
}

impl Server {
    /// Binds the listener and starts the hub.
    pub async fn bind(settings: Settings) -> Result<Server, ServeError> {
        let addr = format!("{}:{}", settings.host, settings.port);
        let listener = TcpListener::bind(&addr).await.map_err(|source| match source.kind() {
            std::io::ErrorKind::AddrInUse => ServeError::AddressInUse { addr: addr.clone() },
            _ => ServeError::Bind { addr: addr.clone(), source },
        })?;
        let max_message_bytes = settings.limits.max_message_size_in_kb as usize * 1024;
        let (apps_tx, apps) = watch::channel(AppDirectory::new(settings.apps.clone()));
        let (queue, inbox) = WebhookQueue::new(settings.webhooks.queue_capacity);
        let hub = HubHandle::spawn(Engine::new(settings.apps, settings.limits), true, queue);
        let webhooks = WebhookSender::spawn(inbox, hub.clone(), apps.clone(), settings.webhooks)?;
        let ctx = AppContext { hub: hub.clone(), apps, max_message_bytes };
        let control = ServerControl { hub, apps: Arc::new(apps_tx) };
        Ok(Server { listener, router: router(ctx), control, webhooks })
    }

    /// Adds routes served on the same port (the inspector's API and UI).
    pub fn with_routes(mut self, routes: Router) -> Self {
        self.router = self.router.merge(routes);
        self
    }

    /// A handle to change the server while it runs (reload).
    pub fn control(&self) -> ServerControl {
        self.control.clone()
    }

    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().expect("a bound TCP listener has an address")
    }

    /// Serves until `shutdown` resolves, then closes clients with 4200 and returns.
    pub async fn run_until(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<(), ServeError> {
        let (hub, webhooks) = (self.control.hub.clone(), self.webhooks);
        let service = (self.router)
            .layer(axum::middleware::map_request(wire::expose_peer_addr))
            .into_make_service_with_connect_info::<wire::Peer>();
        axum::serve(wire::WireListener(self.listener), service)
            .with_graceful_shutdown(async move {
                shutdown.await;
                tracing::info!("shutting down: closing client connections with 4200");
                hub.shutdown(SHUTDOWN_DEADLINE).await;
                webhooks.shutdown(WEBHOOK_FLUSH_DEADLINE).await;
            })
            .await?;
        Ok(())
    }
}

/// Every route on the one port.
pub fn router(ctx: AppContext) -> Router {
    Router::new()
        .route("/app/{key}", get(ws::upgrade))
        .route("/up", get(|| async { "OK" }))
        .route("/metrics", get(metrics))
        .route("/pusher/{*rest}", any(http_fallback))
        .merge(http_api::routes())
        .with_state(ctx)
}

async fn metrics(State(ctx): State<AppContext>) -> impl IntoResponse {
    match ctx.hub.metrics().await {
        Some(snapshot) => (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            snapshot.render(),
        ),
        None => (
            StatusCode::SERVICE_UNAVAILABLE,
            [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
            String::new(),
        ),
    }
}

/// pusher-js falls back to HTTP transports when WebSocket fails; say plainly why that fails.
async fn http_fallback() -> impl IntoResponse {
    (
        StatusCode::NOT_FOUND,
        "Switchboard speaks WebSocket only. Set enabledTransports: ['ws', 'wss'] in pusher-js.",
    )
}
