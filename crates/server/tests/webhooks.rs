//! Webhook observability: every delivery attempt, and every dropped event, is an observation
//! on the hub's bus (what the inspector reads). Real sockets on port 0, a real receiver.
#![allow(clippy::unwrap_used)] // test helpers: a panic is the failure report

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::State;
use axum::http::StatusCode;
use futures_util::SinkExt;
use serde_json::json;
use switchboard_engine::config::{AppConfig, ServerLimits, WebhookConfig, WebhookEventType};
use switchboard_engine::{Detail, Observation};
use switchboard_server::config::{Settings, WebhookSettings};
use switchboard_server::Server;
use tokio::net::TcpListener;
use tokio::sync::broadcast;
use tokio::time::timeout;
use tokio_tungstenite::tungstenite::Message;

const WAIT: Duration = Duration::from_secs(5);

/// What the receiver answers to its n-th request: a status, or `None` to never answer.
/// Requests past the end of the list get 200.
#[derive(Clone)]
struct Receiver {
    hits: Arc<AtomicUsize>,
    answers: Arc<[Option<u16>]>,
}

async fn hook(State(receiver): State<Receiver>) -> StatusCode {
    let n = receiver.hits.fetch_add(1, Ordering::SeqCst);
    match receiver.answers.get(n).copied() {
        Some(None) => std::future::pending().await,
        Some(Some(status)) => StatusCode::from_u16(status).unwrap(),
        None => StatusCode::OK,
    }
}

/// Starts a receiver; returns its URL.
async fn receiver(answers: &[Option<u16>]) -> String {
    let state = Receiver { hits: Arc::default(), answers: answers.into() };
    let router = axum::Router::new().route("/hook", axum::routing::post(hook)).with_state(state);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://user:pw@{}/hook", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    url
}

/// A running server whose default app posts every event to `url`; its observation bus.
async fn start(
    url: String,
    webhooks: WebhookSettings,
) -> (u16, broadcast::Receiver<Arc<Observation>>) {
    let mut app = AppConfig::default_app();
    app.webhooks.push(WebhookConfig {
        url,
        event_types: WebhookEventType::ALL.to_vec(),
        channel_prefix: None,
        headers: Vec::new(),
    });
    let settings = Settings {
        host: "127.0.0.1".into(),
        port: 0,
        limits: ServerLimits::default(),
        apps: vec![app],
        config_path: None,
        env_file: None,
        webhooks,
    };
    let server = Server::bind(settings).await.unwrap();
    let bus = server.control().hub().observations();
    let port = server.local_addr().port();
    tokio::spawn(server.run_until(std::future::pending()));
    (port, bus)
}

fn quick() -> WebhookSettings {
    WebhookSettings {
        grace_period: Duration::ZERO,
        batch_window: Duration::from_millis(10),
        timeout: Duration::from_millis(500),
        ..WebhookSettings::default()
    }
}

/// Subscribes one socket to each channel.
async fn subscribe(port: u16, channels: &[&str]) {
    let url = format!("ws://127.0.0.1:{port}/app/app-key?protocol=7");
    let (mut ws, _) = timeout(WAIT, tokio_tungstenite::connect_async(url)).await.unwrap().unwrap();
    for channel in channels {
        let frame = json!({"event": "pusher:subscribe", "data": {"channel": channel, "auth": ""}});
        ws.send(Message::Text(frame.to_string().into())).await.unwrap();
    }
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_secs(30)).await;
        drop(ws);
    });
}

/// The next observation whose detail `pick` accepts.
async fn next_matching<T>(
    bus: &mut broadcast::Receiver<Arc<Observation>>,
    pick: impl Fn(&Observation) -> Option<T>,
) -> T {
    timeout(WAIT, async {
        loop {
            let observation = bus.recv().await.unwrap();
            if let Some(found) = pick(&observation) {
                return found;
            }
        }
    })
    .await
    .expect("the observation in time")
}

#[tokio::test]
async fn each_attempt_is_recorded_with_its_outcome() {
    let url = receiver(&[Some(503)]).await;
    let (port, mut bus) = start(url.clone(), quick()).await;
    subscribe(port, &["news"]).await;
    let attempt = |o: &Observation| match &o.detail {
        Detail::WebhookAttempt { .. } => Some(o.clone()),
        _ => None,
    };
    let first = next_matching(&mut bus, attempt).await;
    let second = next_matching(&mut bus, attempt).await;
    for (record, number, status) in [(&first, 1, 503), (&second, 2, 200)] {
        assert_eq!(record.app.as_ref().map(|a| a.as_str()), Some("app-id"));
        assert_eq!(record.channel.as_deref(), Some("news"));
        let Detail::WebhookAttempt { url: shown, events, attempt, status: got, error, .. } =
            &record.detail
        else {
            unreachable!("picked above")
        };
        assert_eq!(shown, &url.replace("user:pw@", "<redacted>@"), "credentials are hidden");
        assert_eq!(events, &["channel_occupied"]);
        assert_eq!((*attempt, *got), (number, Some(status)));
        assert_eq!(error.is_some(), status != 200, "{error:?}");
    }
    let batch_time = |o: &Observation| match o.detail {
        Detail::WebhookAttempt { batch_time_ms, .. } => batch_time_ms,
        _ => 0,
    };
    assert_eq!(batch_time(&first), batch_time(&second), "one batch, two attempts");
    assert!(second.seq > first.seq);
}

#[tokio::test]
async fn a_refused_connection_is_a_failed_attempt_with_an_error() {
    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hook", closed.local_addr().unwrap());
    drop(closed);
    let (port, mut bus) = start(url, quick()).await;
    subscribe(port, &["news"]).await;
    let (status, error) = next_matching(&mut bus, |o| match &o.detail {
        Detail::WebhookAttempt { status, error, .. } => Some((*status, error.clone())),
        _ => None,
    })
    .await;
    assert_eq!(status, None);
    assert!(error.unwrap().starts_with("cannot connect"));
}

#[tokio::test]
async fn an_overflowing_queue_is_recorded_not_silent() {
    let url = receiver(&[None; 64]).await;
    let (port, mut bus) = start(url, WebhookSettings { queue_capacity: 1, ..quick() }).await;
    let channels: Vec<String> = (0..10).map(|n| format!("c{n}")).collect();
    subscribe(port, &channels.iter().map(String::as_str).collect::<Vec<_>>()).await;
    let (events, reason) = next_matching(&mut bus, |o| match &o.detail {
        Detail::WebhookDropped { events, reason } => Some((*events, reason.clone())),
        _ => None,
    })
    .await;
    assert!(events >= 1);
    assert_eq!(reason, "webhook queue full (1 events waiting)");
}
