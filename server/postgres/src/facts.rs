//! Reading the facts a write's rules ask for ([`FactsQuery`]), inside the write's transaction
//! after it locked the tenant (see `changelog`), in a fixed number of indexed queries whatever
//! the batch size.

use std::collections::{HashMap, HashSet};

use deadpool_postgres::Transaction;
use relais_protocol::Outcome;
use relais_server_database::{
    Facts, FactsQuery, NearbyQuery, NearbyReport, RecordedMutation, ReportFacts,
};
use uuid::Uuid;

use crate::catalogue::town_settings;
use crate::error::{DbResult, corrupt, signed, unsigned};
use crate::json::parse;
use crate::{parse_status, parse_uuid, staff};

pub(crate) async fn read(tx: &Transaction<'_>, query: &FactsQuery) -> DbResult<Facts> {
    let tenant = &query.tenant;
    let stmt = tx
        .prepare_cached(
            "SELECT catalogue_version, reopen_window_days, duplicate_radius_m, closed_visible_days
             FROM tenants WHERE id = $1",
        )
        .await?;
    let row = tx.query_one(&stmt, &[tenant]).await?;
    let mut facts = Facts {
        catalogue_version: row.try_get(0)?,
        town: town_settings(&row, 1)?,
        ..Facts::default()
    };
    if let Some(device) = &query.device {
        let id = device.id.to_string();
        let stmt = tx
            .prepare_cached(
                "SELECT COALESCE(MAX(seq), 0) FROM device_mutations WHERE device_id = $1",
            )
            .await?;
        let last_seq: i64 = tx.query_one(&stmt, &[&id]).await?.try_get(0)?;
        facts.last_seq = unsigned(last_seq, "device seq")?;
        if let Some(seqs) = &query.seqs
            && *seqs.start() <= facts.last_seq
        {
            facts.recorded =
                recorded(tx, &id, *seqs.start(), (*seqs.end()).min(facts.last_seq)).await?;
        }
        if !query.report_ids.is_empty() {
            facts.supported =
                supported(tx, tenant, &device.citizen, &id, &query.report_ids).await?;
        }
    }
    if !query.report_ids.is_empty() {
        facts.reports = reports(tx, tenant, &query.report_ids).await?;
    }
    if !query.service_ids.is_empty() {
        let stmt = tx
            .prepare_cached("SELECT id FROM public_services WHERE tenant_id = $1 AND id = ANY($2)")
            .await?;
        for row in tx.query(&stmt, &[tenant, &query.service_ids]).await? {
            facts.services.insert(row.try_get(0)?);
        }
    }
    for email in &query.staff_emails {
        if let Some(member) = staff::member_by_email(tx, Some(tenant), email).await? {
            facts.staff.insert(email.clone(), member);
        }
    }
    for nearby in &query.nearby {
        facts.nearby.extend(originals(tx, tenant, nearby).await?);
    }
    Ok(facts)
}

async fn recorded(
    tx: &Transaction<'_>,
    device: &str,
    from: u64,
    to: u64,
) -> DbResult<HashMap<u64, RecordedMutation>> {
    let stmt = tx
        .prepare_cached(
            "SELECT seq, mutation_id, outcome, reason FROM device_mutations
             WHERE device_id = $1 AND seq BETWEEN $2 AND $3",
        )
        .await?;
    let rows = tx
        .query(
            &stmt,
            &[&device, &signed(from, "seq")?, &signed(to, "seq")?],
        )
        .await?;
    let mut recorded = HashMap::new();
    for row in rows {
        let outcome: String = row.try_get(2)?;
        let reason: Option<String> = row.try_get(3)?;
        let outcome = match (outcome.as_str(), reason) {
            ("applied", _) => Outcome::Applied,
            ("rejected", Some(reason)) => Outcome::Rejected {
                reason: parse(&reason, "stored rejection")?,
            },
            _ => return Err(corrupt(format!("stored outcome {outcome:?}"))),
        };
        recorded.insert(
            unsigned(row.try_get(0)?, "seq")?,
            RecordedMutation {
                mutation_id: parse_uuid(row.try_get(1)?)?,
                outcome,
            },
        );
    }
    Ok(recorded)
}

