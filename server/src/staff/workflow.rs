//! Deciding a staff action on a report: pure, over the facts read up front (the report, the
//! original it may be merged into, the staff member it may be assigned to) and the town held in
//! memory. A staff device's push and the back office both decide here.
//!
//! In order: the report exists in the town; the actor may work on it; an action that changes
//! the report's state is based on its current version (else a visible `conflict`); the workflow
//! allows the action now (`relais_domain::status::after`); the action's own checks (a date, a
//! reason of the town's list, another service, an open original, a staff member who can take
//! it); the texts. Then the written reply: the staff member's, or the town's template for the
//! moment when the citizen must be answered.

use std::collections::HashMap;

use relais_domain::status::{self, changes_state, needs_reply, reply_kind};
use relais_domain::text;
use relais_protocol::mutation::MAX_TEXT_CHARS;
use relais_protocol::upload::{MAX_PHOTOS_PER_REPORT, is_content_address};
use relais_protocol::{LocalizedText, Reason, ReportStatus, WorkflowAction};
use relais_server_database::writes::{
    ActorRecord, HistoryEntry, OriginalIndex, StaffMessage, WorkflowChange,
};
use relais_server_database::{ReportFacts, StaffMember};
use uuid::Uuid;

use super::access::{StaffActor, may_dispatch, may_work_on};
use super::replies::{self, Extras};
use crate::reasons::{self, staff as refuse};
use crate::town::Town;

/// A staff action as asked.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionRequest {
    pub report_id: Uuid,
    pub base_version: i64,
    pub action: WorkflowAction,
    pub reply: Option<String>,
    pub note: Option<String>,
    /// From an older app's `change_status`: a schedule may come without a date, a rejection
    /// without a reason of the town's list (its reply says why).
    pub legacy: bool,
}

/// What the rules know when deciding: the reports named (updated by earlier actions of the same
/// batch) and the staff members named by e-mail.
pub struct Known<'a> {
    pub reports: &'a mut HashMap<Uuid, ReportFacts>,
    pub staff: &'a HashMap<String, StaffMember>,
}

/// Decides `request` by `actor`; on success the reports known are updated as the change leaves
/// them, so that a later action of the same batch sees it.
pub fn decide(
    actor: &StaffActor,
    town: &Town,
    known: &mut Known<'_>,
    request: &ActionRequest,
    now_ms: i64,
) -> Result<WorkflowChange, Reason> {
    let report = known
        .reports
        .get(&request.report_id)
        .filter(|r| r.tenant == town.id())
        .ok_or_else(reasons::report_not_found)?;
    if !may_work_on(&actor.member, town, report) {
        return Err(refuse::not_permitted());
    }
    let action = &request.action;
    if changes_state(action) && request.base_version != report.version {
        return Err(refuse::conflict(report.version, request.base_version));
    }
    let after = status::after(report.status, action)
        .map_err(|status::NotNow| refuse::invalid_transition(report.status, target(action)))?;
    let checked = check(actor, town, known, report, request)?;
    let note = optional_text(request.note.as_deref())?;
    if note.is_none() && matches!(action, WorkflowAction::Note) {
        return Err(reasons::invalid_text(MAX_TEXT_CHARS));
    }
    let reply = match optional_text(request.reply.as_deref())? {
        Some(reply) => Some(reply),
        None if matches!(action, WorkflowAction::Reply) => return Err(refuse::missing_reply()),
        None if request.legacy && matches!(action, WorkflowAction::Reject { .. }) => {
            return Err(refuse::missing_note());
        }
        None => reply_kind(action).and_then(|kind| {
            replies::draft(town, report, kind, &checked.extras, needs_reply(action))
        }),
    };

    let status = after.unwrap_or(report.status);
    let version = if changes_state(action) {
        report.version + 1
    } else {
        report.version
    };
    let closes = matches!(
        status,
        ReportStatus::Resolved | ReportStatus::Rejected | ReportStatus::Duplicate
    ) && after.is_some();
    let change = WorkflowChange {
        report_id: request.report_id,
        staff: actor.member.id,
        version,
        service: checked.service.clone(),
        assigned_to: checked.assigned_to,
        scheduled_for_ms: checked.extras.date_ms,
        completion_photos: checked.photos,
        merged_into: checked.extras.original,
        acknowledges: after.is_some(),
        resolves: status == ReportStatus::Resolved && after.is_some(),
        closes,
        original: if closes {
            OriginalIndex::Remove
        } else {
            OriginalIndex::Keep
        },
        reply: reply.map(|text| StaffMessage {
            id: Uuid::now_v7(),
            text,
        }),
        note: note.map(|text| StaffMessage {
            id: Uuid::now_v7(),
            text,
        }),
        history: HistoryEntry {
            action: action.kind().to_owned(),
            status,
            status_changed: after.is_some_and(|to| to != report.status),
            actor: ActorRecord::Staff(actor.member.id),
            channel: actor.channel.as_str().to_owned(),
            device: actor.channel.device(),
            detail: checked.detail,
        },
    };

    let report = known
        .reports
        .get_mut(&request.report_id)
        .ok_or_else(reasons::report_not_found)?;
    report.status = status;
    report.version = version;
    if let Some(service) = checked.service {
        report.service = service;
    }
    if let Some(assigned) = checked.assigned_to {
        report.assigned_to = assigned;
    }
    if change.resolves {
        report.resolved_at_ms = Some(now_ms);
    }
    Ok(change)
}

