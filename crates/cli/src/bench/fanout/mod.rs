//! `bench fanout`: N subscribers on one channel, events published through the HTTP API at a
//! fixed rate or flat out; deliveries and publishes per second, end-to-end latency.

mod flow;
mod frames;
mod receiver;

use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde::Serialize;
use tokio::task::JoinHandle;

use self::flow::Flow;
use self::receiver::{Receiver, Seen};
use super::client::Client;
use super::fleet::{self, ConnectReport};
use super::procfs::CpuUse;
use super::publisher::Publisher;
use super::report::Report;
use super::stats::{per_second, Clock, Summary};
use super::{window, Common};

/// How long deliveries still owed may take to arrive after the publishers stopped.
const DRAIN: Duration = Duration::from_secs(5);

/// Flags of `bench fanout`.
#[derive(Debug, Clone, clap::Args)]
pub struct FanoutArgs {
    /// Subscribers on the channel
    #[arg(long, default_value_t = 1000)]
    pub subscribers: usize,
    /// Bytes of each event's `data`
    #[arg(long, default_value_t = 200)]
    pub payload: usize,
    /// Publishes per second (open loop); flat out when not given
    #[arg(long)]
    pub rate: Option<f64>,
    /// Flat out: events published but not yet received by every subscriber
    #[arg(long, default_value_t = 16, value_parser = clap::value_parser!(u64).range(1..))]
    pub window: u64,
    /// Flat out: HTTP publishers working concurrently
    #[arg(long, default_value_t = 2, value_parser = clap::value_parser!(u64).range(1..))]
    pub publishers: u64,
    /// The channel (private- and presence- channels are signed by the bench)
    #[arg(long, default_value = "bench-fanout")]
    pub channel: String,
}

/// What `bench fanout` measured.
#[derive(Debug, Serialize)]
pub struct FanoutReport {
    pub subscribers: usize,
    pub payload_bytes: usize,
    /// `flat-out` or `rate`.
    pub mode: &'static str,
    pub rate: Option<f64>,
    pub window: Option<u64>,
    pub seconds: f64,
    pub publishes_per_sec: f64,
    pub deliveries_per_sec: f64,
    /// Publish (just before the HTTP request) to receipt by a subscriber.
    pub latency: Summary,
    pub publishes_accepted: u64,
    pub publishes_failed: u64,
    pub publishes_skipped: u64,
    pub first_error: Option<String>,
    /// After the drain: accepted publishes × subscribers, and what arrived.
    pub deliveries_expected: u64,
    pub deliveries_received: u64,
    pub subscribers_closed: usize,
    pub cpu: CpuUse,
    /// The server's CPU time per delivery (given its pid): its cost, whatever else ran.
    pub server_us_per_delivery: Option<f64>,
    pub connect: ConnectReport,
}

pub async fn run(common: &Common, args: &FanoutArgs) -> anyhow::Result<Report> {
    let channel = args.channel.clone();
    let fleet = fleet::connect(
        &common.target,
        args.subscribers,
        common.concurrency,
        |_| channel.clone(),
        &common.progress,
    )
    .await;
    if fleet.clients.is_empty() {
        bail!("no subscriber could connect: {}", fleet.report.first_error.unwrap_or_default());
    }
    let flow = Arc::new(Flow::new(fleet.clients.len() as u64, args.window));
    let publisher =
        Publisher::new(Arc::clone(&common.target), &args.channel, args.payload, common.clock)?;
    let receiver = start_receiver(fleet.clients, &flow, common.clock)?;
    let publishers = spawn_publishers(&publisher, &flow, args);

    let mut last: Option<(u64, Instant)> = None;
    let live = || {
        let now = (flow.delivered.load(Relaxed), Instant::now());
        let rate = last.map(|(n, at)| per_second(now.0.saturating_sub(n), now.1 - at));
        last = Some(now);
        rate.map_or_else(String::new, |rate| format!("{rate:.0} deliveries/s"))
    };
    let (elapsed, cpu) = window(common, &flow.measuring, live).await;
    flow.stop.store(true, Relaxed);
    for publisher in publishers {
        let _ = publisher.await;
    }
    let seen = finish(common, &flow, receiver).await?;
    let measured = (elapsed.as_secs_f64(), cpu);
    let report = build(args, fleet.report, &flow, measured, seen);
    Ok(report.into())
}

