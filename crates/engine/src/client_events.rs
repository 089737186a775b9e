//! `client-*` events: every rule that decides whether a client may relay, then the relay.

use switchboard_proto::{ChannelKind, CloseCode, RawJson, ServerFrame, UserId};

use crate::effects::{Out, WebhookEvent};
use crate::observation::{Detail, SkipReason};
use crate::state::AppState;
use crate::{ConnId, Millis};

/// Checks the event against the app's rules and relays it to the other subscribers.
pub(crate) fn relay(
    app: &mut AppState,
    out: &mut Out,
    conn: ConnId,
    event: &str,
    channel: &str,
    data: &RawJson,
    now: Millis,
) {
    if let Err(reason) = check(app, conn, event, channel, data, now) {
        let detail = Detail::ClientEventRejected { reason: reason.clone() };
        out.observe(out.obs(detail).conn(conn).channel(channel).event(event));
        out.error(conn, Some(CloseCode::ClientEventRejected.code()), reason, Some(channel));
        return;
    }
    let Some(ch) = app.channels.get(channel) else {
        return;
    };
    let user_id = ch.name.kind().is_presence().then(|| sender_user(app, conn, channel)).flatten();
    let others: Vec<ConnId> = ch.subscribers.iter().copied().filter(|c| *c != conn).collect();
    let frame = ServerFrame::Event {
        event: event.to_owned(),
        channel: channel.to_owned(),
        data: data.clone(),
        user_id: user_id.clone(),
    };
    out.deliver(others, vec![(conn, SkipReason::Sender)], &frame);
    if let Some(socket) = app.sockets.get(&conn) {
        let webhook = WebhookEvent::ClientEvent {
            channel: channel.to_owned(),
            event: event.to_owned(),
            data: data.as_payload_text().into_owned(),
            socket_id: socket.socket_id.clone(),
            user_id,
        };
        app.webhook(out, webhook);
    }
}

fn check(
    app: &mut AppState,
    conn: ConnId,
    event: &str,
    channel: &str,
    data: &RawJson,
    now: Millis,
) -> Result<(), String> {
    let limits = &app.config.limits;
    if !app.config.enable_client_messages {
        return Err("Client events are not enabled for this app (enable_client_messages)".into());
    }
    if !event.starts_with("client-") {
        return Err(format!("Client event name {event:?} must start with \"client-\""));
    }
    if event.len() > limits.max_event_name_length as usize {
        let max = limits.max_event_name_length;
        return Err(format!(
            "Client event name is {} characters long; the limit is {max}",
            event.len()
        ));
    }
    match ChannelKind::of(channel) {
        ChannelKind::PrivateEncrypted { .. } => {
            return Err(format!("Client events are not allowed on encrypted channel {channel}"));
        }
        kind if !kind.allows_client_events() => {
            return Err(format!(
                "Client events are only allowed on private and presence channels, not on {channel}"
            ));
        }
        _ => {}
    }
    let max_bytes = limits.max_event_payload_in_kb as usize * 1024;
    if data.get().len() > max_bytes {
        let max_kb = limits.max_event_payload_in_kb;
        return Err(format!(
            "Client event data is {} bytes; the limit is {max_kb} KB",
            data.get().len()
        ));
    }
    let per_second = limits.max_client_events_per_second;
    let Some(socket) = app.sockets.get_mut(&conn) else {
        return Err("Unknown connection".into());
    };
    if !socket.channels.contains(channel) {
        return Err(format!("Not subscribed to channel {channel}"));
    }
    if !socket.client_events.admit(now, per_second) {
        return Err(format!("Client event rate limit exceeded: at most {per_second} per second"));
    }
    Ok(())
}

/// The presence user id the sender joined `channel` as.
fn sender_user(app: &AppState, conn: ConnId, channel: &str) -> Option<UserId> {
    let ch = app.channels.get(channel)?;
    ch.members.iter().find(|m| m.sockets.contains(&conn)).map(|m| m.user_id.clone())
}
