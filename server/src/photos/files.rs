//! The blocking file work of an upload in the data directory: write a chunk durably at its offset, check a finished
//! upload (or a photo received whole), move it into place. Callers hold the photo's lock and run these on the blocking pool.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use axum::body::Bytes;

use super::blobs::{Finished, verdict};

/// Bytes of a partial upload on disk (0 when it is missing).
pub(super) fn held(part: &Path) -> io::Result<u64> {
    match fs::metadata(part) {
        Ok(meta) => Ok(meta.len()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(0),
        Err(e) => Err(e),
    }
}

/// Writes `bytes` at `offset`, dropping whatever the file holds beyond `offset` (bytes of a chunk
/// that was written but never recorded), and syncs it before returning.
pub(super) fn write_chunk(part: &Path, offset: u64, bytes: &[u8]) -> io::Result<()> {
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(part)?;
    file.set_len(offset)?;
    file.seek(SeekFrom::Start(offset))?;
    file.write_all(bytes)?;
    file.sync_all()?;
    if offset == 0 {
        // A new file: make its directory entry durable too.
        sync_dir(part)?;
    }
    Ok(())
}

/// Judges the finished partial upload `part` by its name `sha256` ([`verdict`]) and moves it
/// to `photo` ([`settle`]).
pub(super) fn finish(part: &Path, photo: &Path, sha256: &str) -> io::Result<Finished> {
    let mut bytes = Vec::new();
    File::open(part)?.read_to_end(&mut bytes)?;
    settle(part, photo, verdict(&bytes, sha256))
}

/// A photo received whole (in one chunk, or in a bundle): its name, its bytes, and where it is
/// staged and kept.
pub(super) struct Whole {
    pub(super) part: PathBuf,
    pub(super) photo: PathBuf,
    pub(super) sha256: String,
    pub(super) bytes: Bytes,
}

/// Judges photos received whole ([`verdict`]) and stores those to keep, sharing the syncs: each
/// file is written at its `part` and synced (the journal commits them together), then all are
/// moved into place and their directory synced once. Nothing is read back, and the partials'
/// directory entries are not made durable on their own: they only live until the rename. A
/// photo already in place is not written again; whatever an earlier, cut attempt left at a
/// `part` is replaced or removed.
pub(super) fn store_all(photos: &[Whole]) -> io::Result<Vec<Finished>> {
    let verdicts: Vec<Finished> = photos
        .iter()
        .map(|whole| verdict(&whole.bytes, &whole.sha256))
        .collect();
    let keep: Vec<bool> = photos
        .iter()
        .zip(&verdicts)
        .map(|(whole, verdict)| *verdict == Finished::Stored && !whole.photo.exists())
        .collect();
    let mut written = Vec::new();
    for (whole, _) in photos.iter().zip(&keep).filter(|(_, keep)| **keep) {
        let mut file = File::create(&whole.part)?;
        file.write_all(&whole.bytes)?;
        written.push(file);
    }
    for file in &written {
        file.sync_all()?;
    }
    for (whole, keep) in photos.iter().zip(&keep) {
        if *keep {
            fs::rename(&whole.part, &whole.photo)?;
        } else {
            discard(&whole.part)?;
        }
    }
    if let Some(first) = photos.iter().zip(&keep).find(|(_, keep)| **keep) {
        sync_dir(&first.0.photo)?;
    }
    Ok(verdicts)
}

/// Moves the judged upload `part` to `photo` (a rename, then a sync of the directory) when it
/// is a photo to keep; otherwise deletes it. When `photo` already exists (the same photo came
/// through another tenant), the partial is simply removed.
fn settle(part: &Path, photo: &Path, verdict: Finished) -> io::Result<Finished> {
    if verdict != Finished::Stored || photo.exists() {
        discard(part)?;
        return Ok(verdict);
    }
    fs::rename(part, photo)?;
    sync_dir(photo)?;
    Ok(Finished::Stored)
}

/// Removes a partial upload, if it is there.
pub(super) fn discard(part: &Path) -> io::Result<()> {
    match fs::remove_file(part) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

fn sync_dir(file: &Path) -> io::Result<()> {
    match file.parent() {
        Some(dir) => File::open(dir)?.sync_all(),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::photos::check::PhotoRefusal;
    use sha2::{Digest, Sha256};

    #[test]
    fn a_rewritten_chunk_replaces_the_unrecorded_tail() {
        let dir = tempfile::TempDir::new().unwrap();
        let part = dir.path().join("x.part");
        write_chunk(&part, 0, b"abcdef").unwrap();
        // "def" was written but never recorded: the retry at offset 3 replaces it.
        write_chunk(&part, 3, b"XY").unwrap();
        assert_eq!(fs::read(&part).unwrap(), b"abcXY");
        assert_eq!(held(&part).unwrap(), 5);
        assert_eq!(held(&dir.path().join("missing")).unwrap(), 0);
    }

    #[test]
    fn finishing_checks_the_digest_then_the_magic_bytes() {
        let dir = tempfile::TempDir::new().unwrap();
        let (part, photo) = (dir.path().join("p.part"), dir.path().join("p.jpg"));
        let image = image::RgbImage::from_pixel(16, 16, image::Rgb([200, 30, 30]));
        let mut jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new(&mut jpeg)
            .encode_image(&image)
            .unwrap();
        write_chunk(&part, 0, &jpeg).unwrap();
        let name = hex::encode(Sha256::digest(b"something else"));
        assert_eq!(
            finish(&part, &photo, &name).unwrap(),
            Finished::DigestMismatch
        );
        assert!(!part.exists());

        write_chunk(&part, 0, b"GIF89a").unwrap();
        let name = hex::encode(Sha256::digest(b"GIF89a"));
        assert!(matches!(
            finish(&part, &photo, &name).unwrap(),
            Finished::Refused(PhotoRefusal::NotJpeg(_))
        ));
        assert!(!part.exists());

        write_chunk(&part, 0, &jpeg).unwrap();
        let name = hex::encode(Sha256::digest(&jpeg));
        assert_eq!(finish(&part, &photo, &name).unwrap(), Finished::Stored);
        assert_eq!(fs::read(&photo).unwrap(), jpeg);
        assert!(!part.exists());
    }
}
