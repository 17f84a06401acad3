//! Storage: the [`Database`] trait every backend implements, its error type and the plain data
//! that crosses it ([`records`]). Domain rules (validation, routing, sequence checks) live outside
//! the backends, in [`crate::sync`]; a backend only reads facts and writes decided effects.
//!
//! [`Sqlite`] is the only backend today; a PostgreSQL one will implement the same trait.

pub mod records;
mod sqlite;

use std::future::Future;

use relais_protocol::{Catalogue, PushResponse};

pub use records::{
    ChangePage, Decision, DeviceRecord, Effect, FactsQuery, LogPosition, NewDevice, NewNote,
    NewReport, PlannedMutation, PushFacts, PushPlan, RecordedMutation, ReportOwner, Role,
    TenantSummary, TokenHash, ZoneShape,
};
pub use sqlite::Sqlite;

use crate::seed::TenantSeed;
use crate::sync::BatchRefusal;

/// A storage failure. Domain refusals are not errors: they are values returned by the methods.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// The backend's driver failed (I/O, constraint, corrupt file...).
    #[error("storage: {0}")]
    Backend(Box<dyn std::error::Error + Send + Sync>),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("database schema is newer than this server (unknown migration {0})")]
    UnknownMigration(String),
    #[error("the writer connection is poisoned by an earlier panic")]
    Poisoned,
    #[error("storage task failed: {0}")]
    Task(#[from] tokio::task::JoinError),
}

pub type DbResult<T> = Result<T, DbError>;

/// The storage of a Relais server. Every method is scoped by tenant, except the global report-id
/// existence check that [`Database::push`] performs for `duplicate_id` (report ids are global).
///
/// Writes are serialized by the backend (one writer), which is what makes the per-tenant change
/// sequence gapless and monotonic in commit order.
pub trait Database: Clone + Send + Sync + 'static {
    /// Creates the tenant or updates its catalogue from `seed`. Idempotent: applying the same seed
    /// again changes nothing (not even the catalogue version). Returns whether anything changed.
    fn seed(&self, seed: TenantSeed) -> impl Future<Output = DbResult<bool>> + Send;

    /// The tenant's id and display name, if it exists.
    fn tenant(&self, tenant: &str) -> impl Future<Output = DbResult<Option<TenantSummary>>> + Send;

    /// Every tenant with its zones and their geometry, to build the in-memory zone indexes.
    fn zone_shapes(
        &self,
    ) -> impl Future<Output = DbResult<Vec<(TenantSummary, Vec<ZoneShape>)>>> + Send;

    /// The public catalogue of `tenant`, or `None` for an unknown tenant.
    fn catalogue(&self, tenant: &str) -> impl Future<Output = DbResult<Option<Catalogue>>> + Send;

    /// Stores a new device of an existing tenant.
    fn register_device(&self, device: NewDevice) -> impl Future<Output = DbResult<()>> + Send;

    /// The device of `tenant` holding the token whose hash is `token`.
    fn device(
        &self,
        tenant: &str,
        token: TokenHash,
    ) -> impl Future<Output = DbResult<Option<DeviceRecord>>> + Send;

    /// Runs one push batch in one write transaction: reads the facts `query` asks for, hands them
    /// to `decide`, then writes the planned outcomes and effects and commits durably before
    /// returning the plan's response. When `decide` refuses the batch, nothing is written.
    fn push<F>(
        &self,
        query: FactsQuery,
        decide: F,
    ) -> impl Future<Output = DbResult<Result<PushResponse, BatchRefusal>>> + Send
    where
        F: FnOnce(PushFacts) -> Result<PushPlan, BatchRefusal> + Send + 'static;

    /// Reads up to `limit` changes of `tenant` after `from`, oldest first, from one consistent
    /// snapshot. A position of another epoch, or beyond the tenant's last change (a server
    /// restored from an older backup), is served from the start with `reset: true`. `None` for an
    /// unknown tenant.
    fn pull(
        &self,
        tenant: &str,
        from: Option<LogPosition>,
        limit: u32,
    ) -> impl Future<Output = DbResult<Option<ChangePage>>> + Send;

    /// Proves the storage answers: a real query on a reader, and a healthy writer.
    fn health(&self) -> impl Future<Output = DbResult<()>> + Send;
}
