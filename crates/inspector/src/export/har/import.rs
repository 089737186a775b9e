//! HAR → records. Reads what Chrome DevTools, mitmproxy, Playwright and Switchboard itself
//! write: Pusher WebSocket connections (`_webSocketMessages`) become `frame_in` (sent) and
//! `frame_out` (received) records, and `POST /apps/{id}/events` or `batch_events` calls
//! become `api_request` records. Everything else is counted as unrelated.
//!
//! Message times may be unix seconds (Chrome, mitmproxy, Playwright), unix milliseconds
//! (some tools), or small offsets in seconds; the magnitude decides (see `message_time`).

use std::io::Read;

use serde_json::Value;
use switchboard_engine::{ConnId, Detail, Millis, Observation, Origin};
use switchboard_proto::{AppId, SocketId};

use crate::export::time::parse_iso8601;
use crate::export::{ImportError, ImportSkip, Imported, SessionMeta};

/// Times at or above this are unix milliseconds (1973-03-03 in ms).
const UNIX_MS_FROM: f64 = 1e11;
/// Times at or above this (and below `UNIX_MS_FROM`) are unix seconds (1973-03-03 in s).
const UNIX_S_FROM: f64 = 1e8;

/// Reads a HAR file. Entries and messages are numbered from 1 in the skip report.
pub fn import_har<R: Read>(reader: R) -> Result<Imported, ImportError> {
    let root: Value = serde_json::from_reader(reader).map_err(not_json)?;
    let log = root.get("log").ok_or(ImportError::NotHar { missing: "log" })?;
    let entries = log.get("entries").and_then(Value::as_array);
    let entries = entries.ok_or(ImportError::NotHar { missing: "log.entries" })?;
    let mut sink = Sink::default();
    let mut unrelated = 0;
    for (index, entry) in entries.iter().enumerate() {
        if !sink.entry(entry, index + 1) {
            unrelated += 1;
        }
    }
    if unrelated > 0 {
        sink.skipped.push(ImportSkip::Unrelated { count: unrelated });
    }
    let mut records = sink.records;
    records.sort_by_key(|record| record.at);
    for (seq, record) in (1..).zip(records.iter_mut()) {
        record.seq = seq;
    }
    let meta = meta(log, &records);
    Ok(Imported { meta, records, skipped: sink.skipped })
}

fn not_json(error: serde_json::Error) -> ImportError {
    match error.classify() {
        serde_json::error::Category::Io => ImportError::Io(error.into()),
        serde_json::error::Category::Eof if error.line() <= 1 && error.column() == 0 => {
            ImportError::Empty
        }
        _ => ImportError::NotJson {
            line: error.line(),
            column: error.column(),
            reason: error.to_string(),
        },
    }
}

fn meta(log: &Value, records: &[Observation]) -> SessionMeta {
    let creator = log.pointer("/creator/name").and_then(Value::as_str).unwrap_or("a HAR file");
    let name = log.get("comment").and_then(Value::as_str).filter(|c| !c.is_empty());
    SessionMeta {
        id: String::new(),
        name: name.map_or_else(|| format!("Imported from {creator}"), str::to_owned),
        started_at: records.first().map_or(0, |r| r.at),
        ended_at: records.last().map(|r| r.at),
    }
}

#[derive(Default)]
struct Sink {
    records: Vec<Observation>,
    skipped: Vec<ImportSkip>,
}

impl Sink {
    /// Imports one entry; false when it is not Pusher traffic.
    fn entry(&mut self, entry: &Value, number: usize) -> bool {
        let websocket = entry.get("_resourceType").and_then(Value::as_str) == Some("websocket");
        match entry.get("_webSocketMessages").and_then(Value::as_array) {
            Some(messages) if is_pusher_socket(entry, messages) => {
                self.websocket(entry, number, messages);
                true
            }
            Some(_) => false,
            None if websocket && is_pusher_socket(entry, &[]) => {
                self.skipped.push(ImportSkip::NoMessages { entry: number });
                true
            }
            None => self.api_request(entry, number),
        }
    }

    fn websocket(&mut self, entry: &Value, number: usize, messages: &[Value]) {
        let hint = |key: &str| entry.get("_switchboard").and_then(|h| h.get(key));
        let conn = ConnId(hint("conn").and_then(Value::as_u64).unwrap_or(number as u64));
        let app = hint("app").and_then(Value::as_str).and_then(|a| AppId::new(a).ok());
        let start = started(entry);
        let opened = start.map(|at| {
            let mut record = Observation::new(Origin::Client, opened(entry)).conn(conn);
            record.at = at;
            record
        });
        let mut records: Vec<Observation> = opened.into_iter().collect();
        records.extend(self.frames(number, messages, start, conn));
        let hinted = hint("socket").and_then(Value::as_str).and_then(|s| SocketId::parse(s).ok());
        let socket = hinted.or_else(|| {
            records.iter().find_map(|record| match &record.detail {
                Detail::FrameOut { raw } => established_socket(raw),
                _ => None,
            })
        });
        for record in &mut records {
            record.app.clone_from(&app);
            record.socket.clone_from(&socket);
        }
        self.records.extend(records);
    }

