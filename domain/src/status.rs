//! Where a report stands: which statuses are still open (it can be supported, it may be repeated
//! by a new report nearby, it sits in a work list), and the workflow: which status each staff
//! action leads to, from which statuses.

use relais_protocol::{MutationOp, ReplyKind, ReportStatus, WorkflowAction};
use uuid::Uuid;

/// Statuses in which a report is still being handled. `Queued` exists only on the device that
/// filed it, before the server has it.
pub const OPEN: [ReportStatus; 7] = [
    ReportStatus::Queued,
    ReportStatus::Received,
    ReportStatus::Acknowledged,
    ReportStatus::Scheduled,
    ReportStatus::InProgress,
    ReportStatus::Transferred,
    ReportStatus::Reopened,
];

/// Whether a report in `status` is still being handled.
pub fn is_open(status: ReportStatus) -> bool {
    OPEN.contains(&status)
}

/// Why an action does not apply to a report in its current status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotNow;

/// The status a report in `current` takes after `action`: `Ok(None)` when the action leaves the
/// status as it is (a reply, a note, an assignment), `Err` when the action does not apply now.
///
/// | action | from | to |
/// |---|---|---|
/// | acknowledge | received, reopened, transferred | acknowledged |
/// | schedule | any open but queued | scheduled |
/// | start | received, reopened, transferred, acknowledged, scheduled | in progress |
/// | resolve, reject, transfer, mark duplicate | any open but queued | resolved, rejected, transferred, duplicate |
/// | assign | any open but queued | (unchanged) |
/// | reply, note | any | (unchanged) |
pub fn after(
    current: ReportStatus,
    action: &WorkflowAction,
) -> Result<Option<ReportStatus>, NotNow> {
    use ReportStatus::{
        Acknowledged, Duplicate, InProgress, Queued, Received, Rejected, Reopened, Resolved,
        Scheduled, Transferred,
    };
    let handled = is_open(current) && current != Queued;
    let (allowed, to) = match action {
        WorkflowAction::Acknowledge => (
            matches!(current, Received | Reopened | Transferred),
            Some(Acknowledged),
        ),
        WorkflowAction::Schedule { .. } => (handled, Some(Scheduled)),
        WorkflowAction::Start => (
            matches!(
                current,
                Received | Reopened | Transferred | Acknowledged | Scheduled
            ),
            Some(InProgress),
        ),
        WorkflowAction::Resolve { .. } => (handled, Some(Resolved)),
        WorkflowAction::Reject { .. } => (handled, Some(Rejected)),
        WorkflowAction::Transfer { .. } => (handled, Some(Transferred)),
        WorkflowAction::MarkDuplicate { .. } => (handled, Some(Duplicate)),
        WorkflowAction::Assign { .. } => (handled, None),
        WorkflowAction::Reply | WorkflowAction::Note => (current != Queued, None),
    };
    if allowed { Ok(to) } else { Err(NotNow) }
}

/// Whether an action changes the report's state, so that it needs the version the staff member
/// saw to be the current one (replies and notes only add to the report: they never conflict).
pub const fn changes_state(action: &WorkflowAction) -> bool {
    !matches!(action, WorkflowAction::Reply | WorkflowAction::Note)
}

/// Whether the reporter must receive a written reply with this action: when the town takes the
/// report in hand, and when it closes it.
pub const fn needs_reply(action: &WorkflowAction) -> bool {
    matches!(
        action,
        WorkflowAction::Acknowledge
            | WorkflowAction::Resolve { .. }
            | WorkflowAction::Reject { .. }
            | WorkflowAction::MarkDuplicate { .. }
            | WorkflowAction::Reply
    )
}

