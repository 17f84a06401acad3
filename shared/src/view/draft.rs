//! The report being written, as the shell shows it: the current step, what is filled in, the
//! location the first photo offers, possible duplicates nearby, and whether it can be sent.

use serde::Serialize;

use super::{map::MapView, report::NearbyView};
use crate::{
    i18n::Lang,
    model::{
        Model,
        draft::{DraftReport, DraftStep, LocationSource},
    },
};

#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct DraftView {
    /// The step the user is at.
    pub step: DraftStep,
    pub category: Option<String>,
    pub category_name: Option<String>,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    pub accuracy_m: Option<f64>,
    /// The service that will receive the report, from the town's routing table (known offline),
    /// once the category and the place are chosen.
    pub service: Option<String>,
    /// Who placed it: a GPS fix, the user's pin, or the first photo's position.
    pub location_source: Option<LocationSource>,
    /// The first photo's EXIF position, offered (not imposed) as the location.
    pub offered_lat: Option<f64>,
    pub offered_lon: Option<f64>,
    pub photos: Vec<String>,
    pub text: String,
    /// Open reports of the same category near the chosen place: "me too" instead?
    pub nearby: Option<NearbyView>,
    /// Why the last change was refused, in the user's language.
    pub problem: Option<String>,
    /// The map to place the pin on, with the town's zone outlines (once the category is chosen,
    /// when the catalogue has outlines).
    pub map: Option<MapView>,
}

impl DraftView {
    pub(crate) fn new(draft: &DraftReport, model: &Model, lang: Lang) -> Self {
        let location = draft.location.map(|(p, _)| p);
        let offered = draft.offered_location();
        // The answer to the draft's own question (its category at its place), once asked.
        let nearby = model
            .nearby
            .as_ref()
            .filter(|n| {
                let q = n.query();
                draft.category.as_deref() == Some(q.category.as_str())
                    && location.is_some_and(|p| p.lat == q.lat && p.lon == q.lon)
            })
            .map(|n| NearbyView::new(n, model, lang));
        Self {
            step: draft.step(),
            category: draft.category.clone(),
            category_name: draft.category.as_ref().and_then(|code| {
                model
                    .catalogue
                    .as_ref()?
                    .category(code)
                    .map(|c| lang.pick(&c.name).to_owned())
            }),
            lat: location.map(|p| p.lat),
            lon: location.map(|p| p.lon),
            accuracy_m: location.and_then(|p| p.accuracy_m),
            service: draft_service(draft, model, lang),
            location_source: draft.location.map(|(_, s)| s),
            offered_lat: offered.map(|p| p.lat),
            offered_lon: offered.map(|p| p.lon),
            photos: draft.photos.iter().map(|p| p.sha256.clone()).collect(),
            text: draft.text.clone(),
            nearby,
            problem: model.draft_problem.as_ref().map(|m| m.text(lang)),
            map: model
                .catalogue
                .as_ref()
                .filter(|_| draft.step() != DraftStep::Category)
                .and_then(|c| MapView::new(c, location)),
        }
    }
}

/// The name of the service the draft's category at its place is routed to.
fn draft_service(draft: &DraftReport, model: &Model, lang: Lang) -> Option<String> {
    let catalogue = model.catalogue.as_ref()?;
    let (point, _) = draft.location?;
    let code = model
        .town_rules
        .service_for(draft.category.as_deref()?, point)?;
    catalogue
        .service(&code)
        .map(|s| lang.pick(&s.name).to_owned())
}
