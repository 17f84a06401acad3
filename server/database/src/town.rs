//! A town's definition as the server stores it: its identity and report rules, its catalogue
//! (services, category groups, categories with their extra questions) and its zones. The server
//! reads it from a `tenant.json` and a `zones.geojson` and checks it before handing it to
//! [`crate::Database::seed`]; the types are plain data so that every backend stores the same thing.

use std::collections::HashMap;

use relais_protocol::{
    Catalogue, LocalizedText, Question, RejectionReason, ReplyTemplate, RoutingRule, TownSettings,
};
use serde::{Deserialize, Serialize};

/// A town ready to be stored.
#[derive(Debug, Clone)]
pub struct TownDefinition {
    pub tenant: TownFile,
    pub zones: Vec<TownZone>,
    /// SHA-256 (hex) of the definition files, so that storing the same definition is a no-op.
    pub digest: String,
}

impl TownDefinition {
    /// The definition a backend has stored, from its parts: the public `catalogue`, with what
    /// devices are not sent (the minimum sample of raters, where each category comes from, keyed
    /// by category code, the zones' geometry) and the digest of the last definition stored.
    pub fn stored(
        catalogue: Catalogue,
        rating_min_sample: u32,
        mut sources: HashMap<String, CategorySource>,
        zones: Vec<TownZone>,
        digest: Option<String>,
    ) -> Self {
        let settings = catalogue.settings;
        let entry = |code: String, name: LocalizedText| TownEntry { code, name };
        let file = TownFile {
            id: catalogue.tenant,
            name: catalogue.name,
            settings: TownSettingsFile {
                reopen_window_days: Some(settings.reopen_window_days),
                duplicate_radius_m: Some(settings.duplicate_radius_m),
                rating_min_sample: Some(rating_min_sample),
                closed_visible_days: Some(settings.closed_visible_days),
            },
            services: catalogue
                .services
                .into_iter()
                .map(|s| entry(s.code, s.name))
                .collect(),
            groups: catalogue
                .groups
                .into_iter()
                .map(|g| entry(g.code, g.name))
                .collect(),
            categories: catalogue
                .categories
                .into_iter()
                .map(|c| TownCategory {
                    source: sources.remove(&c.code),
                    service: c.service_code.unwrap_or_default(),
                    code: c.code,
                    group: c.group,
                    name: c.name,
                    questions: c.questions,
                    response_days: c.response_days,
                    duplicate_radius_m: c.duplicate_radius_m,
                })
                .collect(),
            routing: catalogue.routing,
            rejection_reasons: catalogue.rejection_reasons,
            reply_templates: catalogue.reply_templates,
        };
        Self {
            tenant: file,
            zones,
            digest: digest.unwrap_or_default(),
        }
    }
}

/// `tenant.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TownFile {
    pub id: String,
    pub name: String,
    /// The town's rules; absent in older files, which get the defaults.
    #[serde(default)]
    pub settings: TownSettingsFile,
    pub services: Vec<TownEntry>,
    pub groups: Vec<TownEntry>,
    pub categories: Vec<TownCategory>,
    /// Exceptions to each category's default service, by zone.
    #[serde(default)]
    pub routing: Vec<RoutingRule>,
    /// The town's reasons for rejecting a report.
    #[serde(default)]
    pub rejection_reasons: Vec<RejectionReason>,
    /// Drafts of the town's written replies.
    #[serde(default)]
    pub reply_templates: Vec<ReplyTemplate>,
}

/// `tenant.json` `settings`: every field is optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TownSettingsFile {
    pub reopen_window_days: Option<u32>,
    pub duplicate_radius_m: Option<u32>,
    pub rating_min_sample: Option<u32>,
    pub closed_visible_days: Option<u32>,
}

/// Rating summaries are published from this many raters on, unless the town says otherwise.
pub const DEFAULT_RATING_MIN_SAMPLE: u32 = 5;

impl TownSettingsFile {
    /// The settings devices see in the catalogue, defaults filled in.
    pub fn town(&self) -> TownSettings {
        let default = TownSettings::default();
        TownSettings {
            reopen_window_days: self
                .reopen_window_days
                .unwrap_or(default.reopen_window_days),
            duplicate_radius_m: self
                .duplicate_radius_m
                .unwrap_or(default.duplicate_radius_m),
            closed_visible_days: self
                .closed_visible_days
                .unwrap_or(default.closed_visible_days),
        }
    }

    pub fn rating_min_sample(&self) -> u32 {
        self.rating_min_sample.unwrap_or(DEFAULT_RATING_MIN_SAMPLE)
    }
}

/// A service or a category group.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TownEntry {
    pub code: String,
    pub name: LocalizedText,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TownCategory {
    pub code: String,
    pub group: String,
    pub name: LocalizedText,
    /// The service a report of the category goes to by default.
    pub service: String,
    /// Where the category comes from in the town's own nomenclature.
    pub source: Option<CategorySource>,
    /// Extra questions asked when reporting in this category.
    #[serde(default)]
    pub questions: Vec<Question>,
    /// Published response time, in days.
    pub response_days: Option<u32>,
    /// Overrides the town's duplicate radius for this category.
    pub duplicate_radius_m: Option<u32>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CategorySource {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub soustype: Option<String>,
}

/// A zone with its geometry kept as GeoJSON text (checked to parse by the server).
#[derive(Debug, Clone)]
pub struct TownZone {
    pub code: String,
    pub name: String,
    pub kind: String,
    /// The zone this one lies in (a quartier's arrondissement), if any.
    pub parent: Option<String>,
    pub geometry: String,
}
