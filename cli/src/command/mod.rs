//! The CLI's commands, one module each, dispatched from [`Cli::run`].

use crate::output::err;
mod account;
mod agent;
mod alerts;
mod categories;
mod confirm;
mod conflicts;
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
mod staff;
mod support;
mod sync;
mod timeline;
mod when;
mod zones;

use std::{path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};
use shared::{
    ViewModel,
    i18n::{Lang, shell::Phrase},
    view::ActionView,
};

use crate::{device::Device, output::out};

/// Exit code when the server could not be reached.
pub const EXIT_UNREACHABLE: u8 = 3;
/// Exit code of `init` when the device is registered but its first sync did not complete.
pub const EXIT_REGISTERED_NOT_SYNCED: u8 = 4;
/// Exit code of every command but `init` on a device that is not registered.
pub const EXIT_NOT_REGISTERED: u8 = 5;

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
    /// List the reports this device holds.
    Reports(reports::Reports),
    /// Open reports of a category near a point: say "me too" instead of filing a duplicate.
    Nearby(nearby::Nearby),
    /// "Me too" on someone else's report.
    Support(support::Support),
    /// One report's timeline: statuses, the town's messages, replies, internal notes (staff).
    Timeline(timeline::Timeline),
    /// Write to the town about one of your reports, or (staff) to its reporter.
    Reply(reply::Reply),
    /// Confirm a resolution, or reopen a report that is not actually fixed.
    Confirm(confirm::Confirm),
    /// The town's public services, with ratings.
    Services(services::Services),
    /// Rate a public service on satisfaction and importance.
    Rate(rate::Rate),
    /// Your ratings of public services.
    Ratings(ratings::Ratings),
    /// The town's zones: which you follow, and why.
    Zones(zones::Zones),
    /// Follow a zone: its reports and alerts come to this device.
    FollowZone(zones::Follow),
    /// Stop following a zone.
    UnfollowZone(zones::Unfollow),
    /// Alerts of the zones you follow (works, water cuts...).
    Alerts(alerts::Alerts),
    /// Photos: `relais photo fetch SHA256 --out FILE`.
    Photo(photo::Photo),
    /// Your data: `relais account export --out FILE`, `relais account delete`.
    Account(account::Account),
    /// Staff: the work list.
    Agent(agent::Agent),
    /// Staff: move a report to another status.
    Status(staff::Status),
    /// Staff: hand a report to another service.
    Transfer(staff::Transfer),
    /// Staff: mark a report as a duplicate of another.
    Duplicate(staff::Duplicate),
    /// Staff: assign a report to a staff member, or to nobody.
    Assign(staff::Assign),
    /// Staff: an internal note on a report (citizens never see it).
    Note(staff::Note),
    /// Staff: changes the server refused because the report changed meanwhile.
    Conflicts(conflicts::Conflicts),
    /// Staff: apply a refused change again, on the report as it is now.
    Reapply(conflicts::Reapply),
}

impl Cli {
    pub fn run(self) -> anyhow::Result<ExitCode> {
        // A language asked for by name that the app does not speak is announced; a system
        // locale (`LANG=C.UTF-8`) quietly means English.
        if self
            .lang
            .as_deref()
            .is_some_and(|l| Lang::recognise(l).is_none())
        {
            err!("relais: {}", Phrase::OnlyFrenchAndEnglish.text(Lang::En));
        }
        let lang = self
            .lang
            .or_else(|| std::env::var("LANG").ok())
            .unwrap_or_else(|| "en".into());
        let device = Device::open(&self.data, &lang)?;
        if !matches!(self.command, Command::Init(_)) && device.view().registration.is_none() {
            err!("{}", device.say(&Phrase::NotRegistered));
            return Ok(ExitCode::from(EXIT_NOT_REGISTERED));
        }
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
            Command::Zones(c) => c.run(&device),
            Command::FollowZone(c) => c.run(&device),
            Command::UnfollowZone(c) => c.run(&device),
            Command::Alerts(c) => c.run(&device),
            Command::Photo(c) => c.run(&device),
            Command::Account(c) => c.run(&device),
            Command::Agent(c) => c.run(&device),
            Command::Status(c) => c.run(&device),
            Command::Transfer(c) => c.run(&device),
            Command::Duplicate(c) => c.run(&device),
            Command::Assign(c) => c.run(&device),
            Command::Note(c) => c.run(&device),
            Command::Conflicts(c) => c.run(&device),
            Command::Reapply(c) => c.run(&device),
        }
    }
}

/// Reports the outcome of an action: the saved id on stdout (as `{"id": ..., "reply_draft":
/// ...}` with `json`), or the reason on stderr and exit 1.
fn saved_or_failed(view: &ViewModel, json: bool) -> anyhow::Result<ExitCode> {
    match &view.action {
        ActionView::Saved {
            id,
            message,
            reply_draft,
            ..
        } => {
            if json {
                out!(
                    "{}",
                    serde_json::json!({ "id": id, "reply_draft": reply_draft })
                )?;
            } else {
                out!("{id}")?;
                err!("{message}");
            }
            Ok(ExitCode::SUCCESS)
        }
        ActionView::Failed { message } => {
            err!("{message}");
            Ok(ExitCode::FAILURE)
        }
        ActionView::Idle | ActionView::Saving => {
            err!("{}", view.notice.as_deref().unwrap_or("nothing was saved"));
            Ok(ExitCode::FAILURE)
        }
    }
}
