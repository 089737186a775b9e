//! Socket ids stored once per connection: a delivery record lists every connection it reached,
//! and at 1,000 subscribers writing each one's socket id with it was most of what recording
//! cost. Stored deliveries name connections by number only; reading fills the ids back in.

use std::borrow::Cow;
use std::collections::HashMap;

use rusqlite::{params, Connection, Transaction};
use switchboard_engine::observation::Target;
use switchboard_engine::{ConnId, Detail, Observation};
use switchboard_proto::SocketId;

use super::{SessionId, StoreError};

/// The socket ids of one session's connections, as the `sockets` table holds them.
#[derive(Debug, Clone)]
pub(super) struct SocketNames {
    session: SessionId,
    names: HashMap<ConnId, SocketId>,
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
        let mut names = HashMap::new();
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

    /// Stores (in `tx`) the names `record` brings that are not known yet. A connection keeps
    /// the first id seen for it; a record naming another id keeps that id in its own JSON.
    pub(super) fn learn(
        &mut self,
        tx: &Transaction<'_>,
        record: &Observation,
    ) -> Result<(), StoreError> {
        let own = record.conn.zip(record.socket.as_ref());
        let targets = targets(record).filter_map(|t| t.socket.as_ref().map(|s| (t.conn, s)));
        for (conn, socket) in own.into_iter().chain(targets) {
            if self.names.contains_key(&conn) {
                continue;
            }
            tx.prepare_cached(
                "INSERT OR IGNORE INTO sockets (session_id, conn, socket) VALUES (?1, ?2, ?3)",
            )?
            .execute(params![self.session.0, conn.0, socket.as_str()])?;
            self.names.insert(conn, socket.clone());
        }
        Ok(())
    }

    /// `record` as stored: a delivery's targets without the socket ids known here.
    pub(super) fn compact<'a>(&self, record: &'a Observation) -> Cow<'a, Observation> {
        if !targets(record).any(|target| self.knows(target)) {
            return Cow::Borrowed(record);
        }
        let mut stored = record.clone();
        for target in targets_mut(&mut stored) {
            if self.knows(target) {
                target.socket = None;
            }
        }
        Cow::Owned(stored)
    }

    /// Fills in the socket ids of a stored delivery's targets.
    pub(super) fn fill(&self, record: &mut Observation) {
        for target in targets_mut(record) {
            if target.socket.is_none() {
                target.socket = self.names.get(&target.conn).cloned();
            }
        }
    }

    /// Whether `target` names its socket by the id stored for its connection.
    fn knows(&self, target: &Target) -> bool {
        target.socket.is_some() && self.names.get(&target.conn) == target.socket.as_ref()
    }
}

fn targets(record: &Observation) -> impl Iterator<Item = &Target> {
    let lists = match &record.detail {
        Detail::Delivery { reached, skipped, .. } => Some(reached.iter().chain(skipped.iter())),
        _ => None,
    };
    lists.into_iter().flatten()
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
