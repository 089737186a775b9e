//! `GET /stream` (WebSocket): live records in batches (~50 ms), filtered; the client can
//! change the filter at any time; a stream that falls behind is told how much it missed.

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::Deserialize;
use serde_json::{json, Value};
use tokio::sync::broadcast::error::RecvError;

use super::records::parse_filter;
use super::Inspector;
use crate::filter::Filter;
use crate::recorder::LiveBatch;

pub fn routes() -> Router<Inspector> {
    Router::new().route("/stream", get(upgrade))
}

#[derive(Deserialize)]
struct StreamQuery {
    filter: Option<String>,
}

async fn upgrade(
    State(inspector): State<Inspector>,
    Query(query): Query<StreamQuery>,
    ws: WebSocketUpgrade,
) -> Response {
    ws.on_upgrade(move |socket| run(socket, inspector, query.filter))
}

/// A message from the UI.
#[derive(Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum ClientMessage {
    Filter { filter: String },
}

async fn run(mut socket: WebSocket, inspector: Inspector, filter: Option<String>) {
    let Ok(mut live) = inspector.recorder.subscribe() else {
        let _ =
            socket.send(text(&json!({"type": "error", "error": "the recorder has stopped"}))).await;
        return;
    };
    let mut filter = match parse_filter(filter.as_deref()) {
        Ok(filter) => filter,
        Err(failure) => {
            let _ = socket.send(text(&error_message(&failure))).await;
            Filter::all()
        }
    };
    loop {
        tokio::select! {
            batch = live.recv() => {
                let message = match batch {
                    Ok(batch) => batch_message(&batch, &filter),
                    Err(RecvError::Lagged(batches)) => Some(json!({"type": "gap", "missed_batches": batches})),
                    Err(RecvError::Closed) => return,
                };
                if let Some(message) = message {
                    if socket.send(text(&message)).await.is_err() {
                        return;
                    }
                }
            }
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(body))) => {
                    if let Some(reply) = change_filter(&body, &mut filter) {
                        if socket.send(text(&reply)).await.is_err() {
                            return;
                        }
                    }
                }
                Some(Ok(_)) => {}
                _ => return,
            },
        }
    }
}

fn batch_message(batch: &LiveBatch, filter: &Filter) -> Option<Value> {
    let records: Vec<&switchboard_engine::Observation> =
        batch.iter().map(AsRef::as_ref).filter(|r| filter.matches(r)).collect();
    (!records.is_empty()).then(|| json!({"type": "records", "records": records}))
}

/// Applies a `{"type":"filter"}` message; answers with an error or an acknowledgement.
fn change_filter(body: &str, filter: &mut Filter) -> Option<Value> {
    match serde_json::from_str::<ClientMessage>(body) {
        Ok(ClientMessage::Filter { filter: text }) => match parse_filter(Some(&text)) {
            Ok(parsed) => {
                *filter = parsed;
                Some(json!({"type": "filter", "filter": text}))
            }
            Err(failure) => Some(error_message(&failure)),
        },
        Err(error) => Some(json!({"type": "error", "error": format!("unknown message: {error}")})),
    }
}

fn error_message(failure: &super::error::Failure) -> Value {
    let (position, length) = failure.span.unwrap_or((0, 0));
    json!({"type": "error", "error": failure.message, "position": position, "length": length})
}

fn text(value: &Value) -> Message {
    Message::Text(Utf8Bytes::from(value.to_string()))
}
