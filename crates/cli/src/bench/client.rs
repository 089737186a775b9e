//! One Pusher client connection for the bench: connect, handshake, signed subscribe, close.
//!
//! The hot paths (reading deliveries) live in the scenarios; this module does the control
//! frames, which are few, so it parses them with `serde_json::Value` for clarity.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use switchboard_proto::ChannelKind;
use tokio::net::TcpStream;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message, Utf8Bytes};
use tokio_tungstenite::WebSocketStream;

use super::target::Target;

pub type Ws = WebSocketStream<TcpStream>;

/// How long one control step (connect, handshake, subscription) may take.
const STEP_TIMEOUT: Duration = Duration::from_secs(15);

/// The client's read buffer: frames are small, and thousands of clients share one core's
/// cache (tungstenite's default is 128 KiB per connection, zero-filled on every read).
const READ_BUFFER: usize = 4 * 1024;

/// Why a client could not do what the scenario asked.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("cannot connect: {0}")]
    Connect(#[source] std::io::Error),
    #[error("WebSocket error: {0}")]
    WebSocket(#[from] tungstenite::Error),
    #[error("closed by the server{}", .0.map(|c| format!(" with code {c}")).unwrap_or_default())]
    Closed(Option<u16>),
    #[error("the server refused: {0}")]
    Refused(String),
    #[error("timed out waiting for {0}")]
    Timeout(&'static str),
    #[error("unexpected frame: {0}")]
    Unexpected(String),
}

/// A connected client that has seen `pusher:connection_established`.
pub struct Client {
    pub ws: Ws,
    pub socket_id: String,
}

/// The frame a client answers a `pusher:ping` with.
pub const PONG: &str = r#"{"event":"pusher:pong","data":{}}"#;

impl Client {
    /// Opens a WebSocket to the app and waits for its socket id.
    pub async fn connect(target: &Target) -> Result<Self, ClientError> {
        let stream = timeout(STEP_TIMEOUT, TcpStream::connect(target.addr()))
            .await
            .map_err(|_| ClientError::Timeout("the TCP connection"))?
            .map_err(ClientError::Connect)?;
        stream.set_nodelay(true).map_err(ClientError::Connect)?;
        let config = WebSocketConfig::default().read_buffer_size(READ_BUFFER);
        let handshake =
            tokio_tungstenite::client_async_with_config(target.ws_url(), stream, Some(config));
        let (ws, _) = timeout(STEP_TIMEOUT, handshake)
            .await
            .map_err(|_| ClientError::Timeout("the WebSocket handshake"))??;
        let mut client = Self { ws, socket_id: String::new() };
        let frame = client.next_frame("pusher:connection_established").await?;
        client.socket_id = established_socket_id(&frame)?;
        Ok(client)
    }

    /// Subscribes (signing private and presence channels) and waits for the confirmation.
    pub async fn subscribe(&mut self, target: &Target, channel: &str) -> Result<(), ClientError> {
        let frame = subscribe_frame(target, &self.socket_id, channel);
        self.send(frame).await?;
        loop {
            let frame = self.next_frame("pusher_internal:subscription_succeeded").await?;
            match (event(&frame), frame.get("channel").and_then(Value::as_str)) {
                ("pusher_internal:subscription_succeeded", Some(c)) if c == channel => {
                    return Ok(())
                }
                ("pusher:error" | "pusher:subscription_error", _) => {
                    return Err(ClientError::Refused(frame.to_string()))
                }
                _ => {}
            }
        }
    }

    /// Unsubscribes; the protocol has no answer to wait for.
    pub async fn unsubscribe(&mut self, channel: &str) -> Result<(), ClientError> {
        let frame = json!({"event": "pusher:unsubscribe", "data": {"channel": channel}});
        self.send(frame.to_string()).await
    }

    pub async fn send(&mut self, text: String) -> Result<(), ClientError> {
        Ok(self.ws.send(Message::text(text)).await?)
    }

    /// Sends a close frame and, if `wait`, reads until the server has closed too.
    pub async fn close(mut self, wait: bool) -> Result<(), ClientError> {
        self.ws.close(None).await?;
        if wait {
            let drain = async { while let Some(Ok(_)) = self.ws.next().await {} };
            timeout(STEP_TIMEOUT, drain).await.map_err(|_| ClientError::Timeout("the close"))?;
        }
        Ok(())
    }

    /// The next text frame, parsed; answers pings on the way.
    async fn next_frame(&mut self, waiting_for: &'static str) -> Result<Value, ClientError> {
        loop {
            let text = timeout(STEP_TIMEOUT, next_text(&mut self.ws))
                .await
                .map_err(|_| ClientError::Timeout(waiting_for))??;
            let frame: Value = serde_json::from_str(&text)
                .map_err(|_| ClientError::Unexpected(text.to_string()))?;
            if event(&frame) == "pusher:ping" {
                self.send(PONG.to_owned()).await?;
                continue;
            }
            return Ok(frame);
        }
    }
}

/// The next text (or UTF-8 binary) message; a close or the end of the stream is an error.
pub async fn next_text(ws: &mut Ws) -> Result<Utf8Bytes, ClientError> {
    loop {
        match ws.next().await {
            Some(Ok(Message::Text(text))) => return Ok(text),
            Some(Ok(Message::Binary(bytes))) => {
                if let Ok(text) = Utf8Bytes::try_from(bytes) {
                    return Ok(text);
                }
            }
            Some(Ok(Message::Close(frame))) => {
                return Err(ClientError::Closed(frame.map(|f| u16::from(f.code))))
            }
            Some(Ok(_)) => {}
            Some(Err(error)) => return Err(error.into()),
            None => return Err(ClientError::Closed(None)),
        }
    }
}

fn event(frame: &Value) -> &str {
    frame.get("event").and_then(Value::as_str).unwrap_or_default()
}

/// The socket id in `pusher:connection_established` (whose `data` is a JSON string).
fn established_socket_id(frame: &Value) -> Result<String, ClientError> {
    let unexpected = || ClientError::Unexpected(frame.to_string());
    match event(frame) {
        "pusher:connection_established" => {}
        "pusher:error" => return Err(ClientError::Refused(frame.to_string())),
        _ => return Err(unexpected()),
    }
    let data = frame.get("data").ok_or_else(unexpected)?;
    let data: Value = match data {
        Value::String(text) => serde_json::from_str(text).map_err(|_| unexpected())?,
        other => other.clone(),
    };
    let id = data.get("socket_id").and_then(Value::as_str).ok_or_else(unexpected)?;
    Ok(id.to_owned())
}

/// `pusher:subscribe`, with `auth` (and `channel_data` for presence) signed by the bench.
pub fn subscribe_frame(target: &Target, socket_id: &str, channel: &str) -> String {
    let kind = ChannelKind::of(channel);
    let mut data = json!({"channel": channel, "auth": ""});
    if kind.is_presence() {
        let channel_data = json!({"user_id": socket_id}).to_string();
        data["auth"] = target.channel_auth(socket_id, channel, Some(&channel_data)).into();
        data["channel_data"] = channel_data.into();
    } else if kind.needs_auth() {
        data["auth"] = target.channel_auth(socket_id, channel, None).into();
    }
    json!({"event": "pusher:subscribe", "data": data}).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_socket_id_comes_from_the_double_encoded_data() {
        let frame = json!({
            "event": "pusher:connection_established",
            "data": "{\"socket_id\":\"123.456\",\"activity_timeout\":120}"
        });
        assert_eq!(established_socket_id(&frame).unwrap(), "123.456");
        let object =
            json!({"event": "pusher:connection_established", "data": {"socket_id": "1.2"}});
        assert_eq!(established_socket_id(&object).unwrap(), "1.2");
        let refused = json!({"event": "pusher:error", "data": {"code": 4001, "message": "no"}});
        assert!(matches!(established_socket_id(&refused), Err(ClientError::Refused(_))));
    }

    #[test]
    fn subscriptions_are_signed_by_channel_kind() {
        let target =
            Target::new("ws://h:1", "3", "278d425bdf160c739803", "7ad3773142a6692b25b8").unwrap();
        let public: Value =
            serde_json::from_str(&subscribe_frame(&target, "1234.1234", "news")).unwrap();
        assert_eq!(public["data"], json!({"channel": "news", "auth": ""}));
        let private: Value =
            serde_json::from_str(&subscribe_frame(&target, "1234.1234", "private-foobar")).unwrap();
        assert_eq!(
            private["data"]["auth"],
            "278d425bdf160c739803:58df8b0c36d6982b82c3ecf6b4662e34fe8c25bba48f5369f135bf843651c3a4"
        );
        let presence: Value =
            serde_json::from_str(&subscribe_frame(&target, "1.2", "presence-x")).unwrap();
        let data = presence["data"]["channel_data"].as_str().unwrap();
        let expected = target.channel_auth("1.2", "presence-x", Some(data));
        assert_eq!(presence["data"]["auth"], expected.as_str());
    }
}
