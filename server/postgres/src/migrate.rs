//! The schema's migrations: SQL files embedded in the binary, applied in order, each once, in one
//! transaction that first takes a PostgreSQL advisory lock. Two servers starting at once on an
//! empty database therefore run them once: the second waits for the lock, then finds them
//! applied. A database migrated by a newer server (a migration this build does not know) is
//! refused.

use deadpool_postgres::Client;

use crate::error::{DbResult, Failure};
use relais_server_database::DbError;

/// The migrations, oldest first: (name, SQL).
const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_schema", include_str!("../migrations/0001_schema.sql")),
    (
        "0002_backoffice_indexes",
        include_str!("../migrations/0002_backoffice_indexes.sql"),
    ),
    (
        "0003_retention",
        include_str!("../migrations/0003_retention.sql"),
    ),
    (
        "0004_ids_per_town",
        include_str!("../migrations/0004_ids_per_town.sql"),
    ),
    (
        "0005_import_jobs",
        include_str!("../migrations/0005_import_jobs.sql"),
    ),
    (
        "0006_ratings_version",
        include_str!("../migrations/0006_ratings_version.sql"),
    ),
    (
        "0007_change_log_covering",
        include_str!("../migrations/0007_change_log_covering.sql"),
    ),
    (
        "0008_change_log_by_entity",
        include_str!("../migrations/0008_change_log_by_entity.sql"),
    ),
];

/// The advisory lock key of the migrations (any constant; this one spells "relais" in ASCII).
const LOCK: i64 = 0x72_65_6c_61_69_73;

/// Applies the missing migrations; returns how many ran.
pub(crate) async fn migrate(client: &mut Client) -> DbResult<usize> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&LOCK])
        .await?;
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS relais_migrations (
             name       TEXT PRIMARY KEY,
             applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
         )",
    )
    .await?;
    let applied: Vec<String> = tx
        .query("SELECT name FROM relais_migrations ORDER BY name", &[])
        .await?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    if let Some(unknown) = applied
        .iter()
        .find(|name| !MIGRATIONS.iter().any(|(known, _)| known == name))
    {
        return Err(Failure(DbError::UnknownMigration(unknown.clone())));
    }
    let mut ran = 0;
    for (name, sql) in MIGRATIONS {
        if applied.iter().any(|done| done == name) {
            continue;
        }
        tx.batch_execute(sql).await?;
        tx.execute("INSERT INTO relais_migrations (name) VALUES ($1)", &[name])
            .await?;
        ran += 1;
    }
    tx.commit().await?;
    Ok(ran)
}
