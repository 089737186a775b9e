//! Pins the JSON of the API's typed replies and messages to the wire format the UI and the
//! black-box tests rely on (`docs/inspector-api.md`).

use serde::Serialize;
use serde_json::{json, Value};
use switchboard_engine::api::TriggerReply;

use super::actions::ActionReply;
use super::error::{ErrorBody, Failure};
use super::records::FilterCheck;
use super::sessions::SessionEntry;
use super::stream::{StreamMessage, StreamRequest};
use crate::store::{SessionId, SessionInfo};

fn wire(value: &impl Serialize) -> Value {
    serde_json::to_value(value).unwrap()
}

#[test]
fn errors_carry_the_span_only_for_filters() {
    let plain = ErrorBody { error: "nope".into(), position: None, length: None };
    assert_eq!(wire(&plain), json!({"error": "nope"}));
    let mut failure = Failure::bad_request("bad filter");
    failure.span = Some((4, 2));
    let (position, length) = failure.span.unzip();
    let spanned = ErrorBody { error: failure.message, position, length };
    assert_eq!(wire(&spanned), json!({"error": "bad filter", "position": 4, "length": 2}));
}

#[test]
fn stream_messages_are_tagged_by_type() {
    assert_eq!(
        wire(&StreamMessage::Gap { missed_batches: 3 }),
        json!({"type": "gap", "missed_batches": 3})
    );
    assert_eq!(
        wire(&StreamMessage::Records { records: Vec::new() }),
        json!({"type": "records", "records": []})
    );
    let error = StreamMessage::Error { error: "x".into(), position: None, length: None };
    assert_eq!(wire(&error), json!({"type": "error", "error": "x"}));
    let request: StreamRequest =
        serde_json::from_value(json!({"type": "filter", "filter": "kind:gap"})).unwrap();
    assert_eq!(request, StreamRequest::Filter { filter: "kind:gap".into() });
}

#[test]
fn action_replies_add_the_trigger_reply_only_for_publishes() {
    assert_eq!(wire(&ActionReply { ok: true, reply: None }), json!({"ok": true}));
    let published = ActionReply { ok: true, reply: Some(TriggerReply::default()) };
    assert_eq!(wire(&published), json!({"ok": true, "reply": {}}));
}

#[test]
fn session_entries_are_the_session_plus_current() {
    let session = SessionInfo {
        id: SessionId(7),
        name: "demo".into(),
        started_at: 1,
        ended_at: None,
        records: 2,
        missed: 0,
        first_at: Some(1),
        last_at: Some(2),
    };
    let mut expected = wire(&session);
    expected["current"] = json!(true);
    assert_eq!(wire(&SessionEntry { session, current: true }), expected);
}

#[test]
fn a_good_filter_check_has_no_error_fields() {
    let fields = crate::filter::fields();
    let ok = FilterCheck { ok: true, error: None, position: None, length: None, fields };
    assert_eq!(wire(&ok), json!({"ok": true, "fields": wire(&fields)}));
}
