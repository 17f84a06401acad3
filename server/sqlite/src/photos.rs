//! The index of photos and partial uploads. The bytes are files owned by [`crate::photos`]; these
//! rows say which of them are complete, which tenant holds which photo, and how far each partial
//! upload got (the file may hold more: only the recorded bytes count).

use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::{DbResult, corrupt};
use relais_server_database::{StoredPhoto, UploadProgress, UploadState};

pub(super) fn state(conn: &mut Connection, tenant: &str, sha256: &str) -> DbResult<UploadState> {
    let tx = conn.transaction()?;
    let stored = tx
        .prepare_cached(
            "SELECT p.bytes FROM tenant_photos t JOIN photos p ON p.sha256 = t.sha256
             WHERE t.tenant_id = ?1 AND t.sha256 = ?2",
        )?
        .query_row((tenant, sha256), |row| row.get::<_, i64>(0))
        .optional()?;
    if let Some(bytes) = stored {
        return Ok(UploadState::Stored {
            bytes: unsigned(bytes)?,
        });
    }
    let partial = tx
        .prepare_cached("SELECT tenant_id, length, received FROM uploads WHERE sha256 = ?1")?
        .query_row([sha256], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })
        .optional()?;
    Ok(match partial {
        Some((tenant, length, received)) => UploadState::Partial {
            tenant,
            length: unsigned(length)?,
            received: unsigned(received)?,
        },
        None => UploadState::Absent,
    })
}

pub(super) fn record(tx: &Connection, progress: &UploadProgress) -> DbResult<()> {
    tx.prepare_cached(
        "INSERT INTO uploads (sha256, tenant_id, device_id, length, received, started_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (sha256) DO UPDATE
         SET tenant_id = excluded.tenant_id, device_id = excluded.device_id,
             length = excluded.length, received = excluded.received,
             started_at_ms = CASE WHEN uploads.tenant_id = excluded.tenant_id
                                  THEN uploads.started_at_ms ELSE excluded.started_at_ms END",
    )?
    .execute((
        &progress.sha256,
        &progress.tenant,
        progress.device.to_string(),
        signed(progress.length)?,
        signed(progress.received)?,
        progress.at_ms,
    ))?;
    Ok(())
}

pub(super) fn discard(tx: &Connection, sha256: &str) -> DbResult<()> {
    tx.prepare_cached("DELETE FROM uploads WHERE sha256 = ?1")?
        .execute([sha256])?;
    Ok(())
}

pub(super) fn store(tx: &Connection, photo: &StoredPhoto) -> DbResult<()> {
    tx.prepare_cached(
        "INSERT INTO photos (sha256, bytes, stored_at_ms) VALUES (?1, ?2, ?3)
         ON CONFLICT (sha256) DO NOTHING",
    )?
    .execute((&photo.sha256, signed(photo.bytes)?, photo.at_ms))?;
    tx.prepare_cached(
        "INSERT INTO tenant_photos (tenant_id, sha256, device_id, stored_at_ms)
         VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (tenant_id, sha256) DO NOTHING",
    )?
    .execute((
        &photo.tenant,
        &photo.sha256,
        photo.device.map(|device| device.to_string()),
        photo.at_ms,
    ))?;
    tx.prepare_cached("DELETE FROM uploads WHERE sha256 = ?1")?
        .execute([&photo.sha256])?;
    Ok(())
}

/// The uploader may read its photo at once; the tenant's other devices once a report of the
/// tenant lists it (among the citizen's photos or the town's completion photos). A photo of
/// another tenant is simply absent.
pub(super) fn readable(
    conn: &mut Connection,
    tenant: &str,
    device: Uuid,
    sha256: &str,
) -> DbResult<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM tenant_photos t
             WHERE t.tenant_id = ?1 AND t.sha256 = ?2
               AND (t.device_id = ?3
                    OR EXISTS (SELECT 1 FROM reports r, json_each(r.photos) p
                               WHERE r.tenant_id = ?1 AND p.value = ?2)
                    OR EXISTS (SELECT 1 FROM reports r, json_each(r.completion_photos) p
                               WHERE r.tenant_id = ?1 AND p.value = ?2))",
        )?
        .query_row((tenant, sha256, device.to_string()), |_| Ok(()))
        .optional()?
        .is_some())
}

fn unsigned(value: i64) -> DbResult<u64> {
    u64::try_from(value).map_err(|_| corrupt(format!("negative size {value}")))
}

fn signed(value: u64) -> DbResult<i64> {
    i64::try_from(value).map_err(|_| corrupt(format!("size {value} out of range")))
}
