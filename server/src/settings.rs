//! The server's settings, read from the command line (or `RELAIS_*` environment variables).

use std::path::PathBuf;

/// Relais sync server: reconciles the reports that citizens file offline.
///
/// Without a subcommand it serves; with one it runs that administration task on the data
/// directory and exits.
#[derive(Debug, Clone, clap::Parser)]
#[command(name = "relais-server", version)]
pub struct Cli {
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
        env = "RELAIS_LISTEN"
    )]
    pub listen: String,

    /// Create or update the demo tenant `demo` (Paris) from the embedded seed.
    #[arg(long, global = true)]
    pub demo: bool,

    /// Format of the logs written to stderr (RUST_LOG sets their level).
    #[arg(long, value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,
    /// Mark the back office's cookies `Secure` (sent over HTTPS only): set it when the server
    /// is reached through HTTPS (a reverse proxy), as it should be off a closed network.
    #[arg(long, env = "RELAIS_SECURE_COOKIES")]
    pub secure_cookies: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

impl Settings {
    /// Where the SQLite database lives.
    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("relais.db")
    }
}
