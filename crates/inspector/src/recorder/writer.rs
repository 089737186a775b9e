//! The writer thread: the one owner of the SQLite connection.
//!
//! It takes batches and requests from one ordered channel, so a request sent after a batch
//! sees that batch on disk. Consecutive batches are coalesced into one transaction (up to
//! `COALESCE_MAX` records) when the writer is behind. It never touches the bus: the reader
//! task hands it batches and counts what it cannot take.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use switchboard_engine::Observation;
use tokio::sync::{mpsc, oneshot};

use super::gap::{now_ms, Lost};
use super::{Predicate, RecorderError};
use crate::store::{Cursor, Matcher, Page, Retention, SessionId, SessionInfo, Store};

/// The most records written in one transaction.
const COALESCE_MAX: usize = 16_384;

pub(super) type Reply<T> = oneshot::Sender<Result<T, RecorderError>>;

/// What travels to the writer thread, in order.
pub(super) enum WriterMsg {
    Batch(Vec<Arc<Observation>>),
    Request(Request),
}

/// A request for the writer; each carries where its answer goes.
pub(super) enum Request {
    StartSession { name: Option<String>, reply: Reply<SessionInfo> },
    Stop { reply: Reply<Option<SessionInfo>> },
    Current { reply: Reply<Option<SessionInfo>> },
    Sessions { reply: Reply<Vec<SessionInfo>> },
    Session { id: SessionId, reply: Reply<SessionInfo> },
    Rename { id: SessionId, name: String, reply: Reply<SessionInfo> },
    Delete { id: SessionId, reply: Reply<()> },
    Query { session: SessionId, page: PageRequest, reply: Reply<Page> },
    BySeqs { session: SessionId, seqs: Vec<u64>, reply: Reply<Vec<Observation>> },
    Import { meta: Box<SessionInfo>, records: Vec<Observation>, reply: Reply<SessionInfo> },
    Flush { reply: Reply<()> },
    Shutdown { reply: Reply<Option<SessionInfo>> },
}

/// A page query's parameters.
pub(super) struct PageRequest {
    pub cursor: Cursor,
    pub limit: usize,
    pub predicate: Option<Predicate>,
}

impl Request {
    /// Answers the request when there is no store: flushing, stopping and shutting down have
    /// nothing to do; everything else needs a store.
    pub(super) fn answer_without_store(self) {
        match self {
            Self::Flush { reply } => answer(reply, Ok(())),
            Self::Shutdown { reply } | Self::Stop { reply } | Self::Current { reply } => {
                answer(reply, Ok(None));
            }
            Self::StartSession { reply, .. }
            | Self::Session { reply, .. }
            | Self::Rename { reply, .. }
            | Self::Import { reply, .. } => answer(reply, Err(RecorderError::NoStore)),
            Self::Sessions { reply } => answer(reply, Err(RecorderError::NoStore)),
            Self::Delete { reply, .. } => answer(reply, Err(RecorderError::NoStore)),
            Self::Query { reply, .. } => answer(reply, Err(RecorderError::NoStore)),
            Self::BySeqs { reply, .. } => answer(reply, Err(RecorderError::NoStore)),
        }
    }
}

/// Sends an answer; a caller that stopped waiting does not need it.
fn answer<T>(reply: Reply<T>, result: Result<T, RecorderError>) {
    let _ = reply.send(result);
}

/// How the writer starts.
pub(super) struct Startup {
    pub session_name: Option<String>,
    pub record_at_start: bool,
    pub retention: Retention,
}

/// Starts the writer thread around `store`; returns once it has recovered unfinished
/// sessions, applied retention and (if asked) started a session.
pub(super) async fn spawn(
    store: Store,
    startup: Startup,
    in_flight: Arc<AtomicUsize>,
) -> Result<mpsc::UnboundedSender<WriterMsg>, RecorderError> {
    let (sender, receiver) = mpsc::unbounded_channel();
    let (ready, started) = oneshot::channel();
    let writer =
        Writer { store, session: None, retention: startup.retention, in_flight, failed: None };
    std::thread::Builder::new()
        .name("switchboard-recorder".to_owned())
        .spawn(move || {
            yield_to_delivery();
            writer.run_thread(&startup, ready, receiver);
        })
        .map_err(RecorderError::Spawn)?;
    started.await.map_err(|_| RecorderError::Stopped)??;
    Ok(sender)
}

/// The recorder is background work: on Linux its thread runs at a lower priority (nice 5,
/// about a third of a normal thread's share when both want the core), so writing records
/// never delays a delivery, yet keeps up under load.
fn yield_to_delivery() {
    #[cfg(target_os = "linux")]
    if let Err(error) = rustix::process::setpriority_process(None, RECORDER_NICE) {
        tracing::debug!(%error, "the recorder thread keeps its priority");
    }
}

/// The recorder thread's niceness (Linux: a per-thread setting).
#[cfg(target_os = "linux")]
const RECORDER_NICE: i32 = 5;

impl Writer {
    fn run_thread(
        mut self,
        startup: &Startup,
        ready: oneshot::Sender<Result<(), RecorderError>>,
        receiver: mpsc::UnboundedReceiver<WriterMsg>,
    ) {
        match self.start_up(startup) {
            Ok(()) => {
                let _ = ready.send(Ok(()));
                self.run(receiver);
            }
            Err(error) => {
                let _ = ready.send(Err(error));
            }
        }
    }
}

struct Writer {
    store: Store,
    /// The session being recorded, if any.
    session: Option<SessionId>,
    retention: Retention,
    /// Records handed over by the reader and not yet written (the reader's backlog bound).
    in_flight: Arc<AtomicUsize>,
    /// Records a failed write lost, reported as a gap with the next write.
    failed: Option<Lost>,
}

