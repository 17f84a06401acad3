//! Storing a decided [`Plan`]: the device's ledger entries, then each write in order, then the
//! tenant's change-log head. Runs inside the write's transaction, after the tenant was locked;
//! the rules decided everything.

mod citizen;
mod history;
mod workflow;

use deadpool_postgres::Transaction;
use relais_server_database::Plan;
use relais_server_database::writes::{Ledger, Write};

use crate::changelog::ChangeLog;
use crate::error::{DbResult, signed};
use crate::json::to_json;
use crate::pipeline::{Tx, params};

pub(crate) async fn apply(tx: &Transaction<'_>, plan: &Plan) -> DbResult<()> {
    let tx = Tx::new(tx);
    let stored = store(&tx, plan).await;
    tx.finish(stored).await
}

/// Sends the plan's statements ahead (see `pipeline`); only the reads among them wait.
async fn store(tx: &Tx<'_>, plan: &Plan) -> DbResult<()> {
    let mut log = ChangeLog::open(tx, &plan.tenant).await?;
    if let Some(ledger) = &plan.ledger {
        record(tx, ledger, plan.now_ms).await?;
    }
    for write in &plan.writes {
        match write {
            Write::Report(report) => citizen::report(tx, plan, &mut log, report).await?,
            Write::CitizenMessage(message) => {
                citizen::message(tx, plan, &mut log, message).await?;
            }
            Write::Support(support) => citizen::support(tx, plan, &mut log, support).await?,
            Write::Confirmation(confirmation) => {
                citizen::confirmation(tx, plan, &mut log, confirmation).await?;
            }
            Write::Rating(rating) => citizen::rating(tx, plan, rating).await?,
            Write::Follow(follow) => citizen::follow(tx, plan, &mut log, follow).await?,
            Write::Workflow(change) => workflow::change(tx, plan, &mut log, change).await?,
            Write::Alert(alert) => workflow::alert(tx, plan, &mut log, alert).await?,
            Write::EndAlert(ended) => workflow::end_alert(tx, plan, &mut log, ended).await?,
        }
    }
    log.close(tx).await
}

/// The outcome of each new mutation, keyed by (device, seq): what makes a retry a no-op. The key
/// also guards against a retry decided twice at once by two servers: the second insert violates
/// it and its whole transaction rolls back.
async fn record(tx: &Tx<'_>, ledger: &Ledger, now_ms: i64) -> DbResult<()> {
    for entry in &ledger.entries {
        let (outcome, reason) = match &entry.rejection {
            None => ("applied", None),
            Some(reason) => ("rejected", Some(to_json(reason)?)),
        };
        tx.send(
            "INSERT INTO device_mutations (device_id, seq, mutation_id, kind, outcome, reason,
                                           at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            params![
                ledger.device.to_string(),
                signed(entry.seq, "seq")?,
                entry.mutation_id.to_string(),
                entry.kind,
                outcome,
                reason,
                now_ms,
            ],
        )
        .await?;
    }
    Ok(())
}
