//! `bench churn`: clients that connect, subscribe, unsubscribe and disconnect in a loop;
//! full cycles per second.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;

use super::client::{Client, ClientError};
use super::fleet::micros;
use super::procfs::CpuUse;
use super::report::Report;
use super::stats::{per_second, Latencies, Summary};
use super::target::Target;
use super::{window, Common};

/// Pause after a failed cycle, so a refusing server is not hammered in a tight loop.
const BACKOFF: Duration = Duration::from_millis(20);

/// Flags of `bench churn`.
#[derive(Debug, Clone, clap::Args)]
pub struct ChurnArgs {
    /// Clients cycling concurrently
    #[arg(long, default_value_t = 50, value_parser = clap::value_parser!(u64).range(1..))]
    pub workers: u64,
    /// Worker w uses channel {channel}-{w}
    #[arg(long, default_value = "churn")]
    pub channel: String,
}

/// What `bench churn` measured. A cycle is connect, subscribe (confirmed), unsubscribe,
/// disconnect (the server's close seen).
#[derive(Debug, Serialize)]
pub struct ChurnReport {
    pub workers: u64,
    pub seconds: f64,
    pub cycles: u64,
    pub cycles_per_sec: f64,
    pub cycle_latency: Summary,
    pub failures: u64,
    pub first_error: Option<String>,
    pub cpu: CpuUse,
}

#[derive(Default)]
struct Flags {
    measuring: AtomicBool,
    stop: AtomicBool,
}

#[derive(Default)]
struct Tally {
    latencies: Latencies,
    failures: u64,
    first_error: Option<String>,
}

pub async fn run(common: &Common, args: &ChurnArgs) -> anyhow::Result<Report> {
    let flags = Arc::new(Flags::default());
    let workers: Vec<_> = (0..args.workers)
        .map(|w| {
            let channel = format!("{}-{w}", args.channel);
            tokio::spawn(work(Arc::clone(&common.target), channel, Arc::clone(&flags)))
        })
        .collect();
    let (elapsed, cpu) = window(common, &flags.measuring, String::new).await;
    flags.stop.store(true, Relaxed);
    let mut all = Tally::default();
    for worker in workers {
        let tally = worker.await?;
        all.latencies.merge(&tally.latencies);
        all.failures += tally.failures;
        all.first_error = all.first_error.or(tally.first_error);
    }
    let cycles = all.latencies.count();
    let report = ChurnReport {
        workers: args.workers,
        seconds: (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
        cycles,
        cycles_per_sec: per_second(cycles, elapsed),
        cycle_latency: all.latencies.summary(),
        failures: all.failures,
        first_error: all.first_error,
        cpu,
    };
    Ok(report.into())
}

/// One worker's loop; cycles that end inside the measurement window are counted.
async fn work(target: Arc<Target>, channel: String, flags: Arc<Flags>) -> Tally {
    let mut tally = Tally::default();
    while !flags.stop.load(Relaxed) {
        let began = Instant::now();
        let result = cycle(&target, &channel).await;
        let measuring = flags.measuring.load(Relaxed);
        match result {
            Ok(()) if measuring => tally.latencies.record(micros(began.elapsed())),
            Ok(()) => {}
            Err(error) => {
                if measuring {
                    tally.failures += 1;
                    tally.first_error.get_or_insert_with(|| error.to_string());
                }
                tokio::time::sleep(BACKOFF).await;
            }
        }
    }
    tally
}

async fn cycle(target: &Target, channel: &str) -> Result<(), ClientError> {
    let mut client = Client::connect(target).await?;
    client.subscribe(target, channel).await?;
    client.unsubscribe(channel).await?;
    client.close(true).await
}

impl From<ChurnReport> for Report {
    fn from(r: ChurnReport) -> Self {
        let mut rows = vec![
            ("workers", r.workers.to_string()),
            ("cycles/s", format!("{:.0} ({} cycles)", r.cycles_per_sec, r.cycles)),
            ("cycle p50/p90/p99/max", r.cycle_latency.display()),
            ("failures", r.failures.to_string()),
            ("cpu", r.cpu.display()),
        ];
        if let Some(error) = &r.first_error {
            rows.push(("first error", error.clone()));
        }
        Report::new("churn", rows, &r)
    }
}
