//! The Pusher HTTP API (`/apps/{id}/…`): authenticate, decode, hand to the hub, answer.

pub mod auth;
pub mod body;

use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::body::Bytes;
use axum::extract::{FromRequest, Path, Query, State};
use axum::http::{header, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use switchboard_engine::{ApiError, Caller, Detail, Observation, Origin};
use switchboard_proto::AppId;
use tokio::sync::oneshot;
use tokio::time::Instant;

use self::auth::{AppLookup, AuthError, Authenticated, SignedRequest};
use self::body::BodyError;
use crate::hub::{ApiCall, ApiOp};
use crate::AppContext;

/// The API's routes, including pusher-http-python's terminate path without `/apps/{id}`.
pub fn routes() -> Router<AppContext> {
    Router::new()
        .route("/apps/{app_id}/events", post(events))
        .route("/apps/{app_id}/batch_events", post(batch_events))
        .route("/apps/{app_id}/channels", get(channels))
        .route("/apps/{app_id}/channels/{channel}", get(channel))
        .route("/apps/{app_id}/channels/{channel}/users", get(users))
        .route("/apps/{app_id}/users/{user}/terminate_connections", post(terminate))
        .route("/users/{user}/terminate_connections", post(terminate_by_key))
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

/// What a handler asks the hub, with the channel its answer comes back on.
type Ask<T> = (ApiOp, oneshot::Receiver<Result<T, ApiError>>);

fn ask<T>(make: impl FnOnce(oneshot::Sender<Result<T, ApiError>>) -> ApiOp) -> Ask<T> {
    let (tx, rx) = oneshot::channel();
    (make(tx), rx)
}

/// Request bodies are recorded up to this many bytes.
const RECORDED_BODY_LIMIT: usize = 16 * 1024;

/// The request as the inspector records it.
fn caller(request: &Request<'_>) -> Caller {
    let body = (!request.body.is_empty()).then(|| {
        let end = request.body.len().min(RECORDED_BODY_LIMIT);
        String::from_utf8_lossy(&request.body[..end]).into_owned()
    });
    let path = request.uri.path_and_query().map_or(request.uri.path(), |p| p.as_str());
    Caller::new(Origin::Api, request.method.as_str(), path, body)
}

/// Authenticates, builds the hub call with `make`, awaits the answer and responds.
async fn handle<T: Serialize>(
    ctx: &AppContext,
    lookup: AppLookup<'_>,
    request: Request<'_>,
    make: impl FnOnce() -> Result<Ask<T>, Failure>,
) -> Response {
    let received = Instant::now();
    let app = match authenticate(ctx, lookup, &request) {
        Ok(authed) => authed.app,
        Err(error) => {
            record_refusal(ctx, lookup, &request, &error);
            return text(error.status(), error.to_string());
        }
    };
    let result = match make() {
        Ok((op, answer)) => {
            ctx.hub.api(ApiCall { caller: caller(&request), app: app.clone(), received, op });
            answer.await.map_err(|_| Failure::HubGone).and_then(|r| r.map_err(Failure::from))
        }
        Err(failure) => Err(failure),
    };
    respond(ctx, app, result)
}

fn authenticate(
    ctx: &AppContext,
    lookup: AppLookup<'_>,
    request: &Request<'_>,
) -> Result<Authenticated, AuthError> {
    let signed = SignedRequest {
        method: request.method.as_str(),
        path: request.uri.path(),
        query: request.uri.query(),
        body: request.body,
    };
    let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let apps = Arc::clone(&ctx.apps.borrow());
    auth::verify(&apps, lookup, &signed, now).inspect_err(|error| {
        tracing::info!(path = %request.uri.path(), %error, "HTTP API request refused");
        if let (AppLookup::ById(id), false) = (lookup, error.status() == 404) {
            if let Ok(app) = AppId::new(id) {
                ctx.hub.api_status(app, error.status());
            }
        }
    })
}

/// A refused request never reaches the engine, so its record is made here.
fn record_refusal(
    ctx: &AppContext,
    lookup: AppLookup<'_>,
    request: &Request<'_>,
    error: &AuthError,
) {
    let caller = caller(request);
    let detail = Detail::ApiRequest {
        method: caller.method,
        path: caller.path,
        status: error.status(),
        latency_us: 0,
        body: caller.body,
        error: Some(error.to_string()),
    };
    let mut observation = Observation::new(Origin::Api, detail);
    if let AppLookup::ById(id) = lookup {
        observation.app = AppId::new(id).ok();
    }
    ctx.hub.observe(observation);
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
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message).into_response()
}

type AppPath = Path<String>;
type ChannelPath = Path<(String, String)>;

async fn events(State(ctx): State<AppContext>, Path(id): AppPath, signed: Signed) -> Response {
    handle(&ctx, AppLookup::ById(&id), signed.request(), || {
        let trigger = body::trigger(&signed.body)?;
        Ok(ask(|tx| ApiOp::Trigger(trigger, tx)))
    })
    .await
}

async fn batch_events(
    State(ctx): State<AppContext>,
    Path(id): AppPath,
    signed: Signed,
) -> Response {
    handle(&ctx, AppLookup::ById(&id), signed.request(), || {
        let items = body::batch(&signed.body)?;
        Ok(ask(|tx| ApiOp::Batch(items, tx)))
    })
    .await
}

#[derive(Deserialize)]
struct InfoQuery {
    filter_by_prefix: Option<String>,
    info: Option<String>,
}

async fn channels(
    State(ctx): State<AppContext>,
    Path(id): AppPath,
    Query(query): Query<InfoQuery>,
    signed: Signed,
) -> Response {
    let (prefix, info) = (query.filter_by_prefix, query.info.into_iter().collect());
    let op = |reply| ApiOp::Channels { prefix, info, reply };
    handle(&ctx, AppLookup::ById(&id), signed.request(), || Ok(ask(op))).await
}

async fn channel(
    State(ctx): State<AppContext>,
    Path((id, name)): ChannelPath,
    Query(query): Query<InfoQuery>,
    signed: Signed,
) -> Response {
    let info = query.info.into_iter().collect();
    let op = |reply| ApiOp::Channel { name, info, reply };
    handle(&ctx, AppLookup::ById(&id), signed.request(), || Ok(ask(op))).await
}

async fn users(
    State(ctx): State<AppContext>,
    Path((id, name)): ChannelPath,
    signed: Signed,
) -> Response {
    let op = |reply| ApiOp::Users { name, reply };
    handle(&ctx, AppLookup::ById(&id), signed.request(), || Ok(ask(op))).await
}

async fn terminate(
    State(ctx): State<AppContext>,
    Path((id, user)): ChannelPath,
    signed: Signed,
) -> Response {
    let op = |reply| ApiOp::Terminate { user, reply };
    handle(&ctx, AppLookup::ById(&id), signed.request(), || Ok(ask(op))).await
}

async fn terminate_by_key(
    State(ctx): State<AppContext>,
    Path(user): AppPath,
    signed: Signed,
) -> Response {
    let op = |reply| ApiOp::Terminate { user, reply };
    handle(&ctx, AppLookup::ByAuthKey, signed.request(), || Ok(ask(op))).await
}

/// The parts of an API request that its signature covers, extracted once per handler.
struct Signed {
    method: Method,
    uri: Uri,
    body: Bytes,
}

impl Signed {
    fn request(&self) -> Request<'_> {
        Request { method: self.method.clone(), uri: self.uri.clone(), body: &self.body }
    }
}

impl<S: Send + Sync> FromRequest<S> for Signed {
    type Rejection = Response;

    async fn from_request(
        request: axum::extract::Request,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let (method, uri) = (request.method().clone(), request.uri().clone());
        let body =
            Bytes::from_request(request, state).await.map_err(IntoResponse::into_response)?;
        Ok(Self { method, uri, body })
    }
}
