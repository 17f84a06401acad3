//! The local store capability: the operations the core asks of the device's durable storage,
//! and their outputs. The implementation is [`crate::store::LocalStore`], run by the runtime on
//! its own thread; tests resolve these operations by hand.
//!
//! Every operation is one SQLite transaction: the model applies a change to its in-memory state
//! only after the store has confirmed it, so what the user sees is never ahead of what is on disk.

mod command;

use crux_core::capability::Operation;
use relais_protocol::{Catalogue, Cursor, Directory};
use uuid::Uuid;

use crate::model::{MyRating, OutboxItem, Registration, Report, draft::DraftReport};

pub use command::{enqueue, load, resequence, write};

/// One durable change or read of the local store.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreOp {
    /// Read everything the device knows.
    Load,
    SaveRegistration(Registration),
    SaveCatalogue(Catalogue),
    SaveLanguage(String),
    /// Save an outbox item and its local effect together. The store gives the item the
    /// device's next sequence number in the same transaction, so a failed write never leaves a
    /// gap.
    Enqueue {
        item: Box<OutboxItem>,
        local: LocalChange,
    },
    SaveDirectory(Box<Directory>),
    /// The report being written, or none.
    SaveDraft(Option<Box<DraftReport>>),
    /// The server has this photo (SHA-256) of one of this device's reports.
    MarkUploaded(String),
    /// Forget everything but the language (after the account was deleted on the server).
    Reset,
    /// Record a push's outcome: items the server accepted are deleted, refused ones are kept
    /// with their reason, and the reports they concern are updated.
    RecordPush {
        accepted: Vec<Uuid>,
        refused: Vec<OutboxItem>,
        reports: Vec<Report>,
    },
    /// Record a failed delivery attempt on these outbox items.
    RecordAttempt {
        items: Vec<OutboxItem>,
    },
    /// Renumber the queued items, in their order, from `from` (after the server asked the queue
    /// to start at another sequence number).
    Resequence {
        from: u64,
    },
    /// Store a page of pulled reports. With `reset`, public reports of other devices are
    /// forgotten first.
    ApplyPull {
        reset: bool,
        reports: Vec<Report>,
        removed: Vec<Uuid>,
        cursor: Cursor,
    },
}

/// What an action changes on the device besides its outbox item.
#[derive(Debug, Clone, PartialEq)]
pub enum LocalChange {
    None,
    /// A report filed or updated by the action.
    Report(Box<Report>),
    /// The citizen's new rating of a service.
    Rating(MyRating),
}

/// What the device knows, as read at start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub registration: Option<Registration>,
    pub catalogue: Option<Catalogue>,
    pub directory: Option<Directory>,
    pub my_ratings: Vec<MyRating>,
    /// Photos the server has.
    pub uploaded: Vec<String>,
    pub draft: Option<DraftReport>,
    pub language: Option<String>,
    pub reports: Vec<Report>,
    pub outbox: Vec<OutboxItem>,
    pub cursor: Cursor,
}

/// Output of a [`StoreOp`].
#[derive(Debug, Clone, PartialEq)]
pub enum StoreOutput {
    Loaded(Box<Snapshot>),
    /// The sequence number given to an enqueued item.
    Enqueued {
        seq: u64,
    },
    /// The new sequence number of each queued item, by mutation id.
    Resequenced(Vec<(Uuid, u64)>),
    Written,
}

/// Why a store operation failed, as text for the user (the disk is full, the file is corrupt...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

impl Operation for StoreOp {
    type Output = Result<StoreOutput, StoreError>;
}
