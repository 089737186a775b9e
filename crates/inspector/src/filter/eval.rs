//! Matching a parsed filter against one record. Nothing is decoded unless a term needs it:
//! the frame (or API body) is parsed at most once per record, and its payload at most once.

use std::cell::OnceCell;
use std::cmp::Ordering;

use serde_json::Value;
use switchboard_engine::{Detail, Observation};

use super::ast::{CompareOp, Expr, Field, Literal, PathTest, StatusTest, Term, TextTest};
use super::glob::contains_ci;
use super::path::JsonPath;
use super::text::any_text;

/// A record under test, with its frame and payload decoded on first use.
pub(crate) struct Record<'a> {
    obs: &'a Observation,
    frame: OnceCell<Option<Value>>,
    payloads: OnceCell<Vec<Value>>,
}

impl<'a> Record<'a> {
    pub(crate) fn new(obs: &'a Observation) -> Self {
        Self { obs, frame: OnceCell::new(), payloads: OnceCell::new() }
    }

    pub(crate) fn eval(&self, expr: &Expr) -> bool {
        match expr {
            Expr::All => true,
            Expr::And(items) => items.iter().all(|e| self.eval(e)),
            Expr::Or(items) => items.iter().any(|e| self.eval(e)),
            Expr::Not(inner) => !self.eval(inner),
            Expr::Term(term) => self.term(term),
        }
    }

    fn term(&self, term: &Term) -> bool {
        match term {
            Term::Field { field, test } => self.field(*field, test),
            Term::Status(test) => status(&self.obs.detail).is_some_and(|s| status_test(test, s)),
            Term::Path { path, test } => self.any_payload(path, &mut |v| path_test(test, v)),
            Term::Has(path) => self.any_payload(path, &mut |_| true),
            Term::Text(needle) => any_text(self.obs, &mut |hay| contains_ci(hay, needle)),
        }
    }

    fn field(&self, field: Field, test: &TextTest) -> bool {
        match test {
            TextTest::Glob(glob) => self.any_value(field, &mut |v| glob.matches(v)),
            TextTest::Equals(wanted) => self.any_value(field, &mut |v| v == wanted),
            TextTest::NotEquals(unwanted) => {
                let mut present = false;
                let equal = self.any_value(field, &mut |v| {
                    present = true;
                    v == unwanted
                });
                present && !equal
            }
        }
    }

    /// Calls `test` with each value of `field` until it answers true.
    fn any_value(&self, field: Field, test: &mut dyn FnMut(&str) -> bool) -> bool {
        let obs = self.obs;
        match field {
            Field::Kind => test(obs.detail.kind()),
            Field::Origin => test(obs.origin.name()),
            Field::Dir => test(direction(&obs.detail)),
            Field::App => obs.app.as_ref().is_some_and(|a| test(a.as_str())),
            Field::User => obs.user.as_ref().is_some_and(|u| test(u.as_str())),
            Field::Socket => socket_values(obs, test),
            Field::Event => match &obs.event {
                Some(event) => test(event),
                None => self.frame().is_some_and(|f| frame_names(f, field, test)),
            },
            Field::Channel => match &obs.channel {
                Some(channel) => test(channel),
                None => self.frame().is_some_and(|f| frame_names(f, field, test)),
            },
        }
    }

    /// The frame's JSON (frames and deliveries) or the request body's (API requests).
    fn frame(&self) -> Option<&Value> {
        self.frame
            .get_or_init(|| {
                let text = match &self.obs.detail {
                    Detail::FrameIn { raw, .. }
                    | Detail::FrameOut { raw }
                    | Detail::Delivery { raw, .. } => raw.as_str(),
                    Detail::ApiRequest { body: Some(body), .. } => body.as_str(),
                    _ => return None,
                };
                serde_json::from_str(text).ok()
            })
            .as_ref()
    }

    fn any_payload(&self, path: &JsonPath, test: &mut dyn FnMut(&Value) -> bool) -> bool {
        let payloads = self.payloads.get_or_init(|| self.frame().map(payloads).unwrap_or_default());
        payloads.iter().any(|payload| path.visit(payload, test))
    }
}

/// `in` for traffic that reached the server, `out` for traffic it sent.
pub(crate) fn direction(detail: &Detail) -> &'static str {
    match detail {
        Detail::FrameIn { .. } | Detail::ApiRequest { .. } | Detail::ConnectionOpened { .. } => {
            "in"
        }
        Detail::FrameOut { .. } | Detail::Delivery { .. } | Detail::WebhookAttempt { .. } => "out",
        _ => "none",
    }
}

/// The status a record carries: HTTP, webhook, or close / refusal code.
pub(crate) fn status(detail: &Detail) -> Option<u16> {
    match detail {
        Detail::ApiRequest { status, .. } | Detail::ConnectionRefused { code: status, .. } => {
            Some(*status)
        }
        Detail::WebhookAttempt { status, .. } => *status,
        Detail::ConnectionClosed { code, .. } => *code,
        _ => None,
    }
}

