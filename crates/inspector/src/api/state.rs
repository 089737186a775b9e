//! `GET /inspector/api/state`, `/info` and `/apps/{id}/credentials`: what is connected now,
//! and what the Getting started view needs.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use switchboard_engine::control::{Command, Reply};
use switchboard_engine::live::{AppView, LiveState};
use switchboard_engine::{Caller, Origin};
use switchboard_proto::{AppId, AppKey};
use ts_rs::TS;

use super::error::Failure;
use super::Inspector;
use crate::store::SessionInfo;

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

/// `GET /info`: what the Getting started view needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Info {
    pub version: String,
    pub ws_url: String,
    pub http_url: String,
    pub apps: Vec<AppInfo>,
    /// Whether a session is being recorded to disk.
    pub recording: bool,
    /// The session being recorded.
    pub session: Option<SessionInfo>,
}

/// One app in `Info`: never its secret, only the masked form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct AppInfo {
    pub id: AppId,
    pub key: AppKey,
    pub secret_masked: String,
    pub enabled: bool,
    pub client_events: bool,
}

impl From<&AppView> for AppInfo {
    fn from(app: &AppView) -> Self {
        Self {
            id: app.id.clone(),
            key: app.key.clone(),
            secret_masked: app.secret_masked.clone(),
            enabled: app.enabled,
            client_events: app.client_events,
        }
    }
}

/// `GET /apps/{id}/credentials`: the secret in full, for the `.env` snippet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Credentials {
    pub id: AppId,
    pub key: AppKey,
    pub secret: String,
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

async fn info(State(inspector): State<Inspector>) -> Result<Json<Info>, Failure> {
    let state = live_state(&inspector).await?;
    let server = &*inspector.info;
    let session = inspector.current_session().await;
    Ok(Json(Info {
        version: server.version.clone(),
        ws_url: server.ws_url.clone(),
        http_url: server.http_url.clone(),
        apps: state.apps.iter().map(AppInfo::from).collect(),
        recording: session.is_some(),
        session,
    }))
}

async fn credentials(
    State(inspector): State<Inspector>,
    Path(id): Path<String>,
) -> Result<Json<Credentials>, Failure> {
    let app = AppId::new(id).map_err(|e| Failure::bad_request(e.to_string()))?;
    let caller = Caller::new(Origin::Inject, "GET", "/inspector/api/apps/credentials", None);
    match inspector.link.call(caller, Command::Credentials { app }).await? {
        Reply::Credentials { id, key, secret } => Ok(Json(Credentials { id, key, secret })),
        _ => {
            Err(Failure::internal("the server answered the credentials query with something else"))
        }
    }
}
