//! Connection scenarios: admission, handshake, liveness and timeouts, malformed frames, shutdown.

mod harness;

use harness::{app, data, names, Harness};
use serde_json::json;
use switchboard_engine::config::{AppConfig, ServerLimits};
use switchboard_engine::Effect;

fn is_socket_id(text: &str) -> bool {
    text.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    })
}

#[test]
fn supported_protocols_are_accepted_with_connection_established() {
    for protocol in [None, Some("4"), Some("5"), Some("6"), Some("7")] {
        let mut h = Harness::default_app();
        let conn = h.connect_with("app-key", protocol);
        let frames = h.take(conn);
        assert_eq!(names(&frames), ["pusher:connection_established"], "{protocol:?}");
        assert!(frames[0]["data"].is_string(), "data is double encoded");
        let established = data(&frames[0]);
        let socket_id = established["socket_id"].as_str().unwrap();
        assert!(is_socket_id(socket_id), "{socket_id}");
        assert_eq!(socket_id, h.socket_id(conn).as_str());
        assert_eq!(established["activity_timeout"], 120);
        assert!(h.closes.is_empty(), "{protocol:?}: {:?}", h.closes);
    }
}

#[test]
fn activity_timeout_comes_from_server_limits() {
    let limits = ServerLimits { activity_timeout_secs: 30, ..ServerLimits::default() };
    let mut h = Harness::new(vec![AppConfig::default_app()], limits);
    let conn = h.connect("app-key");
    assert_eq!(data(&h.take(conn)[0])["activity_timeout"], 30);
}

#[test]
fn refused_connections_get_an_error_with_the_close_code_then_the_close() {
    let mut disabled = app("off");
    disabled.enabled = false;
    let table: &[(&str, Option<&str>, u16)] = &[
        ("app-key", Some("3"), 4007),
        ("app-key", Some("8"), 4007),
        ("app-key", Some("1"), 4007),
        ("app-key", Some("abc"), 4006),
        ("app-key", Some("7.0"), 4006),
        ("nope", Some("7"), 4001),
        ("", Some("7"), 4001),
        ("off-key", Some("7"), 4003),
    ];
    for &(key, protocol, code) in table {
        let mut h =
            Harness::new(vec![AppConfig::default_app(), disabled.clone()], ServerLimits::default());
        let conn = h.connect_with(key, protocol);
        let effects = h.last.clone();
        assert_eq!(effects.len(), 2, "{key} {protocol:?}: {effects:?}");
        assert!(matches!(effects[0], Effect::Send { .. }), "error first");
        assert!(matches!(effects[1], Effect::Close { code: c, .. } if c == code), "{effects:?}");
        let frames = h.take(conn);
        assert_eq!(names(&frames), ["pusher:error"]);
        assert_eq!(frames[0]["data"]["code"], code, "{key} {protocol:?}");
        assert!(frames[0]["data"]["message"].as_str().is_some_and(|m| !m.is_empty()));
        assert_eq!(h.metrics("app-id").connections, 0);
    }
}

/// The pinned table: "protocol other integer / not an integer → close 4007 / 4006".
#[test]
fn protocol_integers_outside_u32_are_unsupported_not_malformed() {
    for protocol in ["-1", "0", "4294967296", "99999999999999999999"] {
        let mut h = Harness::default_app();
        h.connect_with("app-key", Some(protocol));
        let codes: Vec<u16> = h.closes.iter().map(|c| c.1).collect();
        assert_eq!(codes, [4007], "protocol={protocol}");
    }
}

#[test]
fn max_connections_refuses_with_4004_and_a_close_frees_a_slot() {
    let mut h = Harness::with(|a| a.limits.max_connections = Some(2));
    let a = h.join();
    let _b = h.join();
    let c = h.connect("app-key");
    let closes: Vec<_> = h.take_closes().into_iter().map(|x| (x.0, x.1)).collect();
    assert_eq!(closes, [(c, 4004)]);
    let frames = h.take(c);
    assert_eq!(frames[0]["data"]["code"], 4004);
    h.close(a);
    let d = h.connect("app-key");
    assert_eq!(h.take_names(d), ["pusher:connection_established"]);
    assert_eq!(h.metrics("app-id").connections, 2);
}

