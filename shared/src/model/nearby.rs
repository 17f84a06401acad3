//! Open reports near a point, offered before filing so the citizen can say "me too" instead of
//! filing a duplicate. Asked of the server when it is reachable (the device's own copy holds only
//! the zones it follows); looked up in the device's copy, by grid cell, when it is not. Reports
//! the server offers are kept on the device, so that the citizen can act on them.

use crux_core::{Command, render::render};
use relais_domain::geo::distance_m;
use relais_protocol::{Catalogue, NearbyReports};

use super::{Event, Model, Report, lists::Position};
use crate::{
    effects::{
        Effect,
        api::{self, ApiFailure},
        store::{self, StoreError, StoreOp},
    },
    i18n::Message,
};

/// Most suggestions shown.
pub const MAX_SUGGESTIONS: usize = relais_protocol::nearby::MAX_NEARBY;

/// The question the user asked.
#[derive(Debug, Clone, PartialEq)]
pub struct NearbyQuery {
    pub category: String,
    pub lat: f64,
    pub lon: f64,
}

/// Who answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, uniffi::Enum)]
#[serde(rename_all = "snake_case")]
pub enum NearbySource {
    Server,
    /// The device's own copy (the server was not reached).
    Device,
}

/// The latest question and its answer.
#[derive(Debug, Clone, PartialEq)]
pub enum Nearby {
    Looking(NearbyQuery),
    Found {
        query: NearbyQuery,
        source: NearbySource,
        radius_m: f64,
        /// Nearest first, with their distance in metres.
        reports: Vec<(Report, f64)>,
    },
}

impl Nearby {
    pub const fn query(&self) -> &NearbyQuery {
        match self {
            Self::Looking(query) | Self::Found { query, .. } => query,
        }
    }

    /// The device changed a report the answer lists ("me too" on it): the answer shows it so,
    /// without asking again (the next sync may drop the device's copy of someone else's report).
    pub fn changed(&mut self, report: &Report) {
        if let Self::Found { reports, .. } = self {
            for (listed, _) in reports.iter_mut().filter(|(r, _)| r.id == report.id) {
                *listed = report.clone();
            }
        }
    }
}

#[derive(Debug)]
pub enum NearbyEvent {
    Answered {
        query: NearbyQuery,
        result: Result<NearbyReports, ApiFailure>,
    },
    /// The server's answer is kept on the device (merged with what the device knew).
    Kept {
        query: NearbyQuery,
        answer: NearbyReports,
        result: Result<Vec<Report>, StoreError>,
    },
    /// The device's copy answered.
    Looked {
        query: NearbyQuery,
        result: Result<Vec<Report>, StoreError>,
    },
}

impl NearbyQuery {
    /// The search radius for this category, in metres.
    pub fn radius_m(&self, catalogue: Option<&Catalogue>) -> f64 {
        catalogue.map_or(250.0, |c| {
            let per_category = c
                .category(&self.category)
                .and_then(|cat| cat.duplicate_radius_m);
            f64::from(per_category.unwrap_or(c.settings.duplicate_radius_m))
        })
    }

    /// Open reports of the same category within `radius_m`, nearest first, with their distance.
    pub fn matches(&self, reports: Vec<Report>, radius_m: f64) -> Vec<(Report, f64)> {
        let mut found: Vec<(Report, f64)> = reports
            .into_iter()
            .filter(|r| r.category == self.category && r.is_open())
            .map(|r| {
                let d = distance_m(self.lat, self.lon, r.location.lat, r.location.lon);
                (r, d)
            })
            .filter(|(_, d)| *d <= radius_m)
            .collect();
        found.sort_by(|a, b| a.1.total_cmp(&b.1));
        found.truncate(MAX_SUGGESTIONS);
        found
    }
}

/// Asks the server, or the device's copy when there is no server to ask.
pub fn find(model: &mut Model, query: NearbyQuery) -> Command<Effect, Event> {
    let point = relais_protocol::GeoPoint {
        lat: query.lat,
        lon: query.lon,
        accuracy_m: None,
    };
    if !relais_domain::ranges::is_point(&point) {
        model.nearby = None;
        model.action = super::ActionState::Failed(Message::InvalidLocation);
        return render();
    }
    model.nearby = Some(Nearby::Looking(query.clone()));
    let ask = match model.registration() {
        Some(registration) => api::nearby(registration, &query.category, query.lat, query.lon)
            .then_send(move |result| Event::Nearby(NearbyEvent::Answered { query, result })),
        None => look_here(model, query),
    };
    Command::all([ask, render()])
}

fn look_here(model: &Model, query: NearbyQuery) -> Command<Effect, Event> {
    let radius_m = query.radius_m(model.catalogue.as_ref());
    let op = StoreOp::Nearby {
        category: query.category.clone(),
        here: Position {
            lat: query.lat,
            lon: query.lon,
        },
        radius_m,
        limit: MAX_SUGGESTIONS,
    };
    store::reports(op).then_send(move |result| Event::Nearby(NearbyEvent::Looked { query, result }))
}

pub fn update(event: NearbyEvent, model: &mut Model) -> Command<Effect, Event> {
    let current = model.nearby.as_ref().map(Nearby::query);
    let query = match &event {
        NearbyEvent::Answered { query, .. }
        | NearbyEvent::Kept { query, .. }
        | NearbyEvent::Looked { query, .. } => query,
    };
    if current != Some(query) {
        return Command::done(); // another question was asked meanwhile
    }
    match event {
        NearbyEvent::Answered {
            query,
            result: Ok(answer),
        } => {
            let reports = answer.reports.iter().map(|n| n.report.clone()).collect();
            store::reports(StoreOp::PutReports(reports)).then_send(move |result| {
                Event::Nearby(NearbyEvent::Kept {
                    query,
                    answer,
                    result,
                })
            })
        }
        // Unreachable, or a server without the endpoint: the device's own copy answers.
        NearbyEvent::Answered {
            query,
            result: Err(_),
        } => look_here(model, query),
        NearbyEvent::Kept {
            query,
            answer,
            result: Ok(kept),
        } => {
            let reports = answer
                .reports
                .iter()
                .zip(kept)
                .map(|(n, report)| (report, n.distance_m))
                .collect();
            model.nearby = Some(Nearby::Found {
                query,
                source: NearbySource::Server,
                radius_m: f64::from(answer.radius_m),
                reports,
            });
            render()
        }
        NearbyEvent::Looked {
            query,
            result: Ok(reports),
        } => {
            let radius_m = query.radius_m(model.catalogue.as_ref());
            let reports = query.matches(reports, radius_m);
            model.nearby = Some(Nearby::Found {
                query,
                source: NearbySource::Device,
                radius_m,
                reports,
            });
            render()
        }
        NearbyEvent::Kept { result: Err(e), .. } | NearbyEvent::Looked { result: Err(e), .. } => {
            model.notice = Some(Message::StorageFailed(e.0));
            render()
        }
    }
}
