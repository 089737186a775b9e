//! A client that stops reading: once its outbox overflows, the server lets go of its socket
//! (even while a write to it is stuck on a full socket buffer) instead of holding it forever.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use futures_util::{SinkExt, StreamExt};
use serde_json::json;
use switchboard_proto::sign::{api_string_to_sign, body_md5, hmac_hex};
use switchboard_proto::AppSecret;
use switchboard_server::config::Settings;
use switchboard_server::Server;
use tokio::net::TcpSocket;
use tokio::time::{sleep, timeout, Instant};
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(10);

fn batch_url(port: u16, body: &str) -> String {
    let ts = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs().to_string();
    let params = vec![
        ("auth_key".to_owned(), "app-key".to_owned()),
        ("auth_timestamp".to_owned(), ts),
        ("auth_version".to_owned(), "1.0".to_owned()),
        ("body_md5".to_owned(), body_md5(body.as_bytes())),
    ];
    let path = "/apps/app-id/batch_events";
    let string = api_string_to_sign("POST", path, &params);
    let signature = hmac_hex(&AppSecret::new("app-secret").unwrap(), string.as_bytes());
    let query: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
    format!("http://127.0.0.1:{port}{path}?{}&auth_signature={signature}", query.join("&"))
}

/// Whether a process still holds the server's end of the connection to `client_port`
/// (an orphaned socket has inode 0 in `/proc/net/tcp`).
fn server_side_held(server_port: u16, client_port: u16) -> bool {
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    let local = format!(":{server_port:04X}");
    let remote = format!(":{client_port:04X}");
    table.lines().skip(1).any(|line| {
        let fields: Vec<&str> = line.split_whitespace().collect();
        fields.len() > 9
            && fields[1].ends_with(&local)
            && fields[2].ends_with(&remote)
            && fields[9] != "0"
    })
}

async fn connections(port: u16) -> String {
    let metrics = reqwest::get(format!("http://127.0.0.1:{port}/metrics")).await.unwrap();
    let text = metrics.text().await.unwrap();
    text.lines().find(|l| l.starts_with("switchboard_connections{")).unwrap_or("").to_owned()
}

#[tokio::test]
async fn a_client_that_stops_reading_is_let_go_after_its_outbox_overflows() {
    let settings = Settings { host: "127.0.0.1".into(), port: 0, ..Settings::default() };
    let server = Server::bind(settings).await.unwrap();
    let port = server.local_addr().port();
    tokio::spawn(server.run_until(std::future::pending()));

    let socket = TcpSocket::new_v4().unwrap();
    socket.set_recv_buffer_size(4096).unwrap();
    let stream = socket.connect(([127, 0, 0, 1], port).into()).await.unwrap();
    let client_port = stream.local_addr().unwrap().port();
    let url = format!("ws://127.0.0.1:{port}/app/app-key?protocol=7");
    let (mut ws, _) = tokio_tungstenite::client_async(url, stream).await.unwrap();
    timeout(WAIT, ws.next()).await.unwrap().unwrap().unwrap(); // connection_established
    let subscribe = json!({"event":"pusher:subscribe","data":{"channel":"slow","auth":""}});
    ws.send(Message::Text(subscribe.to_string().into())).await.unwrap();
    timeout(WAIT, ws.next()).await.unwrap().unwrap().unwrap(); // subscription_succeeded
    assert!(server_side_held(port, client_port));

    // From here on the client reads nothing: the socket buffers fill, then the outbox.
    let data = "x".repeat(9_000);
    let item = json!({"name":"e","channel":"slow","data":data});
    let body = json!({"batch": vec![item; 10]}).to_string();
    let http = reqwest::Client::new();
    for _ in 0..2_000 {
        let response = http.post(batch_url(port, &body)).body(body.clone()).send().await.unwrap();
        assert_eq!(response.status(), 200);
        if connections(port).await.ends_with(" 0") {
            break;
        }
    }
    assert!(connections(port).await.ends_with(" 0"), "the outbox never overflowed");

    let deadline = Instant::now() + WAIT;
    while server_side_held(port, client_port) && Instant::now() < deadline {
        sleep(Duration::from_millis(50)).await;
    }
    assert!(!server_side_held(port, client_port), "the server still holds the socket");
    drop(ws);
}
