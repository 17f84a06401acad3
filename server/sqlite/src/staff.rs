//! Staff accounts (a town's agents, supervisors and admins; the server's operators), their
//! devices' one-time enrolment codes, the town's devices as staff list them, and the audit log
//! of administrative acts.

use relais_protocol::{StaffProfile, StaffRole};
use relais_server_database::{
    DeviceListing, EnrolmentRecord, NewDevice, NewEnrolment, NewStaff, StaffAccount, StaffChange,
    StaffMember, TokenHash,
};
use rusqlite::{Connection, OptionalExtension, Row};
use uuid::Uuid;

use crate::error::{DbResult, corrupt};
use crate::facts::tenant_exists;
use crate::parse_uuid;

/// The columns a [`member`] row is read from, with `s` the staff table.
const MEMBER: &str = "s.id, s.tenant_id, s.email, s.name, s.role,
    (SELECT json_group_array(service_code) FROM staff_services WHERE staff_id = s.id),
    (SELECT json_group_array(zone_code) FROM staff_zones WHERE staff_id = s.id)";

/// A staff row as selected by [`MEMBER`], before its text columns are parsed.
struct MemberRow {
    id: String,
    tenant: Option<String>,
    email: String,
    name: String,
    role: String,
    services: String,
    zones: String,
}

fn member(row: &Row<'_>) -> rusqlite::Result<MemberRow> {
    Ok(MemberRow {
        id: row.get(0)?,
        tenant: row.get(1)?,
        email: row.get(2)?,
        name: row.get(3)?,
        role: row.get(4)?,
        services: row.get(5)?,
        zones: row.get(6)?,
    })
}

fn parse_member(row: MemberRow) -> DbResult<StaffMember> {
    let MemberRow {
        id,
        tenant,
        email,
        name,
        role,
        services,
        zones,
    } = row;
    let role: StaffRole = role
        .parse()
        .map_err(|_| corrupt(format!("staff {id} has role {role:?}")))?;
    let mut services: Vec<String> = crate::json::parse(&services, "staff services")?;
    let mut zones: Vec<String> = crate::json::parse(&zones, "staff zones")?;
    services.sort();
    zones.sort();
    Ok(StaffMember {
        id: parse_uuid(&id)?,
        tenant,
        profile: StaffProfile {
            email,
            name,
            role,
            services,
            zones,
        },
    })
}

/// An enabled staff member of `tenant` (`None`: an operator) by e-mail (lowercase).
pub(crate) fn member_by_email(
    conn: &Connection,
    tenant: Option<&str>,
    email: &str,
) -> DbResult<Option<StaffMember>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {MEMBER} FROM staff s
             WHERE COALESCE(s.tenant_id, '') = COALESCE(?1, '') AND s.email = ?2
               AND s.disabled_at_ms IS NULL"
        ))?
        .query_row((tenant, email), member)
        .optional()?;
    row.map(parse_member).transpose()
}

/// An enabled staff member by id.
pub(crate) fn member_by_id(conn: &Connection, id: &str) -> DbResult<Option<StaffMember>> {
    let row = conn
        .prepare_cached(&format!(
            "SELECT {MEMBER} FROM staff s WHERE s.id = ?1 AND s.disabled_at_ms IS NULL"
        ))?
        .query_row([id], member)
        .optional()?;
    row.map(parse_member).transpose()
}

