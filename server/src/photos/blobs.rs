//! Where a photo's bytes live: files in the data directory (the default, [`super::files`]) or
//! objects in an S3-compatible store shared by several servers ([`super::objects`]). Both keep
//! the same two things, finished photos by their SHA-256 and the received part of each upload,
//! and judge a finished upload by the same rule ([`verdict`]). The database's index stays the
//! truth for both: what it does not record of a partial upload is overwritten.

use std::io;
use std::path::PathBuf;

use axum::body::Bytes;
use sha2::{Digest, Sha256};

use super::check::{self, PhotoRefusal};
use super::files;
use super::objects::Objects;

/// What a finished upload turned out to be.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Finished {
    /// Its bytes are the photo its name says, now stored.
    Stored,
    /// Its bytes do not hash to its name.
    DigestMismatch,
    /// Not a photo the server keeps (see [`check`]).
    Refused(PhotoRefusal),
}

/// Whether the whole upload `bytes` is the photo `sha256` names and one the server keeps.
pub(super) fn verdict(bytes: &[u8], sha256: &str) -> Finished {
    if hex::encode(Sha256::digest(bytes)) != sha256 {
        Finished::DigestMismatch
    } else {
        check::check(bytes).map_or_else(Finished::Refused, |()| Finished::Stored)
    }
}

/// The photo storage. Cheap to clone. Callers hold the photo's lock.
#[derive(Debug, Clone)]
pub(super) enum Blobs {
    /// `photos/<sha256>.jpg` and `uploads/<sha256>.part` in the data directory.
    Files { photos: PathBuf, uploads: PathBuf },
    /// An S3-compatible bucket.
    Objects(Objects),
}

impl Blobs {
    fn photo_path(photos: &std::path::Path, sha256: &str) -> PathBuf {
        photos.join(format!("{sha256}.jpg"))
    }

    fn part_path(uploads: &std::path::Path, sha256: &str) -> PathBuf {
        uploads.join(format!("{sha256}.part"))
    }

    /// Bytes of the partial upload `sha256` held, from its start (0 when there is none).
    pub(super) async fn held(&self, sha256: &str) -> io::Result<u64> {
        match self {
            Self::Files { uploads, .. } => {
                let part = Self::part_path(uploads, sha256);
                blocking(move || files::held(&part)).await
            }
            Self::Objects(objects) => objects.held(sha256).await,
        }
    }

    /// Writes `bytes` at `offset` of the partial upload `sha256`, dropping what it holds beyond
    /// `offset`; durable when it returns.
    pub(super) async fn write_chunk(
        &self,
        sha256: &str,
        offset: u64,
        bytes: Bytes,
    ) -> io::Result<()> {
        match self {
            Self::Files { uploads, .. } => {
                let part = Self::part_path(uploads, sha256);
                blocking(move || files::write_chunk(&part, offset, &bytes)).await
            }
            Self::Objects(objects) => objects.write_chunk(sha256, offset, bytes).await,
        }
    }

    /// Judges the finished upload `sha256` ([`verdict`]) and stores the photo, or drops it.
    /// Either way the partial upload is gone after.
    pub(super) async fn finish(&self, sha256: &str) -> io::Result<Finished> {
        match self {
            Self::Files { photos, uploads } => {
                let part = Self::part_path(uploads, sha256);
                let photo = Self::photo_path(photos, sha256);
                let name = sha256.to_owned();
                blocking(move || files::finish(&part, &photo, &name)).await
            }
            Self::Objects(objects) => objects.finish(sha256).await,
        }
    }

    /// Judges the photo `sha256` received whole in one chunk ([`verdict`]) and stores it, or
    /// drops it, without staging a partial upload. Any partial upload of it is gone after.
    pub(super) async fn store_whole(&self, sha256: &str, bytes: Bytes) -> io::Result<Finished> {
        let mut verdicts = self.store_all(vec![(sha256.to_owned(), bytes)]).await?;
        Ok(verdicts.remove(0))
    }

    /// [`Self::store_whole`] for several photos (a bundle), in order; in the data directory
    /// their files share their syncs ([`files::store_all`]).
    pub(super) async fn store_all(
        &self,
        photos: Vec<(String, Bytes)>,
    ) -> io::Result<Vec<Finished>> {
        match self {
            Self::Files {
                photos: dir,
                uploads,
            } => {
                let wholes: Vec<files::Whole> = photos
                    .into_iter()
                    .map(|(sha256, bytes)| files::Whole {
                        part: Self::part_path(uploads, &sha256),
                        photo: Self::photo_path(dir, &sha256),
                        sha256,
                        bytes,
                    })
                    .collect();
                blocking(move || files::store_all(&wholes)).await
            }
            Self::Objects(objects) => {
                let mut verdicts = Vec::with_capacity(photos.len());
                for (sha256, bytes) in photos {
                    verdicts.push(objects.store_whole(&sha256, bytes).await?);
                }
                Ok(verdicts)
            }
        }
    }

    /// Removes the partial upload `sha256`, if there is one.
    pub(super) async fn discard(&self, sha256: &str) -> io::Result<()> {
        match self {
            Self::Files { uploads, .. } => {
                let part = Self::part_path(uploads, sha256);
                blocking(move || files::discard(&part)).await
            }
            Self::Objects(objects) => objects.discard(sha256).await,
        }
    }

    /// The stored photo `sha256`, if there is one.
    pub(super) async fn read(&self, sha256: &str) -> io::Result<Option<Vec<u8>>> {
        match self {
            Self::Files { photos, .. } => {
                match tokio::fs::read(Self::photo_path(photos, sha256)).await {
                    Ok(bytes) => Ok(Some(bytes)),
                    Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
                    Err(e) => Err(e),
                }
            }
            Self::Objects(objects) => objects.read(sha256).await,
        }
    }
}

/// Runs blocking file work on the blocking pool.
async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(io::Error::other)?
}
