//! The fan-out's subscribers, read by one OS thread polling their raw sockets with `mio`.
//!
//! A tokio task per subscriber cost ~7 µs of the generator's core per delivery, a third of
//! it in user space (task wake-ups, polls, tungstenite's buffering and copies), enough to
//! make the generator the limit on latency. Here the subscribers connect and subscribe as
//! every scenario's clients do (tokio-tungstenite), then their sockets are taken out of
//! tokio and read by one thread: one `epoll_wait` for many sockets, one `read` per
//! readiness, frames parsed in place (`frames.rs`). What is left is mostly the kernel's: the
//! `recv`, the TCP ACK it sends (on loopback, also the server socket's handling of that ACK)
//! and `epoll`. Publishers stay on the tokio runtime; with the process pinned to one core
//! (`taskset`) both threads share it.
//!
//! Taking a socket out of its `WebSocketStream` drops tungstenite's read buffer. That is
//! safe because after `subscription_succeeded` the server sends nothing until events are
//! published, which only starts once every subscriber is here.

use std::io::{self, ErrorKind, Read, Write};
use std::sync::atomic::Ordering::Relaxed;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use anyhow::{anyhow, Context};
use mio::net::TcpStream;
use mio::{Events, Interest, Poll, Registry, Token, Waker};
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::Frame;

use super::super::client::{Client, PONG};
use super::super::payload;
use super::super::stats::Clock;
use super::flow::Flow;
use super::frames::{Frames, Received};

/// The token of the waker that tells the thread to stop (subscribers are `0..n`).
const STOP: Token = Token(usize::MAX);

/// Readiness events taken per `epoll_wait`: one per subscriber of a usual fan-out round.
const EVENTS: usize = 1024;

/// A control reply meeting a full send buffer is retried this often, a millisecond apart.
const SEND_ATTEMPTS: u32 = 1000;

/// What the subscribers saw, summed (latencies go to the shared histogram in `Flow`).
#[derive(Debug, Default, Clone, Copy)]
pub struct Seen {
    /// Deliveries received while measuring.
    pub measured: u64,
    pub received: u64,
    /// Subscribers whose connection ended (close, end of stream, error) before the stop.
    pub closed: usize,
}

/// The thread reading every subscriber, until `stop`.
pub struct Receiver {
    thread: JoinHandle<(Seen, Vec<TcpStream>)>,
    waker: Waker,
}

impl Receiver {
    /// Starts reading the subscribers' sockets (see `detach`) on a new thread.
    pub fn start(sockets: Vec<TcpStream>, flow: Arc<Flow>, clock: Clock) -> anyhow::Result<Self> {
        let poll = Poll::new().context("cannot create the receiver's poll")?;
        let waker = Waker::new(poll.registry(), STOP).context("cannot create a waker")?;
        let mut subscribers = Vec::with_capacity(sockets.len());
        for (i, mut socket) in sockets.into_iter().enumerate() {
            poll.registry()
                .register(&mut socket, Token(i), Interest::READABLE)
                .context("cannot register a subscriber's socket")?;
            subscribers.push(Subscriber { socket, frames: Frames::default(), open: true });
        }
        let tally = Tally { flow, clock, seen: Seen::default() };
        let thread = thread::Builder::new()
            .name("bench-recv".to_owned())
            .spawn(move || receive(poll, subscribers, tally))
            .context("cannot start the receiver thread")?;
        Ok(Self { thread, waker })
    }

    /// Stops the thread (it notices at once), closes the subscribers still open (a close
    /// frame, then the socket), and returns what they saw.
    pub fn stop(self) -> anyhow::Result<Seen> {
        self.waker.wake().context("cannot wake the receiver thread")?;
        let (seen, open) =
            self.thread.join().map_err(|_| anyhow!("the receiver thread panicked"))?;
        for mut socket in open {
            let _ = send(&mut socket, Frame::close(None));
        }
        Ok(seen)
    }
}

