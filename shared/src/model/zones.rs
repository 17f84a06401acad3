//! The town's zones as a citizen's device sees them: which zones a zone holds (itself and every
//! zone below it: an arrondissement holds its quartiers), which zones the citizen follows (the
//! server's list with the follow and unfollow changes still queued applied on it), and which
//! zones those follows cover.

use relais_protocol::{Catalogue, FollowedZone, MutationOp};

use super::Outbox;

/// How the citizen came to follow a zone, as the server says (`explicit`, `reported`), or
/// `pending` for a follow not sent yet.
pub const PENDING: &str = "pending";

/// `zone` and every zone of the catalogue below it. Without a catalogue, only `zone`.
pub fn within(catalogue: Option<&Catalogue>, zone: &str) -> Vec<String> {
    let Some(catalogue) = catalogue else {
        return vec![zone.to_owned()];
    };
    let mut found = vec![zone.to_owned()];
    for candidate in &catalogue.zones {
        if candidate.code != zone && ancestors(catalogue, &candidate.code).any(|a| a == zone) {
            found.push(candidate.code.clone());
        }
    }
    found
}

/// The zones `code` lies in, nearest first (a quartier's arrondissement, then its commune).
pub fn ancestors<'a>(catalogue: &'a Catalogue, code: &str) -> impl Iterator<Item = &'a str> {
    let mut at = catalogue.zone(code).and_then(|z| z.parent.as_deref());
    // A cycle in the parents is bounded by the number of zones.
    let mut left = catalogue.zones.len();
    std::iter::from_fn(move || {
        let here = at.filter(|_| left > 0)?;
        left -= 1;
        at = catalogue.zone(here).and_then(|z| z.parent.as_deref());
        Some(here)
    })
}

/// The zones followed, as the server listed them, with the queued changes applied.
pub fn followed(server: Option<&[FollowedZone]>, outbox: &Outbox) -> Vec<FollowedZone> {
    let mut zones: Vec<FollowedZone> = server.map(<[_]>::to_vec).unwrap_or_default();
    for item in outbox.items().iter().filter(|i| i.is_queued()) {
        match &item.mutation.op {
            MutationOp::FollowZone { zone } if !zones.iter().any(|z| &z.zone == zone) => {
                zones.push(FollowedZone {
                    zone: zone.clone(),
                    origin: PENDING.into(),
                });
            }
            MutationOp::UnfollowZone { zone } => zones.retain(|z| &z.zone != zone),
            _ => {}
        }
    }
    zones
}

/// Every zone the followed ones cover: the reports in them are in the citizen's scope.
pub fn covered(catalogue: Option<&Catalogue>, followed: &[FollowedZone]) -> Vec<String> {
    let mut zones: Vec<String> = followed
        .iter()
        .flat_map(|f| within(catalogue, &f.zone))
        .collect();
    zones.sort();
    zones.dedup();
    zones
}

#[cfg(test)]
mod tests {
    use relais_protocol::{TownSettings, Zone};

    use super::*;

    fn zone(code: &str, parent: Option<&str>) -> Zone {
        Zone {
            code: code.into(),
            name: code.into(),
            kind: "zone".into(),
            parent: parent.map(Into::into),
            polygons: Vec::new(),
        }
    }

    #[test]
    fn a_zone_holds_the_zones_below_it() {
        let catalogue = Catalogue {
            tenant: "t".into(),
            name: "T".into(),
            version: 1,
            groups: Vec::new(),
            categories: Vec::new(),
            zones: vec![
                zone("paris", None),
                zone("75104", Some("paris")),
                zone("7510401", Some("75104")),
                zone("75105", Some("paris")),
            ],
            settings: TownSettings::default(),
            services: Vec::new(),
            routing: Vec::new(),
            rejection_reasons: Vec::new(),
            reply_templates: Vec::new(),
        };
        assert_eq!(within(Some(&catalogue), "75104"), ["75104", "7510401"]);
        assert_eq!(within(Some(&catalogue), "paris").len(), 4);
        assert_eq!(
            ancestors(&catalogue, "7510401").collect::<Vec<_>>(),
            ["75104", "paris"]
        );
    }
}
