//! HTTP API scenarios: trigger, batch, channel queries, users, app errors and app isolation.

mod harness;

use harness::{app, req, Harness};
use serde_json::json;
use switchboard_engine::config::{AppConfig, ServerLimits};
use switchboard_engine::{ApiError, ChannelInfo, ConnId};

fn status<T: std::fmt::Debug>(result: Result<T, ApiError>) -> u16 {
    result.expect_err("an API error").status()
}

fn with_info(
    mut request: switchboard_engine::TriggerRequest,
    info: &str,
) -> switchboard_engine::TriggerRequest {
    request.info = vec![info.to_owned()];
    request
}

/// Subscribes fresh sockets: `n` to a public channel, presence users given by id.
fn populate(
    h: &mut Harness,
    public: &[(&str, usize)],
    presence: &[(&str, &[&str])],
) -> Vec<ConnId> {
    let mut conns = Vec::new();
    for (channel, n) in public {
        for _ in 0..*n {
            let conn = h.join();
            h.subscribe(conn, channel);
            conns.push(conn);
        }
    }
    for (channel, users) in presence {
        for user in *users {
            let conn = h.join();
            h.join_presence(conn, channel, user);
            conns.push(conn);
        }
    }
    for conn in &conns {
        h.take(*conn);
    }
    conns
}

