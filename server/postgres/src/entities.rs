//! The entities of the change log as readers receive them: a report's public state (with its
//! public history), its private thread, its task (what staff see: answers, thread, internal
//! notes, assignment and the full history with who did what), an alert, a citizen's follows.
//! Each is read for many ids at once, with one query per table whatever the number of ids.
//!
//! The ids are matched as `(tenant_id, id) IN (SELECT $1, unnest($2))`: each is then looked up
//! in the key whatever the planner's statistics say. The plainer `tenant_id = $1 AND id =
//! ANY($2)` read the town's whole key range and filtered it while the statistics were stale, as
//! in a database filling up before its first `ANALYZE` (BENCHMARKS.md); `facts` and `pull` match
//! ids the same way.

use std::collections::{BTreeMap, HashMap};

use deadpool_postgres::Transaction;
use relais_protocol::{
    Actor, Answer, Author, FollowedZone, GeoPoint, LocalizedText, LogEntry, PublicReport,
    StaffNote, StaffRef, StatusChange, Task, ThreadMessage, ZoneAlert,
};
use tokio_postgres::Row;
use uuid::Uuid;

use crate::error::{DbResult, corrupt, unsigned};
use crate::json::parse;
use crate::{parse_status, parse_uuid};

/// The public state of the given reports of `tenant`, with their public history (status
/// changes, with what the town publishes about them, and the reporter's confirmations that the
/// problem is fixed, noted `confirmed`).
pub(crate) async fn reports(
    tx: &Transaction<'_>,
    tenant: &str,
    ids: &[String],
) -> DbResult<HashMap<Uuid, PublicReport>> {
    let mut reports = HashMap::new();
    if ids.is_empty() {
        return Ok(reports);
    }
    let stmt = tx
        .prepare_cached(
            "SELECT r.id, r.category_code, r.lat, r.lon, r.accuracy_m, r.text, r.photos,
                    r.created_at_ms, r.status, r.version, r.zone_code, s.name_fr, s.name_en,
                    r.supporters, r.duplicate_of, r.service_code, r.due_at_ms,
                    r.scheduled_for_ms, r.completion_photos
             FROM reports r
             JOIN services s ON s.tenant_id = r.tenant_id AND s.code = r.service_code
             WHERE (r.tenant_id, r.id) IN (SELECT $1, unnest($2::text[]))",
        )
        .await?;
    for row in tx.query(&stmt, &[&tenant, &ids]).await? {
        let report = report(&row)?;
        reports.insert(report.id, report);
    }
    let stmt = tx
        .prepare_cached(
            "SELECT report_id, status, at_ms,
                    CASE WHEN action = 'confirmed' THEN 'confirmed' ELSE note END,
                    detail_fr, detail_en
             FROM report_history
             WHERE (tenant_id, report_id) IN (SELECT $1, unnest($2::text[]))
               AND (status_changed OR action = 'confirmed')
             ORDER BY report_id, at_ms, id",
        )
        .await?;
    for row in tx.query(&stmt, &[&tenant, &ids]).await? {
        if let Some(report) = reports.get_mut(&parse_uuid(row.try_get(0)?)?) {
            report.history.push(StatusChange {
                status: parse_status(row.try_get(1)?)?,
                at_ms: row.try_get(2)?,
                note: row.try_get(3)?,
                detail: localized(&row, 4)?,
            });
        }
    }
    Ok(reports)
}

/// The whole thread of each given report of `tenant`, oldest message first.
pub(crate) async fn threads(
    tx: &Transaction<'_>,
    tenant: &str,
    ids: &[String],
) -> DbResult<HashMap<Uuid, Vec<ThreadMessage>>> {
    let mut threads: HashMap<_, Vec<_>> = HashMap::new();
    if ids.is_empty() {
        return Ok(threads);
    }
    let stmt = tx
        .prepare_cached(
            "SELECT report_id, id, author, text, created_at_ms FROM report_notes
             WHERE (tenant_id, report_id) IN (SELECT $1, unnest($2::text[]))
             ORDER BY report_id, created_at_ms, id",
        )
        .await?;
    for row in tx.query(&stmt, &[&tenant, &ids]).await? {
        let (report, message) = note(&row)?;
        threads.entry(report).or_default().push(message);
    }
    Ok(threads)
}

