//! Turns untrusted photo bytes into pixels, refusing what is too big before paying for it.
//!
//! Order of checks: the format from the magic bytes (JPEG, PNG, WebP only); for JPEG, the marker
//! structure (a truncated file is refused, not painted grey); the dimensions from the header
//! against [`Limits::max_pixels`], before any pixel buffer exists. The decoder also gets
//! `image::Limits` (a maximum side and allocation) as a second line of defence.

use std::io::Cursor;

use image::{
    DynamicImage, ImageDecoder, ImageError, ImageFormat, ImageReader, RgbImage,
    metadata::Orientation,
};

use relais_domain::jpeg;

use super::{Limits, PhotoError};

/// The longest side any decoder may declare: JPEG's own maximum. No phone or scanner produces a
/// wider photo, and a header claiming more is a bomb.
const MAX_SIDE: u32 = 65_535;

/// Bytes per pixel of the widest pixel type our formats decode to (16-bit RGBA PNG).
const MAX_BYTES_PER_PIXEL: u64 = 8;

/// Headroom for the decoders' own buffers (PNG rows, WebP's intermediate planes).
const DECODER_SLACK: u64 = 64 * 1024 * 1024;

/// A decoded photo, as stored (not yet rotated), and how it must be turned to be shown upright.
pub(super) struct Decoded {
    pub(super) pixels: RgbImage,
    pub(super) orientation: Orientation,
}

/// Decodes `input` to 8-bit RGB. Transparent pixels are laid over white: a JPEG has no alpha,
/// and the colour hidden under full transparency is often black.
pub(super) fn decode(input: &[u8], limits: &Limits) -> Result<Decoded, PhotoError> {
    let format = image::guess_format(input).map_err(|_| PhotoError::UnsupportedFormat)?;
    if !matches!(
        format,
        ImageFormat::Jpeg | ImageFormat::Png | ImageFormat::WebP
    ) {
        return Err(PhotoError::UnsupportedFormat);
    }
    if format == ImageFormat::Jpeg {
        jpeg::markers(input).map_err(PhotoError::Corrupt)?;
    }

    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_image_width = Some(MAX_SIDE);
    decoder_limits.max_image_height = Some(MAX_SIDE);
    decoder_limits.max_alloc = Some(
        limits
            .max_pixels
            .saturating_mul(MAX_BYTES_PER_PIXEL)
            .saturating_add(DECODER_SLACK),
    );
    let too_many_pixels = PhotoError::TooManyPixels {
        max: limits.max_pixels,
    };

    let mut reader = ImageReader::with_format(Cursor::new(input), format);
    reader.limits(decoder_limits.clone());
    // Reads the header only: the dimensions, not the pixels.
    let mut decoder = reader
        .into_decoder()
        .map_err(|e| from_decoding(e, &too_many_pixels))?;
    let (width, height) = decoder.dimensions();
    if width == 0 || height == 0 {
        return Err(PhotoError::Corrupt(format!("{width}x{height} pixels")));
    }
    if u64::from(width) * u64::from(height) > limits.max_pixels {
        return Err(too_many_pixels);
    }
    decoder_limits
        .reserve(decoder.total_bytes())
        .map_err(|e| from_decoding(e, &too_many_pixels))?;

    // A photo whose orientation tag can't be read is shown as stored rather than refused.
    let orientation = decoder.orientation().unwrap_or(Orientation::NoTransforms);
    let image =
        DynamicImage::from_decoder(decoder).map_err(|e| from_decoding(e, &too_many_pixels))?;
    Ok(Decoded {
        pixels: flatten_to_rgb(image),
        orientation,
    })
}

fn from_decoding(e: ImageError, too_many_pixels: &PhotoError) -> PhotoError {
    match e {
        ImageError::Limits(_) => too_many_pixels.clone(),
        ImageError::Unsupported(_) => PhotoError::UnsupportedFormat,
        other => PhotoError::Corrupt(other.to_string()),
    }
}

/// 8-bit RGB, without copying when the photo already is (every camera JPEG).
fn flatten_to_rgb(image: DynamicImage) -> RgbImage {
    if !image.color().has_alpha() {
        return image.into_rgb8();
    }
    let rgba = image.into_rgba8();
    let mut rgb = RgbImage::new(rgba.width(), rgba.height());
    for (out, px) in rgb.pixels_mut().zip(rgba.pixels()) {
        let [r, g, b, a] = px.0;
        let over_white = |c: u8| {
            let (c, a) = (u16::from(c), u16::from(a));
            // Rounded c·a/255 + 255·(255−a)/255; never above 255.
            ((c * a + 255 * (255 - a) + 127) / 255) as u8
        };
        out.0 = [over_white(r), over_white(g), over_white(b)];
    }
    rgb
}

#[cfg(test)]
mod tests {
    use image::{Rgba, RgbaImage};

    use super::*;

    #[test]
    fn transparency_is_laid_over_white() {
        let mut img = RgbaImage::new(3, 1);
        img.put_pixel(0, 0, Rgba([0, 0, 0, 0]));
        img.put_pixel(1, 0, Rgba([10, 20, 30, 255]));
        img.put_pixel(2, 0, Rgba([0, 0, 0, 128]));
        let rgb = flatten_to_rgb(DynamicImage::ImageRgba8(img));
        assert_eq!(rgb.get_pixel(0, 0).0, [255, 255, 255]);
        assert_eq!(rgb.get_pixel(1, 0).0, [10, 20, 30]);
        assert_eq!(rgb.get_pixel(2, 0).0, [127, 127, 127]);
    }
}
