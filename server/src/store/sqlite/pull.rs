//! Reading a tenant's change log: one read transaction (a consistent snapshot) with one query for
//! the page and one for the history of the reports on it.

use std::collections::HashMap;

use relais_protocol::{Change, GeoPoint, LocalizedText, PublicReport, ReportStatus, StatusChange};
use rusqlite::{Connection, OptionalExtension, Row};

use super::parse_uuid;
use crate::store::{ChangePage, DbError, DbResult, LogPosition};

pub(super) fn page(
    conn: &mut Connection,
    tenant: &str,
    from: Option<&LogPosition>,
    limit: u32,
) -> DbResult<Option<ChangePage>> {
    let tx = conn.transaction()?;
    let Some((epoch, head)) = tx
        .prepare_cached("SELECT epoch, last_change_seq FROM tenants WHERE id = ?1")?
        .query_row([tenant], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let (reset, after_seq) = match from {
        None => (false, 0),
        // Another epoch, or a position this log never reached (restored from an older backup).
        Some(position) if position.epoch != epoch || position.seq > head => (true, 0),
        Some(position) => (false, position.seq),
    };

    let mut stmt = tx.prepare_cached(
        "SELECT c.seq, r.id, r.category_code, r.lat, r.lon, r.accuracy_m, r.text, r.photos,
                r.created_at_ms, r.status, r.version, r.zone_code, s.name_fr, s.name_en
         FROM changes c
         JOIN reports r ON r.id = c.entity_id AND r.tenant_id = c.tenant_id
         JOIN services s ON s.tenant_id = r.tenant_id AND s.code = r.service_code
         WHERE c.tenant_id = ?1 AND c.entity_kind = 'report' AND c.seq > ?2
         ORDER BY c.seq
         LIMIT ?3",
    )?;
    // One more row than asked tells whether another page follows.
    let mut rows = stmt
        .query_map((tenant, after_seq, limit + 1), |row| {
            Ok((row.get::<_, u64>(0)?, report_row(row)?))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);

    let mut reports = Vec::with_capacity(rows.len());
    for (seq, row) in rows {
        reports.push((seq, row.into_report()?));
    }
    let mut history = history(&tx, &reports)?;
    let changes = reports
        .into_iter()
        .map(|(seq, mut report)| {
            report.history = history.remove(&report.id).unwrap_or_default();
            (
                seq,
                Change::Report {
                    report: Box::new(report),
                },
            )
        })
        .collect();
    Ok(Some(ChangePage {
        reset,
        epoch,
        after_seq,
        changes,
        has_more,
    }))
}

/// The status history of every report of the page, oldest first.
fn history(
    tx: &rusqlite::Transaction<'_>,
    reports: &[(u64, PublicReport)],
) -> DbResult<HashMap<uuid::Uuid, Vec<StatusChange>>> {
    let mut history: HashMap<_, Vec<_>> = HashMap::new();
    if reports.is_empty() {
        return Ok(history);
    }
    let ids: Vec<String> = reports.iter().map(|(_, r)| r.id.to_string()).collect();
    let ids = serde_json::to_string(&ids).map_err(|e| DbError::Corrupt(e.to_string()))?;
    let mut stmt = tx.prepare_cached(
        "SELECT report_id, status, at_ms, note FROM report_history
         WHERE report_id IN (SELECT value FROM json_each(?1))
         ORDER BY report_id, at_ms, id",
    )?;
    for row in stmt.query_map([ids], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, Option<String>>(3)?,
        ))
    })? {
        let (report, status, at_ms, note) = row?;
        history
            .entry(parse_uuid(&report)?)
            .or_default()
            .push(StatusChange {
                status: parse_status(&status)?,
                at_ms,
                note,
            });
    }
    Ok(history)
}

/// A report row as stored, before its text columns are parsed.
struct ReportRow {
    id: String,
    category: String,
    location: GeoPoint,
    text: String,
    photos: String,
    created_at_ms: i64,
    status: String,
    version: i64,
    zone: String,
    service: LocalizedText,
}

fn report_row(row: &Row<'_>) -> rusqlite::Result<ReportRow> {
    Ok(ReportRow {
        id: row.get(1)?,
        category: row.get(2)?,
        location: GeoPoint {
            lat: row.get(3)?,
            lon: row.get(4)?,
            accuracy_m: row.get(5)?,
        },
        text: row.get(6)?,
        photos: row.get(7)?,
        created_at_ms: row.get(8)?,
        status: row.get(9)?,
        version: row.get(10)?,
        zone: row.get(11)?,
        service: LocalizedText::new(row.get::<_, String>(12)?, row.get::<_, String>(13)?),
    })
}

impl ReportRow {
    /// The public report; its history is filled in afterwards.
    fn into_report(self) -> DbResult<PublicReport> {
        Ok(PublicReport {
            id: parse_uuid(&self.id)?,
            category: self.category,
            location: self.location,
            text: self.text,
            created_at_ms: self.created_at_ms,
            status: parse_status(&self.status)?,
            version: self.version,
            zone: self.zone,
            service: self.service,
            history: Vec::new(),
            photos: serde_json::from_str(&self.photos)
                .map_err(|e| DbError::Corrupt(format!("photos of {}: {e}", self.id)))?,
            supporters: 0,
            duplicate_of: None,
        })
    }
}

fn parse_status(status: &str) -> DbResult<ReportStatus> {
    ReportStatus::parse(status).ok_or_else(|| DbError::Corrupt(format!("status {status:?}")))
}
