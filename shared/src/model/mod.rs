//! The core's state and its transitions.
//!
//! [`Model`] is everything the device knows; [`update`] routes each [`Event`] to the state
//! machine it belongs to:
//!
//! | event                      | handled in          | what happens                                  |
//! |----------------------------|---------------------|-----------------------------------------------|
//! | `Intent(Start)`            | here                | load the local store                          |
//! | `Loaded`                   | here                | the model takes the snapshot; app is ready     |
//! | `Intent(Register)`         | [`registration`]    | register, save the token, first sync           |
//! | `Intent(FileReport)`, `Support`, `Reply`, `ConfirmResolution`, `RateService` | [`action`] | validate, stamp, save with its outbox item |
//! | `Intent(FindNearby)`, `OpenReport` | here | remember the question; the view answers it |
//! | `Intent(Sync)`             | [`sync`]            | push, pull, catalogue                          |
//! | `Intent(SetLanguage)`      | here                | save the user's language override              |

pub mod account;
pub mod action;
pub mod draft;
pub mod fetch;
pub mod nearby;
pub mod outbox;
pub mod registration;
pub mod report;
pub mod sync;
#[cfg(test)]
pub mod testing;
pub mod upload;
pub mod validate;

use std::collections::{BTreeMap, BTreeSet};

use crux_core::{Command, render::render};
use relais_protocol::{
    Answer, Catalogue, Cursor, Directory, GeoPoint, ReportStatus,
    account::{AccountDetails, ContactChannel},
};
use uuid::Uuid;

pub use action::{Action, ActionEvent, ActionKind, ActionState, Draft, MyRating};
pub use outbox::{Outbox, OutboxItem, OutboxState};
pub use registration::{Registering, Registration, RegistrationEvent};
pub use report::Report;
pub use sync::{SyncEvent, SyncState, SyncSummary};

use crate::{
    effects::{
        Effect,
        api::ApiFailure,
        store::{self, Snapshot, StoreError, StoreOp},
    },
    i18n::{Lang, Message},
};

