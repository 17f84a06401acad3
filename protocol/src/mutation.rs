//! Push: a device sends its queued intents; the server answers with one outcome per mutation.
//!
//! Exactly-once *effect* over an at-least-once transport: every mutation carries the device's
//! gapless sequence number (`seq`, starting at 1) and a client-generated `mutation_id`. The server
//! records, in the same transaction as the mutation's effect, the outcome for `(device, seq)`:
//!
//! - `seq` already recorded with the same `mutation_id`: the recorded outcome is returned again,
//!   as `already_applied` if it was applied, or as the same rejection;
//! - `seq` already recorded with another `mutation_id`: the batch is refused with
//!   `sequence_conflict` and `expected_seq`;
//! - `seq` beyond the next expected one: the batch is refused with `sequence_gap` and
//!   `expected_seq`;
//! - otherwise the mutation is applied or rejected with a readable [`Reason`]. A rejection still
//!   consumes the sequence number, so a mutation the server refuses can never wedge the queue.
//!
//! The whole batch is one transaction and the answer is sent only after it is durably committed.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::{Answer, GeoPoint, LocalizedText, ReportStatus};

/// Devices keep a push batch under this many bytes of JSON (far below
/// [`crate::MAX_BODY_BYTES`]).
pub const MAX_BATCH_BYTES: usize = 192 * 1024;

/// Largest number of mutations in one push.
pub const MAX_BATCH_MUTATIONS: usize = 500;

/// Longest report or note text, in characters.
pub const MAX_TEXT_CHARS: usize = 4000;

/// `POST /v1/{tenant}/sync/push` body.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushRequest {
    pub mutations: Vec<Mutation>,
}

/// One intent of the device, in its sequence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Mutation {
    pub seq: u64,
    pub mutation_id: Uuid,
    pub op: MutationOp,
}

/// What the device wants to happen. New kinds are added over time; a server that does not know a
/// kind rejects that mutation with `unsupported` instead of refusing the batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum MutationOp {
    /// File a new report.
    CreateReport {
        report_id: Uuid,
        category: String,
        location: GeoPoint,
        text: String,
        /// Device clock, milliseconds since the Unix epoch.
        created_at_ms: i64,
        /// Content addresses of photos uploaded separately (left out when none: every server
        /// of v1 defaults it).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        photos: Vec<String>,
        /// Answers to the category's extra questions, by question code.
        #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
        answers: BTreeMap<String, Answer>,
    },
    /// "Me too": the citizen has the same problem. Counted once per citizen.
    SupportReport { report_id: Uuid },
    /// The reporter's answer after a resolution: fixed or not (which reopens the report within
    /// the town's window), with an optional satisfaction from 1 to 5.
    ConfirmResolution {
        report_id: Uuid,
        fixed: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        satisfaction: Option<u8>,
    },
    /// Rate a public service; replaces the citizen's previous rating of it.
    RateService {
        service_id: String,
        satisfaction: u8,
        importance: u8,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        comment: Option<String>,
    },
    /// Add a note to a report (a citizen's reply, an agent's comment).
    AddNote { report_id: Uuid, text: String },
    /// Move a report to another status (field agents). `base_version` is the report version the
    /// agent saw when acting, so that two offline edits of the same report are detected as a
    /// conflict instead of one silently overwriting the other.
    ChangeStatus {
        report_id: Uuid,
        base_version: i64,
        status: ReportStatus,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// Follow a zone: the device receives every report in it (and its zone alerts).
    FollowZone { zone: String },
    /// Stop following a zone (also one followed because the citizen reported there).
    UnfollowZone { zone: String },
    /// A staff member's action on a report (field agents offline, supervisors, the back
    /// office). `base_version` is the report version the staff member saw: an action that
    /// changes the report's state is refused as a `conflict` if someone else changed it since.
    /// `reply` is a written message to the reporter (required when acknowledging or closing a
    /// report: without one, the server writes the town's template for it); `note` is an
    /// internal note, seen by staff only.
    StaffAction {
        report_id: Uuid,
        base_version: i64,
        action: WorkflowAction,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        reply: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        note: Option<String>,
    },
    /// A mutation kind this build does not know (from a newer peer).
    #[serde(other)]
    Unsupported,
}

