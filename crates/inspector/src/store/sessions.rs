//! Session lifecycle in the store: create, end, rename, delete, list, crash recovery and
//! retention.

use rusqlite::{params, OptionalExtension, Row};

use super::session::valid_name;
use super::sockets::SocketNames;
use super::{default_session_name, Retention, SessionId, SessionInfo, Store, StoreError};

const SESSION_COLUMNS: &str =
    "id, name, started_at, ended_at, record_count, missed, first_at, last_at";

const DAY_MS: u64 = 86_400_000;

fn session_from_row(row: &Row<'_>) -> rusqlite::Result<SessionInfo> {
    Ok(SessionInfo {
        id: SessionId(row.get(0)?),
        name: row.get(1)?,
        started_at: row.get(2)?,
        ended_at: row.get(3)?,
        records: row.get(4)?,
        missed: row.get(5)?,
        first_at: row.get(6)?,
        last_at: row.get(7)?,
    })
}

impl Store {
    /// Starts a session at `started_at` (unix ms); `None` names it after its start time. The
    /// socket ids of the connections open now (as appended records tell) are stored with it.
    pub fn create_session(
        &mut self,
        name: Option<&str>,
        started_at: u64,
    ) -> Result<SessionInfo, StoreError> {
        let name = match name {
            Some(name) => valid_name(name)?.to_owned(),
            None => default_session_name(started_at),
        };
        let tx = self.conn.transaction()?;
        tx.execute(
            "INSERT INTO sessions (name, created_at, started_at) VALUES (?1, ?2, ?2)",
            params![name, started_at],
        )?;
        let names = SocketNames::seeded(&tx, SessionId(tx.last_insert_rowid()), &self.book)?;
        tx.commit()?;
        let session = names.session();
        self.names = Some(names);
        self.session(session)
    }

    /// Marks a session ended at `ended_at`; a session already ended keeps its first end.
    pub fn end_session(&mut self, id: SessionId, ended_at: u64) -> Result<SessionInfo, StoreError> {
        let changed = self.conn.execute(
            "UPDATE sessions SET ended_at = COALESCE(ended_at, ?2) WHERE id = ?1",
            params![id.0, ended_at],
        )?;
        if changed == 0 {
            return Err(StoreError::NoSuchSession(id));
        }
        self.session(id)
    }

    pub fn rename_session(&mut self, id: SessionId, name: &str) -> Result<SessionInfo, StoreError> {
        let name = valid_name(name)?;
        let changed = self
            .conn
            .execute("UPDATE sessions SET name = ?2 WHERE id = ?1", params![id.0, name])?;
        if changed == 0 {
            return Err(StoreError::NoSuchSession(id));
        }
        self.session(id)
    }

    /// Deletes a session and its records, in one transaction.
    pub fn delete_session(&mut self, id: SessionId) -> Result<(), StoreError> {
        let deleted = self.delete_sessions(&[id])?;
        if deleted == 0 {
            return Err(StoreError::NoSuchSession(id));
        }
        Ok(())
    }

    pub fn session(&self, id: SessionId) -> Result<SessionInfo, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions WHERE id = ?1");
        self.conn
            .query_row(&sql, [id.0], session_from_row)
            .optional()?
            .ok_or(StoreError::NoSuchSession(id))
    }

    /// Every session, newest first.
    pub fn sessions(&self) -> Result<Vec<SessionInfo>, StoreError> {
        let sql = format!("SELECT {SESSION_COLUMNS} FROM sessions ORDER BY id DESC");
        let mut statement = self.conn.prepare(&sql)?;
        let sessions = statement.query_map([], session_from_row)?;
        Ok(sessions.collect::<Result<_, _>>()?)
    }

    /// Ends the sessions a crash left open, at their last record's time (or their start when
    /// empty). Call it once, from the process that records, before starting a new session.
    pub fn close_unfinished_sessions(&mut self) -> Result<Vec<SessionId>, StoreError> {
        let mut statement = self.conn.prepare(
            "UPDATE sessions SET ended_at = COALESCE(last_at, started_at)
             WHERE ended_at IS NULL RETURNING id",
        )?;
        let ids = statement.query_map([], |row| row.get(0).map(SessionId))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// Deletes ended sessions beyond `retention` at time `now` (unix ms), never `keep` nor a
    /// session still being recorded. Returns the deleted ids.
    pub fn apply_retention(
        &mut self,
        retention: &Retention,
        now: u64,
        keep: Option<SessionId>,
    ) -> Result<Vec<SessionId>, StoreError> {
        let mut doomed = Vec::new();
        if let Some(days) = retention.max_age_days {
            let cutoff = now.saturating_sub(u64::from(days).saturating_mul(DAY_MS));
            let sql = "SELECT id FROM sessions WHERE ended_at IS NOT NULL AND created_at < ?1";
            doomed.extend(self.session_ids(sql, cutoff)?);
        }
        if let Some(max) = retention.max_sessions {
            let sql = "SELECT id FROM (SELECT id, ended_at FROM sessions
                       ORDER BY id DESC LIMIT -1 OFFSET ?1) WHERE ended_at IS NOT NULL";
            doomed.extend(self.session_ids(sql, u64::from(max))?);
        }
        doomed.retain(|id| Some(*id) != keep);
        doomed.sort_unstable();
        doomed.dedup();
        self.delete_sessions(&doomed)?;
        Ok(doomed)
    }

    /// The ids a one-parameter `SELECT id ...` returns.
    fn session_ids(&self, sql: &str, param: u64) -> Result<Vec<SessionId>, StoreError> {
        let mut statement = self.conn.prepare(sql)?;
        let ids = statement.query_map([param], |row| row.get(0).map(SessionId))?;
        Ok(ids.collect::<Result<_, _>>()?)
    }

    /// Deletes sessions and their records in one transaction; returns how many existed.
    fn delete_sessions(&mut self, ids: &[SessionId]) -> Result<usize, StoreError> {
        let tx = self.conn.transaction()?;
        let mut deleted = 0;
        {
            let mut records = tx.prepare_cached("DELETE FROM records WHERE session_id = ?1")?;
            let mut sockets = tx.prepare_cached("DELETE FROM sockets WHERE session_id = ?1")?;
            let mut sessions = tx.prepare_cached("DELETE FROM sessions WHERE id = ?1")?;
            for id in ids {
                records.execute([id.0])?;
                sockets.execute([id.0])?;
                deleted += sessions.execute([id.0])?;
            }
        }
        tx.commit()?;
        if self.names.as_ref().is_some_and(|names| ids.contains(&names.session())) {
            self.names = None;
        }
        Ok(deleted)
    }
}
