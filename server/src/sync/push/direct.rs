//! One citizen's mutation that comes through another front door than a device's push (a request
//! filed by a third-party application through Open311): judged exactly as in a push (the same
//! [`Judge`]: validation, routing, probable duplicates), inside one write transaction, but
//! outside the device's sequence. Such a door has no queue to keep in order, and a refusal must
//! leave nothing behind: no ledger entry is written.

use std::sync::Arc;

use relais_protocol::{Mutation, MutationOp, Reason};
use relais_server_database::{Database, DeviceRecord, Plan};
use uuid::Uuid;

use super::{Judge, PushError, Source, facts_query, place};
use crate::clock::now_ms;
use crate::town::Towns;

/// Decides and stores `op` for `device`, answering after the durable commit. `Ok(Err(reason))`
/// is the rules' refusal: nothing was written.
pub async fn apply<DB: Database>(
    db: &DB,
    towns: &Towns,
    device: &DeviceRecord,
    op: MutationOp,
    source: Source,
) -> Result<Result<(), Reason>, PushError> {
    apply_at(db, towns, device, op, source, None).await
}

/// [`apply`] received at a given time instead of now (`None`): how the demo town's history
/// files its requests on their days.
pub async fn apply_at<DB: Database>(
    db: &DB,
    towns: &Towns,
    device: &DeviceRecord,
    op: MutationOp,
    source: Source,
    at_ms: Option<i64>,
) -> Result<Result<(), Reason>, PushError> {
    let mut town = towns
        .get(db, &device.tenant)
        .await?
        .ok_or(PushError::UnknownTenant)?;
    let mutation = Arc::new(vec![Mutation {
        seq: 0,
        mutation_id: Uuid::now_v7(),
        op,
    }]);
    // As in a push: a catalogue changed by someone else is reloaded and the mutation decided
    // again, once.
    for attempt in 0..2 {
        let now_ms = at_ms.unwrap_or_else(now_ms);
        let placed = Arc::new(place(&town, &mutation));
        let mut query = facts_query(device, &town, &mutation, &placed, now_ms);
        query.seqs = None;
        let (who, held, mutation) = (device.clone(), Arc::clone(&town), Arc::clone(&mutation));
        let decided = db
            .transact(query, move |facts| {
                if attempt == 0 && facts.catalogue_version != held.version() {
                    return Err(None);
                }
                let mut judge = Judge::new(&who, &held, source, now_ms, facts);
                let writes = judge.judge(&mutation[0].op, &placed[0]).map_err(Some)?;
                let plan = Plan {
                    tenant: who.tenant.clone(),
                    now_ms,
                    ledger: None,
                    writes,
                };
                Ok((plan, ()))
            })
            .await?;
        match decided {
            Ok(()) => return Ok(Ok(())),
            Err(Some(reason)) => return Ok(Err(reason)),
            Err(None) => {
                town = towns
                    .reload(db, &device.tenant)
                    .await?
                    .ok_or(PushError::UnknownTenant)?;
            }
        }
    }
    unreachable!("the second attempt decides whatever the catalogue's version")
}