/// What an action's own checks found.
#[derive(Default)]
struct Checked {
    extras: Extras,
    service: Option<String>,
    assigned_to: Option<Option<Uuid>>,
    photos: Vec<String>,
    detail: Option<LocalizedText>,
}

fn check(
    actor: &StaffActor,
    town: &Town,
    known: &Known<'_>,
    report: &ReportFacts,
    request: &ActionRequest,
) -> Result<Checked, Reason> {
    let mut checked = Checked::default();
    match &request.action {
        WorkflowAction::Schedule { for_ms } => match for_ms {
            Some(at) if !relais_domain::ranges::is_time(*at) => {
                return Err(reasons::invalid_time());
            }
            Some(at) => {
                checked.extras.date_ms = Some(*at);
                checked.detail = replies::written_date(*at);
            }
            None if request.legacy => {}
            None => return Err(refuse::missing_date()),
        },
        WorkflowAction::Resolve { photos } => {
            if photos.len() > MAX_PHOTOS_PER_REPORT || !photos.iter().all(|p| is_content_address(p))
            {
                return Err(reasons::invalid_photos(MAX_PHOTOS_PER_REPORT));
            }
            checked.photos.clone_from(photos);
        }
        WorkflowAction::Reject { reason } => match town.rejection_reason(reason) {
            Some(label) => {
                checked.extras.reason = Some(label.clone());
                checked.detail = Some(label.clone());
            }
            None if request.legacy => {}
            None => return Err(refuse::unknown_reason(reason)),
        },
        WorkflowAction::Transfer { service } => {
            let Some(name) = town
                .service_name(service)
                .filter(|_| *service != report.service)
            else {
                return Err(refuse::unknown_service(service));
            };
            checked.detail = Some(name.clone());
            checked.extras.service = Some(service.clone());
            checked.service = Some(service.clone());
        }
        WorkflowAction::MarkDuplicate { of } => {
            known
                .reports
                .get(of)
                .filter(|o| *of != request.report_id && o.tenant == report.tenant)
                .filter(|o| status::is_open(o.status))
                .ok_or_else(refuse::invalid_duplicate)?;
            checked.extras.original = Some(*of);
            let reference = replies::reference(*of);
            checked.detail = Some(LocalizedText::new(
                format!("Doublon de {reference}"),
                format!("Duplicate of {reference}"),
            ));
        }
        WorkflowAction::Assign { to } => {
            let assignee = match to {
                Some(email) => {
                    let email = email.trim().to_lowercase();
                    let member = known
                        .staff
                        .get(&email)
                        .filter(|m| may_work_on(m, town, report))
                        .ok_or_else(|| refuse::unknown_staff(&email))?;
                    Some(member.id)
                }
                None => None,
            };
            let own = |id: Option<Uuid>| id.is_none_or(|id| id == actor.member.id);
            // An agent takes a report or gives it back; dispatching to others is a supervisor's.
            if !(may_dispatch(&actor.member) || own(assignee) && own(report.assigned_to)) {
                return Err(refuse::not_permitted());
            }
            checked.assigned_to = Some(assignee);
        }
        WorkflowAction::Acknowledge
        | WorkflowAction::Start
        | WorkflowAction::Reply
        | WorkflowAction::Note => {}
    }
    Ok(checked)
}

/// The status an action aims at, to name it in a refusal.
const fn target(action: &WorkflowAction) -> ReportStatus {
    match action {
        WorkflowAction::Acknowledge => ReportStatus::Acknowledged,
        WorkflowAction::Schedule { .. } => ReportStatus::Scheduled,
        WorkflowAction::Start => ReportStatus::InProgress,
        WorkflowAction::Resolve { .. } => ReportStatus::Resolved,
        WorkflowAction::Reject { .. } => ReportStatus::Rejected,
        WorkflowAction::Transfer { .. } => ReportStatus::Transferred,
        WorkflowAction::MarkDuplicate { .. } => ReportStatus::Duplicate,
        WorkflowAction::Assign { .. } | WorkflowAction::Reply | WorkflowAction::Note => {
            ReportStatus::Received
        }
    }
}

/// A text the staff member may leave out; blank counts as absent.
fn optional_text(text: Option<&str>) -> Result<Option<String>, Reason> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let text =
        text::clean(text, MAX_TEXT_CHARS).map_err(|_| reasons::invalid_text(MAX_TEXT_CHARS))?;
    Ok(Some(text.into_owned()))
}

/// The workflow action an older app's `change_status` to `status` stands for.
pub fn legacy_action(status: ReportStatus) -> Option<WorkflowAction> {
    Some(match status {
        ReportStatus::Acknowledged => WorkflowAction::Acknowledge,
        ReportStatus::Scheduled => WorkflowAction::Schedule { for_ms: None },
        ReportStatus::InProgress => WorkflowAction::Start,
        ReportStatus::Resolved => WorkflowAction::Resolve { photos: Vec::new() },
        ReportStatus::Rejected => WorkflowAction::Reject {
            reason: String::new(),
        },
        _ => return None,
    })
}
