//! The entities of the change log as readers receive them: a report's public state (with its
//! public history), its private thread, its task (what staff see: answers, thread, internal
//! notes, assignment and the full history with who did what), an alert, a citizen's follows.
//! Each is read for many ids at once, with one query per table whatever the number of ids.

use std::collections::{BTreeMap, HashMap};

use relais_protocol::{
    Actor, Answer, Author, FollowedZone, GeoPoint, LocalizedText, LogEntry, PublicReport,
    StaffNote, StaffRef, StatusChange, Task, ThreadMessage, ZoneAlert,
};
use rusqlite::{Connection, Row};
use uuid::Uuid;

use crate::error::{DbResult, corrupt};
use crate::json::{parse, to_json};
use crate::{parse_status, parse_uuid};

/// The public state of the given reports of `tenant`, with their public history (status
/// changes, with what the town publishes about them, and the reporter's confirmations that the
/// problem is fixed, noted `confirmed`).
pub(crate) fn reports(
    conn: &Connection,
    tenant: &str,
    ids: &[&str],
) -> DbResult<HashMap<Uuid, PublicReport>> {
    let mut reports = HashMap::new();
    if ids.is_empty() {
        return Ok(reports);
    }
    let ids = to_json(ids)?;
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.category_code, r.lat, r.lon, r.accuracy_m, r.text, r.photos,
                r.created_at_ms, r.status, r.version, r.zone_code, s.name_fr, s.name_en,
                r.supporters, r.duplicate_of, r.service_code, r.due_at_ms, r.scheduled_for_ms,
                r.completion_photos
         FROM reports r
         JOIN services s ON s.tenant_id = r.tenant_id AND s.code = r.service_code
         WHERE r.tenant_id = ?1 AND r.id IN (SELECT value FROM json_each(?2))",
    )?;
    for row in stmt.query_map((tenant, &ids), report_row)? {
        let report = row?.into_report()?;
        reports.insert(report.id, report);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT report_id, status, at_ms,
                CASE WHEN action = 'confirmed' THEN 'confirmed' ELSE note END,
                detail_fr, detail_en
         FROM report_history
         WHERE tenant_id = ?1 AND report_id IN (SELECT value FROM json_each(?2))
           AND (status_changed = 1 OR action = 'confirmed')
         ORDER BY report_id, at_ms, id",
    )?;
    for row in stmt.query_map((tenant, &ids), |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, i64>(2)?,
            row.get::<_, Option<String>>(3)?,
            localized(row, 4)?,
        ))
    })? {
        let (report, status, at_ms, note, detail) = row?;
        if let Some(report) = reports.get_mut(&parse_uuid(&report)?) {
            report.history.push(StatusChange {
                status: parse_status(&status)?,
                at_ms,
                note,
                detail,
            });
        }
    }
    Ok(reports)
}

/// The whole thread of each given report of `tenant`, oldest message first.
pub(crate) fn threads(
    conn: &Connection,
    tenant: &str,
    ids: &[&str],
) -> DbResult<HashMap<Uuid, Vec<ThreadMessage>>> {
    let mut threads: HashMap<_, Vec<_>> = HashMap::new();
    if ids.is_empty() {
        return Ok(threads);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT report_id, id, author, text, created_at_ms FROM report_notes
         WHERE tenant_id = ?1 AND report_id IN (SELECT value FROM json_each(?2))
         ORDER BY report_id, created_at_ms, id",
    )?;
    let rows = stmt.query_map((tenant, to_json(ids)?), note_row)?;
    for row in rows {
        let (report, message) = row?.parse()?;
        threads.entry(report).or_default().push(message);
    }
    Ok(threads)
}

