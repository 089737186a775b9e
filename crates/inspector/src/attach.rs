//! Starting the inspector beside a running server: the recorder (ring + SQLite sessions),
//! the stats counter and the API router, all fed by the server's observation bus and
//! acting through its control link. Both binaries (headless and desktop) call this.

use std::path::PathBuf;
use std::sync::Arc;

use axum::Router;
use switchboard_engine::Observation;
use tokio::sync::{broadcast, mpsc};

use crate::api::guard::Access;
use crate::api::link::{Answer, ServerLink};
use crate::api::{router, Inspector, Replays, ServerInfo};
use crate::recorder::{Recorder, RecorderError, RecorderHandle, RecorderOptions};
use crate::stats::StatsHandle;
use crate::store::{Retention, Store, StoreError};
use switchboard_engine::control::ControlRequest;

/// How the inspector runs.
#[derive(Debug, Clone)]
pub struct InspectorOptions {
    /// Where sessions are stored; `None` keeps records in memory only.
    pub data_dir: Option<PathBuf>,
    pub retention: Retention,
    pub access: Access,
    pub info: ServerInfo,
}

/// Why the inspector could not start.
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Recorder(#[from] RecorderError),
}

/// A started inspector: routes to merge into the server's router, and the recorder to shut
/// down (flush, end the session) when the server stops.
pub struct Attached {
    pub router: Router,
    pub recorder: RecorderHandle,
}

/// The server's side of the wiring: two subscriptions to its observation bus (taken before
/// traffic flows) and its control link.
pub struct ServerSide {
    pub records: broadcast::Receiver<Arc<Observation>>,
    pub stats: broadcast::Receiver<Arc<Observation>>,
    pub control: mpsc::UnboundedSender<ControlRequest<Answer>>,
}

/// Opens the store, starts the recorder and the stats counter, and builds the API router.
pub async fn attach(
    options: InspectorOptions,
    server: ServerSide,
) -> Result<Attached, AttachError> {
    let store = options.data_dir.as_deref().map(Store::open).transpose()?;
    let recorder_options =
        RecorderOptions { retention: options.retention, ..RecorderOptions::default() };
    let recorder = Recorder::start(server.records, store, recorder_options).await?;
    let inspector = Inspector {
        link: ServerLink::new(server.control),
        recorder: recorder.clone(),
        stats: StatsHandle::start(server.stats, Default::default()),
        replays: Replays::default(),
        info: Arc::new(options.info),
    };
    Ok(Attached { router: router(inspector, options.access), recorder })
}
