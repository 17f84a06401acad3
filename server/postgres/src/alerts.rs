//! The town's alerts as the back office lists them, with who published them (see
//! `relais_server_database::alerts`); their bodies are read as a pull reads them.

use deadpool_postgres::Transaction;
use relais_server_database::{PublishedAlert, alerts};

use crate::entities;
use crate::error::DbResult;

pub(crate) async fn published(
    tx: &Transaction<'_>,
    tenant: &str,
    since_ms: i64,
    limit: u32,
) -> DbResult<Vec<PublishedAlert>> {
    let rows = tx
        .query(
            "SELECT a.id, s.name, a.created_at_ms FROM alerts a
             LEFT JOIN staff s ON s.id = a.staff_id
             WHERE a.tenant_id = $1 AND a.ends_at_ms >= $2
             ORDER BY a.starts_at_ms DESC, a.id DESC LIMIT $3",
            &[&tenant, &since_ms, &i64::from(limit)],
        )
        .await?;
    let ids: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
    let bodies = entities::alerts(tx, tenant, &ids).await?;
    let listed = rows
        .iter()
        .zip(ids)
        .map(|(row, id)| (id, row.get(1), row.get(2)))
        .collect();
    Ok(alerts::with_bodies(listed, bodies)?)
}
