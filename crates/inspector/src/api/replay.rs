//! Replays: plan a selection or a session (`crate::replay`), publish its steps as the server
//! with origin `replay` at the planned pace, report progress, step on demand, cancel.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::json;
use switchboard_engine::control::Command;
use switchboard_engine::{Caller, Observation, Origin, TriggerRequest};
use switchboard_proto::AppId;
use tokio::sync::{mpsc, watch};
use ts_rs::TS;

use super::error::Failure;
use super::records::{parse_filter, source, Source};
use super::{sessions, state, Inspector};
use crate::replay::{plan, ChannelRename, ReplayOptions, ReplayStep, ReplayTiming};

pub fn routes() -> Router<Inspector> {
    Router::new()
        .route("/replay", post(start))
        .route("/replay/{id}", get(status).delete(cancel))
        .route("/replay/{id}/step", post(step))
}

/// The body of `POST /replay`. The records are `records` if given, else those of `session`
/// (default `current`) matching `filter`, narrowed to `seqs` when given.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, optional_fields = nullable)]
pub struct ReplayRequest {
    /// `"current"` or a session id, as text.
    pub session: Option<String>,
    #[ts(optional = nullable, type = "Array<number> | null")]
    pub seqs: Option<Vec<u64>>,
    pub filter: Option<String>,
    pub records: Option<Vec<Observation>>,
    /// `original` (the default), `scaled` (needs `speed`), `fastest` or `step`.
    #[ts(optional = nullable, type = "\"original\" | \"scaled\" | \"fastest\" | \"step\" | null")]
    pub timing: Option<String>,
    pub speed: Option<f64>,
    #[serde(default)]
    #[ts(as = "Option<Vec<ChannelRename>>", optional)]
    pub rename: Vec<ChannelRename>,
    /// Publish into this app rather than each record's own.
    pub app: Option<AppId>,
}

/// The answer to `POST /replay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReplayStarted {
    /// For `GET /replay/{id}`, `/step` and `DELETE`.
    #[ts(type = "number")]
    pub id: u64,
    /// Steps planned.
    pub total: usize,
    /// Records that carry nothing to replay.
    pub not_replayable: usize,
    /// Copies of a publish already planned.
    pub duplicates: usize,
}

/// Where a replay is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ReplayState {
    Running,
    /// Step mode: waiting for the next `step` call.
    Waiting,
    Finished,
    Cancelled,
}

/// `GET /replay/{id}` (and the answer to `step` and `DELETE`): how far a replay has got.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ReplayStatus {
    #[ts(type = "number")]
    pub id: u64,
    pub total: usize,
    pub done: usize,
    pub failed: usize,
    pub state: ReplayState,
    pub last_error: Option<String>,
}

struct Control {
    status: watch::Receiver<ReplayStatus>,
    step: mpsc::UnboundedSender<()>,
    cancel: watch::Sender<bool>,
}

/// The running and finished replays. The lock only guards inserting and looking up handles
/// (never held across an await), so a plain std `Mutex` is the simplest correct choice.
#[derive(Clone, Default)]
pub struct Replays {
    registry: Arc<Mutex<(u64, HashMap<u64, Control>)>>,
}

impl Replays {
    fn insert(&self, make: impl FnOnce(u64) -> Control) -> u64 {
        let mut registry = self.registry.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        registry.0 += 1;
        let id = registry.0;
        registry.1.insert(id, make(id));
        id
    }

    fn with<T>(&self, id: u64, f: impl FnOnce(&Control) -> T) -> Result<T, Failure> {
        let registry = self.registry.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        registry.1.get(&id).map(f).ok_or_else(|| Failure::not_found(format!("no replay {id}")))
    }
}

async fn start(
    State(inspector): State<Inspector>,
    Json(body): Json<ReplayRequest>,
) -> Result<Json<ReplayStarted>, Failure> {
    let timing = timing(&body)?;
    let records = select(&inspector, &body).await?;
    let options = ReplayOptions { timing, rename: body.rename.clone(), only_app: None };
    let plan = plan(&records, &options).map_err(|e| Failure::bad_request(e.to_string()))?;
    let fallback_app = match body.app.clone() {
        Some(app) => Some(app),
        None => state::live_state(&inspector).await?.apps.first().map(|a| a.id.clone()),
    };
    let (total, not_replayable, duplicates) =
        (plan.steps.len(), plan.not_replayable, plan.duplicates);
    let id = launch(&inspector, body.app, fallback_app, plan.steps, timing);
    Ok(Json(ReplayStarted { id, total, not_replayable, duplicates }))
}

/// The request's pace: `original` unless it names another.
fn timing(body: &ReplayRequest) -> Result<ReplayTiming, Failure> {
    match (body.timing.as_deref().unwrap_or("original"), body.speed) {
        ("original", _) => Ok(ReplayTiming::Original),
        ("scaled", Some(speed)) => Ok(ReplayTiming::Scaled { speed }),
        ("scaled", None) => Err(Failure::bad_request("scaled timing needs a speed")),
        ("fastest", _) => Ok(ReplayTiming::Fastest),
        ("step", _) => Ok(ReplayTiming::Step),
        (other, _) => Err(Failure::bad_request(format!("unknown timing {other:?}"))),
    }
}

