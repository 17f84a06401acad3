//! `relais draft ...`: write a report step by step, as the phone apps do. Each step is saved on
//! the device, so the draft survives between commands (and app restarts).
//!
//! ```text
//! relais draft start
//! relais draft category CODE
//! relais draft locate --lat LAT --lon LON [--accuracy M] [--source gps|pin]
//! relais draft photo FILE            # the first photo's EXIF position is offered
//! relais draft use-photo-location
//! relais draft photos-done
//! relais draft text "..."
//! relais draft answer QUESTION VALUE
//! relais draft review
//! relais draft submit                # queued, like `relais report`
//! relais draft show [--json]
//! ```

use crate::output::err;
use std::{path::PathBuf, process::ExitCode};

use clap::{Args, Subcommand};
use shared::{
    Intent,
    i18n::{Message, shell::Phrase},
    model::{AnswerValue, DraftIntent, PlacedBy},
};

use super::saved_or_failed;
use crate::{
    device::Device,
    output::{self, out},
};

#[derive(Args)]
pub struct Draft {
    #[command(subcommand)]
    step: Step,
}

#[derive(Subcommand)]
enum Step {
    /// Begin a report (or resume the one in progress).
    Start,
    /// Throw the draft away.
    Discard,
    /// Choose the category.
    Category { code: String },
    /// Set the place: a GPS fix (with its accuracy) or a pin.
    Locate {
        #[arg(long, allow_hyphen_values = true)]
        lat: f64,
        #[arg(long, allow_hyphen_values = true)]
        lon: f64,
        #[arg(long)]
        accuracy: Option<f64>,
        #[arg(long, default_value = "pin")]
        source: String,
    },
    /// Take the position the first photo offers.
    UsePhotoLocation,
    /// Add a photo (JPEG, PNG or WebP).
    Photo { file: PathBuf },
    /// Remove a photo by its SHA-256.
    RemovePhoto { sha256: String },
    /// No more photos.
    PhotosDone,
    /// Describe the problem.
    Text { text: String },
    /// Answer one of the category's questions (a number, a choice code, codes separated by
    /// commas, or text, by the question's kind).
    Answer { question: String, value: String },
    /// Check everything before sending.
    Review,
    /// Queue the reviewed report for the next sync; prints its id.
    Submit {
        #[arg(long)]
        json: bool,
    },
    /// Show the draft.
    Show {
        #[arg(long)]
        json: bool,
    },
}

impl Draft {
    pub fn run(self, device: &Device) -> anyhow::Result<ExitCode> {
        let change = match self.step {
            Step::Show { json } => return show(device, json),
            Step::Submit { json } => {
                let view = device.send(Intent::Draft {
                    change: DraftIntent::Submit,
                })?;
                if let Some(problem) = view.draft_problem.clone() {
                    err!("{problem}");
                    return Ok(ExitCode::FAILURE);
                }
                return saved_or_failed(&view, json);
            }
            Step::Discard => {
                let view = device.send(Intent::Draft {
                    change: DraftIntent::Discard,
                })?;
                if let Some(problem) = view.draft_problem {
                    err!("{problem}");
                    return Ok(ExitCode::FAILURE);
                }
                err!("{}", device.say(&Phrase::DraftDiscarded));
                return Ok(ExitCode::SUCCESS);
            }
            Step::Start => DraftIntent::Start,
            Step::Category { code } => DraftIntent::SetCategory { code },
            Step::Locate {
                lat,
                lon,
                accuracy,
                source,
            } => DraftIntent::SetLocation {
                lat,
                lon,
                accuracy_m: accuracy,
                source: match source.as_str() {
                    "gps" => PlacedBy::Gps,
                    "pin" => PlacedBy::Pin,
                    _ => {
                        err!(
                            "{}",
                            Message::UnknownLocationSource(source).text(device.lang())
                        );
                        return Ok(ExitCode::FAILURE);
                    }
                },
            },
            Step::UsePhotoLocation => DraftIntent::UsePhotoLocation,
            Step::Photo { file } => DraftIntent::AddPhoto {
                path: std::path::absolute(file)?.to_string_lossy().into_owned(),
            },
            Step::RemovePhoto { sha256 } => DraftIntent::RemovePhoto { sha256 },
            Step::PhotosDone => DraftIntent::PhotosDone,
            Step::Text { text } => DraftIntent::SetText { text },
            Step::Answer { question, value } => {
                let kind = device
                    .view()
                    .draft
                    .and_then(|d| d.category)
                    .and_then(|c| {
                        device
                            .view()
                            .categories
                            .into_iter()
                            .find(|cat| cat.code == c)
                    })
                    .and_then(|c| c.questions.into_iter().find(|q| q.code == question))
                    .map(|q| q.kind);
                let value = match kind.as_deref() {
                    Some("number") => AnswerValue::Number {
                        number: value.parse()?,
                    },
                    Some("single_choice") => AnswerValue::Choice { code: value },
                    Some("multi_choice") => AnswerValue::Choices {
                        codes: value.split(',').map(str::to_owned).collect(),
                    },
                    _ => AnswerValue::Text { text: value },
                };
                DraftIntent::Answer {
                    question,
                    value: Some(value),
                }
            }
            Step::Review => DraftIntent::Review,
        };
        let view = device.send(Intent::Draft { change })?;
        if let Some(problem) = view.draft_problem {
            err!("{problem}");
            return Ok(ExitCode::FAILURE);
        }
        show(device, false)
    }
}

fn show(device: &Device, json: bool) -> anyhow::Result<ExitCode> {
    let view = device.view();
    let Some(draft) = view.draft else {
        err!("{}", shared::i18n::Message::NoDraft.text(device.lang()));
        return Ok(if json {
            ExitCode::SUCCESS
        } else {
            ExitCode::FAILURE
        });
    };
    if json {
        output::json(&draft)?;
        return Ok(ExitCode::SUCCESS);
    }
    out!("{}", device.say(&Phrase::DraftStep(draft.step)))?;
    if let Some(name) = &draft.category_name {
        out!("{}", device.say(&Phrase::DraftCategory(name)))?;
    }
    if let (Some(lat), Some(lon), Some(source)) = (draft.lat, draft.lon, draft.location_source) {
        out!("{}", device.say(&Phrase::DraftPlace { lat, lon, source }))?;
    }
    if let Some(service) = &draft.service {
        out!("{}", device.say(&Phrase::DraftService(service)))?;
    }
    if let (Some(lat), Some(lon)) = (draft.offered_lat, draft.offered_lon) {
        out!("{}", device.say(&Phrase::DraftOffered { lat, lon }))?;
    }
    out!("{}", device.say(&Phrase::DraftPhotos(draft.photos.len())))?;
    if let Some(nearby) = draft.nearby.filter(|n| !n.reports.is_empty()) {
        out!("{}", device.say(&Phrase::DraftNearby(nearby.reports.len())))?;
        for n in nearby.reports {
            out!(
                "  {} {:.0} m — {}",
                n.report.id,
                n.distance_m,
                n.report.text
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
