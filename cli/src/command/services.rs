//! `relais services [--json]`: the town's public services.

use std::process::ExitCode;

use clap::Args;

use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Services {
    /// Print as a JSON array of objects with `id`, `name`, `kind`, `address`, `lat`, `lon`,
    /// `ratings_count`, `satisfaction_mean`, `importance_mean`, `my_rating`...
    #[arg(long)]
    json: bool,
}

impl Services {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let services = device.view().services;
        if self.json {
            output::json(&services)?;
        } else {
            for s in &services {
                let ratings = match (s.satisfaction_mean, s.importance_mean, s.ratings_count) {
                    (Some(sat), Some(imp), Some(n)) => {
                        format!("satisfaction {sat:.1} importance {imp:.1} (n={n})")
                    }
                    _ => String::new(),
                };
                out!("{:<24} {} — {} {ratings}", s.id, s.kind, s.name)?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
