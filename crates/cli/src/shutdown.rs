//! The shutdown signal: SIGINT (Ctrl-C) or SIGTERM.
//!
//! Handlers are registered when [`Signals::listen`] is called, before the banner is printed,
//! so a signal sent as soon as the server reports it is listening is never lost to the
//! default handler (which would end the process without the 4200 goodbye to clients).

use std::io;

#[cfg(unix)]
use tokio::signal::unix::{signal, Signal, SignalKind};

/// Registered shutdown signals; [`Signals::recv`] completes at the first one.
#[cfg(unix)]
pub struct Signals {
    interrupt: Signal,
    terminate: Signal,
}

#[cfg(unix)]
impl Signals {
    pub fn listen() -> io::Result<Self> {
        Ok(Self {
            interrupt: signal(SignalKind::interrupt())?,
            terminate: signal(SignalKind::terminate())?,
        })
    }

    pub async fn recv(mut self) {
        let name = tokio::select! {
            _ = self.interrupt.recv() => "SIGINT",
            _ = self.terminate.recv() => "SIGTERM",
        };
        tracing::info!("{name} received, shutting down");
    }
}

/// Elsewhere only Ctrl-C is watched, from the first poll on.
#[cfg(not(unix))]
pub struct Signals;

#[cfg(not(unix))]
impl Signals {
    pub fn listen() -> io::Result<Self> {
        Ok(Self)
    }

    pub async fn recv(self) {
        match tokio::signal::ctrl_c().await {
            Ok(()) => tracing::info!("Ctrl-C received, shutting down"),
            Err(error) => {
                tracing::warn!("cannot watch Ctrl-C: {error}");
                std::future::pending::<()>().await;
            }
        }
    }
}
