//! The device's SQLite database: opened once, WAL with `synchronous=FULL` (a committed report
//! survives a power cut), schema migrations embedded in the binary. [`LocalStore::execute`] runs
//! one [`StoreOp`] as one transaction.

mod migrations;

use std::path::Path;

use relais_protocol::{Catalogue, Cursor, Directory, Mutation};
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Serialize, de::DeserializeOwned};
use uuid::Uuid;

use crate::{
    effects::store::{LocalChange, Snapshot, StoreError, StoreOp, StoreOutput},
    model::{MyRating, OutboxItem, OutboxState, Registration, Report},
};

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
        let mut conn = Connection::open(dir.join(DB_FILE)).map_err(err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(err)?;
        conn.pragma_update(None, "synchronous", "FULL")
            .map_err(err)?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
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
}

fn apply(tx: &Transaction<'_>, op: StoreOp) -> Result<StoreOutput> {
    match op {
        StoreOp::Load => return load(tx).map(|s| StoreOutput::Loaded(Box::new(s))),
        StoreOp::SaveRegistration(registration) => put_setting(tx, "registration", &registration)?,
        StoreOp::SaveCatalogue(catalogue) => put_setting(tx, "catalogue", &catalogue)?,
        StoreOp::SaveLanguage(language) => put_setting(tx, "language", &language)?,
                StoreOp::SaveDirectory(directory) => put_setting(tx, "directory", &directory)?,
                StoreOp::SaveDraft(Some(draft)) => put_setting(tx, "draft", &draft)?,
        StoreOp::SaveDraft(None) => {
            tx.execute("DELETE FROM settings WHERE key = 'draft'", []).map_err(err)?;
        }
        StoreOp::MarkUploaded(sha256) => {
            let mut uploaded: Vec<String> = get_setting(tx, "uploaded_photos")?.unwrap_or_default();
            if !uploaded.contains(&sha256) {
                uploaded.push(sha256);
            }
            put_setting(tx, "uploaded_photos", &uploaded)?;
        }
        StoreOp::Reset => tx
            .execute_batch("DELETE FROM reports; DELETE FROM outbox; DELETE FROM settings WHERE key <> 'language';")
            .map_err(err)?,
        StoreOp::Enqueue { item, local } => {
            let seq: u64 = get_setting(tx, "next_seq")?.unwrap_or(1);
            match local {
                LocalChange::Report(report) => put_report(tx, &report)?,
                LocalChange::Rating(rating) => {
                    let mut ratings: Vec<MyRating> = get_setting(tx, "my_ratings")?.unwrap_or_default();
                    ratings.retain(|r| r.service_id != rating.service_id);
                    ratings.push(rating);
                    put_setting(tx, "my_ratings", &ratings)?;
                }
                LocalChange::None => {}
            }
            let mut item = *item;
            item.mutation.seq = seq;
            put_item(tx, &item)?;
            put_setting(tx, "next_seq", &(seq + 1))?;
            return Ok(StoreOutput::Enqueued { seq });
        }
        StoreOp::RecordPush {
            accepted,
            refused,
            reports,
        } => {
            let mut delete = tx
                .prepare_cached("DELETE FROM outbox WHERE mutation_id = ?1")
                .map_err(err)?;
            for id in accepted {
                delete.execute([id.to_string()]).map_err(err)?;
            }
            for item in &refused {
                put_item(tx, item)?;
            }
            for report in &reports {
                put_report(tx, report)?;
            }
        }
        StoreOp::RecordAttempt { items } => {
            for item in &items {
                put_item(tx, item)?;
            }
        }
        StoreOp::Resequence { from } => return resequence(tx, from).map(StoreOutput::Resequenced),
        StoreOp::ApplyPull {
            reset,
            reports,
            removed,
            cursor,
        } => {
            if reset {
                tx.execute("DELETE FROM reports WHERE mine = 0", [])
                    .map_err(err)?;
            }
            let mut delete = tx
                .prepare_cached("DELETE FROM reports WHERE id = ?1")
                .map_err(err)?;
            for id in removed {
                delete.execute([id.to_string()]).map_err(err)?;
            }
            for report in &reports {
                put_report(tx, report)?;
            }
            put_setting(tx, "cursor", &cursor)?;
        }
    }
    Ok(StoreOutput::Written)
}

