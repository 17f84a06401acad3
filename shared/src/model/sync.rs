//! The sync engine: push the outbox, pull the town's change log, refresh the catalogue.
//!
//! ```text
//! start ─► push batch ─► record outcomes ─► (more queued? push again)
//!                │                      └─► pull page ─► record page ─► (has_more? pull again)
//!                │                                                   └─► fetch catalogue ─► Finished
//!                ├─ unreachable / 5xx / unauthorized ─► record attempt ─► Stopped (queue kept)
//!                └─ sequence gap or conflict ─► renumber queue once ─► push again
//! ```
//!
//! Nothing leaves the outbox before the server has acknowledged it, and the model changes only
//! after the store has recorded each step, so a sync killed at any point resumes safely: the
//! server recognises re-sent mutations by their sequence number and id.

use crux_core::{Command, render::render};
use relais_protocol::{
    Catalogue, Change, Cursor, Outcome, PullResponse, PushRequest, PushResponse, ReportStatus,
};
use uuid::Uuid;

use super::{Event, Model, OutboxItem, OutboxState, Report};
use crate::{
    effects::{
        Effect,
        api::{self, ApiFailure},
        store::{self, StoreError, StoreOp},
    },
    i18n::Message,
};

/// Where syncing stands.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum SyncState {
    /// No sync since the app started.
    #[default]
    Idle,
    Running(SyncRun),
    /// The last sync completed.
    Finished(SyncSummary),
    /// The last sync stopped early; what it did before is in `summary`.
    Stopped {
        failure: SyncFailure,
        summary: SyncSummary,
    },
}

/// A sync under way.
#[derive(Debug, Clone, PartialEq)]
pub struct SyncRun {
    pub step: SyncStep,
    pub summary: SyncSummary,
    /// The queue was already renumbered once in this run: a second request means something is
    /// wrong, and the run stops instead of looping.
    pub resequenced: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStep {
    Pushing,
    Pulling,
    FetchingCatalogue,
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
}

/// Why a sync stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SyncFailure {
    /// The server was not reached: try again later.
    Unreachable(Message),
    /// The server was reached but the sync could not complete.
    Failed(Message),
}

#[derive(Debug)]
pub enum SyncEvent {
    Pushed {
        batch: Vec<Uuid>,
        result: Result<PushResponse, ApiFailure>,
    },
    PushRecorded {
        accepted: Vec<Uuid>,
        refused: Vec<OutboxItem>,
        reports: Vec<Report>,
        result: Result<(), StoreError>,
    },
    AttemptRecorded {
        items: Vec<OutboxItem>,
        failure: SyncFailure,
        result: Result<(), StoreError>,
    },
    Resequenced(Result<Vec<(Uuid, u64)>, StoreError>),
    Pulled(Result<PullResponse, ApiFailure>),
    PullRecorded {
        page: PullPage,
        result: Result<(), StoreError>,
    },
    CatalogueFetched(Result<Catalogue, ApiFailure>),
    CatalogueSaved(Catalogue, Result<(), StoreError>),
}

/// A pulled page, turned into device reports, waiting for the store.
#[derive(Debug, Clone, PartialEq)]
pub struct PullPage {
    pub reset: bool,
    pub reports: Vec<Report>,
    pub removed: Vec<Uuid>,
    pub cursor: Cursor,
    pub has_more: bool,
}

/// Starts a sync, unless one is already running.
pub fn start(model: &mut Model) -> Command<Effect, Event> {
    if matches!(model.sync, SyncState::Running(_)) {
        return Command::done();
    }
    if model.registration.is_none() {
        model.sync = SyncState::Stopped {
            failure: SyncFailure::Failed(Message::NotRegistered),
            summary: SyncSummary::default(),
        };
        return render();
    }
    model.sync = SyncState::Running(SyncRun {
        step: SyncStep::Pushing,
        summary: SyncSummary::default(),
        resequenced: false,
    });
    Command::all([push_next(model), render()])
}

