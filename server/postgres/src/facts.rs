//! Reading the facts a write's rules ask for ([`FactsQuery`]), inside the write's transaction
//! after it locked the tenant (see `changelog`): indexed queries, all sent at once, so that a
//! push waits for one round trip to the database (two for a retry) whatever the batch size.

use std::collections::{HashMap, HashSet};
use std::ops::RangeInclusive;

use deadpool_postgres::Transaction;
use futures::future::try_join_all;
use futures::try_join;
use relais_protocol::{Outcome, TownSettings};
use relais_server_database::{
    CitizenFollow, Facts, FactsQuery, NearbyQuery, NearbyReport, RecordedMutation, ReportFacts,
};
use uuid::Uuid;

use crate::catalogue::town_settings;
use crate::error::{DbResult, corrupt, signed, unsigned};
use crate::json::parse;
use crate::{parse_status, parse_uuid, staff};

pub(crate) async fn read(tx: &Transaction<'_>, query: &FactsQuery) -> DbResult<Facts> {
    // The reads do not depend on each other: polled together, they go to the server one after
    // the other without waiting for each answer (tokio-postgres pipelines them), so a push waits
    // for one round trip here instead of one per read, and one per new report's neighbourhood.
    let tenant = &query.tenant;
    let device = query.device.as_ref();
    let device_id = device.map(|device| device.id.to_string());
    let (settings, ledger, supported, follows, reports, services, staff, nearby) = try_join!(
        settings(tx, tenant),
        async {
            match &device_id {
                Some(id) => ledger(tx, id, query.seqs.as_ref()).await,
                None => Ok((0, HashMap::new())),
            }
        },
        async {
            match device.zip(device_id.as_ref()) {
                Some((device, id)) if !query.report_ids.is_empty() => {
                    supported(tx, tenant, &device.citizen, id, &query.report_ids).await
                }
                _ => Ok(HashSet::new()),
            }
        },
        async {
            match device {
                Some(device) if query.follows => follows(tx, tenant, &device.citizen).await,
                _ => Ok(Vec::new()),
            }
        },
        async {
            if query.report_ids.is_empty() {
                Ok(HashMap::new())
            } else {
                reports(tx, tenant, &query.report_ids).await
            }
        },
        services(tx, tenant, &query.service_ids),
        try_join_all(
            query
                .staff_emails
                .iter()
                .map(|email| staff::member_by_email(tx, Some(tenant), email)),
        ),
        try_join_all(
            query
                .nearby
                .iter()
                .map(|nearby| originals(tx, tenant, nearby))
        ),
    )?;
    let (catalogue_version, town) = settings;
    let (last_seq, recorded) = ledger;
    Ok(Facts {
        catalogue_version,
        town,
        last_seq,
        recorded,
        supported,
        reports,
        services,
        staff: query
            .staff_emails
            .iter()
            .zip(staff)
            .filter_map(|(email, member)| Some((email.clone(), member?)))
            .collect(),
        nearby: nearby.into_iter().flatten().collect(),
        follows,
    })
}

/// The tenant's catalogue version and settings.
async fn settings(tx: &Transaction<'_>, tenant: &str) -> DbResult<(i64, TownSettings)> {
    let stmt = tx
        .prepare_cached(
            "SELECT catalogue_version, reopen_window_days, duplicate_radius_m, closed_visible_days
             FROM tenants WHERE id = $1",
        )
        .await?;
    let row = tx.query_one(&stmt, &[&tenant]).await?;
    Ok((row.try_get(0)?, town_settings(&row, 1)?))
}

/// The device's last sequence number, and the outcomes it recorded for the batch's numbers it
/// already holds (a retry).
async fn ledger(
    tx: &Transaction<'_>,
    device: &str,
    seqs: Option<&RangeInclusive<u64>>,
) -> DbResult<(u64, HashMap<u64, RecordedMutation>)> {
    let stmt = tx
        .prepare_cached("SELECT COALESCE(MAX(seq), 0) FROM device_mutations WHERE device_id = $1")
        .await?;
    let last_seq: i64 = tx.query_one(&stmt, &[&device]).await?.try_get(0)?;
    let last_seq = unsigned(last_seq, "device seq")?;
    let recorded = match seqs {
        Some(seqs) if *seqs.start() <= last_seq => {
            recorded(tx, device, *seqs.start(), (*seqs.end()).min(last_seq)).await?
        }
        _ => HashMap::new(),
    };
    Ok((last_seq, recorded))
}

/// Which of the given ids name public services of the tenant.
async fn services(tx: &Transaction<'_>, tenant: &str, ids: &[String]) -> DbResult<HashSet<String>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let stmt = tx
        .prepare_cached(
            "SELECT id FROM public_services
             WHERE (tenant_id, id) IN (SELECT $1, unnest($2::text[]))",
        )
        .await?;
    tx.query(&stmt, &[&tenant, &ids])
        .await?
        .iter()
        .map(|row| Ok(row.try_get(0)?))
        .collect()
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
             WHERE (r.tenant_id, r.id) IN (SELECT $1, unnest($2::text[]))",
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
             WHERE (tenant_id, report_id, citizen) IN (
                 SELECT $3, report, citizen
                 FROM unnest($4::text[]) AS report, unnest(ARRAY[$1, $2]) AS citizen)",
        )
        .await?;
    tx.query(&stmt, &[&citizen, &device, &tenant, &texts(ids)])
        .await?
        .iter()
        .map(|row| Ok(parse_uuid(row.try_get(0)?)?))
        .collect()
}

/// The zones `citizen` follows.
async fn follows(
    tx: &Transaction<'_>,
    tenant: &str,
    citizen: &str,
) -> DbResult<Vec<CitizenFollow>> {
    let stmt = tx
        .prepare_cached(
            "SELECT zone_code, origin, at_ms FROM zone_follows WHERE tenant_id = $1 AND citizen = $2",
        )
        .await?;
    tx.query(&stmt, &[&tenant, &citizen])
        .await?
        .iter()
        .map(|row| {
            Ok(CitizenFollow {
                zone: row.try_get(0)?,
                explicit: row.try_get::<_, &str>(1)? == "explicit",
                at_ms: row.try_get(2)?,
            })
        })
        .collect()
}

/// The open originals of a category in some grid cells, in one statement (one index range per
/// cell, then the time window), from the index alone
/// ([`NearbyQuery`](relais_server_database::NearbyQuery) says why).
pub(crate) async fn originals(
    tx: &Transaction<'_>,
    tenant: &str,
    query: &NearbyQuery,
) -> DbResult<Vec<NearbyReport>> {
    let stmt = tx
        .prepare_cached(
            "SELECT o.report_id, o.lat, o.lon FROM open_originals o
             WHERE o.tenant_id = $1 AND o.category_code = $2 AND o.cell = ANY($3)
               AND o.received_at_ms >= $4
             ORDER BY o.cell, o.received_at_ms, o.report_id",
        )
        .await?;
    tx.query(
        &stmt,
        &[&tenant, &query.category, &query.cells, &query.since_ms],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(NearbyReport {
            id: parse_uuid(row.try_get(0)?)?,
            category: query.category.clone(),
            lat: row.try_get(1)?,
            lon: row.try_get(2)?,
        })
    })
    .collect()
}
