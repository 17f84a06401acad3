//! The town's staff over HTTP, on the real router: logging in (and its limits), and the
//! authorization matrix — every role (no token, a citizen, an agent of the report's service,
//! an agent of another service, a supervisor, an admin, the server's operator, another town's
//! admin) × every staff action, each cell allowed or refused, and nothing changed by a refused
//! one. Accounts and the second town are made with the server's own administration commands.

mod common;

use common::{CATEGORY, PARIS, TestServer, batch};
use serde_json::{Value, json};
use uuid::Uuid;

const PASSWORD: &str = "un mot de passe solide";

/// Who calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Nobody,
    Citizen,
    AgentOfTheService,
    AgentOfAnother,
    Supervisor,
    Admin,
    Operator,
    OtherTownsAdmin,
}

const ROLES: [Role; 8] = [
    Role::Nobody,
    Role::Citizen,
    Role::AgentOfTheService,
    Role::AgentOfAnother,
    Role::Supervisor,
    Role::Admin,
    Role::Operator,
    Role::OtherTownsAdmin,
];

/// What is tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Read,
    Acknowledge,
    Schedule,
    Start,
    Resolve,
    Reject,
    Transfer,
    MarkDuplicate,
    AssignToSelf,
    AssignToOther,
    Reply,
    Note,
    Alert,
}

const ACTS: [Act; 13] = [
    Act::Read,
    Act::Acknowledge,
    Act::Schedule,
    Act::Start,
    Act::Resolve,
    Act::Reject,
    Act::Transfer,
    Act::MarkDuplicate,
    Act::AssignToSelf,
    Act::AssignToOther,
    Act::Reply,
    Act::Note,
    Act::Alert,
];

/// The matrix: who may do what on a report of `proprete`.
fn allowed(role: Role, act: Act) -> bool {
    match role {
        Role::Nobody
        | Role::Citizen
        | Role::AgentOfAnother
        | Role::Operator
        | Role::OtherTownsAdmin => false,
        // An agent works its service's reports, takes one for itself, but dispatches to no one
        // and publishes no alert.
        Role::AgentOfTheService => !matches!(act, Act::AssignToOther | Act::Alert),
        Role::Supervisor | Role::Admin => true,
    }
}

struct Town {
    server: TestServer,
    citizen: String,
    seq: std::cell::Cell<u64>,
    tokens: Vec<(Role, Option<String>)>,
}

