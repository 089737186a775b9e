//! switchboard — what the headless binary and the desktop app share: starting a server with
//! its inspector, recorder and live reload, and stopping them cleanly ([`launch`]).

pub mod launch;

/// Logs go to stderr, filtered by `RUST_LOG` (default `info`); stdout is for the banner.
/// Colours only on a terminal, so captured logs stay plain text.
pub fn init_tracing() {
    use std::io::IsTerminal;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}
