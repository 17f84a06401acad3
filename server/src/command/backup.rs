//! `relais-server backup --out FILE` and `relais-server restore --from FILE --data DIR`: the
//! operator's side of [`crate::backup`]. A backup runs beside a serving server; a restoration
//! refuses a directory a server serves or that holds data already. With `--database`, the
//! PostgreSQL database is dumped and restored with `pg_dump` and `pg_restore`.

use std::path::PathBuf;

use crate::backup;
use crate::settings::Settings;

/// Writes a consistent backup of the data directory (database and photos) to one tar file.
#[derive(Debug, Clone, clap::Args)]
pub struct Backup {
    /// The archive to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    #[command(flatten)]
    pub tools: PostgresTools,
}

/// Restores a backup into a new data directory.
#[derive(Debug, Clone, clap::Args)]
pub struct Restore {
    /// The archive `relais-server backup` wrote.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
    #[command(flatten)]
    pub tools: PostgresTools,
}

/// Where PostgreSQL's client tools are, for a database named by `--database`.
#[derive(Debug, Clone, clap::Args)]
pub struct PostgresTools {
    /// The directory of `pg_dump` and `pg_restore` (those of the `PATH` by default); they must
    /// be of the database server's major version or newer.
    #[arg(long, value_name = "DIR", env = "RELAIS_PG_BIN")]
    pub pg_bin: Option<PathBuf>,
}

impl Backup {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        let (data, out) = (settings.data_dir.clone(), self.out.clone());
        let bucket = settings.photo_store.photos.clone();
        let with_photos = bucket.is_none();
        let contents = match settings.postgres_url()? {
            Some(url) => {
                let tools = self.tools.pg_bin.as_deref();
                backup::backup_postgres(url, tools, &data, &out, with_photos).await?
            }
            None => {
                tokio::task::spawn_blocking(move || backup::backup(&data, &out, with_photos))
                    .await??
            }
        };
        out!(
            "backup {}: database {} bytes, {} photos",
            self.out.display(),
            contents.database_bytes,
            contents.photos
        )?;
        if let Some(bucket) = bucket {
            out!("the photos are in {bucket}: save that bucket with its own tools")?;
        }
        Ok(())
    }
}

impl Restore {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        let (from, data) = (self.from.clone(), settings.data_dir.clone());
        let contents = match settings.postgres_url()? {
            Some(url) => {
                let tools = self.tools.pg_bin.as_deref();
                backup::restore_postgres(&from, url, tools, &data).await?
            }
            None => tokio::task::spawn_blocking(move || backup::restore(&from, &data)).await??,
        };
        out!(
            "restored into {}: database {} bytes, {} photos",
            settings.data_dir.display(),
            contents.database_bytes,
            contents.photos
        )?;
        Ok(())
    }
}
