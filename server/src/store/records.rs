//! Plain data crossing the [`Database`](super::Database) trait: what the domain asks a backend to
//! read or write, and what a backend hands back. No SQL here, and no rules.

use std::collections::HashMap;
use std::ops::RangeInclusive;

use relais_protocol::{Change, GeoPoint, Outcome, PushResponse, Reason, ReportStatus};
use uuid::Uuid;

/// SHA-256 of a device's bearer token: the only form in which a token is stored.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct TokenHash(pub [u8; 32]);

impl std::fmt::Debug for TokenHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenHash(<redacted>)")
    }
}

/// What a device may do. Every registered device is a citizen; agents come later.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    Citizen,
    Agent,
}

impl Role {
    /// The role as stored (`citizen`, `agent`).
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "citizen" => Some(Self::Citizen),
            "agent" => Some(Self::Agent),
            _ => None,
        }
    }
}

/// A tenant as the server knows it by URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantSummary {
    pub id: String,
    pub name: String,
}

/// A zone's code and its geometry as GeoJSON text (Polygon or MultiPolygon, lon/lat).
#[derive(Debug, Clone)]
pub struct ZoneShape {
    pub code: String,
    pub geometry: String,
}

/// A device to register. Its role is [`Role::Citizen`].
#[derive(Debug, Clone)]
pub struct NewDevice {
    pub id: Uuid,
    pub tenant: String,
    pub token: TokenHash,
    pub platform: String,
    pub app_version: String,
    pub created_at_ms: i64,
}

/// An authenticated device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    pub id: Uuid,
    pub tenant: String,
    pub role: Role,
}

/// What the push rules need to know before deciding a batch.
#[derive(Debug, Clone)]
pub struct FactsQuery {
    pub device: DeviceRecord,
    /// The batch's sequence numbers (consecutive); `None` for an empty batch.
    pub seqs: Option<RangeInclusive<u64>>,
    /// Category codes the batch names.
    pub categories: Vec<String>,
    /// Report ids the batch names (created or targeted).
    pub report_ids: Vec<Uuid>,
}

/// Facts read inside the batch's write transaction.
#[derive(Debug, Clone, Default)]
pub struct PushFacts {
    /// The highest sequence number recorded for the device (0 before its first push).
    pub last_seq: u64,
    /// Recorded mutations of the device within the batch's range.
    pub recorded: HashMap<u64, RecordedMutation>,
    /// Category code → service code, for the asked categories that exist in the tenant.
    pub categories: HashMap<String, String>,
    /// Owners of the asked reports that exist, in any tenant.
    pub reports: HashMap<Uuid, ReportOwner>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordedMutation {
    pub mutation_id: Uuid,
    /// [`Outcome::Applied`] or [`Outcome::Rejected`] as first decided.
    pub outcome: Outcome,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportOwner {
    pub tenant: String,
    pub device: Uuid,
}

/// Everything a decided batch writes, and the answer to send once it is committed.
#[derive(Debug, Clone)]
pub struct PushPlan {
    pub tenant: String,
    pub device: Uuid,
    pub now_ms: i64,
    /// The new mutations only (seq above the recorded last), in order.
    pub mutations: Vec<PlannedMutation>,
    pub response: PushResponse,
}

#[derive(Debug, Clone)]
pub struct PlannedMutation {
    pub seq: u64,
    pub mutation_id: Uuid,
    /// The mutation kind as named on the wire.
    pub kind: &'static str,
    pub decision: Decision,
}

#[derive(Debug, Clone)]
pub enum Decision {
    Apply(Effect),
    Reject(Reason),
}

/// The change an applied mutation makes.
#[derive(Debug, Clone)]
pub enum Effect {
    CreateReport(NewReport),
    AddNote(NewNote),
}

/// A routed report. The backend stores it with one history entry (`status` at `received_at_ms`)
/// and stamps it in the tenant's change log.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub id: Uuid,
    pub category: String,
    pub location: GeoPoint,
    pub text: String,
    pub photos: Vec<String>,
    pub created_at_ms: i64,
    pub received_at_ms: i64,
    pub status: ReportStatus,
    pub version: i64,
    pub zone: String,
    pub service: String,
}

/// A note on a report, private to its author and the city.
#[derive(Debug, Clone)]
pub struct NewNote {
    pub id: Uuid,
    pub report_id: Uuid,
    pub text: String,
}

/// A position in a tenant's change log, as decoded from a pull cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogPosition {
    pub epoch: String,
    pub seq: u64,
}

/// One page of a tenant's change log.
#[derive(Debug, Clone)]
pub struct ChangePage {
    /// The asked position could not be served: this page starts from the beginning.
    pub reset: bool,
    pub epoch: String,
    /// The page starts after this sequence number (0 for the start).
    pub after_seq: u64,
    /// `(seq, change)`, oldest first.
    pub changes: Vec<(u64, Change)>,
    pub has_more: bool,
}
