//! Every statement of a write and of a pull, run on a real file and checked with
//! `EXPLAIN QUERY PLAN`: none may scan a table (each must find its rows through an index), so
//! that the cost of a push or a pull page does not grow with the history. (The hourly expiry
//! reads the tenants table whole: it is not on these paths.)

use std::collections::BTreeMap;
use std::sync::Mutex;

use relais_protocol::{GeoPoint, LocalizedText, ReportStatus};
use relais_server_database::writes::{
    ActorRecord, CitizenMessage, Confirmation, HistoryEntry, Ledger, LedgerEntry, NewAlert,
    NewRating, NewReport, NewSupport, OriginalIndex, StaffMessage, WorkflowChange, Write,
    ZoneFollow,
};
use relais_server_database::{
    Database, DeviceRecord, FactsQuery, NearbyQuery, NewDevice, NewStaff, Plan, Position, Scope,
    TokenHash, TownDefinition, TownFile, TownZone,
};
use rusqlite::Connection;
use rusqlite::trace::{TraceEvent, TraceEventCodes};
use uuid::Uuid;

use crate::Sqlite;

/// The statements run while recording.
static RECORDED: Mutex<Vec<String>> = Mutex::new(Vec::new());

fn record(event: TraceEvent<'_>) {
    // With its parameters written in, so that the plan can be asked as is.
    if let TraceEvent::Stmt(statement, sql) = event {
        let sql = statement.expanded_sql().unwrap_or_else(|| sql.to_owned());
        RECORDED.lock().unwrap().push(sql);
    }
}

/// The plan lines of `sql` that scan a real table (a scan of the statement's own input, a
/// `json_each` list or a small derived table, is fine).
fn scans(conn: &Connection, sql: &str) -> Vec<String> {
    let mut stmt = conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}")).unwrap();
    stmt.query_map([], |row| row.get::<_, String>(3))
        .unwrap()
        .map(Result::unwrap)
        .filter(|detail| {
            detail.starts_with("SCAN")
                && !detail.contains("json_each")
                && !detail.starts_with("SCAN (subquery")
        })
        .collect()
}

fn town() -> TownDefinition {
    let tenant: TownFile = serde_json::from_value(serde_json::json!({
        "id": "t", "name": "T",
        "services": [{"code": "roads", "name": {"fr": "Voirie", "en": "Roads"}},
                     {"code": "parks", "name": {"fr": "Parcs", "en": "Parks"}}],
        "groups": [{"code": "street", "name": {"fr": "Rue", "en": "Street"}}],
        "categories": [{"code": "pothole", "group": "street",
                        "name": {"fr": "Nid-de-poule", "en": "Pothole"}, "service": "roads"}]
    }))
    .unwrap();
    let square = r#"{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}"#;
    TownDefinition {
        tenant,
        zones: vec![TownZone {
            code: "z".into(),
            name: "Z".into(),
            kind: "commune".into(),
            parent: None,
            geometry: square.into(),
        }],
        digest: "plans".into(),
    }
}

fn history(action: &str, status: ReportStatus, actor: ActorRecord) -> HistoryEntry {
    HistoryEntry {
        action: action.into(),
        status,
        status_changed: true,
        actor,
        channel: "device".into(),
        device: None,
        detail: Some(LocalizedText::new("d", "d")),
    }
}

fn report(id: Uuid, device: Uuid, citizen: &str) -> Write {
    Write::Report(Box::new(NewReport {
        id,
        category: "pothole".into(),
        location: GeoPoint {
            lat: 0.5,
            lon: 0.5,
            accuracy_m: None,
        },
        text: "t".into(),
        photos: Vec::new(),
        created_at_ms: 1,
        received_at_ms: 2,
        due_at_ms: Some(3),
        zone: "z".into(),
        service: "roads".into(),
        answers: BTreeMap::new(),
        duplicate_of: None,
        cell: Some(42),
        device,
        citizen: citizen.into(),
        channel: "device".into(),
        history: history(
            "filed",
            ReportStatus::Received,
            ActorRecord::Citizen(citizen.into()),
        ),
    }))
}

