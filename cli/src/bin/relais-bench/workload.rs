//! What the benchmarks file, in one place so that both systems (Relais and PouchDB) get the
//! same content: report `i` of the `--reports` series of one phone ([`point`], [`text`],
//! [`photo`]): one category, points spread over central Paris, a numbered text, and with
//! `--photos` a small unique JPEG.

use anyhow::Context;
use image::{RgbImage, codecs::jpeg::JpegEncoder};

/// A category of the demo town with no required question: "abandoned bulky items", the classic
/// duplicate (one mattress, many reports).
pub const CATEGORY: &str = "autres_encombrants_abandonnes";

/// Horizontal accuracy of every benchmark report, in metres.
pub const ACCURACY_M: f64 = 10.0;

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
}
