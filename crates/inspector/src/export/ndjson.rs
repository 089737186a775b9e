//! NDJSON, Switchboard's native session file: one header line, then one record per line,
//! each exactly as the record serializes, so export → import gives back equal records.
//!
//! Import is forgiving line by line: a line that is not a record is reported (with its
//! number and what is wrong) and the others are still imported. Only a bad header refuses
//! the whole file. `Imported::require_complete` gives the strict reading.

use std::io::{self, BufRead, Write};

use serde::{Deserialize, Serialize};
use serde_json::Value;
use switchboard_engine::{Millis, Observation};

use super::{ImportError, ImportSkip, Imported, SessionMeta};

/// The `format` of the header line.
pub const FORMAT_NAME: &str = "switchboard-session";
/// The `version` this code writes and the newest it reads.
pub const FORMAT_VERSION: u64 = 1;

/// The first line of an NDJSON session file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NdjsonHeader {
    pub format: String,
    pub version: u64,
    pub session: SessionMeta,
    /// Unix milliseconds.
    pub exported_at: Millis,
    /// How many record lines follow, when known when the header was written.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub records: Option<u64>,
}

impl NdjsonHeader {
    pub fn new(session: SessionMeta, exported_at: Millis, records: Option<u64>) -> Self {
        let format = FORMAT_NAME.to_owned();
        Self { format, version: FORMAT_VERSION, session, exported_at, records }
    }
}

/// Writes a session file record by record (for sessions streamed out of the store).
#[derive(Debug)]
pub struct NdjsonWriter<W: Write> {
    out: W,
}

impl<W: Write> NdjsonWriter<W> {
    /// Writes the header line.
    pub fn start(mut out: W, header: &NdjsonHeader) -> io::Result<Self> {
        serde_json::to_writer(&mut out, header)?;
        out.write_all(b"\n")?;
        Ok(Self { out })
    }

    pub fn record(&mut self, record: &Observation) -> io::Result<()> {
        serde_json::to_writer(&mut self.out, record)?;
        self.out.write_all(b"\n")
    }

    /// Flushes and hands the writer back.
    pub fn finish(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }
}

/// Writes a whole session: the header (with the record count), then the records.
pub fn write_ndjson<W: Write>(
    out: W,
    session: &SessionMeta,
    exported_at: Millis,
    records: &[Observation],
) -> io::Result<W> {
    let count = u64::try_from(records.len()).ok();
    let header = NdjsonHeader::new(session.clone(), exported_at, count);
    let mut writer = NdjsonWriter::start(out, &header)?;
    for record in records {
        writer.record(record)?;
    }
    writer.finish()
}

/// Reads a session file. See the module comment for how bad lines are handled.
pub fn import_ndjson<R: BufRead>(mut reader: R) -> Result<Imported, ImportError> {
    let mut buffer = Vec::new();
    if reader.read_until(b'\n', &mut buffer)? == 0 || buffer.trim_ascii().is_empty() {
        return Err(ImportError::Empty);
    }
    let header = header(strip_bom(&buffer))?;
    let mut imported = Imported { meta: header.session, records: Vec::new(), skipped: Vec::new() };
    let mut line = 1;
    loop {
        buffer.clear();
        if reader.read_until(b'\n', &mut buffer)? == 0 {
            break;
        }
        line += 1;
        read_record(&buffer, line, &mut imported);
    }
    check_count(header.records, &mut imported);
    Ok(imported)
}

fn strip_bom(line: &[u8]) -> &[u8] {
    line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)
}

fn header(line: &[u8]) -> Result<NdjsonHeader, ImportError> {
    let value: Value = serde_json::from_slice(line)
        .map_err(|e| ImportError::NotASession { reason: e.to_string() })?;
    match value.get("format").and_then(Value::as_str) {
        Some(FORMAT_NAME) => {}
        Some(other) => return Err(ImportError::WrongFormat { found: other.to_owned() }),
        None => {
            let reason = "it has no \"format\" field".to_owned();
            return Err(ImportError::NotASession { reason });
        }
    }
    match value.get("version").and_then(Value::as_u64) {
        Some(found) if found > FORMAT_VERSION => {
            return Err(ImportError::UnsupportedVersion { found, supported: FORMAT_VERSION });
        }
        _ => {}
    }
    serde_json::from_value(value).map_err(|e| ImportError::NotASession { reason: e.to_string() })
}

fn read_record(bytes: &[u8], line: usize, imported: &mut Imported) {
    let Ok(text) = std::str::from_utf8(bytes) else {
        imported.skipped.push(ImportSkip::NotUtf8 { line });
        return;
    };
    let text = text.trim();
    if text.is_empty() {
        return;
    }
    match serde_json::from_str::<Observation>(text) {
        Ok(record) => imported.records.push(record),
        Err(error) => imported.skipped.push(ImportSkip::BadLine { line, error: error.to_string() }),
    }
}

/// A header count above what the file holds means lines went missing (a file cut short at
/// a line boundary), which would otherwise go unnoticed; one below it means lines were
/// added. Damaged lines are already reported on their own.
fn check_count(expected: Option<u64>, imported: &mut Imported) {
    let Some(expected) = expected else { return };
    let found = u64::try_from(imported.records.len()).unwrap_or(u64::MAX);
    let damaged = u64::try_from(imported.skipped.len()).unwrap_or(u64::MAX);
    if found.saturating_add(damaged) < expected || found > expected {
        imported.skipped.push(ImportSkip::CountMismatch { expected, found });
    }
}
