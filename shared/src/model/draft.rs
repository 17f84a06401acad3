//! The report being written, step by step: category → location → photos → description and
//! answers → review → queued. Every change is saved at once, so the draft survives an app
//! restart at any step. The current step is derived from what is filled in, never stored.
//!
//! Location comes from a GPS fix (with its accuracy), from a pin the user moves, or from the
//! first photo's EXIF position, which is offered, never imposed.

use std::collections::BTreeMap;

use crux_core::{Command, render::render};
use relais_protocol::{Answer, GeoPoint, upload::MAX_PHOTOS_PER_REPORT};
use serde::{Deserialize, Serialize};

use super::{
    Action, Draft, Event, Model, action,
    nearby::{self, NearbyQuery},
    validate,
};
use crate::{
    effects::{
        Effect,
        photo::{self, PhotoOp, PhotoOutput, PhotoResult},
        store::{self, StoreError, StoreOp},
    },
    i18n::Message,
};

/// Where a draft's location came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum LocationSource {
    Gps,
    Pin,
    Photo,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DraftPhoto {
    pub sha256: String,
    /// The original's EXIF position, if it had one.
    pub gps: Option<GeoPoint>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct DraftReport {
    pub category: Option<String>,
    pub location: Option<(GeoPoint, LocationSource)>,
    pub photos: Vec<DraftPhoto>,
    /// The user is done with photos (there may be none).
    pub photos_done: bool,
    pub text: String,
    pub answers: BTreeMap<String, Answer>,
    pub reviewing: bool,
}

/// The step the user is at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum DraftStep {
    Category,
    Location,
    Photos,
    Details,
    Review,
}

impl DraftReport {
    pub fn step(&self) -> DraftStep {
        if self.category.is_none() {
            DraftStep::Category
        } else if self.location.is_none() {
            DraftStep::Location
        } else if !self.photos_done {
            DraftStep::Photos
        } else if !self.reviewing {
            DraftStep::Details
        } else {
            DraftStep::Review
        }
    }

    /// The first photo's EXIF position, offered as the location.
    pub fn offered_location(&self) -> Option<GeoPoint> {
        self.photos.first().and_then(|p| p.gps)
    }

    /// The draft as a report to file, or what it still lacks (a category, a place).
    pub fn to_draft(&self) -> Result<Draft, Message> {
        Ok(Draft {
            category: self.category.clone().ok_or(Message::ChooseCategory)?,
            location: self.location.ok_or(Message::ChoosePlace)?.0,
            text: self.text.clone(),
            answers: self.answers.clone(),
            photo_files: Vec::new(),
            photos: self.photos.iter().map(|p| p.sha256.clone()).collect(),
        })
    }

    /// The "me too" question the draft asks, once it has a category and a place.
    fn nearby_query(&self) -> Option<NearbyQuery> {
        let (category, (point, _)) = (self.category.clone()?, self.location?);
        Some(NearbyQuery {
            category,
            lat: point.lat,
            lon: point.lon,
        })
    }
}

/// What the user does to the draft.
#[derive(Debug, Clone, PartialEq)]
pub enum DraftChange {
    Start,
    Discard,
    Category(String),
    Locate {
        point: GeoPoint,
        source: LocationSource,
    },
    UsePhotoLocation,
    AddPhoto(String),
    RemovePhoto(String),
    PhotosDone,
    Text(String),
    Answer(String, Option<Answer>),
    Review,
    Submit,
}

#[derive(Debug)]
pub enum DraftEvent {
    PhotoImported(PhotoResult),
    Saved(Result<(), StoreError>),
}

pub fn change(model: &mut Model, change: DraftChange) -> Command<Effect, Event> {
    model.draft_problem = None;
    if matches!(change, DraftChange::Start) {
        model.draft = Some(model.draft.take().unwrap_or_default());
        return save(model);
    }
    let Some(draft) = &mut model.draft else {
        model.draft_problem = Some(Message::NoDraft);
        return render();
    };
    let mut edited = draft.clone();
    let outcome = apply(model, &mut edited, change);
    match outcome {
        Err(message) => {
            model.draft_problem = Some(message);
            render()
        }
        Ok(Next::Save) => {
            let question = edited.nearby_query().filter(|q| {
                model
                    .draft
                    .as_ref()
                    .and_then(DraftReport::nearby_query)
                    .as_ref()
                    != Some(q)
            });
            model.draft = Some(edited);
            match question {
                // A new category or place: are there reports of it nearby already?
                Some(query) => Command::all([save(model), nearby::find(model, query)]),
                None => save(model),
            }
        }
        Ok(Next::Import(path)) => photo::run(PhotoOp::Import { path })
            .then_send(|r| Event::Draft(DraftEvent::PhotoImported(r))),
        Ok(Next::Discard) => {
            model.draft = None;
            save(model)
        }
        Ok(Next::Submit(report)) => {
            let submit = action::start(model, Action::FileReport(report));
            if matches!(model.action, super::ActionState::Failed(_)) {
                return submit;
            }
            // The draft is done: the action holds the report until it is queued.
            model.draft = None;
            Command::all([submit, save(model)])
        }
    }
}

