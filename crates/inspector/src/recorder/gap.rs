//! Gap records: how the recorder says "this many observations are missing here".
//!
//! Two places can lose observations, and each gets a gap with a `seq` no stored record can
//! hold, so the gap sorts where the loss happened and never collides:
//!
//! - The bus (`Lagged(n)`): the gap is emitted just before the next record received, with
//!   that record's `seq - 1` and its `at`. The lost records' seqs lie strictly between the
//!   last one seen and the next, so `next - 1` is past the last one seen and is stored by
//!   no one. If the bus closes first, the gap takes the last seen `seq + 1`.
//! - The disk path (writer backlog full, or a failed write): the gap takes the first lost
//!   record's `seq` and `at`; that record is not stored, so its number is free.

use std::time::{SystemTime, UNIX_EPOCH};

use switchboard_engine::{Detail, Observation, Origin};

/// A gap record.
pub(super) fn gap(seq: u64, at: u64, missed: u64) -> Observation {
    let mut record = Observation::new(Origin::Server, Detail::Gap { missed });
    record.seq = seq;
    record.at = at;
    record
}

/// Unix milliseconds now.
pub(super) fn now_ms() -> u64 {
    let since_epoch = SystemTime::now().duration_since(UNIX_EPOCH).unwrap_or_default();
    u64::try_from(since_epoch.as_millis()).unwrap_or(u64::MAX)
}

/// How many observations `record` stands for: a gap stands for those it reports missing.
pub(super) fn weight(record: &Observation) -> u64 {
    match record.detail {
        Detail::Gap { missed } => missed,
        _ => 1,
    }
}

/// Records lost on one path, not yet reported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Lost {
    seq: u64,
    at: u64,
    missed: u64,
}

impl Lost {
    /// Counts `record` lost (all it stands for, if it is itself a gap).
    pub(super) fn add(lost: &mut Option<Lost>, record: &Observation) {
        let missed = weight(record);
        match lost {
            Some(lost) => lost.missed += missed,
            None => *lost = Some(Lost { seq: record.seq, at: record.at, missed }),
        }
    }

    pub(super) fn gap(self) -> Observation {
        gap(self.seq, self.at, self.missed)
    }
}

/// What the bus reader has seen: the last record and any lag not yet reported.
#[derive(Debug, Default)]
pub(super) struct BusLag {
    last: Option<(u64, u64)>,
    missed: u64,
}

impl BusLag {
    pub(super) fn lagged(&mut self, missed: u64) {
        self.missed += missed;
    }

    /// The gap to record before `next`, if the bus lagged since the last record.
    pub(super) fn before(&mut self, next: &Observation) -> Option<Observation> {
        self.last = Some((next.seq, next.at));
        let missed = std::mem::take(&mut self.missed);
        (missed > 0).then(|| gap(next.seq.saturating_sub(1), next.at, missed))
    }

    /// The gap to record when the bus closed after lagging.
    pub(super) fn at_close(&mut self) -> Option<Observation> {
        let missed = std::mem::take(&mut self.missed);
        let (seq, at) = match self.last {
            Some((seq, at)) => (seq + 1, at.max(now_ms())),
            None => (0, now_ms()),
        };
        (missed > 0).then(|| gap(seq, at, missed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(seq: u64, at: u64) -> Observation {
        let mut record = Observation::new(Origin::Client, Detail::Unsubscribed);
        (record.seq, record.at) = (seq, at);
        record
    }

    #[test]
    fn bus_gap_sits_just_before_the_next_record() {
        let mut lag = BusLag::default();
        assert_eq!(lag.before(&record(4, 40)), None);
        lag.lagged(3);
        lag.lagged(2);
        assert_eq!(lag.before(&record(10, 100)), Some(gap(9, 100, 5)));
        assert_eq!(lag.before(&record(11, 110)), None);
        assert_eq!(lag.at_close(), None);
    }

    #[test]
    fn bus_gap_at_close_follows_the_last_record() {
        let mut lag = BusLag::default();
        lag.before(&record(7, u64::MAX / 2));
        lag.lagged(4);
        assert_eq!(lag.at_close(), Some(gap(8, u64::MAX / 2, 4)));
    }

    #[test]
    fn lost_records_accumulate_from_the_first() {
        let mut lost = None;
        Lost::add(&mut lost, &record(5, 50));
        Lost::add(&mut lost, &gap(6, 60, 30));
        Lost::add(&mut lost, &record(7, 70));
        assert_eq!(lost.map(Lost::gap), Some(gap(5, 50, 32)), "a lost gap carries its count");
    }
}
