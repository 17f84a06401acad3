//! The index of photos and partial uploads. The bytes are files (or objects) the server owns;
//! these rows say which of them are complete, which tenant holds which photo, and how far each
//! partial upload got (the file may hold more: only the recorded bytes count).

use deadpool_postgres::Transaction;
use relais_server_database::{StoredPhoto, UploadProgress, UploadState};
use uuid::Uuid;

use crate::error::{DbResult, signed, unsigned};

pub(crate) async fn state(
    tx: &Transaction<'_>,
    tenant: &str,
    sha256: &str,
) -> DbResult<UploadState> {
    let stored = tx
        .query_opt(
            "SELECT p.bytes FROM tenant_photos t JOIN photos p ON p.sha256 = t.sha256
             WHERE t.tenant_id = $1 AND t.sha256 = $2",
            &[&tenant, &sha256],
        )
        .await?;
    if let Some(row) = stored {
        return Ok(UploadState::Stored {
            bytes: unsigned(row.try_get(0)?, "photo size")?,
        });
    }
    let partial = tx
        .query_opt(
            "SELECT tenant_id, length, received FROM uploads WHERE sha256 = $1",
            &[&sha256],
        )
        .await?;
    Ok(match partial {
        Some(row) => UploadState::Partial {
            tenant: row.try_get(0)?,
            length: unsigned(row.try_get(1)?, "upload length")?,
            received: unsigned(row.try_get(2)?, "upload received")?,
        },
        None => UploadState::Absent,
    })
}

pub(crate) async fn record(tx: &Transaction<'_>, progress: &UploadProgress) -> DbResult<()> {
    tx.execute(
        "INSERT INTO uploads (sha256, tenant_id, device_id, length, received, started_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (sha256) DO UPDATE
         SET tenant_id = excluded.tenant_id, device_id = excluded.device_id,
             length = excluded.length, received = excluded.received,
             started_at_ms = CASE WHEN uploads.tenant_id = excluded.tenant_id
                                  THEN uploads.started_at_ms ELSE excluded.started_at_ms END",
        &[
            &progress.sha256,
            &progress.tenant,
            &progress.device.to_string(),
            &signed(progress.length, "upload length")?,
            &signed(progress.received, "upload received")?,
            &progress.at_ms,
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn discard(tx: &Transaction<'_>, sha256: &str) -> DbResult<()> {
    tx.execute("DELETE FROM uploads WHERE sha256 = $1", &[&sha256])
        .await?;
    Ok(())
}

pub(crate) async fn store(tx: &Transaction<'_>, photo: &StoredPhoto) -> DbResult<()> {
    tx.execute(
        "INSERT INTO photos (sha256, bytes, stored_at_ms) VALUES ($1, $2, $3)
         ON CONFLICT (sha256) DO NOTHING",
        &[
            &photo.sha256,
            &signed(photo.bytes, "photo size")?,
            &photo.at_ms,
        ],
    )
    .await?;
    tx.execute(
        "INSERT INTO tenant_photos (tenant_id, sha256, device_id, stored_at_ms)
         VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, sha256) DO NOTHING",
        &[
            &photo.tenant,
            &photo.sha256,
            &photo.device.map(|device| device.to_string()),
            &photo.at_ms,
        ],
    )
    .await?;
    tx.execute("DELETE FROM uploads WHERE sha256 = $1", &[&photo.sha256])
        .await?;
    Ok(())
}

/// The uploader may read its photo at once; the tenant's other devices once a report of the
/// tenant lists it (among the citizen's photos or the town's completion photos). A photo of
/// another tenant is simply absent.
pub(crate) async fn readable(
    tx: &Transaction<'_>,
    tenant: &str,
    device: Uuid,
    sha256: &str,
) -> DbResult<bool> {
    Ok(tx
        .query_opt(
            "SELECT 1 FROM tenant_photos t
             WHERE t.tenant_id = $1 AND t.sha256 = $2
               AND (t.device_id = $3
                    OR EXISTS (SELECT 1 FROM reports r
                               WHERE r.tenant_id = $1
                                 AND (r.photos::jsonb ? $2 OR r.completion_photos::jsonb ? $2)))",
            &[&tenant, &sha256, &device.to_string()],
        )
        .await?
        .is_some())
}
