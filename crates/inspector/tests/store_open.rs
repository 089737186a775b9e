//! Opening the store: directory creation, refusing newer, foreign and corrupt files without
//! touching them, and reading everything back after an unclean stop (a dropped store, and a
//! writer process killed with SIGKILL mid-write).
#![allow(clippy::unwrap_used)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use switchboard_engine::{Detail, Observation, Origin};
use switchboard_inspector::store::{
    Cursor, SessionInfo, Store, StoreError, DB_FILE, SCHEMA_VERSION,
};

fn record(seq: u64) -> Observation {
    let mut record = Observation::new(Origin::Client, Detail::FrameOut { raw: "{}".into() });
    (record.seq, record.at) = (seq, 1_000_000 + seq);
    record
}

fn batch(range: std::ops::Range<u64>) -> Vec<Observation> {
    range.map(record).collect()
}

fn all_records(store: &Store, session: &SessionInfo) -> Vec<u64> {
    let (mut seqs, mut cursor) = (Vec::new(), Some(Cursor::Oldest));
    while let Some(at) = cursor {
        let page = store.query(session.id, at, 10_000, None).unwrap();
        seqs.extend(page.records.iter().map(|record| record.seq));
        cursor = page.next;
    }
    seqs
}

#[test]
fn creates_the_data_directory_and_keeps_data_across_opens() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("deep/er/data");
    let mut store = Store::open(&data).unwrap();
    assert_eq!(store.path(), data.join(DB_FILE));
    let session = store.create_session(Some("kept"), 5).unwrap();
    store.append(session.id, &batch(0..3)).unwrap();
    drop(store);
    let store = Store::open(&data).unwrap();
    assert_eq!(store.sessions().unwrap()[0].records, 3);
}

#[test]
fn a_data_dir_that_is_a_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, "x").unwrap();
    let error = Store::open(&file).unwrap_err();
    assert!(matches!(error, StoreError::CreateDir { .. }), "{error}");
    assert!(error.to_string().contains("not-a-dir"), "{error}");
}

fn with_version(path: &Path, version: i64) {
    let conn = rusqlite::Connection::open(path.join(DB_FILE)).unwrap();
    conn.pragma_update(None, "user_version", version).unwrap();
}

#[test]
fn a_version_1_file_is_migrated_and_keeps_its_sessions() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let session = store.create_session(Some("from v1"), 5).unwrap();
    store.append(session.id, &batch(0..3)).unwrap();
    drop(store);
    // What a version-1 build left: no `sockets` table.
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.execute_batch("DROP TABLE sockets; PRAGMA user_version = 1;").unwrap();
    drop(conn);

    let mut store = Store::open(dir.path()).unwrap();
    assert_eq!(all_records(&store, &session), [0, 1, 2]);
    store.append(session.id, &batch(3..4)).unwrap();
    assert_eq!(all_records(&store, &session), [0, 1, 2, 3]);
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    let version: i64 = conn.pragma_query_value(None, "user_version", |row| row.get(0)).unwrap();
    assert_eq!(version, SCHEMA_VERSION);
}

#[test]
fn a_newer_schema_is_refused_and_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    drop(Store::open(dir.path()).unwrap());
    with_version(dir.path(), SCHEMA_VERSION + 1);
    let before = std::fs::read(dir.path().join(DB_FILE)).unwrap();
    let error = Store::open(dir.path()).unwrap_err();
    assert!(
        matches!(error, StoreError::NewerSchema { found, supported, .. }
            if found == SCHEMA_VERSION + 1 && supported == SCHEMA_VERSION),
        "{error}"
    );
    let message = error.to_string();
    assert!(message.contains(DB_FILE) && message.contains("newer Switchboard"), "{message}");
    assert_eq!(std::fs::read(dir.path().join(DB_FILE)).unwrap(), before);
}

#[test]
fn a_corrupt_file_is_refused_and_never_deleted() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = b"this is not a database, but it is someone's file".repeat(100);
    std::fs::write(dir.path().join(DB_FILE), &garbage).unwrap();
    let error = Store::open(dir.path()).unwrap_err();
    assert!(matches!(error, StoreError::Unreadable { .. }), "{error}");
    assert!(error.to_string().contains(DB_FILE), "{error}");
    assert_eq!(std::fs::read(dir.path().join(DB_FILE)).unwrap(), garbage);
}

