//! The HAR 1.2 document as Switchboard writes it, with the fields Chrome DevTools requires
//! (it refuses an entry whose sizes or timings are missing) and Chrome's extensions
//! `_resourceType` and `_webSocketMessages`.

use serde::{Deserialize, Serialize};

/// A whole HAR file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Har {
    pub log: HarLog,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarLog {
    pub version: String,
    pub creator: HarCreator,
    pub pages: Vec<HarPage>,
    pub entries: Vec<HarEntry>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarCreator {
    pub name: String,
    pub version: String,
}

/// Switchboard writes no pages; the type exists so the list has one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarPage {
    pub started_date_time: String,
    pub id: String,
    pub title: String,
}

/// One HTTP exchange, or one WebSocket connection with all its messages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarEntry {
    /// ISO 8601.
    pub started_date_time: String,
    /// Milliseconds.
    pub time: f64,
    pub request: HarRequest,
    pub response: HarResponse,
    pub cache: HarCache,
    pub timings: HarTimings,
    /// The server's connection number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<String>,
    /// `websocket` or `fetch`.
    #[serde(rename = "_resourceType")]
    pub resource_type: String,
    #[serde(rename = "_webSocketMessages", default, skip_serializing_if = "Option::is_none")]
    pub web_socket_messages: Option<Vec<HarWebSocketMessage>>,
    /// What Switchboard knows beyond HAR (app id, socket id), read back on import.
    #[serde(rename = "_switchboard", default, skip_serializing_if = "Option::is_none")]
    pub switchboard: Option<HarSwitchboard>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarSwitchboard {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conn: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub socket: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarRequest {
    pub method: String,
    pub url: String,
    pub http_version: String,
    pub headers: Vec<HarNameValue>,
    pub query_string: Vec<HarNameValue>,
    pub cookies: Vec<HarNameValue>,
    pub headers_size: i64,
    pub body_size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub post_data: Option<HarPostData>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarResponse {
    pub status: u16,
    pub status_text: String,
    pub http_version: String,
    pub headers: Vec<HarNameValue>,
    pub cookies: Vec<HarNameValue>,
    pub content: HarContent,
    #[serde(rename = "redirectURL")]
    pub redirect_url: String,
    pub headers_size: i64,
    pub body_size: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HarNameValue {
    pub name: String,
    pub value: String,
}

impl HarNameValue {
    pub fn new(name: &str, value: &str) -> Self {
        Self { name: name.to_owned(), value: value.to_owned() }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarPostData {
    pub mime_type: String,
    pub text: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HarContent {
    pub size: i64,
    pub mime_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
}

/// Always `{}`: nothing is cached.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HarCache {}

/// Milliseconds; -1 where a phase does not apply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarTimings {
    pub blocked: f64,
    pub dns: f64,
    pub connect: f64,
    pub ssl: f64,
    pub send: f64,
    pub wait: f64,
    pub receive: f64,
}

impl HarTimings {
    /// Everything in `wait` (the server's handling time, which is what Switchboard measures).
    pub fn waiting(wait_ms: f64) -> Self {
        Self {
            blocked: -1.0,
            dns: -1.0,
            connect: -1.0,
            ssl: -1.0,
            send: 0.0,
            wait: wait_ms,
            receive: 0.0,
        }
    }
}

/// One WebSocket frame, as Chrome writes it: `time` in unix seconds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HarWebSocketMessage {
    /// `send` (client to server) or `receive`.
    #[serde(rename = "type")]
    pub kind: String,
    pub time: f64,
    pub opcode: u8,
    pub data: String,
}
