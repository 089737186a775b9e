//! Presence channels: `channel_data` checks, the per-user roster, member added/removed.

use serde_json::Value;
use switchboard_proto::client_frame::Subscribe;
use switchboard_proto::{ChannelName, PresenceRoster, ServerFrame, UserId};

use crate::effects::{Out, WebhookEvent};
use crate::observation::Detail;
use crate::state::{AppState, Channel, Member};
use crate::subscriptions::{check_signature, Rejection};
use crate::ConnId;

/// Pusher's limit on user ids.
const MAX_USER_ID_LEN: usize = 128;

/// The user a presence subscription brings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NewMember {
    pub user_id: UserId,
    pub info: Value,
}

/// Verifies the signature and `channel_data` (or the signed-in user) and the limits.
pub(crate) fn authorize(
    app: &AppState,
    conn: ConnId,
    name: &ChannelName,
    request: &Subscribe,
) -> Result<NewMember, Rejection> {
    let auth = request.auth.as_deref();
    let member = match &request.channel_data {
        Some(data) => {
            check_signature(app, conn, name.as_str(), Some(data), auth)?;
            check_size(app, data)?;
            parse_channel_data(data)?
        }
        None => {
            let user = app.sockets.get(&conn).and_then(|s| s.user.as_ref()).ok_or_else(|| {
                Rejection::Error(format!(
                    "Presence channel {name} needs channel_data (or a connection signed in with pusher:signin)"
                ))
            })?;
            check_signature(app, conn, name.as_str(), None, auth)?;
            NewMember { user_id: user.id.clone(), info: user.info.clone() }
        }
    };
    check_room(app, name.as_str(), &member.user_id)?;
    Ok(member)
}

fn check_size(app: &AppState, data: &str) -> Result<(), Rejection> {
    let max_kb = app.config.limits.max_presence_member_size_in_kb;
    if data.len() > max_kb as usize * 1024 {
        return Err(Rejection::Limit {
            kind: "LimitReached",
            error: format!(
                "The presence member data is {} bytes; the limit is {max_kb} KB",
                data.len()
            ),
            status: 4301,
        });
    }
    Ok(())
}

fn check_room(app: &AppState, channel: &str, user: &UserId) -> Result<(), Rejection> {
    let max = app.config.limits.max_presence_members_per_channel as usize;
    let Some(ch) = app.channels.get(channel) else {
        return Ok(());
    };
    if ch.member(user).is_none() && ch.members.len() >= max {
        return Err(Rejection::Limit {
            kind: "LimitReached",
            error: format!("The maximum number of members in this channel ({max}) is reached"),
            status: 4100,
        });
    }
    Ok(())
}

/// `{"user_id": string|number, "user_info"?: any}`; numbers become strings.
fn parse_channel_data(data: &str) -> Result<NewMember, Rejection> {
    let invalid = |why: &str| Rejection::Error(format!("Invalid channel_data: {why}"));
    let value: Value = serde_json::from_str(data).map_err(|e| invalid(&e.to_string()))?;
    let Value::Object(mut object) = value else {
        return Err(invalid("must be a JSON object"));
    };
    let user_id = match object.get("user_id") {
        Some(Value::String(id)) => id.clone(),
        Some(Value::Number(id)) => id.to_string(),
        Some(_) => return Err(invalid("user_id must be a string or a number")),
        None => return Err(invalid("user_id is missing")),
    };
    if user_id.chars().count() > MAX_USER_ID_LEN {
        return Err(invalid("user_id is longer than 128 characters"));
    }
    let user_id = UserId::new(user_id).map_err(|_| invalid("user_id must not be empty"))?;
    let info = object.remove("user_info").unwrap_or(Value::Null);
    Ok(NewMember { user_id, info })
}

/// Adds the socket to the roster; returns the member if the user is new to the channel.
pub(crate) fn add(channel: &mut Channel, conn: ConnId, member: NewMember) -> Option<NewMember> {
    if let Some(existing) = channel.members.iter_mut().find(|m| m.user_id == member.user_id) {
        existing.sockets.insert(conn);
        return None;
    }
    channel.members.push(Member {
        user_id: member.user_id.clone(),
        info: member.info.clone(),
        sockets: [conn].into_iter().collect(),
    });
    Some(member)
}

/// Takes the socket off the roster; returns the user if that was their last socket.
pub(crate) fn remove(channel: &mut Channel, conn: ConnId) -> Option<UserId> {
    let index = channel.members.iter().position(|m| m.sockets.contains(&conn))?;
    let member = &mut channel.members[index];
    member.sockets.remove(&conn);
    if member.sockets.is_empty() {
        return Some(channel.members.remove(index).user_id);
    }
    None
}

pub(crate) fn roster(channel: &Channel) -> PresenceRoster {
    PresenceRoster {
        members: channel.members.iter().map(|m| (m.user_id.clone(), m.info.clone())).collect(),
    }
}

/// `member_added` to the other subscribers, and the webhook.
pub(crate) fn announce_added(
    app: &AppState,
    out: &mut Out,
    joiner: ConnId,
    channel: &str,
    member: NewMember,
) {
    let Some(ch) = app.channels.get(channel) else {
        return;
    };
    let others: Vec<ConnId> = ch.subscribers.iter().copied().filter(|c| *c != joiner).collect();
    let detail = Detail::MemberAdded { user_info: member.info.clone() };
    out.observe(out.obs(detail).conn(joiner).channel(channel).user(Some(&member.user_id)));
    let frame = ServerFrame::MemberAdded {
        channel: channel.to_owned(),
        user_id: member.user_id.clone(),
        user_info: member.info,
    };
    out.broadcast(others, &frame);
    app.webhook(
        out,
        WebhookEvent::MemberAdded { channel: channel.to_owned(), user_id: member.user_id },
    );
}

/// `member_removed` to the remaining subscribers, and the webhook.
pub(crate) fn announce_removed(app: &AppState, out: &mut Out, channel: &str, user_id: UserId) {
    out.observe(out.obs(Detail::MemberRemoved).channel(channel).user(Some(&user_id)));
    if let Some(ch) = app.channels.get(channel) {
        let frame =
            ServerFrame::MemberRemoved { channel: channel.to_owned(), user_id: user_id.clone() };
        out.broadcast(ch.subscribers.iter().copied().collect(), &frame);
    }
    app.webhook(out, WebhookEvent::MemberRemoved { channel: channel.to_owned(), user_id });
}
