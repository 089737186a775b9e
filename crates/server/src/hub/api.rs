//! HTTP API calls inside the hub: run the engine operation, stamp its latency, answer.

use switchboard_engine::api::{BatchReply, ChannelsReply, TriggerReply, UsersReply};
use switchboard_engine::{
    ApiError, ApiOutcome, BatchItem, Caller, ChannelInfo, Detail, Effect, TriggerRequest,
};
use switchboard_proto::AppId;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::{now, Hub};

/// The `{}` reply of calls that return nothing.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Empty {}

type Reply<T> = oneshot::Sender<Result<T, ApiError>>;

/// One authenticated API operation and where its answer goes.
pub enum ApiOp {
    Trigger(TriggerRequest, Reply<TriggerReply>),
    Batch(Vec<BatchItem>, Reply<BatchReply>),
    Channels { prefix: Option<String>, info: Vec<String>, reply: Reply<ChannelsReply> },
    Channel { name: String, info: Vec<String>, reply: Reply<ChannelInfo> },
    Users { name: String, reply: Reply<UsersReply> },
    Terminate { user: String, reply: Reply<Empty> },
}

/// An API operation with who asked and when it arrived (for the latency on its record).
pub struct ApiCall {
    pub caller: Caller,
    pub app: AppId,
    pub received: Instant,
    pub op: ApiOp,
}

impl Hub {
    pub(super) fn api(&mut self, call: ApiCall) {
        let ApiCall { caller, app, received, op } = call;
        let (engine, at) = (&mut self.engine, now());
        match op {
            ApiOp::Trigger(request, reply) => {
                let outcome = engine.trigger(&caller, &app, request, at);
                self.answer(outcome, received, reply);
            }
            ApiOp::Batch(items, reply) => {
                let outcome = engine.batch(&caller, &app, items, at);
                self.answer(outcome, received, reply);
            }
            ApiOp::Channels { prefix, info, reply } => {
                let outcome = engine.channels(&caller, &app, prefix.as_deref(), &info, at);
                self.answer(outcome, received, reply);
            }
            ApiOp::Channel { name, info, reply } => {
                let outcome = engine.channel(&caller, &app, &name, &info, at);
                self.answer(outcome, received, reply);
            }
            ApiOp::Users { name, reply } => {
                let outcome = engine.users(&caller, &app, &name, at);
                self.answer(outcome, received, reply);
            }
            ApiOp::Terminate { user, reply } => {
                let ApiOutcome { reply: result, effects } =
                    engine.terminate_user(&caller, &app, &user, at);
                let outcome = ApiOutcome { reply: result.map(|()| Empty {}), effects };
                self.answer(outcome, received, reply);
            }
        }
    }

    fn answer<T>(&mut self, outcome: ApiOutcome<T>, received: Instant, reply: Reply<T>) {
        let ApiOutcome { reply: result, mut effects } = outcome;
        stamp_latency(&mut effects, received);
        self.apply(effects);
        let _ = reply.send(result);
    }
}

/// Sets `latency_us` on the operation's `api_request` record.
fn stamp_latency(effects: &mut [Effect], received: Instant) {
    let elapsed = u64::try_from(received.elapsed().as_micros()).unwrap_or(u64::MAX);
    for effect in effects {
        if let Effect::Observe(observation) = effect {
            if let Detail::ApiRequest { latency_us, .. } = &mut observation.detail {
                *latency_us = elapsed;
                return;
            }
        }
    }
}
