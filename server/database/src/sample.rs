//! A sample of a town, one write and one pull that between them run every statement of the
//! push and pull paths (every kind of write, the facts a push reads, a pull page from the start
//! and from a position), shared by the backends' query-plan tests: each runs it on its own
//! database and checks that no statement scans a table whose size grows with the history.

use std::collections::BTreeMap;

use relais_protocol::{GeoPoint, LocalizedText, PublicService, ReportStatus, StaffRole};
use uuid::Uuid;

use crate::writes::{
    ActorRecord, CitizenMessage, Confirmation, HistoryEntry, Ledger, LedgerEntry, NewAlert,
    NewRating, NewReport, NewSupport, OriginalIndex, ReportedFollow, StaffMessage, WorkflowChange,
    Write, ZoneFollow,
};
use crate::{
    Database, DbResult, FactsQuery, NearbyQuery, NewDevice, NewStaff, Plan, Scope, TokenHash,
    TownDefinition, TownFile, TownZone,
};

/// The service the sample's rating is about: a directory entry the test must create (a
/// backend that checks foreign keys refuses the rating otherwise).
pub const RATED_SERVICE: &str = "s";

/// The people of the sample, stored by [`populate`].
#[derive(Debug, Clone, Copy)]
pub struct People {
    /// The device that pushes and pulls (its citizen is its id).
    pub device: Uuid,
    /// A neighbour's device.
    pub other: Uuid,
    /// An agent of `roads`, `a@t.example`.
    pub staff: Uuid,
}

/// Stores the sample's town, its directory entry [`RATED_SERVICE`], two devices and an agent.
///
/// # Errors
/// As the storage's.
pub async fn populate(db: &impl Database) -> DbResult<People> {
    db.seed(town()).await?;
    let service = PublicService {
        id: RATED_SERVICE.into(),
        name: LocalizedText::new("S", "S"),
        kind: LocalizedText::new("Mairie", "Town hall"),
        address: None,
        location: None,
        opening_hours: None,
        phone: None,
        website: None,
        ratings: None,
    };
    db.import_directory("t", vec![service]).await?;
    let people = People {
        device: Uuid::now_v7(),
        other: Uuid::now_v7(),
        staff: Uuid::now_v7(),
    };
    for (id, token) in [(people.device, 1), (people.other, 2)] {
        db.register_device(NewDevice {
            id,
            tenant: "t".into(),
            token: TokenHash([token; 32]),
            platform: "p".into(),
            app_version: "v".into(),
            language: None,
            created_at_ms: 0,
        })
        .await?;
    }
    db.add_staff(NewStaff {
        id: people.staff,
        tenant: Some("t".into()),
        email: "a@t.example".into(),
        name: "A".into(),
        role: StaffRole::Agent,
        services: vec!["roads".into()],
        zones: Vec::new(),
        password_hash: None,
        created_at_ms: 0,
    })
    .await?;
    Ok(people)
}

/// Town `t`: services `roads` and `parks`, category `pothole`, one square zone `z`.
#[must_use]
pub fn town() -> TownDefinition {
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

/// A history entry of `action` leading to `status`.
#[must_use]
pub fn history(action: &str, status: ReportStatus, actor: ActorRecord) -> HistoryEntry {
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

/// A new report of `pothole` in zone `z`, in cell 42, by `device` for `citizen`, who reported
/// there before.
#[must_use]
pub fn report(id: Uuid, device: Uuid, citizen: &str) -> Write {
    report_following(id, device, citizen, ReportedFollow::Refreshed { at_ms: 2 })
}

/// [`report`], doing `follow` to the zones its citizen follows.
fn report_following(id: Uuid, device: Uuid, citizen: &str, follow: ReportedFollow) -> Write {
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
        follow,
        history: history(
            "filed",
            ReportStatus::Received,
            ActorRecord::Citizen(citizen.into()),
        ),
    }))
}

/// What one push of `device` (whose citizen is its id) reads and writes, touching reports of
/// `device` and `other`, with the agent `staff` acting: every kind of write.
#[must_use]
pub fn push(
    People {
        device,
        other,
        staff,
    }: People,
) -> (FactsQuery, Plan) {
    let (first, second) = (Uuid::now_v7(), Uuid::now_v7());
    let (citizen, neighbour) = (device.to_string(), other.to_string());
    let device_record = crate::DeviceRecord {
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
        service_ids: vec![RATED_SERVICE.into()],
        staff_emails: vec!["a@t.example".into()],
        nearby: vec![NearbyQuery {
            category: "pothole".into(),
            cells: vec![41, 42],
            since_ms: 0,
        }],
        follows: true,
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
            report_following(
                first,
                device,
                &citizen,
                ReportedFollow::Started {
                    at_ms: 2,
                    dropped: vec!["y".into()],
                },
            ),
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
                service_id: RATED_SERVICE.into(),
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
    (query, plan)
}

/// What a pull of `device`'s citizen reads: its own reports, zone `z`, service `roads`'s tasks.
#[must_use]
pub fn scope(device: Uuid) -> Scope {
    let citizen = device.to_string();
    Scope {
        tenant: "t".into(),
        citizen: Some(citizen.clone()),
        buckets: vec![format!("c:{citizen}"), "z:z".into(), "s:roads".into()],
        task_zones: Some(vec!["z".into()]),
    }
}