    /// The text frames of one WebSocket entry; other messages are reported as skipped.
    fn frames(
        &mut self,
        entry: usize,
        messages: &[Value],
        start: Option<Millis>,
        conn: ConnId,
    ) -> Vec<Observation> {
        let mut anchor = None;
        let mut records = Vec::new();
        for (index, message) in messages.iter().enumerate() {
            let number = index + 1;
            match frame(message, start, &mut anchor) {
                Ok(Some((outgoing, raw, at))) => {
                    records.push(frame_record(outgoing, raw, at, conn))
                }
                Ok(None) => {
                    let opcode = message.get("opcode").and_then(Value::as_u64).unwrap_or(0);
                    self.skipped.push(ImportSkip::NotText { entry, message: number, opcode });
                }
                Err(error) => {
                    self.skipped.push(ImportSkip::BadMessage { entry, message: number, error });
                }
            }
        }
        records
    }

    /// A Pusher publish (`POST /apps/{id}/events` or `batch_events`); false otherwise.
    fn api_request(&mut self, entry: &Value, number: usize) -> bool {
        let request = entry.get("request");
        let method = request.and_then(|r| r.get("method")).and_then(Value::as_str).unwrap_or("");
        let url = request.and_then(|r| r.get("url")).and_then(Value::as_str).unwrap_or("");
        let path = path_of(url);
        let Some(app) = publish_app(path).filter(|_| method.eq_ignore_ascii_case("POST")) else {
            return false;
        };
        let Some(at) = started(entry) else {
            let error = "startedDateTime is missing or not an ISO 8601 time".to_owned();
            self.skipped.push(ImportSkip::BadEntry { entry: number, error });
            return true;
        };
        let status = entry.pointer("/response/status").and_then(Value::as_i64).unwrap_or(0);
        let time = entry.get("time").and_then(Value::as_f64).filter(|t| *t >= 0.0).unwrap_or(0.0);
        let body = request.and_then(|r| r.pointer("/postData/text")).and_then(Value::as_str);
        let detail = Detail::ApiRequest {
            method: method.to_ascii_uppercase(),
            path: path.to_owned(),
            status: u16::try_from(status).unwrap_or(0),
            latency_us: (time * 1000.0).round() as u64,
            body: body.map(str::to_owned),
            error: None,
        };
        let mut record = Observation::new(Origin::Api, detail);
        record.at = at;
        record.app = AppId::new(app).ok();
        self.records.push(record);
        true
    }
}

/// A WebSocket speaking the Pusher protocol: its URL is `/app/{key}`, or its frames name
/// `pusher:` events. (A dev server's hot-reload socket is neither.)
fn is_pusher_socket(entry: &Value, messages: &[Value]) -> bool {
    let url = entry.pointer("/request/url").and_then(Value::as_str).unwrap_or("");
    path_of(url).starts_with("/app/")
        || messages.iter().filter_map(|m| m.get("data")?.as_str()).any(|d| d.contains("\"pusher:"))
}

fn started(entry: &Value) -> Option<Millis> {
    let text = entry.get("startedDateTime")?.as_str()?;
    parse_iso8601(text).and_then(|ms| Millis::try_from(ms).ok())
}

/// A message as (sent by the client?, text, unix ms); `Ok(None)` for a non-text frame.
fn frame<'m>(
    message: &'m Value,
    start: Option<Millis>,
    anchor: &mut Option<f64>,
) -> Result<Option<(bool, &'m str, Millis)>, String> {
    if message.get("opcode").and_then(Value::as_u64).unwrap_or(1) != 1 {
        return Ok(None);
    }
    let outgoing = match message.get("type").and_then(Value::as_str) {
        Some("send") => true,
        Some("receive") => false,
        other => return Err(format!("type is {other:?}; expected \"send\" or \"receive\"")),
    };
    let raw = message.get("data").and_then(Value::as_str).ok_or("data is not text")?;
    let time = message.get("time").and_then(Value::as_f64);
    let at = time.and_then(|t| message_time(t, start, anchor));
    let at = at.ok_or("time is missing, negative, or relative without a startedDateTime")?;
    Ok(Some((outgoing, raw, at)))
}

