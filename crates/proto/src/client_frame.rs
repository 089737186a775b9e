//! Client → server frames: decoded once, at the edge, into a typed `ClientFrame`.

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::raw_json::RawJson;

/// A frame a client sent, decoded.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientFrame {
    Ping,
    Pong,
    Subscribe(Subscribe),
    Unsubscribe {
        channel: String,
    },
    Signin {
        auth: String,
        user_data: String,
    },
    /// Any event that is not `pusher:…`; the engine decides whether it is a valid
    /// `client-…` event. `data` is kept verbatim (object or string).
    ClientEvent {
        event: String,
        channel: String,
        data: RawJson,
    },
}

/// The body of `pusher:subscribe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscribe {
    pub channel: String,
    /// `None` when absent; public channels carry `""`.
    pub auth: Option<String>,
    /// The exact JSON string signed for presence channels.
    pub channel_data: Option<String>,
}

/// Why a frame could not be decoded. The message is shown to the client.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("Message is {size} bytes; the limit is {max} bytes")]
    TooLarge { size: usize, max: usize },
    #[error("Invalid JSON: {0}")]
    NotJson(String),
    #[error("Message must be a JSON object with an \"event\" field")]
    NotAnObject,
    #[error("Missing field \"{0}\"")]
    MissingField(&'static str),
    #[error("Field \"{field}\" must be {expected}")]
    WrongType { field: &'static str, expected: &'static str },
    #[error("Unknown event \"{0}\"")]
    UnknownPusherEvent(String),
}

#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    event: Option<&'a RawValue>,
    #[serde(borrow, default)]
    channel: Option<&'a RawValue>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

impl ClientFrame {
    /// The event name as it was on the wire.
    pub fn event_name(&self) -> &str {
        match self {
            Self::Ping => "pusher:ping",
            Self::Pong => "pusher:pong",
            Self::Subscribe(_) => "pusher:subscribe",
            Self::Unsubscribe { .. } => "pusher:unsubscribe",
            Self::Signin { .. } => "pusher:signin",
            Self::ClientEvent { event, .. } => event,
        }
    }

    /// The channel the frame is about, if any.
    pub fn channel(&self) -> Option<&str> {
        match self {
            Self::Subscribe(subscribe) => Some(&subscribe.channel),
            Self::Unsubscribe { channel } | Self::ClientEvent { channel, .. } => Some(channel),
            Self::Ping | Self::Pong | Self::Signin { .. } => None,
        }
    }

    /// Decodes one text frame, refusing frames longer than `max_bytes`.
    pub fn decode(text: &str, max_bytes: usize) -> Result<Self, DecodeError> {
        if text.len() > max_bytes {
            return Err(DecodeError::TooLarge { size: text.len(), max: max_bytes });
        }
        let value: &RawValue =
            serde_json::from_str(text).map_err(|e| DecodeError::NotJson(e.to_string()))?;
        if !value.get().trim_start().starts_with('{') {
            return Err(DecodeError::NotAnObject);
        }
        let envelope: Envelope<'_> =
            serde_json::from_str(value.get()).map_err(|_| DecodeError::NotAnObject)?;
        let event = string_field(envelope.event, "event")?.ok_or(DecodeError::NotAnObject)?;
        if event.starts_with("pusher:") || event.starts_with("pusher_internal:") {
            return decode_pusher_event(event, envelope.data);
        }
        let channel = string_field(envelope.channel, "channel")?
            .ok_or(DecodeError::MissingField("channel"))?;
        let data = envelope.data.map_or_else(RawJson::null, RawJson::from_raw);
        Ok(Self::ClientEvent { event, channel, data })
    }
}

fn decode_pusher_event(event: String, data: Option<&RawValue>) -> Result<ClientFrame, DecodeError> {
    match event.as_str() {
        "pusher:ping" => Ok(ClientFrame::Ping),
        "pusher:pong" => Ok(ClientFrame::Pong),
        "pusher:subscribe" => {
            let data = data_object(data)?;
            Ok(ClientFrame::Subscribe(Subscribe {
                channel: required_string(&data, "channel")?,
                auth: optional_string(&data, "auth")?,
                channel_data: optional_string(&data, "channel_data")?,
            }))
        }
        "pusher:unsubscribe" => {
            let data = data_object(data)?;
            Ok(ClientFrame::Unsubscribe { channel: required_string(&data, "channel")? })
        }
        "pusher:signin" => {
            let data = data_object(data)?;
            Ok(ClientFrame::Signin {
                auth: required_string(&data, "auth")?,
                user_data: required_string(&data, "user_data")?,
            })
        }
        _ => Err(DecodeError::UnknownPusherEvent(event)),
    }
}

type Object = serde_json::Map<String, serde_json::Value>;

/// `data` as an object; a JSON string holding an object (double encoding) is accepted too.
fn data_object(data: Option<&RawValue>) -> Result<Object, DecodeError> {
    let wrong = DecodeError::WrongType { field: "data", expected: "an object" };
    let raw = data.ok_or(DecodeError::MissingField("data"))?;
    match serde_json::from_str::<serde_json::Value>(raw.get()) {
        Ok(serde_json::Value::Object(map)) => Ok(map),
        Ok(serde_json::Value::String(inner)) => match serde_json::from_str(&inner) {
            Ok(serde_json::Value::Object(map)) => Ok(map),
            _ => Err(wrong),
        },
        _ => Err(wrong),
    }
}

