//! `relais zones [--json]`, `relais follow-zone ZONE`, `relais unfollow-zone ZONE`: the town's
//! zones, which the citizen follows and why; following a zone brings its reports and alerts.

use std::process::ExitCode;

use clap::Args;
use shared::{Intent, i18n::shell::Phrase};

use super::saved_or_failed;
use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Zones {
    /// Print as a JSON array of zones (see docs/cli.md).
    #[arg(long)]
    json: bool,
    /// Only the zones followed.
    #[arg(long)]
    followed: bool,
}

impl Zones {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let zones: Vec<_> = device
            .view()
            .zones
            .into_iter()
            .filter(|z| z.followed || !self.followed)
            .collect();
        if self.json {
            output::json(&zones)?;
            return Ok(ExitCode::SUCCESS);
        }
        let followed = device.say(&Phrase::Followed);
        for z in &zones {
            let mark = if z.followed { "*" } else { " " };
            let why = z
                .why
                .as_deref()
                .map_or_else(String::new, |why| format!(" — {followed}: {why}"));
            out!(
                "{mark} {:<10} {:<15} {}{}{why}",
                z.code,
                z.kind,
                z.name,
                z.parent
                    .as_deref()
                    .map_or_else(String::new, |p| format!(" ({p})"))
            )?;
        }
        Ok(ExitCode::SUCCESS)
    }
}

#[derive(Args)]
pub struct Follow {
    /// A zone's code (see `relais zones`), at any level.
    zone: String,
}

impl Follow {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::FollowZone { zone: self.zone })?;
        saved_or_failed(&view, false)
    }
}

#[derive(Args)]
pub struct Unfollow {
    zone: String,
}

impl Unfollow {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::UnfollowZone { zone: self.zone })?;
        saved_or_failed(&view, false)
    }
}
