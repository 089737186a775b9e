//! Config-file values that check themselves while being deserialized, so the TOML parser
//! reports a refused value at its exact position, like any type error.

use serde::Deserialize;
use switchboard_engine::config::WebhookEventType;

/// Why a value in the file was refused. Shown after the field's path.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ValueError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at least 1")]
    Zero,
    #[error("unknown webhook event type \"{0}\"; expected one of {names}", names = event_type_names())]
    UnknownEventType(String),
    #[error("must list at least one event type; omit it to receive all of them")]
    NoEventTypes,
    #[error("must be an http:// or https:// URL")]
    NotHttpUrl,
    #[error("\"{0}\" is not a valid HTTP header name")]
    HeaderName(String),
    #[error("must not contain control characters")]
    HeaderValue,
}

fn event_type_names() -> String {
    let names: Vec<&str> = WebhookEventType::ALL.iter().map(|t| t.as_str()).collect();
    names.join(", ")
}

/// A string with at least one character (app ids, keys, secrets, host).
#[derive(Deserialize)]
#[serde(try_from = "String")]
pub struct NonEmpty(pub String);

impl TryFrom<String> for NonEmpty {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, ValueError> {
        if value.is_empty() {
            return Err(ValueError::Empty);
        }
        Ok(Self(value))
    }
}

/// A count, size or duration that must be at least 1.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(try_from = "u32")]
pub struct Positive(pub u32);

impl TryFrom<u32> for Positive {
    type Error = ValueError;
    fn try_from(value: u32) -> Result<Self, ValueError> {
        if value == 0 {
            return Err(ValueError::Zero);
        }
        Ok(Self(value))
    }
}

/// A webhook event type by its config name (`channel_occupied`, ...).
///
/// Checked inside the visitor rather than with `try_from`: the parser locates errors raised
/// while it drives the visitor at the array element itself, not at the start of the array.
pub struct EventType(pub WebhookEventType);

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Name;
        impl serde::de::Visitor<'_> for Name {
            type Value = EventType;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a webhook event type name")
            }
            fn visit_str<E: serde::de::Error>(self, name: &str) -> Result<EventType, E> {
                let kind = WebhookEventType::parse(name);
                kind.map(EventType)
                    .ok_or_else(|| E::custom(ValueError::UnknownEventType(name.into())))
            }
        }
        deserializer.deserialize_str(Name)
    }
}

/// A non-empty list of webhook event types, without repeats, in the order given.
#[derive(Deserialize)]
#[serde(try_from = "Vec<EventType>")]
pub struct EventTypes(pub Vec<WebhookEventType>);

impl TryFrom<Vec<EventType>> for EventTypes {
    type Error = ValueError;
    fn try_from(list: Vec<EventType>) -> Result<Self, ValueError> {
        if list.is_empty() {
            return Err(ValueError::NoEventTypes);
        }
        let mut types = Vec::with_capacity(list.len());
        for EventType(kind) in list {
            if !types.contains(&kind) {
                types.push(kind);
            }
        }
        Ok(Self(types))
    }
}

/// An `http://` or `https://` URL with a host part. The value is never echoed in errors,
/// since URLs may carry credentials.
#[derive(Deserialize)]
#[serde(try_from = "String")]
pub struct HttpUrl(pub String);

impl TryFrom<String> for HttpUrl {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, ValueError> {
        let lower = value.to_ascii_lowercase();
        let rest = lower.strip_prefix("http://").or_else(|| lower.strip_prefix("https://"));
        match rest {
            Some(rest) if !rest.is_empty() && !rest.starts_with('/') => Ok(Self(value)),
            _ => Err(ValueError::NotHttpUrl),
        }
    }
}

/// An HTTP header name: one or more RFC 9110 token characters.
#[derive(PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct HeaderName(pub String);

impl TryFrom<String> for HeaderName {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, ValueError> {
        let is_token = |c: char| c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c);
        if value.is_empty() || !value.chars().all(is_token) {
            return Err(ValueError::HeaderName(value));
        }
        Ok(Self(value))
    }
}

/// An HTTP header value without control characters. Never echoed: it may be a credential.
#[derive(Deserialize)]
#[serde(try_from = "String")]
pub struct HeaderValue(pub String);

impl TryFrom<String> for HeaderValue {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, ValueError> {
        if value.chars().any(|c| c.is_control() && c != '\t') {
            return Err(ValueError::HeaderValue);
        }
        Ok(Self(value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_and_numbers() {
        assert_eq!(NonEmpty::try_from(String::new()).err(), Some(ValueError::Empty));
        assert_eq!(NonEmpty::try_from("a".to_owned()).map(|v| v.0).ok(), Some("a".to_owned()));
        assert_eq!(Positive::try_from(0).err(), Some(ValueError::Zero));
        assert_eq!(Positive::try_from(1).map(|v| v.0).ok(), Some(1));
    }

    #[test]
    fn event_types() {
        use serde::de::value::{Error, SeqDeserializer};
        let parse = |names: &[&str]| {
            let list = SeqDeserializer::<_, Error>::new(names.iter().copied());
            EventTypes::deserialize(list).map(|t| t.0).map_err(|e| e.to_string())
        };
        let cases = [
            (
                &["member_added", "cache_miss", "member_added"][..],
                Ok(vec![WebhookEventType::MemberAdded, WebhookEventType::CacheMiss]),
            ),
            (&[], Err(ValueError::NoEventTypes.to_string())),
            (
                &["channel_ocupied"],
                Err("unknown webhook event type \"channel_ocupied\"; expected one of \
                     channel_occupied, channel_vacated, member_added, member_removed, \
                     client_event, cache_miss, subscription_count"
                    .to_owned()),
            ),
        ];
        for (names, expected) in cases {
            assert_eq!(parse(names), expected, "{names:?}");
        }
    }

    #[test]
    fn urls() {
        let cases = [
            ("http://127.0.0.1:3000/hooks", true),
            ("HTTPS://example.com", true),
            ("https://", false),
            ("http:///path", false),
            ("ftp://example.com", false),
            ("example.com/hooks", false),
            ("", false),
        ];
        for (url, ok) in cases {
            assert_eq!(HttpUrl::try_from(url.to_owned()).is_ok(), ok, "{url}");
        }
    }

    #[test]
    fn headers() {
        let names = [("X-Custom", true), ("Authorization", true), ("", false), ("X Y", false)];
        for (name, ok) in names {
            assert_eq!(HeaderName::try_from(name.to_owned()).is_ok(), ok, "{name:?}");
        }
        let values = [("Bearer abc", true), ("", true), ("a\tb", true), ("a\r\nb", false)];
        for (value, ok) in values {
            assert_eq!(HeaderValue::try_from(value.to_owned()).is_ok(), ok, "{value:?}");
        }
    }
}
