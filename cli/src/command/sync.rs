//! `relais sync [--json]`: exit 0 when the server was reached, 3 when it was not.

use std::process::ExitCode;

use clap::Args;
use shared::{Intent, view::SyncView};

use super::{EXIT_UNREACHABLE, print_json};
use crate::device::Device;

#[derive(Args)]
pub struct Sync {
    /// Print the sync result as JSON.
    #[arg(long)]
    json: bool,
}

impl Sync {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::Sync)?;
        if self.json {
            print_json(&view.sync)?;
        } else {
            for n in device.take_notifications() {
                println!("notification: {} — {}", n.title, n.body);
            }
        }
        Ok(exit_code(&view.sync, self.json))
    }
}

/// Prints the human message of a finished sync (unless `quiet`) and maps it to the exit code.
pub fn exit_code(sync: &SyncView, quiet: bool) -> ExitCode {
    let (code, message, to_stderr) = match sync {
        SyncView::Finished { message, .. } => (ExitCode::SUCCESS, message.as_str(), false),
        SyncView::Unreachable { message, .. } => {
            (ExitCode::from(EXIT_UNREACHABLE), message.as_str(), true)
        }
        SyncView::Failed { message, .. } => (ExitCode::FAILURE, message.as_str(), true),
        SyncView::Idle | SyncView::Running { .. } => {
            (ExitCode::FAILURE, "the sync did not complete", true)
        }
    };
    if !quiet {
        if to_stderr {
            eprintln!("{message}");
        } else {
            println!("{message}");
        }
    }
    code
}
