//! The bus reader task: drains the observation bus, owns the ring buffer, feeds the writer
//! and fans batches out to live subscribers every tick.
//!
//! It never awaits anything but its inputs, so it keeps pace with the bus as long as it gets
//! CPU; when it does not, the bus's `Lagged(n)` becomes a gap record.

use std::ops::ControlFlow;
use std::sync::Arc;
use std::time::Duration;

use switchboard_engine::{ConnId, Observation};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{broadcast, mpsc, oneshot};
use tokio::time::MissedTickBehavior;

use super::feed::WriterFeed;
use super::gap::BusLag;
use super::ring::Ring;
use super::writer::Request;
use super::{LiveBatch, Predicate};
use crate::socket_book::{self, SocketBook};

/// Records taken from the bus in one go before looking at commands and ticks again.
const DRAIN_MAX: usize = 1_024;

/// Records in one live batch, at most; a fuller batch goes out before the tick.
const LIVE_BATCH_MAX: usize = 4_096;

/// What the handle asks of the task.
pub(super) enum Command {
    Recent {
        predicate: Option<Predicate>,
        limit: usize,
        before: Option<u64>,
        reply: oneshot::Sender<Vec<Arc<Observation>>>,
    },
    /// Take everything already on the bus, hand it to the writer, then the request; so the
    /// request applies exactly after what was published before it was made.
    Ordered(Request),
}

pub(super) struct Reader {
    /// `None` once the bus has closed.
    pub bus: Option<broadcast::Receiver<Arc<Observation>>>,
    pub commands: mpsc::Receiver<Command>,
    pub ring: Ring,
    /// The socket ids of the connections records in the ring may name.
    pub book: SocketBook,
    /// Connections whose close record has left the ring: forgotten once the pending live
    /// batch, which may still name them, has gone out.
    pub evicted_closes: Vec<ConnId>,
    pub live: broadcast::Sender<LiveBatch>,
    pub live_pending: Vec<Arc<Observation>>,
    /// `None` when recording to memory only.
    pub feed: Option<WriterFeed>,
    pub lag: BusLag,
    pub interval: Duration,
}

impl Reader {
    pub(super) async fn run(mut self) {
        let mut tick = tokio::time::interval(self.interval);
        tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut commands_open = true;
        while commands_open || self.bus.is_some() {
            tokio::select! {
                biased;
                command = self.commands.recv(), if commands_open => match command {
                    Some(command) => {
                        if self.command(command).is_break() {
                            return;
                        }
                    }
                    None => commands_open = false,
                },
                received = next(&mut self.bus), if self.bus.is_some() => {
                    self.received(received);
                    self.drain(DRAIN_MAX);
                }
                _ = tick.tick() => self.tick(),
            }
        }
        self.tick();
        if let Some(feed) = &mut self.feed {
            feed.flush();
        }
    }

    fn command(&mut self, command: Command) -> ControlFlow<()> {
        match command {
            Command::Recent { predicate, limit, before, reply } => {
                let named = |record: &Arc<Observation>| self.book.named(record);
                let _ = reply.send(self.ring.recent(predicate.as_ref(), limit, before, named));
                ControlFlow::Continue(())
            }
            Command::Ordered(request) => self.ordered(request),
        }
    }

    fn ordered(&mut self, request: Request) -> ControlFlow<()> {
        let shutdown = matches!(request, Request::Shutdown { .. });
        let backlog = self.bus.as_ref().map_or(0, broadcast::Receiver::len);
        self.drain(backlog);
        self.publish_live();
        match &mut self.feed {
            Some(feed) => feed.forward(request),
            None => request.answer_without_store(),
        }
        if shutdown {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    }

    /// Takes up to `budget` records already waiting on the bus.
    fn drain(&mut self, budget: usize) {
        for _ in 0..budget {
            let Some(bus) = &mut self.bus else { return };
            match bus.try_recv() {
                Ok(record) => self.received(Ok(record)),
                Err(TryRecvError::Lagged(missed)) => self.received(Err(RecvError::Lagged(missed))),
                Err(TryRecvError::Closed) => self.received(Err(RecvError::Closed)),
                Err(TryRecvError::Empty) => return,
            }
        }
    }

    fn received(&mut self, received: Result<Arc<Observation>, RecvError>) {
        match received {
            Ok(record) => {
                if let Some(gap) = self.lag.before(&record) {
                    self.keep(Arc::new(gap));
                }
                self.keep(record);
            }
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(missed, "the recorder fell behind the observation bus");
                self.lag.lagged(missed);
            }
            Err(RecvError::Closed) => {
                self.bus = None;
                if let Some(gap) = self.lag.at_close() {
                    self.keep(Arc::new(gap));
                }
            }
        }
    }

    /// One record, to the disk path, the live feed and the ring.
    fn keep(&mut self, record: Arc<Observation>) {
        if let Some(feed) = &mut self.feed {
            feed.push(&record);
        }
        self.book.learn(&record);
        self.live_pending.push(Arc::clone(&record));
        let evicted_closes = &mut self.evicted_closes;
        self.ring.push(record, |old| evicted_closes.extend(socket_book::closed_by(old)));
        if self.live_pending.len() >= LIVE_BATCH_MAX {
            self.publish_live();
        }
    }

    fn tick(&mut self) {
        self.publish_live();
        if let Some(feed) = &mut self.feed {
            feed.send();
        }
    }

    /// Sends the pending live batch; a subscriber that falls `live_capacity` batches behind
    /// gets `Lagged(batches)` from its receiver.
    ///
    /// Records go out with their delivery targets named (`socket_book`); a connection whose
    /// close has left the ring is forgotten only after that, as nothing pending names it then.
    fn publish_live(&mut self) {
        let pending = std::mem::take(&mut self.live_pending);
        if !pending.is_empty() && self.live.receiver_count() > 0 {
            let batch: LiveBatch = pending.iter().map(|record| self.book.named(record)).collect();
            // An error only means the last subscriber has just gone.
            let _ = self.live.send(batch);
        }
        for conn in self.evicted_closes.drain(..) {
            self.book.forget(conn);
        }
    }
}

/// The next bus message; never resolves without a bus (that branch is disabled then).
async fn next(
    bus: &mut Option<broadcast::Receiver<Arc<Observation>>>,
) -> Result<Arc<Observation>, RecvError> {
    match bus {
        Some(bus) => bus.recv().await,
        None => std::future::pending().await,
    }
}
