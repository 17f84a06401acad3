//! The PostgreSQL backend of the Relais server, for a town (or a group of towns) that outgrows
//! one machine: several `relais-server` processes, behind any load balancer, share one
//! PostgreSQL database and stay correct.
//!
//! It implements [`relais_server_database::Database`] with the same tables and statements as
//! the SQLite backend, through tokio-postgres and a deadpool pool (a Postgres-only driver: see
//! the workspace's `Cargo.toml`). What several servers need, and where it is done:
//! - migrations run once, under an advisory lock (`migrate`);
//! - a tenant's writes are serialised by a lock on its row, taken first in every write
//!   transaction: pushes stay exactly-once per device when two servers receive the same
//!   device's retries, and the change log's sequence numbers are committed in their order, so a
//!   pull never skips a change (`changelog` explains why);
//! - pulls read one REPEATABLE READ snapshot (`pull`);
//! - a town's decided writes (`transact`: pushes, staff actions) are committed in groups by a
//!   writer per town, on a thread and connections of its own (`writer`).
//!
//! Where to look: `facts` (what a write reads first), `write` (storing a plan), `entities`
//! (what readers receive), `staff` (accounts, sessions, enrolment codes, devices, audit),
//! `catalogue` (a town's definition and catalogue), `directory`, `photos`, `accounts`,
//! `export` and `erasure` (citizens' accounts, what is stored about them, deleting them),
//! `inbox` (the back office's selections), `open311` (api keys, requests and their updates).

mod accounts;
mod alerts;
mod catalogue;
mod changelog;
mod columns;
mod devices;
mod directory;
pub mod dump;
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
mod pipeline;
mod pull;
mod retention;
mod staff;
pub mod testing;
pub mod tls;
mod write;
mod writer;

use std::sync::Arc;

use deadpool_postgres::{Manager, ManagerConfig, Pool, RecyclingMethod};
use futures::FutureExt;
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
use tokio_postgres::IsolationLevel;
use tracing::instrument;
use uuid::Uuid;

use error::Failure;

/// How many connections one server keeps to PostgreSQL at most for reads and the other writes.
const POOL_SIZE: usize = 16;
/// How many more its towns' writers keep at most ([`writer`]: one while a group is written).
const WRITER_POOL_SIZE: usize = 4;

/// A Relais database in PostgreSQL. Cheap to clone (a handle on the pool).
#[derive(Clone)]
pub struct Postgres {
    pool: Pool,
    /// The reports' public states pull pages serve ([`ReportCache`]).
    reports: Arc<ReportCache>,
    /// The towns' decided writes, committed in groups ([`writer`]).
    writers: writer::Writers,
}

impl Postgres {
    /// Connects to the database at `url` (`postgres://user:password@host:port/database`, or
    /// libpq's `key=value` form) and migrates it. TLS is used as the URL's `sslmode` and
    /// `sslrootcert` ask (see [`tls`]). Fails on an unreachable server, a certificate that
    /// `sslmode` refuses, or a database that a newer server has migrated.
    pub async fn open(url: &str) -> DbResult<Self> {
        let target = tls::Target::parse(url)?;
        let connector = target.connector()?;
        let pool = |size| {
            let manager = Manager::from_config(
                target.config.clone(),
                connector.clone(),
                ManagerConfig {
                    recycling_method: RecyclingMethod::Fast,
                },
            );
            Pool::builder(manager)
                .max_size(size)
                .build()
                .map_err(|e| DbError::Backend(Box::new(e)))
        };
        let db = Self {
            pool: pool(POOL_SIZE)?,
            reports: Arc::default(),
            writers: writer::Writers::start(pool(WRITER_POOL_SIZE)?)?,
        };
        let mut client = db.client().await?;
        let applied = migrate::migrate(&mut client).await?;
        tracing::info!(migrations.applied = applied, "database ready");
        Ok(db)
    }

    async fn client(&self) -> Result<deadpool_postgres::Object, Failure> {
        Ok(self.pool.get().await?)
    }
}

/// Runs `$body` (an async expression using the transaction `$tx`) in a read-write transaction
/// of `$db` ([`pipeline::Tx`]: statements may be sent ahead), and commits it when `$body`
/// succeeded (an error rolls everything back).
macro_rules! write {
    ($db:expr, |$tx:ident| $body:expr) => {{
        let mut client = $db.client().await?;
        let transaction = client.transaction().await.map_err(Failure::from)?;
        let value = {
            let $tx = pipeline::Tx::new(&transaction);
            let result = $body.await;
            $tx.finish(result).await?
        };
        transaction.commit().await.map_err(Failure::from)?;
        Ok::<_, DbError>(value)
    }};
}