/// The given reports of `tenant` as their service's staff see them.
pub(crate) fn tasks(
    conn: &Connection,
    tenant: &str,
    ids: &[&str],
) -> DbResult<HashMap<Uuid, Task>> {
    let mut publics = reports(conn, tenant, ids)?;
    let mut threads = threads(conn, tenant, ids)?;
    let mut tasks = HashMap::new();
    if ids.is_empty() {
        return Ok(tasks);
    }
    let ids_json = to_json(ids)?;
    let mut stmt = conn.prepare_cached(
        "SELECT r.id, r.answers, s.email, s.name FROM reports r
         LEFT JOIN staff s ON s.id = r.assigned_to
         WHERE r.tenant_id = ?1 AND r.id IN (SELECT value FROM json_each(?2))",
    )?;
    for row in stmt.query_map((tenant, &ids_json), |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, Option<String>>(2)?,
            row.get::<_, Option<String>>(3)?,
        ))
    })? {
        let (id, answers, email, name) = row?;
        let id = parse_uuid(&id)?;
        let Some(report) = publics.remove(&id) else {
            continue;
        };
        let answers: BTreeMap<String, Answer> = parse(&answers, "answers")?;
        tasks.insert(
            id,
            Task {
                report,
                answers,
                thread: threads.remove(&id).unwrap_or_default(),
                notes: Vec::new(),
                assigned_to: email
                    .zip(name)
                    .map(|(email, name)| StaffRef { email, name }),
                log: Vec::new(),
            },
        );
    }
    let mut stmt = conn.prepare_cached(
        "SELECT n.report_id, n.id, s.name, n.text, n.created_at_ms FROM staff_notes n
         JOIN staff s ON s.id = n.staff_id
         WHERE n.tenant_id = ?1 AND n.report_id IN (SELECT value FROM json_each(?2))
         ORDER BY n.report_id, n.created_at_ms, n.id",
    )?;
    for row in stmt.query_map((tenant, &ids_json), |row| {
        Ok((
            row.get::<_, String>(0)?,
            row.get::<_, String>(1)?,
            row.get::<_, String>(2)?,
            row.get::<_, String>(3)?,
            row.get::<_, i64>(4)?,
        ))
    })? {
        let (report, id, author, text, at_ms) = row?;
        if let Some(task) = tasks.get_mut(&parse_uuid(&report)?) {
            task.notes.push(StaffNote {
                id: parse_uuid(&id)?,
                author,
                text,
                at_ms,
            });
        }
    }
    let mut stmt = conn.prepare_cached(
        "SELECT h.report_id, h.at_ms, h.action, h.status, h.status_changed, h.actor_kind, s.name,
                h.channel, h.detail_fr, h.detail_en
         FROM report_history h LEFT JOIN staff s ON h.actor_kind = 'staff' AND s.id = h.actor_id
         WHERE h.tenant_id = ?1 AND h.report_id IN (SELECT value FROM json_each(?2))
         ORDER BY h.report_id, h.at_ms, h.id",
    )?;
    for row in stmt.query_map((tenant, &ids_json), |row| {
        Ok((
            row.get::<_, String>(0)?,
            LogRow {
                at_ms: row.get(1)?,
                action: row.get(2)?,
                status: row.get(3)?,
                status_changed: row.get(4)?,
                actor_kind: row.get(5)?,
                staff_name: row.get(6)?,
                channel: row.get(7)?,
                detail: localized(row, 8)?,
            },
        ))
    })? {
        let (report, entry) = row?;
        if let Some(task) = tasks.get_mut(&parse_uuid(&report)?) {
            task.log.push(entry.parse()?);
        }
    }
    Ok(tasks)
}

struct LogRow {
    at_ms: i64,
    action: String,
    status: String,
    status_changed: bool,
    actor_kind: String,
    staff_name: Option<String>,
    channel: String,
    detail: Option<LocalizedText>,
}

impl LogRow {
    fn parse(self) -> DbResult<LogEntry> {
        let actor = match (self.actor_kind.as_str(), self.staff_name) {
            ("citizen", _) => Actor::Citizen,
            ("staff", Some(name)) => Actor::Staff { name },
            // A staff member since removed is still staff, unnamed.
            ("staff", None) => Actor::Staff {
                name: String::new(),
            },
            _ => Actor::System,
        };
        Ok(LogEntry {
            at_ms: self.at_ms,
            action: self.action,
            status: self
                .status_changed
                .then(|| parse_status(&self.status))
                .transpose()?,
            actor,
            channel: self.channel,
            detail: self.detail,
        })
    }
}

