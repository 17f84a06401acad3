//! One report in detail: its timeline (status changes, the town's messages, the reporter's
//! messages, internal notes on a staff device, and this device's changes still waiting to be
//! sent), the answers to the category's questions (staff), and what the user may do next.

use relais_protocol::{Answer, Author, MutationOp, ReportStatus};
use serde::Serialize;

use super::{ReportView, outbox::describe};
use crate::{
    i18n::{self, Lang},
    model::{HeldReport, Model},
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
    /// Staff: the citizen's answers to the category's questions.
    pub answers: Vec<AnswerView>,
    /// Staff: who the report is assigned to.
    pub assigned_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct TimelineEntry {
    pub at_ms: i64,
    pub kind: TimelineKind,
    /// The status reached (for `status`).
    pub status: Option<ReportStatus>,
    pub label: String,
    pub text: Option<String>,
    /// Still waiting to be sent.
    pub queued: bool,
}

/// What a timeline entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum TimelineKind {
    /// The report reached a status.
    Status,
    /// The town wrote to the reporter.
    Message,
    /// The reporter wrote to the town.
    Reply,
    /// An internal note (staff devices only).
    Note,
    /// A staff change of this device not sent yet.
    Change,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct AnswerView {
    pub question: String,
    pub answer: String,
}

impl ReportDetailView {
    pub(crate) fn new(held: &HeldReport, model: &Model, lang: Lang) -> Self {
        let report = &held.report;
        let staff = model
            .registration()
            .is_some_and(crate::model::Registration::is_staff);
        let entry = |at_ms, kind, label: String, text: Option<String>, queued| TimelineEntry {
            at_ms,
            kind,
            status: None,
            label,
            text,
            queued,
        };
        let mut timeline: Vec<TimelineEntry> = report
            .history
            .iter()
            .map(|change| TimelineEntry {
                status: Some(change.status),
                ..entry(
                    change.at_ms,
                    TimelineKind::Status,
                    i18n::status_label(change.status, lang).into(),
                    change
                        .note
                        .clone()
                        .or_else(|| change.detail.as_ref().map(|d| lang.pick(d).to_owned())),
                    false,
                )
            })
            .collect();
        timeline.extend(held.thread.iter().map(|m| {
            let kind = match m.author {
                Author::City => TimelineKind::Message,
                Author::Citizen => TimelineKind::Reply,
            };
            let label = i18n::author_label(m.author, staff, lang).into();
            entry(m.at_ms, kind, label, Some(m.text.clone()), false)
        }));
        if let Some(task) = &held.task {
            timeline.extend(task.notes.iter().map(|n| {
                let label = format!("{} — {}", i18n::note_word(lang), n.author);
                entry(
                    n.at_ms,
                    TimelineKind::Note,
                    label,
                    Some(n.text.clone()),
                    false,
                )
            }));
        }
        for item in model.outbox.items().iter().filter(|i| i.is_queued()) {
            match &item.mutation.op {
                MutationOp::AddNote { report_id, text } if *report_id == report.id => {
                    let label = i18n::author_label(Author::Citizen, staff, lang).into();
                    timeline.push(entry(
                        item.queued_at_ms,
                        TimelineKind::Reply,
                        label,
                        Some(text.clone()),
                        true,
                    ));
                }
                op @ MutationOp::StaffAction { report_id, .. } if *report_id == report.id => {
                    let label = i18n::staff_action_name(op_kind(op), lang).into();
                    timeline.push(entry(
                        item.queued_at_ms,
                        TimelineKind::Change,
                        label,
                        describe(op, model, lang),
                        true,
                    ));
                }
                _ => {}
            }
        }
        timeline.sort_by_key(|e| e.at_ms);
        let catalogue = model.catalogue.as_ref();
        let category = catalogue.and_then(|c| c.category(&report.category));
        let answers = held.task.as_ref().map_or_else(Vec::new, |task| {
            task.answers
                .iter()
                .map(|(code, answer)| {
                    let question =
                        category.and_then(|c| c.questions.iter().find(|q| &q.code == code));
                    let label = |choice: &str| {
                        question
                            .and_then(|q| match &q.kind {
                                relais_protocol::QuestionKind::SingleChoice { options }
                                | relais_protocol::QuestionKind::MultiChoice { options } => {
                                    options.iter().find(|o| o.code == choice)
                                }
                                _ => None,
                            })
                            .map_or_else(|| choice.to_owned(), |o| lang.pick(&o.label).to_owned())
                    };
                    AnswerView {
                        question: question
                            .map_or_else(|| code.clone(), |q| lang.pick(&q.label).to_owned()),
                        answer: match answer {
                            Answer::Text(text) => text.clone(),
                            Answer::Number(n) => n.to_string(),
                            Answer::Choice(c) => label(c),
                            Answer::Choices(cs) => {
                                cs.iter().map(|c| label(c)).collect::<Vec<_>>().join(", ")
                            }
                        },
                    }
                })
                .collect()
        });
        Self {
            report: ReportView::new(report, model, lang),
            timeline,
            response_days: category.and_then(|c| c.response_days),
            can_confirm: report.mine && report.status == ReportStatus::Resolved,
            answers,
            assigned_to: held
                .task
                .as_ref()
                .and_then(|t| t.assigned_to.as_ref())
                .map(|s| format!("{} <{}>", s.name, s.email)),
        }
    }
}

fn op_kind(op: &MutationOp) -> &'static str {
    match op {
        MutationOp::StaffAction { action, .. } => action.kind(),
        other => other.kind(),
    }
}
