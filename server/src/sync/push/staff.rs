//! `staff_action` (and the `change_status` of older apps) from a staff device: the same
//! decision as the back office's, [`crate::staff::workflow::decide`], with the device as the
//! channel. A change after a refused one of the same report in the batch is refused as a
//! conflict ([`status::chained_report`] says why).

use relais_domain::status;
use relais_protocol::{Reason, ReportStatus, WorkflowAction};
use relais_server_database::writes::Write;
use uuid::Uuid;

use super::Judge;
use crate::reasons;
use crate::staff::workflow::{self, ActionRequest, Known};
use crate::staff::{Channel, StaffActor};

pub(super) fn request(
    report_id: Uuid,
    base_version: i64,
    action: WorkflowAction,
    reply: Option<String>,
    note: Option<String>,
) -> ActionRequest {
    ActionRequest {
        report_id,
        base_version,
        action,
        reply,
        note,
        legacy: false,
    }
}

/// An older app's status change: its note was what the citizen read, so it is the reply.
pub(super) fn legacy_request(
    report_id: Uuid,
    base_version: i64,
    status: ReportStatus,
    note: &Option<String>,
) -> Result<ActionRequest, Reason> {
    let action = workflow::legacy_action(status)
        .ok_or_else(|| reasons::staff::invalid_transition(ReportStatus::Received, status))?;
    Ok(ActionRequest {
        report_id,
        base_version,
        action,
        reply: note.clone(),
        note: None,
        legacy: true,
    })
}

impl Judge<'_> {
    pub(super) fn staff_action(&mut self, request: ActionRequest) -> Result<Write, Reason> {
        if status::changes_state(&request.action) && self.broken_chains.contains(&request.report_id)
        {
            let current = self
                .facts
                .reports
                .get(&request.report_id)
                .map_or(request.base_version, |r| r.version);
            return Err(reasons::staff::conflict(current, request.base_version));
        }
        let member = self
            .device
            .staff
            .clone()
            .ok_or_else(reasons::staff::not_permitted)?;
        let actor = StaffActor {
            member,
            channel: Channel::Device(self.device.id),
        };
        let mut known = Known {
            reports: &mut self.facts.reports,
            staff: &self.facts.staff,
        };
        workflow::decide(&actor, self.town, &mut known, &request, self.now_ms)
            .map(|change| Write::Workflow(Box::new(change)))
    }
}
