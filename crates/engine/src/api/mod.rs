//! HTTP API operations (already authenticated by the server): trigger, batch, queries,
//! terminate. Each is recorded as an `api_request` observation that causes what follows,
//! and answers with a typed reply or an `ApiError` that maps to an HTTP status.

mod publish;
pub(crate) mod query;
mod replies;

pub use publish::TriggerRequest;
pub use replies::{
    BatchReply, CacheInfo, ChannelInfo, ChannelsReply, TriggerReply, UserEntry, UsersReply,
};

use switchboard_proto::AppId;

use crate::effects::{Effect, Out};
use crate::engine::Engine;
use crate::observation::{Detail, Origin};
use crate::state::AppState;
use crate::Millis;

/// A batch item is a trigger with one channel.
pub type BatchItem = TriggerRequest;

/// A refused API call. `status()` gives the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("Unknown app {0}")]
    UnknownApp(String),
    #[error("App {0} is disabled")]
    AppDisabled(String),
    #[error("Invalid {field}: {reason}")]
    InvalidField { field: &'static str, reason: String },
    #[error("Event data is {size} bytes; the limit is {max_kb} KB (max_event_payload_in_kb)")]
    PayloadTooLarge { size: usize, max_kb: u32 },
    #[error("No connection has socket id {0}")]
    UnknownSocket(String),
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            Self::UnknownApp(_) | Self::UnknownSocket(_) => 404,
            Self::AppDisabled(_) => 403,
            Self::InvalidField { .. } => 400,
            Self::PayloadTooLarge { .. } => 413,
        }
    }

    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidField { field, reason: reason.into() }
    }
}

/// Who is calling, for the record: the HTTP API, or the inspector acting as the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub origin: Origin,
    pub method: String,
    pub path: String,
    /// The request body, already capped by the caller.
    pub body: Option<String>,
}

impl Caller {
    pub fn new(origin: Origin, method: &str, path: &str, body: Option<String>) -> Self {
        Self { origin, method: method.to_owned(), path: path.to_owned(), body }
    }
}

/// The reply of an API operation and the effects it had (always including its record).
#[derive(Debug)]
pub struct ApiOutcome<T> {
    pub reply: Result<T, ApiError>,
    pub effects: Vec<Effect>,
}

impl Engine {
    /// Runs one API operation: records the request, runs `work`, stamps the status on it.
    pub(crate) fn run_api<T>(
        &mut self,
        caller: &Caller,
        app: &AppId,
        now: Millis,
        work: impl FnOnce(&mut Self, &mut Out) -> Result<T, ApiError>,
    ) -> ApiOutcome<T> {
        let mut out = self.begin(now, caller.origin);
        out.in_app(app);
        let detail = Detail::ApiRequest {
            method: caller.method.clone(),
            path: caller.path.clone(),
            status: 0,
            latency_us: 0,
            body: caller.body.clone(),
            error: None,
        };
        let seq = out.observe(out.obs(detail));
        out.caused_by(seq);
        let reply = work(self, &mut out);
        let outcome =
            reply.as_ref().map_or_else(|e| (e.status(), Some(e.to_string())), |_| (200, None));
        stamp_status(&mut out.effects, seq, outcome);
        ApiOutcome { reply, effects: self.finish(out) }
    }

    /// The app for an API call: unknown → 404, disabled → 403.
    pub(crate) fn api_app(&mut self, app: &AppId) -> Result<&mut AppState, ApiError> {
        let state = self.apps.get_mut(app).ok_or_else(|| ApiError::UnknownApp(app.to_string()))?;
        if !state.config.enabled {
            return Err(ApiError::AppDisabled(app.to_string()));
        }
        Ok(state)
    }
}

fn stamp_status(effects: &mut [Effect], seq: Option<u64>, (code, message): (u16, Option<String>)) {
    let Some(seq) = seq else { return };
    let record = effects.iter_mut().find_map(|effect| match effect {
        Effect::Observe(observation) if observation.seq == seq => Some(observation),
        _ => None,
    });
    if let Some(observation) = record {
        if let Detail::ApiRequest { status, error, .. } = &mut observation.detail {
            *status = code;
            *error = message;
        }
    }
}
