//! What the rules need to know before deciding a write: the query a rule asks a backend to read
//! inside its write transaction ([`FactsQuery`]) and the answer ([`Facts`]). Everything static
//! about a town (its catalogue, zones, routing) is not here: the server holds it in memory.

use std::collections::{HashMap, HashSet};
use std::ops::RangeInclusive;

use relais_protocol::{Outcome, ReportStatus, TownSettings};
use uuid::Uuid;

use crate::records::{DeviceRecord, StaffMember};

/// What to read before deciding.
#[derive(Debug, Clone, Default)]
pub struct FactsQuery {
    pub tenant: String,
    /// The pushing device (its ledger and citizen), for a push; `None` for a staff member acting
    /// from the web or the server's command line.
    pub device: Option<DeviceRecord>,
    /// The batch's sequence numbers (consecutive); `None` for an empty batch or no device.
    pub seqs: Option<RangeInclusive<u64>>,
    /// Reports named (created, targeted, or named as an original).
    pub report_ids: Vec<Uuid>,
    /// Ids of the tenant's public services (directory) the batch rates.
    pub service_ids: Vec<String>,
    /// Staff members of the tenant named by e-mail (assignments).
    pub staff_emails: Vec<String>,
    /// Where new reports are filed: the open originals near them are read as possible
    /// duplicates.
    pub nearby: Vec<NearbyQuery>,
    /// Whether to read the zones the device's citizen follows (a batch that files a report or
    /// follows a zone).
    pub follows: bool,
}

/// The open originals of `category` in `cells` received since `since_ms`, read from the
/// backend's spatial index alone: it holds exactly the open reports that are not themselves
/// probable duplicates, since every write that opens or closes a report says how the index
/// changes ([`OriginalIndex`](crate::writes::OriginalIndex)). Reading each candidate's status
/// from the report as well cost a random read of the reports' table per candidate, which made a
/// push slower as the history grew (BENCHMARKS.md, fifteenth session).
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyQuery {
    pub category: String,
    pub cells: Vec<i64>,
    pub since_ms: i64,
}

/// An open original report found near a new one.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyReport {
    pub id: Uuid,
    pub category: String,
    pub lat: f64,
    pub lon: f64,
}

/// Facts read inside the write transaction.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// The tenant's catalogue version: the rules compare it with the catalogue they hold.
    pub catalogue_version: i64,
    /// The tenant's rules.
    pub town: TownSettings,
    /// The highest sequence number recorded for the device (0 before its first push).
    pub last_seq: u64,
    /// Recorded mutations of the device within the batch's range.
    pub recorded: HashMap<u64, RecordedMutation>,
    /// The asked reports that exist, in any tenant.
    pub reports: HashMap<Uuid, ReportFacts>,
    /// The asked reports the device's citizen (or the device itself) already supports.
    pub supported: HashSet<Uuid>,
    /// The asked public services that exist in the tenant.
    pub services: HashSet<String>,
    /// The asked staff members of the tenant, by e-mail.
    pub staff: HashMap<String, StaffMember>,
    /// Open originals near the points of [`FactsQuery::nearby`].
    pub nearby: Vec<NearbyReport>,
    /// The zones the device's citizen follows, when [`FactsQuery::follows`] asks.
    pub follows: Vec<CitizenFollow>,
}

/// A zone a citizen follows: chosen (`explicit`), or one it reported in, last at `at_ms`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitizenFollow {
    pub zone: String,
    pub explicit: bool,
    pub at_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct RecordedMutation {
    pub mutation_id: Uuid,
    /// [`Outcome::Applied`] or [`Outcome::Rejected`] as first decided.
    pub outcome: Outcome,
}

/// A stored report, as the rules see it.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportFacts {
    pub tenant: String,
    /// The reporter: the account id of the filing device if it is linked to one, else the
    /// device id ('' once anonymised away).
    pub citizen: String,
    /// The reporter's language, when known, for the town's replies.
    pub language: Option<String>,
    pub category: String,
    pub zone: String,
    pub service: String,
    pub status: ReportStatus,
    pub version: i64,
    pub lat: f64,
    pub lon: f64,
    pub received_at_ms: i64,
    /// When it was last resolved (server clock).
    pub resolved_at_ms: Option<i64>,
    pub assigned_to: Option<Uuid>,
    /// Flagged at submission, or the original once merged.
    pub duplicate_of: Option<Uuid>,
}
