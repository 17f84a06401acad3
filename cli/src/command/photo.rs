//! `relais photo fetch SHA256 --out FILE`: download a photo through the API, as any device of
//! the town allowed to see it.

use crate::output::err;
use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Subcommand};
use shared::{Intent, i18n::shell::Phrase, view::PhotoFetchView};

use crate::device::Device;

#[derive(Args)]
pub struct Photo {
    #[command(subcommand)]
    command: PhotoCommand,
}

#[derive(Subcommand)]
enum PhotoCommand {
    /// Download the photo named SHA256 to FILE.
    Fetch {
        sha256: String,
        #[arg(long)]
        out: PathBuf,
    },
}

impl Photo {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let PhotoCommand::Fetch { sha256, out } = self.command;
        let path = std::path::absolute(&out)?.to_string_lossy().into_owned();
        let view = device.send(Intent::FetchPhoto { sha256, path })?;
        match view.photo_fetch {
            PhotoFetchView::Saved { path, bytes } => {
                err!(
                    "{}",
                    device.say(&Phrase::BytesWritten { bytes, path: &path })
                );
                Ok(ExitCode::SUCCESS)
            }
            PhotoFetchView::Failed { message } => {
                err!("{message}");
                Ok(ExitCode::FAILURE)
            }
            PhotoFetchView::Idle | PhotoFetchView::Fetching => {
                err!("{}", device.say(&Phrase::Incomplete));
                Ok(ExitCode::FAILURE)
            }
        }
    }
}
