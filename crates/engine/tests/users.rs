//! User scenarios: sign-in, `#server-to-user-` delivery, watchlists, terminate_connections.

mod harness;

use harness::{names, req, Harness};
use serde_json::{json, Value};
use switchboard_engine::ConnId;

/// The `events` of each `watchlist_events` frame in `frames`.
fn watchlist(frames: &[Value]) -> Vec<Value> {
    frames
        .iter()
        .filter(|f| f["event"] == "pusher_internal:watchlist_events")
        .map(|f| harness::data(f)["events"].clone())
        .collect()
}

fn signed_in(h: &mut Harness, id: &str) -> ConnId {
    let conn = h.join();
    h.signin(conn, &json!({"id": id}));
    assert_eq!(h.take_names(conn), ["pusher:signin_success"]);
    conn
}

#[test]
fn signin_success_echoes_user_data() {
    let mut h = Harness::default_app();
    let conn = h.join();
    let user_data = json!({"id": "12345", "user_info": {"name": "Ann"}}).to_string();
    let auth = h.user_auth(conn, &user_data);
    h.send_json(conn, &json!({"event":"pusher:signin","data":{"auth":auth,"user_data":user_data}}));
    assert_eq!(
        h.take(conn),
        [json!({"event":"pusher:signin_success","data":{"user_data":user_data}})]
    );
}

