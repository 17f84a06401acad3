//! `relais ratings [--json]`: your current rating of each service you rated.

use std::process::ExitCode;

use clap::Args;
use serde::Serialize;

use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Ratings {
    /// Print as a JSON array of objects with `service_id`, `name`, `satisfaction`,
    /// `importance`, `comment`, `at_ms`, `state`.
    #[arg(long)]
    json: bool,
}

/// One of the citizen's ratings, with the service's name.
#[derive(Serialize)]
struct Rated {
    service_id: String,
    name: String,
    satisfaction: u8,
    importance: u8,
    comment: Option<String>,
    at_ms: i64,
    /// `queued`, `sent` or `rejected`.
    state: String,
}

impl Ratings {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let mine: Vec<Rated> = device
            .view()
            .services
            .into_iter()
            .filter_map(|s| {
                let r = s.my_rating?;
                Some(Rated {
                    service_id: s.id,
                    name: s.name,
                    satisfaction: r.satisfaction,
                    importance: r.importance,
                    comment: r.comment,
                    at_ms: r.at_ms,
                    state: r.state,
                })
            })
            .collect();
        if self.json {
            output::json(&mine)?;
            return Ok(ExitCode::SUCCESS);
        }
        for r in &mine {
            out!(
                "{:<24} {}/5 · {}/5 [{}] {}{}",
                r.service_id,
                r.satisfaction,
                r.importance,
                r.state,
                r.name,
                r.comment
                    .as_deref()
                    .map_or_else(String::new, |c| format!(" — {c}"))
            )?;
        }
        Ok(ExitCode::SUCCESS)
    }
}
