//! `relais-server --data DIR import-directory --tenant T FILE...`: imports a town's directory of
//! public services from open-data files (see [`crate::directory`] for the formats), in one
//! transaction, and prints what changed. Re-importing the same files changes nothing.
//! `--write-json OUT` writes the entries as JSON instead (how the demo's `directory.json` is
//! made).

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::directory;
use crate::settings::Settings;
use relais_server_database::Database;

#[derive(Debug, Clone, clap::Args)]
pub struct ImportDirectory {
    /// The tenant (town) whose directory receives the entries.
    #[arg(long, value_name = "TENANT", required_unless_present = "write_json")]
    pub tenant: Option<String>,

    /// Keep only the town halls of this département (the national directory's `departement`).
    #[arg(long, value_name = "CODE")]
    pub departement: Option<String>,

    /// Write the entries to this JSON file instead of importing them.
    #[arg(long, value_name = "OUT")]
    pub write_json: Option<PathBuf>,

    /// Files to read: the town-hall directory (CSV), the sports-facilities census (GeoJSON), or
    /// a JSON array of entries. The format is detected by extension, else by content.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

impl ImportDirectory {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        self.run_with_output(settings, &mut std::io::stdout().lock())
            .await
    }

    /// Runs the import and tells `out` what it did, one line per file and one for the result.
    pub async fn run_with_output(
        &self,
        settings: &Settings,
        out: &mut impl Write,
    ) -> anyhow::Result<()> {
        let mut services = Vec::new();
        for path in &self.files {
            let read = directory::read_file(path, self.departement.as_deref())
                .with_context(|| format!("could not read {}", path.display()))?;
            writeln!(out, "{}: {} entries", path.display(), read.len())?;
            services.extend(read);
        }
        directory::check(&services).context("the files do not make one directory")?;
        if let Some(target) = &self.write_json {
            std::fs::write(target, directory::to_json(&services)?)
                .with_context(|| format!("could not write {}", target.display()))?;
            writeln!(
                out,
                "wrote {} entries to {}",
                services.len(),
                target.display()
            )?;
            return Ok(());
        }
        let Some(tenant) = &self.tenant else {
            bail!("--tenant is required to import");
        };
        let total = services.len();
        let import = with_database!(settings, |db| db.import_directory(tenant, services))
            .context("could not import the directory")?;
        let Some(import) = import else {
            bail!("no tenant {tenant:?} here");
        };
        tracing::info!(%tenant, added = import.added, updated = import.updated, "directory imported");
        writeln!(
            out,
            "imported {total} entries into {tenant}: {} added, {} updated, {} unchanged \
             (directory version {})",
            import.added, import.updated, import.unchanged, import.version
        )?;
        out.flush()?;
        Ok(())
    }
}
