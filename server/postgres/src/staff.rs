//! Staff accounts (a town's agents, supervisors and admins; the server's operators), their
//! web sessions, their devices' one-time enrolment codes, the town's devices as staff list them,
//! and the audit log of administrative acts.

use deadpool_postgres::Transaction;
use relais_protocol::{StaffProfile, StaffRole};
use relais_server_database::{
    DeviceListing, EnrolmentRecord, NewDevice, NewEnrolment, NewStaff, StaffAccount, StaffChange,
    StaffMember, TokenHash,
};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::catalogue::exists;
use crate::error::{DbResult, corrupt};
use crate::parse_uuid;

/// The columns a [`member`] row is read from, with `s` the staff table.
const MEMBER: &str = "s.id, s.tenant_id, s.email, s.name, s.role,
    ARRAY(SELECT service_code FROM staff_services WHERE staff_id = s.id ORDER BY service_code),
    ARRAY(SELECT zone_code FROM staff_zones WHERE staff_id = s.id ORDER BY zone_code)";

fn member(row: &Row) -> DbResult<StaffMember> {
    let id: &str = row.try_get(0)?;
    let role: &str = row.try_get(4)?;
    let role: StaffRole = role
        .parse()
        .map_err(|_| corrupt(format!("staff {id} has role {role:?}")))?;
    Ok(StaffMember {
        id: parse_uuid(id)?,
        tenant: row.try_get(1)?,
        profile: StaffProfile {
            email: row.try_get(2)?,
            name: row.try_get(3)?,
            role,
            services: row.try_get(5)?,
            zones: row.try_get(6)?,
        },
    })
}

/// An enabled staff member of `tenant` (`None`: an operator) by e-mail (lowercase).
pub(crate) async fn member_by_email(
    tx: &Transaction<'_>,
    tenant: Option<&str>,
    email: &str,
) -> DbResult<Option<StaffMember>> {
    let stmt = tx
        .prepare_cached(&format!(
            "SELECT {MEMBER} FROM staff s
             WHERE COALESCE(s.tenant_id, '') = COALESCE($1, '') AND s.email = $2
               AND s.disabled_at_ms IS NULL"
        ))
        .await?;
    tx.query_opt(&stmt, &[&tenant, &email])
        .await?
        .as_ref()
        .map(member)
        .transpose()
}

/// An enabled staff member by id.
pub(crate) async fn member_by_id(tx: &Transaction<'_>, id: &str) -> DbResult<Option<StaffMember>> {
    let stmt = tx
        .prepare_cached(&format!(
            "SELECT {MEMBER} FROM staff s WHERE s.id = $1 AND s.disabled_at_ms IS NULL"
        ))
        .await?;
    tx.query_opt(&stmt, &[&id])
        .await?
        .as_ref()
        .map(member)
        .transpose()
}

pub(crate) async fn add(tx: &Transaction<'_>, staff: &NewStaff) -> DbResult<StaffChange> {
    if let Some(tenant) = &staff.tenant {
        if crate::changelog::lock_tenant(tx, tenant).await?.is_none() {
            return Ok(StaffChange::UnknownTenant);
        }
        for service in &staff.services {
            if !exists(tx, "services", tenant, service).await? {
                return Ok(StaffChange::UnknownService);
            }
        }
        for zone in &staff.zones {
            if !exists(tx, "zones", tenant, zone).await? {
                return Ok(StaffChange::UnknownZone);
            }
        }
    }
    if id_of(tx, staff.tenant.as_deref(), &staff.email)
        .await?
        .is_some()
    {
        return Ok(StaffChange::EmailTaken);
    }
    let id = staff.id.to_string();
    // Two servers adding the same address at once: the unique index refuses the second.
    let inserted = tx
        .execute(
            "INSERT INTO staff (id, tenant_id, email, name, role, password_hash, created_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT DO NOTHING",
            &[
                &id,
                &staff.tenant,
                &staff.email,
                &staff.name,
                &staff.role.as_str(),
                &staff.password_hash,
                &staff.created_at_ms,
            ],
        )
        .await?;
    if inserted == 0 {
        return Ok(StaffChange::EmailTaken);
    }
    for code in &staff.services {
        tx.execute(
            "INSERT INTO staff_services (staff_id, service_code) VALUES ($1, $2)",
            &[&id, code],
        )
        .await?;
    }
    for code in &staff.zones {
        tx.execute(
            "INSERT INTO staff_zones (staff_id, zone_code) VALUES ($1, $2)",
            &[&id, code],
        )
        .await?;
    }
    Ok(StaffChange::Done)
}

