//! Store sessions: create, end, rename, delete and list; retention.
#![allow(clippy::unwrap_used)]

use switchboard_engine::{Detail, Observation, Origin};
use switchboard_inspector::store::{
    Cursor, Retention, SessionId, Store, StoreError, MAX_NAME_CHARS,
};

const DAY: u64 = 86_400_000;
const T0: u64 = 1_795_715_400_000; // 2026-11-26 17:50 UTC

fn record(seq: u64, at: u64) -> Observation {
    let mut record = Observation::new(Origin::Api, Detail::ChannelOccupied).channel("news");
    (record.seq, record.at) = (seq, at);
    record
}

fn open() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    (dir, store)
}

fn ids(store: &Store) -> Vec<i64> {
    store.sessions().unwrap().iter().map(|session| session.id.0).collect()
}

#[test]
fn session_lifecycle() {
    let (_dir, mut store) = open();
    let first = store.create_session(None, T0).unwrap();
    assert_eq!(first.name, "Session 2026-11-26 17:50 UTC");
    assert_eq!((first.started_at, first.ended_at, first.records), (T0, None, 0));
    store.append(first.id, &[record(0, T0 + 5), record(1, T0 + 9)]).unwrap();
    let mut gap = record(2, T0 + 12);
    gap.detail = Detail::Gap { missed: 40 };
    store.append(first.id, &[gap]).unwrap();
    let ended = store.end_session(first.id, T0 + 20).unwrap();
    assert_eq!(ended.ended_at, Some(T0 + 20));
    assert_eq!((ended.records, ended.missed), (3, 40));
    assert_eq!((ended.first_at, ended.last_at), (Some(T0 + 5), Some(T0 + 12)));
    assert_eq!(store.end_session(first.id, T0 + 99).unwrap().ended_at, Some(T0 + 20));

    let second = store.create_session(Some("  checkout bug  "), T0 + 30).unwrap();
    assert_eq!(second.name, "checkout bug");
    assert_eq!(store.rename_session(second.id, "checkout fixed").unwrap().name, "checkout fixed");
    assert_eq!(ids(&store), [second.id.0, first.id.0], "newest first");

    store.delete_session(first.id).unwrap();
    assert_eq!(ids(&store), [second.id.0]);
    assert!(matches!(
        store.query(first.id, Cursor::Oldest, 10, None),
        Err(StoreError::NoSuchSession(_))
    ));
    assert!(matches!(store.delete_session(first.id), Err(StoreError::NoSuchSession(_))));
}

#[test]
fn deleting_a_session_deletes_its_records_only() {
    let (_dir, mut store) = open();
    let a = store.create_session(Some("a"), T0).unwrap().id;
    let b = store.create_session(Some("b"), T0).unwrap().id;
    store.append(a, &[record(0, T0), record(1, T0)]).unwrap();
    store.append(b, &[record(0, T0), record(1, T0)]).unwrap();
    store.delete_session(a).unwrap();
    assert_eq!(store.query(b, Cursor::Oldest, 10, None).unwrap().records.len(), 2);
    store.delete_session(b).unwrap();
    let fresh = store.create_session(Some("fresh"), T0).unwrap().id;
    assert!(fresh > b, "ids are never reused");
    assert!(store.query(fresh, Cursor::Oldest, 10, None).unwrap().records.is_empty());
}

#[test]
fn names_are_validated() {
    let (_dir, mut store) = open();
    let id = store.create_session(Some("ok"), T0).unwrap().id;
    let too_long = "n".repeat(MAX_NAME_CHARS + 1);
    for bad in ["", "   ", too_long.as_str()] {
        assert!(matches!(store.rename_session(id, bad), Err(StoreError::InvalidName { .. })));
        assert!(matches!(store.create_session(Some(bad), T0), Err(StoreError::InvalidName { .. })));
    }
    assert!(matches!(store.rename_session(SessionId(77), "x"), Err(StoreError::NoSuchSession(_))));
}

/// Sessions created `days_ago` before `now`, all ended except the last.
fn sessions_aged(store: &mut Store, now: u64, days_ago: &[u64]) -> Vec<SessionId> {
    let mut ids = Vec::new();
    for (index, days) in days_ago.iter().enumerate() {
        let started = now - days * DAY;
        let id = store.create_session(Some("s"), started).unwrap().id;
        if index + 1 < days_ago.len() {
            store.end_session(id, started + 1).unwrap();
        }
        ids.push(id);
    }
    ids
}

#[test]
fn retention_by_count_keeps_the_newest_and_the_current() {
    let (_dir, mut store) = open();
    let now = T0 + 100 * DAY;
    let made = sessions_aged(&mut store, now, &[6, 5, 4, 3, 2, 1]);
    let current = made[5];
    let limit = Retention { max_sessions: Some(3), max_age_days: None };
    let deleted = store.apply_retention(&limit, now, Some(current)).unwrap();
    assert_eq!(deleted, made[..3]);
    assert_eq!(ids(&store), [made[5].0, made[4].0, made[3].0]);

    let one = Retention { max_sessions: Some(0), max_age_days: None };
    assert_eq!(store.apply_retention(&one, now, Some(current)).unwrap(), [made[3], made[4]]);
    assert_eq!(ids(&store), [current.0], "the current session survives any policy");
}

#[test]
fn retention_by_age_spares_current_and_unfinished_sessions() {
    let (_dir, mut store) = open();
    let now = T0 + 100 * DAY;
    let made = sessions_aged(&mut store, now, &[40, 20, 10, 2, 50]);
    let month = Retention { max_sessions: None, max_age_days: Some(15) };
    assert_eq!(store.apply_retention(&month, now, None).unwrap(), [made[0], made[1]]);
    // made[4] is 50 days old but unfinished (it may be another process's live session).
    assert_eq!(ids(&store), [made[4].0, made[3].0, made[2].0]);
    store.end_session(made[4], now).unwrap();
    assert_eq!(store.apply_retention(&month, now, Some(made[4])).unwrap(), []);
    assert_eq!(store.apply_retention(&Retention::UNLIMITED, now, None).unwrap(), []);
    assert_eq!(store.apply_retention(&month, now, None).unwrap(), [made[4]]);
}

#[test]
fn imported_sessions_age_from_their_import() {
    let (_dir, mut store) = open();
    let now = T0 + 100 * DAY;
    let old = store.create_session(Some("old"), T0).unwrap();
    store.end_session(old.id, T0 + 1).unwrap();
    let imported = store.import_session(&old, [record(0, T0)], now).unwrap();
    let month = Retention { max_sessions: None, max_age_days: Some(30) };
    assert_eq!(store.apply_retention(&month, now, None).unwrap(), [old.id]);
    assert_eq!(ids(&store), [imported.id.0]);
}
