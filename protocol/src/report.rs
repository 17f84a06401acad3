//! The public shape of a report: what any device of the tenant may see. It never carries the
//! identity of the device or person who filed it.

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::LocalizedText;

/// A WGS84 position with the horizontal accuracy the device reported, in metres.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accuracy_m: Option<f64>,
}

/// Where a report stands in its life. `Queued` exists only on the device that filed it, before the
/// server has accepted it; every other state is set by the server.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::IntoStaticStr,
    strum::EnumString,
    strum::EnumIter,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ReportStatus {
    Queued,
    Received,
    Acknowledged,
    /// An intervention is planned (see [`PublicReport::scheduled_for_ms`]).
    Scheduled,
    /// Someone is on it.
    InProgress,
    Resolved,
    Rejected,
    /// Handed to another service (see [`PublicReport::service`]), which takes it from there.
    Transferred,
    /// Merged into an earlier report of the same problem (see [`PublicReport::duplicate_of`]).
    Duplicate,
    /// The reporter said a resolved report is not actually fixed.
    Reopened,
}

impl ReportStatus {
    /// The status as named on the wire (`in_progress`).
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    pub fn parse(s: &str) -> Option<Self> {
        s.parse().ok()
    }
}

/// One step of a report's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StatusChange {
    pub status: ReportStatus,
    /// Milliseconds since the Unix epoch, server clock.
    pub at_ms: i64,
    /// A note kept by older servers (free text of the agent); today's servers never publish
    /// what staff write here: replies go to the reporter's thread, notes stay internal.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the change means, in words the town publishes: the rejection reason, the service a
    /// report was transferred to, the planned date of an intervention.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<LocalizedText>,
}

/// A report as the server publishes it to every device of the tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicReport {
    pub id: Uuid,
    pub category: String,
    pub location: GeoPoint,
    pub text: String,
    /// Milliseconds since the Unix epoch, device clock at filing time.
    pub created_at_ms: i64,
    pub status: ReportStatus,
    /// Bumped by every change on the server; the base version of an agent's offline edit.
    pub version: i64,
    /// Code of the zone (e.g. arrondissement) the report was routed by.
    pub zone: String,
    /// Name of the service in charge.
    pub service: LocalizedText,
    #[serde(default)]
    pub history: Vec<StatusChange>,
    /// Content addresses (SHA-256, hex) of the report's photos. Left out when there are none,
    /// as `supporters` when nobody said "me too": every reader of v1 defaults both.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub photos: Vec<String>,
    /// How many citizens said "me too".
    #[serde(default, skip_serializing_if = "is_zero")]
    pub supporters: u32,
    /// The earlier report this one probably repeats (flagged by the server at submission,
    /// or confirmed by the city with the `duplicate` status).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_of: Option<Uuid>,
    /// Code of the service in charge.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// When the town promises an answer by (reception plus the category's response time).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_at_ms: Option<i64>,
    /// When an intervention is planned, once scheduled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scheduled_for_ms: Option<i64>,
    /// Photos the town took on site when it resolved the report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub completion_photos: Vec<String>,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}
