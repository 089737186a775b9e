//! Socket ids for delivery targets, filled in where records are read, not where they are made.
//!
//! The hub names only a record's own connection. A fan-out to 1,000 subscribers would
//! otherwise cost 1,000 lookups and reference counts per event whether or not anyone looks.
//! The recorder's reader task names ring pages and live batches from a book of connections;
//! the store keeps one too, to store the open connections' ids when a session starts.

use std::sync::Arc;

use switchboard_engine::conn_map::{self, ConnMap};
use switchboard_engine::observation::Target;
use switchboard_engine::{ConnId, Detail, Observation};
use switchboard_proto::SocketId;

/// The socket id of each connection, learned from the records that carry one: every record
/// about a connection does, starting with the one that opens it.
#[derive(Debug, Default)]
pub(crate) struct SocketBook {
    names: ConnMap<SocketId>,
}

impl SocketBook {
    /// Learns the id `record` carries for its own connection.
    pub(crate) fn learn(&mut self, record: &Observation) {
        if let (Some(conn), Some(socket)) = (record.conn, &record.socket) {
            self.names.entry(conn).or_insert_with(|| socket.clone());
        }
    }

    /// Forgets the connection `record` closes, if it closes one.
    pub(crate) fn forget_closed(&mut self, record: &Observation) {
        if let Some(conn) = closed_by(record) {
            self.forget(conn);
        }
    }

    pub(crate) fn forget(&mut self, conn: ConnId) {
        self.names.remove(&conn);
        conn_map::shrink_if_sparse(&mut self.names);
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (ConnId, &SocketId)> {
        self.names.iter().map(|(conn, socket)| (*conn, socket))
    }

    /// `record` with its delivery targets named; the record itself when there is nothing to add.
    pub(crate) fn named(&self, record: &Arc<Observation>) -> Arc<Observation> {
        let nameable =
            |target: &Target| target.socket.is_none() && self.names.contains_key(&target.conn);
        if !targets(record).any(nameable) {
            return Arc::clone(record);
        }
        let mut named = Observation::clone(record);
        name_targets(&mut named, &self.names);
        Arc::new(named)
    }
}

/// Names the targets of `record` that have no socket id and are in `names`.
pub(crate) fn name_targets(record: &mut Observation, names: &ConnMap<SocketId>) {
    for target in targets_mut(record) {
        if target.socket.is_none() {
            target.socket = names.get(&target.conn).cloned();
        }
    }
}

/// The connection `record` closes, if it closes one: no later record can name it.
pub(crate) fn closed_by(record: &Observation) -> Option<ConnId> {
    match record.detail {
        Detail::ConnectionClosed { .. } => record.conn,
        _ => None,
    }
}

/// The reached and skipped targets of a delivery; none for other records.
fn targets(record: &Observation) -> impl Iterator<Item = &Target> {
    let lists = match &record.detail {
        Detail::Delivery { reached, skipped, .. } => Some(reached.iter().chain(skipped)),
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

#[cfg(test)]
mod tests {
    use switchboard_engine::observation::ClosedBy;
    use switchboard_engine::Origin;

    use super::*;

    fn about(conn: u64, detail: Detail) -> Observation {
        let mut record = Observation::new(Origin::Client, detail);
        record.conn = Some(ConnId(conn));
        record.socket = Some(SocketId::from_parts(conn, 7));
        record
    }

    fn delivery(conns: &[u64]) -> Arc<Observation> {
        let reached =
            conns.iter().map(|&c| Target { conn: ConnId(c), socket: None, reason: None }).collect();
        let detail =
            Detail::Delivery { raw: "{}".into(), reached, skipped: vec![], not_subscribed_more: 0 };
        Arc::new(Observation::new(Origin::Api, detail))
    }

    fn sockets(record: &Observation) -> Vec<Option<String>> {
        targets(record).map(|t| t.socket.as_ref().map(ToString::to_string)).collect()
    }

    #[test]
    fn targets_are_named_while_their_connection_is_open() {
        let mut book = SocketBook::default();
        book.learn(&about(1, Detail::ConnectionRefused { code: 4001, reason: String::new() }));
        let record = delivery(&[1, 2]);
        let named = book.named(&record);
        assert_eq!(sockets(&named), [Some("1.7".into()), None], "2 was never seen");
        assert_eq!(sockets(&record), [None, None], "the record itself is left alone");

        let by = ClosedBy::Client;
        book.forget_closed(&about(
            1,
            Detail::ConnectionClosed { code: None, reason: "".into(), by },
        ));
        let unnamed = book.named(&record);
        assert!(Arc::ptr_eq(&unnamed, &record), "nothing to add: the same record");
    }
}
