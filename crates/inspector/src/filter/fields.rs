//! The names the filter language knows, with a description of each for autocomplete.

use serde::Serialize;
use ts_rs::TS;

use super::ast::Field;

/// Every detail kind, as `kind:` accepts it.
pub const KINDS: &[&str] = &[
    "connection_opened",
    "connection_refused",
    "connection_closed",
    "frame_in",
    "frame_out",
    "delivery",
    "subscribed",
    "subscription_refused",
    "unsubscribed",
    "channel_occupied",
    "channel_vacated",
    "member_added",
    "member_removed",
    "client_event_rejected",
    "signed_in",
    "sign_in_refused",
    "api_request",
    "webhook_attempt",
    "webhook_dropped",
    "config_reloaded",
    "gap",
];

/// Every origin, as `origin:` accepts it.
pub const ORIGINS: &[&str] = &["client", "api", "inject", "replay", "config", "server"];

/// Directions, as `dir:` accepts them.
pub const DIRS: &[&str] = &["in", "out", "none"];

/// The field names, in the order they are documented.
pub(crate) const FIELD_LIST: &[&str] =
    &["kind", "event", "channel", "socket", "user", "app", "origin", "dir", "status"];

/// One name of the filter language, for autocomplete and help. Static text, so it is only
/// ever sent (`Serialize`), never read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct FieldDoc {
    /// What is typed: `channel`, `status`, `has`, `data`.
    pub name: &'static str,
    /// How it is written, e.g. `channel:presence-*`.
    pub example: &'static str,
    /// One line saying what it matches.
    pub summary: &'static str,
    /// The operators it takes after its name (`:` or comparisons).
    pub operators: &'static [&'static str],
    /// The complete list of values, for fields with a fixed set; empty otherwise.
    pub values: &'static [&'static str],
}

const COLON: &[&str] = &[":", "==", "!="];
const COMPARE: &[&str] = &[":", "==", "!=", ">", ">=", "<", "<="];

const DOCS: &[FieldDoc] = &[
    doc("kind", "kind:frame_in", "the kind of record", COLON, KINDS),
    doc("event", "event:client-*", "the event name (from the frame when not set)", COLON, &[]),
    doc("channel", "channel:presence-*", "the channel (from the frame or API body)", COLON, &[]),
    doc(
        "socket",
        "socket:123.456",
        "the socket, or a socket a delivery reached or skipped",
        COLON,
        &[],
    ),
    doc("user", "user:42", "the signed-in or presence user id", COLON, &[]),
    doc("app", "app:app-id", "the app id", COLON, &[]),
    doc("origin", "origin:api", "where the traffic came from", COLON, ORIGINS),
    doc("dir", "dir:in", "in (to the server), out (from it) or none", COLON, DIRS),
    doc(
        "status",
        "status>=400",
        "HTTP status, webhook status, or close/refusal code",
        COMPARE,
        &[],
    ),
    doc("data", "data.order.id == 42", "a value in the event payload (decoded)", COMPARE, &[]),
    doc("has", "has:data.order", "the payload has this path", &[":"], &[]),
];

const fn doc(
    name: &'static str,
    example: &'static str,
    summary: &'static str,
    operators: &'static [&'static str],
    values: &'static [&'static str],
) -> FieldDoc {
    FieldDoc { name, example, summary, operators, values }
}

/// The names the language knows, for autocomplete.
pub fn fields() -> &'static [FieldDoc] {
    DOCS
}

/// The fixed value set of a field, if it has one.
pub(crate) fn known_values(field: Field) -> Option<&'static [&'static str]> {
    match field {
        Field::Kind => Some(KINDS),
        Field::Origin => Some(ORIGINS),
        Field::Dir => Some(DIRS),
        _ => None,
    }
}

/// The known name nearest to a mistyped one (at most two edits away).
pub(crate) fn closest_name(typed: &str) -> Option<&'static str> {
    let typed = typed.to_ascii_lowercase();
    DOCS.iter()
        .map(|doc| (edit_distance(&typed, doc.name), doc.name))
        .filter(|(distance, _)| *distance <= 2)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, name)| name)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != *cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(diagonal + 1);
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        assert_eq!(closest_name("chanel"), Some("channel"));
        assert_eq!(closest_name("Evnt"), Some("event"));
        assert_eq!(closest_name("stauts"), Some("status"));
        assert_eq!(closest_name("http"), None);
    }

    #[test]
    fn every_kind_is_a_detail_kind() {
        assert_eq!(KINDS.len(), 21);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
    }
}