/// Runs `$body` in a read-only transaction of `$db` that sees one snapshot throughout.
macro_rules! read {
    ($db:expr, |$tx:ident| $body:expr) => {{
        let mut client = $db.client().await?;
        let $tx = client
            .build_transaction()
            .isolation_level(IsolationLevel::RepeatableRead)
            .read_only(true)
            .start()
            .await
            .map_err(Failure::from)?;
        let value = $body.await?;
        $tx.commit().await.map_err(Failure::from)?;
        Ok::<_, DbError>(value)
    }};
}

/// The server clock, in the protocol's unit: milliseconds since the Unix epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

use relais_server_database::stored::{status as parse_status, uuid as parse_uuid};

impl Database for Postgres {
    #[instrument(skip_all, err(level = "warn"), fields(tenant = %seed.tenant.id))]
    async fn seed(&self, seed: TownDefinition) -> DbResult<bool> {
        write!(self, |tx| catalogue::seed(&tx, &seed))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn tenant(&self, tenant: &str) -> DbResult<Option<TenantSummary>> {
        read!(self, |tx| catalogue::tenant(&tx, tenant))
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn zone_shapes(&self) -> DbResult<Vec<(TenantSummary, Vec<ZoneShape>)>> {
        read!(self, |tx| catalogue::zone_shapes(&tx))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn catalogue_version(&self, tenant: &str) -> DbResult<Option<i64>> {
        read!(self, |tx| catalogue::catalogue_version(&tx, tenant))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn catalogue(&self, tenant: &str) -> DbResult<Option<Catalogue>> {
        read!(self, |tx| catalogue::catalogue(&tx, tenant))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn town_definition(&self, tenant: &str) -> DbResult<Option<TownDefinition>> {
        read!(self, |tx| catalogue::town_definition(&tx, tenant))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn directory(&self, tenant: &str) -> DbResult<Option<Directory>> {
        read!(self, |tx| directory::directory(&tx, tenant))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn directory_stamp(&self, tenant: &str) -> DbResult<Option<DirectoryStamp>> {
        read!(self, |tx| directory::stamp(&tx, tenant))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant, entries = services.len()))]
    async fn import_directory(
        &self,
        tenant: &str,
        services: Vec<PublicService>,
    ) -> DbResult<Option<DirectoryImport>> {
        write!(self, |tx| directory::import(&tx, tenant, &services))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn register_device(&self, device: NewDevice) -> DbResult<()> {
        write!(self, |tx| devices::register(&tx, &device))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn enrol_device(
        &self,
        device: NewDevice,
        code: TokenHash,
    ) -> DbResult<Option<StaffMember>> {
        write!(self, |tx| staff::enrol(&tx, &device, code))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn device(&self, tenant: &str, token: TokenHash) -> DbResult<Option<DeviceRecord>> {
        read!(self, |tx| devices::by_token(&tx, tenant, token))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %query.tenant))]
    async fn transact<F, R, E>(&self, query: FactsQuery, decide: F) -> DbResult<Result<R, E>>
    where
        F: FnOnce(Facts) -> Result<(Plan, R), E> + Send + 'static,
        R: Send + 'static,
        E: Send + 'static,
    {
        let tenant = query.tenant.clone();
        self.writers
            .write(&tenant, move |tx| {
                async move {
                    // The group locked the tenant: the facts are current until its commit.
                    let facts = facts::read(tx, &query).await?;
                    match decide(facts) {
                        Ok((plan, answer)) => {
                            write::apply(tx, &plan).await?;
                            Ok(Ok(answer))
                        }
                        // Nothing was written: the savepoint has nothing to roll back.
                        Err(refusal) => Ok(Err(refusal)),
                    }
                }
                .boxed()
            })
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn follows(&self, tenant: &str, citizen: &str) -> DbResult<Vec<FollowedZone>> {
        read!(self, |tx| entities::follows(&tx, tenant, citizen))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %scope.tenant, limit = limit))]
    async fn pull(&self, scope: Scope, from: Position, limit: u32) -> DbResult<Option<ChangePage>> {
        read!(self, |tx| pull::page(
            &tx,
            &self.reports,
            &scope,
            &from,
            limit
        ))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn nearby(&self, tenant: &str, query: NearbyQuery) -> DbResult<Vec<NearbyReport>> {
        read!(self, |tx| facts::originals(&tx, tenant, &query))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn public_reports(&self, tenant: &str, ids: Vec<Uuid>) -> DbResult<Vec<PublicReport>> {
        let mut found = read!(self, |tx| entities::reports(
            &tx,
            tenant,
            &facts::texts(&ids)
        ))?;
        Ok(ids.iter().filter_map(|id| found.remove(id)).collect())
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn task(&self, tenant: &str, id: Uuid) -> DbResult<Option<Task>> {
        let mut found = read!(self, |tx| entities::tasks(&tx, tenant, &[id.to_string()]))?;
        Ok(found.remove(&id))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %query.tenant))]
    async fn inbox(&self, query: InboxQuery) -> DbResult<InboxPage> {
        read!(self, |tx| inbox::inbox(&tx, &query))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %query.tenant))]
    async fn activity(&self, query: ActivityQuery) -> DbResult<Vec<RequestDates>> {
        read!(self, |tx| inbox::activity(&tx, &query))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn service_ratings(&self, tenant: &str) -> DbResult<Vec<ServiceRating>> {
        read!(self, |tx| inbox::service_ratings(&tx, tenant))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = ?staff.tenant))]
    async fn add_staff(&self, staff: NewStaff) -> DbResult<StaffChange> {
        write!(self, |tx| staff::add(&tx, &staff))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = ?tenant))]
    async fn staff_accounts(&self, tenant: Option<String>) -> DbResult<Vec<StaffAccount>> {
        read!(self, |tx| staff::accounts(&tx, tenant.as_deref()))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = ?tenant))]
    async fn set_staff_disabled(
        &self,
        tenant: Option<String>,
        email: String,
        disabled_at_ms: Option<i64>,
    ) -> DbResult<StaffChange> {
        write!(self, |tx| staff::set_disabled(
            &tx,
            tenant.as_deref(),
            &email,
            disabled_at_ms
        ))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = ?tenant))]
    async fn set_staff_password(
        &self,
        tenant: Option<String>,
        email: String,
        password_hash: String,
    ) -> DbResult<StaffChange> {
        write!(self, |tx| staff::set_password(
            &tx,
            tenant.as_deref(),
            &email,
            &password_hash
        ))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = ?tenant))]
    async fn staff_account(
        &self,
        tenant: Option<String>,
        email: String,
    ) -> DbResult<Option<StaffAccount>> {
        let accounts = read!(self, |tx| staff::accounts(&tx, tenant.as_deref()))?;
        Ok(accounts
            .into_iter()
            .find(|account| account.member.profile.email == email))
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn create_session(&self, token: TokenHash, staff: Uuid, now_ms: i64) -> DbResult<()> {
        write!(self, |tx| staff::create_session(&tx, token, staff, now_ms))
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn session(
        &self,
        token: TokenHash,
        now_ms: i64,
        idle_since_ms: i64,
        opened_since_ms: i64,
    ) -> DbResult<Option<StaffMember>> {
        let found = read!(self, |tx| staff::session(
            &tx,
            token,
            idle_since_ms,
            opened_since_ms
        ))?;
        let Some((member, last_seen_ms)) = found else {
            return Ok(None);
        };
        // A session's last use moves at most once a minute: a page of requests is one write.
        if now_ms - last_seen_ms >= 60_000 {
            write!(self, |tx| staff::touch_session(&tx, token, now_ms))?;
        }
        Ok(Some(member))
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn end_session(&self, token: TokenHash, now_ms: i64) -> DbResult<bool> {
        write!(self, |tx| staff::end_session(&tx, token, now_ms))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %enrolment.tenant))]
    async fn create_enrolment(&self, enrolment: NewEnrolment) -> DbResult<StaffChange> {
        write!(self, |tx| staff::create_enrolment(&tx, &enrolment))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn enrolments(&self, tenant: &str) -> DbResult<Vec<EnrolmentRecord>> {
        read!(self, |tx| staff::enrolments(&tx, tenant))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn revoke_enrolment(&self, tenant: &str, id: &str, at_ms: i64) -> DbResult<bool> {
        write!(self, |tx| staff::revoke_enrolment(&tx, tenant, id, at_ms))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn devices(&self, tenant: &str, staff_only: bool) -> DbResult<Vec<DeviceListing>> {
        read!(self, |tx| staff::devices(&tx, tenant, staff_only))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn revoke_device(&self, tenant: &str, device: Uuid, at_ms: i64) -> DbResult<bool> {
        write!(self, |tx| staff::revoke_device(&tx, tenant, device, at_ms))
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn expire(&self, now_ms: i64) -> DbResult<usize> {
        write!(self, |tx| pull::expire(&tx, now_ms))
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn set_retention(&self, tenant: &str, days: Option<u32>) -> DbResult<bool> {
        write!(self, |tx| retention::set(&tx, tenant, days))
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn unlink_closed(&self, now_ms: i64) -> DbResult<Vec<(String, usize)>> {
        write!(self, |tx| retention::unlink_closed(&tx, now_ms))
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn tenants(&self) -> DbResult<Vec<TenantSummary>> {
        read!(self, |tx| catalogue::tenants(&tx))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn set_routing(
        &self,
        tenant: &str,
        category: &str,
        zone: &str,
        service: Option<String>,
    ) -> DbResult<StaffChange> {
        write!(self, |tx| catalogue::set_routing(
            &tx,
            tenant,
            category,
            zone,
            service.as_deref()
        ))
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
        write!(self, |tx| staff::audit(
            &tx,
            tenant.as_deref(),
            staff,
            &action,
            &detail,
            at_ms
        ))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn published_alerts(
        &self,
        tenant: &str,
        since_ms: i64,
        limit: u32,
    ) -> DbResult<Vec<PublishedAlert>> {
        read!(self, |tx| alerts::published(&tx, tenant, since_ms, limit))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %job.tenant))]
    async fn begin_import(&self, job: ImportJob, window: ImportWindow) -> DbResult<bool> {
        write!(self, |tx| imports::begin(&tx, &job, window))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %job.tenant))]
    async fn update_import(&self, job: ImportJob) -> DbResult<()> {
        write!(self, |tx| imports::update(&tx, &job))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn import_job(&self, tenant: &str, id: Uuid) -> DbResult<Option<ImportJob>> {
        read!(self, |tx| imports::get(&tx, tenant, id))
    }

    #[instrument(skip_all, level = "debug", err(level = "warn"))]
    async fn health(&self) -> DbResult<()> {
        let client = self.client().await?;
        client
            .query_one("SELECT 1", &[])
            .await
            .map_err(Failure::from)?;
        Ok(())
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn upload_state(&self, tenant: &str, sha256: &str) -> DbResult<UploadState> {
        read!(self, |tx| photos::state(&tx, tenant, sha256))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %progress.tenant))]
    async fn record_upload(&self, progress: UploadProgress) -> DbResult<()> {
        write!(self, |tx| photos::record(&tx, &progress))
    }

    #[instrument(skip_all, err(level = "warn"))]
    async fn discard_upload(&self, sha256: &str) -> DbResult<()> {
        write!(self, |tx| photos::discard(&tx, sha256))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %photo.tenant))]
    async fn store_photo(&self, photo: StoredPhoto) -> DbResult<()> {
        write!(self, |tx| photos::store(&tx, &photo))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn photo_readable(&self, tenant: &str, device: Uuid, sha256: &str) -> DbResult<bool> {
        read!(self, |tx| photos::readable(&tx, tenant, device, sha256))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn account(&self, device: &DeviceRecord) -> DbResult<Option<AccountRecord>> {
        read!(self, |tx| accounts::account(&tx, device))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn save_account(
        &self,
        device: &DeviceRecord,
        details: relais_protocol::account::AccountDetails,
        link_code: TokenHash,
        now_ms: i64,
    ) -> DbResult<AccountRecord> {
        write!(self, |tx| accounts::save(
            &tx, device, &details, link_code, now_ms
        ))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn link_account(
        &self,
        device: &DeviceRecord,
        code: TokenHash,
        next_code: TokenHash,
    ) -> DbResult<LinkOutcome> {
        write!(self, |tx| accounts::link(&tx, device, code, next_code))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn export(
        &self,
        device: &DeviceRecord,
        now_ms: i64,
    ) -> DbResult<relais_protocol::account::Export> {
        read!(self, |tx| export::export(&tx, device, now_ms))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %key.device.tenant))]
    async fn add_api_key(&self, key: NewApiKey) -> DbResult<bool> {
        write!(self, |tx| open311::add_key(&tx, &key))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn api_key(&self, tenant: &str, key: TokenHash) -> DbResult<Option<DeviceRecord>> {
        read!(self, |tx| open311::device(&tx, tenant, key))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn api_keys(&self, tenant: &str) -> DbResult<Vec<ApiKeyRecord>> {
        read!(self, |tx| open311::keys(&tx, tenant))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn revoke_api_key(&self, tenant: &str, id: Uuid, at_ms: i64) -> DbResult<bool> {
        write!(self, |tx| open311::revoke_key(&tx, tenant, id, at_ms))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %query.tenant))]
    async fn request_ids(&self, query: RequestQuery) -> DbResult<Vec<Uuid>> {
        read!(self, |tx| open311::request_ids(&tx, &query))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %query.tenant))]
    async fn request_updates(&self, query: UpdateQuery) -> DbResult<Vec<RequestUpdate>> {
        read!(self, |tx| open311::updates(&tx, &query))
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn delete_identity(&self, device: &DeviceRecord, now_ms: i64) -> DbResult<Vec<String>> {
        write!(self, |tx| erasure::delete(&tx, device, now_ms))
    }
}
