//! One report in detail: its timeline (status changes, the city's messages, the citizen's
//! replies, including those still waiting to be sent) and what the citizen may do next.

use relais_protocol::{Author, MutationOp, ReportStatus};
use serde::Serialize;

use super::ReportView;
use crate::{
    i18n::{self, Lang},
    model::{Model, OutboxState, Report},
};

#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct ReportDetailView {
    pub report: ReportView,
    /// Oldest first.
    pub timeline: Vec<TimelineEntry>,
    /// The town's published response time for this category, in days.
    pub response_days: Option<u32>,
    /// The reporter may confirm the resolution or reopen the report now.
    pub can_confirm: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct TimelineEntry {
    pub at_ms: i64,
    /// `status`, `message` (from the city), `reply` (from the citizen).
    pub kind: String,
    /// The status reached (for `status`).
    pub status: Option<String>,
    pub label: String,
    pub text: Option<String>,
    /// A reply still waiting to be sent.
    pub queued: bool,
}

impl ReportDetailView {
    pub(crate) fn new(report: &Report, model: &Model, lang: Lang) -> Self {
        let mut timeline: Vec<TimelineEntry> = report
            .history
            .iter()
            .map(|change| TimelineEntry {
                at_ms: change.at_ms,
                kind: "status".into(),
                status: Some(change.status.as_str().into()),
                label: i18n::status_label(change.status, lang).into(),
                text: change.note.clone(),
                queued: false,
            })
            .collect();
        timeline.extend(report.thread.iter().map(|m| {
            TimelineEntry {
                at_ms: m.at_ms,
                kind: match m.author {
                    Author::City => "message",
                    Author::Citizen => "reply",
                }
                .into(),
                status: None,
                label: i18n::author_label(m.author, lang).into(),
                text: Some(m.text.clone()),
                queued: false,
            }
        }));
        timeline.extend(
            model
                .outbox
                .items()
                .iter()
                .filter_map(|item| match &item.mutation.op {
                    MutationOp::AddNote { report_id, text }
                        if *report_id == report.id && item.state == OutboxState::Queued =>
                    {
                        Some(TimelineEntry {
                            at_ms: item.queued_at_ms,
                            kind: "reply".into(),
                            status: None,
                            label: i18n::author_label(Author::Citizen, lang).into(),
                            text: Some(text.clone()),
                            queued: true,
                        })
                    }
                    _ => None,
                }),
        );
        timeline.sort_by_key(|e| e.at_ms);
        let category = model
            .catalogue
            .as_ref()
            .and_then(|c| c.category(&report.category));
        Self {
            report: ReportView::new(report, model, lang),
            timeline,
            response_days: category.and_then(|c| c.response_days),
            can_confirm: report.mine && report.status == ReportStatus::Resolved,
        }
    }
}