async fn town() -> Town {
    let server = TestServer::start().await;
    server.without_questions();
    let add = |args: &[&str]| {
        let mut all = vec!["staff", "add", "--password-stdin"];
        all.extend_from_slice(args);
        server.admin(&all, &format!("{PASSWORD}\n"));
    };
    add(&[
        "--tenant",
        "demo",
        "--email",
        "a.propre@paris.example",
        "--name",
        "Ana Propre",
        "--role",
        "agent",
        "--service",
        "proprete",
    ]);
    add(&[
        "--tenant",
        "demo",
        "--email",
        "b.voirie@paris.example",
        "--name",
        "Bruno Voirie",
        "--role",
        "agent",
        "--service",
        "voirie",
    ]);
    add(&[
        "--tenant",
        "demo",
        "--email",
        "chef.propre@paris.example",
        "--name",
        "Chloé Chef",
        "--role",
        "supervisor",
        "--service",
        "proprete",
    ]);
    add(&[
        "--tenant",
        "demo",
        "--email",
        "admin@paris.example",
        "--name",
        "Dominique Admin",
        "--role",
        "admin",
    ]);
    add(&[
        "--operator",
        "--email",
        "it@syndicat.example",
        "--name",
        "Eve IT",
    ]);
    // A second town, created from its files as its IT would, with its own admin.
    let dir = tempfile::tempdir().unwrap();
    let tenant = dir.path().join("tenant.json");
    let zones = dir.path().join("zones.geojson");
    std::fs::write(&tenant, r#"{"id":"lyon","name":"Lyon","services":[{"code":"voirie","name":{"fr":"Voirie","en":"Roads"}}],
        "groups":[{"code":"rue","name":{"fr":"Rue","en":"Street"}}],
        "categories":[{"code":"nid_de_poule","group":"rue","name":{"fr":"Nid-de-poule","en":"Pothole"},"service":"voirie"}]}"#).unwrap();
    std::fs::write(&zones, r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"code":"69381","name":"Lyon 1er","kind":"arrondissement","parent":null},
        "geometry":{"type":"Polygon","coordinates":[[[4.8,45.7],[4.9,45.7],[4.9,45.8],[4.8,45.8],[4.8,45.7]]]}}]}"#).unwrap();
    let created = server.admin(
        &[
            "tenant",
            "add",
            "--catalogue",
            tenant.to_str().unwrap(),
            "--zones",
            zones.to_str().unwrap(),
        ],
        "",
    );
    assert!(created.contains("town lyon"), "{created}");
    add(&[
        "--tenant",
        "lyon",
        "--email",
        "admin@lyon.example",
        "--name",
        "Lyon Admin",
        "--role",
        "admin",
    ]);

    let citizen = server.register().await.token;
    let login = |tenant: Option<&'static str>, email: &'static str| {
        let server = &server;
        async move {
            let response = server
                .client
                .post(server.url("/v1/staff/login"))
                .json(&json!({"tenant": tenant, "email": email, "password": PASSWORD}))
                .send()
                .await
                .unwrap();
            assert_eq!(response.status(), 200, "{email}");
            let session: Value = response.json().await.unwrap();
            session["token"].as_str().unwrap().to_owned()
        }
    };
    let tokens = vec![
        (Role::Nobody, None),
        (Role::Citizen, Some(citizen.clone())),
        (
            Role::AgentOfTheService,
            Some(login(Some("demo"), "a.propre@paris.example").await),
        ),
        (
            Role::AgentOfAnother,
            Some(login(Some("demo"), "b.voirie@paris.example").await),
        ),
        (
            Role::Supervisor,
            Some(login(Some("demo"), "chef.propre@paris.example").await),
        ),
        (
            Role::Admin,
            Some(login(Some("demo"), "admin@paris.example").await),
        ),
        (
            Role::Operator,
            Some(login(None, "it@syndicat.example").await),
        ),
        (
            Role::OtherTownsAdmin,
            Some(login(Some("lyon"), "admin@lyon.example").await),
        ),
    ];
    Town {
        server,
        citizen,
        seq: std::cell::Cell::new(0),
        tokens,
    }
}

impl Town {
    /// A new report of `proprete` (the citizen's), received.
    async fn report(&self) -> Uuid {
        let id = Uuid::now_v7();
        let seq = self.seq.get() + 1;
        self.seq.set(seq);
        let mutation = json!({"seq": seq, "mutation_id": Uuid::now_v7(), "op": {
            "type": "create_report", "report_id": id, "category": CATEGORY,
            "location": {"lat": PARIS.0, "lon": PARIS.1}, "text": "Matelas", "created_at_ms": 1_700_000_000_000_i64}});
        let answer: Value = self
            .server
            .push(&self.citizen, &batch(vec![mutation]))
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(answer["results"][0]["outcome"], "applied", "{answer}");
        id
    }

    /// What the database holds of a report and of the town's staff writing.
    fn state(&self, report: Uuid) -> (i64, String, i64, i64, i64, i64) {
        let q = |sql: &str| self.server.query::<i64, _>(sql, [report.to_string()]);
        (
            q("SELECT version FROM reports WHERE id = ?1"),
            self.server.query("SELECT status || '/' || service_code || '/' || COALESCE(assigned_to, '-') FROM reports WHERE id = ?1", [report.to_string()]),
            q("SELECT COUNT(*) FROM report_history WHERE report_id = ?1"),
            q("SELECT COUNT(*) FROM report_notes WHERE report_id = ?1"),
            q("SELECT COUNT(*) FROM staff_notes WHERE report_id = ?1"),
            self.server.query("SELECT COUNT(*) FROM alerts", []),
        )
    }

