//! Delivery records in the store: each connection's socket id is stored once per session, and
//! every way of reading (pages, lookups by seq, another process, exports) gets them back whole.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use switchboard_engine::observation::{SkipReason, Target};
use switchboard_engine::{ConnId, Detail, Observation, Origin};
use switchboard_inspector::store::{Cursor, SessionId, Store};
use switchboard_proto::SocketId;

fn target(conn: u64, major: u64, reason: Option<SkipReason>) -> Target {
    Target { conn: ConnId(conn), socket: Some(SocketId::from_parts(major, conn)), reason }
}

fn delivery(seq: u64, reached: Vec<Target>, skipped: Vec<Target>) -> Observation {
    let raw = format!(r#"{{"event":"tick","channel":"feed","data":"{seq}"}}"#);
    let detail = Detail::Delivery { raw, reached, skipped, not_subscribed_more: 0 };
    let mut record = Observation::new(Origin::Api, detail).channel("feed").event("tick");
    (record.seq, record.at) = (seq, 1_700_000_000_000 + seq);
    record
}

/// Two deliveries to the same three connections (one of them skipped the second time).
fn deliveries() -> Vec<Observation> {
    let first =
        delivery(1, vec![target(1, 11, None), target(2, 22, None), target(3, 33, None)], vec![]);
    let skipped = target(3, 33, Some(SkipReason::ExcludedBySocketId));
    let second = delivery(2, vec![target(1, 11, None), target(2, 22, None)], vec![skipped]);
    vec![first, second]
}

fn recorded(records: &[Observation]) -> (tempfile::TempDir, Store, SessionId) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let session = store.create_session(Some("deliveries"), 1_700_000_000_000).unwrap().id;
    store.append(session, records).unwrap();
    (dir, store, session)
}

fn raw_rows(dir: &Path, sql: &str) -> Vec<String> {
    let db = rusqlite::Connection::open(dir.join("switchboard.sqlite3")).unwrap();
    let mut statement = db.prepare(sql).unwrap();
    let rows = statement.query_map([], |row| row.get::<_, String>(0)).unwrap();
    rows.collect::<Result<_, _>>().unwrap()
}

#[test]
fn each_socket_id_is_stored_once_and_every_read_gets_it_back() {
    let (dir, store, session) = recorded(&deliveries());
    let page = store.query(session, Cursor::Oldest, 10, None).unwrap();
    assert_eq!(page.records, deliveries());
    assert_eq!(store.records_by_seqs(session, &[2]).unwrap(), deliveries()[1..].to_vec());

    let json = raw_rows(dir.path(), "SELECT json FROM records ORDER BY seq");
    assert!(json.iter().all(|row| !row.contains("\"socket\"")), "{json:?}");
    let sockets = raw_rows(dir.path(), "SELECT socket FROM sockets ORDER BY conn");
    assert_eq!(sockets, ["11.1", "22.2", "33.3"]);

    // Another process (the CLI) reading the same file.
    let reader = Store::open(dir.path()).unwrap();
    assert_eq!(reader.query(session, Cursor::Newest, 10, None).unwrap().records, deliveries());
}

#[test]
fn a_connection_named_otherwise_keeps_its_own_id() {
    let mut records = deliveries();
    records.push(delivery(3, vec![target(1, 99, None)], vec![]));
    // Among others, too: the delivery is then not stored as runs, and keeps its order.
    records.push(delivery(4, vec![target(2, 22, None), target(1, 99, None)], vec![]));
    let (dir, store, session) = recorded(&records);
    assert_eq!(store.query(session, Cursor::Oldest, 10, None).unwrap().records, records);
    let json = raw_rows(dir.path(), "SELECT json FROM records WHERE seq >= 3 ORDER BY seq");
    assert!(json.iter().all(|row| row.contains("\"99.1\"")), "{json:?}");
    assert!(!json[1].contains("reached_conns"), "{json:?}");
}

#[test]
fn a_record_written_with_inline_ids_reads_back_unchanged() {
    let (dir, store, session) = recorded(&[]);
    let old = delivery(7, vec![target(5, 55, None)], vec![]);
    let db = rusqlite::Connection::open(dir.path().join("switchboard.sqlite3")).unwrap();
    db.execute(
        "INSERT INTO records (session_id, seq, at, kind, origin, json)
         VALUES (?1, 7, ?2, 'delivery', 'api', ?3)",
        rusqlite::params![session.0, old.at, serde_json::to_string(&old).unwrap()],
    )
    .unwrap();
    assert_eq!(store.query(session, Cursor::Oldest, 10, None).unwrap().records, vec![old]);
}

#[test]
fn deleting_a_session_deletes_its_socket_ids() {
    let (dir, mut store, session) = recorded(&deliveries());
    let other = store.create_session(Some("next"), 1_700_000_000_100).unwrap().id;
    store.append(other, &[delivery(9, vec![target(4, 44, None)], vec![])]).unwrap();
    store.delete_session(session).unwrap();
    assert_eq!(raw_rows(dir.path(), "SELECT socket FROM sockets"), ["44.4"]);
    let page = store.query(other, Cursor::Oldest, 10, None).unwrap();
    assert_eq!(page.records[0].detail, delivery(9, vec![target(4, 44, None)], vec![]).detail);
}

#[test]
fn a_delivery_to_a_thousand_subscribers_is_stored_as_runs_and_read_back_whole() {
    let reached: Vec<Target> = (1..=1000).map(|conn| target(conn, 7, None)).collect();
    let scattered = vec![target(5000, 8, None), target(4001, 8, None), target(4000, 8, None)];
    let records = vec![delivery(1, reached, vec![]), delivery(2, scattered, vec![])];
    let (dir, store, session) = recorded(&records);

    let json = raw_rows(dir.path(), "SELECT json FROM records ORDER BY seq");
    assert!(json[0].len() < 400, "a few bytes for 1,000 connections: {}", json[0]);
    assert!(json[0].contains(r#""reached_conns":[[1,1000]]"#), "{}", json[0]);
    assert!(json[1].contains(r#""reached_conns":[[4000,2],5000]"#), "{}", json[1]);

    let page = store.query(session, Cursor::Oldest, 10, None).unwrap();
    assert_eq!(page.records[0], records[0]);
    let Detail::Delivery { reached, .. } = &page.records[1].detail else { panic!() };
    let conns: Vec<u64> = reached.iter().map(|t| t.conn.0).collect();
    assert_eq!(conns, [4000, 4001, 5000], "stored sorted");
    assert!(reached
        .iter()
        .all(|t| t.socket.as_ref().is_some_and(|s| s.as_str().starts_with("8."))));
}
