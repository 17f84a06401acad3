//! `relais support REPORT_ID`: "me too".

use std::process::ExitCode;

use clap::Args;
use shared::Intent;

use super::saved_or_failed;
use crate::device::Device;

#[derive(Args)]
pub struct Support {
    report_id: String,
}

impl Support {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::Support {
            report_id: self.report_id,
        })?;
        saved_or_failed(&view, false)
    }
}
