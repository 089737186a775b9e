//! `pusher:subscribe` and `pusher:unsubscribe`: authorization, joining, leaving.

use switchboard_proto::client_frame::Subscribe;
use switchboard_proto::sign::{channel_string_to_sign, constant_time_eq, hmac_hex};
use switchboard_proto::{ChannelKind, ChannelName, ChannelNameError, ServerFrame};

use crate::conn_map::ConnSet;
use crate::effects::{Out, WebhookEvent};
use crate::observation::Detail;
use crate::presence::{self, NewMember};
use crate::state::{shrink_if_sparse, AppState, Channel};
use crate::{ConnId, Millis};

/// Why a subscription was refused, and how the client is told.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Rejection {
    /// Pusher's non-fatal `pusher:error` with `code: null`.
    Error(String),
    /// As `Error`, with what the inspector shows: the string to sign, expected vs supplied.
    BadSignature { message: String, string_to_sign: String, expected: String, supplied: String },
    /// `pusher:subscription_error` naming the channel (limits).
    Limit { kind: &'static str, error: String, status: u16 },
}

impl Rejection {
    fn tell(self, out: &mut Out, conn: ConnId, channel: &str) {
        if out.recording() {
            out.observe(out.obs(self.detail()).conn(conn).channel(channel));
        }
        match self {
            Self::Error(message) | Self::BadSignature { message, .. } => {
                out.error(conn, None, message, None);
            }
            Self::Limit { kind, error, status } => out.send(
                conn,
                &ServerFrame::SubscriptionError {
                    channel: channel.to_owned(),
                    kind,
                    error,
                    status,
                },
            ),
        }
    }

    fn detail(&self) -> Detail {
        let (reason, signature) = match self {
            Self::Error(message) => (message.clone(), None),
            Self::Limit { error, .. } => (error.clone(), None),
            Self::BadSignature { message, string_to_sign, expected, supplied } => {
                (message.clone(), Some((string_to_sign, expected, supplied)))
            }
        };
        Detail::SubscriptionRefused {
            reason,
            string_to_sign: signature.map(|s| s.0.clone()),
            expected: signature.map(|s| s.1.clone()),
            supplied: signature.map(|s| s.2.clone()),
        }
    }
}

pub(crate) fn subscribe(
    app: &mut AppState,
    out: &mut Out,
    conn: ConnId,
    request: &Subscribe,
    now: Millis,
) {
    let max_len = app.config.limits.max_channel_name_length as usize;
    let name = match ChannelName::parse(&request.channel, max_len) {
        Ok(name) => name,
        Err(error) => return name_rejection(&error).tell(out, conn, &request.channel),
    };
    let Some(socket) = app.sockets.get(&conn) else {
        return;
    };
    if socket.channels.contains(name.as_str()) {
        let message = format!("Existing subscription to channel {name}");
        return Rejection::Error(message).tell(out, conn, name.as_str());
    }
    match authorize(app, conn, &name, request) {
        Ok(member) => join(app, out, conn, name, member, now),
        Err(rejection) => rejection.tell(out, conn, name.as_str()),
    }
}

fn name_rejection(error: &ChannelNameError) -> Rejection {
    let kind = match error {
        ChannelNameError::TooLong { .. } => "LimitReached",
        ChannelNameError::Empty | ChannelNameError::BadCharacter { .. } => "InvalidChannelName",
    };
    Rejection::Limit { kind, error: error.to_string(), status: 4009 }
}

fn authorize(
    app: &AppState,
    conn: ConnId,
    name: &ChannelName,
    request: &Subscribe,
) -> Result<Option<NewMember>, Rejection> {
    match name.kind() {
        ChannelKind::Public { .. } => Ok(None),
        ChannelKind::ServerToUser(user) => {
            let signed_in = app.sockets.get(&conn).and_then(|s| s.user.as_ref());
            match signed_in {
                Some(me) if &me.id == user => Ok(None),
                _ => Err(Rejection::Error(format!(
                    "Cannot subscribe to {name}: the connection is not signed in as user {user}"
                ))),
            }
        }
        ChannelKind::Private { .. } | ChannelKind::PrivateEncrypted { .. } => {
            check_signature(app, conn, name.as_str(), None, request.auth.as_deref()).map(|()| None)
        }
        ChannelKind::Presence { .. } => presence::authorize(app, conn, name, request).map(Some),
    }
}

