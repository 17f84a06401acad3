//! Re-stamping the tenant's change log, as the writes' documentation describes
//! (`relais_server_database::writes`): each touched entity gets the tenant's next sequence
//! number in every bucket it belongs to, one row per (bucket, entity).
//!
//! Why a pull never skips a change, with several servers on one database: a sequence (or any
//! number handed out before commit) can become visible out of order, a reader then moving its
//! cursor past a number whose transaction commits later. Here the numbers come from one counter,
//! the tenant row's `last_change_seq`, and every write transaction of a tenant locks that row
//! (`SELECT ... FOR UPDATE`, [`lock_tenant`]) before it reads anything: the tenant's writes run one
//! after another whichever server runs them, each commits before the next can take the lock, so
//! the numbers are committed in their order. A reader's snapshot that sees head `n` sees every
//! row stamped up to `n`, and nothing above it. The same lock makes the facts a write reads
//! (a device's last sequence number) current, which is what keeps pushes exactly-once.

use deadpool_postgres::Transaction;

use crate::error::DbResult;
use crate::pipeline::{Tx, params};

/// Locks the tenant's row until the transaction ends and returns its change-log head; `None` for
/// an unknown tenant.
pub(crate) async fn lock_tenant(tx: &Transaction<'_>, tenant: &str) -> DbResult<Option<i64>> {
    let stmt = tx
        .prepare_cached("SELECT last_change_seq FROM tenants WHERE id = $1 FOR UPDATE")
        .await?;
    Ok(match tx.query_opt(&stmt, &[&tenant]).await? {
        Some(row) => Some(row.try_get(0)?),
        None => None,
    })
}

/// The tenant's change log, as a write transaction advances it.
pub(crate) struct ChangeLog<'t> {
    tenant: &'t str,
    seq: i64,
    first_seq: i64,
}

impl<'t> ChangeLog<'t> {
    /// Locks the tenant (see the module's documentation) and starts from its head.
    pub(crate) async fn open(tx: &Transaction<'_>, tenant: &'t str) -> DbResult<Self> {
        let seq = lock_tenant(tx, tenant).await?.ok_or_else(|| {
            crate::error::corrupt(format!("a write names the unknown tenant {tenant:?}"))
        })?;
        Ok(Self {
            tenant,
            seq,
            first_seq: seq,
        })
    }

