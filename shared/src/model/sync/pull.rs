//! The pull step: read the device's scope page by page, let the store apply each page, tell the
//! user what concerns them, then drop what the device no longer needs to hold.
//!
//! While the store applies a page the next one is already asked for (its cursor is in the page
//! being applied; see [`super::ahead`]). Pages are still applied one at a time and in order, so
//! the store, the model and the cursor always agree.

use crux_core::{Command, render::render};
use relais_protocol::{Cursor, PullResponse};

use super::{
    Event, Failure, Model, SyncEvent, SyncState, SyncStep,
    ahead::{Ahead, Then},
    notify, push, resources, running, stop,
};
use crate::{
    effects::{
        Effect,
        api::{self, ApiFailure},
        store::{self, PruneRule, PullApplied, PullPage, StoreError},
    },
    i18n::Message,
    model::zones,
};

const DAY_MS: i64 = 86_400_000;

/// The most pages one sync run reads (500,000 changes at the default page size): past it the
/// run ends as if the pull were over and the next run goes on from the cursor, so a server that
/// always has more, with a new cursor each time, cannot hold the phone for ever.
const MOST_PAGES_PER_RUN: usize = 1_000;

#[derive(Debug)]
pub enum PullEvent {
    /// A page came back, for sync run `run`.
    Pulled {
        run: u64,
        result: Result<PullResponse, ApiFailure>,
    },
    /// The store applied a page.
    Applied {
        reset: bool,
        has_more: bool,
        /// The server asked for more from a cursor this run already pulled from.
        circle: bool,
        cursor: Cursor,
        result: Result<PullApplied, StoreError>,
    },
    Pruned(Result<u32, StoreError>),
}

fn send(event: PullEvent) -> Event {
    Event::Sync(SyncEvent::Pull(event))
}

/// Asks for the page at the device's cursor.
pub fn next(model: &mut Model) -> Command<Effect, Event> {
    let cursor = model.cursor.clone();
    let Some(run) = running(model) else {
        return Command::done();
    };
    run.step = SyncStep::Pulling;
    Command::all([ask(run, cursor), render()])
}

/// Asks for the page at `cursor` in `run`.
fn ask(run: &mut super::SyncRun, cursor: Cursor) -> Command<Effect, Event> {
    let id = run.id;
    let pull = api::pull(&run.registration, &cursor)
        .then_send(move |result| send(PullEvent::Pulled { run: id, result }));
    run.pulled_from.insert(cursor);
    pull
}

pub fn update(event: PullEvent, model: &mut Model) -> Command<Effect, Event> {
    match event {
        PullEvent::Pulled { run: id, result } => {
            let Some(run) = running(model).filter(|run| run.id == id) else {
                // A page asked for ahead by a run that has stopped since.
                return Command::done();
            };
            match run.pull_ahead.arrive(result) {
                Some(result) => page(model, result),
                None => Command::done(),
            }
        }
        PullEvent::Applied {
            reset,
            has_more,
            circle,
            cursor,
            result: Ok(mut applied),
        } => {
            // The model mirrors the store, whatever the sync does next.
            for item in std::mem::take(&mut applied.requeued) {
                model.outbox.push(item);
            }
            let SyncState::Running(run) = &mut model.sync else {
                return Command::done();
            };
            run.news.note(&model.held, &applied);
            run.summary.received += applied.received;
            apply(model, reset, applied);
            model.cursor = cursor;
            let first_reset = reset && running(model).is_some_and(|run| !run.requeued);
            if first_reset {
                // The server's history is not the one this device followed (a restored
                // backup): what it acknowledged may be lost, so it goes again (the store put
                // it back in the queue with the page; the server recognises what it holds),
                // and the pull goes on after the push. A second reset in one run leaves it
                // for the next sync.
                if let Some(run) = running(model) {
                    run.requeued = true;
                }
                push::next(model)
            } else if circle {
                stop(
                    model,
                    Failure::Failed(Message::ProtocolMismatch(
                        "the pull cursor went back to a page this sync already read".into(),
                    )),
                )
            } else {
                go_on(model, has_more)
            }
        }
        PullEvent::Pruned(Ok(_)) => {
            let Some(run) = running(model) else {
                return Command::done();
            };
            let now_ms = run.started_at_ms;
            model.alerts.retain(|a| a.ends_at_ms >= now_ms);
            resources::catalogue(model)
        }
        PullEvent::Applied { result: Err(e), .. } | PullEvent::Pruned(Err(e)) => {
            stop(model, Failure::Failed(Message::StorageFailed(e.0)))
        }
    }
}

