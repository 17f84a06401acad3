//! A staff device's work list as it looks on screen: each task with its due date, whether it is
//! overdue, who it is assigned to and, sorted by distance, how far it is.

use relais_domain::geo::distance_m;
use serde::Serialize;

use super::ReportView;
use crate::{i18n::Lang, model::Model};

#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct TaskView {
    pub report: ReportView,
    /// The staff member it is assigned to (`Name <e-mail>`).
    pub assigned_to: Option<String>,
    pub assigned_to_me: bool,
    /// From the position the list was asked for, in metres.
    pub distance_m: Option<f64>,
    /// How many internal notes it has.
    pub notes: u32,
}

pub(crate) fn tasks(model: &Model, lang: Lang) -> Vec<TaskView> {
    let me = model
        .registration()
        .and_then(|r| r.staff.as_ref())
        .map(|s| s.email.to_lowercase());
    let near = model.lists.work.query.near;
    model
        .lists
        .work
        .items
        .iter()
        .map(|held| {
            let assignee = held.task.as_ref().and_then(|t| t.assigned_to.as_ref());
            let location = held.report.location;
            TaskView {
                report: ReportView::new(&held.report, model, lang),
                assigned_to: assignee.map(|s| format!("{} <{}>", s.name, s.email)),
                assigned_to_me: assignee
                    .zip(me.as_deref())
                    .is_some_and(|(a, me)| a.email.eq_ignore_ascii_case(me)),
                distance_m: near
                    .map(|p| distance_m(p.lat, p.lon, location.lat, location.lon).round()),
                notes: held
                    .task
                    .as_ref()
                    .map_or(0, |t| u32::try_from(t.notes.len()).unwrap_or(u32::MAX)),
            }
        })
        .collect()
}
