//! Zones (communes, arrondissements, quartiers): their outlines and which of them hold a point.
//!
//! The server reads a zone's full geometry from GeoJSON and sends devices an outline simplified
//! to about a metre; both build a [`ZoneGeometry`] from what they hold and ask the same question,
//! so a phone refuses offline exactly the points the server would refuse (up to that metre).
//! Zones nest ([`ZoneMap::locate`] answers the finest zone first, then its parents), which is how
//! a report is placed in its quartier and its arrondissement at once.

use geo::{
    BoundingRect, Coord, Intersects, LineString, MultiPolygon, Point, Polygon, Rect, Simplify,
};
use serde::Deserialize;

/// A zone outline on the wire: GeoJSON MultiPolygon coordinates (`[lon, lat]`), the first ring
/// of each polygon its exterior.
pub type WirePolygons = Vec<Vec<Vec<[f64; 2]>>>;

/// Tolerance of the outline simplification, in degrees: 1e-5° is 1.1 m of latitude and 0.7 m
/// of longitude in Paris, finer than a phone's location fix.
pub const OUTLINE_TOLERANCE_DEG: f64 = 1e-5;

/// GeoJSON positions may carry an altitude: only the first two numbers are used.
type Ring = Vec<Vec<f64>>;

#[derive(Deserialize)]
#[serde(tag = "type")]
enum GeoJsonGeometry {
    Polygon { coordinates: Vec<Ring> },
    MultiPolygon { coordinates: Vec<Vec<Ring>> },
}

/// A zone's shape with its bounding box, for point-in-zone tests.
#[derive(Debug, Clone)]
pub struct ZoneGeometry {
    shape: MultiPolygon<f64>,
    bbox: Rect<f64>,
}

impl ZoneGeometry {
    /// Parses GeoJSON geometry text (a Polygon or a MultiPolygon); the error says what is wrong.
    pub fn parse(geojson: &str) -> Result<Self, String> {
        let geometry: GeoJsonGeometry = serde_json::from_str(geojson)
            .map_err(|e| format!("not a GeoJSON Polygon or MultiPolygon: {e}"))?;
        let polygons = match geometry {
            GeoJsonGeometry::Polygon { coordinates } => vec![polygon(coordinates)?],
            GeoJsonGeometry::MultiPolygon { coordinates } => coordinates
                .into_iter()
                .map(polygon)
                .collect::<Result<_, _>>()?,
        };
        Self::new(MultiPolygon::new(polygons))
    }

    /// The shape of an outline as the catalogue sends it. `None` for an empty outline (the
    /// catalogue's way of saying "no outline: let the server decide").
    pub fn from_wire(polygons: &WirePolygons) -> Option<Self> {
        let ring = |r: &Vec<[f64; 2]>| {
            LineString::from(
                r.iter()
                    .map(|[x, y]| Coord { x: *x, y: *y })
                    .collect::<Vec<_>>(),
            )
        };
        let shape = MultiPolygon::new(
            polygons
                .iter()
                .filter_map(|rings| {
                    let (exterior, holes) = rings.split_first()?;
                    Some(Polygon::new(
                        ring(exterior),
                        holes.iter().map(ring).collect(),
                    ))
                })
                .collect(),
        );
        Self::new(shape).ok()
    }

    fn new(shape: MultiPolygon<f64>) -> Result<Self, String> {
        let bbox = shape.bounding_rect().ok_or("empty geometry")?;
        Ok(Self { shape, bbox })
    }

    /// The outline for devices, simplified (Ramer–Douglas–Peucker) with `tolerance` degrees. A
    /// ring that simplification would collapse below a triangle is sent unsimplified. Rings are
    /// simplified one by one, so two neighbouring zones may leave a sliver narrower than about
    /// twice the tolerance between them; the server routes with the full geometry.
    pub fn outline(&self, tolerance: f64) -> WirePolygons {
        let ring = |original: &LineString<f64>| {
            let simplified = original.simplify(tolerance);
            let kept = if simplified.0.len() >= 4 {
                &simplified
            } else {
                original
            };
            kept.coords().map(|c| [c.x, c.y]).collect::<Vec<_>>()
        };
        self.shape
            .iter()
            .map(|polygon| {
                std::iter::once(polygon.exterior())
                    .chain(polygon.interiors())
                    .map(ring)
                    .collect()
            })
            .collect()
    }

    /// Whether the point (longitude, latitude) lies in the zone or on its border.
    pub fn covers(&self, lon: f64, lat: f64) -> bool {
        let point = Point::new(lon, lat);
        // The bounding box test is cheap and rules out almost every zone.
        self.bbox.intersects(&point) && self.shape.intersects(&point)
    }
}

fn polygon(rings: Vec<Ring>) -> Result<Polygon<f64>, String> {
    let mut rings = rings.into_iter().map(line_string);
    let exterior = rings.next().ok_or("polygon without rings")??;
    let interiors = rings.collect::<Result<Vec<_>, _>>()?;
    Ok(Polygon::new(exterior, interiors))
}

