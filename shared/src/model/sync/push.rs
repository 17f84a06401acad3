//! The push step: send the queued mutations in batches, record each batch's outcomes, and cope
//! with the batch-level answers (unreachable, renumber the queue, a compressed body refused).
//!
//! Once a batch is answered, the next one is sent while the store records the outcomes of the
//! first ([`Ahead`]). The server still receives the batches in order: the next leaves only once
//! the one before it is answered.

use std::collections::{BTreeMap, HashMap, HashSet, btree_map::Entry};

use crux_core::{Command, render::render};
use relais_protocol::{Mutation, MutationOp, Outcome, PushRequest, PushResponse, ReportStatus};
use uuid::Uuid;

use super::{
    Event, Failure, Model, SyncEvent, SyncRun, SyncStep, after_push,
    ahead::{Ahead, Then},
    running, stop,
};
use crate::{
    effects::{
        Effect,
        api::{self, ApiFailure},
        store::{self, StoreError, StoreOp},
    },
    i18n::{Lang, Message},
    model::{OutboxItem, OutboxState, Report, chain, upload},
};

/// How long a device sends its pushes uncompressed after a server refused a compressed one.
const PLAIN_PUSH_MS: i64 = 7 * 86_400_000;

#[derive(Debug)]
pub enum PushEvent {
    /// A batch was answered, for sync run `run`.
    Pushed {
        run: u64,
        answer: Box<Answer>,
    },
    Recorded {
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
    /// Acknowledged mutations numbered `from` or more are back in the queue; `renumber`: the
    /// queue is renumbered from `from` next (the server asked for it).
    Requeued {
        from: u64,
        renumber: bool,
        result: Result<Vec<OutboxItem>, StoreError>,
    },
    /// The choice to push uncompressed was saved (or not: it is only a saving of round trips).
    PlainSaved(Result<(), StoreError>),
}

/// The server's answer to one batch.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    /// The mutation ids of the batch.
    batch: Vec<Uuid>,
    /// The sequence number of its last mutation: the next batch starts after it.
    last_seq: u64,
    compressed: bool,
    result: Result<PushResponse, ApiFailure>,
}

fn send(event: PushEvent) -> Event {
    Event::Sync(SyncEvent::Push(event))
}

/// Pushes the next batch, or moves on when nothing is queued.
pub fn next(model: &mut Model) -> Command<Effect, Event> {
    let batch = model.outbox.next_batch(None);
    if batch.is_empty() {
        return after_push(model);
    }
    let Some(run) = running(model) else {
        return Command::done();
    };
    run.step = SyncStep::Pushing;
    Command::all([push(run, batch), render()])
}

/// Sends the batch after `last_seq` while the store records the batch before it, if anything
/// more is queued.
fn send_ahead(model: &mut Model, last_seq: u64) -> Command<Effect, Event> {
    let batch = model.outbox.next_batch(Some(last_seq));
    let Some(run) = running(model).filter(|_| !batch.is_empty()) else {
        return Command::done();
    };
    run.push_ahead = Ahead::Sent;
    push(run, batch)
}

/// Sends `batch` (not empty) in `run`.
fn push(run: &SyncRun, batch: Vec<Mutation>) -> Command<Effect, Event> {
    let id = run.id;
    let compressed = !run.plain_push;
    let ids: Vec<Uuid> = batch.iter().map(|m| m.mutation_id).collect();
    let last_seq = batch.last().map_or(0, |m| m.seq);
    let request = PushRequest { mutations: batch };
    api::push(&run.registration, &request, compressed).then_send(move |result| {
        send(PushEvent::Pushed {
            run: id,
            answer: Box::new(Answer {
                batch: ids,
                last_seq,
                compressed,
                result,
            }),
        })
    })
}

pub fn update(event: PushEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        PushEvent::Pushed { run: id, answer } => {
            let Some(run) = running(model).filter(|run| run.id == id) else {
                // A batch sent ahead by a run that has stopped since: its mutations are still
                // queued, and the server recognises them when they come again.
                return Command::done();
            };
            match run.push_ahead.arrive(*answer) {
                Some(answer) => answered(model, answer),
                None => Command::done(),
            }
        }
        PushEvent::Recorded {
            accepted,
            refused,
            reports,
            result: Ok(()),
        } => {
            let Some(run) = running(model) else {
                return Command::done();
            };
            run.summary.sent += u32::try_from(accepted.len()).unwrap_or(u32::MAX);
            run.summary.refused += u32::try_from(refused.len()).unwrap_or(u32::MAX);
            let progressed = !accepted.is_empty() || !refused.is_empty();
            let accepted_ops: Vec<MutationOp> = accepted
                .iter()
                .filter_map(|id| model.outbox.get(*id))
                .map(|item| item.mutation.op.clone())
                .collect();
            for op in &accepted_ops {
                upload::answered(model, op, true);
            }
            for item in &refused {
                upload::answered(model, &item.mutation.op, false);
            }
            model.outbox.remove(&accepted);
            model.outbox.replace(&refused);
            for report in reports {
                if let Some(held) = model.held.get_mut(&report.id) {
                    held.report = report;
                }
            }
            model.forget_unneeded_held();
            if !progressed {
                return stop(
                    model,
                    Failure::Failed(Message::ProtocolMismatch("push made no progress".into())),
                );
            }
            let Some(run) = running(model) else {
                return Command::done();
            };
            match run.push_ahead.recorded() {
                Then::Act(answer) => answered(model, answer),
                Then::Wait => Command::done(),
                Then::Idle => next(model),
            }
        }
        PushEvent::AttemptRecorded {
            items,
            failure,
            result,
        } => {
            if result.is_ok() {
                model.outbox.replace(&items);
            }
            stop(model, failure)
        }
        PushEvent::Resequenced(Ok(numbers)) => {
            model.outbox.renumber(&numbers);
            next(model)
        }
        PushEvent::Requeued {
            from,
            renumber,
            result: Ok(items),
        } => {
            for item in items {
                model.outbox.push(item);
            }
            if renumber {
                store::resequence(from).then_send(|r| send(PushEvent::Resequenced(r)))
            } else {
                next(model)
            }
        }
        PushEvent::PlainSaved(result) => {
            if let Err(e) = result {
                model.notice = Some(Message::StorageFailed(e.0));
            }
            Command::done()
        }
        PushEvent::Recorded { result: Err(e), .. }
        | PushEvent::Resequenced(Err(e))
        | PushEvent::Requeued { result: Err(e), .. } => {
            stop(model, Failure::Failed(Message::StorageFailed(e.0)))
        }
    }
}

