//! `POST /inspector/api/actions/*`: act as the server. Each action is recorded (origin
//! `inject`) by the engine like an API call.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_engine::api::TriggerReply;
use switchboard_engine::control::{Command, Reply};
use switchboard_engine::{Caller, Origin, TriggerRequest};
use switchboard_proto::{AppId, SocketId};
use ts_rs::TS;

use super::error::Failure;
use super::Inspector;

pub fn routes() -> Router<Inspector> {
    Router::new()
        .route("/actions/publish", post(publish))
        .route("/actions/client-event", post(client_event))
        .route("/actions/raw-frame", post(raw_frame))
        .route("/actions/disconnect", post(disconnect))
        .route("/actions/terminate", post(terminate))
}

/// `POST /actions/publish`: trigger an event as the HTTP API would.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PublishBody {
    pub app: AppId,
    pub name: String,
    pub channels: Vec<String>,
    /// The event's data, sent as is.
    pub data: String,
    /// A socket to leave out, as the trigger's `socket_id`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub socket_id: Option<SocketId>,
}

/// `POST /actions/client-event`: a client event on a private or presence channel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ClientEventBody {
    pub app: AppId,
    pub channel: String,
    pub event: String,
    /// JSON text.
    pub data: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub user_id: Option<String>,
}

/// `POST /actions/raw-frame`: any text, sent to one socket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RawFrameBody {
    pub socket: SocketId,
    pub text: String,
}

/// `POST /actions/disconnect`: close one socket (1000 or 4000–4999).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct DisconnectBody {
    pub socket: SocketId,
    pub code: u16,
    /// Empty for the default reason.
    #[serde(default)]
    pub reason: String,
}

/// `POST /actions/terminate`: close every socket signed in as the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TerminateBody {
    pub app: AppId,
    pub user: String,
}

/// What every action answers: `{"ok": true}`, plus the trigger's reply for a publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ActionReply {
    #[ts(type = "true")]
    pub ok: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub reply: Option<TriggerReply>,
}

/// Runs an action recorded with `path` and the request body.
async fn act(
    inspector: &Inspector,
    path: &str,
    body: &Value,
    command: Command,
) -> Result<Json<ActionReply>, Failure> {
    let caller = Caller::new(
        Origin::Inject,
        "POST",
        &format!("/inspector/api{path}"),
        Some(body.to_string()),
    );
    let reply = match inspector.link.call(caller, command).await? {
        Reply::Published(reply) => Some(reply),
        _ => None,
    };
    Ok(Json(ActionReply { ok: true, reply }))
}

fn parse<T: serde::de::DeserializeOwned>(body: &Value) -> Result<T, Failure> {
    serde_json::from_value(body.clone())
        .map_err(|e| Failure::bad_request(format!("Invalid body: {e}")))
}

async fn publish(
    State(inspector): State<Inspector>,
    Json(body): Json<Value>,
) -> Result<Json<ActionReply>, Failure> {
    let PublishBody { app, name, channels, data, socket_id } = parse(&body)?;
    let request = TriggerRequest { name, data, channels, socket_id, info: Vec::new() };
    act(&inspector, "/actions/publish", &body, Command::Publish { app, request }).await
}

async fn client_event(
    State(inspector): State<Inspector>,
    Json(body): Json<Value>,
) -> Result<Json<ActionReply>, Failure> {
    let ClientEventBody { app, channel, event, data, user_id } = parse(&body)?;
    let command = Command::ClientEvent { app, channel, event, data, user_id };
    act(&inspector, "/actions/client-event", &body, command).await
}

async fn raw_frame(
    State(inspector): State<Inspector>,
    Json(body): Json<Value>,
) -> Result<Json<ActionReply>, Failure> {
    let RawFrameBody { socket, text } = parse(&body)?;
    act(&inspector, "/actions/raw-frame", &body, Command::RawFrame { socket, text }).await
}

async fn disconnect(
    State(inspector): State<Inspector>,
    Json(body): Json<Value>,
) -> Result<Json<ActionReply>, Failure> {
    let DisconnectBody { socket, code, reason } = parse(&body)?;
    let reason =
        if reason.is_empty() { "Disconnected from the inspector".to_owned() } else { reason };
    act(&inspector, "/actions/disconnect", &body, Command::Disconnect { socket, code, reason })
        .await
}

async fn terminate(
    State(inspector): State<Inspector>,
    Json(body): Json<Value>,
) -> Result<Json<ActionReply>, Failure> {
    let TerminateBody { app, user } = parse(&body)?;
    act(&inspector, "/actions/terminate", &body, Command::TerminateUser { app, user }).await
}
