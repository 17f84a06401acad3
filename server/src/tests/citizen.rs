//! The citizen experience and agents, on real database files: answers, photos and probable
//! duplicates at filing, "me too", confirmation and reopening, ratings, agents' status changes
//! with their base version, private threads in the pull, and enrolment codes.

use relais_protocol::{Answer, Author, Change, Cursor, MutationOp, Outcome, ReportStatus};
use serde_json::json;
use uuid::Uuid;

use super::{Backend, CATEGORY, Harness, PARIS, Value, create_at, mutation, reason_code};
use crate::clock::now_ms;
use crate::enrolment::{self, EnrolmentCode};
use crate::token::BearerToken;
use relais_protocol::StaffRole;
use relais_server_database::{
    Database, DeviceRecord, NewDevice, NewEnrolment, NewStaff, StaffChange,
};

/// About 100 m north of [`PARIS`].
const NEAR: (f64, f64) = (48.8575, 2.3522);
/// About 400 m north of [`PARIS`], still in the 4th arrondissement.
const FAR: (f64, f64) = (48.8602, 2.3522);
const DAY_MS: i64 = 86_400_000;
/// Five places in five arrondissements: the Hôtel de Ville, the Louvre, the Panthéon, the Opéra,
/// République.
const FIVE_ARRONDISSEMENTS: [(f64, f64); 5] = [
    PARIS,
    (48.8606, 2.3376),
    (48.8462, 2.3464),
    (48.8719, 2.3316),
    (48.8674, 2.3636),
];

/// A device of the fixture's demo tenant with its next sequence number. Like the HTTP layer,
/// it authenticates at every push (its account may have changed).
pub(super) struct Phone {
    pub(super) device: DeviceRecord,
    token: BearerToken,
    seq: u64,
}

impl Phone {
    pub(super) async fn citizen<D: Backend>(fx: &Harness<D>) -> Self {
        let (device, token) = fx.device("demo").await;
        Self {
            device,
            token,
            seq: 0,
        }
    }

    /// An agent of `proprete` (a new staff account), its device enrolled with a one-time code.
    pub(super) async fn agent<D: Backend>(fx: &Harness<D>) -> Self {
        Self::agent_of(fx, "proprete").await
    }

    /// An agent of `service` (a new staff account), its device enrolled with a one-time code.
    pub(super) async fn agent_of<D: Backend>(fx: &Harness<D>, service: &str) -> Self {
        let staff = add_agent(fx, service).await;
        let now = now_ms();
        let code = EnrolmentCode::generate();
        let created = fx
            .db
            .create_enrolment(NewEnrolment {
                code: code.hash(),
                tenant: "demo".into(),
                staff,
                created_at_ms: now,
                expires_at_ms: now + enrolment::VALIDITY_MS,
            })
            .await
            .unwrap();
        assert_eq!(created, StaffChange::Done);
        let token = BearerToken::device();
        let member = fx
            .db
            .enrol_device(new_device(&token, now), enrolment::hash(code.as_str()))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(member.profile.role, StaffRole::Agent);
        let device = fx.db.device("demo", token.hash()).await.unwrap().unwrap();
        assert_eq!(device.staff.as_ref().map(|s| s.id), Some(staff));
        Self {
            device,
            token,
            seq: 0,
        }
    }

    /// Pushes `op` alone and returns its outcome.
    pub(super) async fn send<D: Backend>(&mut self, fx: &Harness<D>, op: MutationOp) -> Outcome {
        self.device = fx
            .db
            .device("demo", self.token.hash())
            .await
            .unwrap()
            .unwrap();
        self.seq += 1;
        let answer = fx
            .push(&self.device, vec![mutation(self.seq, op)])
            .await
            .unwrap();
        answer.results[0].outcome.clone()
    }

    /// Pushes `ops` in one batch and returns their outcomes.
    pub(super) async fn send_all<D: Backend>(
        &mut self,
        fx: &Harness<D>,
        ops: Vec<MutationOp>,
    ) -> Vec<Outcome> {
        self.device = fx
            .db
            .device("demo", self.token.hash())
            .await
            .unwrap()
            .unwrap();
        let batch = ops
            .into_iter()
            .map(|op| {
                self.seq += 1;
                mutation(self.seq, op)
            })
            .collect();
        let answer = fx.push(&self.device, batch).await.unwrap();
        answer.results.into_iter().map(|r| r.outcome).collect()
    }

    pub(super) async fn file<D: Backend>(&mut self, fx: &Harness<D>, at: (f64, f64)) -> Uuid {
        let id = Uuid::now_v7();
        assert_eq!(self.send(fx, create_at(id, at)).await, Outcome::Applied);
        id
    }
}

/// The zones a page says its citizen follows, with why, sorted.
fn followed(page: &relais_protocol::PullResponse) -> Vec<(String, String)> {
    let mut zones: Vec<(String, String)> = page
        .changes
        .iter()
        .find_map(|change| match change {
            Change::Follows { zones } => Some(zones.clone()),
            _ => None,
        })
        .expect("a follows change")
        .into_iter()
        .map(|f| (f.zone, f.origin))
        .collect();
    zones.sort();
    zones
}

