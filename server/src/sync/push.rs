//! The push rules: a batch's shape, the device's sequence (gap, conflict, replay) and each new
//! mutation's judgement. [`decide`] is pure, over the facts read in the write transaction and
//! the town held in memory; [`push`] runs it inside the backend's write transaction through
//! [`Database::transact`], after doing outside it what needs no transaction (placing new reports
//! in their zones).
//!
//! The rules of each kind of mutation live beside: `filing` (`create_report`: answers, photos,
//! routing, probable duplicates), `lifecycle` (`add_note`, `support_report`,
//! `confirm_resolution`), `rating` (`rate_service`), `follows` (`follow_zone`,
//! `unfollow_zone`, and what a filing does to the zones its reporter follows) and `staff`
//! (`staff_action`, `change_status`, decided by [`crate::staff::workflow`]). `direct` applies
//! one citizen's mutation that comes through another front door than a device's push
//! (Open311), with the same judgement.

mod candidates;
mod direct;
mod filing;
mod follows;
mod lifecycle;
mod rating;
mod staff;

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::sync::Arc;

use relais_domain::{geo, status};
use relais_protocol::mutation::MAX_BATCH_MUTATIONS;
use relais_protocol::{
    Mutation, MutationOp, Outcome, PushResponse, PushResult, Reason, WorkflowAction,
};
use relais_server_database::writes::{Ledger, LedgerEntry, Write};
use relais_server_database::{
    Database, DbError, DeviceRecord, Facts, FactsQuery, NearbyQuery, Plan,
};
use uuid::Uuid;

use super::BatchRefusal;
use crate::clock::now_ms;
use crate::reasons;
use crate::town::{Town, Towns};
use candidates::Candidates;

pub use direct::{apply, apply_at};

/// How far back an open report counts as a probable duplicate of a new one: 30 days.
pub const DUPLICATE_WINDOW_MS: i64 = 30 * DAY_MS;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// Through which front door a citizen's mutation came: written into the report and its history
/// (`channel`), so that the town knows where its requests come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A device's push.
    Device,
    /// A third-party application, through the Open311 front door.
    Open311,
}

impl Source {
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Device => "device",
            Self::Open311 => "open311",
        }
    }
}

