//! Tests of the sync rules together with the storage: one suite run on both backends, SQLite
//! (real database files in temporary directories) and PostgreSQL (a fresh database on the server
//! `RELAIS_TEST_POSTGRES` names, see `relais_server_postgres::testing`). A test written inside
//! [`on_both_backends!`] runs as `…::sqlite::NAME` and `…::postgres::NAME`; the others run on
//! SQLite only, each saying why where it is written.

mod accounts;
mod alerts;
mod catalogue;
mod citizen;
pub(crate) mod fuzz;
mod imports;
mod open311;
mod retention;
mod scope;
mod workflow;

use std::collections::HashMap;
use std::sync::Mutex;

use relais_protocol::{
    Change, Cursor, GeoPoint, Mutation, MutationOp, Outcome, PullResponse, PushResponse,
    ReportStatus,
};
use tempfile::TempDir;
use uuid::Uuid;

use relais_server_database::{Database, DeviceRecord, NewDevice};
use relais_server_postgres::Postgres;
use relais_server_sqlite::Sqlite;

use crate::directory::current::Directories;
use crate::seed::{self, TownDefinition};
use crate::sync::push::{PushError, push};
use crate::sync::{BatchRefusal, pull::pull};
use crate::token::BearerToken;
use crate::town::Towns;

/// Hôtel de Ville, in the 4th arrondissement.
const PARIS: (f64, f64) = (48.8566, 2.3522);
/// Clermont-Ferrand: far outside Paris.
const OUTSIDE: (f64, f64) = (45.78, 3.08);
const CATEGORY: &str = "autres_encombrants_abandonnes";

/// Defines each test twice, in a module per backend where `Fixture` is the [`Harness`] on that
/// backend: `sqlite::NAME`, and `postgres::NAME` (which says it was skipped when no PostgreSQL
/// server is named, and fails under CI then).
macro_rules! on_both_backends {
    ($($(#[$meta:meta])* async fn $name:ident() $body:block)*) => {
        mod sqlite {
            #[allow(unused_imports)]
            use super::*;
            type Fixture = crate::tests::Harness<relais_server_sqlite::Sqlite>;
            $($(#[$meta])* async fn $name() $body)*
        }
        mod postgres {
            #[allow(unused_imports)]
            use super::*;
            type Fixture = crate::tests::Harness<relais_server_postgres::Postgres>;
            $($(#[$meta])* async fn $name() {
                if relais_server_postgres::testing::test_server(stringify!($name)).is_none() {
                    return;
                }
                $body
            })*
        }
    };
}
pub(crate) use on_both_backends;

/// The tests' fixture on SQLite, for the tests that run there only.
type Fixture = Harness<Sqlite>;

/// A backend the rules are tested on: how a test gets a fresh database of it.
pub(crate) trait Backend: Database + Sized {
    /// A fresh, empty, migrated database, and where its tables are for [`Tables`].
    async fn fresh() -> (Self, Tables);
}

impl Backend for Sqlite {
    async fn fresh() -> (Self, Tables) {
        let dir = TempDir::new().unwrap();
        let db = Sqlite::open(&dir.path().join("relais.db")).await.unwrap();
        (db, Tables::File(dir))
    }
}

impl Backend for Postgres {
    async fn fresh() -> (Self, Tables) {
        let server = relais_server_postgres::testing::test_server("a test").unwrap();
        let url = relais_server_postgres::testing::fresh_database(&server)
            .await
            .unwrap();
        let db = Postgres::open(&url).await.unwrap();
        (db, Tables::Postgres(url))
    }
}

/// A test's direct access to the stored tables, behind the server's back (as another server or
/// an administrator would change them). The SQL is what both backends understand; values are
/// written into it with [`sql_value`].
pub(crate) enum Tables {
    /// The SQLite file `relais.db` of this directory.
    File(TempDir),
    /// The PostgreSQL database of this URL.
    Postgres(String),
}

impl Tables {
    /// Runs `sql` and returns the first column of its first row, if any, as text.
    fn query(&self, sql: &str) -> Option<String> {
        match self {
            Self::File(dir) => {
                let conn = rusqlite::Connection::open(dir.path().join("relais.db")).unwrap();
                let mut stmt = conn.prepare(sql).unwrap();
                let mut rows = stmt.query([]).unwrap();
                rows.next()
                    .unwrap()
                    .map(|row| match row.get_ref(0).unwrap() {
                        rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                        rusqlite::types::ValueRef::Text(t) => {
                            String::from_utf8(t.to_vec()).unwrap()
                        }
                        other => panic!("unexpected value {other:?}"),
                    })
            }
            Self::Postgres(url) => Self::on_postgres(url, sql, true),
        }
    }

    /// Runs `sql`, a statement.
    fn execute(&self, sql: &str) {
        match self {
            Self::File(dir) => {
                let conn = rusqlite::Connection::open(dir.path().join("relais.db")).unwrap();
                conn.execute(sql, []).unwrap();
            }
            Self::Postgres(url) => {
                Self::on_postgres(url, sql, false);
            }
        }
    }

    /// Runs `sql` on PostgreSQL from a thread of its own (the test's runtime is busy awaiting
    /// the caller), reading the first column of its first row as text when `read`.
    fn on_postgres(url: &str, sql: &str, read: bool) -> Option<String> {
        let (url, sql) = (url.to_owned(), sql.to_owned());
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let (client, connection) = tokio_postgres::connect(&url, tokio_postgres::NoTls)
                    .await
                    .unwrap();
                tokio::spawn(connection);
                if !read {
                    client.batch_execute(&sql).await.unwrap();
                    return None;
                }
                let rows = client.simple_query(&sql).await.unwrap();
                rows.into_iter().find_map(|message| match message {
                    tokio_postgres::SimpleQueryMessage::Row(row) => {
                        Some(row.get(0).map(str::to_owned))
                    }
                    _ => None,
                })?
            })
        })
        .join()
        .unwrap()
    }
}