/// The client's TCP stream, out of tokio's reactor (still non-blocking), for `mio`.
pub fn detach(client: Client) -> io::Result<TcpStream> {
    let socket = client.ws.into_inner().into_std()?;
    Ok(TcpStream::from_std(socket))
}

/// One subscriber's connection.
struct Subscriber {
    socket: TcpStream,
    frames: Frames,
    open: bool,
}

/// Counts deliveries as they arrive.
struct Tally {
    flow: Arc<Flow>,
    clock: Clock,
    seen: Seen,
}

/// The thread: waits for readable sockets and reads them until woken by `STOP`; returns the
/// totals and the sockets still open.
fn receive(
    mut poll: Poll,
    mut subscribers: Vec<Subscriber>,
    mut tally: Tally,
) -> (Seen, Vec<TcpStream>) {
    let mut events = Events::with_capacity(EVENTS);
    let mut stopping = false;
    while !stopping {
        if let Err(error) = poll.poll(&mut events, None) {
            if error.kind() == ErrorKind::Interrupted {
                continue;
            }
            tracing::warn!("the bench's receiver stopped polling: {error}");
            break;
        }
        for event in &events {
            if event.token() == STOP {
                stopping = true;
            } else if let Some(subscriber) = subscribers.get_mut(event.token().0) {
                let ending = event.is_read_closed() || event.is_error();
                subscriber.readable(poll.registry(), &mut tally, ending);
            }
        }
    }
    let open = subscribers.into_iter().filter(|s| s.open).map(|s| s.socket).collect();
    (tally.seen, open)
}

impl Subscriber {
    /// Reads what the socket holds and handles it; on the connection's end, counts it closed
    /// and stops watching it. `ending`: the event also reported the end of the stream or an
    /// error, which a read must reach.
    fn readable(&mut self, registry: &Registry, tally: &mut Tally, ending: bool) {
        if self.open && !self.read(tally, ending) {
            self.open = false;
            tally.seen.closed += 1;
            let _ = registry.deregister(&mut self.socket);
        }
    }

    /// Reads until the socket is drained and handles every complete frame; false once the
    /// connection has ended.
    ///
    /// Readiness is edge-triggered, and a read that fills less than the space offered has
    /// emptied the socket (an arrival after it raises a new edge), so only a read that
    /// filled the space is followed by another: no `read` is spent learning `WouldBlock`.
    /// Unless `to_the_end`: then reads go on until the end of the stream or the error that
    /// came with the event (no later edge would report it).
    fn read(&mut self, tally: &mut Tally, to_the_end: bool) -> bool {
        loop {
            let spare = self.frames.spare();
            let room = spare.len();
            let count = match self.socket.read(spare) {
                Ok(0) => return false,
                Ok(count) => count,
                Err(error) if error.kind() == ErrorKind::WouldBlock => return true,
                Err(error) if error.kind() == ErrorKind::Interrupted => continue,
                Err(_) => return false,
            };
            self.frames.filled(count);
            if !self.handle_frames(tally) {
                return false;
            }
            if count < room && !to_the_end {
                return true;
            }
        }
    }

    /// Handles the complete frames in the buffer; false if the connection must end.
    fn handle_frames(&mut self, tally: &mut Tally) -> bool {
        loop {
            let reply = match self.frames.next() {
                Ok(None) => return true,
                Ok(Some(Received::Message(bytes))) => {
                    if !tally.message(bytes) {
                        continue;
                    }
                    Frame::message(PONG, OpCode::Data(Data::Text), true)
                }
                Ok(Some(Received::Ping(bytes))) => Frame::pong(bytes.to_vec()),
                Ok(Some(Received::Close)) => {
                    let _ = send(&mut self.socket, Frame::close(None));
                    return false;
                }
                Err(_) => return false,
            };
            if send(&mut self.socket, reply).is_err() {
                return false;
            }
        }
    }
}

