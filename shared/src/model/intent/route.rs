//! Where each intent goes: the state machine it belongs to, with its arguments checked and
//! turned into the core's own types.

use crux_core::{Command, render::render};
use relais_protocol::{GeoPoint, WorkflowAction, account::AccountDetails};
use uuid::Uuid;

use super::Intent;
use crate::{
    effects::{
        Effect,
        store::{self, StoreOp},
    },
    i18n::{Lang, Message},
    model::{
        Action, ActionState, Draft, Event, Model, MyRating, Registration, account, action, draft,
        fetch, lists, nearby, registration, staff, sync,
    },
};

/// Starts an action on the report named by `id`, or says the id is not a report's.
fn on_report(
    model: &mut Model,
    id: &str,
    action: impl FnOnce(Uuid) -> Action,
) -> Command<Effect, Event> {
    match Uuid::parse_str(id.trim()) {
        Ok(id) => action::start(model, action(id)),
        Err(_) => {
            model.action = ActionState::Failed(Message::UnknownReport);
            render()
        }
    }
}

/// Handles an intent of a started app.
pub fn route(intent: Intent, model: &mut Model) -> Command<Effect, Event> {
    model.notice = None;
    match intent {
        Intent::Start { .. } => render(),
        Intent::SetLanguage { language } => {
            model.lang = Lang::from_tag(&language);
            let save = store::write(StoreOp::SaveLanguage(model.lang.code().into()))
                .then_send(Event::LanguageSaved);
            Command::all([save, render()])
        }
        Intent::Register {
            server_url,
            tenant,
            platform,
            enrolment_code,
        } => registration::start(
            model,
            registration::Request {
                server_url,
                tenant,
                platform,
                enrolment_code,
            },
        ),
        Intent::FileReport {
            category,
            lat,
            lon,
            accuracy_m,
            text,
            answers,
            photos,
        } => action::start(
            model,
            Action::FileReport(Draft {
                category,
                location: GeoPoint {
                    lat,
                    lon,
                    accuracy_m,
                },
                text,
                answers: answers
                    .into_iter()
                    .map(|a| (a.question, a.value.into()))
                    .collect(),
                photo_files: photos,
                photos: Vec::new(),
            }),
        ),
        Intent::FetchPhoto { sha256, path } => fetch::start(model, sha256, path),
        Intent::SetAccount {
            email,
            phone,
            contact,
            language,
        } => {
            let details = AccountDetails {
                email: email.trim().to_owned(),
                phone: phone.filter(|p| !p.trim().is_empty()),
                contact,
                language: Lang::from_tag(&language).code().into(),
            };
            account::set(model, details)
        }
        Intent::LinkAccount { code } => account::link(model, &code),
        Intent::ExportAccount => account::export(model),
        Intent::DeleteAccount => account::delete(model),
        Intent::FindNearby { category, lat, lon } => {
            nearby::find(model, nearby::NearbyQuery { category, lat, lon })
        }
        Intent::Support { report_id } => {
            on_report(model, &report_id, |report_id| Action::Support { report_id })
        }
        Intent::Reply { report_id, text } => {
            let staff = model.registration().is_some_and(Registration::is_staff);
            on_report(model, &report_id, |report_id| {
                if staff {
                    Action::Staff(staff::StaffChange {
                        report_id,
                        action: WorkflowAction::Reply,
                        reply: Some(text),
                        note: None,
                        photo_files: Vec::new(),
                    })
                } else {
                    Action::Reply { report_id, text }
                }
            })
        }
        Intent::ConfirmResolution {
            report_id,
            fixed,
            satisfaction,
        } => on_report(model, &report_id, |report_id| Action::Confirm {
            report_id,
            fixed,
            satisfaction,
        }),
        Intent::RateService {
            service_id,
            satisfaction,
            importance,
            comment,
        } => action::start(
            model,
            Action::Rate(MyRating {
                service_id,
                satisfaction,
                importance,
                comment: comment.filter(|c| !c.trim().is_empty()),
                at_ms: 0,
            }),
        ),
        Intent::FollowZone { zone } => action::start(model, Action::Follow { zone, follow: true }),
        Intent::UnfollowZone { zone } => action::start(
            model,
            Action::Follow {
                zone,
                follow: false,
            },
        ),
        Intent::StaffAction {
            report_id,
            action,
            reply,
            note,
            photos,
        } => match action.into_action(Vec::new()) {
            Ok(action) => on_report(model, &report_id, |report_id| {
                Action::Staff(staff::StaffChange {
                    report_id,
                    action,
                    reply: reply.filter(|r| !r.trim().is_empty()),
                    note: note.filter(|n| !n.trim().is_empty()),
                    photo_files: photos,
                })
            }),
            Err(message) => {
                model.action = ActionState::Failed(message);
                render()
            }
        },
        Intent::Reapply { mutation_id } => match Uuid::parse_str(mutation_id.trim()) {
            Ok(mutation_id) => action::start(model, Action::Reapply { mutation_id }),
            Err(_) => {
                model.action = ActionState::Failed(Message::NothingToReapply);
                render()
            }
        },
        Intent::ListReports { query } => lists::list_reports(model, query),
        Intent::ListWork { query } => lists::list_work(model, query),
        Intent::Draft { change } => match change.into_change() {
            Ok(change) => draft::change(model, change),
            Err(message) => {
                model.draft_problem = Some(message);
                render()
            }
        },
        Intent::OpenReport { report_id } => match Uuid::parse_str(report_id.trim()) {
            Ok(id) => lists::open(model, id),
            Err(_) => {
                model.lists.opened = None;
                model.notice = Some(Message::UnknownReport);
                render()
            }
        },
        Intent::Sync => sync::start(model),
        Intent::NetworkBack => sync::policy::network_back(model),
    }
}