pub(crate) fn add(conn: &Connection, staff: &NewStaff) -> DbResult<StaffChange> {
    if let Some(tenant) = &staff.tenant {
        if !tenant_exists(conn, tenant)? {
            return Ok(StaffChange::UnknownTenant);
        }
        for service in &staff.services {
            if !exists(conn, "services", tenant, service)? {
                return Ok(StaffChange::UnknownService);
            }
        }
        for zone in &staff.zones {
            if !exists(conn, "zones", tenant, zone)? {
                return Ok(StaffChange::UnknownZone);
            }
        }
    }
    let taken = conn
        .prepare_cached(
            "SELECT 1 FROM staff WHERE COALESCE(tenant_id, '') = COALESCE(?1, '') AND email = ?2",
        )?
        .query_row((&staff.tenant, &staff.email), |_| Ok(()))
        .optional()?
        .is_some();
    if taken {
        return Ok(StaffChange::EmailTaken);
    }
    let id = staff.id.to_string();
    conn.prepare_cached(
        "INSERT INTO staff (id, tenant_id, email, name, role, password_hash, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((
        &id,
        &staff.tenant,
        &staff.email,
        &staff.name,
        staff.role.as_str(),
        &staff.password_hash,
        staff.created_at_ms,
    ))?;
    let mut service =
        conn.prepare_cached("INSERT INTO staff_services (staff_id, service_code) VALUES (?1, ?2)")?;
    for code in &staff.services {
        service.execute((&id, code))?;
    }
    let mut zone =
        conn.prepare_cached("INSERT INTO staff_zones (staff_id, zone_code) VALUES (?1, ?2)")?;
    for code in &staff.zones {
        zone.execute((&id, code))?;
    }
    Ok(StaffChange::Done)
}

fn exists(conn: &Connection, table: &str, tenant: &str, code: &str) -> DbResult<bool> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT 1 FROM {table} WHERE tenant_id = ?1 AND code = ?2"
        ))?
        .query_row((tenant, code), |_| Ok(()))
        .optional()?
        .is_some())
}

pub(crate) fn accounts(conn: &mut Connection, tenant: Option<&str>) -> DbResult<Vec<StaffAccount>> {
    let tx = conn.transaction()?;
    let mut stmt = tx.prepare_cached(&format!(
        "SELECT {MEMBER}, s.password_hash, s.disabled_at_ms, s.created_at_ms FROM staff s
         WHERE COALESCE(s.tenant_id, '') = COALESCE(?1, '') ORDER BY s.email"
    ))?;
    let rows = stmt.query_map([tenant], |row| {
        Ok((
            member(row)?,
            row.get::<_, Option<String>>(7)?,
            row.get::<_, Option<i64>>(8)?,
            row.get::<_, i64>(9)?,
        ))
    })?;
    let mut accounts = Vec::new();
    for row in rows {
        let (member, password_hash, disabled_at_ms, created_at_ms) = row?;
        accounts.push(StaffAccount {
            member: parse_member(member)?,
            password_hash,
            disabled_at_ms,
            created_at_ms,
        });
    }
    Ok(accounts)
}

/// Disables or enables an account; disabling also ends its web sessions (its devices stop
/// working because device lookups skip disabled members).
pub(crate) fn set_disabled(
    conn: &Connection,
    tenant: Option<&str>,
    email: &str,
    at_ms: Option<i64>,
) -> DbResult<StaffChange> {
    let Some(id) = id_of(conn, tenant, email)? else {
        return Ok(StaffChange::UnknownStaff);
    };
    conn.prepare_cached("UPDATE staff SET disabled_at_ms = ?2 WHERE id = ?1")?
        .execute((&id, at_ms))?;
    if let Some(at) = at_ms {
        conn.prepare_cached(
            "UPDATE staff_sessions SET revoked_at_ms = ?2
             WHERE staff_id = ?1 AND revoked_at_ms IS NULL",
        )?
        .execute((&id, at))?;
    }
    Ok(StaffChange::Done)
}

pub(crate) fn account(
    conn: &mut Connection,
    tenant: Option<&str>,
    email: &str,
) -> DbResult<Option<StaffAccount>> {
    Ok(accounts(conn, tenant)?
        .into_iter()
        .find(|account| account.member.profile.email == email))
}

pub(crate) fn create_session(
    conn: &Connection,
    token: TokenHash,
    staff: Uuid,
    now_ms: i64,
) -> DbResult<()> {
    conn.prepare_cached(
        "INSERT INTO staff_sessions (token_sha256, staff_id, created_at_ms, last_seen_ms)
         VALUES (?1, ?2, ?3, ?3)",
    )?
    .execute((&token.0[..], staff.to_string(), now_ms))?;
    Ok(())
}

