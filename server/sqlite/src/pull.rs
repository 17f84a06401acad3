//! Reading one page of a scope: one read transaction (a consistent snapshot), one indexed range
//! per bucket of the scope (`change_log_by_seq`: tenant, bucket, seq), merged in sequence order;
//! then one query per kind of entity for the page's rows. A page costs the same whatever the
//! length of the history before it.

use std::collections::{BTreeMap, HashSet};

use relais_protocol::Change;
use relais_server_database::{ChangePage, Position, Scope};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::entities;
use crate::error::DbResult;
use crate::json::to_json;
use crate::parse_uuid;

/// A change-log row of the page.
struct Row {
    seq: u64,
    bucket: usize,
    kind: String,
    entity: String,
    live: bool,
}

pub(crate) fn page(
    conn: &mut Connection,
    scope: &Scope,
    from: &Position,
    limit: u32,
) -> DbResult<Option<ChangePage>> {
    let tx = conn.transaction()?;
    let Some((epoch, head)) = tx
        .prepare_cached("SELECT epoch, last_change_seq FROM tenants WHERE id = ?1")?
        .query_row([&scope.tenant], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, u64>(1)?))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let (reset, starts) = starts(scope, from, &epoch, head);
    let limit = limit as usize;

    // Up to `limit + 1` rows of each bucket: the first `limit` of their union, in sequence
    // order, are the page, and a bucket that returned more than it gave has more.
    let mut rows = Vec::new();
    let mut fetched = vec![0usize; scope.buckets.len()];
    let mut stmt = tx.prepare_cached(
        "SELECT seq, entity_kind, entity_id, live FROM change_log
         WHERE tenant_id = ?1 AND bucket = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4",
    )?;
    for (index, bucket) in scope.buckets.iter().enumerate() {
        let found = stmt.query_map((&scope.tenant, bucket, starts[index], limit + 1), |row| {
            Ok(Row {
                seq: row.get(0)?,
                bucket: index,
                kind: row.get(1)?,
                entity: row.get(2)?,
                live: row.get(3)?,
            })
        })?;
        for row in found {
            rows.push(row?);
            fetched[index] += 1;
        }
    }
    drop(stmt);
    rows.sort_by_key(|row| row.seq);
    // Rows of one change share its sequence number across buckets (a report in its zone's and
    // its reporter's): a page never splits them, so nothing comes twice.
    let end = rows
        .get(limit.saturating_sub(1))
        .map_or(rows.len(), |last| {
            rows.partition_point(|row| row.seq <= last.seq)
        });
    rows.truncate(end);

    let mut taken = vec![0usize; scope.buckets.len()];
    let mut seqs = BTreeMap::new();
    for row in &rows {
        taken[row.bucket] += 1;
        seqs.insert(scope.buckets[row.bucket].clone(), row.seq);
    }
    let mut has_more = false;
    for (index, bucket) in scope.buckets.iter().enumerate() {
        if taken[index] == fetched[index] && fetched[index] <= limit {
            // Nothing of this bucket is left behind the page: it stands at the head.
            seqs.insert(bucket.clone(), head);
        } else {
            has_more = true;
            seqs.entry(bucket.clone()).or_insert(starts[index]);
        }
    }
    let changes = changes(&tx, scope, &rows)?;
    Ok(Some(ChangePage {
        reset,
        epoch,
        seqs,
        changes,
        has_more,
    }))
}

/// Where each bucket of the scope starts, and whether the position had to be reset.
fn starts(scope: &Scope, from: &Position, epoch: &str, head: u64) -> (bool, Vec<u64>) {
    let at = |seq: u64| vec![seq; scope.buckets.len()];
    match from {
        Position::Start => (false, at(0)),
        // Another epoch, or a position this log never reached (restored from an older backup).
        Position::Everywhere { epoch: e, seq } if e != epoch || *seq > head => (true, at(0)),
        Position::Everywhere { seq, .. } => (false, at(*seq)),
        Position::PerBucket { epoch: e, seqs }
            if e != epoch || seqs.values().any(|s| *s > head) =>
        {
            (true, at(0))
        }
        Position::PerBucket { seqs, .. } => (
            false,
            scope
                .buckets
                .iter()
                .map(|bucket| seqs.get(bucket).copied().unwrap_or(0))
                .collect(),
        ),
    }
}

