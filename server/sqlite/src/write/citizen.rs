//! What citizens' writes store: a new report (with its spatial-index entry and the follows of
//! its reporter the rules decided), a message in a thread, a "me too", an answer to a
//! resolution, a rating of a public service, a followed zone.

use relais_server_database::Plan;
use relais_server_database::writes::{
    CitizenMessage, Confirmation, NewRating, NewReport, NewSupport, OriginalIndex, ReportedFollow,
    ZoneFollow,
};
use rusqlite::Connection;

use super::history;
use crate::changelog::ChangeLog;
use crate::error::DbResult;
use crate::json::to_json;

pub(super) fn report(
    conn: &Connection,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    report: &NewReport,
) -> DbResult<()> {
    let id = report.id.to_string();
    conn.prepare_cached(
        "INSERT INTO reports (id, tenant_id, device_id, category_code, lat, lon, accuracy_m, text,
                              photos, created_at_ms, received_at_ms, status, version, zone_code,
                              service_code, answers, duplicate_of, due_at_ms, channel)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, 1, ?13, ?14, ?15, ?16, ?17,
                 ?18)",
    )?
    .execute(rusqlite::params![
        &id,
        &plan.tenant,
        report.device.to_string(),
        &report.category,
        report.location.lat,
        report.location.lon,
        report.location.accuracy_m,
        &report.text,
        to_json(&report.photos)?,
        report.created_at_ms,
        report.received_at_ms,
        report.history.status.as_str(),
        &report.zone,
        &report.service,
        to_json(&report.answers)?,
        report.duplicate_of.map(|id| id.to_string()),
        report.due_at_ms,
        &report.channel,
    ])?;
    history::append(
        conn,
        &plan.tenant,
        &id,
        report.received_at_ms,
        &report.history,
    )?;
    if let Some(cell) = report.cell {
        conn.prepare_cached(
            "INSERT INTO open_originals (tenant_id, category_code, cell, received_at_ms,
                                         report_id, lat, lon)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )?
        .execute((
            &plan.tenant,
            &report.category,
            cell,
            report.received_at_ms,
            &id,
            report.location.lat,
            report.location.lon,
        ))?;
    }
    let follows = follow_reported(conn, plan, report)?;
    log.new_report(
        conn,
        &id,
        &report.zone,
        &report.service,
        Some(&report.citizen),
    )?;
    if follows {
        log.follows(conn, &report.citizen)?;
    }
    Ok(())
}

/// Stores what the rules decided the report does to the zones its reporter follows. `true` when
/// the list of zones changed.
fn follow_reported(conn: &Connection, plan: &Plan, report: &NewReport) -> DbResult<bool> {
    let (tenant, citizen, zone) = (&plan.tenant, &report.citizen, &report.zone);
    match &report.follow {
        ReportedFollow::Unchanged => Ok(false),
        ReportedFollow::Refreshed { at_ms } => {
            conn.prepare_cached(
                "UPDATE zone_follows SET at_ms = ?4
                 WHERE tenant_id = ?1 AND citizen = ?2 AND zone_code = ?3",
            )?
            .execute((tenant, citizen, zone, at_ms))?;
            Ok(false)
        }
        ReportedFollow::Started { at_ms, dropped } => {
            conn.prepare_cached(
                "INSERT INTO zone_follows (tenant_id, citizen, zone_code, origin, at_ms)
                 VALUES (?1, ?2, ?3, 'reported', ?4)
                 ON CONFLICT (tenant_id, citizen, zone_code) DO UPDATE SET at_ms = excluded.at_ms
                 WHERE zone_follows.origin = 'reported'",
            )?
            .execute((tenant, citizen, zone, at_ms))?;
            let mut stop = conn.prepare_cached(
                "DELETE FROM zone_follows
                 WHERE tenant_id = ?1 AND citizen = ?2 AND zone_code = ?3 AND origin = 'reported'",
            )?;
            for zone in dropped {
                stop.execute((tenant, citizen, zone))?;
            }
            Ok(true)
        }
    }
}

/// The reporter writes in the report's thread.
pub(super) fn message(
    conn: &Connection,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    message: &CitizenMessage,
) -> DbResult<()> {
    let report = message.report_id.to_string();
    conn.prepare_cached(
        "INSERT INTO report_notes (id, tenant_id, report_id, device_id, text, created_at_ms,
                                   author)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'citizen')",
    )?
    .execute((
        message.id.to_string(),
        &plan.tenant,
        &report,
        message.device.to_string(),
        &message.text,
        plan.now_ms,
    ))?;
    log.thread(conn, &report)
}