/// Why a push was not carried out.
#[derive(Debug, thiserror::Error)]
pub enum PushError {
    /// The batch is not acceptable as a whole (too long, sequence numbers not consecutive).
    #[error("malformed batch: {0}")]
    Malformed(String),
    #[error("batch refused: {0:?}")]
    Refused(BatchRefusal),
    #[error("unknown tenant")]
    UnknownTenant,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Why [`decide`] did not plan the batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Undecided {
    Refused(BatchRefusal),
    /// The stored catalogue is newer than the town held in memory: reload it and decide again.
    StaleTown,
}

/// Decides and stores one batch of `device`, answering only after the durable commit.
pub async fn push<DB: Database>(
    db: &DB,
    towns: &Towns,
    device: &DeviceRecord,
    mutations: Vec<Mutation>,
) -> Result<PushResponse, PushError> {
    check_shape(&mutations)?;
    let mut town = towns
        .get(db, &device.tenant)
        .await?
        .ok_or(PushError::UnknownTenant)?;
    let mutations = Arc::new(mutations);
    // A write that finds the catalogue changed by someone else reloads it and decides again,
    // once; a second change in between is decided with what is held.
    for attempt in 0..2 {
        let now_ms = now_ms();
        let placed = Arc::new(place(&town, &mutations));
        let query = facts_query(device, &town, &mutations, &placed, now_ms);
        let (who, batch, held) = (device.clone(), Arc::clone(&mutations), Arc::clone(&town));
        let check_version = attempt == 0;
        let decided = db
            .transact(query, move |facts| {
                decide(&who, &held, &batch, &placed, facts, now_ms, check_version)
            })
            .await?;
        match decided {
            Ok(response) => return Ok(response),
            Err(Undecided::Refused(refusal)) => return Err(PushError::Refused(refusal)),
            Err(Undecided::StaleTown) => {
                town = towns
                    .reload(db, &device.tenant)
                    .await?
                    .ok_or(PushError::UnknownTenant)?;
            }
        }
    }
    unreachable!("the second attempt decides whatever the catalogue's version")
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

/// The zones holding each new report's point, finest first (empty for other mutations and for
/// invalid points): computed before the write transaction, which need not wait for geometry.
fn place(town: &Town, mutations: &[Mutation]) -> Vec<Vec<String>> {
    mutations
        .iter()
        .map(|mutation| match &mutation.op {
            MutationOp::CreateReport { location, .. }
                if relais_domain::ranges::is_point(location) =>
            {
                town.locate(location.lon, location.lat)
            }
            _ => Vec::new(),
        })
        .collect()
}

fn facts_query(
    device: &DeviceRecord,
    town: &Town,
    mutations: &[Mutation],
    placed: &[Vec<String>],
    now_ms: i64,
) -> FactsQuery {
    let mut report_ids = HashSet::new();
    let mut service_ids = HashSet::new();
    let mut staff_emails = HashSet::new();
    // The cells around the batch's new reports, per category: filings on one street share
    // their cells, read once.
    let mut nearby: BTreeMap<&str, BTreeSet<i64>> = BTreeMap::new();
    // Filing a report follows its zone: the citizen's follows are decided from those it has.
    let mut follows = false;
    for (mutation, zones) in mutations.iter().zip(placed) {
        match &mutation.op {
            MutationOp::CreateReport {
                report_id,
                category,
                location,
                ..
            } => {
                report_ids.insert(*report_id);
                follows = true;
                if let Some(radius) = filing::duplicate_radius(town, category)
                    && !zones.is_empty()
                {
                    nearby
                        .entry(category)
                        .or_default()
                        .extend(geo::cells_within(
                            location.lat,
                            location.lon,
                            f64::from(radius),
                        ));
                }
            }
            MutationOp::AddNote { report_id, .. }
            | MutationOp::ChangeStatus { report_id, .. }
            | MutationOp::SupportReport { report_id }
            | MutationOp::ConfirmResolution { report_id, .. } => {
                report_ids.insert(*report_id);
            }
            MutationOp::StaffAction {
                report_id, action, ..
            } => {
                report_ids.insert(*report_id);
                match action {
                    WorkflowAction::MarkDuplicate { of } => {
                        report_ids.insert(*of);
                    }
                    WorkflowAction::Assign { to: Some(email) } => {
                        staff_emails.insert(email.trim().to_lowercase());
                    }
                    _ => {}
                }
            }
            MutationOp::RateService { service_id, .. } => {
                service_ids.insert(service_id.clone());
            }
            MutationOp::FollowZone { .. } | MutationOp::UnfollowZone { .. } => follows = true,
            MutationOp::Unsupported => {}
        }
    }
    // An empty batch asks nothing but the device's last sequence number.
    let seqs = mutations
        .first()
        .zip(mutations.last())
        .map(|(first, last)| first.seq..=last.seq);
    FactsQuery {
        tenant: device.tenant.clone(),
        device: Some(device.clone()),
        seqs,
        report_ids: report_ids.into_iter().collect(),
        service_ids: service_ids.into_iter().collect(),
        staff_emails: staff_emails.into_iter().collect(),
        nearby: nearby
            .into_iter()
            .map(|(category, cells)| NearbyQuery {
                category: category.to_owned(),
                cells: cells.into_iter().collect(),
                since_ms: now_ms - DUPLICATE_WINDOW_MS,
            })
            .collect(),
        follows,
    }
}

/// Decides a batch from the facts read in its transaction. Replays recorded outcomes, refuses a
/// gap or a conflict as a whole, and judges each new mutation in order.
pub fn decide(
    device: &DeviceRecord,
    town: &Town,
    mutations: &[Mutation],
    placed: &[Vec<String>],
    mut facts: Facts,
    now_ms: i64,
    check_version: bool,
) -> Result<(Plan, PushResponse), Undecided> {
    if check_version && facts.catalogue_version != town.version() {
        return Err(Undecided::StaleTown);
    }
    let next = facts.last_seq + 1;
    if mutations.first().is_some_and(|m| m.seq > next) {
        return Err(Undecided::Refused(BatchRefusal::Gap { expected_seq: next }));
    }
    let last_seq = mutations.last().map_or(0, |m| m.seq).max(facts.last_seq);
    let recorded = std::mem::take(&mut facts.recorded);
    let mut judge = Judge::new(device, town, Source::Device, now_ms, facts);
    let mut results = Vec::with_capacity(mutations.len());
    let mut entries = Vec::new();
    for (mutation, zones) in mutations.iter().zip(placed) {
        let outcome = if mutation.seq < next {
            // Recorded earlier: the gapless ledger holds every seq up to `last_seq`; a missing
            // one can only mean another history, which is a conflict too.
            match recorded.get(&mutation.seq) {
                Some(recorded) if recorded.mutation_id == mutation.mutation_id => {
                    replayed(&recorded.outcome)
                }
                _ => {
                    return Err(Undecided::Refused(BatchRefusal::Conflict {
                        expected_seq: next,
                    }));
                }
            }
        } else {
            let rejection = match judge.judge(&mutation.op, zones) {
                Ok(writes) => {
                    judge.writes.extend(writes);
                    None
                }
                Err(reason) => {
                    judge
                        .broken_chains
                        .extend(status::chained_report(&mutation.op));
                    Some(reason)
                }
            };
            let outcome = rejection
                .clone()
                .map_or(Outcome::Applied, |reason| Outcome::Rejected { reason });
            entries.push(LedgerEntry {
                seq: mutation.seq,
                mutation_id: mutation.mutation_id,
                kind: mutation.op.kind(),
                rejection,
            });
            outcome
        };
        results.push(PushResult {
            seq: mutation.seq,
            mutation_id: mutation.mutation_id,
            outcome,
        });
    }
    let plan = Plan {
        tenant: device.tenant.clone(),
        now_ms,
        ledger: Some(Ledger {
            device: device.id,
            entries,
        }),
        writes: judge.writes,
    };
    Ok((plan, PushResponse { results, last_seq }))
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
    town: &'a Town,
    source: Source,
    now_ms: i64,
    /// The facts read; `facts.reports` is updated by the batch's mutations, and holds the
    /// reports it files.
    facts: Facts,
    /// The open originals read around the batch's points, and those it files, as possible
    /// duplicates of its later reports.
    candidates: Candidates,
    /// What the batch's applied mutations write, in order.
    writes: Vec<Write>,
    /// Reports on which a state change of this batch was refused: the device's later changes
    /// to them were based on it (see [`status::chained_report`]).
    broken_chains: HashSet<Uuid>,
}

impl<'a> Judge<'a> {
    fn new(
        device: &'a DeviceRecord,
        town: &'a Town,
        source: Source,
        now_ms: i64,
        mut facts: Facts,
    ) -> Self {
        Self {
            device,
            town,
            source,
            now_ms,
            candidates: Candidates::new(std::mem::take(&mut facts.nearby)),
            facts,
            writes: Vec::new(),
            broken_chains: HashSet::new(),
        }
    }

    /// The writes of one mutation, or why it is refused.
    fn judge(&mut self, op: &MutationOp, zones: &[String]) -> Result<Vec<Write>, Reason> {
        if let Some(refusal) = self.refusal_for_role(op) {
            return Err(refusal);
        }
        match op {
            MutationOp::CreateReport {
                report_id,
                category,
                location,
                text,
                created_at_ms,
                photos,
                answers,
            } => self
                .create_report(
                    &filing::Filing {
                        report_id: *report_id,
                        category,
                        location: *location,
                        text,
                        created_at_ms: *created_at_ms,
                        photos,
                        answers,
                    },
                    zones,
                )
                .map(|write| vec![write]),
            MutationOp::AddNote { report_id, text } => {
                self.add_note(*report_id, text).map(|write| vec![write])
            }
            MutationOp::SupportReport { report_id } => self
                .support(*report_id)
                .map(|write| write.into_iter().collect()),
            MutationOp::ConfirmResolution {
                report_id,
                fixed,
                satisfaction,
            } => self
                .confirm_resolution(*report_id, *fixed, *satisfaction)
                .map(|write| vec![write]),
            MutationOp::RateService {
                service_id,
                satisfaction,
                importance,
                comment,
            } => self
                .rate_service(service_id, *satisfaction, *importance, comment.as_deref())
                .map(|write| vec![write]),
            MutationOp::FollowZone { zone } => self.follow(zone, true).map(|write| vec![write]),
            MutationOp::UnfollowZone { zone } => self.follow(zone, false).map(|write| vec![write]),
            MutationOp::StaffAction {
                report_id,
                base_version,
                action,
                reply,
                note,
            } => self
                .staff_action(staff::request(
                    *report_id,
                    *base_version,
                    action.clone(),
                    reply.clone(),
                    note.clone(),
                ))
                .map(|write| vec![write]),
            MutationOp::ChangeStatus {
                report_id,
                base_version,
                status,
                note,
            } => self
                .staff_action(staff::legacy_request(
                    *report_id,
                    *base_version,
                    *status,
                    note,
                )?)
                .map(|write| vec![write]),
            MutationOp::Unsupported => Err(reasons::unsupported()),
        }
    }

    /// Staff devices act for the town, not as citizens; citizens' devices cannot act as staff.
    fn refusal_for_role(&self, op: &MutationOp) -> Option<Reason> {
        let staff_op = matches!(
            op,
            MutationOp::StaffAction { .. } | MutationOp::ChangeStatus { .. }
        );
        match (self.device.staff.is_some(), staff_op) {
            (true, false) if !matches!(op, MutationOp::Unsupported) => {
                Some(reasons::staff::staff_device())
            }
            (false, true) => Some(reasons::staff::not_permitted()),
            _ => None,
        }
    }

    fn citizen(&self) -> &str {
        &self.device.citizen
    }
}
