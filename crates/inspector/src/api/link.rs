//! The inspector's line to the server: actions go to the hub, answers come back.

use switchboard_engine::control::{Command, ControlRequest, Reply};
use switchboard_engine::{ApiError, Caller};
use tokio::sync::{mpsc, oneshot};

/// Where an action's answer goes.
pub type Answer = oneshot::Sender<Result<Reply, ApiError>>;

/// Sends inspector actions to the server's hub (see `HubHandle::control_link`).
#[derive(Clone)]
pub struct ServerLink {
    tx: mpsc::UnboundedSender<ControlRequest<Answer>>,
}

impl ServerLink {
    pub fn new(tx: mpsc::UnboundedSender<ControlRequest<Answer>>) -> Self {
        Self { tx }
    }

    /// Runs one action and waits for its answer.
    pub async fn call(&self, caller: Caller, command: Command) -> Result<Reply, ApiError> {
        let (answer, reply) = oneshot::channel();
        let gone = || ApiError::UnknownApp("the server has stopped".into());
        self.tx.send((caller, command, answer)).map_err(|_| gone())?;
        reply.await.map_err(|_| gone())?
    }
}