impl Tally {
    /// Counts a delivery and its latency; true if the message is a `pusher:ping` (to be
    /// answered with `pusher:pong`). Messages that are not UTF-8 are ignored.
    fn message(&mut self, bytes: &[u8]) -> bool {
        let Ok(text) = std::str::from_utf8(bytes) else {
            return false;
        };
        let Some(sent) = payload::timestamp(text) else {
            return payload::is_ping(text);
        };
        self.seen.received += 1;
        self.flow.delivered_one();
        if self.flow.measuring.load(Relaxed) {
            self.seen.measured += 1;
            self.flow.record_latency(self.clock.now_us().saturating_sub(sent));
        }
        false
    }
}

/// Writes one frame, masked as RFC 6455 requires of a client. These are rare control
/// replies, so a full send buffer is waited out (briefly) rather than queued.
fn send(socket: &mut TcpStream, mut frame: Frame) -> io::Result<()> {
    frame.header_mut().mask = Some(rand::random());
    let mut bytes = Vec::with_capacity(frame.len());
    frame.format(&mut bytes).map_err(io::Error::other)?;
    let (mut written, mut attempts) = (0, 0);
    while written < bytes.len() {
        match socket.write(&bytes[written..]) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(count) => written += count,
            Err(error) if error.kind() == ErrorKind::Interrupted => {}
            Err(error) if error.kind() == ErrorKind::WouldBlock && attempts < SEND_ATTEMPTS => {
                attempts += 1;
                thread::sleep(Duration::from_millis(1));
            }
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use std::net::TcpListener;

    use tokio_tungstenite::tungstenite::protocol::Role;
    use tokio_tungstenite::tungstenite::{Message, WebSocket};

    use super::*;

    /// A loopback connection: the receiver's end, and a tungstenite server on the other
    /// (which refuses unmasked frames from its client).
    fn connection() -> (TcpStream, WebSocket<std::net::TcpStream>) {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = std::net::TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        client.set_nonblocking(true).unwrap();
        let (server, _) = listener.accept().unwrap();
        server.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        (TcpStream::from_std(client), WebSocket::from_raw_socket(server, Role::Server, None))
    }

    fn fragment(text: &str, opcode: Data, is_final: bool) -> Message {
        Message::Frame(Frame::message(text.to_owned(), OpCode::Data(opcode), is_final))
    }

    #[test]
    fn deliveries_are_counted_and_pings_answered_with_masked_frames() {
        let (socket, mut server) = connection();
        let flow = Arc::new(Flow::new(1, 1));
        flow.measuring.store(true, Relaxed);
        let receiver = Receiver::start(vec![socket], Arc::clone(&flow), Clock::start()).unwrap();
        let delivery = format!(r#"{{"event":"e","data":"{}"}}"#, payload::with_timestamp(0, 50));
        let (head, tail) = delivery.split_at(10);
        server.send(Message::text(delivery.clone())).unwrap();
        server.send(Message::Ping(b"hb".to_vec().into())).unwrap();
        server.send(Message::text(r#"{"event":"pusher:ping","data":{}}"#)).unwrap();
        server.send(fragment(head, Data::Text, false)).unwrap();
        server.send(fragment(tail, Data::Continue, true)).unwrap();
        assert_eq!(server.read().unwrap(), Message::Pong(b"hb".to_vec().into()));
        assert_eq!(server.read().unwrap(), Message::text(PONG));
        for _ in 0..5000 {
            if flow.delivered.load(Relaxed) == 2 {
                break;
            }
            thread::sleep(Duration::from_millis(1));
        }
        let seen = receiver.stop().unwrap();
        assert_eq!((seen.received, seen.measured, seen.closed), (2, 2, 0));
        assert!(matches!(server.read().unwrap(), Message::Close(_)));
    }

    #[test]
    fn a_close_from_the_server_counts_the_subscriber_closed() {
        let (socket, mut server) = connection();
        let flow = Arc::new(Flow::new(1, 1));
        let receiver = Receiver::start(vec![socket], Arc::clone(&flow), Clock::start()).unwrap();
        server.close(None).unwrap();
        server.flush().unwrap();
        assert!(matches!(server.read().unwrap(), Message::Close(_)));
        let seen = receiver.stop().unwrap();
        assert_eq!(seen.closed, 1);
    }
}
