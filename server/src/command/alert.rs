//! `relais-server alert --tenant T --zone Z ... --title-fr ... --text-fr ... --until DATE`:
//! publishes a dated notice (works, a water cut, an event) to the devices that follow those
//! zones, from the server's command line.

use anyhow::{Context, bail};
use chrono::NaiveDate;
use relais_protocol::LocalizedText;

use crate::clock::now_ms;
use crate::settings::Settings;
use crate::staff::act::{AlertRequest, publish_alert};
use crate::town::Towns;
use relais_server_database::Database;

#[derive(Debug, Clone, clap::Args)]
pub struct Alert {
    /// The town (tenant).
    #[arg(long, value_name = "TENANT")]
    pub tenant: String,
    /// A zone concerned (its followers, and those of the zones inside it, are told).
    #[arg(long = "zone", value_name = "CODE", required = true)]
    pub zones: Vec<String>,
    /// The French title, shown in the notification.
    #[arg(long)]
    pub title_fr: String,
    /// The English title (default: the French one).
    #[arg(long)]
    pub title_en: Option<String>,
    /// The French text of the notice.
    #[arg(long)]
    pub text_fr: String,
    /// The English text (default: the French one).
    #[arg(long)]
    pub text_en: Option<String>,
    /// First day shown, `YYYY-MM-DD` (default: now).
    #[arg(long, value_name = "DATE")]
    pub from: Option<NaiveDate>,
    /// Last day shown, `YYYY-MM-DD`.
    #[arg(long, value_name = "DATE")]
    pub until: NaiveDate,
}

impl Alert {
    pub async fn run(&self, settings: &Settings) -> anyhow::Result<()> {
        with_database!(settings, |db| self.run_on(db))
    }

    async fn run_on(&self, db: &impl Database) -> anyhow::Result<()> {
        let day_ms = |date: NaiveDate, end: bool| {
            let time = if end {
                date.and_hms_opt(23, 59, 59)
            } else {
                date.and_hms_opt(0, 0, 0)
            };
            time.map(|t| t.and_utc().timestamp_millis())
                .context("not a day")
        };
        let starts_at_ms = match self.from {
            Some(day) => day_ms(day, false)?,
            None => now_ms(),
        };
        let request = AlertRequest {
            zones: self.zones.clone(),
            title: LocalizedText::new(
                self.title_fr.clone(),
                self.title_en
                    .clone()
                    .unwrap_or_else(|| self.title_fr.clone()),
            ),
            text: LocalizedText::new(
                self.text_fr.clone(),
                self.text_en.clone().unwrap_or_else(|| self.text_fr.clone()),
            ),
            starts_at_ms,
            ends_at_ms: day_ms(self.until, true)?,
        };
        match publish_alert(db, &Towns::default(), None, &self.tenant, request).await? {
            Ok(id) => out!("{id}")?,
            Err(reason) => bail!("{}", reason.message.en),
        }
        Ok(())
    }
}
