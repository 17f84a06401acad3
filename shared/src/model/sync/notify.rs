//! What a sync tells the user: a new status of one of their reports, a new message from the town
//! about one, a new alert of a zone they follow (each alert once). One notification per report
//! per sync, however many pages its changes came in: a run notes each report's state before it
//! first changed, and compares with the last at the end of the pull (or when the run stops).
//!
//! Not notified: the first acknowledgement of a report they just sent (they know), and a
//! reopening (only the reporter reopens a report, from this device or another of theirs).

use std::collections::BTreeMap;

use crux_core::Command;
use relais_protocol::{Author, ReportStatus, ThreadMessage, ZoneAlert};
use uuid::Uuid;

use super::{Event, Model, SyncState};
use crate::{
    effects::{Effect, Notification, store::PullApplied},
    i18n,
    model::HeldReport,
};

/// What a run has pulled that may be news.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct News {
    /// The user's own reports as they were before the run first changed them.
    before: BTreeMap<Uuid, HeldReport>,
    alerts: Vec<ZoneAlert>,
}

impl News {
    /// Notes what a page changes, before the model takes it.
    pub fn note(&mut self, held: &BTreeMap<Uuid, HeldReport>, applied: &PullApplied) {
        for new in applied.held.iter().filter(|h| h.report.mine) {
            if let Some(old) = held.get(&new.id()) {
                self.before.entry(new.id()).or_insert_with(|| old.clone());
            }
        }
        self.alerts.extend(applied.new_alerts.iter().cloned());
    }
}

/// The notifications of the run's news so far, which it forgets.
pub fn flush(model: &mut Model) -> Command<Effect, Event> {
    let SyncState::Running(run) = &mut model.sync else {
        return Command::done();
    };
    let news = std::mem::take(&mut run.news);
    let reports = news
        .before
        .iter()
        .filter_map(|(id, old)| of_report(model, old, model.held.get(id)?));
    let now_ms = model.now_ms;
    let lang = model.lang;
    let alerts = news
        .alerts
        .iter()
        .filter(|a| a.ends_at_ms > now_ms)
        .map(|a| {
            Notification::alert(
                a.id,
                lang.pick(&a.title).to_owned(),
                lang.pick(&a.text).to_owned(),
            )
        });
    Command::all(
        reports
            .chain(alerts)
            .map(|n| Command::notify_shell(n).into()),
    )
}

fn city_messages(held: &HeldReport) -> impl DoubleEndedIterator<Item = &ThreadMessage> {
    held.thread.iter().filter(|m| m.author == Author::City)
}

fn of_report(model: &Model, old: &HeldReport, new: &HeldReport) -> Option<Notification> {
    let lang = model.lang;
    let category = model
        .catalogue
        .as_ref()
        .and_then(|c| c.category(&new.report.category))
        .map_or_else(
            || new.report.category.clone(),
            |c| lang.pick(&c.name).to_owned(),
        );
    let city_wrote = (city_messages(new).count() > city_messages(old).count())
        .then(|| city_messages(new).next_back())
        .flatten();
    let (old_status, new_status) = (old.report.status, new.report.status);
    let (title, body) = if old_status != new_status
        && old_status != ReportStatus::Queued
        && new_status != ReportStatus::Reopened
    {
        // What the town wrote with the change: in its thread today, in the history's note for
        // older servers.
        let note = city_wrote
            .map(|m| m.text.clone())
            .or_else(|| new.report.history.last().and_then(|h| h.note.clone()));
        i18n::status_notification(lang, &category, new_status, note.as_deref())
    } else {
        i18n::message_notification(lang, &category, &city_wrote?.text)
    };
    Some(Notification::report(new.id(), title, body))
}
