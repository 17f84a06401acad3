//! Which ratings an importance–performance analysis is made of: the citizens' current ratings
//! of the directory's services, narrowed to one kind of service (its type: "Piscine",
//! "Bibliothèque"...), to the services located in one zone, and to the ratings given in a
//! period. Pure, so the page, its CSV and the tests select the same way; the analysis itself is
//! [`super::ipa`].

use std::collections::BTreeMap;

use super::ipa::Rating;

/// A service of the directory as the selection sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RatedService {
    pub id: String,
    /// Its kind, as the directory names it in French (the value the filter compares).
    pub kind: String,
    /// The zones holding its location, at every level; empty when it has none.
    pub zones: Vec<String>,
}

/// One citizen's current rating of a service, with when it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GivenRating<'a> {
    pub service: &'a str,
    pub rating: Rating,
    pub at_ms: i64,
}

/// What to keep; `None` keeps everything on that axis.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Selection {
    pub kind: Option<String>,
    pub zone: Option<String>,
    /// Ratings given at or after this instant (milliseconds since the Unix epoch)...
    pub from_ms: Option<i64>,
    /// ...and before this one.
    pub until_ms: Option<i64>,
}

impl Selection {
    /// The selected services (in the directory's order) and their selected ratings: what
    /// [`super::ipa::Analysis::of`] takes. A service of the kind and zone keeps its place even
    /// with no rating in the period (it is then listed apart, with none).
    pub fn apply<'a>(
        &self,
        services: &[RatedService],
        ratings: impl IntoIterator<Item = GivenRating<'a>>,
    ) -> (Vec<String>, BTreeMap<String, Vec<Rating>>) {
        let ids: Vec<String> = services
            .iter()
            .filter(|s| self.kind.as_ref().is_none_or(|kind| &s.kind == kind))
            .filter(|s| self.zone.as_ref().is_none_or(|zone| s.zones.contains(zone)))
            .map(|s| s.id.clone())
            .collect();
        let mut selected: BTreeMap<String, Vec<Rating>> = BTreeMap::new();
        for given in ratings {
            let in_period = self.from_ms.is_none_or(|from| given.at_ms >= from)
                && self.until_ms.is_none_or(|until| given.at_ms < until);
            if in_period && ids.iter().any(|id| id == given.service) {
                selected
                    .entry(given.service.to_owned())
                    .or_default()
                    .push(given.rating);
            }
        }
        (ids, selected)
    }
}

#[cfg(test)]
mod tests {
    use super::super::ipa::{Analysis, Crosshairs, Quadrant};
    use super::*;

    const DAY: i64 = 86_400_000;

    /// Two pools and a library; the pools in two districts, the library without a location.
    fn directory() -> Vec<RatedService> {
        let service = |id: &str, kind: &str, zones: &[&str]| RatedService {
            id: id.to_owned(),
            kind: kind.to_owned(),
            zones: zones.iter().map(|z| (*z).to_owned()).collect(),
        };
        vec![
            service("pool-north", "Piscine", &["q-north", "arr-1"]),
            service("pool-south", "Piscine", &["q-south", "arr-2"]),
            service("library", "Bibliothèque", &[]),
        ]
    }

    /// The pool of the north is important and disappoints in the first week, then satisfies in
    /// the second; the south pool and the library are rated once a day for both weeks.
    fn ratings() -> Vec<GivenRating<'static>> {
        let mut all = Vec::new();
        for day in 0..14 {
            let (importance, satisfaction) = if day < 7 { (5, 1) } else { (5, 5) };
            let at_ms = day * DAY;
            let rate = |service, importance, satisfaction| GivenRating {
                service,
                rating: Rating {
                    importance,
                    satisfaction,
                },
                at_ms,
            };
            all.push(rate("pool-north", importance, satisfaction));
            all.push(rate("pool-south", 2, 4));
            all.push(rate("library", 4, 4));
        }
        all
    }

    fn counts(selected: &BTreeMap<String, Vec<Rating>>) -> Vec<(String, usize)> {
        selected.iter().map(|(k, v)| (k.clone(), v.len())).collect()
    }

    #[test]
    fn without_a_filter_every_service_and_rating_counts() {
        let (ids, selected) = Selection::default().apply(&directory(), ratings());
        assert_eq!(ids, ["pool-north", "pool-south", "library"]);
        assert_eq!(
            counts(&selected),
            [
                ("library".to_owned(), 14),
                ("pool-north".to_owned(), 14),
                ("pool-south".to_owned(), 14)
            ]
        );
    }

    #[test]
    fn a_kind_keeps_only_its_services() {
        let selection = Selection {
            kind: Some("Piscine".into()),
            ..Selection::default()
        };
        let (ids, selected) = selection.apply(&directory(), ratings());
        assert_eq!(ids, ["pool-north", "pool-south"]);
        assert!(!selected.contains_key("library"));
    }

    #[test]
    fn a_zone_at_any_level_keeps_the_services_located_in_it() {
        for zone in ["q-south", "arr-2"] {
            let selection = Selection {
                zone: Some(zone.into()),
                ..Selection::default()
            };
            let (ids, selected) = selection.apply(&directory(), ratings());
            assert_eq!(ids, ["pool-south"], "{zone}");
            assert_eq!(counts(&selected), [("pool-south".to_owned(), 14)]);
        }
        // A service without a location is in no zone.
        let selection = Selection {
            zone: Some("arr-9".into()),
            ..Selection::default()
        };
        assert!(selection.apply(&directory(), ratings()).0.is_empty());
    }

    #[test]
    fn the_period_moves_a_service_to_its_quadrant_of_that_time() {
        let week = |first_day: i64| Selection {
            from_ms: Some(first_day * DAY),
            until_ms: Some((first_day + 7) * DAY),
            ..Selection::default()
        };
        let quadrant_of_north = |selection: &Selection| {
            let (ids, selected) = selection.apply(&directory(), ratings());
            let analysis = Analysis::of(&ids, &selected, 2, Crosshairs::Midpoint);
            let north = analysis
                .placed
                .iter()
                .find(|p| p.service == "pool-north")
                .unwrap();
            (north.raters, north.quadrant)
        };
        assert_eq!(quadrant_of_north(&week(0)), (7, Quadrant::ConcentrateHere));
        assert_eq!(
            quadrant_of_north(&week(7)),
            (7, Quadrant::KeepUpTheGoodWork)
        );
        // The end is excluded: a one-day period holds that day's ratings only.
        let one_day = Selection {
            from_ms: Some(3 * DAY),
            until_ms: Some(4 * DAY),
            ..Selection::default()
        };
        let (ids, selected) = one_day.apply(&directory(), ratings());
        assert_eq!(ids.len(), 3);
        assert!(selected.values().all(|r| r.len() == 1));
        // Outside every rating: the services stay listed, with nothing, so all are apart.
        let empty = Selection {
            from_ms: Some(100 * DAY),
            ..Selection::default()
        };
        let (ids, selected) = empty.apply(&directory(), ratings());
        let analysis = Analysis::of(&ids, &selected, 2, Crosshairs::Midpoint);
        assert!(analysis.placed.is_empty());
        assert_eq!(analysis.apart.len(), 3);
    }
}
