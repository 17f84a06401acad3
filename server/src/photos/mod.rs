//! Photos: resumable, content-addressed uploads, bundles of small photos sent whole, and the
//! finished photos (see [`relais_protocol::upload`]). [`PhotoStore`] keeps finished photos
//! (checked by [`check::check`] to be a stripped JPEG, immutable) and partial uploads in its
//! [`blobs::Blobs`]: two folders of the data directory by default (`photos/<sha256>.jpg`, `uploads/<sha256>.part`), or an
//! S3-compatible bucket shared by several servers (`--photos s3://BUCKET/PREFIX`). The
//! database's `photos`, `tenant_photos` and `uploads` tables index them.
//!
//! The index is the truth: a partial upload may hold more bytes than its row records (a chunk
//! written but not recorded when the server stopped), and the next chunk overwrites them. Every
//! chunk is durable before it is recorded, and recorded before it is acknowledged. Work on
//! one photo is serialized by a per-photo lock, held by a task of its own so that a client
//! hanging up mid-chunk cannot release it while the chunk is being written; a bundle takes the
//! locks of all its photos, in name order.

mod blobs;
mod check;
mod files;
mod locks;
mod objects;
mod prepare;

use std::io;
use std::path::Path;
use std::sync::Arc;

use anyhow::Context;

use futures::future::join_all;
use relais_protocol::Reason;
use relais_protocol::upload::{BundledPhoto, MAX_PHOTO_BYTES, UploadStatus};
use sha2::{Digest, Sha256};
use tracing::Instrument;

use crate::clock::now_ms;
use crate::settings::Settings;
use blobs::{Blobs, Finished};
pub use check::PhotoRefusal;
use locks::Locks;
pub(crate) use objects::bucket_of;
pub use prepare::prepare;
use relais_server_database::{
    Database, DbError, DeviceRecord, StoredPhoto, UploadProgress, UploadState,
};

