//! Table tests for the replay planner: what is replayed, once, in which order, with which
//! delays, on which channels.
#![allow(clippy::unwrap_used)]

#[path = "fixtures/records.rs"]
mod records;

use std::path::PathBuf;

use switchboard_engine::{Detail, Observation, Origin};
use switchboard_inspector::export::import_har;
use switchboard_inspector::filter::Filter;
use switchboard_inspector::replay::{
    plan, ChannelRename, ReplayOptions, ReplayPlan, ReplayProgress, ReplayTiming,
};
use switchboard_proto::AppId;

/// (delay, source seq, channel, event) of each step.
type Step = (u64, u64, &'static str, &'static str);

fn summary(plan: &ReplayPlan) -> Vec<(u64, u64, String, String)> {
    plan.steps
        .iter()
        .map(|s| (s.delay_ms_from_previous, s.source_seq, s.channel.clone(), s.event.clone()))
        .collect()
}

fn expect(plan: &ReplayPlan, steps: &[Step]) {
    let expected: Vec<(u64, u64, String, String)> =
        steps.iter().map(|(d, s, c, e)| (*d, *s, (*c).to_owned(), (*e).to_owned())).collect();
    assert_eq!(summary(plan), expected);
}

fn timed(timing: ReplayTiming) -> ReplayOptions {
    ReplayOptions { timing, ..ReplayOptions::default() }
}

fn selection(filter: &str) -> Vec<Observation> {
    let filter = Filter::parse(filter).unwrap();
    records::session().into_iter().filter(|r| filter.matches(r)).collect()
}

const WHOLE: [Step; 4] = [
    (0, 12, "private-orders", "order.shipped"),
    (200, 14, "presence-chat", "client-typing"),
    (200, 16, "prices", "price.changed"),
    (0, 16, "private-orders", "price.changed"),
];

