//! End-to-end: the town at work and the citizen's scope, through real `relais-server --demo` and
//! `relais` processes.

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

/// A day in the life of the town: three citizens report; the supervisor dispatches from their
/// phone; an agent works offline, resolves two reports with photos and transfers one; a second
/// agent's stale change is refused visibly and applied again on the new version; the road
/// service finds the transferred report in its list; every citizen reads the town's written
/// replies; the history of each request says who did what, in order.
#[test]
fn a_day_in_the_life_of_the_town() {
    let port = free_port();
    let mut server = Server::start(port);
    let citizens: Vec<Phone> = (0..3).map(|_| registered(&server)).collect();
    let mattress = citizens[0].file(CATEGORY, 48.8566, 2.3522, "Matelas rue de Rivoli");
    let fridge = citizens[1].file(CATEGORY, 48.8530, 2.3499, "Frigo quai aux Fleurs");
    let pothole = citizens[2].file(CATEGORY, 48.8606, 2.3376, "Gravats sur la chaussée");
    let sofa = citizens[0].file(CATEGORY, 48.8570, 2.3530, "Canapé");
    for citizen in &citizens {
        citizen.ok(&["sync"]);
    }

    let first = server.agent_phone("proprete", "agent.un@paris.example");
    let second = server.agent_phone("proprete", "agent.deux@paris.example");
    let roads = server.agent_phone("voirie", "agent.voirie@paris.example");
    server.admin(&[
        "staff",
        "add",
        "--tenant",
        "demo",
        "--email",
        "chef.jour@paris.example",
        "--name",
        "Chef du jour",
        "--role",
        "supervisor",
        "--service",
        "proprete",
    ]);
    let code = server.admin(&[
        "staff",
        "enrol",
        "--tenant",
        "demo",
        "--email",
        "chef.jour@paris.example",
    ]);
    let supervisor = server.enrolled_phone(&code);
    for agent in [&first, &second, &supervisor] {
        agent.ok(&["sync"]);
    }

    // The supervisor dispatches three reports to the first agent and schedules the fourth.
    for id in [&mattress, &fridge, &pothole] {
        supervisor.ok(&["assign", id, "--to", "agent.un@paris.example"]);
    }
    supervisor.ok(&[
        "status",
        &sofa,
        "--to",
        "scheduled",
        "--date",
        "2030-01-10",
        "--reply",
        "Enlèvement prévu le 10 janvier",
    ]);
    supervisor.ok(&["sync"]);
    first.ok(&["sync"]);
    let mut mine = task_ids(&first, &["--mine"]);
    mine.sort();
    let mut dispatched = vec![mattress.clone(), fridge.clone(), pothole.clone()];
    dispatched.sort();
    assert_eq!(mine, dispatched);

    // Out of signal all morning: both agents act on what their phones hold.
    server.kill();
    let pictures = tempfile::tempdir().unwrap();
    let picture = photo(pictures.path());
    for (id, reply) in [(&mattress, "Matelas enlevé"), (&fridge, "Frigo enlevé")] {
        first.ok(&[
            "status",
            id,
            "--to",
            "resolved",
            "--reply",
            reply,
            "--photo",
            picture.to_str().unwrap(),
        ]);
    }
    first.ok(&[
        "transfer",
        &pothole,
        "--service",
        "voirie",
        "--note",
        "Chaussée abîmée",
    ]);
    // The second agent's phone still holds the sofa as received, before the schedule.
    second.ok(&[
        "status",
        &sofa,
        "--to",
        "in_progress",
        "--note",
        "Sur place",
    ]);

    server = Server::restart(port, server);
    let sync = first.json(&["sync", "--json"]);
    assert_eq!(
        (sync["sent"].as_u64(), sync["refused"].as_u64()),
        (Some(3), Some(0)),
        "{sync}"
    );
    let sync = second.json(&["sync", "--json"]);
    assert_eq!(sync["refused"], 1, "{sync}");
    let conflicts = second.json(&["conflicts", "--json"]);
    assert_eq!(conflicts[0]["reason_code"], "conflict", "{conflicts}");
    assert_eq!(conflicts[0]["conflict"]["current_status"], "scheduled");
    let refused = conflicts[0]["id"].as_str().unwrap();
    second.ok(&["reapply", refused]);
    second.ok(&["sync"]);
    assert_eq!(second.json(&["outbox", "--json"]), Value::Array(vec![]));

    roads.ok(&["sync"]);
    assert!(
        task_ids(&roads, &[]).contains(&pothole),
        "the road service has it"
    );

    let printed = citizens[0].output(&["sync"]);
    assert!(printed.contains("notification:"), "{printed}");
    let mattress_seen = citizens[0].report(&mattress).unwrap();
    assert_eq!(mattress_seen["status"], "resolved");
    assert_eq!(
        mattress_seen["completion_photos"].as_array().unwrap().len(),
        1
    );
    assert_eq!(citizens[0].report(&sofa).unwrap()["status"], "in_progress");
    let timeline = citizens[0].output(&["timeline", &sofa]);
    assert!(
        timeline.contains("Enlèvement prévu le 10 janvier"),
        "{timeline}"
    );
    assert!(
        !timeline.contains("Sur place"),
        "internal notes stay internal"
    );
    citizens[1].ok(&["sync"]);
    assert!(
        citizens[1]
            .output(&["timeline", &fridge])
            .contains("Frigo enlevé")
    );
    citizens[2].ok(&["sync"]);
    assert_eq!(
        citizens[2].report(&pothole).unwrap()["status"],
        "transferred"
    );

    // The history, as staff read it from the server: who did what, in order.
    let history = |id: &str| -> Vec<(String, String)> {
        let task = staff_get(&server, &supervisor, &format!("staff/reports/{id}"));
        task["log"]
            .as_array()
            .unwrap()
            .iter()
            .map(|entry| {
                let who = match entry["actor"]["kind"].as_str().unwrap() {
                    "staff" => entry["actor"]["name"].as_str().unwrap().to_owned(),
                    other => other.to_owned(),
                };
                (entry["action"].as_str().unwrap().to_owned(), who)
            })
            .collect()
    };
    let entries = history(&mattress);
    let steps: Vec<&str> = entries.iter().map(|(action, _)| action.as_str()).collect();
    assert_eq!(steps, ["filed", "assign", "resolve"], "{entries:?}");
    assert_eq!(entries[0].1, "citizen");
    assert_eq!(entries[1].1, "Chef du jour");
    assert_eq!(entries[2].1, "agent.un@paris.example");
    let sofa_steps: Vec<String> = history(&sofa).into_iter().map(|(a, _)| a).collect();
    assert_eq!(sofa_steps, ["filed", "schedule", "start"]);
}

