//! The back office's reading: a selection of a tenant's requests (the inbox, earliest due
//! first, with its counts), the dates of the requests received in a period (the operations
//! dashboard) and the citizens' current ratings of its public services. The selection is
//! applied as given: who may see what is the server's decision.

use std::collections::HashMap;

use relais_server_database::{
    ActivityQuery, Assignee, InboxPage, InboxQuery, RequestDates, ServiceRating,
};
use rusqlite::Connection;
use rusqlite::types::Value;
use uuid::Uuid;

use crate::entities;
use crate::error::DbResult;
use crate::json::to_json;
use crate::parse_status;

/// The conditions of `query` but its statuses, as SQL and its parameters (from `?1`).
fn conditions(query: &InboxQuery) -> DbResult<(String, Vec<Value>)> {
    let (mut sql, mut params) = scope(&query.tenant, &query.services, &query.zones)?;
    if let Some(category) = &query.category {
        params.push(Value::Text(category.clone()));
        sql.push_str(&format!(" AND category_code = ?{}", params.len()));
    }
    match query.assignee {
        None => {}
        Some(Assignee::Nobody) => sql.push_str(" AND assigned_to IS NULL"),
        Some(Assignee::Staff(id)) => {
            params.push(Value::Text(id.to_string()));
            sql.push_str(&format!(" AND assigned_to = ?{}", params.len()));
        }
    }
    if let Some(due) = query.due_before_ms {
        params.push(Value::Integer(due));
        sql.push_str(&format!(" AND due_at_ms < ?{}", params.len()));
    }
    Ok((sql, params))
}

/// A tenant's requests within some services and zones, as SQL and its parameters (from `?1`).
fn scope(
    tenant: &str,
    services: &Option<Vec<String>>,
    zones: &Option<Vec<String>>,
) -> DbResult<(String, Vec<Value>)> {
    let mut sql = String::from("tenant_id = ?1");
    let mut params = vec![Value::Text(tenant.to_owned())];
    let mut list = |column: &str, values: &Option<Vec<String>>| -> DbResult<()> {
        if let Some(values) = values {
            params.push(Value::Text(to_json(values)?));
            sql.push_str(&format!(
                " AND {column} IN (SELECT value FROM json_each(?{}))",
                params.len()
            ));
        }
        Ok(())
    };
    list("service_code", services)?;
    list("zone_code", zones)?;
    Ok((sql, params))
}

/// The counts per status of the requests matching `conditions`.
fn counts_sql(conditions: &str) -> String {
    format!("SELECT status, COUNT(*) FROM reports WHERE {conditions} GROUP BY status")
}

/// The first requests matching `conditions`, earliest due first; `?{limit}` is the page size.
fn page_sql(conditions: &str, limit: usize) -> String {
    format!(
        "SELECT id FROM reports WHERE {conditions}
         ORDER BY due_at_ms IS NULL, due_at_ms, received_at_ms, id LIMIT ?{limit}"
    )
}

/// The dates of the requests matching `conditions`, and whether each was reopened.
fn activity_sql(conditions: &str) -> String {
    format!(
        "SELECT category_code, zone_code, service_code, status, received_at_ms,
                acknowledged_at_ms, closed_at_ms, due_at_ms, satisfaction,
                EXISTS (SELECT 1 FROM report_history h
                        WHERE h.tenant_id = reports.tenant_id AND h.report_id = reports.id
                          AND h.status = 'reopened')
         FROM reports WHERE {conditions}"
    )
}

pub(crate) fn inbox(conn: &mut Connection, query: &InboxQuery) -> DbResult<InboxPage> {
    let tx = conn.transaction()?;
    let (base, base_params) = conditions(query)?;
    let mut by_status = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(&counts_sql(&base))?;
        let mut rows = stmt.query(rusqlite::params_from_iter(&base_params))?;
        while let Some(row) = rows.next()? {
            let status: String = row.get(0)?;
            by_status.insert(parse_status(&status)?, row.get::<_, u64>(1)?);
        }
    }
    let (mut selected, mut params) = (base, base_params);
    if let Some(statuses) = &query.statuses {
        let names: Vec<&str> = statuses.iter().map(|s| s.as_str()).collect();
        params.push(Value::Text(to_json(&names)?));
        selected.push_str(&format!(
            " AND status IN (SELECT value FROM json_each(?{}))",
            params.len()
        ));
    }
    let total = match &query.statuses {
        None => by_status.values().sum(),
        Some(statuses) => statuses
            .iter()
            .filter_map(|s| by_status.get(s))
            .sum::<u64>(),
    };
    params.push(Value::Integer(i64::from(query.limit)));
    let ids: Vec<String> = tx
        .prepare_cached(&page_sql(&selected, params.len()))?
        .query_map(rusqlite::params_from_iter(&params), |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let keys: Vec<&str> = ids.iter().map(String::as_str).collect();
    let mut found = entities::reports(&tx, &query.tenant, &keys)?;
    let reports = ids
        .iter()
        .filter_map(|id| Uuid::parse_str(id).ok())
        .filter_map(|id| found.remove(&id))
        .collect();
    Ok(InboxPage {
        reports,
        total,
        by_status,
    })
}

