//! Table tests: each filter against the fixture session, listing the `seq`s it must match.
#![allow(clippy::unwrap_used)]

#[path = "fixtures/records.rs"]
mod records;

use switchboard_inspector::filter::Filter;

const ALL: &[u64] = &[
    1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
    27,
];

fn except(excluded: &[u64]) -> Vec<u64> {
    ALL.iter().copied().filter(|seq| !excluded.contains(seq)).collect()
}

fn check(cases: &[(&str, Vec<u64>)]) {
    let session = records::session();
    let mut failures = Vec::new();
    for (text, expected) in cases {
        let filter = Filter::parse(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        let matched: Vec<u64> =
            session.iter().filter(|r| filter.matches(r)).map(|r| r.seq).collect();
        if &matched != expected {
            failures.push(format!("{text:?}\n   expected {expected:?}\n   matched  {matched:?}"));
        }
    }
    assert!(failures.is_empty(), "{} filter(s) wrong:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn empty_and_blank_filters_match_everything() {
    check(&[("", ALL.to_vec()), ("   ", ALL.to_vec())]);
    assert!(Filter::parse(" ").unwrap().is_all());
}

#[test]
fn kind_origin_dir_and_app() {
    check(&[
        ("kind:frame_in", vec![5, 8, 14, 21]),
        ("KIND:FRAME_IN", vec![5, 8, 14, 21]),
        ("kind:frame_*", vec![2, 4, 5, 7, 8, 11, 14, 21, 22]),
        ("-kind:frame_in", except(&[5, 8, 14, 21])),
        ("not kind:frame_in", except(&[5, 8, 14, 21])),
        ("kind == frame_in", vec![5, 8, 14, 21]),
        ("kind:webhook_attempt status:5xx", vec![20]),
        ("origin:api", vec![12, 13, 16, 17, 18, 19]),
        ("origin:server or origin:config", vec![20, 25, 27]),
        ("origin:inject", vec![]),
        ("dir:in", vec![1, 3, 5, 8, 12, 14, 16, 19, 21]),
        ("dir:out", vec![2, 4, 7, 11, 13, 15, 17, 18, 20, 22]),
        ("dir:none", vec![6, 9, 10, 23, 24, 25, 26, 27]),
        ("app:app-id", except(&[26])),
        ("app:APP-*", except(&[26])),
        ("-app:*", vec![26]),
    ]);
}

#[test]
fn channels_come_from_the_record_the_frame_or_the_api_body() {
    let orders = vec![5, 6, 7, 12, 13, 16, 17];
    check(&[
        ("channel:private-orders", orders.clone()),
        ("channel == private-orders", orders),
        ("channel:presence-*", vec![8, 9, 10, 11, 14, 15]),
        ("channel:prices", vec![16, 18]),
        ("channel:*-secret", vec![23]),
        ("channel != private-orders", vec![8, 9, 10, 11, 14, 15, 18, 19, 23]),
        ("channel:private-orders kind:delivery", vec![13, 17]),
    ]);
}

#[test]
fn events_sockets_and_users() {
    check(&[
        ("event:client-* or event:order.*", vec![12, 13, 14, 15]),
        ("event:pusher:*", vec![2, 4, 5, 8, 22]),
        ("event:pusher*", vec![2, 4, 5, 7, 8, 11, 22]),
        ("event == client-typing", vec![14, 15]),
        ("event == Client-Typing", vec![]),
        ("-event:*", vec![1, 3, 6, 9, 10, 20, 21, 23, 24, 25, 26, 27]),
        ("socket:2.2", vec![3, 4, 8, 9, 11, 13, 14, 15, 18, 24]),
        ("socket:1.1 kind:delivery", vec![13, 17, 18]),
        ("user:42", vec![9, 10, 15]),
        ("user:*", vec![9, 10, 15]),
        ("-user:*", except(&[9, 10, 15])),
    ]);
}

#[test]
fn status_patterns_and_comparisons() {
    check(&[
        ("status:4xx", vec![19]),
        ("status:4XX", vec![19]),
        ("status:40xx", vec![24, 26]),
        ("status:401", vec![19]),
        ("status:200", vec![12, 16]),
        ("status:2*", vec![12, 16]),
        ("status>=400", vec![19, 20, 24, 26]),
        ("status >= 400 status < 1000", vec![19, 20]),
        ("status != 200", vec![19, 20, 24, 26]),
        ("status = 4009", vec![24]),
        ("status:*", vec![12, 16, 19, 20, 24, 26]),
    ]);
}

#[test]
fn payload_paths() {
    check(&[
        ("data.order.id == 42", vec![12, 13]),
        ("data.order.id == \"42\"", vec![12, 13]),
        ("data.order.id == 42.0", vec![12, 13]),
        ("data.order.id != 42", vec![]),
        ("data.order.id > 41.5", vec![12, 13]),
        ("data.order.id<42", vec![]),
        ("data.price > 10", vec![12, 13, 16, 17]),
        ("data.price <= 9", vec![16, 18]),
        ("data.price >= 9 data.price < 12", vec![16, 17, 18]),
        ("data.order.tags[0] == \"x\"", vec![12, 13]),
        ("data.order.tags[1] == y", vec![12, 13]),
        ("data.order.tags[2] == y", vec![]),
        ("data.name:bob*", vec![12, 13]),
        ("data.name == \"Bob Smith\"", vec![12, 13]),
        ("data.name == \"bob smith\"", vec![]),
        ("data.name > \"Al\"", vec![12, 13]),
        ("has:data.order", vec![12, 13]),
        ("has:data.text", vec![14, 15]),
        ("data.text == hi", vec![14, 15]),
        ("has:data.socket_id", vec![2, 4]),
        ("data.presence.hash[\"42\"].name == Ada", vec![11]),
        ("data.channel_data.user_info.name == Ada", vec![8]),
        ("data.code == null", vec![22]),
        ("data.code != null", vec![]),
        ("data.order:*", vec![]),
        ("kind:frame_in -has:data.channel", vec![14, 21]),
        ("kind:frame_in data.channel:private-*", vec![5]),
    ]);
}

#[test]
fn free_text_words_and_phrases() {
    check(&[
        ("shipped", vec![12, 13]),
        ("\"bob smith\"", vec![12, 13]),
        ("BOB", vec![12, 13]),
        ("webhook", vec![20]),
        ("signature", vec![12, 19, 23]),
        ("private-secret", vec![23]),
        ("disconnected", vec![24]),
        ("chrome", vec![1]),
        ("EOF", vec![21, 22]),
        ("-\"eof\" kind:frame_*", vec![2, 4, 5, 7, 8, 11, 14]),
        ("\"say \\\"hi\\\"\"", vec![]),
        ("order.shipped", vec![12, 13]),
    ]);
}

#[test]
fn boolean_structure() {
    check(&[
        ("(kind:delivery or kind:api_request) channel:private-orders", vec![12, 13, 16, 17]),
        ("kind:delivery or kind:api_request channel:private-orders", vec![12, 13, 15, 16, 17, 18]),
        ("kind:delivery and channel:prices", vec![18]),
        ("kind:delivery AND channel:prices", vec![18]),
        ("kind:gap OR kind:config_reloaded", vec![25, 27]),
        ("-(kind:delivery or kind:api_request) origin:api", vec![]),
        ("not (origin:client or app:*)", vec![]),
        ("not(kind:gap) kind:gap", vec![]),
        ("((kind:gap))", vec![27]),
        ("-(-kind:gap)", vec![27]),
        ("kind:gap or kind:gap or kind:config_reloaded", vec![25, 27]),
    ]);
}

#[test]
fn a_filter_serializes_as_its_text() {
    let filter = Filter::parse("channel:presence-* -kind:frame_in").unwrap();
    let json = serde_json::to_string(&filter).unwrap();
    assert_eq!(json, r#""channel:presence-* -kind:frame_in""#);
    let back: Filter = serde_json::from_str(&json).unwrap();
    assert_eq!(back, filter);
    assert_eq!(back.to_string(), "channel:presence-* -kind:frame_in");
    let refused = serde_json::from_str::<Filter>(r#""channel:""#).unwrap_err();
    assert!(refused.to_string().contains("expected a value"), "{refused}");
}

#[test]
fn the_field_list_covers_every_field_and_kind() {
    let names: Vec<&str> = switchboard_inspector::filter::fields().iter().map(|f| f.name).collect();
    for name in ["kind", "event", "channel", "socket", "user", "app", "origin", "dir", "status"] {
        assert!(names.contains(&name), "{name} missing from fields()");
    }
    let kinds: Vec<&str> = records::session().iter().map(|r| r.detail.kind()).collect();
    for kind in kinds {
        assert!(switchboard_inspector::filter::KINDS.contains(&kind), "{kind} not in KINDS");
    }
    let json = serde_json::to_value(switchboard_inspector::filter::fields()).unwrap();
    assert_eq!(json[0]["name"], "kind");
    assert_eq!(json[0]["values"][0], "connection_opened");
}
