//! End-to-end: the town at work and the citizen's scope, through real `relais-server --demo` and
//! `relais` processes. These need the server side of docs/protocol.md's scopes, staff actions,
//! follows and nearby endpoint, and staff enrolment by e-mail: they are ignored until the lead
//! merges it.

mod common;

use std::path::PathBuf;

use common::{Phone, Server, free_port, registered};
use serde_json::Value;

const CATEGORY: &str = "autres_encombrants_abandonnes";

fn task_ids(agent: &Phone, args: &[&str]) -> Vec<String> {
    let mut all = vec!["agent", "list", "--json"];
    all.extend_from_slice(args);
    let work: Value = agent.json(&all);
    work.as_array()
        .unwrap()
        .iter()
        .map(|t| t["report"]["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A small picture, as a phone camera would give (the pipeline makes a JPEG of it).
fn photo(dir: &std::path::Path) -> PathBuf {
    let path = dir.join("on-site.png");
    image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, 90]))
        .save(&path)
        .unwrap();
    path
}

#[test]
fn an_agent_works_offline_and_the_citizen_reads_the_towns_replies() {
    let port = free_port();
    let mut server = Server::start(port);
    let citizen = registered(&server);
    let id = citizen.file(CATEGORY, 48.8566, 2.3522, "Matelas rue de Rivoli");
    citizen.ok(&["sync"]);
    let agent = server.agent_phone("proprete", "agent.proprete@paris.example");
    assert!(
        task_ids(&agent, &[]).contains(&id),
        "the work list holds the task"
    );
    let staff = agent.run(&[
        "report",
        "--category",
        CATEGORY,
        "--lat",
        "48.85",
        "--lon",
        "2.35",
        "--text",
        "x",
    ]);
    assert!(!staff.status.success(), "staff devices do not file reports");

    // Offline: three changes in a row, each based on the one before.
    server.kill();
    agent.ok(&["status", &id, "--to", "acknowledged"]);
    agent.ok(&[
        "status",
        &id,
        "--to",
        "in_progress",
        "--note",
        "Benne commandée",
    ]);
    let pictures = tempfile::tempdir().unwrap();
    let resolved = agent.json(&[
        "status",
        &id,
        "--to",
        "resolved",
        "--photo",
        photo(pictures.path()).to_str().unwrap(),
        "--json",
    ]);
    assert!(
        resolved["reply_draft"].is_string(),
        "the town's draft is shown: {resolved}"
    );
    let twice = agent.run(&["status", &id, "--to", "in_progress"]);
    assert!(!twice.status.success(), "not from resolved");
    assert_eq!(
        agent.json(&["outbox", "--json"]).as_array().unwrap().len(),
        3
    );

    server = Server::restart(port, server);
    let sync: Value = agent.json(&["sync", "--json"]);
    assert_eq!(
        (sync["sent"].as_u64(), sync["refused"].as_u64()),
        (Some(3), Some(0)),
        "{sync}"
    );
    let printed = citizen.output(&["sync"]);
    assert!(printed.contains("notification:"), "{printed}");
    let mine = citizen.report(&id).unwrap();
    assert_eq!(mine["status"], "resolved");
    assert_eq!(mine["completion_photos"].as_array().unwrap().len(), 1);
    let timeline = citizen.output(&["timeline", &id, "--json"]);
    assert!(
        !timeline.contains("Benne commandée"),
        "internal notes stay internal"
    );
    let seen = agent.output(&["timeline", &id, "--json"]);
    assert!(seen.contains("Benne commandée"));
    drop(server);
}

