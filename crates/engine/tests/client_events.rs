//! Client event scenarios: every rejection rule, the rate limit, and what the relay delivers.

mod harness;

use harness::{names, Harness};
use serde_json::{json, Value};
use switchboard_engine::ConnId;

/// Two sockets subscribed to a private channel, inboxes drained.
fn pair(h: &mut Harness, channel: &str) -> (ConnId, ConnId) {
    let (a, b) = (h.join(), h.join());
    h.subscribe_private(a, channel);
    h.subscribe_private(b, channel);
    h.take(a);
    h.take(b);
    (a, b)
}

/// Asserts `conn` got exactly one 4301 `pusher:error` naming `channel`; returns its message.
fn rejected(h: &mut Harness, conn: ConnId, channel: &str) -> String {
    let frames = h.take(conn);
    assert_eq!(names(&frames), ["pusher:error"], "{frames:?}");
    assert_eq!(frames[0]["data"]["code"], 4301, "{frames:?}");
    assert_eq!(frames[0]["channel"], channel, "{frames:?}");
    assert!(h.closes.is_empty(), "the socket stays open");
    frames[0]["data"]["message"].as_str().expect("message").to_owned()
}

#[test]
fn private_client_event_reaches_others_verbatim_without_user_id_and_is_not_echoed() {
    let mut h = Harness::default_app();
    let (a, b) = pair(&mut h, "private-chat");
    let c = h.join();
    h.subscribe_private(c, "private-chat");
    h.take(c);
    h.send(
        a,
        r#"{"event":"client-typing","channel":"private-chat","data":{"text":"hi","n":[1,2]}}"#,
    );
    assert!(h.take(a).is_empty(), "never echoed to the sender");
    for other in [b, c] {
        let frames = h.take(other);
        let expected = json!({
            "event": "client-typing",
            "channel": "private-chat",
            "data": {"text": "hi", "n": [1, 2]},
        });
        assert_eq!(frames, [expected]);
        assert!(frames[0]["data"].is_object(), "object stays an object");
        assert!(frames[0].get("user_id").is_none());
    }
    // Byte for byte: the raw frame keeps the sender's spacing.
    h.send(a, r#"{"event":"client-raw","channel":"private-chat","data":{"b":  1 }}"#);
    let raw = h.last.iter().find_map(|e| match e {
        switchboard_engine::Effect::Send { text, .. } => Some(text.to_string()),
        _ => None,
    });
    assert!(raw.unwrap().contains(r#""data":{"b":  1 }"#));
    h.take(b);
    // A string payload stays a string.
    h.client_event(a, "private-chat", "client-s", &json!("plain text"));
    assert_eq!(h.take(b)[0]["data"], "plain text");
}

#[test]
fn presence_client_event_carries_the_sender_user_id() {
    let mut h = Harness::default_app();
    let (a, b) = (h.join(), h.join());
    h.subscribe_presence(a, "presence-chat", &json!({"user_id": 42}));
    h.join_presence(b, "presence-chat", "b");
    h.take(a);
    h.client_event(a, "presence-chat", "client-hi", &json!({"x": 1}));
    assert_eq!(
        h.take(b),
        [json!({"event":"client-hi","channel":"presence-chat","data":{"x":1},"user_id":"42"})]
    );
    assert!(h.take(a).is_empty());
}

#[test]
fn other_sockets_of_the_same_user_do_receive() {
    let mut h = Harness::default_app();
    let (a, b) = (h.join(), h.join());
    h.join_presence(a, "presence-chat", "same");
    h.join_presence(b, "presence-chat", "same");
    h.client_event(a, "presence-chat", "client-x", &json!({}));
    assert_eq!(h.take_names(b), ["client-x"]);
    assert!(h.take(a).is_empty());
}

#[test]
fn disabled_app_rejects_client_events_with_4301() {
    let mut h = Harness::with(|a| a.enable_client_messages = false);
    let (a, b) = pair(&mut h, "private-chat");
    h.client_event(a, "private-chat", "client-x", &json!({}));
    let message = rejected(&mut h, a, "private-chat");
    assert!(message.contains("enable"), "{message}");
    assert!(h.take(b).is_empty());
}

#[test]
fn client_events_on_the_wrong_channels_or_names_are_rejected() {
    let mut h = Harness::default_app();
    let (a, b) = (h.join(), h.join());
    for channel in ["news", "cache-news", "private-encrypted-x", "private-chat"] {
        for conn in [a, b] {
            if channel.starts_with("private-") {
                h.subscribe_private(conn, channel);
            } else {
                h.subscribe(conn, channel);
            }
            h.take(conn);
        }
    }
    h.signin(a, &json!({"id": "u"}));
    h.subscribe(a, "#server-to-user-u");
    h.take(a);
    let table = [
        ("news", "client-x"),
        ("cache-news", "client-x"),
        ("private-encrypted-x", "client-x"),
        ("#server-to-user-u", "client-x"),
        ("private-not-joined", "client-x"),
        ("presence-not-joined", "client-x"),
        ("private-chat", "typing"),
        ("private-chat", "pusher-ish"),
        ("private-chat", "client"),
    ];
    for (channel, event) in table {
        h.client_event(a, channel, event, &json!({"k": "v"}));
        let message = rejected(&mut h, a, channel);
        assert!(!message.is_empty());
        assert!(h.take(b).is_empty(), "{channel} {event} leaked");
    }
    let encrypted = {
        h.client_event(a, "private-encrypted-x", "client-x", &json!({}));
        rejected(&mut h, a, "private-encrypted-x")
    };
    assert!(encrypted.contains("encrypted"), "{encrypted}");
}

#[test]
fn client_event_name_and_payload_limits() {
    let mut h = Harness::with(|a| {
        a.limits.max_event_name_length = 20;
        a.limits.max_event_payload_in_kb = 1;
    });
    let (a, b) = pair(&mut h, "private-chat");
    let name20 = format!("client-{}", "n".repeat(13));
    let name21 = format!("client-{}", "n".repeat(14));
    h.client_event(a, "private-chat", &name20, &json!({}));
    assert_eq!(h.take_names(b), [name20]);
    h.client_event(a, "private-chat", &name21, &json!({}));
    rejected(&mut h, a, "private-chat");
    // 1 KB of raw JSON text: `"` + 1022 chars + `"` fits, one more does not.
    h.client_event(a, "private-chat", "client-p", &Value::String("x".repeat(1022)));
    assert_eq!(h.take_names(b), ["client-p"]);
    h.client_event(a, "private-chat", "client-p", &Value::String("x".repeat(1023)));
    rejected(&mut h, a, "private-chat");
    assert!(h.take(b).is_empty());
}

#[test]
fn rate_limit_is_ten_per_second_and_resets_the_next_second() {
    let mut h = Harness::default_app();
    let (a, b) = pair(&mut h, "private-chat");
    for i in 0..10 {
        h.now += 50;
        h.client_event(a, "private-chat", "client-n", &json!(i));
    }
    assert_eq!(h.take(b).len(), 10);
    assert!(h.take(a).is_empty());
    h.client_event(a, "private-chat", "client-n", &json!(10));
    let message = rejected(&mut h, a, "private-chat");
    assert!(message.contains("rate"), "{message}");
    assert!(h.take(b).is_empty());
    h.now += 1000;
    for i in 0..10 {
        h.client_event(a, "private-chat", "client-n", &json!(i));
    }
    assert_eq!(h.take(b).len(), 10);
    assert!(h.take(a).is_empty());
    // The limit is per connection: b still has its full budget.
    for i in 0..10 {
        h.client_event(b, "private-chat", "client-n", &json!(i));
    }
    assert_eq!(h.take(a).len(), 10);
}

#[test]
fn custom_rate_limit_is_obeyed() {
    let mut h = Harness::with(|a| a.limits.max_client_events_per_second = 2);
    let (a, b) = pair(&mut h, "private-chat");
    for i in 0..3 {
        h.client_event(a, "private-chat", "client-n", &json!(i));
    }
    assert_eq!(h.take(b).len(), 2);
    rejected(&mut h, a, "private-chat");
}

#[test]
fn client_events_after_unsubscribe_are_rejected() {
    let mut h = Harness::default_app();
    let (a, b) = pair(&mut h, "private-chat");
    h.unsubscribe(a, "private-chat");
    h.client_event(a, "private-chat", "client-x", &json!({}));
    rejected(&mut h, a, "private-chat");
    assert!(h.take(b).is_empty());
}
