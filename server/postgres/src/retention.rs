//! Data retention: a closed request of a town with a `retention_days` loses its link to the
//! citizen who filed it that many days after its closure. The request, its history and the
//! city's replies stay (statistics and the public record keep them); what goes is who filed and
//! followed it: the report and the citizen's thread messages are re-pointed to the town's
//! anonymous device (as an erased identity's are), the supports and followers of the request are
//! dropped, its rows in citizens' own buckets of the change log go, and its photos no longer
//! name the device that sent them. Each run covers the requests closed since the last run's
//! bound (`unlinked_until_ms`), in one transaction per call that locks the towns' rows first (so
//! two servers running it at once unlink each request once), and writes one audit entry per town
//! that had requests to unlink.

use deadpool_postgres::Transaction;

use crate::error::DbResult;

const DAY_MS: i64 = 86_400_000;

/// Sets `tenant`'s retention (`None`: links kept); false when there is no such tenant.
pub(crate) async fn set(tx: &Transaction<'_>, tenant: &str, days: Option<u32>) -> DbResult<bool> {
    let days = days.map(i64::from);
    let changed = tx
        .execute(
            "UPDATE tenants SET retention_days = $2 WHERE id = $1",
            &[&tenant, &days],
        )
        .await?;
    Ok(changed > 0)
}

/// Unlinks the requests closed longer ago than their town's retention; returns, per town that
/// had some, how many.
pub(crate) async fn unlink_closed(
    tx: &Transaction<'_>,
    now_ms: i64,
) -> DbResult<Vec<(String, usize)>> {
    let tenants = tx
        .query(
            "SELECT id, retention_days, unlinked_until_ms FROM tenants
             WHERE retention_days IS NOT NULL ORDER BY id FOR UPDATE",
            &[],
        )
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get::<_, String>(0)?,
                row.try_get::<_, i64>(1)?,
                row.try_get::<_, i64>(2)?,
            ))
        })
        .collect::<DbResult<Vec<_>>>()?;
    let mut unlinked = Vec::new();
    for (tenant, days, since) in tenants {
        let until = now_ms - days * DAY_MS;
        if until <= since {
            continue;
        }
        let reports = tx
            .query(
                "SELECT r.id, r.device_id FROM reports r JOIN devices d ON d.id = r.device_id
                 WHERE r.tenant_id = $1 AND r.closed_at_ms > $2 AND r.closed_at_ms <= $3
                   AND d.role <> 'anonymous'
                 ORDER BY r.id",
                &[&tenant, &since, &until],
            )
            .await?
            .iter()
            .map(|row| Ok((row.try_get::<_, String>(0)?, row.try_get::<_, String>(1)?)))
            .collect::<DbResult<Vec<_>>>()?;
        if !reports.is_empty() {
            let anonymous = crate::erasure::anonymous_device(tx, &tenant, now_ms).await?;
            for (report, device) in &reports {
                unlink(tx, &tenant, report, device, &anonymous).await?;
            }
            crate::staff::audit(
                tx,
                Some(&tenant),
                None,
                "retention.unlink",
                &serde_json::json!({
                    "requests": reports.len(),
                    "retention_days": days,
                    "closed_before_ms": until,
                }),
                now_ms,
            )
            .await?;
            unlinked.push((tenant.clone(), reports.len()));
        }
        tx.execute(
            "UPDATE tenants SET unlinked_until_ms = $2 WHERE id = $1",
            &[&tenant, &until],
        )
        .await?;
    }
    Ok(unlinked)
}

async fn unlink(
    tx: &Transaction<'_>,
    tenant: &str,
    report: &str,
    device: &str,
    anonymous: &str,
) -> DbResult<()> {
    tx.execute(
        "UPDATE reports SET device_id = $3 WHERE tenant_id = $1 AND id = $2",
        &[&tenant, &report, &anonymous],
    )
    .await?;
    tx.execute(
        "UPDATE report_notes SET device_id = $3
         WHERE tenant_id = $1 AND report_id = $2 AND author = 'citizen'",
        &[&tenant, &report, &anonymous],
    )
    .await?;
    tx.execute(
        "DELETE FROM supports WHERE tenant_id = $1 AND report_id = $2",
        &[&tenant, &report],
    )
    .await?;
    tx.execute(
        "DELETE FROM report_followers WHERE tenant_id = $1 AND report_id = $2",
        &[&tenant, &report],
    )
    .await?;
    tx.execute(
        "DELETE FROM change_log
         WHERE tenant_id = $1 AND entity_id = $2 AND substr(bucket, 1, 2) = 'c:'",
        &[&tenant, &report],
    )
    .await?;
    tx.execute(
        // The photos as an array: an index lookup of each, where `IN (subquery)` may read the
        // town's whole range of the key and join.
        "UPDATE tenant_photos SET device_id = NULL
         WHERE tenant_id = $1 AND device_id = $2
           AND sha256 = ANY(ARRAY(
               SELECT jsonb_array_elements_text(photos::jsonb) FROM reports
               WHERE tenant_id = $1 AND id = $3
               UNION
               SELECT jsonb_array_elements_text(completion_photos::jsonb) FROM reports
               WHERE tenant_id = $1 AND id = $3))",
        &[&tenant, &device, &report],
    )
    .await?;
    Ok(())
}
