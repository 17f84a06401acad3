//! Deleting a citizen's identity in one transaction (under the tenant's lock): their account
//! and devices (tokens stop working), supports (counts drop, reports re-stamped), current
//! ratings, follows and their own buckets of the change log; the rating history loses its link
//! to the person; reports and notes stay, re-pointed to the tenant's anonymous device.

use deadpool_postgres::Transaction;
use relais_server_database::DeviceRecord;

use crate::accounts::{Identity, account_of};
use crate::changelog::ChangeLog;
use crate::error::DbResult;
use crate::pipeline::Tx;

/// Returns the photos whose partial uploads were dropped (the caller removes their files).
pub(crate) async fn delete(
    tx: &Tx<'_>,
    device: &DeviceRecord,
    now_ms: i64,
) -> DbResult<Vec<String>> {
    let tenant = &device.tenant;
    let mut log = ChangeLog::open(tx, tenant).await?;
    let account = account_of(tx, device).await?;
    let identity = Identity::read(tx, device, account.clone()).await?;
    let (devices, citizens) = (&identity.devices, identity.citizens());
    let anonymous = anonymous_device(tx, tenant, now_ms).await?;

    let supported = tx
        .query(
            "SELECT s.report_id, COUNT(*) FROM supports s
             WHERE s.tenant_id = $1 AND s.citizen = ANY($2)
             GROUP BY s.report_id ORDER BY s.report_id",
            &[tenant, &citizens],
        )
        .await?;
    for row in supported {
        let (report, count): (String, i64) = (row.try_get(0)?, row.try_get(1)?);
        tx.execute(
            "DELETE FROM supports WHERE tenant_id = $1 AND report_id = $2 AND citizen = ANY($3)",
            &[tenant, &report, &citizens],
        )
        .await?;
        tx.execute(
            "UPDATE reports SET supporters = GREATEST(supporters - $3, 0)
             WHERE tenant_id = $1 AND id = $2",
            &[tenant, &report, &count],
        )
        .await?;
        log.report(tx, &report).await?;
    }
    log.close(tx).await?;

    for sql in [
        "DELETE FROM ratings WHERE tenant_id = $1 AND citizen = ANY($2)",
        "UPDATE rating_history SET citizen = NULL WHERE tenant_id = $1 AND citizen = ANY($2)",
        "DELETE FROM report_followers WHERE tenant_id = $1 AND citizen = ANY($2)",
        "DELETE FROM zone_follows WHERE tenant_id = $1 AND citizen = ANY($2)",
        "DELETE FROM change_log WHERE tenant_id = $1
           AND bucket = ANY(ARRAY(SELECT 'c:' || unnest($2::text[])))",
    ] {
        tx.execute(sql, &[tenant, &citizens]).await?;
    }
    for table in ["reports", "report_notes"] {
        tx.execute(
            &format!(
                "UPDATE {table} SET device_id = $2 WHERE tenant_id = $1 AND device_id = ANY($3)"
            ),
            &[tenant, &anonymous, devices],
        )
        .await?;
    }
    tx.execute(
        "UPDATE tenant_photos SET device_id = NULL WHERE tenant_id = $1 AND device_id = ANY($2)",
        &[tenant, devices],
    )
    .await?;
    let uploads = tx
        .query(
            "DELETE FROM uploads WHERE device_id = ANY($1) RETURNING sha256",
            &[devices],
        )
        .await?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<Vec<String>, _>>()?;
    tx.execute(
        "DELETE FROM device_mutations WHERE device_id = ANY($1)",
        &[devices],
    )
    .await?;
    tx.execute(
        "DELETE FROM devices WHERE tenant_id = $1 AND id = ANY($2)",
        &[tenant, devices],
    )
    .await?;
    if let Some(account) = &account {
        tx.execute("DELETE FROM accounts WHERE id = $1", &[account])
            .await?;
    }
    Ok(uploads)
}

/// The tenant's anonymous device (created the first time), which keeps the reports and notes
/// of deleted identities.
pub(crate) async fn anonymous_device(
    tx: &Transaction<'_>,
    tenant: &str,
    now_ms: i64,
) -> DbResult<String> {
    let id = relais_server_database::anonymous_device(tenant).to_string();
    tx.execute(
        "INSERT INTO devices (id, tenant_id, token_sha256, role, platform, app_version,
                              created_at_ms)
         VALUES ($1, $2, $3, 'anonymous', 'anonymous', '', $4)
         ON CONFLICT (id) DO NOTHING",
        &[&id, &tenant, &&rand::random::<[u8; 32]>()[..], &now_ms],
    )
    .await?;
    Ok(id)
}
