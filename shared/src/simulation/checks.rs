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
//!   own reports only;
//! - every photo a report lists (filed with it, or taken on site when it was resolved) is
//!   stored once, whole and intact, in the server's photo store, no device has a photo left to
//!   send, and every device of the town reads it through the photo route while an anonymous
//!   caller cannot. Only a report whose citizen deleted their identity before its photo arrived
//!   may lack it (the partial upload goes with the identity);
//! - a citizen device holds as its own only reports the server gives to its citizen;
//! - of an identity its citizen deleted, the server keeps no device, account, support or follow,
//!   and its reports stay without a link to anyone, even after copies of its last requests
//!   arrived late;
//! - every request an Open311 application was told it filed is on the server, and Open311 reads
//!   it back as open or closed as the server holds it (on the agents' phones it converges as
//!   every report does, checked above).

use std::collections::{BTreeMap, BTreeSet};

use relais_protocol::{ReportStatus, WorkflowAction};
use uuid::Uuid;

use super::reader::Reader;
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

/// A device's own store.
fn device_store(device: &Device) -> Reader<'static> {
    Reader::sqlite(&device.held().dir().join(crate::store::DB_FILE))
}

/// Every report of the server, by id.
pub fn server_reports(server: &SimServer) -> Vec<ServerReport> {
    reports(&server.reader())
}

fn reports(db: &Reader) -> Vec<ServerReport> {
    let rows = db.rows(
        "SELECT r.id, r.version, r.status, r.service_code, COALESCE(d.account_id, d.id)
         FROM reports r JOIN devices d ON d.id = r.device_id ORDER BY r.id",
        &[],
    );
    rows.into_iter()
        .map(|[id, version, status, service, citizen]| ServerReport {
            id: id.parse().unwrap(),
            version: version.parse().unwrap(),
            status,
            service,
            citizen,
        })
        .collect()
}

/// An identity its citizen deleted: the server ids of its devices, and its account's email.
pub struct Erased {
    pub devices: Vec<String>,
    pub email: Option<String>,
}

/// Checks every invariant; returns the refusals the devices show, by reason code.
pub fn check(
    server: &SimServer,
    devices: &[Device],
    erased: &[Erased],
    open311: &[String],
) -> Result<BTreeMap<String, usize>, String> {
    let db = server.reader();
    let reports: BTreeMap<String, ServerReport> = reports(&db)
        .into_iter()
        .map(|r| (r.id.to_string(), r))
        .collect();
    let refusals = accounted(&db, devices)?;
    histories(&db)?;
    for device in devices {
        converged(&db, device, &reports)?;
    }
    photos(server, &db, devices)?;
    for identity in erased {
        forgotten(&db, identity)?;
    }
    for id in open311 {
        read_through_open311(server, &reports, id)?;
    }
    Ok(refusals)
}

