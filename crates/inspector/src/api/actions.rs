//! `POST /inspector/api/actions/*`: act as the server. Each action is recorded (origin
//! `inject`) by the engine like an API call.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};
use switchboard_engine::control::{Command, Reply};
use switchboard_engine::{Caller, Origin, TriggerRequest};
use switchboard_proto::{AppId, SocketId};

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

#[derive(Deserialize)]
struct Publish {
    app: AppId,
    name: String,
    channels: Vec<String>,
    data: String,
    #[serde(default)]
    socket_id: Option<SocketId>,
}

#[derive(Deserialize)]
struct ClientEvent {
    app: AppId,
    channel: String,
    event: String,
    data: String,
    #[serde(default)]
    user_id: Option<String>,
}

#[derive(Deserialize)]
struct RawFrame {
    socket: SocketId,
    text: String,
}

#[derive(Deserialize)]
struct Disconnect {
    socket: SocketId,
    code: u16,
    #[serde(default)]
    reason: String,
}

#[derive(Deserialize)]
struct Terminate {
    app: AppId,
    user: String,
}

/// Runs an action recorded with `path` and the request body.
async fn act(
    inspector: &Inspector,
    path: &str,
    body: &Value,
    command: Command,
) -> Result<Json<Value>, Failure> {
    let caller = Caller::new(
        Origin::Inject,
        "POST",
        &format!("/inspector/api{path}"),
        Some(body.to_string()),
    );
    match inspector.link.call(caller, command).await? {
        Reply::Published(reply) => Ok(Json(json!({"ok": true, "reply": reply}))),
        _ => Ok(Json(json!({"ok": true}))),
    }
}

fn parse<T: serde::de::DeserializeOwned>(body: &Value) -> Result<T, Failure> {
    serde_json::from_value(body.clone())
        .map_err(|e| Failure::bad_request(format!("Invalid body: {e}")))
}

async fn publish(
    State(inspector): State<Inspector>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, Failure> {
    let Publish { app, name, channels, data, socket_id } = parse(&body)?;
    let request = TriggerRequest { name, data, channels, socket_id, info: Vec::new() };
    act(&inspector, "/actions/publish", &body, Command::Publish { app, request }).await
}

async fn client_event(
    State(inspector): State<Inspector>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, Failure> {
    let ClientEvent { app, channel, event, data, user_id } = parse(&body)?;
    let command = Command::ClientEvent { app, channel, event, data, user_id };
    act(&inspector, "/actions/client-event", &body, command).await
}

async fn raw_frame(
    State(inspector): State<Inspector>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, Failure> {
    let RawFrame { socket, text } = parse(&body)?;
    act(&inspector, "/actions/raw-frame", &body, Command::RawFrame { socket, text }).await
}

async fn disconnect(
    State(inspector): State<Inspector>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, Failure> {
    let Disconnect { socket, code, reason } = parse(&body)?;
    let reason =
        if reason.is_empty() { "Disconnected from the inspector".to_owned() } else { reason };
    act(&inspector, "/actions/disconnect", &body, Command::Disconnect { socket, code, reason })
        .await
}

async fn terminate(
    State(inspector): State<Inspector>,
    Json(body): Json<Value>,
) -> Result<Json<Value>, Failure> {
    let Terminate { app, user } = parse(&body)?;
    act(&inspector, "/actions/terminate", &body, Command::TerminateUser { app, user }).await
}
