//! Writes the upright pixels as a baseline JPEG with `jpeg-encoder`, and nothing else.
//!
//! Not `image`'s own encoder: it keeps chroma at full resolution (4:4:4), which made our files
//! ~7% larger than libvips's at the same quality for no visible gain on a photo, and it is
//! slower. `jpeg-encoder` scales the Annex K quantisation tables by quality exactly as libjpeg
//! does, so quality 85 means what it means to `vipsthumbnail` or `cjpeg`; below quality 90 it
//! subsamples chroma 4:2:0 (at 90 and above it keeps 4:4:4, as libvips does by default). Its
//! forward DCT and colour conversion use AVX2 where the CPU has it (not on ARM: plain Rust
//! there). Its licence includes the IJG's: the documentation of an app that ships it must say
//! "this software is based in part on the work of the Independent JPEG Group".
//!
//! The encoder is fresh and given only pixels, so the output holds the JFIF header, tables and
//! one scan: no EXIF, XMP or ICC segment can be carried over from the original.

use image::RgbImage;
use jpeg_encoder::{ChromaSubsamplingMethod, ColorType, Encoder};

use super::PhotoError;

/// `pixels` as a baseline JPEG at `quality` (clamped to 1–100).
pub(super) fn encode(pixels: &RgbImage, quality: u8) -> Result<Vec<u8>, PhotoError> {
    let side = |n: u32| {
        u16::try_from(n).map_err(|_| PhotoError::Encode(format!("{n} pixels is too wide for JPEG")))
    };
    let (width, height) = (side(pixels.width())?, side(pixels.height())?);
    let mut jpeg = Vec::new();
    let mut encoder = Encoder::new(&mut jpeg, quality.clamp(1, 100));
    // Each chroma sample is the mean of its 2×2 block, as in libjpeg; the default takes the
    // block's top-left pixel, which aliases along coloured edges.
    encoder.set_chroma_subsampling_method(ChromaSubsamplingMethod::Average);
    encoder
        .encode(pixels.as_raw(), width, height, ColorType::Rgb)
        .map_err(|e| PhotoError::Encode(e.to_string()))?;
    Ok(jpeg)
}
