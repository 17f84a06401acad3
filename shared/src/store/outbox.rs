//! The outbox on disk: mutations in sequence order, each deleted only once the server has
//! acknowledged it. Sequence numbers, and the base version of a staff member's change, are given
//! in the transaction that inserts the item, so that a failed write leaves no gap and two changes
//! saved at once cannot be based on the same version.
//!
//! The latest [`KEEP_ACKNOWLEDGED`] acknowledged mutations are kept aside: a server restored from
//! an older backup has lost them, and [`requeue`] puts them back in the queue.

use relais_protocol::{Mutation, MutationOp};
use rusqlite::{Transaction, params};
use uuid::Uuid;

use super::{Result, err, from_json, reports, settings, to_json, uploads};
use crate::{
    effects::store::{LocalChange, StoreError, StoreOutput},
    model::{MyRating, OutboxItem, OutboxState, Report, chain, outbox::photos_of},
};

/// How many of the latest acknowledged mutations the device keeps to send again to a server
/// restored from an older backup: a few days of a busy agent's work.
pub const KEEP_ACKNOWLEDGED: u64 = 1000;

pub fn load(tx: &Transaction<'_>) -> Result<Vec<OutboxItem>> {
    let mut stmt = tx
        .prepare(
            "SELECT seq, mutation_id, op, state, reason, attempts, last_error, queued_at_ms
             FROM outbox ORDER BY seq",
        )
        .map_err(err)?;
    let mut rows = stmt.query([]).map_err(err)?;
    let mut items = Vec::new();
    while let Some(row) = rows.next().map_err(err)? {
        let mutation_id: String = row.get(1).map_err(err)?;
        let state: String = row.get(3).map_err(err)?;
        let reason: Option<String> = row.get(4).map_err(err)?;
        let state = match (state.as_str(), reason) {
            ("rejected", Some(reason)) => OutboxState::Rejected(from_json(&reason)?),
            _ => OutboxState::Queued,
        };
        items.push(OutboxItem {
            mutation: Mutation {
                seq: row.get(0).map_err(err)?,
                mutation_id: Uuid::parse_str(&mutation_id).map_err(err)?,
                op: from_json(&row.get::<_, String>(2).map_err(err)?)?,
            },
            state,
            attempts: row.get(5).map_err(err)?,
            last_error: row.get(6).map_err(err)?,
            queued_at_ms: row.get(7).map_err(err)?,
        });
    }
    Ok(items)
}

/// An item's state and refusal as stored.
fn state_columns(item: &OutboxItem) -> Result<(&'static str, Option<String>)> {
    Ok(match &item.state {
        OutboxState::Queued => ("queued", None),
        OutboxState::Rejected(reason) => ("rejected", Some(to_json(reason)?)),
    })
}

