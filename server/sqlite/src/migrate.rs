//! Embedded schema migrations, applied in order at open and recorded in `schema_migrations`.
//! A shipped migration is never edited: a change is a new file.

use rusqlite::{Connection, TransactionBehavior};

use crate::error::DbResult;
use crate::now_ms;
use relais_server_database::DbError;

/// `(version, sql)`, in the order they apply. The version is the file name without `.sql`.
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
];

/// Applies the pending migrations in one immediate transaction (so that two servers starting on
/// the same file cannot both apply one) and returns how many were applied. Refuses a database
/// holding a migration this build does not know: it was migrated by a newer server.
pub(super) fn migrate(conn: &mut Connection) -> DbResult<usize> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    tx.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
             version TEXT PRIMARY KEY,
             applied_at_ms INTEGER NOT NULL
         ) STRICT",
    )?;
    let applied = tx
        .prepare("SELECT version FROM schema_migrations ORDER BY version")?
        .query_map([], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    if let Some(unknown) = applied
        .iter()
        .find(|version| !MIGRATIONS.iter().any(|(known, _)| known == version))
    {
        return Err(DbError::UnknownMigration(unknown.clone()).into());
    }
    let mut count = 0;
    for (version, sql) in MIGRATIONS {
        if applied.iter().any(|done| done == version) {
            continue;
        }
        tx.execute_batch(sql)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, applied_at_ms) VALUES (?1, ?2)",
            (version, now_ms()),
        )?;
        tracing::info!(migration = version, "applied migration");
        count += 1;
    }
    tx.commit()?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migration_versions_are_sorted_and_unique() {
        let versions: Vec<_> = MIGRATIONS.iter().map(|(v, _)| *v).collect();
        let mut sorted = versions.clone();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(versions, sorted);
    }
}
