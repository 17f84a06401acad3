//! The zones whose reports and alerts come to a citizen's devices: those it chose
//! (`follow_zone`, `unfollow_zone`) and the last few it reported in
//! ([`relais_domain::follows::REPORTED_FOLLOWS`]), decided here over the citizen's follows read
//! with the batch's facts, and kept up to date as the batch goes so that its later mutations see
//! what its earlier ones did.

use relais_domain::follows::REPORTED_FOLLOWS;
use relais_protocol::Reason;
use relais_server_database::CitizenFollow;
use relais_server_database::writes::{ReportedFollow, Write, ZoneFollow};

use super::Judge;
use crate::reasons;

impl Judge<'_> {
    pub(super) fn follow(&mut self, zone: &str, follow: bool) -> Result<Write, Reason> {
        if !self.town.has_zone(zone) {
            return Err(reasons::unknown_zone(zone));
        }
        let follows = &mut self.facts.follows;
        if follow {
            match follows.iter_mut().find(|followed| followed.zone == zone) {
                Some(followed) => followed.explicit = true,
                None => follows.push(CitizenFollow {
                    zone: zone.to_owned(),
                    explicit: true,
                    at_ms: self.now_ms,
                }),
            }
        } else {
            follows.retain(|followed| followed.zone != zone);
        }
        Ok(Write::Follow(ZoneFollow {
            citizen: self.citizen().to_owned(),
            zone: zone.to_owned(),
            origin: follow.then_some("explicit"),
        }))
    }

    /// What filing a report in `zone` does to the zones its reporter follows.
    pub(super) fn follow_reported(&mut self, zone: &str) -> ReportedFollow {
        reported_in(&mut self.facts.follows, zone, self.now_ms)
    }
}

/// The reporter follows `zone` as the zone it reported in most recently, unless it follows it
/// explicitly; of the zones it follows because it reported there, it stops following those
/// beyond the [`REPORTED_FOLLOWS`] it reported in last. Updates `follows` to match.
fn reported_in(follows: &mut Vec<CitizenFollow>, zone: &str, now_ms: i64) -> ReportedFollow {
    let latest = follows.iter().map(|followed| followed.at_ms).max();
    // After every follow of the citizen, so that a batch's reports (and those of pushes
    // decided within one clock tick) keep their order.
    let at_ms = latest.map_or(now_ms, |latest| now_ms.max(latest + 1));
    match follows.iter_mut().find(|followed| followed.zone == zone) {
        Some(followed) if followed.explicit || Some(followed.at_ms) == latest => {
            ReportedFollow::Unchanged
        }
        Some(followed) => {
            followed.at_ms = at_ms;
            ReportedFollow::Refreshed { at_ms }
        }
        None => {
            follows.push(CitizenFollow {
                zone: zone.to_owned(),
                explicit: false,
                at_ms,
            });
            let mut reported: Vec<&CitizenFollow> = follows
                .iter()
                .filter(|followed| !followed.explicit)
                .collect();
            reported.sort_by(|a, b| (b.at_ms, &b.zone).cmp(&(a.at_ms, &a.zone)));
            let dropped: Vec<String> = reported
                .iter()
                .skip(REPORTED_FOLLOWS)
                .map(|followed| followed.zone.clone())
                .collect();
            follows.retain(|followed| followed.explicit || !dropped.contains(&followed.zone));
            ReportedFollow::Started { at_ms, dropped }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn followed(zone: &str, explicit: bool, at_ms: i64) -> CitizenFollow {
        CitizenFollow {
            zone: zone.into(),
            explicit,
            at_ms,
        }
    }

    fn zones(follows: &[CitizenFollow]) -> Vec<&str> {
        let mut zones: Vec<&str> = follows.iter().map(|f| f.zone.as_str()).collect();
        zones.sort_unstable();
        zones
    }

    #[test]
    fn a_fourth_zone_reported_in_drops_the_least_recent_and_never_a_chosen_one() {
        let mut follows = vec![
            followed("chosen", true, 1),
            followed("a", false, 10),
            followed("b", false, 20),
            followed("c", false, 30),
        ];
        let change = reported_in(&mut follows, "d", 25);
        assert_eq!(
            change,
            ReportedFollow::Started {
                at_ms: 31,
                dropped: vec!["a".into()],
            }
        );
        assert_eq!(zones(&follows), ["b", "c", "chosen", "d"]);
    }

    #[test]
    fn reporting_again_in_a_zone_makes_it_the_most_recent_once() {
        let mut follows = vec![followed("a", false, 10), followed("b", false, 20)];
        assert_eq!(
            reported_in(&mut follows, "a", 15),
            ReportedFollow::Refreshed { at_ms: 21 }
        );
        // Already the zone reported in last: nothing to store.
        assert_eq!(
            reported_in(&mut follows, "a", 16),
            ReportedFollow::Unchanged
        );
        // A chosen zone stays chosen.
        let mut chosen = vec![followed("a", true, 5)];
        assert_eq!(reported_in(&mut chosen, "a", 50), ReportedFollow::Unchanged);
        assert!(chosen[0].explicit);
    }

    #[test]
    fn one_batch_reporting_in_five_zones_follows_the_last_three() {
        let mut follows = Vec::new();
        for zone in ["a", "b", "c", "d", "e"] {
            reported_in(&mut follows, zone, 100);
        }
        assert_eq!(zones(&follows), ["c", "d", "e"]);
        assert_eq!(
            follows.iter().map(|f| f.at_ms).max(),
            Some(104),
            "each filing of the batch is later than the one before"
        );
    }
}