fn line_string(ring: Ring) -> Result<LineString<f64>, String> {
    if ring.len() < 4 {
        return Err("a ring needs at least 4 positions".into());
    }
    ring.into_iter()
        .map(|position| match position[..] {
            [x, y, ..] if x.is_finite() && y.is_finite() => Ok(Coord { x, y }),
            _ => Err(format!("bad position {position:?}")),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(LineString::new)
}

/// A town's zones, for point lookups. Zones without a shape are left out: they hold no point.
#[derive(Debug, Clone, Default)]
pub struct ZoneMap {
    /// `(code, depth, shape)`: depth 0 for a zone without a parent, 1 for its children...
    zones: Vec<(String, usize, ZoneGeometry)>,
}

impl ZoneMap {
    /// Builds the map from `(code, parent, shape)` triples.
    pub fn new(zones: Vec<(String, Option<String>, Option<ZoneGeometry>)>) -> Self {
        let parents: std::collections::HashMap<String, Option<String>> = zones
            .iter()
            .map(|(code, parent, _)| (code.clone(), parent.clone()))
            .collect();
        let depth = |code: &str| {
            let mut depth = 0;
            let mut at = parents.get(code).cloned().flatten();
            // A cycle in the parents is bounded by the number of zones.
            while let Some(parent) = at.filter(|_| depth < parents.len()) {
                depth += 1;
                at = parents.get(&parent).cloned().flatten();
            }
            depth
        };
        let zones = zones
            .iter()
            .filter_map(|(code, _, shape)| Some((code.clone(), depth(code), shape.clone()?)))
            .collect();
        Self { zones }
    }

    /// Whether the map has no shape at all (then it holds no point, and a device lets the
    /// server decide).
    pub fn is_empty(&self) -> bool {
        self.zones.is_empty()
    }

    /// The codes of the zones holding the point, finest first (a quartier before its
    /// arrondissement); among zones of the same depth, in the order given to [`Self::new`].
    pub fn locate(&self, lon: f64, lat: f64) -> Vec<&str> {
        let mut found: Vec<(usize, usize, &str)> = self
            .zones
            .iter()
            .enumerate()
            .filter(|(_, (_, _, shape))| shape.covers(lon, lat))
            .map(|(order, (code, depth, _))| (*depth, order, code.as_str()))
            .collect();
        found.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        found.into_iter().map(|(_, _, code)| code).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE_WITH_HOLE: &str = r#"{"type":"Polygon","coordinates":[
        [[0,0],[10,0],[10,10],[0,10],[0,0]],
        [[4,4],[6,4],[6,6],[4,6],[4,4]]]}"#;

    fn square(x0: f64, y0: f64, side: f64) -> ZoneGeometry {
        ZoneGeometry::from_wire(&vec![vec![vec![
            [x0, y0],
            [x0 + side, y0],
            [x0 + side, y0 + side],
            [x0, y0 + side],
            [x0, y0],
        ]]])
        .unwrap()
    }

    #[test]
    fn a_polygon_covers_its_inside_but_not_its_hole_nor_the_outside() {
        let zone = ZoneGeometry::parse(SQUARE_WITH_HOLE).unwrap();
        assert!(zone.covers(1.0, 1.0));
        assert!(!zone.covers(5.0, 5.0));
        assert!(!zone.covers(11.0, 1.0));
    }

    #[test]
    fn a_multipolygon_covers_each_part() {
        let zone = ZoneGeometry::parse(
            r#"{"type":"MultiPolygon","coordinates":[
                [[[0,0],[1,0],[1,1],[0,1],[0,0]]],
                [[[5,5],[6,5],[6,6],[5,6],[5,5]]]]}"#,
        )
        .unwrap();
        assert!(zone.covers(0.5, 0.5));
        assert!(zone.covers(5.5, 5.5));
        assert!(!zone.covers(3.0, 3.0));
    }

    #[test]
    fn the_outline_drops_points_within_the_tolerance_and_keeps_holes() {
        let zone = ZoneGeometry::parse(
            r#"{"type":"Polygon","coordinates":[
                [[0,0],[5,0.000001],[10,0],[10,10],[0,10],[0,0]],
                [[4,4],[6,4],[6,6],[4,6],[4,4]]]}"#,
        )
        .unwrap();
        let outline = zone.outline(OUTLINE_TOLERANCE_DEG);
        assert_eq!(outline.len(), 1);
        assert_eq!(
            outline[0][0],
            vec![
                [0.0, 0.0],
                [10.0, 0.0],
                [10.0, 10.0],
                [0.0, 10.0],
                [0.0, 0.0]
            ]
        );
        assert_eq!(outline[0][1].len(), 5);
        // The wire outline covers what the full shape covers.
        let wire = ZoneGeometry::from_wire(&outline).unwrap();
        assert!(wire.covers(1.0, 1.0) && !wire.covers(5.0, 5.0));
    }

    #[test]
    fn other_geometries_are_refused() {
        assert!(ZoneGeometry::parse(r#"{"type":"Point","coordinates":[1,2]}"#).is_err());
        assert!(
            ZoneGeometry::parse(r#"{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}"#).is_err()
        );
        assert!(ZoneGeometry::from_wire(&Vec::new()).is_none());
    }

    #[test]
    fn a_point_is_placed_in_its_finest_zone_first() {
        let map = ZoneMap::new(vec![
            ("district".into(), None, Some(square(0.0, 0.0, 10.0))),
            (
                "quarter".into(),
                Some("district".into()),
                Some(square(0.0, 0.0, 5.0)),
            ),
            ("elsewhere".into(), None, Some(square(20.0, 0.0, 5.0))),
            ("unshaped".into(), None, None),
        ]);
        assert_eq!(map.locate(1.0, 1.0), vec!["quarter", "district"]);
        assert_eq!(map.locate(7.0, 7.0), vec!["district"]);
        assert_eq!(map.locate(21.0, 1.0), vec!["elsewhere"]);
        assert!(map.locate(50.0, 50.0).is_empty());
        assert!(ZoneMap::default().is_empty());
    }
}
