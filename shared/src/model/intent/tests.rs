//! Every intent with malformed values in every field, alone and in sequences, on a device that is
//! not registered, a citizen's and a staff member's: the core must answer with a state the shell
//! can show, never panic (a panic would cross the FFI boundary and kill the app).
//!
//! A property test on stable Rust (proptest), with [`fuzz_config`]'s number of cases.

use proptest::prelude::*;

use relais_protocol::account::ContactChannel;

use super::{AnswerInput, AnswerValue, DraftIntent, Intent, PlacedBy, StaffActionInput};
use crate::model::{
    lists::{Position, ReportQuery, WorkQuery},
    testing::{CATEGORY, Harness, SERVER, ServerOracle, agent, fuzz_config},
};

/// Strings a shell could pass: empty, huge, arbitrary Unicode, escape sequences, URLs without a
/// scheme, path tricks, and the few values that mean something to the core.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("127.0.0.1:8080".to_owned()),
        Just(SERVER.to_owned()),
        Just("demo".to_owned()),
        Just(CATEGORY.to_owned()),
        Just("\u{1b}[2J\u{1b}]0;title\u{7}\u{202E}\r\n".to_owned()),
        Just("../../etc/passwd".to_owned()),
        Just("00000000-0000-0000-0000-000000000000".to_owned()),
        Just("a".repeat(5000)),
        any::<String>(),
        "[ -~]{0,40}",
    ]
}

/// Numbers a shell could pass: anything, NaN and infinities included, and plausible ones.
fn number() -> impl Strategy<Value = f64> {
    prop_oneof![
        any::<f64>(),
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(1e308),
        -200.0..200.0,
        Just(48.8566),
        Just(2.3522),
    ]
}

fn instant() -> impl Strategy<Value = i64> {
    prop_oneof![
        any::<i64>(),
        Just(-1),
        Just(i64::MAX),
        Just(i64::MIN),
        Just(1_800_000_000_000)
    ]
}

/// Picture files: missing, a directory, empty, not a picture, a cut JPEG, a real photo. Never
/// an arbitrary path, which could name a device file that never ends.
fn picture() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("/nonexistent/photo.jpg".to_owned()),
        Just("/tmp".to_owned()),
        Just(fixture("empty.jpg", &[])),
        Just(fixture(
            "garbage.jpg",
            b"\xFF\xD8\xFF<?php system($_GET['c']); ?>"
        )),
        Just(fixture("cut.jpg", &genoa()[..4000])),
        Just(photos_dir("gps_nikon_d3100_genoa_small.jpg")),
    ]
}