#[test]
fn a_whole_session_replays_each_publish_once() {
    let plan = plan(&records::session(), &ReplayOptions::default()).unwrap();
    expect(&plan, &WHOLE);
    assert_eq!((plan.duplicates, plan.not_replayable), (4, 20));
    assert_eq!(plan.duration_ms(), 400);
    let shipped = &plan.steps[0];
    assert_eq!(shipped.at, records::START + 1200);
    assert_eq!(shipped.app.as_ref().unwrap().as_str(), "app-id");
    assert_eq!(
        shipped.data,
        r#"{"order":{"id":42,"tags":["x","y"]},"price":12.5,"name":"Bob Smith"}"#
    );
    assert_eq!(plan.steps[1].data, r#"{"text":"hi"}"#);
    assert_eq!(plan.steps[2].data, r#"{"price":9}"#);
}

#[test]
fn timings() {
    let cases: [(ReplayTiming, [u64; 4]); 6] = [
        (ReplayTiming::Original, [0, 200, 200, 0]),
        (ReplayTiming::Scaled { speed: 2.0 }, [0, 100, 100, 0]),
        (ReplayTiming::Scaled { speed: 0.5 }, [0, 400, 400, 0]),
        (ReplayTiming::Scaled { speed: 3.0 }, [0, 67, 67, 0]),
        (ReplayTiming::Fastest, [0, 0, 0, 0]),
        (ReplayTiming::Step, [0, 0, 0, 0]),
    ];
    for (timing, delays) in cases {
        let plan = plan(&records::session(), &timed(timing)).unwrap();
        let got: Vec<u64> = plan.steps.iter().map(|s| s.delay_ms_from_previous).collect();
        assert_eq!(got, delays, "{timing:?}");
        assert_eq!(plan.timing, timing);
    }
}

#[test]
fn selections() {
    let cases: [(&str, &[Step]); 7] = [
        ("", &WHOLE),
        (
            "kind:delivery",
            &[
                (0, 13, "private-orders", "order.shipped"),
                (200, 15, "presence-chat", "client-typing"),
                (200, 17, "private-orders", "price.changed"),
                (100, 18, "prices", "price.changed"),
            ],
        ),
        (
            "kind:api_request",
            &[
                (0, 12, "private-orders", "order.shipped"),
                (400, 16, "prices", "price.changed"),
                (0, 16, "private-orders", "price.changed"),
            ],
        ),
        // A selection is of records: the batch record publishes on both its channels.
        (
            "channel:prices",
            &[(0, 16, "prices", "price.changed"), (0, 16, "private-orders", "price.changed")],
        ),
        ("channel:prices kind:delivery", &[(0, 18, "prices", "price.changed")]),
        ("kind:frame_* or kind:subscribed", &[(0, 14, "presence-chat", "client-typing")]),
        ("status>=400 or kind:connection_*", &[]),
    ];
    for (filter, steps) in cases {
        let plan = plan(&selection(filter), &ReplayOptions::default()).unwrap();
        let expected: Vec<(u64, u64, String, String)> =
            steps.iter().map(|(d, s, c, e)| (*d, *s, (*c).to_owned(), (*e).to_owned())).collect();
        assert_eq!(summary(&plan), expected, "selection {filter:?}");
    }
}

#[test]
fn renames() {
    let options = ReplayOptions {
        rename: vec![
            ChannelRename::new("private-orders", "private-orders-copy"),
            ChannelRename::new("presence-*", "presence-test-*"),
        ],
        ..ReplayOptions::default()
    };
    let plan = plan(&records::session(), &options).unwrap();
    let channels: Vec<(&str, Option<&str>)> =
        plan.steps.iter().map(|s| (s.channel.as_str(), s.original_channel.as_deref())).collect();
    assert_eq!(
        channels,
        [
            ("private-orders-copy", Some("private-orders")),
            ("presence-test-chat", Some("presence-chat")),
            ("prices", None),
            ("private-orders-copy", Some("private-orders")),
        ]
    );
}

#[test]
fn only_one_app() {
    let other =
        ReplayOptions { only_app: Some(AppId::new("other").unwrap()), ..ReplayOptions::default() };
    let plan_other = plan(&records::session(), &other).unwrap();
    assert!(plan_other.steps.is_empty());
    assert_eq!(plan_other.not_replayable, 27);
    let mine = ReplayOptions { only_app: Some(records::app()), ..ReplayOptions::default() };
    expect(&plan(&records::session(), &mine).unwrap(), &WHOLE);
}

fn client_frame(seq: u64, at: u64, raw: &str) -> Observation {
    let mut record =
        Observation::new(Origin::Client, Detail::FrameIn { raw: raw.into(), error: None });
    (record.seq, record.at) = (seq, at);
    record
}

#[test]
fn client_events_keep_their_payload_text_and_rejected_ones_are_skipped() {
    let kept = client_frame(
        1,
        10,
        r#"{"event":"client-a","channel":"private-x","data":{"b":1, "a":[2]}}"#,
    );
    let refused = client_frame(2, 20, r#"{"event":"client-b","channel":"public","data":{}}"#);
    let mut rejection = Observation::new(
        Origin::Client,
        Detail::ClientEventRejected { reason: "public channel".into() },
    );
    (rejection.seq, rejection.cause) = (3, Some(2));
    let not_client =
        client_frame(4, 30, r#"{"event":"my-event","channel":"private-x","data":"{}"}"#);
    let protocol = client_frame(5, 40, r#"{"event":"pusher:ping","data":{}}"#);
    let plan =
        plan(&[kept, refused, rejection, not_client, protocol], &ReplayOptions::default()).unwrap();
    assert_eq!(plan.steps.len(), 1);
    assert_eq!(plan.steps[0].data, r#"{"b":1, "a":[2]}"#);
    assert_eq!(plan.not_replayable, 4);
}

fn api(seq: u64, body: &str) -> Observation {
    let detail = Detail::ApiRequest {
        method: "POST".into(),
        path: "/apps/1/batch_events".into(),
        status: 200,
        latency_us: 1,
        body: Some(body.into()),
        error: None,
    };
    let mut record = Observation::new(Origin::Api, detail);
    record.seq = seq;
    record
}

fn delivered(seq: u64, cause: u64, raw: &str) -> Observation {
    let detail = Detail::Delivery {
        raw: raw.into(),
        reached: vec![],
        skipped: vec![],
        not_subscribed_more: 0,
    };
    let mut record = Observation::new(Origin::Api, detail);
    (record.seq, record.cause) = (seq, Some(cause));
    record
}

#[test]
fn a_batch_publishing_the_same_event_twice_replays_it_twice() {
    let body = r#"{"batch":[{"name":"tick","channel":"c","data":"1"},{"name":"tick","channel":"c","data":"1"}]}"#;
    let frame = r#"{"event":"tick","channel":"c","data":"1"}"#;
    let records = [api(1, body), delivered(2, 1, frame), delivered(3, 1, frame)];
    let reordered = [records[1].clone(), records[0].clone(), records[2].clone()];
    for selection in [&records[..], &records[1..], &records[..1], &reordered[..]] {
        let plan = plan(selection, &ReplayOptions::default()).unwrap();
        assert_eq!(plan.steps.len(), 2, "{selection:?}");
    }
}

fn fixture_har(name: &str) -> Vec<Observation> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    import_har(std::fs::read(path).unwrap().as_slice()).unwrap().records
}

#[test]
fn imported_sessions_replay_without_cause_links() {
    let chrome = plan(&fixture_har("chrome.har"), &ReplayOptions::default()).unwrap();
    let events: Vec<&str> = chrome.steps.iter().map(|s| s.event.as_str()).collect();
    assert_eq!(events, ["order.shipped", "client-typing"]);
    assert_eq!(chrome.steps[1].delay_ms_from_previous, 500);
    assert_eq!(chrome.steps[1].data, r#"{"typing":true}"#);

    let mitm = plan(&fixture_har("mitmproxy.har"), &ReplayOptions::default()).unwrap();
    let events: Vec<(&str, &str)> =
        mitm.steps.iter().map(|s| (s.event.as_str(), s.channel.as_str())).collect();
    assert_eq!(events, [("order.shipped", "private-orders"), ("price.changed", "prices")]);
    assert_eq!(mitm.duplicates, 2);
}

#[test]
fn impossible_options_are_refused() {
    for speed in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        let error = plan(&[], &timed(ReplayTiming::Scaled { speed })).unwrap_err();
        assert!(error.to_string().starts_with("the replay speed must be a positive number"));
    }
    let options =
        ReplayOptions { rename: vec![ChannelRename::new("a", "b c")], ..ReplayOptions::default() };
    let error = plan(&[], &options).unwrap_err();
    assert!(error.to_string().starts_with("rename 1: channel name \"b c\""), "{error}");
}

#[test]
fn progress() {
    let mut progress = ReplayProgress::new(3);
    assert_eq!(progress.fraction(), 0.0);
    for _ in 0..4 {
        progress.advance();
    }
    assert_eq!(progress, ReplayProgress { done: 3, total: 3 });
    assert!(progress.is_finished());
    assert_eq!(ReplayProgress::new(0).fraction(), 1.0);
}

#[test]
fn options_and_plans_as_json() {
    let options: ReplayOptions = serde_json::from_str(
        r#"{"timing":{"mode":"scaled","speed":2.0},"rename":[{"from":"a","to":"b"}],"only_app":"app-id"}"#,
    )
    .unwrap();
    assert_eq!(options.timing, ReplayTiming::Scaled { speed: 2.0 });
    assert_eq!(options.rename, [ChannelRename::new("a", "b")]);
    let defaults: ReplayOptions = serde_json::from_str("{}").unwrap();
    assert_eq!(defaults, ReplayOptions::default());
    let step: ReplayOptions = serde_json::from_str(r#"{"timing":{"mode":"step"}}"#).unwrap();
    assert_eq!(step.timing, ReplayTiming::Step);
    let plan = plan(&records::session(), &ReplayOptions::default()).unwrap();
    let json = serde_json::to_value(&plan).unwrap();
    assert_eq!(json["timing"]["mode"], "original");
    assert_eq!(json["steps"][0]["source_seq"], 12);
    assert!(json["steps"][0].get("original_channel").is_none());
}