#[test]
fn trigger_delivers_to_every_channel_and_honours_socket_id() {
    let mut h = Harness::default_app();
    let conns = populate(&mut h, &[("a", 2), ("b", 1)], &[]);
    let reply = h.publish("ev", &["a", "b", "empty"], r#"{"x":"y"}"#);
    assert_eq!(serde_json::to_value(&reply).unwrap(), json!({}));
    for conn in &conns {
        assert_eq!(h.take(*conn).len(), 1);
    }
    let frame = json!({"event":"ev","channel":"a","data":"{\"x\":\"y\"}"});
    let mut request = req("ev", &["a"], r#"{"x":"y"}"#);
    request.socket_id = Some(h.socket_id(conns[0]));
    h.trigger("app-id", request).unwrap();
    assert!(h.take(conns[0]).is_empty());
    assert_eq!(h.take(conns[1]), [frame]);
}

#[test]
fn a_socket_in_two_triggered_channels_gets_one_frame_per_channel() {
    let mut h = Harness::default_app();
    let conn = h.join();
    h.subscribe(conn, "a");
    h.subscribe(conn, "b");
    h.take(conn);
    h.publish("ev", &["a", "b"], "d");
    let frames = h.take(conn);
    let channels: Vec<_> = frames.iter().map(|f| f["channel"].clone()).collect();
    assert_eq!(channels, [json!("a"), json!("b")]);
}

#[test]
fn trigger_info_reports_counts_per_channel() {
    let mut h = Harness::with(|a| a.enable_subscription_count = true);
    populate(&mut h, &[("pub", 3)], &[("presence-p", &["1", "2", "2"])]);
    let request = with_info(
        req("ev", &["pub", "presence-p", "nobody"], "d"),
        "user_count,subscription_count",
    );
    let reply = h.trigger("app-id", request).unwrap();
    assert_eq!(
        serde_json::to_value(&reply).unwrap(),
        json!({"channels": {
            "pub": {"subscription_count": 3},
            "presence-p": {"user_count": 2},
            "nobody": {"subscription_count": 0},
        }})
    );
    assert_eq!(status(h.trigger("app-id", with_info(req("e", &["pub"], "d"), "bogus"))), 400);
}

#[test]
fn trigger_validation_maps_to_http_statuses() {
    let mut h = Harness::default_app();
    let many: Vec<String> = (0..101).map(|i| format!("c{i}")).collect();
    let many: Vec<&str> = many.iter().map(String::as_str).collect();
    let long_channel = "x".repeat(201);
    let table: Vec<(&str, switchboard_engine::TriggerRequest, u16)> = vec![
        ("101 channels", req("e", &many, "d"), 400),
        ("no channels", req("e", &[], "d"), 400),
        ("data over 10 KB", req("e", &["a"], &"x".repeat(10 * 1024 + 1)), 413),
        ("event name over 200", req(&"n".repeat(201), &["a"], "d"), 400),
        ("empty name", req("", &["a"], "d"), 400),
        ("reserved name", req("pusher:thing", &["a"], "d"), 400),
        ("channel name over 200", req("e", &[&long_channel], "d"), 400),
        ("bad channel chars", req("e", &["a b"], "d"), 400),
    ];
    for (what, request, expected) in table {
        let result = h.trigger("app-id", request);
        assert_eq!(status(result.clone()), expected, "{what}: {result:?}");
    }
    assert!(matches!(
        h.trigger("app-id", req("e", &many, "d")),
        Err(ApiError::InvalidField { field: "channels", .. })
    ));
    assert!(matches!(
        h.trigger("app-id", req("e", &["a"], &"x".repeat(10 * 1024 + 1))),
        Err(ApiError::PayloadTooLarge { .. })
    ));
    // The limits themselves are fine.
    let hundred: Vec<&str> = many[..100].to_vec();
    assert!(h.trigger("app-id", req("e", &hundred, &"x".repeat(10 * 1024))).is_ok());
    assert!(h.trigger("app-id", req(&"n".repeat(200), &[&"x".repeat(200)], "d")).is_ok());
    assert!(h.last.is_empty(), "nothing subscribed, nothing sent");
}

#[test]
fn unknown_and_disabled_apps_are_404_and_403_everywhere() {
    let mut off = app("off");
    off.enabled = false;
    let mut h = Harness::new(vec![AppConfig::default_app(), off], ServerLimits::default());
    for (app, code) in [("nope", 404), ("off", 403)] {
        assert_eq!(status(h.trigger(app, req("e", &["a"], "d"))), code);
        assert_eq!(status(h.batch(app, vec![req("e", &["a"], "d")])), code);
        assert_eq!(status(h.channels(app, None, &[])), code);
        assert_eq!(status(h.channel(app, "a", &[])), code);
        assert_eq!(status(h.users(app, "presence-a")), code);
        assert_eq!(status(h.terminate_user(app, "u")), code);
    }
}

#[test]
fn batch_publishes_all_items_and_aligns_info_by_index() {
    let mut h = Harness::with(|a| a.enable_subscription_count = true);
    let conns = populate(&mut h, &[("a", 2)], &[("presence-p", &["1"])]);
    let items = vec![
        with_info(req("e1", &["a"], "1"), "subscription_count"),
        req("e2", &["a"], "2"),
        with_info(req("e3", &["presence-p"], "3"), "user_count"),
    ];
    let reply = h.batch("app-id", items).unwrap();
    assert_eq!(
        serde_json::to_value(&reply).unwrap(),
        json!({"batch": [{"subscription_count": 2}, {}, {"user_count": 1}]})
    );
    assert_eq!(h.take_names(conns[0]), ["e1", "e2"]);
    assert_eq!(h.take_names(conns[2]), ["e3"]);
    let reply = h.batch("app-id", vec![req("e", &["a"], "d")]).unwrap();
    assert_eq!(serde_json::to_value(&reply).unwrap(), json!({}));
}

#[test]
fn batch_limits_and_validation_are_all_or_nothing() {
    let mut h = Harness::default_app();
    let conns = populate(&mut h, &[("a", 1)], &[]);
    let ten: Vec<_> = (0..10).map(|i| req(&format!("e{i}"), &["a"], "d")).collect();
    let mut eleven = ten.clone();
    eleven.push(req("e10", &["a"], "d"));
    assert!(matches!(
        h.batch("app-id", eleven),
        Err(ApiError::InvalidField { field: "batch", .. })
    ));
    assert!(h.take(conns[0]).is_empty());
    let mut bad_last = ten.clone();
    bad_last[9] = req("e", &["a"], &"x".repeat(10 * 1024 + 1));
    assert_eq!(status(h.batch("app-id", bad_last)), 413);
    assert!(h.take(conns[0]).is_empty(), "nothing published when one item is invalid");
    let mut two_channels = ten.clone();
    two_channels[0] = req("e", &["a", "b"], "d");
    assert_eq!(status(h.batch("app-id", two_channels)), 400);
    h.batch("app-id", ten).unwrap();
    assert_eq!(h.take(conns[0]).len(), 10);
}

#[test]
fn channels_lists_occupied_channels_with_prefix_and_user_count() {
    let mut h = Harness::default_app();
    populate(
        &mut h,
        &[("news", 1), ("private-x", 0)],
        &[("presence-a", &["1", "2", "2"]), ("presence-b", &["9"])],
    );
    let all = h.channels("app-id", None, &[]).unwrap();
    assert_eq!(
        serde_json::to_value(&all).unwrap(),
        json!({"channels": {"news": {}, "presence-a": {}, "presence-b": {}}})
    );
    let presence = h.channels("app-id", Some("presence-"), &["user_count"]).unwrap();
    assert_eq!(
        serde_json::to_value(&presence).unwrap(),
        json!({"channels": {"presence-a": {"user_count": 2}, "presence-b": {"user_count": 1}}})
    );
    let news = h.channels("app-id", Some("ne"), &[]).unwrap();
    assert_eq!(news.channels.keys().collect::<Vec<_>>(), ["news"]);
    assert_eq!(status(h.channels("app-id", None, &["user_count"])), 400);
    assert_eq!(status(h.channels("app-id", Some("news"), &["user_count"])), 400);
    assert_eq!(status(h.channels("app-id", None, &["nonsense"])), 400);
}

#[test]
fn channel_info_reports_occupancy_and_the_applicable_counts() {
    let mut h = Harness::with(|a| a.enable_subscription_count = true);
    populate(&mut h, &[("news", 2)], &[("presence-a", &["1", "1", "2"])]);
    let info = h.channel("app-id", "empty", &[]).unwrap();
    assert_eq!(serde_json::to_value(&info).unwrap(), json!({"occupied": false}));
    let info = h.channel("app-id", "news", &["subscription_count"]).unwrap();
    assert_eq!(
        info,
        ChannelInfo { occupied: Some(true), subscription_count: Some(2), ..Default::default() }
    );
    let info = h.channel("app-id", "presence-a", &["user_count"]).unwrap();
    assert_eq!(serde_json::to_value(&info).unwrap(), json!({"occupied": true, "user_count": 2}));
    let info = h.channel("app-id", "presence-nobody", &["user_count"]).unwrap();
    assert_eq!(serde_json::to_value(&info).unwrap(), json!({"occupied": false, "user_count": 0}));
    for (channel, attribute) in [
        ("news", "user_count"),
        ("presence-a", "subscription_count"),
        ("news", "cache"),
        ("news", "what"),
        ("bad name", "subscription_count"),
    ] {
        assert_eq!(
            status(h.channel("app-id", channel, &[attribute])),
            400,
            "{channel} {attribute}"
        );
    }
}

#[test]
fn channel_info_cache_gives_data_and_remaining_ttl_or_null() {
    let mut h = Harness::default_app();
    let info = h.channel("app-id", "cache-x", &["cache"]).unwrap();
    assert_eq!(serde_json::to_value(&info).unwrap(), json!({"occupied": false, "cache": null}));
    h.publish("ev", &["cache-x"], "payload");
    h.now += 10 * 60 * 1000;
    let info = h.channel("app-id", "cache-x", &["cache"]).unwrap();
    assert_eq!(
        serde_json::to_value(&info).unwrap(),
        json!({"occupied": false, "cache": {"data": "payload", "ttl": 20 * 60}})
    );
    h.now += 20 * 60 * 1000;
    let info = h.channel("app-id", "cache-x", &["cache"]).unwrap();
    assert_eq!(info.cache, Some(None));
}

#[test]
fn users_lists_distinct_presence_members_only_for_presence_channels() {
    let mut h = Harness::default_app();
    populate(&mut h, &[("news", 1)], &[("presence-a", &["1", "2", "1"])]);
    let reply = h.users("app-id", "presence-a").unwrap();
    assert_eq!(serde_json::to_value(&reply).unwrap(), json!({"users": [{"id": "1"}, {"id": "2"}]}));
    assert!(h.users("app-id", "presence-empty").unwrap().users.is_empty());
    assert_eq!(status(h.users("app-id", "news")), 400);
    assert_eq!(status(h.users("app-id", "private-x")), 400);
}

#[test]
fn apps_are_isolated() {
    let mut h = Harness::new(vec![app("a"), app("b")], ServerLimits::default());
    let on_a = h.connect("a-key");
    let on_b = h.connect("b-key");
    h.take(on_a);
    h.take(on_b);
    h.subscribe(on_a, "news");
    h.subscribe(on_b, "news");
    h.take(on_a);
    h.take(on_b);
    h.trigger("a", req("ev", &["news"], "d")).unwrap();
    assert_eq!(h.take_names(on_a), ["ev"]);
    assert!(h.take(on_b).is_empty());
    // socket_id of another app's socket excludes nothing.
    let mut request = req("ev", &["news"], "d");
    request.socket_id = Some(h.socket_id(on_b));
    h.trigger("a", request).unwrap();
    assert_eq!(h.take_names(on_a), ["ev"]);
    assert_eq!(h.channels("b", None, &[]).unwrap().channels.len(), 1);
    h.unsubscribe(on_b, "news");
    assert!(h.channels("b", None, &[]).unwrap().channels.is_empty());
    assert_eq!(h.channels("a", None, &[]).unwrap().channels.len(), 1);
    // A key authenticates only on its own app.
    let auth_for_a = h.channel_auth(on_a, "private-x", None);
    h.send(on_b, &harness::subscribe_frame("private-x", Some(&auth_for_a), None));
    assert_eq!(h.take_names(on_b), ["pusher:error"]);
}
