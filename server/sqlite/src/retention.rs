//! Data retention: a closed request of a town with a `retention_days` loses its link to the
//! citizen who filed it that many days after its closure. The request, its history and the
//! city's replies stay (statistics and the public record keep them); what goes is who filed and
//! followed it: the report and the citizen's thread messages are re-pointed to the town's
//! anonymous device (as an erased identity's are), the supports and followers of the request are
//! dropped, its rows in citizens' own buckets of the change log go, and its photos no longer
//! name the device that sent them. Each run covers the requests closed since the last run's
//! bound (`unlinked_until_ms`), in one transaction per call, and writes one audit entry per town
//! that had requests to unlink.

use rusqlite::Connection;

use crate::error::DbResult;

const DAY_MS: i64 = 86_400_000;

/// Sets `tenant`'s retention (`None`: links kept); false when there is no such tenant.
pub(crate) fn set(conn: &Connection, tenant: &str, days: Option<u32>) -> DbResult<bool> {
    let changed = conn
        .prepare_cached("UPDATE tenants SET retention_days = ?2 WHERE id = ?1")?
        .execute((tenant, days))?;
    Ok(changed > 0)
}

/// Unlinks the requests closed longer ago than their town's retention; returns, per town that
/// had some, how many.
pub(crate) fn unlink_closed(conn: &Connection, now_ms: i64) -> DbResult<Vec<(String, usize)>> {
    let tenants = conn
        .prepare_cached(
            "SELECT id, retention_days, unlinked_until_ms FROM tenants
             WHERE retention_days IS NOT NULL ORDER BY id",
        )?
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut unlinked = Vec::new();
    for (tenant, days, since) in tenants {
        let until = now_ms - days * DAY_MS;
        if until <= since {
            continue;
        }
        let reports = conn
            .prepare_cached(
                "SELECT r.id, r.device_id FROM reports r JOIN devices d ON d.id = r.device_id
                 WHERE r.tenant_id = ?1 AND r.closed_at_ms > ?2 AND r.closed_at_ms <= ?3
                   AND d.role <> 'anonymous'
                 ORDER BY r.id",
            )?
            .query_map((&tenant, since, until), |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        if !reports.is_empty() {
            let anonymous = crate::erasure::anonymous_device(conn, &tenant, now_ms)?;
            for (report, device) in &reports {
                unlink(conn, &tenant, report, device, &anonymous)?;
            }
            crate::staff::audit(
                conn,
                Some(&tenant),
                None,
                "retention.unlink",
                &serde_json::json!({
                    "requests": reports.len(),
                    "retention_days": days,
                    "closed_before_ms": until,
                }),
                now_ms,
            )?;
            unlinked.push((tenant.clone(), reports.len()));
        }
        conn.prepare_cached("UPDATE tenants SET unlinked_until_ms = ?2 WHERE id = ?1")?
            .execute((&tenant, until))?;
    }
    Ok(unlinked)
}

fn unlink(
    conn: &Connection,
    tenant: &str,
    report: &str,
    device: &str,
    anonymous: &str,
) -> DbResult<()> {
    conn.prepare_cached("UPDATE reports SET device_id = ?3 WHERE tenant_id = ?1 AND id = ?2")?
        .execute((tenant, report, anonymous))?;
    conn.prepare_cached(
        "UPDATE report_notes SET device_id = ?3
         WHERE tenant_id = ?1 AND report_id = ?2 AND author = 'citizen'",
    )?
    .execute((tenant, report, anonymous))?;
    conn.prepare_cached("DELETE FROM supports WHERE tenant_id = ?1 AND report_id = ?2")?
        .execute([tenant, report])?;
    conn.prepare_cached("DELETE FROM report_followers WHERE tenant_id = ?1 AND report_id = ?2")?
        .execute([tenant, report])?;
    conn.prepare_cached(
        "DELETE FROM change_log
         WHERE tenant_id = ?1 AND entity_id = ?2 AND substr(bucket, 1, 2) = 'c:'",
    )?
    .execute((tenant, report))?;
    conn.prepare_cached(
        "UPDATE tenant_photos SET device_id = NULL
         WHERE tenant_id = ?1 AND device_id = ?2
           AND sha256 IN (SELECT value FROM json_each((SELECT photos FROM reports
                                                       WHERE tenant_id = ?1 AND id = ?3))
                          UNION
                          SELECT value FROM json_each((SELECT completion_photos FROM reports
                                                       WHERE tenant_id = ?1 AND id = ?3)))",
    )?
    .execute((tenant, device, report))?;
    Ok(())
}
