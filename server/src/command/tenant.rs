//! `relais-server tenant add|list|retention`: creating a town from its files, without code
//! changes, listing the server's towns, and setting how long a closed request keeps the link to
//! its citizen (data retention, applied by the serving server: see `launch::upkeep`).
//!
//! `tenant add --catalogue tenant.json --zones zones.geojson` reads the town's definition in the
//! format of `server/seed/README.md` (identity, settings, services, categories, routing,
//! rejection reasons, reply templates; zones at one or more levels), checks it and stores it.
//! Applying the same files again changes nothing; changed files update the town (its catalogue
//! version moves on, its change log and its reports stay).

use std::path::PathBuf;

use anyhow::{Context, bail};

use crate::clock::now_ms;
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
    /// How long a closed request keeps the link to the citizen who filed it: `--days N` after
    /// its closure (at least the town's reopen window), or `--keep` for good (the default).
    /// The server erases the links itself, hourly.
    Retention {
        #[arg(long)]
        tenant: String,
        /// Days after a request's closure.
        #[arg(long, value_name = "N", required_unless_present = "keep")]
        days: Option<u32>,
        /// Keep the links for good.
        #[arg(long, conflicts_with = "days")]
        keep: bool,
    },
}

impl Tenant {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        with_database!(settings, |db| self.run_on(db))
    }

    async fn run_on(&self, db: &impl Database) -> anyhow::Result<()> {
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
            TenantCommand::Retention { tenant, days, .. } => {
                set_retention(db, tenant, *days).await?;
            }
        }
        Ok(())
    }
}

/// Sets `tenant`'s retention, refusing one shorter than its reopen window (the citizen could no
/// longer reopen a resolution they disagree with), and audits it.
async fn set_retention(db: &impl Database, tenant: &str, days: Option<u32>) -> anyhow::Result<()> {
    let Some(town) = crate::town::Towns::default().get(db, tenant).await? else {
        bail!("there is no town {tenant:?}");
    };
    let reopen = town.settings().reopen_window_days;
    if let Some(days) = days
        && days < reopen
    {
        bail!(
            "--days {days} is shorter than the town's reopen window ({reopen} days): its citizens \
             could no longer reopen a resolution; give at least {reopen}"
        );
    }
    db.set_retention(tenant, days).await?;
    db.audit(
        Some(tenant.to_owned()),
        None,
        "tenant.retention".into(),
        serde_json::json!({ "retention_days": days }),
        now_ms(),
    )
    .await?;
    match days {
        Some(days) => out!(
            "town {tenant}: a closed request loses the link to its citizen {days} days after \
             its closure"
        )?,
        None => out!("town {tenant}: closed requests keep the link to their citizen")?,
    }
    Ok(())
}