#[test]
fn the_work_list_sorts_filters_and_follows_transfers_duplicates_and_assignments() {
    let server = Server::start(free_port());
    let citizen = registered(&server);
    let here = citizen.file(CATEGORY, 48.8566, 2.3522, "Ici");
    let there = citizen.file(CATEGORY, 48.8530, 2.3499, "Là-bas");
    let again = citizen.file(CATEGORY, 48.8567, 2.3523, "Encore ici");
    citizen.ok(&["sync"]);
    let agent = server.agent_phone("proprete", "agent.proprete@paris.example");
    let nearest = task_ids(&agent, &["--near", "48.8530,2.3499"]);
    assert_eq!(nearest.first(), Some(&there));
    agent.ok(&["assign", &here, "--to", "agent.proprete@paris.example"]);
    let others = agent.run(&["assign", &there, "--to", "someone.else@paris.example"]);
    assert!(
        !others.status.success(),
        "an agent assigns to themselves only"
    );
    agent.ok(&["duplicate", &again, "--of", &here]);
    agent.ok(&[
        "transfer",
        &there,
        "--service",
        "voirie",
        "--note",
        "Chaussée",
    ]);
    agent.ok(&["note", &here, "--text", "Deux matelas"]);
    agent.ok(&["reply", &here, "--text", "Nous passons demain"]);
    agent.ok(&["sync"]);
    assert_eq!(task_ids(&agent, &["--mine"]), vec![here.clone()]);
    let left = task_ids(&agent, &[]);
    assert!(!left.contains(&there), "transferred away: {left:?}");
    assert!(!left.contains(&again), "closed as a duplicate: {left:?}");
    citizen.ok(&["sync"]);
    assert_eq!(citizen.report(&again).unwrap()["status"], "duplicate");
    assert_eq!(citizen.report(&there).unwrap()["status"], "transferred");
    let timeline = citizen.output(&["timeline", &here]);
    assert!(timeline.contains("Nous passons demain") && !timeline.contains("Deux matelas"));
}

#[test]
fn a_citizen_holds_their_scope_follows_a_zone_and_asks_nearby_online() {
    let server = Server::start(free_port());
    let a = registered(&server);
    let fourth = a.file(CATEGORY, 48.8566, 2.3522, "Dans le 4e");
    a.ok(&["sync"]);
    let b = registered(&server);
    b.ok(&["sync"]);
    assert!(b.report(&fourth).is_none(), "not in b's scope");
    let nearby: Value = b.json(&[
        "nearby",
        "--lat",
        "48.8567",
        "--lon",
        "2.3523",
        "--category",
        CATEGORY,
        "--json",
    ]);
    assert_eq!(nearby["source"], "server");
    assert_eq!(nearby["reports"][0]["report"]["id"], fourth.as_str());
    b.ok(&["follow-zone", "75104"]);
    b.ok(&["sync"]);
    assert!(b.report(&fourth).is_some(), "the zone's reports came");
    let zones: Value = b.json(&["zones", "--json", "--followed"]);
    assert!(
        zones
            .as_array()
            .unwrap()
            .iter()
            .any(|z| z["code"] == "75104" && z["origin"] == "explicit")
    );
    b.ok(&["unfollow-zone", "75104"]);
    b.ok(&["sync"]);
    assert!(b.report(&fourth).is_none(), "dropped with the zone");
    assert!(a.report(&fourth).unwrap()["mine"].as_bool().unwrap());
}

#[test]
fn a_linked_device_holds_the_accounts_reports_as_its_own_and_replies() {
    let server = Server::start(free_port());
    let phone = registered(&server);
    let tablet = registered(&server);
    let id = phone.file(CATEGORY, 48.8566, 2.3522, "Banc cassé");
    phone.ok(&["sync"]);
    let code = phone.output(&["account", "set", "--email", "alice@example.org"]);
    tablet.ok(&["account", "link", code.trim()]);
    tablet.ok(&["sync"]);
    assert_eq!(tablet.report(&id).unwrap()["mine"], true);
    tablet.ok(&["reply", &id, "--text", "Depuis la tablette"]);
    tablet.ok(&["sync"]);
    assert_eq!(tablet.json(&["outbox", "--json"]), Value::Array(vec![]));
    phone.ok(&["sync"]);
    assert!(
        phone
            .output(&["timeline", &id])
            .contains("Depuis la tablette")
    );
}
