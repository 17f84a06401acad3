//! The self-service export: everything stored about a caller (its account and all the
//! account's devices, or the device alone), read from one consistent snapshot.

use relais_protocol::account::{
    Account, Export, ExportedDevice, ExportedNote, ExportedRating, ExportedReport,
};

use rusqlite::Connection;

use super::accounts::{Identity, account_of, json, read_account};
use super::{entities, parse_uuid};
use crate::error::DbResult;
use crate::json::parse;
use relais_server_database::DeviceRecord;

pub(super) fn export(
    conn: &mut Connection,
    device: &DeviceRecord,
    now_ms: i64,
) -> DbResult<Export> {
    let tx = conn.transaction()?;
    let tenant = &device.tenant;
    let account = match account_of(&tx, device)? {
        Some(id) => Some(read_account(&tx, &id)?),
        None => None,
    };
    let identity = Identity::read(&tx, device, account.as_ref().map(|a| a.id.to_string()))?;
    let devices_json = json(&identity.devices)?;
    let citizens_json = json(&identity.citizens())?;

    let mut devices = Vec::new();
    let mut stmt = tx.prepare_cached(
        "SELECT id, platform, app_version, created_at_ms FROM devices
         WHERE tenant_id = ?1 AND id IN (SELECT value FROM json_each(?2))
         ORDER BY created_at_ms, id",
    )?;
    for row in stmt.query_map((tenant, &devices_json), |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, i64>(3)?,
        ))
    })? {
        let (id, platform, app_version, registered_at_ms) = row?;
        devices.push(ExportedDevice {
            id: parse_uuid(&id)?,
            platform,
            app_version,
            registered_at_ms,
        });
    }

    let report_ids = tx
        .prepare_cached(
            "SELECT id FROM reports
             WHERE tenant_id = ?1 AND device_id IN (SELECT value FROM json_each(?2))
             ORDER BY received_at_ms, id",
        )?
        .query_map((tenant, &devices_json), |row| row.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<&str> = report_ids.iter().map(String::as_str).collect();
    let mut by_id = entities::reports(&tx, tenant, &ids)?;
    let mut reports = Vec::with_capacity(ids.len());
    let mut stmt = tx.prepare_cached(
        "SELECT answers, satisfaction FROM reports WHERE tenant_id = ?1 AND id = ?2",
    )?;
    for id in &ids {
        if let Some(report) = by_id.remove(&parse_uuid(id)?) {
            let (answers, satisfaction): (String, Option<u8>) =
                stmt.query_row((tenant, id), |row| Ok((row.get(0)?, row.get(1)?)))?;
            reports.push(ExportedReport {
                report,
                answers: parse(&answers, "answers")?,
                satisfaction,
            });
        }
    }
    drop(stmt);

    // The threads of the caller's reports (the city's messages too), and what its devices wrote
    // on other reports (agents).
    let mut notes = Vec::new();
    let mut stmt = tx.prepare_cached(
        "SELECT report_id, id, author, text, created_at_ms FROM report_notes
         WHERE tenant_id = ?1
           AND (device_id IN (SELECT value FROM json_each(?2))
                OR report_id IN (SELECT id FROM reports
                                 WHERE tenant_id = ?1
                                   AND device_id IN (SELECT value FROM json_each(?2))))
         ORDER BY created_at_ms, id",
    )?;
    for row in stmt.query_map((tenant, &devices_json), entities::note_row)? {
        let (report_id, message) = row?.parse()?;
        notes.push(ExportedNote { report_id, message });
    }

    let supports = tx
        .prepare_cached(
            "SELECT s.report_id FROM supports s
             WHERE s.tenant_id = ?1 AND s.citizen IN (SELECT value FROM json_each(?2))
             GROUP BY s.report_id ORDER BY MIN(s.at_ms), s.report_id",
        )?
        .query_map((tenant, &citizens_json), |row| row.get::<_, String>(0))?
        .map(|id| Ok(parse_uuid(&id?)?))
        .collect::<DbResult<Vec<_>>>()?;

    // Every rating ever given (the current ones are the latest per service).
    let mut ratings = Vec::new();
    let mut stmt = tx.prepare_cached(
        "SELECT service_id, satisfaction, importance, comment, at_ms FROM rating_history
         WHERE tenant_id = ?1 AND citizen IN (SELECT value FROM json_each(?2))
         ORDER BY at_ms, id",
    )?;
    for row in stmt.query_map((tenant, &citizens_json), |row| {
        Ok(ExportedRating {
            service_id: row.get(0)?,
            satisfaction: row.get(1)?,
            importance: row.get(2)?,
            comment: row.get(3)?,
            at_ms: row.get(4)?,
        })
    })? {
        ratings.push(row?);
    }

    Ok(Export {
        exported_at_ms: now_ms,
        account: account.map(|a| Account {
            id: a.id,
            details: a.details,
            link_code: String::new(),
            devices: a.devices,
        }),
        devices,
        reports,
        notes,
        supports,
        ratings,
    })
}