pub(crate) async fn accounts(
    tx: &Transaction<'_>,
    tenant: Option<&str>,
) -> DbResult<Vec<StaffAccount>> {
    let stmt = tx
        .prepare_cached(&format!(
            "SELECT {MEMBER}, s.password_hash, s.disabled_at_ms, s.created_at_ms FROM staff s
             WHERE COALESCE(s.tenant_id, '') = COALESCE($1, '') ORDER BY s.email"
        ))
        .await?;
    tx.query(&stmt, &[&tenant])
        .await?
        .iter()
        .map(|row| {
            Ok(StaffAccount {
                member: member(row)?,
                password_hash: row.try_get(7)?,
                disabled_at_ms: row.try_get(8)?,
                created_at_ms: row.try_get(9)?,
            })
        })
        .collect()
}

/// Disables or enables an account; disabling also ends its web sessions (its devices stop
/// working because device lookups skip disabled members).
pub(crate) async fn set_disabled(
    tx: &Transaction<'_>,
    tenant: Option<&str>,
    email: &str,
    at_ms: Option<i64>,
) -> DbResult<StaffChange> {
    let Some(id) = id_of(tx, tenant, email).await? else {
        return Ok(StaffChange::UnknownStaff);
    };
    tx.execute(
        "UPDATE staff SET disabled_at_ms = $2 WHERE id = $1",
        &[&id, &at_ms],
    )
    .await?;
    if let Some(at) = at_ms {
        tx.execute(
            "UPDATE staff_sessions SET revoked_at_ms = $2
             WHERE staff_id = $1 AND revoked_at_ms IS NULL",
            &[&id, &at],
        )
        .await?;
    }
    Ok(StaffChange::Done)
}

pub(crate) async fn set_password(
    tx: &Transaction<'_>,
    tenant: Option<&str>,
    email: &str,
    hash: &str,
) -> DbResult<StaffChange> {
    let Some(id) = id_of(tx, tenant, email).await? else {
        return Ok(StaffChange::UnknownStaff);
    };
    tx.execute(
        "UPDATE staff SET password_hash = $2 WHERE id = $1",
        &[&id, &hash],
    )
    .await?;
    Ok(StaffChange::Done)
}

async fn id_of(
    tx: &Transaction<'_>,
    tenant: Option<&str>,
    email: &str,
) -> DbResult<Option<String>> {
    let stmt = tx
        .prepare_cached(
            "SELECT id FROM staff WHERE COALESCE(tenant_id, '') = COALESCE($1, '') AND email = $2",
        )
        .await?;
    Ok(match tx.query_opt(&stmt, &[&tenant, &email]).await? {
        Some(row) => Some(row.try_get(0)?),
        None => None,
    })
}

pub(crate) async fn create_session(
    tx: &Transaction<'_>,
    token: TokenHash,
    staff: Uuid,
    now_ms: i64,
) -> DbResult<()> {
    tx.execute(
        "INSERT INTO staff_sessions (token_sha256, staff_id, created_at_ms, last_seen_ms)
         VALUES ($1, $2, $3, $3)",
        &[&&token.0[..], &staff.to_string(), &now_ms],
    )
    .await?;
    Ok(())
}

