//! Payload paths: `data.order.id`, `data.tags[0]`, `data["odd key"]`.
//!
//! A step into a string that holds JSON decodes it on the way (Pusher payloads are often
//! encoded twice, and `channel_data` / `user_data` once more inside them).

use std::fmt;

use serde_json::Value;

use super::scan::Cursor;
use super::FilterError;

/// The root every payload path starts with.
pub(crate) const ROOT: &str = "data";

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Segment {
    Key(String),
    Index(usize),
}

/// A path below `data`; empty means the payload itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JsonPath {
    segments: Vec<Segment>,
}

impl JsonPath {
    /// The payload itself.
    pub(crate) fn root() -> Self {
        Self { segments: Vec::new() }
    }

    /// Parses the segments after `data` (the cursor sits just past the root word).
    pub(crate) fn parse_segments(cursor: &mut Cursor) -> Result<Self, FilterError> {
        let mut segments = Vec::new();
        loop {
            if cursor.eat('.') {
                let key = cursor.take_while(is_key_char);
                if key.is_empty() {
                    return Err(cursor.error_here("expected a key after \".\""));
                }
                segments.push(Segment::Key(key));
            } else if cursor.peek() == Some('[') {
                segments.push(bracket(cursor)?);
            } else {
                return Ok(Self { segments });
            }
        }
    }

    /// Calls `found` with the value at this path in `root` (if any) and returns its answer.
    pub(crate) fn visit(&self, root: &Value, found: &mut dyn FnMut(&Value) -> bool) -> bool {
        visit(&self.segments, root, found)
    }
}

fn bracket(cursor: &mut Cursor) -> Result<Segment, FilterError> {
    let open = cursor.pos();
    cursor.bump();
    let segment = if cursor.peek() == Some('"') {
        Segment::Key(cursor.take_quoted()?)
    } else {
        let digits = cursor.take_while(|c| c.is_ascii_digit());
        match digits.parse() {
            Ok(index) => Segment::Index(index),
            Err(_) => {
                return Err(cursor.error_here("expected an index like [0] or a quoted key"));
            }
        }
    };
    if !cursor.eat(']') {
        let message = format!("expected \"]\" to close the \"[\" at {open}");
        return Err(cursor.error_here(message));
    }
    Ok(segment)
}

pub(crate) fn is_key_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '$')
}

fn visit(segments: &[Segment], value: &Value, found: &mut dyn FnMut(&Value) -> bool) -> bool {
    let Some((first, rest)) = segments.split_first() else {
        return found(value);
    };
    let next = match (first, value) {
        (Segment::Key(key), Value::Object(map)) => map.get(key),
        (Segment::Index(index), Value::Array(items)) => items.get(*index),
        (_, Value::String(text)) => {
            return match serde_json::from_str::<Value>(text) {
                Ok(decoded @ (Value::Object(_) | Value::Array(_))) => {
                    visit(segments, &decoded, found)
                }
                _ => false,
            };
        }
        _ => None,
    };
    next.is_some_and(|next| visit(rest, next, found))
}

impl fmt::Display for JsonPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(ROOT)?;
        for segment in &self.segments {
            match segment {
                Segment::Key(key) if !key.is_empty() && key.chars().all(is_key_char) => {
                    write!(f, ".{key}")?;
                }
                Segment::Key(key) => write!(f, "[{key:?}]")?,
                Segment::Index(index) => write!(f, "[{index}]")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn path(text: &str) -> JsonPath {
        let mut cursor = Cursor::new(text);
        JsonPath::parse_segments(&mut cursor).unwrap()
    }

    fn get(text: &str, root: &Value) -> Option<Value> {
        let mut out = None;
        path(text).visit(root, &mut |v| {
            out = Some(v.clone());
            true
        });
        out
    }

    #[test]
    fn walks_objects_arrays_and_encoded_strings() {
        let root = json!({"order": {"id": 42, "tags": ["a", "b"]}, "odd key": 1,
                          "inner": "{\"deep\":{\"x\":true}}"});
        assert_eq!(get(".order.id", &root), Some(json!(42)));
        assert_eq!(get(".order.tags[1]", &root), Some(json!("b")));
        assert_eq!(get(".order.tags[2]", &root), None);
        assert_eq!(get("[\"odd key\"]", &root), Some(json!(1)));
        assert_eq!(get(".inner.deep.x", &root), Some(json!(true)));
        assert_eq!(get(".missing", &root), None);
        assert_eq!(get("", &root), Some(root.clone()));
    }

    #[test]
    fn displays_like_it_is_written() {
        assert_eq!(path(".order.tags[0]").to_string(), "data.order.tags[0]");
        assert_eq!(path("[\"a b\"]").to_string(), "data[\"a b\"]");
    }
}
