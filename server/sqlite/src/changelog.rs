//! Re-stamping the tenant's change log, as the writes' documentation describes
//! (`relais_server_database::writes`): each touched entity gets the tenant's next sequence
//! number in every bucket it belongs to, one row per (bucket, entity).

use rusqlite::Connection;

use crate::error::DbResult;

/// The tenant's change log, as a write transaction advances it.
pub(crate) struct ChangeLog<'t> {
    tenant: &'t str,
    seq: i64,
    first_seq: i64,
}

impl<'t> ChangeLog<'t> {
    pub(crate) fn open(conn: &Connection, tenant: &'t str) -> DbResult<Self> {
        let seq: i64 = conn
            .prepare_cached("SELECT last_change_seq FROM tenants WHERE id = ?1")?
            .query_row([tenant], |row| row.get(0))?;
        Ok(Self {
            tenant,
            seq,
            first_seq: seq,
        })
    }

    /// A report changed: its public state for its zone, its reporter and its followers; its
    /// task for its service.
    pub(crate) fn report(&mut self, conn: &Connection, report: &str) -> DbResult<()> {
        let (zone, service, reporter): (String, String, Option<String>) = conn
            .prepare_cached(
                "SELECT r.zone_code, r.service_code, COALESCE(d.account_id, d.id)
                 FROM reports r LEFT JOIN devices d ON d.id = r.device_id
                 WHERE r.tenant_id = ?1 AND r.id = ?2",
            )?
            .query_row([self.tenant, report], |row| {
                Ok((row.get(0)?, row.get(1)?, row.get(2)?))
            })?;
        let seq = self.new_report(conn, report, &zone, &service, reporter.as_deref())?;
        conn.prepare_cached(
            "INSERT INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq, live)
             SELECT ?1, 'c:' || citizen, 'report', report_id, ?3, 1
             FROM report_followers WHERE tenant_id = ?1 AND report_id = ?2
             ON CONFLICT (tenant_id, entity_id, bucket, entity_kind)
             DO UPDATE SET seq = excluded.seq, live = 1",
        )?
        .execute((self.tenant, report, seq))?;
        Ok(())
    }

    /// A report whose zone, service and reporter the caller knows, and which has no followers
    /// (a new one): stamped without reading it back. Returns the sequence number it got.
    pub(crate) fn new_report(
        &mut self,
        conn: &Connection,
        report: &str,
        zone: &str,
        service: &str,
        reporter: Option<&str>,
    ) -> DbResult<i64> {
        let seq = self.next();
        self.put(conn, &format!("z:{zone}"), "report", report, seq, true)?;
        self.put(conn, &format!("s:{service}"), "task", report, seq, true)?;
        if let Some(reporter) = reporter {
            self.put(conn, &format!("c:{reporter}"), "report", report, seq, true)?;
        }
        Ok(seq)
    }

    /// A report's thread changed: for its reporter, and the task of its service.
    pub(crate) fn thread(&mut self, conn: &Connection, report: &str) -> DbResult<()> {
        let (service, reporter): (String, Option<String>) = conn
            .prepare_cached(
                "SELECT r.service_code, COALESCE(d.account_id, d.id)
                 FROM reports r LEFT JOIN devices d ON d.id = r.device_id
                 WHERE r.tenant_id = ?1 AND r.id = ?2",
            )?
            .query_row([self.tenant, report], |row| Ok((row.get(0)?, row.get(1)?)))?;
        let seq = self.next();
        self.put(conn, &format!("s:{service}"), "task", report, seq, true)?;
        if let Some(reporter) = reporter {
            self.put(conn, &format!("c:{reporter}"), "thread", report, seq, true)?;
        }
        Ok(())
    }

    /// What only staff see of a report changed (an internal note).
    pub(crate) fn task(&mut self, conn: &Connection, report: &str) -> DbResult<()> {
        let service: String = conn
            .prepare_cached("SELECT service_code FROM reports WHERE tenant_id = ?1 AND id = ?2")?
            .query_row([self.tenant, report], |row| row.get(0))?;
        self.stamp(conn, &format!("s:{service}"), "task", report, true)
    }

    /// A report left `service`'s work list (it was transferred).
    pub(crate) fn task_gone(
        &mut self,
        conn: &Connection,
        report: &str,
        service: &str,
    ) -> DbResult<()> {
        let bucket = format!("s:{service}");
        self.stamp(conn, &bucket, "task", report, false)
    }

    /// A citizen's followed zones changed.
    pub(crate) fn follows(&mut self, conn: &Connection, citizen: &str) -> DbResult<()> {
        let bucket = format!("c:{citizen}");
        self.stamp(conn, &bucket, "follows", citizen, true)
    }

    /// An alert for the followers of each of `zones`.
    pub(crate) fn alert(
        &mut self,
        conn: &Connection,
        alert: &str,
        zones: &[String],
    ) -> DbResult<()> {
        for zone in zones {
            self.stamp(conn, &format!("z:{zone}"), "alert", alert, true)?;
        }
        Ok(())
    }

    fn stamp(
        &mut self,
        conn: &Connection,
        bucket: &str,
        kind: &str,
        entity: &str,
        live: bool,
    ) -> DbResult<()> {
        let seq = self.next();
        self.put(conn, bucket, kind, entity, seq, live)
    }

    fn put(
        &self,
        conn: &Connection,
        bucket: &str,
        kind: &str,
        entity: &str,
        seq: i64,
        live: bool,
    ) -> DbResult<()> {
        conn.prepare_cached(
            "INSERT INTO change_log (tenant_id, bucket, entity_kind, entity_id, seq, live)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (tenant_id, entity_id, bucket, entity_kind)
             DO UPDATE SET seq = excluded.seq, live = excluded.live",
        )?
        .execute((self.tenant, bucket, kind, entity, seq, live))?;
        Ok(())
    }

    fn next(&mut self) -> i64 {
        self.seq += 1;
        self.seq
    }

    /// Records the tenant's newest sequence number.
    pub(crate) fn close(self, conn: &Connection) -> DbResult<()> {
        if self.seq != self.first_seq {
            conn.prepare_cached("UPDATE tenants SET last_change_seq = ?2 WHERE id = ?1")?
                .execute((self.tenant, self.seq))?;
        }
        Ok(())
    }
}
