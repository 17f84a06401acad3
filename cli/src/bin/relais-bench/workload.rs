//! What the benchmarks file, in one place so that every mode and both systems (Relais and
//! PouchDB) send the same content:
//!
//! - [`point`], [`text`], [`photo`]: report `i` of the `--reports` series of one phone: one
//!   category, points spread over central Paris, a numbered text, and with `--photos` a small
//!   unique JPEG;
//! - [`Filings`]: the seeded random `create_report` mutations of the load generator and the
//!   stored-reports curve: a category of the demo town that asks no required question, a point
//!   inside Paris, around the device's home, or near one hot spot.

use std::sync::Arc;

use anyhow::{Context, bail};
use image::{RgbImage, codecs::jpeg::JpegEncoder};
use rand::{Rng, SeedableRng, rngs::StdRng};
use relais_protocol::{Catalogue, GeoPoint, Mutation, MutationOp, PushRequest};
use uuid::Uuid;

/// A category of the demo town with no required question: "abandoned bulky items", the classic
/// duplicate (one mattress, many reports).
pub const CATEGORY: &str = "autres_encombrants_abandonnes";

/// Horizontal accuracy of every benchmark report, in metres.
pub const ACCURACY_M: f64 = 10.0;

/// A box of central Paris (about 4.4 km × 7.3 km) checked to lie wholly inside the demo town's
/// arrondissements (`server/seed/demo/zones.geojson`), so no point is `outside_zones`.
const PARIS_LAT: (f64, f64) = (48.84, 48.88);
const PARIS_LON: (f64, f64) = (2.30, 2.40);

/// The hot spot of `--hot-spot`: the parvis of the Hôtel de Ville.
const HOT_SPOT: (f64, f64) = (48.8566, 2.3522);
/// Hot-spot reports lie within this many metres of [`HOT_SPOT`] (on each axis).
pub const HOT_SPOT_JITTER_M: f64 = 3.0;
const METRES_PER_DEGREE: f64 = 111_320.0;
/// With [`Filings::near_home`], reports lie within this many metres of the device's home (on
/// each axis): a citizen reports where they live and work, so a phone follows the one to four
/// quartiers there (about 1 km across in central Paris), not the whole town.
pub const HOME_RADIUS_M: f64 = 400.0;

/// Report `i` of the `--reports` series: points spread over central Paris, 1,000 along a 2 km
/// meridian, in 10 columns.
pub fn point(i: u32) -> (f64, f64) {
    let step = f64::from(i % 1000) / 1000.0;
    (
        48.845 + 0.02 * step,
        2.33 + 0.03 * f64::from((i / 1000) % 10) / 10.0,
    )
}

/// Report `i` of the `--reports` series: its text.
pub fn text(i: u32) -> String {
    format!("Benchmark report {i}: a mattress left on the pavement")
}

/// A small JPEG (160×120, about 2.5 KB) unique to `i`: a gradient tinted by `i` with the 32
/// bits of `i` drawn as black and white blocks, so no two photos share a SHA-256 even after the
/// device re-encodes them.
pub fn photo(i: u32) -> anyhow::Result<Vec<u8>> {
    const W: u32 = 160;
    const H: u32 = 120;
    let tint = (i.wrapping_mul(2_654_435_761) >> 24) as u8;
    let image = RgbImage::from_fn(W, H, |x, y| {
        // An 8 × 4 grid of bits in the top 40 rows, 20 × 10 px each.
        if y < 40 {
            let bit = (y / 10) * 8 + x / 20;
            let on = (i >> bit) & 1 == 1;
            let v = if on { 255 } else { 0 };
            return image::Rgb([v, v, v]);
        }
        image::Rgb([
            (x * 255 / W) as u8,
            (y * 255 / H) as u8,
            tint.wrapping_add((x + y) as u8),
        ])
    });
    let mut jpeg = Vec::new();
    JpegEncoder::new_with_quality(&mut jpeg, 80)
        .encode_image(&image)
        .context("encoding a benchmark photo")?;
    Ok(jpeg)
}

