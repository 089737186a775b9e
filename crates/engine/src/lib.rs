//! switchboard-engine — the Pusher protocol state machine: sans-I/O and synchronous.
//!
//! The hub feeds it `Input`s (and HTTP API calls) with the current time; it answers with
//! `Effect`s to carry out: frames to send, sockets to close, webhooks to fire. It never
//! touches sockets, clocks or randomness, so every rule is tested as a plain scenario.

pub mod api;
mod client_events;
pub mod config;
pub mod conn_map;
mod connections;
pub mod control;
pub mod effects;
mod engine;
pub mod live;
pub mod observation;
mod presence;
mod reconfigure;
mod state;
mod subscriptions;
mod users;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

pub use api::{ApiError, ApiOutcome, BatchItem, Caller, ChannelInfo, TriggerRequest};
pub use effects::{Effect, WebhookEvent};
pub use engine::{AppMetrics, ConnMeta, Engine, Input};
pub use observation::{Detail, Observation, Origin};
pub use reconfigure::ReloadSummary;

/// Milliseconds since an arbitrary epoch chosen by the caller.
pub type Millis = u64;

/// A connection, numbered by the hub (distinct from the public `SocketId`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(transparent)]
#[ts(export, type = "number")]
pub struct ConnId(pub u64);
