//! A user action that must reach the server: filing a report, "me too", a reply to the city,
//! confirming or reopening a resolution, rating a public service.
//!
//! Every action takes the same path: [`validate`](super::validate) it against what the device
//! knows, stamp it with the clock (time-ordered ids), then save it durably in one store
//! transaction with the outbox item that will send it and its local effect (the new report, the
//! new rating...). The model changes only once the store has confirmed.

use std::{
    collections::BTreeMap,
    time::{SystemTime, UNIX_EPOCH},
};

use crux_core::{Command, render::render};
use crux_time::command::Time;
use relais_protocol::{Answer, GeoPoint, LocalizedText, Mutation, MutationOp, ReportStatus};
use serde::{Deserialize, Serialize};
use uuid::{Timestamp, Uuid};

use super::{Event, Model, OutboxItem, Report, validate};
use crate::{
    effects::{
        Effect,
        photo::{PhotoOp, PhotoOutput},
        store::{self, LocalChange, StoreError},
    },
    i18n::Message,
};

/// A report as the user filled it in.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub category: String,
    pub location: GeoPoint,
    pub text: String,
    pub answers: BTreeMap<String, Answer>,
    /// Picture files still to run through the photo pipeline.
    pub photo_files: Vec<String>,
    /// Content addresses (SHA-256) of processed photos kept on the device.
    pub photos: Vec<String>,
}

/// What the user wants done.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    FileReport(Draft),
    Support {
        report_id: Uuid,
    },
    Reply {
        report_id: Uuid,
        text: String,
    },
    Confirm {
        report_id: Uuid,
        fixed: bool,
        satisfaction: Option<u8>,
    },
    Rate(MyRating),
    /// A field agent moves a report to another status.
    ChangeStatus {
        report_id: Uuid,
        status: ReportStatus,
        note: Option<String>,
    },
}

/// The citizen's own rating of a public service, as kept on the device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MyRating {
    pub service_id: String,
    pub satisfaction: u8,
    pub importance: u8,
    pub comment: Option<String>,
    pub at_ms: i64,
}

/// Where the latest action stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum ActionState {
    #[default]
    Idle,
    Saving,
    /// Saved on the device and queued for sending; `id` is what it created or concerns.
    Saved {
        kind: ActionKind,
        id: String,
    },
    /// Refused before saving, or the save failed.
    Failed(Message),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ActionKind {
    Report,
    Support,
    Reply,
    Confirm,
    Rate,
    Status,
}

#[derive(Debug)]
pub enum ActionEvent {
    /// The report's photos went through the pipeline (or one could not).
    PhotosImported {
        draft: Draft,
        result: Result<Vec<String>, LocalizedText>,
    },
    /// The clock answered: the action can get its ids.
    Stamped { action: Action, now: SystemTime },
    /// Saved with its outbox item; the store gave the item its sequence number.
    Enqueued {
        item: Box<OutboxItem>,
        local: LocalChange,
        saved: (ActionKind, String),
        result: Result<u64, StoreError>,
    },
}

/// The user asked for `action`.
pub fn start(model: &mut Model, action: Action) -> Command<Effect, Event> {
    if let Err(message) = validate::action(model, &action) {
        model.action = ActionState::Failed(message);
        return render();
    }
    model.action = ActionState::Saving;
    let next = match action {
        Action::FileReport(draft) if !draft.photo_files.is_empty() => import_photos(draft),
        action => stamp(action),
    };
    Command::all([next, render()])
}

fn stamp(action: Action) -> Command<Effect, Event> {
    Time::now().then_send(move |now| Event::Action(ActionEvent::Stamped { action, now }))
}

/// Runs the draft's picture files through the photo pipeline, one after the other.
fn import_photos(draft: Draft) -> Command<Effect, Event> {
    Command::new(|ctx| async move {
        let mut names = Vec::new();
        for path in &draft.photo_files {
            match ctx
                .request_from_shell(PhotoOp::Import { path: path.clone() })
                .await
            {
                Ok(PhotoOutput::Imported { sha256, .. }) => names.push(sha256),
                Ok(other) => unreachable!("an import answered {other:?}"),
                Err(problem) => {
                    ctx.send_event(Event::Action(ActionEvent::PhotosImported {
                        draft,
                        result: Err(problem),
                    }));
                    return;
                }
            }
        }
        ctx.send_event(Event::Action(ActionEvent::PhotosImported {
            draft,
            result: Ok(names),
        }));
    })
}