/// `GET /v1/demo/PATH` with the staff device token of `phone`, as JSON.
fn staff_get(server: &Server, phone: &Phone, path: &str) -> Value {
    let token = phone.registration()["token"].as_str().unwrap().to_owned();
    let url = format!("{}/v1/demo/{path}", server.url());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let response = reqwest::Client::new()
            .get(url)
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        assert!(response.status().is_success(), "{response:?}");
        response.json().await.unwrap()
    })
}

/// The phone knows offline which service will receive a report, by category and by zone, with
/// the server's rules; after a change of the table it routes new reports by the new table, and
/// the reports already filed keep their service.
#[test]
fn reports_are_routed_offline_by_category_and_zone_and_after_a_table_change() {
    const FURNITURE: &str = "autre_mobilier_urbain_deteriore";
    let port = free_port();
    let mut server = Server::start(port);
    let citizen = registered(&server);
    let service_of = |id: &str| citizen.report(id).unwrap()["service_code"].clone();

    server.kill();
    let bel_air = citizen.file(FURNITURE, 48.8414, 2.4010, "Banc cassé, Bel-Air");
    let centre = citizen.file(FURNITURE, 48.8566, 2.3522, "Banc cassé, Hôtel de Ville");
    assert_eq!(service_of(&bel_air), "bois_de_vincennes", "the zone's rule");
    let default = service_of(&centre);
    assert!(
        default.is_string() && default != "bois_de_vincennes",
        "the category's default: {default}"
    );

    server = Server::restart(port, server);
    citizen.ok(&["sync"]);
    assert_eq!(
        service_of(&bel_air),
        "bois_de_vincennes",
        "the server agrees"
    );
    assert_eq!(service_of(&centre), default);

    server.admin(&[
        "routing",
        "--tenant",
        "demo",
        "set",
        "--category",
        FURNITURE,
        "--zone",
        "75104",
        "--service",
        "bois_de_vincennes",
    ]);
    citizen.ok(&["sync"]);
    server.kill();
    let after = citizen.file(FURNITURE, 48.8567, 2.3523, "Encore un banc");
    assert_eq!(
        service_of(&after),
        "bois_de_vincennes",
        "the new table, offline"
    );
    let _serving = Server::restart(port, server);
    citizen.ok(&["sync"]);
    assert_eq!(service_of(&after), "bois_de_vincennes");
    assert_eq!(service_of(&centre), default, "never rerouted silently");
}