/// The categories of the catalogue that ask no required question: a `create_report` needs no
/// answers to be applied.
pub fn plain_categories(catalogue: &Catalogue) -> anyhow::Result<Arc<[String]>> {
    let codes: Vec<String> = catalogue
        .categories
        .iter()
        .filter(|c| !c.questions.iter().any(|q| q.required))
        .map(|c| c.code.clone())
        .collect();
    if !codes.iter().any(|c| c == CATEGORY) {
        bail!("the server's catalogue has no category {CATEGORY} without required questions");
    }
    Ok(codes.into())
}

/// Seeded random `create_report` mutations for one simulated device.
pub struct Filings {
    rng: StdRng,
    categories: Arc<[String]>,
    /// The share of reports filed at the hot spot, in [`CATEGORY`] (0 for none).
    hot_share: f64,
    /// Which device this is, for the text.
    device: u64,
    filed: u64,
    /// With [`Filings::near_home`]: the device's home; its reports lie within [`HOME_RADIUS_M`].
    home: Option<(f64, f64)>,
}

impl Filings {
    /// The filings of device number `device` of a run seeded with `seed`: the same for the same
    /// pair, different for another device.
    pub fn new(seed: u64, device: u64, categories: Arc<[String]>, hot_share: f64) -> Self {
        Self {
            rng: StdRng::seed_from_u64(seed ^ device.wrapping_mul(0x9E37_79B9_7F4A_7C15)),
            categories,
            hot_share,
            device,
            filed: 0,
            home: None,
        }
    }

    /// The same device filing within [`HOME_RADIUS_M`] of a home drawn for it in central Paris
    /// (the load generator's phones), instead of anywhere in it.
    pub fn near_home(mut self) -> Self {
        self.home = Some(in_paris(&mut self.rng));
        self
    }

    /// The next report, as the mutation numbered `seq`.
    pub fn mutation(&mut self, seq: u64) -> Mutation {
        self.filed += 1;
        let hot = self.hot_share > 0.0 && self.rng.random_bool(self.hot_share);
        let (category, lat, lon) = if hot {
            let (lat, lon) = around(&mut self.rng, HOT_SPOT, HOT_SPOT_JITTER_M);
            (CATEGORY.to_owned(), lat, lon)
        } else {
            let category = self.categories[self.rng.random_range(0..self.categories.len())].clone();
            let (lat, lon) = match self.home {
                Some(home) => {
                    let (lat, lon) = around(&mut self.rng, home, HOME_RADIUS_M);
                    (
                        lat.clamp(PARIS_LAT.0, PARIS_LAT.1),
                        lon.clamp(PARIS_LON.0, PARIS_LON.1),
                    )
                }
                None => in_paris(&mut self.rng),
            };
            (category, lat, lon)
        };
        Mutation {
            seq,
            mutation_id: self.uuid_v7(),
            op: MutationOp::CreateReport {
                report_id: self.uuid_v7(),
                category,
                location: GeoPoint {
                    lat,
                    lon,
                    accuracy_m: Some(ACCURACY_M),
                },
                text: format!(
                    "Load report {} of device {}: a mattress left on the pavement",
                    self.filed, self.device
                ),
                created_at_ms: now_ms(),
                photos: Vec::new(),
                answers: Default::default(),
            },
        }
    }

    /// `len` reports numbered from `first_seq`, as one push.
    pub fn batch(&mut self, first_seq: u64, len: usize) -> PushRequest {
        PushRequest {
            mutations: (first_seq..)
                .take(len)
                .map(|seq| self.mutation(seq))
                .collect(),
        }
    }

    /// A UUIDv7 of the current millisecond whose random bits come from the seeded generator.
    fn uuid_v7(&mut self) -> Uuid {
        let random: [u8; 10] = self.rng.random();
        let millis = u64::try_from(now_ms()).unwrap_or_default();
        uuid::Builder::from_unix_timestamp_millis(millis, &random).into_uuid()
    }
}

/// A point drawn anywhere in the box of central Paris.
fn in_paris(rng: &mut StdRng) -> (f64, f64) {
    let lat = rng.random_range(PARIS_LAT.0..PARIS_LAT.1);
    (lat, rng.random_range(PARIS_LON.0..PARIS_LON.1))
}

