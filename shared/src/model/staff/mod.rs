//! A staff member's change to a report, made on their device, online or not: the checks the
//! device can make with the workflow and the catalogue, and the written reply the town will send
//! the reporter when the staff member writes none (the same draft the server writes, from
//! [`relais_domain::replies`]).

use relais_domain::{
    replies::{self, ReplyValues},
    status,
};
use relais_protocol::{
    LocalizedText, ReplyKind, StaffRole, WorkflowAction, upload::MAX_PHOTOS_PER_REPORT,
};
use uuid::Uuid;

use super::{HeldReport, Model, chain, validate};
use crate::i18n::Message;

/// What a staff member wants done to a report.
#[derive(Debug, Clone, PartialEq)]
pub struct StaffChange {
    pub report_id: Uuid,
    pub action: WorkflowAction,
    /// A written reply to the reporter.
    pub reply: Option<String>,
    /// An internal note.
    pub note: Option<String>,
    /// Picture files taken on site, still to run through the photo pipeline (a resolution).
    pub photo_files: Vec<String>,
}

/// Checks that need neither the report nor the clock.
pub fn check(model: &Model, change: &StaffChange) -> Result<(), Message> {
    let registration = model
        .registration()
        .filter(|r| r.is_staff())
        .ok_or(Message::StaffOnly)?;
    for text in [&change.reply, &change.note].into_iter().flatten() {
        validate::text_ok(text)?;
    }
    let catalogue = model.catalogue.as_ref();
    match &change.action {
        WorkflowAction::Schedule { for_ms: Some(at) } if !relais_domain::ranges::is_time(*at) => {
            Err(Message::InvalidTime)
        }
        WorkflowAction::Reply if change.reply.is_none() => Err(Message::ReplyRequired),
        WorkflowAction::Note if change.note.is_none() => Err(Message::NoteRequired),
        WorkflowAction::Reject { reason }
            if catalogue
                .is_some_and(|c| !c.rejection_reasons.iter().any(|r| &r.code == reason)) =>
        {
            Err(Message::UnknownRejectionReason(reason.clone()))
        }
        WorkflowAction::Transfer { service }
            if catalogue.is_some_and(|c| c.service(service).is_none()) =>
        {
            Err(Message::UnknownTownService(service.clone()))
        }
        WorkflowAction::Assign { to: Some(to) }
            if registration.staff.as_ref().is_some_and(|s| {
                s.role == StaffRole::Agent && !s.email.eq_ignore_ascii_case(to)
            }) =>
        {
            Err(Message::AgentsAssignThemselves)
        }
        WorkflowAction::Resolve { photos }
            if photos.len() + change.photo_files.len() > MAX_PHOTOS_PER_REPORT =>
        {
            Err(Message::TooManyPhotos {
                max: MAX_PHOTOS_PER_REPORT,
            })
        }
        WorkflowAction::MarkDuplicate { of } if *of == change.report_id => {
            Err(Message::DuplicateOfItself)
        }
        _ => Ok(()),
    }
}

/// Checks against the report as the device will see it once the changes already queued for it
/// are applied.
pub fn check_on(model: &Model, action: &WorkflowAction, held: &HeldReport) -> Result<(), Message> {
    let report = chain::projected(&held.report, model.outbox.queued_for(held.id()));
    status::after(report.status, action).map_err(|_| Message::NotNow {
        status: report.status,
        action: action.kind(),
    })?;
    match action {
        WorkflowAction::Transfer { service } if report.service_code.as_ref() == Some(service) => {
            Err(Message::SameService)
        }
        _ => Ok(()),
    }
}

/// The town's written reply the reporter will read when the staff member writes none: the
/// draft for the report's category with its placeholders filled in.
pub fn reply_draft(
    model: &Model,
    held: &HeldReport,
    change: &StaffChange,
) -> Option<LocalizedText> {
    if change.reply.is_some() || !status::needs_reply(&change.action) {
        return None;
    }
    let kind = match &change.action {
        WorkflowAction::Acknowledge => ReplyKind::Acknowledged,
        WorkflowAction::Resolve { .. } => ReplyKind::Resolved,
        WorkflowAction::Reject { .. } => ReplyKind::Rejected,
        WorkflowAction::MarkDuplicate { .. } => ReplyKind::Duplicate,
        _ => return None,
    };
    let catalogue = model.catalogue.as_ref()?;
    let report = &held.report;
    let category = catalogue.category(&report.category)?;
    let template = replies::template(
        &catalogue.reply_templates,
        kind,
        &category.code,
        &category.group,
    )?;
    let values = ReplyValues {
        category: Some(category.name.clone()),
        service: report
            .service
            .clone()
            .or_else(|| Some(category.service.clone())),
        response_days: category.response_days,
        date: None,
        reason: match &change.action {
            WorkflowAction::Reject { reason } => catalogue
                .rejection_reasons
                .iter()
                .find(|r| &r.code == reason)
                .map(|r| r.label.clone()),
            _ => None,
        },
        original: match &change.action {
            WorkflowAction::MarkDuplicate { of } => Some(of.to_string()),
            _ => None,
        },
    };
    Some(replies::fill(template, &values))
}

#[cfg(test)]
mod tests;
