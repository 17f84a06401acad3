//! Relais records as GeoReport v2 documents, and back: a town's categories are its request
//! types (`service_code` = the category's code), a category's questions its attributes, a report
//! a request. A request is `open` while its status is one of the open statuses of
//! [`relais_domain::status`] (the one list the device and the server share), `closed` after;
//! the finer Relais status is written in `status_notes`, and in the statuses of FixMyStreet's
//! `servicerequestupdates` extension.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat};
use relais_domain::{status, words};
use relais_protocol::{Answer, Category, LocalizedText, PublicReport, QuestionKind, ReportStatus};
use relais_server_database::RequestUpdate;

use super::documents::{
    Attribute, Attributes, ListValue, Request, Service, ServiceDefinition, Services, Update, Values,
};
use super::error::Failure;
use crate::town::Town;

/// The town's categories as request types, in the catalogue's order.
pub fn services(town: &Town, language: &str) -> Services {
    let catalogue = &town.catalogue;
    Services {
        service: catalogue
            .categories
            .iter()
            .map(|category| {
                let group = catalogue
                    .groups
                    .iter()
                    .find(|g| g.code == category.group)
                    .map(|g| g.name.get(language).to_owned());
                let service = category.service.get(language);
                Service {
                    service_code: category.code.clone(),
                    service_name: category.name.get(language).to_owned(),
                    description: Some(group.as_ref().map_or_else(
                        || service.to_owned(),
                        |group| format!("{group} — {service}"),
                    )),
                    metadata: !category.questions.is_empty(),
                    // A request is filed (or refused) before the answer: its id comes back at once.
                    kind: "realtime".to_owned(),
                    keywords: Some(
                        group
                            .iter()
                            .map(String::as_str)
                            .chain([service])
                            .collect::<Vec<_>>()
                            .join(", "),
                    ),
                    group,
                }
            })
            .collect(),
    }
}

/// A category's questions as attributes, with the specification's datatypes.
pub fn definition(category: &Category, language: &str) -> ServiceDefinition {
    let attribute = category
        .questions
        .iter()
        .zip(1..)
        .map(|(question, order)| {
            let (datatype, options) = match &question.kind {
                QuestionKind::Text => ("text", &[][..]),
                QuestionKind::Number { .. } => ("number", &[][..]),
                QuestionKind::SingleChoice { options } => ("singlevaluelist", options.as_slice()),
                QuestionKind::MultiChoice { options } => ("multivaluelist", options.as_slice()),
            };
            Attribute {
                variable: true,
                code: question.code.clone(),
                datatype: datatype.to_owned(),
                required: question.required,
                datatype_description: None,
                order,
                description: question.label.get(language).to_owned(),
                values: Values {
                    value: options
                        .iter()
                        .map(|option| ListValue {
                            key: option.code.clone(),
                            name: option.label.get(language).to_owned(),
                        })
                        .collect(),
                },
            }
        })
        .collect();
    ServiceDefinition {
        service_code: category.code.clone(),
        attributes: Attributes { attribute },
    }
}

/// The `attribute[code]` arguments as answers to the category's questions, of the kind each
/// question asks. Whether they fit (a known question, a number, an offered choice, every
/// required question answered) is the rules' decision, as for a phone: what cannot be read as
/// the question's kind goes to them as text, and they refuse it.
pub fn answers(
    category: &Category,
    attributes: BTreeMap<String, Vec<String>>,
) -> Result<BTreeMap<String, Answer>, Failure> {
    attributes
        .into_iter()
        .map(|(code, mut values)| {
            let kind = category
                .questions
                .iter()
                .find(|q| q.code == code)
                .map(|q| &q.kind);
            if !matches!(kind, Some(QuestionKind::MultiChoice { .. })) && values.len() > 1 {
                return Err(Failure::bad_request(
                    format!("L'attribut {code} n'accepte qu'une valeur."),
                    format!("Attribute {code} takes a single value."),
                ));
            }
            let answer = match kind {
                Some(QuestionKind::MultiChoice { .. }) => Answer::Choices(values),
                Some(QuestionKind::SingleChoice { .. }) => Answer::Choice(values.remove(0)),
                Some(QuestionKind::Number { .. }) => {
                    let value = values.remove(0);
                    value
                        .parse::<f64>()
                        .map_or(Answer::Text(value), Answer::Number)
                }
                Some(QuestionKind::Text) | None => Answer::Text(values.remove(0)),
            };
            Ok((code, answer))
        })
        .collect()
}

/// The town's published response time for the category, as a notice.
pub fn service_notice(category: &Category, language: &str) -> Option<String> {
    category.response_days.map(|days| {
        LocalizedText::new(
            format!("Réponse de la ville sous {days} jour(s)."),
            format!("The town answers within {days} day(s)."),
        )
        .get(language)
        .to_owned()
    })
}

