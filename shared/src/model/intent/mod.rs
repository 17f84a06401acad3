//! What a shell may ask of the core: the [`Intent`]s, typed UniFFI records so that Kotlin and
//! Swift get the same contract, and their translation into the core's own types; [`route`]
//! sends each to the state machine it belongs to.

mod route;
#[cfg(test)]
mod tests;

pub use route::route;

use relais_protocol::{Answer, GeoPoint, WorkflowAction, account::ContactChannel};
use uuid::Uuid;

use super::{
    draft,
    lists::{ReportQuery, WorkQuery},
};
use crate::i18n::Message;

/// What a shell may ask of the core.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Intent {
    /// Open the local store. `language` is the device's language tag (`fr-FR`, `en-GB`...).
    /// With `auto_sync`, the core syncs by itself on that schedule (after saving something for
    /// the server, when the network is back, on a timer with backoff); without, only when told.
    Start {
        language: String,
        auto_sync: Option<super::SyncSchedule>,
    },
    /// Override the device language for this app.
    SetLanguage { language: String },
    /// Register this device with `tenant` (a town) on the server at `server_url`. On a device
    /// the server no longer recognises (its identity was deleted), start again from scratch.
    Register {
        server_url: String,
        tenant: String,
        platform: String,
        /// A one-time code from the town: registers a staff member's device.
        enrolment_code: Option<String>,
    },
    /// File a report; it is saved on the device and queued for the next sync.
    FileReport {
        category: String,
        lat: f64,
        lon: f64,
        accuracy_m: Option<f64>,
        text: String,
        answers: Vec<AnswerInput>,
        /// Picture files (JPEG, PNG, WebP; the platform converts HEIC first), at most five.
        photos: Vec<String>,
    },
    /// Download a photo the server has to `path`.
    FetchPhoto { sha256: String, path: String },
    /// Create or update my optional account: how to be told, `language` `fr` or `en`. The answer carries a code to link my other devices.
    SetAccount {
        email: String,
        phone: Option<String>,
        contact: ContactChannel,
        language: String,
    },
    /// Link this device to my account, with the code another of my devices shows.
    LinkAccount { code: String },
    /// Ask the server for everything it holds about me.
    ExportAccount,
    /// Delete my identity on the server (my reports stay, anonymised), then forget everything here.
    DeleteAccount,
    /// Show open reports of `category` near a point, to offer "me too" instead of a duplicate:
    /// asked of the server when it is reachable, of the device's own copy when not.
    FindNearby {
        category: String,
        lat: f64,
        lon: f64,
    },
    /// "Me too" on someone else's report.
    Support { report_id: String },
    /// Write to the reporter (staff) or to the town (the reporter) about a report.
    Reply { report_id: String, text: String },
    /// After a resolution: fixed or not (reopens), with an optional satisfaction from 1 to 5.
    ConfirmResolution {
        report_id: String,
        fixed: bool,
        satisfaction: Option<u8>,
    },
    /// Rate a public service from 1 to 5 on satisfaction and importance.
    RateService {
        service_id: String,
        satisfaction: u8,
        importance: u8,
        comment: Option<String>,
    },
    /// Receive every report of a zone (at any level) and its alerts.
    FollowZone { zone: String },
    /// Stop following a zone, however it came to be followed.
    UnfollowZone { zone: String },
    /// Staff: act on a report of the work list. `reply` is written to the reporter (without
    /// one, the town's draft is sent where a reply is due); `note` is internal; `photos` are
    /// picture files taken on site (with `resolve`).
    StaffAction {
        report_id: String,
        action: StaffActionInput,
        reply: Option<String>,
        note: Option<String>,
        photos: Vec<String>,
    },
    /// Apply again, on the report as it is now, a change the server refused as a conflict.
    Reapply { mutation_id: String },
    /// Show another list of reports.
    ListReports { query: ReportQuery },
    /// Staff: show the work list another way.
    ListWork { query: WorkQuery },
    /// Edit the report being written (see [`DraftIntent`]).
    Draft { change: DraftIntent },
    /// Show one report in detail, with its timeline.
    OpenReport { report_id: String },
    /// Send what is queued and fetch what changed.
    Sync,
    /// The shell saw the network come back: with `auto_sync`, the core syncs now.
    NetworkBack,
}

/// Who placed a draft's location (a photo's position is taken with `UsePhotoLocation`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, uniffi::Enum)]
pub enum PlacedBy {
    /// A fix of the device's location service, with its accuracy.
    Gps,
    /// The user put the pin on the map.
    Pin,
}

