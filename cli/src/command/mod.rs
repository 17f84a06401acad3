//! The CLI's commands, one module each, dispatched from [`Cli::run`].

mod account;
mod categories;
mod confirm;
mod draft;
mod init;
mod nearby;
mod outbox;
mod photo;
mod rate;
mod ratings;
mod reply;
mod report;
mod reports;
mod services;
mod status;
mod support;
mod sync;
mod timeline;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use serde::Serialize;
use shared::{ViewModel, view::ActionView};

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
    /// Write a report step by step (category, place, photos, details, review, submit).
    Draft(draft::Draft),
    /// Send what is queued and fetch what changed.
    Sync(sync::Sync),
    /// List what is waiting to be sent, or was refused.
    Outbox(outbox::Outbox),
    /// List the reports this device knows.
    Reports(reports::Reports),
    /// Open reports of a category near a point: say "me too" instead of filing a duplicate.
    Nearby(nearby::Nearby),
    /// "Me too" on someone else's report.
    Support(support::Support),
    /// One report's timeline: statuses, the city's messages, your replies.
    Timeline(timeline::Timeline),
    /// Write to the city about one of your reports.
    Reply(reply::Reply),
    /// Confirm a resolution, or reopen a report that is not actually fixed.
    Confirm(confirm::Confirm),
    /// The town's public services, with ratings.
    Services(services::Services),
    /// Rate a public service on satisfaction and importance.
    Rate(rate::Rate),
    /// Your ratings of public services.
    Ratings(ratings::Ratings),
    /// Photos: `relais photo fetch SHA256 --out FILE`.
    Photo(photo::Photo),
    /// Your data: `relais account export --out FILE`, `relais account delete`.
    Account(account::Account),
    /// Field agents: move a report to another status.
    Status(status::Status),
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
            Command::Draft(c) => c.run(&device),
            Command::Sync(c) => c.run(&device),
            Command::Outbox(c) => c.run(&device),
            Command::Reports(c) => c.run(&device),
            Command::Nearby(c) => c.run(&device),
            Command::Support(c) => c.run(&device),
            Command::Timeline(c) => c.run(&device),
            Command::Reply(c) => c.run(&device),
            Command::Confirm(c) => c.run(&device),
            Command::Services(c) => c.run(&device),
            Command::Rate(c) => c.run(&device),
            Command::Ratings(c) => c.run(&device),
            Command::Photo(c) => c.run(&device),
            Command::Account(c) => c.run(&device),
            Command::Status(c) => c.run(&device),
        }
    }
}

/// Prints `value` as pretty JSON on stdout.
fn print_json(value: &impl Serialize) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(value)?);
    Ok(())
}

/// Reports the outcome of an action (report, support, reply, confirm, rate): the saved id on
/// stdout (as `{"id": ...}` with `json`), or the reason on stderr and exit 1.
fn saved_or_failed(view: &ViewModel, json: bool) -> ExitCode {
    match &view.action {
        ActionView::Saved { id, message, .. } => {
            if json {
                println!("{}", serde_json::json!({ "id": id }));
            } else {
                println!("{id}");
                eprintln!("{message}");
            }
            ExitCode::SUCCESS
        }
        ActionView::Failed { message } => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
        ActionView::Idle | ActionView::Saving => {
            eprintln!("{}", view.notice.as_deref().unwrap_or("nothing was saved"));
            ExitCode::FAILURE
        }
    }
}
