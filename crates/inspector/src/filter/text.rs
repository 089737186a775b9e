//! The text a free-text term searches: names on the record and the human-readable text
//! of its detail (frames as sent, API paths and bodies, reasons, URLs).

use switchboard_engine::{Detail, Observation};

/// Calls `test` with each searchable text of `obs` until it answers true.
pub(crate) fn any_text(obs: &Observation, test: &mut dyn FnMut(&str) -> bool) -> bool {
    let names = [obs.channel.as_deref(), obs.event.as_deref()];
    let ids = [obs.user.as_ref().map(|u| u.as_str()), obs.socket.as_ref().map(|s| s.as_str())];
    names.into_iter().chain(ids).flatten().any(&mut *test) || detail_text(&obs.detail, test)
}

fn detail_text(detail: &Detail, test: &mut dyn FnMut(&str) -> bool) -> bool {
    let mut any = |texts: &[Option<&String>]| texts.iter().flatten().any(|t| test(t));
    match detail {
        Detail::ConnectionOpened { remote, origin_header, user_agent, client, version, .. } => {
            any(&[remote.as_ref(), origin_header.as_ref(), user_agent.as_ref()])
                || any(&[client.as_ref(), version.as_ref()])
        }
        Detail::ConnectionRefused { reason, .. }
        | Detail::ConnectionClosed { reason, .. }
        | Detail::ClientEventRejected { reason }
        | Detail::SignInRefused { reason } => any(&[Some(reason)]),
        Detail::FrameIn { raw, error } => any(&[Some(raw), error.as_ref()]),
        Detail::FrameOut { raw } | Detail::Delivery { raw, .. } => any(&[Some(raw)]),
        Detail::SubscriptionRefused { reason, string_to_sign, .. } => {
            any(&[Some(reason), string_to_sign.as_ref()])
        }
        Detail::ApiRequest { path, body, error, .. } => {
            any(&[Some(path), body.as_ref(), error.as_ref()])
        }
        Detail::WebhookAttempt { url, events, error, .. } => {
            any(&[Some(url), error.as_ref()]) || events.iter().any(|e| test(e))
        }
        Detail::WebhookDropped { reason, .. } => any(&[Some(reason)]),
        Detail::ConfigReloaded { summary, error } => any(&[Some(summary), error.as_ref()]),
        Detail::Subscribed { .. }
        | Detail::Unsubscribed
        | Detail::ChannelOccupied
        | Detail::ChannelVacated
        | Detail::MemberAdded { .. }
        | Detail::MemberRemoved
        | Detail::SignedIn
        | Detail::Gap { .. } => false,
    }
}
