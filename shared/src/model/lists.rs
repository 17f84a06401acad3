//! The lists the views show, answered by the local store with indexed queries instead of being
//! held in memory: the reports list (what the user asked to see), a staff device's work list,
//! and the report opened in detail. Each remembers its question; [`refresh`] asks the store
//! again after anything that may change the answer (an action saved, a sync, a reset).

use crux_core::{Command, render::render};
use uuid::Uuid;

use super::{Event, HeldReport, Model, Report, zones};
use crate::{
    effects::{
        Effect,
        store::{self, StoreError, StoreOp},
    },
    i18n::Message,
};

/// Which reports to list, newest first.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct ReportQuery {
    /// Only the citizen's own reports.
    pub mine_only: bool,
    /// Only reports still being handled.
    pub open_only: bool,
    pub category: Option<String>,
    /// Only reports in this zone, at any level (an arrondissement holds its quartiers).
    pub zone: Option<String>,
    /// At most this many.
    pub limit: u32,
}

impl Default for ReportQuery {
    fn default() -> Self {
        Self {
            mine_only: false,
            open_only: false,
            category: None,
            zone: None,
            limit: 100,
        }
    }
}

/// A point, in WGS84 degrees.
#[derive(Debug, Clone, Copy, PartialEq, uniffi::Record)]
pub struct Position {
    pub lat: f64,
    pub lon: f64,
}

/// Which open tasks of a staff device's work list to show: by due date (the earliest first), or
/// by distance from `near`.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct WorkQuery {
    pub near: Option<Position>,
    /// Only tasks past the date the town promised an answer by.
    pub overdue_only: bool,
    /// Only tasks assigned to the staff member of this device.
    pub assigned_to_me: bool,
    pub limit: u32,
}

impl Default for WorkQuery {
    fn default() -> Self {
        Self {
            near: None,
            overdue_only: false,
            assigned_to_me: false,
            limit: 100,
        }
    }
}

/// A question and the store's latest answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<Q, T> {
    pub query: Q,
    pub items: Vec<T>,
}

impl<Q: Default, T> Default for Listing<Q, T> {
    fn default() -> Self {
        Self {
            query: Q::default(),
            items: Vec::new(),
        }
    }
}

/// The report shown in detail.
#[derive(Debug, Clone, PartialEq)]
pub enum Opened {
    /// Asked of the store.
    Reading(Uuid),
    /// What the device holds about it.
    Shown(Box<HeldReport>),
    /// The device does not hold it.
    Missing(Uuid),
}

impl Opened {
    pub const fn id(&self) -> Uuid {
        match self {
            Self::Reading(id) | Self::Missing(id) => *id,
            Self::Shown(held) => held.report.id,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Lists {
    pub reports: Listing<ReportQuery, Report>,
    pub work: Listing<WorkQuery, HeldReport>,
    pub opened: Option<Opened>,
}

#[derive(Debug)]
pub enum ListsEvent {
    Reports {
        query: ReportQuery,
        result: Result<Vec<Report>, StoreError>,
    },
    Work {
        query: WorkQuery,
        result: Result<Vec<HeldReport>, StoreError>,
    },
    Opened {
        id: Uuid,
        result: Result<Option<Box<HeldReport>>, StoreError>,
    },
}

/// The user asked for another list of reports.
pub fn list_reports(model: &mut Model, query: ReportQuery) -> Command<Effect, Event> {
    model.lists.reports.query = query;
    Command::all([ask_reports(model), render()])
}

/// The staff member asked for another view of their work list.
pub fn list_work(model: &mut Model, query: WorkQuery) -> Command<Effect, Event> {
    model.lists.work.query = query;
    Command::all([ask_work(model), render()])
}

/// The user opened a report.
pub fn open(model: &mut Model, id: Uuid) -> Command<Effect, Event> {
    model.lists.opened = Some(Opened::Reading(id));
    Command::all([ask_opened(id), render()])
}

/// Asks every list again.
pub fn refresh(model: &Model) -> Command<Effect, Event> {
    let opened = model.lists.opened.as_ref().map(|o| ask_opened(o.id()));
    Command::all(
        [Some(ask_reports(model)), Some(ask_work(model)), opened]
            .into_iter()
            .flatten(),
    )
}

fn ask_reports(model: &Model) -> Command<Effect, Event> {
    let query = model.lists.reports.query.clone();
    let zones = query
        .zone
        .as_deref()
        .map(|zone| zones::within(model.catalogue.as_ref(), zone));
    store::reports(StoreOp::QueryReports {
        query: query.clone(),
        zones,
    })
    .then_send(move |result| Event::Lists(ListsEvent::Reports { query, result }))
}

fn ask_work(model: &Model) -> Command<Effect, Event> {
    let Some(registration) = model.registration().filter(|r| r.is_staff()) else {
        return Command::done();
    };
    let query = model.lists.work.query.clone();
    store::work(StoreOp::QueryWork {
        query: query.clone(),
        me: registration.staff.as_ref().map(|s| s.email.clone()),
        now_ms: model.now_ms,
    })
    .then_send(move |result| Event::Lists(ListsEvent::Work { query, result }))
}

fn ask_opened(id: Uuid) -> Command<Effect, Event> {
    store::held_report(id).then_send(move |result| Event::Lists(ListsEvent::Opened { id, result }))
}

/// An answer of the store: kept if it answers the question still asked.
pub fn update(event: ListsEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        ListsEvent::Reports {
            query,
            result: Ok(items),
        } if query == model.lists.reports.query => model.lists.reports.items = items,
        ListsEvent::Work {
            query,
            result: Ok(items),
        } if query == model.lists.work.query => model.lists.work.items = items,
        ListsEvent::Opened {
            id,
            result: Ok(held),
        } if model.lists.opened.as_ref().is_some_and(|o| o.id() == id) => {
            if held.is_none() {
                model.notice = Some(Message::UnknownReport);
            }
            model.lists.opened = Some(held.map_or(Opened::Missing(id), Opened::Shown));
        }
        ListsEvent::Reports { result: Err(e), .. }
        | ListsEvent::Work { result: Err(e), .. }
        | ListsEvent::Opened { result: Err(e), .. } => {
            model.notice = Some(Message::StorageFailed(e.0));
        }
        // An answer to a question no longer asked.
        ListsEvent::Reports { .. } | ListsEvent::Work { .. } | ListsEvent::Opened { .. } => {}
    }
    render()
}
