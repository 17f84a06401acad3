//! Photos in an S3-compatible bucket, so that several servers behind one load balancer share
//! them: `photos/<sha256>.jpg` for a finished photo and `uploads/<sha256>/<offset>` for each
//! chunk of an upload (objects cannot be appended to). The chunks of one upload may reach
//! different servers: the bucket holds them all, and the database's index says how much of the
//! upload counts. A chunk is acknowledged only once its object is stored. Finishing reads the
//! chunks in order, judges the whole ([`verdict`]), stores the photo and deletes the chunks.

use std::io;
use std::sync::Arc;

use anyhow::Context;
use axum::body::Bytes;
use futures::TryStreamExt;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path;
use object_store::prefix::PrefixStore;
use object_store::{ObjectStore, PutPayload, RetryConfig};

use super::blobs::{Finished, verdict};
use crate::settings::PhotoStorage;

/// A bucket (and a prefix in it) holding the photos.
#[derive(Clone)]
pub(crate) struct Objects {
    store: Arc<dyn ObjectStore>,
}

impl std::fmt::Debug for Objects {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Objects({})", self.store)
    }
}

/// A chunk object of an upload: where it starts and how long it is.
struct Chunk {
    location: Path,
    offset: u64,
    size: u64,
}

impl Objects {
    fn new(store: Arc<dyn ObjectStore>) -> Self {
        Self { store }
    }

    fn photo(sha256: &str) -> Path {
        Path::from(format!("photos/{sha256}.jpg"))
    }

    fn upload(sha256: &str) -> Path {
        Path::from(format!("uploads/{sha256}"))
    }

    /// The chunks of upload `sha256`, by offset. Offsets are zero-padded in the names, but the
    /// order is taken from the numbers.
    async fn chunks(&self, sha256: &str) -> io::Result<Vec<Chunk>> {
        let mut chunks: Vec<Chunk> = self
            .store
            .list(Some(&Self::upload(sha256)))
            .map_err(io::Error::from)
            .try_filter_map(|meta| async move {
                Ok(meta
                    .location
                    .filename()
                    .and_then(|name| name.parse::<u64>().ok())
                    .map(|offset| Chunk {
                        offset,
                        size: meta.size,
                        location: meta.location.clone(),
                    }))
            })
            .try_collect()
            .await?;
        chunks.sort_by_key(|chunk| chunk.offset);
        Ok(chunks)
    }

    /// The chunks that follow each other from offset 0, and where they end.
    fn contiguous(chunks: Vec<Chunk>) -> (Vec<Chunk>, u64) {
        let mut end = 0;
        let mut kept = Vec::new();
        for chunk in chunks {
            if chunk.offset != end {
                break;
            }
            end += chunk.size;
            kept.push(chunk);
        }
        (kept, end)
    }

    pub(super) async fn held(&self, sha256: &str) -> io::Result<u64> {
        Ok(Self::contiguous(self.chunks(sha256).await?).1)
    }

    pub(super) async fn write_chunk(
        &self,
        sha256: &str,
        offset: u64,
        bytes: Bytes,
    ) -> io::Result<()> {
        for chunk in self.chunks(sha256).await? {
            if chunk.offset >= offset {
                self.store.delete(&chunk.location).await?;
            }
        }
        let location = Self::upload(sha256).child(format!("{offset:020}"));
        self.store
            .put(&location, PutPayload::from_bytes(bytes))
            .await?;
        Ok(())
    }

    pub(super) async fn finish(&self, sha256: &str) -> io::Result<Finished> {
        let (chunks, end) = Self::contiguous(self.chunks(sha256).await?);
        let mut bytes = Vec::with_capacity(usize::try_from(end).unwrap_or(0));
        for chunk in &chunks {
            bytes.extend_from_slice(&self.store.get(&chunk.location).await?.bytes().await?);
        }
        let verdict = verdict(&bytes, sha256);
        if verdict == Finished::Stored {
            self.store
                .put(&Self::photo(sha256), PutPayload::from(bytes))
                .await?;
        }
        self.discard(sha256).await?;
        Ok(verdict)
    }

