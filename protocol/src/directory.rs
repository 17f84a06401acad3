//! The town's directory of public services (town halls, libraries, pools...), which citizens
//! rate on satisfaction and importance (the Citélà idea). Devices cache it for offline rating.

use serde::{Deserialize, Serialize};

use crate::{GeoPoint, LocalizedText};

/// `GET /v1/{tenant}/directory` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Directory {
    /// Bumped whenever an entry changes (not when ratings change).
    pub version: i64,
    /// Rating summaries are published only for services with at least this many raters, so
    /// that no individual rating can be read from them.
    pub min_sample: u32,
    pub services: Vec<PublicService>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicService {
    /// Stable id, e.g. `mairie-75104` or `res-750010001`.
    pub id: String,
    pub name: LocalizedText,
    /// What kind of service it is: "Mairie" / "Town hall", "Piscine" / "Swimming pool"...
    pub kind: LocalizedText,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<GeoPoint>,
    /// Opening hours as the source publishes them (French), one line per day or period.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub opening_hours: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    /// Present only when at least `min_sample` citizens rated the service.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratings: Option<RatingSummary>,
}

/// Means over the current rating of each citizen (1 to 5).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RatingSummary {
    pub count: u32,
    pub satisfaction_mean: f64,
    pub importance_mean: f64,
}

/// The scale of satisfaction and importance ratings.
pub const RATING_RANGE: std::ops::RangeInclusive<u8> = 1..=5;

/// Longest rating comment, in characters.
pub const MAX_COMMENT_CHARS: usize = 2000;
