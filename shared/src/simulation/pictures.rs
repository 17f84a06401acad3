//! The pictures simulated citizens attach to their reports and agents take on site: real image
//! files, made once per test process, that go through the core's real photo pipeline (decoded,
//! stripped, re-encoded, named by their SHA-256) and the real upload to the server's real photo
//! store. The small JPEGs travel whole, several in one bundle; the noisy picture compresses
//! badly, so its JPEG goes alone and spans several chunks of [`MAX_CHUNK_BYTES`](relais_protocol::upload::MAX_CHUNK_BYTES), and a
//! fault can cut its upload between two of them. Two devices attaching the same picture send the
//! same photo: the server must store it once.

use std::path::PathBuf;
use std::sync::OnceLock;

use rand::{Rng, SeedableRng, rngs::StdRng};

/// How many small JPEGs there are to choose from (the noisy picture comes after them).
const SMALL: usize = 3;

/// The pictures' paths: [`SMALL`] small JPEGs, then the noisy picture.
pub fn all() -> &'static [String] {
    static PICTURES: OnceLock<Vec<String>> = OnceLock::new();
    PICTURES.get_or_init(|| {
        let dir = super::server::process_folder("pictures");
        let mut paths: Vec<PathBuf> = (0..SMALL)
            .map(|n| {
                let path = dir.join(format!("small-{n}.jpg"));
                let shade = 60 * n as u8;
                image::RgbImage::from_fn(320, 240, |x, y| {
                    image::Rgb([(x % 256) as u8, (y % 256) as u8, shade])
                })
                .save(&path)
                .unwrap();
                path
            })
            .collect();
        let mut rng = StdRng::seed_from_u64(0);
        let noisy = dir.join("noisy.png");
        image::RgbImage::from_fn(1200, 900, |_, _| {
            image::Rgb([rng.random(), rng.random(), rng.random()])
        })
        .save(&noisy)
        .unwrap();
        paths.push(noisy);
        paths
            .into_iter()
            .map(|p| p.to_string_lossy().into_owned())
            .collect()
    })
}

/// The pictures of one filing or resolution, chosen by `rng`: most carry none, some a small
/// JPEG, a few the noisy picture.
pub fn pick(rng: &mut StdRng) -> Vec<String> {
    let all = all();
    match rng.random_range(0..8) {
        0 => vec![all[SMALL].clone()],
        1..=2 => vec![all[rng.random_range(0..SMALL)].clone()],
        _ => Vec::new(),
    }
}
