//! The hub: the one task that owns the engine. Connections and HTTP handlers talk to it over
//! channels; it carries out the engine's effects without ever waiting on a slow client.

use std::collections::{BTreeMap, HashMap};
use std::time::Duration;

use axum::extract::ws::Utf8Bytes;
use switchboard_engine::api::{BatchReply, ChannelsReply, TriggerReply, UsersReply};
use switchboard_engine::config::AppConfig;
use switchboard_engine::{ReloadSummary, 
    ApiError, BatchItem, ChannelInfo, ConnId, Effect, Engine, Input, TriggerRequest,
};
use switchboard_proto::AppId;
use tokio::sync::{mpsc, oneshot};
use tokio::time::Instant;

use crate::metrics::MetricsSnapshot;

/// What the hub writes to a connection's outbox, in order.
#[derive(Debug, Clone)]
pub enum Outgoing {
    /// Shared by every recipient of a broadcast (cloning is a reference-count bump).
    Text(Utf8Bytes),
    Ping,
    Close {
        code: u16,
        reason: String,
    },
}

/// The hub's side of one connection.
pub struct ConnHandle {
    pub outbox: mpsc::Sender<Outgoing>,
    /// Fired when the outbox overflows: the connection closes with 4100 at once.
    pub overflow: oneshot::Sender<()>,
}

/// The `{}` reply of calls that return nothing.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Empty {}

/// An authenticated HTTP API call and where to send the answer.
pub enum ApiCall {
    Trigger(
        AppId,
        TriggerRequest,
        oneshot::Sender<Result<TriggerReply, ApiError>>,
    ),
    Batch(
        AppId,
        Vec<BatchItem>,
        oneshot::Sender<Result<BatchReply, ApiError>>,
    ),
    Channels(
        AppId,
        Option<String>,
        Vec<String>,
        oneshot::Sender<Result<ChannelsReply, ApiError>>,
    ),
    Channel(
        AppId,
        String,
        Vec<String>,
        oneshot::Sender<Result<ChannelInfo, ApiError>>,
    ),
    Users(AppId, String, oneshot::Sender<Result<UsersReply, ApiError>>),
    Terminate(AppId, String, oneshot::Sender<Result<Empty, ApiError>>),
}

enum Command {
    Open {
        conn: ConnId,
        handle: ConnHandle,
        input: Input,
    },
    Input(Input),
    Api(ApiCall),
    ApiStatus {
        app: AppId,
        status: u16,
    },
    Metrics(oneshot::Sender<MetricsSnapshot>),
    Reconfigure(Vec<AppConfig>, oneshot::Sender<ReloadSummary>),
    Shutdown(oneshot::Sender<()>),
}

/// A cheap, cloneable way to talk to the hub.
#[derive(Clone)]
pub struct HubHandle {
    commands: mpsc::UnboundedSender<Command>,
}

/// How often timeouts are checked.
const TICK: Duration = Duration::from_millis(250);

impl HubHandle {
    /// Starts the hub task around `engine`.
    pub fn spawn(engine: Engine) -> Self {
        let (commands, receiver) = mpsc::unbounded_channel();
        let hub = Hub {
            engine,
            conns: HashMap::new(),
            api_requests: BTreeMap::new(),
            started: Instant::now(),
            draining: None,
        };
        tokio::spawn(hub.run(receiver));
        Self { commands }
    }

    pub fn open(&self, conn: ConnId, handle: ConnHandle, input: Input) {
        let _ = self.commands.send(Command::Open {
            conn,
            handle,
            input,
        });
    }

    pub fn input(&self, input: Input) {
        let _ = self.commands.send(Command::Input(input));
    }

    pub fn api(&self, call: ApiCall) {
        let _ = self.commands.send(Command::Api(call));
    }

    pub fn api_status(&self, app: AppId, status: u16) {
        let _ = self.commands.send(Command::ApiStatus { app, status });
    }

    pub async fn metrics(&self) -> Option<MetricsSnapshot> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(Command::Metrics(tx)).ok()?;
        rx.await.ok()
    }

    /// Applies a new app table (live reload).
    pub async fn reconfigure(&self, apps: Vec<AppConfig>) -> Option<ReloadSummary> {
        let (tx, rx) = oneshot::channel();
        self.commands.send(Command::Reconfigure(apps, tx)).ok()?;
        rx.await.ok()
    }

    /// Closes every client with 4200 and waits (bounded) until their sockets are gone.
    pub async fn shutdown(&self, deadline: Duration) {
        let (tx, rx) = oneshot::channel();
        if self.commands.send(Command::Shutdown(tx)).is_ok() {
            let _ = tokio::time::timeout(deadline, rx).await;
        }
    }
}

