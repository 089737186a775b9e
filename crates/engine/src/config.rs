//! The settings the engine obeys: apps with their limits, and server-wide timeouts.
//!
//! Loading them from files, env vars and flags is the server crate's job; this module only
//! defines the values and their defaults (the de-facto defaults of Pusher, soketi, sockudo).

use switchboard_proto::{AppId, AppKey, AppSecret};

/// One application: credentials, feature switches and limits.
#[derive(Debug, Clone, PartialEq)]
pub struct AppConfig {
    pub id: AppId,
    pub key: AppKey,
    pub secret: AppSecret,
    pub enabled: bool,
    /// `client-*` events from clients on private/presence channels.
    pub enable_client_messages: bool,
    /// Connections must `pusher:signin` within `user_authentication_timeout` or are closed 4009.
    pub enable_user_authentication: bool,
    /// Send `pusher_internal:subscription_count` to non-presence subscribers.
    pub enable_subscription_count: bool,
    /// Send `pusher_internal:watchlist_events` to signed-in users with a watchlist.
    pub enable_watchlist_events: bool,
    pub limits: AppLimits,
    pub webhooks: Vec<WebhookConfig>,
}

/// Per-app limits. `None` for `max_connections` means unlimited.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppLimits {
    pub max_connections: Option<u32>,
    pub max_client_events_per_second: u32,
    pub max_presence_members_per_channel: u32,
    pub max_presence_member_size_in_kb: u32,
    pub max_channel_name_length: u32,
    pub max_event_channels_at_once: u32,
    pub max_event_name_length: u32,
    pub max_event_payload_in_kb: u32,
    pub max_event_batch_size: u32,
}

impl Default for AppLimits {
    fn default() -> Self {
        Self {
            max_connections: None,
            max_client_events_per_second: 10,
            max_presence_members_per_channel: 100,
            max_presence_member_size_in_kb: 2,
            max_channel_name_length: 200,
            max_event_channels_at_once: 100,
            max_event_name_length: 200,
            max_event_payload_in_kb: 10,
            max_event_batch_size: 10,
        }
    }
}

/// Which webhook events a target wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum WebhookEventType {
    ChannelOccupied,
    ChannelVacated,
    MemberAdded,
    MemberRemoved,
    ClientEvent,
    CacheMiss,
    SubscriptionCount,
}

impl WebhookEventType {
    pub const ALL: [Self; 7] = [
        Self::ChannelOccupied,
        Self::ChannelVacated,
        Self::MemberAdded,
        Self::MemberRemoved,
        Self::ClientEvent,
        Self::CacheMiss,
        Self::SubscriptionCount,
    ];

    /// The name used in config files and webhook bodies.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ChannelOccupied => "channel_occupied",
            Self::ChannelVacated => "channel_vacated",
            Self::MemberAdded => "member_added",
            Self::MemberRemoved => "member_removed",
            Self::ClientEvent => "client_event",
            Self::CacheMiss => "cache_miss",
            Self::SubscriptionCount => "subscription_count",
        }
    }

    pub fn parse(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.as_str() == name)
    }
}

/// One webhook target of an app. `Debug` hides header values and URL credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct WebhookConfig {
    pub url: String,
    pub event_types: Vec<WebhookEventType>,
    /// Only channels whose name starts with this prefix.
    pub channel_prefix: Option<String>,
    /// Extra HTTP headers sent with each request.
    pub headers: Vec<(String, String)>,
}

impl std::fmt::Debug for WebhookConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, &str)> =
            self.headers.iter().map(|(name, _)| (name.as_str(), "<redacted>")).collect();
        f.debug_struct("WebhookConfig")
            .field("url", &redact_userinfo(&self.url))
            .field("event_types", &self.event_types)
            .field("channel_prefix", &self.channel_prefix)
            .field("headers", &headers)
            .finish()
    }
}

/// `http://user:pass@host/…` → `http://<redacted>@host/…`.
fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://<redacted>{}", &rest[at..]),
        None => url.to_owned(),
    }
}

impl AppConfig {
    /// The app every Pusher-compatible dev server starts with: `app-id` / `app-key` /
    /// `app-secret`, client events on.
    pub fn default_app() -> Self {
        Self::with_credentials(
            AppId::new("app-id").expect("literal is non-empty"),
            AppKey::new("app-key").expect("literal is non-empty"),
            AppSecret::new("app-secret").expect("literal is non-empty"),
        )
    }

    /// An app with the given credentials and every other setting at its default.
    pub fn with_credentials(id: AppId, key: AppKey, secret: AppSecret) -> Self {
        Self {
            id,
            key,
            secret,
            enabled: true,
            enable_client_messages: true,
            enable_user_authentication: false,
            enable_subscription_count: false,
            enable_watchlist_events: true,
            limits: AppLimits::default(),
            webhooks: Vec::new(),
        }
    }
}

/// Server-wide protocol timings and sizes, in seconds / kilobytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerLimits {
    /// Sent in `connection_established`; idle time before the server pings.
    pub activity_timeout_secs: u32,
    /// How long to wait for any traffic after a ping before closing with 4201.
    pub pong_timeout_secs: u32,
    /// With `enable_user_authentication`, time allowed to sign in before closing 4009.
    pub user_authentication_timeout_secs: u32,
    /// Frames larger than this get a `pusher:error` and are otherwise ignored.
    pub max_message_size_in_kb: u32,
}

impl Default for ServerLimits {
    fn default() -> Self {
        Self {
            activity_timeout_secs: 120,
            pong_timeout_secs: 30,
            user_authentication_timeout_secs: 30,
            max_message_size_in_kb: 64,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_output_never_shows_secrets() {
        let mut app = AppConfig::default_app();
        app.webhooks.push(WebhookConfig {
            url: "https://user:hunter2@hooks.example/path".into(),
            event_types: WebhookEventType::ALL.to_vec(),
            channel_prefix: None,
            headers: vec![("Authorization".into(), "Bearer hunter2".into())],
        });
        let debug = format!("{app:?}");
        assert!(!debug.contains("hunter2"), "{debug}");
        assert!(!debug.contains("app-secret"), "{debug}");
        assert!(debug.contains("hooks.example/path"), "{debug}");
    }
}
