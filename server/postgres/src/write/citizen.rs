//! What citizens' writes store: a new report (with its spatial-index entry and the follows of
//! its reporter the rules decided), a message in a thread, a "me too", an answer to a
//! resolution, a rating of a public service, a followed zone.

use relais_server_database::Plan;
use relais_server_database::writes::{
    CitizenMessage, Confirmation, NewRating, NewReport, NewSupport, OriginalIndex, ReportedFollow,
    ZoneFollow,
};

use super::history;
use crate::changelog::ChangeLog;
use crate::error::DbResult;
use crate::json::to_json;
use crate::pipeline::{Tx, params};

pub(super) async fn report(
    tx: &Tx<'_>,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    report: &NewReport,
) -> DbResult<()> {
    let id = report.id.to_string();
    tx.send(
        "INSERT INTO reports (id, tenant_id, device_id, category_code, lat, lon, accuracy_m, text,
                              photos, created_at_ms, received_at_ms, status, version, zone_code,
                              service_code, answers, duplicate_of, due_at_ms, channel)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 1, $13, $14, $15, $16, $17,
                 $18)",
        params![
            id.clone(),
            plan.tenant.clone(),
            report.device.to_string(),
            report.category.clone(),
            report.location.lat,
            report.location.lon,
            report.location.accuracy_m,
            report.text.clone(),
            to_json(&report.photos)?,
            report.created_at_ms,
            report.received_at_ms,
            report.history.status.as_str(),
            report.zone.clone(),
            report.service.clone(),
            to_json(&report.answers)?,
            report.duplicate_of.map(|id| id.to_string()),
            report.due_at_ms,
            report.channel.clone(),
        ],
    )
    .await?;
    history::append(
        tx,
        &plan.tenant,
        &id,
        report.received_at_ms,
        &report.history,
    )
    .await?;
    if let Some(cell) = report.cell {
        tx.send(
            "INSERT INTO open_originals (tenant_id, category_code, cell, received_at_ms,
                                         report_id, lat, lon)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![
                plan.tenant.clone(),
                report.category.clone(),
                cell,
                report.received_at_ms,
                id.clone(),
                report.location.lat,
                report.location.lon,
            ],
        )
        .await?;
    }
    let follows = follow_reported(tx, plan, report).await?;
    log.new_report(
        tx,
        &id,
        &report.zone,
        &report.service,
        Some(&report.citizen),
    )
    .await?;
    if follows {
        log.follows(tx, &report.citizen).await?;
    }
    Ok(())
}

/// Stores what the rules decided the report does to the zones its reporter follows. `true` when
/// the list of zones changed.
async fn follow_reported(tx: &Tx<'_>, plan: &Plan, report: &NewReport) -> DbResult<bool> {
    let (tenant, citizen, zone) = (&plan.tenant, &report.citizen, &report.zone);
    match &report.follow {
        ReportedFollow::Unchanged => Ok(false),
        ReportedFollow::Refreshed { at_ms } => {
            tx.send(
                "UPDATE zone_follows SET at_ms = $4
                 WHERE tenant_id = $1 AND citizen = $2 AND zone_code = $3",
                params![tenant.clone(), citizen.clone(), zone.clone(), *at_ms],
            )
            .await?;
            Ok(false)
        }
        ReportedFollow::Started { at_ms, dropped } => {
            tx.send(
                "INSERT INTO zone_follows (tenant_id, citizen, zone_code, origin, at_ms)
                 VALUES ($1, $2, $3, 'reported', $4)
                 ON CONFLICT (tenant_id, citizen, zone_code) DO UPDATE SET at_ms = excluded.at_ms
                 WHERE zone_follows.origin = 'reported'",
                params![tenant.clone(), citizen.clone(), zone.clone(), *at_ms],
            )
            .await?;
            for zone in dropped {
                tx.send(
                    "DELETE FROM zone_follows
                     WHERE tenant_id = $1 AND citizen = $2 AND zone_code = $3
                       AND origin = 'reported'",
                    params![tenant.clone(), citizen.clone(), zone.clone()],
                )
                .await?;
            }
            Ok(true)
        }
    }
}

/// The reporter writes in the report's thread.
pub(super) async fn message(
    tx: &Tx<'_>,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    message: &CitizenMessage,
) -> DbResult<()> {
    let report = message.report_id.to_string();
    tx.send(
        "INSERT INTO report_notes (id, tenant_id, report_id, device_id, text, created_at_ms,
                                   author)
         VALUES ($1, $2, $3, $4, $5, $6, 'citizen')",
        params![
            message.id.to_string(),
            plan.tenant.clone(),
            report.clone(),
            message.device.to_string(),
            message.text.clone(),
            plan.now_ms,
        ],
    )
    .await?;
    log.thread(tx, &report).await
}

