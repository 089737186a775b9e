//! The inspector HTTP/WebSocket API under `/inspector/api` (see `docs/inspector-api.md`),
//! guarded as `guard` describes.

mod actions;
pub mod error;
pub mod guard;
pub mod link;
mod records;
mod replay;
mod sessions;
mod state;
mod stream;
#[cfg(test)]
mod wire;

use std::sync::Arc;

use axum::routing::get;
use axum::{middleware, Json, Router};

pub use self::replay::Replays;
pub use self::state::ServerInfo;
use crate::recorder::RecorderHandle;
use crate::stats::{StatsHandle, StatsReply};
use crate::store::SessionInfo;
use guard::Access;
use link::ServerLink;

/// Everything the API's handlers share; cheap to clone.
#[derive(Clone)]
pub struct Inspector {
    pub link: ServerLink,
    pub recorder: RecorderHandle,
    pub stats: StatsHandle,
    pub replays: Replays,
    pub info: Arc<ServerInfo>,
}

impl Inspector {
    /// The session being recorded to disk, if any.
    pub async fn current_session(&self) -> Option<SessionInfo> {
        self.recorder.current_session().await.ok().flatten()
    }
}

/// The API's routes, nested under `/inspector/api`, and the UI for every other path; guarded.
pub fn router(inspector: Inspector, access: Access) -> Router {
    let api = Router::new()
        .merge(actions::routes())
        .merge(state::routes())
        .merge(records::routes())
        .merge(stream::routes())
        .merge(sessions::routes())
        .merge(replay::routes())
        .route("/stats", get(stats))
        .with_state(inspector);
    Router::new()
        .nest("/inspector/api", api)
        .fallback(crate::ui::serve)
        .layer(middleware::from_fn_with_state(access, guard::guard))
}

#[derive(serde::Deserialize)]
struct StatsQuery {
    seconds: Option<usize>,
}

async fn stats(
    axum::extract::State(inspector): axum::extract::State<Inspector>,
    axum::extract::Query(query): axum::extract::Query<StatsQuery>,
) -> Json<StatsReply> {
    Json(inspector.stats.last(query.seconds.unwrap_or(300)).await)
}
