//! Records in the store: batched appends, cursor-paged queries with a predicate, lookups by
//! seq, and importing a whole session.

use std::borrow::{Borrow, Cow};

use rusqlite::{params, OptionalExtension, Transaction};
use serde::{Deserialize, Serialize};
use switchboard_engine::{Detail, Observation};

use super::conn_runs::{self, Run};
use super::session::valid_name;
use super::sockets::SocketNames;
use super::{default_session_name, Matcher, SessionId, SessionInfo, Store, StoreError};
use crate::socket_book::SocketBook;

/// The most records one page (or one lookup by seqs) returns.
pub const MAX_PAGE_LIMIT: usize = 10_000;

/// The most rows one query examines; a selective predicate may return a short page with a
/// cursor to continue from rather than scan a whole session in one call.
pub const SCAN_BOUND: usize = 50_000;

/// Where a page starts. Pages always list records in ascending `seq` order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cursor {
    /// Forward from the first record.
    Oldest,
    /// Forward from the first record after this seq.
    After(u64),
    /// Backward from the last record.
    Newest,
    /// Backward from the last record before this seq.
    Before(u64),
}

/// One page of a session.
#[derive(Debug, Clone, PartialEq)]
pub struct Page {
    /// Matching records, ascending by `seq`.
    pub records: Vec<Observation>,
    /// Where the next page in the same direction starts; `None` at the end of the session.
    pub next: Option<Cursor>,
}

const INSERT: &str = "INSERT INTO records
    (session_id, seq, at, kind, app, channel, event, socket, user, origin, json)
    VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";

const FORWARD: &str = "SELECT seq, json FROM records
    WHERE session_id = ?1 AND seq > ?2 ORDER BY seq ASC LIMIT ?3";

const BACKWARD: &str = "SELECT seq, json FROM records
    WHERE session_id = ?1 AND seq <= ?2 ORDER BY seq DESC LIMIT ?3";

impl Store {
    /// Appends records to a session in one transaction: all of them or none.
    pub fn append<R: Borrow<Observation>>(
        &mut self,
        session: SessionId,
        records: &[R],
    ) -> Result<(), StoreError> {
        if records.is_empty() {
            return Ok(());
        }
        let mut names = match self.names.take() {
            Some(names) if names.session() == session => names,
            _ => SocketNames::load(&self.conn, session)?,
        };
        let tx = self.conn.transaction()?;
        let records = records.iter().map(|record| record.borrow());
        insert_records(&tx, session, records, &mut names, &mut self.book)?;
        tx.commit()?;
        self.names = Some(names);
        Ok(())
    }

    /// Keeps track of the connections in records not recorded (no session is being recorded),
    /// so that deliveries to them name them once a session starts.
    pub fn pass_over<R: Borrow<Observation>>(&mut self, records: &[R]) {
        for record in records {
            self.book.learn(record.borrow());
            self.book.forget_closed(record.borrow());
        }
    }

