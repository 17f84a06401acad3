//! Everything stored about a citizen, for them to take away (`GET …/account/export`): their
//! account and devices, their reports with their answers, the messages of their threads, their
//! supports and the history of their ratings, from one snapshot.

use deadpool_postgres::Transaction;
use relais_protocol::account::{
    Account, Export, ExportedDevice, ExportedNote, ExportedRating, ExportedReport,
};
use relais_server_database::DeviceRecord;

use crate::accounts::{Identity, account_of, read_account};
use crate::error::{DbResult, unsigned};
use crate::json::parse;
use crate::{entities, parse_uuid};

pub(crate) async fn export(
    tx: &Transaction<'_>,
    device: &DeviceRecord,
    now_ms: i64,
) -> DbResult<Export> {
    let tenant = &device.tenant;
    let account = match account_of(tx, device).await? {
        Some(id) => Some(read_account(tx, &id).await?),
        None => None,
    };
    let identity = Identity::read(tx, device, account.as_ref().map(|a| a.id.to_string())).await?;
    let citizens = identity.citizens();

    let devices = tx
        .query(
            "SELECT id, platform, app_version, created_at_ms FROM devices
             WHERE tenant_id = $1 AND id = ANY($2) ORDER BY created_at_ms, id",
            &[tenant, &identity.devices],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(ExportedDevice {
                id: parse_uuid(row.try_get(0)?)?,
                platform: row.try_get(1)?,
                app_version: row.try_get(2)?,
                registered_at_ms: row.try_get(3)?,
            })
        })
        .collect::<DbResult<Vec<_>>>()?;

    let rows = tx
        .query(
            "SELECT id, answers, satisfaction FROM reports
             WHERE tenant_id = $1 AND device_id = ANY($2) ORDER BY received_at_ms, id",
            &[tenant, &identity.devices],
        )
        .await?;
    let ids = rows
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<Vec<String>, _>>()?;
    let mut by_id = entities::reports(tx, tenant, &ids).await?;
    let mut reports = Vec::with_capacity(rows.len());
    for row in &rows {
        if let Some(report) = by_id.remove(&parse_uuid(row.try_get(0)?)?) {
            let satisfaction: Option<i64> = row.try_get(2)?;
            reports.push(ExportedReport {
                report,
                answers: parse(row.try_get(1)?, "answers")?,
                satisfaction: satisfaction
                    .map(|s| unsigned(s, "satisfaction"))
                    .transpose()?,
            });
        }
    }

    let notes = tx
        .query(
            "SELECT report_id, id, author, text, created_at_ms FROM report_notes
             WHERE tenant_id = $1
               AND (device_id = ANY($2)
                    OR report_id IN (SELECT id FROM reports
                                     WHERE tenant_id = $1 AND device_id = ANY($2)))
             ORDER BY created_at_ms, id",
            &[tenant, &identity.devices],
        )
        .await?
        .iter()
        .map(|row| {
            let (report_id, message) = entities::note(row)?;
            Ok(ExportedNote { report_id, message })
        })
        .collect::<DbResult<Vec<_>>>()?;

    let supports = tx
        .query(
            "SELECT s.report_id FROM supports s
             WHERE s.tenant_id = $1 AND s.citizen = ANY($2)
             GROUP BY s.report_id ORDER BY MIN(s.at_ms), s.report_id",
            &[tenant, &citizens],
        )
        .await?
        .iter()
        .map(|row| Ok(parse_uuid(row.try_get(0)?)?))
        .collect::<DbResult<Vec<_>>>()?;

    let ratings = tx
        .query(
            "SELECT service_id, satisfaction, importance, comment, at_ms FROM rating_history
             WHERE tenant_id = $1 AND citizen = ANY($2) ORDER BY at_ms, id",
            &[tenant, &citizens],
        )
        .await?
        .iter()
        .map(|row| {
            Ok(ExportedRating {
                service_id: row.try_get(0)?,
                satisfaction: unsigned(row.try_get(1)?, "satisfaction")?,
                importance: unsigned(row.try_get(2)?, "importance")?,
                comment: row.try_get(3)?,
                at_ms: row.try_get(4)?,
            })
        })
        .collect::<DbResult<Vec<_>>>()?;

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
