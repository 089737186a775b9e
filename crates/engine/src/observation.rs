//! Observations: one record for every decision the engine takes, the inspector's raw material.
//!
//! The engine numbers them (`seq`, a total order) and links each to its cause (the frame or
//! API call that led to it). It knows connections by `ConnId`; the hub fills in the public
//! `SocketId` before publishing, since the engine may already have forgotten a closed socket.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_proto::{AppId, SocketId, UserId};
use ts_rs::TS;

use crate::{ConnId, Millis};

/// Where the traffic behind an observation came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Origin {
    /// A WebSocket client.
    Client,
    /// The Pusher HTTP API.
    Api,
    /// The inspector's composer.
    Inject,
    /// A replay of recorded traffic.
    Replay,
    /// A configuration change.
    Config,
    /// The server itself (timeouts, shutdown, webhooks).
    Server,
}

impl Origin {
    /// The name serde writes (a test keeps the two in step).
    pub fn name(self) -> &'static str {
        match self {
            Self::Client => "client",
            Self::Api => "api",
            Self::Inject => "inject",
            Self::Replay => "replay",
            Self::Config => "config",
            Self::Server => "server",
        }
    }
}

/// One recorded fact.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Observation {
    #[ts(type = "number")]
    pub seq: u64,
    /// Unix milliseconds.
    #[ts(type = "number")]
    pub at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<AppId>,
    pub origin: Origin,
    /// The hub's number for the connection, when one is involved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn: Option<ConnId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<SocketId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<UserId>,
    /// The `seq` of the observation that caused this one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(type = "number | null")]
    pub cause: Option<u64>,
    #[serde(flatten)]
    pub detail: Detail,
}

/// Who ended a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ClosedBy {
    Client,
    Server,
}

/// Why a socket did not receive a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum SkipReason {
    /// The socket is connected to the app but not subscribed to the channel.
    NotSubscribed,
    /// Excluded by the trigger's `socket_id`.
    ExcludedBySocketId,
    /// The sender of a client event never gets it back.
    Sender,
    /// The socket's outbox was full; it was closed with 4100.
    OutboxFull,
}

/// A connection in a delivery's reached or skipped list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Target {
    pub conn: ConnId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<SocketId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<SkipReason>,
}

/// What happened. Serialized with a `kind` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum Detail {
    ConnectionOpened {
        #[serde(default)]
        remote: Option<String>,
        #[serde(default)]
        origin_header: Option<String>,
        #[serde(default)]
        user_agent: Option<String>,
        #[serde(default)]
        protocol: Option<String>,
        #[serde(default)]
        client: Option<String>,
        #[serde(default)]
        version: Option<String>,
    },
    ConnectionRefused {
        code: u16,
        reason: String,
    },
    ConnectionClosed {
        code: Option<u16>,
        reason: String,
        by: ClosedBy,
    },
    /// A frame from a client; `error` when it could not be decoded.
    FrameIn {
        raw: String,
        #[serde(default)]
        error: Option<String>,
    },
    /// A frame to one socket.
    FrameOut {
        raw: String,
    },
    /// A frame to several sockets (broadcasts, triggers, client events).
    Delivery {
        raw: String,
        reached: Vec<Target>,
        skipped: Vec<Target>,
        #[serde(default)]
        not_subscribed_more: usize,
    },
    Subscribed {
        #[serde(default)]
        member: Option<Value>,
    },
    SubscriptionRefused {
        reason: String,
        #[serde(default)]
        string_to_sign: Option<String>,
        #[serde(default)]
        expected: Option<String>,
        #[serde(default)]
        supplied: Option<String>,
    },
    Unsubscribed,
    ChannelOccupied,
    ChannelVacated,
    MemberAdded {
        #[serde(default)]
        user_info: Value,
    },
    MemberRemoved,
    ClientEventRejected {
        reason: String,
    },
    SignedIn,
    SignInRefused {
        reason: String,
    },
    ApiRequest {
        method: String,
        path: String,
        status: u16,
        #[serde(default)]
        #[ts(type = "number")]
        latency_us: u64,
        #[serde(default)]
        body: Option<String>,
        #[serde(default)]
        error: Option<String>,
    },
    WebhookAttempt {
        url: String,
        events: Vec<String>,
        attempt: u32,
        #[serde(default)]
        status: Option<u16>,
        #[serde(default)]
        error: Option<String>,
        #[ts(type = "number")]
        latency_ms: u64,
        /// The batch's `time_ms`, which ties attempts of one batch together.
        #[ts(type = "number")]
        batch_time_ms: u64,
    },
    /// Webhook events that were never sent: queue overflow, retries given up, shutdown.
    WebhookDropped {
        #[ts(type = "number")]
        events: u64,
        reason: String,
    },
    ConfigReloaded {
        summary: String,
        #[serde(default)]
        error: Option<String>,
    },
    /// Observations the recorder could not keep up with.
    Gap {
        #[ts(type = "number")]
        missed: u64,
    },
}