pub fn update(event: ActionEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        ActionEvent::PhotosImported {
            mut draft,
            result: Ok(names),
        } => {
            draft.photo_files.clear();
            draft.photos.extend(names);
            stamp(Action::FileReport(draft))
        }
        ActionEvent::PhotosImported {
            result: Err(problem),
            ..
        } => {
            model.action = ActionState::Failed(Message::Localized(problem));
            render()
        }
        ActionEvent::Stamped { action, now } => {
            let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
            let now_ms = i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX);
            if let Err(message) = validate::at(model, &action, now_ms) {
                model.action = ActionState::Failed(message);
                return render();
            }
            let stamp = Timestamp::from_unix(
                uuid::NoContext,
                since_epoch.as_secs(),
                since_epoch.subsec_nanos(),
            );
            let (op, local, saved) = build(model, action, Uuid::new_v7(stamp), now_ms);
            let mutation = Mutation {
                seq: 0, // given by the store, in the same transaction as the insert
                mutation_id: Uuid::new_v7(stamp),
                op,
            };
            let item = Box::new(OutboxItem::new(mutation, now_ms));
            store::enqueue(item.clone(), local.clone()).then_send(move |result| {
                Event::Action(ActionEvent::Enqueued {
                    item,
                    local,
                    saved,
                    result,
                })
            })
        }
        ActionEvent::Enqueued {
            mut item,
            local,
            saved: (kind, id),
            result: Ok(seq),
        } => {
            item.mutation.seq = seq;
            match local {
                LocalChange::Report(report) => {
                    model.reports.insert(report.id, *report);
                }
                LocalChange::Rating(rating) => {
                    model.my_ratings.insert(rating.service_id.clone(), rating);
                }
                LocalChange::None => {}
            }
            model.outbox.push(*item);
            model.action = ActionState::Saved { kind, id };
            render()
        }
        ActionEvent::Enqueued { result: Err(e), .. } => {
            model.action = ActionState::Failed(Message::StorageFailed(e.0));
            render()
        }
    }
}

/// The mutation an action sends, the change it makes on the device, and what to tell the user.
fn build(
    model: &Model,
    action: Action,
    new_id: Uuid,
    now_ms: i64,
) -> (MutationOp, LocalChange, (ActionKind, String)) {
    match action {
        Action::FileReport(draft) => {
            let report = Report {
                id: new_id,
                category: draft.category,
                location: draft.location,
                text: draft.text.trim().to_owned(),
                created_at_ms: now_ms,
                status: ReportStatus::Queued,
                version: 0,
                zone: None,
                service: None,
                history: Vec::new(),
                photos: draft.photos,
                supporters: 0,
                duplicate_of: None,
                mine: true,
                supported: false,
                refusal: None,
                thread: Vec::new(),
            };
            let op = MutationOp::CreateReport {
                report_id: report.id,
                category: report.category.clone(),
                location: report.location,
                text: report.text.clone(),
                created_at_ms: now_ms,
                photos: report.photos.clone(),
                answers: draft.answers,
            };
            let id = report.id.to_string();
            (
                op,
                LocalChange::Report(Box::new(report)),
                (ActionKind::Report, id),
            )
        }
        Action::Support { report_id } => {
            let local = model
                .reports
                .get(&report_id)
                .map_or(LocalChange::None, |r| {
                    let mut r = r.clone();
                    r.supported = true;
                    r.supporters += 1;
                    LocalChange::Report(Box::new(r))
                });
            (
                MutationOp::SupportReport { report_id },
                local,
                (ActionKind::Support, report_id.to_string()),
            )
        }
        Action::Reply { report_id, text } => (
            MutationOp::AddNote {
                report_id,
                text: text.trim().to_owned(),
            },
            LocalChange::None,
            (ActionKind::Reply, report_id.to_string()),
        ),
        Action::Confirm {
            report_id,
            fixed,
            satisfaction,
        } => (
            MutationOp::ConfirmResolution {
                report_id,
                fixed,
                satisfaction,
            },
            LocalChange::None,
            (ActionKind::Confirm, report_id.to_string()),
        ),
        Action::ChangeStatus {
            report_id,
            status,
            note,
        } => {
            let base_version = model.reports.get(&report_id).map_or(0, |r| r.version);
            (
                MutationOp::ChangeStatus {
                    report_id,
                    base_version,
                    status,
                    note,
                },
                LocalChange::None,
                (ActionKind::Status, report_id.to_string()),
            )
        }
        Action::Rate(mut rating) => {
            rating.at_ms = now_ms;
            let op = MutationOp::RateService {
                service_id: rating.service_id.clone(),
                satisfaction: rating.satisfaction,
                importance: rating.importance,
                comment: rating.comment.clone(),
            };
            let id = rating.service_id.clone();
            (op, LocalChange::Rating(rating), (ActionKind::Rate, id))
        }
    }
}

#[cfg(test)]
mod tests {
    use relais_protocol::ReportStatus;

    use super::super::testing::{CATEGORY, Filing, Harness, ServerOracle};
    use crate::{
        model::Intent,
        view::{ActionView, SyncView},
    };