fn socket_values(obs: &Observation, test: &mut dyn FnMut(&str) -> bool) -> bool {
    if obs.socket.as_ref().is_some_and(|s| test(s.as_str())) {
        return true;
    }
    match &obs.detail {
        Detail::Delivery { reached, skipped, .. } => reached
            .iter()
            .chain(skipped)
            .any(|target| target.socket.as_ref().is_some_and(|s| test(s.as_str()))),
        _ => false,
    }
}

/// A frame's `event` / `channel` (a subscribe frame's `data.channel`), or an API body's
/// `name` / `channel` / `channels` (and those of each `batch` item).
fn frame_names(frame: &Value, field: Field, test: &mut dyn FnMut(&str) -> bool) -> bool {
    let one = |item: &Value, test: &mut dyn FnMut(&str) -> bool| {
        if field == Field::Event {
            return ["event", "name"].iter().filter_map(|k| item.get(*k)?.as_str()).any(test);
        }
        let channel = item.get("channel").or_else(|| item.get("data")?.get("channel"));
        let channels = item.get("channels").and_then(Value::as_array).into_iter().flatten();
        channel.into_iter().chain(channels).filter_map(Value::as_str).any(test)
    };
    match frame.get("batch").and_then(Value::as_array) {
        Some(items) => items.iter().any(|item| one(item, test)),
        None => one(frame, test),
    }
}

/// The payloads in a frame or API body: `data` (decoded when it is a string holding JSON),
/// or each batch item's `data`.
fn payloads(frame: &Value) -> Vec<Value> {
    let items = match frame.get("batch").and_then(Value::as_array) {
        Some(items) => items.iter().collect(),
        None => vec![frame],
    };
    items.into_iter().filter_map(|item| item.get("data")).map(decoded).collect()
}

/// A string holding a JSON object or array is decoded; anything else is taken as it is.
pub(crate) fn decoded(data: &Value) -> Value {
    if let Value::String(text) = data {
        if let Ok(inner @ (Value::Object(_) | Value::Array(_))) = serde_json::from_str(text) {
            return inner;
        }
    }
    data.clone()
}

fn status_test(test: &StatusTest, status: u16) -> bool {
    let mut buffer = [0u8; 5];
    let text = digits(status, &mut buffer);
    match test {
        StatusTest::Digits(pattern) => {
            pattern.len() == text.len()
                && pattern.iter().zip(text.bytes()).all(|(p, d)| p.is_none_or(|p| p == d))
        }
        StatusTest::Glob(glob) => glob.matches(text),
        StatusTest::Compare(op, wanted) => op.holds(status.cmp(wanted)),
    }
}

/// Writes `value` in decimal into `buffer` without allocating.
fn digits(mut value: u16, buffer: &mut [u8; 5]) -> &str {
    let mut start = buffer.len();
    loop {
        start -= 1;
        buffer[start] = b'0' + (value % 10) as u8;
        value /= 10;
        if value == 0 {
            break;
        }
    }
    std::str::from_utf8(&buffer[start..]).unwrap_or_default()
}

fn path_test(test: &PathTest, value: &Value) -> bool {
    match test {
        PathTest::Glob(glob) => match value {
            Value::String(text) => glob.matches(text),
            Value::Number(number) => glob.matches(&number.to_string()),
            Value::Bool(flag) => glob.matches(if *flag { "true" } else { "false" }),
            Value::Null => glob.matches("null"),
            Value::Array(_) | Value::Object(_) => false,
        },
        PathTest::Compare(CompareOp::Eq, literal) => equals(value, literal),
        PathTest::Compare(CompareOp::Ne, literal) => !equals(value, literal),
        PathTest::Compare(op, literal) => order(value, literal).is_some_and(|o| op.holds(o)),
    }
}

fn equals(value: &Value, literal: &Literal) -> bool {
    match (value, literal) {
        (Value::Bool(a), Literal::Bool(b)) => a == b,
        (Value::Null, Literal::Null) => true,
        _ => order(value, literal) == Some(Ordering::Equal),
    }
}

/// Numbers compare as numbers (a string holding a number counts as one); strings compare
/// as text. Anything else is not ordered.
fn order(value: &Value, literal: &Literal) -> Option<Ordering> {
    match (value, literal) {
        (Value::Number(n), Literal::Number(l)) => n.as_f64()?.partial_cmp(l),
        (Value::String(s), Literal::Number(l)) => s.trim().parse::<f64>().ok()?.partial_cmp(l),
        (Value::String(s), Literal::Text(t)) => Some(s.as_str().cmp(t.as_str())),
        (Value::Number(n), Literal::Text(t)) => n.as_f64()?.partial_cmp(&t.trim().parse().ok()?),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_digits() {
        let mut buffer = [0u8; 5];
        assert_eq!(digits(0, &mut buffer), "0");
        assert_eq!(digits(404, &mut buffer), "404");
        assert_eq!(digits(65535, &mut buffer), "65535");
    }
}
