//! The `Engine`: routes each input to the app that owns the connection and collects effects.

use std::collections::HashMap;

use switchboard_proto::{AppId, AppKey, ClientFrame, DecodeError, ServerFrame, SocketId};

use crate::config::{AppConfig, ServerLimits};
use crate::effects::{Effect, Out, Recording};
use crate::observation::{ClosedBy, Detail, Observation, Origin};
use crate::state::AppState;
use crate::{client_events, connections, subscriptions, users, ConnId, Millis};

/// A socket-side event for the engine.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    /// A WebSocket was upgraded on `/app/{key}`; `protocol` is the raw query value.
    Open {
        conn: ConnId,
        socket_id: SocketId,
        app_key: String,
        protocol: Option<String>,
        meta: ConnMeta,
    },
    /// A text frame with its raw text, decoded at the edge.
    Frame { conn: ConnId, raw: String, frame: Result<ClientFrame, DecodeError> },
    /// Traffic that is not a Pusher frame (WebSocket ping or pong).
    Activity { conn: ConnId },
    /// The socket is gone (client closed, network error, or after our own close).
    Closed { conn: ConnId },
    /// Time passed: check activity, pong and sign-in timeouts.
    Tick,
}

/// What the upgrade request told about the client, for the inspector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConnMeta {
    pub remote: Option<String>,
    pub origin_header: Option<String>,
    pub user_agent: Option<String>,
    pub client: Option<String>,
    pub version: Option<String>,
}

/// Figures for `/metrics`, per app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppMetrics {
    pub app: AppId,
    pub connections: usize,
    pub channels: usize,
    pub messages_in: u64,
    pub messages_out: u64,
}

/// The protocol state machine for every app.
#[derive(Debug)]
pub struct Engine {
    pub(crate) apps: HashMap<AppId, AppState>,
    pub(crate) key_index: HashMap<AppKey, AppId>,
    pub(crate) conn_app: HashMap<ConnId, AppId>,
    pub(crate) limits: ServerLimits,
    recording: Recording,
}

impl Engine {
    pub fn new(apps: Vec<AppConfig>, limits: ServerLimits) -> Self {
        let key_index = apps.iter().map(|a| (a.key.clone(), a.id.clone())).collect();
        let apps = apps.into_iter().map(|a| (a.id.clone(), AppState::new(a))).collect();
        let recording = Recording::default();
        Self { apps, key_index, conn_app: HashMap::new(), limits, recording }
    }

    pub fn limits(&self) -> &ServerLimits {
        &self.limits
    }

    /// Turns observations on or off (off costs nothing).
    pub fn set_recording(&mut self, on: bool) {
        self.recording.on = on;
    }

    /// Starts collecting the effects of one operation.
    pub(crate) fn begin(&self, now: Millis, origin: Origin) -> Out {
        Out::new(self.recording, now, origin)
    }

    /// Ends an operation: keeps the observation numbering, hands the effects out.
    pub(crate) fn finish(&mut self, out: Out) -> Vec<Effect> {
        self.recording = out.recording;
        out.effects
    }

    /// Numbers an observation made outside the engine (webhook attempts, refused API calls,
    /// reloads) so it joins the one total order.
    pub fn observe(&mut self, observation: Observation, now: Millis) -> Vec<Effect> {
        let mut out = self.begin(now, observation.origin);
        out.observe(observation);
        self.finish(out)
    }

    /// Handles one socket-side input at time `now`.
    pub fn handle(&mut self, input: Input, now: Millis) -> Vec<Effect> {
        let origin = if matches!(input, Input::Tick) { Origin::Server } else { Origin::Client };
        let mut out = self.begin(now, origin);
        match input {
            Input::Open { conn, socket_id, app_key, protocol, meta } => {
                let request =
                    connections::OpenRequest { conn, socket_id, key: &app_key, protocol, meta };
                self.open(&mut out, request, now);
            }
            Input::Frame { conn, raw, frame } => self.frame(&mut out, conn, raw, frame, now),
            Input::Activity { conn } => self.touch(conn, now),
            Input::Closed { conn } => self.closed(&mut out, conn, ClosedBy::Client),
            Input::Tick => self.tick(&mut out, now),
        }
        self.finish(out)
    }

    /// Current figures per app, sorted by app id.
    pub fn metrics(&self) -> Vec<AppMetrics> {
        let mut all: Vec<AppMetrics> = self
            .apps
            .values()
            .map(|app| AppMetrics {
                app: app.config.id.clone(),
                connections: app.sockets.len(),
                channels: app.channels.len(),
                messages_in: app.counters.messages_in,
                messages_out: app.counters.messages_out,
            })
            .collect();
        all.sort_by(|a, b| a.app.cmp(&b.app));
        all
    }

