//! The config file's exact shape — serde types that refuse unknown keys and check each
//! value as it is read — and its conversion into the engine's settings.

use std::collections::BTreeMap;

use serde::Deserialize;
use switchboard_engine::config::{AppConfig, AppLimits, WebhookConfig, WebhookEventType};
use switchboard_proto::{AppId, AppKey, AppSecret, IdError};
use toml::Spanned;

use super::error::{ConfigError, Location};
use super::file::{FileApp, FileLayer, Place};
use super::values::{EventTypes, HeaderName, HeaderValue, HttpUrl, NonEmpty, Positive};
use super::webhooks::RawWebhookSettings;
use super::ServerLayer;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawFile {
    host: Option<NonEmpty>,
    port: Option<u16>,
    activity_timeout: Option<Positive>,
    pong_timeout: Option<Positive>,
    user_authentication_timeout: Option<Positive>,
    max_message_size_in_kb: Option<Positive>,
    #[serde(default)]
    apps: Vec<RawApp>,
    #[serde(default)]
    webhooks: RawWebhookSettings,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawApp {
    id: Spanned<NonEmpty>,
    key: Spanned<NonEmpty>,
    secret: Spanned<NonEmpty>,
    enabled: Option<bool>,
    enable_client_messages: Option<bool>,
    enable_user_authentication: Option<bool>,
    enable_subscription_count: Option<bool>,
    enable_watchlist_events: Option<bool>,
    max_connections: Option<Positive>,
    max_client_events_per_second: Option<Positive>,
    max_presence_members_per_channel: Option<Positive>,
    max_presence_member_size_in_kb: Option<Positive>,
    max_channel_name_length: Option<Positive>,
    max_event_channels_at_once: Option<Positive>,
    max_event_name_length: Option<Positive>,
    max_event_payload_in_kb: Option<Positive>,
    max_event_batch_size: Option<Positive>,
    #[serde(default)]
    webhooks: Vec<RawWebhook>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWebhook {
    url: HttpUrl,
    event_types: Option<EventTypes>,
    channel_prefix: Option<String>,
    #[serde(default)]
    headers: BTreeMap<HeaderName, HeaderValue>,
}

impl RawFile {
    /// The server values and the apps, each app's id and key located for later checks.
    pub fn into_layer(self, place: Place<'_>) -> Result<FileLayer, ConfigError> {
        let server = ServerLayer {
            host: self.host.map(|h| h.0),
            port: self.port,
            activity_timeout: self.activity_timeout.map(|v| v.0),
            pong_timeout: self.pong_timeout.map(|v| v.0),
            user_authentication_timeout: self.user_authentication_timeout.map(|v| v.0),
            max_message_size_in_kb: self.max_message_size_in_kb.map(|v| v.0),
        };
        let apps = self.apps.into_iter().enumerate();
        let apps = apps.map(|(index, app)| app.into_file_app(index, place));
        let apps = apps.collect::<Result<_, _>>()?;
        Ok(FileLayer { server, apps, webhooks: self.webhooks.into_settings() })
    }
}

/// Builds an id, key or secret, reporting a refusal at the value's position.
fn credential<T>(
    place: Place<'_>,
    value: Spanned<NonEmpty>,
    field: String,
    make: fn(String) -> Result<T, IdError>,
) -> Result<(T, Location), ConfigError> {
    let at = place.location(value.span());
    match make(value.into_inner().0) {
        Ok(made) => Ok((made, at)),
        Err(error) => Err(ConfigError::Invalid { at, field, message: error.to_string() }),
    }
}

impl RawApp {
    fn into_file_app(self, index: usize, place: Place<'_>) -> Result<FileApp, ConfigError> {
        let field = |name: &str| format!("apps[{index}].{name}");
        let limits = limits(&self);
        let (id, id_at) = credential(place, self.id, field("id"), AppId::new)?;
        let (key, key_at) = credential(place, self.key, field("key"), AppKey::new)?;
        let (secret, _) = credential(place, self.secret, field("secret"), AppSecret::new)?;
        let mut app = AppConfig::with_credentials(id, key, secret);
        let flags = [
            (&mut app.enabled, self.enabled),
            (&mut app.enable_client_messages, self.enable_client_messages),
            (&mut app.enable_user_authentication, self.enable_user_authentication),
            (&mut app.enable_subscription_count, self.enable_subscription_count),
            (&mut app.enable_watchlist_events, self.enable_watchlist_events),
        ];
        for (flag, value) in flags {
            if let Some(value) = value {
                *flag = value;
            }
        }
        app.limits = limits;
        app.webhooks = self.webhooks.into_iter().map(webhook).collect();
        Ok(FileApp { app, id_at, key_at })
    }
}

fn limits(raw: &RawApp) -> AppLimits {
    let mut limits =
        AppLimits { max_connections: raw.max_connections.map(|v| v.0), ..AppLimits::default() };
    let given = [
        (&mut limits.max_client_events_per_second, raw.max_client_events_per_second),
        (&mut limits.max_presence_members_per_channel, raw.max_presence_members_per_channel),
        (&mut limits.max_presence_member_size_in_kb, raw.max_presence_member_size_in_kb),
        (&mut limits.max_channel_name_length, raw.max_channel_name_length),
        (&mut limits.max_event_channels_at_once, raw.max_event_channels_at_once),
        (&mut limits.max_event_name_length, raw.max_event_name_length),
        (&mut limits.max_event_payload_in_kb, raw.max_event_payload_in_kb),
        (&mut limits.max_event_batch_size, raw.max_event_batch_size),
    ];
    for (slot, value) in given {
        if let Some(Positive(value)) = value {
            *slot = value;
        }
    }
    limits
}

fn webhook(raw: RawWebhook) -> WebhookConfig {
    WebhookConfig {
        url: raw.url.0,
        event_types: raw.event_types.map_or_else(|| WebhookEventType::ALL.to_vec(), |t| t.0),
        channel_prefix: raw.channel_prefix,
        headers: raw.headers.into_iter().map(|(name, value)| (name.0, value.0)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    const APP: &str = "[[apps]]\nid = \"a\"\nkey = \"k\"\nsecret = \"s\"\n";

    fn parse_str(text: &str) -> Result<FileLayer, String> {
        super::super::file::parse(text, Path::new("switchboard.toml")).map_err(|e| e.to_string())
    }

    #[test]
    fn every_app_key_is_read() {
        let text = format!(
            "{APP}enabled = false\nenable_client_messages = false\n\
             enable_user_authentication = true\nenable_subscription_count = true\n\
             enable_watchlist_events = false\nmax_connections = 1000\n\
             max_client_events_per_second = 11\nmax_presence_members_per_channel = 12\n\
             max_presence_member_size_in_kb = 13\nmax_channel_name_length = 14\n\
             max_event_channels_at_once = 15\nmax_event_name_length = 16\n\
             max_event_payload_in_kb = 17\nmax_event_batch_size = 18\n\
             [[apps.webhooks]]\nurl = \"http://127.0.0.1:3000/hooks\"\n\
             event_types = [\"channel_vacated\", \"client_event\"]\n\
             channel_prefix = \"presence-\"\nheaders = {{ \"X-Custom\" = \"1\", \"A\" = \"2\" }}\n\
             [[apps.webhooks]]\nurl = \"https://example.com\"\n"
        );
        let file = parse_str(&text).expect("valid file");
        let [FileApp { app, .. }] = &file.apps[..] else { panic!("one app expected") };
        let mut expected = AppConfig::with_credentials(
            AppId::new("a").unwrap(),
            AppKey::new("k").unwrap(),
            AppSecret::new("s").unwrap(),
        );
        expected.enabled = false;
        expected.enable_client_messages = false;
        expected.enable_user_authentication = true;
        expected.enable_subscription_count = true;
        expected.enable_watchlist_events = false;
        expected.limits = AppLimits {
            max_connections: Some(1000),
            max_client_events_per_second: 11,
            max_presence_members_per_channel: 12,
            max_presence_member_size_in_kb: 13,
            max_channel_name_length: 14,
            max_event_channels_at_once: 15,
            max_event_name_length: 16,
            max_event_payload_in_kb: 17,
            max_event_batch_size: 18,
        };
        expected.webhooks = vec![
            WebhookConfig {
                url: "http://127.0.0.1:3000/hooks".into(),
                event_types: vec![WebhookEventType::ChannelVacated, WebhookEventType::ClientEvent],
                channel_prefix: Some("presence-".into()),
                headers: vec![("A".into(), "2".into()), ("X-Custom".into(), "1".into())],
            },
            WebhookConfig {
                url: "https://example.com".into(),
                event_types: WebhookEventType::ALL.to_vec(),
                channel_prefix: None,
                headers: Vec::new(),
            },
        ];
        assert_eq!(app, &expected);
    }

    #[test]
    fn omitted_app_keys_take_their_defaults() {
        let file = parse_str(APP).expect("valid file");
        let defaults = AppConfig::with_credentials(
            AppId::new("a").unwrap(),
            AppKey::new("k").unwrap(),
            AppSecret::new("s").unwrap(),
        );
        assert_eq!(file.apps[0].app, defaults);
        assert_eq!((file.apps[0].id_at.line, file.apps[0].id_at.column), (2, 6));
    }
}
