//! Persistent recording sessions in SQLite: one file, `switchboard.sqlite3`, in the data
//! directory.
//!
//! A `Store` owns one connection and is meant to live on one thread (the recorder's writer);
//! other readers (a CLI listing sessions) may open their own `Store` on the same file, which
//! WAL mode allows while a server records. Every write is one transaction, so a crash leaves
//! earlier sessions and every committed batch readable.

mod conn_runs;
mod error;
mod records;
mod schema;
mod session;
mod sessions;
mod sockets;

use std::path::{Path, PathBuf};

use rusqlite::Connection;

use crate::socket_book::SocketBook;

pub use self::error::StoreError;
pub use self::records::{Cursor, Page, MAX_PAGE_LIMIT, SCAN_BOUND};
pub use self::schema::SCHEMA_VERSION;
pub use self::session::{default_session_name, Retention, SessionId, SessionInfo, MAX_NAME_CHARS};

/// The database file's name inside the data directory.
pub const DB_FILE: &str = "switchboard.sqlite3";

/// A predicate over records, such as a compiled filter's `matches`.
pub type Matcher<'a> = &'a dyn Fn(&switchboard_engine::Observation) -> bool;

/// The recording database.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// The socket ids of the session last appended to (the one being recorded).
    names: Option<sockets::SocketNames>,
    /// The socket ids of the open connections, for deliveries that come without them.
    book: SocketBook,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish_non_exhaustive()
    }
}

impl Store {
    /// Opens (creating the directory and the file if needed) `data_dir/switchboard.sqlite3`.
    /// A file that is not ours, is corrupt or is newer is refused, never deleted.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        std::fs::create_dir_all(data_dir)
            .map_err(|source| StoreError::CreateDir { path: data_dir.to_owned(), source })?;
        let path = data_dir.join(DB_FILE);
        let mut conn = Connection::open(&path)
            .map_err(|source| StoreError::Open { path: path.clone(), source })?;
        schema::prepare(&mut conn, &path)?;
        Ok(Self { conn, path, names: None, book: SocketBook::default() })
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }
}
