//! Which service will receive a report, known offline: the town's zones holding its point
//! (finest first) and its routing table, both from the catalogue, through the same rules the
//! server applies (`relais_domain::zones`, `relais_domain::routing`). A draft shows it before it
//! is sent, and a queued report keeps it until the server's answer replaces it.

use relais_domain::routing::Routing;
use relais_protocol::{Catalogue, GeoPoint};

use super::validate;

/// The code of the service the town's table sends a report of `category` at `point` to; `None`
/// when the catalogue does not route that category.
pub fn service_for(catalogue: &Catalogue, category: &str, point: GeoPoint) -> Option<String> {
    let map = validate::zone_map(catalogue);
    let zones = map.locate(point.lon, point.lat);
    Routing::of(catalogue)
        .route(category, &zones)
        .map(str::to_owned)
}
