//! Live state for the inspector: apps, connections and channels as they are right now.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_proto::{AppId, AppKey, SocketId, UserId};
use ts_rs::TS;

use crate::engine::Engine;
use crate::state::{AppState, Channel, Socket};
use crate::{ConnId, Millis};

/// Everything the inspector's state views show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LiveState {
    pub apps: Vec<AppView>,
}

/// One app with its connections and occupied channels.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppView {
    pub id: AppId,
    pub key: AppKey,
    /// The secret's first characters, for display (`AppSecret::masked`); never the secret.
    pub secret_masked: String,
    pub enabled: bool,
    pub client_events: bool,
    pub subscription_count: bool,
    pub connections: Vec<ConnectionView>,
    pub channels: Vec<ChannelView>,
}

/// One connection.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConnectionView {
    pub conn: ConnId,
    pub socket: SocketId,
    /// Unix ms when it connected.
    #[ts(type = "number")]
    pub since: Millis,
    #[ts(type = "number")]
    pub last_seen: Millis,
    pub channels: Vec<String>,
    pub user: Option<UserId>,
    pub remote: Option<String>,
    pub user_agent: Option<String>,
    pub origin_header: Option<String>,
    pub client: Option<String>,
    pub version: Option<String>,
    #[ts(type = "number")]
    pub messages_in: u64,
}

/// One occupied channel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChannelView {
    pub name: String,
    pub kind: String,
    pub cache: bool,
    pub subscribers: Vec<ConnId>,
    pub subscription_count: usize,
    /// Presence channels: the distinct members.
    pub members: Vec<MemberView>,
    pub cached: Option<CachedView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct MemberView {
    pub user_id: UserId,
    pub user_info: Value,
    pub sockets: Vec<ConnId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct CachedView {
    pub event: String,
    pub data: String,
    #[ts(type = "number")]
    pub stored_at: Millis,
}

impl Engine {
    /// A snapshot of every app, sorted (apps by id, connections by id, channels by name).
    pub fn live_state(&self, now: Millis) -> LiveState {
        let mut apps: Vec<AppView> = self.apps.values().map(|app| app_view(app, now)).collect();
        apps.sort_by(|a, b| a.id.cmp(&b.id));
        LiveState { apps }
    }
}

fn app_view(app: &AppState, now: Millis) -> AppView {
    let mut connections: Vec<ConnectionView> =
        app.sockets.iter().map(|(conn, socket)| connection_view(*conn, socket)).collect();
    connections.sort_by_key(|c| c.conn);
    let mut channels: Vec<ChannelView> =
        app.channels.values().map(|ch| channel_view(app, ch, now)).collect();
    channels.sort_by(|a, b| a.name.cmp(&b.name));
    AppView {
        id: app.config.id.clone(),
        key: app.config.key.clone(),
        secret_masked: app.config.secret.masked(),
        enabled: app.config.enabled,
        client_events: app.config.enable_client_messages,
        subscription_count: app.config.enable_subscription_count,
        connections,
        channels,
    }
}

fn connection_view(conn: ConnId, socket: &Socket) -> ConnectionView {
    let mut channels: Vec<String> = socket.channels.iter().cloned().collect();
    channels.sort();
    let meta = &socket.meta;
    ConnectionView {
        conn,
        socket: socket.socket_id.clone(),
        since: socket.opened_at,
        last_seen: socket.last_seen,
        channels,
        user: socket.user.as_ref().map(|u| u.id.clone()),
        remote: meta.remote.clone(),
        user_agent: meta.user_agent.clone(),
        origin_header: meta.origin_header.clone(),
        client: meta.client.clone(),
        version: meta.version.clone(),
        messages_in: socket.messages_in,
    }
}

fn channel_view(app: &AppState, channel: &Channel, now: Millis) -> ChannelView {
    let subscribers: Vec<ConnId> = channel.subscribers.iter().copied().collect();
    let members = channel
        .members
        .iter()
        .map(|m| {
            let mut sockets: Vec<ConnId> = m.sockets.iter().copied().collect();
            sockets.sort();
            MemberView { user_id: m.user_id.clone(), user_info: m.info.clone(), sockets }
        })
        .collect();
    let name = channel.name.as_str();
    let cached = app.cached(name, now).map(|c| CachedView {
        event: c.event.clone(),
        data: c.data.clone(),
        stored_at: c.stored_at,
    });
    ChannelView {
        name: name.to_owned(),
        kind: channel.name.kind().label().to_owned(),
        cache: channel.name.kind().is_cache(),
        subscription_count: subscribers.len(),
        subscribers,
        members,
        cached,
    }
}
