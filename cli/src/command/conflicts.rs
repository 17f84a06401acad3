//! `relais conflicts [--json]` and `relais reapply MUTATION_ID`: a staff change the server
//! refused because the report changed since it was made stays in the outbox, shown beside the
//! report as it is now; `reapply` makes it again on that state, in one step.

use crate::output::err;
use std::process::ExitCode;

use clap::Args;
use shared::{Intent, i18n::shell::Phrase, view::OutboxItemView};

use super::saved_or_failed;
use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Conflicts {
    /// Print as a JSON array of outbox items, each with its `conflict` (see docs/cli.md).
    #[arg(long)]
    json: bool,
}

impl Conflicts {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let conflicts: Vec<OutboxItemView> = device
            .view()
            .outbox
            .into_iter()
            .filter(|i| i.conflict.is_some())
            .collect();
        if self.json {
            output::json(&conflicts)?;
        } else if conflicts.is_empty() {
            err!("{}", device.say(&Phrase::NoConflicts));
        } else {
            for item in &conflicts {
                out!(
                    "{} {}",
                    item.report_id.as_deref().unwrap_or(""),
                    item.reason.as_deref().unwrap_or("")
                )?;
                explain(device, item)?;
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}

/// Both sides of a conflict, and how to apply the change again.
pub fn explain(device: &Device, item: &OutboxItemView) -> anyhow::Result<()> {
    let Some(conflict) = &item.conflict else {
        return Ok(());
    };
    if let Some(change) = &item.change {
        out!("{}", device.say(&Phrase::ConflictChange(change)))?;
    }
    out!(
        "{}",
        device.say(&Phrase::ConflictBasedOn(conflict.based_on_version))
    )?;
    if let (Some(version), Some(status)) =
        (conflict.current_version, &conflict.current_status_label)
    {
        let status = match &conflict.current_last_change {
            Some(last) => format!("{status} ({last})"),
            None => status.clone(),
        };
        out!(
            "{}",
            device.say(&Phrase::ConflictNow {
                version,
                status: &status
            })
        )?;
    }
    match &conflict.reapply_problem {
        None => out!("{}", device.say(&Phrase::ReapplyWith(&item.id)))?,
        Some(why) => out!("{}", device.say(&Phrase::CannotReapply(why)))?,
    }
    Ok(())
}

#[derive(Args)]
pub struct Reapply {
    /// The refused change's mutation id (see `relais conflicts`).
    mutation_id: String,
    /// Print `{"id": ...}`.
    #[arg(long)]
    json: bool,
}

impl Reapply {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::Reapply {
            mutation_id: self.mutation_id,
        })?;
        saved_or_failed(&view, self.json)
    }
}
