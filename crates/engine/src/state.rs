//! The engine's state for one app: its sockets, channels, presence rosters, users, caches.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, Hash};

use serde_json::Value;
use switchboard_proto::{ChannelName, SocketId, UserId};

use crate::config::AppConfig;
use crate::conn_map::ConnSet;
use crate::effects::{Out, WebhookEvent};
use crate::engine::ConnMeta;
use crate::{ConnId, Millis};

/// Everything one app owns. Apps never see each other's state.
#[derive(Debug)]
pub(crate) struct AppState {
    pub config: AppConfig,
    pub sockets: HashMap<ConnId, Socket>,
    pub by_socket_id: HashMap<SocketId, ConnId>,
    pub channels: HashMap<String, Channel>,
    /// Last event per cache channel; outlives the channel's occupancy.
    pub caches: HashMap<String, CachedEvent>,
    /// Cache channels whose `cache_miss` webhook has gone out since the last cached event.
    pub cache_miss_reported: HashSet<String>,
    /// Signed-in users and their sockets.
    pub users: HashMap<UserId, ConnSet>,
    /// Watched user → sockets watching them.
    pub watchers: HashMap<UserId, HashSet<ConnId>>,
    pub counters: Counters,
}

/// Running totals for `/metrics`.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Counters {
    pub messages_in: u64,
    pub messages_out: u64,
}

/// One connection.
#[derive(Debug)]
pub(crate) struct Socket {
    pub socket_id: SocketId,
    pub opened_at: Millis,
    pub last_seen: Millis,
    pub ping_sent_at: Option<Millis>,
    pub channels: HashSet<String>,
    pub user: Option<SignedInUser>,
    pub client_events: RateWindow,
    /// What the upgrade request said about the client (address, user agent…).
    pub meta: ConnMeta,
    pub messages_in: u64,
}

/// The user a socket signed in as.
#[derive(Debug, Clone)]
pub(crate) struct SignedInUser {
    pub id: UserId,
    pub info: Value,
    pub watchlist: Vec<UserId>,
}

/// A fixed one-second window counting client events.
#[derive(Debug, Default)]
pub(crate) struct RateWindow {
    started: Millis,
    count: u32,
}

impl RateWindow {
    /// Counts one event; false when it is over `per_second`.
    pub fn admit(&mut self, now: Millis, per_second: u32) -> bool {
        if now.saturating_sub(self.started) >= 1000 {
            self.started = now;
            self.count = 0;
        }
        self.count += 1;
        self.count <= per_second
    }
}

/// An occupied channel.
#[derive(Debug)]
pub(crate) struct Channel {
    pub name: ChannelName,
    pub subscribers: ConnSet,
    /// Presence channels only: members in join order.
    pub members: Vec<Member>,
}

/// A presence member: one user, possibly on several sockets.
#[derive(Debug)]
pub(crate) struct Member {
    pub user_id: UserId,
    pub info: Value,
    pub sockets: HashSet<ConnId>,
}

/// The last event published to a cache channel.
#[derive(Debug, Clone)]
pub(crate) struct CachedEvent {
    pub event: String,
    pub data: String,
    pub stored_at: Millis,
}

/// Gives a map's spare memory back once it is mostly empty (after a crowd of connections
/// leaves): shrinking only below a quarter full, to twice the length, keeps it amortised.
pub(crate) fn shrink_if_sparse<K: Eq + Hash, V, S: BuildHasher>(map: &mut HashMap<K, V, S>) {
    if map.capacity() > 64 && map.len() < map.capacity() / 4 {
        map.shrink_to(map.len() * 2);
    }
}

/// How long a cached event is kept (Pusher: up to 30 minutes).
pub(crate) const CACHE_TTL_MS: Millis = 30 * 60 * 1000;

impl AppState {
    pub fn new(config: AppConfig) -> Self {
        Self {
            config,
            sockets: HashMap::new(),
            by_socket_id: HashMap::new(),
            channels: HashMap::new(),
            caches: HashMap::new(),
            cache_miss_reported: HashSet::new(),
            users: HashMap::new(),
            watchers: HashMap::new(),
            counters: Counters::default(),
        }
    }

    /// Emits a webhook event if the app has any webhook target.
    pub fn webhook(&self, out: &mut Out, event: WebhookEvent) {
        if !self.config.webhooks.is_empty() {
            out.webhook(&self.config.id, event);
        }
    }

    /// The cached event of a channel, if still fresh.
    pub fn cached(&self, channel: &str, now: Millis) -> Option<&CachedEvent> {
        self.caches.get(channel).filter(|c| now.saturating_sub(c.stored_at) < CACHE_TTL_MS)
    }

    /// Sockets signed in as `user`.
    pub fn user_sockets(&self, user: &UserId) -> Vec<ConnId> {
        self.users.get(user).map(|s| s.iter().copied().collect()).unwrap_or_default()
    }
}

impl Channel {
    pub fn member(&self, user: &UserId) -> Option<&Member> {
        self.members.iter().find(|m| &m.user_id == user)
    }

    /// Distinct users (presence) — the `user_count` of the HTTP API.
    pub fn user_count(&self) -> usize {
        self.members.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparse_maps_give_memory_back_and_keep_their_entries() {
        let mut map: HashMap<u64, u64> = (0..10_000).map(|n| (n, n)).collect();
        let full = map.capacity();
        shrink_if_sparse(&mut map);
        assert_eq!(map.capacity(), full, "a full map is left alone");
        map.retain(|n, _| *n < 10);
        shrink_if_sparse(&mut map);
        assert!(map.capacity() < 100, "{}", map.capacity());
        assert_eq!((map.len(), map.get(&7)), (10, Some(&7)));
    }
}
