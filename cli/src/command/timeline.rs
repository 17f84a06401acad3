//! `relais timeline REPORT_ID [--json]`: one report's timeline, with local date-times.

use crate::output::err;
use std::process::ExitCode;

use clap::Args;
use shared::{Intent, i18n::shell::Phrase};

use super::when;
use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Timeline {
    report_id: String,
    /// Print as JSON: `{report, timeline: [{at_ms, kind, status, label, text, queued}],
    /// response_days, can_confirm, answers, assigned_to}`.
    #[arg(long)]
    json: bool,
}

impl Timeline {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::OpenReport {
            report_id: self.report_id,
        })?;
        let Some(detail) = view.opened else {
            err!("{}", view.notice.unwrap_or_default());
            return Ok(ExitCode::FAILURE);
        };
        if self.json {
            output::json(&detail)?;
            return Ok(ExitCode::SUCCESS);
        }
        let r = &detail.report;
        out!("{} — {} ({})", r.category_name, r.text, r.status_label)?;
        for answer in &detail.answers {
            out!("  {}: {}", answer.question, answer.answer)?;
        }
        if let Some(who) = &detail.assigned_to {
            out!("  {}", device.say(&Phrase::AssignedTo(who)))?;
        }
        let queued = device.say(&Phrase::Queued);
        for e in &detail.timeline {
            let tag = if e.queued {
                format!(" {queued}")
            } else {
                String::new()
            };
            let text = e
                .text
                .as_deref()
                .map_or_else(String::new, |t| format!(" — {t}"));
            out!("  {} {}{tag}{text}", when::local(e.at_ms), e.label)?;
        }
        Ok(ExitCode::SUCCESS)
    }
}
