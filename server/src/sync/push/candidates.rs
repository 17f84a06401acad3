//! The open originals a batch may flag a new report as a probable duplicate of, indexed by the
//! grid cell of [`geo::cell`]: those the backend read around the batch's points, and those the
//! batch itself files as it goes. A filing looks at the few cells within its radius instead of
//! every candidate of the batch, so a batch of 500 reports on one street costs 500 small
//! lookups, not 500 × 500 comparisons.

use std::collections::{HashMap, HashSet};

use relais_domain::geo;
use relais_protocol::GeoPoint;
use relais_server_database::NearbyReport;
use uuid::Uuid;

/// Candidates by cell. A report read twice (two filings of the batch asked overlapping cells)
/// is held once.
#[derive(Debug, Default)]
pub(super) struct Candidates {
    by_cell: HashMap<i64, Vec<NearbyReport>>,
    held: HashSet<Uuid>,
}

impl Candidates {
    pub(super) fn new(read: Vec<NearbyReport>) -> Self {
        let mut candidates = Self::default();
        for report in read {
            candidates.add(report);
        }
        candidates
    }

    /// Adds an original (read, or filed by the batch).
    pub(super) fn add(&mut self, report: NearbyReport) {
        if self.held.insert(report.id) {
            self.by_cell
                .entry(geo::cell(report.lat, report.lon))
                .or_default()
                .push(report);
        }
    }

    /// The nearest candidate of `category` within `radius_m` of `at` that `open` accepts, or
    /// `None`.
    pub(super) fn nearest(
        &self,
        category: &str,
        at: GeoPoint,
        radius_m: u32,
        open: impl Fn(Uuid) -> bool,
    ) -> Option<Uuid> {
        let radius = f64::from(radius_m);
        let around = geo::Around::new(at.lat, at.lon, radius);
        geo::cells_within(at.lat, at.lon, radius)
            .iter()
            .filter_map(|cell| self.by_cell.get(cell))
            .flatten()
            .filter(|c| around.holds(c.lat, c.lon) && c.category == category && open(c.id))
            .map(|c| (geo::distance_m(at.lat, at.lon, c.lat, c.lon), c.id))
            .filter(|(distance, _)| *distance <= radius)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(n: u128, category: &str, lat: f64, lon: f64) -> NearbyReport {
        NearbyReport {
            id: Uuid::from_u128(n),
            category: category.to_owned(),
            lat,
            lon,
        }
    }

    #[test]
    fn the_nearest_open_candidate_of_the_category_within_the_radius_wins() {
        let at = GeoPoint {
            lat: 48.8566,
            lon: 2.3522,
            accuracy_m: None,
        };
        // 1 m north per 1e-5 degree of latitude, roughly.
        let mut candidates = Candidates::new(vec![
            report(1, "graffiti", 48.8566 + 0.0004, 2.3522), // ~45 m
            report(2, "graffiti", 48.8566 + 0.0002, 2.3522), // ~22 m, closed below
            report(3, "litter", 48.8566 + 0.0001, 2.3522),   // other category
            report(4, "graffiti", 48.8566 + 0.0100, 2.3522), // ~1.1 km
        ]);
        let open = |id: Uuid| id != Uuid::from_u128(2);
        assert_eq!(
            candidates.nearest("graffiti", at, 50, open),
            Some(Uuid::from_u128(1))
        );
        assert_eq!(candidates.nearest("graffiti", at, 30, open), None);
        assert_eq!(
            candidates.nearest("litter", at, 30, open),
            Some(Uuid::from_u128(3))
        );
        // A report filed by the batch, in a cell of its own, is found too; one held twice is
        // counted once.
        candidates.add(report(5, "graffiti", 48.8566, 2.3523));
        candidates.add(report(5, "graffiti", 48.8566, 2.3523));
        assert_eq!(candidates.held.len(), 5);
        assert_eq!(
            candidates.nearest("graffiti", at, 50, open),
            Some(Uuid::from_u128(5))
        );
    }
}
