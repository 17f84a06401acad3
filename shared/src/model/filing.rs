//! Filing a report: validate what the user entered against the cached catalogue, stamp it with
//! a time-ordered id, and save it durably together with the outbox item that will send it.

use std::time::{SystemTime, UNIX_EPOCH};

use crux_core::{Command, render::render};
use crux_time::command::Time;
use relais_protocol::{GeoPoint, Mutation, MutationOp, ReportStatus, mutation::MAX_TEXT_CHARS};
use uuid::{Timestamp, Uuid};

use super::{Event, Model, OutboxItem, Report};
use crate::{
    effects::{
        Effect,
        store::{self, StoreError},
    },
    i18n::Message,
};

/// What the user entered.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub category: String,
    pub location: GeoPoint,
    pub text: String,
}

/// Where the latest filing stands.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Filing {
    #[default]
    Idle,
    Saving,
    /// Saved on the device and queued for sending.
    Saved(Uuid),
    /// Refused before saving, or the save failed.
    Failed(Message),
}

#[derive(Debug)]
pub enum FilingEvent {
    /// The clock answered: the draft can get its ids.
    Stamped { draft: Draft, now: SystemTime },
    /// The report and its outbox item were saved; the store gave the item its sequence number.
    Enqueued {
        report: Box<Report>,
        item: Box<OutboxItem>,
        result: Result<u64, StoreError>,
    },
}

/// The user asked to file `draft`.
pub fn start(model: &mut Model, draft: Draft) -> Command<Effect, Event> {
    if let Err(message) = validate(model, &draft) {
        model.filing = Filing::Failed(message);
        return render();
    }
    model.filing = Filing::Saving;
    let stamp =
        Time::now().then_send(move |now| Event::Filing(FilingEvent::Stamped { draft, now }));
    Command::all([stamp, render()])
}

fn validate(model: &Model, draft: &Draft) -> Result<(), Message> {
    if model.registration.is_none() {
        return Err(Message::NotRegistered);
    }
    let catalogue = model.catalogue.as_ref().ok_or(Message::NoCatalogue)?;
    if catalogue.category(&draft.category).is_none() {
        return Err(Message::UnknownCategory(draft.category.clone()));
    }
    if !draft.location.is_valid() {
        return Err(Message::InvalidLocation);
    }
    if draft.text.trim().is_empty() {
        return Err(Message::EmptyText);
    }
    if draft.text.chars().count() > MAX_TEXT_CHARS {
        return Err(Message::TextTooLong {
            max: MAX_TEXT_CHARS,
        });
    }
    Ok(())
}

pub fn update(event: FilingEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        FilingEvent::Stamped { draft, now } => {
            let since_epoch = now.duration_since(UNIX_EPOCH).unwrap_or_default();
            let created_at_ms = i64::try_from(since_epoch.as_millis()).unwrap_or(i64::MAX);
            let stamp = Timestamp::from_unix(
                uuid::NoContext,
                since_epoch.as_secs(),
                since_epoch.subsec_nanos(),
            );
            let report = Report {
                id: Uuid::new_v7(stamp),
                category: draft.category,
                location: draft.location,
                text: draft.text.trim().to_owned(),
                created_at_ms,
                status: ReportStatus::Queued,
                version: 0,
                zone: None,
                service: None,
                history: Vec::new(),
                photos: Vec::new(),
                mine: true,
                refusal: None,
            };
            let mutation = Mutation {
                seq: 0, // given by the store, in the same transaction as the insert
                mutation_id: Uuid::new_v7(stamp),
                op: MutationOp::CreateReport {
                    report_id: report.id,
                    category: report.category.clone(),
                    location: report.location,
                    text: report.text.clone(),
                    created_at_ms,
                    photos: Vec::new(),
                    answers: std::collections::BTreeMap::new(),
                },
            };
            let report = Box::new(report);
            let item = Box::new(OutboxItem::new(mutation, created_at_ms));
            store::enqueue(report.clone(), item.clone()).then_send(move |result| {
                Event::Filing(FilingEvent::Enqueued {
                    report,
                    item,
                    result,
                })
            })
        }
        FilingEvent::Enqueued {
            report,
            mut item,
            result: Ok(seq),
        } => {
            item.mutation.seq = seq;
            model.filing = Filing::Saved(report.id);
            model.reports.insert(report.id, *report);
            model.outbox.push(*item);
            render()
        }
        FilingEvent::Enqueued { result: Err(e), .. } => {
            model.filing = Filing::Failed(Message::StorageFailed(e.0));
            render()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::{CATEGORY, Harness, ServerOracle};
    use crate::{model::Intent, view::FilingView};

    fn file(h: &mut Harness, category: &str, lat: f64, text: &str) -> FilingView {
        h.send(Intent::FileReport {
            category: category.into(),
            lat,
            lon: 2.35,
            accuracy_m: None,
            text: text.into(),
        });
        h.view().filing
    }

    fn failure(view: FilingView) -> String {
        match view {
            FilingView::Failed { message } => message,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn an_unregistered_device_cannot_file() {
        let mut h = Harness::new();
        let message = failure(file(&mut h, CATEGORY, 48.85, "pothole"));
        assert!(message.contains("not registered"), "{message}");
    }

    #[test]
    fn bad_input_is_refused_with_a_readable_message_and_nothing_is_saved() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        assert!(failure(file(&mut h, "no-such-category", 48.85, "x")).contains("no-such-category"));
        assert!(failure(file(&mut h, CATEGORY, 91.0, "x")).contains("not valid"));
        assert!(failure(file(&mut h, CATEGORY, f64::NAN, "x")).contains("not valid"));
        assert!(failure(file(&mut h, CATEGORY, 48.85, "   ")).contains("Describe"));
        assert!(failure(file(&mut h, CATEGORY, 48.85, &"x".repeat(4001))).contains("4000"));
        let h = h.restart();
        assert!(h.view().reports.is_empty());
        assert!(h.view().outbox.is_empty());
    }

    #[test]
    fn messages_follow_the_language() {
        let mut h = Harness::new();
        h.send(Intent::SetLanguage {
            language: "fr-FR".into(),
        });
        let message = failure(file(&mut h, CATEGORY, 48.85, "nid de poule"));
        assert!(message.contains("pas encore inscrit"), "{message}");
        // The override is saved.
        assert_eq!(h.restart().view().language, "fr");
    }

    #[test]
    fn a_filed_report_gets_a_time_ordered_id_and_a_trimmed_text() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        let first = h.file("  matelas  ");
        let second = h.file("frigo");
        assert_eq!(first.get_version_num(), 7);
        let millis = |id: uuid::Uuid| id.get_timestamp().unwrap().to_unix();
        assert!(millis(first) <= millis(second), "ids sort by filing time");
        let report = h
            .view()
            .reports
            .into_iter()
            .find(|r| r.id == first.to_string())
            .unwrap();
        assert_eq!(report.text, "matelas");
    }
}
