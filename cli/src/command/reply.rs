//! `relais reply REPORT_ID --text TEXT`: write to the town about one of your reports, or, on a
//! staff device, to the reporter.

use std::process::ExitCode;

use clap::Args;
use shared::Intent;

use super::saved_or_failed;
use crate::device::Device;

#[derive(Args)]
pub struct Reply {
    report_id: String,
    #[arg(long)]
    text: String,
}

impl Reply {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::Reply {
            report_id: self.report_id,
            text: self.text,
        })?;
        saved_or_failed(&view, false)
    }
}
