//! The storage of a Relais server: the [`Database`] trait every backend implements, its error
//! type, and the plain data that crosses it ([`records`], [`town`]).
//!
//! The server is layered as HTTP → rules and staff operations → this trait ← one crate per
//! backend (`relais-server-sqlite` today). Domain rules (validation, routing, sequence checks)
//! live above, in the server; a backend only reads facts and writes decided effects, so it never
//! depends on the rules and the rules never depend on a backend.

pub mod alerts;
pub mod columns;
pub mod facts;
pub mod imports;
pub mod listing;
pub mod open311;
pub mod records;
pub mod report_cache;
pub mod sample;
pub mod scope;
pub mod staff;
pub mod stored;
pub mod town;
pub mod writes;

use std::future::Future;

use relais_protocol::{Catalogue, Directory, FollowedZone, PublicReport, PublicService, Task};
use uuid::Uuid;

pub use alerts::PublishedAlert;
pub use facts::{
    CitizenFollow, Facts, FactsQuery, NearbyQuery, NearbyReport, RecordedMutation, ReportFacts,
};
pub use imports::{ImportJob, ImportProgress, ImportWindow};
pub use listing::{ActivityQuery, Assignee, InboxPage, InboxQuery, RequestDates, ServiceRating};
pub use open311::{ApiKeyRecord, NewApiKey, RequestQuery, RequestUpdate, UpdateQuery};
pub use records::{
    AccountRecord, DeviceRecord, DirectoryImport, DirectoryStamp, LinkOutcome, NewDevice,
    StaffMember, StoredPhoto, TenantSummary, TokenHash, UploadProgress, UploadState, ZoneShape,
    anonymous_device,
};
pub use report_cache::{PageReports, ReportCache, Snapshot};
pub use scope::{ChangePage, LogRow, PageCut, PageEntities, PageRead, Position, Scope, page_ids};
pub use staff::{
    DeviceListing, EnrolmentRecord, NewEnrolment, NewStaff, StaffAccount, StaffChange,
};
pub use town::{
    CategorySource, TownCategory, TownDefinition, TownEntry, TownFile, TownSettingsFile, TownZone,
};
pub use writes::Plan;

/// The name of the thread each backend commits a town's writes on (SQLite's one writer, the
/// runtime of PostgreSQL's town writers): that work cannot spread over the cores, and
/// benchmarks read its CPU time by this name.
pub const WRITER_THREAD: &str = "relais-db-writer";

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

