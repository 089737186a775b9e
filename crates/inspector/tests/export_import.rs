//! Importing: NDJSON with damaged lines, and HAR files as Chrome, mitmproxy, Playwright,
//! a milliseconds-writing tool and Switchboard itself write them.
#![allow(clippy::unwrap_used)]

#[path = "fixtures/records.rs"]
mod records;

use std::path::PathBuf;

use switchboard_engine::{ConnId, Detail, Observation, Origin};
use switchboard_inspector::export::{
    import_har, import_ndjson, write_ndjson, ImportError, ImportSkip, Imported, SessionMeta,
};

fn fixture(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name);
    std::fs::read(path).unwrap()
}

fn session_lines() -> Vec<String> {
    let meta = SessionMeta { id: "s1".into(), name: "n".into(), started_at: 1, ended_at: None };
    let out = write_ndjson(Vec::new(), &meta, 2, &records::session()).unwrap();
    String::from_utf8(out).unwrap().lines().map(str::to_owned).collect()
}

fn import_lines(lines: &[String]) -> Imported {
    import_ndjson(lines.join("\n").as_bytes()).unwrap()
}

#[test]
fn a_bad_line_is_reported_and_the_others_are_kept() {
    let mut lines = session_lines();
    lines[3] = r#"{"seq":3,"kind":"frame_in"}"#.to_owned();
    let imported = import_lines(&lines);
    assert_eq!(imported.records.len(), 26);
    assert_eq!(imported.skipped.len(), 1);
    let ImportSkip::BadLine { line, error } = &imported.skipped[0] else { panic!() };
    assert_eq!(*line, 4);
    assert!(error.contains("missing field"), "{error}");
    let strict = imported.require_complete().unwrap_err();
    assert!(strict.to_string().starts_with("incomplete import: line 4: missing field"), "{strict}");
}

#[test]
fn a_line_cut_in_the_middle_is_reported() {
    let mut lines = session_lines();
    let last = lines.pop().unwrap();
    lines.push(last[..last.len() / 2].to_owned());
    let imported = import_lines(&lines);
    assert_eq!(imported.records.len(), 26);
    assert!(matches!(imported.skipped[..], [ImportSkip::BadLine { line: 28, .. }]));
}

#[test]
fn lines_missing_at_the_end_are_noticed_through_the_header_count() {
    let mut lines = session_lines();
    lines.truncate(lines.len() - 2);
    let imported = import_lines(&lines);
    assert_eq!(imported.records.len(), 25);
    assert_eq!(imported.skipped, [ImportSkip::CountMismatch { expected: 27, found: 25 }]);
}

#[test]
fn invalid_utf8_blank_lines_crlf_and_a_bom_are_handled() {
    let mut text = b"\xEF\xBB\xBF".to_vec();
    for (index, line) in session_lines().iter().enumerate() {
        text.extend_from_slice(line.as_bytes());
        text.extend_from_slice(if index == 2 { b"\r\n\r\n" } else { b"\r\n" });
    }
    text.extend_from_slice(b"\xFF\xFE\n");
    let imported = import_ndjson(text.as_slice()).unwrap();
    assert_eq!(imported.records, records::session());
    assert_eq!(imported.skipped, [ImportSkip::NotUtf8 { line: 30 }]);
}

#[test]
fn a_bad_header_refuses_the_file() {
    let record = session_lines()[1].clone();
    let cases: [(&str, &str); 6] = [
        ("", "the file is empty"),
        ("\n\n", "the file is empty"),
        ("{nope", "line 1 is not a Switchboard session header: key must be a string"),
        (&record, "line 1 is not a Switchboard session header: it has no \"format\" field"),
        (r#"{"format":"other","version":1}"#, "line 1: the format is \"other\""),
        (
            r#"{"format":"switchboard-session","version":2,"future":true}"#,
            "line 1: format version 2 is newer than this Switchboard reads (1)",
        ),
    ];
    for (text, message) in cases {
        let error = import_ndjson(text.as_bytes()).unwrap_err();
        assert!(error.to_string().starts_with(message), "{text:?}: {error}");
    }
    let missing_session = r#"{"format":"switchboard-session","version":1,"exported_at":1}"#;
    let error = import_ndjson(missing_session.as_bytes()).unwrap_err();
    assert!(matches!(error, ImportError::NotASession { .. }), "{error}");
}

fn frames(imported: &Imported) -> Vec<(String, Option<String>, Option<String>)> {
    imported
        .records
        .iter()
        .map(|r| (r.detail.kind().to_owned(), r.event.clone(), r.channel.clone()))
        .collect()
}

fn kinds(imported: &Imported) -> Vec<&'static str> {
    imported.records.iter().map(|r| r.detail.kind()).collect()
}

