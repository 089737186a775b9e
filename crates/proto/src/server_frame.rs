//! Server → client frames and their byte-compatible encoding (Pusher's double encoding).

use serde::Serialize;
use serde_json::{json, Value};

use crate::ids::{SocketId, UserId};
use crate::raw_json::RawJson;

/// A frame the server sends.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerFrame {
    ConnectionEstablished {
        socket_id: SocketId,
        activity_timeout: u32,
    },
    /// `code: None` is Pusher's non-fatal error (`"code":null`).
    Error {
        code: Option<u16>,
        message: String,
        channel: Option<String>,
    },
    Ping,
    Pong,
    SubscriptionSucceeded {
        channel: String,
        presence: Option<PresenceRoster>,
    },
    /// soketi's shape: `{"type","error","status"}` with the failing channel.
    SubscriptionError {
        channel: String,
        kind: &'static str,
        error: String,
        status: u16,
    },
    MemberAdded {
        channel: String,
        user_id: UserId,
        user_info: Value,
    },
    MemberRemoved {
        channel: String,
        user_id: UserId,
    },
    SubscriptionCount {
        channel: String,
        count: usize,
    },
    CacheMiss {
        channel: String,
    },
    SigninSuccess {
        user_data: String,
    },
    WatchlistEvents {
        events: Vec<WatchlistEvent>,
    },
    /// An application or client event; `data` is forwarded verbatim.
    Event {
        event: String,
        channel: String,
        data: RawJson,
        user_id: Option<UserId>,
    },
}

/// A presence channel's roster as sent in `subscription_succeeded`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PresenceRoster {
    /// Distinct users in join order, with their `user_info` (`null` when none).
    pub members: Vec<(UserId, Value)>,
}

/// One element of `pusher_internal:watchlist_events`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WatchlistEvent {
    pub name: WatchlistStatus,
    pub user_ids: Vec<UserId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum WatchlistStatus {
    Online,
    Offline,
}

impl PresenceRoster {
    fn to_json_string(&self) -> String {
        let ids: Vec<&str> = self.members.iter().map(|(id, _)| id.as_str()).collect();
        let hash: serde_json::Map<String, Value> =
            self.members.iter().map(|(id, info)| (id.as_str().to_owned(), info.clone())).collect();
        json!({"presence": {"ids": ids, "hash": hash, "count": ids.len()}}).to_string()
    }
}

impl ServerFrame {
    /// Builds an application event from a string payload (HTTP trigger): the string is sent
    /// as a JSON string, verbatim.
    pub fn event_with_string_data(event: &str, channel: &str, data: &str) -> Self {
        Self::Event {
            event: event.to_owned(),
            channel: channel.to_owned(),
            data: RawJson::string(data),
            user_id: None,
        }
    }

    /// The event name as it appears on the wire.
    pub fn event_name(&self) -> &str {
        match self {
            Self::ConnectionEstablished { .. } => "pusher:connection_established",
            Self::Error { .. } => "pusher:error",
            Self::Ping => "pusher:ping",
            Self::Pong => "pusher:pong",
            Self::SubscriptionSucceeded { .. } => "pusher_internal:subscription_succeeded",
            Self::SubscriptionError { .. } => "pusher:subscription_error",
            Self::MemberAdded { .. } => "pusher_internal:member_added",
            Self::MemberRemoved { .. } => "pusher_internal:member_removed",
            Self::SubscriptionCount { .. } => "pusher_internal:subscription_count",
            Self::CacheMiss { .. } => "pusher:cache_miss",
            Self::SigninSuccess { .. } => "pusher:signin_success",
            Self::WatchlistEvents { .. } => "pusher_internal:watchlist_events",
            Self::Event { event, .. } => event,
        }
    }

    /// Encodes the frame as the JSON text sent on the socket.
    pub fn encode(&self) -> String {
        if let Self::Event { event, channel, data, user_id } = self {
            return encode_event(event, channel, data, user_id.as_ref());
        }
        let mut frame = serde_json::Map::new();
        frame.insert("event".into(), self.event_name().into());
        if let Some(channel) = self.channel() {
            frame.insert("channel".into(), channel.into());
        }
        if let Some(data) = self.data() {
            frame.insert("data".into(), data);
        }
        Value::Object(frame).to_string()
    }

    /// The channel the frame is about, if any.
    pub fn channel(&self) -> Option<&str> {
        match self {
            Self::Error { channel, .. } => channel.as_deref(),
            Self::SubscriptionSucceeded { channel, .. }
            | Self::SubscriptionError { channel, .. }
            | Self::MemberAdded { channel, .. }
            | Self::MemberRemoved { channel, .. }
            | Self::SubscriptionCount { channel, .. }
            | Self::CacheMiss { channel }
            | Self::Event { channel, .. } => Some(channel),
            _ => None,
        }
    }

    fn data(&self) -> Option<Value> {
        let data = match self {
            Self::ConnectionEstablished { socket_id, activity_timeout } => {
                json!({"socket_id": socket_id, "activity_timeout": activity_timeout})
                    .to_string()
                    .into()
            }
            Self::Error { code, message, .. } => json!({"code": code, "message": message}),
            Self::Ping | Self::Pong => json!({}),
            Self::SubscriptionSucceeded { presence: None, .. } => "{}".into(),
            Self::SubscriptionSucceeded { presence: Some(roster), .. } => {
                roster.to_json_string().into()
            }
            Self::SubscriptionError { kind, error, status, .. } => {
                json!({"type": kind, "error": error, "status": status})
            }
            Self::MemberAdded { user_id, user_info, .. } => {
                json!({"user_id": user_id, "user_info": user_info}).to_string().into()
            }
            Self::MemberRemoved { user_id, .. } => json!({"user_id": user_id}).to_string().into(),
            Self::SubscriptionCount { count, .. } => {
                json!({"subscription_count": count}).to_string().into()
            }
            Self::CacheMiss { .. } | Self::Event { .. } => return None,
            Self::SigninSuccess { user_data } => json!({"user_data": user_data}),
            Self::WatchlistEvents { events } => json!({"events": events}),
        };
        Some(data)
    }
}

fn encode_event(event: &str, channel: &str, data: &RawJson, user_id: Option<&UserId>) -> String {
    #[derive(Serialize)]
    struct Wire<'a> {
        event: &'a str,
        channel: &'a str,
        data: &'a RawJson,
        #[serde(skip_serializing_if = "Option::is_none")]
        user_id: Option<&'a UserId>,
    }
    serde_json::to_string(&Wire { event, channel, data, user_id })
        .expect("frame fields always encode")
}

#[cfg(test)]
mod golden_tests;
