//! Live reload: applies a new app table without dropping the sockets of unchanged apps.

use switchboard_proto::CloseCode;

use crate::config::AppConfig;
use crate::effects::{Effect, Out};
use crate::engine::Engine;
use crate::observation::Origin;
use crate::state::AppState;
use crate::{ConnId, Millis};

/// What a reload changed, for logs and the inspector.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReloadSummary {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
    /// Sockets closed because their app went away, was disabled, or changed key.
    pub closed_sockets: usize,
}

impl Engine {
    /// Replaces the app table. Removed apps' sockets close with 4001, disabled apps' with
    /// 4003, and so do sockets of an app whose key changed (4001). Other changes (secret,
    /// limits, switches) apply at once to the next decision.
    pub fn reconfigure(
        &mut self,
        apps: Vec<AppConfig>,
        now: Millis,
    ) -> (ReloadSummary, Vec<Effect>) {
        let mut out = self.begin(now, Origin::Config);
        let mut summary = ReloadSummary::default();
        let removed: Vec<_> =
            self.apps.keys().filter(|id| !apps.iter().any(|a| &a.id == *id)).cloned().collect();
        for id in removed {
            summary.removed.push(id.to_string());
            let conns = self.apps.get(&id).map(sockets_of).unwrap_or_default();
            summary.closed_sockets += self.close_all(&mut out, &conns, CloseCode::AppDoesNotExist);
            self.apps.remove(&id);
        }
        for config in apps {
            self.apply_app(&mut out, &mut summary, config);
        }
        self.key_index =
            self.apps.values().map(|a| (a.config.key.clone(), a.config.id.clone())).collect();
        (summary, self.finish(out))
    }

    fn apply_app(&mut self, out: &mut Out, summary: &mut ReloadSummary, config: AppConfig) {
        let Some(state) = self.apps.get(&config.id) else {
            summary.added.push(config.id.to_string());
            self.apps.insert(config.id.clone(), AppState::new(config));
            return;
        };
        if state.config == config {
            return;
        }
        summary.changed.push(config.id.to_string());
        let code = if !config.enabled {
            Some(CloseCode::AppDisabled)
        } else if config.key != state.config.key {
            Some(CloseCode::AppDoesNotExist)
        } else {
            None
        };
        if let Some(code) = code {
            let conns = sockets_of(state);
            summary.closed_sockets += self.close_all(out, &conns, code);
        }
        if let Some(state) = self.apps.get_mut(&config.id) {
            state.config = config;
        }
    }

    fn close_all(&mut self, out: &mut Out, conns: &[ConnId], code: CloseCode) -> usize {
        let reason = match code {
            CloseCode::AppDisabled => "Application disabled by a configuration change",
            _ => "Application does not exist any more (configuration changed)",
        };
        for conn in conns {
            self.close_socket(out, *conn, code.code(), reason);
        }
        conns.len()
    }
}

fn sockets_of(state: &AppState) -> Vec<ConnId> {
    state.sockets.keys().copied().collect()
}
