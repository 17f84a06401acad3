//! One push batch in one immediate transaction: read the facts (a fixed number of queries,
//! whatever the batch size), let the domain decide, write the ledger rows and effects, stamp the
//! change log, commit.

use std::collections::{HashMap, HashSet};

use relais_protocol::{Author, Outcome, PushResponse, Reason, TownSettings};
use rusqlite::{Connection, Transaction, TransactionBehavior};
use serde_json::json;

use super::parse_uuid;
use crate::error::{DbResult, corrupt};
use relais_server_database::{
    CategoryFacts, Decision, Effect, FactsQuery, NearbyQuery, NearbyReport, NewNote, NewRating,
    NewReport, NewSupport, PushFacts, PushPlan, RecordedMutation, ReportFacts, Transition,
};

/// Metres per degree of latitude (and of longitude at the equator), for bounding boxes.
const METRES_PER_DEGREE: f64 = 111_320.0;

pub(super) fn push<F, E>(
    conn: &mut Connection,
    query: &FactsQuery,
    decide: F,
) -> DbResult<Result<PushResponse, E>>
where
    F: FnOnce(PushFacts) -> Result<PushPlan, E>,
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
    let tenant = &query.device.tenant;
    let last_seq: i64 = tx
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM device_mutations WHERE device_id = ?1")?
        .query_row([&device], |row| row.get(0))?;
    let last_seq = u64::try_from(last_seq).map_err(|_| corrupt("negative seq"))?;
    let recorded = recorded(tx, query, &device, last_seq)?;

    let citizen: String = tx
        .prepare_cached("SELECT COALESCE(account_id, id) FROM devices WHERE id = ?1")?
        .query_row([&device], |row| row.get(0))?;
    let town = tx
        .prepare_cached("SELECT reopen_window_days, duplicate_radius_m FROM tenants WHERE id = ?1")?
        .query_row([tenant], |row| {
            Ok(TownSettings {
                reopen_window_days: row.get(0)?,
                duplicate_radius_m: row.get(1)?,
                ..TownSettings::default()
            })
        })?;

    let mut categories = HashMap::new();
    if !query.categories.is_empty() {
        let mut stmt = tx.prepare_cached(
            "SELECT code, service_code, questions, duplicate_radius_m FROM categories
             WHERE tenant_id = ?1 AND code IN (SELECT value FROM json_each(?2))",
        )?;
        for row in stmt.query_map((tenant, to_json(&query.categories)?), |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, Option<u32>>(3)?,
            ))
        })? {
            let (code, service, questions, duplicate_radius_m) = row?;
            let questions = serde_json::from_str(&questions)
                .map_err(|e| corrupt(format!("questions of category {code}: {e}")))?;
            categories.insert(
                code,
                CategoryFacts {
                    service,
                    questions,
                    duplicate_radius_m,
                },
            );
        }
    }

    let mut reports = HashMap::new();
    let mut supported = HashSet::new();
    if !query.report_ids.is_empty() {
        let ids = to_json(&query.report_ids)?;
        // Report ids are global (a duplicate in another tenant is still a duplicate); the domain
        // compares the report's tenant before revealing anything. The reporter is the filing
        // device's account if it is linked to one; a report whose device is gone has no
        // reporter ('').
        let mut stmt = tx.prepare_cached(
            "SELECT r.id, r.tenant_id, COALESCE(d.account_id, d.id, ''), r.status, r.version,
                    r.resolved_at_ms
             FROM reports r LEFT JOIN devices d ON d.id = r.device_id
             WHERE r.id IN (SELECT value FROM json_each(?1))",
        )?;
        for row in stmt.query_map([&ids], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
                row.get::<_, i64>(4)?,
                row.get::<_, Option<i64>>(5)?,
            ))
        })? {
            let (id, tenant, citizen, status, version, resolved_at_ms) = row?;
            reports.insert(
                parse_uuid(&id)?,
                ReportFacts {
                    tenant,
                    citizen,
                    status: relais_protocol::ReportStatus::parse(&status)
                        .ok_or_else(|| corrupt(format!("status {status:?}")))?,
                    version,
                    resolved_at_ms,
                },
            );
        }
        // Supports given by the citizen, or by this device before it was linked to an account.
        let mut stmt = tx.prepare_cached(
            "SELECT DISTINCT report_id FROM supports
             WHERE citizen IN (?1, ?2) AND report_id IN (SELECT value FROM json_each(?3))",
        )?;
        for row in stmt.query_map((&citizen, &device, &ids), |row| row.get::<_, String>(0))? {
            supported.insert(parse_uuid(&row?)?);
        }
    }

    let mut services = HashSet::new();
    if !query.service_ids.is_empty() {
        let mut stmt = tx.prepare_cached(
            "SELECT id FROM public_services
             WHERE tenant_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
        )?;
        for row in stmt.query_map((tenant, to_json(&query.service_ids)?), |row| {
            row.get::<_, String>(0)
        })? {
            services.insert(row?);
        }
    }

    let nearby = match &query.nearby {
        Some(nearby) => nearby_reports(tx, tenant, nearby)?,
        None => Vec::new(),
    };

    Ok(PushFacts {
        last_seq,
        recorded,
        citizen,
        town,
        categories,
        reports,
        supported,
        services,
        nearby,
    })
}

