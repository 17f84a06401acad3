//! What a judged action becomes: the mutation it sends, the change it makes on the device
//! (saved with the mutation in one transaction), and what the model changes once saved.

use std::borrow::Cow;

use relais_domain::text;
use relais_protocol::{LocalizedText, MutationOp, ReportStatus};
use uuid::Uuid;

use super::{Action, ActionKind, MyRating};
use crate::{
    effects::store::LocalChange,
    model::{HeldReport, Model, Report, staff},
};

/// What a saved action tells the user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Saved {
    pub kind: ActionKind,
    /// What the action created or concerns.
    pub id: String,
    /// For a staff change that carries no reply of its own, the town's draft the reporter
    /// will read.
    pub reply_draft: Option<LocalizedText>,
}

/// What the model changes once the store has saved the action.
#[derive(Debug, Clone, PartialEq)]
pub struct AfterSave {
    /// The report to keep in memory (the citizen's own, or one the queue now refers to).
    pub keep: Option<HeldReport>,
    pub rating: Option<MyRating>,
    /// The refused item this one applies again, which leaves the outbox.
    pub replaces: Option<Uuid>,
    pub saved: Saved,
}

pub struct Built {
    pub op: MutationOp,
    pub local: LocalChange,
    pub after: AfterSave,
}

fn saved(kind: ActionKind, id: impl ToString) -> Saved {
    Saved {
        kind,
        id: id.to_string(),
        reply_draft: None,
    }
}

/// The form a checked text is sent and kept in: trimmed, with the characters
/// [`text::clean`] keeps (NFC, newlines for carriage returns), which are the server's.
fn kept(checked: &str) -> String {
    let trimmed = checked.trim();
    text::clean(trimmed, usize::MAX).map_or_else(|_| trimmed.to_owned(), Cow::into_owned)
}

fn built(op: MutationOp, keep: Option<HeldReport>, saved: Saved) -> Built {
    Built {
        op,
        local: LocalChange::None,
        after: AfterSave {
            keep,
            rating: None,
            replaces: None,
            saved,
        },
    }
}

/// Builds the action's mutation and effects; `held` is the report it concerns, `new_id` the id
/// of what it creates.
pub fn build(
    model: &Model,
    action: Action,
    held: Option<HeldReport>,
    new_id: Uuid,
    now_ms: i64,
) -> Built {
    match action {
        Action::FileReport(draft) => {
            let service_code = model
                .town_rules
                .service_for(&draft.category, draft.location);
            let report = Report {
                id: new_id,
                category: draft.category,
                location: draft.location,
                text: kept(&draft.text),
                created_at_ms: now_ms,
                status: ReportStatus::Queued,
                version: 0,
                zone: None,
                service: None,
                service_code,
                due_at_ms: None,
                scheduled_for_ms: None,
                history: Vec::new(),
                photos: draft.photos,
                completion_photos: Vec::new(),
                supporters: 0,
                duplicate_of: None,
                mine: true,
                supported: false,
                refusal: None,
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
            let mut built = built(
                op,
                Some(HeldReport::new(report.clone())),
                saved(ActionKind::Report, new_id),
            );
            built.local = LocalChange::Report(Box::new(report));
            built
        }
        Action::Support { report_id } => {
            let keep = held.map(|mut held| {
                held.report.supported = true;
                held.report.supporters += 1;
                held
            });
            let mut built = built(
                MutationOp::SupportReport { report_id },
                keep.clone(),
                saved(ActionKind::Support, report_id),
            );
            if let Some(held) = keep {
                built.local = LocalChange::Report(Box::new(held.report));
            }
            built
        }
        Action::Reply { report_id, text } => built(
            MutationOp::AddNote {
                report_id,
                text: kept(&text),
            },
            held,
            saved(ActionKind::Reply, report_id),
        ),
        Action::Confirm {
            report_id,
            fixed,
            satisfaction,
        } => built(
            MutationOp::ConfirmResolution {
                report_id,
                fixed,
                satisfaction,
            },
            held,
            saved(ActionKind::Confirm, report_id),
        ),
        Action::Follow { zone, follow } => {
            let (op, kind) = if follow {
                (
                    MutationOp::FollowZone { zone: zone.clone() },
                    ActionKind::Follow,
                )
            } else {
                (
                    MutationOp::UnfollowZone { zone: zone.clone() },
                    ActionKind::Unfollow,
                )
            };
            built(op, None, saved(kind, zone))
        }
        Action::Staff(change) => {
            let reply_draft = held
                .as_ref()
                .and_then(|h| staff::reply_draft(model, h, &change));
            let trim = |t: Option<String>| t.as_deref().map(kept);
            let op = MutationOp::StaffAction {
                report_id: change.report_id,
                base_version: 0, // given by the store, from the report and the queue
                action: change.action,
                reply: trim(change.reply),
                note: trim(change.note),
            };
            let mut saved = saved(ActionKind::Staff, change.report_id);
            saved.reply_draft = reply_draft;
            built(op, held, saved)
        }
        Action::Reapply { mutation_id } => {
            let Some(item) = model.outbox.get(mutation_id) else {
                unreachable!("validate::at checked in this same update that the item is queued");
            };
            let op = item.mutation.op.clone();
            let id = held
                .as_ref()
                .map_or_else(String::new, |h| h.id().to_string());
            let mut built = built(op, held, saved(ActionKind::Reapply, id));
            built.after.replaces = Some(mutation_id);
            built
        }
        Action::Rate(mut rating) => {
            rating.at_ms = now_ms;
            rating.comment = rating
                .comment
                .as_deref()
                .map(kept)
                .filter(|c| !c.is_empty());
            let op = MutationOp::RateService {
                service_id: rating.service_id.clone(),
                satisfaction: rating.satisfaction,
                importance: rating.importance,
                comment: rating.comment.clone(),
            };
            let mut built = built(op, None, saved(ActionKind::Rate, &rating.service_id));
            built.local = LocalChange::Rating(rating.clone());
            built.after.rating = Some(rating);
            built
        }
    }
}
