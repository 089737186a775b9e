//! Side outputs: the `Effect::Webhook` events each scenario raises, and the `/metrics` figures.

mod harness;

use harness::{app_id, webhook, Harness};
use serde_json::json;
use switchboard_engine::config::{AppConfig, ServerLimits};
use switchboard_engine::{Effect, WebhookEvent};
use switchboard_proto::UserId;

fn hooked() -> Harness {
    Harness::with(|a| a.webhooks.push(webhook()))
}

fn occupied(channel: &str) -> WebhookEvent {
    WebhookEvent::ChannelOccupied { channel: channel.into() }
}

fn vacated(channel: &str) -> WebhookEvent {
    WebhookEvent::ChannelVacated { channel: channel.into() }
}

fn user(id: &str) -> UserId {
    UserId::new(id).expect("user id")
}

#[test]
fn occupied_on_first_subscriber_and_vacated_when_the_last_leaves() {
    let mut h = hooked();
    let (a, b) = (h.join(), h.join());
    h.subscribe(a, "news");
    assert_eq!(h.take_webhooks(), [occupied("news")]);
    h.subscribe(b, "news");
    assert!(h.take_webhooks().is_empty());
    h.unsubscribe(a, "news");
    assert!(h.take_webhooks().is_empty());
    h.close(b);
    assert_eq!(h.take_webhooks(), [vacated("news")]);
    h.subscribe(a, "news");
    h.unsubscribe(a, "news");
    assert_eq!(h.take_webhooks(), [occupied("news"), vacated("news")]);
    assert!(h.webhooks.iter().all(|(app, _)| *app == app_id("app-id")));
}

#[test]
fn failed_subscriptions_raise_no_webhook() {
    let mut h = hooked();
    let conn = h.join();
    h.send(conn, &harness::subscribe_frame("private-x", Some("app-key:00"), None));
    h.subscribe(conn, "bad name");
    h.subscribe(conn, "news");
    h.take_webhooks();
    h.subscribe(conn, "news");
    assert!(h.take_webhooks().is_empty());
}

#[test]
fn member_added_and_removed_once_per_user() {
    let mut h = hooked();
    let (a, b, c) = (h.join(), h.join(), h.join());
    h.join_presence(a, "presence-r", "u1");
    assert_eq!(
        h.take_webhooks(),
        [
            occupied("presence-r"),
            WebhookEvent::MemberAdded { channel: "presence-r".into(), user_id: user("u1") }
        ]
    );
    h.join_presence(b, "presence-r", "u1");
    assert!(h.take_webhooks().is_empty());
    h.join_presence(c, "presence-r", "u2");
    assert_eq!(
        h.take_webhooks(),
        [WebhookEvent::MemberAdded { channel: "presence-r".into(), user_id: user("u2") }]
    );
    h.close(a);
    assert!(h.take_webhooks().is_empty());
    h.unsubscribe(b, "presence-r");
    assert_eq!(
        h.take_webhooks(),
        [WebhookEvent::MemberRemoved { channel: "presence-r".into(), user_id: user("u1") }]
    );
    h.close(c);
    assert_eq!(
        h.take_webhooks(),
        [
            WebhookEvent::MemberRemoved { channel: "presence-r".into(), user_id: user("u2") },
            vacated("presence-r")
        ]
    );
}

#[test]
fn client_event_webhook_carries_data_as_string_socket_id_and_presence_user_id() {
    let mut h = hooked();
    let (a, b) = (h.join(), h.join());
    h.subscribe_private(a, "private-c");
    h.subscribe_private(b, "private-c");
    h.join_presence(a, "presence-c", "ua");
    h.take_webhooks();
    h.client_event(a, "private-c", "client-obj", &json!({"k": 1}));
    h.client_event(a, "private-c", "client-str", &json!("text"));
    h.client_event(a, "presence-c", "client-p", &json!({"z": null}));
    let socket_id = h.socket_id(a);
    assert_eq!(
        h.take_webhooks(),
        [
            WebhookEvent::ClientEvent {
                channel: "private-c".into(),
                event: "client-obj".into(),
                data: r#"{"k":1}"#.into(),
                socket_id: socket_id.clone(),
                user_id: None,
            },
            WebhookEvent::ClientEvent {
                channel: "private-c".into(),
                event: "client-str".into(),
                data: "text".into(),
                socket_id: socket_id.clone(),
                user_id: None,
            },
            WebhookEvent::ClientEvent {
                channel: "presence-c".into(),
                event: "client-p".into(),
                data: r#"{"z":null}"#.into(),
                socket_id,
                user_id: Some(user("ua")),
            },
        ]
    );
    // Rejected client events raise nothing.
    h.client_event(a, "private-nope", "client-x", &json!({}));
    assert!(h.take_webhooks().is_empty());
}

#[test]
fn cache_miss_webhook_once_per_burst() {
    let mut h = hooked();
    let (a, b, c) = (h.join(), h.join(), h.join());
    h.subscribe(a, "cache-x");
    h.subscribe(b, "cache-x");
    let misses = |events: Vec<WebhookEvent>| {
        events.iter().filter(|e| matches!(e, WebhookEvent::CacheMiss { .. })).count()
    };
    assert_eq!(misses(h.take_webhooks()), 1);
    // A cached event ends the burst; once it expires, the next miss is reported again.
    h.publish("ev", &["cache-x"], "d");
    h.subscribe(c, "cache-x");
    assert_eq!(misses(h.take_webhooks()), 0);
    h.now += 30 * 60 * 1000;
    h.unsubscribe(c, "cache-x");
    h.subscribe(c, "cache-x");
    assert_eq!(misses(h.take_webhooks()), 1);
    // Vacating the channel ends the burst too.
    for conn in [a, b, c] {
        h.unsubscribe(conn, "cache-x");
    }
    h.take_webhooks();
    h.subscribe(a, "cache-x");
    assert_eq!(
        h.take_webhooks(),
        [occupied("cache-x"), WebhookEvent::CacheMiss { channel: "cache-x".into() }]
    );
}

