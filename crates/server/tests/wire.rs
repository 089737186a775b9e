//! Server integration tests: the real listener on port 0, real WebSockets and signed HTTP.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use switchboard_engine::config::{AppConfig, ServerLimits};
use switchboard_proto::sign::{api_string_to_sign, body_md5, hmac_hex};
use switchboard_proto::AppSecret;
use switchboard_server::config::Settings;
use switchboard_server::Server;
use tokio::net::TcpStream;
use tokio::sync::oneshot;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;
const WAIT: Duration = Duration::from_secs(5);

struct Running {
    port: u16,
    stop: Option<oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<()>,
}

async fn start(limits: ServerLimits) -> Running {
    let settings = Settings {
        host: "127.0.0.1".into(),
        port: 0,
        limits,
        apps: vec![AppConfig::default_app()],
        config_path: None,
        env_file: None,
        webhooks: Default::default(),
    };
    let server = Server::bind(settings).await.unwrap();
    let port = server.local_addr().port();
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(async move {
        server
            .run_until(async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
    });
    Running { port, stop: Some(stop), done }
}

async fn connect(port: u16, query: &str) -> Ws {
    let url = format!("ws://127.0.0.1:{port}/app/app-key{query}");
    timeout(WAIT, tokio_tungstenite::connect_async(url)).await.unwrap().unwrap().0
}

/// The next text frame as JSON, with a double-encoded `data` decoded.
async fn next(ws: &mut Ws) -> Value {
    loop {
        let message = timeout(WAIT, ws.next()).await.expect("a frame in time").unwrap().unwrap();
        if let Message::Text(text) = message {
            let mut frame: Value = serde_json::from_str(&text).unwrap();
            if let Some(Value::String(data)) = frame.get("data") {
                if let Ok(inner) = serde_json::from_str::<Value>(data) {
                    frame["data"] = inner;
                }
            }
            return frame;
        }
    }
}

async fn send(ws: &mut Ws, frame: Value) {
    ws.send(Message::Text(frame.to_string().into())).await.unwrap();
}

fn signed_url(port: u16, method: &str, path: &str, body: &str) -> String {
    let ts = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs().to_string();
    let mut params = vec![
        ("auth_key".to_owned(), "app-key".to_owned()),
        ("auth_timestamp".to_owned(), ts),
        ("auth_version".to_owned(), "1.0".to_owned()),
    ];
    if !body.is_empty() {
        params.push(("body_md5".to_owned(), body_md5(body.as_bytes())));
    }
    let string = api_string_to_sign(method, path, &params);
    let signature = hmac_hex(&AppSecret::new("app-secret").unwrap(), string.as_bytes());
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("http://127.0.0.1:{port}{path}?{}&auth_signature={signature}", query.join("&"))
}

#[tokio::test]
async fn subscribe_then_receive_a_signed_trigger() {
    let server = start(ServerLimits::default()).await;
    let mut ws = connect(server.port, "?protocol=7&client=js&version=8.4.0&flash=false").await;
    let established = next(&mut ws).await;
    assert_eq!(established["event"], "pusher:connection_established");
    assert_eq!(established["data"]["activity_timeout"], 120);
    send(&mut ws, json!({"event":"pusher:subscribe","data":{"channel":"news","auth":""}})).await;
    assert_eq!(next(&mut ws).await["event"], "pusher_internal:subscription_succeeded");

    let body = json!({"name":"hello","channels":["news"],"data":"{\"a\":1}"}).to_string();
    let url = signed_url(server.port, "POST", "/apps/app-id/events", &body);
    let response = reqwest::Client::new().post(url).body(body).send().await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.text().await.unwrap(), "{}");
    let event = next(&mut ws).await;
    assert_eq!((event["event"].as_str(), event["channel"].as_str()), (Some("hello"), Some("news")));
    assert_eq!(event["data"], json!({"a":1}));
}

#[tokio::test]
async fn an_unsigned_api_call_is_refused_with_a_reason() {
    let server = start(ServerLimits::default()).await;
    let url = format!("http://127.0.0.1:{}/apps/app-id/channels", server.port);
    let response = reqwest::get(url).await.unwrap();
    assert_eq!(response.status(), 401);
    assert!(response.text().await.unwrap().contains("auth_key"));
    let url = signed_url(server.port, "GET", "/apps/nope/channels", "");
    assert_eq!(reqwest::get(url).await.unwrap().status(), 404);
}

#[tokio::test]
async fn malformed_frames_get_an_error_and_the_socket_keeps_working() {
    let server = start(ServerLimits { max_message_size_in_kb: 1, ..ServerLimits::default() }).await;
    let mut ws = connect(server.port, "").await;
    next(&mut ws).await;
    ws.send(Message::Text("{nope".into())).await.unwrap();
    assert!(next(&mut ws).await["data"]["message"].as_str().unwrap().starts_with("Invalid JSON"));
    ws.send(Message::Text(
        format!("{{\"event\":\"client-x\",\"data\":\"{}\"}}", "x".repeat(2000)).into(),
    ))
    .await
    .unwrap();
    assert!(next(&mut ws).await["data"]["message"]
        .as_str()
        .unwrap()
        .contains("limit is 1024 bytes"));
    send(&mut ws, json!({"event":"pusher:ping","data":{}})).await;
    assert_eq!(next(&mut ws).await["event"], "pusher:pong");
}

#[tokio::test]
async fn idle_sockets_are_pinged_then_closed_with_4201() {
    let limits =
        ServerLimits { activity_timeout_secs: 1, pong_timeout_secs: 1, ..ServerLimits::default() };
    let server = start(limits).await;
    let mut ws = connect(server.port, "").await;
    next(&mut ws).await;
    assert_eq!(next(&mut ws).await["event"], "pusher:ping");
    // Play dead: reading would answer the WebSocket ping, so wait past the pong timeout first.
    tokio::time::sleep(Duration::from_millis(2000)).await;
    let code = loop {
        match timeout(WAIT, ws.next()).await.unwrap() {
            Some(Ok(Message::Close(Some(frame)))) => break u16::from(frame.code),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(code, 4201);
}

#[tokio::test]
async fn shutdown_closes_clients_with_4200() {
    let mut server = start(ServerLimits::default()).await;
    let mut ws = connect(server.port, "").await;
    next(&mut ws).await;
    server.stop.take().unwrap().send(()).unwrap();
    let code = loop {
        match timeout(WAIT, ws.next()).await.unwrap() {
            Some(Ok(Message::Close(Some(frame)))) => break u16::from(frame.code),
            Some(Ok(_)) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(code, 4200);
    timeout(WAIT, server.done).await.unwrap().unwrap();
}

#[tokio::test]
async fn health_and_metrics_answer() {
    let server = start(ServerLimits::default()).await;
    let base = format!("http://127.0.0.1:{}", server.port);
    assert_eq!(reqwest::get(format!("{base}/up")).await.unwrap().status(), 200);
    let mut ws = connect(server.port, "").await;
    next(&mut ws).await;
    let metrics = reqwest::get(format!("{base}/metrics")).await.unwrap().text().await.unwrap();
    assert!(metrics.contains("switchboard_connections{app=\"app-id\"} 1"), "{metrics}");
}