fn assert_numbered_in_time_order(records: &[Observation]) {
    for (index, record) in records.iter().enumerate() {
        assert_eq!(record.seq, index as u64 + 1);
        assert!(index == 0 || records[index - 1].at <= record.at);
    }
}

#[test]
fn chrome_har() {
    let imported = import_har(fixture("chrome.har").as_slice()).unwrap();
    assert_eq!(imported.meta.name, "Imported from WebInspector");
    assert_eq!(imported.skipped, [ImportSkip::Unrelated { count: 3 }]);
    let expected = [
        "connection_opened",
        "frame_out",
        "frame_in",
        "frame_out",
        "frame_out",
        "frame_in",
        "frame_in",
        "frame_out",
    ];
    assert_eq!(kinds(&imported), expected);
    assert_numbered_in_time_order(&imported.records);
    let opened = &imported.records[0];
    assert_eq!(opened.at, 1_714_557_600_000);
    let Detail::ConnectionOpened { user_agent, origin_header, protocol, client, version, .. } =
        &opened.detail
    else {
        panic!()
    };
    assert!(user_agent.as_deref().unwrap().contains("Chrome/126"));
    assert_eq!(origin_header.as_deref(), Some("http://localhost:3000"));
    assert_eq!(
        (protocol.as_deref(), client.as_deref(), version.as_deref()),
        (Some("7"), Some("js"), Some("8.4.0"))
    );
    assert_eq!(imported.records[1].at, 1_714_557_600_123);
    for record in &imported.records {
        assert_eq!(record.socket.as_ref().unwrap().as_str(), "5001.77");
        assert_eq!(record.conn, Some(ConnId(3)));
        assert_eq!(record.origin, Origin::Client);
        assert_eq!(record.app, None);
    }
    let shipped = &imported.records[4];
    assert_eq!(shipped.event.as_deref(), Some("order.shipped"));
    assert_eq!(shipped.channel.as_deref(), Some("private-orders"));
    assert!(
        matches!(&imported.records[5].detail, Detail::FrameIn { raw, error: None } if raw.contains("client-typing"))
    );
}

#[test]
fn mitmproxy_har() {
    let imported = import_har(fixture("mitmproxy.har").as_slice()).unwrap();
    assert_eq!(
        imported.skipped,
        [
            ImportSkip::NotText { entry: 1, message: 5, opcode: 2 },
            ImportSkip::Unrelated { count: 1 },
        ]
    );
    let expected = [
        "connection_opened",
        "frame_out",
        "frame_in",
        "frame_out",
        "api_request",
        "frame_out",
        "api_request",
        "frame_out",
    ];
    assert_eq!(kinds(&imported), expected);
    assert_numbered_in_time_order(&imported.records);
    let socket = imported.records[0].socket.as_ref().unwrap();
    assert_eq!(socket.as_str(), "6001.42");
    let opened = &imported.records[0].detail;
    assert!(matches!(
        opened,
        Detail::ConnectionOpened { user_agent: Some(_), origin_header: Some(_), .. }
    ));
    let api = &imported.records[4];
    assert_eq!(api.origin, Origin::Api);
    assert_eq!(api.app.as_ref().unwrap().as_str(), "app-id");
    assert_eq!(api.at, 1_714_557_601_250);
    let Detail::ApiRequest { method, path, status, latency_us, body, error } = &api.detail else {
        panic!()
    };
    assert_eq!((method.as_str(), *status, *latency_us, error), ("POST", 200, 3200, &None));
    assert!(path.starts_with("/apps/app-id/events?auth_key=app-key"), "{path}");
    assert!(body.as_deref().unwrap().contains("order.shipped"));
}

