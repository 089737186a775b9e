//! The hub's end of the webhook pipeline: a bounded queue it never waits on. A full queue
//! drops the event and counts it; the drops are reported as `webhook_dropped` observations
//! at the first drop and then at most once a second while they last, never silently.

use std::collections::BTreeMap;
use std::time::Duration;

use switchboard_engine::{Detail, Observation, Origin, WebhookEvent};
use switchboard_proto::AppId;
use tokio::sync::mpsc;
use tokio::time::Instant;

use super::stats::WebhookStats;

/// Drops are summed into one record per app at most this often.
const REPORT_EVERY: Duration = Duration::from_secs(1);

/// A webhook event on its way to the sender, with when it happened and the `seq` of the
/// record that raised it.
#[derive(Debug)]
pub struct Queued {
    pub app: AppId,
    pub event: WebhookEvent,
    pub cause: Option<u64>,
    pub at: Instant,
}

/// What the sender task reads.
pub type Inbox = mpsc::Receiver<Queued>;

/// Why the hub could not queue an event.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Refusal {
    Full,
    Stopped,
}

/// The hub's handle on the webhook queue, with the webhook counters for `/metrics`.
#[derive(Debug)]
pub struct WebhookQueue {
    tx: mpsc::Sender<Queued>,
    capacity: usize,
    stats: WebhookStats,
    unreported: BTreeMap<(AppId, Refusal), u64>,
    last_report: Option<Instant>,
}

impl WebhookQueue {
    /// A queue holding up to `capacity` events (at least one), and its receiving end.
    pub fn new(capacity: usize) -> (Self, Inbox) {
        let capacity = capacity.max(1);
        let (tx, rx) = mpsc::channel(capacity);
        let queue = Self {
            tx,
            capacity,
            stats: WebhookStats::default(),
            unreported: BTreeMap::new(),
            last_report: None,
        };
        (queue, rx)
    }

    /// Queues an event without waiting. Returns the drop reports that are due.
    pub fn push(&mut self, queued: Queued) -> Vec<Observation> {
        let now = queued.at;
        let refusal = match self.tx.try_send(queued) {
            Ok(()) => return self.reports(now),
            Err(mpsc::error::TrySendError::Full(queued)) => (queued.app, Refusal::Full),
            Err(mpsc::error::TrySendError::Closed(queued)) => (queued.app, Refusal::Stopped),
        };
        self.stats.count_dropped(&refusal.0, 1);
        *self.unreported.entry(refusal).or_default() += 1;
        self.reports(now)
    }

    /// The drop reports that are due (the hub calls this on its tick too, so the last
    /// drops of an overflow are reported even when no further event comes).
    pub fn reports(&mut self, now: Instant) -> Vec<Observation> {
        if self.unreported.is_empty()
            || self.last_report.is_some_and(|at| now.duration_since(at) < REPORT_EVERY)
        {
            return Vec::new();
        }
        self.last_report = Some(now);
        let capacity = self.capacity;
        let unreported = std::mem::take(&mut self.unreported);
        unreported
            .into_iter()
            .map(|((app, why), events)| dropped(&app, events, why, capacity))
            .collect()
    }

    /// Counts a record from the sender (attempts by outcome, events it gave up on).
    pub fn note(&mut self, observation: &Observation) {
        self.stats.note(observation);
    }

    pub fn stats(&self) -> WebhookStats {
        self.stats.clone()
    }
}

fn dropped(app: &AppId, events: u64, why: Refusal, capacity: usize) -> Observation {
    let reason = match why {
        Refusal::Full => format!("webhook queue full ({capacity} events waiting)"),
        Refusal::Stopped => "webhook sender stopped".to_owned(),
    };
    Observation::new(Origin::Server, Detail::WebhookDropped { events, reason }).app(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(id: &str) -> AppId {
        AppId::new(id).unwrap()
    }

    fn queued(id: &str, at: Instant) -> Queued {
        let event = WebhookEvent::ChannelOccupied { channel: "c".into() };
        Queued { app: app(id), event, cause: None, at }
    }

    fn summary(reports: &[Observation]) -> Vec<(String, u64, String)> {
        reports
            .iter()
            .map(|o| match &o.detail {
                Detail::WebhookDropped { events, reason } => {
                    (o.app.as_ref().unwrap().to_string(), *events, reason.clone())
                }
                other => panic!("unexpected {other:?}"),
            })
            .collect()
    }

    #[test]
    fn overflow_is_counted_exactly_and_reported_at_most_once_a_second() {
        let base = Instant::now();
        let at = |ms| base + Duration::from_millis(ms);
        let (mut queue, mut inbox) = WebhookQueue::new(2);
        assert!(queue.push(queued("a", at(0))).is_empty());
        assert!(queue.push(queued("a", at(0))).is_empty());
        let full = "webhook queue full (2 events waiting)".to_owned();
        assert_eq!(summary(&queue.push(queued("a", at(1)))), [("a".into(), 1, full.clone())]);
        assert!(queue.push(queued("a", at(2))).is_empty());
        assert!(queue.push(queued("b", at(3))).is_empty());
        assert!(queue.reports(at(999)).is_empty());
        assert_eq!(
            summary(&queue.reports(at(1001))),
            [("a".into(), 1, full.clone()), ("b".into(), 1, full)]
        );
        assert!(queue.reports(at(5000)).is_empty(), "nothing more to report");
        let stats = queue.stats();
        assert_eq!(
            (stats.dropped.get(&app("a")), stats.dropped.get(&app("b"))),
            (Some(&2), Some(&1))
        );
        assert_eq!(inbox.try_recv().map(|q| q.app).ok(), Some(app("a")));
        drop(inbox);
        let reports = queue.push(queued("a", at(9000)));
        assert_eq!(summary(&reports), [("a".into(), 1, "webhook sender stopped".into())]);
    }
}