fn photos_dir(name: &str) -> String {
    format!(
        "{}/../../shared/data/photos/{name}",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn genoa() -> Vec<u8> {
    std::fs::read(photos_dir("gps_nikon_d3100_genoa_small.jpg")).unwrap()
}

/// A file of the test's own, written once.
fn fixture(name: &str, bytes: &[u8]) -> String {
    let dir = std::env::temp_dir().join(format!("relais-intent-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    if !path.exists() {
        std::fs::write(&path, bytes).unwrap();
    }
    path.to_string_lossy().into_owned()
}

fn answer() -> impl Strategy<Value = AnswerInput> {
    let value = prop_oneof![
        text().prop_map(|text| AnswerValue::Text { text }),
        number().prop_map(|number| AnswerValue::Number { number }),
        text().prop_map(|code| AnswerValue::Choice { code }),
        prop::collection::vec(text(), 0..3).prop_map(|codes| AnswerValue::Choices { codes }),
    ];
    (text(), value).prop_map(|(question, value)| AnswerInput { question, value })
}

fn staff_action() -> impl Strategy<Value = StaffActionInput> {
    prop_oneof![
        Just(StaffActionInput::Acknowledge),
        instant().prop_map(|for_ms| StaffActionInput::Schedule { for_ms }),
        Just(StaffActionInput::Start),
        Just(StaffActionInput::Resolve),
        text().prop_map(|reason| StaffActionInput::Reject { reason }),
        text().prop_map(|service| StaffActionInput::Transfer { service }),
        text().prop_map(|of| StaffActionInput::MarkDuplicate { of }),
        prop::option::of(text()).prop_map(|to| StaffActionInput::Assign { to }),
        Just(StaffActionInput::Reply),
        Just(StaffActionInput::Note),
    ]
}

fn draft() -> impl Strategy<Value = DraftIntent> {
    prop_oneof![
        Just(DraftIntent::Start),
        Just(DraftIntent::Discard),
        text().prop_map(|code| DraftIntent::SetCategory { code }),
        (
            number(),
            number(),
            prop::option::of(number()),
            prop_oneof![Just(PlacedBy::Gps), Just(PlacedBy::Pin)]
        )
            .prop_map(|(lat, lon, accuracy_m, source)| DraftIntent::SetLocation {
                lat,
                lon,
                accuracy_m,
                source
            }),
        Just(DraftIntent::UsePhotoLocation),
        picture().prop_map(|path| DraftIntent::AddPhoto { path }),
        text().prop_map(|sha256| DraftIntent::RemovePhoto { sha256 }),
        Just(DraftIntent::PhotosDone),
        text().prop_map(|text| DraftIntent::SetText { text }),
        (text(), prop::option::of(answer().prop_map(|a| a.value)))
            .prop_map(|(question, value)| DraftIntent::Answer { question, value }),
        Just(DraftIntent::Review),
        Just(DraftIntent::Submit),
    ]
}

fn report_query() -> impl Strategy<Value = ReportQuery> {
    (
        any::<bool>(),
        any::<bool>(),
        prop::option::of(text()),
        prop::option::of(text()),
        any::<u32>(),
    )
        .prop_map(
            |(mine_only, open_only, category, zone, limit)| ReportQuery {
                mine_only,
                open_only,
                category,
                zone,
                limit,
            },
        )
}

fn work_query() -> impl Strategy<Value = WorkQuery> {
    (
        prop::option::of((number(), number())),
        any::<bool>(),
        any::<bool>(),
        any::<u32>(),
    )
        .prop_map(|(near, overdue_only, assigned_to_me, limit)| WorkQuery {
            near: near.map(|(lat, lon)| Position { lat, lon }),
            overdue_only,
            assigned_to_me,
            limit,
        })
}

/// Every intent, every field drawn from the malformed values above. Grouped because one
/// `prop_oneof!` takes at most ten choices.
fn intent() -> impl Strategy<Value = Intent> {
    let setup = prop_oneof![
        text().prop_map(|language| Intent::Start {
            language,
            auto_sync: None,
        }),
        text().prop_map(|language| Intent::SetLanguage { language }),
        (text(), text(), text(), prop::option::of(text())).prop_map(
            |(server_url, tenant, platform, enrolment_code)| Intent::Register {
                server_url,
                tenant,
                platform,
                enrolment_code,
            }
        ),
        (
            text(),
            prop::option::of(text()),
            prop_oneof![
                Just(ContactChannel::InApp),
                Just(ContactChannel::Email),
                Just(ContactChannel::Sms)
            ],
            text()
        )
            .prop_map(|(email, phone, contact, language)| Intent::SetAccount {
                email,
                phone,
                contact,
                language,
            }),
        text().prop_map(|code| Intent::LinkAccount { code }),
        Just(Intent::ExportAccount),
        Just(Intent::DeleteAccount),
        Just(Intent::Sync),
        Just(Intent::NetworkBack),
    ];
    let citizen = prop_oneof![
        (
            text(),
            number(),
            number(),
            prop::option::of(number()),
            text(),
            prop::collection::vec(answer(), 0..3),
            prop::collection::vec(picture(), 0..3),
        )
            .prop_map(|(category, lat, lon, accuracy_m, text, answers, photos)| {
                Intent::FileReport {
                    category,
                    lat,
                    lon,
                    accuracy_m,
                    text,
                    answers,
                    photos,
                }
            }),
        text().prop_map(|sha256| Intent::FetchPhoto {
            sha256,
            path: fixture("fetched.jpg", &[]),
        }),
        (text(), number(), number()).prop_map(|(category, lat, lon)| Intent::FindNearby {
            category,
            lat,
            lon
        }),
        text().prop_map(|report_id| Intent::Support { report_id }),
        (text(), text()).prop_map(|(report_id, text)| Intent::Reply { report_id, text }),
        (text(), any::<bool>(), prop::option::of(any::<u8>())).prop_map(
            |(report_id, fixed, satisfaction)| Intent::ConfirmResolution {
                report_id,
                fixed,
                satisfaction,
            }
        ),
        (text(), any::<u8>(), any::<u8>(), prop::option::of(text())).prop_map(
            |(service_id, satisfaction, importance, comment)| Intent::RateService {
                service_id,
                satisfaction,
                importance,
                comment,
            }
        ),
        text().prop_map(|zone| Intent::FollowZone { zone }),
        text().prop_map(|zone| Intent::UnfollowZone { zone }),
    ];
    let work = prop_oneof![
        (
            text(),
            staff_action(),
            prop::option::of(text()),
            prop::option::of(text()),
            prop::collection::vec(picture(), 0..2),
        )
            .prop_map(|(report_id, action, reply, note, photos)| {
                Intent::StaffAction {
                    report_id,
                    action,
                    reply,
                    note,
                    photos,
                }
            }),
        text().prop_map(|mutation_id| Intent::Reapply { mutation_id }),
        report_query().prop_map(|query| Intent::ListReports { query }),
        work_query().prop_map(|query| Intent::ListWork { query }),
        draft().prop_map(|change| Intent::Draft { change }),
        text().prop_map(|report_id| Intent::OpenReport { report_id }),
    ];
    prop_oneof![setup, citizen, work]
}

/// Which device the intents are sent to.
#[derive(Debug, Clone, Copy)]
enum Device {
    Unregistered,
    Citizen,
    Staff,
}

fn run(device: Device, intents: Vec<Intent>) {
    let mut server = ServerOracle::default();
    let mut h = match device {
        Device::Unregistered => Harness::new(),
        Device::Citizen => Harness::registered(&mut server),
        Device::Staff => Harness::staff(&mut server, agent("agent@paris.example")),
    };
    // A report of the device's own, so that ids may name something.
    if matches!(device, Device::Citizen) {
        h.file("Matelas");
    }
    for intent in intents {
        h.send(intent);
        h.serve_all(&mut server);
        // The view is what the shell reads after every render: it must be computable.
        let _ = h.view();
    }
}

proptest! {
    #![proptest_config(fuzz_config())]

    #[test]
    fn no_intent_sequence_panics(
        device in prop_oneof![
            Just(Device::Unregistered),
            Just(Device::Citizen),
            Just(Device::Staff)
        ],
        intents in prop::collection::vec(intent(), 1..6),
    ) {
        run(device, intents);
    }
}

/// Regressions: values that panicked inside the core before they were checked.
#[test]
fn a_server_address_without_a_scheme_is_refused_in_words() {
    let mut h = Harness::new();
    h.send(Intent::Register {
        server_url: "127.0.0.1:8080".into(),
        tenant: "demo".into(),
        platform: "test".into(),
        enrolment_code: None,
    });
    assert!(!h.has_http(), "{:?}", h.waiting());
    let problem = h
        .view()
        .registration_problem
        .expect("a registration problem");
    assert!(
        problem.message.contains("127.0.0.1:8080"),
        "{}",
        problem.message
    );
    assert!(!problem.unreachable);
}

#[test]
fn a_town_code_that_would_change_the_path_is_refused() {
    let mut h = Harness::new();
    for tenant in ["../admin", "a b", "Demo", ""] {
        h.send(Intent::Register {
            server_url: SERVER.into(),
            tenant: tenant.into(),
            platform: "test".into(),
            enrolment_code: None,
        });
        assert!(!h.has_http(), "{tenant:?}: {:?}", h.waiting());
    }
}

#[test]
fn a_token_that_cannot_travel_in_a_header_is_a_protocol_failure() {
    let mut h = Harness::new();
    h.send(Intent::Register {
        server_url: format!("  {SERVER}/ "),
        tenant: "demo".into(),
        platform: "test".into(),
        enrolment_code: None,
    });
    let request = h.take_http();
    assert_eq!(request.operation.url, format!("{SERVER}/v1/demo/devices"));
    let mut server = ServerOracle::default();
    let mut registered = server.register(None);
    registered.token = "abc\r\nx-evil: 1".into();
    h.respond(request, crate::model::testing::ok_json(&registered));
    assert!(h.model.registration().is_none());
    assert!(h.view().registration_problem.is_some());
}