/// Checks a channel signature; the error message gives the string that should be signed.
pub(crate) fn check_signature(
    app: &AppState,
    conn: ConnId,
    channel: &str,
    channel_data: Option<&str>,
    auth: Option<&str>,
) -> Result<(), Rejection> {
    let socket_id = app.sockets.get(&conn).map(|s| s.socket_id.as_str()).unwrap_or_default();
    let string = channel_string_to_sign(socket_id, channel, channel_data);
    let auth = auth.unwrap_or_default();
    let (key, secret) = (&app.config.key, &app.config.secret);
    let expected = hmac_hex(secret, string.as_bytes());
    let (given_key, supplied) = auth.split_once(':').unwrap_or(("", auth));
    if given_key == key.as_str() && constant_time_eq(expected.as_bytes(), supplied.as_bytes()) {
        return Ok(());
    }
    let message = if auth.is_empty() {
        format!(
            "Invalid signature: Expected HMAC SHA256 hex digest of {string}, but no auth was given"
        )
    } else if given_key != key.as_str() {
        format!("Invalid key: auth must be \"{key}:<HMAC SHA256 hex digest of {string}>\", but got {auth}")
    } else {
        format!("Invalid signature: Expected HMAC SHA256 hex digest of {string}, but got {auth}")
    };
    let supplied = supplied.to_owned();
    Err(Rejection::BadSignature { message, string_to_sign: string, expected, supplied })
}

fn join(
    app: &mut AppState,
    out: &mut Out,
    conn: ConnId,
    name: ChannelName,
    member: Option<NewMember>,
    now: Millis,
) {
    let key = name.as_str().to_owned();
    let (is_cache, is_presence) = (name.kind().is_cache(), name.kind().is_presence());
    if let Some(socket) = app.sockets.get_mut(&conn) {
        socket.channels.insert(key.clone());
    }
    let occupied = app.channels.contains_key(&key);
    let channel = app.channels.entry(key.clone()).or_insert_with(|| Channel {
        name,
        subscribers: ConnSet::new(),
        members: Vec::new(),
    });
    channel.subscribers.insert(conn);
    if out.recording() {
        let user = member.as_ref().map(|m| &m.user_id);
        let info = member.as_ref().map(|m| m.info.clone());
        out.observe(
            out.obs(Detail::Subscribed { member: info }).conn(conn).channel(&key).user(user),
        );
    }
    let added = member.and_then(|m| presence::add(channel, conn, m));
    let roster = is_presence.then(|| presence::roster(channel));
    out.send(conn, &ServerFrame::SubscriptionSucceeded { channel: key.clone(), presence: roster });
    if !occupied {
        out.observe(out.obs(Detail::ChannelOccupied).channel(&key));
        app.webhook(out, WebhookEvent::ChannelOccupied { channel: key.clone() });
    }
    if let Some(added) = added {
        presence::announce_added(app, out, conn, &key, added);
    }
    if is_cache {
        send_cached(app, out, conn, &key, now);
    }
    if !is_presence {
        broadcast_count(app, out, &key);
    }
}

fn send_cached(app: &mut AppState, out: &mut Out, conn: ConnId, channel: &str, now: Millis) {
    if let Some(cached) = app.cached(channel, now) {
        out.send(conn, &ServerFrame::event_with_string_data(&cached.event, channel, &cached.data));
        return;
    }
    out.send(conn, &ServerFrame::CacheMiss { channel: channel.to_owned() });
    if app.cache_miss_reported.insert(channel.to_owned()) {
        app.webhook(out, WebhookEvent::CacheMiss { channel: channel.to_owned() });
    }
}

/// `pusher_internal:subscription_count` to every subscriber, when the app enables it.
fn broadcast_count(app: &AppState, out: &mut Out, channel: &str) {
    if !app.config.enable_subscription_count {
        return;
    }
    let Some(ch) = app.channels.get(channel) else {
        return;
    };
    let count = ch.subscribers.len();
    let frame = ServerFrame::SubscriptionCount { channel: channel.to_owned(), count };
    out.broadcast(ch.subscribers.iter().copied().collect(), &frame);
    let event =
        WebhookEvent::SubscriptionCount { channel: channel.to_owned(), subscription_count: count };
    app.webhook(out, event);
}

/// Leaves a channel; unknown or unsubscribed channels are ignored.
pub(crate) fn unsubscribe(app: &mut AppState, out: &mut Out, conn: ConnId, channel: &str) {
    let Some(socket) = app.sockets.get_mut(&conn) else {
        return;
    };
    if !socket.channels.remove(channel) {
        return;
    }
    out.observe(out.obs(Detail::Unsubscribed).conn(conn).channel(channel));
    let Some(ch) = app.channels.get_mut(channel) else {
        return;
    };
    ch.subscribers.remove(&conn);
    let is_presence = ch.name.kind().is_presence();
    if let Some(removed) = presence::remove(ch, conn) {
        presence::announce_removed(app, out, channel, removed);
    }
    let empty = app.channels.get(channel).is_some_and(|ch| ch.subscribers.is_empty());
    if empty {
        app.channels.remove(channel);
        shrink_if_sparse(&mut app.channels);
        app.cache_miss_reported.remove(channel);
        out.observe(out.obs(Detail::ChannelVacated).channel(channel));
        app.webhook(out, WebhookEvent::ChannelVacated { channel: channel.to_owned() });
    } else if !is_presence {
        broadcast_count(app, out, channel);
    }
}
