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
//! | `Intent(FileReport)`       | [`filing`]          | validate, stamp, save with its outbox item     |
//! | `Intent(Sync)`             | [`sync`]            | push, pull, catalogue                          |
//! | `Intent(SetLanguage)`      | here                | save the user's language override              |

pub mod filing;
pub mod outbox;
pub mod registration;
pub mod report;
pub mod sync;
#[cfg(test)]
pub mod testing;

use std::collections::BTreeMap;

use crux_core::{Command, render::render};
use relais_protocol::{Catalogue, Cursor, GeoPoint};
use uuid::Uuid;

pub use filing::{Draft, Filing, FilingEvent};
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
    },
    /// File a report; it is saved on the device and queued for the next sync.
    FileReport {
        category: String,
        lat: f64,
        lon: f64,
        accuracy_m: Option<f64>,
        text: String,
    },
    /// Send what is queued and fetch what changed.
    Sync,
}

/// Every event the core handles: intents from the shell and the results of its own effects.
#[derive(Debug)]
pub enum Event {
    Intent(Intent),
    Loaded(Result<Box<Snapshot>, StoreError>),
    LanguageSaved(Result<(), StoreError>),
    Registration(RegistrationEvent),
    Filing(FilingEvent),
    Sync(SyncEvent),
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
    pub(crate) reports: BTreeMap<Uuid, Report>,
    pub(crate) outbox: Outbox,
    pub(crate) cursor: Cursor,
    pub(crate) filing: Filing,
    pub(crate) sync: SyncState,
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
        Event::Filing(event) => filing::update(event, model),
        Event::Sync(event) => sync::update(event, model),
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
        } => registration::start(model, server_url, tenant, platform),
        Intent::FileReport {
            category,
            lat,
            lon,
            accuracy_m,
            text,
        } => filing::start(
            model,
            Draft {
                category,
                location: GeoPoint {
                    lat,
                    lon,
                    accuracy_m,
                },
                text,
            },
        ),
        Intent::Sync => sync::start(model),
    }
}
