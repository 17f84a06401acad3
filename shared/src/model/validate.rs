//! Whether an action makes sense, judged on the device with what it has synced, so that the
//! user hears about a mistake at once, offline, in words they understand. The server judges
//! again; these checks only spare a round trip and a refusal later.
//!
//! Three moments: [`action`] before anything is read, [`with_report`] once the report the action
//! concerns is read from the store, [`at`] once the clock has answered.

use relais_domain::answers::{self, AnswerProblem};
use relais_domain::ranges;
use relais_domain::text::{self, TextProblem};
use relais_protocol::{
    ReportStatus,
    directory::{MAX_COMMENT_CHARS, RATING_RANGE},
    mutation::MAX_TEXT_CHARS,
    upload::MAX_PHOTOS_PER_REPORT,
};

use super::{Action, Draft, HeldReport, Model, staff};
use crate::i18n::Message;

/// Checks that need neither the report nor the clock.
pub fn action(model: &Model, action: &Action) -> Result<(), Message> {
    let registration = model.registration().ok_or(Message::NotRegistered)?;
    let citizens_only = matches!(
        action,
        Action::FileReport(_)
            | Action::Support { .. }
            | Action::Confirm { .. }
            | Action::Rate(_)
            | Action::Follow { .. }
    );
    if citizens_only && registration.is_staff() {
        return Err(Message::CitizensOnly);
    }
    match action {
        Action::FileReport(draft) => report(model, draft),
        Action::Reply { text, .. } => text_ok(text),
        Action::Confirm { satisfaction, .. } => {
            if satisfaction.is_some_and(|s| !RATING_RANGE.contains(&s)) {
                Err(Message::InvalidRating)
            } else {
                Ok(())
            }
        }
        Action::Rate(rating) => {
            let directory = model.directory.as_ref().ok_or(Message::NoDirectory)?;
            if !directory.services.iter().any(|s| s.id == rating.service_id) {
                Err(Message::UnknownService(rating.service_id.clone()))
            } else if !RATING_RANGE.contains(&rating.satisfaction)
                || !RATING_RANGE.contains(&rating.importance)
            {
                Err(Message::InvalidRating)
            } else {
                match rating.comment.as_deref().map(str::trim) {
                    Some(comment) if !comment.is_empty() => text_within(comment, MAX_COMMENT_CHARS),
                    _ => Ok(()),
                }
            }
        }
        Action::Follow { zone, .. } => match &model.catalogue {
            Some(catalogue) if catalogue.zone(zone).is_none() => {
                Err(Message::UnknownZone(zone.clone()))
            }
            Some(_) => Ok(()),
            None => Err(Message::NoCatalogue),
        },
        Action::Staff(change) => staff::check(model, change),
        Action::Reapply { mutation_id } => {
            let item = model
                .outbox
                .get(*mutation_id)
                .filter(|i| i.is_conflict())
                .ok_or(Message::NothingToReapply)?;
            match &item.mutation.op {
                relais_protocol::MutationOp::StaffAction { .. } => Ok(()),
                _ => Err(Message::NothingToReapply),
            }
        }
        Action::Support { .. } => Ok(()),
    }
}

/// Checks against the report the action concerns, as the device holds it (`None`: it does not).
pub fn with_report(
    model: &Model,
    action: &Action,
    held: Option<&HeldReport>,
) -> Result<(), Message> {
    let held = match (action, held) {
        (Action::FileReport(_) | Action::Rate(_) | Action::Follow { .. }, _) => return Ok(()),
        (_, Some(held)) => held,
        (_, None) => return Err(Message::UnknownReport),
    };
    let report = &held.report;
    match action {
        Action::Support { .. } => {
            if report.mine {
                Err(Message::OwnReport)
            } else if !report.is_open() {
                Err(Message::ReportClosed)
            } else if report.supported {
                Err(Message::AlreadySupported)
            } else {
                Ok(())
            }
        }
        Action::Reply { .. } if !report.mine => Err(Message::NotYourReport),
        Action::Confirm { .. } if !report.mine => Err(Message::NotYourReport),
        Action::Confirm { .. } if report.status != ReportStatus::Resolved => {
            Err(Message::NotResolved)
        }
        Action::Staff(change) => staff::check_on(model, &change.action, held),
        Action::Reapply { mutation_id } => {
            match model.outbox.get(*mutation_id).map(|i| &i.mutation.op) {
                Some(relais_protocol::MutationOp::StaffAction { action, .. }) => {
                    staff::check_on(model, action, held)
                }
                _ => Err(Message::NothingToReapply),
            }
        }
        _ => Ok(()),
    }
}

/// Checks that need the time of the action.
pub fn at(
    model: &Model,
    action: &Action,
    held: Option<&HeldReport>,
    now_ms: i64,
) -> Result<(), Message> {
    // Every change is stamped with the device's clock: a clock the server would refuse (set to
    // 1970, or far ahead) is said now, not after the sync.
    if !ranges::is_time(now_ms) {
        return Err(Message::InvalidTime);
    }
    if let Action::Reapply { mutation_id } = action {
        // Another copy of this intent may have applied it again meanwhile.
        return match model.outbox.get(*mutation_id) {
            Some(item) if item.is_conflict() => Ok(()),
            _ => Err(Message::NothingToReapply),
        };
    }
    let Action::Confirm { .. } = action else {
        return Ok(());
    };
    let days = model
        .catalogue
        .as_ref()
        .map_or(28, |c| c.settings.reopen_window_days);
    match held.and_then(|h| h.report.resolved_at_ms()) {
        Some(at) if now_ms - at > i64::from(days) * 86_400_000 => {
            Err(Message::WindowClosed { days })
        }
        _ => Ok(()),
    }
}

fn report(model: &Model, draft: &Draft) -> Result<(), Message> {
    let catalogue = model.catalogue.as_ref().ok_or(Message::NoCatalogue)?;
    let category = catalogue
        .category(&draft.category)
        .ok_or_else(|| Message::UnknownCategory(draft.category.clone()))?;
    if !ranges::is_point(&draft.location) {
        return Err(Message::InvalidLocation);
    }
    if !model
        .town_rules
        .inside_town(draft.location.lon, draft.location.lat)
    {
        return Err(Message::OutsideTown(catalogue.name.clone()));
    }
    text_ok(&draft.text)?;
    if draft.photos.len() + draft.photo_files.len() > MAX_PHOTOS_PER_REPORT {
        return Err(Message::TooManyPhotos {
            max: MAX_PHOTOS_PER_REPORT,
        });
    }
    answers::check(&category.questions, &draft.answers).map_err(|(code, problem)| match problem {
        AnswerProblem::UnknownQuestion => Message::UnknownQuestion(code),
        AnswerProblem::Invalid(question) => Message::InvalidAnswer(question.label.clone()),
        AnswerProblem::Missing(question) => Message::MissingAnswer(question.label.clone()),
    })
}

pub(crate) fn text_ok(text: &str) -> Result<(), Message> {
    text_within(text, MAX_TEXT_CHARS)
}

/// Whether `text` is a text the server will keep (see [`relais_domain::text`]), of at most
/// `max` characters.
fn text_within(text: &str, max: usize) -> Result<(), Message> {
    text::clean(text, max)
        .map(|_| ())
        .map_err(|problem| match problem {
            TextProblem::Empty => Message::EmptyText,
            TextProblem::TooLong { max } => Message::TextTooLong { max },
            TextProblem::Control => Message::TextControl,
        })
}
