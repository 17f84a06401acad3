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

use std::collections::{BTreeSet, HashMap, HashSet};

use crux_core::{Command, render::render};
use relais_protocol::{
    Author, Catalogue, Change, Cursor, Directory, Outcome, PullResponse, PushRequest, PushResponse,
    ReportStatus,
};
use uuid::Uuid;

use super::{Event, Failure, Model, OutboxItem, OutboxState, Report, upload};
use crate::{
    effects::{
        Effect, Notification,
        api::{self, ApiFailure},
        store::{self, StoreError, StoreOp},
    },
    i18n::{self, Message},
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
        failure: Failure,
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
    /// Photos that could not be sent in this run: the next sync tries them again.
    pub skipped_photos: BTreeSet<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncStep {
    Pushing,
    UploadingPhotos,
    Pulling,
    FetchingCatalogue,
    FetchingDirectory,
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
        failure: Failure,
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
    DirectoryFetched(Result<Directory, ApiFailure>),
    DirectorySaved(Directory, Result<(), StoreError>),
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
            failure: Failure::Failed(Message::NotRegistered),
            summary: SyncSummary::default(),
        };
        return render();
    }
    model.sync = SyncState::Running(SyncRun {
        step: SyncStep::Pushing,
        summary: SyncSummary::default(),
        resequenced: false,
        skipped_photos: BTreeSet::new(),
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
        } => record_attempt(model, &batch, Failure::from(failure)),
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
                stop(
                    model,
                    Failure::Failed(Message::ProtocolMismatch("push made no progress".into())),
                )
            }
        }
        SyncEvent::AttemptRecorded {
            items,
            failure,
            result,
        } => {
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
            stop(model, Failure::from(failure))
        }
        SyncEvent::PullRecorded {
            page,
            result: Ok(()),
        } => {
            run.summary.received +=
                u32::try_from(page.reports.len() + page.removed.len()).unwrap_or(u32::MAX);
            let stuck = page.has_more && page.cursor == model.cursor;
            let notices = notifications(model, &page);
            apply_page(model, page.clone());
            let next = if stuck {
                stop(
                    model,
                    Failure::Failed(Message::ProtocolMismatch(
                        "the pull cursor did not move".into(),
                    )),
                )
            } else if page.has_more {
                pull_next(model)
            } else {
                fetch_catalogue(model)
            };
            Command::all(
                notices
                    .into_iter()
                    .map(|n| Command::notify_shell(n).into())
                    .chain([next]),
            )
        }
        SyncEvent::CatalogueFetched(Ok(catalogue)) => {
            store::write(StoreOp::SaveCatalogue(catalogue.clone()))
                .then_send(move |result| Event::Sync(SyncEvent::CatalogueSaved(catalogue, result)))
        }
        SyncEvent::CatalogueSaved(catalogue, Ok(())) => {
            model.catalogue = Some(catalogue);
            fetch_directory(model)
        }
        // A server without a directory of services: the sync is complete without one.
        SyncEvent::DirectoryFetched(Err(ApiFailure::NotFound)) => finish(model),
        SyncEvent::DirectoryFetched(Err(failure)) => stop(model, Failure::from(failure)),
        SyncEvent::DirectoryFetched(Ok(directory)) => {
            store::write(StoreOp::SaveDirectory(Box::new(directory.clone())))
                .then_send(move |result| Event::Sync(SyncEvent::DirectorySaved(directory, result)))
        }
        SyncEvent::DirectorySaved(directory, Ok(())) => {
            model.directory = Some(directory);
            finish(model)
        }
        SyncEvent::PushRecorded { result: Err(e), .. }
        | SyncEvent::Resequenced(Err(e))
        | SyncEvent::PullRecorded { result: Err(e), .. }
        | SyncEvent::CatalogueSaved(_, Err(e))
        | SyncEvent::DirectorySaved(_, Err(e)) => {
            stop(model, Failure::Failed(Message::StorageFailed(e.0)))
        }
    }
}

