//! The core's state and its transitions.
//!
//! [`Model`] is what the device keeps in memory: its settings, the outbox, the reports its views
//! and actions need (the citizen's own, those the outbox refers to), and the answers of the lists
//! it shows. Everything else stays in the local store and is read when asked for. [`update`]
//! routes each [`Event`] to the state machine it belongs to:
//!
//! | event                      | handled in          | what happens                                  |
//! |----------------------------|---------------------|-----------------------------------------------|
//! | `Intent(Start)`            | here                | read the clock and the local store            |
//! | other intents              | `intent::route`     | to the state machine each belongs to:         |
//! | `Loaded`                   | here                | the model takes the snapshot; lists are asked |
//! | `Intent(Register)`         | [`registration`]    | register (again), save the token, first sync  |
//! | `Intent(FileReport)`, `Support`, `Reply`, `ConfirmResolution`, `RateService`, `FollowZone`, `UnfollowZone`, `StaffAction`, `Reapply` | [`action`] | validate, read the report, stamp, save with its outbox item |
//! | `Intent(ListReports)`, `ListWork`, `OpenReport` | [`lists`] | ask the store |
//! | `Intent(FindNearby)`       | [`nearby`]          | ask the server, else the device's copy        |
//! | `Intent(Sync)`             | [`sync`]            | push, photos, pull, prune, catalogue          |
//! | `Intent(NetworkBack)`      | [`sync::policy`]    | forget the backoff, sync now (phone shells)   |
//! | `Intent(Draft)`            | [`draft`]           | the report written step by step               |
//! | `Intent(SetLanguage)`      | here                | save the user's language override             |

pub mod account;
pub mod action;
pub mod chain;
pub mod draft;
pub mod fetch;
mod intent;
pub mod lists;
pub mod nearby;
pub mod outbox;
pub mod registration;
pub mod report;
pub mod routing;
pub mod staff;
pub mod sync;
#[cfg(test)]
pub mod testing;
pub mod upload;
pub mod validate;
pub mod zones;

use std::{
    collections::BTreeMap,
    time::{SystemTime, UNIX_EPOCH},
};

use crux_core::{Command, render::render};
use crux_time::command::Time;
use relais_protocol::{Catalogue, Cursor, Directory, FollowedZone, ZoneAlert};
use uuid::Uuid;

pub use action::{Action, ActionEvent, ActionKind, ActionState, Draft, MyRating};
pub use intent::{AnswerInput, AnswerValue, DraftIntent, Intent, PlacedBy, StaffActionInput};
pub use outbox::{Outbox, OutboxItem, OutboxState};
pub use registration::{Registering, Registration, RegistrationEvent};
pub use report::{HeldReport, Report, TaskPart};
pub use sync::{SyncEvent, SyncState, SyncSummary, policy::SyncSchedule};

use crate::{
    effects::{
        Effect,
        api::ApiFailure,
        store::{self, Snapshot, StoreError},
    },
    i18n::{Lang, Message},
    store::UploadState,
};

/// Every event the core handles: intents from the shell and the results of its own effects.
#[derive(Debug)]
pub enum Event {
    Intent(Intent),
    /// The clock answered.
    Clock(SystemTime),
    Loaded(Result<Box<Snapshot>, StoreError>),
    LanguageSaved(Result<(), StoreError>),
    Registration(RegistrationEvent),
    Action(ActionEvent),
    Sync(SyncEvent),
    Upload(upload::UploadEvent),
    Account(account::AccountEvent),
    Draft(draft::DraftEvent),
    Fetch(fetch::FetchEvent),
    Lists(lists::ListsEvent),
    Nearby(nearby::NearbyEvent),
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
            ApiFailure::BodyRefused(detail) | ApiFailure::Protocol(detail) => {
                Self::Failed(Message::ProtocolMismatch(detail))
            }
        }
    }
}

/// Where the device stands: the local store read or not, registered with a server or not.
///
/// The server identity lives only in [`Lifecycle::Registered`], so code that talks to the server
/// (sync, uploads, account, nearby, photo downloads) gets it by matching this state: there is no
/// registered-but-no-token case to rule out at run time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Lifecycle {
    /// The local store is being read: intents wait for it.
    #[default]
    Starting,
    /// Read, and no server knows this device yet: only registration and the draft make sense.
    NotRegistered,
    /// Registered with a town's server.
    Registered(Registration),
    /// The local store could not be read: nothing can be done safely.
    Broken(Message),
}

impl Lifecycle {
    /// The local store has been read (registered or not).
    pub const fn is_ready(&self) -> bool {
        matches!(self, Self::NotRegistered | Self::Registered(_))
    }

    /// From what the store holds.
    fn of(registration: Option<Registration>) -> Self {
        registration.map_or(Self::NotRegistered, Self::Registered)
    }
}