#[test]
fn another_programs_database_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let conn = rusqlite::Connection::open(dir.path().join(DB_FILE)).unwrap();
    conn.execute_batch("CREATE TABLE notes (body TEXT)").unwrap();
    drop(conn);
    let error = Store::open(dir.path()).unwrap_err();
    assert!(matches!(error, StoreError::ForeignDatabase { found: 0, .. }), "{error}");
}

#[test]
fn an_unclean_drop_leaves_everything_committed_readable() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(dir.path()).unwrap();
    let earlier = store.create_session(Some("earlier"), 1).unwrap();
    store.append(earlier.id, &batch(0..100)).unwrap();
    store.end_session(earlier.id, 2).unwrap();
    let crashed = store.create_session(Some("crashed"), 3).unwrap();
    store.append(crashed.id, &batch(100..150)).unwrap();
    store.append(crashed.id, &batch(150..200)).unwrap();
    drop(store); // no end_session: the process "died"

    let mut store = Store::open(dir.path()).unwrap();
    let closed = store.close_unfinished_sessions().unwrap();
    assert_eq!(closed, [crashed.id]);
    let crashed = store.session(crashed.id).unwrap();
    assert_eq!(crashed.ended_at, Some(record(199).at), "ends at the last record");
    assert_eq!(all_records(&store, &crashed), (100..200).collect::<Vec<_>>());
    let earlier = store.session(earlier.id).unwrap();
    assert_eq!(all_records(&store, &earlier), (0..100).collect::<Vec<_>>());
    assert_eq!(store.close_unfinished_sessions().unwrap(), []);
}

const CHILD_DIR: &str = "SWITCHBOARD_TEST_CRASH_DIR";
const CHILD_BATCH: u64 = 50;
const CHILD_READY: &str = "SWITCHBOARD-CRASH-CHILD-READY";

/// Run by `killed_mid_write_leaves_committed_batches_readable` in a child process; does
/// nothing when run by hand.
#[test]
#[ignore = "the child half of a crash test"]
fn crash_child() {
    let Some(dir) = std::env::var_os(CHILD_DIR) else { return };
    let mut store = Store::open(Path::new(&dir)).unwrap();
    let earlier = store.create_session(Some("earlier"), 1).unwrap();
    store.append(earlier.id, &batch(0..100)).unwrap();
    store.end_session(earlier.id, 2).unwrap();
    let live = store.create_session(Some("live"), 3).unwrap();
    for n in 0..2_000 {
        let start = 100 + n * CHILD_BATCH;
        store.append(live.id, &batch(start..start + CHILD_BATCH)).unwrap();
        if n == 20 {
            // libtest may print its own text on the same line; the parent looks for this.
            println!("\n{CHILD_READY}");
        }
    }
    // Bounded work: if the kill comes late, the child has simply finished.
}

#[test]
fn killed_mid_write_leaves_committed_batches_readable() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["crash_child", "--exact", "--ignored", "--nocapture", "--test-threads=1"])
        .env(CHILD_DIR, dir.path())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    // Ends at the marker, or at the child's exit if it failed first.
    let ready = lines.any(|line| line.is_ok_and(|line| line.contains(CHILD_READY)));
    assert!(ready, "the child never got going");
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let mut store = Store::open(dir.path()).unwrap();
    let sessions = store.sessions().unwrap();
    let (live, earlier) = (&sessions[0], &sessions[1]);
    assert_eq!((earlier.name.as_str(), earlier.records), ("earlier", 100));
    assert_eq!(all_records(&store, earlier), (0..100).collect::<Vec<_>>());
    assert_eq!(live.ended_at, None);
    let seqs = all_records(&store, live);
    assert!(seqs.len() as u64 >= 21 * CHILD_BATCH, "{} records", seqs.len());
    assert_eq!(seqs.len() as u64 % CHILD_BATCH, 0, "a batch is all or nothing");
    assert_eq!(seqs, (100..100 + seqs.len() as u64).collect::<Vec<_>>());
    assert_eq!(live.records, seqs.len() as u64, "the count is committed with its batch");
    assert_eq!(store.close_unfinished_sessions().unwrap(), [live.id]);
    assert_eq!(store.session(live.id).unwrap().ended_at, live.last_at);
}