/// A value a test writes into its SQL in place of `?1`, `?2`... (see [`render`]).
pub(crate) enum Value {
    Text(String),
    Int(i64),
}

impl From<&str> for Value {
    fn from(text: &str) -> Self {
        Self::Text(text.to_owned())
    }
}

impl From<String> for Value {
    fn from(text: String) -> Self {
        Self::Text(text)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Self::Int(n)
    }
}

/// `sql` with each `?N` replaced by the `N`th value, texts quoted: the same text for both
/// backends (a test's own values only).
pub(crate) fn render(sql: &str, values: &[Value]) -> String {
    let mut sql = sql.to_owned();
    // From the last, so that `?1` does not eat the start of `?10`.
    for (index, value) in values.iter().enumerate().rev() {
        let literal = match value {
            Value::Text(text) => format!("'{}'", text.replace('\'', "''")),
            Value::Int(n) => n.to_string(),
        };
        sql = sql.replace(&format!("?{}", index + 1), &literal);
    }
    sql
}

pub(crate) struct Harness<D> {
    tables: Tables,
    db: D,
    towns: Towns,
    directories: Directories,
    /// Per tenant, a citizen device that follows every zone of the town: it sees every report.
    observers: Mutex<HashMap<String, DeviceRecord>>,
}

impl<D: Backend> Harness<D> {
    async fn demo() -> Self {
        let (db, tables) = D::fresh().await;
        assert!(db.seed(seed::demo().unwrap()).await.unwrap());
        let towns = Towns::default();
        towns.load_all(&db).await.unwrap();
        Self {
            tables,
            db,
            towns,
            directories: Directories::default(),
            observers: Mutex::default(),
        }
    }

    /// Seeds another tenant without reloading the towns held: the first push of that tenant
    /// must find it by itself.
    async fn seed(&self, seed: TownDefinition) {
        assert!(self.db.seed(seed).await.unwrap());
    }

    async fn device(&self, tenant: &str) -> (DeviceRecord, BearerToken) {
        let token = BearerToken::device();
        let id = Uuid::now_v7();
        self.db
            .register_device(NewDevice {
                id,
                tenant: tenant.into(),
                token: token.hash(),
                platform: "test".into(),
                app_version: "0".into(),
                language: None,
                created_at_ms: 0,
            })
            .await
            .unwrap();
        let device = self.db.device(tenant, token.hash()).await.unwrap().unwrap();
        assert_eq!(device.id, id);
        assert_eq!(
            (device.citizen.as_str(), &device.staff),
            (&*id.to_string(), &None)
        );
        (device, token)
    }

