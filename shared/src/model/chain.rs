//! A staff device's changes to a report that are still queued, applied on top of the server's
//! last known state of the report.
//!
//! The device keeps the server's state as it last learned it and never edits it by hand: what
//! the agent sees is that state with their queued changes replayed on it, in order, with the
//! workflow's own rule ([`relais_domain::status::after`]). The version the projection reaches is
//! the one the next change is based on, so that an agent's successive offline changes to one
//! report chain on each other instead of conflicting with each other. A change the server
//! refuses leaves the queue and the projection with it; one it accepts advances the server state
//! ([`accepted`]) until the pull brings the real one.

use relais_domain::status;
use relais_protocol::{MutationOp, WorkflowAction};

use super::Report;

/// The report with the queued `ops` that concern it applied in order. A change the workflow
/// does not allow from the projected status is skipped: the server will refuse it.
pub fn projected<'a>(report: &Report, ops: impl IntoIterator<Item = &'a MutationOp>) -> Report {
    let mut projected = report.clone();
    for op in ops {
        if let MutationOp::StaffAction {
            report_id, action, ..
        } = op
            && *report_id == report.id
        {
            apply(&mut projected, action);
        }
    }
    projected
}

/// The server's state after it applied `action` on `report` (at the report's version).
pub fn accepted(report: &Report, action: &WorkflowAction) -> Report {
    let mut after = report.clone();
    apply(&mut after, action);
    after
}

fn apply(report: &mut Report, action: &WorkflowAction) {
    let Ok(next) = status::after(report.status, action) else {
        return;
    };
    if !status::changes_state(action) {
        return;
    }
    report.version += 1;
    if let Some(next) = next {
        report.status = next;
    }
    match action {
        WorkflowAction::Schedule { for_ms } => report.scheduled_for_ms = *for_ms,
        WorkflowAction::Transfer { service } => report.service_code = Some(service.clone()),
        WorkflowAction::MarkDuplicate { of } => report.duplicate_of = Some(*of),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use relais_protocol::ReportStatus;

    use super::*;
    use crate::model::testing::public_report;

    fn report() -> Report {
        Report::from(public_report(ReportStatus::Received, 3, 2.35))
    }

    fn act(report: &Report, action: WorkflowAction) -> MutationOp {
        MutationOp::StaffAction {
            report_id: report.id,
            base_version: 0,
            action,
            reply: None,
            note: None,
        }
    }

    #[test]
    fn queued_changes_chain_and_notes_or_refused_moves_do_not_count() {
        let r = report();
        let ops = [
            act(&r, WorkflowAction::Acknowledge),
            act(&r, WorkflowAction::Note),
            act(&r, WorkflowAction::Acknowledge), // not from acknowledged: skipped
            act(&r, WorkflowAction::Schedule { for_ms: Some(42) }),
            act(&report(), WorkflowAction::Start), // another report
        ];
        let p = projected(&r, &ops);
        assert_eq!(p.status, ReportStatus::Scheduled);
        assert_eq!(p.version, 5, "two changes on version 3");
        assert_eq!(p.scheduled_for_ms, Some(42));
    }
}
