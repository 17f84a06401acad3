//! `relais init --server URL --tenant TENANT [--enrolment-code CODE]`
//!
//! Exit codes: 0 registered and synced; 3 not registered, the server was not reached (nothing
//! saved: run it again); 1 not registered for another reason; 4 registered, but the first sync
//! did not complete (`relais sync` finishes it). On a device whose identity the server no longer
//! knows (its account was deleted from another device), it starts again from scratch.

use crate::output::err;
use std::process::ExitCode;

use anyhow::bail;
use clap::Args;
use shared::{Intent, i18n::shell::Phrase, view::SyncView};

use super::{EXIT_REGISTERED_NOT_SYNCED, EXIT_UNREACHABLE};
use crate::{device::Device, output::out};

#[derive(Args)]
pub struct Init {
    /// The server's base URL, e.g. http://127.0.0.1:8080
    #[arg(long)]
    server: String,
    /// The town's id on that server, e.g. `demo`.
    #[arg(long)]
    tenant: String,
    /// A one-time enrolment code from the town's administrator: register a staff member's
    /// device.
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
            err!("{}", problem.message);
            if view.registration.is_none() {
                err!("{}", device.say(&Phrase::NothingSaved));
            }
            return Ok(if problem.unreachable {
                ExitCode::from(EXIT_UNREACHABLE)
            } else {
                ExitCode::FAILURE
            });
        }
        let Some(registration) = view.registration else {
            bail!("registration did not complete");
        };
        out!(
            "{}",
            device.say(&Phrase::Registered {
                town: registration.town.as_deref().unwrap_or(&registration.tenant),
                server: &registration.server_url,
            })
        )?;
        if let SyncView::Finished { .. } = view.sync {
            return Ok(ExitCode::SUCCESS);
        }
        super::sync::exit_code(device, &view.sync, false)?;
        err!("{}", device.say(&Phrase::FirstSyncIncomplete));
        Ok(ExitCode::from(EXIT_REGISTERED_NOT_SYNCED))
    }
}
