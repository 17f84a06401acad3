//! The outbox: this device's intents waiting for the server, in sequence order.
//!
//! An item leaves the outbox only once the server has acknowledged it (applied now or before).
//! An item the server refused stays, marked with the reason, so the user sees it; it no longer
//! blocks the items behind it because the server consumed its sequence number.

use relais_protocol::{
    Mutation, MutationOp, Reason, WorkflowAction,
    mutation::{MAX_BATCH_BYTES, MAX_BATCH_MUTATIONS},
};
use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[cfg(test)]
thread_local! {
    /// The most mutations one push carries, in tests: the whole-system simulation lowers it on
    /// its threads so that its phones push in several batches, each sent while the store
    /// records the one before it.
    pub static TEST_BATCH_MUTATIONS: std::cell::Cell<usize> =
        const { std::cell::Cell::new(MAX_BATCH_MUTATIONS) };
}

/// The most mutations one push carries: the protocol's limit (lowered in some tests).
fn batch_mutations() -> usize {
    #[cfg(test)]
    return TEST_BATCH_MUTATIONS.get();
    #[cfg(not(test))]
    MAX_BATCH_MUTATIONS
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum OutboxState {
    Queued,
    Rejected(Reason),
}

#[derive(Debug, Clone, PartialEq)]
pub struct OutboxItem {
    pub mutation: Mutation,
    pub state: OutboxState,
    /// Delivery attempts that failed for transport reasons.
    pub attempts: u32,
    pub last_error: Option<String>,
    pub queued_at_ms: i64,
}

impl OutboxItem {
    pub fn new(mutation: Mutation, queued_at_ms: i64) -> Self {
        Self {
            mutation,
            state: OutboxState::Queued,
            attempts: 0,
            last_error: None,
            queued_at_ms,
        }
    }

    pub const fn id(&self) -> Uuid {
        self.mutation.mutation_id
    }

    pub const fn is_queued(&self) -> bool {
        matches!(self.state, OutboxState::Queued)
    }

    /// The report the mutation concerns, if any.
    pub const fn report_id(&self) -> Option<Uuid> {
        report_of(&self.mutation.op)
    }

    /// Refused because the report changed on the server since the change was based on it.
    pub fn is_conflict(&self) -> bool {
        matches!(&self.state, OutboxState::Rejected(reason) if reason.code == CONFLICT)
    }
}

/// The rejection code of a staff change based on a version that is not the report's any more.
pub const CONFLICT: &str = "conflict";

/// The report a mutation concerns, if any.
pub const fn report_of(op: &MutationOp) -> Option<Uuid> {
    match op {
        MutationOp::CreateReport { report_id, .. }
        | MutationOp::AddNote { report_id, .. }
        | MutationOp::ChangeStatus { report_id, .. }
        | MutationOp::SupportReport { report_id }
        | MutationOp::ConfirmResolution { report_id, .. }
        | MutationOp::StaffAction { report_id, .. } => Some(*report_id),
        MutationOp::RateService { .. }
        | MutationOp::FollowZone { .. }
        | MutationOp::UnfollowZone { .. }
        | MutationOp::Unsupported => None,
    }
}

/// The photos (SHA-256 names) a mutation lists, uploaded once the server accepted it.
pub fn photos_of(op: &MutationOp) -> &[String] {
    match op {
        MutationOp::CreateReport { photos, .. }
        | MutationOp::StaffAction {
            action: WorkflowAction::Resolve { photos },
            ..
        } => photos,
        _ => &[],
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outbox {
    items: Vec<OutboxItem>,
}

impl Outbox {
    pub fn new(mut items: Vec<OutboxItem>) -> Self {
        items.sort_by_key(|i| i.mutation.seq);
        Self { items }
    }

    pub fn items(&self) -> &[OutboxItem] {
        &self.items
    }

    pub fn get(&self, id: Uuid) -> Option<&OutboxItem> {
        self.items.iter().find(|i| i.id() == id)
    }

    /// The queued mutations concerning `report`, in sending order.
    pub fn queued_for(&self, report: Uuid) -> impl Iterator<Item = &MutationOp> {
        self.items
            .iter()
            .filter(move |i| i.is_queued() && i.report_id() == Some(report))
            .map(|i| &i.mutation.op)
    }

    pub fn queued_count(&self) -> usize {
        self.items.iter().filter(|i| i.is_queued()).count()
    }

    pub fn push(&mut self, item: OutboxItem) {
        self.items.push(item);
        self.items.sort_by_key(|i| i.mutation.seq);
    }

    /// The next mutations to send: queued items in sequence order, as many as fit in one push,
    /// with consecutive numbers (the server refuses others; a queue with mutations put back
    /// after a restored backup may have holes, where rejected ones were). `after`: only those
    /// numbered after it (the batch that follows one still on its way).
    pub fn next_batch(&self, after: Option<u64>) -> Vec<Mutation> {
        let mut bytes = 0;
        let mut previous: Option<u64> = None;
        self.items
            .iter()
            .filter(|i| i.is_queued() && after.is_none_or(|after| i.mutation.seq > after))
            .map(|i| i.mutation.clone())
            .take(batch_mutations())
            .take_while(|m| {
                let follows = previous.is_none_or(|seq| m.seq == seq + 1);
                previous = Some(m.seq);
                follows
            })
            .take_while(|m| {
                bytes += serde_json::to_vec(m).map_or(usize::MAX / 2, |v| v.len() + 1);
                bytes <= MAX_BATCH_BYTES
            })
            .collect()
    }

    /// Drops acknowledged items.
    pub fn remove(&mut self, accepted: &[Uuid]) {
        let accepted: HashSet<&Uuid> = accepted.iter().collect();
        self.items.retain(|i| !accepted.contains(&i.id()));
    }

    /// Replaces items by their updated versions (same mutation id).
    pub fn replace(&mut self, updated: &[OutboxItem]) {
        for item in &mut self.items {
            if let Some(new) = updated.iter().find(|u| u.id() == item.id()) {
                *item = new.clone();
            }
        }
        self.items.sort_by_key(|i| i.mutation.seq);
    }

    /// Gives queued items their new sequence numbers.
    pub fn renumber(&mut self, numbers: &[(Uuid, u64)]) {
        for item in &mut self.items {
            if let Some((_, seq)) = numbers.iter().find(|(id, _)| *id == item.id()) {
                item.mutation.seq = *seq;
            }
        }
        self.items.sort_by_key(|i| i.mutation.seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn note(seq: u64, text_len: usize) -> OutboxItem {
        OutboxItem::new(
            Mutation {
                seq,
                mutation_id: Uuid::now_v7(),
                op: MutationOp::AddNote {
                    report_id: Uuid::nil(),
                    text: "x".repeat(text_len),
                },
            },
            0,
        )
    }

    #[test]
    fn batch_is_in_sequence_order_skips_refused_items_and_stops_at_a_hole() {
        let mut refused = note(2, 1);
        refused.state = OutboxState::Rejected(Reason::new("x", "x", "x"));
        let first = note(1, 1);
        let mut outbox = Outbox::new(vec![note(4, 1), note(3, 1), refused, first.clone()]);
        let seqs = |outbox: &Outbox| -> Vec<u64> {
            outbox.next_batch(None).iter().map(|m| m.seq).collect()
        };
        assert_eq!(
            seqs(&outbox),
            vec![1],
            "the server refuses a batch with a hole"
        );
        outbox.remove(&[first.id()]);
        assert_eq!(seqs(&outbox), vec![3, 4]);
    }

    #[test]
    fn batch_stays_under_the_byte_limit() {
        let outbox = Outbox::new((1..=200).map(|s| note(s, 4000)).collect());
        let batch = outbox.next_batch(None);
        let bytes: usize = batch
            .iter()
            .map(|m| serde_json::to_vec(m).unwrap().len())
            .sum();
        assert!(!batch.is_empty() && batch.len() < 200);
        assert!(bytes <= MAX_BATCH_BYTES);
    }

    #[test]
    fn batch_has_at_most_the_mutation_limit() {
        let outbox = Outbox::new(
            (1..=(MAX_BATCH_MUTATIONS as u64 + 10))
                .map(|s| note(s, 1))
                .collect(),
        );
        assert_eq!(outbox.next_batch(None).len(), MAX_BATCH_MUTATIONS);
    }
}
