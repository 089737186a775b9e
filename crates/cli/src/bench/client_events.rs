//! `bench client-events`: pairs of clients on private channels; one sends `client-ping`,
//! the other answers `client-pong`; round-trip latency through the server.

use std::sync::atomic::{AtomicBool, Ordering::Relaxed};
use std::sync::Arc;
use std::time::Duration;

use anyhow::bail;
use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tokio_tungstenite::tungstenite::Message;

use super::client::{Client, Ws, PONG};
use super::fleet::{self, ConnectReport};
use super::procfs::CpuUse;
use super::report::Report;
use super::stats::{per_second, Clock, Latencies, Summary};
use super::{payload, window, Common};

/// After the window, answers still on their way get this long to arrive.
const DRAIN: Duration = Duration::from_millis(500);

/// Flags of `bench client-events`.
#[derive(Debug, Clone, clap::Args)]
pub struct ClientEventsArgs {
    /// Pairs of clients, each pair on its own private channel
    #[arg(long, default_value_t = 100)]
    pub pairs: usize,
    /// Round trips per second per pair (Pusher allows 10 client events/s per connection)
    #[arg(long, default_value_t = 5.0)]
    pub rate: f64,
    /// Bytes of each client event's data
    #[arg(long, default_value_t = 100)]
    pub payload: usize,
    /// Pair p uses channel {channel}-{p} (private- and presence- channels are signed)
    #[arg(long, default_value = "private-bench")]
    pub channel: String,
}

/// What `bench client-events` measured.
#[derive(Debug, Serialize)]
pub struct ClientEventsReport {
    pub pairs: usize,
    pub rate_per_pair: f64,
    pub seconds: f64,
    pub round_trips_per_sec: f64,
    pub round_trip: Summary,
    pub sent: u64,
    pub answered: u64,
    /// `pusher:error` frames received (rate limits, refusals).
    pub errors: u64,
    pub first_error: Option<String>,
    pub cpu: CpuUse,
    pub connect: ConnectReport,
}

/// What one pinging client saw.
#[derive(Default)]
struct Pings {
    latencies: Latencies,
    sent: u64,
    answered: u64,
    errors: u64,
    first_error: Option<String>,
}

/// Shared by every pair.
struct Setup {
    clock: Clock,
    period: Duration,
    payload: usize,
    measuring: AtomicBool,
}

pub async fn run(common: &Common, args: &ClientEventsArgs) -> anyhow::Result<Report> {
    let prefix = &args.channel;
    let fleet = fleet::connect(
        &common.target,
        args.pairs * 2,
        common.concurrency,
        |i| format!("{prefix}-{}", i / 2),
        &common.progress,
    )
    .await;
    let setup = Arc::new(Setup {
        clock: common.clock,
        period: Duration::from_secs_f64(1.0 / args.rate.max(0.001)),
        payload: args.payload,
        measuring: AtomicBool::new(false),
    });
    let (stop, stopped) = watch::channel(false);
    let pingers = start_pairs(fleet.clients, prefix, &setup, &stopped, args.pairs);
    if pingers.is_empty() {
        bail!("no pair could connect: {}", fleet.report.first_error.unwrap_or_default());
    }
    let pairs = pingers.len();
    let (elapsed, cpu) = window(common, &setup.measuring, String::new).await;
    let _ = stop.send(true);
    let mut all = Pings::default();
    for pinger in pingers {
        all.add(pinger.await?);
    }
    let report = ClientEventsReport {
        pairs,
        rate_per_pair: args.rate,
        seconds: (elapsed.as_secs_f64() * 1000.0).round() / 1000.0,
        round_trips_per_sec: per_second(all.latencies.count(), elapsed),
        round_trip: all.latencies.summary(),
        sent: all.sent,
        answered: all.answered,
        errors: all.errors,
        first_error: all.first_error,
        cpu,
        connect: fleet.report,
    };
    Ok(report.into())
}

/// Starts each complete pair (clients 2p and 2p+1): a pinger and a ponger on its channel.
fn start_pairs(
    clients: Vec<(usize, Client)>,
    prefix: &str,
    setup: &Arc<Setup>,
    stopped: &watch::Receiver<bool>,
    pairs: usize,
) -> Vec<JoinHandle<Pings>> {
    let mut pingers = Vec::new();
    let mut clients = clients.into_iter().peekable();
    while let Some((i, a)) = clients.next() {
        let Some((_, b)) = clients.next_if(|(j, _)| *j == i + 1 && i % 2 == 0) else { continue };
        let channel = format!("{prefix}-{}", i / 2);
        let offset = setup.period.mul_f64(pingers.len() as f64 / pairs.max(1) as f64);
        let ping = ping(a.ws, channel.clone(), offset, Arc::clone(setup), stopped.clone());
        pingers.push(tokio::spawn(ping));
        tokio::spawn(pong(b.ws, channel, setup.payload, stopped.clone()));
    }
    pingers
}

