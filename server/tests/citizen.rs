//! The citizen experience and field agents over HTTP: the real router and SQLite file on
//! loopback, and the real binary for the administrator's `enrol-agent`.

mod common;

use std::process::Command;

use common::{CATEGORY, PARIS, TestServer, batch, create_report};
use serde_json::{Value, json};
use uuid::Uuid;

/// About 100 m north of [`PARIS`].
const NEAR: (f64, f64) = (48.8575, 2.3522);
/// About 400 m north of [`PARIS`].
const FAR: (f64, f64) = (48.8602, 2.3522);

/// Starts the demo server; its catalogue has no extra questions for [`CATEGORY`] (the demo
/// seed's are not what these tests are about).
async fn start() -> TestServer {
    let server = TestServer::start().await;
    server.without_questions();
    server
}

fn sql<P: rusqlite::Params>(server: &TestServer, sql: &str, params: P) {
    rusqlite::Connection::open(server.database_path())
        .unwrap()
        .execute(sql, params)
        .unwrap();
}

/// Runs `relais-server --data DIR enrol-agent` on the server's data directory, as an
/// administrator would, and returns the printed code.
fn enrol_agent(server: &TestServer, service: &str) -> String {
    let data = server.database_path().parent().unwrap().to_owned();
    let output = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .arg("--data")
        .arg(&data)
        .args(["enrol-agent", "--tenant", "demo", "--service", service])
        .args(["--email", &format!("agent.{service}@paris.example")])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let code = String::from_utf8(output.stdout).unwrap();
    assert_eq!(code.lines().count(), 1);
    code.trim().to_owned()
}

async fn register_with(server: &TestServer, code: &str) -> reqwest::Response {
    server
        .client
        .post(server.url("/v1/demo/devices"))
        .json(&json!({"platform": "linux", "app_version": "test", "enrolment_code": code}))
        .send()
        .await
        .unwrap()
}

/// Pushes `op` as the device's mutation `seq` and returns its result.
async fn send(server: &TestServer, token: &str, seq: u64, op: Value) -> Value {
    let body = batch(vec![
        json!({"seq": seq, "mutation_id": Uuid::now_v7(), "op": op}),
    ]);
    let response = server.push(token, &body).await;
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    answer["results"][0].clone()
}

