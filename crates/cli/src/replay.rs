//! `switchboard replay FILE --to URL`: replays a recorded session (NDJSON or HAR) into a
//! running server through its inspector API, with a progress bar.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{bail, Context};
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};

use crate::sessions::read_file;

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// An NDJSON session or a HAR file
    file: PathBuf,
    /// The running server
    #[arg(long, value_name = "URL", default_value = "http://127.0.0.1:6001")]
    to: String,
    /// Play faster (2) or slower (0.5) than recorded
    #[arg(long, conflicts_with = "fast")]
    speed: Option<f64>,
    /// No waiting between events
    #[arg(long)]
    fast: bool,
    /// Rename channels: FROM=TO (exact, or a prefix with a trailing *)
    #[arg(long, value_name = "FROM=TO")]
    rename: Vec<String>,
    /// Publish into this app (default: the app recorded, else the server's first app)
    #[arg(long, value_name = "APP_ID")]
    app: Option<String>,
    /// The inspector token, when the server listens beyond loopback [env: SWITCHBOARD_TOKEN]
    #[arg(long, env = "SWITCHBOARD_TOKEN", hide_env = true)]
    token: Option<String>,
}

pub async fn run(args: &ReplayArgs) -> anyhow::Result<ExitCode> {
    let imported = read_file(&args.file)?;
    let body = request_body(args, &imported.records)?;
    let client = reqwest::Client::new();
    let base = format!("{}/inspector/api/replay", args.to.trim_end_matches('/'));
    let started: Value = send(client.post(&base).json(&body), args).await?;
    let id = started["id"].as_u64().context("the server did not return a replay id")?;
    let total = started["total"].as_u64().unwrap_or(0);
    let bar = ProgressBar::new(total).with_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} events {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    loop {
        let status: Value = send(client.get(format!("{base}/{id}")), args).await?;
        bar.set_position(status["done"].as_u64().unwrap_or(0));
        match status["state"].as_str() {
            Some("finished") => {
                bar.finish_with_message("done");
                return Ok(report(&status));
            }
            Some("cancelled") => bail!("the replay was cancelled"),
            _ => tokio::time::sleep(Duration::from_millis(200)).await,
        }
    }
}

fn request_body(
    args: &ReplayArgs,
    records: &[switchboard_engine::Observation],
) -> anyhow::Result<Value> {
    let rename: Vec<Value> = args
        .rename
        .iter()
        .map(|rule| match rule.split_once('=') {
            Some((from, to)) => Ok(json!({"from": from, "to": to})),
            None => bail!("--rename takes FROM=TO, got {rule:?}"),
        })
        .collect::<anyhow::Result<_>>()?;
    let (timing, speed) = match (args.fast, args.speed) {
        (true, _) => ("fastest", None),
        (false, Some(speed)) => ("scaled", Some(speed)),
        (false, None) => ("original", None),
    };
    Ok(
        json!({"records": records, "timing": timing, "speed": speed, "rename": rename, "app": args.app}),
    )
}

async fn send(request: reqwest::RequestBuilder, args: &ReplayArgs) -> anyhow::Result<Value> {
    let request = match &args.token {
        Some(token) => request.bearer_auth(token),
        None => request,
    };
    let response = request.send().await.with_context(|| format!("cannot reach {}", args.to))?;
    let status = response.status();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        let reason = body["error"].as_str().unwrap_or("no reason given");
        bail!("the server refused the replay ({status}): {reason}");
    }
    Ok(body)
}

fn report(status: &Value) -> ExitCode {
    let (done, failed) =
        (status["done"].as_u64().unwrap_or(0), status["failed"].as_u64().unwrap_or(0));
    println!("Replayed {} events ({failed} failed)", done - failed);
    if failed > 0 {
        if let Some(error) = status["last_error"].as_str() {
            eprintln!("last error: {error}");
        }
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}
