//! The sync engine: push the outbox, send the photos, pull the device's scope, drop what the
//! device no longer needs, and fetch the catalogue and the directory when they changed.
//!
//! ```text
//! start ─► clock ─► push batch ─► record outcomes ─► (more queued? the next batch, sent
//!                      │                           while these outcomes were recorded)
//!                      │                        └─► photos, a few at a time ─► pull page
//!                      │        pull page ─► record page ─► (has_more? the next page, asked for
//!                      │                     while this one was recorded) ─► prune
//!                      │        prune ─► catalogue ─► directory ─► Finished (each skipped when
//!                      │                 the pull's last page gave the tag of the copy held)
//!                      ├─ unreachable / 5xx / unauthorized ─► record attempt ─► Stopped (queue kept)
//!                      ├─ compressed body refused ─► push again uncompressed (for a week)
//!                      └─ sequence gap or conflict ─► requeue acknowledged from there
//!                                                      ─► renumber queue once ─► push again
//! pull page with a reset ─► requeue every kept acknowledged mutation (once) ─► push ─► pull on
//! pull page sending back to a cursor already read ─► Stopped (a protocol failure)
//! ```
//!
//! A server restored from an older backup has lost what it acknowledged since: its history goes
//! back behind the device's cursor (the pull answers a reset) or behind the device's sequence
//! numbers (the push answers a gap). The device then sends again the acknowledged mutations it
//! keeps ([`crate::store`] keeps the latest ones): the server answers `already_applied` to those
//! it still holds and applies those it lost.
//!
//! Nothing leaves the outbox before the server has acknowledged it, and the model changes only
//! after the store has recorded each step, so a sync killed at any point resumes safely: the
//! server recognises re-sent mutations by their sequence number and id. Each step is a nested
//! state machine with its own events: [`push`], [`crate::model::upload`], [`pull`],
//! [`resources`]; the push and the pull keep one exchange [`ahead`] of their store.

pub mod ahead;
pub(crate) mod notify;
pub mod policy;
pub mod pull;
pub mod push;
pub mod resources;

use std::{collections::HashSet, time::SystemTime};

use crux_core::{Command, render::render};
use crux_time::command::Time;
use relais_protocol::{Cursor, PullResponse};

use self::ahead::Ahead;
use super::{Event, Failure, Model, Registration, lists, millis, upload};
use crate::{
    effects::{Effect, api::ApiFailure},
    i18n::Message,
};

/// Where syncing stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum SyncState {
    /// No sync since the app started.
    #[default]
    Idle,
    /// Boxed: a run is much larger than the other states.
    Running(Box<SyncRun>),
    /// The last sync completed.
    Finished(SyncSummary),
    /// The last sync stopped early; what it did before is in `summary`.
    Stopped {
        failure: Failure,
        summary: SyncSummary,
    },
}

/// A sync under way.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncRun {
    /// Which run this is: photo uploads still on their way when a run stops report to it only.
    pub id: u64,
    /// The identity the run talks to the server with (a run starts only on a registered device).
    pub registration: Registration,
    pub step: SyncStep,
    pub summary: SyncSummary,
    /// The device's clock when the run started (pruning, alerts).
    pub started_at_ms: i64,
    /// The queue was already renumbered once in this run: a second request means something is
    /// wrong, and the run stops instead of looping.
    pub resequenced: bool,
    /// The acknowledged mutations were already put back in the queue in this run (after a
    /// pull reset): once is enough.
    pub requeued: bool,
    /// Pushes go uncompressed (the server refused a compressed one).
    pub plain_push: bool,
    /// The cursors this run has pulled from: a page that sends the device back to one of them
    /// would make it read in a circle.
    pub pulled_from: HashSet<Cursor>,
    /// The next push batch, sent while the store records the outcomes of the one before it.
    pub push_ahead: Ahead<push::Answer>,
    /// The next pull page, asked for while the store applies the one before it.
    pub pull_ahead: Ahead<Result<PullResponse, ApiFailure>>,
    pub uploads: upload::Uploads,
    /// The tags the catalogue and the directory have now, if the pull's last page said.
    pub resources: Option<relais_protocol::ResourceTags>,
    /// What the pull brought that may be news for the user, notified once it is over.
    pub(crate) news: notify::News,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStep {
    Starting,
    Pushing,
    UploadingPhotos,
    Pulling,
    Pruning,
    FetchingCatalogue,
    FetchingDirectory,
}

