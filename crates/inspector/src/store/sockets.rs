//! Socket ids stored once per connection: a delivery record lists every connection it reached,
//! and at 1,000 subscribers writing each one's socket id with it was most of what recording
//! cost. Stored deliveries name connections by number only; reading fills the ids back in.

use std::borrow::Cow;
use std::collections::hash_map::Entry;

use rusqlite::{params, Connection, Transaction};
use switchboard_engine::conn_map::ConnMap;
use switchboard_engine::observation::Target;
use switchboard_engine::{ConnId, Detail, Observation};
use switchboard_proto::SocketId;

use super::conn_runs::{self, Run};
use super::{SessionId, StoreError};
use crate::socket_book::{self, SocketBook};

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

    /// The names of a session that starts now: every connection open (in `book`) is stored
    /// for it, as deliveries name their targets by number only.
    pub(super) fn seeded(
        tx: &Transaction<'_>,
        session: SessionId,
        book: &SocketBook,
    ) -> Result<Self, StoreError> {
        let mut seeded = Self { session, names: ConnMap::default() };
        for (conn, socket) in book.iter() {
            seeded.learn(tx, conn, socket)?;
        }
        Ok(seeded)
    }

    /// `record` as stored, learning (in `tx`) the names it brings that are not known yet: a
    /// delivery's targets lose the socket ids known here, and its reached connections
    /// become runs when they are all plain (`conn_runs.rs`). A connection keeps the first id
    /// seen for it; a record naming another id keeps that id in its own JSON. Targets without
    /// an id (as the hub sends them) need no lookup: every open connection is named in the
    /// session, by the record that opened it or when the session started (`seeded`).
    pub(super) fn stored<'a>(
        &mut self,
        tx: &Transaction<'_>,
        record: &'a Observation,
        book: &mut SocketBook,
    ) -> Result<(Cow<'a, Observation>, Option<Vec<Run>>), StoreError> {
        book.learn(record);
        let stored = self.stored_in(tx, record);
        book.forget_closed(record);
        stored
    }

    fn stored_in<'a>(
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
        let (reached, runs) = self.stored_reached(tx, reached)?;
        let skipped = self.strip(tx, skipped)?;
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

    /// A delivery's reached targets as stored: as runs when each is plain once its known id is
    /// left out (the usual fan-out, in one pass), otherwise as [`Self::strip`] leaves them.
    fn stored_reached(
        &mut self,
        tx: &Transaction<'_>,
        targets: &[Target],
    ) -> Result<(Vec<Target>, Option<Vec<Run>>), StoreError> {
        if targets.len() >= 2 {
            let mut conns = Vec::with_capacity(targets.len());
            for target in targets {
                if target.reason.is_some() || !self.is_known(tx, target)? {
                    return Ok((self.strip(tx, targets)?, None));
                }
                conns.push(target.conn.0);
            }
            return Ok((Vec::new(), Some(conn_runs::runs_of(conns))));
        }
        Ok((self.strip(tx, targets)?, None))
    }

    /// Whether `target` is stored without a socket id: it has none, or the one known for it.
    fn is_known(&mut self, tx: &Transaction<'_>, target: &Target) -> Result<bool, StoreError> {
        match &target.socket {
            Some(socket) => Ok(self.learn(tx, target.conn, socket)?.same_as(socket)),
            None => Ok(true),
        }
    }

    /// The targets as stored: without the socket ids known (or learned now) for them.
    fn strip(
        &mut self,
        tx: &Transaction<'_>,
        targets: &[Target],
    ) -> Result<Vec<Target>, StoreError> {
        let mut stored = Vec::with_capacity(targets.len());
        for target in targets {
            let known = self.is_known(tx, target)?;
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
        let session = self.session;
        match self.names.entry(conn) {
            Entry::Occupied(known) => Ok(known.into_mut()),
            Entry::Vacant(unknown) => {
                tx.prepare_cached(
                    "INSERT OR IGNORE INTO sockets (session_id, conn, socket) VALUES (?1, ?2, ?3)",
                )?
                .execute(params![session.0, conn.0, socket.as_str()])?;
                Ok(unknown.insert(socket.clone()))
            }
        }
    }

    /// Fills in the socket ids of a stored delivery's targets.
    pub(super) fn fill(&self, record: &mut Observation) {
        socket_book::name_targets(record, &self.names);
    }
}
