//! Decoding HTTP API bodies into engine requests, with errors that name the field.

use serde_json::{Map, Value};
use switchboard_engine::{BatchItem, TriggerRequest};
use switchboard_proto::SocketId;

/// Why a body was refused (400).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BodyError {
    #[error("Invalid JSON body: {0}")]
    InvalidJson(String),
    #[error("The body must be a JSON object")]
    NotAnObject,
    #[error("Missing field {0:?}")]
    MissingField(String),
    #[error("Field {field:?} must be {expected}")]
    WrongType { field: String, expected: &'static str },
    #[error("Field {field:?}: {value:?} is not a socket id like 123.456")]
    BadSocketId { field: String, value: String },
}

/// `POST /apps/{id}/events`: `name`, `data`, `channels` or `channel`, `socket_id`, `info`.
pub fn trigger(body: &[u8]) -> Result<TriggerRequest, BodyError> {
    let object = parse_object(body)?;
    let channels = match (object.get("channels"), object.get("channel")) {
        (Some(list), _) => string_list(list, "channels")?,
        (None, Some(one)) => vec![string(one, "channel")?],
        (None, None) => return Err(BodyError::MissingField("channels".into())),
    };
    event(&object, channels, "")
}

/// `POST /apps/{id}/batch_events`: `{"batch":[{name, channel, data, socket_id?, info?}]}`.
pub fn batch(body: &[u8]) -> Result<Vec<BatchItem>, BodyError> {
    let object = parse_object(body)?;
    let items = object.get("batch").ok_or_else(|| BodyError::MissingField("batch".into()))?;
    let Value::Array(items) = items else {
        return Err(BodyError::WrongType { field: "batch".into(), expected: "an array" });
    };
    items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let prefix = format!("batch[{index}].");
            let Value::Object(item) = item else {
                return Err(BodyError::WrongType {
                    field: format!("batch[{index}]"),
                    expected: "an object",
                });
            };
            let channel = item
                .get("channel")
                .ok_or_else(|| BodyError::MissingField(format!("{prefix}channel")))?;
            let channel = string(channel, &format!("{prefix}channel"))?;
            event(item, vec![channel], &prefix)
        })
        .collect()
}

fn parse_object(body: &[u8]) -> Result<Map<String, Value>, BodyError> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(object)) => Ok(object),
        Ok(_) => Err(BodyError::NotAnObject),
        Err(error) => Err(BodyError::InvalidJson(error.to_string())),
    }
}

fn event(
    object: &Map<String, Value>,
    channels: Vec<String>,
    prefix: &str,
) -> Result<TriggerRequest, BodyError> {
    let field = |name: &str| format!("{prefix}{name}");
    let name = object.get("name").ok_or_else(|| BodyError::MissingField(field("name")))?;
    let data = object.get("data").ok_or_else(|| BodyError::MissingField(field("data")))?;
    let socket_id =
        match object.get("socket_id") {
            None | Some(Value::Null) => None,
            Some(value) => {
                let text = string(value, &field("socket_id"))?;
                Some(SocketId::parse(&text).map_err(|_| BodyError::BadSocketId {
                    field: field("socket_id"),
                    value: text,
                })?)
            }
        };
    let info = match object.get("info") {
        None | Some(Value::Null) => Vec::new(),
        Some(value) => vec![string(value, &field("info"))?],
    };
    Ok(TriggerRequest {
        name: string(name, &field("name"))?,
        // Non-string data (from non-SDK clients) is stringified, as sockudo does.
        data: match data {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        },
        channels,
        socket_id,
        info,
    })
}

fn string(value: &Value, field: &str) -> Result<String, BodyError> {
    value
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| BodyError::WrongType { field: field.to_owned(), expected: "a string" })
}

fn string_list(value: &Value, field: &str) -> Result<Vec<String>, BodyError> {
    let wrong =
        || BodyError::WrongType { field: field.to_owned(), expected: "an array of strings" };
    let Value::Array(items) = value else {
        return Err(wrong());
    };
    items.iter().map(|v| v.as_str().map(str::to_owned).ok_or_else(wrong)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_triggers_in_both_channel_forms() {
        let request = trigger(br#"{"name":"e","data":"d","channels":["a","b"],"socket_id":"1.2","info":"user_count"}"#).unwrap();
        assert_eq!(request.channels, ["a", "b"]);
        assert_eq!(request.socket_id, Some(SocketId::parse("1.2").unwrap()));
        assert_eq!(request.info, ["user_count"]);
        let request = trigger(br#"{"name":"e","data":{"x":1},"channel":"a"}"#).unwrap();
        assert_eq!((request.channels, request.data.as_str()), (vec!["a".to_owned()], r#"{"x":1}"#));
    }

    #[test]
    fn errors_name_the_field() {
        let table: &[(&str, &str)] = &[
            ("nope", "Invalid JSON body"),
            ("[]", "must be a JSON object"),
            (r#"{"data":"d","channel":"a"}"#, "Missing field \"name\""),
            (r#"{"name":"e","channel":"a"}"#, "Missing field \"data\""),
            (r#"{"name":"e","data":"d"}"#, "Missing field \"channels\""),
            (r#"{"name":1,"data":"d","channel":"a"}"#, "Field \"name\" must be a string"),
            (
                r#"{"name":"e","data":"d","channels":"a"}"#,
                "Field \"channels\" must be an array of strings",
            ),
            (
                r#"{"name":"e","data":"d","channel":"a","socket_id":"x"}"#,
                "Field \"socket_id\": \"x\" is not a socket id",
            ),
        ];
        for (body, expected) in table {
            let error = trigger(body.as_bytes()).unwrap_err().to_string();
            assert!(error.contains(expected), "{body}: {error}");
        }
        let error =
            batch(br#"{"batch":[{"name":"e","data":"d","channel":"a"},{"name":"e","data":"d"}]}"#)
                .unwrap_err();
        assert_eq!(error, BodyError::MissingField("batch[1].channel".into()));
    }
}
