//! `RecorderHandle`: the cheap, cloneable way to talk to a running recorder.
//!
//! Requests that must line up with the stream (flush, start, stop, shutdown) go through the
//! reader task, which first takes everything already published; the others go straight to
//! the writer thread, which answers in order after the batches it already holds.

use std::sync::Arc;

use switchboard_engine::Observation;
use tokio::sync::{broadcast, mpsc, oneshot};

use super::reader::Command;
use super::writer::{PageRequest, Reply, Request, WriterMsg};
use super::{LiveBatch, Predicate, RecorderError};
use crate::store::{Cursor, Page, SessionId, SessionInfo};

#[derive(Clone)]
pub struct RecorderHandle {
    pub(super) commands: mpsc::Sender<Command>,
    /// `None` when recording to memory only.
    pub(super) writer: Option<mpsc::UnboundedSender<WriterMsg>>,
    /// Weak, so subscribers see the feed close when the recorder stops.
    pub(super) live: broadcast::WeakSender<LiveBatch>,
}

impl std::fmt::Debug for RecorderHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RecorderHandle").field("to_disk", &self.writer.is_some()).finish()
    }
}

impl RecorderHandle {
    /// Live batches (about one per `batch_interval`, ascending by `seq`) from now on. A
    /// subscriber that falls behind gets `RecvError::Lagged(batches_missed)`, then carries on.
    pub fn subscribe(&self) -> Result<broadcast::Receiver<LiveBatch>, RecorderError> {
        self.live.upgrade().map(|live| live.subscribe()).ok_or(RecorderError::Stopped)
    }

    /// The newest `limit` records in the ring (at most `MAX_PAGE_LIMIT`) before
    /// `before_seq` that `predicate` accepts, ascending by `seq`.
    pub async fn recent(
        &self,
        predicate: Option<Predicate>,
        limit: usize,
        before_seq: Option<u64>,
    ) -> Result<Vec<Arc<Observation>>, RecorderError> {
        let (reply, answer) = oneshot::channel();
        let command = Command::Recent { predicate, limit, before: before_seq, reply };
        self.commands.send(command).await.map_err(|_| RecorderError::Stopped)?;
        answer.await.map_err(|_| RecorderError::Stopped)
    }

    /// The session being recorded; `None` when paused or recording to memory only.
    pub async fn current_session(&self) -> Result<Option<SessionInfo>, RecorderError> {
        if self.writer.is_none() {
            return Ok(None);
        }
        self.direct(|reply| Request::Current { reply }).await
    }

    /// Ends the current session (if any) and records from now on into a new one; `None`
    /// names it after its start time.
    pub async fn start_session(&self, name: Option<String>) -> Result<SessionInfo, RecorderError> {
        self.ordered(|reply| Request::StartSession { name, reply }).await
    }

    /// Pauses recording to disk (the ring and the live feed carry on); returns the ended
    /// session.
    pub async fn stop(&self) -> Result<Option<SessionInfo>, RecorderError> {
        self.ordered(|reply| Request::Stop { reply }).await
    }

    pub async fn rename(&self, id: SessionId, name: String) -> Result<SessionInfo, RecorderError> {
        self.direct(|reply| Request::Rename { id, name, reply }).await
    }

    /// Deletes an ended session and its records; the current session must be stopped first.
    pub async fn delete(&self, id: SessionId) -> Result<(), RecorderError> {
        self.direct(|reply| Request::Delete { id, reply }).await
    }

    /// Every session, newest first.
    pub async fn sessions(&self) -> Result<Vec<SessionInfo>, RecorderError> {
        self.direct(|reply| Request::Sessions { reply }).await
    }

    pub async fn session(&self, id: SessionId) -> Result<SessionInfo, RecorderError> {
        self.direct(|reply| Request::Session { id, reply }).await
    }

    /// A page of a session's records; see `Store::query`.
    pub async fn query(
        &self,
        session: SessionId,
        cursor: Cursor,
        limit: usize,
        predicate: Option<Predicate>,
    ) -> Result<Page, RecorderError> {
        let page = PageRequest { cursor, limit, predicate };
        self.direct(|reply| Request::Query { session, page, reply }).await
    }

    /// The records of `session` with these seqs; see `Store::records_by_seqs`.
    pub async fn records_by_seqs(
        &self,
        session: SessionId,
        seqs: Vec<u64>,
    ) -> Result<Vec<Observation>, RecorderError> {
        self.direct(|reply| Request::BySeqs { session, seqs, reply }).await
    }

    /// Stores an imported session; see `Store::import_session`.
    pub async fn import(
        &self,
        meta: SessionInfo,
        records: Vec<Observation>,
    ) -> Result<SessionInfo, RecorderError> {
        let meta = Box::new(meta);
        self.direct(|reply| Request::Import { meta, records, reply }).await
    }

    /// Resolves once everything published on the bus before this call is on disk (and has
    /// gone out on the live feed).
    pub async fn flush(&self) -> Result<(), RecorderError> {
        self.ordered(|reply| Request::Flush { reply }).await
    }

    /// Flushes, ends the current session and stops the recorder; returns the ended session.
    /// Later calls on any handle fail with `RecorderError::Stopped`.
    pub async fn shutdown(&self) -> Result<Option<SessionInfo>, RecorderError> {
        self.ordered(|reply| Request::Shutdown { reply }).await
    }

    async fn ordered<T>(
        &self,
        request: impl FnOnce(Reply<T>) -> Request,
    ) -> Result<T, RecorderError> {
        let (reply, answer) = oneshot::channel();
        let command = Command::Ordered(request(reply));
        self.commands.send(command).await.map_err(|_| RecorderError::Stopped)?;
        answer.await.map_err(|_| RecorderError::Stopped)?
    }

    async fn direct<T>(
        &self,
        request: impl FnOnce(Reply<T>) -> Request,
    ) -> Result<T, RecorderError> {
        let writer = self.writer.as_ref().ok_or(RecorderError::NoStore)?;
        let (reply, answer) = oneshot::channel();
        writer.send(WriterMsg::Request(request(reply))).map_err(|_| RecorderError::Stopped)?;
        answer.await.map_err(|_| RecorderError::Stopped)?
    }
}
