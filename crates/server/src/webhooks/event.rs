//! Webhook events as they travel: their type, channel, target filters, and the JSON bodies
//! Pusher sends (`{"time_ms":…,"events":[{"name":…,"channel":…},…]}`).

use serde::Serialize;
use switchboard_engine::config::{WebhookConfig, WebhookEventType};
use switchboard_engine::WebhookEvent;

/// One event ready for a batch: its JSON object, with its type, channel and cause (the `seq`
/// of the record that raised it) for the record of the attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub kind: WebhookEventType,
    pub channel: String,
    pub json: String,
    pub cause: Option<u64>,
}

/// The event's type, as `event_types` names it.
pub fn kind(event: &WebhookEvent) -> WebhookEventType {
    match event {
        WebhookEvent::ChannelOccupied { .. } => WebhookEventType::ChannelOccupied,
        WebhookEvent::ChannelVacated { .. } => WebhookEventType::ChannelVacated,
        WebhookEvent::MemberAdded { .. } => WebhookEventType::MemberAdded,
        WebhookEvent::MemberRemoved { .. } => WebhookEventType::MemberRemoved,
        WebhookEvent::ClientEvent { .. } => WebhookEventType::ClientEvent,
        WebhookEvent::CacheMiss { .. } => WebhookEventType::CacheMiss,
        WebhookEvent::SubscriptionCount { .. } => WebhookEventType::SubscriptionCount,
    }
}

/// The channel every webhook event is about.
pub fn channel(event: &WebhookEvent) -> &str {
    match event {
        WebhookEvent::ChannelOccupied { channel }
        | WebhookEvent::ChannelVacated { channel }
        | WebhookEvent::MemberAdded { channel, .. }
        | WebhookEvent::MemberRemoved { channel, .. }
        | WebhookEvent::ClientEvent { channel, .. }
        | WebhookEvent::CacheMiss { channel }
        | WebhookEvent::SubscriptionCount { channel, .. } => channel,
    }
}

/// Whether `target` wants `event`: its type is listed and its channel has the prefix.
pub fn wanted_by(target: &WebhookConfig, event: &WebhookEvent) -> bool {
    let prefix = target.channel_prefix.as_deref().unwrap_or_default();
    target.event_types.contains(&kind(event)) && channel(event).starts_with(prefix)
}

/// An event object of a webhook body; absent fields are left out, as Pusher does.
#[derive(Serialize)]
struct Body<'a> {
    name: &'static str,
    channel: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    event: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    socket_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_count: Option<usize>,
}

impl Item {
    pub fn new(event: &WebhookEvent) -> Self {
        let kind = kind(event);
        let channel = channel(event);
        let mut body = Body {
            name: kind.as_str(),
            channel,
            event: None,
            data: None,
            socket_id: None,
            user_id: None,
            subscription_count: None,
        };
        match event {
            WebhookEvent::MemberAdded { user_id, .. }
            | WebhookEvent::MemberRemoved { user_id, .. } => body.user_id = Some(user_id.as_str()),
            WebhookEvent::ClientEvent { event, data, socket_id, user_id, .. } => {
                body.event = Some(event);
                body.data = Some(data);
                body.socket_id = Some(socket_id.as_str());
                body.user_id = user_id.as_ref().map(|u| u.as_str());
            }
            WebhookEvent::SubscriptionCount { subscription_count, .. } => {
                body.subscription_count = Some(*subscription_count);
            }
            _ => {}
        }
        let json = serde_json::to_string(&body).expect("string fields always serialize");
        Self { kind, channel: channel.to_owned(), json, cause: None }
    }
}

