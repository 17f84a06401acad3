//! Schema migrations of the local store, embedded in the binary and applied in order at open.
//! A shipped migration is never edited: changes come as new steps. A database written by a newer
//! app is refused rather than misread.
//!
//! A step is SQL, and possibly code that moves rows into the new shape with the same functions
//! as every later write (so a column is never computed two ways).

use relais_protocol::{MutationOp, ReportStatus, ThreadMessage};
use rusqlite::{Connection, Transaction};
use serde::Deserialize;

use super::{from_json, outbox, reports, settings, uploads};
use crate::{
    effects::store::StoreError,
    model::{HeldReport, Report, outbox::photos_of},
};

/// Code that moves rows into a step's new shape.
type MoveData = fn(&Transaction<'_>) -> Result<(), StoreError>;

/// One step: its schema change, and the code that moves the data, if any.
struct Step {
    version: i64,
    sql: &'static str,
    data: Option<MoveData>,
}

const STEPS: &[Step] = &[
    Step {
        version: 1,
        sql: include_str!("migrations/0001_init.sql"),
        data: None,
    },
    Step {
        version: 2,
        sql: include_str!("migrations/0002_scale.sql"),
        data: Some(move_to_columns),
    },
    Step {
        version: 3,
        sql: include_str!("migrations/0003_my_reports_in_order.sql"),
        data: None,
    },
    Step {
        version: 4,
        sql: include_str!("migrations/0004_acknowledged.sql"),
        data: None,
    },
];

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "the local database is from a newer version of the app (schema {found}, this app knows {known})"
    )]
    Newer { found: i64, known: i64 },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("{0}")]
    Data(#[from] StoreError),
}

pub fn run(conn: &mut Connection) -> Result<(), MigrationError> {
    let tx = conn.transaction()?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let known = STEPS.last().map_or(0, |s| s.version);
    if current > known {
        return Err(MigrationError::Newer {
            found: current,
            known,
        });
    }
    for step in STEPS.iter().filter(|s| s.version > current) {
        tx.execute_batch(step.sql)?;
        if let Some(data) = step.data {
            data(&tx)?;
        }
        tx.pragma_update(None, "user_version", step.version)?;
    }
    tx.commit()?;
    Ok(())
}

/// The thread the first schema kept inside a report's body.
#[derive(Deserialize)]
struct V1Thread {
    #[serde(default)]
    thread: Vec<ThreadMessage>,
}

/// Schema 2: reports get their columns, threads their table, photos waiting for upload theirs
/// (from the list of photos already sent), outbox items the report they concern.
fn move_to_columns(tx: &Transaction<'_>) -> Result<(), StoreError> {
    let sent: Vec<String> = settings::get(tx, "uploaded_photos")?.unwrap_or_default();
    let bodies: Vec<String> = {
        let mut stmt = tx
            .prepare("SELECT body FROM reports_v1")
            .map_err(super::err)?;
        stmt.query_map([], |row| row.get(0))
            .map_err(super::err)?
            .collect::<Result<_, _>>()
            .map_err(super::err)?
    };
    for body in bodies {
        let report: Report = from_json(&body)?;
        let V1Thread { thread } = from_json(&body)?;
        if report.mine && report.refusal.is_none() {
            let state = if report.status == ReportStatus::Queued {
                uploads::State::Waiting
            } else {
                uploads::State::Started
            };
            for sha in report.photos.iter().filter(|p| !sent.contains(p)) {
                uploads::set(tx, sha, state)?;
            }
        }
        reports::put(
            tx,
            &HeldReport {
                report,
                thread,
                task: None,
            },
        )?;
    }
    for item in outbox::load(tx)? {
        outbox::put(tx, &item)?;
        if item.is_queued() && !matches!(item.mutation.op, MutationOp::CreateReport { .. }) {
            for sha in photos_of(&item.mutation.op) {
                uploads::set(tx, sha, uploads::State::Waiting)?;
            }
        }
    }
    tx.execute_batch("DROP TABLE reports_v1; DELETE FROM settings WHERE key = 'uploaded_photos';")
        .map_err(super::err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_apply_once_and_a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        let mut conn = Connection::open(&path).unwrap();
        run(&mut conn).unwrap();
        run(&mut conn).unwrap();
        let tables: i64 = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(tables, 7);
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            run(&mut conn),
            Err(MigrationError::Newer { found: 99, .. })
        ));
    }

    #[test]
    fn a_first_schema_database_keeps_its_reports_threads_and_unsent_photos() {
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("t.db")).unwrap();
        conn.execute_batch(include_str!("migrations/0001_init.sql"))
            .unwrap();
        conn.pragma_update(None, "user_version", 1).unwrap();
        let id = uuid::Uuid::now_v7();
        let body = serde_json::json!({
            "id": id, "category": "c", "location": {"lat": 48.85, "lon": 2.35},
            "text": "t", "created_at_ms": 1, "status": "received", "version": 1,
            "zone": "75104", "service": null, "history": [], "photos": ["a", "b"],
            "mine": true, "refusal": null,
            "thread": [{"id": uuid::Uuid::now_v7(), "author": "city", "text": "Vu", "at_ms": 2}]
        });
        conn.execute(
            "INSERT INTO reports (id, mine, body) VALUES (?1, 1, ?2)",
            rusqlite::params![id.to_string(), body.to_string()],
        )
        .unwrap();
        conn.execute(
            "INSERT INTO settings (key, value) VALUES ('uploaded_photos', '[\"a\"]')",
            [],
        )
        .unwrap();
        run(&mut conn).unwrap();
        let tx = conn.transaction().unwrap();
        let held = reports::get(&tx, id).unwrap().unwrap();
        assert!(held.report.mine);
        assert_eq!(held.thread.len(), 1);
        let waiting = uploads::load(&tx).unwrap();
        assert_eq!(
            waiting.into_iter().collect::<Vec<_>>(),
            vec![("b".to_owned(), uploads::State::Started)]
        );
    }
}
