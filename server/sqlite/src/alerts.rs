//! The town's alerts as the back office lists them, with who published them (see
//! `relais_server_database::alerts`); their bodies are read as a pull reads them.

use relais_server_database::{PublishedAlert, alerts};
use rusqlite::Connection;

use crate::entities;
use crate::error::DbResult;

pub(crate) fn published(
    conn: &Connection,
    tenant: &str,
    since_ms: i64,
    limit: u32,
) -> DbResult<Vec<PublishedAlert>> {
    let rows = conn
        .prepare_cached(
            "SELECT a.id, s.name, a.created_at_ms FROM alerts a
             LEFT JOIN staff s ON s.id = a.staff_id
             WHERE a.tenant_id = ?1 AND a.ends_at_ms >= ?2
             ORDER BY a.starts_at_ms DESC, a.id DESC LIMIT ?3",
        )?
        .query_map((tenant, since_ms, limit), |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, Option<String>>(1)?,
                row.get::<_, i64>(2)?,
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let ids: Vec<&str> = rows.iter().map(|(id, _, _)| id.as_str()).collect();
    let bodies = entities::alerts(conn, tenant, &ids)?;
    Ok(alerts::with_bodies(rows, bodies)?)
}
