//! Recorder benchmark: pushes N observations through a bus of the hub's capacity into a
//! recorder on a temporary data directory and prints what it measured. Figures only.
//!
//! `cargo run --release -p switchboard-inspector --example recorder_bench -- [N] [--paced]`
//! (`--paced` keeps the producer within half the bus of the reader, like a hub under normal
//! load; without it the producer sends as fast as it can).

use std::error::Error;
use std::sync::Arc;
use std::time::Instant;

use switchboard_engine::{Detail, Observation, Origin};
use switchboard_inspector::recorder::{Recorder, RecorderOptions};
use switchboard_inspector::store::Store;
use tokio::sync::broadcast;

const BUS_CAPACITY: usize = 65_536;

fn record(seq: u64) -> Arc<Observation> {
    let raw = format!(r#"{{"event":"order.shipped","channel":"private-orders","data":"{seq}"}}"#);
    let mut record =
        Observation::new(Origin::Api, Detail::FrameOut { raw }).channel("private-orders");
    record.event = Some("order.shipped".to_owned());
    (record.seq, record.at) = (seq, 1_700_000_000_000 + seq / 100);
    Arc::new(record)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let paced = args.iter().any(|arg| arg == "--paced");
    let count: u64 = args.iter().find_map(|arg| arg.parse().ok()).unwrap_or(500_000);

    let dir = tempfile::tempdir()?;
    let (bus, receiver) = broadcast::channel(BUS_CAPACITY);
    let store = Store::open(dir.path())?;
    let recorder = Recorder::start(receiver, Some(store), RecorderOptions::default()).await?;

    let started = Instant::now();
    let mut peak_lag = 0;
    for seq in 0..count {
        while paced && bus.len() >= BUS_CAPACITY / 2 {
            tokio::task::yield_now().await;
        }
        bus.send(record(seq))?;
        peak_lag = peak_lag.max(bus.len());
    }
    let published = started.elapsed();
    recorder.flush().await?;
    let written = started.elapsed();
    let session = recorder.shutdown().await?.ok_or("no session was recorded")?;

    let rate = |seconds: f64| count as f64 / seconds.max(f64::EPSILON);
    println!("observations       {count} ({})", if paced { "paced" } else { "burst" });
    println!("published in       {published:.2?} ({:.0}/s)", rate(published.as_secs_f64()));
    println!(
        "on disk after      {written:.2?} ({:.0} records/s written)",
        rate(written.as_secs_f64())
    );
    println!("peak bus lag       {peak_lag} of {BUS_CAPACITY}");
    println!("stored records     {} (gaps included)", session.records);
    println!("missed (in gaps)   {}", session.missed);
    let size = std::fs::metadata(dir.path().join("switchboard.sqlite3"))?.len();
    println!("database size      {:.1} MiB", size as f64 / 1_048_576.0);
    Ok(())
}
