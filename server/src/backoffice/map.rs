//! A map without a tile server: the town's own zone outlines (the simplified ones devices
//! receive) drawn as inline SVG, with the requests of a selection as dots that link to them.
//! Longitudes are scaled by the cosine of the middle latitude, which is close enough at a
//! town's size.

use maud::{Markup, html};

use super::lang::Lang;
use crate::town::Town;

/// A request on the map.
pub struct Dot {
    pub lat: f64,
    pub lon: f64,
    pub late: bool,
    pub label: String,
    pub href: String,
}

const WIDTH: f64 = 600.0;

/// The zones of `town` and `dots`, framed on the zones (and the dots outside them).
pub fn svg(town: &Town, dots: &[Dot], lang: Lang) -> Markup {
    let zones = &town.catalogue.zones;
    let points = zones
        .iter()
        .flat_map(|z| z.polygons.iter().flatten().flatten().map(|p| (p[0], p[1])))
        .chain(dots.iter().map(|d| (d.lon, d.lat)));
    let (mut west, mut south, mut east, mut north) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (lon, lat) in points {
        west = west.min(lon);
        east = east.max(lon);
        south = south.min(lat);
        north = north.max(lat);
    }
    if west > east {
        return html! {};
    }
    let scale_x = f64::midpoint(south, north).to_radians().cos();
    let span_x = ((east - west) * scale_x).max(1e-6);
    let span_y = (north - south).max(1e-6);
    let height = (WIDTH * span_y / span_x).clamp(150.0, 900.0);
    let k = (WIDTH / span_x).min(height / span_y);
    let x = |lon: f64| (lon - west) * scale_x * k;
    let y = |lat: f64| (north - lat) * k;
    let path = |rings: &Vec<Vec<[f64; 2]>>| {
        let mut d = String::new();
        for ring in rings {
            for (i, p) in ring.iter().enumerate() {
                let command = if i == 0 { 'M' } else { 'L' };
                d.push_str(&format!("{command}{:.0} {:.0} ", x(p[0]), y(p[1])));
            }
            d.push('Z');
        }
        d
    };
    html! {
        svg.map viewBox={ "-4 -4 " (WIDTH + 8.0) " " (height + 8.0) } role="img"
            aria-label=(lang.choose("Carte des zones de la ville et des demandes", "Map of the town's zones and requests")) {
            @for zone in zones {
                @for polygon in &zone.polygons {
                    path.zone d=(path(polygon)) { title { (zone.name) } }
                }
            }
            @for dot in dots {
                a href=(dot.href) {
                    circle.report.late[dot.late] cx=(format!("{:.1}", x(dot.lon))) cy=(format!("{:.1}", y(dot.lat))) r="6" {
                        title { (dot.label) }
                    }
                }
            }
        }
    }
}
