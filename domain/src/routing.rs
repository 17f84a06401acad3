//! Which service receives a report: the category's default service, unless the town routes the
//! category differently in a zone holding the point (the finest such zone wins). The server
//! routes with it; a phone shows offline, with the same function, which service will receive a
//! report before it is sent.

use std::collections::HashMap;

use relais_protocol::{Catalogue, RoutingRule};

/// A town's routing table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Routing {
    /// Default service of each category.
    defaults: HashMap<String, String>,
    /// `(category, zone)` → service.
    rules: HashMap<(String, String), String>,
}

impl Routing {
    /// From `(category, default service)` pairs and the town's exceptions.
    pub fn new(
        defaults: impl IntoIterator<Item = (String, String)>,
        rules: impl IntoIterator<Item = RoutingRule>,
    ) -> Self {
        Self {
            defaults: defaults.into_iter().collect(),
            rules: rules
                .into_iter()
                .map(|r| ((r.category, r.zone), r.service))
                .collect(),
        }
    }

    /// The routing a catalogue describes (categories without a service code route nowhere).
    pub fn of(catalogue: &Catalogue) -> Self {
        Self::new(
            catalogue
                .categories
                .iter()
                .filter_map(|c| Some((c.code.clone(), c.service_code.clone()?))),
            catalogue.routing.iter().cloned(),
        )
    }

    /// The service for a report of `category` at a point inside `zones` (finest first); `None`
    /// for a category the table does not know.
    pub fn route<'a>(&'a self, category: &str, zones: &[&str]) -> Option<&'a str> {
        zones
            .iter()
            .find_map(|zone| self.rules.get(&(category.to_owned(), (*zone).to_owned())))
            .or_else(|| self.defaults.get(category))
            .map(String::as_str)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(category: &str, zone: &str, service: &str) -> RoutingRule {
        RoutingRule {
            category: category.into(),
            zone: zone.into(),
            service: service.into(),
        }
    }

    #[test]
    fn the_finest_zone_with_a_rule_wins_then_the_default() {
        let routing = Routing::new(
            [("bench".to_owned(), "roads".to_owned())],
            [
                rule("bench", "12th", "parks_east"),
                rule("bench", "bel_air", "woods"),
            ],
        );
        assert_eq!(routing.route("bench", &["bel_air", "12th"]), Some("woods"));
        assert_eq!(
            routing.route("bench", &["bercy", "12th"]),
            Some("parks_east")
        );
        assert_eq!(routing.route("bench", &["marais", "4th"]), Some("roads"));
        assert_eq!(routing.route("bench", &[]), Some("roads"));
        assert_eq!(routing.route("unknown", &["12th"]), None);
    }
}
