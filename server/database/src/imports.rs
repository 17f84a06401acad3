//! The back office's long imports as the storage keeps them: one row per job with where it
//! stands, so that the job's page answers on any server of the town (several servers behind a
//! load balancer share one database) and a job outlives the memory of the server running it.
//! What a job is and when it counts as stalled or forgotten are the server's rules
//! (`relais-server`'s `backoffice::imports`); the backend only stores and reads the rows.

use relais_protocol::LocalizedText;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Where an import stands, as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportProgress {
    /// What is being imported ("zones", "annuaire des services").
    pub what: LocalizedText,
    /// The page that started it, where the job's page leads back to.
    pub page: String,
    /// Steps done, out of `steps`.
    pub done: u32,
    pub steps: u32,
    /// The step under way.
    pub doing: LocalizedText,
    /// Set when the job has finished: what it did, or why nothing changed.
    pub outcome: Option<Result<LocalizedText, LocalizedText>>,
}

/// One import job of a town.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportJob {
    pub id: Uuid,
    pub tenant: String,
    pub progress: ImportProgress,
    /// When the job last said how far it got.
    pub updated_at_ms: i64,
    /// When it finished (`None`: under way, or stopped with its server).
    pub finished_at_ms: Option<i64>,
}

/// Which jobs [`Database::begin_import`](crate::Database::begin_import) forgets and which it
/// lets block a new one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImportWindow {
    /// Jobs finished, or last updated, before this instant are deleted.
    pub forget_before_ms: i64,
    /// An unfinished job updated at or after this instant is under way: the town's new import
    /// waits for it. One updated before has stopped with its server and blocks nothing.
    pub stalled_before_ms: i64,
}
