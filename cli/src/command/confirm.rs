//! `relais confirm REPORT_ID (--fixed | --not-fixed) [--satisfaction N]`

use std::process::ExitCode;

use clap::Args;
use shared::Intent;

use super::saved_or_failed;
use crate::device::Device;

#[derive(Args)]
pub struct Confirm {
    report_id: String,
    /// The problem is fixed.
    #[arg(
        long,
        conflicts_with = "not_fixed",
        required_unless_present = "not_fixed"
    )]
    fixed: bool,
    /// The problem is not actually fixed: reopen the report.
    #[arg(long)]
    not_fixed: bool,
    /// How satisfied you are with how it was handled, 1 to 5.
    #[arg(long)]
    satisfaction: Option<u8>,
}

impl Confirm {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::ConfirmResolution {
            report_id: self.report_id,
            fixed: self.fixed,
            satisfaction: self.satisfaction,
        })?;
        saved_or_failed(&view, false)
    }
}
