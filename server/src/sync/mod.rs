//! The sync protocol's rules, independent of the storage backend: [`push`] decides what a batch
//! of mutations does, [`pull`] reads a device's scope of the change log with an opaque cursor.
//! The user-readable rejection messages are in [`crate::reasons`].

pub mod pull;
pub mod push;

/// A push batch refused as a whole; nothing of it was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BatchRefusal {
    /// The batch starts beyond the device's next sequence number.
    Gap { expected_seq: u64 },
    /// The batch reuses a recorded sequence number with another mutation id.
    Conflict { expected_seq: u64 },
}