    /// The socket ids stored for `session`.
    fn names_of(&self, session: SessionId) -> Result<Cow<'_, SocketNames>, StoreError> {
        match &self.names {
            Some(names) if names.session() == session => Ok(Cow::Borrowed(names)),
            _ => Ok(Cow::Owned(SocketNames::load(&self.conn, session)?)),
        }
    }

    /// Up to `limit` (at most `MAX_PAGE_LIMIT`) records of `session` from `cursor` that
    /// `matcher` accepts, examining at most `SCAN_BOUND` rows.
    pub fn query(
        &self,
        session: SessionId,
        cursor: Cursor,
        limit: usize,
        matcher: Option<Matcher<'_>>,
    ) -> Result<Page, StoreError> {
        self.session(session)?;
        let limit = limit.min(MAX_PAGE_LIMIT);
        if limit == 0 {
            return Ok(Page { records: Vec::new(), next: Some(cursor) });
        }
        let (sql, bound, forward) = match cursor {
            Cursor::Oldest => (FORWARD, Some(i64::MIN), true),
            Cursor::After(seq) => (FORWARD, i64::try_from(seq).ok(), true),
            Cursor::Newest => (BACKWARD, Some(i64::MAX), false),
            Cursor::Before(seq) => {
                (BACKWARD, seq.checked_sub(1).map(|s| i64::try_from(s).unwrap_or(i64::MAX)), false)
            }
        };
        let Some(bound) = bound else {
            return Ok(Page { records: Vec::new(), next: None });
        };
        let scan = Scan { session, limit, forward, matcher };
        self.scan(sql, bound, &scan)
    }

    fn scan(&self, sql: &str, bound: i64, scan: &Scan<'_>) -> Result<Page, StoreError> {
        let names = self.names_of(scan.session)?;
        let mut statement = self.conn.prepare_cached(sql)?;
        let mut rows = statement.query(params![scan.session.0, bound, SCAN_BOUND + 1])?;
        let (mut records, mut scanned, mut last) = (Vec::new(), 0, None);
        let mut more = false;
        while let Some(row) = rows.next()? {
            if records.len() == scan.limit || scanned == SCAN_BOUND {
                more = true;
                break;
            }
            let seq: u64 = row.get(0)?;
            let json: String = row.get(1)?;
            let record = decode(scan.session, seq, &json, &names)?;
            (scanned, last) = (scanned + 1, Some(seq));
            if scan.matcher.is_none_or(|matches| matches(&record)) {
                records.push(record);
            }
        }
        let next = match (more, last) {
            (true, Some(seq)) if scan.forward => Some(Cursor::After(seq)),
            (true, Some(seq)) => Some(Cursor::Before(seq)),
            _ => None,
        };
        if !scan.forward {
            records.reverse();
        }
        Ok(Page { records, next })
    }

    /// The records of `session` with these seqs (at most `MAX_PAGE_LIMIT` of the smallest),
    /// ascending; seqs with no record are skipped.
    pub fn records_by_seqs(
        &self,
        session: SessionId,
        seqs: &[u64],
    ) -> Result<Vec<Observation>, StoreError> {
        let mut seqs = seqs.to_vec();
        seqs.sort_unstable();
        seqs.dedup();
        seqs.truncate(MAX_PAGE_LIMIT);
        let names = self.names_of(session)?;
        let mut statement = self
            .conn
            .prepare_cached("SELECT json FROM records WHERE session_id = ?1 AND seq = ?2")?;
        let mut records = Vec::with_capacity(seqs.len());
        for seq in seqs {
            let json: Option<String> =
                statement.query_row(params![session.0, seq], |row| row.get(0)).optional()?;
            if let Some(json) = json {
                records.push(decode(session, seq, &json, &names)?);
            }
        }
        Ok(records)
    }

    /// Stores a whole session (from an import) in one transaction and returns it. `meta`'s
    /// name and times are kept (a blank name gets the default); its id and counts are
    /// recomputed. `now` (unix ms) is when it entered this database, which retention counts
    /// from. A session without an end ends at its last record.
    pub fn import_session<I>(
        &mut self,
        meta: &SessionInfo,
        records: I,
        now: u64,
    ) -> Result<SessionInfo, StoreError>
    where
        I: IntoIterator,
        I::Item: Borrow<Observation>,
    {
        let name = valid_name(&meta.name)
            .map_or_else(|_| default_session_name(meta.started_at), str::to_owned);
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO sessions (name, created_at, started_at) VALUES (?1, ?2, ?3)",
            params![name, now, meta.started_at],
        )?;
        let id = SessionId(tx.last_insert_rowid());
        let mut names = SocketNames::load(&tx, id)?;
        insert_records(&tx, id, records.into_iter(), &mut names, &mut SocketBook::default())?;
        tx.execute(
            "UPDATE sessions SET ended_at = COALESCE(?2, last_at, started_at) WHERE id = ?1",
            params![id.0, meta.ended_at],
        )?;
        tx.commit()?;
        self.session(id)
    }
}

