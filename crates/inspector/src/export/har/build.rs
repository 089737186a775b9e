//! Records → HAR entries: one entry per API request and webhook attempt, and one per
//! WebSocket connection carrying every frame it sent and received as `_webSocketMessages`
//! (a delivery becomes a received message on each connection it reached).
//!
//! Other records (subscriptions, presence, config) have no HAR form; NDJSON keeps them.

use std::collections::BTreeMap;

use switchboard_engine::observation::ClosedBy;
use switchboard_engine::{ConnId, Detail, Millis, Observation};

use super::model::{
    HarCache, HarContent, HarEntry, HarNameValue, HarPostData, HarRequest, HarResponse,
    HarSwitchboard, HarTimings, HarWebSocketMessage,
};
use super::HarOptions;
use crate::export::time::iso8601;

const HTTP_1_1: &str = "HTTP/1.1";
const JSON: &str = "application/json";

/// What one WebSocket connection did, gathered from its records.
#[derive(Default)]
struct Connection<'a> {
    opened: Option<&'a Observation>,
    ended: Option<&'a Observation>,
    first_at: Option<Millis>,
    last_at: Millis,
    socket: Option<String>,
    app: Option<String>,
    messages: Vec<HarWebSocketMessage>,
}

impl<'a> Connection<'a> {
    fn touch(&mut self, at: Millis) {
        self.first_at = Some(self.first_at.map_or(at, |first| first.min(at)));
        self.last_at = self.last_at.max(at);
    }

    fn message(&mut self, kind: &str, at: Millis, raw: &str) {
        self.touch(at);
        let time = at as f64 / 1000.0;
        let message =
            HarWebSocketMessage { kind: kind.to_owned(), time, opcode: 1, data: raw.to_owned() };
        self.messages.push(message);
    }
}

/// All entries for `records`, ordered by start time.
pub(super) fn entries(records: &[Observation], options: &HarOptions) -> Vec<HarEntry> {
    let mut timed: Vec<(Millis, HarEntry)> = Vec::new();
    let mut connections: BTreeMap<ConnId, Connection<'_>> = BTreeMap::new();
    for record in records {
        match &record.detail {
            Detail::ApiRequest { .. } => timed.extend(api_entry(record, options)),
            Detail::WebhookAttempt { .. } => timed.extend(webhook_entry(record)),
            _ => gather(record, &mut connections),
        }
    }
    for (conn, connection) in connections {
        let start = connection.opened.map_or(connection.first_at.unwrap_or(0), |o| o.at);
        timed.push((start, websocket_entry(conn, connection, options)));
    }
    timed.sort_by_key(|(start, _)| *start);
    timed.into_iter().map(|(_, entry)| entry).collect()
}

/// Files a record under the connection(s) it belongs to.
fn gather<'a>(record: &'a Observation, connections: &mut BTreeMap<ConnId, Connection<'a>>) {
    if let Detail::Delivery { raw, reached, .. } = &record.detail {
        for target in reached.iter().filter(|_| !raw.is_empty()) {
            let connection = connections.entry(target.conn).or_default();
            connection.message("receive", record.at, raw);
            if let Some(socket) = &target.socket {
                connection.socket.get_or_insert_with(|| socket.to_string());
            }
        }
        return;
    }
    let Some(conn) = record.conn else { return };
    let connection = connections.entry(conn).or_default();
    if let Some(socket) = &record.socket {
        connection.socket.get_or_insert_with(|| socket.to_string());
    }
    if let Some(app) = &record.app {
        connection.app.get_or_insert_with(|| app.to_string());
    }
    match &record.detail {
        Detail::ConnectionOpened { .. } => connection.opened = Some(record),
        Detail::ConnectionClosed { .. } | Detail::ConnectionRefused { .. } => {
            connection.ended = Some(record);
        }
        Detail::FrameIn { raw, .. } => connection.message("send", record.at, raw),
        Detail::FrameOut { raw } => connection.message("receive", record.at, raw),
        _ => return,
    }
    connection.touch(record.at);
}

fn websocket_entry(conn: ConnId, connection: Connection<'_>, options: &HarOptions) -> HarEntry {
    let start = connection.opened.map_or(connection.first_at.unwrap_or(0), |o| o.at);
    let end = connection.ended.map_or(connection.last_at, |o| o.at).max(start);
    let content = HarContent { size: 0, mime_type: "x-unknown".into(), text: None };
    HarEntry {
        started_date_time: iso8601(start),
        time: (end - start) as f64,
        request: upgrade_request(&connection, options),
        response: response(101, upgrade_headers(), content),
        cache: HarCache::default(),
        timings: HarTimings::waiting(0.0),
        connection: Some(conn.0.to_string()),
        comment: connection.ended.and_then(ending),
        resource_type: "websocket".into(),
        web_socket_messages: Some(connection.messages),
        switchboard: Some(HarSwitchboard {
            app: connection.app,
            conn: Some(conn.0),
            socket: connection.socket,
        }),
    }
}

fn upgrade_headers() -> Vec<HarNameValue> {
    vec![HarNameValue::new("Upgrade", "websocket"), HarNameValue::new("Connection", "Upgrade")]
}

