//! `bench idle`: N connections, each subscribed; connect rate and (given the server's pid)
//! resident memory per connection, and how much of it comes back after they disconnect.

use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde::Serialize;
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::Message;

use super::client::{Ws, PONG};
use super::fleet::{self, ConnectReport};
use super::procfs::{rss_kib, CpuMeters, CpuUse};
use super::report::Report;
use super::{parse_duration, payload, Common};

/// How long the server's memory may take to settle after everyone left: allocators give
/// memory back over seconds (jemalloc's default decay is 10 s).
const SETTLE_LIMIT: Duration = Duration::from_secs(30);

/// The memory counts as settled once it has not fallen for this long.
const SETTLED_AFTER: Duration = Duration::from_secs(4);

/// Flags of `bench idle`.
#[derive(Debug, Clone, clap::Args)]
pub struct IdleArgs {
    /// Connections to open
    #[arg(long, default_value_t = 1000)]
    pub connections: usize,
    /// Distinct channels (connection i joins idle-{i mod N}) [default: one per connection]
    #[arg(long)]
    pub channels: Option<usize>,
    /// How long to hold the connections once all are subscribed (e.g. 2s, 500ms)
    #[arg(long, default_value = "2s", value_parser = parse_duration)]
    pub hold: Duration,
}

/// Resident memory of the server at each step, in KiB.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Memory {
    pub before_kib: u64,
    pub connected_kib: u64,
    pub disconnected_kib: u64,
    /// (connected − before) / connections.
    pub per_connection_kib: f64,
    /// Share of the growth given back after everyone disconnected, in percent.
    pub returned_percent: f64,
}

/// What `bench idle` measured.
#[derive(Debug, Serialize)]
pub struct IdleReport {
    pub connections: usize,
    pub channels: usize,
    pub connect: ConnectReport,
    pub memory: Option<Memory>,
    pub closed_while_held: usize,
    /// While connecting.
    pub cpu: CpuUse,
}

pub async fn run(common: &Common, args: &IdleArgs) -> anyhow::Result<Report> {
    let channels = args.channels.unwrap_or(args.connections).max(1);
    let before = common.pid.and_then(rss_kib);
    let meters = CpuMeters::start(common.pid);
    let fleet = fleet::connect(
        &common.target,
        args.connections,
        common.concurrency,
        |i| format!("idle-{}", i % channels),
        &common.progress,
    )
    .await;
    let cpu = meters.read();
    let connected = fleet.report.connected;
    let (stop, stopped) = watch::channel(false);
    let holders: Vec<_> =
        fleet.clients.into_iter().map(|(_, c)| tokio::spawn(hold(c.ws, stopped.clone()))).collect();
    common.progress.wait("holding", args.hold, String::new).await;
    let during = common.pid.and_then(rss_kib);
    let _ = stop.send(true);
    let mut closed_while_held = 0;
    for holder in holders {
        closed_while_held += usize::from(!holder.await?);
    }
    let after = match common.pid {
        Some(pid) => common.progress.spin("settling", settle(pid)).await,
        None => None,
    };
    let memory = match (before, during, after) {
        (Some(b), Some(d), Some(a)) => Some(memory(b, d, a, connected)),
        _ => None,
    };
    let report = IdleReport {
        connections: connected,
        channels,
        connect: fleet.report,
        memory,
        closed_while_held,
        cpu,
    };
    Ok(report.into())
}

/// Keeps a connection open (answering pings) until told to stop, then closes it.
/// False when the server closed it first.
async fn hold(mut ws: Ws, mut stop: watch::Receiver<bool>) -> bool {
    loop {
        tokio::select! {
            _ = stop.changed() => break,
            message = ws.next() => match message {
                Some(Ok(Message::Text(text))) if payload::is_ping(&text) => {
                    if ws.send(Message::text(PONG)).await.is_err() {
                        return false;
                    }
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => return false,
                Some(Ok(_)) => {}
            },
        }
    }
    let _ = ws.close(None).await;
    true
}

/// The server's RSS once it has stopped falling: sampled every 250 ms after a second for
/// the closes to arrive, until it has not fallen (by over 0.5%) for `SETTLED_AFTER`.
async fn settle(pid: u32) -> Option<u64> {
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(1)).await;
    let mut lowest = rss_kib(pid)?;
    let mut since = Instant::now();
    while started.elapsed() < SETTLE_LIMIT && since.elapsed() < SETTLED_AFTER {
        tokio::time::sleep(Duration::from_millis(250)).await;
        let now = rss_kib(pid)?;
        if now + now / 200 < lowest {
            since = Instant::now();
        }
        lowest = lowest.min(now);
    }
    Some(lowest)
}

fn memory(before: u64, connected_kib: u64, after: u64, connections: usize) -> Memory {
    let grew = connected_kib.saturating_sub(before);
    let per = if connections == 0 { 0.0 } else { grew as f64 / connections as f64 };
    let returned = if grew == 0 {
        100.0
    } else {
        connected_kib.saturating_sub(after) as f64 * 100.0 / grew as f64
    };
    Memory {
        before_kib: before,
        connected_kib,
        disconnected_kib: after,
        per_connection_kib: (per * 100.0).round() / 100.0,
        returned_percent: (returned * 10.0).round() / 10.0,
    }
}

impl From<IdleReport> for Report {
    fn from(r: IdleReport) -> Self {
        let c = &r.connect;
        let mut rows = vec![
            ("connections", format!("{} of {} ({} channels)", c.connected, c.asked, r.channels)),
            ("connect rate", format!("{:.0}/s ({:.2} s)", c.per_second, c.seconds)),
            ("connect+subscribe p50/p90/p99/max", c.latency.display()),
            ("closed while held", r.closed_while_held.to_string()),
            ("cpu while connecting", r.cpu.display()),
        ];
        if let Some(error) = &c.first_error {
            rows.push(("first error", format!("{} failed: {error}", c.failed)));
        }
        match &r.memory {
            Some(m) => {
                let rss =
                    format!("{} → {} → {} KiB", m.before_kib, m.connected_kib, m.disconnected_kib);
                rows.push(("server rss before/connected/after", rss));
                rows.push(("rss per connection", format!("{:.1} KiB", m.per_connection_kib)));
                rows.push(("rss returned", format!("{:.0}%", m.returned_percent)));
            }
            None => rows.push(("server rss", "not measured (give --pid)".to_owned())),
        }
        Report::new("idle", rows, &r)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_per_connection_and_returned_share() {
        let m = memory(10_000, 30_000, 12_000, 1000);
        assert_eq!(m.per_connection_kib, 20.0);
        assert_eq!(m.returned_percent, 90.0);
        assert_eq!(memory(100, 100, 100, 0).returned_percent, 100.0);
    }
}
