//! `relais timeline REPORT_ID [--json]`

use std::process::ExitCode;

use clap::Args;
use shared::Intent;

use super::print_json;
use crate::device::Device;

#[derive(Args)]
pub struct Timeline {
    report_id: String,
    /// Print as JSON: `{report, timeline: [{at_ms, kind, status, label, text, queued}],
    /// response_days, can_confirm}`.
    #[arg(long)]
    json: bool,
}

impl Timeline {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::OpenReport {
            report_id: self.report_id,
        })?;
        let Some(detail) = view.opened else {
            eprintln!("{}", view.notice.unwrap_or_else(|| "unknown report".into()));
            return Ok(ExitCode::FAILURE);
        };
        if self.json {
            print_json(&detail)?;
        } else {
            println!(
                "{} — {} ({})",
                detail.report.category_name, detail.report.text, detail.report.status_label
            );
            for e in &detail.timeline {
                let queued = if e.queued { " [queued]" } else { "" };
                println!(
                    "  {} {}{}: {}",
                    e.at_ms,
                    e.label,
                    queued,
                    e.text.as_deref().unwrap_or("")
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
