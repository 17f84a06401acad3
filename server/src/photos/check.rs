//! What the server keeps as a photo: a whole baseline JPEG, at most
//! [`MAX_PHOTO_EDGE`](relais_protocol::upload::MAX_PHOTO_EDGE) pixels on its long edge, that
//! decodes, and that carries nothing but its pixels: no metadata segment (EXIF with a position,
//! XMP, a comment) and no bytes after its end. That is what every device's photo pipeline sends;
//! anything else (an original straight from a camera, a script behind JPEG magic bytes) would be
//! served to the whole town, so it is refused.

use std::io::Cursor;

use image::{ImageFormat, ImageReader};
use relais_domain::jpeg::{self, PhotoProblem};
use relais_protocol::{Reason, upload::MAX_PHOTO_EDGE};

/// Why an uploaded photo is refused, in words for the uploader.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhotoRefusal {
    #[error("the photo is not a whole JPEG: {0}")]
    NotJpeg(String),
    #[error(
        "the photo carries a metadata segment (0xFF{0:02X}): send it through the photo pipeline"
    )]
    Metadata(u8),
    #[error("the photo is not a baseline JPEG (frame 0xFF{0:02X})")]
    NotBaseline(u8),
    #[error("the photo carries {0} bytes after its end")]
    Trailing(usize),
    #[error("the photo is {width}×{height} pixels, more than {MAX_PHOTO_EDGE} on a side")]
    TooLarge { width: u32, height: u32 },
    #[error("the photo does not decode: {0}")]
    Undecodable(String),
}

impl PhotoRefusal {
    /// The refusal in French and English, for the device to show.
    pub fn reason(&self) -> Reason {
        let (fr, en) = match self {
            Self::NotJpeg(_) | Self::NotBaseline(_) | Self::Undecodable(_) => (
                "Cette photo n'est pas une image JPEG lisible.".to_owned(),
                "This photo is not a readable JPEG image.".to_owned(),
            ),
            Self::Metadata(_) | Self::Trailing(_) => (
                "Cette photo contient des métadonnées (position, appareil…) : elle doit être préparée par l'application."
                    .to_owned(),
                "This photo carries metadata (position, camera...): it must be prepared by the app."
                    .to_owned(),
            ),
            Self::TooLarge { .. } => (
                format!("Cette photo dépasse {MAX_PHOTO_EDGE} pixels de côté."),
                format!("This photo is larger than {MAX_PHOTO_EDGE} pixels on a side."),
            ),
        };
        Reason::new("invalid_photo", fr, en)
    }
}

/// Checks a finished upload's bytes; `Ok` means the photo may be kept and served.
///
/// # Errors
/// The first problem found: structure and metadata first (no pixels decoded for those), then
/// the dimensions from the header, then a full decode.
pub fn check(bytes: &[u8]) -> Result<(), PhotoRefusal> {
    jpeg::check_stripped(bytes).map_err(|problem| match problem {
        PhotoProblem::Broken(why) => PhotoRefusal::NotJpeg(why),
        PhotoProblem::Metadata(code) => PhotoRefusal::Metadata(code),
        PhotoProblem::NotBaseline(code) => PhotoRefusal::NotBaseline(code),
        PhotoProblem::Trailing(bytes) => PhotoRefusal::Trailing(bytes),
    })?;
    let reader = || ImageReader::with_format(Cursor::new(bytes), ImageFormat::Jpeg);
    let (width, height) = reader()
        .into_dimensions()
        .map_err(|e| PhotoRefusal::Undecodable(e.to_string()))?;
    if width.max(height) > MAX_PHOTO_EDGE {
        return Err(PhotoRefusal::TooLarge { width, height });
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_PHOTO_EDGE);
    limits.max_image_height = Some(MAX_PHOTO_EDGE);
    let mut decoder = reader();
    decoder.limits(limits);
    decoder
        .decode()
        .map(drop)
        .map_err(|e| PhotoRefusal::Undecodable(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn photo(name: &str) -> Vec<u8> {
        std::fs::read(format!(
            "{}/../../shared/data/photos/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    }

    /// A stripped JPEG as a device sends one.
    fn stripped(width: u32, height: u32) -> Vec<u8> {
        let image = image::RgbImage::from_fn(width, height, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
        });
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85)
            .encode_image(&image)
            .unwrap();
        out
    }

    #[test]
    fn a_stripped_photo_is_kept() {
        assert_eq!(check(&stripped(640, 480)), Ok(()));
    }

    #[test]
    fn camera_originals_with_exif_are_refused() {
        for name in [
            "gps_nikon_d3100_genoa_small.jpg",
            "gps_iphone6_madrid_3264x2448.jpg",
        ] {
            assert_eq!(
                check(&photo(name)),
                Err(PhotoRefusal::Metadata(0xE1)),
                "{name}"
            );
        }
    }

    #[test]
    fn scripts_behind_jpeg_magic_and_appended_bytes_are_refused() {
        assert!(matches!(
            check(b"\xFF\xD8\xFF<?php system($_GET['c']); ?>"),
            Err(PhotoRefusal::NotJpeg(_))
        ));
        let mut appended = stripped(64, 64);
        appended.extend(b"<?php echo 1; ?>");
        assert_eq!(check(&appended), Err(PhotoRefusal::Trailing(16)));
    }

    #[test]
    fn photos_larger_than_the_pipeline_makes_are_refused() {
        assert_eq!(
            check(&stripped(MAX_PHOTO_EDGE + 1, 8)),
            Err(PhotoRefusal::TooLarge {
                width: MAX_PHOTO_EDGE + 1,
                height: 8
            })
        );
    }

    #[test]
    fn every_cut_of_a_photo_is_refused_never_a_panic() {
        let whole = stripped(32, 32);
        for cut in (0..whole.len() - 2).step_by(7) {
            assert!(check(&whole[..cut]).is_err(), "cut at {cut}");
        }
    }
}
