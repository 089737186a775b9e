//! The `[webhooks]` table: how webhooks are batched, held back, retried and buffered. The
//! targets themselves are per app (`[[apps.webhooks]]`); these settings are server-wide.

use std::time::Duration;

use serde::Deserialize;

use super::values::Positive;

/// Webhook delivery settings. Defaults follow Pusher: 3 s grace before `channel_vacated` /
/// `member_removed`, batches of at most 20 events or 250 ms, 4 s per request, retries for
/// 5 minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// How long `channel_vacated` / `member_removed` wait; cancelled if the channel or member
    /// is back before it ends. Zero sends them at once.
    pub grace_period: Duration,
    /// How long a batch stays open for more events after its first one.
    pub batch_window: Duration,
    /// Most events in one request.
    pub batch_size: usize,
    /// Per-request timeout; a slower answer counts as a failed attempt.
    pub timeout: Duration,
    /// How long a batch is retried after its first attempt before it is dropped.
    pub retry_for: Duration,
    /// Webhook events waiting in the hub's queue (and, as many again, in the sender) before
    /// new ones are dropped and counted.
    pub queue_capacity: usize,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            grace_period: Duration::from_millis(3000),
            batch_window: Duration::from_millis(250),
            batch_size: 20,
            timeout: Duration::from_millis(4000),
            retry_for: Duration::from_secs(300),
            queue_capacity: 10_000,
        }
    }
}

/// The `[webhooks]` table as written in the file; omitted keys keep their defaults.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawWebhookSettings {
    grace_period_ms: Option<u32>,
    batch_ms: Option<u32>,
    batch_size: Option<Positive>,
    timeout_ms: Option<Positive>,
    retry_for_secs: Option<u32>,
    queue_capacity: Option<Positive>,
}

impl RawWebhookSettings {
    /// The settings, with the defaults for what the table leaves out.
    pub fn into_settings(self) -> WebhookSettings {
        let defaults = WebhookSettings::default();
        let ms = |value: Option<u32>, default| {
            value.map_or(default, |v| Duration::from_millis(v.into()))
        };
        let count = |value: Option<Positive>, default| value.map_or(default, |v| v.0 as usize);
        WebhookSettings {
            grace_period: ms(self.grace_period_ms, defaults.grace_period),
            batch_window: ms(self.batch_ms, defaults.batch_window),
            batch_size: count(self.batch_size, defaults.batch_size),
            timeout: ms(self.timeout_ms.map(|v| v.0), defaults.timeout),
            retry_for: self
                .retry_for_secs
                .map_or(defaults.retry_for, |v| Duration::from_secs(v.into())),
            queue_capacity: count(self.queue_capacity, defaults.queue_capacity),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::config::Settings;

    fn parse(text: &str) -> Result<WebhookSettings, String> {
        let settings = Settings::from_toml_str(text, Path::new("switchboard.toml"));
        settings.map(|s| s.webhooks).map_err(|e| e.to_string())
    }

    #[test]
    fn omitted_table_and_keys_take_the_defaults() {
        assert_eq!(parse(""), Ok(WebhookSettings::default()));
        assert_eq!(parse("[webhooks]\n"), Ok(WebhookSettings::default()));
        let partial = parse("[webhooks]\nbatch_size = 5\n").unwrap();
        assert_eq!(partial, WebhookSettings { batch_size: 5, ..WebhookSettings::default() });
    }

    #[test]
    fn every_key_is_read() {
        let text = "[webhooks]\ngrace_period_ms = 500\nbatch_ms = 50\nbatch_size = 3\n\
                    timeout_ms = 300\nretry_for_secs = 10\nqueue_capacity = 7\n";
        let expected = WebhookSettings {
            grace_period: Duration::from_millis(500),
            batch_window: Duration::from_millis(50),
            batch_size: 3,
            timeout: Duration::from_millis(300),
            retry_for: Duration::from_secs(10),
            queue_capacity: 7,
        };
        assert_eq!(parse(text), Ok(expected));
    }

    #[test]
    fn zero_means_no_wait_where_that_makes_sense() {
        let text = "[webhooks]\ngrace_period_ms = 0\nbatch_ms = 0\nretry_for_secs = 0\n";
        let settings = parse(text).unwrap();
        assert_eq!(settings.grace_period, Duration::ZERO);
        assert_eq!(settings.batch_window, Duration::ZERO);
        assert_eq!(settings.retry_for, Duration::ZERO);
    }

    #[test]
    fn refusals_name_file_line_column_and_field() {
        let cases = [
            (
                "[webhooks]\nbatch_size = 0\n",
                "switchboard.toml:2:14: webhooks.batch_size: must be at least 1",
            ),
            (
                "[webhooks]\nqueue_capacity = 0\n",
                "switchboard.toml:2:18: webhooks.queue_capacity: must be at least 1",
            ),
            (
                "[webhooks]\ntimeout_ms = \"4s\"\n",
                "switchboard.toml:2:14: webhooks.timeout_ms: invalid type: string \"4s\", \
                 expected u32",
            ),
            (
                "[webhooks]\ngrace_period_ms = -1\n",
                "switchboard.toml:2:19: webhooks.grace_period_ms: invalid value: integer `-1`, \
                 expected u32",
            ),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text).err().as_deref(), Some(expected), "{text}");
        }
    }

    #[test]
    fn unknown_keys_are_refused_where_they_stand() {
        let error = parse("[webhooks]\nbatch_size = 2\nretries = 3\n").unwrap_err();
        assert!(
            error.starts_with("switchboard.toml:3:1: webhooks.retries: unknown field `retries`"),
            "{error}"
        );
    }
}
