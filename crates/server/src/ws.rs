//! One task per WebSocket: decodes frames at the edge for the hub; drains the socket's write
//! queue when the client was behind, and flushes the close.

use std::collections::HashMap;
use std::future::{poll_fn, Future};
use std::ops::ControlFlow;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::task::{Context, Poll};

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use futures_util::StreamExt;
use switchboard_engine::{ConnId, ConnMeta, Input};
use switchboard_proto::{ClientFrame, DecodeError, SocketId};
use tokio::sync::oneshot;

use crate::hub::ConnHandle;
use crate::wire::{Peer, Wire};
use crate::AppContext;

/// Frames beyond the configured limit but under this get a `pusher:error`; beyond this the
/// socket is dropped (protects memory).
const HARD_FRAME_LIMIT: usize = 16 * 1024 * 1024;

/// Bytes read from the socket at a time. tungstenite's default (128 KiB) is allocated per
/// connection and zero-filled on every read attempt: at 10,000 idle connections that was
/// ~1.3 GB resident, and in a fan-out the memset was 44% of the server's CPU. Client frames
/// are small; a bigger frame still arrives whole (the buffer grows for it, a read at a time).
const READ_BUFFER: usize = 1024;

static NEXT_CONN: AtomicU64 = AtomicU64::new(1);

/// `GET /app/{key}`: upgrades and hands the socket to a connection task.
pub async fn upgrade(
    State(ctx): State<AppContext>,
    Path(key): Path<String>,
    Query(mut query): Query<HashMap<String, String>>,
    ConnectInfo(peer): ConnectInfo<Peer>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let protocol = query.remove("protocol");
    let header = |name| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_owned);
    let meta = ConnMeta {
        remote: Some(peer.addr.to_string()),
        origin_header: header(header::ORIGIN),
        user_agent: header(header::USER_AGENT),
        client: query.remove("client"),
        version: query.remove("version"),
    };
    ws.max_message_size(HARD_FRAME_LIMIT)
        .read_buffer_size(READ_BUFFER)
        .on_upgrade(move |socket| run(socket, peer.wire, ctx, key, protocol, meta))
}

async fn run(
    socket: WebSocket,
    wire: Wire,
    ctx: AppContext,
    key: String,
    protocol: Option<String>,
    meta: ConnMeta,
) {
    let conn = ConnId(NEXT_CONN.fetch_add(1, Ordering::Relaxed));
    let socket_id = SocketId::from_parts(rand::random::<u64>() % 10_000_000_000, conn.0);
    let (hang_up_tx, hang_up) = oneshot::channel();
    let handle =
        ConnHandle { socket_id: socket_id.clone(), wire: wire.clone(), hang_up: Some(hang_up_tx) };
    let input = Input::Open { conn, socket_id, app_key: key, protocol, meta };
    ctx.hub.open(conn, handle, input);
    pump(socket, &wire, &ctx, conn, hang_up).await;
    ctx.hub.input(Input::Closed { conn });
}

/// What woke the connection task.
enum Wake {
    /// The hub queued the close frame: flush it and go.
    HangUp,
    /// Writing to the socket failed.
    Broken,
    In(Option<Result<Message, axum::Error>>),
}

/// How long the close frame may wait on a client that stopped reading.
const CLOSE_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// Reads frames for the hub and drains what the hub could not write at once, until either
/// side closes. The hub writes frames itself (see `crate::wire`); this task only wakes when
/// a client's socket was full, when the client sends something, or to close.
async fn pump(
    mut socket: WebSocket,
    wire: &Wire,
    ctx: &AppContext,
    conn: ConnId,
    hang_up: oneshot::Receiver<()>,
) {
    let mut hang_up = Some(hang_up);
    loop {
        let wake = poll_fn(|cx| {
            if hung_up(&mut hang_up, cx).is_ready() {
                return Poll::Ready(Wake::HangUp);
            }
            if let Poll::Ready(Err(_)) = wire.poll_drain(cx) {
                return Poll::Ready(Wake::Broken);
            }
            socket.poll_next_unpin(cx).map(Wake::In)
        })
        .await;
        match wake {
            Wake::HangUp => {
                // A client that stopped reading may never take it: do not wait on it long.
                let _ = tokio::time::timeout(CLOSE_GRACE, wire.drained()).await;
                return;
            }
            Wake::In(Some(Ok(message))) => {
                if incoming(ctx, conn, message).is_break() {
                    return;
                }
            }
            Wake::Broken | Wake::In(None | Some(Err(_))) => return,
        }
    }
}

/// Ready once the hub has hung up; a hub that dropped the signal (the connection is going
/// away the normal way) never is.
fn hung_up(hang_up: &mut Option<oneshot::Receiver<()>>, cx: &mut Context<'_>) -> Poll<()> {
    let Some(receiver) = hang_up else { return Poll::Pending };
    match Pin::new(receiver).poll(cx) {
        Poll::Ready(Ok(())) => Poll::Ready(()),
        Poll::Ready(Err(_)) => {
            *hang_up = None;
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

fn frame(conn: ConnId, text: &str, max_bytes: usize) -> Input {
    Input::Frame { conn, raw: text.to_owned(), frame: ClientFrame::decode(text, max_bytes) }
}
