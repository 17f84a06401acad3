//! Reading one page of a scope: one read-only REPEATABLE READ transaction (a consistent snapshot:
//! the tenant's head and every change-log row stamped up to it, see `changelog`), one indexed
//! range per bucket of the scope (`change_log_by_seq`: tenant, bucket, seq), all in one
//! statement, cut into a page as every backend does ([`PageRead`]); then one query per kind of
//! entity for the page's rows, sent together. A page waits for three round trips to the
//! database whatever its scope. Also the expiry of closed reports from zone and service buckets.

use std::collections::HashSet;

use deadpool_postgres::Transaction;
use futures::future::try_join_all;
use futures::try_join;
use relais_server_database::{
    ChangePage, DirectoryStamp, LogRow, PageEntities, PageRead, Position, ReportCache, Scope,
    Snapshot, page_ids,
};
use uuid::Uuid;

use crate::entities;
use crate::error::{DbResult, corrupt, signed, unsigned};
use crate::parse_uuid;

pub(crate) async fn page(
    tx: &Transaction<'_>,
    reports: &ReportCache,
    scope: &Scope,
    from: &Position,
    limit: u32,
) -> DbResult<Option<ChangePage>> {
    let stmt = tx
        .prepare_cached(
            "SELECT epoch, last_change_seq, catalogue_version, directory_version, ratings_version
             FROM tenants WHERE id = $1",
        )
        .await?;
    let Some(row) = tx.query_opt(&stmt, &[&scope.tenant]).await? else {
        return Ok(None);
    };
    let epoch: String = row.try_get(0)?;
    let head: u64 = unsigned(row.try_get(1)?, "change-log head")?;
    let catalogue_version: i64 = row.try_get(2)?;
    let directory = DirectoryStamp {
        version: row.try_get(3)?,
        ratings: row.try_get(4)?,
    };
    let (reset, starts) = from.starts(scope, &epoch, head);
    let limit = limit as usize;
    let fetch = i64::try_from(limit + 1).unwrap_or(i64::MAX);

    // Every bucket's range in one statement (one round trip whatever the scope), each up to
    // `limit + 1` rows, then cut as every backend does.
    let stmt = tx
        .prepare_cached(
            "SELECT b.ord, c.seq, c.entity_kind, c.entity_id, c.live
             FROM unnest($2::text[], $3::bigint[]) WITH ORDINALITY AS b (bucket, start, ord)
             CROSS JOIN LATERAL (
                 SELECT seq, entity_kind, entity_id, live FROM change_log
                 WHERE tenant_id = $1 AND bucket = b.bucket AND seq > b.start
                 ORDER BY seq LIMIT $4) AS c
             ORDER BY b.ord, c.seq",
        )
        .await?;
    let positions = starts
        .iter()
        .map(|start| signed(*start, "position"))
        .collect::<DbResult<Vec<i64>>>()?;
    let mut buckets: Vec<Vec<LogRow>> = vec![Vec::new(); scope.buckets.len()];
    for row in tx
        .query(&stmt, &[&scope.tenant, &scope.buckets, &positions, &fetch])
        .await?
    {
        let ord: i64 = row.try_get(0)?;
        let bucket = usize::try_from(ord - 1)
            .ok()
            .filter(|bucket| *bucket < buckets.len())
            .ok_or_else(|| corrupt(format!("bucket ordinal {ord}")))?;
        buckets[bucket].push(LogRow {
            seq: unsigned(row.try_get(1)?, "seq")?,
            bucket,
            kind: row.try_get(2)?,
            entity: row.try_get(3)?,
            live: row.try_get(4)?,
        });
    }
    let mut read = PageRead::new(scope, limit);
    for rows in buckets {
        for row in rows {
            if !read.take(row) {
                break;
            }
        }
        read.end_bucket();
    }
    let cut = read.cut(scope, &starts, head);
    let snapshot = Snapshot {
        tenant: scope.tenant.clone(),
        epoch: epoch.clone(),
        catalogue_version,
    };
    let changes = page_entities(tx, reports, &snapshot, scope, &cut.rows)
        .await?
        .changes(scope, &cut.rows)?;
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
async fn page_entities(
    tx: &Transaction<'_>,
    cache: &ReportCache,
    snapshot: &Snapshot,
    scope: &Scope,
    rows: &[LogRow],
) -> DbResult<PageEntities> {
    // The reads do not depend on each other: sent together, one round trip (see `facts`).
    let tenant = &scope.tenant;
    let page = cache.lookup(snapshot, rows);
    let (missing, followers) = (page.missing(), page_ids(rows, "follows"));
    let ids = |kind| page_ids(rows, kind);
    let (thread_ids, task_ids, alert_ids) = (ids("thread"), ids("task"), ids("alert"));
    let (mine, follows, read, threads, tasks, alerts) = try_join!(
        async {
            match &scope.citizen {
                Some(citizen) => {
                    own_reports(tx, tenant, citizen, &scope.own_candidates(rows)).await
                }
                None => Ok(HashSet::new()),
            }
        },
        try_join_all(
            followers
                .iter()
                .map(|citizen| entities::follows(tx, tenant, citizen))
        ),
        entities::reports(tx, tenant, &missing),
        entities::threads(tx, tenant, &thread_ids),
        entities::tasks(tx, tenant, &task_ids),
        entities::alerts(tx, tenant, &alert_ids),
    )?;
    Ok(PageEntities {
        mine,
        reports: page.complete(cache, read),
        threads,
        tasks,
        alerts,
        follows: followers.into_iter().zip(follows).collect(),
    })
}

/// Which of the given reports of `tenant` were filed by `citizen` (from any of its devices).
async fn own_reports(
    tx: &Transaction<'_>,
    tenant: &str,
    citizen: &str,
    ids: &[String],
) -> DbResult<HashSet<Uuid>> {
    if ids.is_empty() {
        return Ok(HashSet::new());
    }
    let stmt = tx
        .prepare_cached(
            "SELECT r.id FROM reports r JOIN devices d ON d.id = r.device_id
             WHERE (r.tenant_id, r.id) IN (SELECT $3, unnest($1::text[]))
               AND COALESCE(d.account_id, d.id) = $2",
        )
        .await?;
    tx.query(&stmt, &[&ids, &citizen, &tenant])
        .await?
        .iter()
        .map(|row| Ok(parse_uuid(row.try_get(0)?)?))
        .collect()
}

/// Drops closed reports from the zone and service buckets once closed for the tenant's
/// `closed_visible_days` (devices drop them by the same rule), and alerts that ended as long
/// ago; returns how many rows went. Incremental: each run starts where the last one stopped.
/// Each tenant is expired under its lock, like any write of its change log.
pub(crate) async fn expire(tx: &Transaction<'_>, now_ms: i64) -> DbResult<usize> {
    let tenants = tx
        .query(
            "SELECT id, closed_visible_days, expired_until_ms FROM tenants ORDER BY id
             FOR UPDATE",
            &[],
        )
        .await?;
    let mut removed = 0;
    for row in tenants {
        let (tenant, days, since): (String, i64, i64) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let until = now_ms - days * 86_400_000;
        if until <= since {
            continue;
        }
        removed += tx
            .execute(
                "DELETE FROM change_log
                 WHERE tenant_id = $1 AND entity_kind IN ('report', 'task')
                   AND substr(bucket, 1, 2) IN ('z:', 's:')
                   AND entity_id IN (SELECT id FROM reports WHERE tenant_id = $1
                                     AND closed_at_ms > $2 AND closed_at_ms <= $3)",
                &[&tenant, &since, &until],
            )
            .await?;
        removed += tx
            .execute(
                "DELETE FROM change_log
                 WHERE tenant_id = $1 AND entity_kind = 'alert'
                   AND entity_id IN (SELECT id FROM alerts WHERE tenant_id = $1
                                     AND ends_at_ms > $2 AND ends_at_ms <= $3)",
                &[&tenant, &since, &until],
            )
            .await?;
        tx.execute(
            "UPDATE tenants SET expired_until_ms = $2 WHERE id = $1",
            &[&tenant, &until],
        )
        .await?;
    }
    Ok(usize::try_from(removed).unwrap_or(usize::MAX))
}
