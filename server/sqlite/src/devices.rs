//! Devices: registration and lookup by token hash, always within one tenant.

use rusqlite::{Connection, OptionalExtension};

use super::parse_uuid;
use crate::error::{DbResult, corrupt};
use relais_server_database::{DeviceRecord, NewDevice, Role, TokenHash};

pub(super) fn register(conn: &mut Connection, device: &NewDevice) -> DbResult<()> {
    conn.prepare_cached(
        "INSERT INTO devices (id, tenant_id, token_sha256, platform, app_version, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        device.id.to_string(),
        &device.tenant,
        &device.token.0[..],
        &device.platform,
        &device.app_version,
        device.created_at_ms,
    ))?;
    Ok(())
}

pub(super) fn by_token(
    conn: &mut Connection,
    tenant: &str,
    token: TokenHash,
) -> DbResult<Option<DeviceRecord>> {
    let row = conn
        .prepare_cached("SELECT id, role FROM devices WHERE tenant_id = ?1 AND token_sha256 = ?2")?
        .query_row((tenant, &token.0[..]), |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .optional()?;
    row.map(|(id, role)| {
        Ok(DeviceRecord {
            id: parse_uuid(&id)?,
            tenant: tenant.to_owned(),
            role: Role::parse(&role)
                .ok_or_else(|| corrupt(format!("device {id} has role {role:?}")))?,
        })
    })
    .transpose()
}