impl SyncStep {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::Pushing => "pushing",
            Self::UploadingPhotos => "uploading_photos",
            Self::Pulling => "pulling",
            Self::Pruning => "pruning",
            Self::FetchingCatalogue => "fetching_catalogue",
            Self::FetchingDirectory => "fetching_directory",
        }
    }
}

/// What a sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncSummary {
    /// Mutations the server acknowledged.
    pub sent: u32,
    /// Mutations the server refused.
    pub refused: u32,
    /// Report changes pulled.
    pub received: u32,
    /// Photos uploaded.
    pub photos: u32,
}

#[derive(Debug)]
pub enum SyncEvent {
    /// The clock answered: the run can start.
    Clocked(SystemTime),
    Push(push::PushEvent),
    Pull(pull::PullEvent),
    Resource(resources::ResourceEvent),
    /// A timer of the sync policy fired.
    Due {
        generation: u64,
    },
}

/// Starts a sync, unless one is already running.
pub fn start(model: &mut Model) -> Command<Effect, Event> {
    if matches!(model.sync, SyncState::Running(_)) {
        return Command::done();
    }
    let Some(registration) = model.registration().cloned() else {
        model.sync = SyncState::Stopped {
            failure: Failure::Failed(Message::NotRegistered),
            summary: SyncSummary::default(),
        };
        return render();
    };
    model.sync_runs += 1;
    model.sync = SyncState::Running(Box::new(SyncRun {
        id: model.sync_runs,
        registration,
        step: SyncStep::Starting,
        summary: SyncSummary::default(),
        started_at_ms: model.now_ms,
        resequenced: false,
        requeued: false,
        plain_push: false,
        pulled_from: HashSet::new(),
        push_ahead: Ahead::default(),
        pull_ahead: Ahead::default(),
        uploads: upload::Uploads::default(),
        resources: None,
        news: notify::News::default(),
    }));
    let clock = Time::now().then_send(|now| Event::Sync(SyncEvent::Clocked(now)));
    Command::all([clock, render()])
}

pub fn update(event: SyncEvent, model: &mut Model) -> Command<Effect, Event> {
    if let SyncEvent::Due { generation } = event {
        return policy::due(model, generation);
    }
    let SyncState::Running(run) = &mut model.sync else {
        return Command::done(); // an answer for a run that is over
    };
    match event {
        SyncEvent::Clocked(now) => {
            let now_ms = millis(now);
            model.now_ms = now_ms;
            run.started_at_ms = now_ms;
            run.plain_push = model
                .plain_push_until_ms
                .is_some_and(|until| now_ms < until);
            push::next(model)
        }
        SyncEvent::Push(event) => push::update(event, model),
        SyncEvent::Pull(event) => pull::update(event, model),
        SyncEvent::Resource(event) => resources::update(event, model),
        SyncEvent::Due { .. } => Command::done(),
    }
}

/// The run under way, if any. A step reached when none is (an answer arriving after the run
/// stopped) has nothing left to do.
fn running(model: &mut Model) -> Option<&mut SyncRun> {
    match &mut model.sync {
        SyncState::Running(run) => Some(run.as_mut()),
        _ => None,
    }
}

/// What follows the push: the photos, then the pull.
fn after_push(model: &mut Model) -> Command<Effect, Event> {
    upload::start_more(model).unwrap_or_else(|| after_uploads(model))
}

/// What follows the photo uploads.
pub fn after_uploads(model: &mut Model) -> Command<Effect, Event> {
    pull::next(model)
}

fn finish(model: &mut Model) -> Command<Effect, Event> {
    if let SyncState::Running(run) = &model.sync {
        model.sync = SyncState::Finished(run.summary);
    }
    Command::all([
        policy::after_sync(model, true),
        lists::refresh(model),
        render(),
    ])
}

pub fn stop(model: &mut Model, failure: Failure) -> Command<Effect, Event> {
    // What was pulled before the stop is on disk: the user hears of it now or never.
    let news = notify::flush(model);
    let summary = match &model.sync {
        SyncState::Running(run) => run.summary,
        _ => SyncSummary::default(),
    };
    model.sync = SyncState::Stopped { failure, summary };
    Command::all([
        news,
        policy::after_sync(model, false),
        lists::refresh(model),
        render(),
    ])
}

#[cfg(test)]
mod tests;
