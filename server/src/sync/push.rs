//! The push rules: a batch's shape, the device's sequence (gap, conflict, replay) and each new
//! mutation's validation and routing. [`decide`] is pure; [`push`] runs it inside the backend's
//! write transaction through [`Database::push`].

use std::collections::HashSet;
use std::sync::Arc;

use relais_protocol::mutation::{MAX_BATCH_MUTATIONS, MAX_TEXT_CHARS};
use relais_protocol::{Mutation, MutationOp, Outcome, PushResponse, PushResult, ReportStatus};
use uuid::Uuid;

use super::{BatchRefusal, reasons};
use crate::clock::now_ms;
use crate::store::{
    Database, DbError, Decision, DeviceRecord, Effect, FactsQuery, NewNote, NewReport,
    PlannedMutation, PushFacts, PushPlan, ReportOwner, Role,
};
use crate::zones::TenantZones;

/// Why a push was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The batch is not acceptable as a whole (too long, sequence numbers not consecutive).
    #[error("malformed batch: {0}")]
    Malformed(String),
    #[error("batch refused: {0:?}")]
    Refused(BatchRefusal),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Decides and stores one batch of `device`, answering only after the durable commit.
pub async fn push<DB: Database>(
    db: &DB,
    device: &DeviceRecord,
    zones: Arc<TenantZones>,
    mutations: Vec<Mutation>,
) -> Result<PushResponse, PushError> {
    check_shape(&mutations)?;
    let query = facts_query(device, &mutations);
    let device = device.clone();
    let now_ms = now_ms();
    db.push(query, move |facts| {
        decide(&device, &zones, &mutations, facts, now_ms)
    })
    .await?
    .map_err(PushError::Refused)
}

fn check_shape(mutations: &[Mutation]) -> Result<(), PushError> {
    if mutations.len() > MAX_BATCH_MUTATIONS {
        return Err(PushError::Malformed(format!(
            "a batch holds at most {MAX_BATCH_MUTATIONS} mutations"
        )));
    }
    if mutations.first().is_some_and(|m| m.seq == 0) {
        return Err(PushError::Malformed("sequence numbers start at 1".into()));
    }
    if mutations
        .windows(2)
        .any(|w| w[0].seq.checked_add(1) != Some(w[1].seq))
    {
        return Err(PushError::Malformed(
            "sequence numbers in a batch must be consecutive".into(),
        ));
    }
    Ok(())
}

fn facts_query(device: &DeviceRecord, mutations: &[Mutation]) -> FactsQuery {
    let mut categories = HashSet::new();
    let mut report_ids = HashSet::new();
    for mutation in mutations {
        match &mutation.op {
            MutationOp::CreateReport {
                report_id,
                category,
                ..
            } => {
                categories.insert(category.clone());
                report_ids.insert(*report_id);
            }
            MutationOp::AddNote { report_id, .. } | MutationOp::ChangeStatus { report_id, .. } => {
                report_ids.insert(*report_id);
            }
            MutationOp::SupportReport { report_id }
            | MutationOp::ConfirmResolution { report_id, .. } => {
                report_ids.insert(*report_id);
            }
            MutationOp::RateService { .. } | MutationOp::Unsupported => {}
        }
    }
    // An empty batch asks nothing but the device's last sequence number.
    let seqs = mutations
        .first()
        .zip(mutations.last())
        .map(|(first, last)| first.seq..=last.seq);
    FactsQuery {
        device: device.clone(),
        seqs,
        categories: categories.into_iter().collect(),
        report_ids: report_ids.into_iter().collect(),
    }
}

/// Decides a batch from the facts read in its transaction. Replays recorded outcomes, refuses a
/// gap or a conflict as a whole, and judges each new mutation in order.
pub fn decide(
    device: &DeviceRecord,
    zones: &TenantZones,
    mutations: &[Mutation],
    facts: PushFacts,
    now_ms: i64,
) -> Result<PushPlan, BatchRefusal> {
    let next = facts.last_seq + 1;
    if mutations.first().is_some_and(|m| m.seq > next) {
        return Err(BatchRefusal::Gap { expected_seq: next });
    }
    let mut judge = Judge {
        device,
        zones,
        facts: &facts,
        now_ms,
        created: HashSet::new(),
    };
    let mut results = Vec::with_capacity(mutations.len());
    let mut planned = Vec::new();
    for mutation in mutations {
        let outcome = if mutation.seq < next {
            // Recorded earlier: the gapless ledger holds every seq up to `last_seq`; a missing
            // one can only mean another history, which is a conflict too.
            match facts.recorded.get(&mutation.seq) {
                Some(recorded) if recorded.mutation_id == mutation.mutation_id => {
                    replayed(&recorded.outcome)
                }
                _ => return Err(BatchRefusal::Conflict { expected_seq: next }),
            }
        } else {
            let decision = judge.decide(&mutation.op);
            let outcome = match &decision {
                Decision::Apply(_) => Outcome::Applied,
                Decision::Reject(reason) => Outcome::Rejected {
                    reason: reason.clone(),
                },
            };
            planned.push(PlannedMutation {
                seq: mutation.seq,
                mutation_id: mutation.mutation_id,
                kind: mutation.op.kind(),
                decision,
            });
            outcome
        };
        results.push(PushResult {
            seq: mutation.seq,
            mutation_id: mutation.mutation_id,
            outcome,
        });
    }
    let last_seq = mutations.last().map_or(0, |m| m.seq).max(facts.last_seq);
    Ok(PushPlan {
        tenant: device.tenant.clone(),
        device: device.id,
        now_ms,
        mutations: planned,
        response: PushResponse { results, last_seq },
    })
}

