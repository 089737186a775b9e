//! Which records carry a replayable publish, and what it was: app events delivered to a
//! channel, API triggers, and client events — never `pusher:` / `pusher_internal:`
//! protocol traffic (subscriptions, pings, errors).
//!
//! The payload is kept exactly as it was sent: a JSON string `data` is taken as its text,
//! any other JSON `data` as its source text (so key order and spacing survive).

use serde::Deserialize;
use serde_json::value::RawValue;
use switchboard_engine::{Detail, Millis, Observation};
use switchboard_proto::AppId;

/// One publish found in a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Publish {
    pub app: Option<AppId>,
    pub channel: String,
    pub event: String,
    pub data: String,
    pub at: Millis,
    pub source_seq: u64,
    /// The record every copy of this publish points back to (the API call or client frame);
    /// `None` for records without that link (imported from HAR), deduplicated by content.
    pub root: Option<u64>,
}

#[derive(Deserialize)]
struct Frame {
    event: Option<String>,
    channel: Option<String>,
    data: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct Trigger {
    name: Option<String>,
    channel: Option<String>,
    #[serde(default)]
    channels: Vec<String>,
    data: Option<Box<RawValue>>,
}

#[derive(Deserialize)]
struct Batch {
    batch: Vec<Trigger>,
}

/// The publishes `record` carries (none for anything that is not one).
pub(crate) fn publishes(record: &Observation) -> Vec<Publish> {
    match &record.detail {
        Detail::Delivery { raw, .. } => from_frame(record, raw, record.cause.or(Some(record.seq))),
        Detail::FrameIn { raw, error: None } => {
            let mut found = from_frame(record, raw, Some(record.seq));
            found.retain(|p| p.event.starts_with("client-"));
            found
        }
        Detail::FrameOut { raw } if record.cause.is_none() => from_frame(record, raw, None),
        Detail::ApiRequest { method, path, status: 200, body: Some(body), .. }
            if method.eq_ignore_ascii_case("POST") =>
        {
            from_api(record, path, body)
        }
        _ => Vec::new(),
    }
}

fn from_frame(record: &Observation, raw: &str, root: Option<u64>) -> Vec<Publish> {
    let Ok(frame) = serde_json::from_str::<Frame>(raw) else { return Vec::new() };
    let (Some(event), Some(channel)) = (frame.event, frame.channel) else { return Vec::new() };
    publish(record, channel, event, frame.data.as_deref(), root).into_iter().collect()
}

fn from_api(record: &Observation, path: &str, body: &str) -> Vec<Publish> {
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let triggers = if path.ends_with("/batch_events") {
        serde_json::from_str::<Batch>(body).map(|b| b.batch).unwrap_or_default()
    } else if path.ends_with("/events") {
        serde_json::from_str::<Trigger>(body).map(|t| vec![t]).unwrap_or_default()
    } else {
        Vec::new()
    };
    let mut found = Vec::new();
    for trigger in triggers {
        let Some(event) = trigger.name else { continue };
        let channels = trigger.channel.into_iter().chain(trigger.channels);
        for channel in channels {
            let data = trigger.data.as_deref();
            found.extend(publish(record, channel, event.clone(), data, Some(record.seq)));
        }
    }
    found
}

fn publish(
    record: &Observation,
    channel: String,
    event: String,
    data: Option<&RawValue>,
    root: Option<u64>,
) -> Option<Publish> {
    if event.is_empty() || channel.is_empty() || is_protocol(&event) {
        return None;
    }
    Some(Publish {
        app: record.app.clone(),
        channel,
        event,
        data: data.map(data_text).unwrap_or_default(),
        at: record.at,
        source_seq: record.seq,
        root,
    })
}

/// `pusher:` and `pusher_internal:` events belong to the protocol, not the application.
fn is_protocol(event: &str) -> bool {
    event.starts_with("pusher:") || event.starts_with("pusher_internal:")
}

/// The trigger `data` string: a JSON string's text, or any other JSON value's source.
fn data_text(data: &RawValue) -> String {
    let text = data.get();
    if text.starts_with('"') {
        if let Ok(inner) = serde_json::from_str::<String>(text) {
            return inner;
        }
    }
    text.to_owned()
}
