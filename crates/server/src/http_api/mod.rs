//! The Pusher HTTP API (`/apps/{id}/…`): authenticate, decode, hand to the hub, answer.

pub mod auth;
pub mod body;

use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use switchboard_engine::ApiError;
use switchboard_proto::AppId;
use tokio::sync::oneshot;

use self::auth::{AppLookup, Authenticated, SignedRequest};
use self::body::BodyError;
use crate::hub::ApiCall;
use crate::AppContext;

/// The API's routes, including pusher-http-python's terminate path without `/apps/{id}`.
pub fn routes() -> Router<AppContext> {
    Router::new()
        .route("/apps/{app_id}/events", post(events))
        .route("/apps/{app_id}/batch_events", post(batch_events))
        .route("/apps/{app_id}/channels", get(channels))
        .route("/apps/{app_id}/channels/{channel}", get(channel))
        .route("/apps/{app_id}/channels/{channel}/users", get(users))
        .route(
            "/apps/{app_id}/users/{user}/terminate_connections",
            post(terminate),
        )
        .route(
            "/users/{user}/terminate_connections",
            post(terminate_by_key),
        )
}

/// Everything that can go wrong after authentication.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    Body(#[from] BodyError),
    #[error(transparent)]
    Engine(#[from] ApiError),
    #[error("The server is shutting down")]
    HubGone,
}

impl Failure {
    fn status(&self) -> u16 {
        match self {
            Self::Body(_) => 400,
            Self::Engine(error) => error.status(),
            Self::HubGone => 503,
        }
    }
}

struct Request<'a> {
    method: Method,
    uri: Uri,
    body: &'a [u8],
}

fn authenticate(
    ctx: &AppContext,
    lookup: AppLookup<'_>,
    request: &Request<'_>,
) -> Result<Authenticated, Response> {
    let signed = SignedRequest {
        method: request.method.as_str(),
        path: request.uri.path(),
        query: request.uri.query(),
        body: request.body,
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    auth::verify(&ctx.apps, lookup, &signed, now).map_err(|error| {
        tracing::info!(path = %request.uri.path(), %error, "HTTP API request refused");
        if let AppLookup::ById(id) = lookup {
            if let Ok(app) = AppId::new(id) {
                if error.status() != 404 {
                    ctx.hub.api_status(app, error.status());
                }
            }
        }
        text(error.status(), error.to_string())
    })
}

/// Sends a call to the hub and waits for its answer.
async fn call<T>(
    ctx: &AppContext,
    make: impl FnOnce(oneshot::Sender<Result<T, ApiError>>) -> ApiCall,
) -> Result<T, Failure> {
    let (tx, rx) = oneshot::channel();
    ctx.hub.api(make(tx));
    Ok(rx.await.map_err(|_| Failure::HubGone)??)
}

fn respond<T: Serialize>(ctx: &AppContext, app: AppId, result: Result<T, Failure>) -> Response {
    match result {
        Ok(reply) => {
            ctx.hub.api_status(app, 200);
            Json(reply).into_response()
        }
        Err(failure) => {
            ctx.hub.api_status(app, failure.status());
            text(failure.status(), failure.to_string())
        }
    }
}

fn text(status: u16, message: String) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        message,
    )
        .into_response()
}

async fn events(
    State(ctx): State<AppContext>,
    Path(app_id): Path<String>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let request = Request {
        method,
        uri,
        body: &body,
    };
    let authed = match authenticate(&ctx, AppLookup::ById(&app_id), &request) {
        Ok(authed) => authed,
        Err(response) => return response,
    };
    let app = authed.app;
    let result = match body::trigger(&body) {
        Ok(trigger) => call(&ctx, |tx| ApiCall::Trigger(app.clone(), trigger, tx)).await,
        Err(error) => Err(error.into()),
    };
    respond(&ctx, app, result)
}

async fn batch_events(
    State(ctx): State<AppContext>,
    Path(app_id): Path<String>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let request = Request {
        method,
        uri,
        body: &body,
    };
    let authed = match authenticate(&ctx, AppLookup::ById(&app_id), &request) {
        Ok(authed) => authed,
        Err(response) => return response,
    };
    let app = authed.app;
    let result = match body::batch(&body) {
        Ok(items) => call(&ctx, |tx| ApiCall::Batch(app.clone(), items, tx)).await,
        Err(error) => Err(error.into()),
    };
    respond(&ctx, app, result)
}

#[derive(Deserialize)]
struct ChannelsQuery {
    filter_by_prefix: Option<String>,
    info: Option<String>,
}

async fn channels(
    State(ctx): State<AppContext>,
    Path(app_id): Path<String>,
    Query(query): Query<ChannelsQuery>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let request = Request {
        method,
        uri,
        body: &body,
    };
    let app = match authenticate(&ctx, AppLookup::ById(&app_id), &request) {
        Ok(authed) => authed.app,
        Err(response) => return response,
    };
    let info = query.info.into_iter().collect();
    let result = call(&ctx, |tx| {
        ApiCall::Channels(app.clone(), query.filter_by_prefix, info, tx)
    })
    .await;
    respond(&ctx, app, result)
}

async fn channel(
    State(ctx): State<AppContext>,
    Path((app_id, name)): Path<(String, String)>,
    Query(query): Query<ChannelsQuery>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let request = Request {
        method,
        uri,
        body: &body,
    };
    let app = match authenticate(&ctx, AppLookup::ById(&app_id), &request) {
        Ok(authed) => authed.app,
        Err(response) => return response,
    };
    let info = query.info.into_iter().collect();
    let result = call(&ctx, |tx| ApiCall::Channel(app.clone(), name, info, tx)).await;
    respond(&ctx, app, result)
}

async fn users(
    State(ctx): State<AppContext>,
    Path((app_id, name)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let request = Request {
        method,
        uri,
        body: &body,
    };
    let app = match authenticate(&ctx, AppLookup::ById(&app_id), &request) {
        Ok(authed) => authed.app,
        Err(response) => return response,
    };
    let result = call(&ctx, |tx| ApiCall::Users(app.clone(), name, tx)).await;
    respond(&ctx, app, result)
}

async fn terminate(
    State(ctx): State<AppContext>,
    Path((app_id, user)): Path<(String, String)>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let request = Request {
        method,
        uri,
        body: &body,
    };
    terminate_user(&ctx, AppLookup::ById(&app_id), &request, user).await
}

async fn terminate_by_key(
    State(ctx): State<AppContext>,
    Path(user): Path<String>,
    method: Method,
    uri: Uri,
    body: Bytes,
) -> Response {
    let request = Request {
        method,
        uri,
        body: &body,
    };
    terminate_user(&ctx, AppLookup::ByAuthKey, &request, user).await
}

async fn terminate_user(
    ctx: &AppContext,
    lookup: AppLookup<'_>,
    request: &Request<'_>,
    user: String,
) -> Response {
    let app = match authenticate(ctx, lookup, request) {
        Ok(authed) => authed.app,
        Err(response) => return response,
    };
    let result = call(ctx, |tx| ApiCall::Terminate(app.clone(), user, tx)).await;
    respond(ctx, app, result.map(|()| serde_json::json!({})))
}
