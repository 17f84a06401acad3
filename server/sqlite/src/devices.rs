//! Devices: registration of a citizen's device, and lookup by token hash, always within one
//! tenant, with the citizen it acts for and, for a staff device, its staff member.

use rusqlite::{Connection, OptionalExtension};

use crate::error::DbResult;
use crate::{parse_uuid, staff};
use relais_server_database::{DeviceRecord, NewDevice, TokenHash};

pub(crate) fn register(conn: &Connection, device: &NewDevice) -> DbResult<()> {
    conn.prepare_cached(
        "INSERT INTO devices (id, tenant_id, token_sha256, platform, app_version, created_at_ms,
                              language)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((
        device.id.to_string(),
        &device.tenant,
        &device.token.0[..],
        &device.platform,
        &device.app_version,
        device.created_at_ms,
        &device.language,
    ))?;
    Ok(())
}

/// The device holding the token, unless it was revoked; a staff device whose member is disabled
/// is refused too.
pub(crate) fn by_token(
    conn: &mut Connection,
    tenant: &str,
    token: TokenHash,
) -> DbResult<Option<DeviceRecord>> {
    let row = conn
        .prepare_cached(
            "SELECT id, COALESCE(account_id, id), staff_id FROM devices
             WHERE tenant_id = ?1 AND token_sha256 = ?2 AND revoked_at_ms IS NULL",
        )?
        .query_row((tenant, &token.0[..]), |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()?;
    let Some((id, citizen, staff_id)) = row else {
        return Ok(None);
    };
    let staff = match staff_id {
        Some(staff_id) => match staff::member_by_id(conn, &staff_id)? {
            Some(member) => Some(member),
            None => return Ok(None),
        },
        None => None,
    };
    Ok(Some(DeviceRecord {
        id: parse_uuid(&id)?,
        tenant: tenant.to_owned(),
        citizen,
        staff,
    }))
}
