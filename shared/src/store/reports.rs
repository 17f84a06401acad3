//! Reports on disk: one row each, with the columns the lists are queried by (status, category,
//! zone, grid cell, due date, whether it is the citizen's own, whether it is a task) beside the
//! body the core reads, and its thread in a table of its own. Every list is an indexed query;
//! nothing here reads every report.

use relais_domain::geo;
use relais_protocol::{PublicReport, ThreadMessage};
use rusqlite::{OptionalExtension, Row, Transaction, params, params_from_iter, types::Value};
use uuid::Uuid;

use super::{Result, err, from_json, to_json};
use crate::{
    effects::store::PruneRule,
    model::{
        HeldReport, Report, TaskPart,
        lists::{Position, ReportQuery, WorkQuery},
    },
};

/// The names of the row's columns [`columns`] gives, in its order.
const COLUMNS: [&str; 14] = [
    "mine",
    "supported",
    "status",
    "category",
    "zone",
    "service_code",
    "lat",
    "lon",
    "cell",
    "created_at_ms",
    "due_at_ms",
    "closed_at_ms",
    "duplicate_of",
    "body",
];

/// The row's columns, in the order of [`COLUMNS`] (and of [`UPSERT_REPORT`] from `?2`).
fn columns(report: &Report) -> Result<[Value; 14]> {
    let text = |s: Option<&str>| s.map_or(Value::Null, |s| Value::Text(s.to_owned()));
    let int = |n: Option<i64>| n.map_or(Value::Null, Value::Integer);
    Ok([
        Value::Integer(report.mine.into()),
        Value::Integer(report.supported.into()),
        Value::Text(report.status.as_str().to_owned()),
        Value::Text(report.category.clone()),
        text(report.zone.as_deref()),
        text(report.service_code.as_deref()),
        Value::Real(report.location.lat),
        Value::Real(report.location.lon),
        Value::Integer(geo::cell(report.location.lat, report.location.lon)),
        Value::Integer(report.created_at_ms),
        int(report.due_at_ms),
        int(report.closed_at_ms()),
        text(report.duplicate_of.map(|id| id.to_string()).as_deref()),
        Value::Text(to_json(report)?),
    ])
}