#[test]
fn max_connections_is_per_app() {
    let mut limited = app("small");
    limited.limits.max_connections = Some(1);
    let mut h = Harness::new(vec![AppConfig::default_app(), limited], ServerLimits::default());
    for _ in 0..3 {
        h.join();
    }
    let first = h.connect("small-key");
    let second = h.connect("small-key");
    assert_eq!(h.take_names(first), ["pusher:connection_established"]);
    assert_eq!(h.take(second)[0]["data"]["code"], 4004);
    assert_eq!(h.metrics("app-id").connections, 3);
    assert_eq!(h.metrics("small").connections, 1);
}

#[test]
fn pusher_ping_is_answered_with_pong() {
    let mut h = Harness::default_app();
    let conn = h.join();
    h.send(conn, r#"{"event":"pusher:ping","data":{}}"#);
    let frames = h.take(conn);
    assert_eq!(frames, [json!({"event":"pusher:pong","data":{}})]);
}

#[test]
fn idle_socket_is_pinged_after_activity_timeout_then_closed_4201() {
    let mut h = Harness::default_app();
    let conn = h.join();
    h.advance(119_999);
    assert!(h.take(conn).is_empty());
    assert!(h.pings.is_empty());
    h.advance(1);
    assert_eq!(h.take(conn), [json!({"event":"pusher:ping","data":{}})]);
    assert_eq!(h.pings, [conn]);
    // No second ping while waiting for the pong.
    h.advance(29_999);
    assert!(h.take(conn).is_empty());
    assert_eq!(h.pings.len(), 1);
    assert!(h.closes.is_empty());
    h.advance(1);
    let frames = h.take(conn);
    assert_eq!(names(&frames), ["pusher:error"]);
    assert_eq!(frames[0]["data"]["code"], 4201);
    assert_eq!(h.closes.iter().map(|c| (c.0, c.1)).collect::<Vec<_>>(), [(conn, 4201)]);
    assert_eq!(h.metrics("app-id").connections, 0);
}

#[test]
fn any_traffic_resets_the_idle_timer_and_answers_a_ping() {
    type Poke = fn(&mut Harness, switchboard_engine::ConnId);
    let pokes: [(&str, Poke); 4] = [
        ("activity", |h, c| drop(h.activity(c))),
        ("pusher:pong", |h, c| drop(h.send(c, r#"{"event":"pusher:pong","data":{}}"#))),
        ("subscribe", |h, c| drop(h.subscribe(c, "news"))),
        ("malformed", |h, c| drop(h.send(c, "not json"))),
    ];
    for (what, poke) in pokes {
        let mut h = Harness::default_app();
        let conn = h.join();
        // Traffic before the ping postpones it.
        h.advance(100_000);
        poke(&mut h, conn);
        h.advance(100_000);
        assert!(h.pings.is_empty(), "{what}: pinged too early");
        h.advance(20_000);
        assert_eq!(h.pings, [conn], "{what}");
        // Traffic after the ping counts as the pong.
        h.advance(10_000);
        poke(&mut h, conn);
        h.advance(60_000);
        assert!(h.closes.is_empty(), "{what}: closed although it answered");
        h.advance(60_000);
        assert_eq!(h.pings, [conn, conn], "{what}: pinged again after the next idle period");
    }
}

#[test]
fn pong_timeout_follows_server_limits() {
    let limits =
        ServerLimits { activity_timeout_secs: 10, pong_timeout_secs: 5, ..ServerLimits::default() };
    let mut h = Harness::new(vec![AppConfig::default_app()], limits);
    let conn = h.join();
    h.advance(10_000);
    assert_eq!(h.pings, [conn]);
    h.advance(4_999);
    assert!(h.closes.is_empty());
    h.advance(1);
    assert_eq!(h.closes.iter().map(|c| c.1).collect::<Vec<_>>(), [4201]);
}

#[test]
fn user_authentication_timeout_closes_unsigned_sockets_with_4009() {
    let mut h = Harness::with(|a| a.enable_user_authentication = true);
    let lazy = h.join();
    let signed = h.join();
    h.signin(signed, &json!({"id": "u1"}));
    assert_eq!(h.take_names(signed), ["pusher:signin_success"]);
    h.advance(29_999);
    assert!(h.closes.is_empty());
    h.advance(1);
    let frames = h.take(lazy);
    assert_eq!(names(&frames), ["pusher:error"]);
    assert_eq!(frames[0]["data"]["code"], 4009);
    assert_eq!(h.closes.iter().map(|c| (c.0, c.1)).collect::<Vec<_>>(), [(lazy, 4009)]);
    h.advance(60_000);
    assert!(!h.is_closed(signed));
    assert_eq!(h.metrics("app-id").connections, 1);
}

#[test]
fn without_user_authentication_unsigned_sockets_stay() {
    let mut h = Harness::default_app();
    let conn = h.join();
    for _ in 0..10 {
        h.advance(20_000);
        h.activity(conn);
    }
    assert!(h.closes.is_empty());
    assert!(!h.is_closed(conn));
}

#[test]
fn malformed_frames_get_a_non_fatal_error_and_the_socket_keeps_working() {
    let oversized =
        format!(r#"{{"event":"client-x","channel":"a","data":"{}"}}"#, "x".repeat(64 * 1024));
    let table = [
        "not json",
        "[1,2]",
        "{}",
        r#"{"event":5}"#,
        r#"{"event":"pusher:subscribe"}"#,
        r#"{"event":"pusher:subscribe","data":7}"#,
        r#"{"event":"pusher:subscribe","data":{}}"#,
        r#"{"event":"pusher:subscribe","data":{"channel":1}}"#,
        r#"{"event":"pusher:signin","data":{"auth":"a"}}"#,
        r#"{"event":"pusher:bogus","data":{}}"#,
        r#"{"event":"client-x","data":{}}"#,
        oversized.as_str(),
    ];
    let mut h = Harness::default_app();
    let conn = h.join();
    for text in table {
        h.send(conn, text);
        let frames = h.take(conn);
        assert_eq!(names(&frames), ["pusher:error"], "{text:.80}");
        assert!(frames[0]["data"]["code"].is_null(), "{text:.80}: {frames:?}");
        let message = frames[0]["data"]["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{text:.80}");
        assert!(h.closes.is_empty(), "{text:.80}");
    }
    h.subscribe(conn, "news");
    assert_eq!(h.take_names(conn), ["pusher_internal:subscription_succeeded"]);
}

#[test]
fn frames_and_activity_from_unknown_connections_are_ignored() {
    let mut h = Harness::default_app();
    let ghost = switchboard_engine::ConnId(999);
    assert!(h
        .feed(switchboard_engine::Input::Frame {
            conn: ghost,
            raw: r#"{"event":"pusher:ping"}"#.to_owned(),
            frame: switchboard_proto::ClientFrame::decode(r#"{"event":"pusher:ping"}"#, 1024),
        })
        .is_empty());
    assert!(h.activity(ghost).is_empty());
    assert!(h.close(ghost).is_empty());
}

#[test]
fn a_closed_socket_is_forgotten_and_its_late_input_ignored() {
    let mut h = Harness::default_app();
    let conn = h.join();
    h.subscribe(conn, "news");
    h.take(conn);
    assert_eq!(h.metrics("app-id").connections, 1);
    h.close(conn);
    assert_eq!(h.metrics("app-id").connections, 0);
    assert_eq!(h.metrics("app-id").channels, 0);
    assert!(h.engine.handle(switchboard_engine::Input::Closed { conn }, h.now).is_empty());
}

#[test]
fn shutdown_closes_everyone_with_4200_after_an_error_frame() {
    let mut main = AppConfig::default_app();
    main.enable_subscription_count = true;
    let mut h = Harness::new(vec![main, app("other")], ServerLimits::default());
    let a = h.join();
    let b = h.join();
    let c = h.connect("other-key");
    h.take(c);
    for conn in [a, b] {
        h.subscribe(conn, "news");
        h.join_presence(conn, "presence-p", &format!("u{}", conn.0));
        h.signin(conn, &json!({"id": format!("u{}", conn.0), "watchlist": ["u1", "u2"]}));
    }
    h.take(a);
    h.take(b);
    // The harness fails on any frame sent to an already-closed socket.
    h.shutdown();
    let mut closed: Vec<(u64, u16)> = h.closes.iter().map(|x| (x.0 .0, x.1)).collect();
    closed.sort_unstable();
    assert_eq!(closed, [(a.0, 4200), (b.0, 4200), (c.0, 4200)]);
    for conn in [a, b, c] {
        let frames = h.take(conn);
        let errors: Vec<_> = frames.iter().filter(|f| f["event"] == "pusher:error").collect();
        assert_eq!(errors.len(), 1, "{frames:?}");
        assert_eq!(errors[0]["data"]["code"], 4200);
    }
    assert_eq!(h.metrics("app-id").connections, 0);
    assert_eq!(h.metrics("other").connections, 0);
    assert!(h.shutdown().is_empty());
}