/// Each queued change is applied once and gone, or refused and still shown.
fn accounted(db: &Reader, devices: &[Device]) -> Result<BTreeMap<String, usize>, String> {
    let mut ledger: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for [id, outcome] in db.rows("SELECT mutation_id, outcome FROM device_mutations", &[]) {
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

/// Each report's history, in the order the server reads it back, is a sequence of the
/// workflow's moves from `received`.
fn histories(db: &Reader) -> Result<(), String> {
    let rows = db.rows(
        "SELECT report_id, status FROM report_history WHERE status_changed ORDER BY at_ms, id",
        &[],
    );
    let mut last: BTreeMap<String, ReportStatus> = BTreeMap::new();
    for [report, status] in rows {
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
    db: &Reader,
    device: &Device,
    reports: &BTreeMap<String, ServerReport>,
) -> Result<(), String> {
    let local = device_store(device);
    let device_id = device
        .held()
        .model
        .registration()
        .ok_or_else(|| format!("{}: not registered once the network healed", device.name))?
        .device_id
        .to_string();
    let [citizen] = db
        .rows(
            "SELECT COALESCE(account_id, id) FROM devices WHERE id = ?1",
            &[&device_id],
        )
        .pop()
        .ok_or_else(|| format!("{}: the server does not know it", device.name))?;
    let mut held = BTreeMap::new();
    let rows = local.rows(
        "SELECT id, status, body, COALESCE(task, '') FROM reports",
        &[],
    );
    for [id, status, body, task] in rows {
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
        let mine = local.rows(
            "SELECT id FROM reports WHERE mine = 1 AND status != 'refused'",
            &[],
        );
        for [report] in mine {
            if !own.contains(&report) {
                return Err(format!(
                    "{}: holds {report} as its own, the server gives it to another",
                    device.name
                ));
            }
        }
        for [report, body] in local.rows("SELECT report_id, body FROM threads", &[]) {
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

/// Every photo a report lists is stored once, intact and readable by the town's devices only.
fn photos(server: &SimServer, db: &Reader, devices: &[Device]) -> Result<(), String> {
    use sha2::Digest;

    let anonymous = relais_server_database::anonymous_device(super::server::TENANT).to_string();
    let rows = db.rows(
        "SELECT id, device_id, photos, completion_photos FROM reports",
        &[],
    );
    let mut listed: BTreeMap<String, (String, bool)> = BTreeMap::new();
    for [report, device, filed, completion] in rows {
        let parse = |json: &str| serde_json::from_str::<Vec<String>>(json).unwrap();
        for sha256 in parse(&filed).into_iter().chain(parse(&completion)) {
            let erased = device == anonymous;
            let entry = listed.entry(sha256).or_insert((report.clone(), erased));
            entry.1 &= erased;
        }
    }
    for device in devices {
        let left = device_store(device).rows("SELECT sha256, state FROM uploads", &[]);
        if let Some([sha256, state]) = left.first() {
            // What the server says of it to this device, to tell why it is stuck.
            let token = device.held().model.registration().map(|r| r.token.clone());
            let answer = server.get(
                &format!("/v1/{}/uploads/{sha256}", super::server::TENANT),
                token.as_deref(),
            );
            return Err(format!(
                "{}: {} photos still to send once the network healed; {sha256} ({state}): the \
                 server answers {} {}; the device's last sync: {:?}",
                device.name,
                left.len(),
                answer.status,
                String::from_utf8_lossy(&answer.body),
                device.held().view().sync
            ));
        }
    }
    let tokens: Vec<(&str, String)> = devices
        .iter()
        .filter_map(|d| {
            Some((
                d.name.as_str(),
                d.held().model.registration()?.token.clone(),
            ))
        })
        .collect();
    for (sha256, (report, erased)) in &listed {
        let rows = db.count(
            "SELECT (SELECT COUNT(*) FROM photos WHERE sha256 = ?1)
                  + (SELECT COUNT(*) FROM tenant_photos WHERE sha256 = ?1)",
            &[sha256],
        );
        let file = server
            .data_dir()
            .join("photos")
            .join(format!("{sha256}.jpg"));
        let bytes = std::fs::read(&file).ok();
        match (rows, &bytes) {
            (0, None) if *erased => continue,
            (2, Some(bytes)) if hex::encode(sha2::Sha256::digest(bytes)) == *sha256 => {}
            _ => {
                return Err(format!(
                    "photo {sha256} of {report}: {rows} rows for it, its file {}",
                    bytes.as_ref().map_or("missing".to_owned(), |b| {
                        format!(
                            "{} bytes hashing to {}",
                            b.len(),
                            hex::encode(sha2::Sha256::digest(b))
                        )
                    })
                ));
            }
        }
        let path = format!("/v1/{}/photos/{sha256}", super::server::TENANT);
        for (name, token) in &tokens {
            let answer = server.get(&path, Some(token));
            if answer.status != 200 || Some(&answer.body) != bytes.as_ref() {
                return Err(format!(
                    "{name}: reads photo {sha256} of {report} as {} ({} bytes)",
                    answer.status,
                    answer.body.len()
                ));
            }
        }
        let stranger = server.get(&path, None).status;
        if stranger == 200 {
            return Err(format!(
                "photo {sha256} of {report} is served without a token"
            ));
        }
    }
    Ok(())
}

/// Nothing of the deleted identity stays on the server: no device, account, support, follow,
/// rating or recorded change, and no report or note linked to its devices.
fn forgotten(db: &Reader, identity: &Erased) -> Result<(), String> {
    let devices: Vec<&str> = identity.devices.iter().map(String::as_str).collect();
    // `?1, ?2, ...`, one for each device (`NULL` for none, which matches nothing).
    let list = (1..=devices.len())
        .map(|i| format!("?{i}"))
        .collect::<Vec<_>>()
        .join(", ");
    let list = if list.is_empty() { "NULL".into() } else { list };
    let left = [
        ("devices", "id"),
        ("reports", "device_id"),
        ("report_notes", "device_id"),
        ("device_mutations", "device_id"),
        ("supports", "citizen"),
        ("zone_follows", "citizen"),
        ("ratings", "citizen"),
    ];
    for (table, column) in left {
        let query = format!("SELECT COUNT(*) FROM {table} WHERE {column} IN ({list})");
        let rows = db.count(&query, &devices);
        if rows > 0 {
            return Err(format!(
                "the deleted identity of {devices:?} is still there: {query} counts {rows}"
            ));
        }
    }
    if let Some(email) = &identity.email {
        let accounts = db.count("SELECT COUNT(*) FROM accounts WHERE email = ?1", &[email]);
        if accounts > 0 {
            return Err(format!("the deleted account of {email} is still there"));
        }
    }
    Ok(())
}

/// The request `id` an Open311 application was given is on the server, and Open311 shows its
/// status as the server holds it.
fn read_through_open311(
    server: &SimServer,
    reports: &BTreeMap<String, ServerReport>,
    id: &str,
) -> Result<(), String> {
    let Some(report) = reports.get(id) else {
        return Err(format!(
            "Open311 request {id} was acknowledged but is not on the server"
        ));
    };
    let answer = server.get(
        &format!(
            "/open311/v2/requests/{id}.json?jurisdiction_id={}",
            super::server::TENANT
        ),
        None,
    );
    let read: serde_json::Value = serde_json::from_slice(&answer.body).unwrap_or_default();
    let status: ReportStatus =
        serde_json::from_value(serde_json::Value::String(report.status.clone())).unwrap();
    let expected = if relais_domain::status::is_open(status) {
        "open"
    } else {
        "closed"
    };
    if answer.status != 200 || read[0]["status"] != expected {
        return Err(format!(
            "Open311 reads request {id} ({} v{}) as {}: {read}",
            report.status, report.version, answer.status
        ));
    }
    Ok(())
}
