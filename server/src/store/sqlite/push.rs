//! One push batch in one immediate transaction: read the facts (a fixed number of queries,
//! whatever the batch size), let the domain decide, write the ledger rows and effects, stamp the
//! change log, commit.

use std::collections::HashMap;

use relais_protocol::{Outcome, PushResponse, Reason};
use rusqlite::{Connection, Transaction, TransactionBehavior};

use super::parse_uuid;
use crate::store::{
    DbError, DbResult, Decision, Effect, FactsQuery, NewNote, NewReport, PushFacts, PushPlan,
    RecordedMutation, ReportOwner,
};
use crate::sync::BatchRefusal;

pub(super) fn push<F>(
    conn: &mut Connection,
    query: &FactsQuery,
    decide: F,
) -> DbResult<Result<PushResponse, BatchRefusal>>
where
    F: FnOnce(PushFacts) -> Result<PushPlan, BatchRefusal>,
{
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let facts = read_facts(&tx, query)?;
    let plan = match decide(facts) {
        Ok(plan) => plan,
        // Dropping the transaction rolls it back; nothing was written anyway.
        Err(refusal) => return Ok(Err(refusal)),
    };
    write_plan(&tx, &plan)?;
    tx.commit()?;
    Ok(Ok(plan.response))
}

fn read_facts(tx: &Transaction<'_>, query: &FactsQuery) -> DbResult<PushFacts> {
    let device = query.device.id.to_string();
    let last_seq: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM device_mutations WHERE device_id = ?1")?
        .query_row([&device], |row| row.get(0))?;
    let last_seq = u64::try_from(last_seq).map_err(|_| DbError::Corrupt("negative seq".into()))?;

    let mut recorded = HashMap::new();
    if let Some(seqs) = &query.seqs
        && *seqs.start() <= last_seq
    {
        let mut stmt = tx.prepare_cached(
            "SELECT seq, mutation_id, outcome, reason FROM device_mutations
             WHERE device_id = ?1 AND seq BETWEEN ?2 AND ?3",
        )?;
        let rows = stmt.query_map(
            (&device, *seqs.start(), (*seqs.end()).min(last_seq)),
            |row| {
                Ok((
                    row.get::<_, u64>(0)?,
                    row.get::<_, String>(1)?,
                    row.get::<_, String>(2)?,
                    row.get::<_, Option<String>>(3)?,
                ))
            },
        )?;
        for row in rows {
            let (seq, mutation_id, outcome, reason) = row?;
            let outcome = stored_outcome(&outcome, reason.as_deref())?;
            recorded.insert(
                seq,
                RecordedMutation {
                    mutation_id: parse_uuid(&mutation_id)?,
                    outcome,
                },
            );
        }
    }

    let mut categories = HashMap::new();
    if !query.categories.is_empty() {
        let codes = serde_json::to_string(&query.categories).map_err(json_error)?;
        let mut stmt = tx.prepare_cached(
            "SELECT code, service_code FROM categories
             WHERE tenant_id = ?1 AND code IN (SELECT value FROM json_each(?2))",
        )?;
        for row in stmt.query_map((&query.device.tenant, codes), |row| {
            Ok((row.get(0)?, row.get(1)?))
        })? {
            let (code, service) = row?;
            categories.insert(code, service);
        }
    }

    let mut reports = HashMap::new();
    if !query.report_ids.is_empty() {
        let ids = serde_json::to_string(&query.report_ids).map_err(json_error)?;
        // Report ids are global (a duplicate in another tenant is still a duplicate); the domain
        // compares the owner's tenant before revealing anything.
        let mut stmt = tx.prepare_cached(
            "SELECT id, tenant_id, device_id FROM reports
             WHERE id IN (SELECT value FROM json_each(?1))",
        )?;
        for row in stmt.query_map([ids], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })? {
            let (id, tenant, device) = row?;
            reports.insert(
                parse_uuid(&id)?,
                ReportOwner {
                    tenant,
                    device: parse_uuid(&device)?,
                },
            );
        }
    }

    Ok(PushFacts {
        last_seq,
        recorded,
        categories,
        reports,
    })
}

