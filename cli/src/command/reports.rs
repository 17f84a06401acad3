//! `relais reports [--json]`: the reports this device knows, newest first.

use std::process::ExitCode;

use clap::Args;

use super::print_json;
use crate::device::Device;

#[derive(Args)]
pub struct Reports {
    /// Print as a JSON array of objects with `id`, `category`, `lat`, `lon`, `status`, `text`
    /// and more.
    #[arg(long)]
    json: bool,
}

impl Reports {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let reports = device.view().reports;
        if self.json {
            print_json(&reports)?;
        } else {
            for r in &reports {
                let mine = if r.mine { "*" } else { " " };
                println!(
                    "{mine} {} {:<22} {:.5},{:.5} {} — {}",
                    r.id, r.status_label, r.lat, r.lon, r.category_name, r.text
                );
                if let Some(refusal) = &r.refusal {
                    println!("    {refusal}");
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
