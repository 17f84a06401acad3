//! The core's test double of the server ([`ServerOracle`], which the core's unit tests answer
//! with) checked against the real server, so the two cannot drift: the same seeded pushes of
//! one device (in order, replayed, doubled, with gaps, with another history under a used
//! number, new reports and reports reusing an id) get the same answers from both: the status,
//! the error and the place it expects, each mutation's outcome and the last number recorded.
//! Then an agent of the reports' service acts on them from a device of its own: every workflow
//! action, on the version it holds or on one already gone, allowed from the report's status or
//! not, with notes and replies; both must take and refuse the same ones for the same reasons.
//! Last, the citizen and the agent pull from the start from both, in small pages: the same
//! reports, each with the same status and the same "mine"; the same tasks, each with its status,
//! notes and who wrote in its thread; the same threads; and as many followed zones for the same
//! reasons (the oracle's town is smaller than the demo's, so their codes differ).

use std::collections::BTreeMap;

use crux_http::protocol::{HttpRequest, HttpResult};
use rand::{Rng, SeedableRng, rngs::StdRng};
use relais_protocol::{
    ApiError, Change, Cursor, GeoPoint, Mutation, MutationOp, Outcome, PullResponse, PushRequest,
    PushResponse, Registered, ThreadMessage, WorkflowAction,
};
use uuid::Uuid;

use super::checks;
use super::server::{SimServer, TENANT};
use crate::model::testing::{SERVER, ServerOracle};

/// An answer as the comparison sees it: the status, then the error's code and expected number,
/// or each outcome's kind (a refusal by its code) and the last number recorded.
fn digest(answer: &HttpResult) -> String {
    let HttpResult::Ok(response) = answer else {
        return format!("{answer:?}");
    };
    if response.status == 200 {
        let body: PushResponse = serde_json::from_slice(&response.body).unwrap();
        let outcomes: Vec<String> = body
            .results
            .iter()
            .map(|r| {
                let kind = match &r.outcome {
                    Outcome::Applied => "applied".to_owned(),
                    Outcome::AlreadyApplied => "already_applied".to_owned(),
                    Outcome::Rejected { reason } => format!("rejected {}", reason.code),
                };
                format!("{}:{kind}", r.seq)
            })
            .collect();
        format!("200 {outcomes:?} last {}", body.last_seq)
    } else {
        let error: ApiError = serde_json::from_slice(&response.body).unwrap();
        format!(
            "{} {:?} expected {:?}",
            response.status, error.error, error.expected_seq
        )
    }
}

fn push(token: &str, mutations: &[Mutation]) -> HttpRequest {
    HttpRequest::post(format!("{SERVER}/v1/{TENANT}/sync/push"))
        .header("authorization", format!("Bearer {token}"))
        .body_json(PushRequest {
            mutations: mutations.to_vec(),
        })
        .build()
}

/// What a device holds once it has pulled from the start, page after page, as the comparison
/// sees it: each report with its status and whether it is the device's own, each task with its
/// status, notes, thread and assignee, each thread, and the zones it follows. Changes are folded
/// as the device applies them (a later change of a report replaces the earlier one, a removal
/// drops it), since the two logs may page the same history differently.
fn pulled(
    mut handle: impl FnMut(&HttpRequest) -> HttpResult,
    token: &str,
) -> BTreeMap<String, String> {
    let mut cursor = Cursor::start();
    let mut held = BTreeMap::new();
    for _ in 0..10_000 {
        let request = HttpRequest::get(format!(
            "{SERVER}/v1/{TENANT}/sync/pull?cursor={}&limit=7",
            cursor.0
        ))
        .header("authorization", format!("Bearer {token}"))
        .build();
        let HttpResult::Ok(response) = handle(&request) else {
            unreachable!("both answer in process")
        };
        assert_eq!(response.status, 200, "a pull from the start");
        let page: PullResponse = serde_json::from_slice(&response.body).unwrap();
        for change in page.changes {
            let (key, digest) = match change {
                Change::Report { report, mine } => (
                    format!("report {}", report.id),
                    Some(format!("{:?} mine {mine}", report.status)),
                ),
                Change::ReportRemoved { id } => (format!("report {id}"), None),
                // The oracle's town is not the demo's (two arrondissements, no quartiers): the
                // zones' codes differ, how many are followed and why must not.
                Change::Follows { zones } => {
                    let origins: Vec<String> =
                        zones.iter().map(|z| format!("{:?}", z.origin)).collect();
                    ("follows".to_owned(), Some(format!("{origins:?}")))
                }
                Change::Task { task } => (
                    format!("task {}", task.report.id),
                    Some(format!(
                        "{:?} notes {} thread {:?} assigned {:?}",
                        task.report.status,
                        task.notes.len(),
                        authors(&task.thread),
                        task.assigned_to.map(|to| to.email),
                    )),
                ),
                Change::TaskRemoved { id } => (format!("task {id}"), None),
                Change::Thread {
                    report_id,
                    messages,
                } => (
                    format!("thread {report_id}"),
                    Some(format!("{:?}", authors(&messages))),
                ),
                other => (format!("{other:?}"), Some(String::new())),
            };
            match digest {
                Some(digest) => held.insert(key, digest),
                None => held.remove(&key),
            };
        }
        if !page.has_more {
            return held;
        }
        cursor = page.cursor;
    }
    panic!("ten thousand pages and still more")
}

