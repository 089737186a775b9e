//! Connection life: admission (protocol, app, quota), timeouts, and the clean-up on close.

use std::collections::HashSet;

use switchboard_proto::{CloseCode, ServerFrame, SocketId};

use switchboard_proto::AppId;

use crate::config::ServerLimits;
use crate::effects::{Effect, Out};
use crate::engine::ConnMeta;
use crate::observation::Detail;
use crate::state::{shrink_if_sparse, AppState, RateWindow, Socket, CACHE_TTL_MS};
use crate::{subscriptions, users, ConnId, Millis};

/// Why a connection was refused at the door.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refusal {
    ProtocolNotANumber,
    ProtocolUnsupported,
    UnknownApp,
    AppDisabled,
    OverQuota(u32),
}

impl Refusal {
    pub fn code(self) -> u16 {
        let code = match self {
            Self::ProtocolNotANumber => CloseCode::InvalidVersionFormat,
            Self::ProtocolUnsupported => CloseCode::UnsupportedProtocol,
            Self::UnknownApp => CloseCode::AppDoesNotExist,
            Self::AppDisabled => CloseCode::AppDisabled,
            Self::OverQuota(_) => CloseCode::OverConnectionQuota,
        };
        code.code()
    }

    pub fn message(self, key: &str) -> String {
        match self {
            Self::ProtocolNotANumber => {
                "Invalid version string format: protocol must be an integer".into()
            }
            Self::ProtocolUnsupported => {
                "Unsupported protocol version: supported are 4 to 7".into()
            }
            Self::UnknownApp => format!("Application does not exist: no app has key {key:?}"),
            Self::AppDisabled => {
                format!("Application disabled: the app with key {key:?} is disabled")
            }
            Self::OverQuota(max) => {
                format!("Application is over connection quota: max_connections is {max}")
            }
        }
    }
}

/// An upgrade asking to become a Pusher connection.
pub(crate) struct OpenRequest<'a> {
    pub conn: ConnId,
    pub socket_id: SocketId,
    pub key: &'a str,
    pub protocol: Option<String>,
    pub meta: ConnMeta,
}

/// Admits or refuses the connection, recording either; returns the owning app's id.
pub(crate) fn open(
    app: Option<&mut AppState>,
    out: &mut Out,
    request: OpenRequest<'_>,
    limits: &ServerLimits,
    now: Millis,
) -> Option<AppId> {
    let OpenRequest { conn, socket_id, key, protocol, meta } = request;
    let app = match admit(app, protocol.as_deref()) {
        Ok(app) => app,
        Err(refusal) => {
            let (code, reason) = (refusal.code(), refusal.message(key));
            out.observe(
                out.obs(Detail::ConnectionRefused { code, reason: reason.clone() }).conn(conn),
            );
            out.close(conn, code, &reason);
            return None;
        }
    };
    let detail = Detail::ConnectionOpened {
        remote: meta.remote.clone(),
        origin_header: meta.origin_header.clone(),
        user_agent: meta.user_agent.clone(),
        protocol,
        client: meta.client.clone(),
        version: meta.version.clone(),
    };
    out.observe(out.obs(detail).conn(conn));
    let before = out.frames_sent;
    accept(app, out, (conn, socket_id, meta), limits, now);
    app.counters.messages_out += out.frames_sent - before;
    Some(app.config.id.clone())
}

/// Checks the protocol version and the app; returns the app that will own the socket.
fn admit<'a>(
    app: Option<&'a mut AppState>,
    protocol: Option<&str>,
) -> Result<&'a mut AppState, Refusal> {
    if let Some(protocol) = protocol {
        let digits = protocol.strip_prefix('-').unwrap_or(protocol);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Refusal::ProtocolNotANumber);
        }
        if !matches!(protocol.parse::<u8>(), Ok(4..=7)) {
            return Err(Refusal::ProtocolUnsupported);
        }
    }
    let app = app.ok_or(Refusal::UnknownApp)?;
    if !app.config.enabled {
        return Err(Refusal::AppDisabled);
    }
    if let Some(max) = app.config.limits.max_connections {
        if app.sockets.len() >= max as usize {
            return Err(Refusal::OverQuota(max));
        }
    }
    Ok(app)
}

/// Registers the socket and sends `pusher:connection_established`.
fn accept(
    app: &mut AppState,
    out: &mut Out,
    (conn, socket_id, meta): (ConnId, SocketId, ConnMeta),
    limits: &ServerLimits,
    now: Millis,
) {
    let established = ServerFrame::ConnectionEstablished {
        socket_id: socket_id.clone(),
        activity_timeout: limits.activity_timeout_secs,
    };
    app.by_socket_id.insert(socket_id.clone(), conn);
    app.sockets.insert(
        conn,
        Socket {
            socket_id,
            opened_at: now,
            last_seen: now,
            ping_sent_at: None,
            channels: HashSet::new(),
            user: None,
            client_events: RateWindow::default(),
            meta,
            messages_in: 0,
        },
    );
    out.send(conn, &established);
}

/// Forgets a socket: leaves its channels, signs its user out.
pub(crate) fn remove(app: &mut AppState, out: &mut Out, conn: ConnId) {
    let Some(socket) = app.sockets.get(&conn) else {
        return;
    };
    let channels: Vec<String> = socket.channels.iter().cloned().collect();
    for channel in channels {
        subscriptions::unsubscribe(app, out, conn, &channel);
    }
    users::sign_out(app, out, conn);
    if let Some(socket) = app.sockets.remove(&conn) {
        app.by_socket_id.remove(&socket.socket_id);
    }
    shrink_if_sparse(&mut app.sockets);
    shrink_if_sparse(&mut app.by_socket_id);
}

/// Pings idle sockets, and lists those to close: no pong in time, or not signed in in time.
pub(crate) fn check_timeouts(
    app: &mut AppState,
    out: &mut Out,
    limits: &ServerLimits,
    now: Millis,
    to_close: &mut Vec<(ConnId, u16, &'static str)>,
) {
    let activity_ms = u64::from(limits.activity_timeout_secs) * 1000;
    let pong_ms = u64::from(limits.pong_timeout_secs) * 1000;
    let signin_ms = u64::from(limits.user_authentication_timeout_secs) * 1000;
    let must_sign_in = app.config.enable_user_authentication;
    app.caches.retain(|_, cached| now.saturating_sub(cached.stored_at) < CACHE_TTL_MS);
    for (conn, socket) in &mut app.sockets {
        if let Some(sent) = socket.ping_sent_at {
            if now.saturating_sub(sent) >= pong_ms {
                to_close.push((
                    *conn,
                    CloseCode::PongNotReceived.code(),
                    "Pong reply not received",
                ));
            }
        } else if now.saturating_sub(socket.last_seen) >= activity_ms {
            socket.ping_sent_at = Some(now);
            out.send(*conn, &ServerFrame::Ping);
            out.effects.push(Effect::Ping { conn: *conn });
        }
        if must_sign_in
            && socket.user.is_none()
            && now.saturating_sub(socket.opened_at) >= signin_ms
        {
            to_close.push((
                *conn,
                CloseCode::Unauthorized.code(),
                "Connection not authorized within timeout",
            ));
        }
    }
}
