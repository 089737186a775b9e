//! A connection's socket, shared by its task and the hub: the hub writes a broadcast's frame,
//! encoded once, straight into each recipient's kernel buffer, waking no task per delivery.
//!
//! Every byte for a socket goes through one ordered queue. A writer (the hub, hyper, or
//! tungstenite answering a ping) writes directly only while the queue is empty, and holds
//! the queue's lock while it does, so frames never interleave; what the kernel does not take
//! at once is queued whole, behind everything written before it, and the connection's task
//! drains the queue as the socket becomes writable.

mod frames;
mod listen;

use std::collections::VecDeque;
use std::io;
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
    /// The task that drains the queue, woken when the queue stops being empty.
    drainer: Option<Waker>,
    /// A write failed: the peer is gone, nothing more is written.
    broken: bool,
}

impl Queue {
    /// Queues bytes; the task draining the queue is woken if it was empty.
    fn push(&mut self, bytes: Bytes) {
        let was_empty = self.chunks.is_empty();
        self.chunks.push_back(bytes);
        if was_empty {
            if let Some(drainer) = self.drainer.take() {
                drainer.wake();
            }
        }
    }
}

/// What became of a frame handed to [`Wire::deliver`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivered {
    /// In the kernel's buffer.
    Written,
    /// Queued behind earlier bytes; the connection's task writes it.
    Queued,
    /// The queue is full: the client is not reading. Nothing was queued.
    Overflow,
    /// The socket failed earlier; nothing was written.
    Broken,
}

impl Wire {
    pub fn new(stream: TcpStream) -> Self {
        Self(Arc::new(Shared { stream, queue: Mutex::new(Queue::default()) }))
    }

    fn queue(&self) -> MutexGuard<'_, Queue> {
        self.0.queue.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Writes `frame` now if nothing is queued ahead of it, else queues it; never waits.
    pub fn deliver(&self, frame: &Bytes) -> Delivered {
        let mut queue = self.queue();
        if queue.broken {
            return Delivered::Broken;
        }
        if !queue.chunks.is_empty() {
            if queue.chunks.len() >= QUEUE_CAPACITY {
                return Delivered::Overflow;
            }
            queue.push(frame.clone());
            return Delivered::Queued;
        }
        self.write_or_queue(&mut queue, frame)
    }

    /// Queues `frame` even when the queue is full (a close frame must go out last).
    pub fn deliver_last(&self, frame: Bytes) {
        let mut queue = self.queue();
        if queue.broken {
            return;
        }
        if queue.chunks.is_empty() {
            self.write_or_queue(&mut queue, &frame);
        } else {
            queue.push(frame);
        }
    }

    /// With the queue empty and locked: writes what the kernel takes, queues the rest.
    fn write_or_queue(&self, queue: &mut Queue, frame: &Bytes) -> Delivered {
        match self.write_now(queue, frame) {
            Some(n) if n == frame.len() => Delivered::Written,
            Some(n) => {
                queue.push(frame.slice(n..));
                Delivered::Queued
            }
            None => Delivered::Broken,
        }
    }

    /// One write with the queue empty and locked: the bytes taken (0 when the kernel's
    /// buffer is full), or `None` once the socket has failed.
    fn write_now(&self, queue: &mut Queue, bytes: &[u8]) -> Option<usize> {
        match self.0.stream.try_write(bytes) {
            Ok(n) => Some(n),
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => Some(0),
            Err(_) => {
                queue.broken = true;
                None
            }
        }
    }

    /// Writes queued bytes as the socket takes them: ready (`Ok`) once the queue is empty,
    /// pending while the kernel's buffer is full. Either way the task is woken when there is
    /// more to do (bytes queued, or room in the socket).
    pub fn poll_drain(&self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        loop {
            let mut queue = self.queue();
            if queue.broken {
                return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into()));
            }
            let Some(front) = queue.chunks.front_mut() else {
                if !queue.drainer.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                    queue.drainer = Some(cx.waker().clone());
                }
                return Poll::Ready(Ok(()));
            };
            match self.0.stream.try_write(front) {
                Ok(n) if n == front.len() => drop(queue.chunks.pop_front()),
                Ok(n) => front.advance(n),
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
            match self.write_now(&mut queue, buf) {
                None => return Poll::Ready(Err(io::ErrorKind::BrokenPipe.into())),
                Some(0) if !buf.is_empty() => {
                    drop(queue);
                    ready!(self.0.stream.poll_write_ready(cx))?;
                }
                Some(n) => {
                    if n < buf.len() {
                        queue.push(Bytes::copy_from_slice(&buf[n..]));
                    }
                    return Poll::Ready(Ok(buf.len()));
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