/// What a shell may ask of the core.
#[derive(Debug, Clone, PartialEq, uniffi::Enum)]
pub enum Intent {
    /// Open the local store. `language` is the device's language tag (`fr-FR`, `en-GB`...).
    Start { language: String },
    /// Override the device language for this app.
    SetLanguage { language: String },
    /// Register this device with `tenant` (a town) on the server at `server_url`.
    Register {
        server_url: String,
        tenant: String,
        platform: String,
        /// A one-time code from the town: registers a field agent's device.
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
    /// Create or update my optional account: `contact` is `in_app`, `email` or `sms`,
    /// `language` `fr` or `en`. The answer carries a code to link my other devices.
    SetAccount {
        email: String,
        phone: Option<String>,
        contact: String,
        language: String,
    },
    /// Link this device to my account, with the code another of my devices shows.
    LinkAccount { code: String },
    /// Ask the server for everything it holds about me.
    ExportAccount,
    /// Delete my identity on the server (my reports stay, anonymised), then forget everything here.
    DeleteAccount,
    /// Show open reports of `category` near a point, to offer "me too" instead of a duplicate.
    FindNearby {
        category: String,
        lat: f64,
        lon: f64,
    },
    /// "Me too" on someone else's report.
    Support { report_id: String },
    /// Write to the city about one of my reports.
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
    /// Field agents: move a report to another status (`acknowledged`, `scheduled`,
    /// `resolved`, `rejected`...), with a note that the reporter reads.
    ChangeStatus {
        report_id: String,
        status: String,
        note: Option<String>,
    },
    /// Edit the report being written (see [`DraftIntent`]).
    Draft { change: DraftIntent },
    /// Show one report in detail, with its timeline.
    OpenReport { report_id: String },
    /// Send what is queued and fetch what changed.
    Sync,
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
    /// `source` is `gps` (a fix, with its accuracy) or `pin` (the user placed it).
    SetLocation {
        lat: f64,
        lon: f64,
        accuracy_m: Option<f64>,
        source: String,
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
    /// Queue the reviewed report.
    Submit,
}

impl DraftIntent {
    fn into_change(self) -> Result<draft::DraftChange, Message> {
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
                source: match source.as_str() {
                    "gps" => LocationSource::Gps,
                    "pin" => LocationSource::Pin,
                    other => return Err(Message::UnknownLocationSource(other.into())),
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

/// Every event the core handles: intents from the shell and the results of its own effects.
#[derive(Debug)]
pub enum Event {
    Intent(Intent),
    Loaded(Result<Box<Snapshot>, StoreError>),
    LanguageSaved(Result<(), StoreError>),
    Registration(RegistrationEvent),
    Action(ActionEvent),
    Sync(SyncEvent),
    Upload(upload::UploadEvent),
    Account(account::AccountEvent),
    Draft(draft::DraftEvent),
    Fetch(fetch::FetchEvent),
}

impl From<Intent> for Event {
    fn from(intent: Intent) -> Self {
        Self::Intent(intent)
    }
}

/// Why an exchange with the server did not complete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The server was not reached: everything stays queued; try again later.
    Unreachable(Message),
    /// The server was reached but the exchange could not complete.
    Failed(Message),
}

impl Failure {
    pub const fn message(&self) -> &Message {
        match self {
            Self::Unreachable(m) | Self::Failed(m) => m,
        }
    }
}

impl From<ApiFailure> for Failure {
    fn from(failure: ApiFailure) -> Self {
        match failure {
            ApiFailure::Unreachable(detail) => {
                Self::Unreachable(Message::ServerUnreachable(detail))
            }
            ApiFailure::Unauthorized => Self::Failed(Message::DeviceNotRecognised),
            ApiFailure::UnknownTenant => Self::Failed(Message::UnknownTenant(String::new())),
            ApiFailure::NotFound => Self::Failed(Message::ProtocolMismatch("not found".into())),
            ApiFailure::OffsetMismatch { expected_offset } => {
                Self::Failed(Message::ProtocolMismatch(format!(
                    "the server holds {expected_offset} bytes of a photo"
                )))
            }
            ApiFailure::Server(code) => Self::Failed(Message::ServerFailed(code)),
            ApiFailure::Resequence { expected_seq } => Self::Failed(Message::ProtocolMismatch(
                format!("the server still expects sequence {expected_seq}"),
            )),
            ApiFailure::Protocol(detail) => Self::Failed(Message::ProtocolMismatch(detail)),
        }
    }
}

/// Whether the local store has been read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Lifecycle {
    #[default]
    Starting,
    Ready,
    /// The local store could not be read: nothing can be done safely.
    Broken(Message),
}

#[derive(Debug, Default)]
pub struct Model {
    pub(crate) lang: Lang,
    pub(crate) lifecycle: Lifecycle,
    pub(crate) registration: Option<Registration>,
    pub(crate) registering: Registering,
    pub(crate) catalogue: Option<Catalogue>,
    pub(crate) directory: Option<Directory>,
    pub(crate) my_ratings: BTreeMap<String, MyRating>,
    pub(crate) reports: BTreeMap<Uuid, Report>,
    pub(crate) outbox: Outbox,
    pub(crate) cursor: Cursor,
    pub(crate) action: ActionState,
    pub(crate) sync: SyncState,
    /// The last "nearby" question, answered in the view.
    pub(crate) nearby: Option<nearby::NearbyQuery>,
    /// The report shown in detail.
    pub(crate) opened: Option<Uuid>,
    /// Photos the server has, of this device's reports.
    pub(crate) uploaded: BTreeSet<String>,
    /// The latest photo download.
    pub(crate) fetch: fetch::FetchState,
    /// The latest export or deletion.
    pub(crate) account: account::AccountState,
    /// The report being written, saved at every change.
    pub(crate) draft: Option<draft::DraftReport>,
    /// Why the last change to the draft was refused.
    pub(crate) draft_problem: Option<Message>,
    /// The latest problem that belongs to no flow (an intent sent too early, a failed save).
    pub(crate) notice: Option<Message>,
}

pub fn update(event: Event, model: &mut Model) -> Command<Effect, Event> {
    match event {
        Event::Intent(Intent::Start { language }) => {
            model.lang = Lang::from_tag(&language);
            store::load().then_send(Event::Loaded)
        }
        Event::Loaded(Ok(snapshot)) => {
            let snapshot = *snapshot;
            if let Some(language) = &snapshot.language {
                model.lang = Lang::from_tag(language);
            }
            model.registration = snapshot.registration;
            model.catalogue = snapshot.catalogue;
            model.directory = snapshot.directory;
            model.uploaded = snapshot.uploaded.into_iter().collect();
            model.draft = snapshot.draft;
            model.my_ratings = snapshot
                .my_ratings
                .into_iter()
                .map(|r| (r.service_id.clone(), r))
                .collect();
            model.reports = snapshot.reports.into_iter().map(|r| (r.id, r)).collect();
            model.outbox = Outbox::new(snapshot.outbox);
            model.cursor = snapshot.cursor;
            model.lifecycle = Lifecycle::Ready;
            render()
        }
        Event::Loaded(Err(e)) => {
            model.lifecycle = Lifecycle::Broken(Message::StorageFailed(e.0));
            render()
        }
        Event::Intent(_) if model.lifecycle != Lifecycle::Ready => {
            model.notice = Some(Message::StillStarting);
            render()
        }
        Event::Intent(intent) => handle_intent(intent, model),
        Event::LanguageSaved(result) => {
            model.notice = result.err().map(|e| Message::StorageFailed(e.0));
            render()
        }
        Event::Registration(event) => registration::update(event, model),
        Event::Action(event) => action::update(event, model),
        Event::Sync(event) => sync::update(event, model),
        Event::Upload(event) => sync::upload_step(event, model),
        Event::Account(event) => account::update(event, model),
        Event::Draft(event) => draft::update(event, model),
        Event::Fetch(event) => fetch::update(event, model),
    }
}

/// Starts an action on the report named by `id`, or says the id is not a report's.
fn with_report_id(
    model: &mut Model,
    id: &str,
    action: impl FnOnce(Uuid) -> Action,
) -> Command<Effect, Event> {
    match Uuid::parse_str(id) {
        Ok(id) => action::start(model, action(id)),
        Err(_) => {
            model.action = ActionState::Failed(Message::UnknownReport);
            render()
        }
    }
}

fn handle_intent(intent: Intent, model: &mut Model) -> Command<Effect, Event> {
    model.notice = None;
    match intent {
        Intent::Start { .. } => render(),
        Intent::SetLanguage { language } => {
            model.lang = Lang::from_tag(&language);
            let save = store::write(StoreOp::SaveLanguage(model.lang.code().into()))
                .then_send(Event::LanguageSaved);
            Command::all([save, render()])
        }
        Intent::Register {
            server_url,
            tenant,
            platform,
            enrolment_code,
        } => registration::start(model, server_url, tenant, platform, enrolment_code),
        Intent::FileReport {
            category,
            lat,
            lon,
            accuracy_m,
            text,
            answers,
            photos,
        } => action::start(
            model,
            Action::FileReport(Draft {
                category,
                location: GeoPoint {
                    lat,
                    lon,
                    accuracy_m,
                },
                text,
                answers: answers
                    .into_iter()
                    .map(|a| (a.question, a.value.into()))
                    .collect(),
                photo_files: photos,
                photos: Vec::new(),
            }),
        ),
        Intent::FetchPhoto { sha256, path } => fetch::start(model, sha256, path),
        Intent::SetAccount {
            email,
            phone,
            contact,
            language,
        } => {
            let contact = match contact.as_str() {
                "in_app" => ContactChannel::InApp,
                "email" => ContactChannel::Email,
                "sms" => ContactChannel::Sms,
                _ => {
                    model.account = account::AccountState::Failed(Failure::Failed(
                        Message::UnknownContact(contact),
                    ));
                    return render();
                }
            };
            let details = AccountDetails {
                email: email.trim().to_owned(),
                phone: phone.filter(|p| !p.trim().is_empty()),
                contact,
                language: Lang::from_tag(&language).code().into(),
            };
            account::set(model, details)
        }
        Intent::LinkAccount { code } => account::link(model, &code),
        Intent::ExportAccount => account::export(model),
        Intent::DeleteAccount => account::delete(model),
        Intent::FindNearby { category, lat, lon } => {
            model.nearby = Some(nearby::NearbyQuery { category, lat, lon });
            render()
        }
        Intent::Support { report_id } => {
            with_report_id(model, &report_id, |report_id| Action::Support { report_id })
        }
        Intent::Reply { report_id, text } => with_report_id(model, &report_id, |report_id| {
            Action::Reply { report_id, text }
        }),
        Intent::ConfirmResolution {
            report_id,
            fixed,
            satisfaction,
        } => with_report_id(model, &report_id, |report_id| Action::Confirm {
            report_id,
            fixed,
            satisfaction,
        }),
        Intent::RateService {
            service_id,
            satisfaction,
            importance,
            comment,
        } => action::start(
            model,
            Action::Rate(MyRating {
                service_id,
                satisfaction,
                importance,
                comment: comment.filter(|c| !c.trim().is_empty()),
                at_ms: 0,
            }),
        ),
        Intent::ChangeStatus {
            report_id,
            status,
            note,
        } => match ReportStatus::parse(&status) {
            Some(status) => with_report_id(model, &report_id, |report_id| Action::ChangeStatus {
                report_id,
                status,
                note: note.filter(|n| !n.trim().is_empty()),
            }),
            None => {
                model.action = ActionState::Failed(Message::UnknownStatus(status));
                render()
            }
        },
        Intent::Draft { change } => match change.into_change() {
            Ok(change) => draft::change(model, change),
            Err(message) => {
                model.draft_problem = Some(message);
                render()
            }
        },
        Intent::OpenReport { report_id } => {
            model.opened = Uuid::parse_str(&report_id).ok();
            if model.opened.is_none() {
                model.notice = Some(Message::UnknownReport);
            }
            render()
        }
        Intent::Sync => sync::start(model),
    }
}
