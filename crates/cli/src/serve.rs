//! `switchboard serve`: load the settings, bind, print where to connect, run until a signal.
//!
//! Exit codes: 0 after a graceful shutdown, 1 when the server cannot run (port taken, I/O),
//! 2 when the configuration is refused.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::builder::NonEmptyStringValueParser;
use switchboard::launch::{url_host, Launch, LaunchError};
use switchboard_server::config::{Overrides, Settings};
use switchboard_server::reload::Loader;

use crate::inspect::RecordArgs;
use crate::shutdown::Signals;

const EXIT_CANNOT_RUN: u8 = 1;
const EXIT_BAD_CONFIG: u8 = 2;

/// Flags of `switchboard serve`. Each beats its `SWITCHBOARD_*` variable and the file.
#[derive(Debug, clap::Args)]
pub struct ServeArgs {
    /// TOML config file [env: SWITCHBOARD_CONFIG]
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// A project's .env (read only): its PUSHER_APP_*, REVERB_APP_* and SOKETI_DEFAULT_APP_*
    /// variables define apps [env: SWITCHBOARD_ENV_FILE]
    #[arg(long, value_name = "PATH")]
    env_file: Option<PathBuf>,
    /// Address to listen on [default: 127.0.0.1] [env: SWITCHBOARD_HOST]
    #[arg(long, value_name = "HOST", value_parser = NonEmptyStringValueParser::new())]
    host: Option<String>,
    /// Port to listen on; 0 picks a free one [default: 6001] [env: SWITCHBOARD_PORT]
    #[arg(long, value_name = "PORT")]
    port: Option<u16>,
    /// Record no observations for the inspector (leaner; for benchmarks)
    #[arg(long)]
    no_record: bool,
    #[command(flatten)]
    recording: RecordArgs,
}

pub async fn run(args: ServeArgs) -> ExitCode {
    let record = (!args.no_record, args.recording);
    let overrides = Overrides {
        config: args.config,
        env_file: args.env_file,
        host: args.host,
        port: args.port,
    };
    // Reloads load the same way: same flags, same environment.
    let load: Loader = Arc::new(move || Settings::load(overrides.clone(), &env_var));
    let settings = match load() {
        Ok(settings) => settings,
        Err(error) => {
            eprintln!("error: {error}");
            return ExitCode::from(EXIT_BAD_CONFIG);
        }
    };
    match serve(settings, load, record).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {}", one_line(&error));
            ExitCode::from(EXIT_CANNOT_RUN)
        }
    }
}

/// A variable of the process environment; a value that is not UTF-8 is passed on lossily so
/// the settings loader refuses it by name instead of it being silently ignored.
fn env_var(name: &str) -> Option<String> {
    std::env::var_os(name).map(|value| value.to_string_lossy().into_owned())
}

async fn serve(
    settings: Settings,
    load: Loader,
    (record, recording): (bool, RecordArgs),
) -> anyhow::Result<()> {
    let signals = Signals::listen().context("cannot watch SIGINT and SIGTERM")?;
    let banner = Banner::new(&settings);
    let recording = recording.recording(record)?;
    let launch = Launch { settings, load, recording, inspector_routes: None };
    let running = match launch.start().await {
        Ok(running) => running,
        Err(LaunchError::AddressInUse { host, port }) => anyhow::bail!(
            "cannot listen on {host}:{port}: address already in use (is another Switchboard \
             or Pusher server running? try --port)"
        ),
        Err(error) => return Err(error.into()),
    };
    let port = running.addr().port();
    // Warnings first: whoever reads the banner (a person, a test) has them already.
    for warning in running.settings().env_file_warnings(port) {
        eprintln!("warning: {warning}");
    }
    if let Err(error) = banner.print(&mut io::stdout().lock(), port, running.token()) {
        tracing::warn!("cannot print the start-up banner to stdout: {error}");
    }
    running.until(signals.recv()).await?;
    Ok(())
}