#[tokio::test]
async fn every_statement_of_a_write_and_a_pull_uses_an_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("relais.db");
    let db = Sqlite::open(&path).await.unwrap();
    db.seed(town()).await.unwrap();
    let (device, other) = (Uuid::now_v7(), Uuid::now_v7());
    for (id, token) in [(device, 1), (other, 2)] {
        db.register_device(NewDevice {
            id,
            tenant: "t".into(),
            token: TokenHash([token; 32]),
            platform: "p".into(),
            app_version: "v".into(),
            language: None,
            created_at_ms: 0,
        })
        .await
        .unwrap();
    }
    let staff = Uuid::now_v7();
    db.add_staff(NewStaff {
        id: staff,
        tenant: Some("t".into()),
        email: "a@t.example".into(),
        name: "A".into(),
        role: relais_protocol::StaffRole::Agent,
        services: vec!["roads".into()],
        zones: Vec::new(),
        password_hash: None,
        created_at_ms: 0,
    })
    .await
    .unwrap();
    drop(db);

    let mut conn = Connection::open(&path).unwrap();
    conn.trace_v2(TraceEventCodes::SQLITE_TRACE_STMT, Some(record));
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
    let (citizen, neighbour) = (device.to_string(), other.to_string());
    let device_record = DeviceRecord {
        id: device,
        tenant: "t".into(),
        citizen: citizen.clone(),
        staff: None,
    };
    let query = FactsQuery {
        tenant: "t".into(),
        device: Some(device_record.clone()),
        seqs: Some(1..=3),
        report_ids: vec![first, second],
        service_ids: vec!["s".into()],
        staff_emails: vec!["a@t.example".into()],
        nearby: vec![NearbyQuery {
            category: "pothole".into(),
            cells: vec![41, 42],
            statuses: vec![ReportStatus::Received],
            since_ms: 0,
        }],
    };
    let staff_change = |report, version, service: Option<&str>, merged| {
        Write::Workflow(Box::new(WorkflowChange {
            report_id: report,
            staff,
            version,
            service: service.map(Into::into),
            assigned_to: Some(Some(staff)),
            scheduled_for_ms: Some(5),
            completion_photos: vec!["p".into()],
            merged_into: merged,
            acknowledges: true,
            resolves: true,
            closes: true,
            original: OriginalIndex::Remove,
            reply: Some(StaffMessage {
                id: Uuid::now_v7(),
                text: "r".into(),
            }),
            note: Some(StaffMessage {
                id: Uuid::now_v7(),
                text: "n".into(),
            }),
            history: history("resolve", ReportStatus::Resolved, ActorRecord::Staff(staff)),
        }))
    };
    let plan = Plan {
        tenant: "t".into(),
        now_ms: 10,
        ledger: Some(Ledger {
            device,
            entries: vec![LedgerEntry {
                seq: 1,
                mutation_id: Uuid::now_v7(),
                kind: "create_report",
                rejection: None,
            }],
        }),
        writes: vec![
            report(first, device, &citizen),
            report(second, other, &neighbour),
            Write::CitizenMessage(CitizenMessage {
                id: Uuid::now_v7(),
                report_id: first,
                device,
                text: "m".into(),
            }),
            Write::Support(NewSupport {
                report_id: second,
                citizen: citizen.clone(),
            }),
            Write::Confirmation(Confirmation {
                report_id: first,
                version: 2,
                satisfaction: Some(4),
                original: OriginalIndex::Add { cell: 42 },
                history: history(
                    "reopened",
                    ReportStatus::Reopened,
                    ActorRecord::Citizen(citizen.clone()),
                ),
            }),
            staff_change(second, 2, Some("parks"), Some(first)),
            staff_change(first, 3, None, None),
            Write::Rating(NewRating {
                service_id: "s".into(),
                citizen: citizen.clone(),
                satisfaction: 3,
                importance: 4,
                comment: None,
            }),
            Write::Follow(ZoneFollow {
                citizen: citizen.clone(),
                zone: "z".into(),
                origin: Some("explicit"),
            }),
            Write::Follow(ZoneFollow {
                citizen: citizen.clone(),
                zone: "z".into(),
                origin: None,
            }),
            Write::Alert(NewAlert {
                id: Uuid::now_v7(),
                zones: vec!["z".into()],
                buckets: vec!["z".into()],
                title: LocalizedText::new("t", "t"),
                text: LocalizedText::new("t", "t"),
                starts_at_ms: 0,
                ends_at_ms: 1,
                staff: Some(staff),
            }),
        ],
    };
    // The rating's service does not exist: the write path is what is checked, not the data.
    conn.pragma_update(None, "foreign_keys", false).unwrap();
    let tx = conn.transaction().unwrap();
    crate::facts::read(&tx, &query).unwrap();
    crate::write::apply(&tx, &plan).unwrap();
    tx.commit().unwrap();
    let scope = Scope {
        tenant: "t".into(),
        citizen: Some(citizen.clone()),
        buckets: vec![format!("c:{citizen}"), "z:z".into(), "s:roads".into()],
        task_zones: Some(vec!["z".into()]),
    };
    crate::pull::page(&mut conn, &scope, &Position::Start, 2).unwrap();
    crate::pull::page(
        &mut conn,
        &scope,
        &Position::Everywhere {
            epoch: String::new(),
            seq: 1,
        },
        2,
    )
    .unwrap();
    conn.trace_v2(TraceEventCodes::empty(), None);

    let statements: Vec<String> = std::mem::take(&mut *RECORDED.lock().unwrap());
    assert!(statements.len() > 40, "{statements:#?}");
    let mut scanning = Vec::new();
    for sql in &statements {
        let sql = sql.trim();
        if ["BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK"]
            .iter()
            .any(|word| sql.starts_with(word))
        {
            continue;
        }
        let found = scans(&conn, sql);
        if !found.is_empty() {
            scanning.push(format!("{found:?} in {sql}"));
        }
    }
    assert!(scanning.is_empty(), "{}", scanning.join("\n\n"));
}
