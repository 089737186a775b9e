//! Presence scenarios: channel_data and signed-in members, rosters, per-user join/leave, limits.

mod harness;

use harness::{data, names, subscribe_frame, Harness};
use serde_json::{json, Value};
use switchboard_engine::ConnId;

const ROOM: &str = "presence-room";

fn member_events(frames: &[Value]) -> Vec<(String, Value)> {
    frames
        .iter()
        .filter(|f| f["event"].as_str().is_some_and(|e| e.starts_with("pusher_internal:member_")))
        .map(|f| {
            assert!(f["data"].is_string(), "double encoded: {f}");
            assert_eq!(f["channel"], ROOM);
            (f["event"].as_str().expect("event name").to_owned(), data(f))
        })
        .collect()
}

#[test]
fn roster_includes_the_subscriber_and_member_added_goes_to_others_only() {
    let mut h = Harness::default_app();
    let a = h.join();
    let b = h.join();
    let channel_data = json!({"user_id": "alice", "user_info": {"name": "Alice"}});
    h.subscribe_presence(a, ROOM, &channel_data);
    let frames = h.take(a);
    assert_eq!(names(&frames), ["pusher_internal:subscription_succeeded"]);
    assert!(frames[0]["data"].is_string());
    assert_eq!(
        data(&frames[0]),
        json!({"presence": {"ids": ["alice"], "hash": {"alice": {"name": "Alice"}}, "count": 1}})
    );

    // Numeric user id becomes a string; missing user_info is null in the hash.
    h.subscribe_presence(b, ROOM, &json!({"user_id": 10}));
    let frames = h.take(b);
    assert_eq!(names(&frames), ["pusher_internal:subscription_succeeded"], "no own member_added");
    let presence = &data(&frames[0])["presence"];
    assert_eq!(presence["ids"], json!(["alice", "10"]));
    assert_eq!(presence["hash"], json!({"alice": {"name": "Alice"}, "10": null}));
    assert_eq!(presence["count"], 2);
    assert_eq!(
        member_events(&h.take(a)),
        [("pusher_internal:member_added".into(), json!({"user_id": "10", "user_info": null}))]
    );
}

#[test]
fn the_reference_channel_data_shape_is_accepted() {
    let mut h = Harness::default_app();
    let conn = h.join();
    let channel_data = r#"{"user_id":10,"user_info":{"name":"Mr. Pusher"}}"#;
    let auth = h.channel_auth(conn, "presence-foobar", Some(channel_data));
    h.send(conn, &subscribe_frame("presence-foobar", Some(&auth), Some(channel_data)));
    let roster = data(&h.take(conn)[0]);
    assert_eq!(roster["presence"]["hash"]["10"]["name"], "Mr. Pusher");
}

#[test]
fn presence_signature_covers_channel_data() {
    let mut h = Harness::default_app();
    let conn = h.join();
    let signed = r#"{"user_id":"1"}"#;
    let sent = r#"{"user_id":"2"}"#;
    let auth = h.channel_auth(conn, ROOM, Some(signed));
    h.send(conn, &subscribe_frame(ROOM, Some(&auth), Some(sent)));
    let frames = h.take(conn);
    assert_eq!(names(&frames), ["pusher:error"]);
    assert!(frames[0]["data"]["code"].is_null());
    let message = frames[0]["data"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("{}:{ROOM}:{sent}", h.socket_id(conn))), "{message}");
    // Private-style signature (no channel_data part) is refused when channel_data is sent.
    let auth = h.channel_auth(conn, ROOM, None);
    h.send(conn, &subscribe_frame(ROOM, Some(&auth), Some(sent)));
    assert_eq!(h.take_names(conn), ["pusher:error"]);
    assert_eq!(h.metrics("app-id").channels, 0);
}