/// Who wrote, in order: the city's texts are the town's templates on one side and a stand-in on
/// the other.
fn authors(messages: &[ThreadMessage]) -> Vec<String> {
    messages.iter().map(|m| format!("{:?}", m.author)).collect()
}

/// A device registered on both: by the citizen's app, or by an agent's with a code the town
/// gave (the oracle takes any code as its agent of `proprete`).
fn register(
    server: &SimServer,
    oracle: &mut ServerOracle,
    enrolment_code: Option<&str>,
) -> (String, String) {
    let request = HttpRequest::post(format!("{SERVER}/v1/{TENANT}/devices"))
        .body_json(serde_json::json!({
            "platform": "oracle",
            "app_version": "test",
            "enrolment_code": enrolment_code,
        }))
        .build();
    let token = |answer: HttpResult| {
        let HttpResult::Ok(registered) = answer else {
            unreachable!("both answer in process")
        };
        assert_eq!(registered.status, 201, "a registration");
        serde_json::from_slice::<Registered>(&registered.body)
            .unwrap()
            .token
    };
    (
        token(server.handle(&request)),
        token(oracle.handle(&request)),
    )
}

/// One of the agent's actions on `report_id`, made from the version the phone holds: any of
/// them, allowed from the report's status or not, sometimes with a note or a reply.
fn acting(rng: &mut StdRng, report_id: Uuid) -> impl Fn(i64) -> MutationOp {
    let action = match rng.random_range(0..9) {
        0 => WorkflowAction::Acknowledge,
        1 => WorkflowAction::Schedule {
            for_ms: Some(crate::model::millis(std::time::SystemTime::now()) + 86_400_000),
        },
        2 => WorkflowAction::Start,
        3 => WorkflowAction::Resolve { photos: Vec::new() },
        4 => WorkflowAction::Reject {
            reason: "non_constate".into(),
        },
        5 => WorkflowAction::Transfer {
            service: "voirie".into(),
        },
        6 => WorkflowAction::Reply,
        7 => WorkflowAction::Note,
        _ => WorkflowAction::Assign {
            to: Some("agent@demo.test".into()),
        },
    };
    let reply = (matches!(action, WorkflowAction::Reply) || rng.random_range(0..4) == 0)
        .then(|| "Merci, nous passons demain.".to_owned());
    let note = (matches!(action, WorkflowAction::Note) || rng.random_range(0..4) == 0)
        .then(|| "Benne commandée".to_owned());
    move |base_version| MutationOp::StaffAction {
        report_id,
        base_version,
        action: action.clone(),
        reply: reply.clone(),
        note: note.clone(),
    }
}

/// A new report at the Hôtel de Ville, or one reusing the id of an earlier report.
fn filing(rng: &mut StdRng, filed: &mut Vec<Uuid>) -> MutationOp {
    let report_id = if !filed.is_empty() && rng.random_range(0..5) == 0 {
        filed[rng.random_range(0..filed.len())]
    } else {
        let id = Uuid::now_v7();
        filed.push(id);
        id
    };
    MutationOp::CreateReport {
        report_id,
        category: "autres_encombrants_abandonnes".into(),
        location: GeoPoint {
            lat: 48.8566,
            lon: 2.3522,
            accuracy_m: Some(5.0),
        },
        text: "Matelas".into(),
        created_at_ms: crate::model::millis(std::time::SystemTime::now()),
        photos: Vec::new(),
        answers: std::collections::BTreeMap::new(),
    }
}

/// How seed `seed` found the two apart: what differs, what led to it, and how to replay it.
fn drift(seed: u64, what: &str, log: &[String]) -> String {
    format!(
        "seed {seed}: {what}\n{}\n{}",
        log.join("\n"),
        super::replay_test(seed, "simulation::oracle")
    )
}