#[derive(Debug, Default)]
pub struct Model {
    pub(crate) lang: Lang,
    pub(crate) lifecycle: Lifecycle,
    /// The device's clock when it last asked (start, sync, action).
    pub(crate) now_ms: i64,
    pub(crate) registering: Registering,
    pub(crate) catalogue: Option<Catalogue>,
    /// The zones and routing of `catalogue`, built once per catalogue: set both with
    /// [`set_catalogue`].
    pub(crate) town_rules: routing::TownRules,
    pub(crate) directory: Option<Directory>,
    pub(crate) etags: sync::resources::Etags,
    pub(crate) my_ratings: BTreeMap<String, MyRating>,
    /// The citizen's own reports and those the outbox refers to.
    pub(crate) held: BTreeMap<Uuid, HeldReport>,
    pub(crate) outbox: Outbox,
    pub(crate) cursor: Cursor,
    /// The zones the citizen follows, as the server last listed them (none said yet: `None`).
    pub(crate) follows: Option<Vec<FollowedZone>>,
    /// The town's alerts for followed zones that have not ended.
    pub(crate) alerts: Vec<ZoneAlert>,
    /// The lists the views show, with the store's latest answers.
    pub(crate) lists: lists::Lists,
    pub(crate) action: ActionState,
    pub(crate) sync: SyncState,
    /// When the core syncs by itself (phone shells), and its next planned sync.
    pub(crate) sync_policy: sync::policy::SyncPolicy,
    /// How many syncs this run of the app has started (each run's id).
    pub(crate) sync_runs: u64,
    /// Send pushes uncompressed until then (a server refused a compressed one).
    pub(crate) plain_push_until_ms: Option<i64>,
    /// The last "nearby" question and its answer.
    pub(crate) nearby: Option<nearby::Nearby>,
    /// Photos still to send, of accepted mutations (or waiting for them to be).
    pub(crate) uploads: BTreeMap<String, UploadState>,
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

impl Model {
    /// Empties the store: the identity is gone on the server. The sync under way ends first: an
    /// answer it still got would be recorded after the reset, as if the next identity had sent
    /// it (the erased identity's reports and queued changes brought back; the whole-system
    /// simulation found one applied twice so, seed 40017331).
    pub(crate) fn reset_store(
        &mut self,
        then: impl FnOnce(Result<(), StoreError>) -> Event + Send + 'static,
    ) -> Command<Effect, Event> {
        self.sync = SyncState::Idle;
        store::write(store::StoreOp::Reset).then_send(then)
    }

    /// As a new device, keeping only the language (the identity is gone and the store reset).
    pub(crate) fn forget_everything(&mut self) {
        *self = Self {
            lang: self.lang,
            now_ms: self.now_ms,
            lifecycle: Lifecycle::NotRegistered,
            sync_runs: self.sync_runs,
            sync_policy: sync::policy::SyncPolicy {
                schedule: self.sync_policy.schedule,
                ..sync::policy::SyncPolicy::default()
            },
            ..Self::default()
        };
    }

    /// The server identity, once registered.
    pub(crate) const fn registration(&self) -> Option<&Registration> {
        match &self.lifecycle {
            Lifecycle::Registered(registration) => Some(registration),
            _ => None,
        }
    }

    /// Lets go of held reports that are neither the citizen's own nor referred to by the outbox.
    pub(crate) fn forget_unneeded_held(&mut self) {
        let outbox = &self.outbox;
        self.held.retain(|id, held| {
            held.report.mine || outbox.items().iter().any(|i| i.report_id() == Some(*id))
        });
    }
}

/// Milliseconds since the Unix epoch.
pub fn millis(time: SystemTime) -> i64 {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    i64::try_from(since.as_millis()).unwrap_or(i64::MAX)
}

pub fn update(event: Event, model: &mut Model) -> Command<Effect, Event> {
    match event {
        Event::Intent(Intent::Start {
            language,
            auto_sync,
        }) => {
            model.lang = Lang::from_tag(&language);
            model.sync_policy.schedule = auto_sync;
            Command::all([
                Time::now().then_send(Event::Clock),
                store::load().then_send(Event::Loaded),
            ])
        }
        Event::Clock(now) => {
            model.now_ms = millis(now);
            Command::done()
        }
        Event::Loaded(Ok(snapshot)) => {
            load(model, *snapshot);
            Command::all([lists::refresh(model), sync::policy::nudge(model), render()])
        }
        Event::Loaded(Err(e)) => {
            model.lifecycle = Lifecycle::Broken(Message::StorageFailed(e.0));
            render()
        }
        Event::Intent(_) if !model.lifecycle.is_ready() => {
            model.notice = Some(Message::StillStarting);
            render()
        }
        Event::Intent(intent) => intent::route(intent, model),
        Event::LanguageSaved(result) => {
            model.notice = result.err().map(|e| Message::StorageFailed(e.0));
            render()
        }
        Event::Registration(event) => registration::update(event, model),
        Event::Action(event) => action::update(event, model),
        Event::Sync(event) => sync::update(event, model),
        Event::Upload(event) => upload::update(event, model),
        Event::Account(event) => account::update(event, model),
        Event::Draft(event) => draft::update(event, model),
        Event::Fetch(event) => fetch::update(event, model),
        Event::Lists(event) => lists::update(event, model),
        Event::Nearby(event) => nearby::update(event, model),
    }
}

/// Holds `catalogue` and the offline rules built from it.
pub(crate) fn set_catalogue(model: &mut Model, catalogue: Option<Catalogue>) {
    model.town_rules = routing::TownRules::of(catalogue.as_ref());
    model.catalogue = catalogue;
}

fn load(model: &mut Model, snapshot: Snapshot) {
    if let Some(language) = &snapshot.language {
        model.lang = Lang::from_tag(language);
    }
    set_catalogue(model, snapshot.catalogue);
    model.directory = snapshot.directory;
    model.etags = sync::resources::Etags {
        catalogue: snapshot.catalogue_etag,
        directory: snapshot.directory_etag,
    };
    model.uploads = snapshot.uploads;
    model.draft = snapshot.draft;
    model.my_ratings = snapshot
        .my_ratings
        .into_iter()
        .map(|r| (r.service_id.clone(), r))
        .collect();
    model.held = snapshot.held.into_iter().map(|h| (h.id(), h)).collect();
    model.outbox = Outbox::new(snapshot.outbox);
    model.cursor = snapshot.cursor;
    model.follows = snapshot.follows;
    model.alerts = snapshot.alerts;
    model.plain_push_until_ms = snapshot.plain_push_until_ms;
    model.lifecycle = Lifecycle::of(snapshot.registration);
}