    async fn attempt(&self, token: Option<&str>, report: Uuid, act: Act) -> (u16, Value) {
        let client = &self.server.client;
        let request = match act {
            Act::Read => client.get(self.server.url(&format!("/v1/demo/staff/reports/{report}"))),
            Act::Alert => client.post(self.server.url("/v1/demo/staff/alerts")).json(
                &json!({"zones": ["75104"],
                    "title": {"fr": "Travaux", "en": "Works"},
                    "text": {"fr": "Rue fermée", "en": "Street closed"},
                    "starts_at_ms": 1_800_000_000_000_i64, "ends_at_ms": 1_800_100_000_000_i64}),
            ),
            _ => {
                let original = if act == Act::MarkDuplicate {
                    Some(self.report().await)
                } else {
                    None
                };
                let action = match act {
                    Act::Acknowledge => json!({"type": "acknowledge"}),
                    Act::Schedule => json!({"type": "schedule", "for_ms": 1_800_000_000_000_i64}),
                    Act::Start => json!({"type": "start"}),
                    Act::Resolve => json!({"type": "resolve"}),
                    Act::Reject => json!({"type": "reject", "reason": "domaine_prive"}),
                    Act::Transfer => json!({"type": "transfer", "service": "voirie"}),
                    Act::MarkDuplicate => json!({"type": "mark_duplicate", "of": original}),
                    Act::AssignToSelf => {
                        let me = self.email_of(token);
                        json!({"type": "assign", "to": me})
                    }
                    Act::AssignToOther => {
                        let other = if self.email_of(token) == "a.propre@paris.example" {
                            "chef.propre@paris.example"
                        } else {
                            "a.propre@paris.example"
                        };
                        json!({"type": "assign", "to": other})
                    }
                    Act::Reply => json!({"type": "reply"}),
                    Act::Note => json!({"type": "note"}),
                    Act::Read | Act::Alert => unreachable!("handled above"),
                };
                let text = matches!(act, Act::Reply | Act::Note).then_some("Nous passons jeudi");
                client
                    .post(
                        self.server
                            .url(&format!("/v1/demo/staff/reports/{report}/actions")),
                    )
                    .json(&json!({"base_version": 1, "action": action,
                                  "reply": if act == Act::Reply { text } else { None },
                                  "note": if act == Act::Note { text } else { None }}))
            }
        };
        let request = match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        };
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap_or(Value::Null))
    }

    /// The address of the staff member of a session token (an assignment to oneself).
    fn email_of(&self, token: Option<&str>) -> &'static str {
        let role = self
            .tokens
            .iter()
            .find(|(_, t)| t.as_deref() == token)
            .map_or(Role::Nobody, |(role, _)| *role);
        match role {
            Role::AgentOfAnother => "b.voirie@paris.example",
            Role::Supervisor => "chef.propre@paris.example",
            Role::Admin => "admin@paris.example",
            Role::Operator => "it@syndicat.example",
            Role::OtherTownsAdmin => "admin@lyon.example",
            _ => "a.propre@paris.example",
        }
    }
}

#[tokio::test]
async fn every_role_times_every_staff_action_is_allowed_or_refused_and_refusals_change_nothing() {
    let town = town().await;
    let mut cells = 0;
    for (role, token) in &town.tokens {
        for act in ACTS {
            let report = town.report().await;
            let before = town.state(report);
            let (status, body) = town.attempt(token.as_deref(), report, act).await;
            let after = town.state(report);
            cells += 1;
            if allowed(*role, act) {
                let expected = if act == Act::Alert { 201 } else { 200 };
                assert_eq!(
                    status, expected,
                    "{role:?} × {act:?} should be allowed: {body}"
                );
                match act {
                    Act::Read => assert_eq!(before, after, "reading changes nothing"),
                    Act::Alert => assert_eq!(after.5, before.5 + 1),
                    _ => {
                        assert_eq!(body["report"]["id"], report.to_string());
                        assert!(after.2 > before.2, "{role:?} × {act:?}: a history entry");
                    }
                }
            } else {
                let expected = match role {
                    Role::Nobody => 401,
                    _ => 403,
                };
                assert_eq!(
                    status, expected,
                    "{role:?} × {act:?} should be refused: {body}"
                );
                assert_eq!(
                    before, after,
                    "{role:?} × {act:?}: a refusal changes nothing"
                );
            }
        }
    }
    assert_eq!(cells, ROLES.len() * ACTS.len());
}

