//! The JSON examples of docs/protocol.md are the protocol's: every fenced block that holds JSON
//! (whatever its language tag) names the wire type it shows (a line `<!-- example: Type -->`
//! before it), parses into that type, and says nothing the type would not write back (a
//! misspelled or stale field fails). So the page cannot drift from the code. (docs/openapi.json
//! is generated from these types: `server/tests/openapi.rs`.)

use relais_protocol::account::{Account, AccountDetails, Export};
use relais_protocol::staff::Session;
use relais_protocol::upload::{BundleAnswer, UploadStatus};
use relais_protocol::{
    Catalogue, Directory, NearbyReports, PullResponse, PushRequest, PushResponse, RegisterDevice,
    Registered,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

/// The examples of a Markdown page: (line, type named, JSON text) of every fenced block whose
/// text starts like JSON (`{` or `[`). A JSON block without its type is an error.
fn examples(page: &str) -> Vec<(usize, String, String)> {
    let mut found = Vec::new();
    let mut lines = page.lines().enumerate().peekable();
    let mut named: Option<String> = None;
    while let Some((number, line)) = lines.next() {
        if let Some(rest) = line.trim().strip_prefix("<!-- example:") {
            named = Some(rest.trim_end_matches("-->").trim().to_owned());
            continue;
        }
        if line.trim_start().starts_with("```") {
            let mut text = String::new();
            for (_, inner) in lines.by_ref() {
                if inner.trim() == "```" {
                    break;
                }
                text.push_str(inner);
                text.push('\n');
            }
            let name = named.take();
            if text.trim_start().starts_with(['{', '[']) {
                let name = name.unwrap_or_else(|| {
                    panic!("line {}: a JSON example without its type", number + 1)
                });
                found.push((number + 1, name, text));
            }
        } else if !line.trim().is_empty() {
            named = None;
        }
    }
    found
}

/// Whether everything `doc` says is in `back` (what the type wrote back): the same keys with the
/// same values; `back` may have more (fields left to their defaults).
fn said_back(doc: &Value, back: &Value) -> Result<(), String> {
    match (doc, back) {
        (Value::Object(doc), Value::Object(back)) => {
            for (key, value) in doc {
                let Some(written) = back.get(key) else {
                    return Err(format!("the type has no field {key:?}"));
                };
                said_back(value, written).map_err(|e| format!("{key}: {e}"))?;
            }
            Ok(())
        }
        (Value::Array(doc), Value::Array(back)) if doc.len() == back.len() => doc
            .iter()
            .zip(back)
            .enumerate()
            .try_for_each(|(i, (d, b))| said_back(d, b).map_err(|e| format!("[{i}]: {e}"))),
        (Value::Number(d), Value::Number(b)) if d.as_f64() == b.as_f64() => Ok(()),
        (d, b) if d == b => Ok(()),
        (d, b) => Err(format!("{d} came back as {b}")),
    }
}

fn check<T: DeserializeOwned + Serialize>(json: &str) -> Result<(), String> {
    let doc: Value = serde_json::from_str(json).map_err(|e| format!("not JSON: {e}"))?;
    let parsed: T = serde_json::from_value(doc.clone()).map_err(|e| e.to_string())?;
    let back = serde_json::to_value(&parsed).unwrap();
    said_back(&doc, &back)
}

fn check_named(name: &str, json: &str) -> Result<(), String> {
    match name {
        "RegisterDevice" => check::<RegisterDevice>(json),
        "Registered" => check::<Registered>(json),
        "Catalogue" => check::<Catalogue>(json),
        "Directory" => check::<Directory>(json),
        "PushRequest" => check::<PushRequest>(json),
        "PushResponse" => check::<PushResponse>(json),
        "PullResponse" => check::<PullResponse>(json),
        "NearbyReports" => check::<NearbyReports>(json),
        "UploadStatus" => check::<UploadStatus>(json),
        "BundleAnswer" => check::<BundleAnswer>(json),
        "AccountDetails" => check::<AccountDetails>(json),
        "Account" => check::<Account>(json),
        "Export" => check::<Export>(json),
        "Session" => check::<Session>(json),
        other => Err(format!("no wire type {other} known to this test")),
    }
}

#[test]
fn every_json_example_of_the_protocol_page_is_the_protocol_s() {
    let page = include_str!("../../docs/protocol.md");
    let examples = examples(page);
    assert!(
        examples.len() >= 14,
        "found only {} examples",
        examples.len()
    );
    let broken: Vec<String> = examples
        .iter()
        .filter_map(|(line, name, json)| {
            check_named(name, json)
                .err()
                .map(|e| format!("docs/protocol.md:{line} ({name}): {e}"))
        })
        .collect();
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn a_field_the_type_does_not_have_is_caught() {
    let wrong = r#"{ "platform": "android", "app_version": "0.1.0", "langage": "fr" }"#;
    assert!(check_named("RegisterDevice", wrong).is_err());
    let right = r#"{ "platform": "android", "app_version": "0.1.0", "language": "fr" }"#;
    assert_eq!(check_named("RegisterDevice", right), Ok(()));
}

#[test]
#[should_panic(expected = "a JSON example without its type")]
fn a_json_block_without_its_type_is_refused_whatever_its_fence() {
    examples("Text.\n\n```\n{ \"platform\": \"android\" }\n```\n");
}
