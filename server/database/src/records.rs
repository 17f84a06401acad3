//! Plain data crossing the [`Database`](super::Database) trait: what the domain asks a backend to
//! read or write, and what a backend hands back. No SQL here, and no rules.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::RangeInclusive;

use relais_protocol::{
    Answer, Author, Change, GeoPoint, Outcome, PushResponse, Question, Reason, ReportStatus,
    TownSettings,
};
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

/// What importing directory entries did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DirectoryImport {
    pub added: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// The directory version after the import (bumped only when an entry was added or changed).
    pub version: i64,
}

/// A zone's code, the zone it lies in, and its geometry as GeoJSON text (Polygon or
/// MultiPolygon, lon/lat).
#[derive(Debug, Clone)]
pub struct ZoneShape {
    pub code: String,
    pub parent: Option<String>,
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
    /// Ids of the tenant's public services the batch rates.
    pub service_ids: Vec<String>,
    /// Where the batch files new reports: the open reports near them are read as possible
    /// duplicates. `None` when the batch files none.
    pub nearby: Option<NearbyQuery>,
}

/// The reports to read around the points where a batch files new reports: those of the same
/// category, in one of `statuses`, received since `since_ms`, inside a bounding box of the
/// duplicate radius (the category's, else the tenant's) around each point.
#[derive(Debug, Clone)]
pub struct NearbyQuery {
    pub points: Vec<NearbyPoint>,
    pub statuses: Vec<ReportStatus>,
    pub since_ms: i64,
}

#[derive(Debug, Clone)]
pub struct NearbyPoint {
    pub category: String,
    pub lat: f64,
    pub lon: f64,
}

/// A report found near a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyReport {
    pub id: Uuid,
    pub category: String,
    pub lat: f64,
    pub lon: f64,
}

/// Facts read inside the batch's write transaction.
#[derive(Debug, Clone, Default)]
pub struct PushFacts {
    /// The highest sequence number recorded for the device (0 before its first push).
    pub last_seq: u64,
    /// Recorded mutations of the device within the batch's range.
    pub recorded: HashMap<u64, RecordedMutation>,
    /// The pushing device's citizen: its account id when it is linked to one, else its own id.
    pub citizen: String,
    /// The tenant's rules.
    pub town: TownSettings,
    /// The asked categories that exist in the tenant, by code.
    pub categories: HashMap<String, CategoryFacts>,
    /// The asked reports that exist, in any tenant.
    pub reports: HashMap<Uuid, ReportFacts>,
    /// The asked reports the citizen (or this very device) already supports.
    pub supported: HashSet<Uuid>,
    /// The asked public services that exist in the tenant.
    pub services: HashSet<String>,
    /// Open reports near the points of [`FactsQuery::nearby`].
    pub nearby: Vec<NearbyReport>,
}

/// What the push rules need to know of a category.
#[derive(Debug, Clone, Default)]
pub struct CategoryFacts {
    /// The service a report of the category is routed to.
    pub service: String,
    pub questions: Vec<Question>,
    /// Overrides [`TownSettings::duplicate_radius_m`].
    pub duplicate_radius_m: Option<u32>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordedMutation {
    pub mutation_id: Uuid,
    /// [`Outcome::Applied`] or [`Outcome::Rejected`] as first decided.
    pub outcome: Outcome,
}

/// A stored report, as the push rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFacts {
    pub tenant: String,
    /// The reporter: the account id of the filing device if it is linked to one, else the
    /// device id.
    pub citizen: String,
    pub status: ReportStatus,
    pub version: i64,
    /// When it was last resolved (server clock).
    pub resolved_at_ms: Option<i64>,
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
    /// A citizen's first "me too" on a report.
    Support(NewSupport),
    /// A status change, a confirmation or a reopening.
    Transition(Transition),
    Rate(NewRating),
    /// Applied, but there is nothing to write (a citizen's second "me too").
    Nothing,
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
    /// Answers to the category's questions, checked.
    pub answers: BTreeMap<String, Answer>,
    /// The open report this one probably repeats.
    pub duplicate_of: Option<Uuid>,
}

/// A message in a report's thread, private to its reporter and the city. The backend re-stamps
/// the thread in the change log, scoped to `reporter`.
#[derive(Debug, Clone)]
pub struct NewNote {
    pub id: Uuid,
    pub report_id: Uuid,
    pub text: String,
    pub author: Author,
    /// The reporter citizen: the only one whose devices receive the thread.
    pub reporter: String,
}

/// A citizen supports a report: stored once per (report, citizen), counted in the report's
/// supporters, and the report re-stamped in the public change log.
#[derive(Debug, Clone)]
pub struct NewSupport {
    pub report_id: Uuid,
    pub citizen: String,
}

/// A report moves on: the backend sets its status and version, appends a history entry
/// (`status` with `note`), stamps `resolved_at_ms` when `resolved`, stores the reporter's
/// `satisfaction` if given, writes `message` in the thread, and re-stamps the report.
#[derive(Debug, Clone)]
pub struct Transition {
    pub report_id: Uuid,
    pub status: ReportStatus,
    pub version: i64,
    pub note: Option<String>,
    pub resolved: bool,
    pub satisfaction: Option<u8>,
    pub message: Option<NewNote>,
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

/// A one-time enrolment code for an agent of `service`.
#[derive(Debug, Clone)]
pub struct NewEnrolment {
    pub code: TokenHash,
    pub tenant: String,
    pub service: String,
    pub created_at_ms: i64,
    pub expires_at_ms: i64,
}

/// What storing an enrolment code did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EnrolmentCreated {
    Created,
    UnknownTenant,
    UnknownService,
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
    /// The last sequence number the page covers (`after_seq` for an empty page): the next page
    /// starts after it, even when the page's last rows were not for this device.
    pub last_seq: u64,
    /// `(seq, change)`, oldest first.
    pub changes: Vec<(u64, Change)>,
    pub has_more: bool,
}

/// What the server holds of a photo, as one tenant may know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UploadState {
    /// The tenant holds the whole photo, checked.
    Stored { bytes: u64 },
    /// A partial upload of `tenant` (possibly another tenant: the caller must not reveal it).
    Partial {
        tenant: String,
        length: u64,
        received: u64,
    },
    /// Nothing, for this tenant.
    Absent,
}

/// A chunk is durably on disk: the partial upload of `sha256` now holds `received` bytes.
#[derive(Debug, Clone)]
pub struct UploadProgress {
    pub sha256: String,
    pub tenant: String,
    pub device: Uuid,
    pub length: u64,
    pub received: u64,
    pub at_ms: i64,
}

/// A checked photo is in its final place: index it, hand it to the tenant (uploaded by
/// `device`) and forget its partial upload, in one transaction.
#[derive(Debug, Clone)]
pub struct StoredPhoto {
    pub sha256: String,
    pub tenant: String,
    pub device: Uuid,
    pub bytes: u64,
    pub at_ms: i64,
}

/// A citizen's account as stored (its link code is only a hash: it is never read back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountRecord {
    pub id: Uuid,
    pub details: relais_protocol::account::AccountDetails,
    /// How many devices are linked to it.
    pub devices: u32,
}

/// What presenting a link code did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    /// The device is linked to the account; the used code is replaced by the new one.
    Linked(AccountRecord),
    /// No account of the tenant holds that code.
    UnknownCode,
    /// The device already belongs to another account.
    OtherAccount,
}