impl Writer {
    fn start_up(&mut self, startup: &Startup) -> Result<(), RecorderError> {
        let closed = self.store.close_unfinished_sessions()?;
        if !closed.is_empty() {
            tracing::info!(?closed, "ended sessions left open by an earlier crash");
        }
        if startup.record_at_start {
            self.start_session(startup.session_name.as_deref())?;
        } else {
            self.retain();
        }
        Ok(())
    }

    fn run(mut self, mut receiver: mpsc::UnboundedReceiver<WriterMsg>) {
        let mut stashed = None;
        while let Some(message) = stashed.take().or_else(|| receiver.blocking_recv()) {
            match message {
                WriterMsg::Batch(mut batch) => {
                    while batch.len() < COALESCE_MAX {
                        match receiver.try_recv() {
                            Ok(WriterMsg::Batch(more)) => batch.extend(more),
                            Ok(request) => {
                                stashed = Some(request);
                                break;
                            }
                            Err(_) => break,
                        }
                    }
                    self.write(batch);
                }
                WriterMsg::Request(request) => {
                    if let ControlFlow::Break(reply) = self.handle(request) {
                        let ended = self.end_session();
                        drop(self);
                        answer(reply, ended);
                        return;
                    }
                }
            }
        }
        // Every sender is gone: the recorder was dropped without `shutdown`.
        if let Err(error) = self.end_session() {
            tracing::warn!(%error, "could not end the session when the recorder stopped");
        }
    }

    /// Writes one batch to the current session, or lets it go when not recording.
    fn write(&mut self, batch: Vec<Arc<Observation>>) {
        let count = batch.len();
        if let Some(session) = self.session {
            let owed = self.failed.take();
            let mut records = Vec::with_capacity(count + 1);
            records.extend(owed.map(|lost| Arc::new(lost.gap())));
            records.extend(batch);
            if let Err(error) = self.store.append(session, &records) {
                tracing::error!(%error, count, "lost a batch of observations writing to disk");
                self.failed = owed;
                for record in records.iter().skip(usize::from(owed.is_some())) {
                    Lost::add(&mut self.failed, record);
                }
            }
        } else {
            self.store.pass_over(&batch);
        }
        self.in_flight.fetch_sub(count, Ordering::AcqRel);
    }

    /// One match, one function per request. `Break` carries the shutdown's reply.
    fn handle(&mut self, request: Request) -> ControlFlow<Reply<Option<SessionInfo>>> {
        match request {
            Request::StartSession { name, reply } => {
                answer(reply, self.start_session(name.as_deref()));
            }
            Request::Stop { reply } => answer(reply, self.end_session()),
            Request::Current { reply } => answer(reply, self.current()),
            Request::Sessions { reply } => answer(reply, self.store.sessions().map_err(Into::into)),
            Request::Session { id, reply } => {
                answer(reply, self.store.session(id).map_err(Into::into));
            }
            Request::Rename { id, name, reply } => {
                answer(reply, self.store.rename_session(id, &name).map_err(Into::into));
            }
            Request::Delete { id, reply } => answer(reply, self.delete(id)),
            Request::Query { session, page, reply } => answer(reply, self.query(session, &page)),
            Request::BySeqs { session, seqs, reply } => {
                answer(reply, self.store.records_by_seqs(session, &seqs).map_err(Into::into));
            }
            Request::Import { meta, records, reply } => {
                let imported = self.store.import_session(&meta, records, now_ms());
                answer(reply, imported.map_err(Into::into));
            }
            Request::Flush { reply } => answer(reply, Ok(())),
            Request::Shutdown { reply } => return ControlFlow::Break(reply),
        }
        ControlFlow::Continue(())
    }

    fn start_session(&mut self, name: Option<&str>) -> Result<SessionInfo, RecorderError> {
        self.end_session()?;
        let session = self.store.create_session(name, now_ms())?;
        self.session = Some(session.id);
        self.failed = None;
        // The new session counts towards `max_sessions`.
        self.retain();
        Ok(session)
    }

    /// Ends the current session, if any, then applies retention.
    fn end_session(&mut self) -> Result<Option<SessionInfo>, RecorderError> {
        let Some(id) = self.session.take() else {
            return Ok(None);
        };
        self.flush_failed(id);
        let ended = self.store.end_session(id, now_ms())?;
        self.retain();
        Ok(Some(ended))
    }

    /// Records the gap for a failed write before the session ends, if the disk allows.
    fn flush_failed(&mut self, id: SessionId) {
        if let Some(lost) = self.failed.take() {
            if let Err(error) = self.store.append(id, &[lost.gap()]) {
                tracing::error!(%error, "could not record the gap left by a failed write");
            }
        }
    }

    fn current(&self) -> Result<Option<SessionInfo>, RecorderError> {
        Ok(self.session.map(|id| self.store.session(id)).transpose()?)
    }

    fn delete(&mut self, id: SessionId) -> Result<(), RecorderError> {
        if self.session == Some(id) {
            return Err(RecorderError::SessionActive(id));
        }
        Ok(self.store.delete_session(id)?)
    }

    fn query(&self, session: SessionId, page: &PageRequest) -> Result<Page, RecorderError> {
        let matcher = page.predicate.as_deref().map(|predicate| predicate as Matcher<'_>);
        Ok(self.store.query(session, page.cursor, page.limit, matcher)?)
    }

    /// Housekeeping: a failure is logged, never fatal to recording.
    fn retain(&mut self) {
        match self.store.apply_retention(&self.retention, now_ms(), self.session) {
            Ok(deleted) if !deleted.is_empty() => {
                tracing::info!(?deleted, "deleted sessions beyond the retention policy");
            }
            Ok(_) => {}
            Err(error) => tracing::warn!(%error, "could not apply the retention policy"),
        }
    }
}
