//! Delivery targets come off the hub's bus without socket ids; the recorder names them where
//! they are read: in the ring, in live batches, in the session on disk (also one started after
//! the connection opened), and for filters.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;

use switchboard_engine::observation::{ClosedBy, Target};
use switchboard_engine::{ConnId, Detail, Observation, Origin};
use switchboard_inspector::filter::Filter;
use switchboard_inspector::recorder::{Predicate, Recorder, RecorderHandle, RecorderOptions};
use switchboard_inspector::store::{Cursor, Store};
use switchboard_proto::SocketId;
use tokio::sync::broadcast;

type Bus = broadcast::Sender<Arc<Observation>>;

fn socket(conn: u64) -> SocketId {
    SocketId::from_parts(conn * 100, 7)
}

/// A record about `conn`, carrying its socket id as the hub sends it.
fn about(seq: u64, conn: u64, detail: Detail) -> Observation {
    let mut record = Observation::new(Origin::Client, detail);
    (record.seq, record.at) = (seq, 1_700_000_000_000 + seq);
    (record.conn, record.socket) = (Some(ConnId(conn)), Some(socket(conn)));
    record
}

fn opened(seq: u64, conn: u64) -> Observation {
    about(seq, conn, Detail::ConnectionRefused { code: 4001, reason: "stand-in".into() })
}

fn closed(seq: u64, conn: u64) -> Observation {
    about(
        seq,
        conn,
        Detail::ConnectionClosed { code: None, reason: String::new(), by: ClosedBy::Client },
    )
}

/// A delivery to `conns` with unnamed targets, as the hub sends it.
fn delivery(seq: u64, conns: &[u64]) -> Observation {
    let target = |&conn: &u64| Target { conn: ConnId(conn), socket: None, reason: None };
    let reached = conns.iter().map(target).collect();
    let detail =
        Detail::Delivery { raw: "{}".into(), reached, skipped: vec![], not_subscribed_more: 0 };
    let mut record = Observation::new(Origin::Api, detail).channel("feed").event("tick");
    (record.seq, record.at) = (seq, 1_700_000_000_000 + seq);
    record
}

fn sockets(record: &Observation) -> Vec<String> {
    let Detail::Delivery { reached, .. } = &record.detail else { panic!("{record:?}") };
    reached.iter().map(|t| t.socket.as_ref().map_or("-".into(), ToString::to_string)).collect()
}

async fn start(store: Option<Store>, options: RecorderOptions) -> (Bus, RecorderHandle) {
    let (bus, receiver) = broadcast::channel(1_024);
    (bus, Recorder::start(receiver, store, options).await.unwrap())
}

fn send(bus: &Bus, records: Vec<Observation>) {
    for record in records {
        bus.send(Arc::new(record)).unwrap();
    }
}

#[tokio::test]
async fn the_ring_and_live_batches_name_targets_even_after_the_connection_closed() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let (bus, recorder) = start(Some(store), RecorderOptions::default()).await;
    let mut live = recorder.subscribe().unwrap();
    send(&bus, vec![opened(1, 1), opened(2, 2), delivery(3, &[1, 2, 3]), closed(4, 1)]);
    recorder.flush().await.unwrap();

    let recent = recorder.recent(None, 10, None).await.unwrap();
    assert_eq!(sockets(&recent[2]), ["100.7", "200.7", "-"], "3 never opened here");
    let batch = live.recv().await.unwrap();
    let seqs: Vec<u64> = batch.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [1, 2, 3, 4]);
    assert_eq!(sockets(&batch[2]), ["100.7", "200.7", "-"]);

    let filter = Filter::parse("socket:200.7").unwrap();
    let matches: Predicate = Arc::new(move |record: &Observation| filter.matches(record));
    let found = recorder.recent(Some(matches), 10, None).await.unwrap();
    let seqs: Vec<u64> = found.iter().map(|r| r.seq).collect();
    assert_eq!(seqs, [2, 3], "the delivery is found by a socket it reached");
}

#[tokio::test]
async fn a_session_started_after_the_connection_opened_names_it_too() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).unwrap();
    let options = RecorderOptions { record_at_start: false, ..RecorderOptions::default() };
    let (bus, recorder) = start(Some(store), options).await;
    send(&bus, vec![opened(1, 1), opened(2, 2), closed(3, 2)]);
    let session = recorder.start_session(Some("later".into())).await.unwrap();
    send(&bus, vec![delivery(4, &[1, 2])]);
    recorder.flush().await.unwrap();

    let page = recorder.query(session.id, Cursor::Oldest, 10, None).await.unwrap();
    assert_eq!(page.records.len(), 1);
    assert_eq!(sockets(&page.records[0]), ["100.7", "-"], "2 had closed before");
}
