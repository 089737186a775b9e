//! The hub: the one task that owns the engine. Connections and HTTP handlers talk to it over
//! channels; it carries out the engine's effects without ever waiting on a slow client, and
//! publishes every observation on a broadcast bus that never blocks it either.

mod api;
mod apply;
mod writers;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use switchboard_engine::config::AppConfig;
use switchboard_engine::conn_map::{self, ConnMap};
use switchboard_engine::control::{self, ControlRequest, Reply};
use switchboard_engine::{ApiError, Caller, ConnId, Engine, Input, Observation, ReloadSummary};
use switchboard_proto::{AppId, SocketId};
use tokio::sync::{broadcast, mpsc, oneshot};

pub use self::api::{ApiCall, ApiOp, Empty};
use self::writers::Writers;
use crate::metrics::MetricsSnapshot;
use crate::webhooks::WebhookQueue;
use crate::wire::Wire;

/// The hub's side of one connection.
pub struct ConnHandle {
    pub socket_id: SocketId,
    /// The socket: the hub queues frames on it and its writer tasks write them.
    pub wire: Wire,
    /// Fired once the close frame is queued (the engine closed the connection, or its queue
    /// overflowed): the connection's task flushes it and lets the socket go. Taken then, so
    /// nothing is written after the close.
    pub hang_up: Option<oneshot::Sender<()>>,
}

enum Command {
    Open { conn: ConnId, handle: ConnHandle, input: Input },
    Input(Input),
    Api(ApiCall),
    ApiStatus { app: AppId, status: u16 },
    Observe(Box<Observation>),
    Metrics(oneshot::Sender<MetricsSnapshot>),
    Reconfigure(Vec<AppConfig>, oneshot::Sender<ReloadSummary>),
    Control(Caller, control::Command, ControlAnswer),
    Shutdown(oneshot::Sender<()>),
    Recording(bool),
}

/// Where the answer to an inspector action goes.
pub type ControlAnswer = oneshot::Sender<Result<Reply, ApiError>>;

/// A cheap, cloneable way to talk to the hub.
#[derive(Clone)]
pub struct HubHandle {
    commands: mpsc::UnboundedSender<Command>,
    observations: broadcast::Sender<Arc<Observation>>,
}

/// How often timeouts are checked.
const TICK: Duration = Duration::from_millis(250);

/// Commands handled before the hub writes out the frames they queued: a burst of publishes
/// reaches each subscriber in one write, yet no frame waits behind more than this many.
const COMMANDS_PER_FLUSH: usize = 64;

/// Observations buffered for slow readers before they see a gap.
const BUS_CAPACITY: usize = 65_536;

impl HubHandle {
    /// Starts the hub task around `engine`; `record` turns observations on; webhook events
    /// go to `webhooks`.
    pub fn spawn(mut engine: Engine, record: bool, webhooks: WebhookQueue) -> Self {
        engine.set_recording(record);
        let (commands, receiver) = mpsc::unbounded_channel();
        let (observations, _) = broadcast::channel(BUS_CAPACITY);
        let hub = Hub {
            engine,
            conns: ConnMap::default(),
            unflushed: Vec::new(),
            writers: Writers::spawn(tokio::runtime::Handle::current().metrics().num_workers()),
            sockets: ConnMap::default(),
            api_requests: BTreeMap::new(),
            bus: observations.clone(),
            draining: None,
            webhooks,
        };
        tokio::spawn(hub.run(receiver));
        Self { commands, observations }
    }

    /// Every observation from now on; a lagging receiver gets `RecvError::Lagged(missed)`.
    pub fn observations(&self) -> broadcast::Receiver<Arc<Observation>> {
        self.observations.subscribe()
    }