fn write_plan(tx: &Transaction<'_>, plan: &PushPlan) -> DbResult<()> {
    let device = plan.device.to_string();
    let mut ledger = tx.prepare_cached(
        "INSERT INTO device_mutations (device_id, seq, mutation_id, kind, outcome, reason, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut change_seq: i64 = tx
        .prepare_cached("SELECT last_change_seq FROM tenants WHERE id = ?1")?
        .query_row([&plan.tenant], |row| row.get(0))?;
    let first_change_seq = change_seq;
    for mutation in &plan.mutations {
        let (outcome, reason) = match &mutation.decision {
            Decision::Apply(effect) => {
                match effect {
                    Effect::CreateReport(report) => {
                        insert_report(tx, plan, &device, report)?;
                        change_seq += 1;
                        stamp_change(tx, &plan.tenant, &report.id.to_string(), change_seq)?;
                    }
                    Effect::AddNote(note) => insert_note(tx, plan, &device, note)?,
                }
                ("applied", None)
            }
            Decision::Reject(reason) => ("rejected", Some(reason_json(reason)?)),
        };
        ledger.execute((
            &device,
            mutation.seq,
            mutation.mutation_id.to_string(),
            mutation.kind,
            outcome,
            reason,
            plan.now_ms,
        ))?;
    }
    if change_seq != first_change_seq {
        tx.prepare_cached("UPDATE tenants SET last_change_seq = ?2 WHERE id = ?1")?
            .execute((&plan.tenant, change_seq))?;
    }
    Ok(())
}

fn insert_report(
    tx: &Transaction<'_>,
    plan: &PushPlan,
    device: &str,
    report: &NewReport,
) -> DbResult<()> {
    let id = report.id.to_string();
    tx.prepare_cached(
        "INSERT INTO reports (id, tenant_id, device_id, category_code, lat, lon, accuracy_m, text,
                              photos, created_at_ms, received_at_ms, status, version, zone_code,
                              service_code)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
    )?
    .execute(rusqlite::params![
        &id,
        &plan.tenant,
        device,
        &report.category,
        report.location.lat,
        report.location.lon,
        report.location.accuracy_m,
        &report.text,
        serde_json::to_string(&report.photos).map_err(json_error)?,
        report.created_at_ms,
        report.received_at_ms,
        report.status.as_str(),
        report.version,
        &report.zone,
        &report.service,
    ])?;
    tx.prepare_cached(
        "INSERT INTO report_history (id, report_id, status, at_ms) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute((
        uuid::Uuid::now_v7().to_string(),
        &id,
        report.status.as_str(),
        report.received_at_ms,
    ))?;
    Ok(())
}

fn insert_note(
    tx: &Transaction<'_>,
    plan: &PushPlan,
    device: &str,
    note: &NewNote,
) -> DbResult<()> {
    tx.prepare_cached(
        "INSERT INTO report_notes (id, tenant_id, report_id, device_id, text, created_at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?
    .execute((
        note.id.to_string(),
        &plan.tenant,
        note.report_id.to_string(),
        device,
        &note.text,
        plan.now_ms,
    ))?;
    Ok(())
}

/// Moves the entity to the head of the tenant's change log (one row per entity).
fn stamp_change(tx: &Transaction<'_>, tenant: &str, entity: &str, seq: i64) -> DbResult<()> {
    tx.prepare_cached(
        "INSERT INTO changes (tenant_id, entity_id, entity_kind, seq) VALUES (?1, ?2, 'report', ?3)
         ON CONFLICT (tenant_id, entity_id) DO UPDATE SET seq = excluded.seq",
    )?
    .execute((tenant, entity, seq))?;
    Ok(())
}

fn stored_outcome(outcome: &str, reason: Option<&str>) -> DbResult<Outcome> {
    match (outcome, reason) {
        ("applied", _) => Ok(Outcome::Applied),
        ("rejected", Some(reason)) => Ok(Outcome::Rejected {
            reason: serde_json::from_str(reason).map_err(json_error)?,
        }),
        _ => Err(DbError::Corrupt(format!("stored outcome {outcome:?}"))),
    }
}

fn reason_json(reason: &Reason) -> DbResult<String> {
    serde_json::to_string(reason).map_err(json_error)
}

fn json_error(e: serde_json::Error) -> DbError {
    DbError::Corrupt(format!("json: {e}"))
}
