//! Starts the inspector beside the server: recorder, sessions in the data directory, the
//! API on the same port, and an access token when the server listens beyond loopback.

use std::net::IpAddr;

use anyhow::Context;
use switchboard_inspector::api::guard::Access;
use switchboard_inspector::api::ServerInfo;
use switchboard_inspector::attach::{attach, Attached, InspectorOptions, ServerSide};
use switchboard_inspector::store::Retention;
use switchboard_server::Server;

use crate::data_dir::DataDirArg;

/// Recording flags of `switchboard serve`.
#[derive(Debug, Clone, clap::Args)]
pub struct RecordArgs {
    #[command(flatten)]
    pub data: DataDirArg,
    /// Keep at most this many sessions [default: 100] [env: SWITCHBOARD_RETENTION_SESSIONS]
    #[arg(long, value_name = "N", env = "SWITCHBOARD_RETENTION_SESSIONS", hide_env = true)]
    pub retention_sessions: Option<u32>,
    /// Delete sessions older than this many days [default: 30] [env: SWITCHBOARD_RETENTION_DAYS]
    #[arg(long, value_name = "DAYS", env = "SWITCHBOARD_RETENTION_DAYS", hide_env = true)]
    pub retention_days: Option<u32>,
}

impl RecordArgs {
    fn retention(&self) -> Retention {
        let default = Retention::default();
        Retention {
            max_sessions: self.retention_sessions.or(default.max_sessions),
            max_age_days: self.retention_days.or(default.max_age_days),
        }
    }
}

/// The running inspector and the token remote peers need (if any).
pub struct Started {
    pub attached: Attached,
    pub token: Option<String>,
}

/// Attaches the inspector to `server` (before it runs, so no observation is missed).
pub async fn start(server: &Server, args: &RecordArgs, host: &str) -> anyhow::Result<Started> {
    let control = server.control();
    let hub = control.hub();
    let addr = server.local_addr();
    let token = (!is_loopback(host)).then(new_token);
    let shown = if host.contains(':') { format!("[{host}]") } else { host.to_owned() };
    let info = ServerInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        ws_url: format!("ws://{shown}:{}", addr.port()),
        http_url: format!("http://{shown}:{}", addr.port()),
    };
    let options = InspectorOptions {
        data_dir: Some(args.data.resolve()?),
        retention: args.retention(),
        access: Access { token: token.clone() },
        info,
    };
    let side = ServerSide {
        records: hub.observations(),
        stats: hub.observations(),
        control: hub.control_link(),
    };
    let attached = attach(options, side).await.context("cannot start the recorder")?;
    Ok(Started { attached, token })
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host.trim_matches(['[', ']']).parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

fn new_token() -> String {
    let bytes: [u8; 16] = rand::random();
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
