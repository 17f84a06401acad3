//! `relais-server --demo demo-history`: loads the demo town's history (requests derived from
//! Paris's "Dans ma rue" open data with a simulated life, and simulated ratings with comments;
//! see [`crate::demo_history`]) through the town's own rules, so that its dashboards show
//! something real. Refused when the demo town already has requests.

use crate::clock::now_ms;
use crate::launch::open_database;
use crate::settings::Settings;
use crate::town::Towns;

#[derive(Debug, Clone, clap::Args)]
pub struct DemoHistory {}

impl DemoHistory {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        let db = open_database(settings).await?;
        let loaded = crate::demo_history::load(&db, &Towns::default(), now_ms()).await?;
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
