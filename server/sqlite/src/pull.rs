//! Reading a tenant's change log: one read transaction (a consistent snapshot) with one query for
//! the page of change-log rows the viewer may see, then one each for the reports, their history
//! and the threads on it, whatever the page size.

use std::collections::HashMap;

use relais_protocol::{
    Author, Change, GeoPoint, LocalizedText, PublicReport, ReportStatus, StatusChange,
    ThreadMessage,
};
use rusqlite::{OptionalExtension, Row, Transaction};
use uuid::Uuid;

use super::parse_uuid;
use crate::error::{DbResult, corrupt};
use relais_server_database::{ChangePage, LogPosition};

pub(super) fn page(
    conn: &mut rusqlite::Connection,
    tenant: &str,
    viewer: Uuid,
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

    // Public rows, and rows scoped to the viewer's citizen: its account if it is linked to one,
    // or the device itself (a report filed before the link).
    let mut stmt = tx.prepare_cached(
        "SELECT c.seq, c.entity_kind, c.entity_id
         FROM changes c
         WHERE c.tenant_id = ?1 AND c.seq > ?2
           AND (c.scope = 'public' OR c.scope = ?3
                OR c.scope = (SELECT account_id FROM devices WHERE id = ?3 AND tenant_id = ?1))
         ORDER BY c.seq
         LIMIT ?4",
    )?;
    // One more row than asked tells whether another page follows.
    let mut rows = stmt
        .query_map((tenant, after_seq, viewer.to_string(), limit + 1), |row| {
            Ok((
                row.get::<_, u64>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let has_more = rows.len() > limit as usize;
    rows.truncate(limit as usize);
    let last_seq = rows.last().map_or(after_seq, |(seq, _, _)| *seq);

    let ids_of = |kind: &str| -> Vec<&str> {
        rows.iter()
            .filter(|(_, k, _)| k == kind)
            .map(|(_, _, id)| id.as_str())
            .collect()
    };
    let mut reports = reports(&tx, tenant, &ids_of("report"))?;
    let mut threads = threads(&tx, tenant, &ids_of("thread"))?;
    let mut changes = Vec::with_capacity(rows.len());
    for (seq, kind, id) in &rows {
        let id = parse_uuid(id)?;
        // A row whose entity is gone, or of a kind this build does not publish, is passed over.
        let change = match kind.as_str() {
            "report" => reports.remove(&id).map(|report| Change::Report {
                report: Box::new(report),
                mine: false,
            }),
            "thread" => threads.remove(&id).map(|messages| Change::Thread {
                report_id: id,
                messages,
            }),
            _ => None,
        };
        if let Some(change) = change {
            changes.push((*seq, change));
        }
    }
    Ok(Some(ChangePage {
        reset,
        epoch,
        after_seq,
        last_seq,
        changes,
        has_more,
    }))
}

fn json_ids(ids: &[&str]) -> DbResult<String> {
    serde_json::to_string(ids).map_err(|e| corrupt(e.to_string()))
}

/// The public state of the given reports of `tenant`, with their history (also read by the
/// account export).
pub(super) fn reports(
    tx: &Transaction<'_>,
    tenant: &str,
    ids: &[&str],
) -> DbResult<HashMap<Uuid, PublicReport>> {
    let mut reports = HashMap::new();
    if ids.is_empty() {
        return Ok(reports);
    }
    let ids = json_ids(ids)?;
    let mut stmt = tx.prepare_cached(
        "SELECT r.id, r.category_code, r.lat, r.lon, r.accuracy_m, r.text, r.photos,
                r.created_at_ms, r.status, r.version, r.zone_code, s.name_fr, s.name_en,
                r.supporters, r.duplicate_of
         FROM reports r
         JOIN services s ON s.tenant_id = r.tenant_id AND s.code = r.service_code
         WHERE r.tenant_id = ?1 AND r.id IN (SELECT value FROM json_each(?2))",
    )?;
    for row in stmt.query_map((tenant, &ids), report_row)? {
        let report = row?.into_report()?;
        reports.insert(report.id, report);
    }
    let mut stmt = tx.prepare_cached(
        "SELECT report_id, status, at_ms, note FROM report_history
         WHERE report_id IN (SELECT value FROM json_each(?1))
         ORDER BY report_id, at_ms, id",
    )?;
    for row in stmt.query_map([&ids], |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, Option<String>>(3)?,
        ))
    })? {
        let (report, status, at_ms, note) = row?;
        if let Some(report) = reports.get_mut(&parse_uuid(&report)?) {
            report.history.push(StatusChange {
                status: parse_status(&status)?,
                at_ms,
                note,
                detail: None,
            });
        }
    }
    Ok(reports)
}

/// The whole thread of each given report of `tenant`, oldest message first.
fn threads(
    tx: &Transaction<'_>,
    tenant: &str,
    ids: &[&str],
) -> DbResult<HashMap<Uuid, Vec<ThreadMessage>>> {
    let mut threads: HashMap<_, Vec<_>> = HashMap::new();
    if ids.is_empty() {
        return Ok(threads);
    }
    let mut stmt = tx.prepare_cached(
        "SELECT report_id, id, author, text, created_at_ms FROM report_notes
         WHERE tenant_id = ?1 AND report_id IN (SELECT value FROM json_each(?2))
         ORDER BY report_id, created_at_ms, id",
    )?;
    let rows = stmt.query_map((tenant, json_ids(ids)?), note_row)?;
    for row in rows {
        let (report, message) = row?.parse()?;
        threads.entry(report).or_default().push(message);
    }
    Ok(threads)
}

/// A `report_notes` row selected as `report_id, id, author, text, created_at_ms`, before its
/// text columns are parsed.
pub(super) struct NoteRow(String, String, String, String, i64);

pub(super) fn note_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<NoteRow> {
    Ok(NoteRow(
        row.get(0)?,
        row.get(1)?,
        row.get(2)?,
        row.get(3)?,
        row.get(4)?,
    ))
}

impl NoteRow {
    /// The report it belongs to, and the message.
    pub(super) fn parse(self) -> DbResult<(Uuid, ThreadMessage)> {
        let Self(report, id, author, text, at_ms) = self;
        let author = match author.as_str() {
            "citizen" => Author::Citizen,
            "city" => Author::City,
            other => return Err(corrupt(format!("note author {other:?}"))),
        };
        let message = ThreadMessage {
            id: parse_uuid(&id)?,
            author,
            text,
            at_ms,
        };
        Ok((parse_uuid(&report)?, message))
    }
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
    supporters: u32,
    duplicate_of: Option<String>,
}

fn report_row(row: &Row<'_>) -> rusqlite::Result<ReportRow> {
    Ok(ReportRow {
        id: row.get(0)?,
        category: row.get(1)?,
        location: GeoPoint {
            lat: row.get(2)?,
            lon: row.get(3)?,
            accuracy_m: row.get(4)?,
        },
        text: row.get(5)?,
        photos: row.get(6)?,
        created_at_ms: row.get(7)?,
        status: row.get(8)?,
        version: row.get(9)?,
        zone: row.get(10)?,
        service: LocalizedText::new(row.get::<_, String>(11)?, row.get::<_, String>(12)?),
        supporters: row.get(13)?,
        duplicate_of: row.get(14)?,
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
                .map_err(|e| corrupt(format!("photos of {}: {e}", self.id)))?,
            supporters: self.supporters,
            duplicate_of: self.duplicate_of.as_deref().map(parse_uuid).transpose()?,
            service_code: None,
            due_at_ms: None,
            scheduled_for_ms: None,
            completion_photos: Vec::new(),
        })
    }
}

fn parse_status(status: &str) -> DbResult<ReportStatus> {
    ReportStatus::parse(status).ok_or_else(|| corrupt(format!("status {status:?}")))
}
