//! `RawJson`: a JSON value kept as its exact text, forwarded verbatim and compared by text.

use std::fmt;

use serde::Serialize;
use serde_json::value::RawValue;

/// Valid JSON text, kept as sent (payloads are forwarded byte for byte).
#[derive(Clone, Serialize)]
#[serde(transparent)]
pub struct RawJson(Box<RawValue>);

impl RawJson {
    /// Wraps text that is already known to be valid JSON.
    pub fn from_raw(raw: &RawValue) -> Self {
        Self(raw.to_owned())
    }

    /// Parses JSON text; `None` when it is not valid JSON.
    pub fn parse(text: &str) -> Option<Self> {
        RawValue::from_string(text.to_owned()).ok().map(Self)
    }

    /// Encodes a Rust string as a JSON string (`abc` → `"abc"`).
    pub fn string(value: &str) -> Self {
        let encoded = serde_json::to_string(value).expect("a str always encodes");
        Self(RawValue::from_string(encoded).expect("an encoded string is valid JSON"))
    }

    /// JSON `null`.
    pub fn null() -> Self {
        Self(RawValue::from_string("null".to_owned()).expect("null is valid JSON"))
    }

    /// The JSON text.
    pub fn get(&self) -> &str {
        self.0.get()
    }

    /// The payload as Pusher SDKs see it: a JSON string's content, or the raw text.
    pub fn as_payload_text(&self) -> std::borrow::Cow<'_, str> {
        match serde_json::from_str::<String>(self.get()) {
            Ok(text) => text.into(),
            Err(_) => self.get().into(),
        }
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.get() == other.get()
    }
}

impl fmt::Debug for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RawJson({})", self.get())
    }
}
