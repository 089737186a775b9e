//! One lane per target: closed batches wait in order and one is in flight at a time; a
//! failed one is retried with exponential backoff until it is delivered or its time is up,
//! so a batch is never overtaken by the next. Pure: time comes in as `now`.

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use bytes::Bytes;
use switchboard_proto::AppId;
use tokio::time::Instant;

use super::batch::{Batch, Headers, TargetKey};
use super::event;

/// The wait after the first failed attempt; it doubles after each further failure.
pub const FIRST_BACKOFF: Duration = Duration::from_secs(1);
/// The longest wait between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// The wait after `failures` failed attempts (at least one): 1 s, 2 s, 4 s … 60 s.
pub fn backoff(failures: u32) -> Duration {
    let doublings = failures.saturating_sub(1).min(16);
    FIRST_BACKOFF.saturating_mul(1 << doublings).min(MAX_BACKOFF)
}

/// When to try again after `failures` failed attempts at `now`, or `None` once that would
/// be more than `retry_for` after the batch was ready.
pub fn next_attempt(
    ready_at: Instant,
    now: Instant,
    failures: u32,
    retry_for: Duration,
) -> Option<Instant> {
    let at = now + backoff(failures);
    (at <= ready_at + retry_for).then_some(at)
}

/// A batch with its body fixed: every attempt sends the same bytes.
#[derive(Debug, Clone)]
pub struct Ready {
    pub key: TargetKey,
    pub headers: Headers,
    /// Event names, in body order (for the record).
    pub events: Vec<&'static str>,
    /// The channel, when every event is about the same one.
    pub channel: Option<String>,
    /// The record that raised the batch's first event (the attempt's record points at it).
    pub cause: Option<u64>,
    pub time_ms: u64,
    pub body: Bytes,
    pub ready_at: Instant,
    /// Attempts made so far.
    pub attempts: u32,
}

impl Ready {
    pub fn new(batch: Batch, time_ms: u64, now: Instant) -> Self {
        let events = batch.items.iter().map(|item| item.kind.as_str()).collect();
        let first = batch.items.first().map(|item| item.channel.clone());
        let channel = first.filter(|c| batch.items.iter().all(|item| &item.channel == c));
        let cause = batch.items.iter().find_map(|item| item.cause);
        let body = Bytes::from(event::body(time_ms, &batch.items));
        let (key, headers) = (batch.key, batch.headers);
        Self { key, headers, events, channel, cause, time_ms, body, ready_at: now, attempts: 0 }
    }
}

/// What became of a batch after an attempt.
#[derive(Debug)]
pub enum Finish {
    Delivered(Ready),
    Retry { at: Instant },
    GaveUp(Ready),
}

#[derive(Debug, Default)]
struct Lane {
    queue: VecDeque<Ready>,
    busy: bool,
    retry_at: Option<Instant>,
}

/// Every target's lane.
#[derive(Debug, Default)]
pub struct Lanes {
    lanes: HashMap<TargetKey, Lane>,
    events: usize,
}

impl Lanes {
    pub fn push(&mut self, ready: Ready) {
        self.events += ready.events.len();
        self.lanes.entry(ready.key.clone()).or_default().queue.push_back(ready);
    }

    /// Starts the head batch of every idle lane that is due: returns them, one attempt more.
    pub fn start_due(&mut self, now: Instant) -> Vec<Ready> {
        let mut started = Vec::new();
        for lane in self.lanes.values_mut() {
            if lane.busy || lane.retry_at.is_some_and(|at| at > now) {
                continue;
            }
            if let Some(head) = lane.queue.front_mut() {
                head.attempts += 1;
                lane.busy = true;
                lane.retry_at = None;
                started.push(head.clone());
            }
        }
        started
    }

    /// Records the end of the attempt in flight on `key`.
    pub fn finish(
        &mut self,
        key: &TargetKey,
        delivered: bool,
        now: Instant,
        retry_for: Duration,
    ) -> Option<Finish> {
        let lane = self.lanes.get_mut(key)?;
        lane.busy = false;
        let head = lane.queue.front()?;
        let retry = (!delivered)
            .then(|| next_attempt(head.ready_at, now, head.attempts, retry_for))
            .flatten();
        if let Some(at) = retry {
            lane.retry_at = Some(at);
            return Some(Finish::Retry { at });
        }
        let done = lane.queue.pop_front()?;
        if lane.queue.is_empty() {
            self.lanes.remove(key);
        }
        self.events -= done.events.len();
        Some(if delivered { Finish::Delivered(done) } else { Finish::GaveUp(done) })
    }

    /// When the next lane waiting for a retry is due.
    pub fn next_due(&self) -> Option<Instant> {
        self.lanes.values().filter(|lane| !lane.busy).filter_map(|lane| lane.retry_at).min()
    }

    /// Events in batches not yet delivered or given up.
    pub fn len(&self) -> usize {
        self.events
    }

    /// Forgets every batch; returns how many events each app lost (shutdown).
    pub fn drain(&mut self) -> Vec<(AppId, u64)> {
        let mut lost: HashMap<AppId, u64> = HashMap::new();
        for (key, lane) in self.lanes.drain() {
            let events: usize = lane.queue.iter().map(|ready| ready.events.len()).sum();
            *lost.entry(key.app).or_default() += events as u64;
        }
        self.events = 0;
        let mut lost: Vec<(AppId, u64)> = lost.into_iter().filter(|(_, n)| *n > 0).collect();
        lost.sort();
        lost
    }
}

#[cfg(test)]
mod tests {
    use switchboard_engine::WebhookEvent;

