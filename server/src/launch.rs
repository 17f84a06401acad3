//! Starting and stopping the server: lock the data directory, open and migrate the database
//! (a file only its owner reads, or the PostgreSQL database `--database` names), seed, index the
//! zones, then serve on a listener until a shutdown signal, finishing the requests in flight.
//! The HTTP server is generic over the storage: both backends serve the same routes.

use std::future::Future;

use anyhow::Context;
use tokio::net::TcpListener;

use crate::connections;
use crate::lock::DataLock;
use crate::photos::PhotoStore;
use crate::router::{AppState, router};
use crate::seed;
use crate::settings::Settings;
use crate::town::Towns;
use relais_server_database::Database;
use relais_server_postgres::Postgres;
use relais_server_sqlite::Sqlite;

/// A server whose storage is open and ready, not yet listening.
pub struct Server {
    app: App,
    connections: crate::settings::Connections,
    _lock: DataLock,
}

/// A server's storage, whichever backend it is: [`Database`]'s methods return futures of their
/// own types, so the trait is not object safe and a caller matches on the backend instead.
pub enum Storage<'a> {
    Sqlite(&'a Sqlite),
    Postgres(&'a Postgres),
}

/// The server's state on the storage it was started with.
enum App {
    Sqlite(AppState<Sqlite>),
    Postgres(AppState<Postgres>),
}

impl Server {
    /// Opens the database under `settings.data_dir` (creating the directory), seeds the demo
    /// tenant if asked, and indexes every tenant's zones. Fails on an unusable database.
    pub async fn open(settings: &Settings) -> anyhow::Result<Self> {
        create_data_dir(&settings.data_dir)?;
        let lock = DataLock::acquire(&settings.data_dir)?;
        let app = match settings.postgres_url()? {
            Some(url) => {
                App::Postgres(app_state(open_postgres(url, settings).await?, settings).await?)
            }
            None => App::Sqlite(app_state(open_database(settings).await?, settings).await?),
        };
        Ok(Self {
            app,
            connections: settings.connections.clone(),
            _lock: lock,
        })
    }

    /// The routes of this server over its storage, to be driven in process without sockets
    /// (the whole-system simulation in `shared/` sends the core's requests through them).
    pub fn router(&self) -> axum::Router {
        match &self.app {
            App::Sqlite(state) => router(state.clone()),
            App::Postgres(state) => router(state.clone()),
        }
    }

    /// The storage this server serves from, to act on it in process as its routes do (the
    /// whole-system simulation enrols agents and acts as the town's staff through it).
    pub fn storage(&self) -> Storage<'_> {
        match &self.app {
            App::Sqlite(state) => Storage::Sqlite(&state.db),
            App::Postgres(state) => Storage::Postgres(&state.db),
        }
    }

    /// The towns this server holds in memory.
    pub fn towns(&self) -> &Towns {
        match &self.app {
            App::Sqlite(state) => &state.towns,
            App::Postgres(state) => &state.towns,
        }
    }

    /// Serves until `shutdown` completes, then lets the requests in flight finish.
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        match self.app {
            App::Sqlite(state) => serve(state, listener, &self.connections, shutdown).await,
            App::Postgres(state) => serve(state, listener, &self.connections, shutdown).await,
        }
    }
}

/// The state the routes share, on an open database: the towns' catalogues and zones loaded, the
/// photo folders ready.
async fn app_state<D: Database>(db: D, settings: &Settings) -> anyhow::Result<AppState<D>> {
    let towns = Towns::default();
    towns
        .load_all(&db)
        .await
        .context("could not load the towns' catalogues and zones")?;
    if db.tenants().await?.is_empty() {
        tracing::warn!("this server has no town yet");
        eprintln!(
            "relais-server: no town yet. Create one with `relais-server --data {} tenant add \
             --catalogue tenant.json --zones zones.geojson` (see server/seed/README.md), or \
             start with --demo for the demo town.",
            settings.data_dir.display()
        );
    }
    let photos = PhotoStore::from_settings(settings).await?;
    Ok(AppState::new(db, towns, photos)
        .with_secure_cookies(settings.secure_cookies)
        .with_metrics_token(settings.connections.metrics_token.as_deref())
        .with_registration_limits(
            settings.connections.registrations_per_minute,
            settings.connections.town_registrations_per_minute,
        ))
}