    async fn push(
        &self,
        device: &DeviceRecord,
        mutations: Vec<Mutation>,
    ) -> Result<PushResponse, PushError> {
        push(&self.db, &self.towns, device, mutations).await
    }

    /// Pulls as a citizen who follows every zone of the town: every report, publicly.
    async fn pull(&self, tenant: &str, cursor: &Cursor, limit: u32) -> PullResponse {
        let observer = self.observer(tenant).await;
        self.pull_as(&observer, cursor, limit).await
    }

    async fn pull_as(&self, viewer: &DeviceRecord, cursor: &Cursor, limit: u32) -> PullResponse {
        pull(
            &self.db,
            &self.towns,
            &self.directories,
            viewer,
            cursor,
            Some(limit),
        )
        .await
        .unwrap()
        .unwrap()
    }

    /// The citizen device of `tenant` that follows every top-level zone (so every zone).
    async fn observer(&self, tenant: &str) -> DeviceRecord {
        if let Some(device) = self.observers.lock().unwrap().get(tenant) {
            return device.clone();
        }
        let (device, _) = self.device(tenant).await;
        let town = self.towns.get(&self.db, tenant).await.unwrap().unwrap();
        let follows: Vec<Mutation> = town
            .catalogue
            .zones
            .iter()
            .filter(|zone| zone.parent.is_none())
            .zip(1..)
            .map(|(zone, seq)| {
                mutation(
                    seq,
                    MutationOp::FollowZone {
                        zone: zone.code.clone(),
                    },
                )
            })
            .collect();
        let pushed = self.push(&device, follows).await.unwrap();
        assert!(pushed.results.iter().all(|r| r.outcome == Outcome::Applied));
        self.observers
            .lock()
            .unwrap()
            .insert(tenant.to_owned(), device.clone());
        device
    }

    /// The number `sql` selects (a count, a sequence number...).
    fn count(&self, sql: &str) -> i64 {
        self.value(sql).parse().unwrap()
    }

    /// The one value `sql` selects, as text.
    fn value(&self, sql: &str) -> String {
        self.tables.query(sql).unwrap()
    }
}

fn mutation(seq: u64, op: MutationOp) -> Mutation {
    Mutation {
        seq,
        mutation_id: Uuid::now_v7(),
        op,
    }
}

fn create_at(report_id: Uuid, (lat, lon): (f64, f64)) -> MutationOp {
    MutationOp::CreateReport {
        report_id,
        category: CATEGORY.into(),
        location: GeoPoint {
            lat,
            lon,
            accuracy_m: Some(5.0),
        },
        text: "Un matelas sur le trottoir".into(),
        created_at_ms: 1_700_000_000_000,
        photos: vec![],
        answers: std::collections::BTreeMap::new(),
    }
}

fn create(seq: u64) -> Mutation {
    mutation(seq, create_at(Uuid::now_v7(), PARIS))
}

fn reason_code(outcome: &Outcome) -> &str {
    match outcome {
        Outcome::Rejected { reason } => &reason.code,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn report_ids(page: &PullResponse) -> Vec<Uuid> {
    page.changes
        .iter()
        .filter_map(|change| match change {
            Change::Report { report, .. } => Some(report.id),
            Change::Task { task } => Some(task.report.id),
            Change::ReportRemoved { id } | Change::TaskRemoved { id } => Some(*id),
            Change::Thread { report_id, .. } => Some(*report_id),
            Change::Alert { .. } | Change::Follows { .. } => None,
        })
        .collect()
}

/// A second town with one square zone around Lyon and one category.
fn lyon_seed() -> TownDefinition {
    let tenant = r#"{"id":"lyon","name":"Lyon","services":[{"code":"voirie","name":{"fr":"Voirie","en":"Roads"}}],
        "groups":[{"code":"rue","name":{"fr":"Rue","en":"Street"}}],
        "categories":[{"code":"nid_de_poule","group":"rue","name":{"fr":"Nid-de-poule","en":"Pothole"},"service":"voirie"}]}"#;
    let zones = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"code":"69381","name":"Lyon 1er","kind":"arrondissement"},
        "geometry":{"type":"Polygon","coordinates":[[[4.8,45.7],[4.9,45.7],[4.9,45.8],[4.8,45.8],[4.8,45.7]]]}}]}"#;
    seed::parse(tenant, zones).unwrap()
}

