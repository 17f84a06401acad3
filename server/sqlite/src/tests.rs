//! Tests of what belongs to this backend alone: migrations, refusing files it cannot serve, and
//! the writer's health. The rules are tested with this backend in the server crate.

use std::path::Path;

use relais_server_database::{Database, DbError, NewDevice, TokenHash};
use tempfile::TempDir;
use uuid::Uuid;

use crate::Sqlite;
use crate::testing::town;

#[tokio::test]
async fn migrations_apply_on_a_fresh_file_and_are_idempotent_on_reopen() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("relais.db");
    drop(Sqlite::open(&path).await.unwrap());
    let versions = |path: &Path| -> i64 {
        rusqlite::Connection::open(path)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap()
    };
    let shipped = i64::try_from(crate::migrate::MIGRATIONS.len()).unwrap();
    assert_eq!(versions(&path), shipped);
    let db = Sqlite::open(&path).await.unwrap();
    assert_eq!(versions(&path), shipped);
    db.health().await.unwrap();
    let mode: String = rusqlite::Connection::open(&path)
        .unwrap()
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
}

#[tokio::test]
async fn a_database_from_a_newer_server_or_not_a_database_is_refused() {
    let dir = TempDir::new().unwrap();
    let path = dir.path().join("relais.db");
    drop(Sqlite::open(&path).await.unwrap());
    rusqlite::Connection::open(&path)
        .unwrap()
        .pragma_update(None, "user_version", 999)
        .unwrap();
    let Err(DbError::UnknownMigration(version)) = Sqlite::open(&path).await else {
        panic!("a database with an unknown migration must be refused");
    };
    assert_eq!(version, "schema version 999");

    let garbage = dir.path().join("garbage.db");
    std::fs::write(&garbage, vec![0x42; 8192]).unwrap();
    assert!(matches!(
        Sqlite::open(&garbage).await,
        Err(DbError::Backend(_))
    ));
}

#[tokio::test]
async fn a_poisoned_writer_makes_the_database_unhealthy() {
    let dir = TempDir::new().unwrap();
    let db = Sqlite::open(&dir.path().join("relais.db")).await.unwrap();
    db.seed(town(
        r#"{"id":"t","name":"T","services":[],"groups":[],"categories":[]}"#,
    ))
    .await
    .unwrap();
    db.health().await.unwrap();
    assert!(matches!(
        db.connections.crash_writer().await,
        Err(DbError::Poisoned)
    ));
    assert!(matches!(db.health().await, Err(DbError::Poisoned)));
    let refused = db
        .register_device(NewDevice {
            id: Uuid::now_v7(),
            tenant: "t".into(),
            token: TokenHash([7; 32]),
            platform: "test".into(),
            app_version: "0".into(),
            language: None,
            created_at_ms: 0,
        })
        .await;
    assert!(matches!(refused, Err(DbError::Poisoned)));
}

#[tokio::test]
async fn a_read_that_panics_gives_its_connection_back() {
    let dir = TempDir::new().unwrap();
    let db = Sqlite::open(&dir.path().join("relais.db")).await.unwrap();
    for _ in 0..crate::pool::READERS * 2 {
        let crashed = db
            .connections
            .read(|_| -> crate::error::DbResult<()> { panic!("a read crashed") })
            .await;
        assert!(crashed.is_err());
    }
    // Every reader is back: as many reads at once as there are readers all get one.
    let reads: Vec<_> = (0..crate::pool::READERS * 4)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.health().await })
        })
        .collect();
    for read in reads {
        read.await.unwrap().unwrap();
    }
}

/// A write that fails leaves nothing and takes nothing else with it: alone in its group (run
/// without a savepoint, the transaction is rolled back) and beside others (its savepoint is).
#[tokio::test]
async fn a_failed_write_leaves_nothing_alone_or_in_a_group() {
    let dir = TempDir::new().unwrap();
    let db = Sqlite::open(&dir.path().join("relais.db")).await.unwrap();
    let writes = &db.connections;
    let insert = |n: i64, fail: bool| {
        writes.write(move |conn| {
            conn.execute("INSERT INTO probe (n) VALUES (?1)", [n])?;
            if fail {
                conn.execute("INSERT INTO no_such_table VALUES (1)", [])?;
            }
            Ok(())
        })
    };
    writes
        .write(|conn| Ok(conn.execute_batch("CREATE TABLE probe (n INTEGER)")?))
        .await
        .unwrap();

    assert!(insert(1, true).await.is_err());
    insert(2, false).await.unwrap();

    // The writer holds a write until the next three are queued, so they make one group.
    let (started, running) = tokio::sync::oneshot::channel();
    let (release, released) = std::sync::mpsc::channel::<()>();
    let holding = writes.write(move |_| {
        let _ = started.send(());
        let _ = released.recv();
        Ok(())
    });
    let (held, grouped) = tokio::join!(holding, async {
        running.await.unwrap();
        tokio::join!(biased; insert(3, false), insert(4, true), insert(5, false), async {
            release.send(()).unwrap();
        })
    });
    held.unwrap();
    let (three, four, five, ()) = grouped;
    three.unwrap();
    assert!(four.is_err());
    five.unwrap();

    let rows: Vec<i64> = writes
        .read(|conn| {
            let mut stmt = conn.prepare("SELECT n FROM probe ORDER BY n")?;
            let rows = stmt.query_map([], |row| row.get(0))?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
        .await
        .unwrap();
    assert_eq!(rows, [2, 3, 5]);
}

/// A statement is prepared once, whatever values are bound to it: SQLite otherwise plans a
/// bound `LIMIT ?` with its value and prepares the statement again at each new binding (the
/// pull's log query, bound once per bucket). On the readers and on the writer.
#[tokio::test]
async fn a_bound_limit_does_not_prepare_a_statement_again() {
    fn reprepared(conn: &rusqlite::Connection) -> crate::error::DbResult<i32> {
        let mut stmt =
            conn.prepare_cached("SELECT value FROM json_each('[1, 2, 3, 4]') LIMIT ?1")?;
        for limit in 1..=3 {
            let rows = stmt.query_map([limit], |row| row.get::<_, i64>(0))?;
            assert_eq!(rows.count(), limit);
        }
        Ok(stmt.get_status(rusqlite::StatementStatus::RePrepare))
    }
    let dir = TempDir::new().unwrap();
    let db = Sqlite::open(&dir.path().join("relais.db")).await.unwrap();
    let read = db.connections.read(|conn| reprepared(conn)).await.unwrap();
    let written = db.connections.write(reprepared).await.unwrap();
    assert_eq!((read, written), (0, 0));
}
