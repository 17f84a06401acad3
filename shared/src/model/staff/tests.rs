//! A staff member's device offline: its work list, chained changes, conflicts applied again,
//! the workflow's checks, and the acts that are citizens' only.

use relais_protocol::{MutationOp, ReportStatus};
use uuid::Uuid;

use crate::{
    model::{
        Intent, StaffActionInput,
        lists::{Position, WorkQuery},
        testing::{Filing, Harness, ServerOracle, agent},
    },
    view::{ActionView, OutboxItemState, SyncView, TimelineKind},
};

/// A citizen's report, synced, and an agent of its service who has pulled it.
fn town() -> (ServerOracle, Harness, Uuid, Harness) {
    let mut server = ServerOracle::default();
    let mut citizen = Harness::registered(&mut server);
    let id = citizen.file("Matelas");
    citizen.sync(&mut server);
    let agent = Harness::staff(&mut server, agent("camille@demo.test"));
    (server, citizen, id, agent)
}

fn act(h: &mut Harness, id: Uuid, action: StaffActionInput, reply: Option<&str>) -> ActionView {
    h.send(Intent::StaffAction {
        report_id: id.to_string(),
        action,
        reply: reply.map(Into::into),
        note: None,
        photos: Vec::new(),
    });
    h.view().action
}

fn base_versions(h: &Harness) -> Vec<i64> {
    h.model
        .outbox
        .items()
        .iter()
        .filter_map(|i| match &i.mutation.op {
            MutationOp::StaffAction { base_version, .. } => Some(*base_version),
            _ => None,
        })
        .collect()
}

#[test]
fn the_work_list_arrives_with_the_task_and_never_the_citizen() {
    let (_, _, id, agent) = town();
    let work = agent.view().work;
    assert_eq!(work.len(), 1);
    assert_eq!(work[0].report.id, id.to_string());
    assert!(!work[0].report.mine);
    let staff = agent.view().registration.unwrap().staff.unwrap();
    assert_eq!(
        (staff.role.as_str(), staff.services),
        ("agent", vec!["proprete".to_owned()])
    );
}

#[test]
fn successive_offline_changes_chain_on_each_other_and_all_go_through() {
    let (mut server, mut citizen, id, mut agent) = town();
    assert!(matches!(
        act(&mut agent, id, StaffActionInput::Acknowledge, None),
        ActionView::Saved { .. }
    ));
    assert!(matches!(
        act(&mut agent, id, StaffActionInput::Start, None),
        ActionView::Saved { .. }
    ));
    let resolved = act(
        &mut agent,
        id,
        StaffActionInput::Resolve,
        Some("Enlevé ce matin"),
    );
    assert!(matches!(resolved, ActionView::Saved { .. }), "{resolved:?}");
    assert_eq!(
        base_versions(&agent),
        vec![1, 2, 3],
        "each on the one before"
    );
    let shown = &agent.view().work[0].report;
    assert_eq!(
        (shown.status.as_str(), shown.pending_changes),
        ("resolved", 3)
    );
    let agent = agent.restart();
    assert_eq!(
        agent.view().work[0].report.status,
        ReportStatus::Resolved,
        "the queue survives"
    );
    let mut agent = agent;
    agent.sync(&mut server);
    assert!(
        matches!(
            agent.view().sync,
            SyncView::Finished {
                sent: 3,
                refused: 0,
                ..
            }
        ),
        "{:?}",
        agent.view().sync
    );
    assert_eq!(server.report(id).status, ReportStatus::Resolved);
    assert_eq!(server.report(id).version, 4);
    // The next change is based on the server's new version, not a stale one.
    act(&mut agent, id, StaffActionInput::Reply, Some("Merci"));
    assert_eq!(base_versions(&agent), vec![4]);
    citizen.sync(&mut server);
    let notice = citizen.notifications.last().unwrap();
    assert!(notice.body.contains("Enlevé ce matin"), "{notice:?}");
}

