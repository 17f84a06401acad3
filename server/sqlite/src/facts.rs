//! Reading the facts a write's rules ask for ([`FactsQuery`]), inside the writer's transaction,
//! in a fixed number of indexed queries whatever the batch size.

use std::collections::{HashMap, HashSet};

use relais_protocol::{Outcome, TownSettings};
use relais_server_database::{
    CitizenFollow, Facts, FactsQuery, NearbyReport, RecordedMutation, ReportFacts,
};
use rusqlite::{Connection, OptionalExtension};

use crate::error::{DbResult, corrupt};
use crate::json::{parse, to_json};
use crate::{parse_status, parse_uuid, staff};

pub(crate) fn read(conn: &Connection, query: &FactsQuery) -> DbResult<Facts> {
    let tenant = &query.tenant;
    let (catalogue_version, town) = conn
        .prepare_cached(
            "SELECT catalogue_version, reopen_window_days, duplicate_radius_m, closed_visible_days
             FROM tenants WHERE id = ?1",
        )?
        .query_row([tenant], |row| {
            Ok((
                row.get(0)?,
                TownSettings {
                    reopen_window_days: row.get(1)?,
                    duplicate_radius_m: row.get(2)?,
                    closed_visible_days: row.get(3)?,
                },
            ))
        })?;
    let mut facts = Facts {
        catalogue_version,
        town,
        ..Facts::default()
    };
    if let Some(device) = &query.device {
        let id = device.id.to_string();
        let last_seq: i64 = conn
            .prepare_cached(
                "SELECT COALESCE(MAX(seq), 0) FROM device_mutations WHERE device_id = ?1",
            )?
            .query_row([&id], |row| row.get(0))?;
        facts.last_seq = u64::try_from(last_seq).map_err(|_| corrupt("negative seq"))?;
        if let Some(seqs) = &query.seqs
            && *seqs.start() <= facts.last_seq
        {
            facts.recorded = recorded(conn, &id, *seqs.start(), (*seqs.end()).min(facts.last_seq))?;
        }
        if !query.report_ids.is_empty() {
            facts.supported = supported(conn, tenant, &device.citizen, &id, &query.report_ids)?;
        }
        if query.follows {
            facts.follows = follows(conn, tenant, &device.citizen)?;
        }
    }
    if !query.report_ids.is_empty() {
        facts.reports = reports(conn, tenant, &query.report_ids)?;
    }
    if !query.service_ids.is_empty() {
        let mut stmt = conn.prepare_cached(
            "SELECT id FROM public_services
             WHERE tenant_id = ?1 AND id IN (SELECT value FROM json_each(?2))",
        )?;
        for row in stmt.query_map((tenant, to_json(&query.service_ids)?), |row| {
            row.get::<_, String>(0)
        })? {
            facts.services.insert(row?);
        }
    }
    for email in &query.staff_emails {
        if let Some(member) = staff::member_by_email(conn, Some(tenant), email)? {
            facts.staff.insert(email.clone(), member);
        }
    }
    for nearby in &query.nearby {
        facts.nearby.extend(originals(conn, tenant, nearby)?);
    }
    Ok(facts)
}

/// The zones `citizen` follows.
fn follows(conn: &Connection, tenant: &str, citizen: &str) -> DbResult<Vec<CitizenFollow>> {
    let mut stmt = conn.prepare_cached(
        "SELECT zone_code, origin, at_ms FROM zone_follows WHERE tenant_id = ?1 AND citizen = ?2",
    )?;
    let rows = stmt.query_map((tenant, citizen), |row| {
        Ok(CitizenFollow {
            zone: row.get(0)?,
            explicit: row.get::<_, String>(1)? == "explicit",
            at_ms: row.get(2)?,
        })
    })?;
    Ok(rows.collect::<Result<_, _>>()?)
}

fn recorded(
    conn: &Connection,
    device: &str,
    from: u64,
    to: u64,
) -> DbResult<HashMap<u64, RecordedMutation>> {
    let mut recorded = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT seq, mutation_id, outcome, reason FROM device_mutations
         WHERE device_id = ?1 AND seq BETWEEN ?2 AND ?3",
    )?;
    let rows = stmt.query_map((device, from, to), |row| {
        Ok((
            row.get::<_, u64>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, Option<String>>(3)?,
        ))
    })?;
    for row in rows {
        let (seq, mutation_id, outcome, reason) = row?;
        let outcome = match (outcome.as_str(), reason) {
            ("applied", _) => Outcome::Applied,
            ("rejected", Some(reason)) => Outcome::Rejected {
                reason: parse(&reason, "stored rejection")?,
            },
            _ => return Err(corrupt(format!("stored outcome {outcome:?}"))),
        };
        let mutation_id = parse_uuid(&mutation_id)?;
        recorded.insert(
            seq,
            RecordedMutation {
                mutation_id,
                outcome,
            },
        );
    }
    Ok(recorded)
}

