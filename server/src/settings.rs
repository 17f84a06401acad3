//! The server's settings, read from the command line, `RELAIS_*` environment variables and the
//! configuration file (`--config FILE`, see [`crate::config`]), in that order of precedence.

use std::path::PathBuf;

/// Relais sync server: reconciles the reports that citizens file offline.
///
/// Without a subcommand it serves; with one it runs that administration task on the data
/// directory and exits.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "relais-server", version)]
pub struct Cli {
    /// A TOML file of settings (see `server/relais.example.toml`); flags and `RELAIS_*`
    /// variables override its values.
    #[arg(long, value_name = "FILE", env = "RELAIS_CONFIG", global = true)]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub settings: Settings,

    /// An administration task to run instead of serving.
    #[command(subcommand)]
    pub command: Option<crate::command::Command>,
}

/// Where the server keeps its data, how it listens and logs (shared by serving and the
/// administration tasks).
#[derive(Debug, Clone, clap::Args)]
pub struct Settings {
    /// Directory of the server's data (created if missing); the database is DIR/relais.db.
    #[arg(
        long = "data",
        visible_alias = "data-dir",
        value_name = "DIR",
        default_value = "./relais-data",
        env = "RELAIS_DATA",
        global = true
    )]
    pub data_dir: PathBuf,

    /// Address to listen on (port 0 picks a free port).
    #[arg(
        long,
        value_name = "ADDR",
        default_value = "127.0.0.1:8080",
        env = "RELAIS_LISTEN",
        global = true
    )]
    pub listen: String,

    /// The database, when it is not the SQLite file of the data directory: a PostgreSQL URL
    /// (`postgres://user:password@host:port/database`), for several servers sharing one
    /// database (see docs/postgres.md). The data directory still holds the lock file and, unless
    /// `photos` names a bucket, the photos.
    #[arg(long, value_name = "URL", env = "RELAIS_DATABASE", global = true)]
    pub database: Option<String>,

    /// Create or update the demo tenant `demo` (Paris) from the embedded seed.
    #[arg(long, env = "RELAIS_DEMO", global = true)]
    pub demo: bool,

    /// Format of the logs written to stderr (RUST_LOG sets their level).
    #[arg(
        long,
        value_enum,
        default_value_t = LogFormat::Text,
        env = "RELAIS_LOG_FORMAT",
        global = true
    )]
    pub log_format: LogFormat,
    /// Mark the back office's cookies `Secure` (sent over HTTPS only): set it when the server
    /// is reached through HTTPS (a reverse proxy), as it should be off a closed network.
    #[arg(long, env = "RELAIS_SECURE_COOKIES", global = true)]
    pub secure_cookies: bool,

    /// How clients may connect: timeouts, a connection limit, who reads `/metrics`.
    #[command(flatten)]
    pub connections: Connections,

    /// Where the photos are kept: the data directory, or an S3-compatible bucket.
    #[command(flatten)]
    pub photo_store: PhotoStorage,
}

/// Where the photos are kept. Unset: `photos/` and `uploads/` in the data directory. An
/// S3-compatible bucket lets several servers share them; its credentials may also come from
/// the usual `AWS_*` variables.
#[derive(Clone, Default, clap::Args)]
pub struct PhotoStorage {
    /// An S3-compatible bucket for the photos: `s3://BUCKET` or `s3://BUCKET/PREFIX`.
    #[arg(long, value_name = "URL", env = "RELAIS_PHOTOS", global = true)]
    pub photos: Option<String>,

    /// The S3 endpoint, for a store other than AWS (`http://127.0.0.1:9000`, `https://...`).
    #[arg(long, value_name = "URL", env = "RELAIS_S3_ENDPOINT", global = true)]
    pub s3_endpoint: Option<String>,

    /// The bucket's region (`us-east-1` when neither this nor `AWS_REGION` is set).
    #[arg(long, value_name = "REGION", env = "RELAIS_S3_REGION", global = true)]
    pub s3_region: Option<String>,

    /// The access key id (or `AWS_ACCESS_KEY_ID`).
    #[arg(
        long,
        value_name = "ID",
        env = "RELAIS_S3_ACCESS_KEY_ID",
        global = true
    )]
    pub s3_access_key_id: Option<String>,

    /// The secret access key (or `AWS_SECRET_ACCESS_KEY`).
    #[arg(
        long,
        value_name = "KEY",
        env = "RELAIS_S3_SECRET_ACCESS_KEY",
        global = true
    )]
    pub s3_secret_access_key: Option<String>,
}

