//! The request workflow on real database files: staff devices act as staff only, successive
//! offline changes of one agent chain while a colleague's stale one conflicts, a transfer moves
//! the task between services' work lists, a duplicate joins its original's followers, and the
//! town answers in writing.

use relais_protocol::{Author, Change, Cursor, MutationOp, Outcome, ReportStatus, WorkflowAction};
use uuid::Uuid;

use super::citizen::Phone;
use super::{Backend, Harness, PARIS, reason_code};

/// About 400 m north of [`PARIS`]: not a probable duplicate of a report there.
const FAR: (f64, f64) = (48.8602, 2.3522);

pub(super) fn act(report_id: Uuid, base_version: i64, action: WorkflowAction) -> MutationOp {
    MutationOp::StaffAction {
        report_id,
        base_version,
        action,
        reply: None,
        note: None,
    }
}

async fn fixture<D: Backend>() -> Harness<D> {
    let fx = Harness::<D>::demo().await;
    fx.change_catalogue("UPDATE categories SET questions = '[]'", &[]);
    fx
}

crate::tests::on_both_backends! {
#[tokio::test]
async fn a_staff_device_acts_for_the_town_and_never_as_a_citizen() {
    let fx: Fixture = fixture().await;
    let mut citizen = Phone::citizen(&fx).await;
    let report = citizen.file(&fx, PARIS).await;
    let mut agent = Phone::agent(&fx).await;
    let outcomes = agent
        .send_all(
            &fx,
            vec![
                crate::tests::create_at(Uuid::now_v7(), PARIS),
                MutationOp::SupportReport { report_id: report },
                MutationOp::RateService {
                    service_id: "mairie-75104".into(),
                    satisfaction: 5,
                    importance: 5,
                    comment: None,
                },
                MutationOp::FollowZone {
                    zone: "75104".into(),
                },
            ],
        )
        .await;
    assert!(
        outcomes.iter().all(|o| reason_code(o) == "not_permitted"),
        "{outcomes:?}"
    );
    // And a citizen's device cannot act for the town.
    let outcome = citizen
        .send(&fx, act(report, 1, WorkflowAction::Acknowledge))
        .await;
    assert_eq!(reason_code(&outcome), "not_permitted");
    assert_eq!(fx.public(report).await.status, ReportStatus::Received);
}

#[tokio::test]
async fn one_agents_offline_changes_chain_and_a_colleagues_stale_change_conflicts() {
    let fx: Fixture = fixture().await;
    let mut citizen = Phone::citizen(&fx).await;
    let report = citizen.file(&fx, PARIS).await;
    let mut agent = Phone::agent(&fx).await;
    // A day offline, then one push: each change based on the version the previous one makes.
    let outcomes = agent
        .send_all(
            &fx,
            vec![
                act(report, 1, WorkflowAction::Acknowledge),
                act(
                    report,
                    2,
                    WorkflowAction::Schedule {
                        for_ms: Some(1_800_000_000_000),
                    },
                ),
                act(report, 3, WorkflowAction::Start),
                act(report, 4, WorkflowAction::Note),
            ],
        )
        .await;
    // The last one is a note without text: refused, alone.
    assert_eq!(
        &outcomes[..3],
        [Outcome::Applied, Outcome::Applied, Outcome::Applied]
    );
    assert_eq!(reason_code(&outcomes[3]), "invalid_text");
    let public = fx.public(report).await;
    assert_eq!(
        (public.status, public.version),
        (ReportStatus::InProgress, 4)
    );
    assert_eq!(public.scheduled_for_ms, Some(1_800_000_000_000));
    let statuses: Vec<_> = public.history.iter().map(|h| h.status).collect();
    assert_eq!(
        statuses,
        [
            ReportStatus::Received,
            ReportStatus::Acknowledged,
            ReportStatus::Scheduled,
            ReportStatus::InProgress
        ]
    );
    // A colleague acting offline on version 2: refused visibly, nothing changed.
    let mut colleague = Phone::agent(&fx).await;
    let outcome = colleague
        .send(
            &fx,
            act(report, 2, WorkflowAction::Resolve { photos: Vec::new() }),
        )
        .await;
    assert_eq!(reason_code(&outcome), "conflict");
    assert_eq!(fx.public(report).await.version, 4);
}

/// An agent's chain breaks at its first refused link: a colleague's change brought the report
/// to exactly the version the agent's second change expects, but that version is not the one
/// the agent's own first change would have made.
#[tokio::test]
async fn a_chain_whose_first_change_is_refused_is_refused_whole() {
    let fx: Fixture = fixture().await;
    let mut citizen = Phone::citizen(&fx).await;
    let report = citizen.file(&fx, PARIS).await;
    let mut colleague = Phone::agent(&fx).await;
    let outcome = colleague
        .send(&fx, act(report, 1, WorkflowAction::Acknowledge))
        .await;
    assert_eq!(outcome, Outcome::Applied);
    let mut agent = Phone::agent(&fx).await;
    let outcomes = agent
        .send_all(
            &fx,
            vec![
                act(report, 1, WorkflowAction::Acknowledge),
                act(report, 2, WorkflowAction::Resolve { photos: Vec::new() }),
                act(report, 2, WorkflowAction::Note),
            ],
        )
        .await;
    assert_eq!(reason_code(&outcomes[0]), "conflict");
    assert_eq!(reason_code(&outcomes[1]), "conflict", "{outcomes:?}");
    // A note changes no state: it never conflicts (here: refused for its empty text only).
    assert_eq!(reason_code(&outcomes[2]), "invalid_text");
    let public = fx.public(report).await;
    assert_eq!(
        (public.status, public.version),
        (ReportStatus::Acknowledged, 2)
    );
}

#[tokio::test]
async fn a_transfer_moves_the_task_to_the_new_services_work_list() {
    let fx: Fixture = fixture().await;
    let mut citizen = Phone::citizen(&fx).await;
    let report = citizen.file(&fx, PARIS).await;
    let mut cleaning = Phone::agent(&fx).await;
    let mut roads = Phone::agent_of(&fx, "voirie").await;
    let before = fx.pull_as(&cleaning.device, &Cursor::start(), 100).await;
    assert!(
        before
            .changes
            .iter()
            .any(|c| matches!(c, Change::Task { task } if task.report.id == report))
    );
    let road_start = fx.pull_as(&roads.device, &Cursor::start(), 100).await;
    assert!(road_start.changes.is_empty());

    let outcome = cleaning
        .send(
            &fx,
            act(
                report,
                1,
                WorkflowAction::Transfer {
                    service: "voirie".into(),
                },
            ),
        )
        .await;
    assert_eq!(outcome, Outcome::Applied);
    // It leaves the old list, enters the new one; its citizen sees where it went.
    let left = fx.pull_as(&cleaning.device, &before.cursor, 100).await;
    assert!(
        left.changes.contains(&Change::TaskRemoved { id: report }),
        "{left:?}"
    );
    let arrived = fx.pull_as(&roads.device, &road_start.cursor, 100).await;
    let task = arrived
        .changes
        .iter()
        .find_map(|c| match c {
            Change::Task { task } if task.report.id == report => Some(task),
            _ => None,
        })
        .expect("the new service has it");
    assert_eq!(task.report.status, ReportStatus::Transferred);
    assert_eq!(task.report.service_code.as_deref(), Some("voirie"));
    let last = task.report.history.last().unwrap();
    assert_eq!(last.detail.as_ref().unwrap().fr, "Voirie et déplacements");
    // The old service cannot act on it any more; the new one can.
    assert_eq!(
        reason_code(
            &cleaning
                .send(&fx, act(report, 2, WorkflowAction::Acknowledge))
                .await
        ),
        "not_permitted"
    );
    assert_eq!(
        roads
            .send(&fx, act(report, 2, WorkflowAction::Acknowledge))
            .await,
        Outcome::Applied
    );
}

#[tokio::test]
async fn a_duplicate_joins_its_original_and_its_people_follow_the_original() {
    let fx: Fixture = fixture().await;
    let mut first = Phone::citizen(&fx).await;
    let mut second = Phone::citizen(&fx).await;
    let mut neighbour = Phone::citizen(&fx).await;
    let original = first.file(&fx, PARIS).await;
    let repeat = second.file(&fx, FAR).await;
    assert_eq!(
        neighbour
            .send(&fx, MutationOp::SupportReport { report_id: repeat })
            .await,
        Outcome::Applied
    );
    let mut agent = Phone::agent(&fx).await;
    // Not the report itself, not another town's, not a closed one.
    assert_eq!(
        reason_code(
            &agent
                .send(
                    &fx,
                    act(repeat, 1, WorkflowAction::MarkDuplicate { of: repeat })
                )
                .await
        ),
        "invalid_duplicate"
    );
    assert_eq!(
        agent
            .send(
                &fx,
                act(repeat, 1, WorkflowAction::MarkDuplicate { of: original })
            )
            .await,
        Outcome::Applied
    );
    let merged = fx.public(repeat).await;
    assert_eq!(
        (merged.status, merged.duplicate_of),
        (ReportStatus::Duplicate, Some(original))
    );
    // Its reporter and supporter now count among the original's supporters, and follow it.
    assert_eq!(fx.public(original).await.supporters, 2);
    for phone in [&second, &neighbour] {
        let theirs = fx.pull_as(&phone.device, &Cursor::start(), 100).await;
        assert!(
            theirs
                .changes
                .iter()
                .any(|c| matches!(c, Change::Report { report, .. } if report.id == original)),
            "{theirs:?}"
        );
    }
    // The reporter of the duplicate was told in writing, from the town's template.
    let mine = fx.pull_as(&second.device, &Cursor::start(), 100).await;
    let thread = mine
        .changes
        .iter()
        .find_map(|c| match c {
            Change::Thread {
                report_id,
                messages,
            } if *report_id == repeat => Some(messages),
            _ => None,
        })
        .expect("a reply in the thread");
    assert_eq!(thread.last().unwrap().author, Author::City);
    assert!(
        thread
            .last()
            .unwrap()
            .text
            .contains(&original.to_string()[..8]),
        "{thread:?}"
    );
}
}
