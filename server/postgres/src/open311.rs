//! What the Open311 front door stores and reads: api keys (each with the citizen device its
//! application files requests as), a town's requests by filters, and the updates of its requests
//! over a period (status changes, and the town's replies to the application that filed them).

use deadpool_postgres::Transaction;
use relais_protocol::LocalizedText;
use relais_server_database::{
    ApiKeyRecord, DeviceRecord, NewApiKey, RequestQuery, RequestUpdate, TokenHash, UpdateQuery,
};
use uuid::Uuid;

use crate::error::DbResult;
use crate::{devices, parse_status, parse_uuid};

/// Stores the key and its device; `false` for an unknown tenant.
pub(crate) async fn add_key(tx: &Transaction<'_>, key: &NewApiKey) -> DbResult<bool> {
    if crate::changelog::lock_tenant(tx, &key.device.tenant)
        .await?
        .is_none()
    {
        return Ok(false);
    }
    devices::register(tx, &key.device).await?;
    tx.execute(
        "INSERT INTO open311_keys (id, tenant_id, name, key_sha256, device_id, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[
            &key.id.to_string(),
            &key.device.tenant,
            &key.name,
            &&key.key.0[..],
            &key.device.id.to_string(),
            &key.device.created_at_ms,
        ],
    )
    .await?;
    Ok(true)
}

/// The device of the key's application, unless the key (or the device) was revoked.
pub(crate) async fn device(
    tx: &Transaction<'_>,
    tenant: &str,
    key: TokenHash,
) -> DbResult<Option<DeviceRecord>> {
    let Some(row) = tx
        .query_opt(
            "SELECT d.id, COALESCE(d.account_id, d.id) FROM open311_keys k
             JOIN devices d ON d.id = k.device_id
             WHERE k.key_sha256 = $2 AND k.tenant_id = $1 AND k.revoked_at_ms IS NULL
               AND d.revoked_at_ms IS NULL",
            &[&tenant, &&key.0[..]],
        )
        .await?
    else {
        return Ok(None);
    };
    Ok(Some(DeviceRecord {
        id: parse_uuid(row.try_get(0)?)?,
        tenant: tenant.to_owned(),
        citizen: row.try_get(1)?,
        staff: None,
    }))
}

pub(crate) async fn keys(tx: &Transaction<'_>, tenant: &str) -> DbResult<Vec<ApiKeyRecord>> {
    tx.query(
        "SELECT id, name, device_id, created_at_ms, revoked_at_ms FROM open311_keys
         WHERE tenant_id = $1 ORDER BY created_at_ms, id",
        &[&tenant],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(ApiKeyRecord {
            id: parse_uuid(row.try_get(0)?)?,
            name: row.try_get(1)?,
            device: parse_uuid(row.try_get(2)?)?,
            created_at_ms: row.try_get(3)?,
            revoked_at_ms: row.try_get(4)?,
        })
    })
    .collect()
}

/// Revokes the key and its device in one transaction.
pub(crate) async fn revoke_key(
    tx: &Transaction<'_>,
    tenant: &str,
    id: Uuid,
    at_ms: i64,
) -> DbResult<bool> {
    let Some(row) = tx
        .query_opt(
            "UPDATE open311_keys SET revoked_at_ms = $3
             WHERE id = $2 AND tenant_id = $1 AND revoked_at_ms IS NULL
             RETURNING device_id",
            &[&tenant, &id.to_string(), &at_ms],
        )
        .await?
    else {
        return Ok(false);
    };
    let device: String = row.try_get(0)?;
    tx.execute(
        "UPDATE devices SET revoked_at_ms = $2 WHERE id = $1 AND revoked_at_ms IS NULL",
        &[&device, &at_ms],
    )
    .await?;
    Ok(true)
}

pub(crate) async fn request_ids(tx: &Transaction<'_>, query: &RequestQuery) -> DbResult<Vec<Uuid>> {
    let statuses: Vec<&str> = query.statuses.iter().map(|s| s.as_str()).collect();
    tx.query(
        "SELECT id FROM reports
         WHERE tenant_id = $1 AND received_at_ms BETWEEN $2 AND $3
           AND (cardinality($4::text[]) = 0 OR category_code = ANY($4))
           AND (cardinality($5::text[]) = 0 OR status = ANY($5))
         ORDER BY received_at_ms DESC, id DESC
         LIMIT $6",
        &[
            &query.tenant,
            &query.from_ms,
            &query.until_ms,
            &query.categories,
            &statuses,
            &i64::from(query.limit),
        ],
    )
    .await?
    .iter()
    .map(|row| Ok(parse_uuid(row.try_get(0)?)?))
    .collect()
}

/// Status changes (but the filing itself) and, for the reporter's application, the replies
/// (each with the status change it came with, when there is one: they share their moment).
pub(crate) async fn updates(
    tx: &Transaction<'_>,
    query: &UpdateQuery,
) -> DbResult<Vec<RequestUpdate>> {
    let reporter = query.reporter.map(|d| d.to_string());
    tx.query(
        "SELECT h.id, h.report_id, h.status, h.at_ms, h.detail_fr, h.detail_en,
                CASE WHEN r.device_id = $4 THEN
                    (SELECT n.text FROM report_notes n
                     WHERE n.tenant_id = h.tenant_id AND n.report_id = h.report_id
                       AND n.created_at_ms = h.at_ms
                       AND n.author = 'city'
                     ORDER BY n.id LIMIT 1)
                END
         FROM report_history h
         JOIN reports r ON r.tenant_id = h.tenant_id AND r.id = h.report_id
         WHERE h.at_ms BETWEEN $2 AND $3 AND r.tenant_id = $1 AND h.action <> 'filed'
           AND (h.status_changed OR (h.action = 'reply' AND r.device_id = $4))
         ORDER BY h.at_ms, h.id
         LIMIT $5",
        &[
            &query.tenant,
            &query.from_ms,
            &query.until_ms,
            &reporter,
            &i64::from(query.limit),
        ],
    )
    .await?
    .iter()
    .map(|row| {
        let detail_fr: Option<String> = row.try_get(4)?;
        let detail_en: Option<String> = row.try_get(5)?;
        Ok(RequestUpdate {
            id: parse_uuid(row.try_get(0)?)?,
            report_id: parse_uuid(row.try_get(1)?)?,
            status: parse_status(row.try_get(2)?)?,
            at_ms: row.try_get(3)?,
            detail: detail_fr
                .zip(detail_en)
                .map(|(fr, en)| LocalizedText::new(fr, en)),
            reply: row.try_get(6)?,
        })
    })
    .collect()
}
