//! The town's catalogue: what a citizen can report (categories, grouped) and where (zones).
//! Devices cache it so that reporting works offline.

use serde::{Deserialize, Serialize};

use crate::LocalizedText;

/// `GET /v1/{tenant}/catalogue` answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
}

/// Rules a town sets for its citizens' reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct TownSettings {
    /// How long after a resolution the reporter may confirm it or reopen the report.
    pub reopen_window_days: u32,
    /// Radius within which open reports of the same category are offered as possible
    /// duplicates, unless the category sets its own.
    pub duplicate_radius_m: u32,
}

impl Default for TownSettings {
    fn default() -> Self {
        Self {
            reopen_window_days: 28,
            duplicate_radius_m: 250,
        }
    }
}

impl Catalogue {
    pub fn category(&self, code: &str) -> Option<&Category> {
        self.categories.iter().find(|c| c.code == code)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoryGroup {
    pub code: String,
    pub name: LocalizedText,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub code: String,
    pub group: String,
    pub name: LocalizedText,
    /// Name of the service a report of this category is routed to by default.
    pub service: LocalizedText,
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
pub struct Question {
    pub code: String,
    pub label: LocalizedText,
    pub kind: QuestionKind,
    pub required: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum QuestionKind {
    Text,
    Number,
    SingleChoice { options: Vec<Choice> },
    MultiChoice { options: Vec<Choice> },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub code: String,
    pub label: LocalizedText,
}

/// A citizen's answer to a [`Question`], on the wire as `{"text": ".."}`, `{"number": 2}`,
/// `{"choice": "code"}` or `{"choices": ["a", "b"]}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Answer {
    Text(String),
    Number(f64),
    Choice(String),
    Choices(Vec<String>),
}

impl Question {
    /// Whether `answer` is of the right kind and names only offered choices.
    pub fn accepts(&self, answer: &Answer) -> bool {
        match (&self.kind, answer) {
            (QuestionKind::Text, Answer::Text(t)) => !t.trim().is_empty(),
            (QuestionKind::Number, Answer::Number(n)) => n.is_finite(),
            (QuestionKind::SingleChoice { options }, Answer::Choice(c)) => {
                options.iter().any(|o| &o.code == c)
            }
            (QuestionKind::MultiChoice { options }, Answer::Choices(cs)) => {
                !cs.is_empty() && cs.iter().all(|c| options.iter().any(|o| &o.code == c))
            }
            _ => false,
        }
    }
}

/// A zone of the town (commune, arrondissement, quartier), with its outline so that devices can
/// refuse, offline, a point outside every zone.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
