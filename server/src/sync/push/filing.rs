//! `create_report`: validation (category, point, text, photos, answers to the category's
//! questions), routing (zone, service) and the probable-duplicate flag.

use std::collections::BTreeMap;

use relais_domain::answers::{self, AnswerProblem};
use relais_domain::{geo::distance_m, status};
use relais_protocol::mutation::MAX_TEXT_CHARS;
use relais_protocol::upload::{MAX_PHOTOS_PER_REPORT, is_content_address};
use relais_protocol::{Answer, GeoPoint, Question, Reason, ReportStatus};
use uuid::Uuid;

use super::{Judge, is_valid_text};
use crate::sync::reasons;
use relais_server_database::{Effect, NearbyReport, NewReport, ReportFacts};

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

impl Judge<'_> {
    pub(super) fn create_report(&mut self, filing: &Filing<'_>) -> Result<Effect, Reason> {
        if self.reports.contains_key(&filing.report_id) {
            return Err(reasons::duplicate_id());
        }
        let Some(category) = self.facts.categories.get(filing.category) else {
            return Err(reasons::unknown_category(filing.category));
        };
        if !filing.location.is_valid() {
            return Err(reasons::invalid_location());
        }
        if !is_valid_text(filing.text) {
            return Err(reasons::invalid_text(MAX_TEXT_CHARS));
        }
        if filing.photos.len() > MAX_PHOTOS_PER_REPORT
            || !filing.photos.iter().all(|name| is_content_address(name))
        {
            return Err(reasons::invalid_photos(MAX_PHOTOS_PER_REPORT));
        }
        check_answers(&category.questions, filing.answers)?;
        let zones = self.zones.locate(filing.location.lon, filing.location.lat);
        let Some(zone) = zones.first() else {
            return Err(reasons::outside_zones(&self.zones.tenant.name));
        };
        let radius_m = category
            .duplicate_radius_m
            .unwrap_or(self.facts.town.duplicate_radius_m);
        let duplicate_of = self.probable_duplicate(filing.category, filing.location, radius_m);
        self.reports.insert(
            filing.report_id,
            ReportFacts {
                tenant: self.device.tenant.clone(),
                citizen: self.citizen().to_owned(),
                status: ReportStatus::Received,
                version: 1,
                resolved_at_ms: None,
            },
        );
        self.filed.push(NearbyReport {
            id: filing.report_id,
            category: filing.category.to_owned(),
            lat: filing.location.lat,
            lon: filing.location.lon,
        });
        Ok(Effect::CreateReport(NewReport {
            id: filing.report_id,
            category: filing.category.to_owned(),
            location: filing.location,
            text: filing.text.to_owned(),
            photos: filing.photos.to_vec(),
            created_at_ms: filing.created_at_ms,
            received_at_ms: self.now_ms,
            status: ReportStatus::Received,
            version: 1,
            zone: (*zone).to_owned(),
            service: category.service.clone(),
            answers: filing.answers.clone(),
            duplicate_of,
        }))
    }

    /// The nearest report of `category` still open within `radius_m` of `at`: among those the
    /// backend found in the bounding box (open, recent), and those filed earlier in this batch.
    fn probable_duplicate(&self, category: &str, at: GeoPoint, radius_m: u32) -> Option<Uuid> {
        self.facts
            .nearby
            .iter()
            .chain(&self.filed)
            .filter(|candidate| candidate.category == category)
            // An earlier mutation of the batch may have closed it.
            .filter(|candidate| {
                self.reports
                    .get(&candidate.id)
                    .is_none_or(|report| status::is_open(report.status))
            })
            .map(|candidate| {
                let distance = distance_m(at.lat, at.lon, candidate.lat, candidate.lon);
                (distance, candidate.id)
            })
            .filter(|(distance, _)| *distance <= f64::from(radius_m))
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, id)| id)
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

#[cfg(test)]
mod tests {
    use relais_protocol::{Choice, LocalizedText, QuestionKind};

    use super::*;

    fn questions() -> Vec<Question> {
        vec![
            Question {
                code: "size".into(),
                label: LocalizedText::new("Taille", "Size"),
                kind: QuestionKind::SingleChoice {
                    options: vec![Choice {
                        code: "small".into(),
                        label: LocalizedText::new("Petit", "Small"),
                    }],
                },
                required: true,
            },
            Question {
                code: "count".into(),
                label: LocalizedText::new("Nombre", "Count"),
                kind: QuestionKind::Number,
                required: false,
            },
        ]
    }

    #[test]
    fn answers_are_checked_against_the_questions() {
        let q = questions();
        let answers = |pairs: &[(&str, Answer)]| -> BTreeMap<String, Answer> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect()
        };
        let code = |r: Result<(), Reason>| r.err().map(|reason| reason.code);
        assert_eq!(
            code(check_answers(
                &q,
                &answers(&[("size", Answer::Choice("small".into()))])
            )),
            None
        );
        let missing = check_answers(&q, &answers(&[])).unwrap_err();
        assert_eq!(missing.code, "missing_answer");
        assert!(missing.message.fr.contains("Taille"));
        assert!(missing.message.en.contains("Size"));
        assert_eq!(
            code(check_answers(
                &q,
                &answers(&[("size", Answer::Choice("huge".into()))])
            )),
            Some("invalid_answer".into())
        );
        assert_eq!(
            code(check_answers(
                &q,
                &answers(&[
                    ("size", Answer::Choice("small".into())),
                    ("count", Answer::Text("two".into()))
                ])
            )),
            Some("invalid_answer".into())
        );
        assert_eq!(
            code(check_answers(
                &q,
                &answers(&[
                    ("size", Answer::Choice("small".into())),
                    ("colour", Answer::Text("red".into()))
                ])
            )),
            Some("invalid_answer".into())
        );
    }
}
