//! The photo pipeline: what happens to a picture between the moment someone picks it and the
//! moment it is stored for upload or kept by the town. Pure functions over bytes; the caller does
//! the file I/O and runs them off its UI or async threads (a 12 MP photo takes a moment).
//!
//! It is a crate of its own because two sides run it: the phone's core (`shared`, as
//! `shared::photo`) on every photo a citizen or an agent attaches, and the server
//! (`relais-server`) on the photos a staff member uploads from the back office, which come
//! straight from a camera or a computer. Neither links the other, and one pipeline means a photo
//! comes out the same (bounds, orientation, no metadata) whichever way it came in.
//!
//! [`process`] does what FixMyStreet does with photos, in this order:
//! 1. refuses more than [`Limits::max_input_bytes`] before decoding anything;
//! 2. recognises JPEG, PNG or WebP from the bytes (never from a file name) and refuses anything
//!    else with [`PhotoError::UnsupportedFormat`];
//! 3. reads the dimensions from the header and refuses more than [`Limits::max_pixels`] before the
//!    pixels are allocated (a 50 KB PNG can declare 10 billion pixels);
//! 4. decodes, shrinks so the long edge is at most [`Limits::max_edge`] (never enlarges), and
//!    turns the photo upright according to its EXIF orientation;
//! 5. re-encodes it as a baseline JPEG with no metadata at all: no EXIF (so no GPS, no camera
//!    serial number), no XMP, no ICC profile;
//! 6. names the result by the SHA-256 of its bytes, so the same photo is stored and uploaded once.
//!
//! The GPS position in the original's EXIF is read before it is stripped and returned beside the
//! photo ([`ProcessedPhoto::gps`], also [`exif_location`]) to be *offered* as the report's
//! location; it never travels inside the photo.
//!
//! **HEIC contract:** the core does not decode HEIC/HEIF (patent-encumbered, no pure-Rust
//! decoder). iOS and Android shells must hand the core a JPEG: ask the photo picker for a
//! compatible representation (iOS `PHPickerConfiguration.preferredAssetRepresentationMode =
//! .compatible`, Android `ImageDecoder` → JPEG), which keeps the EXIF GPS and orientation. Raw
//! HEIC bytes are refused with [`PhotoError::UnsupportedFormat`].

mod decode;
mod encode;
mod error;
mod gps;
mod resize;

use image::DynamicImage;
use relais_protocol::GeoPoint;
use sha2::{Digest, Sha256};

pub use error::PhotoError;
pub use gps::exif_location;

/// A photo ready to store and upload.
#[derive(Clone, PartialEq)]
pub struct ProcessedPhoto {
    /// The baseline JPEG, upright, without any metadata.
    pub jpeg: Vec<u8>,
    /// Lowercase hex SHA-256 of [`Self::jpeg`]: the photo's name in the store and on the server.
    pub sha256: String,
    pub width: u32,
    pub height: u32,
    /// Where the original's EXIF says it was taken, read before stripping; to offer, not impose.
    pub gps: Option<GeoPoint>,
}

impl std::fmt::Debug for ProcessedPhoto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProcessedPhoto")
            .field("jpeg", &format_args!("{} bytes", self.jpeg.len()))
            .field("sha256", &self.sha256)
            .field("width", &self.width)
            .field("height", &self.height)
            .field("gps", &self.gps)
            .finish()
    }
}

/// What [`process`] accepts and produces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Larger files are refused before decoding. Default 30 MiB.
    pub max_input_bytes: usize,
    /// Images with more pixels (width × height, from the header) are refused before decoding.
    /// Default 50 MP.
    pub max_pixels: u64,
    /// The long edge of the output, in pixels. Default 2048, as FixMyStreet.
    pub max_edge: u32,
    /// JPEG quality, 1 to 100. Default 85.
    pub jpeg_quality: u8,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_input_bytes: 30 * 1024 * 1024,
            max_pixels: 50_000_000,
            max_edge: relais_protocol::upload::MAX_PHOTO_EDGE,
            jpeg_quality: 85,
        }
    }
}

/// Checks, shrinks, turns upright, strips and names a photo; see the [module docs](self).
pub fn process(input: &[u8], limits: &Limits) -> Result<ProcessedPhoto, PhotoError> {
    if input.is_empty() {
        return Err(PhotoError::Empty);
    }
    if input.len() > limits.max_input_bytes {
        return Err(PhotoError::TooManyBytes {
            max: limits.max_input_bytes,
        });
    }
    let decoded = decode::decode(input, limits)?;
    let gps = exif_location(input);

    // Shrinking before rotating gives the same pixels and rotates a quarter as many.
    let (width, height) = fit(decoded.pixels.dimensions(), limits.max_edge);
    let pixels = if (width, height) == decoded.pixels.dimensions() {
        decoded.pixels
    } else {
        resize::resize(&decoded.pixels, width, height)?
    };
    let mut upright = DynamicImage::ImageRgb8(pixels);
    upright.apply_orientation(decoded.orientation);
    let upright = upright.into_rgb8();

    let jpeg = encode::encode(&upright, limits.jpeg_quality)?;
    let sha256 = hex::encode(Sha256::digest(&jpeg));
    Ok(ProcessedPhoto {
        jpeg,
        sha256,
        width: upright.width(),
        height: upright.height(),
        gps,
    })
}

/// The size with the long edge at most `max_edge`, keeping the aspect ratio, never larger than
/// the original and never zero.
fn fit((width, height): (u32, u32), max_edge: u32) -> (u32, u32) {
    let long = width.max(height);
    let max_edge = max_edge.max(1);
    if long <= max_edge {
        return (width, height);
    }
    let scale = |side: u32| {
        let scaled =
            (u64::from(side) * u64::from(max_edge) + u64::from(long) / 2) / u64::from(long);
        u32::try_from(scaled).unwrap_or(max_edge).clamp(1, max_edge)
    };
    (scale(width), scale(height))
}

#[cfg(test)]
mod tests;
