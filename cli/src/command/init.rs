//! `relais init --server URL --tenant TENANT`

use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use shared::Intent;

use super::EXIT_UNREACHABLE;
use crate::device::Device;

#[derive(Args)]
pub struct Init {
    /// The server's base URL, e.g. http://127.0.0.1:8080
    #[arg(long)]
    server: String,
    /// The town's id on that server, e.g. `demo`.
    #[arg(long)]
    tenant: String,
    /// A one-time enrolment code from the town's administrator: register as a field agent.
    #[arg(long)]
    enrolment_code: Option<String>,
}

impl Init {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::Register {
            server_url: self.server,
            tenant: self.tenant,
            platform: "linux".into(),
            enrolment_code: self.enrolment_code,
        })?;
        if let Some(problem) = view.registration_problem {
            eprintln!("{}", problem.message);
            return Ok(if problem.unreachable {
                ExitCode::from(EXIT_UNREACHABLE)
            } else {
                ExitCode::FAILURE
            });
        }
        let Some(registration) = view.registration else {
            bail!("registration did not complete");
        };
        println!(
            "registered with {} on {}",
            registration.town.as_deref().unwrap_or(&registration.tenant),
            registration.server_url
        );
        Ok(super::sync::exit_code(&view.sync, false))
    }
}
