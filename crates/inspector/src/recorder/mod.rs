//! The recorder: every observation from the hub's bus into a bounded live ring buffer, the
//! current SQLite session and batched live feeds.
//!
//! Three owners, no shared maps: a tokio task owns the bus receiver and the ring and cuts
//! batches; a dedicated thread owns the SQLite connection (`writer`); subscribers own their
//! feed receivers. The hub never waits on any of them: when the task falls behind the bus,
//! or the writer behind the task, the loss becomes a gap record (see `gap`).

mod feed;
mod gap;
mod handle;
mod reader;
mod ring;
mod writer;

use std::sync::atomic::AtomicUsize;
use std::sync::Arc;
use std::time::Duration;

use switchboard_engine::Observation;
use tokio::sync::{broadcast, mpsc};

pub use self::handle::RecorderHandle;
use self::reader::Reader;
use crate::socket_book::SocketBook;
use crate::store::{Retention, SessionId, Store, StoreError};

/// A filter over records, shared with the task or thread that applies it.
pub type Predicate = Arc<dyn Fn(&Observation) -> bool + Send + Sync>;

/// One live batch, ascending by `seq`.
pub type LiveBatch = Arc<[Arc<Observation>]>;

/// Requests waiting for the reader task, at most.
const COMMAND_CAPACITY: usize = 64;

/// How the recorder runs.
#[derive(Debug, Clone)]
pub struct RecorderOptions {
    /// Records kept in memory for the live view.
    pub ring_capacity: usize,
    /// How often live batches go out and pending records go to the writer.
    pub batch_interval: Duration,
    /// The first session's name; `None` names it after its start time.
    pub session_name: Option<String>,
    /// Start a session straight away (one per server start), or wait for `start_session`.
    pub record_at_start: bool,
    pub retention: Retention,
    /// Records the writer may owe before new ones are dropped (and reported as a gap). The
    /// default absorbs a burst of about 250k observations while SQLite catches up.
    pub writer_backlog: usize,
    /// Live batches a subscriber may fall behind before it is told it lagged.
    pub live_capacity: usize,
}

impl Default for RecorderOptions {
    fn default() -> Self {
        Self {
            ring_capacity: 100_000,
            batch_interval: Duration::from_millis(50),
            session_name: None,
            record_at_start: true,
            retention: Retention::default(),
            writer_backlog: 262_144,
            live_capacity: 256,
        }
    }
}

/// Why a recorder operation failed.
#[derive(Debug, thiserror::Error)]
pub enum RecorderError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("recording to disk is off (the recorder has no data directory)")]
    NoStore,
    #[error("session {0} is being recorded; stop recording before deleting it")]
    SessionActive(SessionId),
    #[error("the recorder has stopped")]
    Stopped,
    #[error("cannot start the recorder's writer thread: {0}")]
    Spawn(#[source] std::io::Error),
}

/// Starts recorders.
#[derive(Debug)]
pub struct Recorder;

impl Recorder {
    /// Starts recording `bus`. With a store, first ends sessions a crash left open, applies
    /// retention and (by default) starts a session, then returns. Must run inside a tokio
    /// runtime.
    pub async fn start(
        bus: broadcast::Receiver<Arc<Observation>>,
        store: Option<Store>,
        options: RecorderOptions,
    ) -> Result<RecorderHandle, RecorderError> {
        let in_flight = Arc::new(AtomicUsize::new(0));
        let writer = match store {
            Some(store) => {
                let startup = writer::Startup {
                    session_name: options.session_name,
                    record_at_start: options.record_at_start,
                    retention: options.retention,
                };
                Some(writer::spawn(store, startup, Arc::clone(&in_flight)).await?)
            }
            None => None,
        };
        let (commands, receiver) = mpsc::channel(COMMAND_CAPACITY);
        let (live, _) = broadcast::channel(options.live_capacity.max(1));
        let handle = RecorderHandle { commands, writer: writer.clone(), live: live.downgrade() };
        let reader = Reader {
            bus: Some(bus),
            commands: receiver,
            ring: ring::Ring::new(options.ring_capacity),
            book: SocketBook::default(),
            evicted_closes: Vec::new(),
            live,
            live_pending: Vec::new(),
            feed: writer
                .map(|sender| feed::WriterFeed::new(sender, in_flight, options.writer_backlog)),
            lag: gap::BusLag::default(),
            interval: options.batch_interval,
        };
        tokio::spawn(reader.run());
        Ok(handle)
    }
}