/// A `report_notes` row selected as `report_id, id, author, text, created_at_ms`: the report it
/// belongs to, and the message.
pub(crate) fn note(row: &Row) -> DbResult<(Uuid, ThreadMessage)> {
    let author = match row.try_get::<_, &str>(2)? {
        "citizen" => Author::Citizen,
        "city" => Author::City,
        other => return Err(corrupt(format!("note author {other:?}"))),
    };
    let message = ThreadMessage {
        id: parse_uuid(row.try_get(1)?)?,
        author,
        text: row.try_get(3)?,
        at_ms: row.try_get(4)?,
    };
    Ok((parse_uuid(row.try_get(0)?)?, message))
}

/// The given reports of `tenant` as their service's staff see them.
pub(crate) async fn tasks(
    tx: &Transaction<'_>,
    tenant: &str,
    ids: &[String],
) -> DbResult<HashMap<Uuid, Task>> {
    let mut tasks = HashMap::new();
    if ids.is_empty() {
        return Ok(tasks);
    }
    let mut publics = reports(tx, tenant, ids).await?;
    let mut threads = threads(tx, tenant, ids).await?;
    let stmt = tx
        .prepare_cached(
            "SELECT r.id, r.answers, s.email, s.name FROM reports r
             LEFT JOIN staff s ON s.id = r.assigned_to
             WHERE (r.tenant_id, r.id) IN (SELECT $1, unnest($2::text[]))",
        )
        .await?;
    for row in tx.query(&stmt, &[&tenant, &ids]).await? {
        let id = parse_uuid(row.try_get(0)?)?;
        let Some(report) = publics.remove(&id) else {
            continue;
        };
        let answers: BTreeMap<String, Answer> = parse(row.try_get(1)?, "answers")?;
        let email: Option<String> = row.try_get(2)?;
        let name: Option<String> = row.try_get(3)?;
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
    let stmt = tx
        .prepare_cached(
            "SELECT n.report_id, n.id, s.name, n.text, n.created_at_ms FROM staff_notes n
             JOIN staff s ON s.id = n.staff_id
             WHERE (n.tenant_id, n.report_id) IN (SELECT $1, unnest($2::text[]))
             ORDER BY n.report_id, n.created_at_ms, n.id",
        )
        .await?;
    for row in tx.query(&stmt, &[&tenant, &ids]).await? {
        if let Some(task) = tasks.get_mut(&parse_uuid(row.try_get(0)?)?) {
            task.notes.push(StaffNote {
                id: parse_uuid(row.try_get(1)?)?,
                author: row.try_get(2)?,
                text: row.try_get(3)?,
                at_ms: row.try_get(4)?,
            });
        }
    }
    let stmt = tx
        .prepare_cached(
            "SELECT h.report_id, h.at_ms, h.action, h.status, h.status_changed, h.actor_kind,
                    s.name, h.channel, h.detail_fr, h.detail_en
             FROM report_history h
             LEFT JOIN staff s ON h.actor_kind = 'staff' AND s.id = h.actor_id
             WHERE (h.tenant_id, h.report_id) IN (SELECT $1, unnest($2::text[]))
             ORDER BY h.report_id, h.at_ms, h.id",
        )
        .await?;
    for row in tx.query(&stmt, &[&tenant, &ids]).await? {
        if let Some(task) = tasks.get_mut(&parse_uuid(row.try_get(0)?)?) {
            task.log.push(log_entry(&row)?);
        }
    }
    Ok(tasks)
}

/// A history row selected as `report_id, at_ms, action, status, status_changed, actor_kind,
/// staff name, channel, detail_fr, detail_en`.
fn log_entry(row: &Row) -> DbResult<LogEntry> {
    let staff_name: Option<String> = row.try_get(6)?;
    let actor = match (row.try_get::<_, &str>(5)?, staff_name) {
        ("citizen", _) => Actor::Citizen,
        ("staff", Some(name)) => Actor::Staff { name },
        // A staff member since removed is still staff, unnamed.
        ("staff", None) => Actor::Staff {
            name: String::new(),
        },
        _ => Actor::System,
    };
    let status_changed: bool = row.try_get(4)?;
    let status: &str = row.try_get(3)?;
    Ok(LogEntry {
        at_ms: row.try_get(1)?,
        action: row.try_get(2)?,
        status: status_changed.then(|| parse_status(status)).transpose()?,
        actor,
        channel: row.try_get(7)?,
        detail: localized(row, 8)?,
    })
}

/// The given alerts of `tenant`.
pub(crate) async fn alerts(
    tx: &Transaction<'_>,
    tenant: &str,
    ids: &[String],
) -> DbResult<HashMap<Uuid, ZoneAlert>> {
    let mut alerts = HashMap::new();
    if ids.is_empty() {
        return Ok(alerts);
    }
    let stmt = tx
        .prepare_cached(
            "SELECT a.id, a.title_fr, a.title_en, a.text_fr, a.text_en, a.starts_at_ms,
                    a.ends_at_ms,
                    ARRAY(SELECT zone_code FROM alert_zones WHERE alert_id = a.id
                          ORDER BY zone_code)
             FROM alerts a WHERE a.tenant_id = $1 AND a.id = ANY($2)",
        )
        .await?;
    for row in tx.query(&stmt, &[&tenant, &ids]).await? {
        let id = parse_uuid(row.try_get(0)?)?;
        alerts.insert(
            id,
            ZoneAlert {
                id,
                zones: row.try_get(7)?,
                title: LocalizedText::new(
                    row.try_get::<_, String>(1)?,
                    row.try_get::<_, String>(2)?,
                ),
                text: LocalizedText::new(
                    row.try_get::<_, String>(3)?,
                    row.try_get::<_, String>(4)?,
                ),
                starts_at_ms: row.try_get(5)?,
                ends_at_ms: row.try_get(6)?,
            },
        );
    }
    Ok(alerts)
}

/// The zones a citizen of `tenant` follows, by code.
pub(crate) async fn follows(
    tx: &Transaction<'_>,
    tenant: &str,
    citizen: &str,
) -> DbResult<Vec<FollowedZone>> {
    let stmt = tx
        .prepare_cached(
            "SELECT zone_code, origin FROM zone_follows
             WHERE tenant_id = $1 AND citizen = $2 ORDER BY zone_code",
        )
        .await?;
    tx.query(&stmt, &[&tenant, &citizen])
        .await?
        .iter()
        .map(|row| {
            Ok(FollowedZone {
                zone: row.try_get(0)?,
                origin: row.try_get(1)?,
            })
        })
        .collect()
}

/// A French and an English column, both present or both absent.
fn localized(row: &Row, first: usize) -> DbResult<Option<LocalizedText>> {
    Ok(row
        .try_get::<_, Option<String>>(first)?
        .zip(row.try_get::<_, Option<String>>(first + 1)?)
        .map(|(fr, en)| LocalizedText::new(fr, en)))
}

/// A report row as selected by [`reports`]; its history is filled in afterwards.
fn report(row: &Row) -> DbResult<PublicReport> {
    let duplicate_of: Option<&str> = row.try_get(14)?;
    Ok(PublicReport {
        id: parse_uuid(row.try_get(0)?)?,
        category: row.try_get(1)?,
        location: GeoPoint {
            lat: row.try_get(2)?,
            lon: row.try_get(3)?,
            accuracy_m: row.try_get(4)?,
        },
        text: row.try_get(5)?,
        photos: parse(row.try_get(6)?, "photos")?,
        created_at_ms: row.try_get(7)?,
        status: parse_status(row.try_get(8)?)?,
        version: row.try_get(9)?,
        zone: row.try_get(10)?,
        service: LocalizedText::new(row.try_get::<_, String>(11)?, row.try_get::<_, String>(12)?),
        history: Vec::new(),
        supporters: unsigned(row.try_get(13)?, "supporters")?,
        duplicate_of: duplicate_of.map(parse_uuid).transpose()?,
        service_code: Some(row.try_get(15)?),
        due_at_ms: row.try_get(16)?,
        scheduled_for_ms: row.try_get(17)?,
        completion_photos: parse(row.try_get(18)?, "completion photos")?,
    })
}
