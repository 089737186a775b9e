//! One task per WebSocket: decodes frames at the edge for the hub, writes the outbox back.

use std::collections::HashMap;
use std::future::{poll_fn, Future};
use std::net::SocketAddr;
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use futures_util::{SinkExt, StreamExt};
use switchboard_engine::{ConnId, ConnMeta, Input};
use switchboard_proto::{ClientFrame, DecodeError, SocketId};
use tokio::sync::{mpsc, oneshot};

use crate::hub::{ConnHandle, Outgoing};
use crate::AppContext;

/// Frames queued for a client before it counts as too slow (closed with 4100).
const OUTBOX_CAPACITY: usize = 4096;

/// Frames beyond the configured limit but under this get a `pusher:error`; beyond this the
/// socket is dropped (protects memory).
const HARD_FRAME_LIMIT: usize = 16 * 1024 * 1024;

/// Bytes read from the socket at a time. tungstenite's default (128 KiB) is allocated per
/// connection and zero-filled on every read attempt: at 10,000 idle connections that was
/// ~1.3 GB resident, and in a fan-out the memset was 44% of the server's CPU. Client frames
/// are small; a bigger frame still arrives whole (the buffer grows for it, a read at a time).
const READ_BUFFER: usize = 1024;

/// Most frames written per flush, so one busy connection cannot hold the thread for long.
const MAX_BATCH: usize = 64;

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// `GET /app/{key}`: upgrades and hands the socket to a connection task.
pub async fn upgrade(
    State(ctx): State<AppContext>,
    Path(key): Path<String>,
    Query(mut query): Query<HashMap<String, String>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let protocol = query.remove("protocol");
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let meta = ConnMeta {
        remote: Some(peer.to_string()),
        origin_header: header(header::ORIGIN),
        user_agent: header(header::USER_AGENT),
        client: query.remove("client"),
        version: query.remove("version"),
    };
    ws.max_message_size(HARD_FRAME_LIMIT)
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| run(socket, ctx, key, protocol, meta))
}

async fn run(
    socket: WebSocket,
    ctx: AppContext,
    key: String,
    protocol: Option<String>,
    meta: ConnMeta,
) {
    let conn = ConnId(NEXT_CONN.fetch_add(1, Ordering::Relaxed));
    let socket_id = SocketId::from_parts(rand::random::<u64>() % 10_000_000_000, conn.0);
    let (outbox_tx, outbox) = mpsc::channel(OUTBOX_CAPACITY);
    let (overflow_tx, overflow) = oneshot::channel();
    let handle =
        ConnHandle { socket_id: socket_id.clone(), outbox: outbox_tx, overflow: overflow_tx };
    let input = Input::Open { conn, socket_id, app_key: key, protocol, meta };
    ctx.hub.open(conn, handle, input);
    pump(socket, &ctx, conn, outbox, overflow).await;
    ctx.hub.input(Input::Closed { conn });
}

/// What woke the connection task.
enum Wake {
    /// The hub found the outbox full: close with 4100 now.
    Overflow,
    Out(Option<Outgoing>),
    In(Option<Result<Message, axum::Error>>),
}

/// The reason sent with the 4100 close of a client that does not read fast enough.
const TOO_SLOW: &str = "Over capacity: the client is not reading fast enough";

/// How long the 4100 close may wait on a client that stopped reading.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// Moves frames both ways until either side closes.
///
/// One task owns the whole socket and polls its three inputs itself (no `split`, whose lock
/// is taken on every read and write): this loop runs once per delivery to every recipient.
async fn pump(
    mut socket: WebSocket,
    ctx: &AppContext,
    conn: ConnId,
    mut outbox: mpsc::Receiver<Outgoing>,
    overflow: oneshot::Receiver<()>,
) {
    let mut overflow = Some(overflow);
    loop {
        let wake = poll_fn(|cx| {
            if overflowed(&mut overflow, cx).is_ready() {
                return Poll::Ready(Wake::Overflow);
            }
            if let Poll::Ready(outgoing) = outbox.poll_recv(cx) {
                return Poll::Ready(Wake::Out(outgoing));
            }
            socket.poll_next_unpin(cx).map(Wake::In)
        })
        .await;
        let flow = match wake {
            Wake::Overflow => {
                // The socket's buffers are likely full: try the close, but do not wait on it.
                let _ = tokio::time::timeout(CLOSE_GRACE, socket.send(close(4100, TOO_SLOW))).await;
                return;
            }
            Wake::Out(Some(first)) => tokio::select! {
                biased;
                // The hub gave up on a client that stopped reading while this write waited:
                // drop its socket rather than leave it hanging on a full buffer.
                () = poll_fn(|cx| overflowed(&mut overflow, cx)) => ControlFlow::Break(()),
                flow = write_batch(&mut socket, first, &mut outbox) => flow,
            },
            Wake::In(Some(Ok(message))) => incoming(ctx, conn, message),
            Wake::Out(None) | Wake::In(None | Some(Err(_))) => return,
        };
        if flow.is_break() {
            return;
        }
    }
}