/// Registers a replay and starts publishing its steps; returns its id.
fn launch(
    inspector: &Inspector,
    body_app: Option<AppId>,
    fallback_app: Option<AppId>,
    steps: Vec<ReplayStep>,
    timing: ReplayTiming,
) -> u64 {
    let total = steps.len();
    let (step_tx, step_rx) = mpsc::unbounded_channel();
    let (cancel_tx, cancel_rx) = watch::channel(false);
    let mut spawned = None;
    let id = inspector.replays.insert(|id| {
        let state = ReplayState::Running;
        let status = ReplayStatus { id, total, done: 0, failed: 0, state, last_error: None };
        let (status_tx, status_rx) = watch::channel(status);
        spawned = Some(status_tx);
        Control { status: status_rx, step: step_tx, cancel: cancel_tx }
    });
    if let Some(status) = spawned {
        let inspector = inspector.clone();
        let run =
            Run { inspector, body_app, fallback_app, step: step_rx, cancel: cancel_rx, status };
        tokio::spawn(run.execute(steps, timing == ReplayTiming::Step));
    }
    id
}

/// The records a replay request names.
async fn select(inspector: &Inspector, body: &ReplayRequest) -> Result<Vec<Observation>, Failure> {
    if let Some(records) = &body.records {
        return Ok(records.clone());
    }
    let filter = parse_filter(body.filter.as_deref())?;
    let all = match source(body.session.as_deref())? {
        Source::Session(id) => sessions::all_records(inspector, id).await?.1,
        Source::Current => {
            let recent =
                inspector.recorder.recent(None, usize::MAX, None).await.map_err(Failure::from)?;
            recent.iter().map(|r| (**r).clone()).collect()
        }
    };
    let chosen = all.into_iter().filter(|r| filter.matches(r));
    Ok(match &body.seqs {
        Some(seqs) => chosen.filter(|r| seqs.contains(&r.seq)).collect(),
        None => chosen.collect(),
    })
}

struct Run {
    inspector: Inspector,
    body_app: Option<AppId>,
    fallback_app: Option<AppId>,
    step: mpsc::UnboundedReceiver<()>,
    cancel: watch::Receiver<bool>,
    status: watch::Sender<ReplayStatus>,
}

impl Run {
    async fn execute(mut self, steps: Vec<ReplayStep>, stepwise: bool) {
        for step in steps {
            if stepwise {
                self.status.send_modify(|s| s.state = ReplayState::Waiting);
            }
            if !self.wait(&step, stepwise).await {
                self.status.send_modify(|s| s.state = ReplayState::Cancelled);
                return;
            }
            self.status.send_modify(|s| s.state = ReplayState::Running);
            let result = self.publish(step).await;
            self.status.send_modify(|s| {
                s.done += 1;
                if let Err(error) = result {
                    s.failed += 1;
                    s.last_error = Some(error);
                }
            });
        }
        self.status.send_modify(|s| s.state = ReplayState::Finished);
    }

    /// Waits for the step's moment (or the user's `step`); false when cancelled.
    async fn wait(&mut self, step: &ReplayStep, stepwise: bool) -> bool {
        let delay = Duration::from_millis(step.delay_ms_from_previous);
        tokio::select! {
            _ = self.cancel.wait_for(|cancelled| *cancelled) => false,
            go = async { if stepwise { self.step.recv().await.is_some() } else { tokio::time::sleep(delay).await; true } } => go,
        }
    }

    async fn publish(&self, step: ReplayStep) -> Result<(), String> {
        let app = self
            .body_app
            .clone()
            .or(step.app)
            .or_else(|| self.fallback_app.clone())
            .ok_or("no app to replay into")?;
        let body =
            json!({"channel": step.channel, "event": step.event, "source_seq": step.source_seq});
        let caller =
            Caller::new(Origin::Replay, "POST", "/inspector/api/replay", Some(body.to_string()));
        let request = TriggerRequest {
            name: step.event,
            data: step.data,
            channels: vec![step.channel],
            socket_id: None,
            info: Vec::new(),
        };
        let reply = self.inspector.link.call(caller, Command::Publish { app, request }).await;
        reply.map(|_| ()).map_err(|e| e.to_string())
    }
}

async fn status(
    State(inspector): State<Inspector>,
    Path(id): Path<u64>,
) -> Result<Json<ReplayStatus>, Failure> {
    Ok(Json(inspector.replays.with(id, |c| c.status.borrow().clone())?))
}

async fn step(
    State(inspector): State<Inspector>,
    Path(id): Path<u64>,
) -> Result<Json<ReplayStatus>, Failure> {
    inspector.replays.with(id, |c| {
        c.step.send(()).map_err(|_| Failure::bad_request("this replay has ended"))
    })??;
    Ok(Json(inspector.replays.with(id, |c| c.status.borrow().clone())?))
}

async fn cancel(
    State(inspector): State<Inspector>,
    Path(id): Path<u64>,
) -> Result<Json<ReplayStatus>, Failure> {
    inspector.replays.with(id, |c| c.cancel.send_replace(true))?;
    Ok(Json(inspector.replays.with(id, |c| c.status.borrow().clone())?))
}
