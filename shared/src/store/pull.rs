//! A pulled page applied in one transaction, change by change in the server's order, each on
//! the rows as the previous one left them: a thread that arrives before or after its report,
//! several changes of one report in a page, all land on the latest state. A reset page also puts
//! the kept acknowledged mutations back in the queue, in the same transaction.

use std::collections::BTreeSet;

use relais_protocol::{Change, ZoneAlert};
use rusqlite::{Transaction, params};

use super::{Result, err, from_json, reports, settings, to_json};
use crate::{
    effects::store::{PullApplied, PullPage},
    model::TaskPart,
};

pub fn apply(tx: &Transaction<'_>, page: PullPage) -> Result<PullApplied> {
    let mut applied = PullApplied::default();
    if page.reset {
        // Forget what came from others and the work list; own reports and the queue stay.
        tx.execute_batch(
            "DELETE FROM reports WHERE mine = 0;
             DELETE FROM threads WHERE report_id NOT IN (SELECT id FROM reports);",
        )
        .map_err(err)?;
        // What the server acknowledged may be lost with its history: it goes again, decided
        // with the new cursor in one transaction (a separate write, after it, was lost when
        // the device died in between, and with it photos sent after the server's backup; the
        // whole-system simulation found this).
        if page.requeue {
            applied.requeued = super::outbox::requeue(tx, 0)?;
        }
    }
    let mut touched = Vec::new();
    for change in page.changes {
        match change {
            Change::Report { report, mine } => {
                reports::merge_public(tx, &report, mine)?;
                touched.push(report.id);
                applied.received += 1;
            }
            Change::Thread {
                report_id,
                messages,
            } => {
                reports::put_thread(tx, report_id, &messages)?;
                touched.push(report_id);
            }
            Change::Task { task } => {
                let (public, thread, part) = TaskPart::split(*task);
                let report = reports::merge_public(tx, &public, false)?;
                reports::put_task(tx, &report, &part)?;
                reports::put_thread(tx, report.id, &thread)?;
                touched.push(report.id);
                applied.received += 1;
            }
            Change::TaskRemoved { id } | Change::ReportRemoved { id } => {
                reports::delete(tx, id)?;
                applied.removed.push(id);
                applied.received += 1;
            }
            Change::Alert { alert } => {
                if put_alert(tx, &alert)? {
                    applied.new_alerts.push(alert);
                }
            }
            Change::Follows { zones } => {
                settings::put(tx, "follows", &zones)?;
                applied.follows = Some(zones);
            }
        }
    }
    settings::put(tx, "cursor", &page.cursor)?;
    let mut seen = BTreeSet::new();
    for id in touched.into_iter().rev().filter(|id| seen.insert(*id)) {
        if let Some(held) = reports::get_held(tx, id)? {
            applied.held.push(held);
        }
    }
    Ok(applied)
}

/// Stores an alert; `true` the first time this device sees it.
fn put_alert(tx: &Transaction<'_>, alert: &ZoneAlert) -> Result<bool> {
    let (id, body) = (alert.id.to_string(), to_json(alert)?);
    let inserted = tx
        .prepare_cached("INSERT OR IGNORE INTO alerts (id, ends_at_ms, body) VALUES (?1, ?2, ?3)")
        .map_err(err)?
        .execute(params![id, alert.ends_at_ms, body])
        .map_err(err)?;
    if inserted == 0 {
        tx.prepare_cached("UPDATE alerts SET ends_at_ms = ?2, body = ?3 WHERE id = ?1")
            .map_err(err)?
            .execute(params![id, alert.ends_at_ms, body])
            .map_err(err)?;
    }
    Ok(inserted == 1)
}

/// The alerts the device holds, earliest first.
pub fn alerts(tx: &Transaction<'_>) -> Result<Vec<ZoneAlert>> {
    let mut stmt = tx.prepare("SELECT body FROM alerts").map_err(err)?;
    let bodies = stmt
        .query_map([], |row| row.get::<_, String>(0))
        .map_err(err)?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(err)?;
    let mut alerts: Vec<ZoneAlert> = bodies.iter().map(|b| from_json(b)).collect::<Result<_>>()?;
    alerts.sort_by_key(|a| (a.starts_at_ms, a.id));
    Ok(alerts)
}