/// The given alerts of `tenant`.
pub(crate) fn alerts(
    conn: &Connection,
    tenant: &str,
    ids: &[&str],
) -> DbResult<HashMap<Uuid, ZoneAlert>> {
    let mut alerts = HashMap::new();
    if ids.is_empty() {
        return Ok(alerts);
    }
    let ids = to_json(ids)?;
    let mut stmt = conn.prepare_cached(
        "SELECT a.id, a.title_fr, a.title_en, a.text_fr, a.text_en, a.starts_at_ms, a.ends_at_ms,
                (SELECT json_group_array(zone_code) FROM alert_zones WHERE alert_id = a.id)
         FROM alerts a WHERE a.tenant_id = ?1 AND a.id IN (SELECT value FROM json_each(?2))",
    )?;
    for row in stmt.query_map((tenant, &ids), |row| {
        Ok((
            row.get::<_, String>(0)?,
            LocalizedText::new(row.get::<_, String>(1)?, row.get::<_, String>(2)?),
            LocalizedText::new(row.get::<_, String>(3)?, row.get::<_, String>(4)?),
            row.get::<_, i64>(5)?,
            row.get::<_, i64>(6)?,
            row.get::<_, String>(7)?,
        ))
    })? {
        let (id, title, text, starts_at_ms, ends_at_ms, zones) = row?;
        let id = parse_uuid(&id)?;
        alerts.insert(
            id,
            ZoneAlert {
                id,
                zones: parse(&zones, "alert zones")?,
                title,
                text,
                starts_at_ms,
                ends_at_ms,
            },
        );
    }
    Ok(alerts)
}

/// The zones a citizen of `tenant` follows, by code.
pub(crate) fn follows(
    conn: &Connection,
    tenant: &str,
    citizen: &str,
) -> DbResult<Vec<FollowedZone>> {
    Ok(conn
        .prepare_cached(
            "SELECT zone_code, origin FROM zone_follows
             WHERE tenant_id = ?1 AND citizen = ?2 ORDER BY zone_code",
        )?
        .query_map((tenant, citizen), |row| {
            Ok(FollowedZone {
                zone: row.get(0)?,
                origin: row.get(1)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

/// A French and an English column, both present or both absent.
fn localized(row: &Row<'_>, first: usize) -> rusqlite::Result<Option<LocalizedText>> {
    Ok(row
        .get::<_, Option<String>>(first)?
        .zip(row.get::<_, Option<String>>(first + 1)?)
        .map(|(fr, en)| LocalizedText::new(fr, en)))
}

/// A `report_notes` row selected as `report_id, id, author, text, created_at_ms`, before its
/// text columns are parsed.
pub(crate) struct NoteRow(String, String, String, String, i64);

pub(crate) fn note_row(row: &Row<'_>) -> rusqlite::Result<NoteRow> {
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
    pub(crate) fn parse(self) -> DbResult<(Uuid, ThreadMessage)> {
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
    service_code: String,
    due_at_ms: Option<i64>,
    scheduled_for_ms: Option<i64>,
    completion_photos: String,
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
        service_code: row.get(15)?,
        due_at_ms: row.get(16)?,
        scheduled_for_ms: row.get(17)?,
        completion_photos: row.get(18)?,
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
            photos: parse(&self.photos, "photos")?,
            supporters: self.supporters,
            duplicate_of: self.duplicate_of.as_deref().map(parse_uuid).transpose()?,
            service_code: Some(self.service_code),
            due_at_ms: self.due_at_ms,
            scheduled_for_ms: self.scheduled_for_ms,
            completion_photos: parse(&self.completion_photos, "completion photos")?,
        })
    }
}