fn recorded(
    tx: &Transaction<'_>,
    query: &FactsQuery,
    device: &str,
    last_seq: u64,
) -> DbResult<HashMap<u64, RecordedMutation>> {
    let mut recorded = HashMap::new();
    if let Some(seqs) = &query.seqs
        && *seqs.start() <= last_seq
    {
        let mut stmt = tx.prepare_cached(
            "SELECT seq, mutation_id, outcome, reason FROM device_mutations
             WHERE device_id = ?1 AND seq BETWEEN ?2 AND ?3",
        )?;
        let rows = stmt.query_map(
            (device, *seqs.start(), (*seqs.end()).min(last_seq)),
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
    Ok(recorded)
}

/// The reports of the asked statuses and categories received since `since_ms` inside a bounding
/// box of the duplicate radius (the category's, else the tenant's) around each point, in one
/// query. The domain measures the exact distance.
fn nearby_reports(
    tx: &Transaction<'_>,
    tenant: &str,
    query: &NearbyQuery,
) -> DbResult<Vec<NearbyReport>> {
    // Degrees per metre at each point, with a margin so that the box holds the whole circle.
    let points: Vec<_> = query
        .points
        .iter()
        .map(|p| {
            let lat_per_m = 1.05 / METRES_PER_DEGREE;
            let lon_per_m = 1.05 / (METRES_PER_DEGREE * p.lat.to_radians().cos().max(0.01));
            json!({
                "category": p.category, "lat": p.lat, "lon": p.lon,
                "lat_per_m": lat_per_m, "lon_per_m": lon_per_m,
            })
        })
        .collect();
    let statuses: Vec<_> = query.statuses.iter().map(|s| s.as_str()).collect();
    let mut stmt = tx.prepare_cached(
        "WITH points AS (
             SELECT json_extract(p.value, '$.category') AS category,
                    json_extract(p.value, '$.lat') AS lat,
                    json_extract(p.value, '$.lon') AS lon,
                    json_extract(p.value, '$.lat_per_m')
                        * COALESCE(c.duplicate_radius_m, t.duplicate_radius_m) AS dlat,
                    json_extract(p.value, '$.lon_per_m')
                        * COALESCE(c.duplicate_radius_m, t.duplicate_radius_m) AS dlon
             FROM json_each(?2) p
             JOIN tenants t ON t.id = ?1
             JOIN categories c ON c.tenant_id = ?1
                              AND c.code = json_extract(p.value, '$.category')
         )
         SELECT DISTINCT r.id, r.category_code, r.lat, r.lon
         FROM points p
         JOIN reports r ON r.tenant_id = ?1 AND r.category_code = p.category
         WHERE r.status IN (SELECT value FROM json_each(?3))
           AND r.received_at_ms >= ?4
           AND r.lat BETWEEN p.lat - p.dlat AND p.lat + p.dlat
           AND r.lon BETWEEN p.lon - p.dlon AND p.lon + p.dlon",
    )?;
    let rows = stmt.query_map(
        (
            tenant,
            to_json(&points)?,
            to_json(&statuses)?,
            query.since_ms,
        ),
        |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, f64>(2)?,
                row.get::<_, f64>(3)?,
            ))
        },
    )?;
    let mut nearby = Vec::new();
    for row in rows {
        let (id, category, lat, lon) = row?;
        nearby.push(NearbyReport {
            id: parse_uuid(&id)?,
            category,
            lat,
            lon,
        });
    }
    Ok(nearby)
}

