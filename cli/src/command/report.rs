//! `relais report --category CODE --lat LAT --lon LON [--accuracy M] --text TEXT [--json]`

use std::process::ExitCode;

use clap::Args;
use shared::{Intent, view::FilingView};

use crate::device::Device;

#[derive(Args)]
pub struct Report {
    /// Category code (see `relais categories`).
    #[arg(long)]
    category: String,
    /// Latitude, WGS84 degrees.
    #[arg(long, allow_hyphen_values = true)]
    lat: f64,
    /// Longitude, WGS84 degrees.
    #[arg(long, allow_hyphen_values = true)]
    lon: f64,
    /// Horizontal accuracy of the position, in metres.
    #[arg(long)]
    accuracy: Option<f64>,
    /// What is wrong, in a few words.
    #[arg(long)]
    text: String,
    /// Print `{"id": ...}`.
    #[arg(long)]
    json: bool,
}

impl Report {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let view = device.send(Intent::FileReport {
            category: self.category,
            lat: self.lat,
            lon: self.lon,
            accuracy_m: self.accuracy,
            text: self.text,
        })?;
        match view.filing {
            FilingView::Saved { report_id, message } => {
                if self.json {
                    println!("{}", serde_json::json!({ "id": report_id }));
                } else {
                    println!("{report_id}");
                    eprintln!("{message}");
                }
                Ok(ExitCode::SUCCESS)
            }
            FilingView::Failed { message } => {
                eprintln!("{message}");
                Ok(ExitCode::FAILURE)
            }
            FilingView::Idle | FilingView::Saving => {
                eprintln!(
                    "{}",
                    view.notice
                        .unwrap_or_else(|| "the report was not saved".into())
                );
                Ok(ExitCode::FAILURE)
            }
        }
    }
}