/// A report as a request.
pub fn request(report: &PublicReport, town: &Town, language: &str) -> Request {
    let category = town.category(&report.category);
    let received_ms = report
        .history
        .first()
        .map_or(report.created_at_ms, |change| change.at_ms);
    let last = report.history.last();
    Request {
        service_request_id: report.id.to_string(),
        status: open_or_closed(report.status).to_owned(),
        status_notes: Some(notes(
            report.status,
            last.and_then(|change| change.detail.as_ref()),
            language,
        )),
        service_name: category.map(|c| c.name.get(language).to_owned()),
        service_code: report.category.clone(),
        description: Some(report.text.clone()),
        agency_responsible: Some(report.service.get(language).to_owned()),
        service_notice: category.and_then(|c| service_notice(c, language)),
        requested_datetime: w3c(received_ms),
        updated_datetime: Some(w3c(last.map_or(received_ms, |change| change.at_ms))),
        expected_datetime: report.scheduled_for_ms.or(report.due_at_ms).map(w3c),
        address: town.catalogue.zone(&report.zone).map(|z| z.name.clone()),
        address_id: None,
        zipcode: None,
        lat: report.location.lat,
        long: report.location.lon,
        media_url: None,
    }
}

/// An update of a request, for `servicerequestupdates`: the town's reply when the reader filed
/// the request, else what the town publishes about the change.
pub fn update(update: &RequestUpdate, language: &str) -> Update {
    Update {
        update_id: update.id.to_string(),
        service_request_id: update.report_id.to_string(),
        status: extension_status(update.status).to_owned(),
        updated_datetime: w3c(update.at_ms),
        description: Some(
            update
                .reply
                .clone()
                .unwrap_or_else(|| notes(update.status, update.detail.as_ref(), language)),
        ),
        media_url: None,
    }
}

/// `open` or `closed`, from the one list of open statuses.
pub fn open_or_closed(status: ReportStatus) -> &'static str {
    if status::is_open(status) {
        "open"
    } else {
        "closed"
    }
}

/// The statuses a `status` filter (`open`, `closed`) selects; `None` for another word.
pub fn statuses(filter: &str) -> Option<Vec<ReportStatus>> {
    use strum::IntoEnumIterator;
    let open = match filter {
        "open" => true,
        "closed" => false,
        _ => return None,
    };
    Some(
        ReportStatus::iter()
            .filter(|s| status::is_open(*s) == open)
            .collect(),
    )
}

/// The status of FixMyStreet's `servicerequestupdates` extension closest to a Relais status
/// (FixMyStreet reads `open` as its `confirmed`, which is also what it calls a reopened report).
pub const fn extension_status(status: ReportStatus) -> &'static str {
    match status {
        ReportStatus::Queued | ReportStatus::Received | ReportStatus::Reopened => "open",
        ReportStatus::Acknowledged => "investigating",
        ReportStatus::Scheduled => "action_scheduled",
        ReportStatus::InProgress => "in_progress",
        ReportStatus::Resolved => "fixed",
        ReportStatus::Rejected => "no_further_action",
        ReportStatus::Transferred => "internal_referral",
        ReportStatus::Duplicate => "duplicate",
    }
}

/// The status in words, with what the town publishes about it: `Rejected: private property`.
fn notes(status: ReportStatus, detail: Option<&LocalizedText>, language: &str) -> String {
    let (fr, en) = words::status_name(status);
    let name = LocalizedText::new(fr, en);
    let name = name.get(language);
    // French puts a space before the colon.
    let colon = if language == "fr" { " :" } else { ":" };
    match detail {
        Some(detail) => format!("{name}{colon} {}", detail.get(language)),
        None => name.to_owned(),
    }
}

/// A moment in the W3C format the specification asks (`2010-01-01T00:00:00Z`).
pub fn w3c(ms: i64) -> String {
    DateTime::from_timestamp_millis(ms).map_or_else(String::new, |d| {
        d.to_rfc3339_opts(SecondsFormat::Secs, true)
    })
}

/// A W3C date-time (with its offset) in milliseconds since the Unix epoch. A `+` offset that
/// reached the query string unescaped reads as a space: it is taken as the `+` it was.
pub fn parse_w3c(text: &str) -> Option<i64> {
    DateTime::parse_from_rfc3339(&text.trim().replace(' ', "+"))
        .ok()
        .map(|d| d.timestamp_millis())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_closed_follow_the_open_statuses() {
        let open = statuses("open").unwrap();
        let closed = statuses("closed").unwrap();
        assert!(open.contains(&ReportStatus::Scheduled));
        assert!(closed.contains(&ReportStatus::Resolved));
        assert!(closed.contains(&ReportStatus::Duplicate));
        assert!(open.iter().all(|s| !closed.contains(s)));
        assert_eq!(open.len() + closed.len(), 10);
        assert_eq!(open_or_closed(ReportStatus::Reopened), "open");
        assert_eq!(open_or_closed(ReportStatus::Rejected), "closed");
        assert!(statuses("pending").is_none());
    }

    #[test]
    fn dates_are_w3c_with_their_offset() {
        assert_eq!(w3c(1_271_252_258_000), "2010-04-14T13:37:38Z");
        assert_eq!(
            parse_w3c("2010-04-14T06:37:38-07:00"),
            Some(1_271_252_258_000)
        );
        assert_eq!(
            parse_w3c("2010-04-14T15:37:38 02:00"),
            Some(1_271_252_258_000)
        );
        assert_eq!(parse_w3c("2010-04-14"), None);
    }

    #[test]
    fn notes_read_in_each_language() {
        let detail = LocalizedText::new("Propriété privée", "Private property");
        assert_eq!(
            notes(ReportStatus::Rejected, Some(&detail), "en"),
            "Rejected: Private property"
        );
        assert_eq!(
            notes(ReportStatus::Rejected, Some(&detail), "fr"),
            "Rejeté : Propriété privée"
        );
        assert_eq!(notes(ReportStatus::Resolved, None, "fr"), "Résolu");
    }
}
