//! Deleting a caller's identity (GDPR erasure) in one transaction: the account and its devices
//! go, supports, follows and current ratings go (the reports' counts are re-stamped in the
//! change log, and the person's own bucket of it is dropped), the rating history is anonymised,
//! and reports and notes stay, re-pointed to the tenant's anonymous device.

use rusqlite::Connection;

use super::accounts::{Identity, account_of, json};
use crate::changelog::ChangeLog;
use crate::error::DbResult;
use relais_server_database::DeviceRecord;

pub(super) fn delete(tx: &Connection, device: &DeviceRecord, now_ms: i64) -> DbResult<Vec<String>> {
    let tenant = &device.tenant;
    let account = account_of(tx, device)?;
    let identity = Identity::read(tx, device, account.clone())?;
    let devices_json = json(&identity.devices)?;
    let citizens_json = json(&identity.citizens())?;
    let anonymous = anonymous_device(tx, tenant, now_ms)?;

    // Supports: each report loses one supporter per support removed, and is re-stamped so that
    // every device sees the new count.
    let supported = tx
        .prepare_cached(
            "SELECT s.report_id, COUNT(*) FROM supports s
             WHERE s.tenant_id = ?1 AND s.citizen IN (SELECT value FROM json_each(?2))
             GROUP BY s.report_id ORDER BY s.report_id",
        )?
        .query_map((tenant, &citizens_json), |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, i64>(1)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut log = ChangeLog::open(tx, tenant)?;
    for (report, count) in &supported {
        tx.prepare_cached(
            "DELETE FROM supports WHERE tenant_id = ?1 AND report_id = ?2
               AND citizen IN (SELECT value FROM json_each(?3))",
        )?
        .execute((tenant, report, &citizens_json))?;
        tx.prepare_cached(
            "UPDATE reports SET supporters = MAX(supporters - ?3, 0)
             WHERE tenant_id = ?1 AND id = ?2",
        )?
        .execute((tenant, report, count))?;
        log.report(tx, report)?;
    }
    log.close(tx)?;

    tx.prepare_cached(
        "DELETE FROM ratings WHERE tenant_id = ?1 AND citizen IN (SELECT value FROM json_each(?2))",
    )?
    .execute((tenant, &citizens_json))?;
    tx.prepare_cached(
        "UPDATE rating_history SET citizen = NULL
         WHERE tenant_id = ?1 AND citizen IN (SELECT value FROM json_each(?2))",
    )?
    .execute((tenant, &citizens_json))?;
    // What the person followed, and their own bucket of the change log: nobody can read them
    // any more.
    tx.prepare_cached(
        "DELETE FROM report_followers WHERE citizen IN (SELECT value FROM json_each(?1))",
    )?
    .execute([&citizens_json])?;
    tx.prepare_cached(
        "DELETE FROM zone_follows
         WHERE tenant_id = ?1 AND citizen IN (SELECT value FROM json_each(?2))",
    )?
    .execute((tenant, &citizens_json))?;
    tx.prepare_cached(
        "DELETE FROM change_log
         WHERE tenant_id = ?1 AND bucket IN (SELECT 'c:' || value FROM json_each(?2))",
    )?
    .execute((tenant, &citizens_json))?;

    // Reports and the conversation with the city stay, no longer linked to anyone.
    for table in ["reports", "report_notes"] {
        tx.execute(
            &format!(
                "UPDATE {table} SET device_id = ?2
                 WHERE tenant_id = ?1 AND device_id IN (SELECT value FROM json_each(?3))"
            ),
            (tenant, &anonymous, &devices_json),
        )?;
    }
    tx.prepare_cached(
        "UPDATE tenant_photos SET device_id = NULL
         WHERE tenant_id = ?1 AND device_id IN (SELECT value FROM json_each(?2))",
    )?
    .execute((tenant, &devices_json))?;
    let uploads = tx
        .prepare_cached(
            "DELETE FROM uploads WHERE device_id IN (SELECT value FROM json_each(?1))
             RETURNING sha256",
        )?
        .query_map([&devices_json], |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    tx.prepare_cached(
        "DELETE FROM device_mutations WHERE device_id IN (SELECT value FROM json_each(?1))",
    )?
    .execute([&devices_json])?;
    tx.prepare_cached(
        "DELETE FROM devices WHERE tenant_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
    )?
    .execute((tenant, &devices_json))?;
    if let Some(account) = &account {
        tx.prepare_cached("DELETE FROM accounts WHERE id = ?1")?
            .execute([account])?;
    }
    Ok(uploads)
}

/// The tenant's anonymous device, created on first use: the reports and notes of deleted
/// identities point to it. Its token hash is random (no token hashes to it) and its role is
/// `anonymous`, so nothing can act as it.
pub(crate) fn anonymous_device(tx: &Connection, tenant: &str, now_ms: i64) -> DbResult<String> {
    let id = relais_server_database::anonymous_device(tenant).to_string();
    tx.prepare_cached(
        "INSERT INTO devices (id, tenant_id, token_sha256, role, platform, app_version,
                              created_at_ms)
         VALUES (?1, ?2, ?3, 'anonymous', 'anonymous', '', ?4)
         ON CONFLICT (id) DO NOTHING",
    )?
    .execute((&id, tenant, &rand::random::<[u8; 32]>()[..], now_ms))?;
    Ok(id)
}
