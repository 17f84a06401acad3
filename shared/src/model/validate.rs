//! Whether an action makes sense, judged on the device with what it has synced, so that the
//! citizen hears about a mistake at once, offline, in words they understand. The server judges
//! again; these checks only spare a round trip and a refusal later.

use relais_domain::answers::{self, AnswerProblem};
use relais_domain::text::{self, TextProblem};
use relais_domain::zones::{ZoneGeometry, ZoneMap};
use relais_protocol::{
    Catalogue,
    directory::{MAX_COMMENT_CHARS, RATING_RANGE},
    mutation::MAX_TEXT_CHARS,
    upload::MAX_PHOTOS_PER_REPORT,
};

use super::{Action, Draft, Model, ReportStatus};
use crate::i18n::Message;

/// Checks that need no clock.
pub fn action(model: &Model, action: &Action) -> Result<(), Message> {
    if model.registration.is_none() {
        return Err(Message::NotRegistered);
    }
    match action {
        Action::FileReport(draft) => report(model, draft),
        Action::Support { report_id } => {
            let report = model.reports.get(report_id).ok_or(Message::UnknownReport)?;
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
        Action::Reply { report_id, text } => {
            let report = model.reports.get(report_id).ok_or(Message::UnknownReport)?;
            if !report.mine {
                return Err(Message::NotYourReport);
            }
            text_ok(text)
        }
        Action::Confirm {
            report_id,
            satisfaction,
            ..
        } => {
            let report = model.reports.get(report_id).ok_or(Message::UnknownReport)?;
            if !report.mine {
                Err(Message::NotYourReport)
            } else if report.status != ReportStatus::Resolved {
                Err(Message::NotResolved)
            } else if satisfaction.is_some_and(|s| !RATING_RANGE.contains(&s)) {
                Err(Message::InvalidRating)
            } else {
                Ok(())
            }
        }
        Action::ChangeStatus {
            report_id,
            status,
            note,
        } => {
            if !model.registration.as_ref().is_some_and(|r| r.agent) {
                return Err(Message::AgentsOnly);
            }
            model.reports.get(report_id).ok_or(Message::UnknownReport)?;
            if *status == ReportStatus::Rejected && note.is_none() {
                return Err(Message::ReasonRequired);
            }
            note.as_deref().map_or(Ok(()), text_ok)
        }
        Action::Rate(rating) => {
            let directory = model.directory.as_ref().ok_or(Message::NoDirectory)?;
            if !directory.services.iter().any(|s| s.id == rating.service_id) {
                Err(Message::UnknownService(rating.service_id.clone()))
            } else if !RATING_RANGE.contains(&rating.satisfaction)
                || !RATING_RANGE.contains(&rating.importance)
            {
                Err(Message::InvalidRating)
            } else if rating
                .comment
                .as_ref()
                .is_some_and(|c| c.chars().count() > MAX_COMMENT_CHARS)
            {
                Err(Message::TextTooLong {
                    max: MAX_COMMENT_CHARS,
                })
            } else {
                Ok(())
            }
        }
    }
}

/// Checks that need the time of the action.
pub fn at(model: &Model, action: &Action, now_ms: i64) -> Result<(), Message> {
    let Action::Confirm { report_id, .. } = action else {
        return Ok(());
    };
    let days = model
        .catalogue
        .as_ref()
        .map_or(28, |c| c.settings.reopen_window_days);
    let resolved = model
        .reports
        .get(report_id)
        .and_then(super::Report::resolved_at_ms);
    match resolved {
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
    if !draft.location.is_valid() {
        return Err(Message::InvalidLocation);
    }
    if !inside_town(catalogue, draft.location.lon, draft.location.lat) {
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

fn text_ok(text: &str) -> Result<(), Message> {
    text::check(text, MAX_TEXT_CHARS).map_err(|problem| match problem {
        TextProblem::Empty => Message::EmptyText,
        TextProblem::TooLong { max } => Message::TextTooLong { max },
    })
}

/// Whether the point is in a zone of the town. A catalogue without outlines accepts every
/// point: the server decides.
pub fn inside_town(catalogue: &Catalogue, lon: f64, lat: f64) -> bool {
    let map = ZoneMap::new(
        catalogue
            .zones
            .iter()
            .map(|z| {
                (
                    z.code.clone(),
                    z.parent.clone(),
                    ZoneGeometry::from_wire(&z.polygons),
                )
            })
            .collect(),
    );
    map.is_empty() || !map.locate(lon, lat).is_empty()
}