/// The request body: `{"time_ms":…,"events":[…]}`.
pub fn body(time_ms: u64, items: &[Item]) -> String {
    let events: Vec<&str> = items.iter().map(|item| item.json.as_str()).collect();
    format!("{{\"time_ms\":{time_ms},\"events\":[{}]}}", events.join(","))
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};
    use switchboard_proto::{SocketId, UserId};

    use super::*;

    fn user(id: &str) -> UserId {
        UserId::new(id).unwrap()
    }

    #[test]
    fn every_event_has_pushers_fields() {
        let socket = SocketId::parse("123.456").unwrap();
        let ch = |c: &str| c.to_owned();
        let cases = [
            (
                WebhookEvent::ChannelOccupied { channel: ch("a") },
                json!({"name": "channel_occupied", "channel": "a"}),
            ),
            (
                WebhookEvent::ChannelVacated { channel: ch("a") },
                json!({"name": "channel_vacated", "channel": "a"}),
            ),
            (
                WebhookEvent::MemberAdded { channel: ch("presence-a"), user_id: user("u1") },
                json!({"name": "member_added", "channel": "presence-a", "user_id": "u1"}),
            ),
            (
                WebhookEvent::MemberRemoved { channel: ch("presence-a"), user_id: user("u1") },
                json!({"name": "member_removed", "channel": "presence-a", "user_id": "u1"}),
            ),
            (
                WebhookEvent::ClientEvent {
                    channel: ch("private-a"),
                    event: "client-x".into(),
                    data: r#"{"k":1}"#.into(),
                    socket_id: socket.clone(),
                    user_id: None,
                },
                json!({"name": "client_event", "channel": "private-a", "event": "client-x",
                       "data": "{\"k\":1}", "socket_id": "123.456"}),
            ),
            (
                WebhookEvent::ClientEvent {
                    channel: ch("presence-a"),
                    event: "client-x".into(),
                    data: "text".into(),
                    socket_id: socket,
                    user_id: Some(user("u2")),
                },
                json!({"name": "client_event", "channel": "presence-a", "event": "client-x",
                       "data": "text", "socket_id": "123.456", "user_id": "u2"}),
            ),
            (
                WebhookEvent::CacheMiss { channel: ch("cache-a") },
                json!({"name": "cache_miss", "channel": "cache-a"}),
            ),
            (
                WebhookEvent::SubscriptionCount { channel: ch("a"), subscription_count: 3 },
                json!({"name": "subscription_count", "channel": "a", "subscription_count": 3}),
            ),
        ];
        for (event, expected) in cases {
            let item = Item::new(&event);
            let got: Value = serde_json::from_str(&item.json).unwrap();
            assert_eq!(got, expected, "{event:?}");
            assert_eq!(item.kind.as_str(), expected["name"]);
            assert_eq!(item.channel, expected["channel"]);
        }
    }

    #[test]
    fn the_body_matches_the_reference_signature() {
        let item = Item::new(&WebhookEvent::ChannelOccupied { channel: "test-channel".into() });
        let body = body(1_327_078_148_132, &[item]);
        assert_eq!(
            body,
            r#"{"time_ms":1327078148132,"events":[{"name":"channel_occupied","channel":"test-channel"}]}"#
        );
        let secret = switchboard_proto::AppSecret::new("7ad3773142a6692b25b8").unwrap();
        assert_eq!(
            switchboard_proto::sign::webhook_signature(&secret, body.as_bytes()),
            "5dd6562a9f744b72a688bcdfea41c14c2c56d12c44c99e32c08face4cc1e8aeb"
        );
    }

    #[test]
    fn targets_filter_by_type_and_channel_prefix() {
        let target = |types: &[WebhookEventType], prefix: Option<&str>| WebhookConfig {
            url: "http://h".into(),
            event_types: types.to_vec(),
            channel_prefix: prefix.map(str::to_owned),
            headers: Vec::new(),
        };
        let occupied = |c: &str| WebhookEvent::ChannelOccupied { channel: c.into() };
        let all = WebhookEventType::ALL;
        let only_vacated = [WebhookEventType::ChannelVacated];
        let cases = [
            (target(&all, None), occupied("x"), true),
            (target(&only_vacated, None), occupied("x"), false),
            (target(&all, Some("presence-")), occupied("presence-x"), true),
            (target(&all, Some("presence-")), occupied("private-x"), false),
            (target(&all, Some("")), occupied("x"), true),
        ];
        for (target, event, wanted) in cases {
            assert_eq!(wanted_by(&target, &event), wanted, "{target:?} {event:?}");
        }
    }
}
