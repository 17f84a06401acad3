//! The device's SQLite database: opened once, WAL with `synchronous=FULL` (a committed report
//! survives a power cut), schema migrations embedded in the binary. [`LocalStore::execute`] runs
//! one [`StoreOp`] as one transaction; [`LocalStore::execute_group`] runs the operations queued
//! together in one transaction, each in its own savepoint.
//!
//! Only what the views need right now is read into memory: reports are rows with real columns
//! (`reports`), lists are indexed queries, a pulled page is merged row by row (`pull`).

mod migrations;
mod outbox;
mod pull;
mod reports;
mod settings;
mod uploads;

use std::path::Path;

use relais_protocol::{Catalogue, Cursor, Directory};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, Transaction};
use serde::{Serialize, de::DeserializeOwned};

use crate::{
    effects::store::{Snapshot, StoreError, StoreOp, StoreOutput},
    model::{MyRating, Registration},
};

pub use uploads::State as UploadState;

/// The file name of the database inside the app's data directory.
pub const DB_FILE: &str = "relais.db";

pub struct LocalStore {
    conn: Connection,
}

type Result<T> = std::result::Result<T, StoreError>;

fn err(e: impl std::fmt::Display) -> StoreError {
    StoreError(e.to_string())
}

impl LocalStore {
    /// Opens (creating if needed) the database in `dir` and brings its schema up to date.
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir).map_err(|e| err(format!("{}: {e}", dir.display())))?;
        let path = dir.join(DB_FILE);
        private_file(&path).map_err(|e| err(format!("{}: {e}", path.display())))?;
        let mut conn = Connection::open(&path).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(err)?;
        // Room for the writes of a report's row, one statement per set of changed columns.
        conn.set_prepared_statement_cache_capacity(64);
        // Plans never depend on the values bound: otherwise SQLite plans a bound `LIMIT ?`
        // with its value and prepares the statement again each time it is bound.
        conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)
            .map_err(err)?;
        migrations::run(&mut conn).map_err(err)?;
        Ok(Self { conn })
    }

    /// Runs one operation in one transaction.
    pub fn execute(&mut self, op: StoreOp) -> Result<StoreOutput> {
        let tx = self.conn.transaction().map_err(err)?;
        let output = apply(&tx, op)?;
        tx.commit().map_err(err)?;
        Ok(output)
    }

    /// Runs several operations in one transaction (group commit: one `fsync` for all), each
    /// in its own savepoint, so that an operation that fails leaves no trace and the others
    /// still commit. Each result holds only once the group is committed: if the commit fails,
    /// every operation fails with it, as if each had run alone and failed. An operation alone
    /// (most of a sync's) runs as [`Self::execute`] does, without a savepoint: SQLite copies
    /// each page a savepoint's statements change, to undo them.
    pub fn execute_group(&mut self, mut ops: Vec<StoreOp>) -> Vec<Result<StoreOutput>> {
        if ops.len() == 1 {
            return ops.pop().map(|op| self.execute(op)).into_iter().collect();
        }
        let tx = match self.conn.transaction() {
            Ok(tx) => tx,
            Err(e) => return ops.iter().map(|_| Err(err(&e))).collect(),
        };
        let outputs: Vec<_> = ops.into_iter().map(|op| in_savepoint(&tx, op)).collect();
        match tx.commit() {
            Ok(()) => outputs,
            Err(e) => outputs.iter().map(|_| Err(err(&e))).collect(),
        }
    }
}

/// One operation of a group, undone alone if it fails.
fn in_savepoint(tx: &Transaction<'_>, op: StoreOp) -> Result<StoreOutput> {
    tx.execute_batch("SAVEPOINT op").map_err(err)?;
    let output = apply(tx, op);
    let end = if output.is_ok() {
        "RELEASE op"
    } else {
        "ROLLBACK TO op; RELEASE op"
    };
    tx.execute_batch(end).map_err(err)?;
    output
}

