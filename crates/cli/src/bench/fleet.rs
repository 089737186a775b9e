//! Connecting many clients at once, each subscribed to its channel, with bounded concurrency.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::stream::{self, StreamExt};
use serde::Serialize;

use super::client::{Client, ClientError};
use super::progress::Progress;
use super::stats::{per_second, Latencies, Summary};
use super::target::Target;

/// Clients that connected and subscribed, and how it went.
pub struct Fleet {
    /// Each client with its index `i` (the argument its channel was named from), by index.
    pub clients: Vec<(usize, Client)>,
    pub report: ConnectReport,
}

/// How fast clients connected and subscribed.
#[derive(Debug, Clone, Serialize)]
pub struct ConnectReport {
    pub asked: usize,
    pub connected: usize,
    pub failed: usize,
    pub first_error: Option<String>,
    pub seconds: f64,
    /// Connections (each with its subscription confirmed) per second.
    pub per_second: f64,
    /// From TCP connect to `subscription_succeeded`, per client.
    pub latency: Summary,
}

/// Connects `count` clients, `concurrency` at a time; client `i` subscribes to `channel(i)`.
pub async fn connect(
    target: &Arc<Target>,
    count: usize,
    concurrency: usize,
    channel: impl Fn(usize) -> String,
    progress: &Progress,
) -> Fleet {
    progress.count("connecting", count as u64);
    let started = Instant::now();
    let attempts = stream::iter(0..count)
        .map(|i| {
            let channel = channel(i);
            async move {
                let began = Instant::now();
                let client = join(target, &channel).await;
                (i, client, began.elapsed())
            }
        })
        .buffer_unordered(concurrency.max(1));
    let mut attempts = std::pin::pin!(attempts);
    let mut latencies = Latencies::default();
    let (mut clients, mut failed, mut first_error) = (Vec::with_capacity(count), 0, None);
    while let Some((i, client, took)) = attempts.next().await {
        progress.inc(1);
        match client {
            Ok(client) => {
                latencies.record(micros(took));
                clients.push((i, client));
            }
            Err(error) => {
                failed += 1;
                first_error.get_or_insert_with(|| error.to_string());
            }
        }
    }
    let seconds = started.elapsed();
    clients.sort_unstable_by_key(|(i, _)| *i);
    let report = ConnectReport {
        asked: count,
        connected: clients.len(),
        failed,
        first_error,
        seconds: (seconds.as_secs_f64() * 1000.0).round() / 1000.0,
        per_second: per_second(clients.len() as u64, seconds),
        latency: latencies.summary(),
    };
    Fleet { clients, report }
}

/// Connects one client and subscribes it to `channel`.
pub async fn join(target: &Target, channel: &str) -> Result<Client, ClientError> {
    let mut client = Client::connect(target).await?;
    client.subscribe(target, channel).await?;
    Ok(client)
}

pub fn micros(elapsed: Duration) -> u64 {
    u64::try_from(elapsed.as_micros()).unwrap_or(u64::MAX)
}