/// The moment of the town's written reply an action is: the town drafts one from its template
/// of that kind when the staff member wrote none (and must when [`needs_reply`]).
pub const fn reply_kind(action: &WorkflowAction) -> Option<ReplyKind> {
    match action {
        WorkflowAction::Acknowledge => Some(ReplyKind::Acknowledged),
        WorkflowAction::Schedule { .. } => Some(ReplyKind::Scheduled),
        WorkflowAction::Resolve { .. } => Some(ReplyKind::Resolved),
        WorkflowAction::Reject { .. } => Some(ReplyKind::Rejected),
        WorkflowAction::MarkDuplicate { .. } => Some(ReplyKind::Duplicate),
        WorkflowAction::Transfer { .. } => Some(ReplyKind::Transferred),
        WorkflowAction::Start
        | WorkflowAction::Assign { .. }
        | WorkflowAction::Reply
        | WorkflowAction::Note => None,
    }
}

/// The report whose chain of state changes `op` belongs to, if it changes a report's state.
///
/// A staff device's queued changes to one report chain: each is based on the version the one
/// before it would give. When one is refused, those after it in the same push are refused too,
/// as conflicts, even if someone else's change happened to bring the report to the version they
/// expect: they were decided on a state that never existed.
pub fn chained_report(op: &MutationOp) -> Option<Uuid> {
    match op {
        MutationOp::StaffAction {
            report_id, action, ..
        } if changes_state(action) => Some(*report_id),
        MutationOp::ChangeStatus { report_id, .. } => Some(*report_id),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use uuid::Uuid;

    use super::*;
    use ReportStatus::*;

    fn to(current: ReportStatus, action: WorkflowAction) -> Result<Option<ReportStatus>, NotNow> {
        after(current, &action)
    }

    #[test]
    fn staff_move_reports_forward_only() {
        assert_eq!(
            to(Received, WorkflowAction::Acknowledge),
            Ok(Some(Acknowledged))
        );
        assert_eq!(
            to(Transferred, WorkflowAction::Acknowledge),
            Ok(Some(Acknowledged))
        );
        assert_eq!(
            to(Reopened, WorkflowAction::Resolve { photos: vec![] }),
            Ok(Some(Resolved))
        );
        assert_eq!(to(Scheduled, WorkflowAction::Start), Ok(Some(InProgress)));
        assert_eq!(
            to(InProgress, WorkflowAction::Schedule { for_ms: Some(1) }),
            Ok(Some(Scheduled))
        );
        assert_eq!(to(Acknowledged, WorkflowAction::Acknowledge), Err(NotNow));
        assert_eq!(to(InProgress, WorkflowAction::Start), Err(NotNow));
        for closed in [Resolved, Rejected, Duplicate] {
            assert_eq!(to(closed, WorkflowAction::Start), Err(NotNow));
            assert_eq!(
                to(closed, WorkflowAction::Reject { reason: "x".into() }),
                Err(NotNow)
            );
            assert_eq!(to(closed, WorkflowAction::Assign { to: None }), Err(NotNow));
            // The town may still write to the reporter about a closed report.
            assert_eq!(to(closed, WorkflowAction::Reply), Ok(None));
        }
        assert_eq!(to(Queued, WorkflowAction::Note), Err(NotNow));
    }

    #[test]
    fn closed_statuses_are_not_open() {
        assert!(is_open(Queued) && is_open(Reopened) && is_open(InProgress));
        for closed in [Resolved, Rejected, Duplicate] {
            assert!(!is_open(closed));
        }
    }

    #[test]
    fn only_state_changes_conflict_and_closing_needs_a_reply() {
        assert!(!changes_state(&WorkflowAction::Note));
        assert!(changes_state(&WorkflowAction::Assign { to: None }));
        assert!(needs_reply(&WorkflowAction::Acknowledge));
        assert!(needs_reply(&WorkflowAction::MarkDuplicate {
            of: Uuid::nil()
        }));
        assert!(!needs_reply(&WorkflowAction::Start));
        assert!(!needs_reply(&WorkflowAction::Transfer {
            service: "x".into()
        }));
    }
}
