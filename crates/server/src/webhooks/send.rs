//! One delivery attempt: sign the body with the app's secret, POST it with the Pusher headers
//! and the target's extra headers, and say what came back and how long it took.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue, CONTENT_TYPE};
use switchboard_proto::sign::webhook_signature;
use switchboard_proto::{AppKey, AppSecret};
use tokio::time::Instant;

use super::lanes::Ready;

/// The most of a refusing receiver's answer kept in the record.
const ANSWER_PREVIEW_CHARS: usize = 200;

/// Why the webhook sender could not start.
#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("cannot set up the webhook HTTP client: {0}")]
    Client(#[source] reqwest::Error),
}

/// The HTTP client every attempt shares: no redirects (a 3xx is a failed attempt).
pub fn client() -> Result<reqwest::Client, WebhookError> {
    reqwest::Client::builder()
        .user_agent(concat!("switchboard/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(WebhookError::Client)
}

/// The app credentials a batch is signed with, read when the attempt starts.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub key: AppKey,
    pub secret: AppSecret,
}

/// What one attempt got: a status, or an error when nothing usable came back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptResult {
    pub status: Option<u16>,
    pub error: Option<String>,
    pub latency: Duration,
}

impl AttemptResult {
    pub fn failed(error: impl Into<String>) -> Self {
        Self { status: None, error: Some(error.into()), latency: Duration::ZERO }
    }
}

/// Posts `ready` once, giving up after `timeout`.
pub async fn attempt(
    client: &reqwest::Client,
    ready: &Ready,
    credentials: Option<Credentials>,
    timeout: Duration,
) -> AttemptResult {
    let Some(credentials) = credentials else {
        return AttemptResult::failed("the app is no longer configured");
    };
    let started = Instant::now();
    let request = client
        .post(&ready.key.url)
        .headers(headers(ready, &credentials))
        .body(ready.body.clone())
        .timeout(timeout);
    let (status, error) = match request.send().await {
        Ok(response) => answer(response).await,
        Err(error) => (None, Some(describe(&error, timeout))),
    };
    AttemptResult { status, error, latency: started.elapsed() }
}

/// The target's extra headers, then the Pusher ones (which they cannot replace).
fn headers(ready: &Ready, credentials: &Credentials) -> HeaderMap {
    let mut map = HeaderMap::new();
    for (name, value) in ready.headers.iter() {
        match (HeaderName::from_bytes(name.as_bytes()), HeaderValue::from_str(value)) {
            (Ok(name), Ok(value)) => {
                map.insert(name, value);
            }
            _ => tracing::warn!(header = %name, "webhook header left out: not a valid header"),
        }
    }
    let signature = webhook_signature(&credentials.secret, &ready.body);
    let pusher = [
        (CONTENT_TYPE.as_str(), "application/json"),
        ("x-pusher-key", credentials.key.as_str()),
        ("x-pusher-signature", signature.as_str()),
    ];
    for (name, value) in pusher {
        if let Ok(value) = HeaderValue::from_str(value) {
            map.insert(HeaderName::from_static(name), value);
        }
    }
    map
}

/// The status, and for a non-2xx answer the start of its body.
async fn answer(response: reqwest::Response) -> (Option<u16>, Option<String>) {
    let status = response.status();
    if status.is_success() {
        return (Some(status.as_u16()), None);
    }
    let text = response.text().await.unwrap_or_default();
    let preview: String = text.trim().chars().take(ANSWER_PREVIEW_CHARS).collect();
    let error = if preview.is_empty() {
        format!("the receiver answered {status}")
    } else {
        format!("the receiver answered {status}: {preview}")
    };
    (Some(status.as_u16()), Some(error))
}

/// A transport error in words, without the URL (it may carry credentials).
fn describe(error: &reqwest::Error, timeout: Duration) -> String {
    if error.is_timeout() {
        return format!("no answer within {} ms", timeout.as_millis());
    }
    let mut cause: &dyn std::error::Error = error;
    while let Some(source) = cause.source() {
        cause = source;
    }
    let what = if error.is_connect() { "cannot connect" } else { "request failed" };
    format!("{what}: {cause}")
}

/// `http://user:pass@host/…` → `http://<redacted>@host/…`, for records and logs.
pub fn redact_userinfo(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}://<redacted>{}", &rest[at..]),
        None => url.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use switchboard_engine::WebhookEvent;
    use switchboard_proto::AppId;

    use super::super::batch::{Batch, Headers, TargetKey};
    use super::super::event::Item;
    use super::*;

    #[test]
    fn pusher_headers_win_over_extra_headers() {
        let key = TargetKey { app: AppId::new("a").unwrap(), index: 0, url: "http://h".into() };
        let extra = vec![
            ("X-Custom".to_owned(), "1".to_owned()),
            ("X-Pusher-Key".to_owned(), "spoof".to_owned()),
        ];
        let items = vec![Item::new(&WebhookEvent::ChannelOccupied { channel: "c".into() })];
        let batch = Batch { key, headers: Headers::from(extra), items };
        let ready = Ready::new(batch, 1, Instant::now());
        let credentials = Credentials {
            key: AppKey::new("app-key").unwrap(),
            secret: AppSecret::new("app-secret").unwrap(),
        };
        let map = headers(&ready, &credentials);
        let get = |name: &str| map.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
        assert_eq!(get("x-custom").as_deref(), Some("1"));
        assert_eq!(get("x-pusher-key").as_deref(), Some("app-key"));
        assert_eq!(get("content-type").as_deref(), Some("application/json"));
        let expected = webhook_signature(&credentials.secret, &ready.body);
        assert_eq!(get("x-pusher-signature"), Some(expected));
        assert_eq!(map.len(), 4);
    }

    #[test]
    fn urls_lose_their_credentials_in_records() {
        let cases = [
            ("http://user:pw@host:1/p?q=1", "http://<redacted>@host:1/p?q=1"),
            ("https://host/p@x", "https://host/p@x"),
            ("http://host?a=b@c", "http://host?a=b@c"),
            ("no-scheme", "no-scheme"),
        ];
        for (url, expected) in cases {
            assert_eq!(redact_userinfo(url), expected);
        }
    }
}
