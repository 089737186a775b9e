//! Actions the inspector takes as the server: publish, act as a virtual client, write a raw
//! frame, disconnect a socket, terminate a user, read the live state. Each is recorded with
//! its caller's origin (`inject` or `replay`) like an API call.

use serde::{Deserialize, Serialize};
use switchboard_proto::{AppId, AppKey, CloseCode, RawJson, ServerFrame, SocketId, UserId};

use crate::api::query::parse_channel;
use crate::api::{ApiError, ApiOutcome, Caller, TriggerReply, TriggerRequest};
use crate::engine::Engine;
use crate::live::LiveState;
use crate::{ConnId, Millis};

/// An action with its caller, and where its answer goes (the inspector's link to the hub).
pub type ControlRequest<Answer> = (Caller, Command, Answer);

/// The user id a virtual client uses on presence channels when none is given.
pub const VIRTUAL_USER: &str = "switchboard-inspector";

/// One action, as the inspector asks for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Command {
    /// The live state (apps, connections, channels).
    State,
    /// Publish as the server (same rules as `POST events`).
    Publish { app: AppId, request: TriggerRequest },
    /// A `client-*` event from a virtual client on a private or presence channel.
    ClientEvent {
        app: AppId,
        channel: String,
        event: String,
        data: String,
        user_id: Option<String>,
    },
    /// Any text to one socket.
    RawFrame { socket: SocketId, text: String },
    /// Close one socket with a chosen code.
    Disconnect { socket: SocketId, code: u16, reason: String },
    /// Close every socket signed in as the user.
    TerminateUser { app: AppId, user: String },
    /// An app's credentials, for the Getting started snippets (never recorded).
    Credentials { app: AppId },
}

/// What an action answers.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "result", rename_all = "snake_case")]
pub enum Reply {
    State(LiveState),
    Published(TriggerReply),
    Done,
    Credentials { id: AppId, key: AppKey, secret: String },
}

impl Engine {
    /// Runs one inspector action.
    pub fn control(&mut self, caller: &Caller, command: Command, now: Millis) -> ApiOutcome<Reply> {
        match command {
            Command::State => {
                ApiOutcome { reply: Ok(Reply::State(self.live_state(now))), effects: Vec::new() }
            }
            Command::Publish { app, request } => {
                let outcome = self.trigger(caller, &app, request, now);
                map_reply(outcome, Reply::Published)
            }
            Command::ClientEvent { app, channel, event, data, user_id } => {
                let event = VirtualEvent { channel, event, data, user_id };
                self.run_api(caller, &app, now, |engine, out| {
                    virtual_client_event(engine, out, &app, event)
                })
            }
            Command::RawFrame { socket, text } => {
                self.run_socket(caller, &socket, now, |_, out, conn| {
                    out.send_text(conn, text);
                    Ok(Reply::Done)
                })
            }
            Command::Disconnect { socket, code, reason } => {
                self.run_socket(caller, &socket, now, |engine, out, conn| {
                    check_close_code(code)?;
                    engine.close_socket(out, conn, code, &reason);
                    Ok(Reply::Done)
                })
            }
            Command::Credentials { app } => {
                let reply = self.apps.get(&app).map(|a| Reply::Credentials {
                    id: a.config.id.clone(),
                    key: a.config.key.clone(),
                    secret: String::from_utf8_lossy(a.config.secret.expose()).into_owned(),
                });
                ApiOutcome {
                    reply: reply.ok_or_else(|| ApiError::UnknownApp(app.to_string())),
                    effects: Vec::new(),
                }
            }
            Command::TerminateUser { app, user } => {
                map_reply(self.terminate_user(caller, &app, &user, now), |()| Reply::Done)
            }
        }
    }

    /// Runs an action on the socket with this public id, recorded under its app.
    fn run_socket(
        &mut self,
        caller: &Caller,
        socket: &SocketId,
        now: Millis,
        work: impl FnOnce(&mut Self, &mut crate::effects::Out, ConnId) -> Result<Reply, ApiError>,
    ) -> ApiOutcome<Reply> {
        let found = self
            .apps
            .values()
            .find_map(|a| Some((a.config.id.clone(), *a.by_socket_id.get(socket)?)));
        let Some((app, conn)) = found else {
            let reply = Err(ApiError::UnknownSocket(socket.to_string()));
            return ApiOutcome { reply, effects: Vec::new() };
        };
        self.run_api(caller, &app, now, |engine, out| work(engine, out, conn))
    }
}

fn map_reply<T>(outcome: ApiOutcome<T>, wrap: impl FnOnce(T) -> Reply) -> ApiOutcome<Reply> {
    ApiOutcome { reply: outcome.reply.map(wrap), effects: outcome.effects }
}

struct VirtualEvent {
    channel: String,
    event: String,
    data: String,
    user_id: Option<String>,
}

fn virtual_client_event(
    engine: &mut Engine,
    out: &mut crate::effects::Out,
    app: &AppId,
    request: VirtualEvent,
) -> Result<Reply, ApiError> {
    let state = engine.api_app(app)?;
    let name = parse_channel(state, &request.channel)?;
    if !name.kind().allows_client_events() {
        let reason = "client events need a private- or presence- channel (not encrypted)";
        return Err(ApiError::invalid("channel", reason));
    }
    if !request.event.starts_with("client-") {
        return Err(ApiError::invalid("event", "client event names start with client-"));
    }
    let data = RawJson::parse(&request.data)
        .ok_or_else(|| ApiError::invalid("data", "must be valid JSON"))?;
    let user_id = match (name.kind().is_presence(), request.user_id) {
        (false, _) => None,
        (true, given) => {
            let id = given.unwrap_or_else(|| VIRTUAL_USER.to_owned());
            Some(UserId::new(id).map_err(|e| ApiError::invalid("user_id", e.to_string()))?)
        }
    };
    let recipients: Vec<ConnId> = state
        .channels
        .get(name.as_str())
        .map(|c| c.subscribers.iter().copied().collect())
        .unwrap_or_default();
    let frame =
        ServerFrame::Event { event: request.event, channel: name.to_string(), data, user_id };
    let before = out.frames_sent;
    out.broadcast(recipients, &frame);
    state.counters.messages_out += out.frames_sent - before;
    Ok(Reply::Done)
}

/// Normal closure or a Pusher code (4000–4999).
fn check_close_code(code: u16) -> Result<(), ApiError> {
    if code == 1000 || (4000..=4999).contains(&code) {
        return Ok(());
    }
    let hint = CloseCode::Reconnect.code();
    Err(ApiError::invalid(
        "code",
        format!("{code} is not 1000 or a Pusher code 4000–4999 (e.g. {hint})"),
    ))
}