    fn file(h: &mut Harness, category: &str, lat: f64, text: &str) -> ActionView {
        h.send_report(Filing {
            category: category.into(),
            lat,
            lon: 2.35,
            text: text.into(),
            ..Filing::default()
        })
    }

    fn failure(view: ActionView) -> String {
        match view {
            ActionView::Failed { message } => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    fn sync(h: &mut Harness, server: &mut ServerOracle) {
        h.send(Intent::Sync);
        h.serve_all(server);
        assert!(
            matches!(h.view().sync, SyncView::Finished { .. }),
            "{:?}",
            h.view().sync
        );
    }

    #[test]
    fn an_unregistered_device_cannot_file() {
        let mut h = Harness::new();
        let message = failure(file(&mut h, CATEGORY, 48.85, "pothole"));
        assert!(message.contains("not registered"), "{message}");
    }

    #[test]
    fn bad_input_is_refused_with_a_readable_message_and_nothing_is_saved() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        assert!(failure(file(&mut h, "no-such-category", 48.85, "x")).contains("no-such-category"));
        assert!(failure(file(&mut h, CATEGORY, 91.0, "x")).contains("not valid"));
        assert!(failure(file(&mut h, CATEGORY, f64::NAN, "x")).contains("not valid"));
        assert!(failure(file(&mut h, CATEGORY, 48.85, "   ")).contains("Describe"));
        assert!(failure(file(&mut h, CATEGORY, 48.85, &"x".repeat(4001))).contains("4000"));
        let h = h.restart();
        assert!(h.view().reports.is_empty());
        assert!(h.view().outbox.is_empty());
    }

    #[test]
    fn a_point_outside_every_zone_and_missing_answers_are_refused_offline() {
        let mut server = ServerOracle::default();
        server.with_zone_and_question = true;
        let mut h = Harness::registered(&mut server);
        let outside = failure(file(&mut h, CATEGORY, 45.75, "Lyon"));
        assert!(outside.contains("outside Demo"), "{outside}");
        let missing = failure(file(&mut h, CATEGORY, 48.85, "Matelas"));
        assert!(missing.contains("What kind of item"), "{missing}");
        let mut file_answering = |choice: &str| {
            h.send_report(Filing {
                answers: vec![crate::model::AnswerInput {
                    question: "item".into(),
                    value: crate::model::AnswerValue::Choice {
                        code: choice.into(),
                    },
                }],
                ..Filing::default()
            })
        };
        assert!(failure(file_answering("sofa")).contains("not valid"));
        assert!(matches!(
            file_answering("mattress"),
            ActionView::Saved { .. }
        ));
    }

    #[test]
    fn messages_follow_the_language() {
        let mut h = Harness::new();
        h.send(Intent::SetLanguage {
            language: "fr-FR".into(),
        });
        let message = failure(file(&mut h, CATEGORY, 48.85, "nid de poule"));
        assert!(message.contains("pas encore inscrit"), "{message}");
        assert_eq!(h.restart().view().language, "fr");
    }

    #[test]
    fn a_filed_report_gets_a_time_ordered_id_and_a_trimmed_text() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        let first = h.file("  matelas  ");
        let second = h.file("frigo");
        assert_eq!(first.get_version_num(), 7);
        let millis = |id: uuid::Uuid| id.get_timestamp().unwrap().to_unix();
        assert!(millis(first) <= millis(second), "ids sort by filing time");
        let report = h
            .view()
            .reports
            .into_iter()
            .find(|r| r.id == first.to_string())
            .unwrap();
        assert_eq!(report.text, "matelas");
    }

    #[test]
    fn me_too_is_offered_nearby_counted_once_and_not_on_my_own_reports() {
        let mut server = ServerOracle::default();
        let mut neighbour = Harness::registered(&mut server);
        let theirs = neighbour.file("Matelas");
        sync(&mut neighbour, &mut server);
        let mut h = Harness::registered(&mut server);
        let mine = h.file("Frigo");
        h.send(Intent::FindNearby {
            category: CATEGORY.into(),
            lat: 48.8570,
            lon: 2.3525,
        });
        let nearby = h.view().nearby.unwrap();
        let ids: Vec<&str> = nearby
            .reports
            .iter()
            .map(|n| n.report.id.as_str())
            .collect();
        assert!(ids.contains(&theirs.to_string().as_str()), "{ids:?}");
        assert!(
            nearby
                .reports
                .iter()
                .all(|n| n.distance_m <= nearby.radius_m)
        );
        h.send(Intent::FindNearby {
            category: CATEGORY.into(),
            lat: 48.87,
            lon: 2.3525,
        });
        assert!(
            h.view().nearby.unwrap().reports.is_empty(),
            "1.5 km away is not nearby"
        );

        h.send(Intent::Support {
            report_id: theirs.to_string(),
        });
        h.saved_id();
        h.send(Intent::Support {
            report_id: theirs.to_string(),
        });
        assert!(failure(h.view().action).contains("already"));
        h.send(Intent::Support {
            report_id: mine.to_string(),
        });
        assert!(failure(h.view().action).contains("your own"));
        sync(&mut h, &mut server);
        let report = h
            .view()
            .reports
            .into_iter()
            .find(|r| r.id == theirs.to_string())
            .unwrap();
        assert_eq!((report.supporters, report.supported), (1, true));
    }

