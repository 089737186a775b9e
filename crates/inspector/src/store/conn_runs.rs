//! A stored delivery's reached connections as runs of consecutive numbers (schema 3).
//!
//! A delivery to 1,000 subscribers listed 1,000 `{"conn":N}` objects, and writing them was
//! most of what recording a fan-out cost; subscribers who joined together have consecutive
//! numbers, so `[[first, count]]` usually says it in a few bytes. Only deliveries to two or
//! more targets, all plain once their known socket ids are left out (`sockets.rs`), are
//! stored this way, sorted.

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

/// `conns` as runs, in order (they come sorted from the engine; sorted here otherwise).
pub(super) fn runs_of(mut conns: Vec<u64>) -> Vec<Run> {
    if !conns.is_sorted() {
        conns.sort_unstable();
    }
    let mut runs = Vec::new();
    let mut rest = conns.as_slice();
    while let Some(&first) = rest.first() {
        let count = rest.iter().zip(first..).take_while(|(conn, want)| **conn == *want).count();
        runs.push(if count == 1 { Run::One(first) } else { Run::Many(first, count as u64) });
        rest = &rest[count..];
    }
    runs
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
        let runs = runs_of(vec![9, 3, 4, 5, 7, 12, 11, 10]);
        assert_eq!(runs, [Run::Many(3, 3), Run::One(7), Run::Many(9, 4)]);
        assert_eq!(serde_json::to_string(&runs).unwrap(), "[[3,3],7,[9,4]]");
        assert_eq!(targets_of(&runs), plain(&[3, 4, 5, 7, 9, 10, 11, 12]));
        assert_eq!(runs_of((1..=1000).collect()), [Run::Many(1, 1000)]);
        assert_eq!(runs_of(vec![2, 4]), [Run::One(2), Run::One(4)]);
    }

    #[test]
    fn runs_are_read_back_from_a_record_json() {
        let json = r#"{"seq":1,"kind":"delivery","reached":[],"reached_conns":[[5,2],9]}"#;
        assert_eq!(read(json).unwrap(), Some(vec![Run::Many(5, 2), Run::One(9)]));
        assert_eq!(read(r#"{"seq":1}"#).unwrap(), None);
        assert!(read(r#"{"reached_conns":"x"}"#).is_err());
    }
}