#[test]
fn failed_signin_is_a_4009_error_and_the_socket_stays() {
    let mut h = Harness::default_app();
    let conn = h.join();
    let user_data = r#"{"id":"1"}"#;
    let string = format!("{}::user::{user_data}", h.socket_id(conn));
    let good = h.user_auth(conn, user_data);
    for auth in
        [format!("app-key:{}", "0".repeat(64)), good.replacen("app-key", "x", 1), "nocolon".into()]
    {
        h.send_json(
            conn,
            &json!({"event":"pusher:signin","data":{"auth":auth,"user_data":user_data}}),
        );
        let frames = h.take(conn);
        assert_eq!(names(&frames), ["pusher:error"]);
        assert_eq!(frames[0]["data"]["code"], 4009);
        let message = frames[0]["data"]["message"].as_str().unwrap();
        assert!(message.contains(&string), "{message}");
    }
    // Valid signature, unusable user_data.
    for user_data in
        [r#"{"name":"x"}"#, r#"{"id":""}"#, r#"{"id":7}"#, "[]", r#"{"id":"1","watchlist":"u"}"#]
    {
        let auth = h.user_auth(conn, user_data);
        h.send_json(
            conn,
            &json!({"event":"pusher:signin","data":{"auth":auth,"user_data":user_data}}),
        );
        let frames = h.take(conn);
        assert_eq!(names(&frames), ["pusher:error"], "{user_data}");
        assert_eq!(frames[0]["data"]["code"], 4009, "{user_data}");
    }
    assert!(h.closes.is_empty());
    h.send(conn, r#"{"event":"pusher:signin","data":{"auth":"","user_data":"{}"}}"#);
    h.take(conn);
    h.signin(conn, &json!({"id": "1"}));
    assert_eq!(h.take_names(conn), ["pusher:signin_success"]);
}

#[test]
fn signing_in_again_as_someone_else_is_refused() {
    let mut h = Harness::default_app();
    let conn = signed_in(&mut h, "a");
    h.signin(conn, &json!({"id": "b"}));
    let frames = h.take(conn);
    assert_eq!(names(&frames), ["pusher:error"]);
    assert_eq!(frames[0]["data"]["code"], 4009);
    h.publish("e", &["#server-to-user-a"], "x");
    assert_eq!(h.take_names(conn), ["e"]);
    h.publish("e", &["#server-to-user-b"], "x");
    assert!(h.take(conn).is_empty());
}

#[test]
fn server_to_user_trigger_reaches_every_signed_in_socket_except_the_excluded_one() {
    let mut h = Harness::default_app();
    let a = signed_in(&mut h, "x");
    let b = signed_in(&mut h, "x");
    let c = signed_in(&mut h, "x");
    let other = signed_in(&mut h, "y");
    let anonymous = h.join();
    h.subscribe(a, "#server-to-user-x");
    assert_eq!(h.take_names(a), ["pusher_internal:subscription_succeeded"]);
    let mut request = req("note", &["#server-to-user-x"], r#"{"hi":1}"#);
    request.socket_id = Some(h.socket_id(c));
    h.trigger("app-id", request).unwrap();
    for conn in [a, b] {
        assert_eq!(
            h.take(conn),
            [json!({"event":"note","channel":"#server-to-user-x","data":"{\"hi\":1}"})],
            "{conn:?}"
        );
    }
    for conn in [c, other, anonymous] {
        assert!(h.take(conn).is_empty(), "{conn:?}");
    }
}

#[test]
fn watchlist_initial_status_then_online_and_offline_changes() {
    let mut h = Harness::default_app();
    let online = signed_in(&mut h, "on");
    let watcher = h.join();
    h.signin(watcher, &json!({"id": "w", "watchlist": ["on", "off"]}));
    let frames = h.take(watcher);
    assert_eq!(names(&frames), ["pusher:signin_success", "pusher_internal:watchlist_events"]);
    assert!(frames[1]["data"].is_object(), "watchlist data is an object: {}", frames[1]);
    assert_eq!(
        watchlist(&frames),
        [json!([{"name":"online","user_ids":["on"]},{"name":"offline","user_ids":["off"]}])]
    );
    assert!(h.take(online).is_empty(), "the watched user is not told");

    // "off" comes online with two sockets: one event, on the first.
    let off1 = signed_in(&mut h, "off");
    assert_eq!(watchlist(&h.take(watcher)), [json!([{"name":"online","user_ids":["off"]}])]);
    let off2 = signed_in(&mut h, "off");
    assert!(h.take(watcher).is_empty());
    h.close(off1);
    assert!(h.take(watcher).is_empty(), "still online on another socket");
    h.close(off2);
    assert_eq!(watchlist(&h.take(watcher)), [json!([{"name":"offline","user_ids":["off"]}])]);
    // Once the watcher is gone, nobody is told.
    h.close(watcher);
    h.close(online);
    assert!(h.last.is_empty(), "{:?}", h.last);
}

#[test]
fn presence_only_sockets_do_not_count_as_online() {
    let mut h = Harness::default_app();
    let watcher = h.join();
    h.signin(watcher, &json!({"id": "w", "watchlist": ["p"]}));
    h.take(watcher);
    let p = h.join();
    h.join_presence(p, "presence-r", "p");
    assert!(h.take(watcher).is_empty());
}

#[test]
fn watchlist_events_are_off_when_the_app_disables_them() {
    let mut h = Harness::with(|a| a.enable_watchlist_events = false);
    let watcher = h.join();
    h.signin(watcher, &json!({"id": "w", "watchlist": ["u"]}));
    assert_eq!(h.take_names(watcher), ["pusher:signin_success"]);
    let u = signed_in(&mut h, "u");
    h.close(u);
    assert!(h.take(watcher).is_empty());
}

#[test]
fn watchlist_over_100_ids_keeps_the_first_100_and_sends_4302_after_success() {
    let mut h = Harness::default_app();
    let ids: Vec<String> = (0..101).map(|i| format!("u{i}")).collect();
    let watcher = h.join();
    h.signin(watcher, &json!({"id": "w", "watchlist": ids}));
    let frames = h.take(watcher);
    assert_eq!(
        names(&frames),
        ["pusher:signin_success", "pusher:error", "pusher_internal:watchlist_events"]
    );
    assert_eq!(frames[1]["data"]["code"], 4302);
    let events = &watchlist(&frames)[0];
    assert_eq!(events[0]["name"], "offline");
    assert_eq!(events[0]["user_ids"].as_array().unwrap().len(), 100);
    assert!(h.closes.is_empty());
    // The 101st id is not watched.
    signed_in(&mut h, "u100");
    assert!(h.take(watcher).is_empty());
    signed_in(&mut h, "u99");
    assert_eq!(watchlist(&h.take(watcher)), [json!([{"name":"online","user_ids":["u99"]}])]);
}

#[test]
fn watchlist_of_exactly_100_ids_is_fine() {
    let mut h = Harness::default_app();
    let ids: Vec<String> = (0..100).map(|i| format!("u{i}")).collect();
    let watcher = h.join();
    h.signin(watcher, &json!({"id": "w", "watchlist": ids}));
    assert_eq!(
        h.take_names(watcher),
        ["pusher:signin_success", "pusher_internal:watchlist_events"]
    );
}

#[test]
fn terminate_user_closes_all_of_the_users_sockets_with_4009() {
    let mut h = Harness::default_app();
    let a = signed_in(&mut h, "bad");
    let b = signed_in(&mut h, "bad");
    let good = signed_in(&mut h, "good");
    let presence_only = h.join();
    h.join_presence(presence_only, "presence-r", "bad");
    h.join_presence(a, "presence-r", "bad");
    h.join_presence(good, "presence-r", "good");
    h.take(presence_only);
    h.take(a);
    h.terminate_user("app-id", "bad").unwrap();
    for conn in [a, b] {
        let expected = json!({
            "event": "pusher:error",
            "data": {"code": 4009, "message": "You got disconnected by the app."},
        });
        assert_eq!(h.take(conn), [expected]);
        assert!(h.is_closed(conn));
    }
    let mut codes: Vec<(ConnId, u16)> = h.closes.iter().map(|c| (c.0, c.1)).collect();
    codes.sort_unstable();
    assert_eq!(codes, [(a, 4009), (b, 4009)]);
    assert!(!h.is_closed(good) && !h.is_closed(presence_only));
    // "bad" is still present through the presence-only socket.
    assert!(h.take(good).is_empty());
    assert_eq!(h.metrics("app-id").connections, 2);
    h.terminate_user("app-id", "nobody").unwrap();
    assert!(h.last.is_empty());
    assert_eq!(h.terminate_user("app-id", "").unwrap_err().status(), 400);
    assert_eq!(h.terminate_user("zzz", "bad").unwrap_err().status(), 404);
}

#[test]
fn failed_signin_under_user_authentication_still_times_out_with_4009() {
    let mut h = Harness::with(|a| a.enable_user_authentication = true);
    let conn = h.join();
    h.send(
        conn,
        r#"{"event":"pusher:signin","data":{"auth":"app-key:00","user_data":"{\"id\":\"1\"}"}}"#,
    );
    assert_eq!(h.take(conn)[0]["data"]["code"], 4009);
    assert!(h.closes.is_empty());
    h.advance(30_000);
    assert_eq!(h.closes.iter().map(|c| (c.0, c.1)).collect::<Vec<_>>(), [(conn, 4009)]);
}

#[test]
fn terminating_a_user_on_two_sockets_announces_one_member_removed() {
    let mut h = Harness::default_app();
    let a = signed_in(&mut h, "t");
    let b = signed_in(&mut h, "t");
    let observer = h.join();
    h.join_presence(observer, "presence-r", "o");
    h.join_presence(a, "presence-r", "t");
    h.join_presence(b, "presence-r", "t");
    h.take(observer);
    h.terminate_user("app-id", "t").unwrap();
    let frames = h.take(observer);
    assert_eq!(names(&frames), ["pusher_internal:member_removed"]);
    assert_eq!(harness::data(&frames[0]), json!({"user_id": "t"}));
    assert_eq!(h.users("app-id", "presence-r").unwrap().users.len(), 1);
}
