//! End-to-end: the real `relais-server` and real `relais` "phones" on 127.0.0.1, driven as a
//! user would (see the backbone issue's five steps). The server binary must be built
//! (`cargo test --workspace` builds it).

mod common;

use common::{Phone, Server, free_port, registered};
use serde_json::Value;

const CATEGORY: &str = "autres_encombrants_abandonnes";

fn report_ids(phone: &Phone) -> Vec<String> {
    let reports: Value = phone.json(&["reports", "--json"]);
    let mut ids: Vec<String> = reports
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .collect();
    ids.sort();
    ids
}

/// What the server holds, as a fresh device of the town sees it after one sync.
fn ids_on_server(server: &Server) -> Vec<String> {
    let observer = Phone::new();
    observer.ok(&["init", "--server", &server.url(), "--tenant", "demo"]);
    follow_paris(&observer);
    report_ids(&observer)
}

/// Makes `phone` follow every arrondissement, then syncs: it receives every report of the town
/// (a phone receives only the reports of the zones it follows, and its own).
fn follow_paris(phone: &Phone) {
    for n in 1..=20 {
        phone.ok(&["follow-zone", &format!("751{n:02}")]);
    }
    phone.ok(&["sync"]);
}

#[test]
fn an_offline_report_travels_exactly_once_from_one_phone_to_another() {
    let port = free_port();
    let mut server = Server::start(port);

    // 2. Register and sync once: the catalogue arrives.
    let a = Phone::new();
    a.ok(&["init", "--server", &server.url(), "--tenant", "demo"]);
    let categories: Value = a.json(&["categories", "--json"]);
    let codes: Vec<&str> = categories
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&CATEGORY), "{codes:?}");
    assert!(categories[0]["name"].is_string());

    // Server down: three reports are filed and queued; sync says so and exits 3.
    server.kill();
    let mut filed = Vec::new();
    for (i, (lat, lon)) in [(48.8566, 2.3522), (48.8606, 2.3376), (48.8530, 2.3499)]
        .iter()
        .enumerate()
    {
        let out: Value = a.json(&[
            "report",
            "--category",
            CATEGORY,
            "--lat",
            &lat.to_string(),
            "--lon",
            &lon.to_string(),
            "--accuracy",
            "8",
            "--text",
            &format!("Matelas abandonné n°{i}"),
            "--json",
        ]);
        filed.push(out["id"].as_str().unwrap().to_owned());
    }
    filed.sort();
    let sync = a.run(&["sync"]);
    assert_eq!(sync.status.code(), Some(3), "{sync:?}");
    let message = String::from_utf8_lossy(&sync.stderr);
    assert!(
        message.contains("unreachable") && message.lines().count() == 1,
        "{message}"
    );
    let outbox: Value = a.json(&["outbox", "--json"]);
    assert_eq!(outbox.as_array().unwrap().len(), 3);
    assert!(
        outbox
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["state"] == "queued" && i["kind"] == "create_report")
    );

    // 3. Server back: the three arrive exactly once, however often we sync.
    server = Server::restart(port, server);
    a.ok(&["sync"]);
    a.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(ids_on_server(&server), filed);
    let outbox: Value = a.json(&["outbox", "--json"]);
    assert_eq!(outbox, Value::Array(vec![]));
    let mine: Value = a.json(&["reports", "--json"]);
    assert!(
        mine.as_array()
            .unwrap()
            .iter()
            .all(|r| r["status"] == "received"),
        "{mine}"
    );

    // 4. A second phone sees the three reports, public fields only.
    let b = Phone::new();
    b.ok(&["init", "--server", &server.url(), "--tenant", "demo"]);
    follow_paris(&b);
    assert_eq!(report_ids(&b), filed);
    let seen = b.output(&["reports", "--json"]);
    let device_id = a.device_id();
    assert!(
        !seen.contains(&device_id),
        "the reporter's device id leaked"
    );
    let seen: Value = serde_json::from_str(&seen).unwrap();
    let report = &seen[0];
    for field in ["id", "category", "lat", "lon", "status", "text"] {
        assert!(!report[field].is_null(), "missing {field}: {report}");
    }
    assert_eq!(report["mine"], false);
}

#[test]
fn a_device_killed_mid_sync_still_delivers_exactly_once() {
    let port = free_port();
    let server = Server::start(port);
    let a = Phone::new();
    a.ok(&["init", "--server", &server.url(), "--tenant", "demo"]);
    let mut filed = Vec::new();
    for i in 0..120 {
        filed.push(a.file(
            CATEGORY,
            48.85 + f64::from(i) * 1e-4,
            2.35,
            &format!("report {i}"),
        ));
    }
    filed.sort();
    // Kill the phone at different moments of its sync, then let it finish.
    for delay_ms in [5, 40, 120, 300] {
        a.kill_during(&["sync"], delay_ms);
    }
    a.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(ids_on_server(&server), filed);
    assert_eq!(a.json(&["outbox", "--json"]), Value::Array(vec![]));
}

