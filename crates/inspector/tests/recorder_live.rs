//! Recorder live feed: batches carry everything in order; a lagging subscriber is told how
//! many batches it missed; the feed closes when the recorder stops.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::time::Duration;

use switchboard_engine::{Detail, Observation, Origin};
use switchboard_inspector::recorder::{LiveBatch, Recorder, RecorderError, RecorderOptions};
use tokio::sync::broadcast::{self, error::RecvError};

/// A guard against hanging, not a measurement.
const PATIENCE: Duration = Duration::from_secs(60);

fn record(seq: u64) -> Arc<Observation> {
    let mut record = Observation::new(Origin::Inject, Detail::ChannelVacated);
    (record.seq, record.at) = (seq, seq);
    Arc::new(record)
}

async fn next(feed: &mut broadcast::Receiver<LiveBatch>) -> Result<LiveBatch, RecvError> {
    tokio::time::timeout(PATIENCE, feed.recv()).await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn live_batches_carry_everything_in_order() {
    let (bus, receiver) = broadcast::channel(65_536);
    let recorder = Recorder::start(receiver, None, RecorderOptions::default()).await.unwrap();
    let mut feed = recorder.subscribe().unwrap();
    for seq in 0..20_000 {
        bus.send(record(seq)).unwrap();
    }
    recorder.flush().await.unwrap();
    let mut seen = Vec::new();
    while seen.len() < 20_000 {
        let batch = next(&mut feed).await.unwrap();
        assert!(!batch.is_empty() && batch.len() <= 4_096, "{} records", batch.len());
        seen.extend(batch.iter().map(|record| record.seq));
    }
    assert_eq!(seen, (0..20_000).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_lagging_subscriber_is_told_how_many_batches_it_missed() {
    let (bus, receiver) = broadcast::channel(64);
    let options = RecorderOptions { live_capacity: 2, ..RecorderOptions::default() };
    let recorder = Recorder::start(receiver, None, options).await.unwrap();
    let mut feed = recorder.subscribe().unwrap();
    for seq in 0..5 {
        bus.send(record(seq)).unwrap();
        recorder.flush().await.unwrap(); // one batch each
    }
    assert_eq!(next(&mut feed).await.unwrap_err(), RecvError::Lagged(3));
    assert_eq!(next(&mut feed).await.unwrap()[0].seq, 3);
    assert_eq!(next(&mut feed).await.unwrap()[0].seq, 4);
}

#[tokio::test]
async fn the_feed_closes_when_the_recorder_stops() {
    let (bus, receiver) = broadcast::channel(64);
    let recorder = Recorder::start(receiver, None, RecorderOptions::default()).await.unwrap();
    let mut feed = recorder.subscribe().unwrap();
    bus.send(record(0)).unwrap();
    recorder.shutdown().await.unwrap();
    assert_eq!(next(&mut feed).await.unwrap()[0].seq, 0, "flushed on the way out");
    assert_eq!(next(&mut feed).await.unwrap_err(), RecvError::Closed);
    assert!(matches!(recorder.subscribe(), Err(RecorderError::Stopped)));
}
