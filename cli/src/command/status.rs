//! `relais status REPORT_ID --to STATUS [--note TEXT]`: field agents move a report on.

use std::process::ExitCode;

use clap::Args;
use shared::Intent;

use super::saved_or_failed;
use crate::device::Device;

#[derive(Args)]
pub struct Status {
    report_id: String,
    /// `acknowledged`, `scheduled`, `resolved`, `rejected` or `transferred`.
    #[arg(long = "to")]
    status: String,
    /// What the reporter reads (required to reject).
    #[arg(long)]
    note: Option<String>,
}

impl Status {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::ChangeStatus {
            report_id: self.report_id,
            status: self.status,
            note: self.note,
        })?;
        Ok(saved_or_failed(&view, false))
    }
}