/// What one scan looks for.
struct Scan<'a> {
    session: SessionId,
    limit: usize,
    forward: bool,
    matcher: Option<Matcher<'a>>,
}

/// Running totals of a batch, folded into the session row with the batch.
#[derive(Default)]
struct Tally {
    count: u64,
    missed: u64,
    first_at: Option<u64>,
    last_at: Option<u64>,
}

impl Tally {
    fn add(&mut self, record: &Observation) {
        self.count += 1;
        if let Detail::Gap { missed } = record.detail {
            self.missed += missed;
        }
        self.first_at = Some(self.first_at.map_or(record.at, |at| at.min(record.at)));
        self.last_at = Some(self.last_at.map_or(record.at, |at| at.max(record.at)));
    }
}

/// Inserts records and updates the session's totals, inside the caller's transaction.
fn insert_records<I>(
    tx: &Transaction<'_>,
    session: SessionId,
    records: I,
    names: &mut SocketNames,
    book: &mut SocketBook,
) -> Result<(), StoreError>
where
    I: Iterator,
    I::Item: Borrow<Observation>,
{
    let mut insert = tx.prepare_cached(INSERT)?;
    let mut tally = Tally::default();
    for record in records {
        let record = record.borrow();
        let (stored, runs) = names.stored(tx, record, book)?;
        let json = encode(&stored, runs.as_deref())
            .map_err(|source| StoreError::Encode { seq: record.seq, source })?;
        insert
            .execute(params![
                session.0,
                record.seq,
                record.at,
                record.detail.kind(),
                record.app.as_ref().map(|app| app.as_str()),
                record.channel,
                record.event,
                record.socket.as_ref().map(|socket| socket.as_str()),
                record.user.as_ref().map(|user| user.as_str()),
                record.origin.name(),
                json,
            ])
            .map_err(|error| duplicate_or(error, session, record.seq))?;
        tally.add(record);
    }
    let changed = tx.execute(
        "UPDATE sessions SET record_count = record_count + ?2, missed = missed + ?3,
             first_at = MIN(COALESCE(first_at, ?4), ?4), last_at = MAX(COALESCE(last_at, ?5), ?5)
         WHERE id = ?1",
        params![session.0, tally.count, tally.missed, tally.first_at, tally.last_at],
    )?;
    if changed == 0 {
        return Err(StoreError::NoSuchSession(session));
    }
    Ok(())
}

fn decode(
    session: SessionId,
    seq: u64,
    json: &str,
    names: &SocketNames,
) -> Result<Observation, StoreError> {
    let error = |source| StoreError::Decode { session, seq, source };
    let mut record: Observation = serde_json::from_str(json).map_err(error)?;
    if let (Some(runs), Detail::Delivery { reached, .. }) =
        (conn_runs::read(json).map_err(error)?, &mut record.detail)
    {
        *reached = conn_runs::targets_of(&runs);
    }
    names.fill(&mut record);
    Ok(record)
}

/// A primary-key clash means the session already holds this seq.
fn duplicate_or(error: rusqlite::Error, session: SessionId, seq: u64) -> StoreError {
    match error.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::DuplicateSeq { session, seq },
        _ => StoreError::Sqlite(error),
    }
}

/// A record's JSON, with its reached connections' runs if it has them, written into a
/// buffer sized for it up front (growing it by doubling copied a large delivery repeatedly).
fn encode(record: &Observation, runs: Option<&[Run]>) -> serde_json::Result<String> {
    let targets = match &record.detail {
        Detail::Delivery { reached, skipped, raw, .. } => reached.len() + skipped.len() + raw.len(),
        _ => 0,
    };
    let mut json = Vec::with_capacity(256 + 16 * targets);
    serde_json::to_writer(&mut json, record)?;
    if let Some(runs) = runs {
        json.pop(); // the record's closing brace
        json.extend_from_slice(format!(",\"{}\":", conn_runs::FIELD).as_bytes());
        serde_json::to_writer(&mut json, runs)?;
        json.push(b'}');
    }
    Ok(String::from_utf8(json).expect("serde_json writes UTF-8"))
}
