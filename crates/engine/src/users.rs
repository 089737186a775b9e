//! User authentication (`pusher:signin`), watchlists, and terminating a user's connections.

use serde_json::Value;
use switchboard_proto::server_frame::WatchlistStatus;
use switchboard_proto::sign::{check_auth, user_string_to_sign, AuthCheck};
use switchboard_proto::{CloseCode, ServerFrame, UserId, WatchlistEvent};

use crate::effects::Out;
use crate::observation::Detail;
use crate::state::{AppState, SignedInUser};
use crate::ConnId;

/// Pusher's watchlist size limit.
const MAX_WATCHLIST: usize = 100;

pub(crate) fn signin(app: &mut AppState, out: &mut Out, conn: ConnId, auth: &str, user_data: &str) {
    let unauthorized = CloseCode::Unauthorized.code();
    let user = match verify(app, conn, auth, user_data) {
        Ok(user) => user,
        Err(reason) => {
            out.observe(out.obs(Detail::SignInRefused { reason: reason.clone() }).conn(conn));
            return out.error(conn, Some(unauthorized), reason, None);
        }
    };
    let Some(socket) = app.sockets.get_mut(&conn) else {
        return;
    };
    if let Some(current) = &socket.user {
        if current.id != user.id {
            let reason = format!("Connection is already signed in as user {}", current.id);
            out.observe(out.obs(Detail::SignInRefused { reason: reason.clone() }).conn(conn));
            return out.error(conn, Some(unauthorized), reason, None);
        }
        return out.send(conn, &ServerFrame::SigninSuccess { user_data: user_data.to_owned() });
    }
    let truncated = user.watchlist.len() > MAX_WATCHLIST;
    let mut user = user;
    user.watchlist.truncate(MAX_WATCHLIST);
    socket.user = Some(user.clone());
    out.observe(out.obs(Detail::SignedIn).conn(conn).user(Some(&user.id)));
    out.send(conn, &ServerFrame::SigninSuccess { user_data: user_data.to_owned() });
    if truncated {
        let reason = format!(
            "Watchlist limit exceeded: only the first {MAX_WATCHLIST} user ids are watched"
        );
        out.error(conn, Some(CloseCode::WatchlistLimit.code()), reason, None);
    }
    let first_socket = app.users.entry(user.id.clone()).or_default();
    let came_online = first_socket.is_empty();
    first_socket.insert(conn);
    if app.config.enable_watchlist_events {
        start_watching(app, out, conn, &user.watchlist);
        if came_online {
            notify_watchers(app, out, &user.id, WatchlistStatus::Online);
        }
    }
}

fn verify(
    app: &AppState,
    conn: ConnId,
    auth: &str,
    user_data: &str,
) -> Result<SignedInUser, String> {
    let socket_id = app.sockets.get(&conn).map(|s| s.socket_id.as_str()).unwrap_or_default();
    let string = user_string_to_sign(socket_id, user_data);
    match check_auth(&app.config.key, &app.config.secret, &string, auth) {
        AuthCheck::Valid => parse_user_data(user_data),
        AuthCheck::WrongKey => Err(format!(
            "Invalid key: auth must be \"{}:<HMAC SHA256 hex digest of {string}>\", but got {auth}",
            app.config.key
        )),
        AuthCheck::BadSignature { .. } => Err(format!(
            "Invalid signature: Expected HMAC SHA256 hex digest of {string}, but got {auth}"
        )),
    }
}

fn parse_user_data(user_data: &str) -> Result<SignedInUser, String> {
    let invalid = |why: &str| format!("Invalid user_data: {why}");
    let value: Value = serde_json::from_str(user_data).map_err(|e| invalid(&e.to_string()))?;
    let id = match value.get("id") {
        Some(Value::String(id)) if !id.is_empty() => id.clone(),
        _ => return Err(invalid("it must contain \"id\", a non-empty string")),
    };
    let watchlist = match value.get("watchlist") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(ids)) => ids
            .iter()
            .map(|v| v.as_str().and_then(|s| UserId::new(s).ok()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| invalid("watchlist must be an array of non-empty strings"))?,
        Some(_) => return Err(invalid("watchlist must be an array of user ids")),
    };
    let info = value.get("user_info").cloned().unwrap_or(Value::Null);
    let id = UserId::new(id).map_err(|e| invalid(&e.to_string()))?;
    Ok(SignedInUser { id, info, watchlist })
}

/// Registers the watcher and sends the current status of each watched user.
fn start_watching(app: &mut AppState, out: &mut Out, conn: ConnId, watchlist: &[UserId]) {
    if watchlist.is_empty() {
        return;
    }
    for watched in watchlist {
        app.watchers.entry(watched.clone()).or_default().insert(conn);
    }
    let (online, offline): (Vec<UserId>, Vec<UserId>) =
        watchlist.iter().cloned().partition(|id| app.users.get(id).is_some_and(|s| !s.is_empty()));
    let events = [(WatchlistStatus::Online, online), (WatchlistStatus::Offline, offline)]
        .into_iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(name, user_ids)| WatchlistEvent { name, user_ids })
        .collect();
    out.send(conn, &ServerFrame::WatchlistEvents { events });
}

fn notify_watchers(app: &AppState, out: &mut Out, user: &UserId, name: WatchlistStatus) {
    let Some(watchers) = app.watchers.get(user) else {
        return;
    };
    let frame = ServerFrame::WatchlistEvents {
        events: vec![WatchlistEvent { name, user_ids: vec![user.clone()] }],
    };
    out.broadcast(watchers.iter().copied().collect(), &frame);
}

/// Called when a socket goes: drops its watches and, for its user's last socket, says offline.
pub(crate) fn sign_out(app: &mut AppState, out: &mut Out, conn: ConnId) {
    let Some(user) = app.sockets.get(&conn).and_then(|s| s.user.clone()) else {
        return;
    };
    for watched in &user.watchlist {
        if let Some(set) = app.watchers.get_mut(watched) {
            set.remove(&conn);
            if set.is_empty() {
                app.watchers.remove(watched);
            }
        }
    }
    let Some(sockets) = app.users.get_mut(&user.id) else {
        return;
    };
    sockets.remove(&conn);
    if sockets.is_empty() {
        app.users.remove(&user.id);
        if app.config.enable_watchlist_events {
            notify_watchers(app, out, &user.id, WatchlistStatus::Offline);
        }
    }
}
