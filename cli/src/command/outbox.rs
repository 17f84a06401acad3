//! `relais outbox [--json]`: what waits to be sent, and what the server refused (a staff change
//! refused as a conflict is shown beside the report as it is now).

use std::process::ExitCode;

use clap::Args;

use super::conflicts;
use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Outbox {
    /// Print as a JSON array of items (see docs/cli.md).
    #[arg(long)]
    json: bool,
}

impl Outbox {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let outbox = device.view().outbox;
        if self.json {
            output::json(&outbox)?;
            return Ok(ExitCode::SUCCESS);
        }
        for item in &outbox {
            let why = item
                .reason
                .as_deref()
                .or(item.last_error.as_deref())
                .unwrap_or("");
            out!(
                "#{:<5} {:<20} {:<14} {} {why}",
                item.seq,
                item.state_label,
                item.kind,
                item.id
            )?;
            if item.conflict.is_some() {
                conflicts::explain(device, item)?;
            } else if let Some(change) = &item.change {
                out!("       {change}")?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