    /// The app configs, sorted by id.
    pub fn apps(&self) -> Vec<&AppConfig> {
        let mut all: Vec<&AppConfig> = self.apps.values().map(|a| &a.config).collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    /// Closes every socket with 4200 (server shutting down).
    pub fn shutdown(&mut self, now: Millis) -> Vec<Effect> {
        let mut out = self.begin(now, Origin::Server);
        let conns: Vec<ConnId> = self.conn_app.keys().copied().collect();
        for conn in conns {
            self.close_socket(&mut out, conn, 4200, "Server is shutting down; reconnect shortly");
        }
        self.finish(out)
    }

    fn open(&mut self, out: &mut Out, request: connections::OpenRequest<'_>, now: Millis) {
        let app = AppKey::new(request.key).ok().and_then(|k| self.key_index.get(&k)).cloned();
        if let Some(app) = &app {
            out.in_app(app);
        }
        let state = app.as_ref().and_then(|id| self.apps.get_mut(id));
        let conn = request.conn;
        if let Some(app_state) = connections::open(state, out, request, &self.limits, now) {
            self.conn_app.insert(conn, app_state);
        }
    }

    fn frame(
        &mut self,
        out: &mut Out,
        conn: ConnId,
        raw: String,
        frame: Result<ClientFrame, DecodeError>,
        now: Millis,
    ) {
        self.touch(conn, now);
        let Some(app) = self.app_of(conn) else { return };
        out.in_app(&app.config.id);
        app.counters.messages_in += 1;
        if let Some(socket) = app.sockets.get_mut(&conn) {
            socket.messages_in += 1;
        }
        let before = out.frames_sent;
        if out.recording() {
            let error = frame.as_ref().err().map(ToString::to_string);
            let mut record = out.obs(Detail::FrameIn { raw, error }).conn(conn);
            if let Ok(decoded) = &frame {
                record = record.event(decoded.event_name());
                record.channel = decoded.channel().map(str::to_owned);
            }
            let seq = out.observe(record);
            out.caused_by(seq);
        }
        match frame {
            Err(error) => out.error(conn, None, error.to_string(), None),
            Ok(ClientFrame::Ping) => out.send(conn, &ServerFrame::Pong),
            Ok(ClientFrame::Pong) => {}
            Ok(ClientFrame::Subscribe(request)) => {
                subscriptions::subscribe(app, out, conn, &request, now);
            }
            Ok(ClientFrame::Unsubscribe { channel }) => {
                subscriptions::unsubscribe(app, out, conn, &channel);
            }
            Ok(ClientFrame::Signin { auth, user_data }) => {
                users::signin(app, out, conn, &auth, &user_data);
            }
            Ok(ClientFrame::ClientEvent { event, channel, data }) => {
                client_events::relay(app, out, conn, &event, &channel, &data, now);
            }
        }
        app.counters.messages_out += out.frames_sent - before;
    }

    fn touch(&mut self, conn: ConnId, now: Millis) {
        if let Some(socket) = self.app_of(conn).and_then(|app| app.sockets.get_mut(&conn)) {
            socket.last_seen = now;
            socket.ping_sent_at = None;
        }
    }

    fn closed(&mut self, out: &mut Out, conn: ConnId, by: ClosedBy) {
        let Some(id) = self.conn_app.remove(&conn) else { return };
        crate::state::shrink_if_sparse(&mut self.conn_app);
        let Some(app) = self.apps.get_mut(&id) else { return };
        out.in_app(&id);
        if by == ClosedBy::Client {
            let detail =
                Detail::ConnectionClosed { code: None, reason: "closed by the client".into(), by };
            out.observe(out.obs(detail).conn(conn));
        }
        let before = out.frames_sent;
        connections::remove(app, out, conn);
        app.counters.messages_out += out.frames_sent - before;
    }

    fn tick(&mut self, out: &mut Out, now: Millis) {
        let mut to_close = Vec::new();
        for app in self.apps.values_mut() {
            let before = out.frames_sent;
            connections::check_timeouts(app, out, &self.limits, now, &mut to_close);
            app.counters.messages_out += out.frames_sent - before;
        }
        for (conn, code, reason) in to_close {
            self.close_socket(out, conn, code, reason);
        }
    }

    /// Sends `pusher:error` + close, records who closed, and forgets the socket at once.
    pub(crate) fn close_socket(&mut self, out: &mut Out, conn: ConnId, code: u16, reason: &str) {
        let Some(app) = self.app_of(conn) else { return };
        out.in_app(&app.config.id);
        let before = out.frames_sent;
        out.close(conn, code, reason);
        app.counters.messages_out += out.frames_sent - before;
        let detail = Detail::ConnectionClosed {
            code: Some(code),
            reason: reason.to_owned(),
            by: ClosedBy::Server,
        };
        out.observe(out.obs(detail).conn(conn));
        self.closed(out, conn, ClosedBy::Server);
    }

    pub(crate) fn app_of(&mut self, conn: ConnId) -> Option<&mut AppState> {
        let id = self.conn_app.get(&conn)?;
        self.apps.get_mut(id)
    }
}
