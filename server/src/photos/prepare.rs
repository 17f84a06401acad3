//! Photos that reach the server straight from a camera or a computer (a staff member's upload
//! from the back office) go through the phones' photo pipeline ([`relais_photo::process`]) here,
//! with the phones' limits: a decompression bomb or a file that is not a photo is refused before
//! its pixels are paid for; a camera original is shrunk to the same bounds, turned upright by its
//! EXIF orientation and re-encoded without any metadata, so it leaves with what a phone would
//! have sent. A device's upload is not prepared again (it was on the device): it is only
//! [`check`](super::check::check)ed, see ARCHITECTURE.md ("Photos on the server").

use axum::body::Bytes;
use relais_photo::{Limits, PhotoError, ProcessedPhoto};

/// `original` as the pipeline makes it, decoded and re-encoded on a blocking thread (a 12 MP
/// photo takes a few hundred milliseconds of CPU, which must not stall the async workers).
///
/// # Errors
/// Why the pipeline refused it, with [`PhotoError::message`] to show in French or English; a
/// pipeline task that panicked is reported as [`PhotoError::Encode`].
pub async fn prepare(original: Bytes) -> Result<ProcessedPhoto, PhotoError> {
    tokio::task::spawn_blocking(move || relais_photo::process(&original, &Limits::default()))
        .await
        .unwrap_or_else(|error| Err(PhotoError::Encode(error.to_string())))
}