#[test]
fn what_the_server_acknowledged_survives_sigkill() {
    let port = free_port();
    let mut server = Server::start(port);
    let a = Phone::new();
    a.ok(&["init", "--server", &server.url(), "--tenant", "demo"]);
    let mut filed = Vec::new();
    for round in 0..3 {
        for i in 0..5 {
            filed.push(a.file(
                CATEGORY,
                48.85,
                2.35 + f64::from(i) * 1e-4,
                &format!("round {round} report {i}"),
            ));
        }
        a.ok(&["sync"]); // acknowledged...
        server.kill(); // ...then the server dies at once, without a chance to flush anything
        server = Server::restart(port, server);
    }
    filed.sort();
    assert_eq!(ids_on_server(&server), filed);
}

/// A mutation the server refuses is kept and shown, and does not block what follows: two field
/// agents act offline on the same report; the second one's stale change is a visible conflict,
/// shown beside the report's new state and applied again on it in one step.
#[test]
fn a_refused_mutation_is_kept_shown_and_does_not_wedge_the_queue() {
    let port = free_port();
    let server = Server::start(port);
    let citizen = Phone::new();
    citizen.ok(&["init", "--server", &server.url(), "--tenant", "demo"]);
    let id = citizen.file(CATEGORY, 48.8566, 2.3522, "Matelas");
    citizen.ok(&["sync"]);
    let agents: Vec<Phone> = ["agent.a@paris.example", "agent.b@paris.example"]
        .iter()
        .map(|email| {
            let agent = server.agent_phone("proprete", email);
            agent.ok(&["sync"]);
            agent
        })
        .collect();
    agents[0].ok(&[
        "status",
        &id,
        "--to",
        "acknowledged",
        "--reply",
        "Pris en charge",
    ]);
    agents[1].ok(&[
        "status",
        &id,
        "--to",
        "scheduled",
        "--date",
        "2030-01-10",
        "--reply",
        "Passage jeudi",
    ]);
    agents[0].ok(&["sync"]);
    let sync = agents[1].run(&["sync", "--json"]);
    assert_eq!(sync.status.code(), Some(0), "{sync:?}");
    let summary: Value = serde_json::from_slice(&sync.stdout).unwrap();
    assert_eq!(summary["refused"], 1, "{summary}");
    let outbox: Value = agents[1].json(&["outbox", "--json"]);
    assert_eq!(outbox.as_array().unwrap().len(), 1);
    assert_eq!(outbox[0]["state"], "rejected");
    assert_eq!(outbox[0]["reason_code"], "conflict");
    assert!(
        outbox[0]["reason"].as_str().unwrap().contains("changed"),
        "{outbox}"
    );
    let french: Value = agents[1].json_lang("fr", &["outbox", "--json"]);
    assert!(
        french[0]["reason"].as_str().unwrap().contains("changé"),
        "{french}"
    );
    let conflicts: Value = agents[1].json(&["conflicts", "--json"]);
    assert_eq!(conflicts[0]["conflict"]["current_status"], "acknowledged");
    // The queue moves on: the change applied again on the fresh version goes through.
    let mutation = outbox[0]["id"].as_str().unwrap();
    agents[1].ok(&["reapply", mutation]);
    agents[1].ok(&["sync"]);
    assert_eq!(agents[1].json(&["outbox", "--json"]), Value::Array(vec![]));
    citizen.ok(&["sync"]);
    let reports: Value = citizen.json(&["reports", "--json"]);
    assert_eq!(reports[0]["status"], "scheduled");
}

/// A server restored from an older backup has lost what it acknowledged since the backup: the
/// phones notice (a push meets the server's sequence numbers gone back, a pull its history gone
/// back) and send it again, and each report is on the server exactly once.
#[test]
fn phones_send_again_what_a_server_restored_from_an_older_backup_lost() {
    let port = free_port();
    let mut server = Server::start(port);
    let (a, b) = (registered(&server), registered(&server));
    let mut filed = vec![a.file(CATEGORY, 48.8566, 2.3522, "Avant la sauvegarde")];
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    let backups = tempfile::tempdir().unwrap();
    let archive = backups.path().join("relais.tar");
    server.admin(&["backup", "--out", archive.to_str().unwrap()]);
    filed.push(a.file(CATEGORY, 48.8567, 2.3523, "Après la sauvegarde, de A"));
    filed.push(b.file(CATEGORY, 48.8568, 2.3524, "Après la sauvegarde, de B"));
    for phone in [&a, &b] {
        phone.ok(&["sync"]);
        assert_eq!(phone.json(&["outbox", "--json"]), Value::Array(vec![]));
    }

    server = Server::restore(port, server, &archive);
    assert_eq!(
        ids_on_server(&server),
        filed[..1],
        "the restored server lost two reports"
    );
    // A has a new report queued: its push meets the sequence numbers gone back. B has nothing
    // queued: its pull meets the history gone back.
    filed.push(a.file(CATEGORY, 48.8569, 2.3525, "Après la restauration"));
    for phone in [&a, &b] {
        phone.ok(&["sync"]);
        assert_eq!(phone.json(&["outbox", "--json"]), Value::Array(vec![]));
    }
    filed.sort();
    assert_eq!(ids_on_server(&server), filed);
    // Syncing again sends nothing twice.
    a.ok(&["sync"]);
    b.ok(&["sync"]);
    assert_eq!(ids_on_server(&server), filed);
}