/// The session's member and its last use, if it is valid at these bounds.
pub(crate) fn session(
    conn: &mut Connection,
    token: TokenHash,
    idle_since_ms: i64,
    opened_since_ms: i64,
) -> DbResult<Option<(StaffMember, i64)>> {
    let row: Option<(String, i64)> = conn
        .prepare_cached(
            "SELECT staff_id, last_seen_ms FROM staff_sessions
             WHERE token_sha256 = ?1 AND revoked_at_ms IS NULL
               AND last_seen_ms >= ?2 AND created_at_ms >= ?3",
        )?
        .query_row((&token.0[..], idle_since_ms, opened_since_ms), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })
        .optional()?;
    let Some((staff, last_seen)) = row else {
        return Ok(None);
    };
    Ok(member_by_id(conn, &staff)?.map(|member| (member, last_seen)))
}

pub(crate) fn touch_session(conn: &Connection, token: TokenHash, now_ms: i64) -> DbResult<()> {
    conn.prepare_cached("UPDATE staff_sessions SET last_seen_ms = ?2 WHERE token_sha256 = ?1")?
        .execute((&token.0[..], now_ms))?;
    Ok(())
}

pub(crate) fn end_session(conn: &Connection, token: TokenHash, now_ms: i64) -> DbResult<bool> {
    Ok(conn
        .prepare_cached(
            "UPDATE staff_sessions SET revoked_at_ms = ?2
             WHERE token_sha256 = ?1 AND revoked_at_ms IS NULL",
        )?
        .execute((&token.0[..], now_ms))?
        > 0)
}

pub(crate) fn set_password(
    conn: &Connection,
    tenant: Option<&str>,
    email: &str,
    hash: &str,
) -> DbResult<StaffChange> {
    let Some(id) = id_of(conn, tenant, email)? else {
        return Ok(StaffChange::UnknownStaff);
    };
    conn.prepare_cached("UPDATE staff SET password_hash = ?2 WHERE id = ?1")?
        .execute((&id, hash))?;
    Ok(StaffChange::Done)
}

fn id_of(conn: &Connection, tenant: Option<&str>, email: &str) -> DbResult<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT id FROM staff WHERE COALESCE(tenant_id, '') = COALESCE(?1, '') AND email = ?2",
        )?
        .query_row((tenant, email), |row| row.get(0))
        .optional()?)
}

pub(crate) fn create_enrolment(
    conn: &Connection,
    enrolment: &NewEnrolment,
) -> DbResult<StaffChange> {
    if !tenant_exists(conn, &enrolment.tenant)? {
        return Ok(StaffChange::UnknownTenant);
    }
    let Some(member) = member_by_id(conn, &enrolment.staff.to_string())? else {
        return Ok(StaffChange::UnknownStaff);
    };
    if member.tenant.as_deref() != Some(enrolment.tenant.as_str()) {
        return Ok(StaffChange::UnknownStaff);
    }
    conn.prepare_cached(
        "INSERT INTO enrolment_codes (code_sha256, tenant_id, role, staff_id, created_at_ms,
                                      expires_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        &enrolment.code.0[..],
        &enrolment.tenant,
        member.profile.role.as_str(),
        enrolment.staff.to_string(),
        enrolment.created_at_ms,
        enrolment.expires_at_ms,
    ))?;
    Ok(StaffChange::Done)
}