enum Next {
    Save,
    Import(String),
    Discard,
    Submit(Draft),
}

fn apply(model: &Model, draft: &mut DraftReport, change: DraftChange) -> Result<Next, Message> {
    match change {
        DraftChange::Start => Ok(Next::Save),
        DraftChange::Discard => Ok(Next::Discard),
        DraftChange::Category(code) => {
            let catalogue = model.catalogue.as_ref().ok_or(Message::NoCatalogue)?;
            catalogue
                .category(&code)
                .ok_or_else(|| Message::UnknownCategory(code.clone()))?;
            draft.category = Some(code);
            draft.answers.clear();
            Ok(Next::Save)
        }
        DraftChange::Locate { point, source } => {
            locate(model, draft, point, source)?;
            Ok(Next::Save)
        }
        DraftChange::UsePhotoLocation => {
            let point = draft.offered_location().ok_or(Message::NoPhotoLocation)?;
            locate(model, draft, point, LocationSource::Photo)?;
            Ok(Next::Save)
        }
        DraftChange::AddPhoto(path) => {
            if draft.photos.len() >= MAX_PHOTOS_PER_REPORT {
                return Err(Message::TooManyPhotos {
                    max: MAX_PHOTOS_PER_REPORT,
                });
            }
            Ok(Next::Import(path))
        }
        DraftChange::RemovePhoto(sha256) => {
            draft.photos.retain(|p| p.sha256 != sha256);
            Ok(Next::Save)
        }
        DraftChange::PhotosDone => {
            draft.photos_done = true;
            Ok(Next::Save)
        }
        DraftChange::Text(text) => {
            draft.text = text;
            Ok(Next::Save)
        }
        DraftChange::Answer(code, answer) => {
            match answer {
                Some(answer) => draft.answers.insert(code, answer),
                None => draft.answers.remove(&code),
            };
            Ok(Next::Save)
        }
        DraftChange::Review => {
            validate::action(model, &Action::FileReport(draft.to_draft()?))?;
            draft.photos_done = true;
            draft.reviewing = true;
            Ok(Next::Save)
        }
        // Submitting checks everything a review does, and says what is missing.
        DraftChange::Submit => {
            let report = draft.to_draft()?;
            validate::action(model, &Action::FileReport(report.clone()))?;
            Ok(Next::Submit(report))
        }
    }
}

fn locate(
    model: &Model,
    draft: &mut DraftReport,
    point: GeoPoint,
    source: LocationSource,
) -> Result<(), Message> {
    if !relais_domain::ranges::is_point(&point) {
        return Err(Message::InvalidLocation);
    }
    let catalogue = model.catalogue.as_ref().ok_or(Message::NoCatalogue)?;
    if !model.town_rules.inside_town(point.lon, point.lat) {
        return Err(Message::OutsideTown(catalogue.name.clone()));
    }
    draft.location = Some((point, source));
    Ok(())
}

pub fn update(event: DraftEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        DraftEvent::PhotoImported(Ok(PhotoOutput::Imported { sha256, gps })) => {
            let Some(draft) = &mut model.draft else {
                return render(); // discarded meanwhile
            };
            if !draft.photos.iter().any(|p| p.sha256 == sha256) {
                draft.photos.push(DraftPhoto { sha256, gps });
            }
            save(model)
        }
        DraftEvent::PhotoImported(Ok(other)) => unreachable!("an import answered {other:?}"),
        DraftEvent::PhotoImported(Err(problem)) => {
            model.draft_problem = Some(Message::Localized(problem));
            render()
        }
        DraftEvent::Saved(result) => {
            if let Err(e) = result {
                model.draft_problem = Some(Message::StorageFailed(e.0));
            }
            render()
        }
    }
}