/// Counts the citizen's support once (the primary key (report, citizen) makes a second one a
/// no-op even if the rules let it through); the citizen follows the report.
pub(super) fn support(
    conn: &Connection,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    support: &NewSupport,
) -> DbResult<()> {
    let report = support.report_id.to_string();
    let inserted = conn
        .prepare_cached(
            "INSERT INTO supports (tenant_id, report_id, citizen, at_ms) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (tenant_id, report_id, citizen) DO NOTHING",
        )?
        .execute((&plan.tenant, &report, &support.citizen, plan.now_ms))?;
    if inserted == 0 {
        return Ok(());
    }
    conn.prepare_cached(
        "INSERT INTO report_followers (tenant_id, report_id, citizen, origin)
         VALUES (?1, ?2, ?3, 'support')
         ON CONFLICT (tenant_id, report_id, citizen) DO NOTHING",
    )?
    .execute((&plan.tenant, &report, &support.citizen))?;
    conn.prepare_cached(
        "UPDATE reports SET supporters = supporters + 1 WHERE tenant_id = ?1 AND id = ?2",
    )?
    .execute([&plan.tenant, &report])?;
    // The count is public: other devices must see it, but it is not a new version.
    log.report(conn, &report)
}

/// The reporter confirms a resolution, or reopens the report.
pub(super) fn confirmation(
    conn: &Connection,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    confirmation: &Confirmation,
) -> DbResult<()> {
    let report = confirmation.report_id.to_string();
    let reopened = confirmation.history.status_changed;
    conn.prepare_cached(
        "UPDATE reports
         SET status = ?2, version = ?3, satisfaction = COALESCE(?4, satisfaction),
             closed_at_ms = CASE WHEN ?5 THEN NULL ELSE closed_at_ms END
         WHERE tenant_id = ?6 AND id = ?1",
    )?
    .execute((
        &report,
        confirmation.history.status.as_str(),
        confirmation.version,
        confirmation.satisfaction,
        reopened,
        &plan.tenant,
    ))?;
    history::append(
        conn,
        &plan.tenant,
        &report,
        plan.now_ms,
        &confirmation.history,
    )?;
    index(conn, &plan.tenant, &report, confirmation.original)?;
    log.report(conn, &report)
}

/// Moves a report in or out of the spatial index of open originals.
pub(super) fn index(
    conn: &Connection,
    tenant: &str,
    report: &str,
    change: OriginalIndex,
) -> DbResult<()> {
    match change {
        OriginalIndex::Keep => {}
        OriginalIndex::Remove => {
            // Named: left to itself, SQLite 3.50 searches the primary key by the town alone
            // (every open original of the town) rather than this index by the report.
            conn.prepare_cached(
                "DELETE FROM open_originals INDEXED BY open_originals_by_report
                 WHERE tenant_id = ?1 AND report_id = ?2",
            )?
            .execute([tenant, report])?;
        }
        OriginalIndex::Add { cell } => {
            conn.prepare_cached(
                "INSERT OR IGNORE INTO open_originals (tenant_id, category_code, cell,
                                                       received_at_ms, report_id, lat, lon)
                 SELECT tenant_id, category_code, ?2, received_at_ms, id, lat, lon
                 FROM reports WHERE tenant_id = ?3 AND id = ?1",
            )?
            .execute((report, cell, tenant))?;
        }
    }
    Ok(())
}

pub(super) fn rating(conn: &Connection, plan: &Plan, rating: &NewRating) -> DbResult<()> {
    conn.prepare_cached(
        "INSERT INTO ratings (tenant_id, service_id, citizen, satisfaction, importance, comment,
                              at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (tenant_id, service_id, citizen) DO UPDATE
         SET satisfaction = excluded.satisfaction, importance = excluded.importance,
             comment = excluded.comment, at_ms = excluded.at_ms",
    )?
    .execute((
        &plan.tenant,
        &rating.service_id,
        &rating.citizen,
        rating.satisfaction,
        rating.importance,
        &rating.comment,
        plan.now_ms,
    ))?;
    conn.prepare_cached(
        "INSERT INTO rating_history (id, tenant_id, service_id, citizen, satisfaction, importance,
                                     comment, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute((
        uuid::Uuid::now_v7().to_string(),
        &plan.tenant,
        &rating.service_id,
        &rating.citizen,
        rating.satisfaction,
        rating.importance,
        &rating.comment,
        plan.now_ms,
    ))?;
    Ok(())
}

/// Follows a zone (keeping an explicit follow explicit), or stops following it.
pub(super) fn follow(
    conn: &Connection,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    follow: &ZoneFollow,
) -> DbResult<()> {
    let changed = match follow.origin {
        Some(origin) => conn
            .prepare_cached(
                "INSERT INTO zone_follows (tenant_id, citizen, zone_code, origin, at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5)
                 ON CONFLICT (tenant_id, citizen, zone_code) DO UPDATE SET origin = excluded.origin
                 WHERE zone_follows.origin <> 'explicit'",
            )?
            .execute((
                &plan.tenant,
                &follow.citizen,
                &follow.zone,
                origin,
                plan.now_ms,
            ))?,
        None => conn
            .prepare_cached(
                "DELETE FROM zone_follows WHERE tenant_id = ?1 AND citizen = ?2 AND zone_code = ?3",
            )?
            .execute((&plan.tenant, &follow.citizen, &follow.zone))?,
    };
    if changed > 0 {
        log.follows(conn, &follow.citizen)?;
    }
    Ok(())
}