#[test]
fn invalid_channel_data_is_a_non_fatal_error() {
    let long_id = json!({ "user_id": "u".repeat(129) }).to_string();
    let table = [
        r#"{"user_info":{}}"#,
        "[1]",
        "not json",
        r#"{"user_id":""}"#,
        r#"{"user_id":true}"#,
        r#"{"user_id":null}"#,
        long_id.as_str(),
    ];
    for channel_data in table {
        let mut h = Harness::default_app();
        let conn = h.join();
        let auth = h.channel_auth(conn, ROOM, Some(channel_data));
        h.send(conn, &subscribe_frame(ROOM, Some(&auth), Some(channel_data)));
        let frames = h.take(conn);
        assert_eq!(names(&frames), ["pusher:error"], "{channel_data}");
        assert!(frames[0]["data"]["code"].is_null(), "{channel_data}");
        assert_eq!(h.metrics("app-id").channels, 0);
    }
}

#[test]
fn presence_without_channel_data_uses_the_signed_in_user() {
    let mut h = Harness::default_app();
    let conn = h.join();
    // Not signed in: error with code null.
    let auth = h.channel_auth(conn, ROOM, None);
    h.send(conn, &subscribe_frame(ROOM, Some(&auth), None));
    let frames = h.take(conn);
    assert_eq!(names(&frames), ["pusher:error"]);
    assert!(frames[0]["data"]["code"].is_null());

    h.signin(conn, &json!({"id": "me", "user_info": {"name": "Me"}}));
    h.take(conn);
    // Signed in, but the signature must be over socket:channel.
    let bad = h.channel_auth(conn, ROOM, Some("{}"));
    h.send(conn, &subscribe_frame(ROOM, Some(&bad), None));
    let frames = h.take(conn);
    assert_eq!(names(&frames), ["pusher:error"]);
    let message = frames[0]["data"]["message"].as_str().unwrap();
    assert!(message.contains(&format!("{}:{ROOM},", h.socket_id(conn))), "{message}");

    h.send(conn, &subscribe_frame(ROOM, Some(&auth), None));
    let roster = data(&h.take(conn)[0]);
    assert_eq!(
        roster,
        json!({"presence": {"ids": ["me"], "hash": {"me": {"name": "Me"}}, "count": 1}})
    );
}

/// Two sockets of `u1` and one of `u2`; returns (u1a, u1b, u2), all inboxes drained.
fn two_users(h: &mut Harness) -> (ConnId, ConnId, ConnId) {
    let (a, b, c) = (h.join(), h.join(), h.join());
    h.join_presence(c, ROOM, "u2");
    h.join_presence(a, ROOM, "u1");
    assert_eq!(member_events(&h.take(c)).len(), 1);
    let roster = h.join_presence(b, ROOM, "u1");
    assert_eq!(
        roster["presence"]["ids"],
        json!(["u2", "u1"]),
        "second socket gets the full roster"
    );
    assert_eq!(roster["presence"]["count"], 2);
    assert!(h.take(a).is_empty(), "the same user's first socket gets nothing");
    assert!(h.take(c).is_empty(), "no second member_added");
    (a, b, c)
}

#[test]
fn same_user_on_two_sockets_is_one_member_until_the_last_socket_leaves_by_unsubscribe() {
    let mut h = Harness::default_app();
    let (a, b, c) = two_users(&mut h);
    assert_eq!(h.users("app-id", ROOM).unwrap().users.len(), 2);
    h.unsubscribe(a, ROOM);
    assert!(h.take(c).is_empty());
    assert!(h.take(b).is_empty());
    h.unsubscribe(b, ROOM);
    assert_eq!(
        member_events(&h.take(c)),
        [("pusher_internal:member_removed".into(), json!({"user_id": "u1"}))]
    );
    assert!(h.take(a).is_empty() && h.take(b).is_empty());
}

