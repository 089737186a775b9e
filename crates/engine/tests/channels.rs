//! Channel scenarios: public, private and encrypted subscriptions, names, subscription counts.

mod harness;

use harness::{data, names, subscribe_frame, Harness};
use serde_json::{json, Value};

/// The single `pusher:error` a connection got.
fn only_error(h: &mut Harness, conn: switchboard_engine::ConnId) -> Value {
    let frames = h.take(conn);
    assert_eq!(names(&frames), ["pusher:error"], "{frames:?}");
    frames[0].clone()
}

#[test]
fn public_subscribe_succeeds_with_data_empty_object_string() {
    let mut h = Harness::default_app();
    let conn = h.join();
    h.subscribe(conn, "my-channel");
    let frames = h.take(conn);
    let expected = json!({
        "event": "pusher_internal:subscription_succeeded",
        "channel": "my-channel",
        "data": "{}",
    });
    assert_eq!(frames, [expected]);
    // Without any auth field at all, too.
    h.send(conn, &subscribe_frame("other", None, None));
    assert_eq!(h.take_names(conn), ["pusher_internal:subscription_succeeded"]);
}

#[test]
fn double_encoded_subscribe_data_is_accepted() {
    let mut h = Harness::default_app();
    let conn = h.join();
    h.send(conn, r#"{"event":"pusher:subscribe","data":"{\"channel\":\"news\",\"auth\":\"\"}"}"#);
    assert_eq!(h.take_names(conn), ["pusher_internal:subscription_succeeded"]);
}

#[test]
fn private_and_encrypted_channels_check_the_signature() {
    for channel in
        ["private-room", "private-encrypted-room", "private-cache-x", "private-encrypted-cache-x"]
    {
        let mut h = Harness::default_app();
        let conn = h.join();
        let string = format!("{}:{channel}", h.socket_id(conn));
        let good = h.channel_auth(conn, channel, None);
        let bad = format!("app-key:{}", "0".repeat(64));
        let wrong_key = good.replacen("app-key", "other-key", 1);
        let other_socket = {
            let other = h.join();
            h.channel_auth(other, channel, None)
        };
        for (what, auth) in [
            ("missing", None),
            ("empty", Some("")),
            ("bad", Some(bad.as_str())),
            ("wrong key", Some(wrong_key.as_str())),
            ("no colon", Some("garbage")),
            ("other socket", Some(other_socket.as_str())),
        ] {
            h.send(conn, &subscribe_frame(channel, auth, None));
            let error = only_error(&mut h, conn);
            assert!(error["data"]["code"].is_null(), "{channel} {what}: {error}");
            assert!(error.get("channel").is_none(), "{channel} {what}: {error}");
            let message = error["data"]["message"].as_str().unwrap();
            assert!(message.contains(&string), "{channel} {what}: {message}");
            assert_eq!(h.metrics("app-id").channels, 0, "{channel} {what}");
        }
        // The pinned wording for a bad signature.
        h.send(conn, &subscribe_frame(channel, Some(&bad), None));
        let message = only_error(&mut h, conn)["data"]["message"].clone();
        let expected = format!(
            "Invalid signature: Expected HMAC SHA256 hex digest of {string}, but got {bad}"
        );
        assert_eq!(message, expected.as_str());
        h.send(conn, &subscribe_frame(channel, Some(&good), None));
        let frames = h.take(conn);
        assert_eq!(frames[0]["event"], "pusher_internal:subscription_succeeded", "{channel}");
        assert_eq!(frames[0]["channel"], channel);
        assert_eq!(frames[0]["data"], "{}");
    }
}

#[test]
fn duplicate_subscribe_is_a_non_fatal_error() {
    let mut h = Harness::default_app();
    let conn = h.join();
    h.subscribe(conn, "news");
    h.take(conn);
    h.subscribe(conn, "news");
    let error = only_error(&mut h, conn);
    assert!(error["data"]["code"].is_null());
    assert_eq!(error["data"]["message"], "Existing subscription to channel news");
    // Still subscribed exactly once.
    h.publish("e", &["news"], "x");
    assert_eq!(h.take_names(conn), ["e"]);
    assert!(h.closes.is_empty());
}

#[test]
fn unsubscribing_an_unknown_channel_does_nothing_at_all() {
    let mut h = Harness::with(|a| {
        a.enable_subscription_count = true;
        a.webhooks.push(harness::webhook());
    });
    let a = h.join();
    let b = h.join();
    h.subscribe(b, "news");
    h.take(b);
    h.take_webhooks();
    for channel in ["news", "never-heard-of", "presence-x", "", "bad name!"] {
        let effects = h.unsubscribe(a, channel);
        assert!(effects.is_empty(), "{channel}: {effects:?}");
    }
    assert_eq!(h.metrics("app-id").channels, 1);
    // Unsubscribing twice: the second is ignored too.
    h.unsubscribe(b, "news");
    assert!(!h.take_webhooks().is_empty());
    assert!(h.unsubscribe(b, "news").is_empty());
}

#[test]
fn unsubscribed_sockets_get_no_more_events() {
    let mut h = Harness::default_app();
    let conn = h.join();
    h.subscribe(conn, "news");
    h.take(conn);
    assert!(h
        .unsubscribe(conn, "news")
        .iter()
        .all(|e| !matches!(e, switchboard_engine::Effect::Send { .. })));
    h.publish("e", &["news"], "x");
    assert!(h.take(conn).is_empty());
    assert_eq!(h.metrics("app-id").channels, 0);
}

#[test]
fn channel_names_over_the_limit_or_with_bad_characters_get_subscription_error() {
    let long200 = "x".repeat(200);
    let long201 = "x".repeat(201);
    let table: Vec<(&str, bool)> = vec![
        (&long200, true),
        (&long201, false),
        ("a-Z_0=@,.;", true),
        ("has space", false),
        ("slash/no", false),
        ("colon:no", false),
        ("émoji", false),
        ("#not-server-to-user", false),
    ];
    for (channel, ok) in table {
        let mut h = Harness::default_app();
        let conn = h.join();
        h.subscribe(conn, channel);
        let frames = h.take(conn);
        if ok {
            assert_eq!(names(&frames), ["pusher_internal:subscription_succeeded"], "{channel}");
            continue;
        }
        assert_eq!(names(&frames), ["pusher:subscription_error"], "{channel:.20}");
        assert_eq!(frames[0]["channel"], channel);
        let body = &frames[0]["data"];
        assert!(body["type"].is_string() && body["error"].is_string(), "{body}");
        assert!(body["status"].is_number(), "{body}");
        assert_eq!(h.metrics("app-id").channels, 0);
    }
}

#[test]
fn custom_max_channel_name_length_is_obeyed() {
    let mut h = Harness::with(|a| a.limits.max_channel_name_length = 10);
    let conn = h.join();
    h.subscribe(conn, "abcdefghij");
    assert_eq!(h.take_names(conn), ["pusher_internal:subscription_succeeded"]);
    h.subscribe(conn, "abcdefghijk");
    let frames = h.take(conn);
    assert_eq!(names(&frames), ["pusher:subscription_error"]);
    assert_eq!(frames[0]["data"]["type"], "LimitReached");
}

// ---- subscription_count ----

fn counts(frames: &[Value]) -> Vec<u64> {
    frames
        .iter()
        .filter(|f| f["event"] == "pusher_internal:subscription_count")
        .map(|f| {
            assert!(f["data"].is_string(), "double encoded: {f}");
            data(f)["subscription_count"].as_u64().expect("a count")
        })
        .collect()
}

#[test]
fn subscription_count_goes_to_every_subscriber_on_join_and_leave() {
    for channel in ["news", "private-x", "private-encrypted-x", "cache-x"] {
        let mut h = Harness::with(|a| a.enable_subscription_count = true);
        let a = h.join();
        let b = h.join();
        let c = h.join();
        h.subscribe_any(a, channel, "");
        assert_eq!(counts(&h.take(a)), [1], "{channel}");
        h.subscribe_any(b, channel, "");
        let frames = h.take(b);
        assert_eq!(frames[0]["event"], "pusher_internal:subscription_succeeded");
        assert_eq!(counts(&frames), [2], "{channel}");
        assert_eq!(counts(&h.take(a)), [2], "{channel}");
        h.subscribe_any(c, channel, "");
        h.take(c);
        h.take(a);
        h.take(b);
        h.unsubscribe(c, channel);
        assert!(h.take(c).is_empty(), "the leaver gets nothing");
        assert_eq!(counts(&h.take(a)), [2]);
        assert_eq!(counts(&h.take(b)), [2]);
        h.close(b);
        assert_eq!(counts(&h.take(a)), [1], "{channel}");
    }
}

#[test]
fn subscription_count_is_off_by_default_and_never_for_presence() {
    let mut h = Harness::default_app();
    let a = h.join();
    let b = h.join();
    h.subscribe(a, "news");
    h.subscribe(b, "news");
    assert!(counts(&h.take(a)).is_empty());
    assert!(counts(&h.take(b)).is_empty());

    let mut h = Harness::with(|a| a.enable_subscription_count = true);
    let a = h.join();
    let b = h.join();
    h.join_presence(a, "presence-room", "1");
    h.subscribe_presence(b, "presence-room", &json!({"user_id": "2"}));
    assert!(counts(&h.take(a)).is_empty());
    assert!(counts(&h.take(b)).is_empty());
    h.close(b);
    assert!(counts(&h.take(a)).is_empty());
}

#[test]
fn server_to_user_channels_need_the_matching_sign_in() {
    let mut h = Harness::default_app();
    let conn = h.join();
    h.subscribe(conn, "#server-to-user-42");
    let error = only_error(&mut h, conn);
    assert!(error["data"]["code"].is_null());
    h.signin(conn, &json!({"id": "7"}));
    h.take(conn);
    h.subscribe(conn, "#server-to-user-42");
    assert!(only_error(&mut h, conn)["data"]["code"].is_null());
    h.subscribe(conn, "#server-to-user-7");
    assert_eq!(h.take_names(conn), ["pusher_internal:subscription_succeeded"]);
}

#[test]
fn value_helper_decodes_double_encoded_data() {
    let frame = json!({"event":"x","data":"{\"a\":1}"});
    assert_eq!(data(&frame), json!({"a": 1}));
    assert_eq!(data(&json!({"data":"plain"})), json!("plain"));
    assert_eq!(data(&json!({"data":{"b":2}})), json!({"b": 2}));
}

/// `#` is reserved: `#server-to-user-` with no user id is not a channel anyone may join.
#[test]
fn server_to_user_prefix_without_an_id_is_refused() {
    let mut h = Harness::default_app();
    let conn = h.join();
    h.subscribe(conn, "#server-to-user-");
    let got = h.take_names(conn);
    assert_ne!(got, ["pusher_internal:subscription_succeeded"], "joined a '#' channel");
    assert_eq!(
        h.trigger("app-id", harness::req("e", &["#server-to-user-"], "d"))
            .map(|_| ())
            .map_err(|e| e.status()),
        Err(400)
    );
}
