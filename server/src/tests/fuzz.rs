//! Fuzz targets of the protocol decoding and the push rules on stable Rust (proptest), on a real
//! SQLite file: arbitrary bytes and arbitrary JSON into the push endpoint's types, and batches
//! of mutations with hostile values in every field through the real rules. Nothing may panic or
//! fail as an internal error; a refused mutation stores nothing; what is stored is clean text,
//! in range. `PROPTEST_CASES` scales the cases (a quarter of proptest's 256 by default).
//!
//! SQLite only: the rules refuse hostile values before storage whatever the backend, and the
//! storage of clean values is what the shared suite runs on both backends.

use std::collections::BTreeMap;
use std::time::Instant;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use relais_protocol::{
    Answer, GeoPoint, Mutation, MutationOp, Outcome, PushRequest, ReportStatus, WorkflowAction,
};
use uuid::Uuid;

use super::{CATEGORY, Fixture, PARIS};
use crate::sync::push::PushError;

/// How many cases a target runs: a quarter of `PROPTEST_CASES` (64 of proptest's default 256),
/// so CI stays fast and a long run is one variable away.
fn config() -> Config {
    Config {
        cases: Config::default().cases / 4,
        ..Config::default()
    }
}

/// Strings: hostile ones, and the codes that mean something to the demo town (one
/// `prop_oneof!` takes at most ten choices; `any` makes empty ones too).
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Matelas".to_owned()),
        Just("\u{1b}[2J\u{1b}[31mPAYÉ".to_owned()),
        Just("\u{202E}txt.exe".to_owned()),
        Just("\u{200B}\u{FEFF}".to_owned()),
        Just("e\u{301}".repeat(3)),
        Just("a".repeat(4001)),
        Just(CATEGORY.to_owned()),
        Just("nombre_lampadaires".to_owned()),
        Just("eclairage_public_eteint_nuit".to_owned()),
        any::<String>(),
    ]
}

fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(1e308),
        Just(-1.0),
        Just(2.5),
        Just(PARIS.0),
        Just(PARIS.1),
        -200.0..200.0
    ]
}

fn instant() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        Just(-1),
        Just(i64::MAX),
        Just(i64::MIN),
        Just(1_700_000_000_000)
    ]
}

fn point() -> impl Strategy<Value = GeoPoint> {
    prop_oneof![
        (number(), number(), prop::option::of(number())).prop_map(|(lat, lon, accuracy_m)| {
            GeoPoint {
                lat,
                lon,
                accuracy_m,
            }
        }),
        prop::option::of(number()).prop_map(|accuracy_m| GeoPoint {
            lat: PARIS.0,
            lon: PARIS.1,
            accuracy_m,
        }),
    ]
}

fn answer() -> impl Strategy<Value = Answer> {
    prop_oneof![
        text().prop_map(Answer::Text),
        number().prop_map(Answer::Number),
        text().prop_map(Answer::Choice),
        prop::collection::vec(text(), 0..3).prop_map(Answer::Choices),
    ]
}

/// Report ids: new ones, or the few the case already used (so that later mutations name them).
fn report_id() -> impl Strategy<Value = Uuid> {
    prop_oneof![Just(Uuid::nil()), any::<u128>().prop_map(Uuid::from_u128)]
}

fn action() -> impl Strategy<Value = WorkflowAction> {
    prop_oneof![
        Just(WorkflowAction::Acknowledge),
        prop::option::of(instant()).prop_map(|for_ms| WorkflowAction::Schedule { for_ms }),
        Just(WorkflowAction::Start),
        prop::collection::vec(text(), 0..2).prop_map(|photos| WorkflowAction::Resolve { photos }),
        text().prop_map(|reason| WorkflowAction::Reject { reason }),
        text().prop_map(|service| WorkflowAction::Transfer { service }),
        report_id().prop_map(|of| WorkflowAction::MarkDuplicate { of }),
        prop::option::of(text()).prop_map(|to| WorkflowAction::Assign { to }),
        Just(WorkflowAction::Reply),
        Just(WorkflowAction::Note),
    ]
}

