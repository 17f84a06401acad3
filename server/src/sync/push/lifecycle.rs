//! What citizens do to a report after it is filed: the reporter's notes (`add_note`), other
//! citizens' "me too" (`support_report`), the reporter's answer to a resolution
//! (`confirm_resolution`).

use relais_domain::{geo, status};
use relais_protocol::directory::RATING_RANGE;
use relais_protocol::mutation::MAX_TEXT_CHARS;
use relais_protocol::{Reason, ReportStatus};
use relais_server_database::ReportFacts;
use relais_server_database::writes::{
    ActorRecord, CitizenMessage, Confirmation, HistoryEntry, NewSupport, OriginalIndex, Write,
};
use uuid::Uuid;

use super::{DAY_MS, Judge};
use crate::reasons;

/// The history action of a reporter's confirmation that the problem is fixed.
pub const CONFIRMED: &str = "confirmed";

impl Judge<'_> {
    /// The report, as the batch left it, if it exists in the device's tenant. A report of
    /// another tenant is "not found", so that nothing leaks across tenants.
    pub(super) fn report(&self, report_id: Uuid) -> Result<&ReportFacts, Reason> {
        self.facts
            .reports
            .get(&report_id)
            .filter(|report| report.tenant == self.device.tenant)
            .ok_or_else(reasons::report_not_found)
    }

    /// The reporter (from any of their linked devices) writes in the report's thread.
    pub(super) fn add_note(&self, report_id: Uuid, text: &str) -> Result<Write, Reason> {
        let report = self.report(report_id)?;
        if report.citizen != self.citizen() {
            return Err(reasons::not_your_report());
        }
        let Ok(text) = relais_domain::text::clean(text, MAX_TEXT_CHARS) else {
            return Err(reasons::invalid_text(MAX_TEXT_CHARS));
        };
        Ok(Write::CitizenMessage(CitizenMessage {
            id: Uuid::now_v7(),
            report_id,
            device: self.device.id,
            text: text.into_owned(),
        }))
    }

    /// "Me too", counted once per citizen: a second one is applied and changes nothing.
    pub(super) fn support(&mut self, report_id: Uuid) -> Result<Option<Write>, Reason> {
        let report = self.report(report_id)?;
        if report.citizen == self.citizen() {
            return Err(reasons::own_report());
        }
        if self.facts.supported.contains(&report_id) {
            return Ok(None);
        }
        if !status::is_open(report.status) {
            return Err(reasons::report_closed());
        }
        self.facts.supported.insert(report_id);
        Ok(Some(Write::Support(NewSupport {
            report_id,
            citizen: self.citizen().to_owned(),
        })))
    }

    /// The reporter says whether a resolved report is fixed (kept resolved, with a "confirmed"
    /// history entry) or not (reopened), within the town's window.
    pub(super) fn confirm_resolution(
        &mut self,
        report_id: Uuid,
        fixed: bool,
        satisfaction: Option<u8>,
    ) -> Result<Write, Reason> {
        let window_days = self.facts.town.reopen_window_days;
        let now_ms = self.now_ms;
        let citizen = self.citizen().to_owned();
        let device = self.device.id;
        let report = self
            .facts
            .reports
            .get_mut(&report_id)
            .filter(|report| report.tenant == self.device.tenant)
            .ok_or_else(reasons::report_not_found)?;
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
        let (status, action, original) = if fixed {
            (ReportStatus::Resolved, CONFIRMED, OriginalIndex::Keep)
        } else {
            report.version += 1;
            // A reopened original counts again as the original of its spot.
            let original = if report.duplicate_of.is_none() {
                OriginalIndex::Add {
                    cell: geo::cell(report.lat, report.lon),
                }
            } else {
                OriginalIndex::Keep
            };
            (ReportStatus::Reopened, "reopened", original)
        };
        report.status = status;
        Ok(Write::Confirmation(Confirmation {
            report_id,
            version: report.version,
            satisfaction,
            original,
            history: HistoryEntry {
                action: action.to_owned(),
                status,
                status_changed: !fixed,
                actor: ActorRecord::Citizen(citizen),
                channel: self.source.as_str().to_owned(),
                device: Some(device),
                detail: None,
            },
        }))
    }
}