fn load(tx: &Transaction<'_>) -> Result<Snapshot> {
    let mut reports = Vec::new();
    let mut stmt = tx.prepare("SELECT body FROM reports").map_err(err)?;
    let mut rows = stmt.query([]).map_err(err)?;
    while let Some(row) = rows.next().map_err(err)? {
        reports.push(from_json::<Report>(&row.get::<_, String>(0).map_err(err)?)?);
    }
    Ok(Snapshot {
        registration: get_setting::<Registration>(tx, "registration")?,
        catalogue: get_setting::<Catalogue>(tx, "catalogue")?,
        directory: get_setting::<Directory>(tx, "directory")?,
        my_ratings: get_setting::<Vec<MyRating>>(tx, "my_ratings")?.unwrap_or_default(),
        uploaded: get_setting::<Vec<String>>(tx, "uploaded_photos")?.unwrap_or_default(),
        draft: get_setting(tx, "draft")?,
        language: get_setting::<String>(tx, "language")?,
        reports,
        outbox: load_outbox(tx)?,
        cursor: get_setting::<Cursor>(tx, "cursor")?.unwrap_or_default(),
    })
}

fn load_outbox(tx: &Transaction<'_>) -> Result<Vec<OutboxItem>> {
    let mut stmt = tx
        .prepare("SELECT seq, mutation_id, op, state, reason, attempts, last_error, queued_at_ms FROM outbox ORDER BY seq")
        .map_err(err)?;
    let mut rows = stmt.query([]).map_err(err)?;
    let mut items = Vec::new();
    while let Some(row) = rows.next().map_err(err)? {
        let mutation_id: String = row.get(1).map_err(err)?;
        let state: String = row.get(3).map_err(err)?;
        let reason: Option<String> = row.get(4).map_err(err)?;
        let state = match (state.as_str(), reason) {
            ("rejected", Some(reason)) => OutboxState::Rejected(from_json(&reason)?),
            _ => OutboxState::Queued,
        };
        items.push(OutboxItem {
            mutation: Mutation {
                seq: row.get(0).map_err(err)?,
                mutation_id: Uuid::parse_str(&mutation_id).map_err(err)?,
                op: from_json(&row.get::<_, String>(2).map_err(err)?)?,
            },
            state,
            attempts: row.get(5).map_err(err)?,
            last_error: row.get(6).map_err(err)?,
            queued_at_ms: row.get(7).map_err(err)?,
        });
    }
    Ok(items)
}

fn resequence(tx: &Transaction<'_>, from: u64) -> Result<Vec<(Uuid, u64)>> {
    let numbers: Vec<(Uuid, u64)> = load_outbox(tx)?
        .into_iter()
        .filter(OutboxItem::is_queued)
        .zip(from..)
        .map(|(item, seq)| (item.id(), seq))
        .collect();
    let mut update = tx
        .prepare_cached("UPDATE outbox SET seq = ?2 WHERE mutation_id = ?1")
        .map_err(err)?;
    for (id, seq) in &numbers {
        update.execute(params![id.to_string(), seq]).map_err(err)?;
    }
    put_setting(tx, "next_seq", &(from + numbers.len() as u64))?;
    Ok(numbers)
}

fn put_report(tx: &Transaction<'_>, report: &Report) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO reports (id, mine, body) VALUES (?1, ?2, ?3)")
        .map_err(err)?
        .execute(params![
            report.id.to_string(),
            report.mine,
            to_json(report)?
        ])
        .map_err(err)?;
    Ok(())
}