/// What a staff member does to a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum WorkflowAction {
    /// "We have it": the report is taken in hand.
    Acknowledge,
    /// An intervention is planned at `for_ms` (milliseconds since the Unix epoch; absent only
    /// in the `change_status` of older agents' apps).
    Schedule {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        for_ms: Option<i64>,
    },
    /// Work has started.
    Start,
    /// Fixed, with photos taken on site (uploaded like any photo).
    Resolve {
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        photos: Vec<String>,
    },
    /// Refused, for a reason from the town's list.
    Reject { reason: String },
    /// Handed to another service, which sees it in its list from then on.
    Transfer { service: String },
    /// The same problem as report `of`: closed, its reporter and supporters follow `of`.
    MarkDuplicate { of: Uuid },
    /// Given to a staff member (by e-mail address), or to nobody.
    Assign {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        to: Option<String>,
    },
    /// Only a written reply to the reporter.
    Reply,
    /// Only an internal note.
    Note,
}

impl WorkflowAction {
    /// The action as named on the wire.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::Acknowledge => "acknowledge",
            Self::Schedule { .. } => "schedule",
            Self::Start => "start",
            Self::Resolve { .. } => "resolve",
            Self::Reject { .. } => "reject",
            Self::Transfer { .. } => "transfer",
            Self::MarkDuplicate { .. } => "mark_duplicate",
            Self::Assign { .. } => "assign",
            Self::Reply => "reply",
            Self::Note => "note",
        }
    }
}

impl MutationOp {
    /// The mutation's kind, as named on the wire.
    pub const fn kind(&self) -> &'static str {
        match self {
            Self::CreateReport { .. } => "create_report",
            Self::AddNote { .. } => "add_note",
            Self::ChangeStatus { .. } => "change_status",
            Self::SupportReport { .. } => "support_report",
            Self::ConfirmResolution { .. } => "confirm_resolution",
            Self::RateService { .. } => "rate_service",
            Self::FollowZone { .. } => "follow_zone",
            Self::UnfollowZone { .. } => "unfollow_zone",
            Self::StaffAction { .. } => "staff_action",
            Self::Unsupported => "unsupported",
        }
    }
}

/// `POST /v1/{tenant}/sync/push` answer: one result per pushed mutation, in order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResponse {
    pub results: Vec<PushResult>,
    /// The highest sequence number the server holds for this device.
    pub last_seq: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushResult {
    pub seq: u64,
    pub mutation_id: Uuid,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// What became of one mutation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Applied now.
    Applied,
    /// Applied by an earlier push of the same mutation: nothing was done this time.
    AlreadyApplied,
    /// Refused, for a reason the user can read. The device keeps it and shows it.
    Rejected { reason: Reason },
}

impl Outcome {
    pub const fn is_accepted(&self) -> bool {
        matches!(self, Self::Applied | Self::AlreadyApplied)
    }
}

/// Why the server refused a mutation: a stable code and a message in French and English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Reason {
    pub code: String,
    pub message: LocalizedText,
}

impl Reason {
    pub fn new(code: impl Into<String>, fr: impl Into<String>, en: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: LocalizedText::new(fr, en),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_mutation_kind_parses_as_unsupported() {
        let json = r#"{"seq":1,"mutation_id":"0190a4b2-0000-7000-8000-000000000000",
                       "op":{"type":"from_the_future","x":1}}"#;
        let m: Mutation = serde_json::from_str(json).unwrap();
        assert_eq!(m.op, MutationOp::Unsupported);
    }

    #[test]
    fn outcome_is_flattened_into_the_result() {
        let r = PushResult {
            seq: 3,
            mutation_id: Uuid::nil(),
            outcome: Outcome::Rejected {
                reason: Reason::new("outside_zones", "Hors zone", "Outside"),
            },
        };
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["outcome"], "rejected");
        assert_eq!(v["reason"]["code"], "outside_zones");
        let back: PushResult = serde_json::from_value(v).unwrap();
        assert_eq!(back, r);
    }
}
