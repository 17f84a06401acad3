//! `relais-server backup --out FILE` and `relais-server restore --from FILE --data DIR`: the
//! operator's side of [`crate::backup`]. A backup runs beside a serving server; a restoration
//! refuses a directory a server serves or that holds data already.

use std::path::PathBuf;

use anyhow::bail;

use crate::backup;
use crate::settings::Settings;

/// Writes a consistent backup of the data directory (database and photos) to one tar file.
#[derive(Debug, Clone, clap::Args)]
pub struct Backup {
    /// The archive to write (replaced if it exists).
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

/// Restores a backup into a new data directory.
#[derive(Debug, Clone, clap::Args)]
pub struct Restore {
    /// The archive `relais-server backup` wrote.
    #[arg(long, value_name = "FILE")]
    pub from: PathBuf,
}

impl Backup {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        sqlite_only(settings)?;
        let (data, out) = (settings.data_dir.clone(), self.out.clone());
        let bucket = settings.photo_store.photos.clone();
        let with_photos = bucket.is_none();
        let contents =
            tokio::task::spawn_blocking(move || backup::backup(&data, &out, with_photos)).await??;
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
        sqlite_only(settings)?;
        let (from, data) = (self.from.clone(), settings.data_dir.clone());
        let contents = tokio::task::spawn_blocking(move || backup::restore(&from, &data)).await??;
        out!(
            "restored into {}: database {} bytes, {} photos",
            settings.data_dir.display(),
            contents.database_bytes,
            contents.photos
        )?;
        Ok(())
    }
}

/// A PostgreSQL database is saved with its own tools (docs/deploy.md, "Backups").
fn sqlite_only(settings: &Settings) -> anyhow::Result<()> {
    if settings.database.is_some() {
        bail!(
            "database: a PostgreSQL database is backed up with pg_dump and restored with \
             pg_restore (see docs/deploy.md); backup and restore handle the SQLite data directory"
        );
    }
    Ok(())
}