#[test]
fn subscription_count_webhook_only_when_enabled() {
    let count = |channel: &str, n: usize| WebhookEvent::SubscriptionCount {
        channel: channel.into(),
        subscription_count: n,
    };
    let mut h = Harness::with(|a| {
        a.webhooks.push(webhook());
        a.enable_subscription_count = true;
    });
    let (a, b) = (h.join(), h.join());
    h.subscribe(a, "news");
    h.subscribe(b, "news");
    h.unsubscribe(b, "news");
    assert_eq!(
        h.take_webhooks(),
        [occupied("news"), count("news", 1), count("news", 2), count("news", 1)]
    );
    h.join_presence(b, "presence-p", "u");
    let events = h.take_webhooks();
    assert!(
        !events.iter().any(|e| matches!(e, WebhookEvent::SubscriptionCount { .. })),
        "{events:?}"
    );

    let mut h = hooked();
    let a = h.join();
    h.subscribe(a, "news");
    assert_eq!(h.take_webhooks(), [occupied("news")]);
}

#[test]
fn no_webhook_configured_means_no_webhook_effects() {
    let mut h = Harness::with(|a| a.enable_subscription_count = true);
    let (a, b) = (h.join(), h.join());
    h.subscribe(a, "cache-x");
    h.join_presence(a, "presence-p", "1");
    h.join_presence(b, "presence-p", "2");
    h.subscribe_private(a, "private-c");
    h.subscribe_private(b, "private-c");
    h.client_event(a, "private-c", "client-x", &json!({}));
    h.close(a);
    h.close(b);
    assert!(h.webhooks.is_empty(), "{:?}", h.webhooks);
}

#[test]
fn webhooks_are_tagged_with_their_app() {
    let mut b = harness::app("b");
    b.webhooks.push(webhook());
    let mut h = Harness::new(vec![AppConfig::default_app(), b], ServerLimits::default());
    let on_a = h.join();
    let on_b = h.connect("b-key");
    h.subscribe(on_a, "news");
    h.subscribe(on_b, "news");
    assert_eq!(h.webhooks, [(app_id("b"), occupied("news"))]);
}

// ---- metrics ----

#[test]
fn metrics_follow_connections_channels_and_messages() {
    let mut h = Harness::default_app();
    let zero = h.metrics("app-id");
    assert_eq!(
        (zero.connections, zero.channels, zero.messages_in, zero.messages_out),
        (0, 0, 0, 0)
    );
    let (a, b) = (h.join(), h.join());
    let m = h.metrics("app-id");
    assert_eq!((m.connections, m.channels, m.messages_in, m.messages_out), (2, 0, 0, 2));
    h.subscribe(a, "news");
    h.subscribe(b, "news");
    h.subscribe(b, "other");
    h.send(a, "garbage");
    let m = h.metrics("app-id");
    assert_eq!((m.connections, m.channels, m.messages_in, m.messages_out), (2, 2, 4, 6));
    h.publish("ev", &["news"], "d");
    assert_eq!(h.metrics("app-id").messages_out, 8);
    h.close(b);
    let m = h.metrics("app-id");
    assert_eq!((m.connections, m.channels), (1, 1));
}

/// Every frame handed to the hub for an app's sockets is counted in its `messages_out`.
#[test]
fn messages_out_counts_every_frame_sent_including_close_errors() {
    let mut h = Harness::with(|a| a.enable_user_authentication = true);
    let (a, b, c, d) = (h.join(), h.join(), h.join(), h.join());
    for conn in [a, b, c] {
        h.signin(conn, &json!({"id": format!("u{}", conn.0)}));
    }
    h.subscribe(a, "news");
    h.publish("ev", &["news"], "d");
    let expected = |h: &Harness| h.delivered.get("app-id").copied().unwrap_or_default();
    assert_eq!(h.metrics("app-id").messages_out, expected(&h), "before any close");
    h.terminate_user("app-id", &format!("u{}", b.0)).unwrap();
    assert_eq!(h.metrics("app-id").messages_out, expected(&h), "after terminate_user");
    h.advance(30_000); // d never signed in: 4009
    assert!(h.is_closed(d));
    assert_eq!(h.metrics("app-id").messages_out, expected(&h), "after the sign-in timeout");
    h.shutdown();
    assert_eq!(h.metrics("app-id").messages_out, expected(&h), "after shutdown");
}

#[test]
fn ping_effects_match_ping_frames() {
    let mut h = Harness::default_app();
    let (a, b) = (h.join(), h.join());
    h.now += 60_000;
    h.activity(b);
    let effects = h.advance(60_000);
    let pings: Vec<_> = effects.iter().filter(|e| matches!(e, Effect::Ping { .. })).collect();
    assert_eq!(pings, [&Effect::Ping { conn: a }]);
    assert_eq!(h.take_names(a), ["pusher:ping"]);
    assert!(h.take(b).is_empty());
}