/// Unix ms from a message `time`: ≥ 1e11 is already ms, ≥ 1e8 is unix seconds, anything
/// smaller is seconds on some other clock, placed relative to the first such time at the
/// entry's start.
fn message_time(time: f64, start: Option<Millis>, anchor: &mut Option<f64>) -> Option<Millis> {
    if !time.is_finite() || time < 0.0 {
        return None;
    }
    if time >= UNIX_MS_FROM {
        return Some(time.round() as Millis);
    }
    if time >= UNIX_S_FROM {
        return Some((time * 1000.0).round() as Millis);
    }
    let base = *anchor.get_or_insert(time);
    let offset = ((time - base) * 1000.0).round() as i64;
    Some(start?.saturating_add_signed(offset))
}

fn frame_record(outgoing: bool, raw: &str, at: Millis, conn: ConnId) -> Observation {
    let detail = if outgoing {
        Detail::FrameIn { raw: raw.to_owned(), error: None }
    } else {
        Detail::FrameOut { raw: raw.to_owned() }
    };
    let mut record = Observation::new(Origin::Client, detail).conn(conn);
    record.at = at;
    if let Ok(Value::Object(frame)) = serde_json::from_str::<Value>(raw) {
        record.event = frame.get("event").and_then(Value::as_str).map(str::to_owned);
        record.channel = frame.get("channel").and_then(Value::as_str).map(str::to_owned);
    }
    record
}

/// The socket id in a `pusher:connection_established` frame.
fn established_socket(raw: &str) -> Option<SocketId> {
    let frame: Value = serde_json::from_str(raw).ok()?;
    if frame.get("event")?.as_str()? != "pusher:connection_established" {
        return None;
    }
    let data = frame.get("data")?;
    let data: Value = match data.as_str() {
        Some(text) => serde_json::from_str(text).ok()?,
        None => data.clone(),
    };
    SocketId::parse(data.get("socket_id")?.as_str()?).ok()
}

/// A `connection_opened` record from the upgrade request's headers and query.
fn opened(entry: &Value) -> Detail {
    let request = entry.get("request");
    let header = |name: &str| pair(request.and_then(|r| r.get("headers")), name);
    let query = |name: &str| {
        let url = request.and_then(|r| r.get("url")).and_then(Value::as_str).unwrap_or("");
        let query = url.split_once('?').map_or("", |(_, q)| q);
        form_urlencoded::parse(query.as_bytes())
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.into_owned())
    };
    Detail::ConnectionOpened {
        remote: None,
        origin_header: header("origin"),
        user_agent: header("user-agent"),
        protocol: query("protocol"),
        client: query("client"),
        version: query("version"),
    }
}

/// The value of `name` (any case) in a HAR `[{name, value}]` list.
fn pair(list: Option<&Value>, name: &str) -> Option<String> {
    let items = list?.as_array()?;
    let found = items.iter().find(|item| {
        item.get("name").and_then(Value::as_str).is_some_and(|n| n.eq_ignore_ascii_case(name))
    })?;
    found.get("value")?.as_str().map(str::to_owned)
}

/// `/path?query` of a URL (the URL itself when it is already a path).
fn path_of(url: &str) -> &str {
    let Some((_, after_scheme)) = url.split_once("://") else { return url };
    after_scheme.find('/').map_or("/", |at| &after_scheme[at..])
}

/// The app id of a publish path: `/apps/{id}/events` or `/apps/{id}/batch_events`.
fn publish_app(path: &str) -> Option<&str> {
    let path = path.split_once('?').map_or(path, |(p, _)| p);
    let rest = path.strip_prefix("/apps/")?;
    let (app, action) = rest.split_once('/')?;
    (!app.is_empty() && matches!(action, "events" | "batch_events")).then_some(app)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_times_by_magnitude() {
        let start = Some(1_714_557_600_000);
        let mut anchor = None;
        assert_eq!(
            message_time(1_714_557_600.123_456, start, &mut anchor),
            Some(1_714_557_600_123)
        );
        assert_eq!(message_time(1_714_557_600_123.0, start, &mut anchor), Some(1_714_557_600_123));
        assert_eq!(message_time(5000.0, start, &mut anchor), Some(1_714_557_600_000));
        assert_eq!(message_time(5001.5, start, &mut anchor), Some(1_714_557_601_500));
        assert_eq!(message_time(1.0, None, &mut None), None);
        assert_eq!(message_time(-1.0, start, &mut None), None);
        assert_eq!(message_time(f64::NAN, start, &mut None), None);
    }

    #[test]
    fn publish_paths() {
        assert_eq!(publish_app("/apps/app-id/events?auth_key=k"), Some("app-id"));
        assert_eq!(publish_app("/apps/7/batch_events"), Some("7"));
        assert_eq!(publish_app("/apps/7/channels"), None);
        assert_eq!(publish_app("/apps//events"), None);
        assert_eq!(path_of("http://h:1/apps/1/events?x=1"), "/apps/1/events?x=1");
        assert_eq!(path_of("ws://h:1"), "/");
    }
}