impl std::fmt::Debug for PhotoStorage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PhotoStorage")
            .field("photos", &self.photos)
            .field("s3_endpoint", &self.s3_endpoint)
            .field("s3_region", &self.s3_region)
            .field("s3_access_key_id", &self.s3_access_key_id)
            .field(
                "s3_secret_access_key",
                &self.s3_secret_access_key.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// What a client may hold of the server: slow or idle connections are closed, their number is
/// bounded, and the metrics are served only to who holds the token (when one is set).
#[derive(Clone, clap::Args)]
pub struct Connections {
    /// Seconds a client has to send a request's headers; also how long an idle keep-alive
    /// connection waits for its next request before it is closed. 60 s, as nginx's
    /// `client_header_timeout`: a shorter idle close races with clients that reuse the
    /// connection at that moment (at 10 s, 10 of 8,108 pushes under `relais-bench --devices
    /// 1000` were lost in transit and had to be retried; none at 60 s).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 60,
        env = "RELAIS_HEADER_TIMEOUT",
        global = true
    )]
    pub header_timeout: u64,

    /// Seconds a client has to send each part of a request's body (a stalled upload is cut).
    #[arg(
        long,
        value_name = "SECS",
        default_value_t = 30,
        env = "RELAIS_BODY_TIMEOUT",
        global = true
    )]
    pub body_timeout: u64,

    /// Connections served at once; beyond, new ones wait in the system's queue.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 4096,
        env = "RELAIS_MAX_CONNECTIONS",
        global = true
    )]
    pub max_connections: usize,

    /// A bearer token `GET /metrics` requires (`Authorization: Bearer TOKEN`); without it the
    /// metrics are public.
    #[arg(
        long,
        value_name = "TOKEN",
        env = "RELAIS_METRICS_TOKEN",
        global = true
    )]
    pub metrics_token: Option<String>,

    /// Device registrations a minute from one client address (after a burst of as many); beyond,
    /// `429` with `Retry-After`. Phones register once, but many may share a carrier's address.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 30,
        env = "RELAIS_REGISTRATIONS_PER_MINUTE",
        global = true
    )]
    pub registrations_per_minute: u32,

    /// Device registrations a minute into one town, from all addresses together.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 600,
        env = "RELAIS_TOWN_REGISTRATIONS_PER_MINUTE",
        global = true
    )]
    pub town_registrations_per_minute: u32,
}

impl std::fmt::Debug for Connections {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connections")
            .field("header_timeout", &self.header_timeout)
            .field("body_timeout", &self.body_timeout)
            .field("max_connections", &self.max_connections)
            .field("registrations_per_minute", &self.registrations_per_minute)
            .field(
                "town_registrations_per_minute",
                &self.town_registrations_per_minute,
            )
            .field(
                "metrics_token",
                &self.metrics_token.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

impl Default for Connections {
    fn default() -> Self {
        Self {
            header_timeout: 60,
            body_timeout: 30,
            max_connections: 4096,
            metrics_token: None,
            registrations_per_minute: 30,
            town_registrations_per_minute: 600,
        }
    }
}

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl Settings {
    /// Every setting at its default, on `data_dir`, listening on any free port of 127.0.0.1:
    /// what tests and the simulation start from.
    pub fn local(data_dir: PathBuf, demo: bool) -> Self {
        Self {
            data_dir,
            listen: "127.0.0.1:0".into(),
            database: None,
            demo,
            log_format: LogFormat::Text,
            secure_cookies: false,
            connections: Connections::default(),
            photo_store: PhotoStorage::default(),
        }
    }

    /// The PostgreSQL URL that `--database` names, if any; any other kind of URL is refused.
    pub fn postgres_url(&self) -> anyhow::Result<Option<&str>> {
        match self.database.as_deref() {
            None => Ok(None),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Some(url))
            }
            Some(_) => anyhow::bail!(
                "--database takes a PostgreSQL URL (postgres://user@host:port/database); \
                 without it the server keeps its SQLite database in the data directory"
            ),
        }
    }

    /// Where the SQLite database lives.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("relais.db")
    }
}
