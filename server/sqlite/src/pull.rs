//! Reading one page of a scope: one read transaction (a consistent snapshot), one indexed range
//! per bucket of the scope (`change_log_by_seq`: tenant, bucket, seq), read and cut into a page
//! as every backend does (`relais_server_database::PageRead`); then one query per kind of entity for the
//! page's rows. A page costs the same whatever the
//! length of the history before it.

use std::collections::{HashMap, HashSet};

use relais_server_database::{
    ChangePage, DirectoryStamp, LogRow, PageEntities, PageRead, Position, ReportCache, Scope,
    Snapshot, page_ids,
};
use rusqlite::{Connection, OptionalExtension};
use uuid::Uuid;

use crate::entities;
use crate::error::DbResult;
use crate::json::to_json;
use crate::parse_uuid;

pub(crate) fn page(
    conn: &mut Connection,
    reports: &ReportCache,
    scope: &Scope,
    from: &Position,
    limit: u32,
) -> DbResult<Option<ChangePage>> {
    let tx = conn.transaction()?;
    let Some((epoch, head, catalogue_version, directory)) = tx
        .prepare_cached(
            "SELECT epoch, last_change_seq, catalogue_version, directory_version, ratings_version
             FROM tenants WHERE id = ?1",
        )?
        .query_row([&scope.tenant], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, u64>(1)?,
                row.get(2)?,
                DirectoryStamp {
                    version: row.get(3)?,
                    ratings: row.get(4)?,
                },
            ))
        })
        .optional()?
    else {
        return Ok(None);
    };
    let (reset, starts) = from.starts(scope, &epoch, head);
    let limit = limit as usize;

    // Up to `limit + 1` rows of each bucket, stepped one at a time and no further than the page
    // can reach (`PageRead`).
    let mut read = PageRead::new(scope, limit);
    let mut stmt = tx.prepare_cached(
        "SELECT seq, entity_kind, entity_id, live FROM change_log
         WHERE tenant_id = ?1 AND bucket = ?2 AND seq > ?3 ORDER BY seq LIMIT ?4",
    )?;
    for (index, bucket) in scope.buckets.iter().enumerate() {
        let found = stmt.query_map((&scope.tenant, bucket, starts[index], limit + 1), |row| {
            Ok(LogRow {
                seq: row.get(0)?,
                bucket: index,
                kind: row.get(1)?,
                entity: row.get(2)?,
                live: row.get(3)?,
            })
        })?;
        for row in found {
            if !read.take(row?) {
                break;
            }
        }
        read.end_bucket();
    }
    drop(stmt);
    let cut = read.cut(scope, &starts, head);
    let snapshot = Snapshot {
        tenant: scope.tenant.clone(),
        epoch: epoch.clone(),
        catalogue_version,
    };
    let changes =
        page_entities(&tx, reports, &snapshot, scope, &cut.rows)?.changes(scope, &cut.rows)?;
    Ok(Some(ChangePage {
        reset,
        epoch,
        seqs: cut.seqs,
        changes,
        has_more: cut.has_more,
        catalogue_version,
        directory,
    }))
}

/// The latest state of what the page's rows name (the reports from `cache` where it has them).
fn page_entities(
    conn: &Connection,
    cache: &ReportCache,
    snapshot: &Snapshot,
    scope: &Scope,
    rows: &[LogRow],
) -> DbResult<PageEntities> {
    let tenant = &scope.tenant;
    let ids = |kind: &str| page_ids(rows, kind);
    let (threads, tasks, alerts) = (ids("thread"), ids("task"), ids("alert"));
    let mine = match &scope.citizen {
        Some(citizen) => own_reports(conn, tenant, citizen, &keys(&scope.own_candidates(rows)))?,
        None => HashSet::new(),
    };
    let mut follows = HashMap::new();
    for citizen in ids("follows") {
        let zones = entities::follows(conn, tenant, &citizen)?;
        follows.insert(citizen, zones);
    }
    Ok(PageEntities {
        mine,
        reports: {
            let page = cache.lookup(snapshot, rows);
            let read = entities::reports(conn, tenant, &keys(&page.missing()))?;
            page.complete(cache, read)
        },
        threads: entities::threads(conn, tenant, &keys(&threads))?,
        tasks: entities::tasks(conn, tenant, &keys(&tasks))?,
        alerts: entities::alerts(conn, tenant, &keys(&alerts))?,
        follows,
    })
}

/// The ids as the keys the entity readers take.
fn keys(ids: &[String]) -> Vec<&str> {
    ids.iter().map(String::as_str).collect()
}

/// Which of the given reports of `tenant` were filed by `citizen` (from any of its devices).
fn own_reports(
    conn: &Connection,
    tenant: &str,
    citizen: &str,
    ids: &[&str],
) -> DbResult<HashSet<Uuid>> {
    let mut mine = HashSet::new();
    if ids.is_empty() {
        return Ok(mine);
    }
    let mut stmt = conn.prepare_cached(
        "SELECT r.id FROM reports r JOIN devices d ON d.id = r.device_id
         WHERE r.tenant_id = ?3 AND r.id IN (SELECT value FROM json_each(?1))
           AND COALESCE(d.account_id, d.id) = ?2",
    )?;
    for row in stmt.query_map((to_json(ids)?, citizen, tenant), |row| {
        row.get::<_, String>(0)
    })? {
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
