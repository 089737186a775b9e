//! Scenario harness: an `Engine`, a hand-driven clock, and per-connection inboxes of frames.
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};

use serde_json::{json, Value};
use switchboard_engine::api::{BatchReply, ChannelsReply, TriggerReply, UsersReply};
use switchboard_engine::config::{AppConfig, ServerLimits, WebhookConfig, WebhookEventType};
use switchboard_engine::{
    ApiError, ApiOutcome, AppMetrics, BatchItem, Caller, ChannelInfo, ConnId, ConnMeta, Effect,
    Engine, Input, Millis, Observation, Origin, TriggerRequest, WebhookEvent,
};
use switchboard_proto::sign::{channel_string_to_sign, hmac_hex, user_string_to_sign};
use switchboard_proto::{AppId, AppKey, AppSecret, ClientFrame, SocketId};

/// The clock starts here, far from 0, so nothing depends on a zero epoch.
pub const START: Millis = 1_700_000_000_000;

/// An app with the given id; key `{id}-key`, secret `{id}-secret`.
pub fn app(id: &str) -> AppConfig {
    AppConfig::with_credentials(
        AppId::new(id).expect("id"),
        AppKey::new(format!("{id}-key")).expect("key"),
        AppSecret::new(format!("{id}-secret")).expect("secret"),
    )
}

/// A webhook target that wants every event type.
pub fn webhook() -> WebhookConfig {
    WebhookConfig {
        url: "http://127.0.0.1:9/hook".into(),
        event_types: WebhookEventType::ALL.to_vec(),
        channel_prefix: None,
        headers: Vec::new(),
    }
}

pub fn app_id(id: &str) -> AppId {
    AppId::new(id).expect("app id")
}

/// `server→client data`: a JSON string holding JSON is decoded; anything else is returned as is.
pub fn data(frame: &Value) -> Value {
    match frame.get("data") {
        Some(Value::String(text)) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
        }
        Some(other) => other.clone(),
        None => Value::Null,
    }
}

/// The `event` names of some frames.
pub fn names(frames: &[Value]) -> Vec<String> {
    frames.iter().map(|f| f["event"].as_str().unwrap_or_default().to_owned()).collect()
}

/// A trigger request with no socket id and no info.
pub fn req(name: &str, channels: &[&str], data: &str) -> TriggerRequest {
    TriggerRequest {
        name: name.into(),
        data: data.into(),
        channels: channels.iter().map(|c| (*c).to_owned()).collect(),
        socket_id: None,
        info: Vec::new(),
    }
}

pub fn subscribe_frame(channel: &str, auth: Option<&str>, channel_data: Option<&str>) -> String {
    let mut body = json!({ "channel": channel });
    if let Some(auth) = auth {
        body["auth"] = auth.into();
    }
    if let Some(channel_data) = channel_data {
        body["channel_data"] = channel_data.into();
    }
    json!({ "event": "pusher:subscribe", "data": body }).to_string()
}

pub struct Harness {
    pub engine: Engine,
    pub now: Millis,
    next_conn: u64,
    configs: HashMap<String, AppConfig>,
    conn_key: HashMap<ConnId, String>,
    socket_ids: HashMap<ConnId, SocketId>,
    inboxes: HashMap<ConnId, Vec<Value>>,
    gone: HashSet<ConnId>,
    pub closes: Vec<(ConnId, u16, String)>,
    pub pings: Vec<ConnId>,
    pub webhooks: Vec<(AppId, WebhookEvent)>,
    /// Observations, when recording was turned on with `record()`.
    pub observations: Vec<Observation>,
    /// Effects of the last input or API call, in order.
    pub last: Vec<Effect>,
    /// Frames delivered per app id (each recipient counts once).
    pub delivered: HashMap<String, u64>,
}

impl Harness {
    pub fn new(apps: Vec<AppConfig>, limits: ServerLimits) -> Self {
        let configs = apps.iter().map(|a| (a.key.as_str().to_owned(), a.clone())).collect();
        Self {
            engine: Engine::new(apps, limits),
            now: START,
            next_conn: 0,
            configs,
            conn_key: HashMap::new(),
            socket_ids: HashMap::new(),
            inboxes: HashMap::new(),
            gone: HashSet::new(),
            closes: Vec::new(),
            pings: Vec::new(),
            webhooks: Vec::new(),
            observations: Vec::new(),
            last: Vec::new(),
            delivered: HashMap::new(),
        }
    }