#[test]
fn a_conflict_stays_visible_with_both_versions_and_is_applied_again_in_one_step() {
    let (mut server, _, id, mut first) = town();
    let mut second = Harness::staff(&mut server, agent("dominique@demo.test"));
    act(&mut first, id, StaffActionInput::Acknowledge, None);
    first.sync(&mut server);
    act(
        &mut second,
        id,
        StaffActionInput::Schedule {
            for_ms: 1_800_000_000_000,
        },
        None,
    );
    second.sync(&mut server);
    let outbox = second.view().outbox;
    assert_eq!(outbox.len(), 1);
    let refused = &outbox[0];
    assert_eq!(refused.reason_code.as_deref(), Some("conflict"));
    assert!(
        refused
            .change
            .as_deref()
            .unwrap()
            .contains("schedule: 2027-01-15"),
        "{refused:?}"
    );
    let conflict = refused.conflict.clone().unwrap();
    assert_eq!(conflict.based_on_version, 1);
    assert_eq!(conflict.current_version, Some(2));
    assert_eq!(conflict.current_status, Some(ReportStatus::Acknowledged));
    assert!(conflict.can_reapply, "{conflict:?}");
    let second = second.restart();
    assert!(
        second.view().outbox[0].conflict.is_some(),
        "kept across restarts"
    );
    let mut second = second;
    second.send(Intent::Reapply {
        mutation_id: refused.id.clone(),
    });
    assert!(
        matches!(second.view().action, ActionView::Saved { .. }),
        "{:?}",
        second.view().action
    );
    assert_eq!(second.view().outbox.len(), 1);
    assert_eq!(second.view().outbox[0].state, OutboxItemState::Queued);
    assert_eq!(base_versions(&second), vec![2]);
    second.send(Intent::Reapply {
        mutation_id: refused.id.clone(),
    });
    assert!(second.refusal().contains("conflict"), "applied once only");
    second.sync(&mut server);
    assert!(second.view().outbox.is_empty());
    assert_eq!(server.report(id).status, ReportStatus::Scheduled);
}

#[test]
fn a_staff_device_refuses_citizens_acts_and_checks_the_workflow_offline() {
    let (mut server, mut citizen, id, mut agent) = town();
    agent.send_report(Filing::default());
    assert!(agent.refusal().contains("citizens' acts"));
    for intent in [
        Intent::Support {
            report_id: id.to_string(),
        },
        Intent::RateService {
            service_id: "mairie-75104".into(),
            satisfaction: 3,
            importance: 3,
            comment: None,
        },
        Intent::FollowZone {
            zone: "75104".into(),
        },
    ] {
        agent.send(intent);
        assert!(agent.refusal().contains("citizens' acts"));
    }
    act(&mut agent, id, StaffActionInput::Acknowledge, None);
    let again = act(&mut agent, id, StaffActionInput::Acknowledge, None);
    assert!(
        matches!(&again, ActionView::Failed { message } if message.contains("Acknowledged")),
        "{again:?}"
    );
    let reason = act(
        &mut agent,
        id,
        StaffActionInput::Reject {
            reason: "bof".into(),
        },
        None,
    );
    assert!(
        matches!(&reason, ActionView::Failed { message } if message.contains("bof")),
        "{reason:?}"
    );
    let service = act(
        &mut agent,
        id,
        StaffActionInput::Transfer {
            service: "nope".into(),
        },
        None,
    );
    assert!(matches!(service, ActionView::Failed { .. }));
    let same = act(
        &mut agent,
        id,
        StaffActionInput::Transfer {
            service: "proprete".into(),
        },
        None,
    );
    assert!(matches!(same, ActionView::Failed { .. }));
    let others = act(
        &mut agent,
        id,
        StaffActionInput::Assign {
            to: Some("x@demo.test".into()),
        },
        None,
    );
    assert!(
        matches!(others, ActionView::Failed { .. }),
        "agents assign to themselves only"
    );
    let empty_reply = act(&mut agent, id, StaffActionInput::Reply, None);
    assert!(matches!(empty_reply, ActionView::Failed { .. }));
    let french = {
        agent.send(Intent::SetLanguage {
            language: "fr".into(),
        });
        act(&mut agent, id, StaffActionInput::Acknowledge, None)
    };
    assert!(
        matches!(&french, ActionView::Failed { message } if message.contains("Pris en compte")),
        "{french:?}"
    );
    // A citizen's device cannot act as staff.
    let refused = act(&mut citizen, id, StaffActionInput::Acknowledge, None);
    assert!(
        matches!(&refused, ActionView::Failed { message } if message.contains("staff")),
        "{refused:?}"
    );
    agent.sync(&mut server);
    assert_eq!(server.report(id).status, ReportStatus::Acknowledged);
}