pub fn update(event: SyncEvent, model: &mut Model) -> Command<Effect, Event> {
    let SyncState::Running(run) = &mut model.sync else {
        return Command::done(); // an answer for a run that is over
    };
    match event {
        SyncEvent::Pushed {
            batch,
            result: Ok(response),
        } => record_push(model, &batch, &response),
        SyncEvent::Pushed {
            result: Err(ApiFailure::Resequence { expected_seq }),
            ..
        } if !run.resequenced => {
            run.resequenced = true;
            store::resequence(expected_seq).then_send(|r| Event::Sync(SyncEvent::Resequenced(r)))
        }
        SyncEvent::Pushed {
            batch,
            result: Err(failure),
        } => record_attempt(model, &batch, classify(failure)),
        SyncEvent::PushRecorded {
            accepted,
            refused,
            reports,
            result: Ok(()),
        } => {
            run.summary.sent += u32::try_from(accepted.len()).unwrap_or(u32::MAX);
            run.summary.refused += u32::try_from(refused.len()).unwrap_or(u32::MAX);
            let progressed = !accepted.is_empty() || !refused.is_empty();
            model.outbox.remove(&accepted);
            model.outbox.replace(&refused);
            for report in reports {
                model.reports.insert(report.id, report);
            }
            if progressed {
                push_next(model)
            } else {
                stop(model, SyncFailure::Failed(Message::ProtocolMismatch("push made no progress".into())))
            }
        }
        SyncEvent::AttemptRecorded { items, failure, result } => {
            if result.is_ok() {
                model.outbox.replace(&items);
            }
            stop(model, failure)
        }
        SyncEvent::Resequenced(Ok(numbers)) => {
            model.outbox.renumber(&numbers);
            push_next(model)
        }
        SyncEvent::Pulled(Ok(response)) => {
            let page = to_page(model, response);
            store::write(StoreOp::ApplyPull {
                reset: page.reset,
                reports: page.reports.clone(),
                removed: page.removed.clone(),
                cursor: page.cursor.clone(),
            })
            .then_send(move |result| Event::Sync(SyncEvent::PullRecorded { page, result }))
        }
        SyncEvent::Pulled(Err(failure)) | SyncEvent::CatalogueFetched(Err(failure)) => {
            stop(model, classify(failure))
        }
        SyncEvent::PullRecorded { page, result: Ok(()) } => {
            run.summary.received += u32::try_from(page.reports.len() + page.removed.len()).unwrap_or(u32::MAX);
            apply_page(model, page.clone());
            if page.has_more {
                pull_next(model)
            } else {
                fetch_catalogue(model)
            }
        }
        SyncEvent::CatalogueFetched(Ok(catalogue)) => store::write(StoreOp::SaveCatalogue(catalogue.clone()))
            .then_send(move |result| Event::Sync(SyncEvent::CatalogueSaved(catalogue, result))),
        SyncEvent::CatalogueSaved(catalogue, Ok(())) => {
            model.catalogue = Some(catalogue);
            let summary = run.summary;
            model.sync = SyncState::Finished(summary);
            render()
        }
        SyncEvent::PushRecorded { result: Err(e), .. }
        | SyncEvent::Resequenced(Err(e))
        | SyncEvent::PullRecorded { result: Err(e), .. }
        | SyncEvent::CatalogueSaved(_, Err(e)) => stop(model, SyncFailure::Failed(Message::StorageFailed(e.0))),
    }
}

fn push_next(model: &mut Model) -> Command<Effect, Event> {
    let batch = model.outbox.next_batch();
    if batch.is_empty() {
        return pull_next(model);
    }
    let (Some(registration), SyncState::Running(run)) = (&model.registration, &mut model.sync) else {
        unreachable!("push_next runs only during a sync of a registered device");
    };
    run.step = SyncStep::Pushing;
    let ids: Vec<Uuid> = batch.iter().map(|m| m.mutation_id).collect();
    let request = PushRequest { mutations: batch };
    let push = api::push(registration, &request)
        .then_send(move |result| Event::Sync(SyncEvent::Pushed { batch: ids, result }));
    Command::all([push, render()])
}

/// Turns the server's per-mutation outcomes into store changes.
fn record_push(model: &Model, batch: &[Uuid], response: &PushResponse) -> Command<Effect, Event> {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    let mut reports = Vec::new();
    for result in response.results.iter().filter(|r| batch.contains(&r.mutation_id)) {
        let Some(item) = model.outbox.get(result.mutation_id) else {
            continue;
        };
        let report = created_report(model, item);
        match &result.outcome {
            Outcome::Applied | Outcome::AlreadyApplied => {
                accepted.push(item.id());
                if let Some(mut report) = report.filter(|r| r.status == ReportStatus::Queued) {
                    report.status = ReportStatus::Received;
                    reports.push(report);
                }
            }
            Outcome::Rejected { reason } => {
                let mut item = item.clone();
                item.state = OutboxState::Rejected(reason.clone());
                refused.push(item);
                if let Some(mut report) = report {
                    report.refusal = Some(reason.clone());
                    reports.push(report);
                }
            }
        }
    }
    store::write(StoreOp::RecordPush {
        accepted: accepted.clone(),
        refused: refused.clone(),
        reports: reports.clone(),
    })
    .then_send(move |result| {
        Event::Sync(SyncEvent::PushRecorded {
            accepted,
            refused,
            reports,
            result,
        })
    })
}

