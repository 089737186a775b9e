//! Webhook counters for `/metrics`: attempts by outcome and events dropped, per app.

use std::collections::BTreeMap;

use switchboard_engine::{Detail, Observation};
use switchboard_proto::AppId;

/// How a delivery attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Outcome {
    /// A 2xx answer.
    Delivered,
    /// Any other status.
    Rejected,
    /// No answer: refused connection, timeout, broken response.
    Failed,
}

impl Outcome {
    pub fn of(status: Option<u16>) -> Self {
        match status {
            Some(200..=299) => Self::Delivered,
            Some(_) => Self::Rejected,
            None => Self::Failed,
        }
    }

    /// The `outcome` label.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Delivered => "delivered",
            Self::Rejected => "rejected",
            Self::Failed => "failed",
        }
    }
}

/// Per-app webhook counters, owned by the hub.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebhookStats {
    pub attempts: BTreeMap<(AppId, Outcome), u64>,
    /// Events never delivered: queue overflow, retries given up, shutdown.
    pub dropped: BTreeMap<AppId, u64>,
}

impl WebhookStats {
    /// Counts what a `webhook_attempt` or `webhook_dropped` record from the sender says.
    pub fn note(&mut self, observation: &Observation) {
        let Some(app) = &observation.app else { return };
        match &observation.detail {
            Detail::WebhookAttempt { status, .. } => {
                *self.attempts.entry((app.clone(), Outcome::of(*status))).or_default() += 1;
            }
            Detail::WebhookDropped { events, .. } => self.count_dropped(app, *events),
            _ => {}
        }
    }

    pub fn count_dropped(&mut self, app: &AppId, events: u64) {
        *self.dropped.entry(app.clone()).or_default() += events;
    }
}

#[cfg(test)]
mod tests {
    use switchboard_engine::Origin;

    use super::*;

    fn attempt(status: Option<u16>) -> Detail {
        Detail::WebhookAttempt {
            url: "http://h".into(),
            events: vec!["channel_occupied".into()],
            attempt: 1,
            status,
            error: None,
            latency_ms: 1,
            batch_time_ms: 1,
        }
    }

    #[test]
    fn attempts_count_by_outcome_and_drops_by_event() {
        let app = AppId::new("a").unwrap();
        let mut stats = WebhookStats::default();
        for detail in [
            attempt(Some(200)),
            attempt(Some(204)),
            attempt(Some(500)),
            attempt(Some(302)),
            attempt(None),
            Detail::WebhookDropped { events: 3, reason: "gave up".into() },
            Detail::Unsubscribed,
        ] {
            stats.note(&Observation::new(Origin::Server, detail).app(&app));
        }
        stats.note(&Observation::new(Origin::Server, attempt(None))); // no app: not counted
        stats.count_dropped(&app, 2);
        let count = |o| stats.attempts.get(&(app.clone(), o)).copied();
        assert_eq!(count(Outcome::Delivered), Some(2));
        assert_eq!(count(Outcome::Rejected), Some(2));
        assert_eq!(count(Outcome::Failed), Some(1));
        assert_eq!(stats.dropped.get(&app), Some(&5));
    }
}
