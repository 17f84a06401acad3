//! A report as the device knows it: one of its own (possibly not sent yet) or one the server
//! sent (a followed zone's, one it supports, a task of a staff member's work list).
//!
//! [`Report`] is the server's last known state plus what only this device knows (that it is
//! the citizen's own, that they said "me too", why the server refused it). A [`HeldReport`]
//! adds the private thread and, on a staff device, the work-list part: everything the detail
//! view and the actions need. The store keeps the three apart, so that a thread or a task can
//! arrive before or after its report in a pull and nothing is rebuilt from a stale copy.

use std::collections::BTreeMap;

use relais_protocol::{
    Answer, GeoPoint, LocalizedText, LogEntry, PublicReport, Reason, ReportStatus, StaffNote,
    StaffRef, StatusChange, Task, ThreadMessage,
};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    pub id: Uuid,
    pub category: String,
    pub location: GeoPoint,
    pub text: String,
    pub created_at_ms: i64,
    pub status: ReportStatus,
    /// The server's version; 0 until the server has the report.
    pub version: i64,
    pub zone: Option<String>,
    pub service: Option<LocalizedText>,
    #[serde(default)]
    pub service_code: Option<String>,
    /// When the town promised an answer by.
    #[serde(default)]
    pub due_at_ms: Option<i64>,
    /// When an intervention is planned.
    #[serde(default)]
    pub scheduled_for_ms: Option<i64>,
    pub history: Vec<StatusChange>,
    pub photos: Vec<String>,
    /// Photos the town took on site when it resolved the report.
    #[serde(default)]
    pub completion_photos: Vec<String>,
    /// How many citizens said "me too".
    #[serde(default)]
    pub supporters: u32,
    #[serde(default)]
    pub duplicate_of: Option<Uuid>,
    /// The citizen's own: filed on this device or another device of their account.
    pub mine: bool,
    /// This device said "me too" for it.
    #[serde(default)]
    pub supported: bool,
    /// Why the server refused to accept this report, if it did.
    pub refusal: Option<Reason>,
}

impl Report {
    /// Takes the server's public state, keeping what only this device knows. `mine` is the
    /// server's word that the report is the citizen's own (older servers never say so: what the
    /// device knew stays).
    pub fn merge_public(&mut self, public: PublicReport, mine: bool) {
        let (was_mine, supported) = (self.mine, self.supported);
        *self = Self::from(public);
        self.mine = was_mine || mine;
        self.supported = supported;
    }

    pub fn is_open(&self) -> bool {
        relais_domain::status::is_open(self.status)
    }

    /// When the report was last resolved, from its history.
    pub fn resolved_at_ms(&self) -> Option<i64> {
        self.history
            .iter()
            .rev()
            .find(|c| c.status == ReportStatus::Resolved)
            .map(|c| c.at_ms)
    }

    /// When the report was closed, if it is: the latest history entry of its closing status
    /// (its creation if the history says nothing).
    pub fn closed_at_ms(&self) -> Option<i64> {
        if self.is_open() {
            return None;
        }
        Some(
            self.history
                .iter()
                .rev()
                .find(|c| c.status == self.status)
                .map_or(self.created_at_ms, |c| c.at_ms),
        )
    }

    /// Open and past the date the town promised an answer by.
    pub fn is_overdue(&self, now_ms: i64) -> bool {
        self.is_open() && self.due_at_ms.is_some_and(|due| due < now_ms)
    }
}

impl From<PublicReport> for Report {
    fn from(p: PublicReport) -> Self {
        Self {
            id: p.id,
            category: p.category,
            location: p.location,
            text: p.text,
            created_at_ms: p.created_at_ms,
            status: p.status,
            version: p.version,
            zone: Some(p.zone),
            service: Some(p.service),
            service_code: p.service_code,
            due_at_ms: p.due_at_ms,
            scheduled_for_ms: p.scheduled_for_ms,
            history: p.history,
            photos: p.photos,
            completion_photos: p.completion_photos,
            supporters: p.supporters,
            duplicate_of: p.duplicate_of,
            mine: false,
            supported: false,
            refusal: None,
        }
    }
}

/// The work-list part of a report, on a staff device: what staff see besides the public state.
/// Never the citizen's identity: the server does not send it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct TaskPart {
    /// The citizen's answers to the category's questions.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
    /// Internal notes, oldest first.
    #[serde(default)]
    pub notes: Vec<StaffNote>,
    #[serde(default)]
    pub assigned_to: Option<StaffRef>,
    /// Who did what and when, oldest first.
    #[serde(default)]
    pub log: Vec<LogEntry>,
}

impl TaskPart {
    /// Splits a pulled work-list entry into its public report, its thread and this part.
    pub fn split(task: Task) -> (PublicReport, Vec<ThreadMessage>, Self) {
        let part = Self {
            answers: task.answers,
            notes: task.notes,
            assigned_to: task.assigned_to,
            log: task.log,
        };
        (task.report, task.thread, part)
    }
}

/// Everything the device holds about one report.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldReport {
    pub report: Report,
    /// The private conversation between the reporter and the town (own reports and tasks).
    pub thread: Vec<ThreadMessage>,
    /// On a staff device, the work-list part.
    pub task: Option<TaskPart>,
}

impl HeldReport {
    pub const fn new(report: Report) -> Self {
        Self {
            report,
            thread: Vec::new(),
            task: None,
        }
    }

    pub const fn id(&self) -> Uuid {
        self.report.id
    }
}
