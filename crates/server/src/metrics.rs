//! Prometheus text for `/metrics`: per-app connections, channels, messages and API calls.

use std::collections::BTreeMap;
use std::fmt::Write;

use switchboard_engine::AppMetrics;
use switchboard_proto::AppId;

use crate::webhooks::WebhookStats;

/// The figures the hub hands out for one scrape.
#[derive(Debug, Clone, Default)]
pub struct MetricsSnapshot {
    pub apps: Vec<AppMetrics>,
    /// (app, HTTP status) → number of API requests.
    pub api_requests: BTreeMap<(AppId, u16), u64>,
    pub webhooks: WebhookStats,
}

/// A metric family read from each app: name, Prometheus type, value.
type Family = (&'static str, &'static str, fn(&AppMetrics) -> u64);

impl MetricsSnapshot {
    /// Renders the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut text = String::new();
        let gauges: [Family; 4] = [
            ("switchboard_connections", "gauge", |m| m.connections as u64),
            ("switchboard_channels", "gauge", |m| m.channels as u64),
            ("switchboard_messages_in_total", "counter", |m| m.messages_in),
            ("switchboard_messages_out_total", "counter", |m| m.messages_out),
        ];
        for (name, kind, value) in gauges {
            let _ = writeln!(text, "# HELP {name} {}", help(name));
            let _ = writeln!(text, "# TYPE {name} {kind}");
            for app in &self.apps {
                let _ =
                    writeln!(text, "{name}{{app=\"{}\"}} {}", escape(app.app.as_str()), value(app));
            }
        }
        let name = "switchboard_api_requests_total";
        let _ = writeln!(text, "# HELP {name} {}", help(name));
        let _ = writeln!(text, "# TYPE {name} counter");
        for ((app, status), count) in &self.api_requests {
            let _ = writeln!(
                text,
                "{name}{{app=\"{}\",status=\"{status}\"}} {count}",
                escape(app.as_str())
            );
        }
        self.render_webhooks(&mut text);
        text
    }

    /// `switchboard_webhook_attempts_total{app,outcome}` and `…_dropped_total{app}`.
    fn render_webhooks(&self, text: &mut String) {
        let name = "switchboard_webhook_attempts_total";
        let _ = writeln!(text, "# HELP {name} {}", help(name));
        let _ = writeln!(text, "# TYPE {name} counter");
        for ((app, outcome), count) in &self.webhooks.attempts {
            let (app, outcome) = (escape(app.as_str()), outcome.as_str());
            let _ = writeln!(text, "{name}{{app=\"{app}\",outcome=\"{outcome}\"}} {count}");
        }
        let name = "switchboard_webhook_dropped_total";
        let _ = writeln!(text, "# HELP {name} {}", help(name));
        let _ = writeln!(text, "# TYPE {name} counter");
        for (app, count) in &self.webhooks.dropped {
            let _ = writeln!(text, "{name}{{app=\"{}\"}} {count}", escape(app.as_str()));
        }
    }
}

fn help(name: &str) -> &'static str {
    match name {
        "switchboard_connections" => "Open WebSocket connections.",
        "switchboard_channels" => "Occupied channels.",
        "switchboard_messages_in_total" => "Frames received from clients.",
        "switchboard_messages_out_total" => "Frames sent to clients.",
        "switchboard_webhook_attempts_total" => {
            "Webhook requests by outcome: delivered (2xx), rejected (other status), failed."
        }
        "switchboard_webhook_dropped_total" => {
            "Webhook events never delivered: queue full, retries given up, shutdown."
        }
        _ => "HTTP API requests by response status.",
    }
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::webhooks::Outcome;

    #[test]
    fn renders_every_family_per_app() {
        let app = AppId::new("a\"1").unwrap();
        let snapshot = MetricsSnapshot {
            apps: vec![AppMetrics {
                app: app.clone(),
                connections: 2,
                channels: 1,
                messages_in: 5,
                messages_out: 7,
            }],
            api_requests: [((app.clone(), 200), 3)].into_iter().collect(),
            webhooks: WebhookStats {
                attempts: [((app.clone(), Outcome::Rejected), 2)].into_iter().collect(),
                dropped: [(app, 4)].into_iter().collect(),
            },
        };
        let text = snapshot.render();
        for line in [
            "switchboard_connections{app=\"a\\\"1\"} 2",
            "switchboard_channels{app=\"a\\\"1\"} 1",
            "switchboard_messages_in_total{app=\"a\\\"1\"} 5",
            "switchboard_messages_out_total{app=\"a\\\"1\"} 7",
            "switchboard_api_requests_total{app=\"a\\\"1\",status=\"200\"} 3",
            "switchboard_webhook_attempts_total{app=\"a\\\"1\",outcome=\"rejected\"} 2",
            "switchboard_webhook_dropped_total{app=\"a\\\"1\"} 4",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line} in\n{text}");
        }
    }
}
