//! The oracle's push: the per-device sequence (dedup, gaps, conflicts) and what each mutation
//! does, with the protocol's rules for citizens and staff.

use crux_http::protocol::{HttpResponse, HttpResult};
use relais_domain::{follows, status};
use relais_protocol::{
    ApiError, Author, ErrorCode, FollowedZone, LocalizedText, MutationOp, Outcome, PublicReport,
    PushRequest, PushResponse, PushResult, Reason, ReportStatus, StaffNote, StaffRef, StatusChange,
    ThreadMessage, WorkflowAction,
};
use uuid::Uuid;

use super::{ServerOracle, now_ms, ok_json};

fn rejected(code: &str, en: &str) -> Outcome {
    Outcome::Rejected {
        reason: Reason::new(code, format!("(fr) {en}"), en),
    }
}

impl ServerOracle {
    pub(super) fn push(&mut self, token: &str, body: PushRequest) -> HttpResult {
        let mut results = Vec::new();
        self.broken_chains.clear();
        for m in body.mutations {
            let last = self.last_seq[token];
            if let Some((id, outcome)) = self.outcomes.get(&(token.to_owned(), m.seq)) {
                if *id != m.mutation_id {
                    let mut e = ApiError::new(ErrorCode::SequenceConflict, "conflict");
                    e.expected_seq = Some(last + 1);
                    return HttpResult::Ok(HttpResponse::status(409).json(e).build());
                }
                let outcome = if outcome.is_accepted() {
                    Outcome::AlreadyApplied
                } else {
                    outcome.clone()
                };
                results.push(PushResult {
                    seq: m.seq,
                    mutation_id: m.mutation_id,
                    outcome,
                });
                continue;
            }
            if m.seq != last + 1 {
                let mut e = ApiError::new(ErrorCode::SequenceGap, "gap");
                e.expected_seq = Some(last + 1);
                return HttpResult::Ok(HttpResponse::status(409).json(e).build());
            }
            let outcome = self.apply(token, &m.op, m.mutation_id);
            if !outcome.is_accepted() {
                self.broken_chains.extend(status::chained_report(&m.op));
            }
            self.outcomes
                .insert((token.to_owned(), m.seq), (m.mutation_id, outcome.clone()));
            self.last_seq.insert(token.to_owned(), m.seq);
            results.push(PushResult {
                seq: m.seq,
                mutation_id: m.mutation_id,
                outcome,
            });
        }
        let last_seq = self.last_seq[token];
        ok_json(&PushResponse { results, last_seq })
    }

    fn apply(&mut self, token: &str, op: &MutationOp, mutation_id: Uuid) -> Outcome {
        let device = self.devices[token].clone();
        let citizen = device.citizen.clone();
        let staff_only = matches!(op, MutationOp::StaffAction { .. });
        if device.staff.is_some() != staff_only {
            return rejected("not_permitted", "Not for this device");
        }
        if status::chained_report(op).is_some_and(|id| self.broken_chains.contains(&id)) {
            return rejected(
                "conflict",
                "An earlier change of this push to it was refused",
            );
        }
        let exists = |id: &Uuid| self.reports.iter().any(|r| r.id == *id);
        if let Some(id) = crate::model::outbox::report_of(op)
            && !matches!(op, MutationOp::CreateReport { .. })
            && !exists(&id)
        {
            return rejected("not_found", "No such report");
        }
        let outcome = match op {
            MutationOp::CreateReport { .. } => self.create(&citizen, op, mutation_id),
            MutationOp::SupportReport { report_id } => {
                if self.owners.get(report_id) == Some(&citizen) {
                    return rejected("own_report", "Your own report");
                }
                if self
                    .supporters
                    .get(report_id)
                    .is_some_and(|s| s.contains(&citizen))
                {
                    return Outcome::Applied;
                }
                if !status::is_open(self.report(*report_id).status) {
                    return rejected("report_closed", "This report is closed");
                }
                self.report_mut(*report_id).supporters += 1;
                self.supporters
                    .entry(*report_id)
                    .or_default()
                    .insert(citizen);
                self.touch_report(*report_id);
                Outcome::Applied
            }
            MutationOp::AddNote { report_id, text } => {
                if self.owners.get(report_id) != Some(&citizen) {
                    return rejected("not_permitted", "Not your report");
                }
                self.write(*report_id, Author::Citizen, text);
                Outcome::Applied
            }
            MutationOp::ConfirmResolution {
                report_id, fixed, ..
            } => {
                if self.owners.get(report_id) != Some(&citizen) {
                    return rejected("not_permitted", "Not your report");
                }
                if !fixed {
                    self.move_to(*report_id, ReportStatus::Reopened, None);
                }
                Outcome::Applied
            }
            MutationOp::RateService { .. } => Outcome::Applied,
            MutationOp::FollowZone { zone } => {
                if Self::catalogue().zone(zone).is_none() {
                    return rejected("unknown_zone", "No such zone");
                }
                self.follow(&citizen, zone);
                Outcome::Applied
            }
            MutationOp::UnfollowZone { zone } => {
                self.follows
                    .entry(citizen.clone())
                    .or_default()
                    .retain(|f| &f.zone != zone);
                self.touch_follows(&citizen);
                Outcome::Applied
            }
            MutationOp::StaffAction {
                report_id,
                base_version,
                action,
                reply,
                note,
            } => self.staff_action(&device, *report_id, *base_version, action, reply, note),
            MutationOp::ChangeStatus { .. } | MutationOp::Unsupported => {
                rejected("unsupported", "Unsupported")
            }
        };
        if outcome.is_accepted() {
            self.kinds.push(op.kind());
        }
        outcome
    }

