//! Agents' one-time enrolment codes: creation by the administrator and consumption by the
//! registration of the agent's device, in one transaction.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use crate::error::DbResult;
use relais_server_database::{EnrolmentCreated, NewDevice, NewEnrolment, TokenHash};

pub(super) fn create(
    conn: &mut Connection,
    enrolment: &NewEnrolment,
) -> DbResult<EnrolmentCreated> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let tenant_exists = tx
        .prepare_cached("SELECT 1 FROM tenants WHERE id = ?1")?
        .query_row([&enrolment.tenant], |_| Ok(()))
        .optional()?
        .is_some();
    if !tenant_exists {
        return Ok(EnrolmentCreated::UnknownTenant);
    }
    let service_exists = tx
        .prepare_cached("SELECT 1 FROM services WHERE tenant_id = ?1 AND code = ?2")?
        .query_row((&enrolment.tenant, &enrolment.service), |_| Ok(()))
        .optional()?
        .is_some();
    if !service_exists {
        return Ok(EnrolmentCreated::UnknownService);
    }
    tx.prepare_cached(
        "INSERT INTO enrolment_codes (code_sha256, tenant_id, role, service_code, created_at_ms,
                                      expires_at_ms)
         VALUES (?1, ?2, 'agent', ?3, ?4, ?5)",
    )?
    .execute((
        &enrolment.code.0[..],
        &enrolment.tenant,
        &enrolment.service,
        enrolment.created_at_ms,
        enrolment.expires_at_ms,
    ))?;
    tx.commit()?;
    Ok(EnrolmentCreated::Created)
}

pub(super) fn enrol(conn: &mut Connection, device: &NewDevice, code: TokenHash) -> DbResult<bool> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Marking the code used in the same transaction as the insert makes it single-use even
    // under concurrent registrations (one writer).
    let claimed = tx
        .prepare_cached(
            "UPDATE enrolment_codes SET used_at_ms = ?3
             WHERE code_sha256 = ?1 AND tenant_id = ?2 AND used_at_ms IS NULL
               AND expires_at_ms > ?3
             RETURNING role, service_code",
        )?
        .query_row((&code.0[..], &device.tenant, device.created_at_ms), |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, Option<String>>(1)?))
        })
        .optional()?;
    let Some((role, service)) = claimed else {
        return Ok(false);
    };
    tx.prepare_cached(
        "INSERT INTO devices (id, tenant_id, token_sha256, role, platform, app_version,
                              created_at_ms, service_code)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(rusqlite::params![
        device.id.to_string(),
        &device.tenant,
        &device.token.0[..],
        role,
        &device.platform,
        &device.app_version,
        device.created_at_ms,
        service,
    ])?;
    tx.commit()?;
    Ok(true)
}
