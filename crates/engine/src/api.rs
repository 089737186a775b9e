//! HTTP API operations (already authenticated by the server): trigger, batch, queries,
//! terminate. Each returns a typed reply, or an `ApiError` that maps to an HTTP status.

use std::collections::BTreeMap;

use serde::Serialize;
use switchboard_proto::{AppId, ChannelKind, ChannelName, ServerFrame, SocketId, UserId};

use crate::effects::{Effect, Out};
use crate::engine::Engine;
use crate::state::{AppState, CachedEvent, Channel, CACHE_TTL_MS};
use crate::{ConnId, Millis};

/// A refused API call. `status()` gives the HTTP status.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error("Unknown app {0}")]
    UnknownApp(String),
    #[error("App {0} is disabled")]
    AppDisabled(String),
    #[error("Invalid {field}: {reason}")]
    InvalidField { field: &'static str, reason: String },
    #[error("Event data is {size} bytes; the limit is {max_kb} KB (max_event_payload_in_kb)")]
    PayloadTooLarge { size: usize, max_kb: u32 },
}

impl ApiError {
    pub fn status(&self) -> u16 {
        match self {
            Self::UnknownApp(_) => 404,
            Self::AppDisabled(_) => 403,
            Self::InvalidField { .. } => 400,
            Self::PayloadTooLarge { .. } => 413,
        }
    }

    fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Self::InvalidField {
            field,
            reason: reason.into(),
        }
    }
}

/// One event to publish (`POST events`, or one item of `POST batch_events`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerRequest {
    pub name: String,
    pub data: String,
    pub channels: Vec<String>,
    pub socket_id: Option<SocketId>,
    pub info: Vec<String>,
}

/// A batch item is a trigger with one channel.
pub type BatchItem = TriggerRequest;

/// Attributes of a channel, as the HTTP API reports them. Absent fields are omitted.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChannelInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub occupied: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user_count: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_count: Option<usize>,
    /// `Some(None)` is `"cache": null` (asked for, nothing cached).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cache: Option<Option<CacheInfo>>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CacheInfo {
    pub data: String,
    pub ttl: u64,
}

/// Which attributes a caller asked for with `info=`.
#[derive(Debug, Clone, Copy, Default)]
struct Wanted {
    user_count: bool,
    subscription_count: bool,
    cache: bool,
}

fn parse_info(info: &[String]) -> Result<Wanted, ApiError> {
    let mut wanted = Wanted::default();
    for attribute in info
        .iter()
        .flat_map(|i| i.split(','))
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        match attribute {
            "user_count" => wanted.user_count = true,
            "subscription_count" => wanted.subscription_count = true,
            "cache" => wanted.cache = true,
            other => {
                let reason = format!(
                    "unknown attribute {other:?}; known are user_count, subscription_count, cache"
                );
                return Err(ApiError::invalid("info", reason));
            }
        }
    }
    Ok(wanted)
}

/// The JSON reply of a trigger: `{}` or `{"channels":{…}}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TriggerReply {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub channels: Option<BTreeMap<String, ChannelInfo>>,
}

