//! Observations: every decision is recorded, in order, with its cause and the sockets a
//! delivery reached or skipped (and why).
#![allow(clippy::unwrap_used)]

mod harness;

use harness::{api_caller, app_id, req, subscribe_frame, Harness};
use serde_json::json;
use switchboard_engine::observation::{Detail, SkipReason};
use switchboard_engine::{Observation, Origin};

fn kinds(observations: &[Observation]) -> Vec<&'static str> {
    observations.iter().map(|o| o.detail.kind()).collect()
}

#[test]
fn nothing_is_recorded_while_recording_is_off() {
    let mut h = Harness::default_app();
    let conn = h.join();
    h.subscribe(conn, "news");
    assert!(h.observations.is_empty());
}

#[test]
fn seqs_are_a_total_order_and_stamped_with_the_clock() {
    let mut h = Harness::default_app().record();
    let conn = h.join();
    h.subscribe(conn, "news");
    let seqs: Vec<u64> = h.observations.iter().map(|o| o.seq).collect();
    let mut sorted = seqs.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(seqs, sorted, "strictly increasing");
    assert!(h.observations.iter().all(|o| o.at == h.now));
    assert!(h.observations.iter().all(|o| o.app == Some(app_id("app-id"))));
}

#[test]
fn a_subscribe_is_recorded_with_its_frame_as_cause() {
    let mut h = Harness::default_app().record();
    let conn = h.join();
    h.observations.clear();
    h.subscribe(conn, "news");
    assert_eq!(
        kinds(&h.observations),
        ["frame_in", "subscribed", "frame_out", "channel_occupied"],
        "{:#?}",
        h.observations
    );
    let frame_in = h.observations[0].seq;
    assert!(h.observations[1..].iter().all(|o| o.cause == Some(frame_in)));
    assert!(h.observations.iter().all(|o| o.origin == Origin::Client));
    assert_eq!(h.observations[1].channel.as_deref(), Some("news"));
}

#[test]
fn a_bad_signature_records_the_string_to_sign_and_both_signatures() {
    let mut h = Harness::default_app().record();
    let conn = h.join();
    h.observations.clear();
    h.send(conn, &subscribe_frame("private-a", Some("app-key:deadbeef"), None));
    let refused =
        h.observations.iter().find(|o| o.detail.kind() == "subscription_refused").unwrap();
    let Detail::SubscriptionRefused { string_to_sign, expected, supplied, .. } = &refused.detail
    else {
        unreachable!()
    };
    let socket = h.socket_id(conn);
    assert_eq!(string_to_sign.as_deref(), Some(format!("{socket}:private-a").as_str()));
    assert_eq!(supplied.as_deref(), Some("deadbeef"));
    assert_eq!(expected.as_ref().map(String::len), Some(64));
    assert!(!format!("{refused:?}").contains("app-secret"));
}

#[test]
fn a_trigger_delivery_lists_reached_and_skipped_sockets_with_reasons() {
    let mut h = Harness::default_app().record();
    let (a, b, c) = (h.join(), h.join(), h.join());
    h.subscribe(a, "news");
    h.subscribe(b, "news");
    h.observations.clear();
    let mut request = req("hello", &["news"], "{}");
    request.socket_id = Some(h.socket_id(b));
    h.trigger("app-id", request).unwrap();
    assert_eq!(kinds(&h.observations), ["api_request", "delivery"]);
    let api = &h.observations[0];
    assert!(matches!(api.detail, Detail::ApiRequest { status: 200, .. }));
    assert_eq!(api.origin, Origin::Api);
    let delivery = &h.observations[1];
    assert_eq!(delivery.cause, Some(api.seq));
    assert_eq!(
        (delivery.channel.as_deref(), delivery.event.as_deref()),
        (Some("news"), Some("hello"))
    );
    let Detail::Delivery { reached, skipped, not_subscribed_more, .. } = &delivery.detail else {
        unreachable!()
    };
    assert_eq!(reached.iter().map(|t| t.conn).collect::<Vec<_>>(), [a]);
    let mut skipped: Vec<_> = skipped.iter().map(|t| (t.conn, t.reason)).collect();
    skipped.sort_by_key(|(conn, _)| *conn);
    assert_eq!(
        skipped,
        [(b, Some(SkipReason::ExcludedBySocketId)), (c, Some(SkipReason::NotSubscribed))]
    );
    assert_eq!(*not_subscribed_more, 0);
}

