//! `GET /inspector/api/state`, `/info` and `/apps/{id}/credentials`: what is connected now,
//! and what the Getting started view needs.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use serde_json::{json, Value};
use switchboard_engine::control::{Command, Reply};
use switchboard_engine::live::LiveState;
use switchboard_engine::{Caller, Origin};
use switchboard_proto::AppId;

use super::error::Failure;
use super::Inspector;

pub fn routes() -> Router<Inspector> {
    Router::new()
        .route("/state", get(state))
        .route("/info", get(info))
        .route("/apps/{id}/credentials", get(credentials))
}

/// Where the server listens, for snippets and links.
#[derive(Debug, Clone, Serialize)]
pub struct ServerInfo {
    pub version: String,
    pub ws_url: String,
    pub http_url: String,
}

fn reader() -> Caller {
    Caller::new(Origin::Inject, "GET", "/inspector/api/state", None)
}

pub(super) async fn live_state(inspector: &Inspector) -> Result<LiveState, Failure> {
    match inspector.link.call(reader(), Command::State).await? {
        Reply::State(state) => Ok(state),
        _ => Err(Failure::internal("the server answered the state query with something else")),
    }
}

async fn state(State(inspector): State<Inspector>) -> Result<Json<LiveState>, Failure> {
    Ok(Json(live_state(&inspector).await?))
}

async fn info(State(inspector): State<Inspector>) -> Result<Json<Value>, Failure> {
    let state = live_state(&inspector).await?;
    let apps: Vec<Value> = state
        .apps
        .iter()
        .map(|a| json!({"id": a.id, "key": a.key, "enabled": a.enabled, "client_events": a.client_events}))
        .collect();
    let info = &*inspector.info;
    let session = inspector.current_session().await;
    Ok(Json(json!({
        "version": info.version,
        "ws_url": info.ws_url,
        "http_url": info.http_url,
        "apps": apps,
        "recording": session.is_some(),
        "session": session,
    })))
}

async fn credentials(
    State(inspector): State<Inspector>,
    Path(id): Path<String>,
) -> Result<Json<Value>, Failure> {
    let app = AppId::new(id).map_err(|e| Failure::bad_request(e.to_string()))?;
    let caller = Caller::new(Origin::Inject, "GET", "/inspector/api/apps/credentials", None);
    match inspector.link.call(caller, Command::Credentials { app }).await? {
        Reply::Credentials { id, key, secret } => {
            Ok(Json(json!({"id": id, "key": key, "secret": secret})))
        }
        _ => {
            Err(Failure::internal("the server answered the credentials query with something else"))
        }
    }
}
