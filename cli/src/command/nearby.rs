//! `relais nearby --lat LAT --lon LON --category CODE [--json]`: open reports of a category
//! near a point, asked of the server when it is reachable, from this device's copy when not
//! (which it says).

use crate::output::err;
use std::process::ExitCode;

use clap::Args;
use shared::Intent;

use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Nearby {
    #[arg(long, allow_hyphen_values = true)]
    lat: f64,
    #[arg(long, allow_hyphen_values = true)]
    lon: f64,
    #[arg(long)]
    category: String,
    /// Print as JSON: `{category, looking, source, radius_m, reports: [{distance_m, report}]}`;
    /// `source` is `server` or `device` (`null` while asking).
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
            output::json(&nearby)?;
            return Ok(ExitCode::SUCCESS);
        }
        if let Some(answered_by) = &nearby.answered_by {
            err!("{answered_by}");
        }
        for n in &nearby.reports {
            let r = &n.report;
            out!(
                "{} {:>5.0} m  {} (+{}) — {}",
                r.id,
                n.distance_m,
                r.status_label,
                r.supporters,
                r.text
            )?;
        }
        Ok(ExitCode::SUCCESS)
    }
}