    use super::super::event::Item;
    use super::*;

    const RETRY_FOR: Duration = Duration::from_secs(300);

    fn key(index: usize) -> TargetKey {
        TargetKey { app: AppId::new("app").unwrap(), index, url: "http://h".into() }
    }

    fn ready(key: TargetKey, channel: &str, now: Instant) -> Ready {
        let items = vec![Item::new(&WebhookEvent::ChannelOccupied { channel: channel.into() })];
        Ready::new(Batch { key, headers: Headers::from(Vec::new()), items }, 1, now)
    }

    fn secs(base: Instant, s: u64) -> Instant {
        base + Duration::from_secs(s)
    }

    fn started(lanes: &mut Lanes, now: Instant) -> Vec<(String, u32)> {
        let mut out: Vec<_> = lanes
            .start_due(now)
            .into_iter()
            .map(|r| (r.channel.unwrap_or_default(), r.attempts))
            .collect();
        out.sort();
        out
    }

    #[test]
    fn backoff_doubles_from_one_second_up_to_a_minute() {
        let waits: Vec<u64> = (1..=9).map(|n| backoff(n).as_secs()).collect();
        assert_eq!(waits, [1, 2, 4, 8, 16, 32, 60, 60, 60]);
        assert_eq!(backoff(0), FIRST_BACKOFF);
        assert_eq!(backoff(u32::MAX), MAX_BACKOFF);
    }

    #[test]
    fn retries_stop_once_the_next_would_be_past_retry_for() {
        let base = Instant::now();
        let mut now = base;
        let mut attempts = vec![0];
        let mut failures = 1;
        while let Some(at) = next_attempt(base, now, failures, RETRY_FOR) {
            now = at;
            failures += 1;
            attempts.push(now.duration_since(base).as_secs());
        }
        assert_eq!(attempts, [0, 1, 3, 7, 15, 31, 63, 123, 183, 243]);
    }

    #[test]
    fn a_failing_batch_is_retried_and_never_overtaken() {
        let base = Instant::now();
        let mut lanes = Lanes::default();
        lanes.push(ready(key(0), "a", base));
        lanes.push(ready(key(0), "b", base));
        lanes.push(ready(key(1), "other", base));
        assert_eq!(lanes.len(), 3);
        assert_eq!(started(&mut lanes, base), [("a".into(), 1), ("other".into(), 1)]);
        assert!(started(&mut lanes, base).is_empty(), "one attempt in flight per lane");
        assert!(matches!(lanes.finish(&key(1), true, base, RETRY_FOR), Some(Finish::Delivered(_))));
        let retry = lanes.finish(&key(0), false, base, RETRY_FOR);
        assert!(matches!(retry, Some(Finish::Retry { at }) if at == secs(base, 1)), "{retry:?}");
        assert_eq!(lanes.next_due(), Some(secs(base, 1)));
        assert!(started(&mut lanes, base).is_empty(), "b waits behind a");
        assert_eq!(started(&mut lanes, secs(base, 1)), [("a".into(), 2)]);
        let retry = lanes.finish(&key(0), false, secs(base, 1), RETRY_FOR);
        assert!(matches!(retry, Some(Finish::Retry { at }) if at == secs(base, 3)), "{retry:?}");
        assert_eq!(started(&mut lanes, secs(base, 3)), [("a".into(), 3)]);
        assert!(matches!(
            lanes.finish(&key(0), true, secs(base, 3), RETRY_FOR),
            Some(Finish::Delivered(_))
        ));
        assert_eq!(started(&mut lanes, secs(base, 3)), [("b".into(), 1)]);
    }

    #[test]
    fn a_batch_past_retry_for_is_given_up_and_the_next_goes() {
        let base = Instant::now();
        let mut lanes = Lanes::default();
        lanes.push(ready(key(0), "a", base));
        lanes.push(ready(key(0), "b", base));
        let short = Duration::from_millis(1500);
        started(&mut lanes, base);
        assert!(matches!(lanes.finish(&key(0), false, base, short), Some(Finish::Retry { .. })));
        started(&mut lanes, secs(base, 1));
        let gave_up = lanes.finish(&key(0), false, secs(base, 1), short);
        assert!(matches!(&gave_up, Some(Finish::GaveUp(r)) if r.attempts == 2), "{gave_up:?}");
        assert_eq!(lanes.len(), 1);
        // b has been waiting longer than retry_for too: it still gets one attempt.
        assert_eq!(started(&mut lanes, secs(base, 1)), [("b".into(), 1)]);
        assert_eq!(lanes.drain(), [(AppId::new("app").unwrap(), 1)]);
        assert_eq!((lanes.len(), lanes.next_due()), (0, None));
    }

    #[test]
    fn the_record_names_each_event_and_a_shared_channel() {
        let base = Instant::now();
        let items = vec![
            Item::new(&WebhookEvent::ChannelOccupied { channel: "c".into() }),
            Item::new(&WebhookEvent::CacheMiss { channel: "c".into() }),
        ];
        let batch = Batch { key: key(0), headers: Headers::from(Vec::new()), items };
        let ready = Ready::new(batch.clone(), 5, base);
        assert_eq!(ready.events, ["channel_occupied", "cache_miss"]);
        assert_eq!(ready.channel.as_deref(), Some("c"));
        let mut mixed = batch;
        mixed.items.push(Item::new(&WebhookEvent::ChannelVacated { channel: "d".into() }));
        assert_eq!(Ready::new(mixed, 5, base).channel, None);
    }
}