pub(crate) fn activity(conn: &Connection, query: &ActivityQuery) -> DbResult<Vec<RequestDates>> {
    let (mut sql, mut params) = scope(&query.tenant, &query.services, &query.zones)?;
    params.push(Value::Integer(query.received_from_ms));
    params.push(Value::Integer(query.received_until_ms));
    sql.push_str(&format!(
        " AND received_at_ms >= ?{} AND received_at_ms < ?{}",
        params.len() - 1,
        params.len()
    ));
    let mut stmt = conn.prepare_cached(&activity_sql(&sql))?;
    let mut rows = stmt.query(rusqlite::params_from_iter(&params))?;
    let mut found = Vec::new();
    while let Some(row) = rows.next()? {
        let status: String = row.get(3)?;
        found.push(RequestDates {
            category: row.get(0)?,
            zone: row.get(1)?,
            service: row.get(2)?,
            status: parse_status(&status)?,
            received_at_ms: row.get(4)?,
            acknowledged_at_ms: row.get(5)?,
            closed_at_ms: row.get(6)?,
            due_at_ms: row.get(7)?,
            satisfaction: row.get(8)?,
            reopened: row.get(9)?,
        });
    }
    Ok(found)
}

pub(crate) fn service_ratings(conn: &Connection, tenant: &str) -> DbResult<Vec<ServiceRating>> {
    Ok(conn
        .prepare_cached(
            "SELECT service_id, importance, satisfaction, comment, at_ms FROM ratings
             WHERE tenant_id = ?1 ORDER BY service_id",
        )?
        .query_map([tenant], |row| {
            Ok(ServiceRating {
                service_id: row.get(0)?,
                importance: row.get(1)?,
                satisfaction: row.get(2)?,
                comment: row.get(3)?,
                at_ms: row.get(4)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}

#[cfg(test)]
mod tests {
    use relais_protocol::ReportStatus;
    use rusqlite::Connection;

    use super::*;

    /// The plan SQLite chooses for `sql` (with placeholder parameters), one step a line.
    fn plan(conn: &Connection, sql: &str, params: &[Value]) -> String {
        let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
        let rows = stmt
            .query_map(rusqlite::params_from_iter(params), |row| {
                row.get::<_, String>(3)
            })
            .unwrap();
        rows.map(Result::unwrap).collect::<Vec<_>>().join("\n")
    }

    /// The back office's queries use an index of `reports` for every selection it makes (no
    /// scan of every request of every town), on the schema the migrations build.
    #[test]
    fn the_back_office_queries_search_reports_through_indexes() {
        // Configured as the server's connections are (plans made without the values bound).
        let dir = tempfile::tempdir().unwrap();
        let mut conn = crate::open_connection(&dir.path().join("relais.db")).unwrap();
        crate::migrate::migrate(&mut conn).unwrap();
        let open = vec![ReportStatus::Received, ReportStatus::Acknowledged];
        let some = |v: &[&str]| Some(v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>());
        // Each selection, and the index its page should search reports with.
        let selections = [
            // An admin: the whole town.
            (
                InboxQuery {
                    tenant: "demo".into(),
                    ..InboxQuery::default()
                },
                "reports_by_status_due (tenant_id=? AND status=?)",
            ),
            // An agent: one service.
            (
                InboxQuery {
                    tenant: "demo".into(),
                    services: some(&["voirie"]),
                    ..InboxQuery::default()
                },
                "reports_by_service (tenant_id=? AND service_code=? AND status=?)",
            ),
            // An agent limited to zones.
            (
                InboxQuery {
                    tenant: "demo".into(),
                    services: some(&["voirie"]),
                    zones: some(&["75104", "7510413"]),
                    ..InboxQuery::default()
                },
                "reports_by_zone (tenant_id=? AND zone_code=? AND status=?)",
            ),
            // A zone filter of an admin.
            (
                InboxQuery {
                    tenant: "demo".into(),
                    zones: some(&["75104"]),
                    ..InboxQuery::default()
                },
                "reports_by_zone (tenant_id=? AND zone_code=? AND status=?)",
            ),
        ];
        for (query, index) in selections {
            let (base, mut params) = conditions(&query).unwrap();
            let counts = plan(&conn, &counts_sql(&base), &params);
            assert!(counts.starts_with("SEARCH reports USING"), "{counts}");
            params.push(Value::Text(to_json(&open).unwrap()));
            let selected = format!(
                "{base} AND status IN (SELECT value FROM json_each(?{}))",
                params.len()
            );
            params.push(Value::Integer(200));
            let page = plan(&conn, &page_sql(&selected, params.len()), &params);
            assert!(
                page.contains(&format!("SEARCH reports USING INDEX {index}")),
                "{query:?}: {page}"
            );
            assert!(!page.contains("SCAN reports"), "{query:?}: {page}");
        }
        // The dashboard: a period of a town, and the reopened requests through the history's
        // index.
        let (mut sql, mut params) = scope("demo", &None, &None).unwrap();
        params.extend([Value::Integer(0), Value::Integer(1)]);
        sql.push_str(" AND received_at_ms >= ?2 AND received_at_ms < ?3");
        let activity = plan(&conn, &activity_sql(&sql), &params);
        assert!(
            activity.contains("SEARCH reports USING INDEX reports_by_received"),
            "{activity}"
        );
        assert!(
            activity.contains("SEARCH h USING") && !activity.contains("SCAN h"),
            "{activity}"
        );
    }
}
