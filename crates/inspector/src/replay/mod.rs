//! Replay planning, pure: recorded records in, a list of publishes with delays out. The
//! server executes the plan (it owns time and the hub); this module decides what to send.
//!
//! What is replayed: each application event once per channel it was published on —
//! whether the selection holds the API call, its deliveries, or both (they are linked by
//! `cause`); client events likewise. Protocol traffic (`pusher:`…), refused API calls,
//! rejected client events and unicast frames the server sent on its own are not. Records
//! imported from HAR have no `cause` links: copies of one event that several connections
//! received (same channel, event and data within `SAME_PUBLISH_MS`) count as one.

mod rename;
mod select;

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};
use switchboard_engine::{Detail, Millis, Observation};
use switchboard_proto::{AppId, ChannelNameError};

pub use rename::ChannelRename;
use select::Publish;

/// Copies of one event without a `cause` link this close together are one publish.
pub const SAME_PUBLISH_MS: Millis = 100;

/// How a replay is paced.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "mode", rename_all = "snake_case")]
pub enum ReplayTiming {
    /// The gaps between events as recorded.
    #[default]
    Original,
    /// The recorded gaps divided by `speed` (2.0 is twice as fast, 0.5 half as fast).
    Scaled { speed: f64 },
    /// No waiting between events.
    Fastest,
    /// One event each time the user asks for the next (the delays are all 0).
    Step,
}

/// What to replay and how.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ReplayOptions {
    #[serde(default)]
    pub timing: ReplayTiming,
    /// Channel renames, first match wins (see `ChannelRename`).
    #[serde(default)]
    pub rename: Vec<ChannelRename>,
    /// Replay only this app's events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub only_app: Option<AppId>,
}

/// One event to publish again (as the Pusher HTTP API's trigger would).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayStep {
    /// How long to wait after the previous step (after starting, for the first).
    pub delay_ms_from_previous: u64,
    /// When the original happened (unix ms).
    pub at: Millis,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<AppId>,
    /// The channel to publish on (after renames).
    pub channel: String,
    /// The recorded channel, when a rename changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub original_channel: Option<String>,
    pub event: String,
    /// The trigger's `data` string, exactly as recorded.
    pub data: String,
    /// The record this step was planned from.
    pub source_seq: u64,
}

/// The planned replay.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReplayPlan {
    pub timing: ReplayTiming,
    pub steps: Vec<ReplayStep>,
    /// Records that carry nothing to replay (protocol traffic, other apps, refusals...).
    pub not_replayable: usize,
    /// Publishes left out because another record of the same publish was planned.
    pub duplicates: usize,
}

impl ReplayPlan {
    /// The sum of all delays.
    pub fn duration_ms(&self) -> u64 {
        self.steps.iter().map(|s| s.delay_ms_from_previous).sum()
    }
}

/// How far an executing replay has got.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReplayProgress {
    pub done: usize,
    pub total: usize,
}

impl ReplayProgress {
    pub fn new(total: usize) -> Self {
        Self { done: 0, total }
    }

    /// One more step sent.
    pub fn advance(&mut self) {
        self.done = (self.done + 1).min(self.total);
    }

    pub fn is_finished(&self) -> bool {
        self.done >= self.total
    }

    /// Between 0.0 and 1.0 (1.0 for an empty plan).
    pub fn fraction(&self) -> f64 {
        if self.total == 0 {
            return 1.0;
        }
        self.done as f64 / self.total as f64
    }
}

/// Options that cannot be planned.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReplayError {
    #[error("the replay speed must be a positive number; got {speed}")]
    BadSpeed { speed: f64 },
    #[error("rename {rule}: \"*\" may only end both names (a prefix rename) or neither")]
    RenameWildcard { rule: usize },
    #[error("rename {rule}: the channel to rename is empty")]
    RenameEmpty { rule: usize },
    #[error("rename {rule}: {error}")]
    RenameTarget { rule: usize, error: ChannelNameError },
}

