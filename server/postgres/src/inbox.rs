//! The back office's reading: a selection of a tenant's requests (the inbox, earliest due
//! first, with its counts), the dates of the requests received in a period (the operations
//! dashboard) and the citizens' current ratings of its public services. The selection is
//! applied as given: who may see what is the server's decision.

use std::collections::HashMap;

use deadpool_postgres::Transaction;
use relais_server_database::{
    ActivityQuery, Assignee, InboxPage, InboxQuery, RequestDates, ServiceRating,
};
use tokio_postgres::types::ToSql;

use crate::entities;
use crate::error::{DbResult, unsigned};
use crate::parse_status;

/// A statement's conditions and their parameters (`$1`, `$2`... in order).
#[derive(Default)]
struct Conditions {
    sql: String,
    params: Vec<Box<dyn ToSql + Sync + Send>>,
}

impl Conditions {
    /// Adds `AND <sql>`, where `$?` stands for `value`'s placeholder.
    fn and(&mut self, sql: &str, value: impl ToSql + Sync + Send + 'static) {
        self.params.push(Box::new(value));
        let placeholder = format!("${}", self.params.len());
        if !self.sql.is_empty() {
            self.sql.push_str(" AND ");
        }
        self.sql.push_str(&sql.replace("$?", &placeholder));
    }

    fn params(&self) -> Vec<&(dyn ToSql + Sync)> {
        self.params
            .iter()
            .map(|p| p.as_ref() as &(dyn ToSql + Sync))
            .collect()
    }
}

/// A tenant's requests within some services and zones.
fn scope(tenant: &str, services: &Option<Vec<String>>, zones: &Option<Vec<String>>) -> Conditions {
    let mut conditions = Conditions::default();
    conditions.and("tenant_id = $?", tenant.to_owned());
    if let Some(services) = services {
        conditions.and("service_code = ANY($?)", services.clone());
    }
    if let Some(zones) = zones {
        conditions.and("zone_code = ANY($?)", zones.clone());
    }
    conditions
}

/// The conditions of `query` but its statuses.
fn conditions(query: &InboxQuery) -> Conditions {
    let mut conditions = scope(&query.tenant, &query.services, &query.zones);
    if let Some(category) = &query.category {
        conditions.and("category_code = $?", category.clone());
    }
    match query.assignee {
        None => {}
        Some(Assignee::Nobody) => conditions.sql.push_str(" AND assigned_to IS NULL"),
        Some(Assignee::Staff(id)) => conditions.and("assigned_to = $?", id.to_string()),
    }
    if let Some(due) = query.due_before_ms {
        conditions.and("due_at_ms < $?", due);
    }
    conditions
}

pub(crate) async fn inbox(tx: &Transaction<'_>, query: &InboxQuery) -> DbResult<InboxPage> {
    let mut selected = conditions(query);
    let mut by_status = HashMap::new();
    for row in tx
        .query(
            &format!(
                "SELECT status, COUNT(*) FROM reports WHERE {} GROUP BY status",
                selected.sql
            ),
            &selected.params(),
        )
        .await?
    {
        by_status.insert(
            parse_status(row.try_get(0)?)?,
            unsigned(row.try_get(1)?, "count")?,
        );
    }
    if let Some(statuses) = &query.statuses {
        let names: Vec<String> = statuses.iter().map(|s| s.as_str().to_owned()).collect();
        selected.and("status = ANY($?)", names);
    }
    let total = match &query.statuses {
        None => by_status.values().sum(),
        Some(statuses) => statuses
            .iter()
            .filter_map(|s| by_status.get(s))
            .sum::<u64>(),
    };
    let mut params = selected.params();
    let limit = i64::from(query.limit);
    params.push(&limit);
    let ids: Vec<String> = tx
        .query(
            &format!(
                "SELECT id FROM reports WHERE {}
                 ORDER BY due_at_ms IS NULL, due_at_ms, received_at_ms, id LIMIT ${}",
                selected.sql,
                params.len()
            ),
            &params,
        )
        .await?
        .iter()
        .map(|row| row.try_get(0))
        .collect::<Result<_, _>>()?;
    let mut found = entities::reports(tx, &query.tenant, &ids).await?;
    let reports = ids
        .iter()
        .filter_map(|id| uuid::Uuid::parse_str(id).ok())
        .filter_map(|id| found.remove(&id))
        .collect();
    Ok(InboxPage {
        reports,
        total,
        by_status,
    })
}

pub(crate) async fn activity(
    tx: &Transaction<'_>,
    query: &ActivityQuery,
) -> DbResult<Vec<RequestDates>> {
    let mut conditions = scope(&query.tenant, &query.services, &query.zones);
    conditions.and("received_at_ms >= $?", query.received_from_ms);
    conditions.and("received_at_ms < $?", query.received_until_ms);
    tx.query(
        &format!(
            "SELECT category_code, zone_code, service_code, status, received_at_ms,
                    acknowledged_at_ms, closed_at_ms, due_at_ms, satisfaction,
                    EXISTS (SELECT 1 FROM report_history h
                            WHERE h.tenant_id = reports.tenant_id AND h.report_id = reports.id
                              AND h.status = 'reopened')
             FROM reports WHERE {}",
            conditions.sql
        ),
        &conditions.params(),
    )
    .await?
    .iter()
    .map(|row| {
        Ok(RequestDates {
            category: row.try_get(0)?,
            zone: row.try_get(1)?,
            service: row.try_get(2)?,
            status: parse_status(row.try_get(3)?)?,
            received_at_ms: row.try_get(4)?,
            acknowledged_at_ms: row.try_get(5)?,
            closed_at_ms: row.try_get(6)?,
            due_at_ms: row.try_get(7)?,
            satisfaction: row
                .try_get::<_, Option<i64>>(8)?
                .map(|value| unsigned(value, "satisfaction"))
                .transpose()?,
            reopened: row.try_get(9)?,
        })
    })
    .collect()
}

pub(crate) async fn service_ratings(
    tx: &Transaction<'_>,
    tenant: &str,
) -> DbResult<Vec<ServiceRating>> {
    tx.query(
        "SELECT service_id, importance, satisfaction, comment, at_ms FROM ratings
         WHERE tenant_id = $1 ORDER BY service_id",
        &[&tenant],
    )
    .await?
    .iter()
    .map(|row| {
        Ok(ServiceRating {
            service_id: row.try_get(0)?,
            importance: unsigned(row.try_get(1)?, "importance")?,
            satisfaction: unsigned(row.try_get(2)?, "satisfaction")?,
            comment: row.try_get(3)?,
            at_ms: row.try_get(4)?,
        })
    })
    .collect()
}