/// Runs `seed`'s pushes against both; the first answer that differs, with what led to it.
fn compare(seed: u64) -> Result<(), String> {
    let mut rng = StdRng::seed_from_u64(seed);
    let server = SimServer::start();
    let mut oracle = ServerOracle::default();
    let (real_token, oracle_token) = register(&server, &mut oracle, None);
    // Every mutation this device made, by number: what a replay resends.
    let mut history: Vec<Mutation> = Vec::new();
    let mut filed = Vec::new();
    let mut log = Vec::new();
    for _ in 0..25 {
        let next = history.len() as u64 + 1;
        let batch: Vec<Mutation> = match rng.random_range(0..10) {
            // Replays of what was sent before, from some place on.
            0..=1 if !history.is_empty() => {
                let from = rng.random_range(0..history.len());
                let to = rng.random_range(from..history.len()) + 1;
                history[from..to].to_vec()
            }
            // Another history under a number already used.
            2 if !history.is_empty() => {
                let seq = rng.random_range(1..=history.len() as u64);
                vec![Mutation {
                    seq,
                    mutation_id: Uuid::now_v7(),
                    op: filing(&mut rng, &mut filed),
                }]
            }
            // A gap: numbers past the next one.
            3 => vec![Mutation {
                seq: next + rng.random_range(1..3),
                mutation_id: Uuid::now_v7(),
                op: filing(&mut rng, &mut filed),
            }],
            // New mutations, maybe after the replay of the last ones.
            _ => {
                let replayed = rng.random_range(0..=history.len().min(2));
                let mut batch = history[history.len() - replayed..].to_vec();
                for n in 0..rng.random_range(1..4) {
                    batch.push(Mutation {
                        seq: next + n,
                        mutation_id: Uuid::now_v7(),
                        op: filing(&mut rng, &mut filed),
                    });
                }
                batch
            }
        };
        let real = digest(&server.handle(&push(&real_token, &batch)));
        let double = digest(&oracle.handle(&push(&oracle_token, &batch)));
        let numbers: Vec<u64> = batch.iter().map(|m| m.seq).collect();
        log.push(format!("push {numbers:?}: server {real}"));
        if real != double {
            return Err(drift(seed, &format!("the oracle answers {double}"), &log));
        }
        for mutation in batch {
            if mutation.seq == history.len() as u64 + 1 && real.starts_with("200") {
                history.push(mutation);
            }
        }
    }
    // An agent of the reports' service acts on them from a device of its own.
    let code = server.enrol_agent("agent@demo.test", "proprete");
    let (real_agent, oracle_agent) = register(&server, &mut oracle, Some(&code));
    let mut agent_seq = 0;
    for _ in 0..20 {
        let reports = checks::server_reports(&server);
        if reports.is_empty() {
            break;
        }
        let mut real_batch = Vec::new();
        let mut oracle_batch = Vec::new();
        for _ in 0..rng.random_range(1..3) {
            let report = &reports[rng.random_range(0..reports.len())];
            // The version the agent's phone holds: the last, or one already gone.
            let behind = i64::from(rng.random_range(0..4) == 0);
            let op = acting(&mut rng, report.id);
            agent_seq += 1;
            let mutation_id = Uuid::now_v7();
            real_batch.push(Mutation {
                seq: agent_seq,
                mutation_id,
                op: op(report.version - behind),
            });
            oracle_batch.push(Mutation {
                seq: agent_seq,
                mutation_id,
                op: op(oracle.report(report.id).version - behind),
            });
        }
        let real = digest(&server.handle(&push(&real_agent, &real_batch)));
        let double = digest(&oracle.handle(&push(&oracle_agent, &oracle_batch)));
        let ops: Vec<String> = real_batch.iter().map(|m| format!("{:?}", m.op)).collect();
        log.push(format!("agent {ops:?}: server {real}"));
        if real != double {
            return Err(drift(
                seed,
                &format!("the oracle answers the agent {double}"),
                &log,
            ));
        }
    }
    for (who, real_token, oracle_token) in [
        ("citizen", &real_token, &oracle_token),
        ("agent", &real_agent, &oracle_agent),
    ] {
        let real = pulled(|r| server.handle(r), real_token);
        let double = pulled(|r| oracle.handle(r), oracle_token);
        if real != double {
            return Err(drift(
                seed,
                &format!("the {who}'s pulls differ\nserver: {real:#?}\noracle: {double:#?}"),
                &log,
            ));
        }
    }
    Ok(())
}

#[test]
fn the_oracle_answers_pushes_and_pulls_as_the_real_server_does() {
    for seed in super::seeds() {
        if let Err(drift) = compare(seed) {
            panic!("{drift}");
        }
    }
}
