//! `switchboard` — the headless binary: parses the command line and runs one subcommand.
//!
//! Each subcommand lives in its own module and returns the process exit code; `anyhow` is
//! used only here, at the edge, for errors that end the process.

mod serve;
mod shutdown;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// A Pusher-Channels-compatible server with a live inspector.
#[derive(Debug, Parser)]
#[command(name = "switchboard", version, about, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the server and the inspector until SIGINT or SIGTERM.
    Serve(serve::ServeArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing();
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
    }
}

/// Logs go to stderr, filtered by `RUST_LOG` (default `info`); stdout is for the banner.
/// Colours only on a terminal, so captured logs stay plain text.
fn init_tracing() {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_is_well_formed() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn serve_flags_are_parsed() {
        let cases: [(&[&str], bool); 6] = [
            (&["switchboard", "serve"], true),
            (
                &["switchboard", "serve", "--config", "s.toml", "--host", "0.0.0.0", "--port", "0"],
                true,
            ),
            (&["switchboard", "serve", "--port", "65536"], false),
            (&["switchboard", "serve", "--host", ""], false),
            (&["switchboard", "serve", "--bogus"], false),
            (&["switchboard"], false),
        ];
        for (args, ok) in cases {
            assert_eq!(Cli::try_parse_from(args).is_ok(), ok, "{args:?}");
        }
    }
}
