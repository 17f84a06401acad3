//! The SQLite backend of the Relais server: one file in WAL mode with `synchronous=FULL`, one
//! writer thread that owns the only writing connection and commits queued writes together, and a
//! few read-only connections (`pool`).
//!
//! It implements [`relais_server_database::Database`] and knows nothing of the rules: the server
//! hands it decided plans to write. Where to look: `facts` (what a write reads first),
//! `write` (storing a plan), `changelog` (re-stamping the change log's buckets), `pull` (a
//! page of a scope), `entities` (what readers receive), `staff` (accounts, enrolment codes,
//! devices, audit), `catalogue` (a town's definition and catalogue).

mod accounts;
mod alerts;
mod catalogue;
mod changelog;
mod columns;
mod devices;
mod directory;
mod entities;
mod erasure;
mod error;
mod export;
mod facts;
mod imports;
mod inbox;
mod json;
mod migrate;
mod open311;
mod photos;
#[cfg(test)]
mod plans;
mod pool;
mod pull;
mod retention;
mod staff;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;
mod write;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use relais_protocol::{Catalogue, Directory, FollowedZone, PublicReport, PublicService, Task};
use relais_server_database::{
    AccountRecord, ActivityQuery, ApiKeyRecord, ChangePage, Database, DbError, DbResult,
    DeviceListing, DeviceRecord, DirectoryImport, DirectoryStamp, EnrolmentRecord, Facts,
    FactsQuery, ImportJob, ImportWindow, InboxPage, InboxQuery, LinkOutcome, NearbyQuery,
    NearbyReport, NewApiKey, NewDevice, NewEnrolment, NewStaff, Plan, Position, PublishedAlert,
    ReportCache, RequestDates, RequestQuery, RequestUpdate, Scope, ServiceRating, StaffAccount,
    StaffChange, StaffMember, StoredPhoto, TenantSummary, TokenHash, TownDefinition, UpdateQuery,
    UploadProgress, UploadState, ZoneShape,
};
use rusqlite::config::DbConfig;
use rusqlite::{Connection, OpenFlags};
use tracing::instrument;
use uuid::Uuid;

use error::corrupt;
use pool::Connections;

const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const STATEMENT_CACHE: usize = 128;
/// The part of the file the writer maps into memory (address space, not memory used).
const MMAP_BYTES: i64 = 1 << 30;
/// Each connection's page cache, in KiB (SQLite's default is 2 MiB).
const CACHE_KIB: i64 = 16 * 1024;

/// A Relais database in one SQLite file. Cheap to clone.
#[derive(Clone)]
pub struct Sqlite {
    connections: Connections,
    /// The reports' public states pull pages serve ([`ReportCache`]).
    reports: Arc<ReportCache>,
}

impl Sqlite {
    /// Opens (creating if needed) and migrates the database at `path`. Fails on a file that is
    /// not a SQLite database, or that a newer server has migrated.
    pub async fn open(path: &Path) -> DbResult<Self> {
        let path = path.to_owned();
        Ok(tokio::task::spawn_blocking(move || Self::open_blocking(&path)).await??)
    }

    fn open_blocking(path: &Path) -> error::DbResult<Self> {
        let mut writer = open_connection(path)?;
        let mode: String = writer.query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(corrupt(format!("cannot switch to WAL (mode {mode})")));
        }
        // FULL: a commit is on disk before we acknowledge it; NORMAL can lose the last
        // transactions on power loss in WAL mode.
        writer.pragma_update(None, "synchronous", "FULL")?;
        // The journal of each write's savepoint (the pages it changes) stays in memory: past
        // 64 KiB SQLite spills it to a temporary file, and a push changes more than that.
        writer.pragma_update(None, "temp_store", "MEMORY")?;
        // The writer reads its pages through a memory map instead of a `pread` copy each. Not
        // the readers: a reader drops its map whenever another connection wrote since its last
        // read, that is at nearly every read under load, and `munmap` then costs more than the
        // copies it saved (1,000 phones: 4-9% more sync requests per second without it).
        writer.pragma_update(None, "mmap_size", MMAP_BYTES)?;
        let applied = migrate::migrate(&mut writer)?;
        tracing::info!(db.path = %path.display(), migrations.applied = applied, "database ready");
        Ok(Self {
            connections: Connections::start(path, writer, open_connection)?,
            reports: Arc::default(),
        })
    }

    async fn write<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> error::DbResult<T> + Send + 'static,
    {
        self.connections.write(f).await
    }

    async fn read<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> error::DbResult<T> + Send + 'static,
    {
        self.connections.read(f).await
    }
}

/// The server clock, in the protocol's unit: milliseconds since the Unix epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

use relais_server_database::stored::{status as parse_status, uuid as parse_uuid};

