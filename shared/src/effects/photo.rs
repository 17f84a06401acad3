//! The photo capability: the core asks for picture files to be run through the photo pipeline
//! and kept in the app's photo store (named by SHA-256), for parts of stored photos to upload,
//! and for downloaded photos to be written where the user asked. Handled in Rust by the runtime
//! (`runtime/photos.rs`), off the UI thread: decoding a 12 MP photo takes a while.

use crux_core::{Command, capability::Operation, command::RequestBuilder};
use relais_protocol::{GeoPoint, LocalizedText};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhotoOp {
    /// Process the picture at `path` (JPEG, PNG or WebP; the platform converts HEIC first)
    /// and keep the result.
    Import { path: String },
    /// Read `len` bytes from `offset` of the stored photo `sha256`.
    ReadChunk {
        sha256: String,
        offset: u64,
        len: u64,
    },
    /// Write `bytes` to `path`.
    Save { path: String, bytes: Vec<u8> },
}

#[derive(Debug, Clone, PartialEq)]
pub enum PhotoOutput {
    Imported {
        sha256: String,
        /// The EXIF position of the original, offered to the user as the report's location.
        gps: Option<GeoPoint>,
    },
    Chunk {
        bytes: Vec<u8>,
        /// The stored photo's whole size.
        total: u64,
    },
    Saved,
}

/// Why a photo operation failed, in both languages.
pub type PhotoResult = Result<PhotoOutput, LocalizedText>;

impl Operation for PhotoOp {
    type Output = PhotoResult;
}

/// Runs a photo operation.
#[must_use]
pub fn run<Effect, Event>(
    op: PhotoOp,
) -> RequestBuilder<Effect, Event, impl Future<Output = PhotoResult>>
where
    Effect: From<crux_core::Request<PhotoOp>> + Send + 'static,
    Event: Send + 'static,
{
    Command::request_from_shell(op)
}
