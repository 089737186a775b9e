//! `switchboard sessions`, `export` and `import`: recorded sessions in the data directory,
//! read and written directly (a running server may hold the same database; SQLite's WAL
//! lets both work).

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use switchboard_engine::Observation;
use switchboard_inspector::export::{self, HarOptions, Imported, SessionMeta};
use switchboard_inspector::store::{Cursor, SessionId, SessionInfo, Store};

use crate::data_dir::DataDirArg;

#[derive(Debug, clap::Args)]
pub struct SessionsArgs {
    #[command(flatten)]
    data: DataDirArg,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Ndjson,
    Har,
}

#[derive(Debug, clap::Args)]
pub struct ExportArgs {
    /// The session id (see `switchboard sessions`)
    session: i64,
    #[arg(long, value_enum, default_value = "ndjson")]
    format: Format,
    /// The file to write
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    output: PathBuf,
    /// The server address clients used, for URLs in a HAR file
    #[arg(long, default_value = "http://127.0.0.1:6001")]
    origin: String,
    #[command(flatten)]
    data: DataDirArg,
}

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// An NDJSON session or a HAR file (Chrome, mitmproxy, Playwright)
    file: PathBuf,
    #[command(flatten)]
    data: DataDirArg,
}

pub fn list(args: &SessionsArgs) -> anyhow::Result<ExitCode> {
    let store = open(&args.data)?;
    let sessions = store.sessions()?;
    if sessions.is_empty() {
        println!("No sessions in {}", store.path().display());
        return Ok(ExitCode::SUCCESS);
    }
    println!("{:>5}  {:<36} {:>9}  {:<20}  ended", "id", "name", "records", "started (UTC)");
    for s in sessions {
        let ended = s.ended_at.map_or_else(|| "recording".to_owned(), export::iso8601);
        println!(
            "{:>5}  {:<36} {:>9}  {:<20}  {ended}",
            s.id,
            s.name,
            s.records,
            short_time(s.started_at)
        );
    }
    Ok(ExitCode::SUCCESS)
}

pub fn export_session(args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let store = open(&args.data)?;
    let id = SessionId(args.session);
    let session = store
        .session(id)
        .with_context(|| format!("no session {id} in {}", store.path().display()))?;
    let records = all_records(&store, id)?;
    let file = File::create(&args.output)
        .with_context(|| format!("cannot create {}", args.output.display()))?;
    let meta = meta(&session);
    let out = BufWriter::new(file);
    let mut out = match args.format {
        Format::Ndjson => export::write_ndjson(out, &meta, now_ms(), &records)?,
        Format::Har => {
            let har =
                export::export_har(&meta, &records, &HarOptions { origin: args.origin.clone() });
            export::write_har(out, &har)?
        }
    };
    out.flush()?;
    println!("Exported session {id} ({} records) to {}", records.len(), args.output.display());
    Ok(ExitCode::SUCCESS)
}

pub fn import_file(args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let imported = read_file(&args.file)?;
    for skip in &imported.skipped {
        eprintln!("warning: {}: {skip}", args.file.display());
    }
    let mut store = open(&args.data)?;
    let meta = SessionInfo {
        id: SessionId(0),
        name: imported.meta.name.clone(),
        started_at: imported.meta.started_at,
        ended_at: imported.meta.ended_at,
        records: 0,
        missed: 0,
        first_at: None,
        last_at: None,
    };
    let stored = store.import_session(&meta, &imported.records, now_ms())?;
    println!("Imported {} records as session {} ({})", stored.records, stored.id, stored.name);
    Ok(ExitCode::SUCCESS)
}

/// Reads an NDJSON session or a HAR file (detected by the first line).
pub fn read_file(path: &PathBuf) -> anyhow::Result<Imported> {
    let text = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let first = text.split(|b| *b == b'\n').next().unwrap_or_default();
    let first = first.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(first);
    let ndjson =
        serde_json::from_slice::<serde_json::Value>(first).is_ok_and(|v| v.get("format").is_some());
    let result = if ndjson {
        export::import_ndjson(BufReader::new(&text[..]))
    } else {
        export::import_har(&text[..])
    };
    match result {
        Ok(imported) => Ok(imported),
        Err(error) => bail!("cannot import {}: {error}", path.display()),
    }
}

fn open(data: &DataDirArg) -> anyhow::Result<Store> {
    let dir = data.resolve()?;
    Ok(Store::open(&dir)?)
}

fn all_records(store: &Store, id: SessionId) -> anyhow::Result<Vec<Observation>> {
    let mut records = Vec::new();
    let mut cursor = Cursor::Oldest;
    loop {
        let page = store.query(id, cursor, 5000, None)?;
        records.extend(page.records);
        match page.next {
            Some(next) => cursor = next,
            None => return Ok(records),
        }
    }
}

fn meta(session: &SessionInfo) -> SessionMeta {
    SessionMeta {
        id: session.id.to_string(),
        name: session.name.clone(),
        started_at: session.started_at,
        ended_at: session.ended_at,
    }
}

fn short_time(ms: u64) -> String {
    export::iso8601(ms).chars().take(19).collect::<String>().replace('T', " ")
}

pub fn now_ms() -> u64 {
    let since = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH);
    since.map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}
