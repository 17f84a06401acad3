//! Reading one page of a scope: one read-only REPEATABLE READ transaction (a consistent snapshot:
//! the tenant's head and every change-log row stamped up to it, see `changelog`), one indexed
//! range per bucket of the scope (`change_log_by_seq`: tenant, bucket, seq), cut into a page as
//! every backend does ([`PageRead`]); then one query per kind of entity for the page's rows.
//! Also the expiry of closed reports from zone and service buckets.

use std::collections::HashSet;

use deadpool_postgres::Transaction;
use relais_server_database::{
    ChangePage, DirectoryStamp, LogRow, PageEntities, PageRead, Position, ReportCache, Scope,
    Snapshot, page_ids,
};
use uuid::Uuid;

use crate::entities;
use crate::error::{DbResult, signed, unsigned};
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

    let stmt = tx
        .prepare_cached(
            "SELECT seq, entity_kind, entity_id, live FROM change_log
             WHERE tenant_id = $1 AND bucket = $2 AND seq > $3 ORDER BY seq LIMIT $4",
        )
        .await?;
    let mut read = PageRead::new(scope, limit);
    for (index, bucket) in scope.buckets.iter().enumerate() {
        let start = signed(starts[index], "position")?;
        for row in tx
            .query(&stmt, &[&scope.tenant, bucket, &start, &fetch])
            .await?
        {
            let row = LogRow {
                seq: unsigned(row.try_get(0)?, "seq")?,
                bucket: index,
                kind: row.try_get(1)?,
                entity: row.try_get(2)?,
                live: row.try_get(3)?,
            };
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
    let tenant = &scope.tenant;
    let mine = match &scope.citizen {
        Some(citizen) => own_reports(tx, tenant, citizen, &scope.own_candidates(rows)).await?,
        None => HashSet::new(),
    };
    let mut follows = std::collections::HashMap::new();
    for citizen in page_ids(rows, "follows") {
        let zones = entities::follows(tx, tenant, &citizen).await?;
        follows.insert(citizen, zones);
    }
    Ok(PageEntities {
        mine,
        reports: {
            let page = cache.lookup(snapshot, rows);
            let read = entities::reports(tx, tenant, &page.missing()).await?;
            page.complete(cache, read)
        },
        threads: entities::threads(tx, tenant, &page_ids(rows, "thread")).await?,
        tasks: entities::tasks(tx, tenant, &page_ids(rows, "task")).await?,
        alerts: entities::alerts(tx, tenant, &page_ids(rows, "alert")).await?,
        follows,
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