/// The tenant's change log, as the batch advances it: every stamp takes the next sequence number.
/// Shared with the other writers of the log (account deletion re-stamps reports).
pub(super) struct ChangeLog<'t> {
    tenant: &'t str,
    seq: i64,
    first_seq: i64,
}

impl<'t> ChangeLog<'t> {
    pub(super) fn open(tx: &Transaction<'_>, tenant: &'t str) -> DbResult<Self> {
        let seq: i64 = tx
            .prepare_cached("SELECT last_change_seq FROM tenants WHERE id = ?1")?
            .query_row([tenant], |row| row.get(0))?;
        Ok(Self {
            tenant,
            seq,
            first_seq: seq,
        })
    }

    /// Moves the report to the head of the public log (one row per entity).
    pub(super) fn report(&mut self, tx: &Transaction<'_>, report: &str) -> DbResult<()> {
        self.stamp(tx, "report", report, "public")
    }

    /// Moves the report's thread to the head of the log, visible to its reporter only.
    fn thread(&mut self, tx: &Transaction<'_>, report: &str, reporter: &str) -> DbResult<()> {
        self.stamp(tx, "thread", report, reporter)
    }

    fn stamp(
        &mut self,
        tx: &Transaction<'_>,
        kind: &str,
        entity: &str,
        scope: &str,
    ) -> DbResult<()> {
        self.seq += 1;
        tx.prepare_cached(
            "INSERT INTO changes (tenant_id, entity_kind, entity_id, seq, scope)
             VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (tenant_id, entity_kind, entity_id)
             DO UPDATE SET seq = excluded.seq, scope = excluded.scope",
        )?
        .execute((self.tenant, kind, entity, self.seq, scope))?;
        Ok(())
    }

    pub(super) fn close(self, tx: &Transaction<'_>) -> DbResult<()> {
        if self.seq != self.first_seq {
            tx.prepare_cached("UPDATE tenants SET last_change_seq = ?2 WHERE id = ?1")?
                .execute((self.tenant, self.seq))?;
        }
        Ok(())
    }
}