/// A new agent account of `service` in the demo town; its e-mail is `agent-<id>@paris.example`.
async fn add_agent<D: Backend>(fx: &Harness<D>, service: &str) -> Uuid {
    let staff = Uuid::now_v7();
    let added = fx
        .db
        .add_staff(NewStaff {
            id: staff,
            tenant: Some("demo".into()),
            email: format!("agent-{staff}@paris.example"),
            name: "Camille Agent".into(),
            role: StaffRole::Agent,
            services: vec![service.into()],
            zones: Vec::new(),
            password_hash: None,
            created_at_ms: now_ms(),
        })
        .await
        .unwrap();
    assert_eq!(added, StaffChange::Done);
    staff
}

fn new_device(token: &BearerToken, now: i64) -> NewDevice {
    NewDevice {
        id: Uuid::now_v7(),
        tenant: "demo".into(),
        token: token.hash(),
        platform: "test".into(),
        app_version: "0".into(),
        language: None,
        created_at_ms: now,
    }
}

impl<D: Backend> Harness<D> {
    /// Runs `sql` with `values` in place of `?1`, `?2`...
    fn sql(&self, sql: &str, values: &[Value]) {
        self.tables.execute(&super::render(sql, values));
    }

    /// Changes the demo's catalogue behind the server's back, as another server would: the
    /// next write finds the stored catalogue newer than the one held, and reloads it.
    pub(super) fn change_catalogue(&self, sql: &str, values: &[Value]) {
        self.sql(sql, values);
        self.sql(
            "UPDATE tenants SET catalogue_version = catalogue_version + 1 WHERE id = 'demo'",
            &[],
        );
    }

    /// The text `sql` selects for the report `id` (`?1`).
    fn text(&self, sql: &str, id: Uuid) -> Option<String> {
        self.tables
            .query(&super::render(sql, &[id.to_string().into()]))
    }

    /// The report's public state as pulled from the start.
    pub(super) async fn public(&self, id: Uuid) -> relais_protocol::PublicReport {
        let page = self.pull("demo", &Cursor::start(), 1000).await;
        page.changes
            .into_iter()
            .find_map(|change| match change {
                Change::Report { report, .. } if report.id == id => Some(report.into_inner()),
                _ => None,
            })
            .expect("the report is in the pull")
    }
}

fn with_answers(id: Uuid, photos: &[&str], answers: &[(&str, Answer)]) -> MutationOp {
    let MutationOp::CreateReport {
        report_id,
        category,
        location,
        text,
        created_at_ms,
        ..
    } = create_at(id, PARIS)
    else {
        unreachable!("create_at makes a create_report")
    };
    MutationOp::CreateReport {
        report_id,
        category,
        location,
        text,
        created_at_ms,
        photos: photos.iter().map(|p| (*p).to_owned()).collect(),
        answers: answers
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect(),
    }
}

fn change(
    report_id: Uuid,
    base_version: i64,
    status: ReportStatus,
    note: Option<&str>,
) -> MutationOp {
    MutationOp::ChangeStatus {
        report_id,
        base_version,
        status,
        note: note.map(str::to_owned),
    }
}