/// The session's member and its last use, if it is valid at these bounds.
pub(crate) async fn session(
    tx: &Transaction<'_>,
    token: TokenHash,
    idle_since_ms: i64,
    opened_since_ms: i64,
) -> DbResult<Option<(StaffMember, i64)>> {
    let stmt = tx
        .prepare_cached(
            "SELECT staff_id, last_seen_ms FROM staff_sessions
             WHERE token_sha256 = $1 AND revoked_at_ms IS NULL
               AND last_seen_ms >= $2 AND created_at_ms >= $3",
        )
        .await?;
    let Some(row) = tx
        .query_opt(&stmt, &[&&token.0[..], &idle_since_ms, &opened_since_ms])
        .await?
    else {
        return Ok(None);
    };
    let (staff, last_seen): (String, i64) = (row.try_get(0)?, row.try_get(1)?);
    Ok(member_by_id(tx, &staff)
        .await?
        .map(|member| (member, last_seen)))
}

pub(crate) async fn touch_session(
    tx: &Transaction<'_>,
    token: TokenHash,
    now_ms: i64,
) -> DbResult<()> {
    tx.execute(
        "UPDATE staff_sessions SET last_seen_ms = $2 WHERE token_sha256 = $1",
        &[&&token.0[..], &now_ms],
    )
    .await?;
    Ok(())
}

pub(crate) async fn end_session(
    tx: &Transaction<'_>,
    token: TokenHash,
    now_ms: i64,
) -> DbResult<bool> {
    Ok(tx
        .execute(
            "UPDATE staff_sessions SET revoked_at_ms = $2
             WHERE token_sha256 = $1 AND revoked_at_ms IS NULL",
            &[&&token.0[..], &now_ms],
        )
        .await?
        > 0)
}

pub(crate) async fn create_enrolment(
    tx: &Transaction<'_>,
    enrolment: &NewEnrolment,
) -> DbResult<StaffChange> {
    if crate::changelog::lock_tenant(tx, &enrolment.tenant)
        .await?
        .is_none()
    {
        return Ok(StaffChange::UnknownTenant);
    }
    let Some(member) = member_by_id(tx, &enrolment.staff.to_string()).await? else {
        return Ok(StaffChange::UnknownStaff);
    };
    if member.tenant.as_deref() != Some(enrolment.tenant.as_str()) {
        return Ok(StaffChange::UnknownStaff);
    }
    tx.execute(
        "INSERT INTO enrolment_codes (code_sha256, tenant_id, role, staff_id, created_at_ms,
                                      expires_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &&enrolment.code.0[..],
            &enrolment.tenant,
            &member.profile.role.as_str(),
            &enrolment.staff.to_string(),
            &enrolment.created_at_ms,
            &enrolment.expires_at_ms,
        ],
    )
    .await?;
    Ok(StaffChange::Done)
}

/// Consumes a code and stores the staff member's device in one transaction: the conditional
/// update claims the code once even when two servers receive it at once (the second waits for
/// the first's row lock, then finds the code used).
pub(crate) async fn enrol(
    tx: &Transaction<'_>,
    device: &NewDevice,
    code: TokenHash,
) -> DbResult<Option<StaffMember>> {
    let claimed = tx
        .query_opt(
            "UPDATE enrolment_codes SET used_at_ms = $3, device_id = $4
             WHERE code_sha256 = $1 AND tenant_id = $2 AND used_at_ms IS NULL
               AND revoked_at_ms IS NULL AND expires_at_ms > $3
               AND staff_id IN (SELECT id FROM staff WHERE disabled_at_ms IS NULL)
             RETURNING staff_id",
            &[
                &&code.0[..],
                &device.tenant,
                &device.created_at_ms,
                &device.id.to_string(),
            ],
        )
        .await?;
    let Some(row) = claimed else {
        return Ok(None);
    };
    let staff: String = row.try_get(0)?;
    let member = member_by_id(tx, &staff)
        .await?
        .ok_or_else(|| corrupt(format!("enrolment code of unknown staff {staff}")))?;
    tx.execute(
        "INSERT INTO devices (id, tenant_id, token_sha256, role, platform, app_version,
                              created_at_ms, staff_id, language)
         VALUES ($1, $2, $3, 'staff', $4, $5, $6, $7, $8)",
        &[
            &device.id.to_string(),
            &device.tenant,
            &&device.token.0[..],
            &device.platform,
            &device.app_version,
            &device.created_at_ms,
            &staff,
            &device.language,
        ],
    )
    .await?;
    Ok(Some(member))
}