    /// Judges a photo received whole in one chunk and stores it: no chunk object is written or
    /// read back. Chunks left by an earlier, cut attempt are deleted.
    pub(super) async fn store_whole(&self, sha256: &str, bytes: Bytes) -> io::Result<Finished> {
        let verdict = verdict(&bytes, sha256);
        if verdict == Finished::Stored {
            self.store
                .put(&Self::photo(sha256), PutPayload::from_bytes(bytes))
                .await?;
        }
        self.discard(sha256).await?;
        Ok(verdict)
    }

    pub(super) async fn discard(&self, sha256: &str) -> io::Result<()> {
        for chunk in self.chunks(sha256).await? {
            match self.store.delete(&chunk.location).await {
                Ok(()) | Err(object_store::Error::NotFound { .. }) => {}
                Err(error) => return Err(error.into()),
            }
        }
        Ok(())
    }

    pub(super) async fn read(&self, sha256: &str) -> io::Result<Option<Vec<u8>>> {
        match self.store.get(&Self::photo(sha256)).await {
            Ok(found) => Ok(Some(found.bytes().await?.to_vec())),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(error) => Err(error.into()),
        }
    }
}

/// The bucket and the prefix of `s3://BUCKET` or `s3://BUCKET/PREFIX`.
///
/// # Errors
/// The URL is not of that form (in words).
pub(crate) fn bucket_of(url: &str) -> Result<(&str, &str), String> {
    let rest = url
        .strip_prefix("s3://")
        .ok_or_else(|| format!("{url:?} is not an S3 bucket URL (s3://BUCKET/PREFIX)"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let is_bucket = (3..=63).contains(&bucket.len())
        && bucket
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.');
    if !is_bucket {
        return Err(format!(
            "{bucket:?} is not a bucket name (3 to 63 lowercase letters, digits, dots, dashes)"
        ));
    }
    Ok((bucket, prefix.trim_matches('/')))
}

/// Connects to the bucket `settings` name and checks that it answers, so that a wrong endpoint,
/// bucket or key stops the server at start rather than at the first photo.
///
/// # Errors
/// The settings are incomplete or the bucket does not answer.
pub(crate) async fn connect(settings: &PhotoStorage, url: &str) -> anyhow::Result<Objects> {
    let (bucket, prefix) = bucket_of(url).map_err(|why| anyhow::anyhow!("photos: {why}"))?;
    let mut builder = AmazonS3Builder::from_env()
        .with_bucket_name(bucket)
        // A failing store answers a chunk with an error within seconds (the phone retries
        // later), rather than holding the request for the library's default three minutes.
        .with_retry(RetryConfig {
            max_retries: 3,
            retry_timeout: std::time::Duration::from_secs(15),
            ..RetryConfig::default()
        });
    if let Some(endpoint) = &settings.s3_endpoint {
        builder = builder
            .with_endpoint(endpoint)
            .with_allow_http(endpoint.starts_with("http://"));
    }
    if let Some(region) = &settings.s3_region {
        builder = builder.with_region(region);
    }
    if let Some(id) = &settings.s3_access_key_id {
        builder = builder.with_access_key_id(id);
    }
    if let Some(key) = &settings.s3_secret_access_key {
        builder = builder.with_secret_access_key(key);
    }
    let bucket_store = builder
        .build()
        .with_context(|| format!("photos: cannot use {url}"))?;
    let store: Arc<dyn ObjectStore> = if prefix.is_empty() {
        Arc::new(bucket_store)
    } else {
        Arc::new(PrefixStore::new(bucket_store, prefix))
    };
    match store.head(&Path::from("relais-reachability-check")).await {
        Ok(_) | Err(object_store::Error::NotFound { .. }) => Ok(Objects::new(store)),
        Err(error) => Err(error).with_context(|| format!("photos: {url} does not answer")),
    }
}
