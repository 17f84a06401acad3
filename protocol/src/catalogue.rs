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
}

/// A zone of the town (commune, arrondissement, quartier). Polygons stay on the server for now;
/// devices know zones by name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Zone {
    pub code: String,
    pub name: String,
    /// `commune`, `arrondissement`, `quartier`...
    pub kind: String,
}