#[test]
fn playwright_har() {
    let imported = import_har(fixture("playwright.har").as_slice()).unwrap();
    assert_eq!(imported.skipped, [ImportSkip::NoMessages { entry: 2 }]);
    let events: Vec<Option<&str>> = imported.records.iter().map(|r| r.event.as_deref()).collect();
    assert_eq!(
        events,
        [
            None,
            Some("pusher:connection_established"),
            Some("pusher:subscribe"),
            Some("pusher_internal:subscription_succeeded"),
            Some("order.created"),
        ]
    );
    assert!(imported.records.iter().all(|r| r.socket.as_ref().unwrap().as_str() == "7001.5"));
    assert_eq!(imported.records[4].at, 1_714_557_600_900);
}

#[test]
fn milliseconds_and_relative_times() {
    let imported = import_har(fixture("tool-ms.har").as_slice()).unwrap();
    let times: Vec<u64> = imported.records.iter().map(|r| r.at).collect();
    let first = 1_714_557_600_000;
    let second = first + 60_000;
    assert_eq!(times, [first, first + 500, first + 1750, second, second, second + 250]);
    assert_eq!(imported.records[4].socket.as_ref().unwrap().as_str(), "8002.2");
    let [ImportSkip::BadMessage { entry: 2, message: 3, error: pong }, ImportSkip::BadMessage { entry: 2, message: 4, error: no_time }] =
        &imported.skipped[..]
    else {
        panic!("{:?}", imported.skipped)
    };
    assert!(pong.contains("expected \"send\" or \"receive\""), "{pong}");
    assert!(no_time.contains("time is missing"), "{no_time}");
}

#[test]
fn switchboard_reads_its_own_har_back() {
    let imported = import_har(fixture("session.har").as_slice()).unwrap();
    assert_eq!(imported.meta.name, "Checkout flow");
    assert_eq!(imported.skipped, [ImportSkip::Unrelated { count: 1 }]);
    assert!(imported.records.iter().all(|r| r.app.as_ref().unwrap().as_str() == "app-id"));
    let on = |conn: u64| -> Vec<(String, Option<String>, Option<String>)> {
        let only = Imported {
            records: imported
                .records
                .iter()
                .filter(|r| r.conn == Some(ConnId(conn)))
                .cloned()
                .collect(),
            ..imported.clone()
        };
        frames(&only)
    };
    assert_eq!(on(1).len(), 8);
    assert_eq!(on(2).len(), 5);
    let shipped =
        imported.records.iter().find(|r| r.event.as_deref() == Some("order.shipped")).unwrap();
    assert_eq!(shipped.at, records::START + 1300);
    assert_eq!(shipped.socket.as_ref().unwrap().as_str(), "1.1");
    assert!(matches!(&shipped.detail, Detail::FrameOut { raw } if raw == records::SHIPPED_FRAME));
    let api: Vec<u16> = imported
        .records
        .iter()
        .filter_map(|r| match &r.detail {
            Detail::ApiRequest { status, .. } => Some(*status),
            _ => None,
        })
        .collect();
    assert_eq!(api, [200, 200, 401]);
}

#[test]
fn files_that_are_not_har() {
    let cases: [(&str, &str); 4] = [
        ("", "the file is empty"),
        ("not json", "not JSON (line 1, column 2)"),
        (r#"{"foo":1}"#, "not a HAR file: log is missing"),
        (r#"{"log":{"entries":{}}}"#, "not a HAR file: log.entries is missing"),
    ];
    for (text, message) in cases {
        let error = import_har(text.as_bytes()).unwrap_err();
        assert!(error.to_string().starts_with(message), "{text:?}: {error}");
    }
}