/// Serves `state` until `shutdown` completes, then lets the requests in flight finish.
async fn serve<D: Database>(
    state: AppState<D>,
    listener: TcpListener,
    settings: &crate::settings::Connections,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "serving");
    }
    let upkeep = tokio::spawn(upkeep_regularly(state.db.clone()));
    connections::serve(listener, router(state), settings, shutdown).await;
    upkeep.abort();
    tracing::info!("stopped");
    Ok(())
}

/// How often closed reports are dropped from followers' scopes and work lists, and closed
/// requests past their town's retention unlinked from their citizens.
const UPKEEP_PERIOD: std::time::Duration = std::time::Duration::from_secs(3600);

/// Runs [`upkeep`] now and every [`UPKEEP_PERIOD`] on the server's clock.
async fn upkeep_regularly(db: impl Database) {
    let mut every = tokio::time::interval(UPKEEP_PERIOD);
    loop {
        every.tick().await;
        upkeep(&db, crate::clock::now_ms()).await;
    }
}

/// The server's own work on its data at `now_ms`: drops the reports closed long enough ago from
/// zone scopes and work lists (see [`Database::expire`]), and erases the link between citizens
/// and the closed requests past their town's retention (see [`Database::unlink_closed`]).
/// Failures are logged; the next run tries again.
pub(crate) async fn upkeep(db: &impl Database, now_ms: i64) {
    match db.expire(now_ms).await {
        Ok(removed) => tracing::debug!(removed, "closed reports expired from scopes"),
        Err(error) => tracing::error!(%error, "expiring closed reports failed"),
    }
    match db.unlink_closed(now_ms).await {
        Ok(unlinked) => {
            for (tenant, requests) in unlinked {
                tracing::info!(
                    tenant,
                    requests,
                    "closed requests past the town's retention unlinked from their citizens"
                );
            }
        }
        Err(error) => tracing::error!(%error, "applying the towns' retention failed"),
    }
}

/// Opens (creating the data directory) and migrates the database, and seeds the demo tenant if
/// asked: what serving and every administration task start with, without `--database`.
pub async fn open_database(settings: &Settings) -> anyhow::Result<Sqlite> {
    create_data_dir(&settings.data_dir)?;
    let path = settings.database_path();
    private_file(&path)
        .with_context(|| format!("could not restrict the database {}", path.display()))?;
    let db = Sqlite::open(&path)
        .await
        .with_context(|| format!("could not open database {}", path.display()))?;
    seed_demo(&db, settings).await?;
    Ok(db)
}

/// Connects to the PostgreSQL database at `url` and migrates it (once, whatever the number of
/// servers starting), and seeds the demo tenant if asked.
pub(crate) async fn open_postgres(url: &str, settings: &Settings) -> anyhow::Result<Postgres> {
    let db = Postgres::open(url)
        .await
        .context("could not open the PostgreSQL database that --database names")?;
    seed_demo(&db, settings).await?;
    Ok(db)
}

/// Creates or updates the demo tenant and its directory when `--demo` is given.
async fn seed_demo(db: &impl Database, settings: &Settings) -> anyhow::Result<()> {
    if settings.demo {
        let seed = seed::demo().context("the embedded demo seed is invalid")?;
        let changed = db
            .seed(seed)
            .await
            .context("could not seed the demo tenant")?;
        let directory = seed::demo_directory().context("the embedded demo directory is invalid")?;
        let import = db
            .import_directory("demo", directory)
            .await
            .context("could not seed the demo directory")?;
        tracing::info!(tenant = "demo", changed, directory = ?import, "demo tenant seeded");
    }
    Ok(())
}

/// Creates the data directory, readable by its owner only, if it is missing.
pub(crate) fn create_data_dir(dir: &std::path::Path) -> anyhow::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .with_context(|| format!("could not create data directory {}", dir.display()))
}

/// Makes `path` a file only its owner reads and writes (0600), creating it empty if missing,
/// before SQLite opens it: SQLite gives its journal and WAL files the database's permissions,
/// so citizens' data never lands in a world-readable file.
fn private_file(path: &std::path::Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(path)?;
        let mut permissions = file.metadata()?.permissions();
        if permissions.mode() & 0o077 != 0 {
            tracing::warn!(path = %path.display(), "the database was readable by others: now 0600");
            permissions.set_mode(0o600);
            file.set_permissions(permissions)?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Opens the server and serves on `listener` until `shutdown` (tests bind `127.0.0.1:0`).
pub async fn launch(
    settings: &Settings,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    Server::open(settings)
        .await?
        .serve(listener, shutdown)
        .await
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut stream) => {
                stream.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => tracing::info!("interrupted, shutting down"),
        () = terminate => tracing::info!("terminated, shutting down"),
    }
}
