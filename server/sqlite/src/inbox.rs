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

pub(crate) fn inbox(conn: &mut Connection, query: &InboxQuery) -> DbResult<InboxPage> {
    let tx = conn.transaction()?;
    let (base, base_params) = conditions(query)?;
    let mut by_status = HashMap::new();
    {
        let mut stmt = tx.prepare_cached(&format!(
            "SELECT status, COUNT(*) FROM reports WHERE {base} GROUP BY status"
        ))?;
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
        .prepare_cached(&format!(
            "SELECT id FROM reports WHERE {selected}
             ORDER BY due_at_ms IS NULL, due_at_ms, received_at_ms, id LIMIT ?{}",
            params.len()
        ))?
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
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT category_code, zone_code, service_code, status, received_at_ms,
                acknowledged_at_ms, closed_at_ms, due_at_ms, satisfaction,
                EXISTS (SELECT 1 FROM report_history h
                        WHERE h.report_id = reports.id AND h.status = 'reopened')
         FROM reports WHERE {sql}"
    ))?;
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
            "SELECT service_id, importance, satisfaction FROM ratings WHERE tenant_id = ?1
             ORDER BY service_id",
        )?
        .query_map([tenant], |row| {
            Ok(ServiceRating {
                service_id: row.get(0)?,
                importance: row.get(1)?,
                satisfaction: row.get(2)?,
            })
        })?
        .collect::<Result<_, _>>()?)
}
