//! Inspector actions through `Engine::control`: live state, publish, virtual client events,
//! raw frames, disconnects, terminations — each recorded with the caller's origin.
#![allow(clippy::unwrap_used)]

mod harness;

use harness::{app_id, names, req, Harness};
use serde_json::json;
use switchboard_engine::control::{Command, Reply, VIRTUAL_USER};
use switchboard_engine::{ApiError, Caller, Origin};

fn inject() -> Caller {
    Caller::new(Origin::Inject, "POST", "/inspector/api/actions", None)
}

fn run(h: &mut Harness, command: Command) -> Result<Reply, ApiError> {
    let outcome = h.engine.control(&inject(), command, h.now);
    h.apply_effects(outcome.effects);
    outcome.reply
}

#[test]
fn the_live_state_lists_connections_channels_and_members() {
    let mut h = Harness::default_app();
    let (a, b) = (h.join(), h.join());
    h.subscribe(a, "news");
    h.join_presence(b, "presence-room", "7");
    let Reply::State(state) = run(&mut h, Command::State).unwrap() else { panic!() };
    let app = &state.apps[0];
    assert_eq!(app.id, app_id("app-id"));
    assert_eq!(app.connections.len(), 2);
    assert_eq!(app.connections[0].channels, ["news"]);
    let room = app.channels.iter().find(|c| c.name == "presence-room").unwrap();
    assert_eq!((room.kind.as_str(), room.members.len()), ("presence", 1));
    assert_eq!(room.members[0].user_id.as_str(), "7");
}

#[test]
fn publishing_as_the_server_is_recorded_as_an_injection() {
    let mut h = Harness::default_app().record();
    let a = h.join();
    h.subscribe(a, "news");
    h.take(a);
    let request = req("hello", &["news"], "{\"a\":1}");
    assert!(matches!(
        run(&mut h, Command::Publish { app: app_id("app-id"), request }),
        Ok(Reply::Published(_))
    ));
    assert_eq!(h.take_names(a), ["hello"]);
    let api = h.observations.iter().rev().find(|o| o.detail.kind() == "api_request").unwrap();
    assert_eq!(api.origin, Origin::Inject);
}

#[test]
fn a_virtual_client_event_reaches_every_subscriber_with_a_user_on_presence() {
    let mut h = Harness::default_app();
    let a = h.join();
    h.join_presence(a, "presence-room", "7");
    h.take(a);
    let command = Command::ClientEvent {
        app: app_id("app-id"),
        channel: "presence-room".into(),
        event: "client-poke".into(),
        data: "{\"n\":1}".into(),
        user_id: None,
    };
    run(&mut h, command).unwrap();
    let frames = h.take(a);
    assert_eq!(frames[0]["event"], "client-poke");
    assert_eq!(frames[0]["data"], json!({"n": 1}));
    assert_eq!(frames[0]["user_id"], VIRTUAL_USER);
}

#[test]
fn a_virtual_client_event_follows_the_client_event_rules() {
    let mut h = Harness::default_app();
    let event = |channel: &str, event: &str, data: &str| Command::ClientEvent {
        app: app_id("app-id"),
        channel: channel.into(),
        event: event.into(),
        data: data.into(),
        user_id: None,
    };
    for (command, field) in [
        (event("news", "client-a", "{}"), "channel"),
        (event("private-encrypted-x", "client-a", "{}"), "channel"),
        (event("private-x", "poke", "{}"), "event"),
        (event("private-x", "client-a", "{nope"), "data"),
    ] {
        let error = run(&mut h, command).unwrap_err();
        assert!(matches!(error, ApiError::InvalidField { field: f, .. } if f == field), "{error}");
    }
}

#[test]
fn raw_frames_and_disconnects_target_one_socket() {
    let mut h = Harness::default_app();
    let (a, b) = (h.join(), h.join());
    let socket = h.socket_id(a);
    run(&mut h, Command::RawFrame { socket: socket.clone(), text: "{\"event\":\"x\"}".into() })
        .unwrap();
    assert_eq!(h.take_names(a), ["x"]);
    assert!(h.take(b).is_empty());
    let bad = Command::Disconnect { socket: socket.clone(), code: 1234, reason: "bye".into() };
    assert!(run(&mut h, bad).is_err());
    run(&mut h, Command::Disconnect { socket, code: 4200, reason: "bye".into() }).unwrap();
    assert_eq!(h.take_closes(), [(a, 4200, "bye".to_owned())]);
    let unknown = h.socket_id(a);
    let error = run(&mut h, Command::RawFrame { socket: unknown, text: "{}".into() }).unwrap_err();
    assert_eq!(error.status(), 404);
    assert!(names(&h.take(b)).is_empty());
}

#[test]
fn terminate_user_closes_the_users_sockets() {
    let mut h = Harness::default_app();
    let a = h.join();
    h.signin(a, &json!({"id": "u1"}));
    run(&mut h, Command::TerminateUser { app: app_id("app-id"), user: "u1".into() }).unwrap();
    assert_eq!(h.take_closes()[0].1, 4009);
}