/// Counts the citizen's support once (the primary key (report, citizen) makes a second one a
/// no-op even if the rules let it through); the citizen follows the report.
pub(super) async fn support(
    tx: &Tx<'_>,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    support: &NewSupport,
) -> DbResult<()> {
    let report = support.report_id.to_string();
    let stmt = tx
        .prepare_cached(
            "INSERT INTO supports (tenant_id, report_id, citizen, at_ms) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant_id, report_id, citizen) DO NOTHING",
        )
        .await?;
    let inserted = tx
        .execute(
            &stmt,
            &[&plan.tenant, &report, &support.citizen, &plan.now_ms],
        )
        .await?;
    if inserted == 0 {
        return Ok(());
    }
    let stmt = tx
        .prepare_cached(
            "INSERT INTO report_followers (tenant_id, report_id, citizen, origin)
             VALUES ($1, $2, $3, 'support')
             ON CONFLICT (tenant_id, report_id, citizen) DO NOTHING",
        )
        .await?;
    tx.execute(&stmt, &[&plan.tenant, &report, &support.citizen])
        .await?;
    let stmt = tx
        .prepare_cached(
            "UPDATE reports SET supporters = supporters + 1 WHERE tenant_id = $1 AND id = $2",
        )
        .await?;
    tx.execute(&stmt, &[&plan.tenant, &report]).await?;
    // The count is public: other devices must see it, but it is not a new version.
    log.report(tx, &report).await
}

/// The reporter confirms a resolution, or reopens the report.
pub(super) async fn confirmation(
    tx: &Tx<'_>,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    confirmation: &Confirmation,
) -> DbResult<()> {
    let report = confirmation.report_id.to_string();
    let reopened = confirmation.history.status_changed;
    tx.send(
        "UPDATE reports
         SET status = $2, version = $3, satisfaction = COALESCE($4, satisfaction),
             closed_at_ms = CASE WHEN $5 THEN NULL ELSE closed_at_ms END
         WHERE tenant_id = $6 AND id = $1",
        params![
            report.clone(),
            confirmation.history.status.as_str(),
            confirmation.version,
            confirmation.satisfaction.map(i64::from),
            reopened,
            plan.tenant.clone(),
        ],
    )
    .await?;
    history::append(
        tx,
        &plan.tenant,
        &report,
        plan.now_ms,
        &confirmation.history,
    )
    .await?;
    index(tx, &plan.tenant, &report, confirmation.original).await?;
    log.report(tx, &report).await
}

/// Moves a report in or out of the spatial index of open originals.
pub(super) async fn index(
    tx: &Tx<'_>,
    tenant: &str,
    report: &str,
    change: OriginalIndex,
) -> DbResult<()> {
    match change {
        OriginalIndex::Keep => {}
        OriginalIndex::Remove => {
            tx.send(
                "DELETE FROM open_originals WHERE tenant_id = $1 AND report_id = $2",
                params![tenant.to_owned(), report.to_owned()],
            )
            .await?;
        }
        OriginalIndex::Add { cell } => {
            tx.send(
                "INSERT INTO open_originals (tenant_id, category_code, cell, received_at_ms,
                                             report_id, lat, lon)
                 SELECT tenant_id, category_code, $2, received_at_ms, id, lat, lon
                 FROM reports WHERE tenant_id = $3 AND id = $1
                 ON CONFLICT DO NOTHING",
                params![report.to_owned(), cell, tenant.to_owned()],
            )
            .await?;
        }
    }
    Ok(())
}

pub(super) async fn rating(tx: &Tx<'_>, plan: &Plan, rating: &NewRating) -> DbResult<()> {
    let (satisfaction, importance) = (i64::from(rating.satisfaction), i64::from(rating.importance));
    tx.send(
        "INSERT INTO ratings (tenant_id, service_id, citizen, satisfaction, importance, comment,
                              at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (tenant_id, service_id, citizen) DO UPDATE
         SET satisfaction = excluded.satisfaction, importance = excluded.importance,
             comment = excluded.comment, at_ms = excluded.at_ms",
        params![
            plan.tenant.clone(),
            rating.service_id.clone(),
            rating.citizen.clone(),
            satisfaction,
            importance,
            rating.comment.clone(),
            plan.now_ms,
        ],
    )
    .await?;
    tx.send(
        "INSERT INTO rating_history (id, tenant_id, service_id, citizen, satisfaction,
                                     importance, comment, at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        params![
            uuid::Uuid::now_v7().to_string(),
            plan.tenant.clone(),
            rating.service_id.clone(),
            rating.citizen.clone(),
            satisfaction,
            importance,
            rating.comment.clone(),
            plan.now_ms,
        ],
    )
    .await
}

/// Follows a zone (keeping an explicit follow explicit), or stops following it.
pub(super) async fn follow(
    tx: &Tx<'_>,
    plan: &Plan,
    log: &mut ChangeLog<'_>,
    follow: &ZoneFollow,
) -> DbResult<()> {
    let changed = match follow.origin {
        Some(origin) => {
            let stmt = tx
                .prepare_cached(
                    "INSERT INTO zone_follows (tenant_id, citizen, zone_code, origin, at_ms)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (tenant_id, citizen, zone_code) DO UPDATE
                     SET origin = excluded.origin
                     WHERE zone_follows.origin <> 'explicit'",
                )
                .await?;
            tx.execute(
                &stmt,
                &[
                    &plan.tenant,
                    &follow.citizen,
                    &follow.zone,
                    &origin,
                    &plan.now_ms,
                ],
            )
            .await?
        }
        None => {
            let stmt = tx
                .prepare_cached(
                    "DELETE FROM zone_follows
                     WHERE tenant_id = $1 AND citizen = $2 AND zone_code = $3",
                )
                .await?;
            tx.execute(&stmt, &[&plan.tenant, &follow.citizen, &follow.zone])
                .await?
        }
    };
    if changed > 0 {
        log.follows(tx, &follow.citizen).await?;
    }
    Ok(())
}