/// The latest state of the page's entities, each once, in the order of their first row.
fn changes(conn: &Connection, scope: &Scope, rows: &[Row]) -> DbResult<Vec<Change>> {
    let ids_of = |kind: &str| -> Vec<&str> {
        let mut seen = HashSet::new();
        rows.iter()
            .filter(|row| row.kind == kind && row.live && seen.insert(row.entity.as_str()))
            .map(|row| row.entity.as_str())
            .collect()
    };
    let tenant = &scope.tenant;
    let report_ids = ids_of("report");
    let mine = match &scope.citizen {
        Some(citizen) => own_reports(conn, citizen, &report_ids)?,
        None => HashSet::new(),
    };
    let mut reports = entities::reports(conn, tenant, &report_ids)?;
    let mut threads = entities::threads(conn, tenant, &ids_of("thread"))?;
    let mut tasks = entities::tasks(conn, tenant, &ids_of("task"))?;
    let mut alerts = entities::alerts(conn, tenant, &ids_of("alert"))?;
    let mut changes = Vec::with_capacity(rows.len());
    let mut done = HashSet::new();
    for row in rows {
        if !done.insert((row.kind.as_str(), row.entity.as_str(), row.live)) {
            continue;
        }
        // A row whose entity is gone, or of a kind this build does not publish, is passed over.
        let change = match (row.kind.as_str(), row.live) {
            ("report", true) => {
                let id = parse_uuid(&row.entity)?;
                reports.remove(&id).map(|report| Change::Report {
                    report: Box::new(report),
                    mine: mine.contains(&id),
                })
            }
            ("report", false) => Some(Change::ReportRemoved {
                id: parse_uuid(&row.entity)?,
            }),
            ("thread", true) => {
                let id = parse_uuid(&row.entity)?;
                threads.remove(&id).map(|messages| Change::Thread {
                    report_id: id,
                    messages,
                })
            }
            ("task", true) => {
                let id = parse_uuid(&row.entity)?;
                tasks
                    .remove(&id)
                    .filter(|task| within(scope, &task.report.zone))
                    .map(|task| Change::Task {
                        task: Box::new(task),
                    })
            }
            ("task", false) => Some(Change::TaskRemoved {
                id: parse_uuid(&row.entity)?,
            }),
            ("alert", true) => alerts
                .remove(&parse_uuid(&row.entity)?)
                .map(|alert| Change::Alert { alert }),
            ("follows", true) => Some(Change::Follows {
                zones: entities::follows(conn, tenant, &row.entity)?,
            }),
            _ => None,
        };
        changes.extend(change);
    }
    Ok(changes)
}

/// Whether a task of a report in `zone` is for this scope (a staff member limited to zones).
fn within(scope: &Scope, zone: &str) -> bool {
    scope
        .task_zones
        .as_ref()
        .is_none_or(|zones| zones.iter().any(|z| z == zone))
}

/// Which of the given reports were filed by `citizen` (from any of its devices).
fn own_reports(conn: &Connection, citizen: &str, ids: &[&str]) -> DbResult<HashSet<Uuid>> {
    let mut mine = HashSet::new();
    if ids.is_empty() {
        return Ok(mine);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT r.id FROM reports r JOIN devices d ON d.id = r.device_id
         WHERE r.id IN (SELECT value FROM json_each(?1))
           AND COALESCE(d.account_id, d.id) = ?2",
    )?;
    for row in stmt.query_map((to_json(ids)?, citizen), |row| row.get::<_, String>(0))? {
        mine.insert(parse_uuid(&row?)?);
    }
    Ok(mine)
}

/// Drops closed reports from the zone and service buckets once closed for the tenant's
/// `closed_visible_days` (devices drop them by the same rule), and alerts that ended as long
/// ago; returns how many rows went. Incremental: each run starts where the last one stopped.
pub(crate) fn expire(conn: &Connection, now_ms: i64) -> DbResult<usize> {
    let tenants = conn
        .prepare_cached("SELECT id, closed_visible_days, expired_until_ms FROM tenants")?
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, i64>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut removed = 0;
    for (tenant, days, since) in tenants {
        let until = now_ms - days * 86_400_000;
        if until <= since {
            continue;
        }
        removed += conn
            .prepare_cached(
                "DELETE FROM change_log
                 WHERE tenant_id = ?1 AND entity_kind IN ('report', 'task')
                   AND substr(bucket, 1, 2) IN ('z:', 's:')
                   AND entity_id IN (SELECT id FROM reports WHERE tenant_id = ?1
                                     AND closed_at_ms > ?2 AND closed_at_ms <= ?3)",
            )?
            .execute((&tenant, since, until))?;
        removed += conn
            .prepare_cached(
                "DELETE FROM change_log
                 WHERE tenant_id = ?1 AND entity_kind = 'alert'
                   AND entity_id IN (SELECT id FROM alerts WHERE tenant_id = ?1
                                     AND ends_at_ms > ?2 AND ends_at_ms <= ?3)",
            )?
            .execute((&tenant, since, until))?;
        conn.prepare_cached("UPDATE tenants SET expired_until_ms = ?2 WHERE id = ?1")?
            .execute((&tenant, until))?;
    }
    Ok(removed)
}