#[test]
fn same_user_on_two_sockets_is_one_member_until_the_last_socket_leaves_by_close() {
    let mut h = Harness::default_app();
    let (a, b, c) = two_users(&mut h);
    h.close(b);
    assert!(h.take(c).is_empty());
    h.close(a);
    assert_eq!(
        member_events(&h.take(c)),
        [("pusher_internal:member_removed".into(), json!({"user_id": "u1"}))]
    );
    let info = h.channel("app-id", ROOM, &["user_count"]).unwrap();
    assert_eq!(info.user_count, Some(1));
}

#[test]
fn rejoining_user_keeps_the_first_user_info_and_is_not_reannounced() {
    let mut h = Harness::default_app();
    let (a, b, c) = (h.join(), h.join(), h.join());
    h.join_presence(c, ROOM, "other");
    h.subscribe_presence(a, ROOM, &json!({"user_id": "u", "user_info": {"v": 1}}));
    h.take(a);
    h.take(c);
    h.subscribe_presence(b, ROOM, &json!({"user_id": "u", "user_info": {"v": 2}}));
    let roster = data(&h.take(b)[0]);
    assert_eq!(roster["presence"]["hash"]["u"], json!({"v": 1}));
    assert!(h.take(c).is_empty());
}

#[test]
fn presence_member_limit_refuses_new_users_with_4100_but_not_known_ones() {
    let mut h = Harness::with(|a| a.limits.max_presence_members_per_channel = 2);
    let (a, b, c, d) = (h.join(), h.join(), h.join(), h.join());
    h.join_presence(a, ROOM, "1");
    h.join_presence(b, ROOM, "2");
    assert_eq!(h.take_names(a), ["pusher_internal:member_added"]);
    h.subscribe_presence(c, ROOM, &json!({"user_id": "3"}));
    let frames = h.take(c);
    assert_eq!(names(&frames), ["pusher:subscription_error"]);
    assert_eq!(frames[0]["channel"], ROOM);
    assert_eq!(frames[0]["data"]["status"], 4100);
    assert_eq!(frames[0]["data"]["type"], "LimitReached");
    assert!(h.take(a).is_empty(), "no member_added for a refused user");
    // A second socket of a present user still fits.
    let roster = h.join_presence(d, ROOM, "2");
    assert_eq!(roster["presence"]["count"], 2);
    // After someone leaves, the third user fits.
    h.close(a);
    h.subscribe_presence(c, ROOM, &json!({"user_id": "3"}));
    assert_eq!(h.take_names(c), ["pusher_internal:subscription_succeeded"]);
}

#[test]
fn presence_member_size_limit_refuses_with_4301() {
    let mut h = Harness::with(|a| a.limits.max_presence_member_size_in_kb = 1);
    let conn = h.join();
    let fits = json!({"user_id": "1", "user_info": {"pad": "x".repeat(900)}});
    let big = json!({"user_id": "1", "user_info": {"pad": "x".repeat(1024)}});
    h.subscribe_presence(conn, ROOM, &big);
    let frames = h.take(conn);
    assert_eq!(names(&frames), ["pusher:subscription_error"]);
    assert_eq!(frames[0]["channel"], ROOM);
    assert_eq!(frames[0]["data"]["status"], 4301);
    h.subscribe_presence(conn, ROOM, &fits);
    assert_eq!(h.take_names(conn), ["pusher_internal:subscription_succeeded"]);
}

#[test]
fn presence_cache_channel_sends_roster_then_member_added_then_cache() {
    let mut h = Harness::default_app();
    let (a, b) = (h.join(), h.join());
    h.join_presence(a, "presence-cache-r", "1");
    h.publish("ev", &["presence-cache-r"], "d");
    h.take(a);
    h.subscribe_presence(b, "presence-cache-r", &json!({"user_id": "2"}));
    assert_eq!(h.take_names(b), ["pusher_internal:subscription_succeeded", "ev"]);
    assert_eq!(h.take_names(a), ["pusher_internal:member_added"]);
}