fn string_field(
    raw: Option<&RawValue>,
    field: &'static str,
) -> Result<Option<String>, DecodeError> {
    match raw {
        None => Ok(None),
        Some(raw) if raw.get() == "null" => Ok(None),
        Some(raw) => serde_json::from_str::<String>(raw.get())
            .map(Some)
            .map_err(|_| DecodeError::WrongType { field, expected: "a string" }),
    }
}

fn optional_string(data: &Object, field: &'static str) -> Result<Option<String>, DecodeError> {
    match data.get(field) {
        None | Some(serde_json::Value::Null) => Ok(None),
        Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(DecodeError::WrongType { field, expected: "a string" }),
    }
}

fn required_string(data: &Object, field: &'static str) -> Result<String, DecodeError> {
    optional_string(data, field)?.ok_or(DecodeError::MissingField(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decode(text: &str) -> Result<ClientFrame, DecodeError> {
        ClientFrame::decode(text, 10_000)
    }

    #[test]
    fn decodes_every_pusher_event() {
        assert_eq!(decode(r#"{"event":"pusher:ping","data":{}}"#), Ok(ClientFrame::Ping));
        assert_eq!(decode(r#"{"event":"pusher:pong"}"#), Ok(ClientFrame::Pong));
        assert_eq!(
            decode(r#"{"event":"pusher:subscribe","data":{"auth":"","channel":"news"}}"#),
            Ok(ClientFrame::Subscribe(Subscribe {
                channel: "news".into(),
                auth: Some(String::new()),
                channel_data: None
            }))
        );
        assert_eq!(
            decode(
                r#"{"event":"pusher:subscribe","data":"{\"channel\":\"p\",\"channel_data\":\"{}\"}"}"#
            ),
            Ok(ClientFrame::Subscribe(Subscribe {
                channel: "p".into(),
                auth: None,
                channel_data: Some("{}".into())
            }))
        );
        assert_eq!(
            decode(r#"{"event":"pusher:unsubscribe","data":{"channel":"news"}}"#),
            Ok(ClientFrame::Unsubscribe { channel: "news".into() })
        );
        assert_eq!(
            decode(r#"{"event":"pusher:signin","data":{"auth":"k:s","user_data":"{}"}}"#),
            Ok(ClientFrame::Signin { auth: "k:s".into(), user_data: "{}".into() })
        );
    }

    #[test]
    fn keeps_client_event_data_verbatim() {
        let frame = decode(r#"{"event":"client-typing","channel":"private-a","data":{"b": 1}}"#);
        let Ok(ClientFrame::ClientEvent { event, channel, data }) = frame else {
            panic!("expected a client event, got {frame:?}");
        };
        assert_eq!(
            (event.as_str(), channel.as_str(), data.get()),
            ("client-typing", "private-a", r#"{"b": 1}"#)
        );
    }

    #[test]
    fn malformed_frames_name_the_problem() {
        let table: &[(&str, DecodeError)] = &[
            ("not json", DecodeError::NotJson("expected ident at line 1 column 2".into())),
            ("[1]", DecodeError::NotAnObject),
            ("{}", DecodeError::NotAnObject),
            (r#"{"event":5}"#, DecodeError::WrongType { field: "event", expected: "a string" }),
            (r#"{"event":"pusher:subscribe"}"#, DecodeError::MissingField("data")),
            (
                r#"{"event":"pusher:subscribe","data":7}"#,
                DecodeError::WrongType { field: "data", expected: "an object" },
            ),
            (r#"{"event":"pusher:subscribe","data":{}}"#, DecodeError::MissingField("channel")),
            (
                r#"{"event":"pusher:subscribe","data":{"channel":1}}"#,
                DecodeError::WrongType { field: "channel", expected: "a string" },
            ),
            (
                r#"{"event":"pusher:subscribe","data":{"channel":"p","channel_data":{}}}"#,
                DecodeError::WrongType { field: "channel_data", expected: "a string" },
            ),
            (
                r#"{"event":"pusher:signin","data":{"auth":"a"}}"#,
                DecodeError::MissingField("user_data"),
            ),
            (
                r#"{"event":"pusher:bogus","data":{}}"#,
                DecodeError::UnknownPusherEvent("pusher:bogus".into()),
            ),
            (r#"{"event":"client-x","data":{}}"#, DecodeError::MissingField("channel")),
            (
                r#"{"event":"client-x","channel":[],"data":{}}"#,
                DecodeError::WrongType { field: "channel", expected: "a string" },
            ),
        ];
        for (text, expected) in table {
            assert_eq!(&decode(text).unwrap_err(), expected, "{text}");
        }
        assert_eq!(
            ClientFrame::decode(&"x".repeat(11), 10),
            Err(DecodeError::TooLarge { size: 11, max: 10 })
        );
    }
}
