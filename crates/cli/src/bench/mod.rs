//! `switchboard bench`: a load generator for any Pusher-compatible server.
//!
//! Scenarios: `fanout` (one channel, many subscribers, HTTP publishes), `idle` (many
//! subscribed connections: connect rate, server memory), `client-events` (round trips
//! between pairs of clients), `churn` (connect/subscribe/unsubscribe/disconnect loops).
//! Each scenario runs on one single-threaded tokio runtime; `fanout` adds one OS thread that
//! reads all its subscribers (a `mio` poll loop over their raw sockets, `fanout/receiver.rs`)
//! while its publishers stay on the runtime. Pinning the process to a core (`taskset`) pins
//! the whole generator; `/proc` CPU figures (the process, every thread) then say whether it
//! was the limit. Latencies are measured from a timestamp carried in the payload.

mod churn;
mod client;
mod client_events;
mod fanout;
mod fleet;
mod idle;
mod payload;
mod procfs;
mod progress;
mod publisher;
mod report;
mod stats;
mod target;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;

use self::procfs::{CpuMeters, CpuUse};
use self::progress::Progress;
use self::report::Report;
use self::stats::Clock;
use self::target::Target;

/// Flags of `switchboard bench`; the shared ones may come before or after the scenario.
#[derive(Debug, clap::Args)]
pub struct BenchArgs {
    /// The server's WebSocket address; the HTTP API is on the same host and port
    #[arg(long, global = true, default_value = "ws://127.0.0.1:6001")]
    url: String,
    /// App id (for the HTTP API path)
    #[arg(long, global = true, default_value = "app-id")]
    app_id: String,
    /// App key
    #[arg(long, global = true, default_value = "app-key")]
    key: String,
    /// App secret (signs HTTP requests and private/presence subscriptions)
    #[arg(long, global = true, default_value = "app-secret")]
    secret: String,
    /// The server's process id: adds its resident memory and CPU use to the report
    #[arg(long, global = true)]
    pid: Option<u32>,
    /// How long to measure (e.g. 10s, 500ms)
    #[arg(long, global = true, default_value = "10s", value_parser = parse_duration)]
    duration: Duration,
    /// Load before measuring starts, not counted
    #[arg(long, global = true, default_value = "2s", value_parser = parse_duration)]
    warmup: Duration,
    /// Connections being opened at once
    #[arg(long, global = true, default_value_t = 64)]
    connect_concurrency: usize,
    /// Print one JSON object instead of the table
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    scenario: Scenario,
}

#[derive(Debug, clap::Subcommand)]
enum Scenario {
    /// N subscribers on one channel; events through the HTTP API at a rate or flat out
    Fanout(fanout::FanoutArgs),
    /// N subscribed connections: connect rate, and server memory per connection (--pid)
    Idle(idle::IdleArgs),
    /// Pairs of clients on private channels exchanging client events: round trips
    ClientEvents(client_events::ClientEventsArgs),
    /// Connect, subscribe, unsubscribe, disconnect in a loop: cycles per second
    Churn(churn::ChurnArgs),
}

/// What every scenario gets.
pub struct Common {
    target: Arc<Target>,
    pid: Option<u32>,
    duration: Duration,
    warmup: Duration,
    concurrency: usize,
    progress: Progress,
    clock: Clock,
}

/// Runs the scenario on its own single-threaded runtime and prints the report.
pub async fn run(args: BenchArgs) -> ExitCode {
    let json = args.json;
    let url = args.url.clone();
    let outcome = tokio::task::spawn_blocking(move || execute(&args)).await;
    let report = match outcome {
        Ok(Ok(report)) => report,
        Ok(Err(error)) => {
            eprintln!("error: {error:#}");
            return ExitCode::FAILURE;
        }
        Err(error) => {
            eprintln!("error: the bench stopped: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut out = std::io::stdout().lock();
    match report.print(&url, json, &mut out).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(_) => ExitCode::FAILURE,
    }
}

fn execute(args: &BenchArgs) -> anyhow::Result<Report> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the bench's runtime")?;
    let target = Target::new(&args.url, &args.app_id, &args.key, &args.secret)?;
    let common = Common {
        target: Arc::new(target),
        pid: args.pid,
        duration: args.duration,
        warmup: args.warmup,
        concurrency: args.connect_concurrency.max(1),
        progress: Progress::new(!args.json && std::io::stderr().is_terminal()),
        clock: Clock::start(),
    };
    let report = runtime.block_on(async {
        match &args.scenario {
            Scenario::Fanout(scenario) => fanout::run(&common, scenario).await,
            Scenario::Idle(scenario) => idle::run(&common, scenario).await,
            Scenario::ClientEvents(scenario) => client_events::run(&common, scenario).await,
            Scenario::Churn(scenario) => churn::run(&common, scenario).await,
        }
    });
    common.progress.finish();
    report
}

/// Warms up, then measures for the configured duration with `measuring` set (scenarios
/// count only what happens while it is); `note` gives the progress bar a live figure.
async fn window(
    common: &Common,
    measuring: &AtomicBool,
    note: impl FnMut() -> String,
) -> (Duration, CpuUse) {
    common.progress.wait("warming up", common.warmup, String::new).await;
    let cpu = CpuMeters::start(common.pid);
    let started = Instant::now();
    measuring.store(true, Ordering::Relaxed);
    common.progress.wait("measuring", common.duration, note).await;
    measuring.store(false, Ordering::Relaxed);
    (started.elapsed(), cpu.read())
}

/// `10s`, `500ms`, `2m`, or plain seconds (`1.5`).
fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| c.is_ascii_alphabetic()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let value: f64 = number.trim().parse().map_err(|_| format!("{text:?} is not a duration"))?;
    let seconds = match unit {
        "ms" => value / 1000.0,
        "s" => value,
        "m" => value * 60.0,
        _ => return Err(format!("{text:?}: use ms, s or m")),
    };
    Duration::try_from_secs_f64(seconds).map_err(|_| format!("{text:?} is out of range"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        let ok = [
            ("10s", 10_000),
            ("500ms", 500),
            ("2m", 120_000),
            ("1.5", 1_500),
            (" 3 s ", 3_000),
            ("0", 0),
        ];
        for (text, millis) in ok {
            assert_eq!(parse_duration(text), Ok(Duration::from_millis(millis)), "{text}");
        }
        for bad in ["", "ten", "5h", "-1s", "1e400"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }
}
