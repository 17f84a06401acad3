//! What the Open311 front door stores and reads: api keys (each with the citizen device its
//! application files requests as), a town's requests by filters, and the updates of its requests
//! over a period (status changes, and the town's replies to the application that filed them).

use relais_protocol::LocalizedText;
use relais_server_database::{
    ApiKeyRecord, DeviceRecord, NewApiKey, RequestQuery, RequestUpdate, TokenHash, UpdateQuery,
};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::error::DbResult;
use crate::json::to_json;
use crate::{devices, parse_status, parse_uuid};

/// Stores the key and its device; `false` for an unknown tenant.
pub(crate) fn add_key(conn: &Connection, key: &NewApiKey) -> DbResult<bool> {
    let known: Option<i64> = conn
        .prepare_cached("SELECT 1 FROM tenants WHERE id = ?1")?
        .query_row([&key.device.tenant], |row| row.get(0))
        .optional()?;
    if known.is_none() {
        return Ok(false);
    }
    devices::register(conn, &key.device)?;
    conn.prepare_cached(
        "INSERT INTO open311_keys (id, tenant_id, name, key_sha256, device_id, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        key.id.to_string(),
        &key.device.tenant,
        &key.name,
        &key.key.0[..],
        key.device.id.to_string(),
        key.device.created_at_ms,
    ))?;
    Ok(true)
}

/// The device of the key's application, unless the key (or the device) was revoked.
pub(crate) fn device(
    conn: &Connection,
    tenant: &str,
    key: TokenHash,
) -> DbResult<Option<DeviceRecord>> {
    let row = conn
        .prepare_cached(
            "SELECT d.id, COALESCE(d.account_id, d.id) FROM open311_keys k
             JOIN devices d ON d.id = k.device_id
             WHERE k.key_sha256 = ?2 AND k.tenant_id = ?1 AND k.revoked_at_ms IS NULL
               AND d.revoked_at_ms IS NULL",
        )?
        .query_row((tenant, &key.0[..]), |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .optional()?;
    row.map(|(id, citizen)| {
        Ok(DeviceRecord {
            id: parse_uuid(&id)?,
            tenant: tenant.to_owned(),
            citizen,
            staff: None,
        })
    })
    .transpose()
}

pub(crate) fn keys(conn: &Connection, tenant: &str) -> DbResult<Vec<ApiKeyRecord>> {
    let mut stmt = conn.prepare_cached(
        "SELECT id, name, device_id, created_at_ms, revoked_at_ms FROM open311_keys
         WHERE tenant_id = ?1 ORDER BY created_at_ms, id",
    )?;
    let rows = stmt.query_map([tenant], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, i64>(3)?,
            row.get::<_, Option<i64>>(4)?,
        ))
    })?;
    rows.map(|row| {
        let (id, name, device, created_at_ms, revoked_at_ms) = row?;
        Ok(ApiKeyRecord {
            id: parse_uuid(&id)?,
            name,
            device: parse_uuid(&device)?,
            created_at_ms,
            revoked_at_ms,
        })
    })
    .collect()
}

/// Revokes the key and its device in one transaction.
pub(crate) fn revoke_key(conn: &Connection, tenant: &str, id: Uuid, at_ms: i64) -> DbResult<bool> {
    let device: Option<String> = conn
        .prepare_cached(
            "UPDATE open311_keys SET revoked_at_ms = ?3
             WHERE id = ?2 AND tenant_id = ?1 AND revoked_at_ms IS NULL
             RETURNING device_id",
        )?
        .query_row((tenant, id.to_string(), at_ms), |row| row.get(0))
        .optional()?;
    let Some(device) = device else {
        return Ok(false);
    };
    conn.prepare_cached(
        "UPDATE devices SET revoked_at_ms = ?2 WHERE id = ?1 AND revoked_at_ms IS NULL",
    )?
    .execute((device, at_ms))?;
    Ok(true)
}

pub(crate) fn request_ids(conn: &Connection, query: &RequestQuery) -> DbResult<Vec<Uuid>> {
    let statuses: Vec<&str> = query.statuses.iter().map(|s| s.as_str()).collect();
    let mut stmt = conn.prepare_cached(
        "SELECT id FROM reports INDEXED BY reports_by_received
         WHERE tenant_id = ?1 AND received_at_ms BETWEEN ?2 AND ?3
           AND (?4 = '[]' OR category_code IN (SELECT value FROM json_each(?4)))
           AND (?5 = '[]' OR status IN (SELECT value FROM json_each(?5)))
         ORDER BY received_at_ms DESC, id DESC
         LIMIT ?6",
    )?;
    let rows = stmt.query_map(
        (
            &query.tenant,
            query.from_ms,
            query.until_ms,
            to_json(&query.categories)?,
            to_json(&statuses)?,
            query.limit,
        ),
        |row| row.get::<_, String>(0),
    )?;
    rows.map(|id| Ok(parse_uuid(&id?)?)).collect()
}

/// Status changes (but the filing itself) and, for the reporter's application, the replies
/// (each with the status change it came with, when there is one: they share their moment).
pub(crate) fn updates(conn: &Connection, query: &UpdateQuery) -> DbResult<Vec<RequestUpdate>> {
    let reporter = query.reporter.map(|d| d.to_string());
    let mut stmt = conn.prepare_cached(
        "SELECT h.id, h.report_id, h.status, h.at_ms, h.detail_fr, h.detail_en,
                CASE WHEN r.device_id = ?4 THEN
                    (SELECT n.text FROM report_notes n
                     WHERE n.tenant_id = h.tenant_id AND n.report_id = h.report_id
                       AND n.created_at_ms = h.at_ms
                       AND n.author = 'city'
                     ORDER BY n.id LIMIT 1)
                END
         FROM report_history h INDEXED BY report_history_by_time
         JOIN reports r ON r.tenant_id = h.tenant_id AND r.id = h.report_id
         WHERE h.at_ms BETWEEN ?2 AND ?3 AND r.tenant_id = ?1 AND h.action <> 'filed'
           AND (h.status_changed = 1 OR (h.action = 'reply' AND r.device_id = ?4))
         ORDER BY h.at_ms, h.id
         LIMIT ?5",
    )?;
    let rows = stmt.query_map(
        (
            &query.tenant,
            query.from_ms,
            query.until_ms,
            reporter,
            query.limit,
        ),
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, i64>(3)?,
                row.get::<_, Option<String>>(4)?,
                row.get::<_, Option<String>>(5)?,
                row.get::<_, Option<String>>(6)?,
            ))
        },
    )?;
    rows.map(|row| {
        let (id, report, status, at_ms, detail_fr, detail_en, reply) = row?;
        Ok(RequestUpdate {
            id: parse_uuid(&id)?,
            report_id: parse_uuid(&report)?,
            status: parse_status(&status)?,
            at_ms,
            detail: detail_fr
                .zip(detail_en)
                .map(|(fr, en)| LocalizedText::new(fr, en)),
            reply,
        })
    })
    .collect()
}
