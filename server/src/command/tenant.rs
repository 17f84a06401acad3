//! `relais-server tenant add|list`: creating a town from its files, without code changes, and
//! listing the server's towns.
//!
//! `tenant add --catalogue tenant.json --zones zones.geojson` reads the town's definition in the
//! format of `server/seed/README.md` (identity, settings, services, categories, routing,
//! rejection reasons, reply templates; zones at one or more levels), checks it and stores it.
//! Applying the same files again changes nothing; changed files update the town (its catalogue
//! version moves on, its change log and its reports stay).

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::clock::now_ms;
use crate::launch::open_database;
use crate::seed;
use crate::settings::Settings;
use relais_server_database::Database;

#[derive(Debug, Clone, clap::Args)]
pub struct Tenant {
    #[command(subcommand)]
    pub command: TenantCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum TenantCommand {
    /// Create a town (or update it) from its catalogue and its zones.
    Add {
        /// The town's definition (`tenant.json`: id, name, services, categories...).
        #[arg(long, value_name = "FILE")]
        catalogue: PathBuf,
        /// Its zones as GeoJSON features with `code`, `name`, `kind` and `parent`.
        #[arg(long, value_name = "FILE")]
        zones: PathBuf,
    },
    /// List the server's towns.
    List,
}

impl Tenant {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        let db = open_database(settings).await?;
        match &self.command {
            TenantCommand::Add { catalogue, zones } => {
                let read = |path: &PathBuf| {
                    std::fs::read_to_string(path)
                        .with_context(|| format!("cannot read {}", path.display()))
                };
                let town = seed::parse(&read(catalogue)?, &read(zones)?)
                    .context("the town's files are not valid")?;
                let id = town.tenant.id.clone();
                if !relais_domain::tenant::is_code(&id) {
                    bail!("the town's id {id:?} must be lowercase letters, digits and dashes");
                }
                let (zones, categories) = (town.zones.len(), town.tenant.categories.len());
                let changed = db.seed(town).await.context("could not store the town")?;
                db.audit(
                    Some(id.clone()),
                    None,
                    "tenant.add".into(),
                    serde_json::json!({ "changed": changed }),
                    now_ms(),
                )
                .await?;
                if changed {
                    out!("town {id}: {categories} categories, {zones} zones stored")?;
                } else {
                    out!("town {id}: already up to date")?;
                }
            }
            TenantCommand::List => {
                for tenant in db.tenants().await? {
                    out!("{}\t{}", tenant.id, tenant.name)?;
                }
            }
        }
        Ok(())
    }
}
