//! What happens to a report after it is filed: the reporter's notes (`add_note`), other citizens'
//! "me too" (`support_report`), the reporter's answer to a resolution (`confirm_resolution`) and
//! the agents' status changes (`change_status`), which write the city's messages in the report's
//! private thread.

use relais_protocol::directory::RATING_RANGE;
use relais_protocol::mutation::MAX_TEXT_CHARS;
use relais_protocol::{Author, Reason, ReportStatus};
use uuid::Uuid;

use relais_domain::status;
use relais_protocol::WorkflowAction;

use super::{DAY_MS, Judge, is_valid_text};
use crate::sync::reasons;
use relais_server_database::{Effect, NewNote, NewSupport, Role, Transition};

/// The history note of a reporter's confirmation that the problem is fixed.
pub const CONFIRMED_NOTE: &str = "confirmed";

impl Judge<'_> {
    /// The reporter (from any of their linked devices) writes in the report's thread.
    pub(super) fn add_note(&self, report_id: Uuid, text: &str) -> Result<Effect, Reason> {
        let report = self.report(report_id)?;
        if report.citizen != self.citizen() {
            return Err(reasons::not_your_report());
        }
        if !is_valid_text(text) {
            return Err(reasons::invalid_text(MAX_TEXT_CHARS));
        }
        Ok(Effect::AddNote(NewNote {
            id: Uuid::now_v7(),
            report_id,
            text: text.to_owned(),
            author: Author::Citizen,
            reporter: report.citizen.clone(),
        }))
    }

    /// "Me too", counted once per citizen: a second one is applied and changes nothing.
    pub(super) fn support(&mut self, report_id: Uuid) -> Result<Effect, Reason> {
        let report = self.report(report_id)?;
        if report.citizen == self.citizen() {
            return Err(reasons::own_report());
        }
        if self.supported.contains(&report_id) {
            return Ok(Effect::Nothing);
        }
        if !status::is_open(report.status) {
            return Err(reasons::report_closed());
        }
        self.supported.insert(report_id);
        Ok(Effect::Support(NewSupport {
            report_id,
            citizen: self.citizen().to_owned(),
        }))
    }

    /// The reporter says whether a resolved report is fixed (kept resolved, with a "confirmed"
    /// history entry) or not (reopened), within the town's window.
    pub(super) fn confirm_resolution(
        &mut self,
        report_id: Uuid,
        fixed: bool,
        satisfaction: Option<u8>,
    ) -> Result<Effect, Reason> {
        let window_days = self.facts.town.reopen_window_days;
        let now_ms = self.now_ms;
        let citizen = self.facts.citizen.clone();
        let report = self.report_mut(report_id)?;
        if report.citizen != citizen {
            return Err(reasons::not_the_reporter());
        }
        if satisfaction.is_some_and(|s| !RATING_RANGE.contains(&s)) {
            return Err(reasons::invalid_rating());
        }
        if report.status != ReportStatus::Resolved {
            return Err(reasons::not_resolved());
        }
        // A resolution without a date (none is written so) is not held against the reporter.
        if report
            .resolved_at_ms
            .is_some_and(|at| now_ms > at.saturating_add(i64::from(window_days) * DAY_MS))
        {
            return Err(reasons::window_closed(window_days));
        }
        let transition = if fixed {
            Transition {
                report_id,
                status: ReportStatus::Resolved,
                version: report.version,
                note: Some(CONFIRMED_NOTE.to_owned()),
                resolved: false,
                satisfaction,
                message: None,
            }
        } else {
            Transition {
                report_id,
                status: ReportStatus::Reopened,
                version: report.version + 1,
                note: None,
                resolved: false,
                satisfaction,
                message: None,
            }
        };
        report.status = transition.status;
        report.version = transition.version;
        Ok(Effect::Transition(transition))
    }

    /// An agent moves a report on, from the version it saw; its note (required to reject) goes
    /// in the history and, as a city message, in the reporter's thread.
    pub(super) fn change_status(
        &mut self,
        report_id: Uuid,
        base_version: i64,
        status: ReportStatus,
        note: Option<&str>,
    ) -> Result<Effect, Reason> {
        if self.device.role != Role::Agent {
            return Err(reasons::citizens_cannot_change_status());
        }
        let now_ms = self.now_ms;
        let report = self.report_mut(report_id)?;
        if base_version != report.version {
            return Err(reasons::conflict(report.version, base_version));
        }
        if !is_allowed_transition(report.status, status) {
            return Err(reasons::invalid_transition(report.status, status));
        }
        let note = note.map(str::trim).filter(|note| !note.is_empty());
        if note.is_some_and(|note| !is_valid_text(note)) {
            return Err(reasons::invalid_text(MAX_TEXT_CHARS));
        }
        if status == ReportStatus::Rejected && note.is_none() {
            return Err(reasons::missing_note());
        }
        let resolved = status == ReportStatus::Resolved;
        report.status = status;
        report.version += 1;
        if resolved {
            report.resolved_at_ms = Some(now_ms);
        }
        Ok(Effect::Transition(Transition {
            report_id,
            status,
            version: report.version,
            note: note.map(str::to_owned),
            resolved,
            satisfaction: None,
            message: note.map(|text| NewNote {
                id: Uuid::now_v7(),
                report_id,
                text: text.to_owned(),
                author: Author::City,
                reporter: report.citizen.clone(),
            }),
        }))
    }

    fn report_mut(
        &mut self,
        report_id: Uuid,
    ) -> Result<&mut relais_server_database::ReportFacts, Reason> {
        let tenant = &self.device.tenant;
        self.reports
            .get_mut(&report_id)
            .filter(|report| report.tenant == *tenant)
            .ok_or_else(reasons::report_not_found)
    }
}

/// Whether an agent's legacy `change_status` may move a report from `from` to `to`: the move
/// the matching workflow action makes.
fn is_allowed_transition(from: ReportStatus, to: ReportStatus) -> bool {
    let action = match to {
        ReportStatus::Acknowledged => WorkflowAction::Acknowledge,
        ReportStatus::Scheduled => WorkflowAction::Schedule { for_ms: None },
        ReportStatus::InProgress => WorkflowAction::Start,
        ReportStatus::Resolved => WorkflowAction::Resolve { photos: Vec::new() },
        ReportStatus::Rejected => WorkflowAction::Reject {
            reason: String::new(),
        },
        ReportStatus::Transferred => WorkflowAction::Transfer {
            service: String::new(),
        },
        _ => return false,
    };
    status::after(from, &action) == Ok(Some(to))
}
