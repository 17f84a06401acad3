//! `relais alerts [--json]`: the town's alerts for the zones followed, current or upcoming.

use std::process::ExitCode;

use clap::Args;
use shared::i18n::shell::Phrase;

use super::when;
use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Alerts {
    /// Print as a JSON array of alerts (see docs/cli.md).
    #[arg(long)]
    json: bool,
}

impl Alerts {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let alerts = device.view().alerts;
        if self.json {
            output::json(&alerts)?;
            return Ok(ExitCode::SUCCESS);
        }
        for a in &alerts {
            let window = device.say(&Phrase::AlertWindow {
                from: &when::local(a.starts_at_ms),
                to: &when::local(a.ends_at_ms),
            });
            out!("{} [{}] {window}", a.title, a.zones.join(", "))?;
            out!("    {}", a.text)?;
        }
        Ok(ExitCode::SUCCESS)
    }
}
