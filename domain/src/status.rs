//! Where a report stands: which statuses are still open (it can be supported, it may be repeated
//! by a new report nearby, it sits in a work list) and which moves staff may make.

use relais_protocol::ReportStatus;

/// Statuses in which a report is still being handled. `Queued` exists only on the device that
/// filed it, before the server has it.
pub const OPEN: [ReportStatus; 6] = [
    ReportStatus::Queued,
    ReportStatus::Received,
    ReportStatus::Acknowledged,
    ReportStatus::Scheduled,
    ReportStatus::Transferred,
    ReportStatus::Reopened,
];

/// Whether a report in `status` is still being handled.
pub fn is_open(status: ReportStatus) -> bool {
    OPEN.contains(&status)
}

/// Whether staff may move a report from `from` to `to`.
pub const fn is_allowed_transition(from: ReportStatus, to: ReportStatus) -> bool {
    use ReportStatus::{
        Acknowledged, Received, Rejected, Reopened, Resolved, Scheduled, Transferred,
    };
    matches!(
        (from, to),
        (
            Received | Reopened,
            Acknowledged | Scheduled | Resolved | Rejected | Transferred
        ) | (Acknowledged, Scheduled | Resolved | Rejected | Transferred)
            | (Scheduled, Resolved | Rejected)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_move_reports_forward_only() {
        use ReportStatus::*;
        assert!(is_allowed_transition(Received, Acknowledged));
        assert!(is_allowed_transition(Reopened, Resolved));
        assert!(is_allowed_transition(Acknowledged, Transferred));
        assert!(is_allowed_transition(Scheduled, Rejected));
        assert!(!is_allowed_transition(Scheduled, Acknowledged));
        assert!(!is_allowed_transition(Resolved, Received));
        assert!(!is_allowed_transition(Received, Received));
        assert!(!is_allowed_transition(Received, Reopened));
        assert!(!is_allowed_transition(Rejected, Resolved));
    }

    #[test]
    fn closed_statuses_are_not_open() {
        assert!(is_open(ReportStatus::Queued));
        assert!(is_open(ReportStatus::Reopened));
        for closed in [
            ReportStatus::Resolved,
            ReportStatus::Rejected,
            ReportStatus::Duplicate,
        ] {
            assert!(!is_open(closed));
        }
    }
}
