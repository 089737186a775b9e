//! Recorder sessions: one per start, start/stop/rename/delete through the handle, queries,
//! imports, crash recovery and retention at start, shutdown.
#![allow(clippy::unwrap_used)]

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use switchboard_engine::{Detail, Observation, Origin};
use switchboard_inspector::recorder::{
    Predicate, Recorder, RecorderError, RecorderHandle, RecorderOptions,
};
use switchboard_inspector::store::{Cursor, Retention, SessionId, Store};
use tokio::sync::broadcast;

type Bus = broadcast::Sender<Arc<Observation>>;

fn record(seq: u64) -> Observation {
    let mut record = Observation::new(Origin::Client, Detail::Unsubscribed).channel("room");
    (record.seq, record.at) = (seq, 1_700_000_000_000 + seq);
    record
}

fn publish(bus: &Bus, seqs: Range<u64>) {
    for seq in seqs {
        bus.send(Arc::new(record(seq))).unwrap();
    }
}

async fn start(dir: &Path, options: RecorderOptions) -> (Bus, RecorderHandle) {
    let (bus, receiver) = broadcast::channel(65_536);
    let store = Store::open(dir).unwrap();
    (bus, Recorder::start(receiver, Some(store), options).await.unwrap())
}

async fn stored_seqs(recorder: &RecorderHandle, session: SessionId) -> Vec<u64> {
    let page = recorder.query(session, Cursor::Oldest, 10_000, None).await.unwrap();
    assert_eq!(page.next, None);
    page.records.iter().map(|record| record.seq).collect()
}

#[tokio::test]
async fn sessions_start_stop_rename_and_delete() {
    let dir = tempfile::tempdir().unwrap();
    let (bus, recorder) = start(dir.path(), RecorderOptions::default()).await;
    let first = recorder.current_session().await.unwrap().unwrap();
    assert!(first.name.starts_with("Session ") && first.name.ends_with(" UTC"), "{}", first.name);
    publish(&bus, 0..10);
    let second = recorder.start_session(Some("second".to_owned())).await.unwrap();
    publish(&bus, 10..20);
    let stopped = recorder.stop().await.unwrap().unwrap();
    assert_eq!((stopped.id, stopped.records), (second.id, 10));
    assert!(stopped.ended_at.is_some());
    publish(&bus, 20..30);
    recorder.flush().await.unwrap();

    assert_eq!(recorder.current_session().await.unwrap(), None);
    assert_eq!(stored_seqs(&recorder, first.id).await, (0..10).collect::<Vec<_>>());
    assert_eq!(stored_seqs(&recorder, second.id).await, (10..20).collect::<Vec<_>>());
    assert!(recorder.session(first.id).await.unwrap().ended_at.is_some());
    assert_eq!(recorder.recent(None, 100, None).await.unwrap().len(), 30, "the ring carries on");

    assert_eq!(recorder.rename(first.id, "renamed".to_owned()).await.unwrap().name, "renamed");
    let third = recorder.start_session(None).await.unwrap();
    let refused = recorder.delete(third.id).await;
    assert!(matches!(refused, Err(RecorderError::SessionActive(id)) if id == third.id));
    recorder.delete(second.id).await.unwrap();
    let ids: Vec<_> = recorder.sessions().await.unwrap().iter().map(|s| s.id).collect();
    assert_eq!(ids, [third.id, first.id]);
}

#[tokio::test]
async fn shutdown_ends_the_session_and_stops_the_recorder() {
    let dir = tempfile::tempdir().unwrap();
    let (bus, recorder) = start(dir.path(), RecorderOptions::default()).await;
    publish(&bus, 0..5);
    let ended = recorder.shutdown().await.unwrap().unwrap();
    assert_eq!(ended.records, 5);
    assert!(ended.ended_at.is_some());
    assert!(matches!(recorder.flush().await, Err(RecorderError::Stopped)));
    assert!(matches!(recorder.sessions().await, Err(RecorderError::Stopped)));
    assert!(matches!(recorder.subscribe(), Err(RecorderError::Stopped)));

    let store = Store::open(dir.path()).unwrap();
    assert_eq!(store.sessions().unwrap(), [ended]);
}

#[tokio::test]
async fn start_recovers_an_unclean_run_and_applies_retention() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    for n in 0..4 {
        let session = store.create_session(Some("old"), n).unwrap();
        store.end_session(session.id, n + 1).unwrap();
    }
    let crashed = store.create_session(Some("crashed"), 10).unwrap();
    store.append(crashed.id, &[record(0), record(1)]).unwrap();
    drop(store);

    let retention = Retention { max_sessions: Some(3), max_age_days: None };
    let options = RecorderOptions { retention, ..RecorderOptions::default() };
    let (_bus, recorder) = start(dir.path(), options).await;
    let current = recorder.current_session().await.unwrap().unwrap();
    let sessions = recorder.sessions().await.unwrap();
    assert_eq!(sessions.len(), 3);
    assert_eq!(sessions[0], current);
    assert_eq!(sessions[1].id, crashed.id);
    assert_eq!(sessions[1].ended_at, Some(record(1).at), "ended at its last record");
}

#[tokio::test]
async fn the_first_session_follows_the_options() {
    let dir = tempfile::tempdir().unwrap();
    let named = RecorderOptions { session_name: Some("demo".to_owned()), ..Default::default() };
    let (_bus, recorder) = start(dir.path(), named).await;
    assert_eq!(recorder.current_session().await.unwrap().unwrap().name, "demo");
    recorder.shutdown().await.unwrap();

    let paused = RecorderOptions { record_at_start: false, ..Default::default() };
    let (bus, recorder) = start(dir.path(), paused).await;
    assert_eq!(recorder.current_session().await.unwrap(), None);
    publish(&bus, 0..3);
    let later = recorder.start_session(None).await.unwrap();
    publish(&bus, 3..5);
    recorder.flush().await.unwrap();
    assert_eq!(stored_seqs(&recorder, later.id).await, [3, 4]);
}

#[tokio::test]
async fn queries_lookups_and_imports_go_through_the_handle() {
    let dir = tempfile::tempdir().unwrap();
    let (bus, recorder) = start(dir.path(), RecorderOptions::default()).await;
    publish(&bus, 0..50);
    recorder.flush().await.unwrap();
    let session = recorder.current_session().await.unwrap().unwrap();

    let tens: Predicate = Arc::new(|record: &Observation| record.seq.is_multiple_of(10));
    let page = recorder.query(session.id, Cursor::Newest, 2, Some(tens)).await.unwrap();
    let seqs: Vec<_> = page.records.iter().map(|record| record.seq).collect();
    assert_eq!((seqs, page.next), (vec![30, 40], Some(Cursor::Before(30))));
    let found = recorder.records_by_seqs(session.id, vec![7, 3]).await.unwrap();
    assert_eq!(found, [record(3), record(7)]);

    let mut meta = session.clone();
    meta.name = "imported copy".to_owned();
    let imported = recorder.import(meta, (0..50).map(record).collect()).await.unwrap();
    assert_eq!((imported.name.as_str(), imported.records), ("imported copy", 50));
    assert_eq!(stored_seqs(&recorder, imported.id).await, (0..50).collect::<Vec<_>>());
}
