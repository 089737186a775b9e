//! Socket ids stored once per connection: a delivery record lists every connection it reached,
//! and at 1,000 subscribers writing each one's socket id with it was most of what recording
//! cost. Stored deliveries name connections by number only; reading fills the ids back in.

use std::borrow::Cow;

use rusqlite::{params, Connection, Transaction};
use switchboard_engine::conn_map::ConnMap;
use switchboard_engine::observation::Target;
use switchboard_engine::{ConnId, Detail, Observation};
use switchboard_proto::SocketId;

use super::conn_runs::{self, Run};
use super::{SessionId, StoreError};

/// The socket ids of one session's connections, as the `sockets` table holds them.
#[derive(Debug, Clone)]
pub(super) struct SocketNames {
    session: SessionId,
    names: ConnMap<SocketId>,
}

impl SocketNames {
    /// The names stored for `session` so far.
    pub(super) fn load(conn: &Connection, session: SessionId) -> Result<Self, StoreError> {
        let mut statement =
            conn.prepare_cached("SELECT conn, socket FROM sockets WHERE session_id = ?1")?;
        let rows = statement.query_map([session.0], |row| {
            let socket: String = row.get(1)?;
            Ok((ConnId(row.get(0)?), socket))
        })?;
        let mut names = ConnMap::default();
        for row in rows {
            let (conn, socket) = row?;
            // A row that is not a socket id cannot have been written here; leave it unnamed.
            if let Ok(socket) = SocketId::parse(&socket) {
                names.insert(conn, socket);
            }
        }
        Ok(Self { session, names })
    }

    pub(super) fn session(&self) -> SessionId {
        self.session
    }

    /// `record` as stored, learning (in `tx`) the names it brings that are not known yet: a
    /// delivery's targets lose the socket ids known here, and its reached connections
    /// become runs when they are all plain (`conn_runs.rs`). A connection keeps the first id
    /// seen for it; a record naming another id keeps that id in its own JSON.
    pub(super) fn stored<'a>(
        &mut self,
        tx: &Transaction<'_>,
        record: &'a Observation,
    ) -> Result<(Cow<'a, Observation>, Option<Vec<Run>>), StoreError> {
        if let (Some(conn), Some(socket)) = (record.conn, &record.socket) {
            self.learn(tx, conn, socket)?;
        }
        let Detail::Delivery { raw, reached, skipped, not_subscribed_more } = &record.detail else {
            return Ok((Cow::Borrowed(record), None));
        };
        let (mut reached, skipped) = (self.strip(tx, reached)?, self.strip(tx, skipped)?);
        let runs = conn_runs::runs_of(&reached);
        if runs.is_some() {
            reached.clear();
        }
        let not_subscribed_more = *not_subscribed_more;
        let detail = Detail::Delivery { raw: raw.clone(), reached, skipped, not_subscribed_more };
        let stored = Observation {
            seq: record.seq,
            at: record.at,
            app: record.app.clone(),
            origin: record.origin,
            conn: record.conn,
            socket: record.socket.clone(),
            channel: record.channel.clone(),
            event: record.event.clone(),
            user: record.user.clone(),
            cause: record.cause,
            detail,
        };
        Ok((Cow::Owned(stored), runs))
    }

    /// The targets as stored: without the socket ids known (or learned now) for them.
    fn strip(
        &mut self,
        tx: &Transaction<'_>,
        targets: &[Target],
    ) -> Result<Vec<Target>, StoreError> {
        let mut stored = Vec::with_capacity(targets.len());
        for target in targets {
            let known = match &target.socket {
                Some(socket) => self.learn(tx, target.conn, socket)? == socket,
                None => false,
            };
            let socket = if known { None } else { target.socket.clone() };
            stored.push(Target { conn: target.conn, socket, reason: target.reason });
        }
        Ok(stored)
    }

    /// The id stored for `conn`, storing `socket` as it if it has none yet.
    fn learn(
        &mut self,
        tx: &Transaction<'_>,
        conn: ConnId,
        socket: &SocketId,
    ) -> Result<&SocketId, StoreError> {
        if !self.names.contains_key(&conn) {
            tx.prepare_cached(
                "INSERT OR IGNORE INTO sockets (session_id, conn, socket) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![self.session.0, conn.0, socket.as_str()])?;
            self.names.insert(conn, socket.clone());
        }
        Ok(&self.names[&conn])
    }

    /// Fills in the socket ids of a stored delivery's targets.
    pub(super) fn fill(&self, record: &mut Observation) {
        for target in targets_mut(record) {
            if target.socket.is_none() {
                target.socket = self.names.get(&target.conn).cloned();
            }
        }
    }
}

fn targets_mut(record: &mut Observation) -> impl Iterator<Item = &mut Target> {
    let lists = match &mut record.detail {
        Detail::Delivery { reached, skipped, .. } => {
            Some(reached.iter_mut().chain(skipped.iter_mut()))
        }
        _ => None,
    };
    lists.into_iter().flatten()
}