/// A point drawn within `metres` of `centre` (latitude, longitude) on each axis.
fn around(rng: &mut StdRng, centre: (f64, f64), metres: f64) -> (f64, f64) {
    let mut offset = || (rng.random::<f64>() * 2.0 - 1.0) * metres;
    let (north, east) = (offset(), offset());
    (
        centre.0 + north / METRES_PER_DEGREE,
        centre.1 + east / (METRES_PER_DEGREE * centre.0.to_radians().cos()),
    )
}

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn photos_are_small_unique_jpegs() {
        let a = photo(1).unwrap();
        let b = photo(2).unwrap();
        assert_eq!(&a[..3], &[0xFF, 0xD8, 0xFF]);
        assert!(a.len() < 16 * 1024, "{} bytes", a.len());
        assert_ne!(a, b);
        assert_eq!(a, photo(1).unwrap());
    }

    fn place(mutation: &Mutation) -> (String, GeoPoint) {
        match &mutation.op {
            MutationOp::CreateReport {
                category, location, ..
            } => (category.clone(), *location),
            other => panic!("not a report: {other:?}"),
        }
    }

    #[test]
    fn filings_are_seeded_and_inside_paris() {
        let categories: Arc<[String]> = vec![CATEGORY.to_owned(), "other".to_owned()].into();
        let (mut one, mut two) = (
            Filings::new(7, 3, Arc::clone(&categories), 0.0),
            Filings::new(7, 3, Arc::clone(&categories), 0.0),
        );
        let mut other = Filings::new(7, 4, Arc::clone(&categories), 0.0);
        for seq in 1..100 {
            let (a, b) = (one.mutation(seq), two.mutation(seq));
            assert_eq!(place(&a), place(&b));
            assert_ne!(place(&a), place(&other.mutation(seq)));
            let (_, at) = place(&a);
            assert!((PARIS_LAT.0..PARIS_LAT.1).contains(&at.lat));
            assert!((PARIS_LON.0..PARIS_LON.1).contains(&at.lon));
            // The same random bits after the timestamp.
            assert_eq!(a.mutation_id.as_bytes()[6..], b.mutation_id.as_bytes()[6..]);
        }
    }

    #[test]
    fn phones_file_around_a_home_of_their_own() {
        let categories: Arc<[String]> = vec![CATEGORY.to_owned()].into();
        let homes: Vec<Vec<GeoPoint>> = (0..3)
            .map(|device| {
                let mut filings = Filings::new(7, device, Arc::clone(&categories), 0.0).near_home();
                (1..50).map(|seq| place(&filings.mutation(seq)).1).collect()
            })
            .collect();
        for places in &homes {
            let first = places[0];
            for at in places {
                // Two points within HOME_RADIUS_M of one home on each axis.
                let north = (at.lat - first.lat).abs() * METRES_PER_DEGREE;
                let east =
                    (at.lon - first.lon).abs() * METRES_PER_DEGREE * first.lat.to_radians().cos();
                assert!(north <= 2.0 * HOME_RADIUS_M + 1.0, "{north} m north");
                assert!(east <= 2.0 * HOME_RADIUS_M + 1.0, "{east} m east");
                assert!((PARIS_LAT.0..=PARIS_LAT.1).contains(&at.lat));
                assert!((PARIS_LON.0..=PARIS_LON.1).contains(&at.lon));
            }
        }
        // Each phone has a home of its own.
        assert_ne!(homes[0][0], homes[1][0]);
        assert_ne!(homes[1][0], homes[2][0]);
    }

    #[test]
    fn hot_spot_filings_are_within_metres_of_it() {
        let categories: Arc<[String]> = vec!["other".to_owned()].into();
        let mut filings = Filings::new(1, 1, categories, 1.0);
        for seq in 1..100 {
            let (category, at) = place(&filings.mutation(seq));
            assert_eq!(category, CATEGORY);
            let metres = (at.lat - HOT_SPOT.0).abs() * METRES_PER_DEGREE;
            assert!(metres <= HOT_SPOT_JITTER_M, "{metres} m");
        }
    }
}
