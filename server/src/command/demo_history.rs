//! `relais-server --demo demo-history`: loads the demo town's history (requests derived from
//! Paris's "Dans ma rue" open data with a simulated life, and simulated ratings with comments;
//! see [`crate::demo_history`]) through the town's own rules, so that its dashboards show
//! something real. Refused when the demo town already has requests.

use crate::clock::now_ms;
use crate::settings::Settings;
use crate::town::Towns;
use relais_server_database::Database;

#[derive(Debug, Clone, clap::Args)]
pub struct DemoHistory {}

impl DemoHistory {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        with_database!(settings, |db| self.run_on(db))
    }

    async fn run_on(&self, db: &impl Database) -> anyhow::Result<()> {
        let loaded = crate::demo_history::load(db, &Towns::default(), now_ms()).await?;
        out!(
            "demo: {} requests, {} staff actions, {} answers to resolutions, {} ratings loaded",
            loaded.requests,
            loaded.actions,
            loaded.confirmations,
            loaded.ratings
        )?;
        Ok(())
    }
}