/// Takes the subscribers' sockets out of tokio and starts the thread that reads them.
fn start_receiver(
    clients: Vec<(usize, Client)>,
    flow: &Arc<Flow>,
    clock: Clock,
) -> anyhow::Result<Receiver> {
    let sockets = clients.into_iter().map(|(_, client)| receiver::detach(client));
    let sockets =
        sockets.collect::<std::io::Result<_>>().context("cannot take a socket from tokio")?;
    Receiver::start(sockets, Arc::clone(flow), clock)
}

fn spawn_publishers(
    publisher: &Publisher,
    flow: &Arc<Flow>,
    args: &FanoutArgs,
) -> Vec<JoinHandle<()>> {
    match args.rate {
        Some(rate) => vec![tokio::spawn(flow::at_rate(publisher.clone(), Arc::clone(flow), rate))],
        None => (0..args.publishers)
            .map(|_| tokio::spawn(flow::flat_out(publisher.clone(), Arc::clone(flow))))
            .collect(),
    }
}

/// Waits (bounded) until every accepted publish has arrived, then stops the subscribers
/// (closing them) and returns what they saw.
async fn finish(common: &Common, flow: &Flow, receiver: Receiver) -> anyhow::Result<Seen> {
    let drain = async {
        while flow.owed() > 0 {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let _ = common.progress.spin("draining", tokio::time::timeout(DRAIN, drain)).await;
    receiver.stop()
}

fn build(
    args: &FanoutArgs,
    connect: ConnectReport,
    flow: &Flow,
    (seconds, cpu): (f64, CpuUse),
    seen: Seen,
) -> FanoutReport {
    let elapsed = Duration::from_secs_f64(seconds);
    let accepted = flow.accepted.load(Relaxed);
    FanoutReport {
        subscribers: connect.connected,
        payload_bytes: args.payload,
        mode: if args.rate.is_some() { "rate" } else { "flat-out" },
        rate: args.rate,
        window: args.rate.is_none().then_some(args.window),
        seconds: (seconds * 1000.0).round() / 1000.0,
        publishes_per_sec: per_second(flow.accepted_measured.load(Relaxed), elapsed),
        deliveries_per_sec: per_second(seen.measured, elapsed),
        latency: flow.latency_summary(),
        publishes_accepted: accepted,
        publishes_failed: flow.failed.load(Relaxed),
        publishes_skipped: flow.skipped.load(Relaxed),
        first_error: flow.first_error.lock().map(|e| e.clone()).unwrap_or_default(),
        deliveries_expected: accepted * connect.connected as u64,
        deliveries_received: seen.received,
        subscribers_closed: seen.closed,
        server_us_per_delivery: cpu
            .server
            .filter(|_| seen.measured > 0)
            .map(|cores| (cores * seconds * 1e6 / seen.measured as f64 * 1000.0).round() / 1000.0),
        cpu,
        connect,
    }
}

impl From<FanoutReport> for Report {
    fn from(r: FanoutReport) -> Self {
        let mode = match r.rate {
            Some(rate) => format!("{rate} publishes/s"),
            None => format!("flat out (window {})", r.window.unwrap_or_default()),
        };
        let lost = r.deliveries_expected.saturating_sub(r.deliveries_received);
        let mut rows = vec![
            ("subscribers", format!("{} ({} bytes/event)", r.subscribers, r.payload_bytes)),
            ("mode", mode),
            ("deliveries/s", format!("{:.0}", r.deliveries_per_sec)),
            ("publishes/s", format!("{:.1}", r.publishes_per_sec)),
            ("latency p50/p90/p99/max", r.latency.display()),
            ("publishes ok/failed", format!("{} / {}", r.publishes_accepted, r.publishes_failed)),
            ("deliveries lost", format!("{lost} of {}", r.deliveries_expected)),
            ("subscribers closed", r.subscribers_closed.to_string()),
            ("cpu", r.cpu.display()),
        ];
        if let Some(us) = r.server_us_per_delivery {
            rows.push(("server cpu per delivery", format!("{us:.2} µs")));
        }
        Report::new("fanout", rows, &r)
    }
}