/// A page to apply now (the one before it, if any, is recorded): the store applies it while the
/// next one is asked for, when the page says there is more and nothing must happen first.
fn page(model: &mut Model, result: Result<PullResponse, ApiFailure>) -> Command<Effect, Event> {
    let response = match result {
        Ok(response) => response,
        Err(failure) => return stop(model, Failure::from(failure)),
    };
    let Some(run) = running(model) else {
        return Command::done();
    };
    run.resources = response.resources;
    let circle = response.has_more && run.pulled_from.contains(&response.cursor);
    let (reset, has_more, cursor) = (response.reset, response.has_more, response.cursor.clone());
    let requeue = reset && !run.requeued;
    let ahead = if has_more && !reset && !circle && run.pulled_from.len() < MOST_PAGES_PER_RUN {
        run.pull_ahead = Ahead::Sent;
        ask(run, cursor.clone())
    } else {
        Command::done()
    };
    let page = PullPage {
        reset,
        requeue,
        changes: response.changes,
        cursor: response.cursor,
    };
    let apply = store::apply_pull(page).then_send(move |result| {
        send(PullEvent::Applied {
            reset,
            has_more,
            circle,
            cursor,
            result,
        })
    });
    Command::all([apply, ahead])
}

/// What follows a recorded page: the page that arrived in the meantime, or the one on its way
/// (applied when it arrives), or else the next page or the end of the pull.
fn go_on(model: &mut Model, has_more: bool) -> Command<Effect, Event> {
    let Some(run) = running(model) else {
        return Command::done();
    };
    match run.pull_ahead.recorded() {
        Then::Act(result) => page(model, result),
        Then::Wait => Command::done(),
        Then::Idle if has_more && run.pulled_from.len() < MOST_PAGES_PER_RUN => next(model),
        Then::Idle => Command::all([notify::flush(model), prune(model)]),
    }
}

/// Mirrors in memory what the store did with a page.
fn apply(model: &mut Model, reset: bool, applied: PullApplied) {
    if reset {
        model.held.retain(|_, held| held.report.mine);
    }
    for id in &applied.removed {
        model.held.remove(id);
    }
    for held in applied.held {
        model.held.insert(held.id(), held);
    }
    if let Some(follows) = applied.follows {
        model.follows = Some(follows);
    }
    for alert in applied.new_alerts {
        model.alerts.retain(|a| a.id != alert.id);
        model.alerts.push(alert);
    }
    model.alerts.sort_by_key(|a| (a.starts_at_ms, a.id));
}

/// Drops, by the protocol's rule, what the device holds for no reason any more: others' reports
/// closed for longer than the town keeps them visible, reports held only for a zone no longer
/// followed (once a server has said which zones are), ended alerts.
fn prune(model: &mut Model) -> Command<Effect, Event> {
    let Some(run) = running(model) else {
        return Command::done();
    };
    run.step = SyncStep::Pruning;
    let now_ms = run.started_at_ms;
    let days = model
        .catalogue
        .as_ref()
        .map_or(30, |c| c.settings.closed_visible_days);
    let rule = PruneRule {
        closed_before_ms: now_ms - i64::from(days) * DAY_MS,
        followed_zones: model
            .follows
            .as_deref()
            .map(|follows| zones::covered(model.catalogue.as_ref(), follows)),
        alerts_ended_before_ms: now_ms,
    };
    store::prune(rule).then_send(|r| send(PullEvent::Pruned(r)))
}
