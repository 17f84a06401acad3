//! What the Open311 front door stores and reads: the api keys of the third-party applications a
//! town lets file requests, and the two listings GeoReport v2 needs beyond single reports (a
//! town's requests by filters, and the updates of its requests over a period). No rules here.

use relais_protocol::{LocalizedText, ReportStatus};
use uuid::Uuid;

use crate::records::{NewDevice, TokenHash};

/// An api key to store, with the citizen device its application files requests as. The device's
/// own token is never handed out: the application authenticates with its key only.
#[derive(Debug, Clone)]
pub struct NewApiKey {
    pub id: Uuid,
    /// The application's name, for the town's records (`FixMyStreet`, `Paris mobile`...).
    pub name: String,
    pub key: TokenHash,
    /// Of the key's tenant.
    pub device: NewDevice,
}

/// A stored api key (its key is only a hash: it is never read back).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyRecord {
    pub id: Uuid,
    pub name: String,
    /// The device its application files requests as.
    pub device: Uuid,
    pub created_at_ms: i64,
    pub revoked_at_ms: Option<i64>,
}

/// Which requests of a tenant to list, newest received first.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestQuery {
    pub tenant: String,
    /// Category codes (none: every category).
    pub categories: Vec<String>,
    /// Statuses (none: every status).
    pub statuses: Vec<ReportStatus>,
    /// Received at or after (milliseconds since the Unix epoch, server clock).
    pub from_ms: i64,
    /// Received at or before.
    pub until_ms: i64,
    pub limit: u32,
}

/// Which updates of a tenant's requests to list, oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateQuery {
    pub tenant: String,
    pub from_ms: i64,
    pub until_ms: i64,
    /// The device of the application asking, if it gave its key: the town's written replies to
    /// the requests that device filed are its own to read (a reply is private to the reporter).
    pub reporter: Option<Uuid>,
    pub limit: u32,
}

/// One update of a request: a change of its status (with what the town publishes about it), or
/// a written reply of the town to the application that filed it.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestUpdate {
    /// The history entry's id.
    pub id: Uuid,
    pub report_id: Uuid,
    /// The request's status after the update.
    pub status: ReportStatus,
    pub at_ms: i64,
    /// What the town publishes about a status change: a rejection reason, the new service...
    pub detail: Option<LocalizedText>,
    /// The town's written reply at that moment, only for the reporter's application.
    pub reply: Option<String>,
}