/// The given reports of `tenant` (report ids are unique per town: another town's report of the
/// same id is not read). The reporter is the filing device's account if it is linked to one; a
/// report whose device is gone has no reporter ('').
fn reports(
    conn: &Connection,
    tenant: &str,
    ids: &[uuid::Uuid],
) -> DbResult<HashMap<uuid::Uuid, ReportFacts>> {
    let mut reports = HashMap::new();
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.tenant_id, COALESCE(d.account_id, d.id, ''), a.language, d.language,
                r.category_code, r.zone_code, r.service_code, r.status, r.version, r.lat, r.lon,
                r.received_at_ms, r.resolved_at_ms, r.assigned_to, r.duplicate_of
         FROM reports r
         LEFT JOIN devices d ON d.id = r.device_id
         LEFT JOIN accounts a ON a.id = d.account_id
         WHERE r.tenant_id = ?1 AND r.id IN (SELECT value FROM json_each(?2))",
    )?;
    let rows = stmt.query_map((tenant, to_json(ids)?), |row| {
        Ok((
            row.get::<_, String>(0)?,
            ReportRow {
                tenant: row.get(1)?,
                citizen: row.get(2)?,
                language: row.get::<_, Option<String>>(3)?.or(row.get(4)?),
                category: row.get(5)?,
                zone: row.get(6)?,
                service: row.get(7)?,
                status: row.get(8)?,
                version: row.get(9)?,
                lat: row.get(10)?,
                lon: row.get(11)?,
                received_at_ms: row.get(12)?,
                resolved_at_ms: row.get(13)?,
                assigned_to: row.get(14)?,
                duplicate_of: row.get(15)?,
            },
        ))
    })?;
    for row in rows {
        let (id, row) = row?;
        reports.insert(parse_uuid(&id)?, row.parse()?);
    }
    Ok(reports)
}

struct ReportRow {
    tenant: String,
    citizen: String,
    language: Option<String>,
    category: String,
    zone: String,
    service: String,
    status: String,
    version: i64,
    lat: f64,
    lon: f64,
    received_at_ms: i64,
    resolved_at_ms: Option<i64>,
    assigned_to: Option<String>,
    duplicate_of: Option<String>,
}

impl ReportRow {
    fn parse(self) -> DbResult<ReportFacts> {
        Ok(ReportFacts {
            tenant: self.tenant,
            citizen: self.citizen,
            language: self.language,
            category: self.category,
            zone: self.zone,
            service: self.service,
            status: parse_status(&self.status)?,
            version: self.version,
            lat: self.lat,
            lon: self.lon,
            received_at_ms: self.received_at_ms,
            resolved_at_ms: self.resolved_at_ms,
            assigned_to: self.assigned_to.as_deref().map(parse_uuid).transpose()?,
            duplicate_of: self.duplicate_of.as_deref().map(parse_uuid).transpose()?,
        })
    }
}

/// Supports given by the citizen, or by this device before it was linked to an account.
fn supported(
    conn: &Connection,
    tenant: &str,
    citizen: &str,
    device: &str,
    ids: &[uuid::Uuid],
) -> DbResult<HashSet<uuid::Uuid>> {
    let mut supported = HashSet::new();
    let mut stmt = conn.prepare_cached(
        "SELECT DISTINCT report_id FROM supports
         WHERE citizen IN (?1, ?2) AND tenant_id = ?3
           AND report_id IN (SELECT value FROM json_each(?4))",
    )?;
    for row in stmt.query_map((citizen, device, tenant, to_json(ids)?), |row| {
        row.get::<_, String>(0)
    })? {
        supported.insert(parse_uuid(&row?)?);
    }
    Ok(supported)
}

/// The open originals of a category in some grid cells: one range of `open_originals`' key per
/// cell (tenant, category, cell, then the time window), from the index alone
/// ([`NearbyQuery`](relais_server_database::NearbyQuery) says why).
pub(crate) fn originals(
    conn: &Connection,
    tenant: &str,
    query: &relais_server_database::NearbyQuery,
) -> DbResult<Vec<NearbyReport>> {
    let mut stmt = conn.prepare_cached(
        "SELECT o.report_id, o.lat, o.lon FROM open_originals o
         WHERE o.tenant_id = ?1 AND o.category_code = ?2 AND o.cell = ?3
           AND o.received_at_ms >= ?4",
    )?;
    let mut found = Vec::new();
    for cell in &query.cells {
        let rows = stmt.query_map((tenant, &query.category, cell, query.since_ms), |row| {
            Ok((row.get::<_, String>(0)?, row.get(1)?, row.get(2)?))
        })?;
        for row in rows {
            let (id, lat, lon) = row?;
            found.push(NearbyReport {
                id: parse_uuid(&id)?,
                category: query.category.clone(),
                lat,
                lon,
            });
        }
    }
    Ok(found)
}

/// Whether the tenant exists.
pub(crate) fn tenant_exists(conn: &Connection, tenant: &str) -> DbResult<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM tenants WHERE id = ?1")?
        .query_row([tenant], |_| Ok(()))
        .optional()?
        .is_some())
}
