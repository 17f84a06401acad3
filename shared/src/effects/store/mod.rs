//! The local store capability: the operations the core asks of the device's durable storage,
//! and their outputs. The implementation is [`crate::store::LocalStore`], run by the runtime on
//! its own thread; tests resolve these operations by hand.
//!
//! Every operation is one SQLite transaction: the model applies a change to its in-memory state
//! only after the store has confirmed it, so what the user sees is never ahead of what is on disk.
//! The model holds only what its views need; lists are answered by queries.

mod command;

use std::collections::BTreeMap;

use crux_core::capability::Operation;
use relais_protocol::{
    Catalogue, Change, Cursor, Directory, FollowedZone, PublicReport, ZoneAlert,
};
use uuid::Uuid;

use crate::{
    model::{
        HeldReport, MyRating, OutboxItem, Registration, Report,
        draft::DraftReport,
        lists::{Position, ReportQuery, WorkQuery},
    },
    store::UploadState,
};

pub use command::{
    apply_pull, enqueue, held_report, load, prune, reports, requeue, resequence, work, write,
};

/// One durable change or read of the local store.
#[derive(Debug, Clone, PartialEq)]
pub enum StoreOp {
    /// Read what the core keeps in memory.
    Load,
    SaveRegistration(Registration),
    /// The catalogue, with the `ETag` the server gave it.
    SaveCatalogue {
        catalogue: Catalogue,
        etag: Option<String>,
    },
    SaveDirectory {
        directory: Box<Directory>,
        etag: Option<String>,
    },
    SaveLanguage(String),
    /// Send pushes uncompressed until then (the server refused a compressed one).
    SavePlainPushUntil(i64),
    /// Save an outbox item and its local effect together. The store gives the item the
    /// device's next sequence number in the same transaction, so a failed write never leaves a
    /// gap, and a staff change its base version (see [`crate::model::chain`]). `replaces` is a
    /// refused item this one applies again: it leaves the outbox in the same transaction.
    Enqueue {
        item: Box<OutboxItem>,
        local: LocalChange,
        replaces: Option<Uuid>,
    },
    /// The report being written, or none.
    SaveDraft(Option<Box<DraftReport>>),
    /// Where photos still to send stand (a photo already sent stays sent); `None` once the
    /// server has them whole.
    SetUploads {
        sha256s: Vec<String>,
        state: Option<UploadState>,
    },
    /// Forget everything but the language (the identity is gone on the server).
    Reset,
    /// Record a push's outcome: items the server accepted are deleted (their photos may be
    /// sent), refused ones are kept with their reason, and the reports they concern are updated.
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
    /// Put the kept acknowledged mutations numbered `from` or more back in the queue, as they
    /// were sent (the server's history went back behind them: a restored backup).
    Requeue {
        from: u64,
    },
    /// Apply a pulled page and its cursor.
    ApplyPull(Box<PullPage>),
    /// Drop what the device holds for no reason any more.
    Prune(PruneRule),
    /// Keep reports the server showed (nearby answers), so the user can act on them.
    PutReports(Vec<PublicReport>),
    GetReport(Uuid),
    /// A list of reports; `zones` are the codes the query's zone covers.
    QueryReports {
        query: ReportQuery,
        zones: Option<Vec<String>>,
    },
    /// The work list of a staff device; `me` is the staff member's e-mail.
    QueryWork {
        query: WorkQuery,
        me: Option<String>,
        now_ms: i64,
    },
    /// The open reports of a category within `radius_m` of a point, nearest first, at most
    /// `limit` (read by grid cell, [`relais_domain::geo::cells_within`]).
    Nearby {
        category: String,
        here: Position,
        radius_m: f64,
        limit: usize,
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

/// A page of the change log, as the server sent it.
#[derive(Debug, Clone, PartialEq)]
pub struct PullPage {
    /// Forget what came from others and the work list first.
    pub reset: bool,
    /// With a reset, the first of its sync run: put the acknowledged mutations back in the
    /// queue in the same transaction (once a run, so a server answering resets again and
    /// again cannot keep a device syncing).
    pub requeue: bool,
    pub changes: Vec<Change>,
    pub cursor: Cursor,
}

/// What a pulled page changed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PullApplied {
    /// The new state of the reports the core keeps in memory that the page touched.
    pub held: Vec<HeldReport>,
    /// Reports the page removed.
    pub removed: Vec<Uuid>,
    /// Alerts this device had never seen.
    pub new_alerts: Vec<ZoneAlert>,
    /// The citizen's followed zones, if the page said.
    pub follows: Option<Vec<FollowedZone>>,
    /// Report, task and removal changes.
    pub received: u32,
    /// On a reset page: the kept acknowledged mutations put back in the queue in the same
    /// transaction (the server may have lost them), so that a device dying right after the
    /// reset still sends them again.
    pub requeued: Vec<crate::model::outbox::OutboxItem>,
}

/// What the device may drop: reports of others (and tasks) closed before `closed_before_ms`;
/// with `followed_zones` known, reports of others held for no zone among them (unless it
/// supports them or they are the original of one of its reports); alerts ended before
/// `alerts_ended_before_ms`. Own reports and the reports the queue refers to always stay.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PruneRule {
    pub closed_before_ms: i64,
    pub followed_zones: Option<Vec<String>>,
    pub alerts_ended_before_ms: i64,
}

/// What the core keeps in memory, as read at start.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Snapshot {
    pub registration: Option<Registration>,
    pub catalogue: Option<Catalogue>,
    pub catalogue_etag: Option<String>,
    pub directory: Option<Directory>,
    pub directory_etag: Option<String>,
    pub my_ratings: Vec<MyRating>,
    /// Photos still to send.
    pub uploads: BTreeMap<String, UploadState>,
    pub draft: Option<DraftReport>,
    pub language: Option<String>,
    /// The citizen's own reports and those the outbox refers to.
    pub held: Vec<HeldReport>,
    pub outbox: Vec<OutboxItem>,
    pub cursor: Cursor,
    /// The zones the citizen follows, once a server said.
    pub follows: Option<Vec<FollowedZone>>,
    pub alerts: Vec<ZoneAlert>,
    pub plain_push_until_ms: Option<i64>,
}

/// Output of a [`StoreOp`].
#[derive(Debug, Clone, PartialEq)]
pub enum StoreOutput {
    Loaded(Box<Snapshot>),
    /// The item as saved: with its sequence number and, for a staff change, its base version.
    Enqueued(Box<OutboxItem>),
    /// The new sequence number of each queued item, by mutation id.
    Resequenced(Vec<(Uuid, u64)>),
    /// The acknowledged mutations put back in the queue, in sequence order.
    Requeued(Vec<OutboxItem>),
    Pulled(PullApplied),
    /// How many reports were dropped.
    Pruned(u32),
    Report(Option<Box<HeldReport>>),
    Reports(Vec<Report>),
    Work(Vec<HeldReport>),
    Written,
}

/// Why a store operation failed, as text for the user (the disk is full, the file is corrupt...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct StoreError(pub String);

impl Operation for StoreOp {
    type Output = Result<StoreOutput, StoreError>;
}
