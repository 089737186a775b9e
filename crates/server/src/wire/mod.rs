//! A connection's socket, shared by its task and the hub: the hub queues a broadcast's
//! frame, encoded once, on every recipient and then writes each recipient's queue with one
//! system call, waking no task per delivery.
//!
//! Every byte for a socket goes through one ordered queue, and every write takes from its
//! front while holding its lock, so frames never interleave or reorder, whoever writes: the
//! hub (after each batch of commands), the connection's task (when the socket was full),
//! hyper or tungstenite (HTTP responses, answers to pings and closes).

mod frames;
mod listen;

use std::collections::VecDeque;
use std::io::{self, IoSlice};
use std::pin::Pin;
use std::sync::{Arc, Mutex, MutexGuard};
use std::task::{ready, Context, Poll, Waker};

use bytes::{Buf, Bytes};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

pub use self::frames::{close_frame, ping_frame, text_frame};
pub use self::listen::{expose_peer_addr, Peer, WireListener};

/// Frames queued for a client before it counts as too slow (closed with 4100).
pub const QUEUE_CAPACITY: usize = 4096;

/// Most queued chunks handed to one vectored write.
const MAX_SLICES: usize = 64;

/// One TCP connection, cheap to clone; every clone writes through the same queue.
#[derive(Clone)]
pub struct Wire(Arc<Shared>);

struct Shared {
    stream: TcpStream,
    queue: Mutex<Queue>,
}

#[derive(Default)]
struct Queue {
    /// Bytes the kernel has not taken yet, oldest first (the front may be partly written).
    chunks: VecDeque<Bytes>,
    /// The connection's task, woken when there is something for it to write.
    drainer: Option<Waker>,
    /// A write failed: the peer is gone, nothing more is written.
    broken: bool,
}

impl Queue {
    fn wake_drainer(&mut self) {
        if let Some(drainer) = self.drainer.take() {
            drainer.wake();
        }
    }

    /// Drops the `n` bytes the kernel took from the front.
    fn consume(&mut self, mut n: usize) {
        while n > 0 {
            let Some(front) = self.chunks.front_mut() else { return };
            if n < front.len() {
                front.advance(n);
                return;
            }
            n -= front.len();
            self.chunks.pop_front();
        }
    }
}

/// What became of a frame handed to [`Wire::enqueue`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// Queued on an empty queue: whoever enqueued it must [`Wire::send_queued`] it.
    First,
    /// Queued behind earlier bytes, which are already on their way.
    Behind,
    /// The queue is full: the client is not reading. Nothing was queued.
    Overflow,
    /// The socket failed earlier; nothing was queued.
    Broken,
}

impl Wire {
    pub fn new(stream: TcpStream) -> Self {
        Self(Arc::new(Shared { stream, queue: Mutex::new(Queue::default()) }))
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.0.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Queues `frame` without writing it; never waits.
    pub fn enqueue(&self, frame: &Bytes) -> Enqueued {
        let mut queue = self.queue();
        if queue.broken {
            return Enqueued::Broken;
        }
        if queue.chunks.len() >= QUEUE_CAPACITY {
            return Enqueued::Overflow;
        }
        queue.chunks.push_back(frame.clone());
        if queue.chunks.len() == 1 {
            Enqueued::First
        } else {
            Enqueued::Behind
        }
    }

    /// Queues `frame` even when the queue is full (a close frame must go out last), and
    /// wakes the connection's task to write it.
    pub fn enqueue_last(&self, frame: Bytes) {
        let mut queue = self.queue();
        if !queue.broken {
            queue.chunks.push_back(frame);
            queue.wake_drainer();
        }
    }

    /// Writes what the socket takes now (everything queued, in one vectored write, unless
    /// the client is behind); what it does not take is left to the connection's task, woken
    /// to wait for room.
    pub fn send_queued(&self) {
        let mut queue = self.queue();
        if let Ok(false) = self.write_queued(&mut queue) {
            queue.wake_drainer();
        }
    }

    /// Writes from the front of the locked queue until it is empty (`true`) or the kernel's
    /// buffer is full (`false`).
    fn write_queued(&self, queue: &mut Queue) -> io::Result<bool> {
        if queue.broken {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        while !queue.chunks.is_empty() {
            let mut slices = [IoSlice::new(&[]); MAX_SLICES];
            let count = queue.chunks.len().min(MAX_SLICES);
            for (slice, chunk) in slices.iter_mut().zip(&queue.chunks) {
                *slice = IoSlice::new(chunk);
            }
            match self.0.stream.try_write_vectored(&slices[..count]) {
                Ok(n) => queue.consume(n),
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return Ok(false),
                Err(error) => {
                    queue.broken = true;
                    return Err(error);
                }
            }
        }
        Ok(true)
    }

    /// Writes queued bytes as the socket takes them: ready (`Ok`) once the queue is empty,
    /// pending while the kernel's buffer is full. Either way the task is woken when there is
    /// more to do (bytes queued for it, or room in the socket).
    pub fn poll_drain(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            let mut queue = self.queue();
            if self.write_queued(&mut queue)? {
                if !queue.drainer.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    queue.drainer = Some(cx.waker().clone());
                }
                return Poll::Ready(Ok(()));
            }
            drop(queue);
            ready!(self.0.stream.poll_write_ready(cx))?;
        }
    }

    /// Waits until everything queued is written (or the socket failed).
    pub async fn drained(&self) -> io::Result<()> {
        std::future::poll_fn(|cx| self.poll_drain(cx)).await
    }
}

impl AsyncRead for Wire {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        loop {
            ready!(self.0.stream.poll_read_ready(cx))?;
            match self.0.stream.try_read(buf.initialize_unfilled()) {
                Ok(n) => {
                    buf.advance(n);
                    return Poll::Ready(Ok(()));
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                Err(error) => return Poll::Ready(Err(error)),
            }
        }
    }
}

/// hyper (HTTP responses, the upgrade) and tungstenite (answers to pings and closes) write
/// here: after what is queued, and whole, so their bytes never split a frame of the hub's.
impl AsyncWrite for Wire {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            ready!(self.poll_drain(cx))?;
            let mut queue = self.queue();
            if !queue.chunks.is_empty() {
                continue; // the hub queued something since: it goes first
            }
            match self.0.stream.try_write(buf) {
                Ok(n) => {
                    if n < buf.len() {
                        // Whole or not at all: the rest goes before anyone else's bytes.
                        queue.chunks.push_back(Bytes::copy_from_slice(&buf[n..]));
                        queue.wake_drainer();
                    }
                    return Poll::Ready(Ok(buf.len()));
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    drop(queue);
                    ready!(self.0.stream.poll_write_ready(cx))?;
                }
                Err(error) => {
                    queue.broken = true;
                    return Poll::Ready(Err(error));
                }
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.poll_drain(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.poll_drain(cx))?;
        match socket2::SockRef::from(&self.0.stream).shutdown(std::net::Shutdown::Write) {
            Err(error) if error.kind() != io::ErrorKind::NotConnected => Poll::Ready(Err(error)),
            _ => Poll::Ready(Ok(())),
        }
    }
}

#[cfg(test)]
mod tests;