crate::tests::on_both_backends! {
#[tokio::test]
async fn answers_are_checked_against_the_category_questions_and_stored() {
    let fx = Fixture::demo().await;
    let questions = json!([
        {"code": "size", "label": {"fr": "Taille de l'objet", "en": "Size of the item"},
         "kind": {"type": "single_choice", "options": [
             {"code": "small", "label": {"fr": "Petit", "en": "Small"}},
             {"code": "large", "label": {"fr": "Grand", "en": "Large"}}]},
         "required": true},
        {"code": "count", "label": {"fr": "Nombre", "en": "Count"},
         "kind": {"type": "number"}, "required": false}
    ]);
    fx.change_catalogue(
        "UPDATE categories SET questions = ?1 WHERE code = ?2",
        &[questions.to_string().into(), CATEGORY.into()],
    );
    let mut phone = Phone::citizen(&fx).await;
    let small = || ("size", Answer::Choice("small".into()));

    let missing = phone
        .send(&fx, with_answers(Uuid::now_v7(), &[], &[]))
        .await;
    let Outcome::Rejected { reason } = missing else {
        panic!("a missing answer is rejected")
    };
    assert_eq!(reason.code, "missing_answer");
    assert!(reason.message.fr.contains("Taille de l'objet"));
    assert!(reason.message.en.contains("Size of the item"));

    for answers in [
        vec![("size", Answer::Choice("huge".into()))],
        vec![("size", Answer::Text("small".into()))],
        vec![small(), ("count", Answer::Text("two".into()))],
        vec![small(), ("colour", Answer::Text("red".into()))],
    ] {
        let outcome = phone
            .send(&fx, with_answers(Uuid::now_v7(), &[], &answers))
            .await;
        assert_eq!(reason_code(&outcome), "invalid_answer", "{answers:?}");
    }

    let id = Uuid::now_v7();
    let outcome = phone
        .send(
            &fx,
            with_answers(id, &[], &[small(), ("count", Answer::Number(2.0))]),
        )
        .await;
    assert_eq!(outcome, Outcome::Applied);
    let stored: serde_json::Value = serde_json::from_str(
        &fx.text("SELECT answers FROM reports WHERE id = ?1", id)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(
        stored,
        json!({"count": {"number": 2.0}, "size": {"choice": "small"}})
    );
}

#[tokio::test]
async fn photos_are_at_most_five_content_addresses() {
    let fx = Fixture::demo().await;
    fx.change_catalogue("UPDATE categories SET questions = '[]'", &[]);
    let mut phone = Phone::citizen(&fx).await;
    let a = "a".repeat(64);
    let b = "0123456789abcdef".repeat(4);
    let six: Vec<&str> = std::iter::repeat_n(a.as_str(), 6).collect();
    for photos in [six, vec!["photo.jpg"], vec![&a, &b.to_uppercase()]] {
        let outcome = phone
            .send(&fx, with_answers(Uuid::now_v7(), &photos, &[]))
            .await;
        assert_eq!(reason_code(&outcome), "invalid_photos", "{photos:?}");
    }
    let id = Uuid::now_v7();
    let outcome = phone.send(&fx, with_answers(id, &[&a, &b], &[])).await;
    assert_eq!(outcome, Outcome::Applied);
    assert_eq!(fx.public(id).await.photos, [a, b]);
}

#[tokio::test]
async fn a_new_report_near_an_open_one_of_its_category_is_flagged_as_its_duplicate() {
    let fx = Fixture::demo().await;
    fx.change_catalogue("UPDATE categories SET questions = '[]'", &[]);
    let mut first = Phone::citizen(&fx).await;
    let mut second = Phone::citizen(&fx).await;
    let original = first.file(&fx, PARIS).await;

    let near = second.file(&fx, NEAR).await;
    let far = second.file(&fx, FAR).await;
    assert_eq!(fx.public(near).await.duplicate_of, Some(original));
    assert_eq!(fx.public(far).await.duplicate_of, None);
    assert_eq!(fx.public(original).await.duplicate_of, None);

    // The category's own radius overrides the town's.
    fx.change_catalogue(
        "UPDATE categories SET duplicate_radius_m = 1000 WHERE code = ?1",
        &[CATEGORY.into()],
    );
    let wide = second.file(&fx, (48.8611, 2.3522)).await;
    // `far` is the nearest open report of the category.
    assert_eq!(fx.public(wide).await.duplicate_of, Some(far));

    // A closed report is not offered: an agent resolves the original.
    fx.change_catalogue(
        "UPDATE categories SET duplicate_radius_m = NULL WHERE code = ?1",
        &[CATEGORY.into()],
    );
    let version = fx.public(original).await.version;
    let resolve = change(original, version, ReportStatus::Resolved, None);
    assert_eq!(Phone::agent(&fx).await.send(&fx, resolve).await, Outcome::Applied);
    assert_eq!(
        fx.public(second.file(&fx, PARIS).await).await.duplicate_of,
        None
    );
    // Nor is an old one: every report received 31 days ago (the spatial index keeps the time).
    for table in ["reports", "open_originals"] {
        fx.sql(
            &format!("UPDATE {table} SET received_at_ms = ?1"),
            &[(now_ms() - 31 * DAY_MS).into()],
        );
    }
    assert_eq!(
        fx.public(second.file(&fx, PARIS).await).await.duplicate_of,
        None
    );

    // Two reports of one batch, by the Louvre where nothing was filed: the second, 100 m
    // north, repeats the first.
    let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
    let louvre = FIVE_ARRONDISSEMENTS[1];
    let answer = fx
        .push(
            &first.device,
            vec![
                mutation(2, create_at(a, louvre)),
                mutation(3, create_at(b, (louvre.0 + 0.0009, louvre.1))),
            ],
        )
        .await
        .unwrap();
    assert!(answer.results.iter().all(|r| r.outcome == Outcome::Applied));
    assert_eq!(fx.public(b).await.duplicate_of, Some(a));
}

#[tokio::test]
async fn me_too_counts_once_per_citizen_and_restamps_the_report() {
    let fx = Fixture::demo().await;
    fx.change_catalogue("UPDATE categories SET questions = '[]'", &[]);
    let mut author = Phone::citizen(&fx).await;
    let mut neighbour = Phone::citizen(&fx).await;
    let report = author.file(&fx, PARIS).await;
    let support = || MutationOp::SupportReport { report_id: report };

    assert_eq!(
        reason_code(&author.send(&fx, support()).await),
        "own_report"
    );
    let cursor = fx.pull("demo", &Cursor::start(), 1000).await.cursor;
    assert_eq!(neighbour.send(&fx, support()).await, Outcome::Applied);
    // A second "me too" of the same citizen is applied and changes nothing.
    assert_eq!(neighbour.send(&fx, support()).await, Outcome::Applied);
    let changed = fx.pull("demo", &cursor, 1000).await;
    let [Change::Report { report: pulled, .. }] = changed.changes.as_slice() else {
        panic!("the supported report is re-stamped once: {changed:?}")
    };
    assert_eq!(pulled.supporters, 1);
    assert_eq!(pulled.version, 1, "a support is not a new version");
    assert_eq!(fx.count("SELECT COUNT(*) FROM supports"), 1);

    // The citizen key: two devices linked to one account count once.
    let mut phone = Phone::citizen(&fx).await;
    let mut tablet = Phone::citizen(&fx).await;
    let account = Uuid::now_v7().to_string();
    fx.sql(
        "INSERT INTO accounts (id, tenant_id, email, contact, language, created_at_ms)
         VALUES (?1, 'demo', 'a@example.org', 'in_app', 'fr', 0)",
        &[account.clone().into()],
    );
    for device in [&phone.device, &tablet.device] {
        fx.sql(
            "UPDATE devices SET account_id = ?1 WHERE id = ?2",
            &[account.clone().into(), device.id.to_string().into()],
        );
    }
    assert_eq!(phone.send(&fx, support()).await, Outcome::Applied);
    assert_eq!(tablet.send(&fx, support()).await, Outcome::Applied);
    assert_eq!(fx.public(report).await.supporters, 2);
    assert_eq!(
        fx.count(&format!(
            "SELECT COUNT(*) FROM supports WHERE citizen = '{account}'"
        )),
        1
    );

    // Unknown and closed reports.
    let outcome = neighbour
        .send(
            &fx,
            MutationOp::SupportReport {
                report_id: Uuid::now_v7(),
            },
        )
        .await;
    assert_eq!(reason_code(&outcome), "not_found");
    let closed = author.file(&fx, FAR).await;
    fx.sql(
        "UPDATE reports SET status = 'rejected' WHERE id = ?1",
        &[closed.to_string().into()],
    );
    let outcome = neighbour
        .send(&fx, MutationOp::SupportReport { report_id: closed })
        .await;
    assert_eq!(reason_code(&outcome), "report_closed");
}


#[tokio::test]
async fn agents_change_status_from_the_current_version_only() {
    let fx = Fixture::demo().await;
    fx.change_catalogue("UPDATE categories SET questions = '[]'", &[]);
    let mut citizen = Phone::citizen(&fx).await;
    let mut agent = Phone::agent(&fx).await;
    let report = citizen.file(&fx, PARIS).await;

    let outcome = citizen
        .send(&fx, change(report, 1, ReportStatus::Acknowledged, None))
        .await;
    assert_eq!(reason_code(&outcome), "not_permitted");
    let outcome = agent
        .send(
            &fx,
            change(Uuid::now_v7(), 1, ReportStatus::Acknowledged, None),
        )
        .await;
    assert_eq!(reason_code(&outcome), "not_found");

    assert_eq!(
        agent
            .send(&fx, change(report, 1, ReportStatus::Acknowledged, None))
            .await,
        Outcome::Applied
    );
    // A second agent acting offline on version 1: a visible conflict, nothing changed.
    let mut colleague = Phone::agent(&fx).await;
    fx.observer("demo").await;
    let before = fx.count("SELECT last_change_seq FROM tenants");
    let Outcome::Rejected { reason } = colleague
        .send(
            &fx,
            change(report, 1, ReportStatus::Scheduled, Some("Demain")),
        )
        .await
    else {
        panic!("a stale base version is a conflict")
    };
    assert_eq!(reason.code, "conflict");
    assert!(
        reason.message.fr.contains("(version 2"),
        "{}",
        reason.message.fr
    );
    assert!(
        reason.message.en.contains("(version 2"),
        "{}",
        reason.message.en
    );
    let public = fx.public(report).await;
    assert_eq!(
        (public.status, public.version),
        (ReportStatus::Acknowledged, 2)
    );
    assert_eq!(fx.count("SELECT last_change_seq FROM tenants"), before);
    // The acknowledgement carried the town's written reply (its template); the refused change
    // wrote nothing.
    assert_eq!(fx.count("SELECT COUNT(*) FROM report_notes"), 1);

    let outcome = agent
        .send(&fx, change(report, 2, ReportStatus::Received, None))
        .await;
    assert_eq!(reason_code(&outcome), "invalid_transition");
    let outcome = agent
        .send(&fx, change(report, 2, ReportStatus::Rejected, Some("  ")))
        .await;
    assert_eq!(reason_code(&outcome), "missing_note");

    assert_eq!(
        agent
            .send(
                &fx,
                change(report, 2, ReportStatus::Resolved, Some("Enlevé ce matin"))
            )
            .await,
        Outcome::Applied
    );
    let public = fx.public(report).await;
    assert_eq!((public.status, public.version), (ReportStatus::Resolved, 3));
    let last = public.history.last().unwrap();
    assert_eq!(last.status, ReportStatus::Resolved);
    // What staff write goes to the reporter's thread, never into the public history.
    assert_eq!(last.note, None);
    assert_eq!(
        fx.count("SELECT COUNT(*) FROM report_notes WHERE text = 'Enlevé ce matin'"),
        1
    );
    assert!(
        fx.text(
            "SELECT CAST(resolved_at_ms AS TEXT) FROM reports WHERE id = ?1",
            report
        )
        .is_some()
    );
    assert_eq!(
        fx.count("SELECT COUNT(*) FROM report_notes WHERE author = 'city'"),
        2
    );
}

#[tokio::test]
async fn the_reporter_confirms_or_reopens_a_resolution_within_the_window() {
    let fx = Fixture::demo().await;
    fx.change_catalogue("UPDATE categories SET questions = '[]'", &[]);
    let mut citizen = Phone::citizen(&fx).await;
    let mut neighbour = Phone::citizen(&fx).await;
    let mut agent = Phone::agent(&fx).await;
    let report = citizen.file(&fx, PARIS).await;
    let confirm = |fixed, satisfaction| MutationOp::ConfirmResolution {
        report_id: report,
        fixed,
        satisfaction,
    };

    assert_eq!(
        reason_code(&citizen.send(&fx, confirm(true, None)).await),
        "not_resolved"
    );
    agent
        .send(&fx, change(report, 1, ReportStatus::Resolved, None))
        .await;
    assert_eq!(
        reason_code(&neighbour.send(&fx, confirm(true, None)).await),
        "not_permitted"
    );
    assert_eq!(
        reason_code(&citizen.send(&fx, confirm(true, Some(9))).await),
        "invalid_rating"
    );
    assert_eq!(
        citizen.send(&fx, confirm(true, Some(4))).await,
        Outcome::Applied
    );
    let public = fx.public(report).await;
    assert_eq!((public.status, public.version), (ReportStatus::Resolved, 2));
    assert_eq!(
        public.history.last().unwrap().note.as_deref(),
        Some("confirmed")
    );
    assert_eq!(fx.count("SELECT satisfaction FROM reports"), 4);

    assert_eq!(
        citizen.send(&fx, confirm(false, None)).await,
        Outcome::Applied
    );
    let public = fx.public(report).await;
    assert_eq!((public.status, public.version), (ReportStatus::Reopened, 3));
    // Reopened, it is again the original of its spot: a report 100 m away repeats it.
    let near = neighbour.file(&fx, NEAR).await;
    assert_eq!(fx.public(near).await.duplicate_of, Some(report));

    // Resolved again, 29 days ago: past the town's 28-day window.
    agent
        .send(&fx, change(report, 3, ReportStatus::Resolved, None))
        .await;
    fx.sql(
        "UPDATE reports SET resolved_at_ms = ?1",
        &[(now_ms() - 29 * DAY_MS).into()],
    );
    assert_eq!(
        reason_code(&citizen.send(&fx, confirm(false, None)).await),
        "window_closed"
    );
    assert_eq!(fx.public(report).await.status, ReportStatus::Resolved);
}

#[tokio::test]
async fn a_citizen_has_one_current_rating_per_service_and_a_history() {
    let fx = Fixture::demo().await;
    fx.sql(
        "INSERT INTO public_services (tenant_id, id, name_fr, name_en, kind_fr, kind_en, position)
         VALUES ('demo', 'mairie-75104', 'Mairie du 4e', 'Town hall (4th)', 'Mairie',
                 'Town hall', 0)",
        &[],
    );
    let mut phone = Phone::citizen(&fx).await;
    let rate =
        |id: &str, satisfaction, importance, comment: Option<String>| MutationOp::RateService {
            service_id: id.into(),
            satisfaction,
            importance,
            comment,
        };
    assert_eq!(
        reason_code(&phone.send(&fx, rate("piscine-x", 3, 3, None)).await),
        "unknown_service"
    );
    for (s, i) in [(0, 3), (3, 6)] {
        assert_eq!(
            reason_code(&phone.send(&fx, rate("mairie-75104", s, i, None)).await),
            "invalid_rating"
        );
    }
    let long = Some("x".repeat(relais_protocol::directory::MAX_COMMENT_CHARS + 1));
    assert_eq!(
        reason_code(&phone.send(&fx, rate("mairie-75104", 3, 3, long)).await),
        "invalid_text"
    );
    // The directory's stamp moves with every accepted rating (a trigger of the schema), and
    // only then: refused ones leave it.
    let stamp = async || fx.db.directory_stamp("demo").await.unwrap().unwrap();
    let before = stamp().await;
    let outcome = phone
        .send(
            &fx,
            rate("mairie-75104", 2, 5, Some("Trop d'attente".into())),
        )
        .await;
    assert_eq!(outcome, Outcome::Applied);
    let first = stamp().await;
    assert!(first.ratings > before.ratings && first.version == before.version);
    let outcome = phone.send(&fx, rate("mairie-75104", 4, 5, None)).await;
    assert_eq!(outcome, Outcome::Applied);
    assert!(stamp().await.ratings > first.ratings);
    fx.sql("UPDATE tenants SET rating_min_sample = 2", &[]);
    let moved = stamp().await;
    assert!(moved.ratings > first.ratings + 1);
    fx.sql("UPDATE tenants SET rating_min_sample = 2", &[]);
    assert_eq!(stamp().await, moved, "an unchanged minimum sample");
    assert_eq!(fx.count("SELECT COUNT(*) FROM ratings"), 1);
    assert_eq!(fx.count("SELECT satisfaction FROM ratings"), 4);
    assert_eq!(fx.count("SELECT COUNT(*) FROM rating_history"), 2);
    let citizen = phone.device.id.to_string();
    assert_eq!(
        fx.count(&format!(
            "SELECT COUNT(*) FROM ratings WHERE citizen = '{citizen}' AND comment IS NULL"
        )),
        1
    );
    // An erased rating moves the stamp too.
    fx.sql("DELETE FROM ratings", &[]);
    assert!(stamp().await.ratings > moved.ratings);
    assert_eq!(fx.db.directory_stamp("nowhere").await.unwrap(), None);
}

#[tokio::test]
async fn a_thread_reaches_only_its_reporter_in_the_same_cursor() {
    let fx = Fixture::demo().await;
    fx.change_catalogue("UPDATE categories SET questions = '[]'", &[]);
    let mut citizen = Phone::citizen(&fx).await;
    let neighbour = Phone::citizen(&fx).await;
    let mut agent = Phone::agent(&fx).await;
    let report = citizen.file(&fx, PARIS).await;
    let note = MutationOp::AddNote {
        report_id: report,
        text: "Toujours là".into(),
    };
    assert_eq!(citizen.send(&fx, note).await, Outcome::Applied);
    agent
        .send(
            &fx,
            change(report, 1, ReportStatus::Scheduled, Some("Passage jeudi")),
        )
        .await;

    let mine = fx.pull_as(&citizen.device, &Cursor::start(), 1000).await;
    let threads: Vec<_> = mine
        .changes
        .iter()
        .filter_map(|change| match change {
            Change::Thread {
                report_id,
                messages,
            } => Some((*report_id, messages.clone())),
            _ => None,
        })
        .collect();
    assert_eq!(threads.len(), 1);
    let (id, messages) = &threads[0];
    assert_eq!(*id, report);
    let texts: Vec<_> = messages
        .iter()
        .map(|m| (m.author, m.text.as_str()))
        .collect();
    assert_eq!(
        texts,
        [
            (Author::Citizen, "Toujours là"),
            (Author::City, "Passage jeudi")
        ]
    );
    // Other citizens never see a thread, not even that it exists (a neighbour follows nothing,
    // the observer every zone); the agent of the report's service sees it in the task.
    let observer = fx.observer("demo").await;
    for viewer in [&neighbour.device, &observer] {
        let theirs = fx.pull_as(viewer, &Cursor::start(), 1000).await;
        assert!(
            theirs.changes.iter().all(|change| matches!(
                change,
                Change::Report { mine: false, .. } | Change::Follows { .. }
            )),
            "{theirs:?}"
        );
    }
    let work = fx.pull_as(&agent.device, &Cursor::start(), 1000).await;
    let task = work
        .changes
        .iter()
        .find_map(|change| match change {
            Change::Task { task } if task.report.id == report => Some(task),
            _ => None,
        })
        .unwrap();
    assert_eq!(task.thread.len(), 2);
    // One cursor: paging one row at a time gives the same changes in the same order.
    let mut cursor = Cursor::start();
    let mut paged = Vec::new();
    loop {
        let page = fx.pull_as(&citizen.device, &cursor, 1).await;
        paged.extend(page.changes);
        cursor = page.cursor;
        if !page.has_more {
            break;
        }
    }
    assert_eq!(paged, mine.changes);
}

#[tokio::test]
async fn retried_pushes_of_the_new_kinds_are_no_ops() {
    let fx = Fixture::demo().await;
    fx.change_catalogue("UPDATE categories SET questions = '[]'", &[]);
    fx.sql(
        "INSERT INTO public_services (tenant_id, id, name_fr, name_en, kind_fr, kind_en, position)
         VALUES ('demo', 'bib', 'Bibliothèque', 'Library', 'Bibliothèque', 'Library', 0)",
        &[],
    );
    let mut author = Phone::citizen(&fx).await;
    let neighbour = Phone::citizen(&fx).await;
    let agent = Phone::agent(&fx).await;
    let report = author.file(&fx, PARIS).await;

    let agent_batch = vec![mutation(
        1,
        change(report, 1, ReportStatus::Resolved, Some("Fait")),
    )];
    let neighbour_batch = vec![
        mutation(1, MutationOp::SupportReport { report_id: report }),
        mutation(
            2,
            MutationOp::RateService {
                service_id: "bib".into(),
                satisfaction: 5,
                importance: 4,
                comment: None,
            },
        ),
    ];
    let author_batch = vec![mutation(
        2,
        MutationOp::ConfirmResolution {
            report_id: report,
            fixed: false,
            satisfaction: Some(1),
        },
    )];
    // The neighbour supports before the agent resolves, then the author reopens.
    for (device, batch) in [
        (&neighbour.device, &neighbour_batch),
        (&agent.device, &agent_batch),
        (&author.device, &author_batch),
    ] {
        let first = fx.push(device, batch.clone()).await.unwrap();
        assert!(
            first.results.iter().all(|r| r.outcome == Outcome::Applied),
            "{first:?}"
        );
    }
    let seq = fx.count("SELECT last_change_seq FROM tenants");
    let rows = fx.count(
        "SELECT (SELECT COUNT(*) FROM report_history) + (SELECT COUNT(*) FROM report_notes)
              + (SELECT COUNT(*) FROM supports) + (SELECT COUNT(*) FROM rating_history)",
    );
    // The neighbour supports before the agent resolves, then the author reopens.
    for (device, batch) in [
        (&neighbour.device, &neighbour_batch),
        (&agent.device, &agent_batch),
        (&author.device, &author_batch),
    ] {
        let retry = fx.push(device, batch.clone()).await.unwrap();
        assert!(
            retry
                .results
                .iter()
                .all(|r| r.outcome == Outcome::AlreadyApplied),
            "{retry:?}"
        );
    }
    assert_eq!(fx.count("SELECT last_change_seq FROM tenants"), seq);
    assert_eq!(
        fx.count(
            "SELECT (SELECT COUNT(*) FROM report_history) + (SELECT COUNT(*) FROM report_notes)
                  + (SELECT COUNT(*) FROM supports) + (SELECT COUNT(*) FROM rating_history)",
        ),
        rows
    );
    let public = fx.public(report).await;
    assert_eq!(
        (public.status, public.version, public.supporters),
        (ReportStatus::Reopened, 3, 1)
    );
}

#[tokio::test]
async fn an_enrolment_code_is_single_use_scoped_revocable_and_expires() {
    let fx = Fixture::demo().await;
    let now = now_ms();
    let staff = add_agent(&fx, "voirie").await;
    let enrol = |code: &EnrolmentCode, staff: Uuid, tenant: &str, expires_at_ms| NewEnrolment {
        code: code.hash(),
        tenant: tenant.into(),
        staff,
        created_at_ms: now,
        expires_at_ms,
    };
    let code = EnrolmentCode::generate();
    let week = now + enrolment::VALIDITY_MS;
    let create = async |enrolment| fx.db.create_enrolment(enrolment).await.unwrap();
    assert_eq!(
        create(enrol(&code, staff, "atlantis", week)).await,
        StaffChange::UnknownTenant
    );
    assert_eq!(
        create(enrol(&code, Uuid::now_v7(), "demo", week)).await,
        StaffChange::UnknownStaff
    );
    assert_eq!(fx.count("SELECT COUNT(*) FROM enrolment_codes"), 0);
    assert_eq!(
        create(enrol(&code, staff, "demo", week)).await,
        StaffChange::Done
    );
    // Only the hash is stored.
    assert_eq!(
        fx.count(&format!(
            "SELECT COUNT(*) FROM enrolment_codes WHERE CAST(code_sha256 AS TEXT) LIKE '%{}%'",
            code.as_str()
        )),
        0
    );
    let first = BearerToken::device();
    let member = fx
        .db
        .enrol_device(new_device(&first, now), code.hash())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        (member.id, member.profile.services.clone()),
        (staff, vec!["voirie".into()])
    );
    let second = BearerToken::device();
    assert!(
        fx.db
            .enrol_device(new_device(&second, now), code.hash())
            .await
            .unwrap()
            .is_none()
    );
    assert!(fx.db.device("demo", second.hash()).await.unwrap().is_none());
    assert_eq!(
        fx.count("SELECT COUNT(*) FROM devices WHERE staff_id IS NOT NULL"),
        1
    );

    let expired = EnrolmentCode::generate();
    create(enrol(&expired, staff, "demo", now + 1000)).await;
    let revoked = EnrolmentCode::generate();
    create(enrol(&revoked, staff, "demo", week)).await;
    let id = hex::encode(&revoked.hash().0[..4]);
    assert!(fx.db.revoke_enrolment("demo", &id, now).await.unwrap());
    assert!(!fx.db.revoke_enrolment("demo", &id, now).await.unwrap());
    for (code, at) in [(&expired, now + 2000), (&revoked, now)] {
        let late = BearerToken::device();
        assert!(
            fx.db
                .enrol_device(new_device(&late, at), code.hash())
                .await
                .unwrap()
                .is_none()
        );
    }
    assert_eq!(fx.count("SELECT COUNT(*) FROM devices"), 1);

    // A disabled member's devices stop working at once, and their codes with them.
    let email = format!("agent-{staff}@paris.example");
    let pending = EnrolmentCode::generate();
    create(enrol(&pending, staff, "demo", week)).await;
    fx.db
        .set_staff_disabled(Some("demo".into()), email, Some(now))
        .await
        .unwrap();
    assert!(fx.db.device("demo", first.hash()).await.unwrap().is_none());
    let after = BearerToken::device();
    assert!(
        fx.db
            .enrol_device(new_device(&after, now), pending.hash())
            .await
            .unwrap()
            .is_none()
    );
}

/// Filing follows the report's zone; a citizen follows the zones it reported in most recently,
/// at most `REPORTED_FOLLOWS` of them, and every zone it chose to follow. A dropped zone's
/// reports no longer reach it.
#[tokio::test]
async fn a_citizen_follows_the_last_zones_it_reported_in_and_those_it_chose() {
    let fx = Fixture::demo().await;
    fx.change_catalogue("UPDATE categories SET questions = '[]'", &[]);
    assert_eq!(relais_domain::follows::REPORTED_FOLLOWS, 3);
    let mut citizen = Phone::citizen(&fx).await;
    let mut neighbour = Phone::citizen(&fx).await;
    let places = FIVE_ARRONDISSEMENTS;
    let chosen = MutationOp::FollowZone {
        zone: "7511201".into(),
    };
    assert_eq!(citizen.send(&fx, chosen).await, Outcome::Applied);
    let mut zones = Vec::new();
    for at in places {
        let id = citizen.file(&fx, at).await;
        zones.push(fx.value(&format!("SELECT zone_code FROM reports WHERE id = '{id}'")));
    }
    let mut distinct = zones.clone();
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 5, "{zones:?}");

    let expected = |reported: &[&String]| {
        let mut zones: Vec<(String, String)> = reported
            .iter()
            .map(|z| ((*z).clone(), "reported".to_owned()))
            .chain([("7511201".to_owned(), "explicit".to_owned())])
            .collect();
        zones.sort();
        zones
    };
    let page = fx.pull_as(&citizen.device, &Cursor::start(), 1000).await;
    assert_eq!(
        followed(&page),
        expected(&[&zones[2], &zones[3], &zones[4]])
    );

    // Reporting again in the first zone makes it the most recent: the least recent goes.
    citizen.file(&fx, places[0]).await;
    let page = fx.pull_as(&citizen.device, &Cursor::start(), 1000).await;
    assert_eq!(
        followed(&page),
        expected(&[&zones[0], &zones[3], &zones[4]])
    );
    let cursor = page.cursor;

    // A neighbour's reports: the one in a zone dropped does not come, the one in a zone
    // followed does.
    let dropped = neighbour.file(&fx, places[2]).await;
    let kept = neighbour.file(&fx, places[4]).await;
    let page = fx.pull_as(&citizen.device, &cursor, 1000).await;
    let ids = crate::tests::report_ids(&page);
    assert!(ids.contains(&kept), "{ids:?}");
    assert!(!ids.contains(&dropped), "{ids:?}");
}