    fn create(&mut self, citizen: &str, op: &MutationOp, mutation_id: Uuid) -> Outcome {
        let MutationOp::CreateReport {
            report_id,
            category,
            location,
            text,
            created_at_ms,
            photos,
            answers,
        } = op
        else {
            unreachable!("create is called for create_report only");
        };
        if self.reports.iter().any(|r| r.id == *report_id) {
            return rejected("duplicate_id", "This report id is taken");
        }
        if self.refuse_text.as_deref() == Some(text.as_str()) {
            return Outcome::Rejected {
                reason: Reason::new("outside_zones", "Hors de la ville", "Outside the town"),
            };
        }
        self.applied.push(mutation_id);
        self.filings.insert(mutation_id, *report_id);
        let zone = Self::zone_of(location.lon);
        self.reports.push(PublicReport {
            service_code: Some("proprete".into()),
            due_at_ms: Some(now_ms() + 7 * 86_400_000),
            scheduled_for_ms: None,
            completion_photos: Vec::new(),
            id: *report_id,
            category: category.clone(),
            location: *location,
            text: text.clone(),
            created_at_ms: *created_at_ms,
            status: ReportStatus::Received,
            version: 1,
            zone: zone.into(),
            service: LocalizedText::new("Propreté", "Cleaning"),
            history: vec![StatusChange {
                detail: None,
                status: ReportStatus::Received,
                at_ms: 0,
                note: None,
            }],
            photos: photos.clone(),
            supporters: 0,
            duplicate_of: None,
        });
        self.owners.insert(*report_id, citizen.to_owned());
        self.answers.insert(*report_id, answers.clone());
        self.touch_report(*report_id);
        self.follow_reported(citizen, zone);
        Outcome::Applied
    }

    /// An explicit follow; one of a zone followed because the citizen reported there makes it
    /// explicit.
    fn follow(&mut self, citizen: &str, zone: &str) {
        let follows = self.follows.entry(citizen.to_owned()).or_default();
        match follows.iter_mut().find(|f| f.zone == zone) {
            Some(followed) => followed.origin = "explicit".into(),
            None => follows.push(FollowedZone {
                zone: zone.into(),
                origin: "explicit".into(),
            }),
        }
        self.touch_follows(citizen);
    }

    /// The reporter follows the zone it filed in as the zone it reported in most recently
    /// (last in the list), unless it follows it explicitly, and stops following the zones it
    /// reported in least recently beyond [`follows::REPORTED_FOLLOWS`].
    fn follow_reported(&mut self, citizen: &str, zone: &str) {
        let follows = self.follows.entry(citizen.to_owned()).or_default();
        match follows.iter().position(|f| f.zone == zone) {
            Some(at) if follows[at].origin == "explicit" => {}
            Some(at) => {
                let followed = follows.remove(at);
                follows.push(followed);
            }
            None => {
                follows.push(FollowedZone {
                    zone: zone.into(),
                    origin: "reported".into(),
                });
                let reported = follows.iter().filter(|f| f.origin == "reported").count();
                let mut beyond = reported.saturating_sub(follows::REPORTED_FOLLOWS);
                follows.retain(|f| {
                    let dropped = beyond > 0 && f.origin == "reported";
                    beyond -= usize::from(dropped);
                    !dropped
                });
                self.touch_follows(citizen);
            }
        }
    }

    /// A message of the report's thread.
    fn write(&mut self, id: Uuid, author: Author, text: &str) {
        self.threads.entry(id).or_default().push(ThreadMessage {
            id: Uuid::now_v7(),
            author,
            text: text.into(),
            at_ms: now_ms(),
        });
        self.touch_thread(id);
        self.touch_report(id);
    }

