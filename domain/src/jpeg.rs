//! A JPEG's marker segments, walked from start-of-image to end-of-image without decoding it, and
//! the rule a photo must follow to travel: whole, and carrying no metadata segment.
//!
//! The JPEG decoder is lenient: a photo cut in half by an interrupted copy decodes "fine", its
//! missing half painted grey. Walking the markers catches that (no end-of-image marker) before a
//! half-grey photo is filed as evidence. The device's photo pipeline re-encodes every photo
//! without metadata; the server checks with [`check_stripped`] that what it receives is such a
//! photo, so an EXIF position, an XMP packet or a comment hiding a script never reaches the town.

/// Start of image, end of image, start of scan.
const SOI: u8 = 0xD8;
const EOI: u8 = 0xD9;
const SOS: u8 = 0xDA;

/// The marker codes of `data` in order, from SOI to EOI inclusive, or why the structure is
/// broken. Bytes after the EOI (some phones append data there) are ignored.
pub fn markers(data: &[u8]) -> Result<Vec<u8>, String> {
    walk(data).map(|(found, _)| found)
}

/// The marker codes, and where the EOI marker ends.
fn walk(data: &[u8]) -> Result<(Vec<u8>, usize), String> {
    if !data.starts_with(&[0xFF, SOI]) {
        return Err("no JPEG start-of-image marker".into());
    }
    let mut found = vec![SOI];
    let mut at = 2;
    loop {
        if data.get(at) != Some(&0xFF) {
            return Err(match data.get(at) {
                None => "truncated: the end-of-image marker is missing".into(),
                Some(_) => format!("expected a marker at byte {at}"),
            });
        }
        // Any number of 0xFF fill bytes may precede a marker code.
        while data.get(at) == Some(&0xFF) {
            at += 1;
        }
        let Some(&code) = data.get(at) else {
            return Err("truncated inside a marker".into());
        };
        at += 1;
        found.push(code);
        match code {
            EOI => return Ok((found, at)),
            // Markers without a length: TEM and restart markers.
            0x01 | 0xD0..=0xD7 => continue,
            _ => {}
        }
        let Some(len) = data
            .get(at..at + 2)
            .map(|b| usize::from(u16::from_be_bytes([b[0], b[1]])))
        else {
            return Err("truncated inside a segment length".into());
        };
        if len < 2 || at + len > data.len() {
            return Err(format!("truncated segment 0xFF{code:02X} at byte {at}"));
        }
        at += len;
        if code == SOS {
            at = end_of_entropy_data(data, at);
        }
    }
}

/// Why a photo may not travel as it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoProblem {
    /// Not a whole JPEG: the reason, from [`markers`].
    Broken(String),
    /// A metadata segment: APP1 to APP15 (EXIF, XMP, ICC profile, IPTC...) or a comment. The
    /// marker code.
    Metadata(u8),
    /// The image data is progressive, hierarchical or arithmetic-coded, which the device never
    /// writes: only baseline (SOF0) and extended sequential (SOF1) frames travel.
    NotBaseline(u8),
    /// This many bytes follow the end-of-image marker (where a script can hide).
    Trailing(usize),
}

/// Checks that `data` is a whole JPEG carrying no metadata segment: only the JFIF APP0 header,
/// tables, a baseline frame and its scan, and nothing after its end.
///
/// # Errors
/// The first problem found, in the file's order.
pub fn check_stripped(data: &[u8]) -> Result<(), PhotoProblem> {
    let (found, end) = walk(data).map_err(PhotoProblem::Broken)?;
    for code in found {
        match code {
            0xE1..=0xEF | 0xFE => return Err(PhotoProblem::Metadata(code)),
            0xC2 | 0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF => {
                return Err(PhotoProblem::NotBaseline(code));
            }
            _ => {}
        }
    }
    match data.len() - end {
        0 => Ok(()),
        trailing => Err(PhotoProblem::Trailing(trailing)),
    }
}

/// Where the entropy-coded data that starts at `from` ends: the first 0xFF that begins a real
/// marker (not a stuffed 0xFF00, a restart marker or a fill byte), or the end of `data`.
fn end_of_entropy_data(data: &[u8], mut from: usize) -> usize {
    while let Some(offset) = data[from..].iter().position(|&b| b == 0xFF) {
        let ff = from + offset;
        match data.get(ff + 1) {
            Some(0x00 | 0xD0..=0xD7) => from = ff + 2,
            Some(0xFF) => from = ff + 1,
            Some(_) => return ff,
            None => return data.len(),
        }
    }
    data.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SOI, an APP0 with 2 payload bytes, SOS with entropy data containing stuffed bytes and a
    /// restart marker, EOI, then trailing junk.
    const TINY: &[u8] = &[
        0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0xAA, 0xBB, 0xFF, 0xDA, 0x00, 0x02, 0x12, 0xFF, 0x00,
        0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0xD9, 0x99,
    ];

    #[test]
    fn walks_segments_and_entropy_data() {
        assert_eq!(markers(TINY), Ok(vec![0xD8, 0xE0, 0xDA, 0xD9]));
    }

    #[test]
    fn every_truncation_is_an_error_never_a_panic() {
        for cut in 0..TINY.len() - 2 {
            assert!(markers(&TINY[..cut]).is_err(), "cut at {cut}");
        }
    }

    #[test]
    fn metadata_segments_and_progressive_frames_may_not_travel() {
        // TINY ends with one byte of junk after its EOI.
        assert_eq!(check_stripped(TINY), Err(PhotoProblem::Trailing(1)));
        let tiny = &TINY[..TINY.len() - 1];
        assert_eq!(check_stripped(tiny), Ok(()));
        // The same with an APP1 (EXIF) segment, then with a comment, then progressive.
        for (code, problem) in [
            (0xE1, PhotoProblem::Metadata(0xE1)),
            (0xFE, PhotoProblem::Metadata(0xFE)),
            (0xC2, PhotoProblem::NotBaseline(0xC2)),
        ] {
            let mut with = tiny[..8].to_vec();
            with.extend([0xFF, code, 0x00, 0x03, 0x42]);
            with.extend(&tiny[8..]);
            assert_eq!(check_stripped(&with), Err(problem), "{code:02X}");
        }
        assert!(matches!(
            check_stripped(b"\xFF\xD8\xFF<?php"),
            Err(PhotoProblem::Broken(_))
        ));
    }

    #[test]
    fn a_segment_longer_than_the_file_is_an_error() {
        assert!(markers(&[0xFF, 0xD8, 0xFF, 0xE1, 0xFF, 0xFF, 0x00]).is_err());
        assert!(markers(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01]).is_err());
    }
}
