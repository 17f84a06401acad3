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
//! - `POST /v1/{tenant}/uploads` with header [`UPLOAD_PHOTOS`] (`<sha256>:<length>` of each
//!   photo, comma-separated, in body order), body the whole photos one after the other (at most
//!   [`MAX_BUNDLE_PHOTOS`] photos and [`MAX_CHUNK_BYTES`] in all) → [`BundleAnswer`]: several
//!   small photos in one request, each stored or refused on its own ([`BundledPhoto`]). A photo
//!   that does not fit goes up by `PATCH`.
//! - `GET /v1/{tenant}/photos/{sha256}` → the JPEG, for any device of the tenant once a report
//!   of the tenant references it.
//!
//! A report is accepted before its photos arrive; it lists their names.

use std::ops::Range;

use serde::{Deserialize, Serialize};

/// Header: where this chunk starts in the photo.
pub const UPLOAD_OFFSET: &str = "upload-offset";
/// Header: the photo's total size in bytes.
pub const UPLOAD_LENGTH: &str = "upload-length";
/// Header: `sha256 <lowercase hex>` of this chunk.
pub const UPLOAD_CHECKSUM: &str = "upload-checksum";

/// Header of a bundle: `<sha256>:<length>` of each photo in the body, in order, comma-separated.
pub const UPLOAD_PHOTOS: &str = "upload-photos";

/// Largest chunk the server accepts in one PATCH, and largest bundle body.
pub const MAX_CHUNK_BYTES: usize = 256 * 1024;
/// Largest photo, after the device's pipeline (at most [`MAX_PHOTO_EDGE`] px, JPEG).
pub const MAX_PHOTO_BYTES: u64 = 8 * 1024 * 1024;
/// The long edge of a photo, in pixels, at most: the device shrinks to it, the server refuses
/// larger ones.
pub const MAX_PHOTO_EDGE: u32 = 2048;
/// Most photos in one bundle.
pub const MAX_BUNDLE_PHOTOS: usize = 64;
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

/// The server's answer to a bundle: one entry per photo, in the order they were sent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BundleAnswer {
    pub photos: Vec<BundledPhoto>,
}

/// What became of one photo of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BundledPhoto {
    pub sha256: String,
    /// The server has the photo whole and checked (now, or from before).
    pub stored: bool,
    /// Why it was not kept (`digest_mismatch`: its bytes do not hash to its name;
    /// `invalid_photo`: not a stripped JPEG as the pipeline makes them); absent when stored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<crate::Reason>,
}

/// The photos a bundle's [`UPLOAD_PHOTOS`] header announces, `(sha256, length)` in body order.
///
/// # Errors
/// Why the header is not one: empty, more than [`MAX_BUNDLE_PHOTOS`] photos, a name that is not
/// a [content address](is_content_address), a name twice, a length that is not a positive
/// number, or lengths that add up to more than [`MAX_CHUNK_BYTES`].
pub fn parse_bundle(header: &str) -> Result<Vec<(String, usize)>, String> {
    let mut photos: Vec<(String, usize)> = Vec::new();
    for entry in header.split(',').map(str::trim).filter(|e| !e.is_empty()) {
        let (name, length) = entry
            .split_once(':')
            .ok_or_else(|| format!("{entry:?} is not <sha256>:<length>"))?;
        if !is_content_address(name) {
            return Err(format!("{name:?} is not a lowercase hex SHA-256"));
        }
        let length: usize = length
            .parse()
            .ok()
            .filter(|&n| n > 0)
            .ok_or_else(|| format!("{length:?} is not a positive byte count"))?;
        if photos.iter().any(|(seen, _)| seen == name) {
            return Err(format!("{name} is listed twice"));
        }
        photos.push((name.to_owned(), length));
        if photos.len() > MAX_BUNDLE_PHOTOS {
            return Err(format!("a bundle holds at most {MAX_BUNDLE_PHOTOS} photos"));
        }
    }
    if photos.is_empty() {
        return Err("a bundle lists at least one photo".into());
    }
    if photos.iter().map(|(_, n)| n).sum::<usize>() > MAX_CHUNK_BYTES {
        return Err(format!("a bundle holds at most {MAX_CHUNK_BYTES} bytes"));
    }
    Ok(photos)
}

/// Where each photo `listed` by [`parse_bundle`] lies in a bundle's body of `body_len` bytes:
/// `(sha256, range)` in body order.
///
/// # Errors
/// The lengths listed do not add up to the body's.
pub fn locate_bundle(
    listed: Vec<(String, usize)>,
    body_len: usize,
) -> Result<Vec<(String, Range<usize>)>, String> {
    let total: usize = listed.iter().map(|(_, length)| length).sum();
    if total != body_len {
        return Err(format!(
            "{UPLOAD_PHOTOS} announces {total} bytes, the body holds {body_len}"
        ));
    }
    let mut start = 0;
    Ok(listed
        .into_iter()
        .map(|(sha256, length)| {
            let range = start..start + length;
            start = range.end;
            (sha256, range)
        })
        .collect())
}

/// The [`UPLOAD_PHOTOS`] header of a bundle of `photos` (`(sha256, length)` in body order).
pub fn bundle_header<'a>(photos: impl IntoIterator<Item = (&'a str, usize)>) -> String {
    let entries: Vec<String> = photos
        .into_iter()
        .map(|(name, length)| format!("{name}:{length}"))
        .collect();
    entries.join(",")
}

/// Whether `name` is a SHA-256 in lowercase hex.
pub fn is_content_address(name: &str) -> bool {
    name.len() == 64
        && name
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bundle_header_reads_back_and_bad_ones_are_refused() {
        let (a, b) = ("a".repeat(64), "b".repeat(64));
        let header = bundle_header([(a.as_str(), 10), (b.as_str(), 20)]);
        let listed = parse_bundle(&header).unwrap();
        assert_eq!(listed, vec![(a.clone(), 10), (b.clone(), 20)]);
        assert_eq!(
            locate_bundle(listed.clone(), 30).unwrap(),
            vec![(a.clone(), 0..10), (b.clone(), 10..30)]
        );
        assert!(
            locate_bundle(listed.clone(), 29).is_err(),
            "a body one byte short"
        );
        assert!(locate_bundle(listed, 31).is_err(), "a body one byte long");
        for bad in [
            String::new(),
            format!("{a}:0"),
            format!("{a}:x"),
            a.clone(),
            "A".repeat(64) + ":3",
            format!("{a}:1,{a}:2"),
            format!("{a}:{}", MAX_CHUNK_BYTES + 1),
        ] {
            assert!(parse_bundle(&bad).is_err(), "{bad:?}");
        }
        let many: Vec<String> = (0..=MAX_BUNDLE_PHOTOS)
            .map(|i| format!("{i:064x}"))
            .collect();
        let header = bundle_header(many.iter().map(|n| (n.as_str(), 1)));
        assert!(parse_bundle(&header).is_err(), "65 photos");
    }
}
