//! Golden JSON for every server frame (compared as `serde_json::Value`).

use serde_json::{json, Value};

use super::*;

fn user(id: &str) -> UserId {
    UserId::new(id).unwrap()
}

/// Compares frames as JSON; a double-encoded `data` string is compared by its decoded value
/// (and must still be a string on both sides).
fn golden(frame: &ServerFrame, expected: Value) {
    let encoded: Value = serde_json::from_str(&frame.encode()).unwrap();
    assert_eq!(decode_data(encoded), decode_data(expected), "{frame:?}");
}

fn decode_data(mut frame: Value) -> Value {
    if let Some(Value::String(text)) = frame.get("data") {
        let inner: Value = serde_json::from_str(text).unwrap_or(Value::String(text.clone()));
        frame["data"] = json!({ "double-encoded": inner });
    }
    frame
}

#[test]
fn connection_and_liveness_frames() {
    golden(
        &ServerFrame::ConnectionEstablished {
            socket_id: SocketId::parse("123.456").unwrap(),
            activity_timeout: 120,
        },
        json!({"event":"pusher:connection_established","data":"{\"socket_id\":\"123.456\",\"activity_timeout\":120}"}),
    );
    golden(&ServerFrame::Ping, json!({"event":"pusher:ping","data":{}}));
    golden(&ServerFrame::Pong, json!({"event":"pusher:pong","data":{}}));
}

#[test]
fn error_frames() {
    golden(
        &ServerFrame::Error {
            code: None,
            message: "Existing subscription to channel x".into(),
            channel: None,
        },
        json!({"event":"pusher:error","data":{"code":null,"message":"Existing subscription to channel x"}}),
    );
    golden(
        &ServerFrame::Error {
            code: Some(4301),
            message: "rate".into(),
            channel: Some("private-a".into()),
        },
        json!({"event":"pusher:error","channel":"private-a","data":{"code":4301,"message":"rate"}}),
    );
    golden(
        &ServerFrame::SubscriptionError {
            channel: "presence-full".into(),
            kind: "LimitReached",
            error: "full".into(),
            status: 4100,
        },
        json!({"event":"pusher:subscription_error","channel":"presence-full","data":{"type":"LimitReached","error":"full","status":4100}}),
    );
}

#[test]
fn subscription_frames() {
    golden(
        &ServerFrame::SubscriptionSucceeded { channel: "news".into(), presence: None },
        json!({"event":"pusher_internal:subscription_succeeded","channel":"news","data":"{}"}),
    );
    let roster = PresenceRoster {
        members: vec![(user("1"), json!({"name":"Phil"})), (user("2"), Value::Null)],
    };
    let frame =
        ServerFrame::SubscriptionSucceeded { channel: "presence-x".into(), presence: Some(roster) };
    let encoded: Value = serde_json::from_str(&frame.encode()).unwrap();
    let data: Value = serde_json::from_str(encoded["data"].as_str().unwrap()).unwrap();
    assert_eq!(
        data,
        json!({"presence":{"ids":["1","2"],"hash":{"1":{"name":"Phil"},"2":null},"count":2}})
    );
    golden(
        &ServerFrame::SubscriptionCount { channel: "news".into(), count: 12 },
        json!({"event":"pusher_internal:subscription_count","channel":"news","data":"{\"subscription_count\":12}"}),
    );
    golden(
        &ServerFrame::CacheMiss { channel: "cache-a".into() },
        json!({"event":"pusher:cache_miss","channel":"cache-a"}),
    );
}

#[test]
fn presence_member_frames() {
    golden(
        &ServerFrame::MemberAdded {
            channel: "presence-x".into(),
            user_id: user("7"),
            user_info: json!({"n":1}),
        },
        json!({"event":"pusher_internal:member_added","channel":"presence-x","data":"{\"user_id\":\"7\",\"user_info\":{\"n\":1}}"}),
    );
    golden(
        &ServerFrame::MemberRemoved { channel: "presence-x".into(), user_id: user("7") },
        json!({"event":"pusher_internal:member_removed","channel":"presence-x","data":"{\"user_id\":\"7\"}"}),
    );
}

#[test]
fn user_frames() {
    golden(
        &ServerFrame::SigninSuccess { user_data: "{\"id\":\"1\"}".into() },
        json!({"event":"pusher:signin_success","data":{"user_data":"{\"id\":\"1\"}"}}),
    );
    golden(
        &ServerFrame::WatchlistEvents {
            events: vec![WatchlistEvent {
                name: WatchlistStatus::Online,
                user_ids: vec![user("2")],
            }],
        },
        json!({"event":"pusher_internal:watchlist_events","data":{"events":[{"name":"online","user_ids":["2"]}]}}),
    );
}

#[test]
fn application_and_client_events() {
    golden(
        &ServerFrame::event_with_string_data("my-event", "news", "{\"hello\":\"world\"}"),
        json!({"event":"my-event","channel":"news","data":"{\"hello\":\"world\"}"}),
    );
    golden(
        &ServerFrame::Event {
            event: "client-typing".into(),
            channel: "presence-chat".into(),
            data: RawJson::parse("{\"text\":\"hi\"}").unwrap(),
            user_id: Some(user("42")),
        },
        json!({"event":"client-typing","channel":"presence-chat","data":{"text":"hi"},"user_id":"42"}),
    );
}
