//! `relais-server routing list|set|unset`: the town's routing table (category × zone → service,
//! exceptions to each category's default service). A change applies to reports received from
//! then on; reports already received keep their service.

use anyhow::Context;
use relais_server_database::Database;

use super::staff::done;
use crate::clock::now_ms;
use crate::settings::Settings;

#[derive(Debug, Clone, clap::Args)]
pub struct Routing {
    /// The town (tenant).
    #[arg(long, value_name = "TENANT")]
    pub tenant: String,
    #[command(subcommand)]
    pub command: RoutingCommand,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum RoutingCommand {
    /// Every category's default service, then the exceptions by zone.
    List,
    /// Send reports of a category in a zone to a service.
    Set {
        #[arg(long)]
        category: String,
        #[arg(long)]
        zone: String,
        #[arg(long)]
        service: String,
    },
    /// Remove the exception of a category in a zone (its default service applies again).
    Unset {
        #[arg(long)]
        category: String,
        #[arg(long)]
        zone: String,
    },
}

impl Routing {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        with_database!(settings, |db| self.run_on(db))
    }

    async fn run_on(&self, db: &impl Database) -> anyhow::Result<()> {
        let tenant = &self.tenant;
        match &self.command {
            RoutingCommand::List => {
                let catalogue = db
                    .catalogue(tenant)
                    .await?
                    .with_context(|| format!("no town {tenant:?} here"))?;
                for category in &catalogue.categories {
                    let service = category.service_code.as_deref().unwrap_or("?");
                    out!("{}\t*\t{service}", category.code)?;
                }
                for rule in &catalogue.routing {
                    out!("{}\t{}\t{}", rule.category, rule.zone, rule.service)?;
                }
            }
            RoutingCommand::Set {
                category,
                zone,
                service,
            } => {
                let change = db
                    .set_routing(tenant, category, zone, Some(service.clone()))
                    .await?;
                done(change, "")?;
                audit(db, tenant, "routing.set", category, zone, Some(service)).await?;
                out!("{category} in {zone} -> {service}")?;
            }
            RoutingCommand::Unset { category, zone } => {
                done(db.set_routing(tenant, category, zone, None).await?, "")?;
                audit(db, tenant, "routing.unset", category, zone, None).await?;
                out!("{category} in {zone} -> default service")?;
            }
        }
        Ok(())
    }
}

async fn audit(
    db: &impl Database,
    tenant: &str,
    action: &str,
    category: &str,
    zone: &str,
    service: Option<&String>,
) -> anyhow::Result<()> {
    let detail = serde_json::json!({ "category": category, "zone": zone, "service": service });
    db.audit(
        Some(tenant.to_owned()),
        None,
        action.into(),
        detail,
        now_ms(),
    )
    .await?;
    Ok(())
}
