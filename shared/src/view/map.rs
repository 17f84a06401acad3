//! The map behind the draft's pin, without a tile server: the outlines of the town's zones the
//! catalogue carries, the pin and the GPS fix's accuracy circle, in a square frame the shell only
//! scales to its canvas. Points are given as fractions of the frame (x east, y south, 0 to 1); a
//! tap becomes a position in one linear step with the frame's bounds (`west + x × (east − west)`).
//!
//! Around a pin the frame is [`SPAN_AROUND_PIN_M`] wide and shows every zone level; before there
//! is a pin it frames the whole town and shows its two coarsest levels (arrondissements rather
//! than every quartier), which keeps the view model small at every render.

use relais_domain::zones::ZoneGeometry;
use relais_protocol::{Catalogue, GeoPoint};
use serde::Serialize;

use crate::model::zones::ancestors;

/// How wide the frame is around a pin, in metres.
pub const SPAN_AROUND_PIN_M: f64 = 800.0;

/// Metres per degree of latitude.
const METRES_PER_DEGREE: f64 = 111_320.0;

/// Points per frame width the outlines are simplified to (2 m around a pin).
const DETAIL: f64 = 400.0;

/// The frame, its outlines, the pin and its accuracy.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct MapView {
    /// The frame's bounds, in degrees: x = 0 is `west`, x = 1 `east`, y = 0 `north`, y = 1
    /// `south`. The frame is square on the ground.
    pub west: f64,
    pub east: f64,
    pub north: f64,
    pub south: f64,
    /// Zones crossing the frame, coarsest first (so finer borders are drawn over them).
    pub outlines: Vec<MapOutline>,
    pub pin: Option<MapPoint>,
    /// The GPS fix's accuracy radius, as a fraction of the frame's width.
    pub accuracy_radius: Option<f64>,
}

/// One zone's outline.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct MapOutline {
    pub code: String,
    pub name: String,
    /// 0 for a zone in no other (the commune), 1 for the zones within it, and so on.
    pub level: u32,
    /// Closed rings (exteriors and holes) of points in the frame.
    pub rings: Vec<Vec<MapPoint>>,
}

/// A point of the frame, as fractions of its width (x, east) and height (y, south).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, uniffi::Record)]
pub struct MapPoint {
    pub x: f64,
    pub y: f64,
}

/// A square frame on the ground, in degrees.
#[derive(Debug, Clone, Copy)]
struct Frame {
    west: f64,
    north: f64,
    width_deg_lon: f64,
    height_deg_lat: f64,
    width_m: f64,
}

impl Frame {
    fn around(lat: f64, lon: f64, span_m: f64) -> Self {
        let height_deg_lat = span_m / METRES_PER_DEGREE;
        let width_deg_lon = height_deg_lat / lat.to_radians().cos().max(0.01);
        Self {
            west: lon - width_deg_lon / 2.0,
            north: lat + height_deg_lat / 2.0,
            width_deg_lon,
            height_deg_lat,
            width_m: span_m,
        }
    }

    fn point(&self, lon: f64, lat: f64) -> MapPoint {
        MapPoint {
            x: (lon - self.west) / self.width_deg_lon,
            y: (self.north - lat) / self.height_deg_lat,
        }
    }

    /// Whether a box (west, south, east, north) crosses the frame.
    fn crosses(&self, [w, s, e, n]: [f64; 4]) -> bool {
        w <= self.west + self.width_deg_lon
            && e >= self.west
            && s <= self.north
            && n >= self.north - self.height_deg_lat
    }
}

impl MapView {
    /// The map around `pin` (with its accuracy), or of the whole town; `None` when the
    /// catalogue has no outlines.
    pub(crate) fn new(catalogue: &Catalogue, pin: Option<GeoPoint>) -> Option<Self> {
        let boxes: Vec<_> = catalogue
            .zones
            .iter()
            .filter_map(|z| Some((z, bounds(&z.polygons)?)))
            .collect();
        let frame = match pin {
            Some(p) => Frame::around(p.lat, p.lon, SPAN_AROUND_PIN_M),
            None => {
                let [w, s, e, n] = boxes.iter().map(|(_, b)| *b).reduce(union)?;
                let (lat, lon) = (f64::midpoint(s, n), f64::midpoint(w, e));
                let tall = (n - s) * METRES_PER_DEGREE;
                let wide = (e - w) * METRES_PER_DEGREE * lat.to_radians().cos();
                Frame::around(lat, lon, tall.max(wide) * 1.05)
            }
        };
        let level =
            |code: &str| u32::try_from(ancestors(catalogue, code).count()).unwrap_or(u32::MAX);
        let tolerance = frame.height_deg_lat / DETAIL;
        let mut outlines: Vec<MapOutline> = boxes
            .into_iter()
            .filter(|(_, b)| frame.crosses(*b))
            .map(|(zone, _)| (zone, level(&zone.code)))
            .filter(|(_, level)| pin.is_some() || *level <= 1)
            .filter_map(|(zone, level)| {
                let outline = ZoneGeometry::from_wire(&zone.polygons)?.outline(tolerance);
                Some(MapOutline {
                    code: zone.code.clone(),
                    name: zone.name.clone(),
                    level,
                    rings: outline
                        .iter()
                        .flatten()
                        .map(|ring| ring.iter().map(|[x, y]| frame.point(*x, *y)).collect())
                        .collect(),
                })
            })
            .collect();
        outlines.sort_by_key(|o| o.level);
        Some(Self {
            west: frame.west,
            east: frame.west + frame.width_deg_lon,
            north: frame.north,
            south: frame.north - frame.height_deg_lat,
            outlines,
            pin: pin.map(|p| frame.point(p.lon, p.lat)),
            accuracy_radius: pin.and_then(|p| p.accuracy_m).map(|a| a / frame.width_m),
        })
    }
}

