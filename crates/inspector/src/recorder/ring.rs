//! The live ring buffer: the most recent observations, bounded by count and by the
//! connections their deliveries name; the oldest fall off.

use std::collections::VecDeque;
use std::sync::Arc;

use switchboard_engine::{Detail, Observation};

use super::Predicate;
use crate::store::MAX_PAGE_LIMIT;

/// The most a ring holds, counting each record as 1 plus the connections its delivery names:
/// a delivery to 1,000 subscribers (~32 KB in memory) weighs like 1,000 small records, so a
/// busy fan-out keeps the ring to about 250 such deliveries, under 10 MB, while 100,000
/// small records still fit. Less to hold is also less to free cold: dropping a delivery
/// evicted long after it was made missed the cache. (Everything recorded is still in the
/// session on disk.)
const MAX_WEIGHT: usize = 250_000;

/// Owned by the bus reader task; others ask it through the task's command channel.
#[derive(Debug)]
pub(super) struct Ring {
    records: VecDeque<Arc<Observation>>,
    capacity: usize,
    weight: usize,
    max_weight: usize,
}

impl Ring {
    pub(super) fn new(capacity: usize) -> Self {
        Self::weighing(capacity, MAX_WEIGHT)
    }

    fn weighing(capacity: usize, max_weight: usize) -> Self {
        // Grows on demand: a large capacity costs nothing until it is used.
        Self { records: VecDeque::new(), capacity, weight: 0, max_weight }
    }

    /// Keeps `record`, and hands each record that falls off to `evicted`.
    pub(super) fn push(&mut self, record: Arc<Observation>, mut evicted: impl FnMut(&Observation)) {
        if self.capacity == 0 {
            evicted(&record);
            return;
        }
        self.weight += weight(&record);
        self.records.push_back(record);
        while self.records.len() > self.capacity
            || (self.weight > self.max_weight && self.records.len() > 1)
        {
            let Some(oldest) = self.records.pop_front() else { break };
            self.weight -= weight(&oldest);
            evicted(&oldest);
        }
    }

    /// The newest `limit` (at most `MAX_PAGE_LIMIT`) records before `before` that
    /// `predicate` accepts once `named`, ascending by `seq`.
    pub(super) fn recent(
        &self,
        predicate: Option<&Predicate>,
        limit: usize,
        before: Option<u64>,
        named: impl Fn(&Arc<Observation>) -> Arc<Observation>,
    ) -> Vec<Arc<Observation>> {
        // Records arrive in `seq` order, so the ring is sorted by `seq`.
        let end = before.map_or(self.records.len(), |before| {
            self.records.partition_point(|record| record.seq < before)
        });
        let mut found: Vec<_> = self
            .records
            .range(..end)
            .rev()
            .map(named)
            .filter(|record| predicate.is_none_or(|matches| matches(record)))
            .take(limit.min(MAX_PAGE_LIMIT))
            .collect();
        found.reverse();
        found
    }
}

fn weight(record: &Observation) -> usize {
    match &record.detail {
        Detail::Delivery { reached, skipped, .. } => 1 + reached.len() + skipped.len(),
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use switchboard_engine::Origin;

    use super::*;

    fn ring_of(capacity: usize, seqs: std::ops::Range<u64>) -> Ring {
        let mut ring = Ring::new(capacity);
        for seq in seqs {
            let mut record = Observation::new(Origin::Client, Detail::Unsubscribed);
            record.seq = seq;
            ring.push(Arc::new(record), |_| {});
        }
        ring
    }

    fn seqs(records: &[Arc<Observation>]) -> Vec<u64> {
        records.iter().map(|record| record.seq).collect()
    }

    #[test]
    fn keeps_only_the_newest_and_hands_over_the_rest() {
        let mut ring = ring_of(3, 0..10);
        assert_eq!(seqs(&ring.recent(None, 100, None, Arc::clone)), [7, 8, 9]);
        let mut evicted = Vec::new();
        let newest = Arc::new(Observation::new(Origin::Client, Detail::Unsubscribed));
        ring.push(newest, |record| evicted.push(record.seq));
        assert_eq!(evicted, [7]);
        assert!(ring_of(0, 0..10).recent(None, 100, None, Arc::clone).is_empty());
    }

    #[test]
    fn large_deliveries_weigh_more() {
        let mut ring = Ring::weighing(100, 25);
        for seq in 0..5 {
            let reached = (0..10).map(|c| switchboard_engine::observation::Target {
                conn: switchboard_engine::ConnId(c),
                socket: None,
                reason: None,
            });
            let detail = Detail::Delivery {
                raw: String::new(),
                reached: reached.collect(),
                skipped: Vec::new(),
                not_subscribed_more: 0,
            };
            let mut record = Observation::new(Origin::Api, detail);
            record.seq = seq;
            ring.push(Arc::new(record), |_| {});
        }
        assert_eq!(
            seqs(&ring.recent(None, 100, None, Arc::clone)),
            [3, 4],
            "11 each, at most 25 in all"
        );
        let mut one = Ring::weighing(100, 5);
        one.push(ring.recent(None, 1, None, Arc::clone).remove(0), |_| {});
        assert_eq!(one.records.len(), 1, "the newest stays even when it alone is too heavy");
    }

    #[test]
    fn recent_pages_backwards_with_a_predicate() {
        let ring = ring_of(100, 0..20);
        let even: Predicate = Arc::new(|record: &Observation| record.seq.is_multiple_of(2));
        let cases: [(Option<u64>, usize, &[u64]); 5] = [
            (None, 3, &[14, 16, 18]),
            (Some(14), 3, &[8, 10, 12]),
            (Some(3), 3, &[0, 2]),
            (Some(0), 3, &[]),
            (Some(1_000), 2, &[16, 18]),
        ];
        for (before, limit, expected) in cases {
            assert_eq!(
                seqs(&ring.recent(Some(&even), limit, before, Arc::clone)),
                expected,
                "{before:?}"
            );
        }
    }
}
