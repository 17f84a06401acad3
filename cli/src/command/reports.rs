//! `relais reports [--mine] [--open] [--category CODE] [--zone CODE] [--limit N] [--json]`: the
//! reports this device holds, newest first, as an indexed query of its store.

use std::process::ExitCode;

use clap::Args;
use shared::{Intent, model::lists::ReportQuery};

use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Reports {
    /// Only your own reports.
    #[arg(long)]
    mine: bool,
    /// Only reports still being handled.
    #[arg(long)]
    open: bool,
    #[arg(long)]
    category: Option<String>,
    /// Only reports in this zone (at any level: an arrondissement holds its quartiers).
    #[arg(long)]
    zone: Option<String>,
    /// At most this many.
    #[arg(long, default_value_t = 1000)]
    limit: u32,
    /// Print as a JSON array of reports (see docs/cli.md).
    #[arg(long)]
    json: bool,
}

impl Reports {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::ListReports {
            query: ReportQuery {
                mine_only: self.mine,
                open_only: self.open,
                category: self.category,
                zone: self.zone,
                limit: self.limit,
            },
        })?;
        if self.json {
            output::json(&view.reports)?;
            return Ok(ExitCode::SUCCESS);
        }
        for r in &view.reports {
            let mine = if r.mine { "*" } else { " " };
            out!(
                "{mine} {} {:<22} {:.5},{:.5} {} — {}",
                r.id,
                r.status_label,
                r.lat,
                r.lon,
                r.category_name,
                r.text
            )?;
            if let Some(refusal) = &r.refusal {
                out!("    {refusal}")?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