/// The report an outbox item creates, if it is a creation.
fn created_report(model: &Model, item: &OutboxItem) -> Option<Report> {
    match &item.mutation.op {
        relais_protocol::MutationOp::CreateReport { report_id, .. } => model.reports.get(report_id).cloned(),
        _ => None,
    }
}

fn record_attempt(model: &Model, batch: &[Uuid], failure: SyncFailure) -> Command<Effect, Event> {
    let detail = match &failure {
        SyncFailure::Unreachable(m) | SyncFailure::Failed(m) => m.text(crate::i18n::Lang::En),
    };
    let items: Vec<OutboxItem> = batch
        .iter()
        .filter_map(|id| model.outbox.get(*id))
        .map(|item| {
            let mut item = item.clone();
            item.attempts += 1;
            item.last_error = Some(detail.clone());
            item
        })
        .collect();
    store::write(StoreOp::RecordAttempt { items: items.clone() })
        .then_send(move |result| Event::Sync(SyncEvent::AttemptRecorded { items, failure, result }))
}

fn pull_next(model: &mut Model) -> Command<Effect, Event> {
    let (Some(registration), SyncState::Running(run)) = (&model.registration, &mut model.sync) else {
        unreachable!("pull_next runs only during a sync of a registered device");
    };
    run.step = SyncStep::Pulling;
    let pull = api::pull(registration, &model.cursor).then_send(|r| Event::Sync(SyncEvent::Pulled(r)));
    Command::all([pull, render()])
}

fn to_page(model: &Model, response: PullResponse) -> PullPage {
    let mut reports = Vec::new();
    let mut removed = Vec::new();
    for change in response.changes {
        match change {
            Change::Report { report: public } => {
                let report = match model.reports.get(&public.id) {
                    Some(known) => {
                        let mut known = known.clone();
                        known.merge_public(public);
                        known
                    }
                    None => Report::from(public),
                };
                reports.push(report);
            }
            Change::ReportRemoved { id } => removed.push(id),
        }
    }
    PullPage {
        reset: response.reset,
        reports,
        removed,
        cursor: response.cursor,
        has_more: response.has_more,
    }
}

/// Mirrors in memory what [`StoreOp::ApplyPull`] did on disk.
fn apply_page(model: &mut Model, page: PullPage) {
    if page.reset {
        model.reports.retain(|_, r| r.mine);
    }
    for id in page.removed {
        model.reports.remove(&id);
    }
    for report in page.reports {
        model.reports.insert(report.id, report);
    }
    model.cursor = page.cursor;
}

fn fetch_catalogue(model: &mut Model) -> Command<Effect, Event> {
    let (Some(registration), SyncState::Running(run)) = (&model.registration, &mut model.sync) else {
        unreachable!("fetch_catalogue runs only during a sync of a registered device");
    };
    run.step = SyncStep::FetchingCatalogue;
    let fetch = api::catalogue(registration).then_send(|r| Event::Sync(SyncEvent::CatalogueFetched(r)));
    Command::all([fetch, render()])
}

fn stop(model: &mut Model, failure: SyncFailure) -> Command<Effect, Event> {
    let summary = match &model.sync {
        SyncState::Running(run) => run.summary,
        _ => SyncSummary::default(),
    };
    model.sync = SyncState::Stopped { failure, summary };
    render()
}

fn classify(failure: ApiFailure) -> SyncFailure {
    match failure {
        ApiFailure::Unreachable(detail) => SyncFailure::Unreachable(Message::ServerUnreachable(detail)),
        other => SyncFailure::Failed(failure_message(other)),
    }
}

/// The message a user reads for an API failure.
pub fn failure_message(failure: ApiFailure) -> Message {
    match failure {
        ApiFailure::Unreachable(detail) => Message::ServerUnreachable(detail),
        ApiFailure::Unauthorized => Message::DeviceNotRecognised,
        ApiFailure::UnknownTenant => Message::UnknownTenant(String::new()),
        ApiFailure::Server(code) => Message::ServerFailed(code),
        ApiFailure::Resequence { expected_seq } => {
            Message::ProtocolMismatch(format!("the server still expects sequence {expected_seq}"))
        }
        ApiFailure::Protocol(detail) => Message::ProtocolMismatch(detail),
    }
}