#[test]
fn a_refused_api_call_is_recorded_with_its_status_and_reason() {
    let mut h = Harness::default_app().record();
    let error = h.trigger("app-id", req("", &["news"], "{}")).unwrap_err();
    let api = &h.observations[0];
    let Detail::ApiRequest { status, error: reason, .. } = &api.detail else { unreachable!() };
    assert_eq!(*status, error.status());
    assert!(reason.as_deref().unwrap().contains("name"));
}

#[test]
fn a_client_event_records_the_sender_as_skipped() {
    let mut h = Harness::default_app().record();
    let (a, b) = (h.join(), h.join());
    h.subscribe_private(a, "private-chat");
    h.subscribe_private(b, "private-chat");
    h.observations.clear();
    h.client_event(a, "private-chat", "client-typing", &json!({"x": 1}));
    let delivery = h.observations.iter().find(|o| o.detail.kind() == "delivery").unwrap();
    let Detail::Delivery { reached, skipped, .. } = &delivery.detail else { unreachable!() };
    assert_eq!(reached.iter().map(|t| t.conn).collect::<Vec<_>>(), [b]);
    assert_eq!(skipped[0].conn, a);
    assert_eq!(skipped[0].reason, Some(SkipReason::Sender));
}

#[test]
fn connection_life_is_recorded_with_who_closed() {
    let mut h = Harness::default_app().record();
    let conn = h.join();
    let refused = h.connect("nope");
    assert!(h.is_closed(refused));
    h.close(conn);
    let closed = h.observations.iter().filter(|o| o.detail.kind() == "connection_closed");
    let by: Vec<String> = closed.map(|o| format!("{:?}", o.detail)).collect();
    assert_eq!(by.len(), 1, "{by:?}");
    assert!(by[0].contains("Client"));
    assert!(kinds(&h.observations).contains(&"connection_opened"));
    assert!(kinds(&h.observations).contains(&"connection_refused"));
}

#[test]
fn external_observations_join_the_same_order() {
    let mut h = Harness::default_app().record();
    h.join();
    let last = h.observations.last().unwrap().seq;
    let detail = Detail::ConfigReloaded { summary: "ok".into(), error: None };
    let effects = h.engine.observe(Observation::new(Origin::Config, detail), h.now);
    let [switchboard_engine::Effect::Observe(recorded)] = effects.as_slice() else {
        panic!("{effects:?}")
    };
    assert_eq!(recorded.seq, last + 1);
    let _ = api_caller();
}

#[test]
fn an_event_nobody_received_is_still_recorded() {
    let mut h = Harness::default_app().record();
    h.observations.clear();
    h.trigger("app-id", req("lonely", &["empty-room"], "{}")).unwrap();
    let delivery = h.observations.iter().find(|o| o.detail.kind() == "delivery").unwrap();
    let Detail::Delivery { reached, skipped, .. } = &delivery.detail else { unreachable!() };
    assert!(reached.is_empty() && skipped.is_empty());
    assert_eq!(delivery.channel.as_deref(), Some("empty-room"));
}

#[test]
fn frames_in_carry_their_event_and_channel() {
    let mut h = Harness::default_app().record();
    let conn = h.join();
    h.observations.clear();
    h.subscribe(conn, "news");
    let frame_in = &h.observations[0];
    assert_eq!(frame_in.event.as_deref(), Some("pusher:subscribe"));
    assert_eq!(frame_in.channel.as_deref(), Some("news"));
}
