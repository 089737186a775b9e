//! The server under load: where to connect, and the app's credentials for signing.
//!
//! Signatures come from `switchboard_proto::sign`, so the bench signs exactly as the
//! protocol reference says: channel auth for private/presence subscriptions, and the
//! HTTP API's `auth_signature` over method, path and sorted query (with `body_md5`).

use anyhow::{bail, Context};
use reqwest::Url;
use switchboard_proto::sign::{api_string_to_sign, body_md5, channel_string_to_sign, hmac_hex};
use switchboard_proto::{AppKey, AppSecret};

/// A Pusher-compatible server and one of its apps.
#[derive(Debug)]
pub struct Target {
    /// `host:port`, for the TCP connect.
    addr: String,
    /// `ws://host:port[/prefix]/app/{key}?protocol=7&...`, built once.
    ws_url: String,
    /// `http://host:port/apps/{id}/events`, built once.
    events_url: Url,
    key: AppKey,
    secret: AppSecret,
}

impl Target {
    /// `url` is `ws://host:port` (an optional path prefix is kept for the WebSocket).
    pub fn new(url: &str, app_id: &str, key: &str, secret: &str) -> anyhow::Result<Self> {
        let parsed = Url::parse(url).with_context(|| format!("--url {url:?} is not a URL"))?;
        if parsed.scheme() != "ws" {
            bail!("--url must start with ws:// (the bench speaks plain WebSocket and HTTP)");
        }
        let host = parsed.host_str().context("--url has no host")?;
        let port = parsed.port().unwrap_or(80);
        let addr = format!("{host}:{port}");
        let prefix = parsed.path().trim_end_matches('/');
        let key = AppKey::new(key).context("--key must not be empty")?;
        let secret = AppSecret::new(secret).context("--secret must not be empty")?;
        let version = env!("CARGO_PKG_VERSION");
        let ws_url = format!(
            "ws://{addr}{prefix}/app/{key}?protocol=7&client=switchboard-bench&version={version}",
            key = key.as_str()
        );
        let events_url = Url::parse(&format!("http://{addr}/apps/{app_id}/events"))
            .with_context(|| format!("--app-id {app_id:?} does not fit in a URL path"))?;
        Ok(Self { addr, ws_url, events_url, key, secret })
    }

    pub fn addr(&self) -> &str {
        &self.addr
    }

    pub fn ws_url(&self) -> &str {
        &self.ws_url
    }

    /// The `auth` value of a `pusher:subscribe` to a private or presence channel.
    pub fn channel_auth(&self, socket_id: &str, channel: &str, data: Option<&str>) -> String {
        let string = channel_string_to_sign(socket_id, channel, data);
        format!("{}:{}", self.key.as_str(), hmac_hex(&self.secret, string.as_bytes()))
    }

    /// The signed URL of `POST /apps/{id}/events` carrying `body`, at Unix time `timestamp`.
    pub fn signed_events_url(&self, body: &[u8], timestamp: u64) -> Url {
        let mut url = self.events_url.clone();
        let params = [
            ("auth_key", self.key.as_str().to_owned()),
            ("auth_timestamp", timestamp.to_string()),
            ("auth_version", "1.0".to_owned()),
            ("body_md5", body_md5(body)),
        ]
        .map(|(k, v)| (k.to_owned(), v));
        let string = api_string_to_sign("POST", url.path(), &params);
        let signature = hmac_hex(&self.secret, string.as_bytes());
        let mut query = url.query_pairs_mut();
        for (name, value) in &params {
            query.append_pair(name, value);
        }
        query.append_pair("auth_signature", &signature);
        drop(query);
        url
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pusher_docs_target() -> Target {
        Target::new("ws://127.0.0.1:6001", "3", "278d425bdf160c739803", "7ad3773142a6692b25b8")
            .unwrap()
    }

    #[test]
    fn urls_are_built_from_the_ws_url() {
        let target = Target::new("ws://localhost:7000/ws/", "id", "k", "s").unwrap();
        assert_eq!(target.addr(), "localhost:7000");
        assert!(target.ws_url().starts_with("ws://localhost:7000/ws/app/k?protocol=7&"));
        let url = target.signed_events_url(b"{}", 1);
        assert_eq!(url.path(), "/apps/id/events");
        assert_eq!(url.host_str(), Some("localhost"));
        for bad in ["http://h:1", "not a url", "wss://h:1"] {
            assert!(Target::new(bad, "id", "k", "s").is_err(), "{bad}");
        }
        assert!(Target::new("ws://h:1", "id", "", "s").is_err());
    }

    #[test]
    fn http_requests_are_signed_as_the_pusher_docs_example() {
        let body = r#"{"name":"foo","channels":["project-3"],"data":"{\"some\":\"data\"}"}"#;
        let url = pusher_docs_target().signed_events_url(body.as_bytes(), 1353088179);
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        let get = |name: &str| query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str());
        assert_eq!(get("auth_key"), Some("278d425bdf160c739803"));
        assert_eq!(get("auth_timestamp"), Some("1353088179"));
        assert_eq!(get("auth_version"), Some("1.0"));
        assert_eq!(get("body_md5"), Some("ec365a775a4cd0599faeb73354201b6f"));
        assert_eq!(
            get("auth_signature"),
            Some("da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c")
        );
    }

    #[test]
    fn channel_auth_matches_the_reference_vectors() {
        let target = pusher_docs_target();
        let private = target.channel_auth("1234.1234", "private-foobar", None);
        assert_eq!(
            private,
            "278d425bdf160c739803:\
             58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"
        );
        let data = r#"{"user_id":10,"user_info":{"name":"Mr. Pusher"}}"#;
        let presence = target.channel_auth("1234.1234", "presence-foobar", Some(data));
        assert!(
            presence.ends_with(":afaed3695da2ffd16931f457e338e6c9f2921fa133ce7dac49f529792be6304c")
        );
    }
}
