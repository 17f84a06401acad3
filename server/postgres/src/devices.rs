//! Devices: registration of a citizen's device, and lookup by token hash, always within one
//! tenant, with the citizen it acts for and, for a staff device, its staff member.

use deadpool_postgres::Transaction;
use relais_server_database::{DeviceRecord, NewDevice, TokenHash};

use crate::error::DbResult;
use crate::{parse_uuid, staff};

pub(crate) async fn register(tx: &Transaction<'_>, device: &NewDevice) -> DbResult<()> {
    let stmt = tx
        .prepare_cached(
            "INSERT INTO devices (id, tenant_id, token_sha256, platform, app_version,
                                  created_at_ms, language)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .await?;
    tx.execute(
        &stmt,
        &[
            &device.id.to_string(),
            &device.tenant,
            &&device.token.0[..],
            &device.platform,
            &device.app_version,
            &device.created_at_ms,
            &device.language,
        ],
    )
    .await?;
    Ok(())
}

/// The device holding the token, unless it was revoked; a staff device whose member is disabled
/// is refused too.
pub(crate) async fn by_token(
    tx: &Transaction<'_>,
    tenant: &str,
    token: TokenHash,
) -> DbResult<Option<DeviceRecord>> {
    let stmt = tx
        .prepare_cached(
            "SELECT id, COALESCE(account_id, id), staff_id FROM devices
             WHERE tenant_id = $1 AND token_sha256 = $2 AND revoked_at_ms IS NULL",
        )
        .await?;
    let Some(row) = tx.query_opt(&stmt, &[&tenant, &&token.0[..]]).await? else {
        return Ok(None);
    };
    let staff_id: Option<&str> = row.try_get(2)?;
    let staff = match staff_id {
        Some(staff_id) => match staff::member_by_id(tx, staff_id).await? {
            Some(member) => Some(member),
            None => return Ok(None),
        },
        None => None,
    };
    Ok(Some(DeviceRecord {
        id: parse_uuid(row.try_get(0)?)?,
        tenant: tenant.to_owned(),
        citizen: row.try_get(1)?,
        staff,
    }))
}