    /// A new version of the report in `status`.
    fn move_to(&mut self, id: Uuid, status: ReportStatus, detail: Option<LocalizedText>) {
        let report = self.report_mut(id);
        report.status = status;
        report.version += 1;
        report.history.push(StatusChange {
            detail,
            status,
            at_ms: now_ms(),
            note: None,
        });
        self.touch_report(id);
    }

    fn staff_action(
        &mut self,
        device: &super::Device,
        id: Uuid,
        base_version: i64,
        action: &WorkflowAction,
        reply: &Option<String>,
        note: &Option<String>,
    ) -> Outcome {
        let Some(staff) = &device.staff else {
            return rejected("not_permitted", "Citizens cannot");
        };
        let report = self.report(id).clone();
        if !report
            .service_code
            .as_ref()
            .is_some_and(|s| staff.services.contains(s))
        {
            return rejected("not_permitted", "Not your service");
        }
        if status::changes_state(action) && base_version != report.version {
            return rejected(
                "conflict",
                &format!("The report changed (now version {})", report.version),
            );
        }
        let Ok(next) = status::after(report.status, action) else {
            return rejected("invalid_transition", "Not from this status");
        };
        if status::changes_state(action) {
            self.move_to(id, next.unwrap_or(report.status), None);
        }
        match action {
            WorkflowAction::Schedule { for_ms } => self.report_mut(id).scheduled_for_ms = *for_ms,
            WorkflowAction::Transfer { service } => {
                let old = report.service_code.clone().unwrap_or_default();
                self.report_mut(id).service_code = Some(service.clone());
                self.touch_report(id);
                self.task_removed(id, &old);
            }
            WorkflowAction::MarkDuplicate { of } => self.report_mut(id).duplicate_of = Some(*of),
            WorkflowAction::Assign { to } => {
                match to {
                    Some(email) => self.assigned.insert(
                        id,
                        StaffRef {
                            email: email.clone(),
                            name: email.clone(),
                        },
                    ),
                    None => self.assigned.remove(&id),
                };
                self.touch_report(id);
            }
            _ => {}
        }
        let reply = reply
            .clone()
            // As a town with a template of every kind (the demo's) drafts one.
            .or_else(|| status::reply_kind(action).map(|_| "The town's draft".to_owned()));
        if let Some(reply) = reply {
            self.write(id, Author::City, &reply);
        }
        if let Some(note) = note {
            self.notes.entry(id).or_default().push(StaffNote {
                id: Uuid::now_v7(),
                author: staff.name.clone(),
                text: note.clone(),
                at_ms: now_ms(),
            });
            self.touch_report(id);
        }
        Outcome::Applied
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHOSEN: &str = "explicit";
    const FILED: &str = "reported";

    /// The citizen follows `expected` (zone, origin), in the order the oracle keeps them.
    fn assert_follows(oracle: &ServerOracle, expected: &[(&str, &str)]) {
        let followed: Vec<(&str, &str)> = oracle.follows["citizen"]
            .iter()
            .map(|f| (f.zone.as_str(), f.origin.as_str()))
            .collect();
        assert_eq!(followed, expected);
    }

    /// The server's rule (`relais_domain::follows`, checked on both backends by the server's
    /// tests): the zones chosen, and the last three reported in, the least recent first.
    #[test]
    fn a_citizen_follows_the_last_zones_it_reported_in_and_those_it_chose() {
        let mut oracle = ServerOracle::default();
        oracle.follow("citizen", "chosen");
        for zone in ["a", "b", "chosen", "c", "d"] {
            oracle.follow_reported("citizen", zone);
        }
        assert_follows(
            &oracle,
            &[("chosen", CHOSEN), ("b", FILED), ("c", FILED), ("d", FILED)],
        );
        // Filing again in a followed zone makes it the most recent.
        oracle.follow_reported("citizen", "b");
        oracle.follow_reported("citizen", "e");
        assert_follows(
            &oracle,
            &[("chosen", CHOSEN), ("d", FILED), ("b", FILED), ("e", FILED)],
        );
        // Choosing a zone followed for a filing makes it explicit: it no longer counts.
        oracle.follow("citizen", "d");
        oracle.follow_reported("citizen", "f");
        assert_follows(
            &oracle,
            &[
                ("chosen", CHOSEN),
                ("d", CHOSEN),
                ("b", FILED),
                ("e", FILED),
                ("f", FILED),
            ],
        );
    }
}
