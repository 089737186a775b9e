//! The sender task: reads the hub's queue, holds events for the grace window, routes them to
//! the targets that want them, batches, and runs each target's lane of attempts. Every
//! attempt, and every batch given up, becomes an observation through the hub.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use switchboard_engine::{Detail, Observation, Origin};
use tokio::sync::{oneshot, watch};
use tokio::task::{Id, JoinSet};
use tokio::time::{sleep_until, Instant};

use super::batch::{Batch, Batcher, TargetKey};
use super::event::{self, Item};
use super::grace::{AppEvent, Grace};
use super::lanes::{Finish, Lanes, Ready};
use super::queue::{Inbox, Queued};
use super::send::{self, AttemptResult, Credentials, WebhookError};
use super::stats::Outcome;
use crate::config::WebhookSettings;
use crate::http_api::auth::AppDirectory;
use crate::hub::HubHandle;

/// How long the task sleeps when nothing is scheduled (it wakes on any input anyway).
const IDLE: Duration = Duration::from_secs(3600);

/// Stops the sender task: pending webhooks get until a deadline to go out.
pub struct WebhookSender {
    stop: oneshot::Sender<Instant>,
    done: tokio::task::JoinHandle<()>,
}

impl WebhookSender {
    /// Starts the sender task on `inbox`; `apps` gives each batch its app's current key,
    /// secret and targets, so a reload applies to later batches.
    pub fn spawn(
        inbox: Inbox,
        hub: HubHandle,
        apps: watch::Receiver<Arc<AppDirectory>>,
        settings: WebhookSettings,
    ) -> Result<Self, WebhookError> {
        let task = Task {
            client: send::client()?,
            grace: Grace::new(settings.grace_period),
            batcher: Batcher::new(settings.batch_window, settings.batch_size),
            lanes: Lanes::default(),
            inflight: JoinSet::new(),
            tasks: HashMap::new(),
            inbox,
            hub,
            apps,
            settings,
        };
        let (stop, stopped) = oneshot::channel();
        let done = tokio::spawn(task.run(stopped));
        Ok(Self { stop, done })
    }

    /// Sends what is pending (held events at once) for at most `deadline`, then drops the
    /// rest, recording how many events each app lost.
    pub async fn shutdown(self, deadline: Duration) {
        let _ = self.stop.send(Instant::now() + deadline);
        let _ = tokio::time::timeout(deadline + Duration::from_millis(500), self.done).await;
    }
}

type Attempt = (Ready, AttemptResult);

struct Task {
    inbox: Inbox,
    hub: HubHandle,
    apps: watch::Receiver<Arc<AppDirectory>>,
    settings: WebhookSettings,
    client: reqwest::Client,
    grace: Grace,
    batcher: Batcher,
    lanes: Lanes,
    inflight: JoinSet<Attempt>,
    /// The lane of each attempt in flight, for an attempt task that ends without a result.
    tasks: HashMap<Id, TargetKey>,
}

impl Task {
    async fn run(mut self, mut stop: oneshot::Receiver<Instant>) {
        let deadline = loop {
            let wake = self.next_wake().unwrap_or_else(|| Instant::now() + IDLE);
            let room = self.held() < self.settings.queue_capacity;
            tokio::select! {
                deadline = &mut stop => break deadline.unwrap_or_else(|_| Instant::now()),
                Some(joined) = self.inflight.join_next_with_id() => self.joined(joined),
                queued = self.inbox.recv(), if room => match queued {
                    Some(queued) => self.accept(queued),
                    None => break Instant::now(),
                },
                () = sleep_until(wake) => {}
            }
            self.advance(Instant::now());
        };
        self.flush(deadline).await;
    }

    /// Events the task holds: in the grace window, in open batches, in lanes.
    fn held(&self) -> usize {
        self.grace.len() + self.batcher.len() + self.lanes.len()
    }

    fn next_wake(&self) -> Option<Instant> {
        [self.grace.next_due(), self.batcher.next_due(), self.lanes.next_due()]
            .into_iter()
            .flatten()
            .min()
    }

    fn accept(&mut self, queued: Queued) {
        let Queued { app, event, cause, at } = queued;
        let now = Instant::now();
        for due in self.grace.expire(at) {
            self.route(due, now);
        }
        if let Some(event) = self.grace.offer(app, event, cause, at) {
            self.route(event, now);
        }
    }

    /// Moves everything along: held events whose window ended, batches whose window ended,
    /// lanes whose next attempt is due.
    fn advance(&mut self, now: Instant) {
        for due in self.grace.expire(now) {
            self.route(due, now);
        }
        for batch in self.batcher.expire(now) {
            self.ready(batch, now);
        }
        for ready in self.lanes.start_due(now) {
            self.start(ready);
        }
    }

