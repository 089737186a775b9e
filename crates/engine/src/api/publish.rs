//! Publishing: `POST events` and `POST batch_events`, with every delivery recorded.

use switchboard_proto::{AppId, ChannelKind, ChannelName, ServerFrame, SocketId};

use super::query::{info_for, parse_channel, parse_info, Wanted};
use super::{ApiError, ApiOutcome, BatchReply, Caller, TriggerReply};
use crate::conn_map::ConnSet;
use crate::effects::Out;
use crate::engine::Engine;
use crate::observation::SkipReason;
use crate::state::{AppState, CachedEvent};
use crate::{ConnId, Millis};

/// Up to this many connected-but-not-subscribed sockets are named in a delivery record.
const NOT_SUBSCRIBED_LISTED: usize = 20;

/// One event to publish (`POST events`, or one item of `POST batch_events`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct TriggerRequest {
    pub name: String,
    pub data: String,
    pub channels: Vec<String>,
    #[serde(default)]
    pub socket_id: Option<SocketId>,
    #[serde(default)]
    pub info: Vec<String>,
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
        caller: &Caller,
        app: &AppId,
        request: TriggerRequest,
        now: Millis,
    ) -> ApiOutcome<TriggerReply> {
        self.run_api(caller, app, now, |engine, out| {
            let state = engine.api_app(app)?;
            let publish = validate(state, request, true)?;
            publish_event(state, out, &publish, now);
            let channels = publish.wanted.counts().then(|| {
                publish
                    .channels
                    .iter()
                    .map(|c| (c.to_string(), info_for(state, c, publish.wanted, false)))
                    .collect()
            });
            Ok(TriggerReply { channels })
        })
    }

    /// `POST /apps/{id}/batch_events`: all items are validated before any is published.
    pub fn batch(
        &mut self,
        caller: &Caller,
        app: &AppId,
        items: Vec<TriggerRequest>,
        now: Millis,
    ) -> ApiOutcome<BatchReply> {
        self.run_api(caller, app, now, |engine, out| {
            let state = engine.api_app(app)?;
            let max = state.config.limits.max_event_batch_size as usize;
            if items.len() > max {
                let reason = format!(
                    "{} events given; the limit is {max} (max_event_batch_size)",
                    items.len()
                );
                return Err(ApiError::invalid("batch", reason));
            }
            let publishes: Vec<Publish> = items
                .into_iter()
                .map(|item| validate(state, item, false))
                .collect::<Result<_, _>>()?;
            for publish in &publishes {
                publish_event(state, out, publish, now);
            }
            let batch = publishes.iter().any(|p| p.wanted.counts()).then(|| {
                publishes.iter().map(|p| info_for(state, &p.channels[0], p.wanted, false)).collect()
            });
            Ok(BatchReply { batch })
        })
    }
}

fn validate(state: &AppState, request: TriggerRequest, many: bool) -> Result<Publish, ApiError> {
    let limits = &state.config.limits;
    let max_name = limits.max_event_name_length as usize;
    if request.name.is_empty() {
        return Err(ApiError::invalid("name", "must not be empty"));
    }
    if request.name.len() > max_name {
        let reason = format!("is {} characters long; the limit is {max_name}", request.name.len());
        return Err(ApiError::invalid("name", reason));
    }
    if request.name.starts_with("pusher:") || request.name.starts_with("pusher_internal:") {
        return Err(ApiError::invalid("name", "names starting with pusher: are reserved"));
    }
    let (field, max_channels) = if many {
        ("channels", limits.max_event_channels_at_once as usize)
    } else {
        ("channel", 1)
    };
    if request.channels.is_empty() || request.channels.len() > max_channels {
        let reason = format!(
            "{} channels given; between 1 and {max_channels} allowed",
            request.channels.len()
        );
        return Err(ApiError::invalid(field, reason));
    }
    let max_bytes = limits.max_event_payload_in_kb as usize * 1024;
    if request.data.len() > max_bytes {
        let max_kb = limits.max_event_payload_in_kb;
        return Err(ApiError::PayloadTooLarge { size: request.data.len(), max_kb });
    }
    let mut channels: Vec<ChannelName> = Vec::with_capacity(request.channels.len());
    for name in &request.channels {
        let channel = parse_channel(state, name)?;
        if !channels.contains(&channel) {
            channels.push(channel);
        }
    }
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
    let excluded = publish.socket_id.as_ref().and_then(|id| state.by_socket_id.get(id)).copied();
    let before = out.frames_sent;
    for channel in &publish.channels {
        let frame =
            ServerFrame::event_with_string_data(&publish.name, channel.as_str(), &publish.data);
        let (reached, skipped, more) = recipients(state, channel, excluded, out.recording());
        out.publish(reached, skipped, more, &frame);
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

type Recipients = (Vec<ConnId>, Vec<(ConnId, SkipReason)>, usize);

/// Who gets an event on `channel`, and (when recording) who does not and why.
fn recipients(
    state: &AppState,
    channel: &ChannelName,
    excluded: Option<ConnId>,
    explain: bool,
) -> Recipients {
    let audience: Option<&ConnSet> = match channel.kind() {
        ChannelKind::ServerToUser(user) => state.users.get(user),
        _ => state.channels.get(channel.as_str()).map(|c| &c.subscribers),
    };
    let mut skipped = Vec::new();
    let mut reached = Vec::with_capacity(audience.map_or(0, ConnSet::len));
    for conn in audience.into_iter().flatten().copied() {
        if Some(conn) == excluded {
            skipped.push((conn, SkipReason::ExcludedBySocketId));
        } else {
            reached.push(conn);
        }
    }
    let outside = state.sockets.len().saturating_sub(audience.map_or(0, ConnSet::len));
    if !explain || outside == 0 {
        return (reached, skipped, 0);
    }
    let listed: Vec<(ConnId, SkipReason)> = state
        .sockets
        .keys()
        .filter(|conn| !audience.is_some_and(|a| a.contains(conn)))
        .take(NOT_SUBSCRIBED_LISTED)
        .map(|conn| (*conn, SkipReason::NotSubscribed))
        .collect();
    let more = outside.saturating_sub(listed.len());
    skipped.extend(listed);
    (reached, skipped, more)
}