pub(crate) async fn enrolments(
    tx: &Transaction<'_>,
    tenant: &str,
) -> DbResult<Vec<EnrolmentRecord>> {
    tx.query(
        "SELECT encode(substr(e.code_sha256, 1, 4), 'hex'), s.email, e.created_at_ms,
                e.expires_at_ms, e.used_at_ms, e.revoked_at_ms
         FROM enrolment_codes e JOIN staff s ON s.id = e.staff_id
         WHERE e.tenant_id = $1 ORDER BY e.created_at_ms DESC",
        &[&tenant],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(EnrolmentRecord {
            id: row.try_get(0)?,
            staff_email: row.try_get(1)?,
            created_at_ms: row.try_get(2)?,
            expires_at_ms: row.try_get(3)?,
            used_at_ms: row.try_get(4)?,
            revoked_at_ms: row.try_get(5)?,
        })
    })
    .collect()
}

pub(crate) async fn revoke_enrolment(
    tx: &Transaction<'_>,
    tenant: &str,
    id: &str,
    at_ms: i64,
) -> DbResult<bool> {
    Ok(tx
        .execute(
            "UPDATE enrolment_codes SET revoked_at_ms = $3
             WHERE tenant_id = $1 AND encode(substr(code_sha256, 1, 4), 'hex') = lower($2)
               AND used_at_ms IS NULL AND revoked_at_ms IS NULL",
            &[&tenant, &id, &at_ms],
        )
        .await?
        > 0)
}

pub(crate) async fn devices(
    tx: &Transaction<'_>,
    tenant: &str,
    staff_only: bool,
) -> DbResult<Vec<DeviceListing>> {
    tx.query(
        "SELECT d.id, d.platform, s.email, d.created_at_ms, d.revoked_at_ms
         FROM devices d LEFT JOIN staff s ON s.id = d.staff_id
         WHERE d.tenant_id = $1 AND (NOT $2 OR d.staff_id IS NOT NULL)
         ORDER BY d.created_at_ms, d.id",
        &[&tenant, &staff_only],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(DeviceListing {
            id: parse_uuid(row.try_get(0)?)?,
            platform: row.try_get(1)?,
            staff_email: row.try_get(2)?,
            created_at_ms: row.try_get(3)?,
            revoked_at_ms: row.try_get(4)?,
        })
    })
    .collect()
}

pub(crate) async fn revoke_device(
    tx: &Transaction<'_>,
    tenant: &str,
    device: Uuid,
    at_ms: i64,
) -> DbResult<bool> {
    Ok(tx
        .execute(
            "UPDATE devices SET revoked_at_ms = $3
             WHERE tenant_id = $1 AND id = $2 AND revoked_at_ms IS NULL",
            &[&tenant, &device.to_string(), &at_ms],
        )
        .await?
        > 0)
}

pub(crate) async fn audit(
    tx: &Transaction<'_>,
    tenant: Option<&str>,
    staff: Option<Uuid>,
    action: &str,
    detail: &serde_json::Value,
    at_ms: i64,
) -> DbResult<()> {
    tx.execute(
        "INSERT INTO audit_log (id, tenant_id, staff_id, action, detail, at_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &Uuid::now_v7().to_string(),
            &tenant,
            &staff.map(|s| s.to_string()),
            &action,
            &detail.to_string(),
            &at_ms,
        ],
    )
    .await?;
    Ok(())
}
