//! The invariants every seed must end with, read from the server's and the devices' own
//! database files once the network has healed:
//! - every change a device queued is either applied on the server exactly once and gone from
//!   the queue, or still on the device, refused with its reason (a conflict between two agents
//!   among them): nothing lost, nothing applied twice, no agent's change silently overwritten;
//! - every report a device filed and the server accepted is on the server;
//! - each report's history on the server is a valid sequence of the workflow's moves;
//! - every device holds its scope (a citizen their reports, an agent the open reports of their
//!   service) at the server's version and status: devices converge, and no pull skipped a change;
//! - staff notes are on no citizen's device, and a citizen holds the private thread of their
//!   own reports only.

use std::collections::{BTreeMap, BTreeSet};

use relais_protocol::{ReportStatus, WorkflowAction};
use rusqlite::{Connection, OpenFlags};
use uuid::Uuid;

use super::server::SimServer;
use super::{Device, Role};
use crate::view::OutboxItemState;

/// A report as the server holds it.
pub struct ServerReport {
    pub id: Uuid,
    pub version: i64,
    pub status: String,
    service: String,
    /// The citizen who filed it (their account, or their device).
    citizen: String,
}

fn read_only(path: &std::path::Path) -> Connection {
    Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY).unwrap()
}

/// Every report of the server, by id.
pub fn server_reports(server: &SimServer) -> Vec<ServerReport> {
    let db = read_only(&server.database_path());
    let mut statement = db
        .prepare(
            "SELECT r.id, r.version, r.status, r.service_code, COALESCE(d.account_id, d.id)
             FROM reports r JOIN devices d ON d.id = r.device_id ORDER BY r.id",
        )
        .unwrap();
    statement
        .query_map([], |row| {
            Ok(ServerReport {
                id: row.get::<_, String>(0)?.parse().unwrap(),
                version: row.get(1)?,
                status: row.get(2)?,
                service: row.get(3)?,
                citizen: row.get(4)?,
            })
        })
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Checks every invariant; returns the refusals the devices show, by reason code.
pub fn check(server: &SimServer, devices: &[Device]) -> Result<BTreeMap<String, usize>, String> {
    let db = read_only(&server.database_path());
    let reports: BTreeMap<String, ServerReport> = server_reports(server)
        .into_iter()
        .map(|r| (r.id.to_string(), r))
        .collect();
    let refusals = accounted(&db, devices)?;
    histories(&db)?;
    for device in devices {
        converged(&db, device, &reports)?;
    }
    Ok(refusals)
}

/// Each queued change is applied once and gone, or refused and still shown.
fn accounted(db: &Connection, devices: &[Device]) -> Result<BTreeMap<String, usize>, String> {
    let mut ledger: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut statement = db
        .prepare("SELECT mutation_id, outcome FROM device_mutations")
        .unwrap();
    let rows = statement
        .query_map([], |row| Ok((row.get::<_, String>(0)?, row.get(1)?)))
        .unwrap();
    for row in rows {
        let (id, outcome) = row.unwrap();
        ledger.entry(id).or_default().push(outcome);
    }
    if let Some((id, outcomes)) = ledger.iter().find(|(_, o)| o.len() > 1) {
        return Err(format!("change {id} was recorded {} times", outcomes.len()));
    }
    let mut refusals = BTreeMap::new();
    for device in devices {
        let outbox: BTreeMap<String, _> = device
            .held()
            .view()
            .outbox
            .into_iter()
            .map(|item| (item.id.clone(), item))
            .collect();
        for (id, kind) in &device.queued {
            let recorded = ledger.get(id).map(|o| o[0].as_str());
            match (outbox.get(id), recorded) {
                (Some(item), _) if item.state == OutboxItemState::Queued => {
                    return Err(format!(
                        "{}: {kind} {id} is still queued once the network healed: {item:?}, \
                         last sync: {:?}",
                        device.name,
                        device.held().view().sync
                    ));
                }
                (Some(_), Some("applied")) => {
                    return Err(format!(
                        "{}: {kind} {id} is shown refused but the server applied it",
                        device.name
                    ));
                }
                (Some(item), _) => {
                    let code = item.reason_code.clone().unwrap_or_default();
                    *refusals.entry(code).or_default() += 1;
                }
                (None, Some("applied")) => {}
                (None, recorded) => {
                    return Err(format!(
                        "{}: {kind} {id} left the queue, and the server recorded {recorded:?}",
                        device.name
                    ));
                }
            }
        }
    }
    Ok(refusals)
}

/// Each report's history is a sequence of the workflow's moves from `received`.
fn histories(db: &Connection) -> Result<(), String> {
    let mut statement = db
        .prepare(
            "SELECT report_id, status FROM report_history WHERE status_changed = 1 ORDER BY rowid",
        )
        .unwrap();
    let rows = statement
        .query_map([], |row| {
            Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
        })
        .unwrap();
    let mut last: BTreeMap<String, ReportStatus> = BTreeMap::new();
    for row in rows {
        let (report, status) = row.unwrap();
        let status: ReportStatus = serde_json::from_value(serde_json::Value::String(status))
            .map_err(|e| format!("report {report}: unknown status in its history: {e}"))?;
        let valid = match last.get(&report) {
            None => status == ReportStatus::Received,
            Some(&from) => may_move(from, status),
        };
        if !valid {
            return Err(format!(
                "report {report}: its history moves from {:?} to {status:?}",
                last.get(&report)
            ));
        }
        last.insert(report, status);
    }
    Ok(())
}

/// Whether a staff action (`relais_domain::status::after`) or the reporter (reopening what was
/// resolved) moves a report from `from` to `to`.
fn may_move(from: ReportStatus, to: ReportStatus) -> bool {
    let actions = [
        WorkflowAction::Acknowledge,
        WorkflowAction::Schedule { for_ms: None },
        WorkflowAction::Start,
        WorkflowAction::Resolve { photos: Vec::new() },
        WorkflowAction::Reject {
            reason: String::new(),
        },
        WorkflowAction::Transfer {
            service: String::new(),
        },
        WorkflowAction::MarkDuplicate { of: Uuid::nil() },
    ];
    let reopened = from == ReportStatus::Resolved && to == ReportStatus::Reopened;
    reopened
        || actions
            .iter()
            .any(|a| relais_domain::status::after(from, a) == Ok(Some(to)))
}

/// The device holds its scope at the server's state, and nothing private it should not.
fn converged(
    db: &Connection,
    device: &Device,
    reports: &BTreeMap<String, ServerReport>,
) -> Result<(), String> {
    let h = device.held();
    let local = read_only(&h.dir().join(crate::store::DB_FILE));
    let device_id = h.model.registration().unwrap().device_id.to_string();
    let citizen: String = db
        .query_row(
            "SELECT COALESCE(account_id, id) FROM devices WHERE id = ?1",
            [&device_id],
            |row| row.get(0),
        )
        .unwrap();
    let mut held = BTreeMap::new();
    let mut statement = local
        .prepare("SELECT id, status, body, COALESCE(task, '') FROM reports")
        .unwrap();
    let rows = statement
        .query_map([], |row| {
            Ok((
                row.get::<_, String>(0)?,
                row.get::<_, String>(1)?,
                row.get::<_, String>(2)?,
                row.get::<_, String>(3)?,
            ))
        })
        .unwrap();
    for row in rows {
        let (id, status, body, task) = row.unwrap();
        let version = serde_json::from_str::<serde_json::Value>(&body).unwrap()["version"]
            .as_i64()
            .unwrap_or(-1);
        if matches!(device.role, Role::Citizen(_))
            && (body.contains("NOTE-") || task.contains("NOTE-"))
        {
            return Err(format!(
                "{}: a staff note reached a citizen: {body} {task}",
                device.name
            ));
        }
        held.insert(id, (status, version));
    }
    for (id, (status, version)) in &held {
        match reports.get(id) {
            Some(server) if (&server.status, server.version) != (status, *version) => {
                return Err(format!(
                    "{}: holds {id} as {status} v{version}, the server as {} v{}",
                    device.name, server.status, server.version
                ));
            }
            Some(_) => {}
            None if status == "refused" => {}
            None => {
                return Err(format!(
                    "{}: holds {id} as {status} v{version}, unknown to the server",
                    device.name
                ));
            }
        }
    }
    for report in reports.values() {
        let in_scope = match device.role {
            Role::Citizen(_) => report.citizen == citizen,
            Role::Agent(service) => {
                report.service == service
                    && relais_domain::status::is_open(
                        serde_json::from_value(serde_json::Value::String(report.status.clone()))
                            .unwrap(),
                    )
            }
        };
        if in_scope && !held.contains_key(&report.id.to_string()) {
            return Err(format!(
                "{}: misses {} ({} v{}) of its scope",
                device.name, report.id, report.status, report.version
            ));
        }
    }
    if matches!(device.role, Role::Citizen(_)) {
        let own: BTreeSet<String> = reports
            .values()
            .filter(|r| r.citizen == citizen)
            .map(|r| r.id.to_string())
            .collect();
        let mut statement = local
            .prepare("SELECT report_id, body FROM threads")
            .unwrap();
        let threads = statement
            .query_map([], |row| {
                Ok((row.get::<_, String>(0)?, row.get::<_, String>(1)?))
            })
            .unwrap();
        for thread in threads {
            let (report, body) = thread.unwrap();
            if !own.contains(&report) || body.contains("NOTE-") {
                return Err(format!(
                    "{}: holds the private thread of {report}: {body}",
                    device.name
                ));
            }
        }
    }
    Ok(())
}
