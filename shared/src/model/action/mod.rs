//! A user action that must reach the server: filing a report, "me too", a reply, confirming or
//! reopening a resolution, rating a public service, following a zone, a staff member's change
//! to a report, applying a refused change again.
//!
//! Every action takes the same path:
//!
//! ```text
//! start ─► validate ─► read the report it concerns (if any) ─► validate with it
//!       ─► photos through the pipeline (if any) ─► clock ─► validate at that time
//!       ─► save the outbox item with its local effect, in one store transaction ─► Saved
//! ```
//!
//! The report is read from the store, the device's truth, not from memory. The model changes
//! only once the store has confirmed.

mod build;

use std::{collections::BTreeMap, time::SystemTime};

use crux_core::{Command, render::render};
use crux_time::command::Time;
use relais_protocol::{Answer, GeoPoint, LocalizedText, Mutation};
use serde::{Deserialize, Serialize};
use uuid::{Timestamp, Uuid};

use super::{
    Event, HeldReport, Model, OutboxItem, lists, millis, staff::StaffChange, sync, upload, validate,
};
use crate::{
    effects::{
        Effect,
        photo::{PhotoOp, PhotoOutput},
        store::{self, StoreError},
    },
    i18n::Message,
};

pub use build::{AfterSave, Saved};

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
    /// The reporter writes to the town (staff reply with [`Action::Staff`]).
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
    Follow {
        zone: String,
        follow: bool,
    },
    Staff(StaffChange),
    /// Apply again a staff change the server refused as a conflict.
    Reapply {
        mutation_id: Uuid,
    },
}

impl Action {
    /// The report the action concerns, read from the store before it is judged.
    fn report_id(&self, model: &Model) -> Option<Uuid> {
        match self {
            Self::Support { report_id }
            | Self::Reply { report_id, .. }
            | Self::Confirm { report_id, .. }
            | Self::Staff(StaffChange { report_id, .. }) => Some(*report_id),
            Self::Reapply { mutation_id } => model.outbox.get(*mutation_id)?.report_id(),
            Self::FileReport(_) | Self::Rate(_) | Self::Follow { .. } => None,
        }
    }

    /// The picture files still to run through the photo pipeline.
    fn photo_files(&self) -> &[String] {
        match self {
            Self::FileReport(draft) => &draft.photo_files,
            Self::Staff(change) => &change.photo_files,
            _ => &[],
        }
    }

    /// Replaces the picture files by the processed photos' names.
    fn attach_photos(&mut self, names: Vec<String>) {
        match self {
            Self::FileReport(draft) => {
                draft.photo_files.clear();
                draft.photos.extend(names);
            }
            Self::Staff(change) => {
                change.photo_files.clear();
                if let relais_protocol::WorkflowAction::Resolve { photos } = &mut change.action {
                    photos.extend(names);
                }
            }
            _ => {}
        }
    }
}

/// An action judged against the report it concerns, on its way to the store.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    pub action: Action,
    pub report: Option<HeldReport>,
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
    /// Saved on the device and queued for sending.
    Saved(Saved),
    /// Refused before saving, or the save failed.
    Failed(Message),
}

/// What an action was (the view shows it typed: a UniFFI enum, snake_case in JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum ActionKind {
    Report,
    Support,
    Reply,
    Confirm,
    Rate,
    Follow,
    Unfollow,
    /// A staff member's change to a report.
    Staff,
    Reapply,
}

#[derive(Debug)]
pub enum ActionEvent {
    /// The store answered with the report the action concerns.
    ReportRead {
        action: Box<Action>,
        result: Result<Option<Box<HeldReport>>, StoreError>,
    },
    /// The action's photos went through the pipeline (or one could not).
    PhotosImported {
        prepared: Box<Prepared>,
        result: Result<Vec<String>, LocalizedText>,
    },
    /// The clock answered: the action can get its ids.
    Stamped {
        prepared: Box<Prepared>,
        now: SystemTime,
    },
    /// Saved with its outbox item; the store gave the item its sequence number.
    Enqueued {
        after: Box<AfterSave>,
        result: Result<Box<OutboxItem>, StoreError>,
    },
}

/// The user asked for `action`.
pub fn start(model: &mut Model, action: Action) -> Command<Effect, Event> {
    if let Err(message) = validate::action(model, &action) {
        model.action = ActionState::Failed(message);
        return render();
    }
    model.action = ActionState::Saving;
    let next = match action.report_id(model) {
        Some(id) => store::held_report(id).then_send(move |result| {
            Event::Action(ActionEvent::ReportRead {
                action: Box::new(action),
                result,
            })
        }),
        None => prepare(
            model,
            Prepared {
                action,
                report: None,
            },
        ),
    };
    Command::all([next, render()])
}