#[tokio::test]
async fn an_allowed_action_says_who_did_what_and_keeps_staff_words_off_the_public_history() {
    let town = town().await;
    let report = town.report().await;
    let token = town.tokens[2].1.clone();
    let (status, task) = town
        .attempt(token.as_deref(), report, Act::Acknowledge)
        .await;
    assert_eq!(status, 200, "{task}");
    let entry = task["log"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(entry["action"], "acknowledge");
    assert_eq!(
        entry["actor"],
        json!({"kind": "staff", "name": "Ana Propre"})
    );
    assert_eq!(entry["channel"], "web");
    // The town answered in writing (its template, in French by default).
    let reply = task["thread"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(reply["author"], "city");
    assert!(
        reply["text"].as_str().unwrap().contains("Ville de Paris"),
        "{reply}"
    );
    // A stale version is a 409 conflict with the reason, and changes nothing.
    let before = town.state(report);
    let (status, body) = town.attempt(token.as_deref(), report, Act::Start).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );
    assert!(
        body["reason"]["message"]["fr"]
            .as_str()
            .unwrap()
            .contains("version 2")
    );
    assert_eq!(town.state(report), before);
    // A reason not in the town's list is refused in both languages.
    let response = town
        .server
        .client
        .post(
            town.server
                .url(&format!("/v1/demo/staff/reports/{report}/actions")),
        )
        .bearer_auth(token.as_deref().unwrap())
        .json(&json!({"base_version": 2, "action": {"type": "reject", "reason": "flemme"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["reason"]["code"], "unknown_reason");
    assert_eq!(town.state(report), before);
}

#[tokio::test]
async fn logging_in_is_limited_and_a_disabled_account_or_a_logged_out_session_stops_at_once() {
    let town = town().await;
    let server = &town.server;
    let login = |password: &str| {
        server
            .client
            .post(server.url("/v1/staff/login"))
            .json(
                &json!({"tenant": "demo", "email": "B.Voirie@paris.example", "password": password}),
            )
            .send()
    };
    // Wrong passwords: 401, then 429 with a Retry-After once over the account's limit.
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            login("pas le bon mot de passe")
                .await
                .unwrap()
                .status()
                .as_u16(),
        );
    }
    // One login per account was already used to open the matrix's sessions.
    assert!(statuses.starts_with(&[401, 401, 401, 401]), "{statuses:?}");
    let limited = login(PASSWORD).await.unwrap();
    assert_eq!(limited.status(), 429);
    assert!(limited.headers().contains_key("retry-after"));

    // Logging out ends the session at once.
    let supervisor = town.tokens[4].1.clone().unwrap();
    let report = town.report().await;
    let (status, _) = town.attempt(Some(&supervisor), report, Act::Read).await;
    assert_eq!(status, 200);
    let out = server
        .client
        .post(server.url("/v1/staff/logout"))
        .bearer_auth(&supervisor)
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 204);
    assert_eq!(
        town.attempt(Some(&supervisor), report, Act::Read).await.0,
        401
    );

    // Disabling an account ends its sessions.
    let admin = town.tokens[5].1.clone().unwrap();
    server.admin(
        &[
            "staff",
            "disable",
            "--tenant",
            "demo",
            "--email",
            "admin@paris.example",
        ],
        "",
    );
    assert_eq!(town.attempt(Some(&admin), report, Act::Read).await.0, 401);
    let listed = server.admin(&["staff", "list", "--tenant", "demo"], "");
    assert!(
        listed
            .lines()
            .any(|l| l.starts_with("admin@paris.example") && l.ends_with("disabled")),
        "{listed}"
    );
}