on_both_backends! {
/// What the back office edits: the stored definition is the seed's (with what devices are not
/// sent: the categories' sources, the zones' geometry), and stored again it changes the town.
#[tokio::test]
async fn the_stored_definition_is_the_seeds_and_can_be_stored_again() {
    let fx = Fixture::demo().await;
    let seeded = seed::demo().unwrap();
    let stored = fx.db.town_definition("demo").await.unwrap().unwrap();
    assert_eq!(stored.digest, seeded.digest);
    assert_eq!(stored.zones.len(), seeded.zones.len());
    for zone in &seeded.zones {
        let found = stored.zones.iter().find(|z| z.code == zone.code).unwrap();
        assert_eq!(
            (&found.name, &found.kind, &found.parent, &found.geometry),
            (&zone.name, &zone.kind, &zone.parent, &zone.geometry)
        );
    }
    let categories = &stored.tenant.categories;
    assert_eq!(categories.len(), seeded.tenant.categories.len());
    assert!(categories.iter().any(|c| c.source.is_some()));
    for category in &seeded.tenant.categories {
        let found = categories.iter().find(|c| c.code == category.code).unwrap();
        assert_eq!(
            serde_json::to_value(found).unwrap(),
            serde_json::to_value(category).unwrap()
        );
    }

    let mut changed = stored;
    let code = changed.tenant.categories[0].code.clone();
    changed.tenant.categories[0].name = relais_protocol::LocalizedText::new("Nid", "Pothole");
    changed.digest = "edited".into();
    assert!(fx.db.seed(changed).await.unwrap());
    let again = fx.db.town_definition("demo").await.unwrap().unwrap();
    assert_eq!(again.digest, "edited");
    let category = again.tenant.categories.iter().find(|c| c.code == code);
    assert_eq!(category.unwrap().name.en, "Pothole");
    assert!(fx.db.town_definition("nowhere").await.unwrap().is_none());
}

#[tokio::test]
async fn seeding_twice_changes_nothing() {
    let fx = Fixture::demo().await;
    let before = fx.db.catalogue("demo").await.unwrap().unwrap();
    let epoch = fx.pull("demo", &Cursor::start(), 1).await.cursor;
    assert!(!fx.db.seed(seed::demo().unwrap()).await.unwrap());
    let after = fx.db.catalogue("demo").await.unwrap().unwrap();
    assert_eq!(before, after);
    assert_eq!(after.version, 1);
    assert_eq!(after.zones.len(), 100);
    assert_eq!(fx.count("SELECT COUNT(*) FROM zones"), 100);
    assert_eq!(
        fx.count("SELECT COUNT(*) FROM categories"),
        i64::try_from(after.categories.len()).unwrap()
    );
    assert_eq!(fx.pull("demo", &Cursor::start(), 1).await.cursor, epoch);
}

#[tokio::test]
async fn a_push_applies_and_its_retry_replays_the_same_outcomes() {
    let fx = Fixture::demo().await;
    let (device, _) = fx.device("demo").await;
    let batch = vec![create(1), mutation(2, create_at(Uuid::now_v7(), OUTSIDE))];

    let first = fx.push(&device, batch.clone()).await.unwrap();
    assert_eq!(first.last_seq, 2);
    assert_eq!(first.results[0].outcome, Outcome::Applied);
    assert_eq!(reason_code(&first.results[1].outcome), "outside_zones");

    let retry = fx.push(&device, batch).await.unwrap();
    assert_eq!(retry.last_seq, 2);
    assert_eq!(retry.results[0].outcome, Outcome::AlreadyApplied);
    assert_eq!(retry.results[1].outcome, first.results[1].outcome);

    assert_eq!(fx.count("SELECT COUNT(*) FROM reports"), 1);
    assert_eq!(fx.count("SELECT COUNT(*) FROM device_mutations"), 2);
    // The report, then the zone its reporter follows from then on.
    assert_eq!(fx.count("SELECT last_change_seq FROM tenants"), 2);
}

#[tokio::test]
async fn a_batch_overlapping_recorded_and_new_mutations_applies_only_the_new() {
    let fx = Fixture::demo().await;
    let (device, _) = fx.device("demo").await;
    let (one, two, three) = (create(1), create(2), create(3));
    fx.push(&device, vec![one, two.clone()]).await.unwrap();
    let answer = fx.push(&device, vec![two, three]).await.unwrap();
    assert_eq!(answer.results[0].outcome, Outcome::AlreadyApplied);
    assert_eq!(answer.results[1].outcome, Outcome::Applied);
    assert_eq!(answer.last_seq, 3);
    assert_eq!(fx.count("SELECT COUNT(*) FROM reports"), 3);
}

#[tokio::test]
async fn a_gap_is_refused_with_the_expected_seq_and_changes_nothing() {
    let fx = Fixture::demo().await;
    let (device, _) = fx.device("demo").await;
    fx.push(&device, vec![create(1)]).await.unwrap();
    let refused = fx.push(&device, vec![create(3), create(4)]).await;
    assert!(matches!(
        refused,
        Err(PushError::Refused(BatchRefusal::Gap { expected_seq: 2 }))
    ));
    assert_eq!(fx.count("SELECT COUNT(*) FROM reports"), 1);
    assert_eq!(fx.count("SELECT COUNT(*) FROM device_mutations"), 1);
}

#[tokio::test]
async fn a_recorded_seq_with_another_mutation_id_is_a_conflict() {
    let fx = Fixture::demo().await;
    let (device, _) = fx.device("demo").await;
    fx.push(&device, vec![create(1), create(2)]).await.unwrap();
    let refused = fx.push(&device, vec![create(2), create(3)]).await;
    assert!(matches!(
        refused,
        Err(PushError::Refused(BatchRefusal::Conflict {
            expected_seq: 3
        }))
    ));
    assert_eq!(fx.count("SELECT COUNT(*) FROM reports"), 2);
}

#[tokio::test]
async fn malformed_batches_are_refused_before_storage() {
    let fx = Fixture::demo().await;
    let (device, _) = fx.device("demo").await;
    for batch in [
        vec![create(1), create(3)],
        vec![create(0)],
        vec![create(u64::MAX), create(1)],
        (1..=501).map(create).collect(),
    ] {
        assert!(matches!(
            fx.push(&device, batch).await,
            Err(PushError::Malformed(_))
        ));
    }
    assert_eq!(fx.count("SELECT COUNT(*) FROM device_mutations"), 0);
    let empty = fx.push(&device, vec![]).await.unwrap();
    assert_eq!(empty.last_seq, 0);
    let far = fx.push(&device, vec![create(u64::MAX)]).await;
    assert!(matches!(
        far,
        Err(PushError::Refused(BatchRefusal::Gap { expected_seq: 1 }))
    ));
}

#[tokio::test]
async fn invalid_mutations_are_rejected_with_a_reason_and_consume_their_seq() {
    let fx = Fixture::demo().await;
    let (device, _) = fx.device("demo").await;
    let reused = Uuid::now_v7();
    let with = |seq, f: &dyn Fn(&mut MutationOp)| {
        let mut op = create_at(Uuid::now_v7(), PARIS);
        f(&mut op);
        mutation(seq, op)
    };
    let set_category = |op: &mut MutationOp| {
        if let MutationOp::CreateReport { category, .. } = op {
            *category = "nope".into();
        }
    };
    let set_text = |text: String| {
        move |op: &mut MutationOp| {
            if let MutationOp::CreateReport { text: t, .. } = op {
                t.clone_from(&text);
            }
        }
    };
    let set_lat = |op: &mut MutationOp| {
        if let MutationOp::CreateReport { location, .. } = op {
            location.lat = 91.0;
        }
    };
    let batch = vec![
        mutation(1, create_at(reused, PARIS)),
        mutation(2, create_at(reused, PARIS)),
        with(3, &set_category),
        with(4, &set_text("   ".into())),
        with(5, &set_text("é".repeat(4001))),
        with(6, &set_lat),
        mutation(7, MutationOp::Unsupported),
    ];
    let answer = fx.push(&device, batch).await.unwrap();
    let codes: Vec<_> = answer.results[1..]
        .iter()
        .map(|r| reason_code(&r.outcome))
        .collect();
    assert_eq!(
        codes,
        [
            "duplicate_id",
            "unknown_category",
            "invalid_text",
            "invalid_text",
            "invalid_location",
            "unsupported"
        ]
    );
    for result in &answer.results[1..] {
        let Outcome::Rejected { reason } = &result.outcome else {
            unreachable!()
        };
        assert!(!reason.message.fr.is_empty() && !reason.message.en.is_empty());
        assert_ne!(reason.message.fr, reason.message.en);
    }
    assert_eq!(answer.last_seq, 7);
    assert_eq!(fx.count("SELECT COUNT(*) FROM reports"), 1);
    assert_eq!(fx.count("SELECT COUNT(*) FROM device_mutations"), 7);
}

#[tokio::test]
async fn notes_only_on_ones_own_reports_and_no_status_change_for_citizens() {
    let fx = Fixture::demo().await;
    let (author, _) = fx.device("demo").await;
    let (neighbour, _) = fx.device("demo").await;
    let report = Uuid::now_v7();
    let note = |seq, text: &str| {
        mutation(
            seq,
            MutationOp::AddNote {
                report_id: report,
                text: text.into(),
            },
        )
    };
    let answer = fx
        .push(
            &author,
            vec![
                mutation(1, create_at(report, PARIS)),
                note(2, "Toujours là ce matin"),
                mutation(
                    3,
                    MutationOp::ChangeStatus {
                        report_id: report,
                        base_version: 1,
                        status: ReportStatus::Resolved,
                        note: None,
                    },
                ),
            ],
        )
        .await
        .unwrap();
    assert_eq!(answer.results[1].outcome, Outcome::Applied);
    assert_eq!(reason_code(&answer.results[2].outcome), "not_permitted");

    let answer = fx
        .push(
            &neighbour,
            vec![
                note(1, "Pas à moi"),
                mutation(
                    2,
                    MutationOp::AddNote {
                        report_id: Uuid::now_v7(),
                        text: "?".into(),
                    },
                ),
            ],
        )
        .await
        .unwrap();
    assert_eq!(reason_code(&answer.results[0].outcome), "not_permitted");
    assert_eq!(reason_code(&answer.results[1].outcome), "not_found");
    assert_eq!(fx.count("SELECT COUNT(*) FROM report_notes"), 1);
}

#[tokio::test]
async fn pull_pages_by_cursor_and_resets_on_a_cursor_it_cannot_serve() {
    let fx = Fixture::demo().await;
    let (device, _) = fx.device("demo").await;
    fx.push(&device, (1..=5).map(create).collect())
        .await
        .unwrap();

    let mut cursor = Cursor::start();
    let mut seen = Vec::new();
    let mut pages = 0;
    loop {
        let page = fx.pull("demo", &cursor, 2).await;
        assert!(!page.reset);
        seen.extend(report_ids(&page));
        cursor = page.cursor;
        pages += 1;
        if !page.has_more {
            break;
        }
    }
    assert_eq!((pages, seen.len()), (3, 5));
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 5);

    let caught_up = fx.pull("demo", &cursor, 2).await;
    assert!(caught_up.changes.is_empty() && !caught_up.has_more && !caught_up.reset);
    assert_eq!(caught_up.cursor, cursor);

    let (epoch, _) = cursor.0.split_once('.').unwrap();
    for unservable in [
        format!("{epoch}.99"),
        "0000000000000000.1".to_owned(),
        "garbage".to_owned(),
    ] {
        let page = fx.pull("demo", &Cursor(unservable.clone()), 2).await;
        assert!(page.reset, "{unservable}");
        assert_eq!(report_ids(&page), seen[..2], "{unservable}");
    }
}

