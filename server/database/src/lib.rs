//! The storage of a Relais server: the [`Database`] trait every backend implements, its error
//! type, and the plain data that crosses it ([`records`], [`town`]).
//!
//! The server is layered as HTTP → rules and staff operations → this trait ← one crate per
//! backend (`relais-server-sqlite` today). Domain rules (validation, routing, sequence checks)
//! live above, in the server; a backend only reads facts and writes decided effects, so it never
//! depends on the rules and the rules never depend on a backend.

pub mod records;
pub mod town;

use std::future::Future;

use relais_protocol::{Catalogue, Directory, PublicService, PushResponse};

pub use records::{AccountRecord, LinkOutcome, StoredPhoto, UploadProgress, UploadState};
pub use records::{
    CategoryFacts, ChangePage, Decision, DeviceRecord, DirectoryImport, Effect, EnrolmentCreated,
    FactsQuery, LogPosition, NearbyPoint, NearbyQuery, NearbyReport, NewDevice, NewEnrolment,
    NewNote, NewRating, NewReport, NewSupport, PlannedMutation, PushFacts, PushPlan,
    RecordedMutation, ReportFacts, Role, TenantSummary, TokenHash, Transition, ZoneShape,
};
pub use town::{
    CategorySource, TownCategory, TownDefinition, TownEntry, TownFile, TownSettingsFile, TownZone,
};

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
    fn seed(&self, seed: TownDefinition) -> impl Future<Output = DbResult<bool>> + Send;

    /// The tenant's id and display name, if it exists.
    fn tenant(&self, tenant: &str) -> impl Future<Output = DbResult<Option<TenantSummary>>> + Send;

    /// Every tenant with its zones and their geometry, to build the in-memory zone indexes.
    fn zone_shapes(
        &self,
    ) -> impl Future<Output = DbResult<Vec<(TenantSummary, Vec<ZoneShape>)>>> + Send;

    /// The public catalogue of `tenant`, or `None` for an unknown tenant.
    fn catalogue(&self, tenant: &str) -> impl Future<Output = DbResult<Option<Catalogue>>> + Send;

    /// The directory of public services of `tenant`, each with its rating summary when at least
    /// the tenant's minimum sample of citizens rated it; `None` for an unknown tenant.
    fn directory(&self, tenant: &str) -> impl Future<Output = DbResult<Option<Directory>>> + Send;

    /// Adds or updates (by id) directory entries of `tenant` in one transaction; their `ratings`
    /// are ignored. Idempotent: the directory version is bumped only if an entry was added or
    /// changed. Entries not in `services` are kept. `None` for an unknown tenant.
    fn import_directory(
        &self,
        tenant: &str,
        services: Vec<PublicService>,
    ) -> impl Future<Output = DbResult<Option<DirectoryImport>>> + Send;

    /// Stores a new device of an existing tenant.
    fn register_device(&self, device: NewDevice) -> impl Future<Output = DbResult<()>> + Send;

    /// Stores a one-time enrolment code for an agent of a service of an existing tenant.
    fn create_enrolment(
        &self,
        enrolment: NewEnrolment,
    ) -> impl Future<Output = DbResult<EnrolmentCreated>> + Send;

    /// Consumes the enrolment code whose hash is `code` (of the device's tenant, unused, not
    /// expired at `device.created_at_ms`) and stores the device as an agent of the code's service,
    /// in one transaction. `false`, and nothing written, when there is no such code.
    fn enrol_device(
        &self,
        device: NewDevice,
        code: TokenHash,
    ) -> impl Future<Output = DbResult<bool>> + Send;

    /// The device of `tenant` holding the token whose hash is `token`.
    fn device(
        &self,
        tenant: &str,
        token: TokenHash,
    ) -> impl Future<Output = DbResult<Option<DeviceRecord>>> + Send;

    /// Runs one push batch in one write transaction: reads the facts `query` asks for, hands them
    /// to `decide`, then writes the planned outcomes and effects and commits durably before
    /// returning the plan's response. When `decide` refuses the batch (with its own error type),
    /// nothing is written.
    fn push<F, E>(
        &self,
        query: FactsQuery,
        decide: F,
    ) -> impl Future<Output = DbResult<Result<PushResponse, E>>> + Send
    where
        F: FnOnce(PushFacts) -> Result<PushPlan, E> + Send + 'static,
        E: Send + 'static;

    /// Reads up to `limit` changes of `tenant` after `from` that device `viewer` may see (the
    /// public ones and those scoped to its citizen), oldest first, from one consistent snapshot.
    /// A position of another epoch, or beyond the tenant's last change (a server restored from an
    /// older backup), is served from the start with `reset: true`. `None` for an unknown tenant.
    fn pull(
        &self,
        tenant: &str,
        viewer: uuid::Uuid,
        from: Option<LogPosition>,
        limit: u32,
    ) -> impl Future<Output = DbResult<Option<ChangePage>>> + Send;

    /// Proves the storage answers: a real query on a reader, and a healthy writer.
    fn health(&self) -> impl Future<Output = DbResult<()>> + Send;

    /// What the server holds of photo `sha256` for `tenant`: stored for it, partly uploaded (by
    /// any tenant), or nothing.
    fn upload_state(
        &self,
        tenant: &str,
        sha256: &str,
    ) -> impl Future<Output = DbResult<UploadState>> + Send;

    /// Records the progress of a partial upload (creating it, or taking it over from another
    /// tenant) once its bytes are durably on disk.
    fn record_upload(&self, progress: UploadProgress) -> impl Future<Output = DbResult<()>> + Send;

    /// Forgets the partial upload of `sha256`, if any.
    fn discard_upload(&self, sha256: &str) -> impl Future<Output = DbResult<()>> + Send;

    /// Indexes a checked photo for its tenant and forgets its partial upload, in one transaction.
    fn store_photo(&self, photo: StoredPhoto) -> impl Future<Output = DbResult<()>> + Send;

    /// Whether `device` of `tenant` may read photo `sha256`: the tenant holds it, and a report of
    /// the tenant lists it or the device uploaded it.
    fn photo_readable(
        &self,
        tenant: &str,
        device: uuid::Uuid,
        sha256: &str,
    ) -> impl Future<Output = DbResult<bool>> + Send;

    /// The account `device` is linked to, if any.
    fn account(
        &self,
        device: &DeviceRecord,
    ) -> impl Future<Output = DbResult<Option<AccountRecord>>> + Send;

    /// Creates the device's account with `details`, or updates the one it is linked to, and
    /// replaces its link code by `link_code` (a hash), in one transaction.
    fn save_account(
        &self,
        device: &DeviceRecord,
        details: relais_protocol::account::AccountDetails,
        link_code: TokenHash,
        now_ms: i64,
    ) -> impl Future<Output = DbResult<AccountRecord>> + Send;

    /// Links `device` to the account of its tenant holding the link code `code` (a hash), which
    /// is used up and replaced by `next_code`.
    fn link_account(
        &self,
        device: &DeviceRecord,
        code: TokenHash,
        next_code: TokenHash,
    ) -> impl Future<Output = DbResult<LinkOutcome>> + Send;

    /// Everything stored about the caller: its account and all the account's devices, or the
    /// device alone, from one consistent snapshot. The account's `link_code` is empty (only its
    /// hash is stored).
    fn export(
        &self,
        device: &DeviceRecord,
        now_ms: i64,
    ) -> impl Future<Output = DbResult<relais_protocol::account::Export>> + Send;

    /// Deletes the caller's identity in one transaction: its account and devices (their tokens
    /// stop working), supports (the reports' counts drop and are re-stamped) and current ratings;
    /// the rating history loses its link to the person; reports and notes stay, re-pointed to the
    /// tenant's anonymous device. Returns the photos whose partial uploads were dropped.
    fn delete_identity(
        &self,
        device: &DeviceRecord,
        now_ms: i64,
    ) -> impl Future<Output = DbResult<Vec<String>>> + Send;
}
