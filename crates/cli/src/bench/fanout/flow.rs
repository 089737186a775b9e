//! Flow control and counters shared by the fan-out's publishers and subscribers.
//!
//! "Flat out" is a closed loop: publishers keep at most `window` events in flight (published
//! but not yet received by every subscriber), so the server always has work queued but
//! no outbox ever overflows and nobody is disconnected for being slow. At a fixed rate the
//! publishers ignore the window (open loop: a slow server shows as latency, not as fewer
//! publishes).

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering::Relaxed, Ordering::SeqCst};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Notify;

use super::super::publisher::{PublishError, Publisher};
use super::super::stats::{Latencies, Summary};

/// How long a publisher waits for the window before publishing anyway (a subscriber that
/// died would otherwise hold the window shut for ever).
const WINDOW_STALL: Duration = Duration::from_millis(200);

/// At a fixed rate, at most this many publishes wait for an answer; beyond it ticks are
/// skipped and counted (the server or the generator cannot keep up).
const MAX_IN_FLIGHT: u64 = 256;

#[derive(Debug, Default)]
pub struct Flow {
    pub subscribers: u64,
    pub window: u64,
    /// Receipts and answers count towards the figures only while this is set.
    pub measuring: AtomicBool,
    pub stop: AtomicBool,
    /// Events whose publish request has been sent.
    pub published: AtomicU64,
    /// Publishes the server accepted (2xx), in total and inside the window.
    pub accepted: AtomicU64,
    pub accepted_measured: AtomicU64,
    pub failed: AtomicU64,
    pub first_error: Mutex<Option<String>>,
    /// Ticks skipped at a fixed rate because too many publishes were unanswered.
    pub skipped: AtomicU64,
    in_flight: AtomicU64,
    /// Events received, summed over subscribers.
    pub delivered: AtomicU64,
    publisher_waiting: AtomicBool,
    window_opened: Notify,
    /// One histogram for every subscriber: one thread reads them all (`receiver.rs`), and
    /// a histogram per subscriber (hundreds of KiB each) thrashed the cache.
    latencies: Mutex<Latencies>,
}

impl Flow {
    pub fn new(subscribers: u64, window: u64) -> Self {
        Self { subscribers, window, ..Self::default() }
    }

    /// Deliveries still owed: published × subscribers − delivered.
    pub fn owed(&self) -> u64 {
        let expected = self.published.load(Relaxed).saturating_mul(self.subscribers);
        expected.saturating_sub(self.delivered.load(SeqCst))
    }

    pub fn record_latency(&self, micros: u64) {
        self.latencies.lock().unwrap_or_else(|e| e.into_inner()).record(micros);
    }

    pub fn latency_summary(&self) -> Summary {
        self.latencies.lock().unwrap_or_else(|e| e.into_inner()).summary()
    }

    fn window_open(&self) -> bool {
        self.owed() < self.window.saturating_mul(self.subscribers)
    }

    /// Called by subscribers after each delivery: counts it, wakes a publisher if it waits.
    ///
    /// Subscribers and publishers run on different threads: `delivered` and
    /// `publisher_waiting` are each written by one side, then read by the other, in `SeqCst`
    /// order, so that either the publisher sees the delivery or the subscriber sees it
    /// waiting (a lost wake-up would stall it for `WINDOW_STALL`). On x86 this costs nothing
    /// more than `Relaxed`: the `fetch_add` is a locked instruction either way.
    pub fn delivered_one(&self) {
        self.delivered.fetch_add(1, SeqCst);
        if self.publisher_waiting.load(SeqCst) && self.window_open() {
            self.publisher_waiting.store(false, Relaxed);
            self.window_opened.notify_waiters();
        }
    }

    async fn wait_for_window(&self) {
        while !self.window_open() && !self.stop.load(Relaxed) {
            let opened = self.window_opened.notified();
            self.publisher_waiting.store(true, SeqCst);
            if self.window_open() {
                return;
            }
            let _ = tokio::time::timeout(WINDOW_STALL, opened).await;
        }
    }

    fn answered(&self, result: Result<(), PublishError>) {
        match result {
            Ok(()) => {
                self.accepted.fetch_add(1, Relaxed);
                if self.measuring.load(Relaxed) {
                    self.accepted_measured.fetch_add(1, Relaxed);
                }
            }
            Err(error) => {
                // Nothing will be delivered for it: it no longer holds the window.
                self.published.fetch_sub(1, Relaxed);
                self.failed.fetch_add(1, Relaxed);
                let mut first = self.first_error.lock().unwrap_or_else(|e| e.into_inner());
                first.get_or_insert_with(|| error.to_string());
            }
        }
    }
}

/// One closed-loop publisher: waits for the window, publishes, waits for the answer.
pub async fn flat_out(publisher: Publisher, flow: Arc<Flow>) {
    while !flow.stop.load(Relaxed) {
        flow.wait_for_window().await;
        if flow.stop.load(Relaxed) {
            break;
        }
        flow.published.fetch_add(1, Relaxed);
        let result = publisher.publish().await;
        flow.answered(result);
    }
}

/// Publishes `rate` events per second on schedule, whatever the answers' pace.
pub async fn at_rate(publisher: Publisher, flow: Arc<Flow>, rate: f64) {
    let period = Duration::from_secs_f64(1.0 / rate.max(0.001));
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Burst);
    let mut tasks = tokio::task::JoinSet::new();
    while !flow.stop.load(Relaxed) {
        ticks.tick().await;
        while tasks.try_join_next().is_some() {}
        if flow.in_flight.load(Relaxed) >= MAX_IN_FLIGHT {
            flow.skipped.fetch_add(1, Relaxed);
            continue;
        }
        flow.in_flight.fetch_add(1, Relaxed);
        flow.published.fetch_add(1, Relaxed);
        let (publisher, flow) = (publisher.clone(), Arc::clone(&flow));
        tasks.spawn(async move {
            let result = publisher.publish().await;
            flow.answered(result);
            flow.in_flight.fetch_sub(1, Relaxed);
        });
    }
    while tasks.join_next().await.is_some() {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_counts_deliveries_owed() {
        let flow = Flow::new(10, 2);
        assert!(flow.window_open());
        flow.published.store(2, Relaxed);
        assert_eq!(flow.owed(), 20);
        assert!(!flow.window_open());
        for _ in 0..11 {
            flow.delivered_one();
        }
        assert_eq!(flow.owed(), 9);
        assert!(flow.window_open());
    }
}
