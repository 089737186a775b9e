//! Wildcard patterns (`presence-*`, `*order*`) and case-insensitive substring search.
//!
//! Both work on bytes with ASCII case folding, so matching a record allocates nothing.

/// A pattern where `*` stands for any run of characters (including none). Without a `*`
/// it must equal the whole value. Letters compare ASCII case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Glob {
    /// The pattern split at `*`, lowercased.
    parts: Vec<String>,
    /// Whether the pattern starts / ends with `*`.
    open_start: bool,
    open_end: bool,
}

impl Glob {
    pub(crate) fn new(pattern: &str) -> Self {
        let lower = pattern.to_ascii_lowercase();
        let parts = lower.split('*').filter(|p| !p.is_empty()).map(str::to_owned).collect();
        Self { parts, open_start: lower.starts_with('*'), open_end: lower.ends_with('*') }
    }

    pub(crate) fn matches(&self, value: &str) -> bool {
        let mut rest = value.as_bytes();
        let count = self.parts.len();
        if count == 0 {
            return self.open_start || rest.is_empty();
        }
        for (index, part) in self.parts.iter().enumerate() {
            let part = part.as_bytes();
            let first = index == 0;
            let last = index + 1 == count;
            if first && !self.open_start {
                if !starts_with_ci(rest, part) {
                    return false;
                }
                rest = &rest[part.len()..];
                if last && !self.open_end {
                    return rest.is_empty();
                }
                continue;
            }
            if last && !self.open_end {
                return rest.len() >= part.len() && ends_with_ci(rest, part);
            }
            match find_ci(rest, part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
        true
    }
}

fn starts_with_ci(haystack: &[u8], lower: &[u8]) -> bool {
    haystack.len() >= lower.len() && haystack[..lower.len()].eq_ignore_ascii_case(lower)
}

fn ends_with_ci(haystack: &[u8], lower: &[u8]) -> bool {
    haystack.len() >= lower.len()
        && haystack[haystack.len() - lower.len()..].eq_ignore_ascii_case(lower)
}

/// The byte offset of the first ASCII-case-insensitive occurrence of `lower` (already
/// lowercased) in `haystack`.
pub(crate) fn find_ci(haystack: &[u8], lower: &[u8]) -> Option<usize> {
    if lower.is_empty() {
        return Some(0);
    }
    let first = lower[0];
    let last_start = haystack.len().checked_sub(lower.len())?;
    (0..=last_start).find(|&at| {
        haystack[at].to_ascii_lowercase() == first
            && haystack[at..at + lower.len()].eq_ignore_ascii_case(lower)
    })
}

/// Whether `haystack` contains `lower` (already lowercased), ignoring ASCII case.
pub(crate) fn contains_ci(haystack: &str, lower: &str) -> bool {
    find_ci(haystack.as_bytes(), lower.as_bytes()).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        let cases = [
            ("orders", "orders", true),
            ("orders", "Orders", true),
            ("orders", "orders-1", false),
            ("presence-*", "presence-chat", true),
            ("presence-*", "presence-", true),
            ("presence-*", "private-chat", false),
            ("*-chat", "presence-chat", true),
            ("*-chat", "presence-chats", false),
            ("*order*", "new-order-7", true),
            ("*order*", "ORDER", true),
            ("*order*", "ord", false),
            ("a*b*c", "abc", true),
            ("a*b*c", "a-x-b-y-c", true),
            ("a*b*c", "a-x-c-y-b", false),
            ("a*a", "a", false),
            ("a*a", "aa", true),
            ("*", "", true),
            ("*", "anything", true),
            ("", "", true),
            ("", "x", false),
            ("**x", "yx", true),
        ];
        for (pattern, value, expected) in cases {
            assert_eq!(Glob::new(pattern).matches(value), expected, "{pattern:?} vs {value:?}");
        }
    }

    #[test]
    fn substring_ignores_ascii_case() {
        assert!(contains_ci("Hello World", "o w"));
        assert!(contains_ci("x", ""));
        assert!(!contains_ci("abc", "abcd"));
        assert_eq!(find_ci(b"xxABx", b"ab"), Some(2));
    }
}
