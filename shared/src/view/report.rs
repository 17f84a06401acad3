//! How a report looks on screen: as the server last said, with this device's queued staff
//! changes applied ([`crate::model::chain`]).

use relais_protocol::ReportStatus;
use serde::Serialize;

use crate::{
    i18n::{self, Lang},
    model::{
        Model, Report, chain,
        nearby::{Nearby, NearbySource},
    },
};

#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct ReportView {
    pub id: String,
    pub category: String,
    pub category_name: String,
    pub lat: f64,
    pub lon: f64,
    pub accuracy_m: Option<f64>,
    pub text: String,
    /// Where it stands: `Queued` until the server has it (also when the server refused it:
    /// then `refusal` says why), else the server's status.
    pub status: ReportStatus,
    /// The status in words, "Refused" for a report the server refused.
    pub status_label: String,
    /// Why the server refused it, in the user's language.
    pub refusal: Option<String>,
    pub mine: bool,
    pub created_at_ms: i64,
    /// The server's version (with this device's queued changes counted).
    pub version: i64,
    pub zone: Option<String>,
    pub service: Option<String>,
    pub service_code: Option<String>,
    /// When the town promised an answer by.
    pub due_at_ms: Option<i64>,
    /// Open and past its due date.
    pub overdue: bool,
    /// When an intervention is planned.
    pub scheduled_for_ms: Option<i64>,
    pub photos: Vec<String>,
    /// How many of `photos` the server has (own reports): "2 of 3 photos sent".
    pub photos_sent: u32,
    /// Photos the town took when it resolved the report.
    pub completion_photos: Vec<String>,
    /// How many citizens said "me too".
    pub supporters: u32,
    /// This device said "me too".
    pub supported: bool,
    /// The earlier report this one probably repeats.
    pub duplicate_of: Option<String>,
    /// This device's changes to it still waiting to be sent (staff).
    pub pending_changes: u32,
}

impl ReportView {
    pub(crate) fn new(report: &Report, model: &Model, lang: Lang) -> Self {
        let pending_changes = model.outbox.queued_for(report.id).count();
        let projected;
        let report = if pending_changes == 0 {
            report
        } else {
            projected = chain::projected(report, model.outbox.queued_for(report.id));
            &projected
        };
        let category_name = model
            .catalogue
            .as_ref()
            .and_then(|c| c.category(&report.category))
            .map_or_else(
                || report.category.clone(),
                |c| lang.pick(&c.name).to_owned(),
            );
        let service = model
            .catalogue
            .as_ref()
            .and_then(|c| c.service(report.service_code.as_deref()?))
            .map(|s| &s.name)
            .or(report.service.as_ref())
            .map(|s| lang.pick(s).to_owned());
        let status_label = match &report.refusal {
            Some(_) => i18n::refused_label(lang),
            None => i18n::status_label(report.status, lang),
        };
        let count = |n: usize| u32::try_from(n).unwrap_or(u32::MAX);
        Self {
            id: report.id.to_string(),
            category: report.category.clone(),
            category_name,
            lat: report.location.lat,
            lon: report.location.lon,
            accuracy_m: report.location.accuracy_m,
            text: report.text.clone(),
            status: report.status,
            status_label: status_label.to_owned(),
            refusal: report
                .refusal
                .as_ref()
                .map(|r| lang.pick(&r.message).to_owned()),
            mine: report.mine,
            created_at_ms: report.created_at_ms,
            version: report.version,
            zone: report.zone.clone(),
            service,
            service_code: report.service_code.clone(),
            due_at_ms: report.due_at_ms,
            overdue: report.is_overdue(model.now_ms),
            scheduled_for_ms: report.scheduled_for_ms,
            photos: report.photos.clone(),
            photos_sent: count(
                report
                    .photos
                    .iter()
                    .filter(|p| !model.uploads.contains_key(*p))
                    .count(),
            ),
            completion_photos: report.completion_photos.clone(),
            supporters: report.supporters,
            supported: report.supported,
            duplicate_of: report.duplicate_of.map(|id| id.to_string()),
            pending_changes: count(pending_changes),
        }
    }
}

/// Possible duplicates near a point, nearest first.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct NearbyView {
    pub category: String,
    /// Still asking.
    pub looking: bool,
    /// Who answered: the server (asked online) or the device's own copy (the server was not
    /// reached; it holds only the zones the citizen follows). `None` while still asking.
    pub source: Option<NearbySource>,
    /// Who answered and how far it looked, in words (`None` while still asking).
    pub answered_by: Option<String>,
    pub radius_m: f64,
    pub reports: Vec<NearbyReportView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct NearbyReportView {
    pub distance_m: f64,
    pub report: ReportView,
}

impl NearbyView {
    pub(crate) fn new(nearby: &Nearby, model: &Model, lang: Lang) -> Self {
        match nearby {
            Nearby::Looking(query) => Self {
                category: query.category.clone(),
                looking: true,
                source: None,
                answered_by: None,
                radius_m: query.radius_m(model.catalogue.as_ref()),
                reports: Vec::new(),
            },
            Nearby::Found {
                query,
                source,
                radius_m,
                reports,
            } => Self {
                category: query.category.clone(),
                looking: false,
                source: Some(*source),
                answered_by: Some(i18n::nearby_from(lang, *source, *radius_m)),
                radius_m: *radius_m,
                reports: reports
                    .iter()
                    .map(|(report, distance_m)| NearbyReportView {
                        distance_m: distance_m.round(),
                        report: ReportView::new(report, model, lang),
                    })
                    .collect(),
            },
        }
    }
}
