//! The `Engine`: routes each input to the app that owns the connection and collects effects.

use std::collections::HashMap;

use switchboard_proto::{AppId, AppKey, ClientFrame, DecodeError, ServerFrame, SocketId};

use crate::config::{AppConfig, ServerLimits};
use crate::effects::{Effect, Out};
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
    },
    /// A text frame, decoded at the edge.
    Frame {
        conn: ConnId,
        frame: Result<ClientFrame, DecodeError>,
    },
    /// Traffic that is not a Pusher frame (WebSocket ping or pong).
    Activity { conn: ConnId },
    /// The socket is gone (client closed, network error, or after our own close).
    Closed { conn: ConnId },
    /// Time passed: check activity, pong and sign-in timeouts.
    Tick,
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
}

impl Engine {
    pub fn new(apps: Vec<AppConfig>, limits: ServerLimits) -> Self {
        let key_index = apps.iter().map(|a| (a.key.clone(), a.id.clone())).collect();
        let apps = apps
            .into_iter()
            .map(|a| (a.id.clone(), AppState::new(a)))
            .collect();
        Self {
            apps,
            key_index,
            conn_app: HashMap::new(),
            limits,
        }
    }

    pub fn limits(&self) -> &ServerLimits {
        &self.limits
    }

    /// Handles one socket-side input at time `now`.
    pub fn handle(&mut self, input: Input, now: Millis) -> Vec<Effect> {
        let mut out = Out::default();
        match input {
            Input::Open {
                conn,
                socket_id,
                app_key,
                protocol,
            } => {
                self.open(
                    &mut out,
                    conn,
                    socket_id,
                    &app_key,
                    protocol.as_deref(),
                    now,
                );
            }
            Input::Frame { conn, frame } => self.frame(&mut out, conn, frame, now),
            Input::Activity { conn } => self.touch(conn, now),
            Input::Closed { conn } => self.closed(&mut out, conn),
            Input::Tick => self.tick(&mut out, now),
        }
        out.effects
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
    pub fn shutdown(&mut self) -> Vec<Effect> {
        let mut out = Out::default();
        let conns: Vec<ConnId> = self.conn_app.keys().copied().collect();
        for conn in conns {
            self.close_socket(
                &mut out,
                conn,
                4200,
                "Server is shutting down; reconnect shortly",
            );
        }
        out.effects
    }

    fn open(
        &mut self,
        out: &mut Out,
        conn: ConnId,
        socket_id: SocketId,
        key: &str,
        protocol: Option<&str>,
        now: Millis,
    ) {
        let app = AppKey::new(key)
            .ok()
            .and_then(|k| self.key_index.get(&k))
            .cloned();
        let state = app.as_ref().and_then(|id| self.apps.get_mut(id));
        match connections::admit(state, protocol) {
            Err(refusal) => out.close(conn, refusal.code(), &refusal.message(key)),
            Ok(app_state) => {
                let before = out.frames_sent;
                connections::accept(app_state, out, conn, socket_id, &self.limits, now);
                app_state.counters.messages_out += out.frames_sent - before;
                self.conn_app.insert(conn, app_state.config.id.clone());
            }
        }
    }

    fn frame(
        &mut self,
        out: &mut Out,
        conn: ConnId,
        frame: Result<ClientFrame, DecodeError>,
        now: Millis,
    ) {
        self.touch(conn, now);
        let Some(app) = self.app_of(conn) else { return };
        app.counters.messages_in += 1;
        let before = out.frames_sent;
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
            Ok(ClientFrame::ClientEvent {
                event,
                channel,
                data,
            }) => {
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

    fn closed(&mut self, out: &mut Out, conn: ConnId) {
        if let Some(id) = self.conn_app.remove(&conn) {
            if let Some(app) = self.apps.get_mut(&id) {
                let before = out.frames_sent;
                connections::remove(app, out, conn);
                app.counters.messages_out += out.frames_sent - before;
            }
        }
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

    /// Sends `pusher:error` + close, and forgets the socket at once.
    pub(crate) fn close_socket(&mut self, out: &mut Out, conn: ConnId, code: u16, reason: &str) {
        let Some(app) = self.app_of(conn) else { return };
        let before = out.frames_sent;
        out.close(conn, code, reason);
        app.counters.messages_out += out.frames_sent - before;
        self.closed(out, conn);
    }

    pub(crate) fn app_of(&mut self, conn: ConnId) -> Option<&mut AppState> {
        let id = self.conn_app.get(&conn)?;
        self.apps.get_mut(id)
    }
}