fn write_plan(tx: &Transaction<'_>, plan: &PushPlan) -> DbResult<()> {
    let device = plan.device.to_string();
    let mut ledger = tx.prepare_cached(
        "INSERT INTO device_mutations (device_id, seq, mutation_id, kind, outcome, reason, at_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?;
    let mut log = ChangeLog::open(tx, &plan.tenant)?;
    for mutation in &plan.mutations {
        let (outcome, reason) = match &mutation.decision {
            Decision::Apply(effect) => {
                apply(tx, plan, &device, &mut log, effect)?;
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
    log.close(tx)
}

fn apply(
    tx: &Transaction<'_>,
    plan: &PushPlan,
    device: &str,
    log: &mut ChangeLog<'_>,
    effect: &Effect,
) -> DbResult<()> {
    match effect {
        Effect::CreateReport(report) => {
            insert_report(tx, plan, device, report)?;
            log.report(tx, &report.id.to_string())
        }
        Effect::AddNote(note) => insert_note(tx, plan, device, log, note),
        Effect::Support(support) => insert_support(tx, plan, log, support),
        Effect::Transition(transition) => transition_report(tx, plan, device, log, transition),
        Effect::Rate(rating) => upsert_rating(tx, plan, rating),
        Effect::Nothing => Ok(()),
    }
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
                              service_code, answers, duplicate_of)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
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
        to_json(&report.photos)?,
        report.created_at_ms,
        report.received_at_ms,
        report.status.as_str(),
        report.version,
        &report.zone,
        &report.service,
        to_json(&report.answers)?,
        report.duplicate_of.map(|id| id.to_string()),
    ])?;
    insert_history(tx, &id, report.status.as_str(), report.received_at_ms, None)
}

fn insert_history(
    tx: &Transaction<'_>,
    report: &str,
    status: &str,
    at_ms: i64,
    note: Option<&str>,
) -> DbResult<()> {
    tx.prepare_cached(
        "INSERT INTO report_history (id, report_id, status, at_ms, note)
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute((
        uuid::Uuid::now_v7().to_string(),
        report,
        status,
        at_ms,
        note,
    ))?;
    Ok(())
}

/// Writes a message in the report's thread and re-stamps the thread for its reporter.
fn insert_note(
    tx: &Transaction<'_>,
    plan: &PushPlan,
    device: &str,
    log: &mut ChangeLog<'_>,
    note: &NewNote,
) -> DbResult<()> {
    let report = note.report_id.to_string();
    let author = match note.author {
        Author::Citizen => "citizen",
        Author::City => "city",
    };
    tx.prepare_cached(
        "INSERT INTO report_notes (id, tenant_id, report_id, device_id, text, created_at_ms,
                                   author)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute((
        note.id.to_string(),
        &plan.tenant,
        &report,
        device,
        &note.text,
        plan.now_ms,
        author,
    ))?;
    log.thread(tx, &report, &note.reporter)
}

/// Counts the citizen's support once: the primary key (report, citizen) makes a second one a
/// no-op even if the rules let it through.
fn insert_support(
    tx: &Transaction<'_>,
    plan: &PushPlan,
    log: &mut ChangeLog<'_>,
    support: &NewSupport,
) -> DbResult<()> {
    let report = support.report_id.to_string();
    let inserted = tx
        .prepare_cached(
            "INSERT INTO supports (report_id, citizen, at_ms) VALUES (?1, ?2, ?3)
             ON CONFLICT (report_id, citizen) DO NOTHING",
        )?
        .execute((&report, &support.citizen, plan.now_ms))?;
    if inserted == 0 {
        return Ok(());
    }
    tx.prepare_cached("UPDATE reports SET supporters = supporters + 1 WHERE id = ?1")?
        .execute([&report])?;
    // The count is public: other devices must see it, but it is not a new version.
    log.report(tx, &report)
}

fn transition_report(
    tx: &Transaction<'_>,
    plan: &PushPlan,
    device: &str,
    log: &mut ChangeLog<'_>,
    transition: &Transition,
) -> DbResult<()> {
    let report = transition.report_id.to_string();
    tx.prepare_cached(
        "UPDATE reports
         SET status = ?2, version = ?3,
             resolved_at_ms = CASE WHEN ?4 THEN ?5 ELSE resolved_at_ms END,
             satisfaction = COALESCE(?6, satisfaction)
         WHERE id = ?1",
    )?
    .execute((
        &report,
        transition.status.as_str(),
        transition.version,
        transition.resolved,
        plan.now_ms,
        transition.satisfaction,
    ))?;
    insert_history(
        tx,
        &report,
        transition.status.as_str(),
        plan.now_ms,
        transition.note.as_deref(),
    )?;
    log.report(tx, &report)?;
    match &transition.message {
        Some(message) => insert_note(tx, plan, device, log, message),
        None => Ok(()),
    }
}

fn upsert_rating(tx: &Transaction<'_>, plan: &PushPlan, rating: &NewRating) -> DbResult<()> {
    tx.prepare_cached(
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
    tx.prepare_cached(
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

fn stored_outcome(outcome: &str, reason: Option<&str>) -> DbResult<Outcome> {
    match (outcome, reason) {
        ("applied", _) => Ok(Outcome::Applied),
        ("rejected", Some(reason)) => Ok(Outcome::Rejected {
            reason: serde_json::from_str(reason).map_err(json_error)?,
        }),
        _ => Err(corrupt(format!("stored outcome {outcome:?}"))),
    }
}

fn reason_json(reason: &Reason) -> DbResult<String> {
    serde_json::to_string(reason).map_err(json_error)
}

fn to_json<T: serde::Serialize + ?Sized>(value: &T) -> DbResult<String> {
    serde_json::to_string(value).map_err(json_error)
}

fn json_error(e: serde_json::Error) -> crate::error::Failure {
    corrupt(format!("json: {e}"))
}
