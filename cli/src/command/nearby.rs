//! `relais nearby --lat LAT --lon LON --category CODE [--json]`

use std::process::ExitCode;

use clap::Args;
use shared::Intent;

use super::print_json;
use crate::device::Device;

#[derive(Args)]
pub struct Nearby {
    #[arg(long, allow_hyphen_values = true)]
    lat: f64,
    #[arg(long, allow_hyphen_values = true)]
    lon: f64,
    #[arg(long)]
    category: String,
    /// Print as JSON: `{category, radius_m, reports: [{distance_m, report}]}`.
    #[arg(long)]
    json: bool,
}

impl Nearby {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::FindNearby {
            category: self.category,
            lat: self.lat,
            lon: self.lon,
        })?;
        let Some(nearby) = view.nearby else {
            anyhow::bail!("the core gave no answer");
        };
        if self.json {
            print_json(&nearby)?;
        } else {
            for n in &nearby.reports {
                let r = &n.report;
                println!(
                    "{} {:>5.0} m  {} (+{}) — {}",
                    r.id, n.distance_m, r.status_label, r.supporters, r.text
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
