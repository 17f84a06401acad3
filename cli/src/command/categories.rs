//! `relais categories [--json]`

use std::process::ExitCode;

use clap::Args;

use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Categories {
    /// Print as a JSON array of objects with `code`, `name`, `group`, `group_name`, `service`.
    #[arg(long)]
    json: bool,
}

impl Categories {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let categories = device.view().categories;
        if self.json {
            output::json(&categories)?;
        } else {
            for c in &categories {
                out!(
                    "{:<40} {} — {} ({})",
                    c.code,
                    c.group_name,
                    c.name,
                    c.service
                )?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
