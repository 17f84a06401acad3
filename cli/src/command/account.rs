//! `relais account export --out FILE` and `relais account delete`: the citizen's data rights.

use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Subcommand};
use shared::{Intent, view::AccountView};

use super::EXIT_UNREACHABLE;
use crate::device::Device;

#[derive(Args)]
pub struct Account {
    #[command(subcommand)]
    command: AccountCommand,
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Write everything the server holds about you to FILE (JSON).
    Export {
        #[arg(long)]
        out: PathBuf,
    },
    /// Delete your identity on the server (your reports stay, anonymised) and reset this device.
    Delete,
}

impl Account {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let (intent, out) = match self.command {
            AccountCommand::Export { out } => (Intent::ExportAccount, Some(out)),
            AccountCommand::Delete => (Intent::DeleteAccount, None),
        };
        match device.send(intent)?.account {
            AccountView::Exported { json } => {
                let out = out.expect("only an export answers with an export");
                std::fs::write(&out, json)?;
                eprintln!("exported to {}", out.display());
                Ok(ExitCode::SUCCESS)
            }
            AccountView::Deleted { message } => {
                println!("{message}");
                Ok(ExitCode::SUCCESS)
            }
            AccountView::Failed { problem } => {
                eprintln!("{}", problem.message);
                Ok(if problem.unreachable {
                    ExitCode::from(EXIT_UNREACHABLE)
                } else {
                    ExitCode::FAILURE
                })
            }
            AccountView::Idle | AccountView::Working => {
                eprintln!("the request did not complete");
                Ok(ExitCode::FAILURE)
            }
        }
    }
}
