//! Fuzz targets of what a device decodes from the server (proptest, stable Rust): the
//! catalogue, the directory and pull pages, each a real answer of the oracle with values
//! replaced at random places (extreme numbers, hostile strings, wrong types, nulls). A server
//! that is buggy, compromised or impersonated must not crash the app: the device refuses the
//! answer as a protocol failure, or keeps what it can, and its view stays computable.
//! `PROPTEST_CASES` scales the cases (a quarter of proptest's 256 by default).

use crux_http::protocol::{HttpResponse, HttpResult};
use proptest::{prelude::*, test_runner::TestCaseError};
use serde_json::Value;

use crate::model::Intent;
use crate::model::testing::{Harness, SERVER, ServerOracle, fuzz, ok_json};

/// A replacement for one value of an answer.
fn hostile() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(Value::from(-1)),
        Just(Value::from(i64::MAX)),
        Just(Value::from(i64::MIN)),
        Just(Value::from(u64::MAX)),
        Just(Value::from(1e308)),
        Just(Value::from(-1e308)),
        Just(Value::from(0.5)),
        Just(Value::from("")),
        Just(Value::from("\u{1b}[2J\u{202E}")),
        Just(Value::from("a".repeat(100_000))),
        Just(Value::from(true)),
        Just(Value::Array(Vec::new())),
        Just(Value::Object(serde_json::Map::new())),
        any::<String>().prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
    ]
}

/// Every place in `value` a replacement can go: its leaves and its containers, as JSON pointers.
fn places(value: &Value, at: &str, out: &mut Vec<String>) {
    out.push(at.to_owned());
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                places(item, &format!("{at}/{i}"), out);
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                let key = key.replace('~', "~0").replace('/', "~1");
                places(field, &format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

/// `body` with each `(index, replacement)` applied at the place `index` picks.
fn mutated(body: &[u8], edits: &[(usize, Value)]) -> Vec<u8> {
    let Ok(mut value) = serde_json::from_slice::<Value>(body) else {
        return body.to_vec();
    };
    for (index, replacement) in edits {
        let mut all = Vec::new();
        places(&value, "", &mut all);
        let place = &all[index % all.len()];
        if place.is_empty() {
            value = replacement.clone();
        } else if let Some(slot) = value.pointer_mut(place) {
            *slot = replacement.clone();
        }
    }
    serde_json::to_vec(&value).unwrap()
}

/// More requests than any honest exchange of these tests needs: a device that goes past it
/// keeps asking a hostile server forever, which fails the case (and shrinks it) instead of
/// hanging the test.
const MOST_REQUESTS: usize = 200;

/// Answers every request of `h` with the oracle, the answers whose path ends with one of
/// `targets` mutated with `edits`.
fn serve_mutated(
    h: &mut Harness,
    server: &mut ServerOracle,
    targets: &[&str],
    edits: &[(usize, Value)],
) -> Result<(), TestCaseError> {
    let mut served = 0;
    while h.has_http() {
        served += 1;
        prop_assert!(
            served <= MOST_REQUESTS,
            "the device sent over {MOST_REQUESTS} requests to a hostile server"
        );
        let request = h.take_http();
        let mut answer = server.handle(&request.operation);
        let path = request.operation.url.split('?').next().unwrap_or_default();
        if targets.iter().any(|t| path.ends_with(t))
            && let HttpResult::Ok(response) = &answer
            && response.status == 200
        {
            let mut changed: HttpResponse = response.clone();
            changed.body = mutated(&response.body, edits);
            answer = HttpResult::Ok(changed);
        }
        h.respond(request, answer);
    }
    Ok(())
}

fn edits() -> impl Strategy<Value = Vec<(usize, Value)>> {
    prop::collection::vec((any::<usize>(), hostile()), 1..4)
}

#[test]
fn a_hostile_catalogue_or_directory_never_crashes_the_device() {
    fuzz("catalogue and directory decoding", edits(), |edits| {
        let mut server = ServerOracle::default();
        let mut h = Harness::new();
        h.send(Intent::Register {
            server_url: SERVER.into(),
            tenant: "demo".into(),
            platform: "test".into(),
            enrolment_code: None,
        });
        let request = h.take_http();
        let device = server.register(None);
        h.respond(request, ok_json(&device));
        serve_mutated(&mut h, &mut server, &["/catalogue", "/directory"], &edits)?;
        let _ = h.view();
        // And the device still works: a report, offline checks against what it kept.
        h.send(Intent::FileReport {
            category: "encombrants".into(),
            lat: 48.8566,
            lon: 2.3522,
            accuracy_m: Some(5.0),
            text: "Matelas".into(),
            answers: Vec::new(),
            photos: Vec::new(),
        });
        let _ = h.view();
        Ok(())
    });
}

/// A device following a zone where a neighbour reported pulls pages mutated with `edits`: it
/// survives them, and its next sync, with honest answers, completes.
fn hostile_pull(edits: &[(usize, Value)]) -> Result<(), TestCaseError> {
    let mut server = ServerOracle::default();
    let mut neighbour = Harness::registered(&mut server);
    neighbour.file("Matelas");
    neighbour.file("Canapé");
    neighbour.send(Intent::Reply {
        report_id: neighbour.saved(),
        text: "Toujours là".into(),
    });
    neighbour.sync(&mut server);
    let mut h = Harness::registered(&mut server);
    h.send(Intent::FollowZone {
        zone: "75104".into(),
    });
    h.file("Frigo");
    h.send(Intent::Sync);
    serve_mutated(&mut h, &mut server, &["/sync/pull"], edits)?;
    let view = h.view();
    for report in &view.reports {
        h.send(Intent::OpenReport {
            report_id: report.id.clone(),
        });
    }
    // The next sync, with honest answers, completes.
    h.sync(&mut server);
    let _ = h.view();
    Ok(())
}

#[test]
fn a_hostile_pull_page_never_crashes_the_device() {
    fuzz("pull page decoding", edits(), |edits| hostile_pull(&edits));
}

/// The input the fuzzing found looping (a CI run hung on it): the empty string in place of the
/// cursor of some pages, which sent the device back and forth between two cursors.
#[test]
fn a_pull_page_sending_the_device_back_to_the_start_ends_the_sync() {
    hostile_pull(&[(2_787_513_554_018_482_485, Value::from(""))]).unwrap();
}

#[test]
fn mutations_reach_every_place_of_an_answer() {
    let body = br#"{"a":[1,{"b":"x"}],"c":null}"#;
    let mut all = Vec::new();
    places(&serde_json::from_slice(body).unwrap(), "", &mut all);
    assert_eq!(all, ["", "/a", "/a/0", "/a/1", "/a/1/b", "/c"]);
    assert_eq!(
        mutated(body, &[(4, Value::from(7))]),
        br#"{"a":[1,{"b":7}],"c":null}"#
    );
}