/// The given ids as the text this backend stores them as.
pub(crate) fn texts(ids: &[Uuid]) -> Vec<String> {
    ids.iter().map(Uuid::to_string).collect()
}

/// The given reports of `tenant` (report ids are unique per town: another town's report of the
/// same id is not read). The reporter is the filing device's account if it is linked to one; a
/// report whose device is gone has no reporter ('').
async fn reports(
    tx: &Transaction<'_>,
    tenant: &str,
    ids: &[Uuid],
) -> DbResult<HashMap<Uuid, ReportFacts>> {
    let stmt = tx
        .prepare_cached(
            "SELECT r.id, r.tenant_id, COALESCE(d.account_id, d.id, ''), a.language, d.language,
                    r.category_code, r.zone_code, r.service_code, r.status, r.version, r.lat,
                    r.lon, r.received_at_ms, r.resolved_at_ms, r.assigned_to, r.duplicate_of
             FROM reports r
             LEFT JOIN devices d ON d.id = r.device_id
             LEFT JOIN accounts a ON a.id = d.account_id
             WHERE r.tenant_id = $1 AND r.id = ANY($2)",
        )
        .await?;
    let mut reports = HashMap::new();
    for row in tx.query(&stmt, &[&tenant, &texts(ids)]).await? {
        let language: Option<String> = row.try_get(3)?;
        let assigned_to: Option<&str> = row.try_get(14)?;
        let duplicate_of: Option<&str> = row.try_get(15)?;
        reports.insert(
            parse_uuid(row.try_get(0)?)?,
            ReportFacts {
                tenant: row.try_get(1)?,
                citizen: row.try_get(2)?,
                language: language.or(row.try_get(4)?),
                category: row.try_get(5)?,
                zone: row.try_get(6)?,
                service: row.try_get(7)?,
                status: parse_status(row.try_get(8)?)?,
                version: row.try_get(9)?,
                lat: row.try_get(10)?,
                lon: row.try_get(11)?,
                received_at_ms: row.try_get(12)?,
                resolved_at_ms: row.try_get(13)?,
                assigned_to: assigned_to.map(parse_uuid).transpose()?,
                duplicate_of: duplicate_of.map(parse_uuid).transpose()?,
            },
        );
    }
    Ok(reports)
}

/// Supports given by the citizen, or by this device before it was linked to an account.
async fn supported(
    tx: &Transaction<'_>,
    tenant: &str,
    citizen: &str,
    device: &str,
    ids: &[Uuid],
) -> DbResult<HashSet<Uuid>> {
    let stmt = tx
        .prepare_cached(
            "SELECT DISTINCT report_id FROM supports
             WHERE citizen IN ($1, $2) AND tenant_id = $3 AND report_id = ANY($4)",
        )
        .await?;
    tx.query(&stmt, &[&citizen, &device, &tenant, &texts(ids)])
        .await?
        .iter()
        .map(|row| Ok(parse_uuid(row.try_get(0)?)?))
        .collect()
}

/// The originals of a category in some grid cells: one index range per cell, each candidate's
/// status and time read from the report itself (the index only narrows the search).
pub(crate) async fn originals(
    tx: &Transaction<'_>,
    tenant: &str,
    query: &NearbyQuery,
) -> DbResult<Vec<NearbyReport>> {
    let stmt = tx
        .prepare_cached(
            "SELECT o.report_id, o.lat, o.lon FROM open_originals o
             JOIN reports r ON r.tenant_id = o.tenant_id AND r.id = o.report_id
             WHERE o.tenant_id = $1 AND o.category_code = $2 AND o.cell = $3
               AND r.received_at_ms >= $4 AND r.status = ANY($5)",
        )
        .await?;
    let statuses: Vec<&str> = query.statuses.iter().map(|s| s.as_str()).collect();
    let mut found = Vec::new();
    for cell in &query.cells {
        for row in tx
            .query(
                &stmt,
                &[&tenant, &query.category, cell, &query.since_ms, &statuses],
            )
            .await?
        {
            found.push(NearbyReport {
                id: parse_uuid(row.try_get(0)?)?,
                category: query.category.clone(),
                lat: row.try_get(1)?,
                lon: row.try_get(2)?,
            });
        }
    }
    Ok(found)
}