/// What a staff member does to a report.
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Enum)]
pub enum StaffActionInput {
    /// "We have it."
    Acknowledge,
    /// An intervention is planned at `for_ms` (milliseconds since the Unix epoch).
    Schedule { for_ms: i64 },
    /// Work has started.
    Start,
    /// Fixed (with the photos of the intent).
    Resolve,
    /// Refused, for a reason code of the catalogue's `rejection_reasons`.
    Reject { reason: String },
    /// Handed to another service (its code).
    Transfer { service: String },
    /// The same problem as the report `of`.
    MarkDuplicate { of: String },
    /// Given to a staff member (by e-mail), or to nobody.
    Assign { to: Option<String> },
    /// Only a written reply to the reporter.
    Reply,
    /// Only an internal note.
    Note,
}

impl StaffActionInput {
    /// The protocol's action; `photos` are the processed photos of a resolution.
    pub(crate) fn into_action(self, photos: Vec<String>) -> Result<WorkflowAction, Message> {
        Ok(match self {
            Self::Acknowledge => WorkflowAction::Acknowledge,
            Self::Schedule { for_ms } => WorkflowAction::Schedule {
                for_ms: Some(for_ms),
            },
            Self::Start => WorkflowAction::Start,
            Self::Resolve => WorkflowAction::Resolve { photos },
            Self::Reject { reason } => WorkflowAction::Reject { reason },
            Self::Transfer { service } => WorkflowAction::Transfer { service },
            Self::MarkDuplicate { of } => WorkflowAction::MarkDuplicate {
                of: Uuid::parse_str(of.trim()).map_err(|_| Message::UnknownReport)?,
            },
            Self::Assign { to } => WorkflowAction::Assign {
                to: to
                    .map(|t| t.trim().to_lowercase())
                    .filter(|t| !t.is_empty()),
            },
            Self::Reply => WorkflowAction::Reply,
            Self::Note => WorkflowAction::Note,
        })
    }
}

/// A change to the report being written, step by step.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum DraftIntent {
    /// Begin a report (or resume the one in progress).
    Start,
    Discard,
    SetCategory {
        code: String,
    },
    SetLocation {
        lat: f64,
        lon: f64,
        accuracy_m: Option<f64>,
        source: PlacedBy,
    },
    /// Take the location offered by the first photo's EXIF position.
    UsePhotoLocation,
    /// A picture file (JPEG, PNG, WebP; the platform converts HEIC first).
    AddPhoto {
        path: String,
    },
    RemovePhoto {
        sha256: String,
    },
    PhotosDone,
    SetText {
        text: String,
    },
    /// `None` clears the answer.
    Answer {
        question: String,
        value: Option<AnswerValue>,
    },
    /// Check everything and show the summary.
    Review,
    /// Check everything and queue the report.
    Submit,
}

impl DraftIntent {
    pub(crate) fn into_change(self) -> Result<draft::DraftChange, Message> {
        use draft::{DraftChange as C, LocationSource};
        Ok(match self {
            Self::Start => C::Start,
            Self::Discard => C::Discard,
            Self::SetCategory { code } => C::Category(code),
            Self::SetLocation {
                lat,
                lon,
                accuracy_m,
                source,
            } => C::Locate {
                point: GeoPoint {
                    lat,
                    lon,
                    accuracy_m,
                },
                source: match source {
                    PlacedBy::Gps => LocationSource::Gps,
                    PlacedBy::Pin => LocationSource::Pin,
                },
            },
            Self::UsePhotoLocation => C::UsePhotoLocation,
            Self::AddPhoto { path } => C::AddPhoto(path),
            Self::RemovePhoto { sha256 } => C::RemovePhoto(sha256),
            Self::PhotosDone => C::PhotosDone,
            Self::SetText { text } => C::Text(text),
            Self::Answer { question, value } => C::Answer(question, value.map(Into::into)),
            Self::Review => C::Review,
            Self::Submit => C::Submit,
        })
    }
}

/// An answer to a category's extra question.
#[derive(Debug, Clone, PartialEq, uniffi::Record)]
pub struct AnswerInput {
    pub question: String,
    pub value: AnswerValue,
}

#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum AnswerValue {
    Text { text: String },
    Number { number: f64 },
    Choice { code: String },
    Choices { codes: Vec<String> },
}

impl From<AnswerValue> for Answer {
    fn from(value: AnswerValue) -> Self {
        match value {
            AnswerValue::Text { text } => Self::Text(text),
            AnswerValue::Number { number } => Self::Number(number),
            AnswerValue::Choice { code } => Self::Choice(code),
            AnswerValue::Choices { codes } => Self::Choices(codes),
        }
    }
}
