//! `relais agent list [--near LAT,LON] [--overdue] [--mine] [--limit N] [--json]`: a staff
//! device's work list, from its own store (it works offline): by due date, or nearest first.

use crate::output::err;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use shared::{
    Intent,
    i18n::{Message, shell::Phrase},
    model::lists::WorkQuery,
};

use super::when;
use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Agent {
    #[command(subcommand)]
    command: AgentCommand,
}

#[derive(Subcommand)]
enum AgentCommand {
    /// The open tasks of the work list.
    List {
        /// Nearest first from this position (LAT,LON), instead of by due date.
        #[arg(long, allow_hyphen_values = true)]
        near: Option<String>,
        /// Only tasks past their due date.
        #[arg(long)]
        overdue: bool,
        /// Only tasks assigned to you.
        #[arg(long)]
        mine: bool,
        #[arg(long, default_value_t = 100)]
        limit: u32,
        /// Print as a JSON array of tasks (see docs/cli.md).
        #[arg(long)]
        json: bool,
    },
}

impl Agent {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let AgentCommand::List {
            near,
            overdue,
            mine,
            limit,
            json,
        } = self.command;
        if !device.view().registration.is_some_and(|r| r.is_staff) {
            err!("{}", Message::StaffOnly.text(device.lang()));
            return Ok(ExitCode::FAILURE);
        }
        let near = match near {
            Some(text) => match when::position(&text) {
                Some(position) => Some(position),
                None => {
                    err!("{}", Message::InvalidPosition(text).text(device.lang()));
                    return Ok(ExitCode::FAILURE);
                }
            },
            None => None,
        };
        let view = device.send(Intent::ListWork {
            query: WorkQuery {
                near,
                overdue_only: overdue,
                assigned_to_me: mine,
                limit,
            },
        })?;
        if json {
            output::json(&view.work)?;
            return Ok(ExitCode::SUCCESS);
        }
        for task in &view.work {
            let r = &task.report;
            let mut tags = Vec::new();
            if r.overdue {
                tags.push(device.say(&Phrase::Overdue));
            }
            if let Some(due) = r.due_at_ms {
                tags.push(device.say(&Phrase::Due(due)));
            }
            if let Some(d) = task.distance_m {
                tags.push(device.say(&Phrase::Distance(d)));
            }
            if let Some(who) = &task.assigned_to {
                tags.push(device.say(&Phrase::AssignedTo(who)));
            }
            out!(
                "{} {:<22} {} — {} [{}]",
                r.id,
                r.status_label,
                r.category_name,
                r.text,
                tags.join(", ")
            )?;
        }
        Ok(ExitCode::SUCCESS)
    }
}