    /// Turns observations on (off by default, so effect lists stay short).
    pub fn record(mut self) -> Self {
        self.engine.set_recording(true);
        self
    }

    /// One app (`app-id` / `app-key` / `app-secret`, the defaults) and default limits.
    pub fn default_app() -> Self {
        Self::new(vec![AppConfig::default_app()], ServerLimits::default())
    }

    /// One app `app-id` tweaked by `f`, default limits.
    pub fn with(f: impl FnOnce(&mut AppConfig)) -> Self {
        let mut config = AppConfig::default_app();
        f(&mut config);
        Self::new(vec![config], ServerLimits::default())
    }

    // ---- socket side ----

    /// Opens a connection with `protocol=7`; returns its id even if it was refused.
    pub fn connect(&mut self, key: &str) -> ConnId {
        self.connect_with(key, Some("7"))
    }

    /// Opens on `app-key` and drains `connection_established`.
    pub fn join(&mut self) -> ConnId {
        let conn = self.connect("app-key");
        let frames = self.take(conn);
        assert_eq!(names(&frames), ["pusher:connection_established"], "{frames:?}");
        conn
    }

    pub fn connect_with(&mut self, key: &str, protocol: Option<&str>) -> ConnId {
        self.next_conn += 1;
        let n = self.next_conn;
        let conn = ConnId(n);
        let socket_id = SocketId::from_parts(1000 + n, 7_000_000 + n);
        self.socket_ids.insert(conn, socket_id.clone());
        self.conn_key.insert(conn, key.to_owned());
        let input = Input::Open {
            conn,
            socket_id,
            app_key: key.to_owned(),
            protocol: protocol.map(str::to_owned),
            meta: ConnMeta::default(),
        };
        self.feed(input);
        conn
    }

    /// Feeds any input at the current time and routes its effects.
    pub fn feed(&mut self, input: Input) -> Vec<Effect> {
        let effects = self.engine.handle(input, self.now);
        self.apply(effects)
    }

    /// A text frame as the edge would decode it (64 KB limit).
    pub fn send(&mut self, conn: ConnId, text: &str) -> Vec<Effect> {
        let frame = ClientFrame::decode(text, 64 * 1024);
        self.feed(Input::Frame { conn, raw: text.to_owned(), frame })
    }

    pub fn send_json(&mut self, conn: ConnId, frame: &Value) -> Vec<Effect> {
        self.send(conn, &frame.to_string())
    }

    /// The client goes away.
    pub fn close(&mut self, conn: ConnId) -> Vec<Effect> {
        let effects = self.feed(Input::Closed { conn });
        self.gone.insert(conn);
        effects
    }

    pub fn activity(&mut self, conn: ConnId) -> Vec<Effect> {
        self.feed(Input::Activity { conn })
    }

    pub fn tick(&mut self) -> Vec<Effect> {
        self.feed(Input::Tick)
    }

    /// Moves the clock on by `ms` and ticks.
    pub fn advance(&mut self, ms: Millis) -> Vec<Effect> {
        self.now += ms;
        self.tick()
    }

    /// Drains a connection's inbox.
    pub fn take(&mut self, conn: ConnId) -> Vec<Value> {
        self.inboxes.remove(&conn).unwrap_or_default()
    }

    /// Drains and returns only the frames' event names.
    pub fn take_names(&mut self, conn: ConnId) -> Vec<String> {
        names(&self.take(conn))
    }

    pub fn take_webhooks(&mut self) -> Vec<WebhookEvent> {
        std::mem::take(&mut self.webhooks).into_iter().map(|(_, e)| e).collect()
    }

    pub fn take_closes(&mut self) -> Vec<(ConnId, u16, String)> {
        std::mem::take(&mut self.closes)
    }

