//! The reader task's side of the disk path: batches records for the writer thread and
//! bounds what the writer may owe.
//!
//! The bound is counted in records (`in_flight`, shared with the writer, which subtracts
//! what it has written) rather than in channel slots, so memory stays bounded however the
//! batches are cut. When the writer owes `backlog` records, new records are dropped here and
//! counted; the next record accepted is preceded by a gap saying how many. The reader never
//! waits on the writer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use switchboard_engine::Observation;
use tokio::sync::mpsc;

use super::gap::Lost;
use super::writer::{Request, WriterMsg};

/// Records handed to the writer at once, at most (a batch is also sent every tick).
const WRITE_BATCH: usize = 4_096;

pub(super) struct WriterFeed {
    sender: mpsc::UnboundedSender<WriterMsg>,
    /// An atomic counter rather than a lock: the reader adds, the writer subtracts, and
    /// neither ever waits for the other.
    in_flight: Arc<AtomicUsize>,
    backlog: usize,
    pending: Vec<Arc<Observation>>,
    dropped: Option<Lost>,
    writer_gone: bool,
}

impl WriterFeed {
    pub(super) fn new(
        sender: mpsc::UnboundedSender<WriterMsg>,
        in_flight: Arc<AtomicUsize>,
        backlog: usize,
    ) -> Self {
        Self { sender, in_flight, backlog, pending: Vec::new(), dropped: None, writer_gone: false }
    }

    /// Queues a record for the disk, or counts it lost when the writer owes too much.
    pub(super) fn push(&mut self, record: &Arc<Observation>) {
        let owed = self.in_flight.load(Ordering::Acquire) + self.pending.len();
        if owed >= self.backlog {
            Lost::add(&mut self.dropped, record);
            return;
        }
        if let Some(lost) = self.dropped.take() {
            self.pending.push(Arc::new(lost.gap()));
        }
        self.pending.push(Arc::clone(record));
        if self.pending.len() >= WRITE_BATCH {
            self.send();
        }
    }

    /// Hands the pending batch to the writer.
    pub(super) fn send(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let batch = std::mem::take(&mut self.pending);
        let count = batch.len();
        self.in_flight.fetch_add(count, Ordering::AcqRel);
        if self.sender.send(WriterMsg::Batch(batch)).is_err() {
            self.in_flight.fetch_sub(count, Ordering::AcqRel);
            if !std::mem::replace(&mut self.writer_gone, true) {
                tracing::error!("the recorder's writer thread has stopped; not recording to disk");
            }
        }
    }

    /// Sends everything pending, reporting any loss now rather than with the next record.
    pub(super) fn flush(&mut self) {
        if let Some(lost) = self.dropped.take() {
            self.pending.push(Arc::new(lost.gap()));
        }
        self.send();
    }

    /// Hands a request to the writer after everything pending. A request the writer can no
    /// longer take is dropped, which its caller sees as `RecorderError::Stopped`.
    pub(super) fn forward(&mut self, request: Request) {
        self.flush();
        let _ = self.sender.send(WriterMsg::Request(request));
    }
}

#[cfg(test)]
mod tests {
    use switchboard_engine::{Detail, Origin};

    use super::*;
    use crate::recorder::gap::gap;

    fn record(seq: u64) -> Arc<Observation> {
        let mut record = Observation::new(Origin::Client, Detail::Unsubscribed);
        (record.seq, record.at) = (seq, seq * 10);
        Arc::new(record)
    }

    fn received(receiver: &mut mpsc::UnboundedReceiver<WriterMsg>) -> Vec<Observation> {
        let mut records = Vec::new();
        while let Ok(message) = receiver.try_recv() {
            if let WriterMsg::Batch(batch) = message {
                records.extend(batch.iter().map(|record| (**record).clone()));
            }
        }
        records
    }

    #[test]
    fn a_full_backlog_drops_and_reports_a_gap() {
        let (sender, mut receiver) = mpsc::unbounded_channel();
        let in_flight = Arc::new(AtomicUsize::new(0));
        let mut feed = WriterFeed::new(sender, Arc::clone(&in_flight), 4);
        for seq in 0..10 {
            feed.push(&record(seq));
        }
        feed.send();
        assert_eq!(in_flight.load(Ordering::Acquire), 4);
        let first: Vec<_> = received(&mut receiver).iter().map(|record| record.seq).collect();
        assert_eq!(first, [0, 1, 2, 3]);

        in_flight.store(0, Ordering::Release); // the writer caught up
        feed.push(&record(10));
        feed.send();
        assert_eq!(received(&mut receiver), [gap(4, 40, 6), (*record(10)).clone()]);
    }

    #[test]
    fn flush_reports_a_loss_without_waiting_for_another_record() {
        let (sender, mut receiver) = mpsc::unbounded_channel();
        let mut feed = WriterFeed::new(sender, Arc::new(AtomicUsize::new(0)), 1);
        feed.push(&record(0));
        feed.push(&record(1));
        feed.push(&record(2));
        feed.flush();
        assert_eq!(received(&mut receiver), [(*record(0)).clone(), gap(1, 10, 2)]);
    }
}
