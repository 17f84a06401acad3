//! The push rules: a batch's shape, the device's sequence (gap, conflict, replay) and each new
//! mutation's validation and effect. [`decide`] is pure; [`push`] runs it inside the backend's
//! write transaction through [`Database::push`].
//!
//! The rules of each kind of mutation live beside: [`filing`] (`create_report`: answers, photos,
//! routing, probable duplicates), [`lifecycle`] (`add_note`, `support_report`,
//! `confirm_resolution`, `change_status`) and [`rating`] (`rate_service`).

mod filing;
mod lifecycle;
mod rating;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use relais_domain::{status, text};
use relais_protocol::mutation::{MAX_BATCH_MUTATIONS, MAX_TEXT_CHARS};
use relais_protocol::{Mutation, MutationOp, Outcome, PushResponse, PushResult};
use uuid::Uuid;

use super::{BatchRefusal, reasons};
use crate::clock::now_ms;
use crate::zones::TenantZones;
use relais_server_database::{
    Database, DbError, Decision, DeviceRecord, FactsQuery, NearbyPoint, NearbyQuery, NearbyReport,
    PlannedMutation, PushFacts, PushPlan, ReportFacts,
};

/// How far back an open report counts as a probable duplicate of a new one: 30 days.
pub const DUPLICATE_WINDOW_MS: i64 = 30 * DAY_MS;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

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
    let now_ms = now_ms();
    let query = facts_query(device, &mutations, now_ms);
    let device = device.clone();
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

fn facts_query(device: &DeviceRecord, mutations: &[Mutation], now_ms: i64) -> FactsQuery {
    let mut categories = HashSet::new();
    let mut report_ids = HashSet::new();
    let mut service_ids = HashSet::new();
    let mut points = Vec::new();
    for mutation in mutations {
        match &mutation.op {
            MutationOp::CreateReport {
                report_id,
                category,
                location,
                ..
            } => {
                categories.insert(category.clone());
                report_ids.insert(*report_id);
                if location.is_valid() {
                    points.push(NearbyPoint {
                        category: category.clone(),
                        lat: location.lat,
                        lon: location.lon,
                    });
                }
            }
            MutationOp::AddNote { report_id, .. }
            | MutationOp::ChangeStatus { report_id, .. }
            | MutationOp::SupportReport { report_id }
            | MutationOp::ConfirmResolution { report_id, .. } => {
                report_ids.insert(*report_id);
            }
            MutationOp::RateService { service_id, .. } => {
                service_ids.insert(service_id.clone());
            }
            MutationOp::FollowZone { .. }
            | MutationOp::UnfollowZone { .. }
            | MutationOp::StaffAction { .. }
            | MutationOp::Unsupported => {}
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
        service_ids: service_ids.into_iter().collect(),
        nearby: (!points.is_empty()).then(|| NearbyQuery {
            points,
            statuses: status::OPEN.to_vec(),
            since_ms: now_ms - DUPLICATE_WINDOW_MS,
        }),
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
        reports: facts.reports.clone(),
        filed: Vec::new(),
        supported: facts.supported.clone(),
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

/// Judges the new mutations of one batch in order, keeping the reports as the batch leaves them
/// so that a later mutation of the same batch sees what an earlier one did.
struct Judge<'a> {
    device: &'a DeviceRecord,
    zones: &'a TenantZones,
    facts: &'a PushFacts,
    now_ms: i64,
    /// The stored reports the batch names, updated by its earlier mutations, and the reports
    /// it files.
    reports: HashMap<Uuid, ReportFacts>,
    /// The reports this batch files, as possible duplicates of its later ones.
    filed: Vec<NearbyReport>,
    /// The reports the citizen supports, including by this batch.
    supported: HashSet<Uuid>,
}

impl Judge<'_> {
    fn decide(&mut self, op: &MutationOp) -> Decision {
        let decided = match op {
            MutationOp::CreateReport {
                report_id,
                category,
                location,
                text,
                created_at_ms,
                photos,
                answers,
            } => self.create_report(&filing::Filing {
                report_id: *report_id,
                category,
                location: *location,
                text,
                created_at_ms: *created_at_ms,
                photos,
                answers,
            }),
            MutationOp::AddNote { report_id, text } => self.add_note(*report_id, text),
            MutationOp::SupportReport { report_id } => self.support(*report_id),
            MutationOp::ConfirmResolution {
                report_id,
                fixed,
                satisfaction,
            } => self.confirm_resolution(*report_id, *fixed, *satisfaction),
            MutationOp::ChangeStatus {
                report_id,
                base_version,
                status,
                note,
            } => self.change_status(*report_id, *base_version, *status, note.as_deref()),
            MutationOp::RateService {
                service_id,
                satisfaction,
                importance,
                comment,
            } => self.rate_service(service_id, *satisfaction, *importance, comment.as_deref()),
            MutationOp::FollowZone { .. }
            | MutationOp::UnfollowZone { .. }
            | MutationOp::StaffAction { .. }
            | MutationOp::Unsupported => Err(reasons::unsupported()),
        };
        decided.map_or_else(Decision::Reject, Decision::Apply)
    }

    /// The report, as the batch left it, if it exists in the device's tenant. A report of
    /// another tenant is "not found", so that nothing leaks across tenants.
    fn report(&self, report_id: Uuid) -> Result<&ReportFacts, relais_protocol::Reason> {
        self.reports
            .get(&report_id)
            .filter(|report| report.tenant == self.device.tenant)
            .ok_or_else(reasons::report_not_found)
    }

    fn citizen(&self) -> &str {
        &self.facts.citizen
    }
}

/// Non-blank and at most [`MAX_TEXT_CHARS`] characters.
fn is_valid_text(text: &str) -> bool {
    text::check(text, MAX_TEXT_CHARS).is_ok()
}
