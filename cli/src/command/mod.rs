//! The CLI's commands, one module each, dispatched from [`Cli::run`].

mod categories;
mod init;
mod outbox;
mod report;
mod reports;
mod sync;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use serde::Serialize;

use crate::device::Device;

/// Exit code when the server could not be reached.
pub const EXIT_UNREACHABLE: u8 = 3;

/// Relais on the command line: file and sync reports as a phone would.
#[derive(Parser)]
#[command(name = "relais", version, about)]
pub struct Cli {
    /// The device's data directory (its SQLite database lives there).
    #[arg(long, env = "RELAIS_DATA", default_value = "./relais-device")]
    data: PathBuf,
    /// Language of messages: `fr` or `en` (default: from LANG).
    #[arg(long, env = "RELAIS_LANG")]
    lang: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Register this device with a town on a server, then sync once.
    Init(init::Init),
    /// List the town's report categories.
    Categories(categories::Categories),
    /// File a report; it is saved here and sent at the next sync.
    Report(report::Report),
    /// Send what is queued and fetch what changed.
    Sync(sync::Sync),
    /// List what is waiting to be sent, or was refused.
    Outbox(outbox::Outbox),
    /// List the reports this device knows.
    Reports(reports::Reports),
}

impl Cli {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        let lang = self
            .lang
            .or_else(|| std::env::var("LANG").ok())
            .unwrap_or_else(|| "en".into());
        let device = Device::open(&self.data, &lang)?;
        match self.command {
            Command::Init(c) => c.run(&device),
            Command::Categories(c) => c.run(&device),
            Command::Report(c) => c.run(&device),
            Command::Sync(c) => c.run(&device),
            Command::Outbox(c) => c.run(&device),
            Command::Reports(c) => c.run(&device),
        }
    }
}

/// Prints `value` as pretty JSON on stdout.
fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}