fn open_connection(path: &Path) -> error::DbResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    // A larger page cache: a pull page reads hundreds of rows scattered over the file.
    conn.pragma_update(None, "cache_size", -CACHE_KIB)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
    // Plans never depend on the values bound: without this, SQLite reads a bound `LIMIT ?` to
    // plan with, and then prepares the statement again each time it is bound (a pull page's
    // log query once per bucket: a twentieth of the server's CPU under 1,000 phones).
    conn.set_db_config(DbConfig::SQLITE_DBCONFIG_ENABLE_QPSG, true)?;
    Ok(conn)
}

impl Database for Sqlite {
    #[instrument(skip_all, err(level = "warn"), fields(tenant = %seed.tenant.id))]
    async fn seed(&self, seed: TownDefinition) -> DbResult<bool> {
        self.write(move |conn| catalogue::seed(conn, &seed)).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn tenant(&self, tenant: &str) -> DbResult<Option<TenantSummary>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| catalogue::tenant(conn, &tenant))
            .await
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn zone_shapes(&self) -> DbResult<Vec<(TenantSummary, Vec<ZoneShape>)>> {
        self.read(catalogue::zone_shapes).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn catalogue_version(&self, tenant: &str) -> DbResult<Option<i64>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| catalogue::catalogue_version(conn, &tenant))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn catalogue(&self, tenant: &str) -> DbResult<Option<Catalogue>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| catalogue::catalogue(conn, &tenant))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn town_definition(&self, tenant: &str) -> DbResult<Option<TownDefinition>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| catalogue::town_definition(conn, &tenant))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn directory(&self, tenant: &str) -> DbResult<Option<Directory>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| directory::directory(conn, &tenant))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn directory_stamp(&self, tenant: &str) -> DbResult<Option<DirectoryStamp>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| directory::stamp(conn, &tenant)).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant, entries = services.len()))]
    async fn import_directory(
        &self,
        tenant: &str,
        services: Vec<PublicService>,
    ) -> DbResult<Option<DirectoryImport>> {
        let tenant = tenant.to_owned();
        self.write(move |conn| directory::import(conn, &tenant, &services))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn register_device(&self, device: NewDevice) -> DbResult<()> {
        self.write(move |conn| devices::register(conn, &device))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn enrol_device(
        &self,
        device: NewDevice,
        code: TokenHash,
    ) -> DbResult<Option<StaffMember>> {
        self.write(move |conn| staff::enrol(conn, &device, code))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn device(&self, tenant: &str, token: TokenHash) -> DbResult<Option<DeviceRecord>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| devices::by_token(conn, &tenant, token))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %query.tenant))]
    async fn transact<F, R, E>(&self, query: FactsQuery, decide: F) -> DbResult<Result<R, E>>
    where
        F: FnOnce(Facts) -> Result<(Plan, R), E> + Send + 'static,
        R: Send + 'static,
        E: Send + 'static,
    {
        self.write(move |conn| {
            let facts = facts::read(conn, &query)?;
            match decide(facts) {
                Ok((plan, answer)) => {
                    write::apply(conn, &plan)?;
                    Ok(Ok(answer))
                }
                // Nothing was written: the savepoint has nothing to roll back.
                Err(refusal) => Ok(Err(refusal)),
            }
        })
        .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn follows(&self, tenant: &str, citizen: &str) -> DbResult<Vec<FollowedZone>> {
        let (tenant, citizen) = (tenant.to_owned(), citizen.to_owned());
        self.read(move |conn| entities::follows(conn, &tenant, &citizen))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %scope.tenant, limit = limit))]
    async fn pull(&self, scope: Scope, from: Position, limit: u32) -> DbResult<Option<ChangePage>> {
        let reports = Arc::clone(&self.reports);
        self.read(move |conn| pull::page(conn, &reports, &scope, &from, limit))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn nearby(&self, tenant: &str, query: NearbyQuery) -> DbResult<Vec<NearbyReport>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| facts::originals(conn, &tenant, &query))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn public_reports(&self, tenant: &str, ids: Vec<Uuid>) -> DbResult<Vec<PublicReport>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| {
            let tx = conn.transaction()?;
            let texts: Vec<String> = ids.iter().map(Uuid::to_string).collect();
            let keys: Vec<&str> = texts.iter().map(String::as_str).collect();
            let mut found = entities::reports(&tx, &tenant, &keys)?;
            Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
        })
        .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn task(&self, tenant: &str, id: Uuid) -> DbResult<Option<Task>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| {
            let tx = conn.transaction()?;
            let key = id.to_string();
            Ok(entities::tasks(&tx, &tenant, &[key.as_str()])?.remove(&id))
        })
        .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %query.tenant))]
    async fn inbox(&self, query: InboxQuery) -> DbResult<InboxPage> {
        self.read(move |conn| inbox::inbox(conn, &query)).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %query.tenant))]
    async fn activity(&self, query: ActivityQuery) -> DbResult<Vec<RequestDates>> {
        self.read(move |conn| inbox::activity(conn, &query)).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn service_ratings(&self, tenant: &str) -> DbResult<Vec<ServiceRating>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| inbox::service_ratings(conn, &tenant))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = ?staff.tenant))]
    async fn add_staff(&self, staff: NewStaff) -> DbResult<StaffChange> {
        self.write(move |conn| staff::add(conn, &staff)).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = ?tenant))]
    async fn staff_accounts(&self, tenant: Option<String>) -> DbResult<Vec<StaffAccount>> {
        self.read(move |conn| staff::accounts(conn, tenant.as_deref()))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = ?tenant))]
    async fn set_staff_disabled(
        &self,
        tenant: Option<String>,
        email: String,
        disabled_at_ms: Option<i64>,
    ) -> DbResult<StaffChange> {
        self.write(move |conn| staff::set_disabled(conn, tenant.as_deref(), &email, disabled_at_ms))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = ?tenant))]
    async fn set_staff_password(
        &self,
        tenant: Option<String>,
        email: String,
        password_hash: String,
    ) -> DbResult<StaffChange> {
        self.write(move |conn| staff::set_password(conn, tenant.as_deref(), &email, &password_hash))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = ?tenant))]
    async fn staff_account(
        &self,
        tenant: Option<String>,
        email: String,
    ) -> DbResult<Option<StaffAccount>> {
        self.read(move |conn| staff::account(conn, tenant.as_deref(), &email))
            .await
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn create_session(&self, token: TokenHash, staff: Uuid, now_ms: i64) -> DbResult<()> {
        self.write(move |conn| staff::create_session(conn, token, staff, now_ms))
            .await
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn session(
        &self,
        token: TokenHash,
        now_ms: i64,
        idle_since_ms: i64,
        opened_since_ms: i64,
    ) -> DbResult<Option<StaffMember>> {
        let found = self
            .read(move |conn| staff::session(conn, token, idle_since_ms, opened_since_ms))
            .await?;
        let Some((member, last_seen_ms)) = found else {
            return Ok(None);
        };
        // A session's last use moves at most once a minute: a page of requests is one write.
        if now_ms - last_seen_ms >= 60_000 {
            self.write(move |conn| staff::touch_session(conn, token, now_ms))
                .await?;
        }
        Ok(Some(member))
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn end_session(&self, token: TokenHash, now_ms: i64) -> DbResult<bool> {
        self.write(move |conn| staff::end_session(conn, token, now_ms))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %enrolment.tenant))]
    async fn create_enrolment(&self, enrolment: NewEnrolment) -> DbResult<StaffChange> {
        self.write(move |conn| staff::create_enrolment(conn, &enrolment))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn enrolments(&self, tenant: &str) -> DbResult<Vec<EnrolmentRecord>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| staff::enrolments(conn, &tenant))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn revoke_enrolment(&self, tenant: &str, id: &str, at_ms: i64) -> DbResult<bool> {
        let (tenant, id) = (tenant.to_owned(), id.to_owned());
        self.write(move |conn| staff::revoke_enrolment(conn, &tenant, &id, at_ms))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn devices(&self, tenant: &str, staff_only: bool) -> DbResult<Vec<DeviceListing>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| staff::devices(conn, &tenant, staff_only))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn revoke_device(&self, tenant: &str, device: Uuid, at_ms: i64) -> DbResult<bool> {
        let tenant = tenant.to_owned();
        self.write(move |conn| staff::revoke_device(conn, &tenant, device, at_ms))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = ?tenant, action = %action))]
    async fn audit(
        &self,
        tenant: Option<String>,
        staff: Option<Uuid>,
        action: String,
        detail: serde_json::Value,
        at_ms: i64,
    ) -> DbResult<()> {
        self.write(move |conn| {
            staff::audit(conn, tenant.as_deref(), staff, &action, &detail, at_ms)
        })
        .await
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn tenants(&self) -> DbResult<Vec<TenantSummary>> {
        self.read(catalogue::tenants).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn set_routing(
        &self,
        tenant: &str,
        category: &str,
        zone: &str,
        service: Option<String>,
    ) -> DbResult<StaffChange> {
        let (tenant, category, zone) = (tenant.to_owned(), category.to_owned(), zone.to_owned());
        self.write(move |conn| {
            catalogue::set_routing(conn, &tenant, &category, &zone, service.as_deref())
        })
        .await
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn expire(&self, now_ms: i64) -> DbResult<usize> {
        self.write(move |conn| pull::expire(conn, now_ms)).await
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn set_retention(&self, tenant: &str, days: Option<u32>) -> DbResult<bool> {
        let tenant = tenant.to_owned();
        self.write(move |conn| retention::set(conn, &tenant, days))
            .await
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn unlink_closed(&self, now_ms: i64) -> DbResult<Vec<(String, usize)>> {
        self.write(move |conn| retention::unlink_closed(conn, now_ms))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn published_alerts(
        &self,
        tenant: &str,
        since_ms: i64,
        limit: u32,
    ) -> DbResult<Vec<PublishedAlert>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| alerts::published(conn, &tenant, since_ms, limit))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %job.tenant))]
    async fn begin_import(&self, job: ImportJob, window: ImportWindow) -> DbResult<bool> {
        self.write(move |conn| imports::begin(conn, &job, window))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %job.tenant))]
    async fn update_import(&self, job: ImportJob) -> DbResult<()> {
        self.write(move |conn| imports::update(conn, &job)).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn import_job(&self, tenant: &str, id: Uuid) -> DbResult<Option<ImportJob>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| imports::get(conn, &tenant, id)).await
    }

    #[instrument(skip_all, level = "debug", err(level = "warn"))]
    async fn health(&self) -> DbResult<()> {
        if self.connections.is_poisoned() {
            return Err(DbError::Poisoned);
        }
        self.read(|conn| Ok(conn.query_row("SELECT 1", [], |row| row.get::<_, i64>(0))?))
            .await
            .map(drop)
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn upload_state(&self, tenant: &str, sha256: &str) -> DbResult<UploadState> {
        let (tenant, sha256) = (tenant.to_owned(), sha256.to_owned());
        self.read(move |conn| photos::state(conn, &tenant, &sha256))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %progress.tenant))]
    async fn record_upload(&self, progress: UploadProgress) -> DbResult<()> {
        self.write(move |conn| photos::record(conn, &progress))
            .await
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn discard_upload(&self, sha256: &str) -> DbResult<()> {
        let sha256 = sha256.to_owned();
        self.write(move |conn| photos::discard(conn, &sha256)).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %photo.tenant))]
    async fn store_photo(&self, photo: StoredPhoto) -> DbResult<()> {
        self.write(move |conn| photos::store(conn, &photo)).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn photo_readable(&self, tenant: &str, device: Uuid, sha256: &str) -> DbResult<bool> {
        let (tenant, sha256) = (tenant.to_owned(), sha256.to_owned());
        self.read(move |conn| photos::readable(conn, &tenant, device, &sha256))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn account(&self, device: &DeviceRecord) -> DbResult<Option<AccountRecord>> {
        let device = device.clone();
        self.read(move |conn| accounts::account(conn, &device))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn save_account(
        &self,
        device: &DeviceRecord,
        details: relais_protocol::account::AccountDetails,
        link_code: TokenHash,
        now_ms: i64,
    ) -> DbResult<AccountRecord> {
        let device = device.clone();
        self.write(move |conn| accounts::save(conn, &device, &details, link_code, now_ms))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn link_account(
        &self,
        device: &DeviceRecord,
        code: TokenHash,
        next_code: TokenHash,
    ) -> DbResult<LinkOutcome> {
        let device = device.clone();
        self.write(move |conn| accounts::link(conn, &device, code, next_code))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn export(
        &self,
        device: &DeviceRecord,
        now_ms: i64,
    ) -> DbResult<relais_protocol::account::Export> {
        let device = device.clone();
        self.read(move |conn| export::export(conn, &device, now_ms))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %key.device.tenant))]
    async fn add_api_key(&self, key: NewApiKey) -> DbResult<bool> {
        self.write(move |conn| open311::add_key(conn, &key)).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn api_key(&self, tenant: &str, key: TokenHash) -> DbResult<Option<DeviceRecord>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| open311::device(conn, &tenant, key))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn api_keys(&self, tenant: &str) -> DbResult<Vec<ApiKeyRecord>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| open311::keys(conn, &tenant)).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn revoke_api_key(&self, tenant: &str, id: Uuid, at_ms: i64) -> DbResult<bool> {
        let tenant = tenant.to_owned();
        self.write(move |conn| open311::revoke_key(conn, &tenant, id, at_ms))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %query.tenant))]
    async fn request_ids(&self, query: RequestQuery) -> DbResult<Vec<Uuid>> {
        self.read(move |conn| open311::request_ids(conn, &query))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %query.tenant))]
    async fn request_updates(&self, query: UpdateQuery) -> DbResult<Vec<RequestUpdate>> {
        self.read(move |conn| open311::updates(conn, &query)).await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn delete_identity(&self, device: &DeviceRecord, now_ms: i64) -> DbResult<Vec<String>> {
        let device = device.clone();
        self.write(move |conn| erasure::delete(conn, &device, now_ms))
            .await
    }
}