/// The report as pulled from the start by `token`.
async fn pulled_report(server: &TestServer, token: &str, id: Uuid) -> Value {
    let (_, pull) = server.pull(token, "").await;
    pull["changes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == "report" && c["report"]["id"] == id.to_string())
        .map(|c| c["report"].clone())
        .expect("the report is pulled")
}

async fn file(server: &TestServer, token: &str, seq: u64, at: (f64, f64)) -> Uuid {
    let id = Uuid::now_v7();
    let answer: Value = server
        .push(token, &batch(vec![create_report(seq, id, at)]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["results"][0]["outcome"], "applied", "{answer}");
    id
}

#[tokio::test]
async fn an_enrolment_code_registers_one_agent_once() {
    let server = start().await;
    let code = enrol_agent(&server, "proprete");
    for bogus in ["", "0000-0000-0000-0000"] {
        let response = register_with(&server, bogus).await;
        assert_eq!(response.status(), 403);
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"],
            "forbidden"
        );
    }
    let response = register_with(&server, &code.to_lowercase()).await;
    assert_eq!(response.status(), 201);
    let again = register_with(&server, &code).await;
    assert_eq!(again.status(), 403);
    assert_eq!(again.json::<Value>().await.unwrap()["error"], "forbidden");
    let conn = rusqlite::Connection::open(server.database_path()).unwrap();
    let agents: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM devices d JOIN staff_services s ON s.staff_id = d.staff_id
             WHERE s.service_code = 'proprete'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let devices: i64 = conn
        .query_row("SELECT COUNT(*) FROM devices", [], |row| row.get(0))
        .unwrap();
    assert_eq!((agents, devices), (1, 1));

    // An unknown service is refused by the administrator's command.
    let output = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .arg("--data")
        .arg(server.database_path().parent().unwrap())
        .args(["enrol-agent", "--tenant", "demo", "--service", "nope"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_stale_agent_edit_is_a_visible_conflict_and_changes_nothing() {
    let server = start().await;
    let citizen = server.register().await;
    let report = file(&server, &citizen.token, 1, PARIS).await;
    let first: Value = register_with(&server, &enrol_agent(&server, "proprete"))
        .await
        .json()
        .await
        .unwrap();
    let second: Value = register_with(&server, &enrol_agent(&server, "proprete"))
        .await
        .json()
        .await
        .unwrap();
    let change = |base_version: i64, status: &str, note: &str| {
        json!({"type": "change_status", "report_id": report, "base_version": base_version,
               "status": status, "note": note})
    };
    let token = |device: &Value| device["token"].as_str().unwrap().to_owned();

    let result = send(&server, &token(&first), 1, change(1, "scheduled", "Jeudi")).await;
    assert_eq!(result["outcome"], "applied");
    let result = send(
        &server,
        &token(&second),
        1,
        change(1, "rejected", "Pas chez nous"),
    )
    .await;
    assert_eq!(result["outcome"], "rejected");
    assert_eq!(result["reason"]["code"], "conflict");
    let fr = result["reason"]["message"]["fr"].as_str().unwrap();
    assert!(
        fr.starts_with("Ce signalement a changé depuis votre dernière synchronisation (version 2"),
        "{fr}"
    );
    let en = result["reason"]["message"]["en"].as_str().unwrap();
    assert!(
        en.starts_with("This report has changed since your last sync (version 2"),
        "{en}"
    );

    let pulled = pulled_report(&server, &citizen.token, report).await;
    assert_eq!(pulled["status"], "scheduled");
    assert_eq!(pulled["version"], 2);
    assert_eq!(pulled["history"].as_array().unwrap().len(), 2);

    // A citizen cannot change a status.
    let result = send(&server, &citizen.token, 2, change(2, "resolved", "")).await;
    assert_eq!(result["reason"]["code"], "not_permitted");
    server.stop().await;
}

#[tokio::test]
async fn the_thread_reaches_the_reporter_and_no_other_device() {
    let server = start().await;
    let reporter = server.register().await;
    let neighbour = server.register().await;
    let agent: Value = register_with(&server, &enrol_agent(&server, "proprete"))
        .await
        .json()
        .await
        .unwrap();
    let report = file(&server, &reporter.token, 1, PARIS).await;
    let private = "Code de la porte : 4321";
    let result = send(
        &server,
        &reporter.token,
        2,
        json!({"type": "add_note", "report_id": report, "text": private}),
    )
    .await;
    assert_eq!(result["outcome"], "applied");
    let result = send(
        &server,
        agent["token"].as_str().unwrap(),
        1,
        json!({"type": "change_status", "report_id": report, "base_version": 1,
               "status": "acknowledged", "note": "Nous passons demain"}),
    )
    .await;
    assert_eq!(result["outcome"], "applied");

    let (_, mine) = server.pull(&reporter.token, "").await;
    let threads: Vec<&Value> = mine["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["kind"] == "thread")
        .collect();
    assert_eq!(threads.len(), 1);
    assert_eq!(threads[0]["report_id"], report.to_string());
    let messages = threads[0]["messages"].as_array().unwrap();
    assert_eq!(messages.len(), 2);
    assert_eq!(
        (messages[0]["author"].as_str(), messages[0]["text"].as_str()),
        (Some("citizen"), Some(private))
    );
    assert_eq!(messages[1]["author"], "city");
    assert_eq!(messages[1]["text"], "Nous passons demain");

    // Nobody else sees the thread: not a neighbour, not the public (an observer following every
    // zone sees the report alone). Staff of the report's service see it in their task.
    let observer = server.observer().await;
    for token in [&neighbour.token, &observer.token] {
        let (raw, _) = server.pull(token, "").await;
        assert!(!raw.contains("\"thread\""), "{raw}");
        assert!(!raw.contains(private), "{raw}");
    }
    let (_, public) = server.pull(&observer.token, "").await;
    let kinds: Vec<&str> = public["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["kind"].as_str())
        .filter(|kind| *kind != "follows")
        .collect();
    assert_eq!(kinds, ["report"]);
    let (raw, _) = server.pull(agent["token"].as_str().unwrap(), "").await;
    assert!(raw.contains("\"task\"") && raw.contains(private), "{raw}");
    server.stop().await;
}

#[tokio::test]
async fn me_too_is_counted_once_per_device_and_never_for_ones_own_report() {
    let server = start().await;
    let reporter = server.register().await;
    let neighbour = server.register().await;
    let report = file(&server, &reporter.token, 1, PARIS).await;
    let support = json!({"type": "support_report", "report_id": report});

    let result = send(&server, &reporter.token, 2, support.clone()).await;
    assert_eq!(result["reason"]["code"], "own_report");
    assert!(result["reason"]["message"]["fr"].is_string());
    assert_eq!(
        send(&server, &neighbour.token, 1, support.clone()).await["outcome"],
        "applied"
    );
    assert_eq!(
        send(&server, &neighbour.token, 2, support.clone()).await["outcome"],
        "applied"
    );
    assert_eq!(
        pulled_report(&server, &reporter.token, report).await["supporters"],
        1
    );
    let result = send(
        &server,
        &neighbour.token,
        3,
        json!({"type": "support_report", "report_id": Uuid::now_v7()}),
    )
    .await;
    assert_eq!(result["reason"]["code"], "not_found");
    server.stop().await;
}

#[tokio::test]
async fn a_report_near_an_open_one_is_accepted_and_flagged_as_its_duplicate() {
    let server = start().await;
    let first = server.register().await;
    let second = server.register().await;
    let original = file(&server, &first.token, 1, PARIS).await;
    let near = file(&server, &second.token, 1, NEAR).await;
    let far = file(&server, &second.token, 2, FAR).await;
    let pulled = pulled_report(&server, &second.token, near).await;
    assert_eq!(pulled["duplicate_of"], original.to_string());
    let pulled = pulled_report(&server, &second.token, far).await;
    assert!(pulled.get("duplicate_of").is_none(), "{pulled}");
    server.stop().await;
}

#[tokio::test]
async fn answers_are_checked_against_the_category_questions() {
    let server = start().await;
    let questions = json!([{"code": "quantite", "label": {"fr": "Combien d'objets ?",
        "en": "How many items?"}, "kind": {"type": "number"}, "required": true}]);
    // Changed behind the server's back, as another server would: the version says so.
    sql(
        &server,
        "UPDATE categories SET questions = ?1 WHERE code = ?2",
        (questions.to_string(), CATEGORY),
    );
    sql(
        &server,
        "UPDATE tenants SET catalogue_version = catalogue_version + 1",
        (),
    );
    let device = server.register().await;
    let mut mutation = create_report(1, Uuid::now_v7(), PARIS);
    let answer: Value = server
        .push(&device.token, &batch(vec![mutation.clone()]))
        .await
        .json()
        .await
        .unwrap();
    let reason = &answer["results"][0]["reason"];
    assert_eq!(reason["code"], "missing_answer");
    assert_eq!(
        reason["message"]["fr"],
        "Répondez à la question « Combien d'objets ? »."
    );
    assert_eq!(
        reason["message"]["en"],
        "Please answer the question \"How many items?\"."
    );

    mutation["seq"] = json!(2);
    mutation["mutation_id"] = json!(Uuid::now_v7());
    mutation["op"]["answers"] = json!({"quantite": {"text": "trois"}});
    let answer: Value = server
        .push(&device.token, &batch(vec![mutation.clone()]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["results"][0]["reason"]["code"], "invalid_answer");

    mutation["seq"] = json!(3);
    mutation["mutation_id"] = json!(Uuid::now_v7());
    mutation["op"]["report_id"] = json!(Uuid::now_v7());
    mutation["op"]["answers"] = json!({"quantite": {"number": 3}});
    let answer: Value = server
        .push(&device.token, &batch(vec![mutation]))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["results"][0]["outcome"], "applied", "{answer}");
    server.stop().await;
}

#[tokio::test]
async fn confirming_or_reopening_a_resolution_and_a_retry_is_a_no_op() {
    let server = start().await;
    let reporter = server.register().await;
    let agent: Value = register_with(&server, &enrol_agent(&server, "proprete"))
        .await
        .json()
        .await
        .unwrap();
    let report = file(&server, &reporter.token, 1, PARIS).await;
    let result = send(
        &server,
        agent["token"].as_str().unwrap(),
        1,
        json!({"type": "change_status", "report_id": report, "base_version": 1,
               "status": "resolved", "note": "Enlevé"}),
    )
    .await;
    assert_eq!(result["outcome"], "applied");
    let reopen = batch(vec![json!({"seq": 2, "mutation_id": Uuid::now_v7(),
        "op": {"type": "confirm_resolution", "report_id": report, "fixed": false,
               "satisfaction": 2}})]);
    let answer: Value = server
        .push(&reporter.token, &reopen)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["results"][0]["outcome"], "applied");
    let answer: Value = server
        .push(&reporter.token, &reopen)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["results"][0]["outcome"], "already_applied");
    let pulled = pulled_report(&server, &reporter.token, report).await;
    assert_eq!(pulled["status"], "reopened");
    assert_eq!(pulled["version"], 3);
    let result = send(
        &server,
        &reporter.token,
        3,
        json!({"type": "confirm_resolution", "report_id": report, "fixed": true}),
    )
    .await;
    assert_eq!(result["reason"]["code"], "not_resolved");
    server.stop().await;
}
