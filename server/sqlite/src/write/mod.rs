//! Storing a decided [`Plan`]: the device's ledger entries, then each write in order, then the
//! tenant's change-log head. Runs inside the writer's transaction; the rules decided everything.

mod citizen;
mod history;
mod workflow;

use relais_server_database::Plan;
use relais_server_database::writes::{Ledger, Write};
use rusqlite::Connection;

use crate::changelog::ChangeLog;
use crate::error::DbResult;
use crate::json::to_json;

pub(crate) fn apply(conn: &Connection, plan: &Plan) -> DbResult<()> {
    if let Some(ledger) = &plan.ledger {
        record(conn, ledger, plan.now_ms)?;
    }
    let mut log = ChangeLog::open(conn, &plan.tenant)?;
    for write in &plan.writes {
        match write {
            Write::Report(report) => citizen::report(conn, plan, &mut log, report)?,
            Write::CitizenMessage(message) => citizen::message(conn, plan, &mut log, message)?,
            Write::Support(support) => citizen::support(conn, plan, &mut log, support)?,
            Write::Confirmation(confirmation) => {
                citizen::confirmation(conn, plan, &mut log, confirmation)?;
            }
            Write::Rating(rating) => citizen::rating(conn, plan, rating)?,
            Write::Follow(follow) => citizen::follow(conn, plan, &mut log, follow)?,
            Write::Workflow(change) => workflow::change(conn, plan, &mut log, change)?,
            Write::Alert(alert) => workflow::alert(conn, plan, &mut log, alert)?,
            Write::EndAlert(ended) => workflow::end_alert(conn, plan, &mut log, ended)?,
        }
    }
    log.close(conn)
}

/// The outcome of each new mutation, keyed by (device, seq): what makes a retry a no-op.
fn record(conn: &Connection, ledger: &Ledger, now_ms: i64) -> DbResult<()> {
    let device = ledger.device.to_string();
    let mut insert = conn.prepare_cached(
        "INSERT INTO device_mutations (device_id, seq, mutation_id, kind, outcome, reason, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    for entry in &ledger.entries {
        let (outcome, reason) = match &entry.rejection {
            None => ("applied", None),
            Some(reason) => ("rejected", Some(to_json(reason)?)),
        };
        insert.execute((
            &device,
            entry.seq,
            entry.mutation_id.to_string(),
            entry.kind,
            outcome,
            reason,
            now_ms,
        ))?;
    }
    Ok(())
}