    /// Adds the event to the open batch of each of its app's targets that wants it.
    fn route(&mut self, (app, event, cause): AppEvent, now: Instant) {
        let directory = Arc::clone(&self.apps.borrow());
        let Some(config) = directory.by_id(app.as_str()) else { return };
        let item = Item { cause, ..Item::new(&event) };
        for (index, target) in config.webhooks.iter().enumerate() {
            if !event::wanted_by(target, &event) {
                continue;
            }
            let key = TargetKey { app: app.clone(), index, url: target.url.clone() };
            if let Some(batch) = self.batcher.add(key, &target.headers, item.clone(), now) {
                self.ready(batch, now);
            }
        }
    }

    fn ready(&mut self, batch: Batch, now: Instant) {
        self.lanes.push(Ready::new(batch, unix_ms(), now));
    }

    fn start(&mut self, ready: Ready) {
        let credentials = self
            .apps
            .borrow()
            .by_id(ready.key.app.as_str())
            .map(|app| Credentials { key: app.key.clone(), secret: app.secret.clone() });
        let (client, timeout) = (self.client.clone(), self.settings.timeout);
        let key = ready.key.clone();
        let handle = self.inflight.spawn(async move {
            let result = send::attempt(&client, &ready, credentials, timeout).await;
            (ready, result)
        });
        self.tasks.insert(handle.id(), key);
    }

    fn joined(&mut self, joined: Result<(Id, Attempt), tokio::task::JoinError>) {
        let (id, attempt) = match joined {
            Ok((id, attempt)) => (id, Some(attempt)),
            Err(error) => (error.id(), None),
        };
        let Some(key) = self.tasks.remove(&id) else { return };
        let delivered = attempt
            .as_ref()
            .is_some_and(|(_, result)| Outcome::of(result.status) == Outcome::Delivered);
        if let Some((ready, result)) = &attempt {
            self.record_attempt(ready, result);
        }
        let now = Instant::now();
        match self.lanes.finish(&key, delivered, now, self.settings.retry_for) {
            Some(Finish::GaveUp(ready)) => self.record_given_up(&ready, now),
            Some(Finish::Retry { at }) => {
                let wait = at.duration_since(now).as_millis();
                tracing::debug!(app = %key.app, "webhook batch retried in {wait} ms");
            }
            Some(Finish::Delivered(ready)) => {
                tracing::debug!(app = %key.app, events = ready.events.len(), "webhooks delivered");
            }
            None => {}
        }
    }

    fn record_attempt(&self, ready: &Ready, result: &AttemptResult) {
        let url = send::redact_userinfo(&ready.key.url);
        if let Some(error) = &result.error {
            let (app, attempt) = (&ready.key.app, ready.attempts);
            tracing::warn!(%app, %url, attempt, "webhook attempt failed: {error}");
        }
        let detail = Detail::WebhookAttempt {
            url,
            events: ready.events.iter().map(|name| (*name).to_owned()).collect(),
            attempt: ready.attempts,
            status: result.status,
            error: result.error.clone(),
            latency_ms: u64::try_from(result.latency.as_millis()).unwrap_or(u64::MAX),
            batch_time_ms: ready.time_ms,
        };
        let mut observation = Observation::new(Origin::Server, detail).app(&ready.key.app);
        observation.cause = ready.cause;
        self.hub.observe(match &ready.channel {
            Some(channel) => observation.channel(channel),
            None => observation,
        });
    }

    fn record_given_up(&self, ready: &Ready, now: Instant) {
        let secs = now.duration_since(ready.ready_at).as_secs();
        let reason = format!("gave up after {} attempts over {secs} s", ready.attempts);
        tracing::warn!(app = %ready.key.app, events = ready.events.len(), "webhook batch dropped: {reason}");
        let events = ready.events.len() as u64;
        let mut observation =
            Observation::new(Origin::Server, Detail::WebhookDropped { events, reason })
                .app(&ready.key.app);
        observation.cause = ready.cause;
        self.hub.observe(observation);
    }

    /// Shutdown: takes what is queued, lets held events and open batches go at once, and
    /// runs the lanes until they are empty or `deadline` has passed.
    async fn flush(mut self, deadline: Instant) {
        while let Ok(queued) = self.inbox.try_recv() {
            self.accept(queued);
        }
        let now = Instant::now();
        for event in self.grace.drain() {
            self.route(event, now);
        }
        for batch in self.batcher.drain() {
            self.ready(batch, now);
        }
        self.advance(now);
        while self.lanes.len() > 0 && Instant::now() < deadline {
            let wake = self.lanes.next_due().map_or(deadline, |at| at.min(deadline));
            tokio::select! {
                Some(joined) = self.inflight.join_next_with_id() => self.joined(joined),
                () = sleep_until(wake) => {}
            }
            self.advance(Instant::now());
        }
        self.inflight.abort_all();
        for (app, events) in self.lanes.drain() {
            let reason = "server shut down before delivery".to_owned();
            tracing::warn!(app = %app, events, "webhooks dropped at shutdown");
            let detail = Detail::WebhookDropped { events, reason };
            self.hub.observe(Observation::new(Origin::Server, detail).app(&app));
        }
    }
}

/// Unix milliseconds: a batch's `time_ms`.
fn unix_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
