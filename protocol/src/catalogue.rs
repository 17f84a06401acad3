//! The town's catalogue: what a citizen can report (categories, grouped), where (zones), which
//! service receives it (routing), and what the town's staff answer with (rejection reasons and
//! reply templates). Devices cache it so that reporting, and an agent's day, work offline.

use serde::{Deserialize, Serialize};

use crate::LocalizedText;

/// `GET /v1/{tenant}/catalogue` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    pub tenant: String,
    pub name: String,
    /// Bumped whenever the town changes its catalogue.
    pub version: i64,
    pub groups: Vec<CategoryGroup>,
    pub categories: Vec<Category>,
    pub zones: Vec<Zone>,
    #[serde(default)]
    pub settings: TownSettings,
    /// The services that handle reports.
    #[serde(default)]
    pub services: Vec<ServiceInfo>,
    /// Exceptions to each category's default service, by zone.
    #[serde(default)]
    pub routing: Vec<RoutingRule>,
    /// The town's list of reasons for rejecting a report.
    #[serde(default)]
    pub rejection_reasons: Vec<RejectionReason>,
    /// Drafts of the written replies staff send, most specific first by category, then group.
    #[serde(default)]
    pub reply_templates: Vec<ReplyTemplate>,
}

/// A service (department) of the town.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ServiceInfo {
    pub code: String,
    pub name: LocalizedText,
}

/// Reports of `category` inside `zone` (at any level) go to `service` instead of the category's
/// default. When rules name several zones holding a point, the finest zone wins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RoutingRule {
    pub category: String,
    pub zone: String,
    pub service: String,
}

/// A reason from the town's list for rejecting a report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RejectionReason {
    pub code: String,
    pub label: LocalizedText,
}

/// The moments at which staff write to the citizen.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::AsRefStr,
    strum::EnumString,
    strum::IntoStaticStr,
)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ReplyKind {
    Acknowledged,
    Scheduled,
    Resolved,
    Rejected,
    Duplicate,
    Transferred,
}

/// The draft of a written reply. Placeholders: `{category}`, `{service}`, `{response_days}`, and
/// by kind `{date}` (scheduled), `{reason}` (rejected), `{original}` (duplicate).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReplyTemplate {
    pub kind: ReplyKind,
    /// The group this draft is for (`None`: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The category this draft is for (`None`: any).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    pub text: LocalizedText,
}

/// Rules a town sets for its citizens' reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TownSettings {
    /// How long after a resolution the reporter may confirm it or reopen the report.
    pub reopen_window_days: u32,
    /// Radius within which open reports of the same category are offered as possible
    /// duplicates, unless the category sets its own.
    pub duplicate_radius_m: u32,
    /// How long a closed report stays in the scopes of the devices that follow its zone or work
    /// its service; after that, only its reporter's devices keep it.
    #[serde(default = "default_closed_visible_days")]
    pub closed_visible_days: u32,
}

const fn default_closed_visible_days() -> u32 {
    30
}

impl Default for TownSettings {
    fn default() -> Self {
        Self {
            reopen_window_days: 28,
            duplicate_radius_m: 250,
            closed_visible_days: default_closed_visible_days(),
        }
    }
}

impl Catalogue {
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }

    pub fn service(&self, code: &str) -> Option<&ServiceInfo> {
        self.services.iter().find(|s| s.code == code)
    }

    pub fn zone(&self, code: &str) -> Option<&Zone> {
        self.zones.iter().find(|z| z.code == code)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CategoryGroup {
    pub code: String,
    pub name: LocalizedText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Category {
    pub code: String,
    pub group: String,
    pub name: LocalizedText,
    /// Name of the service a report of this category is routed to by default.
    pub service: LocalizedText,
    /// Code of that service (see [`Catalogue::services`] and [`Catalogue::routing`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_code: Option<String>,
    /// Extra questions asked when reporting in this category (like Open311 attributes).
    #[serde(default)]
    pub questions: Vec<Question>,
    /// The town's published response time for this category, in days.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response_days: Option<u32>,
    /// Overrides [`TownSettings::duplicate_radius_m`] for this category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duplicate_radius_m: Option<u32>,
}

/// An extra question of a category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Question {
    pub code: String,
    pub label: LocalizedText,
    pub kind: QuestionKind,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    Text,
    /// A number from 0 up; a whole one when `integer` (a count of street lights). Omitted on
    /// the wire when false, which older devices read as a plain number.
    Number {
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        integer: bool,
    },
    SingleChoice {
        options: Vec<Choice>,
    },
    MultiChoice {
        options: Vec<Choice>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Choice {
    pub code: String,
    pub label: LocalizedText,
}

/// A citizen's answer to a [`Question`], on the wire as `{"text": ".."}`, `{"number": 2}`,
/// `{"choice": "code"}` or `{"choices": ["a", "b"]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Text(String),
    Number(f64),
    Choice(String),
    Choices(Vec<String>),
}

/// A zone of the town (commune, arrondissement, quartier), with its outline so that devices can
/// refuse, offline, a point outside every zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Zone {
    pub code: String,
    pub name: String,
    /// `commune`, `arrondissement`, `quartier`...
    pub kind: String,
    /// The code of the zone this one lies in (a quartier's arrondissement), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent: Option<String>,
    /// The outline as GeoJSON MultiPolygon coordinates: polygons of rings of `[lon, lat]`, the
    /// first ring of each polygon its exterior. Empty when the server sends no outline.
    #[serde(default)]
    pub polygons: Vec<Vec<Vec<[f64; 2]>>>,
}
