//! What staff writes store: a decided workflow change to a report (status, service, assignment,
//! planned date, completion photos, a merge into an original, the written reply and the internal
//! note, the history entry), and a zone alert published or ended.

use relais_server_database::Plan;
use relais_server_database::writes::{EndedAlert, NewAlert, StaffMessage, WorkflowChange};

use super::{citizen, history};
use crate::changelog::ChangeLog;
use crate::error::DbResult;
use crate::json::to_json;
use crate::pipeline::{Tx, params};

pub(super) async fn change(
    tx: &Tx<'_>,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    change: &WorkflowChange,
) -> DbResult<()> {
    let report = change.report_id.to_string();
    let now = plan.now_ms;
    if let Some(service) = &change.service {
        let stmt = tx
            .prepare_cached("SELECT service_code FROM reports WHERE tenant_id = $1 AND id = $2")
            .await?;
        let old: String = tx
            .query_one(&stmt, &[&plan.tenant, &report])
            .await?
            .try_get(0)?;
        if old != *service {
            log.task_gone(tx, &report, &old).await?;
        }
    }
    let photos = (!change.completion_photos.is_empty())
        .then(|| to_json(&change.completion_photos))
        .transpose()?;
    tx.send(
        "UPDATE reports
             SET status = $2, version = $3,
                 service_code = COALESCE($4, service_code),
                 assigned_to = CASE WHEN $5 THEN $6 ELSE assigned_to END,
                 scheduled_for_ms = COALESCE($7, scheduled_for_ms),
                 completion_photos = COALESCE($8, completion_photos),
                 duplicate_of = COALESCE($9, duplicate_of),
                 acknowledged_at_ms = CASE WHEN $10 THEN COALESCE(acknowledged_at_ms, $13)
                                           ELSE acknowledged_at_ms END,
                 resolved_at_ms = CASE WHEN $11 THEN $13 ELSE resolved_at_ms END,
                 closed_at_ms = CASE WHEN $12 THEN $13 ELSE closed_at_ms END
             WHERE tenant_id = $14 AND id = $1",
        params![
            report.clone(),
            change.history.status.as_str(),
            change.version,
            change.service.clone(),
            change.assigned_to.is_some(),
            change.assigned_to.flatten().map(|s| s.to_string()),
            change.scheduled_for_ms,
            photos,
            change.merged_into.map(|id| id.to_string()),
            change.acknowledges,
            change.resolves,
            change.closes,
            now,
            plan.tenant.clone(),
        ],
    )
    .await?;
    history::append(tx, &plan.tenant, &report, now, &change.history).await?;
    citizen::index(tx, &plan.tenant, &report, change.original).await?;
    if let Some(original) = change.merged_into {
        let original = original.to_string();
        merge(tx, &plan.tenant, &report, &original, now).await?;
        log.report(tx, &original).await?;
    }
    log.report(tx, &report).await?;
    if let Some(reply) = &change.reply {
        write_reply(tx, plan, &report, change, reply).await?;
        log.thread(tx, &report).await?;
    }
    if let Some(note) = &change.note {
        tx.send(
            "INSERT INTO staff_notes (id, tenant_id, report_id, staff_id, text, created_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6)",
            params![
                note.id.to_string(),
                plan.tenant.clone(),
                report.clone(),
                change.staff.to_string(),
                note.text.clone(),
                now,
            ],
        )
        .await?;
        log.task(tx, &report).await?;
    }
    Ok(())
}

/// The city's written reply, in the reporter's thread (the reporting device is kept as the
/// thread's device, as for every message of the thread).
async fn write_reply(
    tx: &Tx<'_>,
    plan: &Plan,
    report: &str,
    change: &WorkflowChange,
    reply: &StaffMessage,
) -> DbResult<()> {
    tx.send(
        "INSERT INTO report_notes (id, tenant_id, report_id, device_id, text, created_at_ms,
                                   author, staff_id)
         SELECT $1, $2, id, device_id, $3, $4, 'city', $5 FROM reports
         WHERE tenant_id = $2 AND id = $6",
        params![
            reply.id.to_string(),
            plan.tenant.clone(),
            reply.text.clone(),
            plan.now_ms,
            change.staff.to_string(),
            report.to_owned(),
        ],
    )
    .await
}

