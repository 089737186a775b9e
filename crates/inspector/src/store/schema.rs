//! The database's schema, its version check and its migrations.
//!
//! The file is tagged with an `application_id` so a stranger's SQLite file is recognised and
//! left alone, and with a `user_version` so an older build refuses a newer file rather than
//! misreading it. Nothing here ever deletes or rewrites a file it does not recognise.

use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, OptionalExtension};

use super::StoreError;

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: i64 = 3;

/// "SWBD", in the SQLite header's application id field.
const APPLICATION_ID: i32 = 0x5357_4244;

/// How long a statement waits for another process's lock (a CLI reading while a server
/// records) before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

/// Version 1. Session ids are never reused (`AUTOINCREMENT`), so a stale link to a deleted
/// session cannot show another one. Records are keyed by `(session_id, seq)`: cursor
/// paging, lookups by seq and deleting a session are all range scans of that key, so no
/// other index is needed (each extra index would slow every batch write). The filterable
/// columns mirror the JSON so a later version can push simple filters into SQL.
const SCHEMA_V1: &str = "
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    ended_at INTEGER,
    record_count INTEGER NOT NULL DEFAULT 0,
    missed INTEGER NOT NULL DEFAULT 0,
    first_at INTEGER,
    last_at INTEGER
);
CREATE TABLE records (
    session_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    kind TEXT NOT NULL,
    app TEXT,
    channel TEXT,
    event TEXT,
    socket TEXT,
    user TEXT,
    origin TEXT NOT NULL,
    json TEXT NOT NULL,
    PRIMARY KEY (session_id, seq)
);
";

/// Version 2: each connection's socket id once per session (`sockets.rs`); delivery records
/// written since name the connections they reached by number only. Version 1 records keep
/// their socket ids inline and read back unchanged.
const SCHEMA_V2: &str = "
CREATE TABLE sockets (
    session_id INTEGER NOT NULL,
    conn INTEGER NOT NULL,
    socket TEXT NOT NULL,
    PRIMARY KEY (session_id, conn)
) WITHOUT ROWID;
";

// Version 3 adds no table: delivery records written since may store their reached
// connections as runs (`conn_runs.rs`), which a version-2 build would read as reaching nobody,
// so the version goes up for older builds to refuse the file.

/// Checks the file is ours and not newer, sets the connection up, and migrates it.
pub fn prepare(conn: &mut Connection, path: &Path) -> Result<(), StoreError> {
    let unreadable = |source| StoreError::Unreadable { path: path.to_owned(), source };
    let found_id: i32 =
        conn.pragma_query_value(None, "application_id", |row| row.get(0)).map_err(unreadable)?;
    let version: i64 =
        conn.pragma_query_value(None, "user_version", |row| row.get(0)).map_err(unreadable)?;
    if found_id != APPLICATION_ID && (found_id != 0 || has_tables(conn).map_err(unreadable)?) {
        return Err(StoreError::ForeignDatabase { path: path.to_owned(), found: found_id });
    }
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_owned(),
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    configure(conn).map_err(unreadable)?;
    if version < SCHEMA_VERSION {
        migrate(conn, version)?;
    }
    Ok(())
}

/// WAL so a crash never loses committed batches and readers never block the writer;
/// `synchronous=NORMAL` is durable against process crashes in WAL mode (only an OS crash or
/// power loss can drop the last commits).
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        tracing::warn!(mode, "the recording database could not switch to WAL mode");
    }
    conn.pragma_update(None, "synchronous", "NORMAL")
}

fn has_tables(conn: &Connection) -> rusqlite::Result<bool> {
    conn.query_row("SELECT 1 FROM sqlite_master LIMIT 1", [], |_| Ok(()))
        .optional()
        .map(|found| found.is_some())
}

/// Brings a file from `from` up to `SCHEMA_VERSION` in one transaction.
fn migrate(conn: &mut Connection, from: i64) -> Result<(), StoreError> {
    let tx = conn.transaction()?;
    if from < 1 {
        tx.execute_batch(SCHEMA_V1)?;
    }
    if from < 2 {
        tx.execute_batch(SCHEMA_V2)?;
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)?;
    tx.pragma_update(None, "user_version", SCHEMA_VERSION)?;
    tx.commit()?;
    Ok(())
}
