//! A zone's shape: a GeoJSON Polygon or MultiPolygon (lon/lat) turned into a `geo` multipolygon
//! with its bounding box, for point-in-zone tests, and simplified into the outline that the
//! catalogue sends to devices.

use geo::{
    BoundingRect, Coord, Intersects, LineString, MultiPolygon, Point, Polygon, Rect, Simplify,
};
use serde::Deserialize;

/// GeoJSON positions may carry an altitude: only the first two numbers are used.
type Ring = Vec<Vec<f64>>;

/// A zone outline on the wire: GeoJSON MultiPolygon coordinates (`[lon, lat]`).
pub type WirePolygons = Vec<Vec<Vec<[f64; 2]>>>;

/// Tolerance of the outline simplification, in degrees: 1e-5° is 1.1 m of latitude and 0.7 m
/// of longitude in Paris, finer than a phone's location fix.
pub const OUTLINE_TOLERANCE_DEG: f64 = 1e-5;

#[derive(Deserialize)]
#[serde(tag = "type")]
enum GeoJsonGeometry {
    Polygon { coordinates: Vec<Ring> },
    MultiPolygon { coordinates: Vec<Vec<Ring>> },
}

#[derive(Debug, Clone)]
pub struct ZoneGeometry {
    shape: MultiPolygon<f64>,
    bbox: Rect<f64>,
}

impl ZoneGeometry {
    /// Parses GeoJSON geometry text; the error says what is wrong with it.
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
        let shape = MultiPolygon::new(polygons);
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

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE_WITH_HOLE: &str = r#"{"type":"Polygon","coordinates":[
        [[0,0],[10,0],[10,10],[0,10],[0,0]],
        [[4,4],[6,4],[6,6],[4,6],[4,4]]]}"#;

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
    }

    #[test]
    fn other_geometries_are_refused() {
        assert!(ZoneGeometry::parse(r#"{"type":"Point","coordinates":[1,2]}"#).is_err());
        assert!(
            ZoneGeometry::parse(r#"{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}"#).is_err()
        );
    }
}
