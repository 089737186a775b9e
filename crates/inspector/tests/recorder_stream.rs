//! Recorder stream: everything from the bus reaches the ring and the disk in order, and
//! every loss is a gap record with the right count.
#![allow(clippy::unwrap_used)]

use std::ops::Range;
use std::sync::Arc;

use switchboard_engine::{Detail, Observation, Origin};
use switchboard_inspector::recorder::{
    Predicate, Recorder, RecorderError, RecorderHandle, RecorderOptions,
};
use switchboard_inspector::store::{Cursor, SessionId, Store};
use tokio::sync::broadcast;

/// The hub's bus capacity.
const BUS_CAPACITY: usize = 65_536;

fn record(seq: u64) -> Observation {
    let raw = format!(r#"{{"event":"e","channel":"c","data":"{seq}"}}"#);
    let mut record = Observation::new(Origin::Api, Detail::FrameOut { raw }).channel("c");
    (record.seq, record.at) = (seq, 1_700_000_000_000 + seq / 10);
    record
}

fn gap(seq: u64, at: u64, missed: u64) -> Observation {
    let mut gap = Observation::new(Origin::Server, Detail::Gap { missed });
    (gap.seq, gap.at) = (seq, at);
    gap
}

/// Publishes like a hub under normal load: never more than half the bus ahead of readers.
async fn publish(bus: &broadcast::Sender<Arc<Observation>>, seqs: Range<u64>) {
    for seq in seqs {
        while bus.len() >= BUS_CAPACITY / 2 {
            tokio::task::yield_now().await;
        }
        bus.send(Arc::new(record(seq))).unwrap();
    }
}

async fn stored(recorder: &RecorderHandle, session: SessionId) -> Vec<Observation> {
    let (mut records, mut cursor) = (Vec::new(), Some(Cursor::Oldest));
    while let Some(at) = cursor {
        let page = recorder.query(session, at, 10_000, None).await.unwrap();
        records.extend(page.records);
        cursor = page.next;
    }
    records
}

fn seqs<R: std::borrow::Borrow<Observation>>(records: &[R]) -> Vec<u64> {
    records.iter().map(|record| record.borrow().seq).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_burst_arrives_complete_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let (bus, receiver) = broadcast::channel(BUS_CAPACITY);
    let store = Store::open(dir.path()).unwrap();
    let recorder =
        Recorder::start(receiver, Some(store), RecorderOptions::default()).await.unwrap();
    publish(&bus, 0..200_000).await;
    recorder.flush().await.unwrap();

    let session = recorder.current_session().await.unwrap().unwrap();
    assert_eq!((session.records, session.missed), (200_000, 0));
    assert_eq!(seqs(&stored(&recorder, session.id).await), (0..200_000).collect::<Vec<_>>());

    let newest = recorder.recent(None, 10_000, None).await.unwrap();
    assert_eq!(seqs(&newest), (190_000..200_000).collect::<Vec<_>>());
    let oldest_kept = recorder.recent(None, 10, Some(100_005)).await.unwrap();
    assert_eq!(seqs(&oldest_kept), (100_000..100_005).collect::<Vec<_>>(), "ring of 100k");
}

#[tokio::test]
async fn a_lagging_bus_is_recorded_as_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let (bus, receiver) = broadcast::channel(16);
    for seq in 0..100 {
        bus.send(Arc::new(record(seq))).unwrap();
    }
    let store = Store::open(dir.path()).unwrap();
    let recorder =
        Recorder::start(receiver, Some(store), RecorderOptions::default()).await.unwrap();
    recorder.flush().await.unwrap();

    let mut expected = vec![gap(83, record(84).at, 84)];
    expected.extend((84..100).map(record));
    let session = recorder.current_session().await.unwrap().unwrap();
    assert_eq!((session.records, session.missed), (17, 84));
    assert_eq!(stored(&recorder, session.id).await, expected);
    let ring: Vec<_> = recorder.recent(None, 100, None).await.unwrap();
    assert_eq!(ring.iter().map(|record| (**record).clone()).collect::<Vec<_>>(), expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn losses_are_counted_never_hidden() {
    let dir = tempfile::tempdir().unwrap();
    let (bus, receiver) = broadcast::channel(256);
    let store = Store::open(dir.path()).unwrap();
    let options = RecorderOptions { writer_backlog: 64, ..RecorderOptions::default() };
    let recorder = Recorder::start(receiver, Some(store), options).await.unwrap();
    for seq in 0..20_000 {
        bus.send(Arc::new(record(seq))).unwrap(); // as fast as possible, no pacing
    }
    recorder.flush().await.unwrap();

    let session = recorder.current_session().await.unwrap().unwrap();
    let records = stored(&recorder, session.id).await;
    let (gaps, kept): (Vec<_>, Vec<_>) =
        records.iter().partition(|record| matches!(record.detail, Detail::Gap { .. }));
    let missed: u64 = gaps
        .iter()
        .map(|gap| match gap.detail {
            Detail::Gap { missed } => missed,
            _ => 0,
        })
        .sum();
    assert_eq!(kept.len() as u64 + missed, 20_000, "{} gaps", gaps.len());
    assert_eq!(session.missed, missed);
    assert!(seqs(&records).windows(2).all(|pair| pair[0] < pair[1]), "ascending, unique");
}

#[tokio::test]
async fn the_ring_keeps_only_the_newest() {
    let (bus, receiver) = broadcast::channel(BUS_CAPACITY);
    let options = RecorderOptions { ring_capacity: 50, ..RecorderOptions::default() };
    let recorder = Recorder::start(receiver, None, options).await.unwrap();
    publish(&bus, 0..200).await;
    recorder.flush().await.unwrap();

    let all = recorder.recent(None, 1_000, None).await.unwrap();
    assert_eq!(seqs(&all), (150..200).collect::<Vec<_>>());
    let even: Predicate = Arc::new(|record: &Observation| record.seq.is_multiple_of(2));
    let page = recorder.recent(Some(even), 5, Some(190)).await.unwrap();
    assert_eq!(seqs(&page), [180, 182, 184, 186, 188]);
}

#[tokio::test]
async fn memory_only_recording_answers_without_a_disk() {
    let (bus, receiver) = broadcast::channel(BUS_CAPACITY);
    let recorder = Recorder::start(receiver, None, RecorderOptions::default()).await.unwrap();
    publish(&bus, 0..10).await;
    recorder.flush().await.unwrap();
    assert_eq!(recorder.recent(None, 100, None).await.unwrap().len(), 10);
    assert_eq!(recorder.current_session().await.unwrap(), None);
    assert!(matches!(recorder.sessions().await, Err(RecorderError::NoStore)));
    assert!(matches!(recorder.start_session(None).await, Err(RecorderError::NoStore)));
    assert_eq!(recorder.stop().await.unwrap(), None);
    assert_eq!(recorder.shutdown().await.unwrap(), None);
    assert!(matches!(recorder.recent(None, 1, None).await, Err(RecorderError::Stopped)));
}
