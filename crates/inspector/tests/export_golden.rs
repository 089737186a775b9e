//! Golden files: the fixture session exported as NDJSON and as HAR must equal the files
//! committed under `tests/fixtures/` (compared as JSON values). Run with
//! `SWITCHBOARD_BLESS=1` to rewrite them after an intended change, then review the diff.
#![allow(clippy::unwrap_used)]

#[path = "fixtures/records.rs"]
mod records;

use std::path::PathBuf;

use serde_json::Value;
use switchboard_inspector::export::{
    export_har, import_ndjson, write_har, write_ndjson, HarOptions, SessionMeta,
};

fn meta() -> SessionMeta {
    SessionMeta {
        id: "s-fixture".into(),
        name: "Checkout flow".into(),
        started_at: records::START,
        ended_at: Some(records::START + 3_000),
    }
}

const EXPORTED_AT: u64 = records::START + 10_000;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

/// Compares `produced` with the golden file (or rewrites it when blessing).
fn golden(name: &str, produced: &str, parse: fn(&str) -> Vec<Value>) {
    let path = fixture(name);
    if std::env::var_os("SWITCHBOARD_BLESS").is_some() {
        std::fs::write(&path, produced).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with SWITCHBOARD_BLESS=1)", path.display()));
    let (expected, produced) = (parse(&expected), parse(produced));
    assert_eq!(expected.len(), produced.len(), "{name}: different number of values");
    for (index, (want, got)) in expected.iter().zip(&produced).enumerate() {
        assert_eq!(want, got, "{name}: value {index} differs from the golden file");
    }
}

fn lines(text: &str) -> Vec<Value> {
    text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

fn har_without_version(text: &str) -> Vec<Value> {
    let mut har: Value = serde_json::from_str(text).unwrap();
    har["log"]["creator"]["version"] = Value::from("(any)");
    vec![har]
}

fn ndjson_text() -> String {
    let out = write_ndjson(Vec::new(), &meta(), EXPORTED_AT, &records::session()).unwrap();
    String::from_utf8(out).unwrap()
}

fn har_text() -> String {
    let har = export_har(&meta(), &records::session(), &HarOptions::default());
    String::from_utf8(write_har(Vec::new(), &har).unwrap()).unwrap()
}

#[test]
fn ndjson_matches_the_golden_file() {
    golden("session.ndjson", &ndjson_text(), lines);
}

#[test]
fn har_matches_the_golden_file() {
    golden("session.har", &har_text(), har_without_version);
}

#[test]
fn ndjson_round_trips_losslessly() {
    let imported = import_ndjson(ndjson_text().as_bytes()).unwrap();
    assert_eq!(imported.meta, meta());
    assert_eq!(imported.records, records::session());
    assert!(imported.skipped.is_empty(), "{:?}", imported.skipped);
}

#[test]
fn the_golden_ndjson_file_imports_to_the_fixture_records() {
    let file = std::fs::read(fixture("session.ndjson")).unwrap();
    let imported = import_ndjson(file.as_slice()).unwrap().require_complete().unwrap();
    assert_eq!(imported.records, records::session());
}

#[test]
fn exports_never_contain_the_app_secret() {
    for text in [ndjson_text(), har_text()] {
        assert!(!text.contains(records::SECRET));
    }
}

#[test]
fn har_has_what_chrome_devtools_requires() {
    let har: Value = serde_json::from_str(&har_text()).unwrap();
    let log = &har["log"];
    assert_eq!(log["version"], "1.2");
    assert!(log["creator"]["name"].is_string() && log["creator"]["version"].is_string());
    let entries = log["entries"].as_array().unwrap();
    assert!(!entries.is_empty());
    let numbers = [
        "/time",
        "/request/headersSize",
        "/request/bodySize",
        "/response/status",
        "/response/headersSize",
        "/response/bodySize",
        "/response/content/size",
        "/timings/send",
        "/timings/wait",
        "/timings/receive",
    ];
    let texts = ["/request/method", "/request/url", "/request/httpVersion", "/response/statusText"];
    let more_texts =
        ["/response/httpVersion", "/response/redirectURL", "/response/content/mimeType"];
    let lists =
        ["/request/headers", "/request/queryString", "/request/cookies", "/response/headers"];
    for entry in entries {
        let started = entry["startedDateTime"].as_str().unwrap();
        assert!(switchboard_inspector::export::parse_iso8601(started).is_some(), "{started}");
        assert!(entry["cache"].is_object());
        for pointer in numbers {
            assert!(entry.pointer(pointer).unwrap().is_number(), "{pointer} in {entry}");
        }
        for pointer in texts.iter().chain(&more_texts) {
            assert!(entry.pointer(pointer).unwrap().is_string(), "{pointer} in {entry}");
        }
        for pointer in lists.iter().chain(&["/response/cookies"]) {
            assert!(entry.pointer(pointer).unwrap().is_array(), "{pointer} in {entry}");
        }
    }
}

#[test]
fn websocket_entries_carry_every_frame_of_their_connection() {
    let har: Value = serde_json::from_str(&har_text()).unwrap();
    let sockets: Vec<&Value> = har["log"]["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["_resourceType"] == "websocket")
        .collect();
    assert_eq!(sockets.len(), 2);
    let first = sockets[0]["_webSocketMessages"].as_array().unwrap();
    let kinds: Vec<&str> = first.iter().map(|m| m["type"].as_str().unwrap()).collect();
    // conn 1: established, subscribe, succeeded, order.shipped, price.changed, bad frame, error
    assert_eq!(kinds, ["receive", "send", "receive", "receive", "receive", "send", "receive"]);
    assert_eq!(first[3]["data"], records::SHIPPED_FRAME);
    assert_eq!(first[0]["time"], 1_700_000_000.2);
    assert!(first.iter().all(|m| m["opcode"] == 1));
    assert_eq!(
        sockets[0]["request"]["url"],
        "ws://127.0.0.1:6001/app/app-id?protocol=7&client=js&version=8.4.0"
    );
    assert_eq!(sockets[0]["response"]["status"], 101);
    let second = sockets[1]["_webSocketMessages"].as_array().unwrap();
    assert_eq!(second.len(), 4, "{second:?}");
    assert_eq!(
        sockets[1]["comment"],
        "closed by the server with 4009: You got disconnected by the app."
    );
}
