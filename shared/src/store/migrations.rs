//! Schema migrations of the local store, embedded in the binary and applied in order at open.
//! A shipped migration is never edited: changes come as new files. A database written by a newer
//! app is refused rather than misread.

use rusqlite::Connection;

/// `(version, sql)`, in order.
const MIGRATIONS: &[(i64, &str)] = &[(1, include_str!("migrations/0001_init.sql"))];

#[derive(Debug, thiserror::Error)]
pub enum MigrationError {
    #[error(
        "the local database is from a newer version of the app (schema {found}, this app knows {known})"
    )]
    Newer { found: i64, known: i64 },
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
}

pub fn run(conn: &mut Connection) -> Result<(), MigrationError> {
    let tx = conn.transaction()?;
    let current: i64 = tx.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    let known = MIGRATIONS.last().map_or(0, |(v, _)| *v);
    if current > known {
        return Err(MigrationError::Newer {
            found: current,
            known,
        });
    }
    for (version, sql) in MIGRATIONS.iter().filter(|(v, _)| *v > current) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", version)?;
    }
    tx.commit()?;
    Ok(())
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
        assert_eq!(tables, 3);
        conn.pragma_update(None, "user_version", 99).unwrap();
        assert!(matches!(
            run(&mut conn),
            Err(MigrationError::Newer { found: 99, .. })
        ));
    }
}
