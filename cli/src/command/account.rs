//! `relais account set|link|export|delete`: the citizen's optional account and data rights.

use crate::output::err;
use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Subcommand};
use relais_protocol::account::ContactChannel;
use shared::{
    Intent,
    i18n::{Message, shell::Phrase},
    view::AccountView,
};

use super::EXIT_UNREACHABLE;
use crate::{device::Device, output::out};

#[derive(Args)]
pub struct Account {
    #[command(subcommand)]
    command: AccountCommand,
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Create or update your account: contact details, preferred channel, language. Prints a
    /// code to link your other devices.
    Set {
        #[arg(long)]
        email: String,
        #[arg(long)]
        phone: Option<String>,
        /// `in_app`, `email` or `sms`.
        #[arg(long, default_value = "in_app")]
        contact: String,
        /// `fr` or `en`.
        #[arg(long, default_value = "fr")]
        language: String,
    },
    /// Link this device to your account, with the code another of your devices shows.
    Link { code: String },
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
            AccountCommand::Set {
                email,
                phone,
                contact,
                language,
            } => {
                let Some(contact) = channel(&contact) else {
                    err!("{}", Message::UnknownContact(contact).text(device.lang()));
                    return Ok(ExitCode::FAILURE);
                };
                (
                    Intent::SetAccount {
                        email,
                        phone,
                        contact,
                        language,
                    },
                    None,
                )
            }
            AccountCommand::Link { code } => (Intent::LinkAccount { code }, None),
            AccountCommand::Export { out } => (Intent::ExportAccount, Some(out)),
            AccountCommand::Delete => (Intent::DeleteAccount, None),
        };
        match device.send(intent)?.account {
            AccountView::Exported { json } => {
                let Some(path) = out else {
                    anyhow::bail!("an export arrived for another request");
                };
                std::fs::write(&path, json)?;
                err!(
                    "{}",
                    device.say(&Phrase::ExportedTo(&path.display().to_string()))
                );
                Ok(ExitCode::SUCCESS)
            }
            AccountView::Ready {
                email,
                link_code,
                devices,
                ..
            } => {
                out!("{link_code}")?;
                err!(
                    "{}",
                    device.say(&Phrase::AccountLinked {
                        email: &email,
                        devices,
                        code: &link_code,
                    })
                );
                Ok(ExitCode::SUCCESS)
            }
            AccountView::Deleted { message } => {
                out!("{message}")?;
                Ok(ExitCode::SUCCESS)
            }
            AccountView::Failed { problem } => {
                err!("{}", problem.message);
                Ok(if problem.unreachable {
                    ExitCode::from(EXIT_UNREACHABLE)
                } else {
                    ExitCode::FAILURE
                })
            }
            AccountView::Idle | AccountView::Working => {
                err!("{}", device.say(&Phrase::Incomplete));
                Ok(ExitCode::FAILURE)
            }
        }
    }
}

/// The channel named on the wire (`in_app`, `email`, `sms`).
fn channel(code: &str) -> Option<ContactChannel> {
    serde_json::from_value(serde_json::Value::String(code.to_owned())).ok()
}
