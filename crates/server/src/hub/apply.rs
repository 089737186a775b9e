//! Carrying out the engine's effects: outboxes, closes, webhooks, and the observation bus.

use std::sync::Arc;

use axum::extract::ws::Utf8Bytes;
use switchboard_engine::observation::{Detail, SkipReason, Target};
use switchboard_engine::{ConnId, Effect, Input, Observation, Origin, WebhookEvent};
use switchboard_proto::AppId;
use tokio::time::Instant;

use super::{now, Hub, Outgoing};
use crate::webhooks::Queued;

impl Hub {
    /// Carries out `effects` in order, except that records go on the bus last: the frames
    /// are on their way before the recorder's task is woken.
    pub(super) fn apply(&mut self, effects: Vec<Effect>) {
        let mut records = Vec::new();
        for effect in effects {
            match effect {
                Effect::Send { to, text } => {
                    let text = Utf8Bytes::from(text);
                    for conn in to {
                        self.push(conn, Outgoing::Text(text.clone()));
                    }
                }
                Effect::Ping { conn } => self.push(conn, Outgoing::Ping),
                Effect::Close { conn, code, reason } => {
                    self.push(conn, Outgoing::Close { code, reason })
                }
                Effect::Webhook { app, event, cause } => self.webhook(app, event, cause),
                Effect::Observe(observation) => records.extend(self.named(*observation)),
            }
        }
        for record in records {
            let _ = self.bus.send(record);
        }
    }

    /// Queues a webhook event for the sender without waiting; a full queue drops it.
    fn webhook(&mut self, app: AppId, event: WebhookEvent, cause: Option<u64>) {
        let reports = self.webhooks.push(Queued { app, event, cause, at: Instant::now() });
        self.record_all(reports);
    }

    /// Records dropped webhook events not yet reported (called on every tick).
    pub(super) fn report_webhook_drops(&mut self) {
        let reports = self.webhooks.reports(Instant::now());
        self.record_all(reports);
    }

    fn record_all(&mut self, observations: Vec<Observation>) {
        for observation in observations {
            let effects = self.engine.observe(observation, now());
            self.apply(effects);
        }
    }

    /// The record with its sockets named by their public ids; none when nobody listens.
    fn named(&self, mut observation: Observation) -> Option<Arc<Observation>> {
        if self.bus.receiver_count() == 0 {
            return None;
        }
        if let Some(conn) = observation.conn {
            observation.socket = self.sockets.get(&conn).cloned();
        }
        if let Detail::Delivery { reached, skipped, .. } = &mut observation.detail {
            for target in reached.iter_mut().chain(skipped.iter_mut()) {
                target.socket = self.sockets.get(&target.conn).cloned();
            }
        }
        Some(Arc::new(observation))
    }

    /// Queues a message without waiting; a full outbox closes that connection with 4100.
    fn push(&mut self, conn: ConnId, message: Outgoing) {
        let Some(handle) = self.conns.get(&conn) else { return };
        if handle.outbox.try_send(message).is_ok() {
            return;
        }
        let Some(handle) = self.conns.remove(&conn) else { return };
        tracing::warn!(conn = conn.0, "outbox full: closing the slow connection with 4100");
        let _ = handle.overflow.send(());
        let mut record = Observation::new(
            Origin::Server,
            Detail::Delivery {
                raw: String::new(),
                reached: Vec::new(),
                skipped: vec![Target { conn, socket: None, reason: Some(SkipReason::OutboxFull) }],
                not_subscribed_more: 0,
            },
        );
        record.conn = Some(conn);
        let effects = self.engine.observe(record, now());
        self.apply(effects);
        let effects = self.engine.handle(Input::Closed { conn }, now());
        self.apply(effects);
        self.forget(conn);
    }
}
