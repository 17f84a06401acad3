//! `relais ratings [--json]`: your current rating of each service you rated.

use std::process::ExitCode;

use clap::Args;

use super::print_json;
use crate::device::Device;

#[derive(Args)]
pub struct Ratings {
    /// Print as a JSON array of objects with `service_id`, `name`, `satisfaction`,
    /// `importance`, `comment`, `at_ms`, `state`.
    #[arg(long)]
    json: bool,
}

impl Ratings {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let mine: Vec<serde_json::Value> = device
            .view()
            .services
            .into_iter()
            .filter_map(|s| {
                let r = s.my_rating?;
                Some(serde_json::json!({
                    "service_id": s.id, "name": s.name, "satisfaction": r.satisfaction,
                    "importance": r.importance, "comment": r.comment, "at_ms": r.at_ms, "state": r.state,
                }))
            })
            .collect();
        if self.json {
            print_json(&mine)?;
        } else {
            for r in &mine {
                println!(
                    "{} satisfaction {} importance {} [{}] {}",
                    r["service_id"], r["satisfaction"], r["importance"], r["state"], r["name"]
                );
            }
        }
        Ok(ExitCode::SUCCESS)
    }
}