pub fn put(tx: &Transaction<'_>, item: &OutboxItem) -> Result<()> {
    let (state, reason) = state_columns(item)?;
    tx.prepare_cached(
        "INSERT OR REPLACE INTO outbox
           (mutation_id, seq, op, state, reason, attempts, last_error, queued_at_ms, report_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )
    .map_err(err)?
    .execute(params![
        item.id().to_string(),
        item.mutation.seq,
        to_json(&item.mutation.op)?,
        state,
        reason,
        item.attempts,
        item.last_error,
        item.queued_at_ms,
        item.report_id().map(|id| id.to_string()),
    ])
    .map_err(err)?;
    Ok(())
}

/// Records what became of an item still in the queue: the server's refusal, or an attempt to
/// send it. An item no longer there stays gone: a sync's outcome can arrive after the queue was
/// emptied (the identity deleted meanwhile), and brought back, with its old sequence number,
/// the item went out again beside the new identity's own first one (the whole-system
/// simulation found a change applied twice so, seed 40017331).
pub fn record(tx: &Transaction<'_>, item: &OutboxItem) -> Result<()> {
    let (state, reason) = state_columns(item)?;
    tx.prepare_cached(
        "UPDATE outbox SET state = ?2, reason = ?3, attempts = ?4, last_error = ?5
         WHERE mutation_id = ?1",
    )
    .map_err(err)?
    .execute(params![
        item.id().to_string(),
        state,
        reason,
        item.attempts,
        item.last_error,
    ])
    .map_err(err)?;
    Ok(())
}

/// Deletes an item; yields how many rows went (0 or 1).
fn delete(tx: &Transaction<'_>, id: Uuid) -> Result<usize> {
    tx.prepare_cached("DELETE FROM outbox WHERE mutation_id = ?1")
        .map_err(err)?
        .execute([id.to_string()])
        .map_err(err)
}

fn op_of(tx: &Transaction<'_>, id: Uuid) -> Result<Option<MutationOp>> {
    use rusqlite::OptionalExtension;
    tx.prepare_cached("SELECT op FROM outbox WHERE mutation_id = ?1")
        .map_err(err)?
        .query_row([id.to_string()], |row| row.get::<_, String>(0))
        .optional()
        .map_err(err)?
        .map(|op| from_json(&op))
        .transpose()
}

/// The queued mutations concerning `report`, in sending order.
fn queued_for(tx: &Transaction<'_>, report: Uuid) -> Result<Vec<MutationOp>> {
    let mut stmt = tx
        .prepare_cached(
            "SELECT op FROM outbox WHERE report_id = ?1 AND state = 'queued' ORDER BY seq",
        )
        .map_err(err)?;
    let ops = stmt
        .query_map([report.to_string()], |row| row.get::<_, String>(0))
        .map_err(err)?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(err)?;
    ops.iter().map(|op| from_json(op)).collect()
}

/// Saves an item with its local effect, replacing the refused item it re-applies, if any.
pub fn enqueue(
    tx: &Transaction<'_>,
    mut item: OutboxItem,
    local: LocalChange,
    replaces: Option<Uuid>,
) -> Result<StoreOutput> {
    let seq: u64 = settings::get(tx, "next_seq")?.unwrap_or(1);
    if let Some(old) = replaces
        && delete(tx, old)? == 0
    {
        return Err(StoreError(
            "the refused change was already applied again".into(),
        ));
    }
    if let MutationOp::StaffAction {
        report_id,
        base_version,
        ..
    } = &mut item.mutation.op
        && let Some(server) = reports::get_report(tx, *report_id)?
    {
        // Based on the report as this device's queued changes will leave it.
        *base_version = chain::projected(&server, &queued_for(tx, *report_id)?).version;
    }
    match local {
        LocalChange::Report(report) => reports::put_report(tx, &report)?,
        LocalChange::Rating(rating) => {
            let mut ratings: Vec<MyRating> = settings::get(tx, "my_ratings")?.unwrap_or_default();
            ratings.retain(|r| r.service_id != rating.service_id);
            ratings.push(rating);
            settings::put(tx, "my_ratings", &ratings)?;
        }
        LocalChange::None => {}
    }
    for sha in photos_of(&item.mutation.op) {
        uploads::wait(tx, sha)?;
    }
    item.mutation.seq = seq;
    put(tx, &item)?;
    settings::put(tx, "next_seq", &(seq + 1))?;
    Ok(StoreOutput::Enqueued(Box::new(item)))
}

/// A push's outcome: accepted items leave (their photos may go), refused ones stay with their
/// reason (their photos will not be needed), and the reports they concern are updated.
pub fn record_push(
    tx: &Transaction<'_>,
    accepted: &[Uuid],
    refused: &[OutboxItem],
    changed: &[Report],
) -> Result<()> {
    for id in accepted {
        if let Some(op) = op_of(tx, *id)? {
            for sha in photos_of(&op) {
                uploads::release(tx, sha)?;
            }
        }
        tx.prepare_cached(
            "INSERT OR REPLACE INTO acknowledged (seq, mutation_id, op, queued_at_ms)
             SELECT seq, mutation_id, op, queued_at_ms FROM outbox WHERE mutation_id = ?1",
        )
        .map_err(err)?
        .execute([id.to_string()])
        .map_err(err)?;
        delete(tx, *id)?;
    }
    tx.prepare_cached(
        "DELETE FROM acknowledged WHERE seq <= (SELECT MAX(seq) FROM acknowledged) - ?1",
    )
    .map_err(err)?
    .execute([KEEP_ACKNOWLEDGED])
    .map_err(err)?;
    for item in refused {
        record(tx, item)?;
        for sha in photos_of(&item.mutation.op) {
            uploads::drop_waiting(tx, sha)?;
        }
    }
    for report in changed {
        reports::put_report(tx, report)?;
    }
    Ok(())
}

/// Puts the kept acknowledged mutations numbered `from` or more back in the queue, with their
/// own numbers and ids, and returns them: the server's history went back behind them (it was
/// restored from an older backup). The server answers `already_applied` to those it still holds
/// and applies those it lost.
pub fn requeue(tx: &Transaction<'_>, from: u64) -> Result<Vec<OutboxItem>> {
    let mut stmt = tx
        .prepare_cached(
            "DELETE FROM acknowledged WHERE seq >= ?1
             RETURNING seq, mutation_id, op, queued_at_ms",
        )
        .map_err(err)?;
    let mut rows = stmt.query([from]).map_err(err)?;
    let mut items = Vec::new();
    while let Some(row) = rows.next().map_err(err)? {
        let mutation_id: String = row.get(1).map_err(err)?;
        items.push(OutboxItem {
            mutation: Mutation {
                seq: row.get(0).map_err(err)?,
                mutation_id: Uuid::parse_str(&mutation_id).map_err(err)?,
                op: from_json(&row.get::<_, String>(2).map_err(err)?)?,
            },
            state: OutboxState::Queued,
            attempts: 0,
            last_error: None,
            queued_at_ms: row.get(3).map_err(err)?,
        });
    }
    drop(rows);
    drop(stmt);
    items.sort_by_key(|item| item.mutation.seq);
    for item in &items {
        put(tx, item)?;
    }
    Ok(items)
}

/// Renumbers the queued items, in order, from `from`.
pub fn resequence(tx: &Transaction<'_>, from: u64) -> Result<Vec<(Uuid, u64)>> {
    let numbers: Vec<(Uuid, u64)> = load(tx)?
        .into_iter()
        .filter(OutboxItem::is_queued)
        .zip(from..)
        .map(|(item, seq)| (item.id(), seq))
        .collect();
    let mut update = tx
        .prepare_cached("UPDATE outbox SET seq = ?2 WHERE mutation_id = ?1")
        .map_err(err)?;
    for (id, seq) in &numbers {
        update.execute(params![id.to_string(), seq]).map_err(err)?;
    }
    settings::put(tx, "next_seq", &(from + numbers.len() as u64))?;
    Ok(numbers)
}