fn put_item(tx: &Transaction<'_>, item: &OutboxItem) -> Result<()> {
    let (state, reason) = match &item.state {
        OutboxState::Queued => ("queued", None),
        OutboxState::Rejected(reason) => ("rejected", Some(to_json(reason)?)),
    };
    tx.prepare_cached(
        "INSERT OR REPLACE INTO outbox (mutation_id, seq, op, state, reason, attempts, last_error, queued_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )
    .map_err(err)?
    .execute(params![
        item.id().to_string(),
        item.mutation.seq,
        to_json(&item.mutation.op)?,
        state,
        reason,
        item.attempts,
        item.last_error,
        item.queued_at_ms,
    ])
    .map_err(err)?;
    Ok(())
}

fn get_setting<T: DeserializeOwned>(tx: &Transaction<'_>, key: &str) -> Result<Option<T>> {
    tx.prepare_cached("SELECT value FROM settings WHERE key = ?1")
        .map_err(err)?
        .query_row([key], |row| row.get::<_, String>(0))
        .optional()
        .map_err(err)?
        .map(|v| from_json(&v))
        .transpose()
}

fn put_setting<T: Serialize + ?Sized>(tx: &Transaction<'_>, key: &str, value: &T) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO settings (key, value) VALUES (?1, ?2)")
        .map_err(err)?
        .execute(params![key, to_json(value)?])
        .map_err(err)?;
    Ok(())
}

fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(err)
}

fn from_json<T: DeserializeOwned>(text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| err(format!("corrupt local data: {e}")))
}

#[cfg(test)]
mod tests {
    use relais_protocol::{GeoPoint, MutationOp, ReportStatus};

    use super::*;

    fn report_and_item() -> (Box<Report>, Box<OutboxItem>) {
        let report = Report {
            id: Uuid::now_v7(),
            category: "c".into(),
            location: GeoPoint {
                lat: 48.85,
                lon: 2.35,
                accuracy_m: None,
            },
            text: "t".into(),
            created_at_ms: 1,
            status: ReportStatus::Queued,
            version: 0,
            zone: None,
            service: None,
            history: Vec::new(),
            photos: Vec::new(),
            supporters: 0,
            duplicate_of: None,
            mine: true,
            supported: false,
            refusal: None,
            thread: Vec::new(),
        };
        let op = MutationOp::AddNote {
            report_id: report.id,
            text: "t".into(),
        };
        let item = OutboxItem::new(
            Mutation {
                seq: 0,
                mutation_id: Uuid::now_v7(),
                op,
            },
            1,
        );
        (Box::new(report), Box::new(item))
    }

    fn enqueue(store: &mut LocalStore) -> (Uuid, u64) {
        let (report, item) = report_and_item();
        let id = item.id();
        let local = LocalChange::Report(report);
        match store.execute(StoreOp::Enqueue { item, local }).unwrap() {
            StoreOutput::Enqueued { seq } => (id, seq),
            other => panic!("{other:?}"),
        }
    }

    fn snapshot(store: &mut LocalStore) -> Snapshot {
        match store.execute(StoreOp::Load).unwrap() {
            StoreOutput::Loaded(s) => *s,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_corrupt_database_is_refused_with_a_readable_error() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(DB_FILE), vec![0x42; 8192]).unwrap();
        let Err(error) = LocalStore::open(dir.path()) else {
            panic!("a corrupt file was opened");
        };
        assert!(error.0.contains("not a database"), "{error}");
    }

    #[test]
    fn sequence_numbers_are_gapless_and_survive_deletion_of_acknowledged_items() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = LocalStore::open(dir.path()).unwrap();
        let (first, s1) = enqueue(&mut store);
        let (_, s2) = enqueue(&mut store);
        assert_eq!((s1, s2), (1, 2));
        store
            .execute(StoreOp::RecordPush {
                accepted: vec![first],
                refused: Vec::new(),
                reports: Vec::new(),
            })
            .unwrap();
        drop(store);
        let mut store = LocalStore::open(dir.path()).unwrap();
        assert_eq!(enqueue(&mut store).1, 3, "numbers are never reused");
        let seqs: Vec<u64> = snapshot(&mut store)
            .outbox
            .iter()
            .map(|i| i.mutation.seq)
            .collect();
        assert_eq!(seqs, vec![2, 3]);
    }

    #[test]
    fn resequencing_renumbers_queued_items_in_order_and_moves_the_next_number() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = LocalStore::open(dir.path()).unwrap();
        let (a, _) = enqueue(&mut store);
        let (b, _) = enqueue(&mut store);
        let StoreOutput::Resequenced(numbers) =
            store.execute(StoreOp::Resequence { from: 10 }).unwrap()
        else {
            panic!()
        };
        assert_eq!(numbers, vec![(a, 10), (b, 11)]);
        assert_eq!(enqueue(&mut store).1, 12);
    }
}