/// The storage of a Relais server. Every method is scoped by tenant; report ids are unique per
/// tenant (the same id may name a report in each town, and one town never sees another's).
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

    /// The version of `tenant`'s catalogue, or `None` for an unknown tenant: one cheap read,
    /// for a server to see whether the catalogue it holds is still the current one (an
    /// administrator's command or another server may have changed it).
    fn catalogue_version(&self, tenant: &str)
    -> impl Future<Output = DbResult<Option<i64>>> + Send;

    /// The definition of `tenant` as stored now (what [`Database::seed`] stored, with the
    /// administrators' changes since, `digest` the last one stored), for the back office to
    /// change and store again through [`Database::seed`]; `None` for an unknown tenant.
    fn town_definition(
        &self,
        tenant: &str,
    ) -> impl Future<Output = DbResult<Option<TownDefinition>>> + Send;

    /// The public catalogue of `tenant`, or `None` for an unknown tenant.
    fn catalogue(&self, tenant: &str) -> impl Future<Output = DbResult<Option<Catalogue>>> + Send;

    /// The directory of public services of `tenant`, each with its rating summary when at least
    /// the tenant's minimum sample of citizens rated it; `None` for an unknown tenant.
    fn directory(&self, tenant: &str) -> impl Future<Output = DbResult<Option<Directory>>> + Send;

    /// The stamp of `tenant`'s directory ([`DirectoryStamp`]), or `None` for an unknown tenant:
    /// one cheap read, for a server to see whether the directory it serialised is still current.
    fn directory_stamp(
        &self,
        tenant: &str,
    ) -> impl Future<Output = DbResult<Option<DirectoryStamp>>> + Send;

    /// Adds or updates (by id) directory entries of `tenant` in one transaction; their `ratings`
    /// are ignored. Idempotent: the directory version is bumped only if an entry was added or
    /// changed. Entries not in `services` are kept. `None` for an unknown tenant.
    fn import_directory(
        &self,
        tenant: &str,
        services: Vec<PublicService>,
    ) -> impl Future<Output = DbResult<Option<DirectoryImport>>> + Send;

    /// Stores a new citizen device of an existing tenant.
    fn register_device(&self, device: NewDevice) -> impl Future<Output = DbResult<()>> + Send;

    /// Consumes the enrolment code whose hash is `code` (of the device's tenant, unused, not
    /// revoked, not expired at `device.created_at_ms`, of an enabled account) and stores the
    /// device as the code's staff member's, in one transaction. `None`, and nothing written, when
    /// there is no such code.
    fn enrol_device(
        &self,
        device: NewDevice,
        code: TokenHash,
    ) -> impl Future<Output = DbResult<Option<StaffMember>>> + Send;

    /// The device of `tenant` holding the token whose hash is `token`, unless revoked (or its
    /// staff member's account disabled).
    fn device(
        &self,
        tenant: &str,
        token: TokenHash,
    ) -> impl Future<Output = DbResult<Option<DeviceRecord>>> + Send;

    /// Runs one write in one transaction: reads the facts `query` asks for, hands them to
    /// `decide`, then writes the plan it returns (its ledger entries and writes, re-stamping the
    /// change log as [`writes`] describes) and commits durably before returning `decide`'s
    /// answer. When `decide` refuses (with its own error type), nothing is written.
    ///
    /// Writes are serialized (one writer, which is what makes the per-tenant change sequence
    /// gapless and monotonic in commit order); a backend may commit several writes together.
    fn transact<F, R, E>(
        &self,
        query: FactsQuery,
        decide: F,
    ) -> impl Future<Output = DbResult<Result<R, E>>> + Send
    where
        F: FnOnce(Facts) -> Result<(Plan, R), E> + Send + 'static,
        R: Send + 'static,
        E: Send + 'static;

    /// The zones a citizen follows.
    fn follows(
        &self,
        tenant: &str,
        citizen: &str,
    ) -> impl Future<Output = DbResult<Vec<FollowedZone>>> + Send;

    /// Reads one page of at most `limit` changes of `scope` after `from`, from one consistent
    /// snapshot. A position of another epoch, or beyond the tenant's last change (a server
    /// restored from an older backup), is served from the start with `reset: true`. `None` for
    /// an unknown tenant.
    fn pull(
        &self,
        scope: Scope,
        from: Position,
        limit: u32,
    ) -> impl Future<Output = DbResult<Option<ChangePage>>> + Send;

    /// The open originals near a point (see [`NearbyQuery`]) of `tenant`.
    fn nearby(
        &self,
        tenant: &str,
        query: NearbyQuery,
    ) -> impl Future<Output = DbResult<Vec<NearbyReport>>> + Send;

    /// The public state of these reports of `tenant` (unknown ids are left out).
    fn public_reports(
        &self,
        tenant: &str,
        ids: Vec<Uuid>,
    ) -> impl Future<Output = DbResult<Vec<PublicReport>>> + Send;

    /// A report of `tenant` as its service's staff see it.
    fn task(&self, tenant: &str, id: Uuid) -> impl Future<Output = DbResult<Option<Task>>> + Send;

    /// The first requests of a selection (the back office's inbox), with its counts, from one
    /// consistent snapshot.
    fn inbox(&self, query: InboxQuery) -> impl Future<Output = DbResult<InboxPage>> + Send;

    /// The dates of the requests a selection received in a period (the operations dashboard).
    fn activity(
        &self,
        query: ActivityQuery,
    ) -> impl Future<Output = DbResult<Vec<RequestDates>>> + Send;

    /// The citizens' current ratings of `tenant`'s public services.
    fn service_ratings(
        &self,
        tenant: &str,
    ) -> impl Future<Output = DbResult<Vec<ServiceRating>>> + Send;

    /// Creates a staff account.
    fn add_staff(&self, staff: NewStaff) -> impl Future<Output = DbResult<StaffChange>> + Send;

    /// The staff accounts of `tenant` (`None`: the operators), by e-mail.
    fn staff_accounts(
        &self,
        tenant: Option<String>,
    ) -> impl Future<Output = DbResult<Vec<StaffAccount>>> + Send;

    /// Disables (or enables again) an account: a disabled member's devices and sessions stop
    /// working at once.
    fn set_staff_disabled(
        &self,
        tenant: Option<String>,
        email: String,
        disabled_at_ms: Option<i64>,
    ) -> impl Future<Output = DbResult<StaffChange>> + Send;

    /// Sets an account's password hash (argon2id PHC string).
    fn set_staff_password(
        &self,
        tenant: Option<String>,
        email: String,
        password_hash: String,
    ) -> impl Future<Output = DbResult<StaffChange>> + Send;

    /// One staff account of `tenant` (`None`: an operator) by e-mail, enabled or not.
    fn staff_account(
        &self,
        tenant: Option<String>,
        email: String,
    ) -> impl Future<Output = DbResult<Option<StaffAccount>>> + Send;

    /// Stores a new web session of a staff member (the token's hash only).
    fn create_session(
        &self,
        token: TokenHash,
        staff: Uuid,
        now_ms: i64,
    ) -> impl Future<Output = DbResult<()>> + Send;

    /// The enabled staff member holding the session `token`, unless it was ended, unused since
    /// before `idle_since_ms`, or opened before `opened_since_ms`. Its last use becomes `now_ms`
    /// (written at most once a minute).
    fn session(
        &self,
        token: TokenHash,
        now_ms: i64,
        idle_since_ms: i64,
        opened_since_ms: i64,
    ) -> impl Future<Output = DbResult<Option<StaffMember>>> + Send;

    /// Ends a session (logout). Whether there was one to end.
    fn end_session(
        &self,
        token: TokenHash,
        now_ms: i64,
    ) -> impl Future<Output = DbResult<bool>> + Send;

    /// Stores a one-time enrolment code for a staff member's device.
    fn create_enrolment(
        &self,
        enrolment: NewEnrolment,
    ) -> impl Future<Output = DbResult<StaffChange>> + Send;

    /// The enrolment codes of `tenant`, newest first.
    fn enrolments(
        &self,
        tenant: &str,
    ) -> impl Future<Output = DbResult<Vec<EnrolmentRecord>>> + Send;

    /// Revokes the unused enrolment code of `tenant` whose hash starts with `id`.
    fn revoke_enrolment(
        &self,
        tenant: &str,
        id: &str,
        at_ms: i64,
    ) -> impl Future<Output = DbResult<bool>> + Send;

    /// The devices of `tenant`: the staff devices, or every device.
    fn devices(
        &self,
        tenant: &str,
        staff_only: bool,
    ) -> impl Future<Output = DbResult<Vec<DeviceListing>>> + Send;

    /// Revokes a device of `tenant` (a lost phone): its token stops working at once.
    fn revoke_device(
        &self,
        tenant: &str,
        device: Uuid,
        at_ms: i64,
    ) -> impl Future<Output = DbResult<bool>> + Send;

    /// Drops from zone and service scopes the reports closed for longer than each tenant's
    /// `closed_visible_days`, and the alerts that ended as long ago (incremental: each run
    /// starts where the last stopped). Returns how many change-log rows went.
    fn expire(&self, now_ms: i64) -> impl Future<Output = DbResult<usize>> + Send;

    /// Sets how many days after its closure a request of `tenant` keeps its link to the
    /// citizen who filed it (`None`: kept for good); false when there is no such tenant.
    fn set_retention(
        &self,
        tenant: &str,
        days: Option<u32>,
    ) -> impl Future<Output = DbResult<bool>> + Send;

    /// Erases the link between citizens and the requests closed longer ago than their tenant's
    /// retention (the request stays, re-pointed to the tenant's anonymous device; its
    /// supporters, followers and citizens' change-log rows go), with an audit entry per tenant
    /// (incremental: each run starts where the last stopped). Returns, per tenant that had
    /// some, how many requests were unlinked.
    fn unlink_closed(
        &self,
        now_ms: i64,
    ) -> impl Future<Output = DbResult<Vec<(String, usize)>>> + Send;

    /// Every tenant of the server.
    fn tenants(&self) -> impl Future<Output = DbResult<Vec<TenantSummary>>> + Send;

    /// Routes reports of `category` in `zone` of `tenant` to `service` (or removes that rule
    /// with `None`), bumping the catalogue version. Reports already received keep their
    /// service.
    fn set_routing(
        &self,
        tenant: &str,
        category: &str,
        zone: &str,
        service: Option<String>,
    ) -> impl Future<Output = DbResult<StaffChange>> + Send;

    /// Records an administrative act (who, what) in the tenant's audit log.
    fn audit(
        &self,
        tenant: Option<String>,
        staff: Option<Uuid>,
        action: String,
        detail: serde_json::Value,
        at_ms: i64,
    ) -> impl Future<Output = DbResult<()>> + Send;

    /// The alerts of `tenant` ending at or after `since_ms`, latest start first (at most
    /// `limit`), with who published them.
    fn published_alerts(
        &self,
        tenant: &str,
        since_ms: i64,
        limit: u32,
    ) -> impl Future<Output = DbResult<Vec<PublishedAlert>>> + Send;

    /// Records the new import `job` unless its town has one under way (see [`ImportWindow`]),
    /// after deleting the jobs `window` forgets. `false`: another import of the town is under
    /// way, nothing recorded.
    fn begin_import(
        &self,
        job: ImportJob,
        window: ImportWindow,
    ) -> impl Future<Output = DbResult<bool>> + Send;

    /// Records where import `job` stands now (its progress and instants).
    fn update_import(&self, job: ImportJob) -> impl Future<Output = DbResult<()>> + Send;

    /// Import job `id` of `tenant`; `None` for an unknown job or another town's.
    fn import_job(
        &self,
        tenant: &str,
        id: Uuid,
    ) -> impl Future<Output = DbResult<Option<ImportJob>>> + Send;

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

    /// Stores an Open311 api key with the citizen device its application files requests as, in
    /// one transaction. `false`, and nothing written, for an unknown tenant.
    fn add_api_key(&self, key: NewApiKey) -> impl Future<Output = DbResult<bool>> + Send;

    /// The device of `tenant` the holder of the api key whose hash is `key` files requests as,
    /// unless the key was revoked.
    fn api_key(
        &self,
        tenant: &str,
        key: TokenHash,
    ) -> impl Future<Output = DbResult<Option<DeviceRecord>>> + Send;

    /// The api keys of `tenant`, oldest first.
    fn api_keys(&self, tenant: &str) -> impl Future<Output = DbResult<Vec<ApiKeyRecord>>> + Send;

    /// Revokes the api key of `tenant` whose id is `id`, and its device, at once. Whether there
    /// was such a key, not yet revoked.
    fn revoke_api_key(
        &self,
        tenant: &str,
        id: Uuid,
        at_ms: i64,
    ) -> impl Future<Output = DbResult<bool>> + Send;

    /// The ids of the requests (reports) matching `query`, newest received first.
    fn request_ids(&self, query: RequestQuery) -> impl Future<Output = DbResult<Vec<Uuid>>> + Send;

    /// The updates of `query.tenant`'s requests in its period, oldest first.
    fn request_updates(
        &self,
        query: UpdateQuery,
    ) -> impl Future<Output = DbResult<Vec<RequestUpdate>>> + Send;

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
