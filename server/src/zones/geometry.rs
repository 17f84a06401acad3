//! A zone's shape: a GeoJSON Polygon or MultiPolygon (lon/lat) turned into a `geo` multipolygon
//! with its bounding box, for point-in-zone tests.

use geo::{BoundingRect, Coord, Intersects, LineString, MultiPolygon, Point, Polygon, Rect};
use serde::Deserialize;

/// GeoJSON positions may carry an altitude: only the first two numbers are used.
type Ring = Vec<Vec<f64>>;

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
    fn other_geometries_are_refused() {
        assert!(ZoneGeometry::parse(r#"{"type":"Point","coordinates":[1,2]}"#).is_err());
        assert!(
            ZoneGeometry::parse(r#"{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}"#).is_err()
        );
    }
}