/// The upgrade request, rebuilt from the `connection_opened` record: `/app/{app id}` (the
/// key a client used is not recorded) with the client's protocol, library and version.
fn upgrade_request(connection: &Connection<'_>, options: &HarOptions) -> HarRequest {
    let mut headers = upgrade_headers();
    let mut query = Vec::new();
    let opened = connection.opened.map(|o| &o.detail);
    if let Some(Detail::ConnectionOpened {
        origin_header,
        user_agent,
        protocol,
        client,
        version,
        ..
    }) = opened
    {
        let pairs = |list: &[(&str, &Option<String>)]| -> Vec<HarNameValue> {
            list.iter().filter_map(|(n, v)| Some(HarNameValue::new(n, v.as_deref()?))).collect()
        };
        headers.extend(pairs(&[("Origin", origin_header), ("User-Agent", user_agent)]));
        query = pairs(&[("protocol", protocol), ("client", client), ("version", version)]);
    }
    let app = connection.app.as_deref().unwrap_or_default();
    let url = format!("{}/app/{app}{}", options.websocket_origin(), query_text(&query));
    request("GET", url, headers, query, None)
}

/// How a connection ended, in words.
fn ending(record: &Observation) -> Option<String> {
    match &record.detail {
        Detail::ConnectionClosed { code, reason, by } => {
            let by = match by {
                ClosedBy::Client => "the client",
                ClosedBy::Server => "the server",
            };
            let code = code.map_or_else(|| "no code".to_owned(), |c| c.to_string());
            Some(format!("closed by {by} with {code}: {reason}"))
        }
        Detail::ConnectionRefused { code, reason } => {
            Some(format!("refused with {code}: {reason}"))
        }
        _ => None,
    }
}

fn api_entry(record: &Observation, options: &HarOptions) -> Option<(Millis, HarEntry)> {
    let Detail::ApiRequest { method, path, status, latency_us, body, error } = &record.detail
    else {
        return None;
    };
    let url = format!("{}{path}", options.origin.trim_end_matches('/'));
    let query = path.split_once('?').map(|(_, q)| parse_query(q)).unwrap_or_default();
    let headers = body.iter().map(|_| HarNameValue::new("Content-Type", JSON)).collect();
    let post = body.as_ref().map(|text| HarPostData { mime_type: JSON.into(), text: text.clone() });
    let content = match error {
        Some(text) => HarContent {
            size: len(text),
            mime_type: "text/plain; charset=utf-8".into(),
            text: Some(text.clone()),
        },
        None => HarContent { size: -1, mime_type: JSON.into(), text: None },
    };
    let time = *latency_us as f64 / 1000.0;
    let entry = HarEntry {
        started_date_time: iso8601(record.at),
        time,
        request: request(method, url, headers, query, post),
        response: response(*status, Vec::new(), content),
        cache: HarCache::default(),
        timings: HarTimings::waiting(time),
        connection: None,
        comment: None,
        resource_type: "fetch".into(),
        web_socket_messages: None,
        switchboard: Some(app_only(record)),
    };
    Some((record.at, entry))
}

fn webhook_entry(record: &Observation) -> Option<(Millis, HarEntry)> {
    let Detail::WebhookAttempt { url, events, attempt, status, error, latency_ms, .. } =
        &record.detail
    else {
        return None;
    };
    let query = url.split_once('?').map(|(_, q)| parse_query(q)).unwrap_or_default();
    let headers = vec![HarNameValue::new("Content-Type", JSON)];
    let content = HarContent {
        size: error.as_deref().map_or(-1, len),
        mime_type: "text/plain".into(),
        text: error.clone(),
    };
    let mut request = request("POST", url.clone(), headers, query, None);
    request.body_size = -1;
    let entry = HarEntry {
        started_date_time: iso8601(record.at),
        time: *latency_ms as f64,
        request,
        response: response(status.unwrap_or(0), Vec::new(), content),
        cache: HarCache::default(),
        timings: HarTimings::waiting(*latency_ms as f64),
        connection: None,
        comment: Some(format!("webhook attempt {attempt}: {}", events.join(", "))),
        resource_type: "fetch".into(),
        web_socket_messages: None,
        switchboard: Some(app_only(record)),
    };
    Some((record.at, entry))
}

fn app_only(record: &Observation) -> HarSwitchboard {
    HarSwitchboard { app: record.app.as_ref().map(ToString::to_string), conn: None, socket: None }
}

fn request(
    method: &str,
    url: String,
    headers: Vec<HarNameValue>,
    query_string: Vec<HarNameValue>,
    post_data: Option<HarPostData>,
) -> HarRequest {
    let body_size = post_data.as_ref().map_or(0, |p| len(&p.text));
    HarRequest {
        method: method.to_owned(),
        url,
        http_version: HTTP_1_1.into(),
        headers,
        query_string,
        cookies: Vec::new(),
        headers_size: -1,
        body_size,
        post_data,
    }
}

fn response(status: u16, headers: Vec<HarNameValue>, content: HarContent) -> HarResponse {
    HarResponse {
        status,
        status_text: status_text(status).into(),
        http_version: HTTP_1_1.into(),
        headers,
        cookies: Vec::new(),
        body_size: content.size,
        content,
        redirect_url: String::new(),
        headers_size: -1,
    }
}

fn len(text: &str) -> i64 {
    i64::try_from(text.len()).unwrap_or(i64::MAX)
}

fn parse_query(query: &str) -> Vec<HarNameValue> {
    form_urlencoded::parse(query.as_bytes()).map(|(n, v)| HarNameValue::new(&n, &v)).collect()
}

fn query_text(query: &[HarNameValue]) -> String {
    if query.is_empty() {
        return String::new();
    }
    let mut serializer = form_urlencoded::Serializer::for_suffix(String::from("?"), 1);
    for pair in query {
        serializer.append_pair(&pair.name, &pair.value);
    }
    serializer.finish()
}

fn status_text(status: u16) -> &'static str {
    match status {
        101 => "Switching Protocols",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Payload Too Large",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}