    /// A report changed: its public state for its zone, its reporter and its followers; its
    /// task for its service.
    pub(crate) async fn report(&mut self, tx: &Tx<'_>, report: &str) -> DbResult<()> {
        let stmt = tx
            .prepare_cached(
                "SELECT r.zone_code, r.service_code, COALESCE(d.account_id, d.id)
                 FROM reports r LEFT JOIN devices d ON d.id = r.device_id
                 WHERE r.tenant_id = $1 AND r.id = $2",
            )
            .await?;
        let row = tx.query_one(&stmt, &[&self.tenant, &report]).await?;
        let (zone, service, reporter): (String, String, Option<String>) =
            (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
        let seq = self
            .new_report(tx, report, &zone, &service, reporter.as_deref())
            .await?;
        tx.send(
            "INSERT INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq, live)
             SELECT $1, 'c:' || citizen, 'report', report_id, $3, TRUE
             FROM report_followers WHERE tenant_id = $1 AND report_id = $2
             ON CONFLICT (tenant_id, entity_id, bucket, entity_kind)
             DO UPDATE SET seq = excluded.seq, live = TRUE",
            params![self.tenant.to_owned(), report.to_owned(), seq],
        )
        .await
    }

    /// A report whose zone, service and reporter the caller knows, and which has no followers
    /// (a new one): stamped without reading it back. Returns the sequence number it got.
    pub(crate) async fn new_report(
        &mut self,
        tx: &Tx<'_>,
        report: &str,
        zone: &str,
        service: &str,
        reporter: Option<&str>,
    ) -> DbResult<i64> {
        let seq = self.next();
        let mut buckets = vec![format!("z:{zone}"), format!("s:{service}")];
        let mut kinds = vec!["report", "task"];
        if let Some(reporter) = reporter {
            buckets.push(format!("c:{reporter}"));
            kinds.push("report");
        }
        // One statement for the report's two or three rows.
        tx.send(
            "INSERT INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq, live)
             SELECT $1, bucket, kind, $4, $5, TRUE
             FROM unnest($2::text[], $3::text[]) AS row(bucket, kind)
             ON CONFLICT (tenant_id, entity_id, bucket, entity_kind)
             DO UPDATE SET seq = excluded.seq, live = TRUE",
            params![
                self.tenant.to_owned(),
                buckets,
                kinds,
                report.to_owned(),
                seq
            ],
        )
        .await?;
        Ok(seq)
    }

    /// A report's thread changed: for its reporter, and the task of its service.
    pub(crate) async fn thread(&mut self, tx: &Tx<'_>, report: &str) -> DbResult<()> {
        let stmt = tx
            .prepare_cached(
                "SELECT r.service_code, COALESCE(d.account_id, d.id)
                 FROM reports r LEFT JOIN devices d ON d.id = r.device_id
                 WHERE r.tenant_id = $1 AND r.id = $2",
            )
            .await?;
        let row = tx.query_one(&stmt, &[&self.tenant, &report]).await?;
        let (service, reporter): (String, Option<String>) = (row.try_get(0)?, row.try_get(1)?);
        let seq = self.next();
        self.put(tx, &format!("s:{service}"), "task", report, seq, true)
            .await?;
        if let Some(reporter) = reporter {
            self.put(tx, &format!("c:{reporter}"), "thread", report, seq, true)
                .await?;
        }
        Ok(())
    }

    /// What only staff see of a report changed (an internal note).
    pub(crate) async fn task(&mut self, tx: &Tx<'_>, report: &str) -> DbResult<()> {
        let stmt = tx
            .prepare_cached("SELECT service_code FROM reports WHERE tenant_id = $1 AND id = $2")
            .await?;
        let service: String = tx
            .query_one(&stmt, &[&self.tenant, &report])
            .await?
            .try_get(0)?;
        self.stamp(tx, &format!("s:{service}"), "task", report, true)
            .await
    }

    /// A report left `service`'s work list (it was transferred).
    pub(crate) async fn task_gone(
        &mut self,
        tx: &Tx<'_>,
        report: &str,
        service: &str,
    ) -> DbResult<()> {
        self.stamp(tx, &format!("s:{service}"), "task", report, false)
            .await
    }

    /// A citizen's followed zones changed.
    pub(crate) async fn follows(&mut self, tx: &Tx<'_>, citizen: &str) -> DbResult<()> {
        self.stamp(tx, &format!("c:{citizen}"), "follows", citizen, true)
            .await
    }

    /// An alert for the followers of each of `zones`.
    pub(crate) async fn alert(
        &mut self,
        tx: &Tx<'_>,
        alert: &str,
        zones: &[String],
    ) -> DbResult<()> {
        for zone in zones {
            self.stamp(tx, &format!("z:{zone}"), "alert", alert, true)
                .await?;
        }
        Ok(())
    }

    async fn stamp(
        &mut self,
        tx: &Tx<'_>,
        bucket: &str,
        kind: &str,
        entity: &str,
        live: bool,
    ) -> DbResult<()> {
        let seq = self.next();
        self.put(tx, bucket, kind, entity, seq, live).await
    }

    async fn put(
        &self,
        tx: &Tx<'_>,
        bucket: &str,
        kind: &str,
        entity: &str,
        seq: i64,
        live: bool,
    ) -> DbResult<()> {
        tx.send(
            "INSERT INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq, live)
             VALUES ($1, $2, $3, $4, $5, $6)
             ON CONFLICT (tenant_id, entity_id, bucket, entity_kind)
             DO UPDATE SET seq = excluded.seq, live = excluded.live",
            params![
                self.tenant.to_owned(),
                bucket.to_owned(),
                kind.to_owned(),
                entity.to_owned(),
                seq,
                live
            ],
        )
        .await
    }

    fn next(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    /// Records the tenant's newest sequence number.
    pub(crate) async fn close(self, tx: &Tx<'_>) -> DbResult<()> {
        if self.seq != self.first_seq {
            tx.send(
                "UPDATE tenants SET last_change_seq = $2 WHERE id = $1",
                params![self.tenant.to_owned(), self.seq],
            )
            .await?;
        }
        Ok(())
    }
}