    pub fn socket_id(&self, conn: ConnId) -> SocketId {
        self.socket_ids[&conn].clone()
    }

    pub fn is_closed(&self, conn: ConnId) -> bool {
        self.gone.contains(&conn)
    }

    /// Routes effects produced outside the harness's own calls.
    pub fn apply_effects(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        self.apply(effects)
    }

    fn apply(&mut self, effects: Vec<Effect>) -> Vec<Effect> {
        for effect in &effects {
            match effect {
                Effect::Send { to, text } => {
                    let value: Value = serde_json::from_str(text).expect("engine sends JSON");
                    for conn in to {
                        assert!(!self.gone.contains(conn), "frame to closed {conn:?}: {text}");
                        self.inboxes.entry(*conn).or_default().push(value.clone());
                        let app = self.conn_app(*conn).unwrap_or_default();
                        *self.delivered.entry(app).or_default() += 1;
                    }
                }
                Effect::Ping { conn } => {
                    assert!(!self.gone.contains(conn), "ping to closed {conn:?}");
                    self.pings.push(*conn);
                }
                Effect::Close { conn, code, reason } => {
                    assert!(self.gone.insert(*conn), "{conn:?} closed twice");
                    self.closes.push((*conn, *code, reason.clone()));
                }
                Effect::Webhook { app, event, .. } => {
                    self.webhooks.push((app.clone(), event.clone()))
                }
                Effect::Observe(observation) => self.observations.push((**observation).clone()),
            }
        }
        self.last.clone_from(&effects);
        effects
    }

    fn conn_app(&self, conn: ConnId) -> Option<String> {
        let key = self.conn_key.get(&conn)?;
        Some(self.configs.get(key)?.id.as_str().to_owned())
    }

    fn config_of(&self, conn: ConnId) -> &AppConfig {
        &self.configs[&self.conn_key[&conn]]
    }

    // ---- signatures ----

    /// `key:hmac(socket:channel[:channel_data])` for this connection's app.
    pub fn channel_auth(&self, conn: ConnId, channel: &str, channel_data: Option<&str>) -> String {
        let config = self.config_of(conn);
        let socket_id = self.socket_id(conn);
        let string = channel_string_to_sign(socket_id.as_str(), channel, channel_data);
        format!("{}:{}", config.key, hmac_hex(&config.secret, string.as_bytes()))
    }

    pub fn user_auth(&self, conn: ConnId, user_data: &str) -> String {
        let config = self.config_of(conn);
        let string = user_string_to_sign(self.socket_id(conn).as_str(), user_data);
        format!("{}:{}", config.key, hmac_hex(&config.secret, string.as_bytes()))
    }

    // ---- client actions ----

    /// Public subscribe, as pusher-js sends it (`"auth":""`).
    pub fn subscribe(&mut self, conn: ConnId, channel: &str) -> Vec<Effect> {
        self.send(conn, &subscribe_frame(channel, Some(""), None))
    }

    /// Private / encrypted subscribe with a valid signature.
    pub fn subscribe_private(&mut self, conn: ConnId, channel: &str) -> Vec<Effect> {
        let auth = self.channel_auth(conn, channel, None);
        self.send(conn, &subscribe_frame(channel, Some(&auth), None))
    }

    /// Subscribes by kind: presence as `user`, private/encrypted signed, else public.
    pub fn subscribe_any(&mut self, conn: ConnId, channel: &str, user: &str) -> Vec<Effect> {
        if channel.starts_with("presence-") {
            self.subscribe_presence(conn, channel, &json!({ "user_id": user }))
        } else if channel.starts_with("private-") {
            self.subscribe_private(conn, channel)
        } else {
            self.subscribe(conn, channel)
        }
    }

    /// Presence subscribe with `channel_data`, correctly signed.
    pub fn subscribe_presence(&mut self, conn: ConnId, channel: &str, data: &Value) -> Vec<Effect> {
        let channel_data = data.to_string();
        let auth = self.channel_auth(conn, channel, Some(&channel_data));
        self.send(conn, &subscribe_frame(channel, Some(&auth), Some(&channel_data)))
    }

