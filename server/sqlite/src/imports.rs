//! The back office's import jobs (`import_jobs`): begun, updated and read by id for the job's
//! page; see `relais_server_database::imports`.

use relais_server_database::{ImportJob, ImportWindow};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::DbResult;
use crate::json::{parse, to_json};

/// Forgets the jobs `window` forgets, then records `job` unless its town has one under way
/// (the one writer makes the check and the insert atomic).
pub(crate) fn begin(conn: &Connection, job: &ImportJob, window: ImportWindow) -> DbResult<bool> {
    conn.prepare_cached(
        "DELETE FROM import_jobs
         WHERE COALESCE(finished_at_ms, updated_at_ms) < ?1",
    )?
    .execute([window.forget_before_ms])?;
    let busy: bool = conn
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM import_jobs
                            WHERE tenant_id = ?1 AND finished_at_ms IS NULL
                              AND updated_at_ms >= ?2)",
        )?
        .query_row((&job.tenant, window.stalled_before_ms), |row| row.get(0))?;
    if busy {
        return Ok(false);
    }
    update(conn, job)?;
    Ok(true)
}

/// Records where `job` stands: its row written, or rewritten (a job of another town is never
/// overwritten).
pub(crate) fn update(conn: &Connection, job: &ImportJob) -> DbResult<()> {
    conn.prepare_cached(
        "INSERT INTO import_jobs (id, tenant_id, progress, updated_at_ms, finished_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (id) DO UPDATE SET progress = excluded.progress,
             updated_at_ms = excluded.updated_at_ms, finished_at_ms = excluded.finished_at_ms
         WHERE import_jobs.tenant_id = excluded.tenant_id",
    )?
    .execute((
        job.id.to_string(),
        &job.tenant,
        to_json(&job.progress)?,
        job.updated_at_ms,
        job.finished_at_ms,
    ))?;
    Ok(())
}

pub(crate) fn get(conn: &Connection, tenant: &str, id: Uuid) -> DbResult<Option<ImportJob>> {
    let row = conn
        .prepare_cached(
            "SELECT progress, updated_at_ms, finished_at_ms FROM import_jobs
             WHERE id = ?1 AND tenant_id = ?2",
        )?
        .query_row((id.to_string(), tenant), |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, Option<i64>>(2)?,
            ))
        })
        .optional()?;
    row.map(|(progress, updated_at_ms, finished_at_ms)| {
        Ok(ImportJob {
            id,
            tenant: tenant.to_owned(),
            progress: parse(&progress, "import_jobs.progress")?,
            updated_at_ms,
            finished_at_ms,
        })
    })
    .transpose()
}
