//! Geometry at street scale: the distance between two points, and the grid of cells that the
//! server indexes open reports by, so that finding the reports near a point reads a handful of
//! cells instead of every report of a category.

/// Mean Earth radius (IUGG), in metres.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// Metres per degree of latitude (and of longitude at the equator).
pub const METRES_PER_DEGREE: f64 = 111_320.0;

/// Side of a grid cell, in degrees: about 560 m of latitude and 370 m of longitude in Paris, so
/// that a duplicate radius of 250 m covers 2 to 6 cells.
pub const CELL_DEG: f64 = 0.005;

/// Great-circle distance (haversine) between two points given as latitude and longitude in
/// degrees, in metres. Ample precision at street scale.
pub fn distance_m(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (phi1, phi2) = (lat1.to_radians(), lat2.to_radians());
    let d_phi = phi2 - phi1;
    let d_lambda = (lon2 - lon1).to_radians();
    let h = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
}

/// The grid cell holding a point, as one integer key (row-major, rows of latitude).
pub fn cell(lat: f64, lon: f64) -> i64 {
    let (row, col) = row_col(lat, lon);
    key(row, col)
}

/// The largest radius [`cells_within`] covers: the lookup is at street scale, and a radius of
/// thousands of kilometres (a mistyped setting) would list millions of cells.
pub const MAX_LOOKUP_RADIUS_M: f64 = 10_000.0;

/// Every cell that may hold a point within `radius_m` (at most [`MAX_LOOKUP_RADIUS_M`]) of (`lat`, `lon`): the cells of the
/// bounding box of the circle, with a 5% margin. A pole or an antimeridian is not handled (no town
/// sits there).
pub fn cells_within(lat: f64, lon: f64, radius_m: f64) -> Vec<i64> {
    let around = Around::new(lat, lon, radius_m.min(MAX_LOOKUP_RADIUS_M));
    let (row_min, col_min) = row_col(around.lat_min, around.lon_min);
    let (row_max, col_max) = row_col(around.lat_max, around.lon_max);
    (row_min..=row_max)
        .flat_map(|row| (col_min..=col_max).map(move |col| key(row, col)))
        .collect()
}

/// The box of latitudes and longitudes holding every point within a radius of a point, with a 5%
/// margin: a test of four comparisons that rules out most candidates before [`distance_m`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Around {
    lat_min: f64,
    lat_max: f64,
    lon_min: f64,
    lon_max: f64,
}

impl Around {
    pub fn new(lat: f64, lon: f64, radius_m: f64) -> Self {
        let dlat = 1.05 * radius_m / METRES_PER_DEGREE;
        let dlon = 1.05 * radius_m / (METRES_PER_DEGREE * lat.to_radians().cos().max(0.01));
        Self {
            lat_min: lat - dlat,
            lat_max: lat + dlat,
            lon_min: lon - dlon,
            lon_max: lon + dlon,
        }
    }

    /// Whether the point may be within the radius (it is not when this says no).
    pub fn holds(&self, lat: f64, lon: f64) -> bool {
        (self.lat_min..=self.lat_max).contains(&lat) && (self.lon_min..=self.lon_max).contains(&lon)
    }
}

fn row_col(lat: f64, lon: f64) -> (i64, i64) {
    // Truncation is intended: a cell is the floor of the coordinate over the cell size, and
    // valid coordinates stay far from i64's range.
    // Out-of-range coordinates (a hostile server's, a broken GPS's) are clamped onto the
    // globe, so the key never overflows; NaN lands in cell 0.
    #[allow(clippy::cast_possible_truncation)]
    let floor = |degrees: f64, limit: f64| (degrees.clamp(-limit, limit) / CELL_DEG).floor() as i64;
    (floor(lat, 90.0), floor(lon, 180.0))
}

/// Rows span ±18,000 and columns ±36,000: a column fits in 100,000 once offset.
const fn key(row: i64, col: i64) -> i64 {
    row * 100_000 + (col + 50_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_points_and_radii_stay_bounded() {
        // Found by the fuzz targets: these overflowed the cell key.
        for (lat, lon) in [
            (0.0, f64::INFINITY),
            (f64::NAN, 2.0),
            (1e308, -1e308),
            (f64::NEG_INFINITY, f64::NAN),
        ] {
            let _ = cell(lat, lon);
            // A few rows of at most a hundred columns (longitude degrees widen near the poles).
            let cells = cells_within(lat, lon, 250.0).len();
            assert!(cells < 1_000, "{lat}, {lon}: {cells}");
        }
        let huge = cells_within(48.85, 2.35, 1e300);
        assert!(huge.len() < 20_000, "{}", huge.len());
    }

    #[test]
    fn haversine_matches_known_distances() {
        // One degree of latitude is about 111.2 km.
        let d = distance_m(48.0, 2.0, 49.0, 2.0);
        assert!((d - 111_195.0).abs() < 50.0, "{d}");
        // Hôtel de Ville to Notre-Dame: about 460 m.
        let d = distance_m(48.8566, 2.3522, 48.8530, 2.3499);
        assert!((420.0..500.0).contains(&d), "{d}");
        assert!(distance_m(48.85, 2.35, 48.85, 2.35).abs() < 1e-6);
    }

    #[test]
    fn the_cells_and_the_box_within_a_radius_hold_every_point_of_the_circle() {
        let (lat, lon) = (48.8566, 2.3522);
        for radius in [10.0, 100.0, 250.0, 1000.0] {
            let cells = cells_within(lat, lon, radius);
            let around = Around::new(lat, lon, radius);
            assert!(!around.holds(lat + 1.2 * radius / METRES_PER_DEGREE, lon));
            for step in 0..360 {
                let angle = f64::from(step).to_radians();
                let p_lat = lat + radius * angle.sin() / METRES_PER_DEGREE;
                let p_lon =
                    lon + radius * angle.cos() / (METRES_PER_DEGREE * lat.to_radians().cos());
                assert!(distance_m(lat, lon, p_lat, p_lon) <= radius * 1.01);
                assert!(cells.contains(&cell(p_lat, p_lon)), "{radius} m, {step}°");
                assert!(around.holds(p_lat, p_lon), "{radius} m, {step}°");
            }
        }
        assert!(cells_within(lat, lon, 250.0).len() <= 6);
    }

    #[test]
    fn neighbouring_cells_have_distinct_keys() {
        let here = cell(48.8566, 2.3522);
        assert_ne!(here, cell(48.8566 + CELL_DEG, 2.3522));
        assert_ne!(here, cell(48.8566, 2.3522 + CELL_DEG));
        assert_ne!(cell(-33.9, -70.6), cell(33.9, 70.6));
    }
}
