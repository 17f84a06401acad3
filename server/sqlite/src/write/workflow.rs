//! What staff writes store: a decided workflow change to a report (status, service, assignment,
//! planned date, completion photos, a merge into an original, the written reply and the internal
//! note, the history entry), and a zone alert published or ended.

use relais_server_database::Plan;
use relais_server_database::writes::{EndedAlert, NewAlert, StaffMessage, WorkflowChange};
use rusqlite::Connection;

use super::{citizen, history};
use crate::changelog::ChangeLog;
use crate::error::DbResult;
use crate::json::to_json;

pub(super) fn change(
    conn: &Connection,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    change: &WorkflowChange,
) -> DbResult<()> {
    let report = change.report_id.to_string();
    let now = plan.now_ms;
    if let Some(service) = &change.service {
        let old: String = conn
            .prepare_cached("SELECT service_code FROM reports WHERE tenant_id = ?1 AND id = ?2")?
            .query_row([&plan.tenant, &report], |row| row.get(0))?;
        if old != *service {
            log.task_gone(conn, &report, &old)?;
        }
    }
    let photos = (!change.completion_photos.is_empty())
        .then(|| to_json(&change.completion_photos))
        .transpose()?;
    conn.prepare_cached(
        "UPDATE reports
         SET status = ?2, version = ?3,
             service_code = COALESCE(?4, service_code),
             assigned_to = CASE WHEN ?5 THEN ?6 ELSE assigned_to END,
             scheduled_for_ms = COALESCE(?7, scheduled_for_ms),
             completion_photos = COALESCE(?8, completion_photos),
             duplicate_of = COALESCE(?9, duplicate_of),
             acknowledged_at_ms = CASE WHEN ?10 THEN COALESCE(acknowledged_at_ms, ?13)
                                       ELSE acknowledged_at_ms END,
             resolved_at_ms = CASE WHEN ?11 THEN ?13 ELSE resolved_at_ms END,
             closed_at_ms = CASE WHEN ?12 THEN ?13 ELSE closed_at_ms END
         WHERE tenant_id = ?14 AND id = ?1",
    )?
    .execute(rusqlite::params![
        &report,
        change.history.status.as_str(),
        change.version,
        change.service,
        change.assigned_to.is_some(),
        change.assigned_to.flatten().map(|s| s.to_string()),
        change.scheduled_for_ms,
        photos,
        change.merged_into.map(|id| id.to_string()),
        change.acknowledges,
        change.resolves,
        change.closes,
        now,
        &plan.tenant,
    ])?;
    history::append(conn, &plan.tenant, &report, now, &change.history)?;
    citizen::index(conn, &plan.tenant, &report, change.original)?;
    if let Some(original) = change.merged_into {
        merge(conn, &plan.tenant, &report, &original.to_string(), now)?;
        log.report(conn, &original.to_string())?;
    }
    log.report(conn, &report)?;
    if let Some(reply) = &change.reply {
        write_reply(conn, plan, &report, change, reply)?;
        log.thread(conn, &report)?;
    }
    if let Some(note) = &change.note {
        conn.prepare_cached(
            "INSERT INTO staff_notes (id, tenant_id, report_id, staff_id, text, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute((
            note.id.to_string(),
            &plan.tenant,
            &report,
            change.staff.to_string(),
            &note.text,
            now,
        ))?;
        log.task(conn, &report)?;
    }
    Ok(())
}

/// The city's written reply, in the reporter's thread (the reporting device is kept as the
/// thread's device, as for every message of the thread).
fn write_reply(
    conn: &Connection,
    plan: &Plan,
    report: &str,
    change: &WorkflowChange,
    reply: &StaffMessage,
) -> DbResult<()> {
    conn.prepare_cached(
        "INSERT INTO report_notes (id, tenant_id, report_id, device_id, text, created_at_ms,
                                   author, staff_id)
         SELECT ?1, ?2, id, device_id, ?3, ?4, 'city', ?5 FROM reports
         WHERE tenant_id = ?2 AND id = ?6",
    )?
    .execute((
        reply.id.to_string(),
        &plan.tenant,
        &reply.text,
        plan.now_ms,
        change.staff.to_string(),
        report,
    ))?;
    Ok(())
}

/// A duplicate's reporter and followers follow its original and count among its supporters
/// (the original's own reporter excepted).
fn merge(
    conn: &Connection,
    tenant: &str,
    duplicate: &str,
    original: &str,
    now: i64,
) -> DbResult<()> {
    let people = "SELECT COALESCE(d.account_id, d.id) AS citizen FROM reports r
                  JOIN devices d ON d.id = r.device_id WHERE r.tenant_id = ?3 AND r.id = ?1
                  UNION SELECT citizen FROM report_followers
                  WHERE tenant_id = ?3 AND report_id = ?1";
    let reporter = "SELECT COALESCE(d.account_id, d.id) FROM reports r
                    JOIN devices d ON d.id = r.device_id WHERE r.tenant_id = ?3 AND r.id = ?2";
    conn.prepare_cached(&format!(
        "INSERT INTO report_followers (tenant_id, report_id, citizen, origin)
         SELECT ?3, ?2, citizen, 'duplicate' FROM ({people})
         WHERE citizen IS NOT NULL AND citizen NOT IN ({reporter})
         ON CONFLICT (tenant_id, report_id, citizen) DO NOTHING"
    ))?
    .execute((duplicate, original, tenant))?;
    conn.prepare_cached(&format!(
        "INSERT INTO supports (tenant_id, report_id, citizen, at_ms)
         SELECT ?3, ?2, citizen, ?4 FROM ({people})
         WHERE citizen IS NOT NULL AND citizen NOT IN ({reporter})
         ON CONFLICT (tenant_id, report_id, citizen) DO NOTHING"
    ))?
    .execute((duplicate, original, tenant, now))?;
    conn.prepare_cached(
        "UPDATE reports SET supporters = (SELECT COUNT(*) FROM supports
                                          WHERE tenant_id = ?1 AND report_id = ?2)
         WHERE tenant_id = ?1 AND id = ?2",
    )?
    .execute([tenant, original])?;
    Ok(())
}

pub(super) fn alert(
    conn: &Connection,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    alert: &NewAlert,
) -> DbResult<()> {
    let id = alert.id.to_string();
    conn.prepare_cached(
        "INSERT INTO alerts (id, tenant_id, title_fr, title_en, text_fr, text_en, starts_at_ms,
                             ends_at_ms, staff_id, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(rusqlite::params![
        &id,
        &plan.tenant,
        &alert.title.fr,
        &alert.title.en,
        &alert.text.fr,
        &alert.text.en,
        alert.starts_at_ms,
        alert.ends_at_ms,
        alert.staff.map(|s| s.to_string()),
        plan.now_ms,
    ])?;
    let mut zone =
        conn.prepare_cached("INSERT INTO alert_zones (alert_id, zone_code) VALUES (?1, ?2)")?;
    for code in &alert.zones {
        zone.execute((&id, code))?;
    }
    log.alert(conn, &id, &alert.buckets)
}

pub(super) fn end_alert(
    conn: &Connection,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    ended: &EndedAlert,
) -> DbResult<()> {
    let id = ended.id.to_string();
    conn.prepare_cached("UPDATE alerts SET ends_at_ms = ?3 WHERE tenant_id = ?1 AND id = ?2")?
        .execute((&plan.tenant, &id, ended.ends_at_ms))?;
    log.alert(conn, &id, &ended.buckets)
}
