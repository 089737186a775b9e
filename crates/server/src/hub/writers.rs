//! Write-behind for the hub: sockets it queued frames on are written by separate tasks.
//!
//! The hub only queues (cheap), so it goes straight back to its commands; a writer task
//! writes each socket with one vectored write, yielding now and then. Under light load that
//! is at once; under heavy load the hub queues more events on sockets not yet written, and
//! they leave together, several frames per system call. One writer per worker thread, so a
//! large fan-out is written by every core. Each socket's queue keeps its frames in order
//! whoever writes it.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::Notify;

use crate::wire::Wire;

/// Sockets a writer writes before letting other tasks (the hub, HTTP handlers) run.
const YIELD_EVERY: usize = 64;

/// The hub's handle on its writer tasks; dropping it stops them.
pub struct Writers {
    shards: Vec<Arc<Shard>>,
}

#[derive(Default)]
struct Shard {
    pending: Mutex<Vec<Wire>>,
    wake: Notify,
    stopped: AtomicBool,
}

impl Writers {
    /// Starts `count` writer tasks (at least one).
    pub fn spawn(count: usize) -> Self {
        let shards: Vec<_> = (0..count.max(1)).map(|_| Arc::new(Shard::default())).collect();
        for shard in &shards {
            tokio::spawn(write(Arc::clone(shard)));
        }
        Self { shards }
    }

    /// Hands sockets with newly queued frames to the writers, shared out evenly.
    pub fn hand_over(&self, wires: &mut Vec<Wire>) {
        if wires.is_empty() {
            return;
        }
        let share = wires.len().div_ceil(self.shards.len());
        for (shard, wires) in self.shards.iter().zip(wires.chunks(share)) {
            shard.pending.lock().unwrap_or_else(|e| e.into_inner()).extend_from_slice(wires);
            shard.wake.notify_one();
        }
        wires.clear();
    }
}

impl Drop for Writers {
    fn drop(&mut self) {
        for shard in &self.shards {
            shard.stopped.store(true, Ordering::Relaxed);
            shard.wake.notify_one();
        }
    }
}

async fn write(shard: Arc<Shard>) {
    while !shard.stopped.load(Ordering::Relaxed) {
        shard.wake.notified().await;
        loop {
            let wires =
                std::mem::take(&mut *shard.pending.lock().unwrap_or_else(|e| e.into_inner()));
            if wires.is_empty() {
                break;
            }
            for (written, wire) in wires.iter().enumerate() {
                wire.send_queued();
                if (written + 1) % YIELD_EVERY == 0 {
                    tokio::task::yield_now().await;
                }
            }
        }
    }
}
