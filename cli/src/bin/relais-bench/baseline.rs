//! The raw-SQLite baselines of `--reports`: the same rows as the benchmark's reports inserted
//! straight into one rusqlite table (WAL, `synchronous=FULL` as on the device and the server,
//! prepared statement, UUIDv7 keys), either one commit per row or all in one transaction. They
//! tell what the disk and SQLite alone cost on this machine, in this run.

use std::{
    path::Path,
    time::{Duration, Instant},
};

use crate::workload::{self, ACCURACY_M, CATEGORY};

/// Inserts the `n` reports of the `--reports` series into a new database at `path`, in one
/// transaction (`batched`) or one per row, and returns how long it took.
pub fn raw_insert(path: &Path, n: u32, batched: bool) -> anyhow::Result<Duration> {
    let mut db = rusqlite::Connection::open(path)?;
    db.pragma_update(None, "journal_mode", "WAL")?;
    db.pragma_update(None, "synchronous", "FULL")?;
    db.execute_batch(
        "CREATE TABLE reports (id TEXT PRIMARY KEY, category TEXT, lat REAL, lon REAL,
                               accuracy REAL, text TEXT, created_at INTEGER)",
    )?;
    let started = Instant::now();
    let mut tx = db.transaction()?;
    for i in 0..n {
        let (lat, lon) = workload::point(i);
        tx.prepare_cached("INSERT INTO reports VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)")?
            .execute(rusqlite::params![
                uuid::Uuid::now_v7().to_string(),
                CATEGORY,
                lat,
                lon,
                ACCURACY_M,
                workload::text(i),
                workload::now_ms(),
            ])?;
        if !batched {
            tx.commit()?;
            tx = db.transaction()?;
        }
    }
    tx.commit()?;
    Ok(started.elapsed())
}
