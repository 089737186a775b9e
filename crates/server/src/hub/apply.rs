//! Carrying out the engine's effects: frames, closes, webhooks, and the observation bus.

use std::sync::Arc;

use bytes::Bytes;
use switchboard_engine::observation::{Detail, SkipReason, Target};
use switchboard_engine::{ConnId, Effect, Input, Observation, Origin, WebhookEvent};
use switchboard_proto::AppId;
use tokio::time::Instant;

use super::{now, Hub};
use crate::webhooks::Queued;
use crate::wire::{self, Enqueued};

/// The reason sent with the 4100 close of a client that does not read fast enough.
const TOO_SLOW: &str = "Over capacity: the client is not reading fast enough";

impl Hub {
    /// Carries out `effects` in order: frames are queued on their sockets (written by
    /// [`Hub::flush`]), records put on the bus last.
    pub(super) fn apply(&mut self, effects: Vec<Effect>) {
        let mut records = Vec::new();
        for effect in effects {
            match effect {
                Effect::Send { to, text } => {
                    let frame = wire::text_frame(&text);
                    for conn in to {
                        self.deliver(conn, &frame);
                    }
                }
                Effect::Ping { conn } => self.deliver(conn, &wire::ping_frame()),
                Effect::Close { conn, code, reason } => self.hang_up(conn, code, &reason),
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

    /// The record with its connection's socket named by its public id; none when nobody
    /// listens. A delivery's targets are left unnamed: a fan-out names 1,000, and the
    /// recorder names them where they are read, from the records that open connections.
    fn named(&self, mut observation: Observation) -> Option<Arc<Observation>> {
        if self.bus.receiver_count() == 0 {
            return None;
        }
        if let Some(conn) = observation.conn {
            observation.socket = self.sockets.get(&conn).cloned();
        }
        Some(Arc::new(observation))
    }

    /// Queues a frame for `conn` (written at the end of the hub's batch of commands); a
    /// client whose queue is full is closed with 4100.
    fn deliver(&mut self, conn: ConnId, frame: &Bytes) {
        let Some(handle) = self.conns.get(&conn) else { return };
        if handle.hang_up.is_none() {
            return;
        }
        match handle.wire.enqueue(frame) {
            Enqueued::First => {
                self.unflushed.push(handle.wire.clone());
                return;
            }
            Enqueued::Behind | Enqueued::Broken => return,
            Enqueued::Overflow => {}
        }
        self.hang_up(conn, 4100, TOO_SLOW);
        self.conns.remove(&conn);
        tracing::warn!(conn = conn.0, "write queue full: closing the slow connection with 4100");
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

    /// Queues the close frame last and tells the connection's task to flush it and go.
    fn hang_up(&mut self, conn: ConnId, code: u16, reason: &str) {
        let Some(handle) = self.conns.get_mut(&conn) else { return };
        let Some(hang_up) = handle.hang_up.take() else { return };
        handle.wire.enqueue_last(wire::close_frame(code, reason));
        let _ = hang_up.send(());
    }

    /// Hands the sockets that got frames since the last flush to the writer tasks.
    pub(super) fn flush(&mut self) {
        self.writers.hand_over(&mut self.unflushed);
    }
}