/// The error and its causes on one line, leaving out a cause its parent already quotes.
fn one_line(error: &anyhow::Error) -> String {
    let mut line = String::new();
    for cause in error.chain() {
        let text = cause.to_string();
        if line.contains(&text) {
            continue;
        }
        if !line.is_empty() {
            line.push_str(": ");
        }
        line.push_str(&text);
    }
    line.replace('\n', " ")
}

/// What `serve` prints on stdout once listening. Holds masked secrets only.
struct Banner {
    host: String,
    /// Each app's id, key, masked secret and whether it is enabled.
    apps: Vec<(String, String, String, bool)>,
}

impl Banner {
    fn new(settings: &Settings) -> Self {
        let apps = settings.apps.iter().map(|app| {
            let (id, key) = (app.id.to_string(), app.key.to_string());
            (id, key, app.secret.masked(), app.enabled)
        });
        Self { host: url_host(&settings.host), apps: apps.collect() }
    }

    /// The first line is parsed by tests and tools: keep its shape.
    /// Writes the banner; `token` is shown when remote peers need one for the inspector.
    fn print(&self, out: &mut impl Write, port: u16, token: Option<&str>) -> io::Result<()> {
        let host = &self.host;
        writeln!(out, "Switchboard listening on http://{host}:{port}")?;
        for (id, key, secret, enabled) in &self.apps {
            let disabled = if *enabled { "" } else { "  (disabled)" };
            writeln!(out, "  app {id}  key {key}  secret {secret}{disabled}")?;
        }
        for (id, key, _, _) in &self.apps {
            writeln!(out, "  WebSocket: ws://{host}:{port}/app/{key}")?;
            writeln!(out, "  HTTP API:  http://{host}:{port}/apps/{id}/events")?;
        }
        writeln!(out, "  Health: /up   Metrics: /metrics")?;
        writeln!(out, "  Inspector API: http://{host}:{port}/inspector/api/info")?;
        if let Some(token) = token {
            writeln!(out, "  Inspector token (needed from other machines): {token}")?;
        }
        out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn banner(settings: &Settings, port: u16) -> String {
        let mut out = Vec::new();
        Banner::new(settings).print(&mut out, port, None).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn banner_for_the_default_settings() {
        let expected = "Switchboard listening on http://127.0.0.1:6001\n\
                        \x20 app app-id  key app-key  secret ap******\n\
                        \x20 WebSocket: ws://127.0.0.1:6001/app/app-key\n\
                        \x20 HTTP API:  http://127.0.0.1:6001/apps/app-id/events\n\
                        \x20 Health: /up   Metrics: /metrics\n\
                        \x20 Inspector API: http://127.0.0.1:6001/inspector/api/info\n";
        assert_eq!(banner(&Settings::default(), 6001), expected);
    }

    #[test]
    fn banner_never_shows_a_secret_and_brackets_ipv6() {
        let text = "host = \"::1\"\n[[apps]]\nid = \"a\"\nkey = \"k\"\nsecret = \"sekrit-123\"\n\
                    enabled = false\n";
        let settings = Settings::from_toml_str(text, std::path::Path::new("s.toml")).unwrap();
        let out = banner(&settings, 40000);
        assert!(out.starts_with("Switchboard listening on http://[::1]:40000\n"), "{out}");
        assert!(out.contains("  app a  key k  secret se******  (disabled)\n"), "{out}");
        assert!(!out.contains("sekrit-123"), "{out}");
    }

    #[test]
    fn errors_print_on_one_line_without_repeats() {
        let io = io::Error::other("permission denied");
        let repeated = anyhow::Error::new(io).context("cannot listen on h:1: permission denied");
        let cases = [
            (anyhow::anyhow!("plain"), "plain"),
            (anyhow::anyhow!("two\nlines"), "two lines"),
            (anyhow::anyhow!("inner").context("outer"), "outer: inner"),
            (repeated, "cannot listen on h:1: permission denied"),
        ];
        for (error, expected) in cases {
            assert_eq!(one_line(&error), expected);
        }
    }
}
