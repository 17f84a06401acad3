//! Plain data for the back office's reading: a selection of a town's requests (the inbox) and
//! the citizens' current ratings of its public services (the importance–performance analysis).
//! Which requests a staff member may see is decided above, by the staff operations: a backend
//! only applies the selection it is given.

use std::collections::HashMap;

use relais_protocol::{PublicReport, ReportStatus};
use uuid::Uuid;

/// A selection of a town's requests. Every `None` is "any"; the lists are what a request's
/// field must be one of (an empty list selects nothing).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxQuery {
    pub tenant: String,
    pub services: Option<Vec<String>>,
    pub zones: Option<Vec<String>>,
    pub statuses: Option<Vec<ReportStatus>>,
    pub category: Option<String>,
    pub assignee: Option<Assignee>,
    /// Only requests due before this instant (milliseconds since the Unix epoch).
    pub due_before_ms: Option<i64>,
    /// At most this many requests in the page.
    pub limit: u32,
}

/// Whom the requests of a selection are assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Assignee {
    Nobody,
    Staff(Uuid),
}

/// The first requests of a selection, earliest due first (those without a due date last), and
/// how many there are.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct InboxPage {
    pub reports: Vec<PublicReport>,
    /// Requests in the whole selection.
    pub total: u64,
    /// Requests of the selection without its status filter, per status.
    pub by_status: HashMap<ReportStatus, u64>,
}

/// A citizen's current rating of a public service (who rated is not said).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceRating {
    pub service_id: String,
    pub importance: u8,
    pub satisfaction: u8,
    /// The citizen's comment, if they wrote one.
    pub comment: Option<String>,
    /// When the citizen gave this rating (milliseconds since the Unix epoch).
    pub at_ms: i64,
}

/// The requests of a tenant received in a period, within some services and zones (`None`:
/// all), for the operations dashboard.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActivityQuery {
    pub tenant: String,
    pub services: Option<Vec<String>>,
    pub zones: Option<Vec<String>>,
    /// Received at or after this instant (milliseconds since the Unix epoch)...
    pub received_from_ms: i64,
    /// ... and before this one.
    pub received_until_ms: i64,
}

/// The dates of a request and what it is grouped by on the operations dashboard.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestDates {
    pub category: String,
    pub zone: String,
    pub service: String,
    pub status: ReportStatus,
    pub received_at_ms: i64,
    pub acknowledged_at_ms: Option<i64>,
    /// When it was resolved, rejected or closed as a duplicate.
    pub closed_at_ms: Option<i64>,
    pub due_at_ms: Option<i64>,
    /// Whether its reporter reopened it after a resolution, at least once.
    pub reopened: bool,
    /// The reporter's satisfaction (1 to 5) when answering its resolution, if they gave one.
    pub satisfaction: Option<u8>,
}