/// Writes a new report's row (or a whole row); a row that is a task stays one, with its
/// work-list part.
const UPSERT_REPORT: &str = "
    INSERT INTO reports (id, kind, mine, supported, status, category, zone, service_code, lat, lon,
                         cell, created_at_ms, due_at_ms, closed_at_ms, duplicate_of, body)
    VALUES (?1, 'report', ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
    ON CONFLICT (id) DO UPDATE SET
        mine = excluded.mine, supported = excluded.supported, status = excluded.status,
        category = excluded.category, zone = excluded.zone, service_code = excluded.service_code,
        lat = excluded.lat, lon = excluded.lon, cell = excluded.cell,
        created_at_ms = excluded.created_at_ms, due_at_ms = excluded.due_at_ms,
        closed_at_ms = excluded.closed_at_ms, duplicate_of = excluded.duplicate_of,
        body = excluded.body";

/// Writes a report's row. A row already there gets only the columns whose value changed:
/// SQLite rewrites every index over a column an `UPDATE` sets, and a report's first sync writes
/// its row twice (acknowledged, then the server's state), each time changing a few columns of
/// the seven indexes'.
pub fn put_report(tx: &Transaction<'_>, report: &Report) -> Result<()> {
    let id = report.id.to_string();
    let stored = stored_columns(tx, &id)?;
    write_columns(tx, id, columns(report)?, stored)
}

/// The row of report `id` as stored, in the order of [`COLUMNS`] (the body last).
fn stored_columns(tx: &Transaction<'_>, id: &str) -> Result<Option<Vec<Value>>> {
    tx.prepare_cached(
        "SELECT mine, supported, status, category, zone, service_code, lat, lon, cell,
                created_at_ms, due_at_ms, closed_at_ms, duplicate_of, body
         FROM reports WHERE id = ?1",
    )
    .map_err(err)?
    .query_row([id], |row| {
        (0..COLUMNS.len())
            .map(|i| row.get::<_, Value>(i))
            .collect::<rusqlite::Result<Vec<_>>>()
    })
    .optional()
    .map_err(err)
}

/// Writes row `id` with the columns `new`, over `stored` if the row exists.
fn write_columns(
    tx: &Transaction<'_>,
    id: String,
    new: [Value; 14],
    stored: Option<Vec<Value>>,
) -> Result<()> {
    let (sql, args) = match stored {
        None => {
            let mut args = vec![Value::Text(id)];
            args.extend(new);
            (UPSERT_REPORT.to_owned(), args)
        }
        Some(stored) => {
            let changed: Vec<usize> = (0..COLUMNS.len())
                .filter(|&i| stored[i] != new[i])
                .collect();
            if changed.is_empty() {
                return Ok(());
            }
            let set: Vec<String> = changed
                .iter()
                .enumerate()
                .map(|(n, &i)| format!("{} = ?{}", COLUMNS[i], n + 2))
                .collect();
            let mut args = vec![Value::Text(id)];
            args.extend(changed.iter().map(|&i| new[i].clone()));
            let sql = format!("UPDATE reports SET {} WHERE id = ?1", set.join(", "));
            (sql, args)
        }
    };
    tx.prepare_cached(&sql)
        .map_err(err)?
        .execute(params_from_iter(args))
        .map_err(err)?;
    Ok(())
}

/// Writes a work-list entry: its report's row, marked a task, with its part.
pub fn put_task(tx: &Transaction<'_>, report: &Report, task: &TaskPart) -> Result<()> {
    put_report(tx, report)?;
    tx.prepare_cached(
        "UPDATE reports SET kind = 'task', task = ?2, assigned_to = ?3 WHERE id = ?1",
    )
    .map_err(err)?
    .execute(params![
        report.id.to_string(),
        to_json(task)?,
        task.assigned_to.as_ref().map(|s| s.email.to_lowercase()),
    ])
    .map_err(err)?;
    Ok(())
}

pub fn put_thread(tx: &Transaction<'_>, id: Uuid, thread: &[ThreadMessage]) -> Result<()> {
    tx.prepare_cached("INSERT OR REPLACE INTO threads (report_id, body) VALUES (?1, ?2)")
        .map_err(err)?
        .execute(params![id.to_string(), to_json(thread)?])
        .map_err(err)?;
    Ok(())
}

/// Writes everything held about a report.
pub fn put(tx: &Transaction<'_>, held: &HeldReport) -> Result<()> {
    match &held.task {
        Some(task) => put_task(tx, &held.report, task)?,
        None => put_report(tx, &held.report)?,
    }
    if !held.thread.is_empty() {
        put_thread(tx, held.id(), &held.thread)?;
    }
    Ok(())
}

/// Stores the server's public state of a report, keeping what only this device knows. The row
/// is read once, for the body to merge into and the columns to compare.
pub fn merge_public(tx: &Transaction<'_>, public: &PublicReport, mine: bool) -> Result<Report> {
    let id = public.id.to_string();
    let stored = stored_columns(tx, &id)?;
    let report = match stored.as_ref().and_then(|columns| columns.last()) {
        Some(Value::Text(body)) => {
            let mut known: Report = from_json(body)?;
            known.merge_public(public.clone(), mine);
            known
        }
        Some(_) => return Err(err(format!("corrupt local data: report {id} has no body"))),
        None => {
            let mut report = Report::from(public.clone());
            report.mine = mine;
            report
        }
    };
    write_columns(tx, id, columns(&report)?, stored)?;
    Ok(report)
}

pub fn delete(tx: &Transaction<'_>, id: Uuid) -> Result<()> {
    let id = id.to_string();
    tx.prepare_cached("DELETE FROM reports WHERE id = ?1")
        .map_err(err)?
        .execute([&id])
        .map_err(err)?;
    tx.prepare_cached("DELETE FROM threads WHERE report_id = ?1")
        .map_err(err)?
        .execute([&id])
        .map_err(err)?;
    Ok(())
}

pub fn get_report(tx: &Transaction<'_>, id: Uuid) -> Result<Option<Report>> {
    tx.prepare_cached("SELECT body FROM reports WHERE id = ?1")
        .map_err(err)?
        .query_row([id.to_string()], |row| row.get::<_, String>(0))
        .optional()
        .map_err(err)?
        .map(|body| from_json(&body))
        .transpose()
}

/// The columns [`held_from`] reads, for a `FROM reports r LEFT JOIN threads t` query.
const HELD_COLUMNS: &str = "r.body, r.task, t.body";

fn held_from(row: &Row<'_>) -> Result<HeldReport> {
    let body: String = row.get(0).map_err(err)?;
    let task: Option<String> = row.get(1).map_err(err)?;
    let thread: Option<String> = row.get(2).map_err(err)?;
    Ok(HeldReport {
        report: from_json(&body)?,
        thread: thread
            .map(|t| from_json(&t))
            .transpose()?
            .unwrap_or_default(),
        task: task.map(|t| from_json(&t)).transpose()?,
    })
}

fn held_where(
    tx: &Transaction<'_>,
    condition: &str,
    args: impl rusqlite::Params,
) -> Result<Vec<HeldReport>> {
    let sql = format!(
        "SELECT {HELD_COLUMNS} FROM reports r LEFT JOIN threads t ON t.report_id = r.id {condition}"
    );
    let mut stmt = tx.prepare_cached(&sql).map_err(err)?;
    let mut rows = stmt.query(args).map_err(err)?;
    let mut found = Vec::new();
    while let Some(row) = rows.next().map_err(err)? {
        found.push(held_from(row)?);
    }
    Ok(found)
}

pub fn get(tx: &Transaction<'_>, id: Uuid) -> Result<Option<HeldReport>> {
    Ok(held_where(tx, "WHERE r.id = ?1", [id.to_string()])?
        .into_iter()
        .next())
}

/// Which reports the core keeps in memory: the citizen's own and those the outbox refers to.
const HELD: &str =
    "(r.mine = 1 OR r.id IN (SELECT report_id FROM outbox WHERE report_id IS NOT NULL))";

/// What the core keeps in memory.
pub fn held(tx: &Transaction<'_>) -> Result<Vec<HeldReport>> {
    held_where(tx, &format!("WHERE {HELD}"), [])
}

/// The report `id` if the core keeps it in memory.
pub fn get_held(tx: &Transaction<'_>, id: Uuid) -> Result<Option<HeldReport>> {
    Ok(
        held_where(tx, &format!("WHERE r.id = ?1 AND {HELD}"), [id.to_string()])?
            .into_iter()
            .next(),
    )
}

fn bodies(tx: &Transaction<'_>, sql: &str, args: Vec<Value>) -> Result<Vec<Report>> {
    let mut stmt = tx.prepare_cached(sql).map_err(err)?;
    let rows = stmt
        .query_map(params_from_iter(args), |row| row.get::<_, String>(0))
        .map_err(err)?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(err)?;
    rows.iter().map(|body| from_json(body)).collect()
}

/// A list of reports, newest first. `zones` are the codes the query's zone covers.
pub fn query(
    tx: &Transaction<'_>,
    query: &ReportQuery,
    zones: Option<&[String]>,
) -> Result<Vec<Report>> {
    let (sql, args) = list_sql(query, zones)?;
    bodies(tx, &sql, args)
}

/// The SQL of [`query`]: newest first, read in the order of an index (a test checks each
/// filter's plan), so a page costs its rows, not the whole list sorted.
fn list_sql(query: &ReportQuery, zones: Option<&[String]>) -> Result<(String, Vec<Value>)> {
    let mut sql = String::from("SELECT body FROM reports WHERE 1 = 1");
    let mut args = Vec::new();
    if query.mine_only {
        sql.push_str(" AND mine = 1");
    }
    if query.open_only {
        sql.push_str(" AND closed_at_ms IS NULL");
    }
    if let Some(category) = &query.category {
        sql.push_str(" AND category = ?");
        args.push(Value::Text(category.clone()));
    }
    if let Some(zones) = zones {
        sql.push_str(" AND zone IN (SELECT value FROM json_each(?))");
        args.push(Value::Text(to_json(zones)?));
    }
    sql.push_str(" ORDER BY created_at_ms DESC, id DESC LIMIT ?");
    args.push(Value::Integer(query.limit.into()));
    Ok((sql, args))
}

/// The open reports of `category` within `radius_m` of a point, nearest first, at most `limit`:
/// the candidates of the grid cells around it by position only, then the nearest ones whole.
pub fn nearby(
    tx: &Transaction<'_>,
    category: &str,
    here: Position,
    radius_m: f64,
    limit: usize,
) -> Result<Vec<Report>> {
    let cells = geo::cells_within(here.lat, here.lon, radius_m);
    let found = nearest(
        tx,
        "WHERE r.category = ? AND r.closed_at_ms IS NULL
            AND r.cell IN (SELECT value FROM json_each(?))",
        vec![
            Value::Text(category.to_owned()),
            Value::Text(to_json(&cells)?),
        ],
        here,
        Some(radius_m),
        limit,
    )?;
    Ok(found.into_iter().map(|held| held.report).collect())
}

/// The reports matching `condition` (on `reports r`) nearest to `here`, within `radius_m` if
/// given, at most `limit`: their positions are read first, then only the nearest whole.
fn nearest(
    tx: &Transaction<'_>,
    condition: &str,
    args: Vec<Value>,
    here: Position,
    radius_m: Option<f64>,
    limit: usize,
) -> Result<Vec<HeldReport>> {
    let sql = format!("SELECT r.id, r.lat, r.lon FROM reports r {condition}");
    let mut stmt = tx.prepare_cached(&sql).map_err(err)?;
    let mut by_distance = stmt
        .query_map(params_from_iter(args), |row| {
            let (id, lat, lon): (String, f64, f64) = (row.get(0)?, row.get(1)?, row.get(2)?);
            Ok((geo::distance_m(here.lat, here.lon, lat, lon), id))
        })
        .map_err(err)?
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(err)?;
    by_distance.retain(|(d, _)| radius_m.is_none_or(|r| *d <= r));
    by_distance.sort_by(|a, b| a.0.total_cmp(&b.0));
    by_distance
        .into_iter()
        .take(limit)
        .filter_map(|(_, id)| Uuid::parse_str(&id).ok())
        .filter_map(|id| get(tx, id).transpose())
        .collect()
}

/// The open tasks of the work list: by due date (the earliest first, undated last), or by
/// distance from `query.near`. `me` is the staff member's e-mail.
pub fn work(
    tx: &Transaction<'_>,
    query: &WorkQuery,
    me: Option<&str>,
    now_ms: i64,
) -> Result<Vec<HeldReport>> {
    let mut condition = String::from("WHERE r.kind = 'task' AND r.closed_at_ms IS NULL");
    let mut args = Vec::new();
    if query.overdue_only {
        condition.push_str(" AND r.due_at_ms < ?");
        args.push(Value::Integer(now_ms));
    }
    if query.assigned_to_me {
        condition.push_str(" AND r.assigned_to = ?");
        args.push(Value::Text(me.unwrap_or_default().to_lowercase()));
    }
    let Some(here) = query.near else {
        condition.push_str(" ORDER BY r.due_at_ms IS NULL, r.due_at_ms, r.created_at_ms LIMIT ?");
        args.push(Value::Integer(query.limit.into()));
        return held_where(tx, &condition, params_from_iter(args));
    };
    let limit = usize::try_from(query.limit).unwrap_or(usize::MAX);
    nearest(tx, &condition, args, here, None, limit)
}

/// Drops what the device holds for no reason any more (see [`PruneRule`]); returns how many
/// reports left.
///
/// A report outside the followed zones stays while the server sends its changes (the citizen
/// supports it, or the town merged one of their reports into it: their report is `duplicate`),
/// or while a queued change concerns it. Neither an own report that is only a probable duplicate
/// (`duplicate_of` set at filing) nor a refused change brings such a scope (docs/protocol.md,
/// "What a device receives"): kept for them, the report would stay at the state it had when the
/// zone was last followed.
pub fn prune(tx: &Transaction<'_>, rule: &PruneRule) -> Result<u32> {
    let zones = rule.followed_zones.as_ref().map(to_json).transpose()?;
    let removed = tx
        .execute(
            "DELETE FROM reports WHERE mine = 0
               AND id NOT IN (SELECT report_id FROM outbox
                              WHERE report_id IS NOT NULL AND state = 'queued')
               AND ((closed_at_ms IS NOT NULL AND closed_at_ms < ?1)
                 OR (?2 IS NOT NULL AND kind = 'report' AND supported = 0
                     AND (zone IS NULL OR zone NOT IN (SELECT value FROM json_each(?2)))
                     AND id NOT IN (SELECT duplicate_of FROM reports
                                    WHERE mine = 1 AND status = 'duplicate'
                                      AND duplicate_of IS NOT NULL)))",
            params![rule.closed_before_ms, zones],
        )
        .map_err(err)?;
    tx.execute_batch("DELETE FROM threads WHERE report_id NOT IN (SELECT id FROM reports)")
        .map_err(err)?;
    tx.execute(
        "DELETE FROM alerts WHERE ends_at_ms < ?1",
        [rule.alerts_ended_before_ms],
    )
    .map_err(err)?;
    Ok(u32::try_from(removed).unwrap_or(u32::MAX))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every filter of the lists reads an index in order: no sort of the whole list (a temporary
    /// B-tree) to return its first page.
    #[test]
    fn every_list_is_read_in_index_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = crate::store::LocalStore::open(dir.path()).unwrap();
        let tx = store.conn.transaction().unwrap();
        for mine_only in [false, true] {
            for open_only in [false, true] {
                let query = ReportQuery {
                    mine_only,
                    open_only,
                    ..ReportQuery::default()
                };
                let (sql, args) = list_sql(&query, None).unwrap();
                let mut stmt = tx.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
                let plan: Vec<String> = stmt
                    .query_map(params_from_iter(args), |row| row.get(3))
                    .unwrap()
                    .collect::<std::result::Result<_, _>>()
                    .unwrap();
                let plan = plan.join("; ");
                assert!(
                    plan.contains("USING INDEX") && !plan.contains("TEMP B-TREE"),
                    "mine_only {mine_only}, open_only {open_only}: {plan}"
                );
            }
        }
    }
}