/// A duplicate's reporter and followers follow its original and count among its supporters
/// (the original's own reporter excepted).
async fn merge(
    tx: &Tx<'_>,
    tenant: &str,
    duplicate: &str,
    original: &str,
    now: i64,
) -> DbResult<()> {
    let people = "SELECT COALESCE(d.account_id, d.id) AS citizen FROM reports r
                  JOIN devices d ON d.id = r.device_id WHERE r.tenant_id = $3 AND r.id = $1
                  UNION SELECT citizen FROM report_followers
                  WHERE tenant_id = $3 AND report_id = $1";
    let reporter = "SELECT COALESCE(d.account_id, d.id) FROM reports r
                    JOIN devices d ON d.id = r.device_id WHERE r.tenant_id = $3 AND r.id = $2";
    tx.send(
        &format!(
            "INSERT INTO report_followers (tenant_id, report_id, citizen, origin)
             SELECT $3, $2, citizen, 'duplicate' FROM ({people}) people
             WHERE citizen IS NOT NULL AND citizen NOT IN ({reporter})
             ON CONFLICT (tenant_id, report_id, citizen) DO NOTHING"
        ),
        params![duplicate.to_owned(), original.to_owned(), tenant.to_owned()],
    )
    .await?;
    tx.send(
        &format!(
            "INSERT INTO supports (tenant_id, report_id, citizen, at_ms)
             SELECT $3, $2, citizen, $4 FROM ({people}) people
             WHERE citizen IS NOT NULL AND citizen NOT IN ({reporter})
             ON CONFLICT (tenant_id, report_id, citizen) DO NOTHING"
        ),
        params![
            duplicate.to_owned(),
            original.to_owned(),
            tenant.to_owned(),
            now
        ],
    )
    .await?;
    tx.send(
        "UPDATE reports SET supporters = (SELECT COUNT(*) FROM supports
                                          WHERE tenant_id = $1 AND report_id = $2)
         WHERE tenant_id = $1 AND id = $2",
        params![tenant.to_owned(), original.to_owned()],
    )
    .await
}

pub(super) async fn alert(
    tx: &Tx<'_>,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    alert: &NewAlert,
) -> DbResult<()> {
    let id = alert.id.to_string();
    tx.send(
        "INSERT INTO alerts (id, tenant_id, title_fr, title_en, text_fr, text_en,
                             starts_at_ms, ends_at_ms, staff_id, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        params![
            id.clone(),
            plan.tenant.clone(),
            alert.title.fr.clone(),
            alert.title.en.clone(),
            alert.text.fr.clone(),
            alert.text.en.clone(),
            alert.starts_at_ms,
            alert.ends_at_ms,
            alert.staff.map(|s| s.to_string()),
            plan.now_ms,
        ],
    )
    .await?;
    for code in &alert.zones {
        tx.send(
            "INSERT INTO alert_zones (alert_id, zone_code) VALUES ($1, $2)",
            params![id.clone(), code.clone()],
        )
        .await?;
    }
    log.alert(tx, &id, &alert.buckets).await
}

pub(super) async fn end_alert(
    tx: &Tx<'_>,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    ended: &EndedAlert,
) -> DbResult<()> {
    let id = ended.id.to_string();
    tx.send(
        "UPDATE alerts SET ends_at_ms = $3 WHERE tenant_id = $1 AND id = $2",
        params![plan.tenant.clone(), id.clone(), ended.ends_at_ms],
    )
    .await?;
    log.alert(tx, &id, &ended.buckets).await
}
