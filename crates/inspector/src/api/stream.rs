//! `GET /stream` (WebSocket): live records in batches (~50 ms), filtered; the client can
//! change the filter at any time; a stream that falls behind is told how much it missed.

use axum::extract::ws::{Message, Utf8Bytes, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use switchboard_engine::Observation;
use tokio::sync::broadcast::error::RecvError;
use ts_rs::TS;

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

/// A message from the UI: `{"type":"filter","filter":"…"}` changes the filter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum StreamRequest {
    Filter { filter: String },
}

/// A message to the UI. Sent only: `records` borrows the batch it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum StreamMessage<'a> {
    /// The batch's records that match the filter (never empty).
    Records { records: Vec<&'a Observation> },
    /// The stream fell behind and skipped this many batches.
    Gap {
        #[ts(type = "number")]
        missed_batches: u64,
    },
    /// An invalid filter (with its span; the previous filter stays) or a bad message.
    Error {
        error: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        position: Option<usize>,
        #[serde(skip_serializing_if = "Option::is_none")]
        #[ts(optional)]
        length: Option<usize>,
    },
    /// The filter the stream now applies.
    Filter { filter: String },
}

impl StreamMessage<'_> {
    fn error(error: impl Into<String>) -> Self {
        Self::Error { error: error.into(), position: None, length: None }
    }
}

async fn run(mut socket: WebSocket, inspector: Inspector, filter: Option<String>) {
    let Ok(mut live) = inspector.recorder.subscribe() else {
        let _ = socket.send(text(&StreamMessage::error("the recorder has stopped"))).await;
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
                    Ok(batch) => batch_message(&batch, &filter).map(|m| text(&m)),
                    Err(RecvError::Lagged(batches)) => Some(text(&StreamMessage::Gap { missed_batches: batches })),
                    Err(RecvError::Closed) => return,
                };
                if let Some(message) = message {
                    if socket.send(message).await.is_err() {
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

fn batch_message<'a>(batch: &'a LiveBatch, filter: &Filter) -> Option<StreamMessage<'a>> {
    let records: Vec<&Observation> =
        batch.iter().map(AsRef::as_ref).filter(|r| filter.matches(r)).collect();
    (!records.is_empty()).then_some(StreamMessage::Records { records })
}

/// Applies a `{"type":"filter"}` message; answers with an error or an acknowledgement.
fn change_filter(body: &str, filter: &mut Filter) -> Option<StreamMessage<'static>> {
    match serde_json::from_str::<StreamRequest>(body) {
        Ok(StreamRequest::Filter { filter: text }) => match parse_filter(Some(&text)) {
            Ok(parsed) => {
                *filter = parsed;
                Some(StreamMessage::Filter { filter: text })
            }
            Err(failure) => Some(error_message(&failure)),
        },
        Err(error) => Some(StreamMessage::error(format!("unknown message: {error}"))),
    }
}

fn error_message(failure: &super::error::Failure) -> StreamMessage<'static> {
    let (position, length) = failure.span.unwrap_or((0, 0));
    StreamMessage::Error {
        error: failure.message.clone(),
        position: Some(position),
        length: Some(length),
    }
}

fn text(message: &StreamMessage<'_>) -> Message {
    // Cannot fail: every map in a message has string keys.
    let json = serde_json::to_string(message).unwrap_or_default();
    Message::Text(Utf8Bytes::from(json))
}
