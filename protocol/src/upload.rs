//! Resumable, content-addressed photo uploads (after tus and the IETF resumable-upload draft).
//!
//! A photo is named by the SHA-256 of its bytes (lowercase hex). The device asks how much the
//! server holds, then sends the rest in chunks, each with its offset and its own checksum:
//!
//! - `GET /v1/{tenant}/uploads/{sha256}` → [`UploadStatus`]: `offset` bytes held; `complete`
//!   when the server has the whole photo (nothing to send: content addressing dedups).
//! - `PATCH /v1/{tenant}/uploads/{sha256}` with headers [`UPLOAD_OFFSET`], [`UPLOAD_LENGTH`]
//!   (the whole photo's size) and [`UPLOAD_CHECKSUM`] (`sha256 <hex of this chunk>`), body the
//!   chunk (`application/offset+octet-stream`, at most [`MAX_CHUNK_BYTES`]) → [`UploadStatus`].
//!   A wrong offset is `409 offset_mismatch` with the offset the server holds in
//!   `expected_offset`; a chunk whose checksum does not match is `400 checksum_mismatch` and is
//!   not kept; when the last byte arrives the server checks the whole photo's digest against its
//!   name (`422 digest_mismatch`: the partial upload is discarded) and checks it is a JPEG.
//! - `GET /v1/{tenant}/photos/{sha256}` → the JPEG, for any device of the tenant once a report
//!   of the tenant references it.
//!
//! A report is accepted before its photos arrive; it lists their names.

use serde::{Deserialize, Serialize};

/// Header: where this chunk starts in the photo.
pub const UPLOAD_OFFSET: &str = "upload-offset";
/// Header: the photo's total size in bytes.
pub const UPLOAD_LENGTH: &str = "upload-length";
/// Header: `sha256 <lowercase hex>` of this chunk.
pub const UPLOAD_CHECKSUM: &str = "upload-checksum";

/// Largest chunk the server accepts in one PATCH.
pub const MAX_CHUNK_BYTES: usize = 256 * 1024;
/// Largest photo, after the device's pipeline (at most [`MAX_PHOTO_EDGE`] px, JPEG).
pub const MAX_PHOTO_BYTES: u64 = 8 * 1024 * 1024;
/// The long edge of a photo, in pixels, at most: the device shrinks to it, the server refuses
/// larger ones.
pub const MAX_PHOTO_EDGE: u32 = 2048;
/// Photos per report.
pub const MAX_PHOTOS_PER_REPORT: usize = 5;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UploadStatus {
    /// Bytes of the photo the server holds.
    pub offset: u64,
    /// The server has the whole photo, checked.
    pub complete: bool,
}

/// Whether `name` is a SHA-256 in lowercase hex.
pub fn is_content_address(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}
