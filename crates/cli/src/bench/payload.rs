//! Event payloads that carry their send time, and finding it again in a received frame.
//!
//! The time travels as `@ts<microseconds>` inside a JSON string value: no character of it
//! needs escaping, so it reads the same whether a server relays `data` as a string (HTTP
//! events) or as an object (client events). Finding it is a byte search, not a JSON parse,
//! so the reader stays cheap at hundreds of thousands of frames per second.

const MARK: &str = "@ts";

/// `{"p":"@ts<micros>;xxxx…"}`, padded with `x` to `size` bytes when that is longer.
pub fn with_timestamp(micros: u64, size: usize) -> String {
    let mut text = format!(r#"{{"p":"{MARK}{micros};"#);
    let closing = "\"}";
    let pad = size.saturating_sub(text.len() + closing.len());
    text.push_str(&"x".repeat(pad));
    text.push_str(closing);
    text
}

/// The microseconds after the first `@ts` in `text`.
pub fn timestamp(text: &str) -> Option<u64> {
    // Finding the `@` alone is a memchr (SIMD); no other `@` precedes the mark in our frames,
    // and a stray one only costs another search.
    let mut from = 0;
    let start = loop {
        let at = from + text[from..].find('@')?;
        if text[at..].starts_with(MARK) {
            break at + MARK.len();
        }
        from = at + 1;
    };
    let digits = &text.as_bytes()[start..];
    let end = digits.iter().position(|b| !b.is_ascii_digit()).unwrap_or(digits.len());
    std::str::from_utf8(&digits[..end]).ok()?.parse().ok()
}

/// Whether a server frame is `pusher:ping` (answered with `pusher:pong`).
pub fn is_ping(text: &str) -> bool {
    text.contains("\"pusher:ping\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_have_the_asked_size_and_give_their_time_back() {
        for (micros, size) in [(0, 200), (123_456_789, 200), (42, 10), (7, 1000)] {
            let payload = with_timestamp(micros, size);
            assert!(payload.len() == size || size < 20, "{size}: {}", payload.len());
            assert!(serde_json::from_str::<serde_json::Value>(&payload).is_ok(), "{payload}");
            assert_eq!(timestamp(&payload), Some(micros));
        }
    }

    #[test]
    fn the_time_is_found_inside_a_double_encoded_frame() {
        let data = with_timestamp(987_654, 60);
        let frame = serde_json::json!({"event": "e", "channel": "c", "data": data}).to_string();
        assert_eq!(timestamp(&frame), Some(987_654));
        assert_eq!(timestamp(r#"{"event":"e"}"#), None);
        assert_eq!(timestamp("@ts"), None);
        assert_eq!(timestamp("a@b@@ts12x"), Some(12));
        assert!(is_ping(r#"{"event":"pusher:ping","data":{}}"#));
        assert!(!is_ping(r#"{"event":"client-ping"}"#));
    }
}
