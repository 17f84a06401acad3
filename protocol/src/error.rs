//! The JSON body of every non-2xx answer: a stable machine code and a readable message.

use serde::{Deserialize, Serialize};

/// Stable machine-readable error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// The body is not valid JSON for this endpoint.
    MalformedRequest,
    /// The body is larger than [`crate::MAX_BODY_BYTES`].
    BodyTooLarge,
    /// Missing, unknown or revoked bearer token, or a token of another tenant.
    Unauthorized,
    /// No such tenant on this server.
    UnknownTenant,
    NotFound,
    /// A pushed batch does not start at the device's next sequence number; see `expected_seq`.
    SequenceGap,
    /// A pushed mutation reuses a sequence number the server already holds for another
    /// mutation; see `expected_seq`.
    SequenceConflict,
    /// An upload chunk does not start where the server's copy ends; see `expected_offset`.
    OffsetMismatch,
    /// An upload chunk's bytes do not match its checksum: it was not kept.
    ChecksumMismatch,
    /// A finished upload's bytes do not match its name (SHA-256): it was discarded.
    DigestMismatch,
    /// Not an image this server accepts (JPEG).
    UnsupportedMedia,
    /// The caller may not do this.
    Forbidden,
    /// The town's rules refuse this action now; `reason` says why, in French and English.
    Refused,
    /// The report changed since the version the action was based on; `reason` names it.
    Conflict,
    /// Too many attempts: wait the `Retry-After` header's seconds.
    TooManyRequests,
    /// The server could not do its work; retry later.
    Internal,
    /// The storage is unreachable (health check).
    Unavailable,
}

/// Error body: `{"error": "sequence_gap", "message": "...", "expected_seq": 4}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApiError {
    pub error: ErrorCode,
    pub message: String,
    /// With `sequence_gap` and `sequence_conflict`: the sequence number the server expects next.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_seq: Option<u64>,
    /// With `offset_mismatch`: the bytes of the photo the server holds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_offset: Option<u64>,
    /// With `refused`, `conflict` and `forbidden` from the staff API: the rules' reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<crate::Reason>,
}

impl ApiError {
    pub fn new(error: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            error,
            message: message.into(),
            expected_seq: None,
            expected_offset: None,
            reason: None,
        }
    }
}
