//! `relais sync [--json]`: exit 0 when the server was reached, 3 when it was not.

use crate::output::err;
use std::process::ExitCode;

use clap::Args;
use shared::{Intent, i18n::shell::Phrase, view::SyncView};

use super::EXIT_UNREACHABLE;
use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Sync {
    /// Print the sync result as JSON: `{"state": "finished", "sent", "refused", "received",
    /// "message"}`, or `{"state": "unreachable"|"failed", "message", "queued"}`.
    #[arg(long)]
    json: bool,
}

impl Sync {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::Sync)?;
        if self.json {
            output::json(&view.sync)?;
        } else {
            let label = device.say(&Phrase::Notification);
            for n in device.take_notifications() {
                out!("{label}: {} — {}", n.title, n.body)?;
            }
        }
        exit_code(device, &view.sync, self.json)
    }
}

/// Prints the human message of a finished sync (unless `quiet`) and maps it to the exit code.
pub fn exit_code(device: &Device, sync: &SyncView, quiet: bool) -> anyhow::Result<ExitCode> {
    let (code, message, to_stderr) = match sync {
        SyncView::Finished { message, .. } => (ExitCode::SUCCESS, message.clone(), false),
        SyncView::Unreachable { message, .. } => {
            (ExitCode::from(EXIT_UNREACHABLE), message.clone(), true)
        }
        SyncView::Failed { message, .. } => (ExitCode::FAILURE, message.clone(), true),
        SyncView::Idle | SyncView::Running { .. } => {
            (ExitCode::FAILURE, device.say(&Phrase::Incomplete), true)
        }
    };
    if !quiet {
        if to_stderr {
            err!("{message}");
        } else {
            out!("{message}")?;
        }
    }
    Ok(code)
}