/// A recorded outcome as seen by a retry: an application is not repeated.
fn replayed(outcome: &Outcome) -> Outcome {
    match outcome {
        Outcome::Applied | Outcome::AlreadyApplied => Outcome::AlreadyApplied,
        rejected @ Outcome::Rejected { .. } => rejected.clone(),
    }
}

/// Judges the new mutations of one batch, remembering the reports the batch creates so that a
/// later mutation of the same batch can refer to them.
struct Judge<'a> {
    device: &'a DeviceRecord,
    zones: &'a TenantZones,
    facts: &'a PushFacts,
    now_ms: i64,
    created: HashSet<Uuid>,
}

impl Judge<'_> {
    fn decide(&mut self, op: &MutationOp) -> Decision {
        match op {
            MutationOp::CreateReport {
                report_id,
                category,
                location,
                text,
                created_at_ms,
                photos,
                ..
            } => {
                if self.facts.reports.contains_key(report_id) || self.created.contains(report_id) {
                    return Decision::Reject(reasons::duplicate_id());
                }
                let Some(service) = self.facts.categories.get(category) else {
                    return Decision::Reject(reasons::unknown_category(category));
                };
                if !location.is_valid() {
                    return Decision::Reject(reasons::invalid_location());
                }
                if !is_valid_text(text) {
                    return Decision::Reject(reasons::invalid_text(MAX_TEXT_CHARS));
                }
                let Some(zone) = self.zones.locate(location.lon, location.lat) else {
                    return Decision::Reject(reasons::outside_zones(&self.zones.tenant.name));
                };
                self.created.insert(*report_id);
                Decision::Apply(Effect::CreateReport(NewReport {
                    id: *report_id,
                    category: category.clone(),
                    location: *location,
                    text: text.clone(),
                    photos: photos.clone(),
                    created_at_ms: *created_at_ms,
                    received_at_ms: self.now_ms,
                    status: ReportStatus::Received,
                    version: 1,
                    zone: zone.to_owned(),
                    service: service.clone(),
                }))
            }
            MutationOp::AddNote { report_id, text } => {
                if let Err(reason) = self.check_author(report_id) {
                    return Decision::Reject(reason);
                }
                if !is_valid_text(text) {
                    return Decision::Reject(reasons::invalid_text(MAX_TEXT_CHARS));
                }
                Decision::Apply(Effect::AddNote(NewNote {
                    id: Uuid::now_v7(),
                    report_id: *report_id,
                    text: text.clone(),
                }))
            }
            MutationOp::ChangeStatus { .. } => Decision::Reject(match self.device.role {
                Role::Citizen => reasons::citizens_cannot_change_status(),
                Role::Agent => reasons::status_changes_not_available(),
            }),
            MutationOp::SupportReport { .. }
            | MutationOp::ConfirmResolution { .. }
            | MutationOp::RateService { .. }
            | MutationOp::Unsupported => Decision::Reject(reasons::unsupported()),
        }
    }

    /// The report exists in the device's tenant and was filed by the device. A report of another
    /// tenant is "not found", so that nothing leaks across tenants.
    fn check_author(&self, report_id: &Uuid) -> Result<(), relais_protocol::Reason> {
        if self.created.contains(report_id) {
            return Ok(());
        }
        match self.facts.reports.get(report_id) {
            Some(ReportOwner { tenant, device }) if *tenant == self.device.tenant => {
                if *device == self.device.id {
                    Ok(())
                } else {
                    Err(reasons::not_your_report())
                }
            }
            _ => Err(reasons::report_not_found()),
        }
    }
}

fn is_valid_text(text: &str) -> bool {
    !text.trim().is_empty() && text.chars().count() <= MAX_TEXT_CHARS
}
