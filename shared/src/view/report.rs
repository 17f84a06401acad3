//! How a report and an outbox item look on screen.

use serde::Serialize;

use crate::{
    i18n::{self, Lang},
    model::{Model, OutboxItem, OutboxState, Report, nearby::NearbyQuery},
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
    /// `queued`, `received`, ... or `refused` when the server refused to accept it.
    pub status: String,
    pub status_label: String,
    /// Why the server refused it, in the user's language.
    pub refusal: Option<String>,
    pub mine: bool,
    pub created_at_ms: i64,
    pub zone: Option<String>,
    pub service: Option<String>,
    pub photos: Vec<String>,
    /// How many of `photos` the server has (own reports): "2 of 3 photos sent".
    pub photos_sent: u32,
    /// How many citizens said "me too".
    pub supporters: u32,
    /// This device said "me too".
    pub supported: bool,
    /// The earlier report this one probably repeats.
    pub duplicate_of: Option<String>,
}

impl ReportView {
    pub(crate) fn new(report: &Report, model: &Model, lang: Lang) -> Self {
        let category_name = model
            .catalogue
            .as_ref()
            .and_then(|c| c.category(&report.category))
            .map_or_else(|| report.category.clone(), |c| lang.pick(&c.name));
        let (status, status_label) = match &report.refusal {
            Some(_) => ("refused".to_owned(), i18n::refused_label(lang).to_owned()),
            None => (
                report.status.as_str().to_owned(),
                i18n::status_label(report.status, lang).to_owned(),
            ),
        };
        Self {
            id: report.id.to_string(),
            category: report.category.clone(),
            category_name,
            lat: report.location.lat,
            lon: report.location.lon,
            accuracy_m: report.location.accuracy_m,
            text: report.text.clone(),
            status,
            status_label,
            refusal: report.refusal.as_ref().map(|r| lang.pick(&r.message)),
            mine: report.mine,
            created_at_ms: report.created_at_ms,
            zone: report.zone.clone(),
            service: report.service.as_ref().map(|s| lang.pick(s)),
            photos: report.photos.clone(),
            photos_sent: u32::try_from(
                report
                    .photos
                    .iter()
                    .filter(|p| !report.mine || model.uploaded.contains(*p))
                    .count(),
            )
            .unwrap_or(u32::MAX),
            supporters: report.supporters,
            supported: report.supported,
            duplicate_of: report.duplicate_of.map(|id| id.to_string()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, uniffi::Record)]
pub struct OutboxItemView {
    /// The mutation id.
    pub id: String,
    pub seq: u64,
    /// `create_report`, `add_note`...
    pub kind: String,
    /// `queued` or `rejected`.
    pub state: String,
    /// The report it concerns.
    pub report_id: Option<String>,
    /// Why the server refused it, in the user's language.
    pub reason: Option<String>,
    pub attempts: u32,
    pub last_error: Option<String>,
}

impl OutboxItemView {
    pub(crate) fn new(item: &OutboxItem, lang: Lang) -> Self {
        use relais_protocol::MutationOp as Op;
        let report_id = match &item.mutation.op {
            Op::CreateReport { report_id, .. }
            | Op::AddNote { report_id, .. }
            | Op::ChangeStatus { report_id, .. }
            | Op::SupportReport { report_id }
            | Op::ConfirmResolution { report_id, .. }
            | Op::StaffAction { report_id, .. } => Some(report_id.to_string()),
            Op::RateService { .. }
            | Op::FollowZone { .. }
            | Op::UnfollowZone { .. }
            | Op::Unsupported => None,
        };
        let (state, reason) = match &item.state {
            OutboxState::Queued => ("queued", None),
            OutboxState::Rejected(r) => ("rejected", Some(lang.pick(&r.message))),
        };
        Self {
            id: item.id().to_string(),
            seq: item.mutation.seq,
            kind: item.mutation.op.kind().into(),
            state: state.into(),
            report_id,
            reason,
            attempts: item.attempts,
            last_error: item.last_error.clone(),
        }
    }
}

/// Possible duplicates near a point, nearest first.
#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct NearbyView {
    pub category: String,
    pub radius_m: f64,
    pub reports: Vec<NearbyReportView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, uniffi::Record)]
pub struct NearbyReportView {
    pub distance_m: f64,
    pub report: ReportView,
}

impl NearbyView {
    pub(crate) fn new(query: &NearbyQuery, model: &Model, lang: Lang) -> Self {
        let radius_m = query.radius_m(model.catalogue.as_ref());
        Self {
            category: query.category.clone(),
            radius_m,
            reports: query
                .matches(model.reports.values(), radius_m)
                .into_iter()
                .map(|(report, distance_m)| NearbyReportView {
                    distance_m: distance_m.round(),
                    report: ReportView::new(report, model, lang),
                })
                .collect(),
        }
    }
}
