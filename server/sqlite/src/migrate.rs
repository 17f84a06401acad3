//! Schema migrations (`migrations/*.sql`, embedded in the binary), applied at open with
//! `rusqlite_migration`, which records the schema version in SQLite's `user_version` and refuses
//! a database a newer server has migrated. A shipped migration is never edited: a change is a
//! new file.
//!
//! Databases created before this crate used `rusqlite_migration` recorded their migrations in a
//! `schema_migrations` table: [`adopt`] carries that record over to `user_version` once.

use rusqlite::{Connection, OptionalExtension};
use rusqlite_migration::{M, Migrations};

use crate::error::DbResult;
use relais_server_database::DbError;

/// `(name, sql)`, in the order they apply. The name is the file name without `.sql`.
pub(super) const MIGRATIONS: &[(&str, &str)] = &[
    (
        "20251123190000_initial",
        include_str!("../migrations/20251123190000_initial.sql"),
    ),
    (
        "20261123200000_citizen",
        include_str!("../migrations/20261123200000_citizen.sql"),
    ),
    (
        "20261124100000_change_kinds",
        include_str!("../migrations/20261124100000_change_kinds.sql"),
    ),
    (
        "20261124200000_tenant_photos",
        include_str!("../migrations/20261124200000_tenant_photos.sql"),
    ),
    (
        "20261202100000_zone_levels",
        include_str!("../migrations/20261202100000_zone_levels.sql"),
    ),
    (
        "20261202200000_town_at_work",
        include_str!("../migrations/20261202200000_town_at_work.sql"),
    ),
    (
        "20261203100000_open311",
        include_str!("../migrations/20261203100000_open311.sql"),
    ),
    (
        "20261203200000_backoffice_indexes",
        include_str!("../migrations/20261203200000_backoffice_indexes.sql"),
    ),
    (
        "20261203300000_retention",
        include_str!("../migrations/20261203300000_retention.sql"),
    ),
    (
        "20261204100000_ids_per_town",
        include_str!("../migrations/20261204100000_ids_per_town.sql"),
    ),
    (
        "20261205100000_import_jobs",
        include_str!("../migrations/20261205100000_import_jobs.sql"),
    ),
    (
        "20261206100000_ratings_version",
        include_str!("../migrations/20261206100000_ratings_version.sql"),
    ),
    (
        "20261207100000_change_log_covering",
        include_str!("../migrations/20261207100000_change_log_covering.sql"),
    ),
    (
        "20261208100000_change_log_by_entity",
        include_str!("../migrations/20261208100000_change_log_by_entity.sql"),
    ),
];

/// Applies the pending migrations (atomically) and returns how many were applied. Refuses a
/// database migrated by a newer server.
pub(super) fn migrate(conn: &mut Connection) -> DbResult<usize> {
    adopt(conn)?;
    let before = user_version(conn)?;
    if before > MIGRATIONS.len() {
        let name = format!("schema version {before}");
        return Err(DbError::UnknownMigration(name).into());
    }
    steps(MIGRATIONS)
        .to_latest(conn)
        .map_err(|e| crate::error::corrupt(format!("migration failed: {e}")))?;
    for (name, _) in &MIGRATIONS[before..] {
        tracing::info!(migration = name, "applied migration");
    }
    Ok(MIGRATIONS.len() - before)
}

