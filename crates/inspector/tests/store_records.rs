//! Store records: lossless round trip, cursor paging both ways with a predicate, lookups by
//! seq, atomic batches and imports.
#![allow(clippy::unwrap_used)]

use switchboard_engine::{ConnId, Detail, Observation, Origin};
use switchboard_inspector::store::{
    Cursor, Page, SessionId, SessionInfo, Store, StoreError, SCAN_BOUND,
};
use switchboard_proto::{AppId, SocketId, UserId};

fn record(seq: u64) -> Observation {
    let raw = format!(r#"{{"event":"client-move","data":{{"n":{seq}}}}}"#);
    let channel = if seq.is_multiple_of(2) { "private-even" } else { "presence-odd" };
    let mut record = Observation::new(Origin::Client, Detail::FrameIn { raw, error: None })
        .app(&AppId::new("app-id").unwrap())
        .conn(ConnId(seq % 7))
        .channel(channel)
        .event("client-move")
        .user(Some(&UserId::new("alice").unwrap()));
    record.socket = Some(SocketId::from_parts(seq, 42));
    record.cause = seq.checked_sub(1);
    (record.seq, record.at) = (seq, 1_700_000_000_000 + seq * 3);
    record
}

fn store_with(count: u64) -> (tempfile::TempDir, Store, SessionId) {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let session = store.create_session(Some("records"), 1_700_000_000_000).unwrap().id;
    let records: Vec<_> = (0..count).map(record).collect();
    for chunk in records.chunks(1_000) {
        store.append(session, chunk).unwrap();
    }
    (dir, store, session)
}

fn seqs(page: &Page) -> Vec<u64> {
    page.records.iter().map(|record| record.seq).collect()
}

#[test]
fn records_round_trip_losslessly() {
    let (_dir, store, session) = store_with(5);
    let page = store.query(session, Cursor::Oldest, 100, None).unwrap();
    assert_eq!(page.records, (0..5).map(record).collect::<Vec<_>>());
    assert_eq!(page.next, None);
    let info = store.session(session).unwrap();
    assert_eq!(
        (info.records, info.first_at, info.last_at),
        (5, Some(record(0).at), Some(record(4).at))
    );
}

#[test]
fn pages_forward_and_backward_with_cursors() {
    let (_dir, store, session) = store_with(250);
    let mut forward = Vec::new();
    let mut cursor = Some(Cursor::Oldest);
    while let Some(at) = cursor {
        let page = store.query(session, at, 100, None).unwrap();
        forward.push(seqs(&page));
        cursor = page.next;
    }
    let expected: Vec<Vec<u64>> =
        vec![(0..100).collect(), (100..200).collect(), (200..250).collect()];
    assert_eq!(forward, expected);

    let newest = store.query(session, Cursor::Newest, 100, None).unwrap();
    assert_eq!((seqs(&newest), newest.next), ((150..250).collect(), Some(Cursor::Before(150))));
    let older = store.query(session, Cursor::Before(150), 100, None).unwrap();
    assert_eq!((seqs(&older), older.next), ((50..150).collect(), Some(Cursor::Before(50))));
    let oldest = store.query(session, Cursor::Before(50), 100, None).unwrap();
    assert_eq!((seqs(&oldest), oldest.next), ((0..50).collect(), None));
}

#[test]
fn cursor_edges() {
    let (_dir, store, session) = store_with(10);
    let cases = [
        (Cursor::After(9), 5, vec![], None),
        (Cursor::After(u64::MAX), 5, vec![], None),
        (Cursor::Before(0), 5, vec![], None),
        (Cursor::Before(u64::MAX), 2, vec![8, 9], Some(Cursor::Before(8))),
        (Cursor::After(3), 6, vec![4, 5, 6, 7, 8, 9], None),
        (Cursor::Oldest, 0, vec![], Some(Cursor::Oldest)),
    ];
    for (cursor, limit, expected, next) in cases {
        let page = store.query(session, cursor, limit, None);
        let page = page.unwrap_or_else(|error| panic!("{cursor:?}: {error}"));
        assert_eq!((seqs(&page), page.next), (expected, next), "{cursor:?} limit {limit}");
    }
}

#[test]
fn a_predicate_pages_until_the_limit_is_met() {
    let (_dir, store, session) = store_with(100);
    let even = |record: &Observation| record.channel.as_deref() == Some("private-even");
    let first = store.query(session, Cursor::Oldest, 5, Some(&even)).unwrap();
    assert_eq!((seqs(&first), first.next), (vec![0, 2, 4, 6, 8], Some(Cursor::After(8))));
    let second = store.query(session, Cursor::After(8), 5, Some(&even)).unwrap();
    assert_eq!(seqs(&second), [10, 12, 14, 16, 18]);
    let back = store.query(session, Cursor::Before(10), 3, Some(&even)).unwrap();
    assert_eq!((seqs(&back), back.next), (vec![4, 6, 8], Some(Cursor::Before(4))));
    let last = store.query(session, Cursor::After(90), 50, Some(&even)).unwrap();
    assert_eq!((seqs(&last), last.next), (vec![92, 94, 96, 98], None));
}

#[test]
fn a_selective_predicate_stops_at_the_scan_bound_with_a_cursor() {
    let total = u64::try_from(SCAN_BOUND).unwrap() + 10;
    let (_dir, store, session) = store_with(total);
    let rare = |record: &Observation| record.seq == total - 1;
    let first = store.query(session, Cursor::Oldest, 10, Some(&rare)).unwrap();
    assert!(first.records.is_empty());
    assert_eq!(first.next, Some(Cursor::After(total - 11)));
    let rest = store.query(session, first.next.unwrap(), 10, Some(&rare)).unwrap();
    assert_eq!((seqs(&rest), rest.next), (vec![total - 1], None));
}

#[test]
fn records_by_seqs_skips_missing_and_sorts() {
    let (_dir, store, session) = store_with(10);
    let found = store.records_by_seqs(session, &[5, 3, 999, 3]).unwrap();
    assert_eq!(found, [record(3), record(5)]);
}

#[test]
fn a_batch_is_all_or_nothing() {
    let (_dir, mut store, session) = store_with(10);
    let clash = [record(10), record(11), record(5)];
    let error = store.append(session, &clash).unwrap_err();
    assert!(matches!(error, StoreError::DuplicateSeq { seq: 5, .. }), "{error}");
    assert_eq!(store.session(session).unwrap().records, 10);
    assert_eq!(store.records_by_seqs(session, &[10, 11]).unwrap(), []);
}

#[test]
fn unknown_sessions_are_named_in_errors() {
    let (_dir, mut store, _) = store_with(1);
    let ghost = SessionId(404);
    let error = store.append(ghost, &[record(1)]).unwrap_err();
    assert!(matches!(error, StoreError::NoSuchSession(id) if id == ghost), "{error}");
    let error = store.query(ghost, Cursor::Oldest, 10, None).unwrap_err();
    assert_eq!(error.to_string(), "no session with id 404");
}

#[test]
fn imports_a_whole_session() {
    let (_dir, mut store, _) = store_with(0);
    let mut gap = Observation::new(Origin::Server, Detail::Gap { missed: 7 });
    (gap.seq, gap.at) = (3, record(3).at);
    let records = vec![record(1), record(2), gap, record(11)];
    let meta = SessionInfo {
        id: SessionId(999),
        name: "from a colleague".to_owned(),
        started_at: 1_600_000_000_000,
        ended_at: None,
        records: 0,
        missed: 0,
        first_at: None,
        last_at: None,
    };
    let imported = store.import_session(&meta, records.clone(), 1_800_000_000_000).unwrap();
    assert_ne!(imported.id, meta.id);
    assert_eq!(imported.name, "from a colleague");
    assert_eq!(imported.started_at, meta.started_at);
    assert_eq!(imported.ended_at, Some(record(11).at));
    assert_eq!((imported.records, imported.missed), (4, 7));
    let page = store.query(imported.id, Cursor::Oldest, 10, None).unwrap();
    assert_eq!(page.records, records);
}

#[test]
fn a_failed_import_leaves_nothing_behind() {
    let (_dir, mut store, _) = store_with(0);
    let meta = SessionInfo {
        id: SessionId(1),
        name: String::new(),
        started_at: 0,
        ended_at: Some(1),
        records: 0,
        missed: 0,
        first_at: None,
        last_at: None,
    };
    let before = store.sessions().unwrap();
    let error = store.import_session(&meta, [record(1), record(1)], 0).unwrap_err();
    assert!(matches!(error, StoreError::DuplicateSeq { seq: 1, .. }), "{error}");
    assert_eq!(store.sessions().unwrap(), before);
}
