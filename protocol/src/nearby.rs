//! Nearby: the open reports of a category around a point, asked of the server when it is
//! reachable (the device's own copy covers only the zones it follows), to offer "me too" instead
//! of a duplicate.

use serde::{Deserialize, Serialize};

use crate::PublicReport;

/// Most reports a nearby answer holds.
pub const MAX_NEARBY: usize = 5;

/// `GET /v1/{tenant}/reports/nearby?lat=..&lon=..&category=..` answer: open reports of the
/// category within its duplicate radius, nearest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NearbyReports {
    pub radius_m: u32,
    pub reports: Vec<NearbyReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NearbyReport {
    pub report: PublicReport,
    pub distance_m: f64,
}
