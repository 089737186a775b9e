//! Cache channel scenarios (all four kinds): miss, replay of the last event, expiry.

mod harness;

use harness::{names, Harness};
use serde_json::json;

const CACHE_CHANNELS: [&str; 4] =
    ["cache-c", "private-cache-c", "private-encrypted-cache-c", "presence-cache-c"];

#[test]
fn cache_channels_miss_then_replay_the_last_event_then_expire() {
    for channel in CACHE_CHANNELS {
        let mut h = Harness::default_app();
        let first = h.join();
        h.subscribe_any(first, channel, "1");
        let frames = h.take(first);
        assert_eq!(
            names(&frames),
            ["pusher_internal:subscription_succeeded", "pusher:cache_miss"],
            "{channel}"
        );
        assert_eq!(frames[1]["channel"], channel);

        h.publish("one", &[channel], r#"{"n":1}"#);
        h.publish("two", &[channel], r#"{"n":2}"#);
        assert_eq!(h.take_names(first), ["one", "two"]);

        h.now += 29 * 60 * 1000;
        let second = h.join();
        h.subscribe_any(second, channel, "2");
        let frames = h.take(second);
        let last = frames.last().unwrap();
        assert_eq!(frames[0]["event"], "pusher_internal:subscription_succeeded", "{channel}");
        assert_eq!(*last, json!({"event":"two","channel":channel,"data":"{\"n\":2}"}), "{channel}");
        assert!(!names(&frames).contains(&"pusher:cache_miss".to_owned()));

        h.now += 60 * 1000; // 30 minutes after the trigger: expired
        let third = h.join();
        h.subscribe_any(third, channel, "3");
        let frames = h.take(third);
        assert_eq!(names(&frames).last().unwrap(), "pusher:cache_miss", "{channel}: {frames:?}");
    }
}

#[test]
fn cache_survives_the_channel_being_vacated_and_events_to_empty_channels_are_cached() {
    let mut h = Harness::default_app();
    h.publish("early", &["cache-x"], "e");
    let conn = h.join();
    h.subscribe(conn, "cache-x");
    assert_eq!(h.take_names(conn), ["pusher_internal:subscription_succeeded", "early"]);
    h.unsubscribe(conn, "cache-x");
    h.subscribe(conn, "cache-x");
    assert_eq!(h.take_names(conn), ["pusher_internal:subscription_succeeded", "early"]);
}

#[test]
fn client_events_are_not_cached() {
    for channel in ["private-cache-c", "presence-cache-c"] {
        let mut h = Harness::default_app();
        let a = h.join();
        let b = h.join();
        h.subscribe_any(a, channel, "a");
        h.subscribe_any(b, channel, "b");
        h.take(a);
        h.take(b);
        h.client_event(a, channel, "client-x", &json!({"k": 1}));
        assert_eq!(h.take_names(b), ["client-x"]);
        let c = h.join();
        h.subscribe_any(c, channel, "c");
        let got = h.take_names(c);
        assert!(got.contains(&"pusher:cache_miss".to_owned()), "{channel}: {got:?}");
        assert!(!got.contains(&"client-x".to_owned()), "{channel}: {got:?}");
    }
}

#[test]
fn non_cache_channels_never_send_cache_miss() {
    let mut h = Harness::default_app();
    let conn = h.join();
    for channel in ["foo-cache-bar", "news", "cachex"] {
        h.subscribe(conn, channel);
        assert_eq!(h.take_names(conn), ["pusher_internal:subscription_succeeded"], "{channel}");
    }
}