fn op() -> impl Strategy<Value = MutationOp> {
    prop_oneof![
        4 => (
            report_id(),
            text(),
            point(),
            text(),
            instant(),
            prop::collection::vec(text(), 0..2),
            prop::collection::btree_map(text(), answer(), 0..3),
        )
            .prop_map(
                |(report_id, category, location, text, created_at_ms, photos, answers)| {
                    MutationOp::CreateReport {
                        report_id,
                        category,
                        location,
                        text,
                        created_at_ms,
                        photos,
                        answers,
                    }
                }
            ),
        1 => report_id().prop_map(|report_id| MutationOp::SupportReport { report_id }),
        1 => (report_id(), any::<bool>(), prop::option::of(any::<u8>())).prop_map(
            |(report_id, fixed, satisfaction)| MutationOp::ConfirmResolution {
                report_id,
                fixed,
                satisfaction
            }
        ),
        1 => (text(), any::<u8>(), any::<u8>(), prop::option::of(text())).prop_map(
            |(service_id, satisfaction, importance, comment)| MutationOp::RateService {
                service_id,
                satisfaction,
                importance,
                comment
            }
        ),
        1 => (report_id(), text()).prop_map(|(report_id, text)| MutationOp::AddNote {
            report_id,
            text
        }),
        1 => (report_id(), any::<i64>(), prop::option::of(text())).prop_map(
            |(report_id, base_version, note)| MutationOp::ChangeStatus {
                report_id,
                base_version,
                status: ReportStatus::Acknowledged,
                note
            }
        ),
        1 => text().prop_map(|zone| MutationOp::FollowZone { zone }),
        1 => text().prop_map(|zone| MutationOp::UnfollowZone { zone }),
        1 => (
            report_id(),
            any::<i64>(),
            action(),
            prop::option::of(text()),
            prop::option::of(text())
        )
            .prop_map(|(report_id, base_version, action, reply, note)| {
                MutationOp::StaffAction {
                    report_id,
                    base_version,
                    action,
                    reply,
                    note,
                }
            }),
    ]
}

/// Runs the fuzz target `name`: [`config`]'s cases of `strategy` through `check`, then prints
/// how many ran in how long (with `--nocapture`), and panics with the smallest failing input.
pub(crate) fn run<S: Strategy>(
    name: &str,
    strategy: S,
    check: impl Fn(S::Value) -> Result<(), TestCaseError>,
) {
    let mut runner = TestRunner::new(config());
    let started = Instant::now();
    let result = runner.run(&strategy, check);
    eprintln!(
        "fuzz target {name}: {} cases in {:.2?}",
        runner.config().cases,
        started.elapsed()
    );
    if let Err(error) = result {
        panic!("{name}: {error}");
    }
}

#[test]
fn arbitrary_bytes_and_json_never_panic_the_push_decoder() {
    run(
        "push decoding (bytes)",
        prop::collection::vec(any::<u8>(), 0..512),
        |bytes| {
            let _ = serde_json::from_slice::<PushRequest>(&bytes);
            Ok(())
        },
    );
    // JSON shaped like a push, with values of every type where the fields are.
    let value = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        any::<u64>().prop_map(serde_json::Value::from),
        any::<f64>().prop_map(serde_json::Value::from),
        any::<String>().prop_map(serde_json::Value::from),
    ];
    let field = prop_oneof![
        Just("seq"),
        Just("mutation_id"),
        Just("op"),
        Just("type"),
        Just("report_id"),
        Just("location"),
        Just("lat"),
        Just("answers"),
        Just("created_at_ms"),
    ];
    let object = prop::collection::btree_map(field, value, 0..6).prop_map(|fields| {
        serde_json::Value::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    });
    run(
        "push decoding (json)",
        prop::collection::vec(object, 0..4),
        |mutations| {
            let body = serde_json::json!({ "mutations": mutations });
            let _ = serde_json::from_value::<PushRequest>(body);
            Ok(())
        },
    );
}

#[test]
fn hostile_batches_are_answered_and_store_only_clean_in_range_reports() {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let fixture = runtime.block_on(Fixture::demo());
    let cases = prop::collection::vec(op(), 1..6);
    // Generating and shrinking batches of these nested strategies takes more stack than a
    // test thread has.
    std::thread::scope(|scope| {
        std::thread::Builder::new()
            .stack_size(64 << 20)
            .spawn_scoped(scope, || {
                run("push rules", cases, |ops| {
                    runtime.block_on(check_batch(&fixture, ops))
                });
            })
            .unwrap()
            .join()
            .unwrap();
    });
    // Whatever was stored over every case: clean texts, instants and accuracies in range.
    let bad = fixture.count(
        "SELECT COUNT(*) FROM reports WHERE created_at_ms < 1577836800000
            OR created_at_ms >= 4102444800000 OR accuracy_m > 10000 OR accuracy_m < 0
            OR text GLOB '*[' || char(1,2,3,4,5,6,7,8,11,12,13,14,15,16,17,18,19,20,21,22,23,
                24,25,26,27,28,29,30,31,127,8238,8294,8295,8296,8297) || ']*'",
    );
    assert_eq!(
        bad, 0,
        "reports stored out of range or with control characters"
    );
}