impl Pings {
    /// Counts a frame the pinger received; true when it is a `pusher:ping` to answer.
    fn take(&mut self, text: &str, setup: &Setup) -> bool {
        if text.contains("\"client-pong\"") {
            if let Some(sent) = payload::timestamp(text) {
                self.answered += 1;
                if setup.measuring.load(Relaxed) {
                    self.latencies.record(setup.clock.now_us().saturating_sub(sent));
                }
            }
        } else if text.contains("\"pusher:error\"") {
            self.errors += 1;
            self.first_error.get_or_insert_with(|| text.to_owned());
        } else {
            return payload::is_ping(text);
        }
        false
    }

    fn add(&mut self, one: Pings) {
        self.latencies.merge(&one.latencies);
        self.sent += one.sent;
        self.answered += one.answered;
        self.errors += one.errors;
        self.first_error = self.first_error.take().or(one.first_error);
    }
}

fn client_event(event: &str, channel: &str, sent_us: u64, payload: usize) -> Message {
    let data = payload::with_timestamp(sent_us, payload);
    // Channel names never need escaping (Pusher's name alphabet has no quote or backslash).
    Message::text(format!(r#"{{"event":"{event}","channel":"{channel}","data":{data}}}"#))
}

/// Sends `client-ping` every period; records the round trip of each `client-pong`.
async fn ping(
    mut ws: Ws,
    channel: String,
    offset: Duration,
    setup: Arc<Setup>,
    mut stop: watch::Receiver<bool>,
) -> Pings {
    let mut pings = Pings::default();
    let start = tokio::time::Instant::now() + offset;
    let mut ticks = tokio::time::interval_at(start, setup.period);
    let mut draining: Option<tokio::time::Instant> = None;
    loop {
        // Only polled while draining.
        let deadline = draining.unwrap_or_else(tokio::time::Instant::now);
        let message = tokio::select! {
            biased;
            _ = stop.changed(), if draining.is_none() => {
                draining = Some(tokio::time::Instant::now() + DRAIN);
                continue;
            }
            _ = tokio::time::sleep_until(deadline), if draining.is_some() => break,
            message = ws.next() => message,
            _ = ticks.tick(), if draining.is_none() => {
                let event = client_event("client-ping", &channel, setup.clock.now_us(), setup.payload);
                if ws.send(event).await.is_err() {
                    break;
                }
                pings.sent += 1;
                continue;
            }
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(_)) => continue,
            _ => break,
        };
        let answer_ping = pings.take(&text, &setup);
        if answer_ping && ws.send(Message::text(PONG)).await.is_err() {
            break;
        }
        if draining.is_some() && pings.answered >= pings.sent {
            break;
        }
    }
    let _ = ws.close(None).await;
    pings
}

/// Answers each `client-ping` with a `client-pong` carrying the same send time.
async fn pong(mut ws: Ws, channel: String, payload: usize, mut stop: watch::Receiver<bool>) {
    loop {
        let message = tokio::select! {
            _ = stop.changed() => {
                // Let the pinger's last answers through before closing.
                tokio::time::sleep(DRAIN).await;
                break;
            }
            message = ws.next() => message,
        };
        let text = match message {
            Some(Ok(Message::Text(text))) => text,
            Some(Ok(_)) => continue,
            _ => return,
        };
        let reply = if let (true, Some(sent)) =
            (text.contains("\"client-ping\""), payload::timestamp(&text))
        {
            client_event("client-pong", &channel, sent, payload)
        } else if payload::is_ping(&text) {
            Message::text(PONG)
        } else {
            continue;
        };
        if ws.send(reply).await.is_err() {
            return;
        }
    }
    let _ = ws.close(None).await;
}

impl From<ClientEventsReport> for Report {
    fn from(r: ClientEventsReport) -> Self {
        let mut rows = vec![
            ("pairs", format!("{} at {} round trips/s each", r.pairs, r.rate_per_pair)),
            ("round trips/s", format!("{:.0}", r.round_trips_per_sec)),
            ("round trip p50/p90/p99/max", r.round_trip.display()),
            ("sent / answered", format!("{} / {}", r.sent, r.answered)),
            ("errors", r.errors.to_string()),
            ("cpu", r.cpu.display()),
        ];
        if let Some(error) = &r.first_error {
            rows.push(("first error", error.clone()));
        }
        Report::new("client-events", rows, &r)
    }
}
