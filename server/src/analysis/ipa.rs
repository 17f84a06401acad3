//! The importance–performance analysis of the town's public services (Martilla and James,
//! 1977): each service of the directory is placed by the mean importance citizens give it (x)
//! against their mean satisfaction with it (y), both on the rating scale (1 to 5). Crosshairs
//! split the plane into four quadrants named for action; the iso-priority diagonal
//! (importance = satisfaction) gives each service a gap, satisfaction minus importance, negative
//! where the service disappoints more than it matters.
//!
//! Pure: it takes the ratings and returns the analysis, so the chart, the table and the CSV
//! export all say the same thing. A service rated by fewer citizens than the town's minimum
//! sample is listed apart and never placed: its means would mislead (and could reveal a
//! person's rating).

use std::collections::BTreeMap;

use relais_protocol::LocalizedText;
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The rating scale, both axes.
pub const SCALE: (f64, f64) = (1.0, 5.0);

/// Where the crosshairs stand: both conventions are used in the literature, the town chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Crosshairs {
    /// At the middle of the scale (3, 3): a service is judged against the scale's words.
    #[default]
    Midpoint,
    /// At the means of the placed services' means: a service is judged against the others.
    Means,
}

impl Crosshairs {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Midpoint => "midpoint",
            Self::Means => "means",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "midpoint" => Some(Self::Midpoint),
            "means" => Some(Self::Means),
            _ => None,
        }
    }
}

/// The four quadrants, named for what the town should do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Quadrant {
    /// Important, and citizens are not satisfied.
    ConcentrateHere,
    /// Important, and citizens are satisfied.
    KeepUpTheGoodWork,
    /// Less important, and citizens are not satisfied.
    LowPriority,
    /// Less important, yet citizens are satisfied.
    PossibleOverkill,
}

impl Quadrant {
    pub const ALL: [Self; 4] = [
        Self::ConcentrateHere,
        Self::KeepUpTheGoodWork,
        Self::LowPriority,
        Self::PossibleOverkill,
    ];

    /// The quadrant of a point (`importance`, `satisfaction`) for crosshairs at `(x, y)`. A point
    /// on a crosshair counts as high on that axis.
    pub fn of(importance: f64, satisfaction: f64, (x, y): (f64, f64)) -> Self {
        match (importance >= x, satisfaction >= y) {
            (true, false) => Self::ConcentrateHere,
            (true, true) => Self::KeepUpTheGoodWork,
            (false, false) => Self::LowPriority,
            (false, true) => Self::PossibleOverkill,
        }
    }

    /// A stable name, for the CSV export and the page's styles.
    pub const fn code(self) -> &'static str {
        match self {
            Self::ConcentrateHere => "concentrate_here",
            Self::KeepUpTheGoodWork => "keep_up_the_good_work",
            Self::LowPriority => "low_priority",
            Self::PossibleOverkill => "possible_overkill",
        }
    }

    /// The quadrant's name as the town reads it.
    pub fn name(self) -> LocalizedText {
        let (fr, en) = match self {
            Self::ConcentrateHere => ("Concentrer les efforts ici", "Concentrate here"),
            Self::KeepUpTheGoodWork => ("Maintenir le bon travail", "Keep up the good work"),
            Self::LowPriority => ("Priorité faible", "Low priority"),
            Self::PossibleOverkill => ("Effort peut-être excessif", "Possible overkill"),
        };
        LocalizedText::new(fr, en)
    }
}

/// One citizen's current rating of one service.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rating {
    pub importance: u8,
    pub satisfaction: u8,
}

/// A mean with its 95% confidence interval (Student's t; the interval is the mean itself when
/// every rating is the same).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    pub mean: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    /// Of `values` (at least two).
    fn of(values: impl Iterator<Item = f64> + Clone) -> Self {
        let n = values.clone().count() as f64;
        let mean = values.clone().sum::<f64>() / n;
        let variance = values.map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0);
        let t = StudentsT::new(0.0, 1.0, n - 1.0).map_or(f64::NAN, |t| t.inverse_cdf(0.975));
        let half = t * (variance / n).sqrt();
        Self {
            mean,
            low: mean - half,
            high: mean + half,
        }
    }
}

/// A service placed on the chart.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub service: String,
    pub raters: u32,
    pub importance: Estimate,
    pub satisfaction: Estimate,
    /// Satisfaction minus importance: its distance to the iso-priority diagonal, negative below
    /// it (the service matters more than it satisfies).
    pub gap: f64,
    pub quadrant: Quadrant,
}

/// A service with too few raters to be placed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apart {
    pub service: String,
    pub raters: u32,
}

/// The analysis of a directory.
#[derive(Debug, Clone, PartialEq)]
pub struct Analysis {
    pub crosshairs: Crosshairs,
    /// Where they stand: (importance, satisfaction).
    pub center: (f64, f64),
    /// The placed services, largest shortfall first (most negative gap).
    pub placed: Vec<Placed>,
    /// The services under the minimum sample, in the directory's order.
    pub apart: Vec<Apart>,
    pub min_raters: u32,
}