/// The action and its report are known: judge it, then on to photos or the clock.
fn prepare(model: &mut Model, prepared: Prepared) -> Command<Effect, Event> {
    if let Err(message) = validate::with_report(model, &prepared.action, prepared.report.as_ref()) {
        model.action = ActionState::Failed(message);
        return render();
    }
    if prepared.action.photo_files().is_empty() {
        stamp(prepared)
    } else {
        import_photos(prepared)
    }
}

fn stamp(prepared: Prepared) -> Command<Effect, Event> {
    Time::now().then_send(move |now| {
        Event::Action(ActionEvent::Stamped {
            prepared: Box::new(prepared),
            now,
        })
    })
}

/// Runs the action's picture files through the photo pipeline, one after the other.
fn import_photos(prepared: Prepared) -> Command<Effect, Event> {
    Command::new(|ctx| async move {
        let mut names = Vec::new();
        for path in prepared.action.photo_files() {
            match ctx
                .request_from_shell(PhotoOp::Import { path: path.clone() })
                .await
            {
                Ok(PhotoOutput::Imported { sha256, .. }) => names.push(sha256),
                Ok(other) => unreachable!("an import answered {other:?}"),
                Err(problem) => {
                    ctx.send_event(Event::Action(ActionEvent::PhotosImported {
                        prepared: Box::new(prepared),
                        result: Err(problem),
                    }));
                    return;
                }
            }
        }
        ctx.send_event(Event::Action(ActionEvent::PhotosImported {
            prepared: Box::new(prepared),
            result: Ok(names),
        }));
    })
}

pub fn update(event: ActionEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        ActionEvent::ReportRead {
            action,
            result: Ok(report),
        } => prepare(
            model,
            Prepared {
                action: *action,
                report: report.map(|r| *r),
            },
        ),
        ActionEvent::PhotosImported {
            mut prepared,
            result: Ok(names),
        } => {
            prepared.action.attach_photos(names);
            stamp(*prepared)
        }
        ActionEvent::PhotosImported {
            result: Err(problem),
            ..
        } => {
            model.action = ActionState::Failed(Message::Localized(problem));
            render()
        }
        ActionEvent::Stamped { prepared, now } => {
            let now_ms = millis(now);
            model.now_ms = now_ms;
            let Prepared { action, report } = *prepared;
            if let Err(message) = validate::at(model, &action, report.as_ref(), now_ms) {
                model.action = ActionState::Failed(message);
                return render();
            }
            let since_epoch = now
                .duration_since(SystemTime::UNIX_EPOCH)
                .unwrap_or_default();
            let stamp = Timestamp::from_unix(
                uuid::NoContext,
                since_epoch.as_secs(),
                since_epoch.subsec_nanos(),
            );
            let built = build::build(model, action, report, Uuid::new_v7(stamp), now_ms);
            let mutation = Mutation {
                seq: 0, // given by the store, in the same transaction as the insert
                mutation_id: Uuid::new_v7(stamp),
                op: built.op,
            };
            let item = Box::new(OutboxItem::new(mutation, now_ms));
            let after = Box::new(built.after);
            store::enqueue(item, built.local, after.replaces)
                .then_send(move |result| Event::Action(ActionEvent::Enqueued { after, result }))
        }
        ActionEvent::Enqueued {
            after,
            result: Ok(item),
        } => {
            let AfterSave {
                keep,
                rating,
                replaces,
                saved,
            } = *after;
            if let Some(old) = replaces {
                model.outbox.remove(&[old]);
            }
            if let Some(held) = keep {
                if let Some(nearby) = &mut model.nearby {
                    nearby.changed(&held.report);
                }
                model.held.insert(held.id(), held);
            }
            if let Some(rating) = rating {
                model.my_ratings.insert(rating.service_id.clone(), rating);
            }
            upload::wait_for(model, &item.mutation.op);
            model.outbox.push(*item);
            model.action = ActionState::Saved(saved);
            Command::all([lists::refresh(model), sync::policy::nudge(model), render()])
        }
        ActionEvent::ReportRead { result: Err(e), .. }
        | ActionEvent::Enqueued { result: Err(e), .. } => {
            model.action = ActionState::Failed(Message::StorageFailed(e.0));
            render()
        }
    }
}

#[cfg(test)]
mod tests;
