//! What a decided write does: the [`Plan`] the rules hand back to a backend inside its write
//! transaction. The rules have decided everything; a backend only stores it, appends the history
//! entries it is given, and re-stamps the change log.
//!
//! Re-stamping follows the scopes of `docs/protocol.md`, and every backend does it alike. A
//! report touched by a write is stamped as a `report` in its zone's bucket (`z:<zone>`), its
//! reporter's (`c:<citizen>`) and each of its followers' (`c:<follower>`), and as a `task` in
//! its service's bucket (`s:<service>`; a transfer also stamps the old service's task as gone,
//! `live = 0`). A thread message stamps the `thread` in the reporter's bucket and the `task`.
//! An internal note stamps the `task`. A follow stamps the citizen's `follows`. An alert stamps
//! an `alert` in the bucket of each of its zones.

use std::collections::BTreeMap;

use relais_protocol::{Answer, GeoPoint, LocalizedText, Reason, ReportStatus};
use uuid::Uuid;

/// Everything a decided write stores, in order.
#[derive(Debug, Clone)]
pub struct Plan {
    pub tenant: String,
    pub now_ms: i64,
    /// The pushing device's ledger entries, for a push.
    pub ledger: Option<Ledger>,
    pub writes: Vec<Write>,
}

/// The outcome of each new mutation of a device, written with its effects so that a retry is
/// recognised.
#[derive(Debug, Clone)]
pub struct Ledger {
    pub device: Uuid,
    pub entries: Vec<LedgerEntry>,
}

#[derive(Debug, Clone)]
pub struct LedgerEntry {
    pub seq: u64,
    pub mutation_id: Uuid,
    /// The mutation kind as named on the wire.
    pub kind: &'static str,
    /// `None` when applied.
    pub rejection: Option<Reason>,
}

/// One change to store.
#[derive(Debug, Clone)]
pub enum Write {
    Report(Box<NewReport>),
    CitizenMessage(CitizenMessage),
    Support(NewSupport),
    Confirmation(Confirmation),
    Workflow(Box<WorkflowChange>),
    Rating(NewRating),
    Follow(ZoneFollow),
    Alert(NewAlert),
    EndAlert(EndedAlert),
}

/// Who did something, as the history keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActorRecord {
    /// A citizen (their account or device id; never published).
    Citizen(String),
    Staff(Uuid),
    /// The server itself.
    System,
}

/// One entry of a report's history.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryEntry {
    /// `filed`, a workflow action kind, `confirmed`, `reopened`.
    pub action: String,
    /// The status after the entry.
    pub status: ReportStatus,
    /// Whether the entry changed the status (the public history shows only those).
    pub status_changed: bool,
    pub actor: ActorRecord,
    /// `device`, `web`, `open311`, `server`.
    pub channel: String,
    pub device: Option<Uuid>,
    /// What the town publishes about the change (a reason, a service, a date).
    pub detail: Option<LocalizedText>,
}

/// What a write does to the spatial index of open originals.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginalIndex {
    Keep,
    /// The report is no longer an open original.
    Remove,
    /// The report becomes an open original again (reopened), in grid cell `cell`.
    Add {
        cell: i64,
    },
}

/// A routed report, stored with its first history entry. An original (`cell` set) joins the
/// spatial index. What it does to the zones its reporter follows is decided (`follow`).
#[derive(Debug, Clone)]
pub struct NewReport {
    pub id: Uuid,
    pub category: String,
    pub location: GeoPoint,
    pub text: String,
    pub photos: Vec<String>,
    pub created_at_ms: i64,
    pub received_at_ms: i64,
    pub due_at_ms: Option<i64>,
    pub zone: String,
    pub service: String,
    /// Answers to the category's questions, checked.
    pub answers: BTreeMap<String, Answer>,
    /// The open report this one probably repeats.
    pub duplicate_of: Option<Uuid>,
    /// The grid cell, when the report is an open original (not a probable duplicate).
    pub cell: Option<i64>,
    /// The filing device and its citizen.
    pub device: Uuid,
    pub citizen: String,
    pub channel: String,
    pub history: HistoryEntry,
    pub follow: ReportedFollow,
}

