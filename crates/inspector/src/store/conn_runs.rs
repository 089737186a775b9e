//! A stored delivery's reached connections as runs of consecutive numbers (schema 3).
//!
//! A delivery to 1,000 subscribers listed 1,000 `{"conn":N}` objects, and writing them was
//! most of what recording a fan-out cost; subscribers who joined together have consecutive
//! numbers, so `[[first, count]]` usually says it in a few bytes. Only deliveries whose
//! reached targets are all plain (no socket id, no reason) are stored this way, sorted.

use serde::{Deserialize, Serialize};
use switchboard_engine::observation::Target;
use switchboard_engine::ConnId;

/// The JSON field that holds the runs, next to the record's own fields.
pub(super) const FIELD: &str = "reached_conns";

/// One connection, or `count` consecutive ones from `first`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(super) enum Run {
    One(u64),
    Many(u64, u64),
}

/// The runs of `targets`, when every one is plain; `None` otherwise (they stay as they are).
pub(super) fn runs_of(targets: &[Target]) -> Option<Vec<Run>> {
    if targets.len() < 2 || targets.iter().any(|t| t.socket.is_some() || t.reason.is_some()) {
        return None;
    }
    let mut conns: Vec<u64> = targets.iter().map(|t| t.conn.0).collect();
    conns.sort_unstable();
    let mut runs = Vec::new();
    let mut rest = conns.as_slice();
    while let Some(&first) = rest.first() {
        let count = rest.iter().zip(first..).take_while(|(conn, want)| **conn == *want).count();
        runs.push(if count == 1 { Run::One(first) } else { Run::Many(first, count as u64) });
        rest = &rest[count..];
    }
    Some(runs)
}

/// The plain targets `runs` stand for, in order.
pub(super) fn targets_of(runs: &[Run]) -> Vec<Target> {
    let conns = runs.iter().flat_map(|run| match *run {
        Run::One(conn) => conn..conn + 1,
        Run::Many(first, count) => first..first.saturating_add(count),
    });
    conns.map(|conn| Target { conn: ConnId(conn), socket: None, reason: None }).collect()
}

/// The runs in a stored record's JSON, if it has any.
pub(super) fn read(json: &str) -> serde_json::Result<Option<Vec<Run>>> {
    #[derive(Deserialize)]
    struct WithRuns {
        reached_conns: Option<Vec<Run>>,
    }
    if !json.contains(FIELD) {
        return Ok(None);
    }
    Ok(serde_json::from_str::<WithRuns>(json)?.reached_conns)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plain(conns: &[u64]) -> Vec<Target> {
        conns.iter().map(|&c| Target { conn: ConnId(c), socket: None, reason: None }).collect()
    }

    #[test]
    fn consecutive_connections_collapse_into_runs_and_come_back_sorted() {
        let runs = runs_of(&plain(&[9, 3, 4, 5, 7, 12, 11, 10])).unwrap();
        assert_eq!(runs, [Run::Many(3, 3), Run::One(7), Run::Many(9, 4)]);
        assert_eq!(serde_json::to_string(&runs).unwrap(), "[[3,3],7,[9,4]]");
        assert_eq!(targets_of(&runs), plain(&[3, 4, 5, 7, 9, 10, 11, 12]));
        let thousand: Vec<u64> = (1..=1000).collect();
        assert_eq!(runs_of(&plain(&thousand)).unwrap(), [Run::Many(1, 1000)]);
    }

    #[test]
    fn targets_with_a_socket_or_a_reason_are_left_alone() {
        let mut targets = plain(&[1, 2]);
        targets[1].socket = Some(switchboard_proto::SocketId::parse("1.2").unwrap());
        assert_eq!(runs_of(&targets), None);
        assert_eq!(runs_of(&plain(&[1])), None, "one target is not worth it");
        assert_eq!(runs_of(&[]), None);
    }

    #[test]
    fn runs_are_read_back_from_a_record_json() {
        let json = r#"{"seq":1,"kind":"delivery","reached":[],"reached_conns":[[5,2],9]}"#;
        assert_eq!(read(json).unwrap(), Some(vec![Run::Many(5, 2), Run::One(9)]));
        assert_eq!(read(r#"{"seq":1}"#).unwrap(), None);
        assert!(read(r#"{"reached_conns":"x"}"#).is_err());
    }
}