/// A batch decides each filing's follows from what its earlier mutations did, as the same
/// mutations pushed one at a time would: a zone chosen then filed in (it stays chosen, and does
/// not count among the last three), a zone filed in again (the most recent again), a fourth
/// zone reported in (the least recent goes), the chosen zone unfollowed.
#[tokio::test]
async fn one_batch_leaves_the_follows_its_mutations_pushed_one_by_one_leave() {
    let fx = Fixture::demo().await;
    fx.change_catalogue("UPDATE categories SET questions = '[]'", &[]);
    let town = fx.towns.get(&fx.db, "demo").await.unwrap().unwrap();
    let places = FIVE_ARRONDISSEMENTS;
    let zone = |at: usize| town.locate(places[at].1, places[at].0)[0].clone();
    let file = |at: usize| create_at(Uuid::now_v7(), places[at]);
    let ops = || {
        vec![
            MutationOp::FollowZone { zone: zone(1) },
            file(0),
            file(2),
            file(3),
            file(0),
            file(1),
            file(4),
            MutationOp::UnfollowZone { zone: zone(1) },
        ]
    };
    let mut one_by_one = Phone::citizen(&fx).await;
    for op in ops() {
        assert_eq!(one_by_one.send(&fx, op).await, Outcome::Applied);
    }
    let mut batched = Phone::citizen(&fx).await;
    let outcomes = batched.send_all(&fx, ops()).await;
    assert!(outcomes.iter().all(|o| *o == Outcome::Applied), "{outcomes:?}");

    let mut expected: Vec<(String, String)> = [0, 3, 4]
        .into_iter()
        .map(|at| (zone(at), "reported".to_owned()))
        .collect();
    expected.sort();
    for phone in [&one_by_one, &batched] {
        let page = fx.pull_as(&phone.device, &Cursor::start(), 1000).await;
        assert_eq!(followed(&page), expected);
    }
}
}