struct Hub {
    engine: Engine,
    conns: HashMap<ConnId, ConnHandle>,
    api_requests: BTreeMap<(AppId, u16), u64>,
    started: Instant,
    /// Set during shutdown: answered once every connection has gone.
    draining: Option<oneshot::Sender<()>>,
}

impl Hub {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.command(command),
                    None => break,
                },
                _ = tick.tick() => self.input(Input::Tick),
            }
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX)
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Open {
                conn,
                handle,
                input,
            } => {
                self.conns.insert(conn, handle);
                self.input(input);
            }
            Command::Input(input) => self.input(input),
            Command::Api(call) => self.api(call),
            Command::ApiStatus { app, status } => {
                *self.api_requests.entry((app, status)).or_default() += 1
            }
            Command::Metrics(reply) => {
                let _ = reply.send(MetricsSnapshot {
                    apps: self.engine.metrics(),
                    api_requests: self.api_requests.clone(),
                });
            }
            Command::Reconfigure(apps, reply) => {
                let (summary, effects) = self.engine.reconfigure(apps);
                self.apply(effects);
                let _ = reply.send(summary);
            }
            Command::Shutdown(done) => {
                let effects = self.engine.shutdown();
                self.apply(effects);
                self.draining = Some(done);
                self.finish_draining();
            }
        }
    }

    fn input(&mut self, input: Input) {
        let closed = match &input {
            Input::Closed { conn } => Some(*conn),
            _ => None,
        };
        let now = self.now();
        let effects = self.engine.handle(input, now);
        self.apply(effects);
        if let Some(conn) = closed {
            self.conns.remove(&conn);
            self.finish_draining();
        }
    }

    fn finish_draining(&mut self) {
        if self.conns.is_empty() {
            if let Some(done) = self.draining.take() {
                let _ = done.send(());
            }
        }
    }

    fn api(&mut self, call: ApiCall) {
        let now = self.now();
        match call {
            ApiCall::Trigger(app, request, reply) => {
                let result = self.engine.trigger(&app, request, now);
                let _ = reply.send(self.with_effects(result));
            }
            ApiCall::Batch(app, items, reply) => {
                let result = self.engine.batch(&app, items, now);
                let _ = reply.send(self.with_effects(result));
            }
            ApiCall::Channels(app, prefix, info, reply) => {
                let _ = reply.send(self.engine.channels(&app, prefix.as_deref(), &info));
            }
            ApiCall::Channel(app, name, info, reply) => {
                let _ = reply.send(self.engine.channel(&app, &name, &info, now));
            }
            ApiCall::Users(app, name, reply) => {
                let _ = reply.send(self.engine.users(&app, &name));
            }
            ApiCall::Terminate(app, user, reply) => {
                let result = self
                    .engine
                    .terminate_user(&app, &user)
                    .map(|effects| (Empty {}, effects));
                let _ = reply.send(self.with_effects(result));
            }
        }
    }

    fn with_effects<T>(
        &mut self,
        result: Result<(T, Vec<Effect>), ApiError>,
    ) -> Result<T, ApiError> {
        result.map(|(reply, effects)| {
            self.apply(effects);
            reply
        })
    }

    fn apply(&mut self, effects: Vec<Effect>) {
        for effect in effects {
            match effect {
                Effect::Send { to, text } => {
                    let text = Utf8Bytes::from(text);
                    for conn in to {
                        self.push(conn, Outgoing::Text(text.clone()));
                    }
                }
                Effect::Ping { conn } => self.push(conn, Outgoing::Ping),
                Effect::Close { conn, code, reason } => {
                    self.push(conn, Outgoing::Close { code, reason })
                }
                Effect::Webhook { app, event } => {
                    tracing::debug!(app = %app, ?event, "webhook event (no sender yet)");
                }
            }
        }
    }

    /// Queues a message without waiting; a full outbox closes that connection with 4100.
    fn push(&mut self, conn: ConnId, message: Outgoing) {
        let Some(handle) = self.conns.get(&conn) else {
            return;
        };
        if handle.outbox.try_send(message).is_ok() {
            return;
        }
        if let Some(handle) = self.conns.remove(&conn) {
            tracing::warn!(
                conn = conn.0,
                "outbox full: closing the slow connection with 4100"
            );
            let _ = handle.overflow.send(());
        }
        let effects = self.engine.handle(Input::Closed { conn }, self.now());
        self.apply(effects);
        self.finish_draining();
    }
}