/// Plans a replay of `records` (a selection or a whole session, in `seq` order).
pub fn plan(records: &[Observation], options: &ReplayOptions) -> Result<ReplayPlan, ReplayError> {
    if let ReplayTiming::Scaled { speed } = options.timing {
        if !speed.is_finite() || speed <= 0.0 {
            return Err(ReplayError::BadSpeed { speed });
        }
    }
    let rules = rename::compile(&options.rename)?;
    let rejected = rejected_client_events(records);
    let mut dedup = Dedup::default();
    let mut plan =
        ReplayPlan { timing: options.timing, steps: Vec::new(), not_replayable: 0, duplicates: 0 };
    let mut previous_at = None;
    for record in records {
        let wanted_app =
            options.only_app.as_ref().is_none_or(|app| record.app.as_ref() == Some(app));
        let found = if wanted_app && !rejected.contains(&record.seq) {
            select::publishes(record)
        } else {
            Vec::new()
        };
        if found.is_empty() {
            plan.not_replayable += 1;
        }
        let delivery = matches!(record.detail, Detail::Delivery { .. });
        let mut occurrences = HashMap::new();
        for publish in found {
            let occurrence = occurrences.entry(Dedup::key(&publish)).or_insert(0);
            *occurrence += 1;
            if !dedup.first(&publish, *occurrence, delivery) {
                plan.duplicates += 1;
                continue;
            }
            let delay =
                delay(options.timing, previous_at.map_or(0, |p| publish.at.saturating_sub(p)));
            previous_at = Some(publish.at);
            plan.steps.push(step(publish, delay, &rules));
        }
    }
    Ok(plan)
}

fn step(publish: Publish, delay: u64, rules: &[rename::Rule]) -> ReplayStep {
    let renamed = rename::apply(rules, &publish.channel);
    let (channel, original_channel) = match renamed {
        Some(renamed) if renamed != publish.channel => (renamed, Some(publish.channel)),
        _ => (publish.channel, None),
    };
    ReplayStep {
        delay_ms_from_previous: delay,
        at: publish.at,
        app: publish.app,
        channel,
        original_channel,
        event: publish.event,
        data: publish.data,
        source_seq: publish.source_seq,
    }
}

fn delay(timing: ReplayTiming, gap: u64) -> u64 {
    match timing {
        ReplayTiming::Original => gap,
        ReplayTiming::Scaled { speed } => (gap as f64 / speed).round() as u64,
        ReplayTiming::Fastest | ReplayTiming::Step => 0,
    }
}

/// Client frames the server refused (their `client_event_rejected` record points at them).
fn rejected_client_events(records: &[Observation]) -> HashSet<u64> {
    records
        .iter()
        .filter(|r| matches!(r.detail, Detail::ClientEventRejected { .. }))
        .filter_map(|r| r.cause)
        .collect()
}

type Key = (Option<u64>, String, String, String);

/// Remembers what was planned, to plan each publish once.
///
/// Linked copies share a root. A batch may publish the same (channel, event, data) twice:
/// its API record then holds both, and each publish has its own delivery record. So the
/// k-th copy (k-th in its API record, or k-th delivery record) is new only if fewer than
/// k copies were planned.
#[derive(Default)]
struct Dedup {
    /// Per key: copies planned, delivery records seen.
    linked: HashMap<Key, (usize, usize)>,
    /// Recent publishes without a link: (at, channel, event, data).
    recent: Vec<(Millis, String, String, String)>,
}

impl Dedup {
    fn key(publish: &Publish) -> Key {
        (publish.root, publish.channel.clone(), publish.event.clone(), publish.data.clone())
    }

    /// Whether `publish` (the `occurrence`-th of its key in its record) is a new publish.
    fn first(&mut self, publish: &Publish, occurrence: usize, delivery: bool) -> bool {
        let same = |(at, channel, event, data): &(Millis, String, String, String)| {
            at.abs_diff(publish.at) <= SAME_PUBLISH_MS
                && *channel == publish.channel
                && *event == publish.event
                && *data == publish.data
        };
        if publish.root.is_some() {
            let (planned, deliveries) = self.linked.entry(Self::key(publish)).or_insert((0, 0));
            let copy = if delivery {
                *deliveries += 1;
                *deliveries
            } else {
                occurrence
            };
            if copy <= *planned {
                return false;
            }
            *planned = copy;
        } else if self.recent.iter().any(same) {
            return false;
        }
        self.recent.retain(|(at, ..)| publish.at.saturating_sub(*at) <= SAME_PUBLISH_MS);
        let entry =
            (publish.at, publish.channel.clone(), publish.event.clone(), publish.data.clone());
        self.recent.push(entry);
        true
    }
}