    pub fn open(&self, conn: ConnId, handle: ConnHandle, input: Input) {
        let _ = self.commands.send(Command::Open { conn, handle, input });
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

    /// Turns observations on or off from now on (`serve --no-record` turns them off).
    pub fn set_recording(&self, on: bool) {
        let _ = self.commands.send(Command::Recording(on));
    }

    /// Records an observation made outside the engine (it gets a `seq` in the hub).
    pub fn observe(&self, observation: Observation) {
        let _ = self.commands.send(Command::Observe(Box::new(observation)));
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

    /// Runs an inspector action (publish, virtual client event, raw frame, disconnect…).
    pub async fn control(
        &self,
        caller: Caller,
        command: control::Command,
    ) -> Result<Reply, ApiError> {
        let (tx, rx) = oneshot::channel();
        let gone = || ApiError::UnknownApp("the server is shutting down".into());
        self.commands.send(Command::Control(caller, command, tx)).map_err(|_| gone())?;
        rx.await.map_err(|_| gone())?
    }

    /// A channel for the inspector: each request is an action and where to answer it.
    pub fn control_link(&self) -> mpsc::UnboundedSender<ControlRequest<ControlAnswer>> {
        let (tx, mut rx) = mpsc::unbounded_channel::<ControlRequest<ControlAnswer>>();
        let commands = self.commands.clone();
        tokio::spawn(async move {
            while let Some((caller, command, answer)) = rx.recv().await {
                if commands.send(Command::Control(caller, command, answer)).is_err() {
                    break;
                }
            }
        });
        tx
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
    conns: ConnMap<ConnHandle>,
    /// Sockets with frames queued since the last flush.
    unflushed: Vec<Wire>,
    /// The tasks that write those sockets.
    writers: Writers,
    /// Public ids of connections, kept until the engine has recorded their close.
    sockets: ConnMap<SocketId>,
    api_requests: BTreeMap<(AppId, u16), u64>,
    bus: broadcast::Sender<Arc<Observation>>,
    /// Set during shutdown: answered once every connection has gone.
    draining: Option<oneshot::Sender<()>>,
    /// Where webhook events go (never waited on), with the webhook counters.
    webhooks: WebhookQueue,
}

/// Unix milliseconds: the engine's clock (differences drive timeouts, values stamp records).
fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl Hub {
    async fn run(mut self, mut commands: mpsc::UnboundedReceiver<Command>) {
        let mut tick = tokio::time::interval(TICK);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                command = commands.recv() => match command {
                    Some(command) => self.commands(command, &mut commands),
                    None => break,
                },
                _ = tick.tick() => {
                    self.input(Input::Tick);
                    self.report_webhook_drops();
                }
            }
            self.flush();
        }
    }

    /// `first` and whatever else is already waiting, up to `COMMANDS_PER_FLUSH`.
    fn commands(&mut self, first: Command, waiting: &mut mpsc::UnboundedReceiver<Command>) {
        self.command(first);
        for _ in 1..COMMANDS_PER_FLUSH {
            match waiting.try_recv() {
                Ok(command) => self.command(command),
                Err(_) => break,
            }
        }
    }

    fn command(&mut self, command: Command) {
        match command {
            Command::Open { conn, handle, input } => {
                self.sockets.insert(conn, handle.socket_id.clone());
                self.conns.insert(conn, handle);
                self.input(input);
            }
            Command::Input(input) => self.input(input),
            Command::Api(call) => self.api(call),
            Command::ApiStatus { app, status } => {
                *self.api_requests.entry((app, status)).or_default() += 1
            }
            Command::Observe(observation) => {
                self.webhooks.note(&observation);
                let effects = self.engine.observe(*observation, now());
                self.apply(effects);
            }
            Command::Metrics(reply) => {
                let apps = self.engine.metrics();
                let api_requests = self.api_requests.clone();
                let webhooks = self.webhooks.stats();
                let _ = reply.send(MetricsSnapshot { apps, api_requests, webhooks });
            }
            Command::Reconfigure(apps, reply) => self.reconfigure(apps, reply),
            Command::Control(caller, command, answer) => {
                let outcome = self.engine.control(&caller, command, now());
                self.apply(outcome.effects);
                let _ = answer.send(outcome.reply);
            }
            Command::Recording(on) => self.engine.set_recording(on),
            Command::Shutdown(done) => {
                let effects = self.engine.shutdown(now());
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
        let effects = self.engine.handle(input, now());
        self.apply(effects);
        if let Some(conn) = closed {
            self.forget(conn);
        }
    }

    fn forget(&mut self, conn: ConnId) {
        self.conns.remove(&conn);
        self.sockets.remove(&conn);
        conn_map::shrink_if_sparse(&mut self.conns);
        conn_map::shrink_if_sparse(&mut self.sockets);
        self.finish_draining();
    }

    fn reconfigure(&mut self, apps: Vec<AppConfig>, reply: oneshot::Sender<ReloadSummary>) {
        let (summary, effects) = self.engine.reconfigure(apps, now());
        self.apply(effects);
        let _ = reply.send(summary);
    }

    fn finish_draining(&mut self) {
        if self.conns.is_empty() {
            if let Some(done) = self.draining.take() {
                let _ = done.send(());
            }
        }
    }
}