impl Analysis {
    /// Analyses the `ratings` of each of `services` (in the directory's order; a service without
    /// ratings is listed apart with none). A minimum below 2 is taken as 2: a single rating has
    /// no interval.
    pub fn of(
        services: &[String],
        ratings: &BTreeMap<String, Vec<Rating>>,
        min_raters: u32,
        crosshairs: Crosshairs,
    ) -> Self {
        let min_raters = min_raters.max(2);
        let mut placed = Vec::new();
        let mut apart = Vec::new();
        for service in services {
            let given = ratings.get(service).map_or(&[][..], Vec::as_slice);
            let raters = u32::try_from(given.len()).unwrap_or(u32::MAX);
            if raters < min_raters {
                apart.push(Apart {
                    service: service.clone(),
                    raters,
                });
                continue;
            }
            let importance = Estimate::of(given.iter().map(|r| f64::from(r.importance)));
            let satisfaction = Estimate::of(given.iter().map(|r| f64::from(r.satisfaction)));
            placed.push(Placed {
                service: service.clone(),
                raters,
                gap: satisfaction.mean - importance.mean,
                importance,
                satisfaction,
                quadrant: Quadrant::KeepUpTheGoodWork,
            });
        }
        let midpoint = f64::midpoint(SCALE.0, SCALE.1);
        let center = match crosshairs {
            Crosshairs::Midpoint => (midpoint, midpoint),
            Crosshairs::Means if placed.is_empty() => (midpoint, midpoint),
            Crosshairs::Means => {
                let n = placed.len() as f64;
                (
                    placed.iter().map(|p| p.importance.mean).sum::<f64>() / n,
                    placed.iter().map(|p| p.satisfaction.mean).sum::<f64>() / n,
                )
            }
        };
        for p in &mut placed {
            p.quadrant = Quadrant::of(p.importance.mean, p.satisfaction.mean, center);
        }
        placed.sort_by(|a, b| a.gap.total_cmp(&b.gap).then(a.service.cmp(&b.service)));
        Self {
            crosshairs,
            center,
            placed,
            apart,
            min_raters,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ratings(pairs: &[(u8, u8)]) -> Vec<Rating> {
        pairs
            .iter()
            .map(|&(importance, satisfaction)| Rating {
                importance,
                satisfaction,
            })
            .collect()
    }

    /// Four services, one per quadrant at the midpoint, and one with too few raters.
    fn directory() -> (Vec<String>, BTreeMap<String, Vec<Rating>>) {
        let services = ["pool", "library", "market", "museum", "kiosk", "unrated"]
            .map(String::from)
            .to_vec();
        let mut by_service = BTreeMap::new();
        // Importance 5,5,4,4,5 (mean 4.6), satisfaction 2,1,2,3,2 (mean 2.0).
        by_service.insert(
            "pool".to_owned(),
            ratings(&[(5, 2), (5, 1), (4, 2), (4, 3), (5, 2)]),
        );
        // Important and satisfying: 4.4, 4.4.
        by_service.insert(
            "library".to_owned(),
            ratings(&[(4, 4), (5, 5), (4, 4), (5, 5), (4, 4)]),
        );
        // Neither: 2.0, 2.4.
        by_service.insert(
            "market".to_owned(),
            ratings(&[(2, 2), (2, 3), (2, 2), (2, 3), (2, 2)]),
        );
        // Satisfying, little importance: 1.8, 4.6.
        by_service.insert(
            "museum".to_owned(),
            ratings(&[(2, 5), (1, 5), (2, 4), (2, 5), (2, 4)]),
        );
        // Two raters only.
        by_service.insert("kiosk".to_owned(), ratings(&[(5, 1), (5, 1)]));
        (services, by_service)
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-3
    }

    #[test]
    fn each_service_lands_in_its_quadrant_at_the_midpoint() {
        let (services, ratings) = directory();
        let analysis = Analysis::of(&services, &ratings, 5, Crosshairs::Midpoint);
        assert_eq!(analysis.center, (3.0, 3.0));
        let quadrant = |s: &str| {
            analysis
                .placed
                .iter()
                .find(|p| p.service == s)
                .map(|p| p.quadrant)
        };
        assert_eq!(quadrant("pool"), Some(Quadrant::ConcentrateHere));
        assert_eq!(quadrant("library"), Some(Quadrant::KeepUpTheGoodWork));
        assert_eq!(quadrant("market"), Some(Quadrant::LowPriority));
        assert_eq!(quadrant("museum"), Some(Quadrant::PossibleOverkill));
        // Largest shortfall first: pool's gap is 2.0 - 4.6.
        assert_eq!(analysis.placed[0].service, "pool");
        assert!(close(analysis.placed[0].gap, -2.6));
        assert_eq!(analysis.placed.last().unwrap().service, "museum");
        assert!(close(analysis.placed.last().unwrap().gap, 2.8));
    }

    #[test]
    fn services_under_the_minimum_sample_are_apart_and_never_placed() {
        let (services, ratings) = directory();
        let analysis = Analysis::of(&services, &ratings, 5, Crosshairs::Midpoint);
        assert_eq!(
            analysis.apart,
            vec![
                Apart {
                    service: "kiosk".into(),
                    raters: 2
                },
                Apart {
                    service: "unrated".into(),
                    raters: 0
                },
            ]
        );
        assert!(analysis.placed.iter().all(|p| p.service != "kiosk"));
        // With a minimum of 2, the kiosk is placed; below 2 the minimum is still 2.
        let analysis = Analysis::of(&services, &ratings, 0, Crosshairs::Midpoint);
        assert_eq!(analysis.min_raters, 2);
        assert!(analysis.placed.iter().any(|p| p.service == "kiosk"));
        assert_eq!(analysis.apart.len(), 1);
    }

    #[test]
    fn the_confidence_interval_uses_students_t() {
        let (services, ratings) = directory();
        let analysis = Analysis::of(&services, &ratings, 5, Crosshairs::Midpoint);
        let pool = analysis
            .placed
            .iter()
            .find(|p| p.service == "pool")
            .unwrap();
        assert_eq!(pool.raters, 5);
        // s = sqrt(0.3), t(0.975, 4) = 2.7764: half-width 2.7764 * sqrt(0.3 / 5) = 0.6801.
        assert!(close(pool.importance.mean, 4.6));
        assert!(close(pool.importance.low, 4.6 - 0.6801), "{pool:?}");
        assert!(close(pool.importance.high, 4.6 + 0.6801), "{pool:?}");
        // Satisfaction 2,1,2,3,2: s = sqrt(0.5), half-width 2.7764 * sqrt(0.1) = 0.8780.
        assert!(close(pool.satisfaction.low, 2.0 - 0.8780), "{pool:?}");
        // Every rating alike: no spread, the interval is the mean.
        let market = analysis
            .placed
            .iter()
            .find(|p| p.service == "market")
            .unwrap();
        assert_eq!((market.importance.low, market.importance.high), (2.0, 2.0));
    }

    #[test]
    fn crosshairs_at_the_means_judge_each_service_against_the_others() {
        let (services, ratings) = directory();
        let analysis = Analysis::of(&services, &ratings, 5, Crosshairs::Means);
        // Means of the four placed means: importance (4.6 + 4.4 + 2.0 + 1.8) / 4 = 3.2,
        // satisfaction (2.0 + 4.4 + 2.4 + 4.6) / 4 = 3.35.
        assert!(close(analysis.center.0, 3.2));
        assert!(close(analysis.center.1, 3.35));
        let market = analysis
            .placed
            .iter()
            .find(|p| p.service == "market")
            .unwrap();
        assert_eq!(market.quadrant, Quadrant::LowPriority);
        // A directory of services all rated alike: at the means, a service on both crosshairs
        // counts as high on both.
        let same: BTreeMap<_, _> = [
            ("a".to_owned(), ratings_of(4, 2)),
            ("b".to_owned(), ratings_of(4, 2)),
        ]
        .into_iter()
        .collect();
        let analysis = Analysis::of(&["a".into(), "b".into()], &same, 2, Crosshairs::Means);
        assert_eq!(analysis.center, (4.0, 2.0));
        assert!(
            analysis
                .placed
                .iter()
                .all(|p| p.quadrant == Quadrant::KeepUpTheGoodWork)
        );
        // At the midpoint the same services need attention.
        let analysis = Analysis::of(&["a".into(), "b".into()], &same, 2, Crosshairs::Midpoint);
        assert!(
            analysis
                .placed
                .iter()
                .all(|p| p.quadrant == Quadrant::ConcentrateHere)
        );
    }

    fn ratings_of(importance: u8, satisfaction: u8) -> Vec<Rating> {
        vec![
            Rating {
                importance,
                satisfaction
            };
            3
        ]
    }

    #[test]
    fn with_nothing_placed_the_means_fall_back_to_the_midpoint() {
        let analysis = Analysis::of(&["a".into()], &BTreeMap::new(), 5, Crosshairs::Means);
        assert_eq!(analysis.center, (3.0, 3.0));
        assert!(analysis.placed.is_empty());
        assert_eq!(analysis.apart.len(), 1);
    }

    #[test]
    fn quadrants_are_named_in_both_languages() {
        for quadrant in Quadrant::ALL {
            let name = quadrant.name();
            assert!(!name.fr.is_empty() && !name.en.is_empty());
        }
        assert_eq!(Quadrant::ConcentrateHere.name().en, "Concentrate here");
        assert_eq!(Crosshairs::parse("means"), Some(Crosshairs::Means));
        assert_eq!(Crosshairs::parse("elsewhere"), None);
    }
}