/// The JSON reply of a batch: `{}` or `{"batch":[…]}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BatchReply {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub batch: Option<Vec<ChannelInfo>>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ChannelsReply {
    pub channels: BTreeMap<String, ChannelInfo>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct UsersReply {
    pub users: Vec<UserEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UserEntry {
    pub id: UserId,
}

/// A validated trigger, ready to publish.
struct Publish {
    name: String,
    data: String,
    channels: Vec<ChannelName>,
    socket_id: Option<SocketId>,
    wanted: Wanted,
}

impl Engine {
    /// `POST /apps/{id}/events`.
    pub fn trigger(
        &mut self,
        app: &AppId,
        request: TriggerRequest,
        now: Millis,
    ) -> Result<(TriggerReply, Vec<Effect>), ApiError> {
        let state = self.api_app(app)?;
        let publish = validate(state, request, true)?;
        let mut out = Out::default();
        publish_event(state, &mut out, &publish, now);
        let reply = (!publish.info_is_empty()).then(|| {
            publish
                .channels
                .iter()
                .map(|c| (c.to_string(), info_for(state, c, publish.wanted, false)))
                .collect()
        });
        Ok((TriggerReply { channels: reply }, out.effects))
    }

    /// `POST /apps/{id}/batch_events`: all items are validated before any is published.
    pub fn batch(
        &mut self,
        app: &AppId,
        items: Vec<BatchItem>,
        now: Millis,
    ) -> Result<(BatchReply, Vec<Effect>), ApiError> {
        let state = self.api_app(app)?;
        let max = state.config.limits.max_event_batch_size as usize;
        if items.len() > max {
            let reason = format!(
                "{} events given; the limit is {max} (max_event_batch_size)",
                items.len()
            );
            return Err(ApiError::invalid("batch", reason));
        }
        let publishes = items
            .into_iter()
            .map(|item| validate(state, item, false))
            .collect::<Result<Vec<_>, _>>()?;
        let mut out = Out::default();
        for publish in &publishes {
            publish_event(state, &mut out, publish, now);
        }
        let any_info = publishes.iter().any(|p| !p.info_is_empty());
        let infos = any_info.then(|| {
            publishes
                .iter()
                .map(|p| info_for(state, &p.channels[0], p.wanted, false))
                .collect()
        });
        Ok((BatchReply { batch: infos }, out.effects))
    }

    /// `GET /apps/{id}/channels`: occupied channels, optionally by prefix.
    pub fn channels(
        &mut self,
        app: &AppId,
        prefix: Option<&str>,
        info: &[String],
    ) -> Result<ChannelsReply, ApiError> {
        let state = self.api_app(app)?;
        let wanted = parse_info(info)?;
        let prefix = prefix.unwrap_or_default();
        if wanted.user_count && !prefix.starts_with("presence-") {
            let reason = "user_count is only available with filter_by_prefix=presence-";
            return Err(ApiError::invalid("info", reason));
        }
        let channels = state
            .channels
            .values()
            .filter(|c| c.name.as_str().starts_with(prefix))
            .map(|c| (c.name.to_string(), info_for(state, &c.name, wanted, false)))
            .collect();
        Ok(ChannelsReply { channels })
    }

    /// `GET /apps/{id}/channels/{name}`.
    pub fn channel(
        &mut self,
        app: &AppId,
        name: &str,
        info: &[String],
        now: Millis,
    ) -> Result<ChannelInfo, ApiError> {
        let state = self.api_app(app)?;
        let name = parse_channel(state, name)?;
        let wanted = parse_info(info)?;
        check_applicable(&name, wanted)?;
        if wanted.subscription_count && !state.config.enable_subscription_count {
            let reason = "subscription_count needs enable_subscription_count = true for this app";
            return Err(ApiError::invalid("info", reason));
        }
        let mut reply = info_for(state, &name, wanted, true);
        if wanted.cache {
            reply.cache = Some(state.cached(name.as_str(), now).map(|c| CacheInfo {
                data: c.data.clone(),
                ttl: CACHE_TTL_MS.saturating_sub(now.saturating_sub(c.stored_at)) / 1000,
            }));
        }
        Ok(reply)
    }

    /// `GET /apps/{id}/channels/{name}/users`: presence channels only.
    pub fn users(&mut self, app: &AppId, name: &str) -> Result<UsersReply, ApiError> {
        let state = self.api_app(app)?;
        let name = parse_channel(state, name)?;
        if !name.kind().is_presence() {
            return Err(ApiError::invalid(
                "channel",
                format!("{name} is not a presence channel"),
            ));
        }
        let members = state
            .channels
            .get(name.as_str())
            .map(|c| c.members.as_slice())
            .unwrap_or_default();
        Ok(UsersReply {
            users: members
                .iter()
                .map(|m| UserEntry {
                    id: m.user_id.clone(),
                })
                .collect(),
        })
    }

    /// `POST /apps/{id}/users/{user}/terminate_connections`: closes each of the user's sockets.
    pub fn terminate_user(&mut self, app: &AppId, user: &str) -> Result<Vec<Effect>, ApiError> {
        let state = self.api_app(app)?;
        let user = UserId::new(user).map_err(|e| ApiError::invalid("user_id", e.to_string()))?;
        let conns = state.user_sockets(&user);
        let mut out = Out::default();
        for conn in conns {
            self.close_socket(&mut out, conn, 4009, "You got disconnected by the app.");
        }
        Ok(out.effects)
    }

    /// The app for an API call: unknown → 404, disabled → 403.
    fn api_app(&mut self, app: &AppId) -> Result<&mut AppState, ApiError> {
        let state = self
            .apps
            .get_mut(app)
            .ok_or_else(|| ApiError::UnknownApp(app.to_string()))?;
        if !state.config.enabled {
            return Err(ApiError::AppDisabled(app.to_string()));
        }
        Ok(state)
    }
}

impl Publish {
    fn info_is_empty(&self) -> bool {
        !(self.wanted.user_count || self.wanted.subscription_count)
    }
}

fn parse_channel(state: &AppState, name: &str) -> Result<ChannelName, ApiError> {
    let max = state.config.limits.max_channel_name_length as usize;
    ChannelName::parse(name, max).map_err(|e| ApiError::invalid("channel", e.to_string()))
}

fn check_applicable(name: &ChannelName, wanted: Wanted) -> Result<(), ApiError> {
    let presence = name.kind().is_presence();
    let problem = if wanted.user_count && !presence {
        Some("user_count is only available for presence channels")
    } else if wanted.subscription_count && presence {
        Some("subscription_count is not available for presence channels; use user_count")
    } else if wanted.cache && !name.kind().is_cache() {
        Some("cache is only available for cache channels")
    } else {
        None
    };
    problem.map_or(Ok(()), |reason| Err(ApiError::invalid("info", reason)))
}

fn validate(state: &AppState, request: TriggerRequest, many: bool) -> Result<Publish, ApiError> {
    let limits = &state.config.limits;
    if request.name.is_empty() {
        return Err(ApiError::invalid("name", "must not be empty"));
    }
    if request.name.len() > limits.max_event_name_length as usize {
        let reason = format!(
            "is {} characters long; the limit is {}",
            request.name.len(),
            limits.max_event_name_length
        );
        return Err(ApiError::invalid("name", reason));
    }
    if request.name.starts_with("pusher:") || request.name.starts_with("pusher_internal:") {
        return Err(ApiError::invalid(
            "name",
            "names starting with pusher: are reserved",
        ));
    }
    let max_channels = if many {
        limits.max_event_channels_at_once as usize
    } else {
        1
    };
    let field = if many { "channels" } else { "channel" };
    if request.channels.is_empty() || request.channels.len() > max_channels {
        let reason = format!(
            "{} channels given; between 1 and {max_channels} allowed",
            request.channels.len()
        );
        return Err(ApiError::invalid(field, reason));
    }
    let max_bytes = limits.max_event_payload_in_kb as usize * 1024;
    if request.data.len() > max_bytes {
        return Err(ApiError::PayloadTooLarge {
            size: request.data.len(),
            max_kb: limits.max_event_payload_in_kb,
        });
    }
    let channels = request
        .channels
        .iter()
        .map(|c| parse_channel(state, c))
        .collect::<Result<Vec<_>, _>>()?;
    let wanted = parse_info(&request.info)?;
    Ok(Publish {
        name: request.name,
        data: request.data,
        channels,
        socket_id: request.socket_id,
        wanted,
    })
}

fn publish_event(state: &mut AppState, out: &mut Out, publish: &Publish, now: Millis) {
    let excluded = publish
        .socket_id
        .as_ref()
        .and_then(|id| state.by_socket_id.get(id))
        .copied();
    let before = out.frames_sent;
    for channel in &publish.channels {
        let recipients: Vec<ConnId> = match channel.kind() {
            ChannelKind::ServerToUser(user) => state.user_sockets(user),
            _ => state
                .channels
                .get(channel.as_str())
                .map(subscribers)
                .unwrap_or_default(),
        };
        let recipients = recipients
            .into_iter()
            .filter(|c| Some(*c) != excluded)
            .collect();
        let frame =
            ServerFrame::event_with_string_data(&publish.name, channel.as_str(), &publish.data);
        out.broadcast(recipients, &frame);
        if channel.kind().is_cache() {
            let cached = CachedEvent {
                event: publish.name.clone(),
                data: publish.data.clone(),
                stored_at: now,
            };
            state.caches.insert(channel.to_string(), cached);
            state.cache_miss_reported.remove(channel.as_str());
        }
    }
    state.counters.messages_out += out.frames_sent - before;
}

fn subscribers(channel: &Channel) -> Vec<ConnId> {
    channel.subscribers.iter().copied().collect()
}

/// The attributes asked for that apply to the channel; with `occupied` for single queries.
fn info_for(
    state: &AppState,
    name: &ChannelName,
    wanted: Wanted,
    with_occupied: bool,
) -> ChannelInfo {
    let channel = state.channels.get(name.as_str());
    let presence = name.kind().is_presence();
    ChannelInfo {
        occupied: with_occupied.then_some(channel.is_some()),
        user_count: (wanted.user_count && presence).then(|| channel.map_or(0, Channel::user_count)),
        subscription_count: (wanted.subscription_count
            && !presence
            && state.config.enable_subscription_count)
            .then(|| channel.map_or(0, |c| c.subscribers.len())),
        cache: None,
    }
}
