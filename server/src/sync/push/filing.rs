//! `create_report`: validation (category, point, text, photos, answers to the category's
//! questions), routing (the zones holding the point, placed before the transaction; the service
//! by category and zone), the due date, and the probable-duplicate flag.

use std::collections::BTreeMap;

use relais_domain::answers::{self, AnswerProblem};
use relais_domain::{geo, ranges, status};
use relais_protocol::mutation::MAX_TEXT_CHARS;
use relais_protocol::upload::{MAX_PHOTOS_PER_REPORT, is_content_address};
use relais_protocol::{Answer, GeoPoint, Question, Reason, ReportStatus};
use relais_server_database::writes::{ActorRecord, HistoryEntry, NewReport, Write};
use relais_server_database::{NearbyReport, ReportFacts};
use uuid::Uuid;

use super::{DAY_MS, Judge};
use crate::reasons;
use crate::town::Town;

/// A `create_report` mutation, borrowed.
pub(super) struct Filing<'m> {
    pub report_id: Uuid,
    pub category: &'m str,
    pub location: GeoPoint,
    pub text: &'m str,
    pub created_at_ms: i64,
    pub photos: &'m [String],
    pub answers: &'m BTreeMap<String, Answer>,
}

/// The radius within which an open report of `category` is a probable duplicate of a new one:
/// the category's, else the town's. `None` for a category the town does not have.
pub(super) fn duplicate_radius(town: &Town, category: &str) -> Option<u32> {
    let category = town.category(category)?;
    Some(
        category
            .duplicate_radius_m
            .unwrap_or(town.settings().duplicate_radius_m),
    )
}

impl Judge<'_> {
    /// `zones` hold the point, finest first (placed before the transaction).
    pub(super) fn create_report(
        &mut self,
        filing: &Filing<'_>,
        zones: &[String],
    ) -> Result<Write, Reason> {
        if self.facts.reports.contains_key(&filing.report_id) {
            return Err(reasons::duplicate_id());
        }
        let Some(category) = self.town.category(filing.category) else {
            return Err(reasons::unknown_category(filing.category));
        };
        if !ranges::is_point(&filing.location) {
            return Err(reasons::invalid_location());
        }
        if !ranges::is_time(filing.created_at_ms) {
            return Err(reasons::invalid_time());
        }
        let Ok(text) = relais_domain::text::clean(filing.text, MAX_TEXT_CHARS) else {
            return Err(reasons::invalid_text(MAX_TEXT_CHARS));
        };
        if filing.photos.len() > MAX_PHOTOS_PER_REPORT
            || !filing.photos.iter().all(|name| is_content_address(name))
        {
            return Err(reasons::invalid_photos(MAX_PHOTOS_PER_REPORT));
        }
        check_answers(&category.questions, filing.answers)?;
        let Some(zone) = zones.first() else {
            return Err(reasons::outside_zones(self.town.name()));
        };
        let Some(service) = self.town.route(filing.category, zones) else {
            return Err(reasons::unknown_category(filing.category));
        };
        let service = service.to_owned();
        let radius_m = duplicate_radius(self.town, filing.category).unwrap_or_default();
        let duplicate_of = self.probable_duplicate(filing.category, filing.location, radius_m);
        let (lat, lon) = (filing.location.lat, filing.location.lon);
        self.facts.reports.insert(
            filing.report_id,
            ReportFacts {
                tenant: self.device.tenant.clone(),
                citizen: self.citizen().to_owned(),
                language: None,
                category: filing.category.to_owned(),
                zone: zone.clone(),
                service: service.clone(),
                status: ReportStatus::Received,
                version: 1,
                lat,
                lon,
                received_at_ms: self.now_ms,
                resolved_at_ms: None,
                assigned_to: None,
                duplicate_of,
            },
        );
        if duplicate_of.is_none() {
            self.candidates.add(NearbyReport {
                id: filing.report_id,
                category: filing.category.to_owned(),
                lat,
                lon,
            });
        }
        Ok(Write::Report(Box::new(NewReport {
            id: filing.report_id,
            category: filing.category.to_owned(),
            location: filing.location,
            text: text.into_owned(),
            photos: filing.photos.to_vec(),
            created_at_ms: filing.created_at_ms,
            received_at_ms: self.now_ms,
            due_at_ms: category
                .response_days
                .map(|days| self.now_ms + i64::from(days) * DAY_MS),
            zone: zone.clone(),
            service,
            answers: filing.answers.clone(),
            duplicate_of,
            // An original joins the spatial index of the duplicate lookup; a probable duplicate
            // does not, so a spot holds few candidates however many reports repeat it.
            cell: duplicate_of.is_none().then(|| geo::cell(lat, lon)),
            device: self.device.id,
            citizen: self.citizen().to_owned(),
            channel: self.source.as_str().to_owned(),
            follow: self.follow_reported(zone),
            history: HistoryEntry {
                action: "filed".to_owned(),
                status: ReportStatus::Received,
                status_changed: true,
                actor: ActorRecord::Citizen(self.citizen().to_owned()),
                channel: self.source.as_str().to_owned(),
                device: Some(self.device.id),
                detail: None,
            },
        })))
    }

    /// The nearest open original of `category` within `radius_m` of `at`: among those the
    /// backend found in the grid cells around it, and those filed earlier in this batch.
    fn probable_duplicate(&self, category: &str, at: GeoPoint, radius_m: u32) -> Option<Uuid> {
        self.candidates.nearest(category, at, radius_m, |id| {
            // An earlier mutation of the batch may have closed it.
            self.facts
                .reports
                .get(&id)
                .is_none_or(|report| status::is_open(report.status))
        })
    }
}

/// Every answer names a question of the category and fits it; every required question is
/// answered.
fn check_answers(questions: &[Question], answers: &BTreeMap<String, Answer>) -> Result<(), Reason> {
    answers::check(questions, answers).map_err(|(code, problem)| match problem {
        AnswerProblem::UnknownQuestion => reasons::unknown_question(&code),
        AnswerProblem::Invalid(question) => reasons::invalid_answer(question),
        AnswerProblem::Missing(question) => reasons::missing_answer(question),
    })
}
