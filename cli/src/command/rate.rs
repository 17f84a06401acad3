//! `relais rate --service ID --satisfaction N --importance N [--comment TEXT]`

use std::process::ExitCode;

use clap::Args;
use shared::Intent;

use super::saved_or_failed;
use crate::device::Device;

#[derive(Args)]
pub struct Rate {
    /// The service's id (see `relais services`).
    #[arg(long)]
    service: String,
    /// How satisfied you are with it, 1 to 5.
    #[arg(long)]
    satisfaction: u8,
    /// How important it is to you, 1 to 5.
    #[arg(long)]
    importance: u8,
    #[arg(long)]
    comment: Option<String>,
}

impl Rate {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::RateService {
            service_id: self.service,
            satisfaction: self.satisfaction,
            importance: self.importance,
            comment: self.comment,
        })?;
        saved_or_failed(&view, false)
    }
}