/// Consumes a code and stores the staff member's device, in the writer's transaction (so the
/// code is single-use even under concurrent registrations).
pub(crate) fn enrol(
    conn: &Connection,
    device: &NewDevice,
    code: TokenHash,
) -> DbResult<Option<StaffMember>> {
    let claimed: Option<String> = conn
        .prepare_cached(
            "UPDATE enrolment_codes SET used_at_ms = ?3, device_id = ?4
             WHERE code_sha256 = ?1 AND tenant_id = ?2 AND used_at_ms IS NULL
               AND revoked_at_ms IS NULL AND expires_at_ms > ?3
               AND staff_id IN (SELECT id FROM staff WHERE disabled_at_ms IS NULL)
             RETURNING staff_id",
        )?
        .query_row(
            (
                &code.0[..],
                &device.tenant,
                device.created_at_ms,
                device.id.to_string(),
            ),
            |row| row.get(0),
        )
        .optional()?;
    let Some(staff) = claimed else {
        return Ok(None);
    };
    let member = member_by_id(conn, &staff)?
        .ok_or_else(|| corrupt(format!("enrolment code of unknown staff {staff}")))?;
    conn.prepare_cached(
        "INSERT INTO devices (id, tenant_id, token_sha256, role, platform, app_version,
                              created_at_ms, staff_id, language)
         VALUES (?1, ?2, ?3, 'staff', ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(rusqlite::params![
        device.id.to_string(),
        &device.tenant,
        &device.token.0[..],
        &device.platform,
        &device.app_version,
        device.created_at_ms,
        &staff,
        &device.language,
    ])?;
    Ok(Some(member))
}

pub(crate) fn enrolments(conn: &mut Connection, tenant: &str) -> DbResult<Vec<EnrolmentRecord>> {
    let tx = conn.transaction()?;
    let mut stmt = tx.prepare_cached(
        "SELECT lower(hex(substr(e.code_sha256, 1, 4))), s.email, e.created_at_ms,
                e.expires_at_ms, e.used_at_ms, e.revoked_at_ms
         FROM enrolment_codes e JOIN staff s ON s.id = e.staff_id
         WHERE e.tenant_id = ?1 ORDER BY e.created_at_ms DESC",
    )?;
    let rows = stmt.query_map([tenant], |row| {
        Ok(EnrolmentRecord {
            id: row.get(0)?,
            staff_email: row.get(1)?,
            created_at_ms: row.get(2)?,
            expires_at_ms: row.get(3)?,
            used_at_ms: row.get(4)?,
            revoked_at_ms: row.get(5)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

pub(crate) fn revoke_enrolment(
    conn: &Connection,
    tenant: &str,
    id: &str,
    at_ms: i64,
) -> DbResult<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE enrolment_codes SET revoked_at_ms = ?3
             WHERE tenant_id = ?1 AND lower(hex(substr(code_sha256, 1, 4))) = lower(?2)
               AND used_at_ms IS NULL AND revoked_at_ms IS NULL",
        )?
        .execute((tenant, id, at_ms))?;
    Ok(changed > 0)
}

pub(crate) fn devices(
    conn: &mut Connection,
    tenant: &str,
    staff_only: bool,
) -> DbResult<Vec<DeviceListing>> {
    let tx = conn.transaction()?;
    let mut stmt = tx.prepare_cached(
        "SELECT d.id, d.platform, s.email, d.created_at_ms, d.revoked_at_ms
         FROM devices d LEFT JOIN staff s ON s.id = d.staff_id
         WHERE d.tenant_id = ?1 AND (NOT ?2 OR d.staff_id IS NOT NULL)
         ORDER BY d.created_at_ms, d.id",
    )?;
    let rows = stmt.query_map((tenant, staff_only), |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<String>>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, Option<i64>>(4)?,
        ))
    })?;
    let mut devices = Vec::new();
    for row in rows {
        let (id, platform, staff_email, created_at_ms, revoked_at_ms) = row?;
        devices.push(DeviceListing {
            id: parse_uuid(&id)?,
            platform,
            staff_email,
            created_at_ms,
            revoked_at_ms,
        });
    }
    Ok(devices)
}

pub(crate) fn revoke_device(
    conn: &Connection,
    tenant: &str,
    device: Uuid,
    at_ms: i64,
) -> DbResult<bool> {
    let changed = conn
        .prepare_cached(
            "UPDATE devices SET revoked_at_ms = ?3
             WHERE tenant_id = ?1 AND id = ?2 AND revoked_at_ms IS NULL",
        )?
        .execute((tenant, device.to_string(), at_ms))?;
    Ok(changed > 0)
}

pub(crate) fn audit(
    conn: &Connection,
    tenant: Option<&str>,
    staff: Option<Uuid>,
    action: &str,
    detail: &serde_json::Value,
    at_ms: i64,
) -> DbResult<()> {
    conn.prepare_cached(
        "INSERT INTO audit_log (id, tenant_id, staff_id, action, detail, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        Uuid::now_v7().to_string(),
        tenant,
        staff.map(|s| s.to_string()),
        action,
        detail.to_string(),
        at_ms,
    ))?;
    Ok(())
}
