//! `switchboard` — the headless binary: parses the command line and runs one subcommand.
//!
//! Each subcommand lives in its own module and returns the process exit code; `anyhow` is
//! used only here, at the edge, for errors that end the process.

mod bench;
mod data_dir;
mod inspect;
mod replay;
mod serve;
mod sessions;
mod shutdown;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// jemalloc, with its background thread on (see `main`), gives memory back to the system
/// within seconds after connections close; glibc's malloc kept nearly all of it. See
/// docs/benchmarks.md.
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

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
    /// Load-test any Pusher-compatible server (fan-out, idle, client events, churn).
    Bench(bench::BenchArgs),
    /// List the recorded sessions in the data directory.
    Sessions(sessions::SessionsArgs),
    /// Write a recorded session to a file (NDJSON or HAR).
    Export(sessions::ExportArgs),
    /// Store a session file (NDJSON, or HAR from Chrome, mitmproxy or Playwright).
    Import(sessions::ImportArgs),
    /// Replay a session file into a running server.
    Replay(replay::ReplayArgs),
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    switchboard::init_tracing();
    // Returns freed memory to the system within seconds (see the allocator above).
    let _ = tikv_jemalloc_ctl::background_thread::write(true);
    match cli.command {
        Command::Serve(args) => serve::run(args).await,
        Command::Bench(args) => bench::run(args).await,
        Command::Sessions(args) => finish(sessions::list(&args)),
        Command::Export(args) => finish(sessions::export_session(&args)),
        Command::Import(args) => finish(sessions::import_file(&args)),
        Command::Replay(args) => finish(replay::run(&args).await),
    }
}

/// Prints a subcommand's error on one line and exits 1.
fn finish(result: anyhow::Result<ExitCode>) -> ExitCode {
    result.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        ExitCode::FAILURE
    })
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
        let cases: [(&[&str], bool); 10] = [
            (&["switchboard", "serve"], true),
            (&["switchboard", "serve", "--no-record"], true),
            (&["switchboard", "serve", "--no-record=false"], false),
            (&["switchboard", "serve", "--env-file", "../app/.env"], true),
            (&["switchboard", "serve", "--env-file"], false),
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

    #[test]
    fn bench_flags_are_parsed() {
        let cases: [(&[&str], bool); 9] = [
            (&["switchboard", "bench", "fanout"], true),
            (&["switchboard", "bench", "--url", "ws://h:1", "fanout", "--rate", "100"], true),
            (
                &["switchboard", "bench", "fanout", "--json", "--duration", "500ms", "--pid", "7"],
                true,
            ),
            (&["switchboard", "bench", "idle", "--connections", "10", "--hold", "1s"], true),
            (&["switchboard", "bench", "client-events", "--pairs", "2", "--rate", "3"], true),
            (&["switchboard", "bench", "churn", "--workers", "4", "--warmup", "0"], true),
            (&["switchboard", "bench", "churn", "--workers", "0"], false),
            (&["switchboard", "bench", "fanout", "--duration", "soon"], false),
            (&["switchboard", "bench"], false),
        ];
        for (args, ok) in cases {
            assert_eq!(Cli::try_parse_from(args).is_ok(), ok, "{args:?}");
        }
    }
}