/// What filing a report does to the zones its reporter follows (`zone_follows` rows of origin
/// `reported`; the rules decide it from [`crate::Facts::follows`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReportedFollow {
    /// Nothing: the reporter follows the report's zone explicitly, or reported there last.
    Unchanged,
    /// The reporter follows the zone for reporting there before: it becomes the zone it
    /// reported in last, at `at_ms`.
    Refreshed { at_ms: i64 },
    /// The reporter follows the zone from `at_ms`, and stops following the zones `dropped` (it
    /// reported in them least recently). The list of zones it follows changed.
    Started { at_ms: i64, dropped: Vec<String> },
}

/// The reporter writes in the report's thread.
#[derive(Debug, Clone)]
pub struct CitizenMessage {
    pub id: Uuid,
    pub report_id: Uuid,
    pub device: Uuid,
    pub text: String,
}

/// A citizen supports a report: stored once per (report, citizen), counted in its supporters;
/// the citizen follows the report.
#[derive(Debug, Clone)]
pub struct NewSupport {
    pub report_id: Uuid,
    pub citizen: String,
}

/// The reporter's answer to a resolution: the report stays resolved (with a `confirmed` entry)
/// or is reopened (new version), with the reporter's satisfaction kept for the town.
#[derive(Debug, Clone)]
pub struct Confirmation {
    pub report_id: Uuid,
    pub version: i64,
    pub satisfaction: Option<u8>,
    pub original: OriginalIndex,
    pub history: HistoryEntry,
}

/// A staff member's action on a report, decided.
#[derive(Debug, Clone)]
pub struct WorkflowChange {
    pub report_id: Uuid,
    pub staff: Uuid,
    /// The report's version after the action (bumped when it changed the report's state).
    pub version: i64,
    /// The new service (a transfer).
    pub service: Option<String>,
    /// `Some(None)` unassigns.
    pub assigned_to: Option<Option<Uuid>>,
    pub scheduled_for_ms: Option<i64>,
    pub completion_photos: Vec<String>,
    /// A duplicate: the original it is merged into. Its reporter and followers follow the
    /// original and count among its supporters.
    pub merged_into: Option<Uuid>,
    /// Stamps `acknowledged_at_ms` if not yet set.
    pub acknowledges: bool,
    /// Stamps `resolved_at_ms`.
    pub resolves: bool,
    /// Stamps `closed_at_ms` (resolved, rejected, duplicate); `false` clears nothing.
    pub closes: bool,
    pub original: OriginalIndex,
    /// A written reply to the reporter, in the thread.
    pub reply: Option<StaffMessage>,
    /// An internal note.
    pub note: Option<StaffMessage>,
    pub history: HistoryEntry,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffMessage {
    pub id: Uuid,
    pub text: String,
}

/// A citizen's rating of a public service: replaces their current one, appended to the history.
#[derive(Debug, Clone)]
pub struct NewRating {
    pub service_id: String,
    pub citizen: String,
    pub satisfaction: u8,
    pub importance: u8,
    pub comment: Option<String>,
}

/// A citizen starts (`origin` set: `explicit`, `reported`) or stops (`None`) following a zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZoneFollow {
    pub citizen: String,
    pub zone: String,
    pub origin: Option<&'static str>,
}

/// A dated notice for some zones; `buckets` are the zones whose followers receive it (the
/// zones and every zone inside them).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAlert {
    pub id: Uuid,
    pub zones: Vec<String>,
    pub buckets: Vec<String>,
    pub title: LocalizedText,
    pub text: LocalizedText,
    pub starts_at_ms: i64,
    pub ends_at_ms: i64,
    pub staff: Option<Uuid>,
}

/// An alert ended (or withdrawn before it started) at `ends_at_ms`: its end moves there and it is
/// stamped again in the buckets of its zones, so the devices holding it learn it has ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndedAlert {
    pub id: Uuid,
    pub buckets: Vec<String>,
    pub ends_at_ms: i64,
}
