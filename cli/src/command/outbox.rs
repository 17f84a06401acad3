//! `relais outbox [--json]`: what waits to be sent, and what the server refused.

use std::process::ExitCode;

use clap::Args;

use super::print_json;
use crate::device::Device;

#[derive(Args)]
pub struct Outbox {
    /// Print as a JSON array of objects with `id`, `seq`, `kind`, `state`, `report_id`,
    /// `reason`, `attempts`, `last_error`.
    #[arg(long)]
    json: bool,
}

impl Outbox {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let outbox = device.view().outbox;
        if self.json {
            print_json(&outbox)?;
        } else {
            for item in &outbox {
                let why = item
                    .reason
                    .as_deref()
                    .or(item.last_error.as_deref())
                    .unwrap_or("");
                println!(
                    "#{:<5} {:<8} {:<14} {} {why}",
                    item.seq, item.state, item.kind, item.id
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