/// Ready once the hub has signalled an overflow; a hub that dropped the signal (the
/// connection is going away the normal way) never is.
fn overflowed(overflow: &mut Option<oneshot::Receiver<()>>, cx: &mut Context<'_>) -> Poll<()> {
    let Some(receiver) = overflow else { return Poll::Pending };
    match Pin::new(receiver).poll(cx) {
        Poll::Ready(Ok(())) => Poll::Ready(()),
        Poll::Ready(Err(_)) => {
            *overflow = None;
            Poll::Pending
        }
        Poll::Pending => Poll::Pending,
    }
}

/// Hands a client frame to the hub; breaks on a close frame.
fn incoming(ctx: &AppContext, conn: ConnId, message: Message) -> ControlFlow<()> {
    let max_bytes = ctx.max_message_bytes;
    match message {
        Message::Text(text) => ctx.hub.input(frame(conn, &text, max_bytes)),
        Message::Binary(bytes) => match std::str::from_utf8(&bytes) {
            Ok(text) => ctx.hub.input(frame(conn, text, max_bytes)),
            Err(_) => {
                let error = DecodeError::NotJson("binary frame is not valid UTF-8".into());
                let raw = String::from_utf8_lossy(&bytes).into_owned();
                ctx.hub.input(Input::Frame { conn, raw, frame: Err(error) });
            }
        },
        Message::Ping(_) | Message::Pong(_) => ctx.hub.input(Input::Activity { conn }),
        Message::Close(_) => return ControlFlow::Break(()),
    }
    ControlFlow::Continue(())
}

/// Writes `first` and whatever else is already queued (up to `MAX_BATCH`), then flushes
/// once: a burst of frames costs one write to the socket instead of one per frame.
/// Breaks when the socket is gone or a close frame went out.
async fn write_batch(
    socket: &mut WebSocket,
    first: Outgoing,
    outbox: &mut mpsc::Receiver<Outgoing>,
) -> ControlFlow<()> {
    let mut next = Some(first);
    let mut written = 0;
    while let Some(outgoing) = next.take() {
        let last = matches!(outgoing, Outgoing::Close { .. });
        if socket.feed(to_message(outgoing)).await.is_err() {
            return ControlFlow::Break(());
        }
        if last {
            let _ = socket.flush().await;
            return ControlFlow::Break(());
        }
        written += 1;
        if written < MAX_BATCH {
            next = outbox.try_recv().ok();
        }
    }
    match socket.flush().await {
        Ok(()) => ControlFlow::Continue(()),
        Err(_) => ControlFlow::Break(()),
    }
}

fn frame(conn: ConnId, text: &str, max_bytes: usize) -> Input {
    Input::Frame { conn, raw: text.to_owned(), frame: ClientFrame::decode(text, max_bytes) }
}

fn to_message(outgoing: Outgoing) -> Message {
    match outgoing {
        Outgoing::Text(text) => Message::Text(text),
        Outgoing::Ping => Message::Ping(Default::default()),
        Outgoing::Close { code, reason } => close(code, &reason),
    }
}

fn close(code: u16, reason: &str) -> Message {
    // A close reason is at most 123 bytes; cut on a character boundary.
    let mut end = reason.len().min(123);
    while !reason.is_char_boundary(end) {
        end -= 1;
    }
    Message::Close(Some(CloseFrame { code, reason: reason[..end].into() }))
}