    #[test]
    fn the_timeline_shows_statuses_city_messages_and_queued_replies_and_notifies() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        let id = h.file("Lampadaire éteint");
        sync(&mut h, &mut server);
        assert!(
            h.notifications.is_empty(),
            "no notification for one's own sending"
        );
        server.city_sets(id, ReportStatus::Scheduled, "Intervention jeudi");
        sync(&mut h, &mut server);
        assert_eq!(h.notifications.len(), 1);
        assert!(
            h.notifications[0].title.contains("scheduled"),
            "{:?}",
            h.notifications
        );
        assert!(h.notifications[0].body.contains("Intervention jeudi"));
        h.send(Intent::Reply {
            report_id: id.to_string(),
            text: "Merci !".into(),
        });
        h.saved_id();
        h.send(Intent::OpenReport {
            report_id: id.to_string(),
        });
        let detail = h.view().opened.unwrap();
        let kinds: Vec<(&str, bool)> = detail
            .timeline
            .iter()
            .map(|e| (e.kind.as_str(), e.queued))
            .collect();
        assert_eq!(
            kinds,
            vec![
                ("status", false),
                ("status", false),
                ("message", false),
                ("reply", true)
            ]
        );
        assert_eq!(detail.response_days, Some(7));
        assert!(!detail.can_confirm);
        sync(&mut h, &mut server);
        let detail = h.view().opened.unwrap();
        assert!(
            detail
                .timeline
                .iter()
                .any(|e| e.kind == "reply" && !e.queued)
        );
    }

    #[test]
    fn a_resolution_can_be_reopened_by_its_reporter_only() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        let id = h.file("Nid de poule");
        sync(&mut h, &mut server);
        h.send(Intent::ConfirmResolution {
            report_id: id.to_string(),
            fixed: false,
            satisfaction: None,
        });
        assert!(failure(h.view().action).contains("not marked as resolved"));
        server.city_sets(id, ReportStatus::Resolved, "Rebouché");
        sync(&mut h, &mut server);
        h.send(Intent::OpenReport {
            report_id: id.to_string(),
        });
        assert!(h.view().opened.unwrap().can_confirm);
        h.send(Intent::ConfirmResolution {
            report_id: id.to_string(),
            fixed: false,
            satisfaction: Some(9),
        });
        assert!(failure(h.view().action).contains("1 to 5"));
        h.send(Intent::ConfirmResolution {
            report_id: id.to_string(),
            fixed: false,
            satisfaction: Some(2),
        });
        h.saved_id();
        sync(&mut h, &mut server);
        let report = h
            .view()
            .reports
            .into_iter()
            .find(|r| r.id == id.to_string())
            .unwrap();
        assert_eq!(report.status, "reopened");
        assert!(server.kinds.contains(&"confirm_resolution"));
    }

    #[test]
    fn a_service_rating_is_kept_offline_and_replaced_by_a_new_one() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        let rate = |h: &mut Harness, satisfaction: u8| {
            h.send(Intent::RateService {
                service_id: "mairie-75104".into(),
                satisfaction,
                importance: 5,
                comment: Some("Accueil".into()),
            });
        };
        rate(&mut h, 0);
        assert!(failure(h.view().action).contains("1 to 5"));
        h.send(Intent::RateService {
            service_id: "nowhere".into(),
            satisfaction: 3,
            importance: 3,
            comment: None,
        });
        assert!(failure(h.view().action).contains("nowhere"));
        rate(&mut h, 2);
        rate(&mut h, 4);
        let h2 = h.restart();
        let service = h2
            .view()
            .services
            .into_iter()
            .find(|s| s.id == "mairie-75104")
            .unwrap();
        let mine = service.my_rating.unwrap();
        assert_eq!((mine.satisfaction, mine.state.as_str()), (4, "queued"));
        let mut h = h2;
        sync(&mut h, &mut server);
        let service = h
            .view()
            .services
            .into_iter()
            .find(|s| s.id == "mairie-75104")
            .unwrap();
        assert_eq!(service.my_rating.unwrap().state, "sent");
        assert_eq!(
            server
                .kinds
                .iter()
                .filter(|k| **k == "rate_service")
                .count(),
            2
        );
    }
}