#[test]
fn the_work_list_sorts_by_due_date_or_distance_and_filters_overdue_and_mine() {
    let mut server = ServerOracle::default();
    let mut citizen = Harness::registered(&mut server);
    let mut file_at = |lat: f64, text: &str| {
        citizen.send_report(Filing {
            lat,
            text: text.into(),
            ..Filing::default()
        });
        citizen.saved_id()
    };
    let (near, far, late) = (
        file_at(48.8566, "near"),
        file_at(48.8700, "far"),
        file_at(48.8600, "late"),
    );
    citizen.sync(&mut server);
    let now = crate::model::millis(std::time::SystemTime::now());
    server.set_due(near, now + 3 * 86_400_000);
    server.set_due(far, now + 86_400_000);
    server.set_due(late, now - 86_400_000);
    let mut agent = Harness::staff(&mut server, agent("camille@demo.test"));
    let ids = |h: &Harness| -> Vec<String> {
        h.view().work.iter().map(|t| t.report.id.clone()).collect()
    };
    assert_eq!(
        ids(&agent),
        [late, far, near].map(|i| i.to_string()),
        "by due date"
    );
    assert!(agent.view().work[0].report.overdue);
    let ask = |h: &mut Harness, query: WorkQuery| {
        h.send(Intent::ListWork { query });
        ids(h)
    };
    let nearest = ask(
        &mut agent,
        WorkQuery {
            near: Some(Position {
                lat: 48.8700,
                lon: 2.3522,
            }),
            ..WorkQuery::default()
        },
    );
    assert_eq!(
        nearest,
        [far, late, near].map(|i| i.to_string()),
        "by distance"
    );
    assert!(agent.view().work[0].distance_m.unwrap() < 1.0);
    let overdue = ask(
        &mut agent,
        WorkQuery {
            overdue_only: true,
            ..WorkQuery::default()
        },
    );
    assert_eq!(overdue, vec![late.to_string()]);
    act(
        &mut agent,
        near,
        StaffActionInput::Assign {
            to: Some("Camille@demo.test".into()),
        },
        None,
    );
    agent.sync(&mut server);
    let mine = ask(
        &mut agent,
        WorkQuery {
            assigned_to_me: true,
            ..WorkQuery::default()
        },
    );
    assert_eq!(mine, vec![near.to_string()]);
    assert!(agent.view().work[0].assigned_to_me);
}

#[test]
fn the_towns_draft_reply_is_previewed_offline_and_internal_notes_stay_internal() {
    let (mut server, mut citizen, id, mut agent) = town();
    let ActionView::Saved { reply_draft, .. } =
        act(&mut agent, id, StaffActionInput::Resolve, None)
    else {
        panic!("{:?}", agent.view().action);
    };
    assert_eq!(
        reply_draft.as_deref(),
        Some("Your report \"Bulky items\" is resolved.")
    );
    agent.send(Intent::StaffAction {
        report_id: id.to_string(),
        action: StaffActionInput::Note,
        reply: None,
        note: Some("Benne passée à 8 h".into()),
        photos: Vec::new(),
    });
    agent.saved_id();
    agent.sync(&mut server);
    agent.send(Intent::OpenReport {
        report_id: id.to_string(),
    });
    let timeline = agent.view().opened.unwrap().timeline;
    assert!(
        timeline.iter().any(
            |e| e.kind == TimelineKind::Note && e.text.as_deref() == Some("Benne passée à 8 h")
        ),
        "{timeline:?}"
    );
    citizen.sync(&mut server);
    citizen.send(Intent::OpenReport {
        report_id: id.to_string(),
    });
    let seen = format!("{:?}", citizen.view().opened.unwrap());
    assert!(!seen.contains("Benne"), "the citizen never sees a note");
}

#[test]
fn photos_taken_on_site_go_through_the_pipeline_and_leave_once_the_resolution_is_accepted() {
    let (mut server, _, id, mut agent) = town();
    let pictures = tempfile::tempdir().unwrap();
    let path = pictures.path().join("on-site.png");
    image::RgbImage::from_fn(320, 240, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 7])
    })
    .save(&path)
    .unwrap();
    agent.send(Intent::StaffAction {
        report_id: id.to_string(),
        action: StaffActionInput::Resolve,
        reply: None,
        note: None,
        photos: vec![path.to_string_lossy().into_owned()],
    });
    agent.saved_id();
    let Some(MutationOp::StaffAction {
        action: relais_protocol::WorkflowAction::Resolve { photos },
        ..
    }) = agent
        .model
        .outbox
        .items()
        .first()
        .map(|i| i.mutation.op.clone())
    else {
        panic!("{:?}", agent.model.outbox);
    };
    assert_eq!(photos.len(), 1);
    assert!(
        server.photos.is_empty(),
        "not before the resolution is accepted"
    );
    agent.sync(&mut server);
    let sent = std::fs::read(agent.photo_path(&photos[0])).unwrap();
    assert_eq!(
        server.photos[&photos[0]], sent,
        "the processed photo, whole"
    );
}