/// Why an upload chunk or a photo request failed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("malformed upload: {0}")]
    Malformed(String),
    #[error("the photo is larger than {MAX_PHOTO_BYTES} bytes")]
    TooLarge,
    #[error("the chunk must start at offset {expected}")]
    OffsetMismatch { expected: u64 },
    #[error("the chunk does not match its checksum")]
    ChecksumMismatch,
    #[error("the photo does not match its name")]
    DigestMismatch,
    #[error(transparent)]
    Refused(#[from] PhotoRefusal),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("photo storage: {0}")]
    Io(#[from] io::Error),
    #[error("upload task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

/// One PATCH: where the chunk starts, the whole photo's size, the chunk's SHA-256 and its bytes.
#[derive(Debug)]
pub struct Chunk {
    pub offset: u64,
    pub length: u64,
    pub checksum: [u8; 32],
    pub bytes: axum::body::Bytes,
}

/// Where the photos are kept and the per-photo locks. Cheap to clone (the router's state is
/// cloned for every extractor of every request).
#[derive(Debug, Clone)]
pub struct PhotoStore {
    blobs: Arc<Blobs>,
    locks: Locks,
}

impl PhotoStore {
    /// Uses (creating them) `photos/` and `uploads/` under `data_dir`.
    pub fn open(data_dir: &Path) -> io::Result<Self> {
        let photos = data_dir.join("photos");
        let uploads = data_dir.join("uploads");
        std::fs::create_dir_all(&photos)?;
        std::fs::create_dir_all(&uploads)?;
        Ok(Self {
            blobs: Arc::new(Blobs::Files { photos, uploads }),
            locks: Locks::default(),
        })
    }

    /// The store `settings` name: the bucket of `photos` when set (checked to answer), else
    /// the folders of the data directory.
    ///
    /// # Errors
    /// The bucket does not answer, or the folders cannot be created.
    pub async fn from_settings(settings: &Settings) -> anyhow::Result<Self> {
        match &settings.photo_store.photos {
            Some(url) => Ok(Self {
                blobs: Arc::new(Blobs::Objects(
                    objects::connect(&settings.photo_store, url).await?,
                )),
                locks: Locks::default(),
            }),
            None => Self::open(&settings.data_dir).with_context(|| {
                format!(
                    "could not create the photo folders in {}",
                    settings.data_dir.display()
                )
            }),
        }
    }

    /// How much of the photo the server holds for `tenant`. Another tenant's photo or partial
    /// upload is not revealed: it reads as nothing held.
    pub async fn status<DB: Database>(
        &self,
        db: &DB,
        tenant: &str,
        sha256: &str,
    ) -> Result<UploadStatus, UploadError> {
        let state = db.upload_state(tenant, sha256).await?;
        Ok(match state {
            UploadState::Stored { bytes } => UploadStatus {
                offset: bytes,
                complete: true,
            },
            UploadState::Partial {
                tenant: owner,
                received,
                ..
            } if owner == tenant => UploadStatus {
                offset: self.confirmed(received, sha256).await?,
                complete: false,
            },
            UploadState::Partial { .. } | UploadState::Absent => UploadStatus {
                offset: 0,
                complete: false,
            },
        })
    }

    /// Appends a chunk to the photo `sha256` for `device`, and stores the photo when it is
    /// whole. Runs to completion even if the caller stops waiting.
    pub async fn patch<DB: Database>(
        &self,
        db: &DB,
        device: &DeviceRecord,
        sha256: &str,
        chunk: Chunk,
    ) -> Result<UploadStatus, UploadError> {
        if chunk.length > MAX_PHOTO_BYTES {
            return Err(UploadError::TooLarge);
        }
        if chunk.length == 0 {
            return Err(UploadError::Malformed("upload-length is 0".into()));
        }
        let (store, db, device, sha256) =
            (self.clone(), db.clone(), device.clone(), sha256.to_owned());
        tokio::spawn(
            async move {
                let _lock = store.locks.lock(&sha256).await;
                store.patch_locked(&db, &device, &sha256, chunk).await
            }
            // Its log lines keep the request's id.
            .in_current_span(),
        )
        .await?
    }

    async fn patch_locked<DB: Database>(
        &self,
        db: &DB,
        device: &DeviceRecord,
        sha256: &str,
        chunk: Chunk,
    ) -> Result<UploadStatus, UploadError> {
        let held = match db.upload_state(&device.tenant, sha256).await? {
            // Content addressing: nothing more to send.
            UploadState::Stored { bytes } => {
                return Ok(UploadStatus {
                    offset: bytes,
                    complete: true,
                });
            }
            UploadState::Partial {
                tenant,
                length,
                received,
            } if tenant == device.tenant => {
                if length != chunk.length {
                    return Err(UploadError::Malformed(format!(
                        "upload-length {} differs from the upload's length {length}",
                        chunk.length
                    )));
                }
                self.confirmed(received, sha256).await?
            }
            // Another tenant's partial upload of the same bytes is not revealed: this one starts
            // from 0 and takes it over.
            UploadState::Partial { .. } | UploadState::Absent => 0,
        };
        if chunk.offset != held {
            return Err(UploadError::OffsetMismatch { expected: held });
        }
        let end = held + chunk.bytes.len() as u64;
        if end > chunk.length {
            return Err(UploadError::Malformed(
                "the chunk goes beyond upload-length".into(),
            ));
        }
        if <[u8; 32]>::from(Sha256::digest(&chunk.bytes)) != chunk.checksum {
            return Err(UploadError::ChecksumMismatch);
        }
        if held == 0 && end == chunk.length {
            // The whole photo in one chunk (the usual case): judged in memory and stored in one
            // step, with no partial upload to record or read back.
            let finished = self.blobs.store_whole(sha256, chunk.bytes).await?;
            return self
                .settle(
                    db,
                    (&device.tenant, Some(device.id)),
                    sha256,
                    chunk.length,
                    finished,
                )
                .await;
        }
        if !chunk.bytes.is_empty() {
            self.blobs.write_chunk(sha256, held, chunk.bytes).await?;
            db.record_upload(UploadProgress {
                sha256: sha256.to_owned(),
                tenant: device.tenant.clone(),
                device: device.id,
                length: chunk.length,
                received: end,
                at_ms: now_ms(),
            })
            .await?;
        }
        if end < chunk.length {
            return Ok(UploadStatus {
                offset: end,
                complete: false,
            });
        }
        let finished = self.blobs.finish(sha256).await?;
        self.settle(
            db,
            (&device.tenant, Some(device.id)),
            sha256,
            chunk.length,
            finished,
        )
        .await
    }

    /// Stores the whole photos of a bundle sent by `device` (`(sha256, bytes)` in the order
    /// sent): each judged on its own as a photo received whole in one `PATCH`, their files
    /// synced together and their rows written in one group commit. A photo the tenant already
    /// holds is not written again. The answer lists each photo, in order. Runs to completion
    /// even if the caller stops waiting.
    pub async fn bundle<DB: Database>(
        &self,
        db: &DB,
        device: &DeviceRecord,
        photos: Vec<(String, axum::body::Bytes)>,
    ) -> Result<Vec<BundledPhoto>, UploadError> {
        let (store, db, device) = (self.clone(), db.clone(), device.clone());
        tokio::spawn(
            async move {
                // In name order, so that two bundles sharing photos cannot wait on each other.
                let mut names: Vec<String> = photos.iter().map(|(name, _)| name.clone()).collect();
                names.sort_unstable();
                let mut locks = Vec::with_capacity(names.len());
                for name in &names {
                    locks.push(store.locks.lock(name).await);
                }
                store.bundle_locked(&db, &device, photos).await
            }
            .in_current_span(),
        )
        .await?
    }

    async fn bundle_locked<DB: Database>(
        &self,
        db: &DB,
        device: &DeviceRecord,
        photos: Vec<(String, axum::body::Bytes)>,
    ) -> Result<Vec<BundledPhoto>, UploadError> {
        let states = join_all(
            photos
                .iter()
                .map(|(name, _)| db.upload_state(&device.tenant, name)),
        )
        .await;
        // Each photo's name, size, and whether the tenant held it already.
        let mut listed = Vec::with_capacity(photos.len());
        let mut to_store = Vec::new();
        for ((name, bytes), state) in photos.into_iter().zip(states) {
            let stored = matches!(state?, UploadState::Stored { .. });
            listed.push((name.clone(), bytes.len() as u64, stored));
            if !stored {
                to_store.push((name, bytes));
            }
        }
        let mut finished = self.blobs.store_all(to_store).await?.into_iter();
        // How each photo was judged; `None` for those the tenant held already.
        let judged: Vec<Option<Finished>> = listed
            .iter()
            .map(|(_, _, stored)| if *stored { None } else { finished.next() })
            .collect();
        let settled = join_all(listed.iter().zip(judged).map(
            |((name, length, _), judged)| async move {
                match judged {
                    None => Ok(()),
                    Some(finished) => self
                        .settle(
                            db,
                            (&device.tenant, Some(device.id)),
                            name,
                            *length,
                            finished,
                        )
                        .await
                        .map(|_| ()),
                }
            },
        ))
        .await;
        listed
            .into_iter()
            .zip(settled)
            .map(|((sha256, _, _), settled)| {
                let refused = match settled {
                    Ok(()) => None,
                    Err(UploadError::DigestMismatch) => Some(Reason::new(
                        "digest_mismatch",
                        "Cette photo ne correspond pas à son nom.",
                        "This photo does not match its name.",
                    )),
                    Err(UploadError::Refused(refusal)) => Some(refusal.reason()),
                    Err(other) => return Err(other),
                };
                Ok(BundledPhoto {
                    sha256,
                    stored: refused.is_none(),
                    refused,
                })
            })
            .collect()
    }

    /// Records how a finished upload was judged: the photo stored, or the upload discarded.
    /// `(tenant, device)`: whose it is, and which device sent it (`None`: the back office).
    async fn settle<DB: Database>(
        &self,
        db: &DB,
        (tenant, device): (&str, Option<uuid::Uuid>),
        sha256: &str,
        length: u64,
        finished: Finished,
    ) -> Result<UploadStatus, UploadError> {
        match finished {
            Finished::Stored => {
                db.store_photo(StoredPhoto {
                    sha256: sha256.to_owned(),
                    tenant: tenant.to_owned(),
                    device,
                    bytes: length,
                    at_ms: now_ms(),
                })
                .await?;
                tracing::info!(photo.bytes = length, "photo stored");
                Ok(UploadStatus {
                    offset: length,
                    complete: true,
                })
            }
            Finished::DigestMismatch => {
                db.discard_upload(sha256).await?;
                Err(UploadError::DigestMismatch)
            }
            Finished::Refused(refusal) => {
                db.discard_upload(sha256).await?;
                tracing::warn!(%refusal, "photo refused");
                Err(UploadError::Refused(refusal))
            }
        }
    }

    /// Stores a photo received whole from a person (the back office's resolve form) for
    /// `tenant`, once the pipeline has [`prepare`]d it: judged again by the same rule as a
    /// finished upload ([`check::check`]) and indexed as the tenant's like a device's, without a
    /// device. Returns its name, the SHA-256 of its bytes; nothing is kept when it is refused.
    /// Runs to completion even if the caller stops waiting.
    pub async fn put<DB: Database>(
        &self,
        db: &DB,
        tenant: &str,
        photo: relais_photo::ProcessedPhoto,
    ) -> Result<String, UploadError> {
        let length = photo.jpeg.len() as u64;
        if length > MAX_PHOTO_BYTES {
            return Err(UploadError::TooLarge);
        }
        let (sha256, bytes) = (photo.sha256, axum::body::Bytes::from(photo.jpeg));
        let (store, db, tenant, name) =
            (self.clone(), db.clone(), tenant.to_owned(), sha256.clone());
        tokio::spawn(
            async move {
                let _lock = store.locks.lock(&name).await;
                if let UploadState::Stored { .. } = db.upload_state(&tenant, &name).await? {
                    return Ok(());
                }
                let finished = store.blobs.store_whole(&name, bytes).await?;
                store
                    .settle(&db, (&tenant, None), &name, length, finished)
                    .await
                    .map(|_| ())
            }
            .in_current_span(),
        )
        .await??;
        Ok(sha256)
    }

    /// The bytes of photo `sha256`, if `device` may read it: `None` otherwise, whether or not
    /// the photo exists (in this tenant or another).
    pub async fn read<DB: Database>(
        &self,
        db: &DB,
        device: &DeviceRecord,
        sha256: &str,
    ) -> Result<Option<Vec<u8>>, UploadError> {
        if !db.photo_readable(&device.tenant, device.id, sha256).await? {
            return Ok(None);
        }
        let photo = self.blobs.read(sha256).await?;
        if photo.is_none() {
            tracing::error!("an indexed photo is missing from the photo store");
        }
        Ok(photo)
    }

    /// The bytes of photo `sha256` for a reader already allowed to see it (a staff member
    /// working on a report that lists it); `None` when the name is not a photo's or the file is
    /// missing.
    pub async fn listed(&self, sha256: &str) -> io::Result<Option<Vec<u8>>> {
        let is_name = sha256.len() == 64
            && sha256
                .bytes()
                .all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'));
        if !is_name {
            return Ok(None);
        }
        self.blobs.read(sha256).await
    }

    /// Removes the partial files of uploads whose rows were dropped (with a deleted identity),
    /// unless an upload of the same photo started again since.
    pub async fn forget_partials<DB: Database>(
        &self,
        db: &DB,
        tenant: &str,
        sha256s: Vec<String>,
    ) -> Result<(), UploadError> {
        for sha256 in sha256s {
            let _lock = self.locks.lock(&sha256).await;
            if matches!(
                db.upload_state(tenant, &sha256).await?,
                UploadState::Partial { .. }
            ) {
                continue;
            }
            self.blobs.discard(&sha256).await?;
        }
        Ok(())
    }
}

impl PhotoStore {
    /// The recorded bytes of a partial upload, if the store still holds them (else it starts
    /// over).
    async fn confirmed(&self, received: u64, sha256: &str) -> Result<u64, UploadError> {
        let held = self.blobs.held(sha256).await?;
        Ok(if held >= received { received } else { 0 })
    }
}