impl Detail {
    /// The `kind` tag, as the filter language and the UI name it.
    pub fn kind(&self) -> &'static str {
        match self {
            Self::ConnectionOpened { .. } => "connection_opened",
            Self::ConnectionRefused { .. } => "connection_refused",
            Self::ConnectionClosed { .. } => "connection_closed",
            Self::FrameIn { .. } => "frame_in",
            Self::FrameOut { .. } => "frame_out",
            Self::Delivery { .. } => "delivery",
            Self::Subscribed { .. } => "subscribed",
            Self::SubscriptionRefused { .. } => "subscription_refused",
            Self::Unsubscribed => "unsubscribed",
            Self::ChannelOccupied => "channel_occupied",
            Self::ChannelVacated => "channel_vacated",
            Self::MemberAdded { .. } => "member_added",
            Self::MemberRemoved => "member_removed",
            Self::ClientEventRejected { .. } => "client_event_rejected",
            Self::SignedIn => "signed_in",
            Self::SignInRefused { .. } => "sign_in_refused",
            Self::ApiRequest { .. } => "api_request",
            Self::WebhookAttempt { .. } => "webhook_attempt",
            Self::WebhookDropped { .. } => "webhook_dropped",
            Self::ConfigReloaded { .. } => "config_reloaded",
            Self::Gap { .. } => "gap",
        }
    }
}

impl Observation {
    /// A record with only the detail set; the engine fills `seq`, `at` and `cause`.
    pub fn new(origin: Origin, detail: Detail) -> Self {
        Self {
            seq: 0,
            at: 0,
            app: None,
            origin,
            conn: None,
            socket: None,
            channel: None,
            event: None,
            user: None,
            cause: None,
            detail,
        }
    }

    pub fn app(mut self, app: &AppId) -> Self {
        self.app = Some(app.clone());
        self
    }

    pub fn conn(mut self, conn: ConnId) -> Self {
        self.conn = Some(conn);
        self
    }

    pub fn channel(mut self, channel: &str) -> Self {
        self.channel = Some(channel.to_owned());
        self
    }

    pub fn event(mut self, event: &str) -> Self {
        self.event = Some(event.to_owned());
        self
    }

    pub fn user(mut self, user: Option<&UserId>) -> Self {
        self.user = user.cloned();
        self
    }
}

#[cfg(test)]
mod tests {
    use super::Origin;

    #[test]
    fn origin_names_match_serde() {
        let origins = [
            Origin::Client,
            Origin::Api,
            Origin::Inject,
            Origin::Replay,
            Origin::Config,
            Origin::Server,
        ];
        for origin in origins {
            let serde = serde_json::to_value(origin).ok();
            assert_eq!(serde, Some(serde_json::Value::from(origin.name())));
        }
    }
}