/// Pushes `ops` from a new device: every mutation gets an answer, and the reports table grows
/// by the creations applied, no more.
async fn check_batch(fixture: &Fixture, ops: Vec<MutationOp>) -> Result<(), TestCaseError> {
    let (device, _) = fixture.device("demo").await;
    let before = fixture.count("SELECT COUNT(*) FROM reports");
    let mutations: Vec<Mutation> = ops
        .into_iter()
        .zip(1..)
        .map(|(op, seq)| super::mutation(seq, op))
        .collect();
    let pushed = match fixture.push(&device, mutations.clone()).await {
        Ok(pushed) => pushed,
        Err(PushError::Db(error)) => {
            return Err(TestCaseError::fail(format!("internal error: {error}")));
        }
        Err(refused) => return Err(TestCaseError::fail(format!("refused batch: {refused}"))),
    };
    prop_assert_eq!(pushed.results.len(), mutations.len());
    let applied_creates = pushed
        .results
        .iter()
        .zip(&mutations)
        .filter(|(result, m)| {
            result.outcome == Outcome::Applied && matches!(m.op, MutationOp::CreateReport { .. })
        })
        .count();
    let after = fixture.count("SELECT COUNT(*) FROM reports");
    prop_assert_eq!(after - before, i64::try_from(applied_creates).unwrap());
    Ok(())
}

/// Regressions found by these targets, and the probe's own values.
#[tokio::test]
async fn the_probe_s_values_are_refused_and_change_nothing() {
    let fixture = Fixture::demo().await;
    let (device, _) = fixture.device("demo").await;
    let create = |created_at_ms, accuracy_m: Option<f64>, text: &str| MutationOp::CreateReport {
        report_id: Uuid::now_v7(),
        category: CATEGORY.into(),
        location: GeoPoint {
            lat: PARIS.0,
            lon: PARIS.1,
            accuracy_m,
        },
        text: text.into(),
        created_at_ms,
        photos: Vec::new(),
        answers: BTreeMap::new(),
    };
    let ops = [
        (create(-1, None, "Matelas"), "invalid_time"),
        (create(i64::MAX, None, "Matelas"), "invalid_time"),
        (
            create(1_700_000_000_000, Some(1e308), "Matelas"),
            "invalid_location",
        ),
        (create(1_700_000_000_000, None, "\u{1b}[2J"), "invalid_text"),
        (create(1_700_000_000_000, None, "\u{200B}"), "invalid_text"),
    ];
    let mutations: Vec<Mutation> = ops
        .iter()
        .zip(1..)
        .map(|((op, _), seq)| super::mutation(seq, op.clone()))
        .collect();
    let before = fixture.count("SELECT COUNT(*) FROM reports");
    let pushed = fixture.push(&device, mutations).await.unwrap();
    for (result, (_, code)) in pushed.results.iter().zip(&ops) {
        assert_eq!(super::reason_code(&result.outcome), *code);
    }
    assert_eq!(fixture.count("SELECT COUNT(*) FROM reports"), before);

    // A decomposed text is stored composed (NFC).
    let pushed = fixture
        .push(
            &device,
            vec![super::mutation(
                6,
                create(1_700_000_000_000, None, "Caf\u{65}\u{301}"),
            )],
        )
        .await
        .unwrap();
    assert_eq!(pushed.results[0].outcome, Outcome::Applied);
    assert_eq!(
        fixture.count("SELECT COUNT(*) FROM reports WHERE text = 'Café'"),
        1
    );
}

/// An alert's texts are texts like any other (refused with an escape, kept in NFC), its dates
/// instants of this century.
#[tokio::test]
async fn alerts_are_clean_and_dated_in_range() {
    use crate::staff::act::{AlertRequest, publish_alert};
    use relais_protocol::LocalizedText;
    let fixture = Fixture::demo().await;
    let alert = |title: &str, starts_at_ms: i64| AlertRequest {
        zones: vec!["75104".into()],
        title: LocalizedText::new(title, "Works"),
        text: LocalizedText::new("Rue fermée", "Street closed"),
        starts_at_ms,
        ends_at_ms: 1_800_100_000_000,
    };
    let publish = |request| publish_alert(&fixture.db, &fixture.towns, None, "demo", request);
    let refused = publish(alert("\u{1b}[5mTravaux", 1_800_000_000_000))
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.code, "invalid_text");
    let refused = publish(alert("Travaux", -1)).await.unwrap().unwrap_err();
    assert_eq!(refused.code, "invalid_time");
    assert_eq!(fixture.count("SELECT COUNT(*) FROM alerts"), 0);
    publish(alert("Travaux cha\u{302}teau", 1_800_000_000_000))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        fixture.count("SELECT COUNT(*) FROM alerts WHERE title_fr = 'Travaux château'"),
        1
    );
}
