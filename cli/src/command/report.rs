//! `relais report --category CODE --lat LAT --lon LON [--accuracy M] --text TEXT
//! [--answer QUESTION=VALUE]... [--photo FILE]... [--json]`

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use shared::{
    Intent,
    model::{AnswerInput, AnswerValue},
    view::CategoryView,
};

use super::saved_or_failed;
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
    /// An answer to one of the category's questions, as CODE=VALUE (choices by code; several
    /// choices separated by commas). Repeatable.
    #[arg(long = "answer", value_name = "QUESTION=VALUE")]
    answers: Vec<String>,
    /// A photo (JPEG, PNG or WebP) to attach; repeatable, at most five. It is rotated upright,
    /// shrunk to 2048 px and stripped of its metadata (GPS included) before it leaves the device.
    #[arg(long = "photo", value_name = "FILE")]
    photos: Vec<std::path::PathBuf>,
    /// Print `{"id": ...}`.
    #[arg(long)]
    json: bool,
}

impl Report {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let category = device
            .view()
            .categories
            .into_iter()
            .find(|c| c.code == self.category);
        let answers = self
            .answers
            .iter()
            .map(|a| parse_answer(a, category.as_ref()))
            .collect::<anyhow::Result<_>>()?;
        let view = device.send(Intent::FileReport {
            category: self.category,
            lat: self.lat,
            lon: self.lon,
            accuracy_m: self.accuracy,
            text: self.text,
            answers,
            photos: self
                .photos
                .iter()
                .map(|p| std::path::absolute(p).map(|p| p.to_string_lossy().into_owned()))
                .collect::<Result<_, _>>()?,
        })?;
        saved_or_failed(&view, self.json)
    }
}

/// `CODE=VALUE`, typed by the question's kind when the category is known.
fn parse_answer(arg: &str, category: Option<&CategoryView>) -> anyhow::Result<AnswerInput> {
    let Some((code, value)) = arg.split_once('=') else {
        bail!("--answer takes QUESTION=VALUE, got {arg:?}");
    };
    let kind = category
        .and_then(|c| c.questions.iter().find(|q| q.code == code))
        .map_or("text", |q| q.kind.as_str());
    let value = match kind {
        "number" => AnswerValue::Number {
            number: value
                .parse()
                .with_context(|| format!("{code} takes a number"))?,
        },
        "single_choice" => AnswerValue::Choice { code: value.into() },
        "multi_choice" => AnswerValue::Choices {
            codes: value.split(',').map(str::to_owned).collect(),
        },
        _ => AnswerValue::Text { text: value.into() },
    };
    Ok(AnswerInput {
        question: code.into(),
        value,
    })
}