fn push_next(model: &mut Model) -> Command<Effect, Event> {
    let batch = model.outbox.next_batch();
    if batch.is_empty() {
        return upload::next(model).unwrap_or_else(|| after_uploads(model));
    }
    let (Some(registration), SyncState::Running(run)) = (&model.registration, &mut model.sync)
    else {
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
    let batch: HashSet<&Uuid> = batch.iter().collect();
    let sent: HashMap<Uuid, &OutboxItem> = model
        .outbox
        .items()
        .iter()
        .filter(|i| batch.contains(&i.id()))
        .map(|i| (i.id(), i))
        .collect();
    for result in &response.results {
        // Results for anything but this batch (a replayed answer) acknowledge nothing.
        let Some(item) = sent.get(&result.mutation_id).copied() else {
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
        relais_protocol::MutationOp::CreateReport { report_id, .. } => {
            model.reports.get(report_id).cloned()
        }
        _ => None,
    }
}

fn record_attempt(model: &Model, batch: &[Uuid], failure: Failure) -> Command<Effect, Event> {
    let detail = match &failure {
        Failure::Unreachable(m) | Failure::Failed(m) => m.text(crate::i18n::Lang::En),
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
    store::write(StoreOp::RecordAttempt {
        items: items.clone(),
    })
    .then_send(move |result| {
        Event::Sync(SyncEvent::AttemptRecorded {
            items,
            failure,
            result,
        })
    })
}

/// What follows the photo uploads.
pub fn after_uploads(model: &mut Model) -> Command<Effect, Event> {
    pull_next(model)
}

/// Runs one step of a photo upload inside a sync.
pub fn upload_step(event: upload::UploadEvent, model: &mut Model) -> Command<Effect, Event> {
    if !matches!(model.sync, SyncState::Running(_)) {
        return Command::done(); // an answer for a run that is over
    }
    match upload::update(event, model) {
        Ok(command) => command,
        Err(failure) => stop(model, failure),
    }
}

fn pull_next(model: &mut Model) -> Command<Effect, Event> {
    let (Some(registration), SyncState::Running(run)) = (&model.registration, &mut model.sync)
    else {
        unreachable!("pull_next runs only during a sync of a registered device");
    };
    run.step = SyncStep::Pulling;
    let pull =
        api::pull(registration, &model.cursor).then_send(|r| Event::Sync(SyncEvent::Pulled(r)));
    Command::all([pull, render()])
}

fn to_page(model: &Model, response: PullResponse) -> PullPage {
    let mut reports = Vec::new();
    let mut removed = Vec::new();
    for change in response.changes {
        match change {
            Change::Report { report: public, .. } => {
                let report = match model.reports.get(&public.id) {
                    Some(known) => {
                        let mut known = known.clone();
                        known.merge_public(*public);
                        known
                    }
                    None => Report::from(*public),
                };
                reports.push(report);
            }
            Change::ReportRemoved { id } => removed.push(id),
            // Work lists, alerts and followed zones come with the scale work on the core.
            Change::Task { .. }
            | Change::TaskRemoved { .. }
            | Change::Alert { .. }
            | Change::Follows { .. } => {}
            Change::Thread {
                report_id,
                messages,
            } => {
                if let Some(report) = reports.iter_mut().find(|r: &&mut Report| r.id == report_id) {
                    report.thread = messages;
                } else if let Some(known) = model.reports.get(&report_id) {
                    let mut known = known.clone();
                    known.thread = messages;
                    reports.push(known);
                }
            }
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

fn fetch_directory(model: &mut Model) -> Command<Effect, Event> {
    let (Some(registration), SyncState::Running(run)) = (&model.registration, &mut model.sync)
    else {
        unreachable!("fetch_directory runs only during a sync of a registered device");
    };
    run.step = SyncStep::FetchingDirectory;
    let fetch =
        api::directory(registration).then_send(|r| Event::Sync(SyncEvent::DirectoryFetched(r)));
    Command::all([fetch, render()])
}

fn finish(model: &mut Model) -> Command<Effect, Event> {
    if let SyncState::Running(run) = &model.sync {
        model.sync = SyncState::Finished(run.summary);
    }
    render()
}

/// What to tell the user about their own reports in a pulled page: a new status (except the
/// first acknowledgement of a report they just sent), a new message from the city.
fn notifications(model: &Model, page: &PullPage) -> Vec<Notification> {
    let lang = model.lang;
    page.reports
        .iter()
        .filter(|r| r.mine)
        .filter_map(|new| {
            let old = model.reports.get(&new.id)?;
            let category = model
                .catalogue
                .as_ref()
                .and_then(|c| c.category(&new.category))
                .map_or_else(|| new.category.clone(), |c| lang.pick(&c.name));
            let city_wrote = new
                .thread
                .iter()
                .filter(|m| m.author == Author::City)
                .count()
                > old
                    .thread
                    .iter()
                    .filter(|m| m.author == Author::City)
                    .count();
            if old.status != new.status && old.status != ReportStatus::Queued {
                let note = new.history.last().and_then(|h| h.note.clone());
                Some(i18n::status_notification(
                    lang,
                    &category,
                    new.status,
                    note.as_deref(),
                ))
            } else if city_wrote {
                let text = new
                    .thread
                    .iter()
                    .rev()
                    .find(|m| m.author == Author::City)?
                    .text
                    .clone();
                Some(i18n::message_notification(lang, &category, &text))
            } else {
                None
            }
            .map(|(title, body)| Notification {
                report_id: new.id.to_string(),
                title,
                body,
            })
        })
        .collect()
}

fn fetch_catalogue(model: &mut Model) -> Command<Effect, Event> {
    let (Some(registration), SyncState::Running(run)) = (&model.registration, &mut model.sync)
    else {
        unreachable!("fetch_catalogue runs only during a sync of a registered device");
    };
    run.step = SyncStep::FetchingCatalogue;
    let fetch =
        api::catalogue(registration).then_send(|r| Event::Sync(SyncEvent::CatalogueFetched(r)));
    Command::all([fetch, render()])
}

fn stop(model: &mut Model, failure: Failure) -> Command<Effect, Event> {
    let summary = match &model.sync {
        SyncState::Running(run) => run.summary,
        _ => SyncSummary::default(),
    };
    model.sync = SyncState::Stopped { failure, summary };
    render()
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng, rngs::StdRng};
    use relais_protocol::ErrorCode;

    use super::super::testing::{
        Harness, ServerOracle, connection_refused, ok_json, status, timeout,
    };
    use crate::{model::Intent, view::SyncView};

    fn queued(h: &Harness) -> usize {
        h.view()
            .outbox
            .iter()
            .filter(|i| i.state == "queued")
            .count()
    }

    #[test]
    fn registration_syncs_once_and_brings_the_catalogue() {
        let mut server = ServerOracle::default();
        let h = Harness::registered(&mut server);
        let view = h.view();
        assert!(view.registration.is_some());
        assert_eq!(view.categories.len(), 1);
        assert!(
            matches!(view.sync, SyncView::Finished { .. }),
            "{:?}",
            view.sync
        );
    }

    #[test]
    fn reports_filed_offline_are_queued_durably_in_sequence() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        let ids: Vec<_> = (0..3).map(|i| h.file(&format!("report {i}"))).collect();
        let h = h.restart();
        let view = h.view();
        let seqs: Vec<u64> = view.outbox.iter().map(|i| i.seq).collect();
        assert_eq!(seqs, vec![1, 2, 3]);
        for id in ids {
            let report = view
                .reports
                .iter()
                .find(|r| r.id == id.to_string())
                .unwrap();
            assert_eq!(report.status, "queued");
            assert!(report.mine);
        }
    }

    #[test]
    fn unreachable_server_keeps_the_queue_and_counts_the_attempt() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        h.file("pothole");
        h.send(Intent::Sync);
        let push = h.take_http();
        h.respond(push, connection_refused());
        let view = h.view();
        assert!(
            matches!(view.sync, SyncView::Unreachable { queued: 1, .. }),
            "{:?}",
            view.sync
        );
        assert_eq!(view.outbox[0].attempts, 1);
        assert!(view.outbox[0].last_error.is_some());
        // The attempt is on disk too.
        assert_eq!(h.restart().view().outbox[0].attempts, 1);
    }

    #[test]
    fn timeout_keeps_the_queue() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        h.file("pothole");
        h.send(Intent::Sync);
        let push = h.take_http();
        h.respond(push, timeout());
        assert!(matches!(h.view().sync, SyncView::Unreachable { .. }));
        assert_eq!(queued(&h), 1);
    }

    #[test]
    fn server_error_keeps_the_queue_and_is_not_called_unreachable() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        h.file("pothole");
        h.send(Intent::Sync);
        let push = h.take_http();
        h.respond(push, status(500, ErrorCode::Internal));
        assert!(
            matches!(h.view().sync, SyncView::Failed { queued: 1, .. }),
            "{:?}",
            h.view().sync
        );
        h.send(Intent::Sync);
        h.serve_all(&mut server);
        assert_eq!(queued(&h), 0);
        assert_eq!(server.applied.len(), 1);
    }

    #[test]
    fn gateway_errors_mean_unreachable() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        h.file("pothole");
        h.send(Intent::Sync);
        let push = h.take_http();
        h.respond(push, status(503, ErrorCode::Unavailable));
        assert!(matches!(h.view().sync, SyncView::Unreachable { .. }));
    }

    #[test]
    fn lost_response_after_the_server_committed_is_not_duplicated() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        for i in 0..3 {
            h.file(&format!("report {i}"));
        }
        h.send(Intent::Sync);
        let push = h.take_http();
        let _lost = server.handle(&push.operation); // committed on the server...
        h.respond(push, connection_refused()); // ...but the answer never arrived
        assert_eq!(queued(&h), 3);
        h.send(Intent::Sync);
        h.serve_all(&mut server);
        h.send(Intent::Sync);
        h.serve_all(&mut server);
        assert_eq!(server.applied.len(), 3);
        assert_eq!(queued(&h), 0);
        assert!(h.view().reports.iter().all(|r| r.status == "received"));
        assert_eq!(h.view().reports.len(), 3);
    }

    #[test]
    fn a_request_cannot_be_answered_twice() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        h.file("pothole");
        h.send(Intent::Sync);
        let mut push = h.take_http();
        let answer = server.handle(&push.operation);
        push.resolve(answer.clone()).unwrap();
        assert!(
            push.resolve(answer).is_err(),
            "crux refuses a duplicated answer"
        );
    }

    #[test]
    fn a_stale_duplicated_answer_only_acknowledges_what_it_names() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        h.file("first");
        h.send(Intent::Sync);
        let push = h.take_http();
        let first_answer = server.handle(&push.operation);
        h.respond(push, connection_refused());
        h.file("second");
        h.send(Intent::Sync);
        let push = h.take_http();
        assert_eq!(
            serde_json::from_slice::<relais_protocol::PushRequest>(&push.operation.body)
                .unwrap()
                .mutations
                .len(),
            2
        );
        // A replayed answer to the first push arrives for the second one.
        h.respond(push, first_answer);
        assert_eq!(queued(&h), 1, "the second report is still queued");
        h.serve_all(&mut server);
        assert_eq!(queued(&h), 0);
        assert_eq!(server.applied.len(), 2);
    }

    #[test]
    fn a_rejected_mutation_is_kept_shown_and_does_not_wedge_the_queue() {
        let mut server = ServerOracle::default();
        server.refuse_text = Some("in lyon".into());
        let mut h = Harness::registered(&mut server);
        h.file("good one");
        let refused = h.file("in lyon");
        h.file("good two");
        h.send(Intent::Sync);
        h.serve_all(&mut server);
        let view = h.view();
        assert!(
            matches!(
                view.sync,
                SyncView::Finished {
                    sent: 2,
                    refused: 1,
                    ..
                }
            ),
            "{:?}",
            view.sync
        );
        assert_eq!(view.outbox.len(), 1);
        assert_eq!(view.outbox[0].state, "rejected");
        assert_eq!(view.outbox[0].reason.as_deref(), Some("Outside the town"));
        let report = view
            .reports
            .iter()
            .find(|r| r.id == refused.to_string())
            .unwrap();
        assert_eq!(report.status, "refused");
        assert_eq!(report.refusal.as_deref(), Some("Outside the town"));
        // The queue moves on, and the refusal survives a restart.
        let mut h = h.restart();
        h.file("good three");
        h.send(Intent::Sync);
        h.serve_all(&mut server);
        assert_eq!(server.applied.len(), 3);
        assert_eq!(h.view().outbox.len(), 1);
    }

    #[test]
    fn a_revoked_device_keeps_its_queue() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        h.file("pothole");
        h.send(Intent::Sync);
        let push = h.take_http();
        h.respond(push, status(401, ErrorCode::Unauthorized));
        assert!(matches!(h.view().sync, SyncView::Failed { queued: 1, .. }));
    }

    #[test]
    fn a_sequence_gap_renumbers_the_queue_once_and_delivers() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        h.file("one");
        h.file("two");
        h.send(Intent::Sync);
        h.serve_all(&mut server);
        // The server is restored from a backup that lost the second mutation.
        server.forget_after(1);
        h.file("three");
        h.send(Intent::Sync);
        h.serve_all(&mut server);
        assert_eq!(queued(&h), 0);
        assert_eq!(h.view().outbox.len(), 0);
        assert!(
            matches!(h.view().sync, SyncView::Finished { sent: 1, .. }),
            "{:?}",
            h.view().sync
        );
        assert_eq!(server.applied.len(), 3);
    }

    #[test]
    fn a_second_sync_while_one_runs_is_ignored() {
        let mut server = ServerOracle::default();
        let mut h = Harness::registered(&mut server);
        h.file("pothole");
        h.send(Intent::Sync);
        h.send(Intent::Sync);
        let _push = h.take_http();
        assert!(!h.has_http(), "only one push in flight");
    }

    /// Whatever the network does and whenever the app restarts, every report filed reaches the
    /// server exactly once, and the queue always drains once the network is good.
    #[test]
    fn random_faults_never_lose_or_duplicate_a_report() {
        for seed in 0..25 {
            let mut rng = StdRng::seed_from_u64(seed);
            let mut server = ServerOracle::default();
            let mut h = Harness::registered(&mut server);
            let mut filed = Vec::new();
            for _ in 0..30 {
                match rng.random_range(0..10) {
                    0..=3 => filed.push(h.file("report")),
                    4 => h = h.restart(),
                    _ => {
                        h.send(Intent::Sync);
                        while h.has_http() {
                            let request = h.take_http();
                            let answer = match rng.random_range(0..6) {
                                0 => connection_refused(), // lost request
                                1 => {
                                    let _ = server.handle(&request.operation); // lost response
                                    connection_refused()
                                }
                                2 => status(500, ErrorCode::Internal),
                                3 => timeout(),
                                _ => server.handle(&request.operation),
                            };
                            h.respond(request, answer);
                        }
                    }
                }
            }
            h.send(Intent::Sync);
            h.serve_all(&mut server);
            assert_eq!(queued(&h), 0, "seed {seed}: the queue drains");
            let mut on_server: Vec<_> = server.reports.iter().map(|r| r.id).collect();
            on_server.sort();
            let mut expected = filed.clone();
            expected.sort();
            assert_eq!(
                on_server, expected,
                "seed {seed}: exactly the filed reports"
            );
            assert_eq!(
                server.applied.len(),
                filed.len(),
                "seed {seed}: each applied once"
            );
        }
    }

    #[test]
    fn ok_json_answers_are_well_formed() {
        // Guards the harness itself: a push answer must parse as the protocol says.
        let answer = ok_json(&relais_protocol::PushResponse {
            results: vec![],
            last_seq: 0,
        });
        let crux_http::protocol::HttpResult::Ok(response) = answer else {
            panic!()
        };
        assert_eq!(response.status, 200);
    }
}
