//! Command builders for [`StoreOp`]s, narrowing the wide output to what each caller expects.

use crux_core::{Command, Request, command::RequestBuilder};
use uuid::Uuid;

use super::{
    LocalChange, PruneRule, PullApplied, PullPage, Snapshot, StoreError, StoreOp, StoreOutput,
};
use crate::model::{HeldReport, OutboxItem, Report};

/// Runs `op` and keeps the output `narrow` accepts; any other output is a store error.
fn ask<Effect, Event, T>(
    op: StoreOp,
    narrow: fn(StoreOutput) -> Result<T, Box<StoreOutput>>,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<T, StoreError>>>
where
    Effect: From<Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
    T: Send + 'static,
{
    Command::request_from_shell(op).map(move |out| {
        narrow(out?)
            .map_err(|other| StoreError(format!("unexpected answer from the store: {other:?}")))
    })
}

/// Read what the core keeps in memory.
#[must_use]
pub fn load<Effect, Event>()
-> RequestBuilder<Effect, Event, impl Future<Output = Result<Box<Snapshot>, StoreError>>>
where
    Effect: From<Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    ask(StoreOp::Load, |out| match out {
        StoreOutput::Loaded(snapshot) => Ok(snapshot),
        other => Err(Box::new(other)),
    })
}

/// Save an outbox item with its local effect; yields the item as saved.
#[must_use]
pub fn enqueue<Effect, Event>(
    item: Box<OutboxItem>,
    local: LocalChange,
    replaces: Option<Uuid>,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<Box<OutboxItem>, StoreError>>>
where
    Effect: From<Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    let op = StoreOp::Enqueue {
        item,
        local,
        replaces,
    };
    ask(op, |out| match out {
        StoreOutput::Enqueued(item) => Ok(item),
        other => Err(Box::new(other)),
    })
}

/// Put the kept acknowledged mutations numbered `from` or more back in the queue; yields them.
#[must_use]
pub fn requeue<Effect, Event>(
    from: u64,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<Vec<OutboxItem>, StoreError>>>
where
    Effect: From<Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    ask(StoreOp::Requeue { from }, |out| match out {
        StoreOutput::Requeued(items) => Ok(items),
        other => Err(Box::new(other)),
    })
}

/// New sequence numbers by mutation id.
type Numbers = Vec<(Uuid, u64)>;

/// Renumber the queued items from `from`; yields each item's new number.
#[must_use]
pub fn resequence<Effect, Event>(
    from: u64,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<Numbers, StoreError>>>
where
    Effect: From<Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    ask(StoreOp::Resequence { from }, |out| match out {
        StoreOutput::Resequenced(numbers) => Ok(numbers),
        other => Err(Box::new(other)),
    })
}

/// Apply a pulled page; yields what it changed.
#[must_use]
pub fn apply_pull<Effect, Event>(
    page: PullPage,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<PullApplied, StoreError>>>
where
    Effect: From<Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    ask(StoreOp::ApplyPull(Box::new(page)), |out| match out {
        StoreOutput::Pulled(applied) => Ok(applied),
        other => Err(Box::new(other)),
    })
}

/// Drop what the device holds for no reason any more; yields how many reports left.
#[must_use]
pub fn prune<Effect, Event>(
    rule: PruneRule,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<u32, StoreError>>>
where
    Effect: From<Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    ask(StoreOp::Prune(rule), |out| match out {
        StoreOutput::Pruned(count) => Ok(count),
        other => Err(Box::new(other)),
    })
}

/// Everything held about one report, if the device has it.
#[must_use]
pub fn held_report<Effect, Event>(
    id: Uuid,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<Option<Box<HeldReport>>, StoreError>>>
where
    Effect: From<Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    ask(StoreOp::GetReport(id), |out| match out {
        StoreOutput::Report(held) => Ok(held),
        other => Err(Box::new(other)),
    })
}

/// A query answered with reports ([`StoreOp::QueryReports`], [`StoreOp::Nearby`]).
#[must_use]
pub fn reports<Effect, Event>(
    op: StoreOp,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<Vec<Report>, StoreError>>>
where
    Effect: From<Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    ask(op, |out| match out {
        StoreOutput::Reports(reports) => Ok(reports),
        other => Err(Box::new(other)),
    })
}

/// The work list ([`StoreOp::QueryWork`]).
#[must_use]
pub fn work<Effect, Event>(
    op: StoreOp,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<Vec<HeldReport>, StoreError>>>
where
    Effect: From<Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    ask(op, |out| match out {
        StoreOutput::Work(tasks) => Ok(tasks),
        other => Err(Box::new(other)),
    })
}

/// Apply a durable change.
#[must_use]
pub fn write<Effect, Event>(
    op: StoreOp,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<(), StoreError>>>
where
    Effect: From<Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    Command::request_from_shell(op).map(|out| out.map(|_| ()))
}
