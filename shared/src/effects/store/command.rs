//! Command builders for [`StoreOp`]s, narrowing the wide output to what each caller expects.

use crux_core::{Command, command::RequestBuilder};

use uuid::Uuid;

use super::{LocalChange, Snapshot, StoreError, StoreOp, StoreOutput};
use crate::model::OutboxItem;

/// Read the whole local state.
#[must_use]
pub fn load<Effect, Event>()
-> RequestBuilder<Effect, Event, impl Future<Output = Result<Box<Snapshot>, StoreError>>>
where
    Effect: From<crux_core::Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    Command::request_from_shell(StoreOp::Load).map(|out| match out? {
        StoreOutput::Loaded(snapshot) => Ok(snapshot),
        other => Err(unexpected(&other)),
    })
}

/// Save an outbox item with its local effect; yields the item's sequence number.
#[must_use]
pub fn enqueue<Effect, Event>(
    item: Box<OutboxItem>,
    local: LocalChange,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<u64, StoreError>>>
where
    Effect: From<crux_core::Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    Command::request_from_shell(StoreOp::Enqueue { item, local }).map(|out| match out? {
        StoreOutput::Enqueued { seq } => Ok(seq),
        other => Err(unexpected(&other)),
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
    Effect: From<crux_core::Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    Command::request_from_shell(StoreOp::Resequence { from }).map(|out| match out? {
        StoreOutput::Resequenced(numbers) => Ok(numbers),
        other => Err(unexpected(&other)),
    })
}

fn unexpected(output: &StoreOutput) -> StoreError {
    StoreError(format!("unexpected answer from the store: {output:?}"))
}

/// Apply a durable change.
#[must_use]
pub fn write<Effect, Event>(
    op: StoreOp,
) -> RequestBuilder<Effect, Event, impl Future<Output = Result<(), StoreError>>>
where
    Effect: From<crux_core::Request<StoreOp>> + Send + 'static,
    Event: Send + 'static,
{
    Command::request_from_shell(op).map(|out| out.map(|_| ()))
}
