//! Session identity, metadata and retention policy, plus the default session name.

use std::fmt;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::StoreError;

/// A recording session's number in the database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(export)]
pub struct SessionId(#[ts(type = "number")] pub i64);

impl fmt::Display for SessionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// What the session list shows about one session. Times are unix milliseconds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SessionInfo {
    pub id: SessionId,
    pub name: String,
    #[ts(type = "number")]
    pub started_at: u64,
    /// `None` while the session is being recorded.
    #[ts(type = "number | null")]
    pub ended_at: Option<u64>,
    /// Stored records, gap records included.
    #[ts(type = "number")]
    pub records: u64,
    /// Observations lost to gaps (the sum of the session's `Gap { missed }`).
    #[serde(default)]
    #[ts(type = "number")]
    pub missed: u64,
    /// The `at` of the earliest and latest record, when there is one.
    #[serde(default)]
    #[ts(type = "number | null")]
    pub first_at: Option<u64>,
    #[serde(default)]
    #[ts(type = "number | null")]
    pub last_at: Option<u64>,
}

/// How many finished sessions to keep. Applied when recording starts and after each session
/// ends; the session being recorded is never deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Retention {
    /// Keep at most this many sessions (the newest by creation), the current one included.
    pub max_sessions: Option<u32>,
    /// Delete sessions that entered this database more than this many days ago.
    pub max_age_days: Option<u32>,
}

impl Default for Retention {
    /// 100 sessions and 30 days: about a month of restarts for a developer, bounded on disk.
    fn default() -> Self {
        Self { max_sessions: Some(100), max_age_days: Some(30) }
    }
}

impl Retention {
    /// Keeps everything.
    pub const UNLIMITED: Self = Self { max_sessions: None, max_age_days: None };
}

/// The longest session name, in characters.
pub const MAX_NAME_CHARS: usize = 200;

/// Trims `name` and checks it is neither blank nor too long.
pub(crate) fn valid_name(name: &str) -> Result<&str, StoreError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(StoreError::InvalidName { max: MAX_NAME_CHARS });
    }
    Ok(name)
}

/// "Session 2026-11-26 17:50 UTC" for a session started at `unix_ms`. UTC because the
/// standard library cannot know the local zone; the UI shows `started_at` in local time.
pub fn default_session_name(unix_ms: u64) -> String {
    let minutes = unix_ms / 60_000;
    let (hour, minute) = ((minutes / 60) % 24, minutes % 60);
    let days = i64::try_from(minutes / 1_440).unwrap_or(i64::MAX);
    let (year, month, day) = civil_from_days(days);
    format!("Session {year:04}-{month:02}-{day:02} {hour:02}:{minute:02} UTC")
}

/// Days since 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    // Both are small by construction (1..=31 and 1..=12).
    (year, u32::try_from(month).unwrap_or(1), u32::try_from(day).unwrap_or(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_names() {
        let cases = [
            (0, "Session 1970-01-01 00:00 UTC"),
            (951_782_400_000, "Session 2000-02-29 00:00 UTC"),
            (1_795_715_400_000, "Session 2026-11-26 17:50 UTC"),
            (1_795_715_459_999, "Session 2026-11-26 17:50 UTC"),
            (4_102_444_799_000, "Session 2099-12-31 23:59 UTC"),
        ];
        for (ms, name) in cases {
            assert_eq!(default_session_name(ms), name, "{ms}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(valid_name("  demo ").ok(), Some("demo"));
        assert!(valid_name("   ").is_err());
        assert!(valid_name(&"x".repeat(MAX_NAME_CHARS)).is_ok());
        assert!(valid_name(&"é".repeat(MAX_NAME_CHARS + 1)).is_err());
    }
}