/// `list` as `rusqlite_migration` steps, in order.
fn steps(list: &'static [(&'static str, &'static str)]) -> Migrations<'static> {
    Migrations::new(list.iter().map(|(_, sql)| M::up(sql)).collect())
}

fn user_version(conn: &Connection) -> DbResult<usize> {
    let version: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    Ok(usize::try_from(version).unwrap_or(usize::MAX))
}

/// A database of the earlier migration table: its recorded migrations must be the first ones of
/// [`MIGRATIONS`], in order; their count becomes the `user_version`, and the table goes.
fn adopt(conn: &mut Connection) -> DbResult<()> {
    let legacy = conn
        .query_row(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'",
            [],
            |_| Ok(()),
        )
        .optional()?
        .is_some();
    if !legacy || user_version(conn)? != 0 {
        return Ok(());
    }
    let tx = conn.transaction()?;
    let applied = tx
        .prepare("SELECT version FROM schema_migrations ORDER BY version")?
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    for (index, name) in applied.iter().enumerate() {
        if MIGRATIONS.get(index).is_none_or(|(known, _)| known != name) {
            return Err(DbError::UnknownMigration(name.clone()).into());
        }
    }
    tx.pragma_update(None, "user_version", applied.len())?;
    tx.execute_batch("DROP TABLE schema_migrations")?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_names_are_sorted_unique_and_all_valid() {
        let names: Vec<_> = MIGRATIONS.iter().map(|(v, _)| *v).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(names, sorted);
        steps(MIGRATIONS).validate().unwrap();
    }

    #[test]
    fn a_database_of_the_earlier_migration_table_is_adopted_then_migrated() {
        let mut conn = Connection::open_in_memory().unwrap();
        conn.execute_batch(
            "CREATE TABLE schema_migrations (version TEXT PRIMARY KEY, applied_at_ms INTEGER)",
        )
        .unwrap();
        for (name, sql) in &MIGRATIONS[..2] {
            conn.execute_batch(sql).unwrap();
            conn.execute("INSERT INTO schema_migrations VALUES (?1, 0)", [name])
                .unwrap();
        }
        assert_eq!(migrate(&mut conn).unwrap(), MIGRATIONS.len() - 2);
        assert_eq!(user_version(&conn).unwrap(), MIGRATIONS.len());
        assert_eq!(migrate(&mut conn).unwrap(), 0);
    }

    #[test]
    fn the_change_log_keyed_by_entity_keeps_every_row() {
        let mut conn = Connection::open_in_memory().unwrap();
        let last = MIGRATIONS.len() - 1;
        assert_eq!(MIGRATIONS[last].0, "20261208100000_change_log_by_entity");
        steps(&MIGRATIONS[..last]).to_latest(&mut conn).unwrap();
        let rows = "SELECT tenant_id, bucket, entity_kind, entity_id, seq, live FROM change_log
                    ORDER BY tenant_id, bucket, seq";
        conn.execute_batch(
            "INSERT INTO tenants (id, name, epoch, created_at_ms)
             VALUES ('a', 'A', 'e', 0), ('b', 'B', 'e', 0);
             INSERT INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq, live) VALUES
             ('a', 'z:75104', 'report', 'r1', 3, 1), ('a', 's:voirie', 'task', 'r1', 3, 1),
             ('a', 's:proprete', 'task', 'r1', 2, 0), ('a', 'c:x', 'follows', 'x', 4, 1),
             ('b', 'z:75104', 'report', 'r1', 1, 1)",
        )
        .unwrap();
        let read = |conn: &Connection| -> Vec<(String, String, String, String, i64, i64)> {
            conn.prepare(rows)
                .unwrap()
                .query_map([], |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ))
                })
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap()
        };
        let before = read(&conn);
        assert_eq!(migrate(&mut conn).unwrap(), 1);
        assert_eq!(read(&conn), before);
        // Keyed by entity: a second row of one (town, entity, bucket, kind) is refused.
        assert!(
            conn.execute(
                "INSERT INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq)
                 VALUES ('a', 'z:75104', 'report', 'r1', 9)",
                [],
            )
            .is_err()
        );
    }

    #[test]
    fn the_grid_cells_of_the_backfill_are_the_domains() {
        let conn = Connection::open_in_memory().unwrap();
        let sql =
            "SELECT (CAST(?1 / 0.005 AS INTEGER) - (?1 / 0.005 < CAST(?1 / 0.005 AS INTEGER)))
                          * 100000
                   + (CAST(?2 / 0.005 AS INTEGER) - (?2 / 0.005 < CAST(?2 / 0.005 AS INTEGER)))
                   + 50000";
        for (lat, lon) in [
            (48.8566, 2.3522),
            (-33.87, 151.21),
            (40.7, -74.0),
            (0.0012, -0.0012),
        ] {
            let cell: i64 = conn.query_row(sql, (lat, lon), |row| row.get(0)).unwrap();
            assert_eq!(cell, relais_domain::geo::cell(lat, lon), "{lat}, {lon}");
        }
    }
}