    /// Presence subscribe as `user_id` (no user_info), draining the joiner's inbox.
    pub fn join_presence(&mut self, conn: ConnId, channel: &str, user_id: &str) -> Value {
        self.subscribe_presence(conn, channel, &json!({ "user_id": user_id }));
        let frames = self.take(conn);
        let ok = frames
            .iter()
            .find(|f| f["event"] == "pusher_internal:subscription_succeeded")
            .unwrap_or_else(|| panic!("no subscription_succeeded: {frames:?}"));
        data(ok)
    }

    pub fn unsubscribe(&mut self, conn: ConnId, channel: &str) -> Vec<Effect> {
        let frame = json!({ "event": "pusher:unsubscribe", "data": { "channel": channel } });
        self.send_json(conn, &frame)
    }

    /// Signs in with a valid signature over `user_data`.
    pub fn signin(&mut self, conn: ConnId, user_data: &Value) -> Vec<Effect> {
        let user_data = user_data.to_string();
        let auth = self.user_auth(conn, &user_data);
        let frame =
            json!({ "event": "pusher:signin", "data": { "auth": auth, "user_data": user_data } });
        self.send_json(conn, &frame)
    }

    pub fn client_event(&mut self, conn: ConnId, channel: &str, event: &str, data: &Value) {
        let frame = json!({ "event": event, "channel": channel, "data": data });
        self.send_json(conn, &frame);
    }

    // ---- HTTP API ----

    pub fn trigger(
        &mut self,
        app: &str,
        request: TriggerRequest,
    ) -> Result<TriggerReply, ApiError> {
        let outcome = self.engine.trigger(&api_caller(), &app_id(app), request, self.now);
        self.finish(outcome)
    }

    /// `trigger` on `app-id` that must succeed.
    pub fn publish(&mut self, name: &str, channels: &[&str], data: &str) -> TriggerReply {
        self.trigger("app-id", req(name, channels, data)).expect("trigger")
    }

    pub fn batch(&mut self, app: &str, items: Vec<BatchItem>) -> Result<BatchReply, ApiError> {
        let outcome = self.engine.batch(&api_caller(), &app_id(app), items, self.now);
        self.finish(outcome)
    }

    pub fn channels(
        &mut self,
        app: &str,
        prefix: Option<&str>,
        info: &[&str],
    ) -> Result<ChannelsReply, ApiError> {
        let info: Vec<String> = info.iter().map(|i| (*i).to_owned()).collect();
        let outcome = self.engine.channels(&api_caller(), &app_id(app), prefix, &info, self.now);
        self.finish(outcome)
    }

    pub fn channel(
        &mut self,
        app: &str,
        name: &str,
        info: &[&str],
    ) -> Result<ChannelInfo, ApiError> {
        let info: Vec<String> = info.iter().map(|i| (*i).to_owned()).collect();
        let outcome = self.engine.channel(&api_caller(), &app_id(app), name, &info, self.now);
        self.finish(outcome)
    }

    pub fn users(&mut self, app: &str, name: &str) -> Result<UsersReply, ApiError> {
        let outcome = self.engine.users(&api_caller(), &app_id(app), name, self.now);
        self.finish(outcome)
    }

    pub fn terminate_user(&mut self, app: &str, user: &str) -> Result<(), ApiError> {
        let outcome = self.engine.terminate_user(&api_caller(), &app_id(app), user, self.now);
        self.finish(outcome)
    }

    /// Routes an API call's effects and hands back its reply.
    fn finish<T>(&mut self, outcome: ApiOutcome<T>) -> Result<T, ApiError> {
        self.apply(outcome.effects);
        outcome.reply
    }

    pub fn shutdown(&mut self) -> Vec<Effect> {
        let effects = self.engine.shutdown(self.now);
        self.apply(effects)
    }

    pub fn metrics(&self, app: &str) -> AppMetrics {
        let all = self.engine.metrics();
        all.into_iter().find(|m| m.app.as_str() == app).expect("app in metrics")
    }
}

/// The caller recorded for harness API calls.
pub fn api_caller() -> Caller {
    Caller::new(Origin::Api, "POST", "/apps/app-id/events", None)
}
