//! A staff member's changes to a report, saved on the device and sent at the next sync (each
//! based on the report as the changes queued before it leave it):
//!
//! ```text
//! relais status ID --to acknowledged|scheduled|in_progress|resolved|rejected
//!        [--reply TEXT] [--note TEXT] [--date YYYY-MM-DD] [--reason CODE] [--photo FILE]...
//! relais transfer ID --service CODE [--note TEXT]
//! relais duplicate ID --of OTHER [--reply TEXT] [--note TEXT]
//! relais assign ID (--to EMAIL | --nobody)
//! relais note ID --text TEXT
//! ```
//!
//! `--reply` is written to the reporter (without one, where the town answers in writing, it
//! sends its standard reply, which the command shows); `--note` is internal.

use crate::output::err;
use std::{path::PathBuf, process::ExitCode};

use clap::Args;
use shared::{Intent, i18n::Message, model::StaffActionInput};

use super::saved_or_failed;
use crate::device::Device;

/// What every change may carry.
#[derive(Args)]
struct Words {
    /// A written reply to the reporter.
    #[arg(long)]
    reply: Option<String>,
    /// An internal note (citizens never see it).
    #[arg(long)]
    note: Option<String>,
    /// Print `{"id": ..., "reply_draft": ...}`.
    #[arg(long)]
    json: bool,
}

/// Refused before asking the core: the user's input is incomplete.
fn refuse(device: &Device, message: &Message) -> anyhow::Result<ExitCode> {
    err!("{}", message.text(device.lang()));
    Ok(ExitCode::FAILURE)
}

fn act(
    device: &Device,
    report_id: String,
    action: StaffActionInput,
    words: Words,
    photos: Vec<PathBuf>,
) -> anyhow::Result<ExitCode> {
    let photos = photos
        .iter()
        .map(|p| std::path::absolute(p).map(|p| p.to_string_lossy().into_owned()))
        .collect::<Result<_, _>>()?;
    let view = device.send(Intent::StaffAction {
        report_id,
        action,
        reply: words.reply,
        note: words.note,
        photos,
    })?;
    saved_or_failed(&view, words.json)
}

#[derive(Args)]
pub struct Status {
    report_id: String,
    /// `acknowledged`, `scheduled` (with --date), `in_progress`, `resolved` or `rejected`
    /// (with --reason).
    #[arg(long = "to")]
    status: String,
    /// The planned day of the intervention, YYYY-MM-DD.
    #[arg(long)]
    date: Option<String>,
    /// Why it is rejected: a code of the town's rejection reasons.
    #[arg(long)]
    reason: Option<String>,
    /// A photo taken on site (with `resolved`); repeatable, at most five.
    #[arg(long = "photo", value_name = "FILE")]
    photos: Vec<PathBuf>,
    #[command(flatten)]
    words: Words,
}

impl Status {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let action = match (self.status.as_str(), self.date, self.reason) {
            ("acknowledged", ..) => StaffActionInput::Acknowledge,
            ("scheduled", Some(date), _) => match relais_domain::dates::planned_day(&date) {
                Some(for_ms) => StaffActionInput::Schedule { for_ms },
                None => return refuse(device, &Message::InvalidDate(date)),
            },
            ("in_progress", ..) => StaffActionInput::Start,
            ("resolved", ..) => StaffActionInput::Resolve,
            ("rejected", _, Some(reason)) => StaffActionInput::Reject { reason },
            ("scheduled", None, _) => return refuse(device, &Message::DateRequired),
            ("rejected", _, None) => return refuse(device, &Message::RejectionReasonRequired),
            (other, ..) => return refuse(device, &Message::UnknownStatus(other.into())),
        };
        act(device, self.report_id, action, self.words, self.photos)
    }
}

#[derive(Args)]
pub struct Transfer {
    report_id: String,
    /// The service's code.
    #[arg(long)]
    service: String,
    #[command(flatten)]
    words: Words,
}

impl Transfer {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let action = StaffActionInput::Transfer {
            service: self.service,
        };
        act(device, self.report_id, action, self.words, Vec::new())
    }
}

#[derive(Args)]
pub struct Duplicate {
    report_id: String,
    /// The original report.
    #[arg(long)]
    of: String,
    #[command(flatten)]
    words: Words,
}

impl Duplicate {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let action = StaffActionInput::MarkDuplicate { of: self.of };
        act(device, self.report_id, action, self.words, Vec::new())
    }
}

#[derive(Args)]
pub struct Assign {
    report_id: String,
    /// The staff member's e-mail.
    #[arg(long, conflicts_with = "nobody", required_unless_present = "nobody")]
    to: Option<String>,
    /// Assigned to nobody.
    #[arg(long)]
    nobody: bool,
    #[command(flatten)]
    words: Words,
}

impl Assign {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let action = StaffActionInput::Assign { to: self.to };
        act(device, self.report_id, action, self.words, Vec::new())
    }
}

#[derive(Args)]
pub struct Note {
    report_id: String,
    #[arg(long)]
    text: String,
    /// Print `{"id": ...}`.
    #[arg(long)]
    json: bool,
}

impl Note {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let words = Words {
            reply: None,
            note: Some(self.text),
            json: self.json,
        };
        act(
            device,
            self.report_id,
            StaffActionInput::Note,
            words,
            Vec::new(),
        )
    }
}