/// Makes the database a file only the app's user reads and writes (0600), creating it empty
/// if missing, before SQLite opens it: SQLite gives its WAL the database's permissions. On a
/// phone the app's sandbox already hides it; on a shared Linux machine (the CLI) it matters.
fn private_file(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(path)?;
        let mut permissions = file.metadata()?.permissions();
        if permissions.mode() & 0o077 != 0 {
            permissions.set_mode(0o600);
            file.set_permissions(permissions)?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn apply(tx: &Transaction<'_>, op: StoreOp) -> Result<StoreOutput> {
    match op {
        StoreOp::Load => return load(tx).map(|s| StoreOutput::Loaded(Box::new(s))),
        StoreOp::SaveRegistration(registration) => {
            settings::put(tx, "registration", &registration)?;
        }
        StoreOp::SaveCatalogue { catalogue, etag } => {
            settings::put(tx, "catalogue", &catalogue)?;
            settings::put(tx, "catalogue_etag", &etag)?;
        }
        StoreOp::SaveDirectory { directory, etag } => {
            settings::put(tx, "directory", &directory)?;
            settings::put(tx, "directory_etag", &etag)?;
        }
        StoreOp::SaveLanguage(language) => settings::put(tx, "language", &language)?,
        StoreOp::SaveDraft(Some(draft)) => settings::put(tx, "draft", &draft)?,
        StoreOp::SaveDraft(None) => settings::delete(tx, "draft")?,
        StoreOp::SavePlainPushUntil(until_ms) => {
            settings::put(tx, "plain_push_until_ms", &until_ms)?;
        }
        StoreOp::SetUploads { sha256s, state } => {
            for sha256 in &sha256s {
                match state {
                    Some(state) => uploads::restate(tx, sha256, state)?,
                    None => uploads::remove(tx, sha256)?,
                }
            }
        }
        StoreOp::Reset => tx
            .execute_batch(
                "DELETE FROM reports; DELETE FROM threads; DELETE FROM outbox; DELETE FROM alerts;
                 DELETE FROM uploads; DELETE FROM acknowledged;
                 DELETE FROM settings WHERE key <> 'language';",
            )
            .map_err(err)?,
        StoreOp::Enqueue {
            item,
            local,
            replaces,
        } => return outbox::enqueue(tx, *item, local, replaces),
        StoreOp::RecordPush {
            accepted,
            refused,
            reports,
        } => outbox::record_push(tx, &accepted, &refused, &reports)?,
        StoreOp::RecordAttempt { items } => {
            for item in &items {
                outbox::record(tx, item)?;
            }
        }
        StoreOp::Resequence { from } => {
            return outbox::resequence(tx, from).map(StoreOutput::Resequenced);
        }
        StoreOp::Requeue { from } => {
            return outbox::requeue(tx, from).map(StoreOutput::Requeued);
        }
        StoreOp::ApplyPull(page) => return pull::apply(tx, *page).map(StoreOutput::Pulled),
        StoreOp::Prune(rule) => return reports::prune(tx, &rule).map(StoreOutput::Pruned),
        StoreOp::PutReports(list) => {
            return list
                .iter()
                .map(|public| reports::merge_public(tx, public, false))
                .collect::<Result<_>>()
                .map(StoreOutput::Reports);
        }
        StoreOp::GetReport(id) => {
            return reports::get(tx, id).map(|held| StoreOutput::Report(held.map(Box::new)));
        }
        StoreOp::QueryReports { query, zones } => {
            return reports::query(tx, &query, zones.as_deref()).map(StoreOutput::Reports);
        }
        StoreOp::QueryWork { query, me, now_ms } => {
            return reports::work(tx, &query, me.as_deref(), now_ms).map(StoreOutput::Work);
        }
        StoreOp::Nearby {
            category,
            here,
            radius_m,
            limit,
        } => {
            return reports::nearby(tx, &category, here, radius_m, limit).map(StoreOutput::Reports);
        }
    }
    Ok(StoreOutput::Written)
}

fn load(tx: &Transaction<'_>) -> Result<Snapshot> {
    Ok(Snapshot {
        registration: settings::get::<Registration>(tx, "registration")?,
        catalogue: settings::get::<Catalogue>(tx, "catalogue")?,
        catalogue_etag: settings::get::<Option<String>>(tx, "catalogue_etag")?.flatten(),
        directory: settings::get::<Directory>(tx, "directory")?,
        directory_etag: settings::get::<Option<String>>(tx, "directory_etag")?.flatten(),
        my_ratings: settings::get::<Vec<MyRating>>(tx, "my_ratings")?.unwrap_or_default(),
        uploads: uploads::load(tx)?,
        draft: settings::get(tx, "draft")?,
        language: settings::get::<String>(tx, "language")?,
        held: reports::held(tx)?,
        outbox: outbox::load(tx)?,
        cursor: settings::get::<Cursor>(tx, "cursor")?.unwrap_or_default(),
        follows: settings::get(tx, "follows")?,
        alerts: pull::alerts(tx)?,
        plain_push_until_ms: settings::get(tx, "plain_push_until_ms")?,
    })
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(err)
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| err(format!("corrupt local data: {e}")))
}

#[cfg(test)]
mod tests;