/// The bounding box (west, south, east, north) of an outline; `None` when it has no point.
fn bounds(polygons: &[Vec<Vec<[f64; 2]>>]) -> Option<[f64; 4]> {
    polygons
        .iter()
        .flatten()
        .flatten()
        .map(|&[x, y]| [x, y, x, y])
        .reduce(union)
}

fn union(a: [f64; 4], b: [f64; 4]) -> [f64; 4] {
    [
        a[0].min(b[0]),
        a[1].min(b[1]),
        a[2].max(b[2]),
        a[3].max(b[3]),
    ]
}

#[cfg(test)]
mod tests {
    use relais_protocol::Zone;

    use super::*;

    /// A square zone of `side` degrees whose south-west corner is at (`lon`, `lat`).
    fn square(code: &str, parent: Option<&str>, lon: f64, lat: f64, side: f64) -> Zone {
        Zone {
            code: code.into(),
            name: code.to_uppercase(),
            kind: "test".into(),
            parent: parent.map(Into::into),
            polygons: vec![vec![vec![
                [lon, lat],
                [lon + side, lat],
                [lon + side, lat + side],
                [lon, lat + side],
                [lon, lat],
            ]]],
        }
    }

    fn town() -> Catalogue {
        let mut catalogue: Catalogue = serde_json::from_value(serde_json::json!({
            "tenant": "t", "name": "T", "version": 1, "groups": [], "categories": [], "zones": []
        }))
        .unwrap();
        catalogue.zones = vec![
            square("quartier", Some("arr"), 2.35, 48.85, 0.01),
            square("arr", Some("town"), 2.34, 48.84, 0.03),
            square("town", None, 2.30, 48.80, 0.10),
            square("far", Some("town"), 2.30, 48.80, 0.005),
        ];
        catalogue
    }

    #[test]
    fn around_a_pin_the_frame_is_centred_on_it_and_shows_the_zones_it_crosses() {
        let pin = GeoPoint {
            lat: 48.855,
            lon: 2.355,
            accuracy_m: Some(60.0),
        };
        let map = MapView::new(&town(), Some(pin)).unwrap();
        let at = map.pin.unwrap();
        assert!(
            (at.x - 0.5).abs() < 1e-9 && (at.y - 0.5).abs() < 1e-9,
            "{at:?}"
        );
        assert!((map.accuracy_radius.unwrap() - 60.0 / SPAN_AROUND_PIN_M).abs() < 1e-12);
        let codes: Vec<&str> = map.outlines.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(
            codes,
            ["town", "arr", "quartier"],
            "coarsest first, far left out"
        );
        // Square on the ground: the frame spans more degrees of longitude than of latitude.
        let ratio = (map.east - map.west) / (map.north - map.south);
        assert!((ratio - 1.0 / 48.855_f64.to_radians().cos()).abs() < 1e-9);
        // The quartier's south-west corner is where the frame's bounds say.
        let corner = map.outlines[2].rings[0][0];
        assert!((map.west + corner.x * (map.east - map.west) - 2.35).abs() < 1e-9);
        assert!((map.north - corner.y * (map.north - map.south) - 48.85).abs() < 1e-9);
    }

    #[test]
    fn without_a_pin_the_whole_town_shows_its_coarse_levels() {
        let map = MapView::new(&town(), None).unwrap();
        assert!(map.pin.is_none() && map.accuracy_radius.is_none());
        let codes: Vec<&str> = map.outlines.iter().map(|o| o.code.as_str()).collect();
        assert_eq!(codes, ["town", "arr", "far"]);
        let all = map.outlines.iter().flat_map(|o| o.rings.iter().flatten());
        assert!(
            all.clone()
                .all(|p| (0.0..=1.0).contains(&p.x) && (0.0..=1.0).contains(&p.y))
        );
    }

    #[test]
    fn a_town_without_outlines_has_no_map() {
        let mut catalogue = town();
        for zone in &mut catalogue.zones {
            zone.polygons.clear();
        }
        assert!(MapView::new(&catalogue, None).is_none());
    }
}