fn save(model: &Model) -> Command<Effect, Event> {
    let write = store::write(StoreOp::SaveDraft(model.draft.clone().map(Box::new)))
        .then_send(|r| Event::Draft(DraftEvent::Saved(r)));
    Command::all([write, render()])
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::{DraftStep, LocationSource};
    use crate::model::PlacedBy;

    use super::super::testing::{CATEGORY, Harness, ServerOracle};
    use crate::{
        model::{AnswerValue, DraftIntent, Intent},
        view::ActionView,
    };

    fn step(h: &mut Harness, change: DraftIntent) -> Option<String> {
        h.send(Intent::Draft { change });
        h.view().draft_problem
    }

    fn current(h: &Harness) -> DraftStep {
        h.view().draft.expect("a draft").step
    }

    /// The small Nikon photo of the shared data set, with its EXIF position (Genoa).
    fn photo_with_gps() -> Option<PathBuf> {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("../../shared/data/photos/gps_nikon_d3100_genoa_small.jpg");
        if path.exists() {
            Some(path)
        } else {
            eprintln!("SKIPPED: {} is not on this machine", path.display());
            None
        }
    }

    #[test]
    fn a_draft_survives_a_restart_at_every_step_and_is_queued_once_reviewed() {
        let mut server = ServerOracle::default();
        server.with_zone_and_question = true;
        let mut h = Harness::registered(&mut server);
        assert!(step(&mut h, DraftIntent::Review).is_some(), "no draft yet");
        assert_eq!(step(&mut h, DraftIntent::Start), None);
        assert_eq!(current(&h), DraftStep::Category);
        let mut h = h.restart();
        assert!(
            step(
                &mut h,
                DraftIntent::SetCategory {
                    code: "nope".into()
                }
            )
            .is_some()
        );
        assert_eq!(
            step(
                &mut h,
                DraftIntent::SetCategory {
                    code: CATEGORY.into()
                }
            ),
            None
        );
        let mut h = h.restart();
        assert_eq!(current(&h), DraftStep::Location);
        let outside = step(
            &mut h,
            DraftIntent::SetLocation {
                lat: 45.75,
                lon: 4.83,
                accuracy_m: None,
                source: PlacedBy::Pin,
            },
        );
        assert!(outside.unwrap().contains("outside"));
        assert_eq!(
            step(
                &mut h,
                DraftIntent::SetLocation {
                    lat: 48.8566,
                    lon: 2.3522,
                    accuracy_m: Some(6.0),
                    source: PlacedBy::Gps
                }
            ),
            None
        );
        let mut h = h.restart();
        assert_eq!(current(&h), DraftStep::Photos);
        assert_eq!(
            h.view().draft.unwrap().location_source,
            Some(LocationSource::Gps)
        );
        assert_eq!(step(&mut h, DraftIntent::PhotosDone), None);
        assert_eq!(
            step(
                &mut h,
                DraftIntent::SetText {
                    text: "Matelas".into()
                }
            ),
            None
        );
        let mut h = h.restart();
        assert_eq!(current(&h), DraftStep::Details);
        let missing = step(&mut h, DraftIntent::Review).unwrap();
        assert!(missing.contains("What kind of item"), "{missing}");
        step(
            &mut h,
            DraftIntent::Answer {
                question: "item".into(),
                value: Some(AnswerValue::Choice {
                    code: "mattress".into(),
                }),
            },
        );
        assert_eq!(step(&mut h, DraftIntent::Review), None);
        let mut h = h.restart();
        assert_eq!(current(&h), DraftStep::Review);
        assert_eq!(step(&mut h, DraftIntent::Submit), None);
        assert!(matches!(h.view().action, ActionView::Saved { .. }));
        assert!(h.view().draft.is_none());
        let h = h.restart();
        assert!(
            h.view().draft.is_none(),
            "the submitted draft is gone for good"
        );
        assert_eq!(h.view().outbox.len(), 1);
    }

    #[test]
    fn the_first_photo_offers_its_position_and_the_user_decides() {
        let Some(photo) = photo_with_gps() else {
            return;
        };
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        step(&mut h, DraftIntent::Start);
        step(
            &mut h,
            DraftIntent::SetCategory {
                code: CATEGORY.into(),
            },
        );
        assert_eq!(
            step(
                &mut h,
                DraftIntent::AddPhoto {
                    path: photo.to_string_lossy().into_owned()
                }
            ),
            None
        );
        let draft = h.view().draft.unwrap();
        assert_eq!(draft.photos.len(), 1);
        let (lat, lon) = (draft.offered_lat.unwrap(), draft.offered_lon.unwrap());
        assert!(
            (lat - 44.42).abs() < 0.01 && (lon - 8.94).abs() < 0.01,
            "Genoa: {lat},{lon}"
        );
        assert!(draft.lat.is_none(), "offered, not imposed");
        assert_eq!(step(&mut h, DraftIntent::UsePhotoLocation), None);
        assert_eq!(
            h.view().draft.unwrap().location_source,
            Some(LocationSource::Photo)
        );
    }
}
