//! `relais-server services --tenant T`: the codes and names of the town's services (what staff
//! accounts, routing rules and transfers name).

use anyhow::Context;
use relais_server_database::Database;

use crate::settings::Settings;

#[derive(Debug, Clone, clap::Args)]
pub struct Services {
    /// The town (tenant).
    #[arg(long, value_name = "TENANT")]
    pub tenant: String,
}

impl Services {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        with_database!(settings, |db| self.run_on(db))
    }

    async fn run_on(&self, db: &impl Database) -> anyhow::Result<()> {
        let catalogue = db
            .catalogue(&self.tenant)
            .await?
            .with_context(|| format!("no town {:?} here", self.tenant))?;
        for service in &catalogue.services {
            out!("{}\t{}\t{}", service.code, service.name.fr, service.name.en)?;
        }
        Ok(())
    }
}
