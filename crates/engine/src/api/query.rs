//! Read-only API calls (channels, channel, users) and terminating a user's connections.

use switchboard_proto::{AppId, ChannelName, UserId};

use super::{
    ApiError, ApiOutcome, CacheInfo, Caller, ChannelInfo, ChannelsReply, UserEntry, UsersReply,
};
use crate::engine::Engine;
use crate::state::{AppState, Channel, CACHE_TTL_MS};
use crate::Millis;

/// Which attributes a caller asked for with `info=`.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Wanted {
    pub user_count: bool,
    pub subscription_count: bool,
    pub cache: bool,
}

impl Wanted {
    pub fn counts(self) -> bool {
        self.user_count || self.subscription_count
    }
}

pub(crate) fn parse_info(info: &[String]) -> Result<Wanted, ApiError> {
    let mut wanted = Wanted::default();
    let attributes =
        info.iter().flat_map(|i| i.split(',')).map(str::trim).filter(|a| !a.is_empty());
    for attribute in attributes {
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

impl Engine {
    /// `GET /apps/{id}/channels`: occupied channels, optionally by prefix.
    pub fn channels(
        &mut self,
        caller: &Caller,
        app: &AppId,
        prefix: Option<&str>,
        info: &[String],
        now: Millis,
    ) -> ApiOutcome<ChannelsReply> {
        self.run_api(caller, app, now, |engine, _| {
            let state = engine.api_app(app)?;
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
        })
    }

    /// `GET /apps/{id}/channels/{name}`.
    pub fn channel(
        &mut self,
        caller: &Caller,
        app: &AppId,
        name: &str,
        info: &[String],
        now: Millis,
    ) -> ApiOutcome<ChannelInfo> {
        self.run_api(caller, app, now, |engine, _| {
            let state = engine.api_app(app)?;
            let name = parse_channel(state, name)?;
            let wanted = parse_info(info)?;
            check_applicable(state, &name, wanted)?;
            let mut reply = info_for(state, &name, wanted, true);
            if wanted.cache {
                reply.cache = Some(state.cached(name.as_str(), now).map(|c| CacheInfo {
                    data: c.data.clone(),
                    ttl: CACHE_TTL_MS.saturating_sub(now.saturating_sub(c.stored_at)) / 1000,
                }));
            }
            Ok(reply)
        })
    }

    /// `GET /apps/{id}/channels/{name}/users`: presence channels only.
    pub fn users(
        &mut self,
        caller: &Caller,
        app: &AppId,
        name: &str,
        now: Millis,
    ) -> ApiOutcome<UsersReply> {
        self.run_api(caller, app, now, |engine, _| {
            let state = engine.api_app(app)?;
            let name = parse_channel(state, name)?;
            if !name.kind().is_presence() {
                return Err(ApiError::invalid(
                    "channel",
                    format!("{name} is not a presence channel"),
                ));
            }
            let members =
                state.channels.get(name.as_str()).map(|c| c.members.as_slice()).unwrap_or_default();
            Ok(UsersReply {
                users: members.iter().map(|m| UserEntry { id: m.user_id.clone() }).collect(),
            })
        })
    }

    /// `POST /apps/{id}/users/{user}/terminate_connections`: closes each of the user's sockets.
    pub fn terminate_user(
        &mut self,
        caller: &Caller,
        app: &AppId,
        user: &str,
        now: Millis,
    ) -> ApiOutcome<()> {
        self.run_api(caller, app, now, |engine, out| {
            let state = engine.api_app(app)?;
            let user =
                UserId::new(user).map_err(|e| ApiError::invalid("user_id", e.to_string()))?;
            for conn in state.user_sockets(&user) {
                engine.close_socket(out, conn, 4009, "You got disconnected by the app.");
            }
            Ok(())
        })
    }
}

pub(crate) fn parse_channel(state: &AppState, name: &str) -> Result<ChannelName, ApiError> {
    let max = state.config.limits.max_channel_name_length as usize;
    ChannelName::parse(name, max).map_err(|e| ApiError::invalid("channel", e.to_string()))
}

fn check_applicable(state: &AppState, name: &ChannelName, wanted: Wanted) -> Result<(), ApiError> {
    let presence = name.kind().is_presence();
    let problem = if wanted.user_count && !presence {
        Some("user_count is only available for presence channels")
    } else if wanted.subscription_count && presence {
        Some("subscription_count is not available for presence channels; use user_count")
    } else if wanted.subscription_count && !state.config.enable_subscription_count {
        Some("subscription_count needs enable_subscription_count = true for this app")
    } else if wanted.cache && !name.kind().is_cache() {
        Some("cache is only available for cache channels")
    } else {
        None
    };
    problem.map_or(Ok(()), |reason| Err(ApiError::invalid("info", reason)))
}

/// The attributes asked for that apply to the channel; with `occupied` for single queries.
pub(crate) fn info_for(
    state: &AppState,
    name: &ChannelName,
    wanted: Wanted,
    with_occupied: bool,
) -> ChannelInfo {
    let channel = state.channels.get(name.as_str());
    let presence = name.kind().is_presence();
    let counted = wanted.subscription_count && !presence && state.config.enable_subscription_count;
    ChannelInfo {
        occupied: with_occupied.then_some(channel.is_some()),
        user_count: (wanted.user_count && presence).then(|| channel.map_or(0, Channel::user_count)),
        subscription_count: counted.then(|| channel.map_or(0, |c| c.subscribers.len())),
        cache: None,
    }
}