/// Acts on the answer to a batch (the batches before it are recorded): records its outcomes
/// while the next batch is sent, or copes with a batch-level answer.
fn answered(model: &mut Model, answer: Answer) -> Command<Effect, Event> {
    let Answer {
        batch,
        last_seq,
        compressed,
        result,
    } = answer;
    match result {
        Ok(response) => {
            let record = record(model, &batch, &response);
            Command::all([record, send_ahead(model, last_seq)])
        }
        Err(ApiFailure::Resequence { expected_seq })
            if running(model).is_some_and(|run| !run.resequenced) =>
        {
            if let Some(run) = running(model) {
                run.resequenced = true;
            }
            // The server holds nothing from `expected_seq` on: acknowledged mutations from there
            // were lost with its history (a restored backup) and go again, renumbered too.
            requeue(expected_seq, true)
        }
        Err(ApiFailure::BodyRefused(_)) if compressed => {
            // An older server: the same batch again, uncompressed (nothing was applied).
            let Some(run) = running(model) else {
                return Command::done();
            };
            run.plain_push = true;
            let until = run.started_at_ms + PLAIN_PUSH_MS;
            model.plain_push_until_ms = Some(until);
            let save = store::write(StoreOp::SavePlainPushUntil(until))
                .then_send(|r| send(PushEvent::PlainSaved(r)));
            Command::all([save, next(model)])
        }
        Err(failure) => record_attempt(model, &batch, Failure::from(failure)),
    }
}

/// Puts the kept acknowledged mutations numbered `from` or more back in the queue, then
/// renumbers the queue from `from` (`renumber`) or pushes.
pub fn requeue(from: u64, renumber: bool) -> Command<Effect, Event> {
    store::requeue(from).then_send(move |result| {
        send(PushEvent::Requeued {
            from,
            renumber,
            result,
        })
    })
}

/// Turns the server's per-mutation outcomes into store changes: accepted items leave, refused
/// ones stay with their reason; an accepted report is `received`, a refused one shows why; an
/// accepted staff change moves the device's copy of the server state on by it.
fn record(model: &Model, batch: &[Uuid], response: &PushResponse) -> Command<Effect, Event> {
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    let mut changed: BTreeMap<Uuid, Report> = BTreeMap::new();
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
        match (&result.outcome, &item.mutation.op) {
            (Outcome::Applied | Outcome::AlreadyApplied, op) => {
                accepted.push(item.id());
                match op {
                    MutationOp::CreateReport { report_id, .. } => {
                        if let Some(report) = working(&mut changed, model, *report_id)
                            .filter(|r| r.status == ReportStatus::Queued)
                        {
                            report.status = ReportStatus::Received;
                        }
                    }
                    MutationOp::StaffAction {
                        report_id,
                        base_version,
                        action,
                        ..
                    } => {
                        if let Some(report) = working(&mut changed, model, *report_id)
                            .filter(|r| r.version == *base_version)
                        {
                            *report = chain::accepted(report, action);
                        }
                    }
                    _ => {}
                }
            }
            (Outcome::Rejected { reason }, op) => {
                let mut item = item.clone();
                item.state = OutboxState::Rejected(reason.clone());
                refused.push(item);
                match op {
                    MutationOp::CreateReport { report_id, .. } => {
                        if let Some(report) = working(&mut changed, model, *report_id) {
                            report.refusal = Some(reason.clone());
                        }
                    }
                    // Not counted, and the server sends the report's changes to its supporters
                    // only: the device stops showing it supported, and stops keeping it for that.
                    MutationOp::SupportReport { report_id } => {
                        if let Some(report) =
                            working(&mut changed, model, *report_id).filter(|r| r.supported)
                        {
                            report.supported = false;
                            report.supporters = report.supporters.saturating_sub(1);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let reports: Vec<Report> = changed.into_values().collect();
    store::write(StoreOp::RecordPush {
        accepted: accepted.clone(),
        refused: refused.clone(),
        reports: reports.clone(),
    })
    .then_send(move |result| {
        send(PushEvent::Recorded {
            accepted,
            refused,
            reports,
            result,
        })
    })
}

/// The copy of a report this push's outcomes change, from the one held in memory.
fn working<'a>(
    changed: &'a mut BTreeMap<Uuid, Report>,
    model: &Model,
    id: Uuid,
) -> Option<&'a mut Report> {
    match changed.entry(id) {
        Entry::Occupied(entry) => Some(entry.into_mut()),
        Entry::Vacant(entry) => Some(entry.insert(model.held.get(&id)?.report.clone())),
    }
}

fn record_attempt(model: &Model, batch: &[Uuid], failure: Failure) -> Command<Effect, Event> {
    let detail = failure.message().text(Lang::En);
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
        send(PushEvent::AttemptRecorded {
            items,
            failure,
            result,
        })
    })
}
