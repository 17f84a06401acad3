//! What the phone knows offline of where a report lands: whether a point is inside the town, and
//! which service will receive a report, from the town's zones holding its point (finest first)
//! and its routing table, through the same rules the server applies (`relais_domain::zones`,
//! `relais_domain::routing`). A draft shows the service before it is sent, and a queued report
//! keeps it until the server's answer replaces it.
//!
//! Both are built from the catalogue once, each time a catalogue is loaded or fetched
//! ([`TownRules::of`]), not at every render or filing: parsing every zone outline of a big town
//! costs more than the filing itself.

use relais_domain::routing::Routing;
use relais_domain::zones::{ZoneGeometry, ZoneMap};
use relais_protocol::{Catalogue, GeoPoint};

/// The town's zone outlines and routing table, as the catalogue the device holds says.
#[derive(Debug, Default)]
pub struct TownRules {
    zones: ZoneMap,
    routing: Routing,
}

impl TownRules {
    /// The rules of `catalogue`; without one, no zone and no routing.
    pub fn of(catalogue: Option<&Catalogue>) -> Self {
        let Some(catalogue) = catalogue else {
            return Self::default();
        };
        let zones = ZoneMap::new(
            catalogue
                .zones
                .iter()
                .map(|z| {
                    (
                        z.code.clone(),
                        z.parent.clone(),
                        ZoneGeometry::from_wire(&z.polygons),
                    )
                })
                .collect(),
        );
        Self {
            zones,
            routing: Routing::of(catalogue),
        }
    }

    /// Whether the point is in a zone of the town. A catalogue without outlines accepts every
    /// point: the server decides.
    pub fn inside_town(&self, lon: f64, lat: f64) -> bool {
        self.zones.is_empty() || !self.zones.locate(lon, lat).is_empty()
    }

    /// The code of the service the town's table sends a report of `category` at `point` to;
    /// `None` when the catalogue does not route that category.
    pub fn service_for(&self, category: &str, point: GeoPoint) -> Option<String> {
        let zones = self.zones.locate(point.lon, point.lat);
        self.routing.route(category, &zones).map(str::to_owned)
    }
}
