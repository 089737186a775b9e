//! ISO 8601 timestamps for HAR (`2024-05-01T10:00:00.123Z`), written and read without a
//! date library: the civil-calendar conversions are Howard Hinnant's public-domain ones.

use switchboard_engine::Millis;

const MS_PER_DAY: i64 = 86_400_000;

/// Unix milliseconds as `YYYY-MM-DDTHH:MM:SS.mmmZ` (UTC).
pub fn iso8601(ms: Millis) -> String {
    let ms = i64::try_from(ms).unwrap_or(i64::MAX);
    let (days, in_day) = (ms.div_euclid(MS_PER_DAY), ms.rem_euclid(MS_PER_DAY));
    let (year, month, day) = civil_from_days(days);
    let (hour, minute) = (in_day / 3_600_000, in_day / 60_000 % 60);
    let (second, milli) = (in_day / 1000 % 60, in_day % 1000);
    format!("{year:04}-{month:02}-{day:02}T{hour:02}:{minute:02}:{second:02}.{milli:03}Z")
}

/// Reads `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z|±HH:MM|±HHMM]` into unix milliseconds.
/// A missing zone is taken as UTC. `None` when the text is not of that shape.
pub fn parse_iso8601(text: &str) -> Option<i64> {
    let text = text.trim();
    let bytes = text.as_bytes();
    if bytes.len() < 19 || !matches!(bytes[10], b'T' | b't' | b' ') {
        return None;
    }
    let year = number(text, 0, 4)?;
    let month = number(text, 5, 2)?;
    let day = number(text, 8, 2)?;
    let (hour, minute, second) = (number(text, 11, 2)?, number(text, 14, 2)?, number(text, 17, 2)?);
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    let valid = separators.iter().all(|(at, c)| bytes[*at] == *c)
        && (1..=12).contains(&month)
        && (1..=31).contains(&day)
        && hour < 24
        && minute < 60
        && second < 61;
    if !valid {
        return None;
    }
    let (fraction_ms, rest) = fraction(&text[19..])?;
    let offset_ms = zone(rest)?;
    let days = days_from_civil(year, month, day);
    let in_day = (hour * 3600 + minute * 60 + second) * 1000;
    Some(days * MS_PER_DAY + in_day + fraction_ms - offset_ms)
}

fn number(text: &str, at: usize, len: usize) -> Option<i64> {
    let digits = text.get(at..at + len)?;
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// `.123456` → (123, rest); no fraction → (0, text).
fn fraction(text: &str) -> Option<(i64, &str)> {
    let Some(after_dot) = text.strip_prefix('.') else { return Some((0, text)) };
    let end = after_dot.find(|c: char| !c.is_ascii_digit()).unwrap_or(after_dot.len());
    if end == 0 {
        return None;
    }
    let digits = &after_dot[..end.min(3)];
    let scale = 10_i64.pow(3 - u32::try_from(digits.len()).ok()?);
    Some((digits.parse::<i64>().ok()? * scale, &after_dot[end..]))
}

/// `Z`, `+02:00`, `-0530` or nothing → the offset east of UTC in milliseconds.
fn zone(text: &str) -> Option<i64> {
    if text.is_empty() || text.eq_ignore_ascii_case("z") {
        return Some(0);
    }
    let sign = match text.as_bytes()[0] {
        b'+' => 1,
        b'-' => -1,
        _ => return None,
    };
    let digits: String = text[1..].chars().filter(|c| *c != ':').collect();
    if digits.len() != 4 {
        return None;
    }
    let (hours, minutes) = (number(&digits, 0, 2)?, number(&digits, 2, 2)?);
    Some(sign * (hours * 60 + minutes) * 60_000)
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let month_index = (month + 9) % 12;
    let day_of_year = (153 * month_index + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let shifted = days + 719_468;
    let era = shifted.div_euclid(146_097);
    let day_of_era = shifted - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 { month_index + 3 } else { month_index - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_utc_with_milliseconds() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso8601(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(iso8601(951_782_400_000), "2000-02-29T00:00:00.000Z");
    }

    #[test]
    fn reads_the_shapes_tools_write() {
        let cases = [
            ("2023-11-14T22:13:20.123Z", Some(1_700_000_000_123)),
            ("2023-11-14T22:13:20Z", Some(1_700_000_000_000)),
            ("2023-11-14T22:13:20.123456+00:00", Some(1_700_000_000_123)),
            ("2023-11-14T23:13:20.1+01:00", Some(1_700_000_000_100)),
            ("2023-11-14T16:43:20.000-0530", Some(1_700_000_000_000)),
            ("2023-11-14 22:13:20", Some(1_700_000_000_000)),
            ("2000-02-29T00:00:00.000Z", Some(951_782_400_000)),
            ("2023-13-14T22:13:20Z", None),
            ("2023-11-14", None),
            ("2023-11-14T22:13:20.Z", None),
            ("2023-11-14T22:13:20+1", None),
            ("yesterday at noon please", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse_iso8601(text), expected, "{text}");
        }
    }

    #[test]
    fn round_trips() {
        for ms in [0, 1, 999, 86_399_999, 1_714_557_600_123, 4_102_444_800_000] {
            assert_eq!(parse_iso8601(&iso8601(ms)), i64::try_from(ms).ok());
        }
    }
}
