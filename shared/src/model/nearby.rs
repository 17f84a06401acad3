//! Open reports near a point, offered before filing so the citizen can say "me too" instead of
//! filing a duplicate. Computed on the device from what it has synced: it works offline.

use relais_domain::geo::distance_m;
use relais_protocol::Catalogue;

use super::Report;

/// Most suggestions shown.
pub const MAX_SUGGESTIONS: usize = 5;

/// The question the user asked last.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyQuery {
    pub category: String,
    pub lat: f64,
    pub lon: f64,
}

impl NearbyQuery {
    /// The search radius for this category, in metres.
    pub fn radius_m(&self, catalogue: Option<&Catalogue>) -> f64 {
        catalogue.map_or(250.0, |c| {
            let per_category = c
                .category(&self.category)
                .and_then(|cat| cat.duplicate_radius_m);
            f64::from(per_category.unwrap_or(c.settings.duplicate_radius_m))
        })
    }

    /// Open reports of the same category within `radius_m`, nearest first, with their distance.
    pub fn matches<'a>(
        &self,
        reports: impl Iterator<Item = &'a Report>,
        radius_m: f64,
    ) -> Vec<(&'a Report, f64)> {
        let mut found: Vec<(&Report, f64)> = reports
            .filter(|r| r.category == self.category && r.is_open())
            .map(|r| {
                (
                    r,
                    distance_m(self.lat, self.lon, r.location.lat, r.location.lon),
                )
            })
            .filter(|(_, d)| *d <= radius_m)
            .collect();
        found.sort_by(|a, b| a.1.total_cmp(&b.1));
        found.truncate(MAX_SUGGESTIONS);
        found
    }
}
