//! Webhooks: the hub's bounded queue, the grace window, batching per target, and the sender
//! task that signs, posts and retries each batch in order, recording every attempt.
//!
//! The hub `try_send`s each `Effect::Webhook` into the [`WebhookQueue`] and never waits: a
//! full queue drops the event, counts it and reports it. The sender task ([`WebhookSender`])
//! holds `channel_vacated` / `member_removed` for the grace period ([`grace`]), routes each
//! event to the app's targets whose filters want it ([`event`]), batches per target
//! ([`batch`]) and hands each closed batch to that target's lane ([`lanes`]), which sends one
//! batch at a time and retries it with backoff, so a batch is never overtaken by the next.
//! The sender stops reading the queue while it holds `queue_capacity` events itself, so a
//! stalled receiver fills the queue and overflow shows, instead of memory growing.

mod batch;
mod event;
mod grace;
mod lanes;
mod queue;
mod send;
mod sender;
mod stats;

pub use queue::{Inbox, Queued, WebhookQueue};
pub use send::WebhookError;
pub use sender::WebhookSender;
pub use stats::{Outcome, WebhookStats};