#[tokio::test]
async fn pulled_reports_carry_their_routing_and_history() {
    let fx = Fixture::demo().await;
    let (device, _) = fx.device("demo").await;
    fx.push(&device, vec![create(1)]).await.unwrap();
    let page = fx.pull("demo", &Cursor::start(), 10).await;
    let Change::Report { report, .. } = &page.changes[0] else {
        panic!("expected a report");
    };
    // Hôtel de Ville: the quartier Saint-Merri, in the 4th arrondissement.
    assert_eq!(report.zone, "7510401");
    assert_eq!(report.service.fr, "Propreté et déchets");
    assert_eq!(report.status, ReportStatus::Received);
    assert_eq!(report.version, 1);
    assert_eq!(report.history.len(), 1);
    assert_eq!(report.history[0].status, ReportStatus::Received);
}

#[tokio::test]
async fn tenants_are_isolated() {
    let fx = Fixture::demo().await;
    fx.seed(lyon_seed()).await;
    let (parisian, paris_token) = fx.device("demo").await;
    let (lyonnais, _) = fx.device("lyon").await;
    let report = Uuid::now_v7();
    fx.push(&parisian, vec![mutation(1, create_at(report, PARIS))])
        .await
        .unwrap();

    assert!(
        fx.db
            .device("lyon", paris_token.hash())
            .await
            .unwrap()
            .is_none()
    );
    let lyon_page = fx.pull("lyon", &Cursor::start(), 100).await;
    assert!(report_ids(&lyon_page).is_empty(), "{lyon_page:?}");
    // The Parisian cursor means nothing in Lyon.
    let paris_cursor = fx.pull("demo", &Cursor::start(), 100).await.cursor;
    assert!(fx.pull("lyon", &paris_cursor, 100).await.reset);

    let answer = fx
        .push(
            &lyonnais,
            vec![
                mutation(
                    1,
                    MutationOp::AddNote {
                        report_id: report,
                        text: "Coucou".into(),
                    },
                ),
                mutation(2, create_at(report, (45.75, 4.85))),
                mutation(3, create_at(Uuid::now_v7(), (45.75, 4.85))),
            ],
        )
        .await
        .unwrap();
    assert_eq!(reason_code(&answer.results[0].outcome), "not_found");
    // A Paris category does not exist in Lyon; the Parisian report's id is answered like a new
    // one (ids are unique per town: Lyon learns nothing of Paris's).
    assert_eq!(reason_code(&answer.results[1].outcome), "unknown_category");
    assert_eq!(reason_code(&answer.results[2].outcome), "unknown_category");
    assert_eq!(
        fx.db.catalogue("lyon").await.unwrap().unwrap().zones.len(),
        1
    );
}

#[tokio::test]
async fn a_changed_seed_bumps_the_catalogue_version_and_keeps_the_epoch() {
    let fx = Fixture::demo().await;
    fx.seed(lyon_seed()).await;
    let cursor = fx.pull("lyon", &Cursor::start(), 1).await.cursor;
    let renamed = lyon_seed().tenant;
    let tenant_json = serde_json_tenant(&renamed.id, "Lyon (métropole)");
    let zones = r#"{"type":"FeatureCollection","features":[]}"#;
    assert!(
        fx.db
            .seed(seed::parse(&tenant_json, zones).unwrap())
            .await
            .unwrap()
    );
    let catalogue = fx.db.catalogue("lyon").await.unwrap().unwrap();
    assert_eq!(catalogue.version, 2);
    assert_eq!(catalogue.name, "Lyon (métropole)");
    // Zones and categories dropped from a seed are kept: reports still name them.
    assert_eq!(catalogue.zones.len(), 1);
    assert_eq!(fx.pull("lyon", &cursor, 1).await.cursor, cursor);
}

}

fn serde_json_tenant(id: &str, name: &str) -> String {
    serde_json::json!({
        "id": id, "name": name, "services": [], "groups": [], "categories": []
    })
    .to_string()
}
