//! The SQLite backend of the Relais server: one file in WAL mode with `synchronous=FULL`, one
//! writer connection behind a mutex (which serializes writes and so the per-tenant change
//! sequence) and a few read-only connections. All rusqlite work runs on the blocking pool.
//!
//! It implements [`relais_server_database::Database`] and knows nothing of the rules: the server
//! hands it decided effects to write.

mod accounts;
mod catalogue;
mod devices;
mod directory;
mod enrolment;
mod erasure;
mod error;
mod export;
mod migrate;
mod photos;
mod pull;
mod push;
#[cfg(test)]
mod testing;
#[cfg(test)]
mod tests;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use relais_protocol::{Catalogue, Directory, PublicService, PushResponse};
use rusqlite::{Connection, OpenFlags};
use tracing::instrument;

use error::corrupt;

use uuid::Uuid;

use relais_server_database::{
    AccountRecord, ChangePage, Database, DbError, DbResult, DeviceRecord, DirectoryImport,
    EnrolmentCreated, FactsQuery, LinkOutcome, LogPosition, NewDevice, NewEnrolment, PushFacts,
    PushPlan, StoredPhoto, TenantSummary, TokenHash, TownDefinition, UploadProgress, UploadState,
    ZoneShape,
};

/// How many read-only connections serve reads concurrently.
const READERS: usize = 4;
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
const STATEMENT_CACHE: usize = 64;

/// A Relais database in one SQLite file. Cheap to clone.
#[derive(Clone)]
pub struct Sqlite {
    writer: Arc<Mutex<Connection>>,
    readers: Arc<[Mutex<Connection>]>,
    next_reader: Arc<AtomicUsize>,
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
        let applied = migrate::migrate(&mut writer)?;
        tracing::info!(db.path = %path.display(), migrations.applied = applied, "database ready");
        let readers = (0..READERS)
            .map(|_| {
                let reader = open_connection(path)?;
                reader.pragma_update(None, "query_only", true)?;
                Ok(Mutex::new(reader))
            })
            .collect::<error::DbResult<Vec<_>>>()?;
        Ok(Self {
            writer: Arc::new(Mutex::new(writer)),
            readers: readers.into(),
            next_reader: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// Runs `f` on the writer connection, on the blocking pool.
    async fn write<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> error::DbResult<T> + Send + 'static,
    {
        let writer = Arc::clone(&self.writer);
        tokio::task::spawn_blocking(move || {
            let mut conn = writer.lock().map_err(|_| DbError::Poisoned)?;
            f(&mut conn).map_err(DbError::from)
        })
        .await?
    }

    /// Runs `f` on one of the reader connections, on the blocking pool.
    async fn read<T, F>(&self, f: F) -> DbResult<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> error::DbResult<T> + Send + 'static,
    {
        let readers = Arc::clone(&self.readers);
        let index = self.next_reader.fetch_add(1, Ordering::Relaxed) % readers.len();
        tokio::task::spawn_blocking(move || {
            // A reader holds no state worth distrusting after a panic: ignore the poison.
            let mut conn = readers[index].lock().unwrap_or_else(|e| e.into_inner());
            f(&mut conn).map_err(DbError::from)
        })
        .await?
    }
}

/// The server clock, in the protocol's unit: milliseconds since the Unix epoch.
fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

/// Parses a UUID stored as text by this backend.
fn parse_uuid(text: &str) -> error::DbResult<Uuid> {
    Uuid::parse_str(text).map_err(|e| corrupt(format!("bad uuid {text:?}: {e}")))
}

fn open_connection(path: &Path) -> error::DbResult<Connection> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
        | OpenFlags::SQLITE_OPEN_CREATE
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let conn = Connection::open_with_flags(path, flags)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "foreign_keys", true)?;
    conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
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
    async fn catalogue(&self, tenant: &str) -> DbResult<Option<Catalogue>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| catalogue::catalogue(conn, &tenant))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn directory(&self, tenant: &str) -> DbResult<Option<Directory>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| directory::directory(conn, &tenant))
            .await
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

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %enrolment.tenant))]
    async fn create_enrolment(&self, enrolment: NewEnrolment) -> DbResult<EnrolmentCreated> {
        self.write(move |conn| enrolment::create(conn, &enrolment))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn enrol_device(&self, device: NewDevice, code: TokenHash) -> DbResult<bool> {
        self.write(move |conn| enrolment::enrol(conn, &device, code))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant))]
    async fn device(&self, tenant: &str, token: TokenHash) -> DbResult<Option<DeviceRecord>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| devices::by_token(conn, &tenant, token))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %query.device.tenant))]
    async fn push<F, E>(&self, query: FactsQuery, decide: F) -> DbResult<Result<PushResponse, E>>
    where
        F: FnOnce(PushFacts) -> Result<PushPlan, E> + Send + 'static,
        E: Send + 'static,
    {
        self.write(move |conn| push::push(conn, &query, decide))
            .await
    }

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %tenant, limit = limit))]
    async fn pull(
        &self,
        tenant: &str,
        viewer: Uuid,
        from: Option<LogPosition>,
        limit: u32,
    ) -> DbResult<Option<ChangePage>> {
        let tenant = tenant.to_owned();
        self.read(move |conn| pull::page(conn, &tenant, viewer, from.as_ref(), limit))
            .await
    }

    #[instrument(skip_all, level = "debug", err(level = "warn"))]
    async fn health(&self) -> DbResult<()> {
        if self.writer.is_poisoned() {
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

    #[instrument(skip_all, err(level = "warn"), fields(tenant = %device.tenant))]
    async fn delete_identity(&self, device: &DeviceRecord, now_ms: i64) -> DbResult<Vec<String>> {
        let device = device.clone();
        self.write(move |conn| erasure::delete(conn, &device, now_ms))
            .await
    }
}
