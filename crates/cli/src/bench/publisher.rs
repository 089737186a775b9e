//! Publishing through the signed HTTP API (`POST /apps/{id}/events`) over keep-alive HTTP.

use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use reqwest::header::CONTENT_TYPE;
use serde_json::json;

use super::payload;
use super::stats::Clock;
use super::target::Target;

/// The event name the bench publishes.
pub const EVENT: &str = "bench-event";

/// Why a publish failed.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error("HTTP request failed: {0}")]
    Http(#[from] reqwest::Error),
    #[error("the server answered {status}: {body}")]
    Status { status: u16, body: String },
}

/// Publishes events carrying their send time to one channel.
#[derive(Debug, Clone)]
pub struct Publisher {
    http: reqwest::Client,
    target: Arc<Target>,
    channel: String,
    payload_bytes: usize,
    clock: Clock,
}

impl Publisher {
    pub fn new(
        target: Arc<Target>,
        channel: &str,
        payload_bytes: usize,
        clock: Clock,
    ) -> anyhow::Result<Self> {
        let http = reqwest::Client::builder()
            .no_proxy()
            .tcp_nodelay(true)
            .pool_idle_timeout(Duration::from_secs(90))
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Self { http, target, channel: channel.to_owned(), payload_bytes, clock })
    }

    /// Publishes one event stamped with the current time; returns when the server answered.
    pub async fn publish(&self) -> Result<(), PublishError> {
        let data = payload::with_timestamp(self.clock.now_us(), self.payload_bytes);
        let body = json!({"name": EVENT, "channels": [self.channel], "data": data}).to_string();
        let url = self.target.signed_events_url(body.as_bytes(), unix_seconds());
        let response =
            self.http.post(url).header(CONTENT_TYPE, "application/json").body(body).send().await?;
        let status = response.status();
        // Read the body either way, so the connection goes back to the pool.
        let text = response.text().await?;
        if status.is_success() {
            Ok(())
        } else {
            Err(PublishError::Status { status: status.as_u16(), body: text })
        }
    }
}

fn unix_seconds() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}
