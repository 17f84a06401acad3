//! The back office's import jobs (`import_jobs`): begun, updated and read by id for the job's
//! page, from any server sharing the database; see `relais_server_database::imports`.

use deadpool_postgres::Transaction;
use relais_server_database::{ImportJob, ImportWindow};
use uuid::Uuid;

use crate::error::DbResult;
use crate::json::{parse, to_json};

/// Forgets the jobs `window` forgets, then records `job` unless its town has one under way.
/// Two servers starting an import of one town at once are serialized by a lock on the town's
/// row, so only one of them records its job.
pub(crate) async fn begin(
    tx: &Transaction<'_>,
    job: &ImportJob,
    window: ImportWindow,
) -> DbResult<bool> {
    tx.execute(
        "SELECT 1 FROM tenants WHERE id = $1 FOR UPDATE",
        &[&job.tenant],
    )
    .await?;
    tx.execute(
        "DELETE FROM import_jobs WHERE COALESCE(finished_at_ms, updated_at_ms) < $1",
        &[&window.forget_before_ms],
    )
    .await?;
    let busy: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM import_jobs
                            WHERE tenant_id = $1 AND finished_at_ms IS NULL
                              AND updated_at_ms >= $2)",
            &[&job.tenant, &window.stalled_before_ms],
        )
        .await?
        .get(0);
    if busy {
        return Ok(false);
    }
    update(tx, job).await?;
    Ok(true)
}

/// Records where `job` stands: its row written, or rewritten (a job of another town is never
/// overwritten).
pub(crate) async fn update(tx: &Transaction<'_>, job: &ImportJob) -> DbResult<()> {
    tx.execute(
        "INSERT INTO import_jobs (id, tenant_id, progress, updated_at_ms, finished_at_ms)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET progress = excluded.progress,
             updated_at_ms = excluded.updated_at_ms, finished_at_ms = excluded.finished_at_ms
         WHERE import_jobs.tenant_id = excluded.tenant_id",
        &[
            &job.id.to_string(),
            &job.tenant,
            &to_json(&job.progress)?,
            &job.updated_at_ms,
            &job.finished_at_ms,
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn get(
    tx: &Transaction<'_>,
    tenant: &str,
    id: Uuid,
) -> DbResult<Option<ImportJob>> {
    let Some(row) = tx
        .query_opt(
            "SELECT progress, updated_at_ms, finished_at_ms FROM import_jobs
             WHERE id = $1 AND tenant_id = $2",
            &[&id.to_string(), &tenant],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(ImportJob {
        id,
        tenant: tenant.to_owned(),
        progress: parse(row.get::<_, &str>(0), "import_jobs.progress")?,
        updated_at_ms: row.get(1),
        finished_at_ms: row.get(2),
    }))
}
