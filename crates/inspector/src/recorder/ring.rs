//! The live ring buffer: the most recent observations, bounded; the oldest fall off.

use std::collections::VecDeque;
use std::sync::Arc;

use switchboard_engine::Observation;

use super::Predicate;
use crate::store::MAX_PAGE_LIMIT;

/// Owned by the bus reader task; others ask it through the task's command channel.
#[derive(Debug)]
pub(super) struct Ring {
    records: VecDeque<Arc<Observation>>,
    capacity: usize,
}

impl Ring {
    pub(super) fn new(capacity: usize) -> Self {
        // Grows on demand: a large capacity costs nothing until it is used.
        Self { records: VecDeque::new(), capacity }
    }

    pub(super) fn push(&mut self, record: Arc<Observation>) {
        if self.capacity == 0 {
            return;
        }
        if self.records.len() == self.capacity {
            self.records.pop_front();
        }
        self.records.push_back(record);
    }

    /// The newest `limit` (at most `MAX_PAGE_LIMIT`) records before `before` that
    /// `predicate` accepts, ascending by `seq`.
    pub(super) fn recent(
        &self,
        predicate: Option<&Predicate>,
        limit: usize,
        before: Option<u64>,
    ) -> Vec<Arc<Observation>> {
        // Records arrive in `seq` order, so the ring is sorted by `seq`.
        let end = before.map_or(self.records.len(), |before| {
            self.records.partition_point(|record| record.seq < before)
        });
        let mut found: Vec<_> = self
            .records
            .range(..end)
            .rev()
            .filter(|record| predicate.is_none_or(|matches| matches(record)))
            .take(limit.min(MAX_PAGE_LIMIT))
            .cloned()
            .collect();
        found.reverse();
        found
    }
}

#[cfg(test)]
mod tests {
    use switchboard_engine::{Detail, Origin};

    use super::*;

    fn ring_of(capacity: usize, seqs: std::ops::Range<u64>) -> Ring {
        let mut ring = Ring::new(capacity);
        for seq in seqs {
            let mut record = Observation::new(Origin::Client, Detail::Unsubscribed);
            record.seq = seq;
            ring.push(Arc::new(record));
        }
        ring
    }

    fn seqs(records: &[Arc<Observation>]) -> Vec<u64> {
        records.iter().map(|record| record.seq).collect()
    }

    #[test]
    fn keeps_only_the_newest() {
        let ring = ring_of(3, 0..10);
        assert_eq!(seqs(&ring.recent(None, 100, None)), [7, 8, 9]);
        assert!(ring_of(0, 0..10).recent(None, 100, None).is_empty());
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
            assert_eq!(seqs(&ring.recent(Some(&even), limit, before)), expected, "{before:?}");
        }
    }
}
