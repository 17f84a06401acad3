//! Pull: a device reads the tenant's change log from its cursor.
//!
//! The server keeps one change-log row per visible entity, re-stamped with a fresh tenant-wide
//! sequence number at each change, so a pull returns the latest state of every report changed
//! since the cursor, oldest change first, in pages. A cursor the server can no longer serve (from
//! a server restored from an older backup, another epoch, or below the pruned horizon) gets
//! `reset: true`: the device drops its copy of public reports and pulls again from the start,
//! keeping its own unsent mutations.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Answer, LocalizedText, PublicReport, ReportStatus, SharedReport};

/// An opaque pull position. The empty cursor means "from the beginning".
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(transparent)]
pub struct Cursor(pub String);

impl Cursor {
    pub fn start() -> Self {
        Self(String::new())
    }

    pub fn is_start(&self) -> bool {
        self.0.is_empty()
    }
}

/// Largest page a pull returns.
pub const MAX_PULL_LIMIT: u32 = 1000;

/// `GET /v1/{tenant}/sync/pull?cursor=...&limit=...` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PullResponse {
    /// The device must forget its copy of the tenant's public reports and pull from `cursor`
    /// (which is then the start).
    #[serde(default)]
    pub reset: bool,
    pub changes: Vec<Change>,
    /// Where the next pull starts.
    pub cursor: Cursor,
    /// More changes are waiting beyond this page.
    pub has_more: bool,
    /// On the last page (`has_more` false): the `ETag`s the catalogue and the directory have
    /// now. A device holding copies with these tags skips asking for them. Absent from servers
    /// before it, and from pages that are not the last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resources: Option<ResourceTags>,
}

/// The `ETag`s of the town's cached resources, as `GET /catalogue` and `GET /directory` would
/// answer them now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResourceTags {
    pub catalogue: String,
    /// Absent when the town has no directory to serve.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub directory: Option<String>,
}

/// One entry of the change log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Change {
    /// A report was created or changed: here is its current public state. `mine` says it is
    /// the caller's citizen's own report (filed from this device or another of its account).
    Report {
        #[cfg_attr(feature = "openapi", schema(value_type = PublicReport))]
        report: SharedReport,
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        mine: bool,
    },
    /// A report is no longer visible (withdrawn, anonymised away): drop it.
    ReportRemoved { id: uuid::Uuid },
    /// The conversation between the city and the reporter about one of the caller's own
    /// reports, whole. Only the reporter's devices receive it.
    Thread {
        report_id: uuid::Uuid,
        messages: Vec<ThreadMessage>,
    },
    /// A report in the work list of a staff device (its service's reports), as staff see it.
    Task { task: Box<Task> },
    /// A report left the work list (transferred to another service, or closed long ago).
    TaskRemoved { id: Uuid },
    /// A dated notice of the town for zones the device follows (works, water cut, event).
    Alert { alert: ZoneAlert },
    /// The zones this device's citizen follows, whole: explicitly, or because they reported
    /// there.
    Follows { zones: Vec<FollowedZone> },
}

/// A report as the staff of its service see it. It never names the citizen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    pub report: PublicReport,
    /// The citizen's answers to the category's questions.
    #[serde(default)]
    pub answers: BTreeMap<String, Answer>,
    /// The conversation with the reporter.
    #[serde(default)]
    pub thread: Vec<ThreadMessage>,
    /// Internal notes, for staff only, oldest first.
    #[serde(default)]
    pub notes: Vec<StaffNote>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assigned_to: Option<StaffRef>,
    /// Everything that happened to the report, oldest first: who, when, through which channel.
    #[serde(default)]
    pub log: Vec<LogEntry>,
}

/// A staff member, as other staff see them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffRef {
    pub email: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StaffNote {
    pub id: Uuid,
    /// The staff member's name.
    pub author: String,
    pub text: String,
    pub at_ms: i64,
}

/// One entry of a report's history, as staff see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LogEntry {
    pub at_ms: i64,
    /// What happened: `filed`, a [`crate::WorkflowAction`] kind, `supported`, `confirmed`,
    /// `reopened`, `citizen_reply`.
    pub action: String,
    /// The status after the entry, when it changed it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<ReportStatus>,
    pub actor: Actor,
    /// Where it came from: `device`, `web`, `open311`, `server`.
    pub channel: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<LocalizedText>,
}

/// Who did something. Citizens are never named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Actor {
    Citizen,
    Staff {
        name: String,
    },
    /// The server itself (routing, an expiry).
    System,
}

/// A notice of the town for some of its zones, shown between `starts_at_ms` and `ends_at_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ZoneAlert {
    pub id: Uuid,
    pub zones: Vec<String>,
    pub title: LocalizedText,
    pub text: LocalizedText,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
}

/// A zone the citizen follows, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct FollowedZone {
    pub zone: String,
    /// `explicit` (the citizen chose it) or `reported` (they filed a report there).
    pub origin: String,
}

/// One message of a report's private thread.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ThreadMessage {
    pub id: uuid::Uuid,
    pub author: Author,
    pub text: String,
    /// Milliseconds since the Unix epoch, server clock.
    pub at_ms: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Author {
    /// The service in charge (an agent or the back office).
    City,
    /// The reporter.
    Citizen,
}
