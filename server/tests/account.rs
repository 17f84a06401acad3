//! The citizen's optional account, and self-service export and deletion, over HTTP: the real
//! router and SQLite file on loopback.

mod common;

use common::{PARIS, TestServer, batch, create_report_with_photos, fake_jpeg, sha256_hex};
use relais_protocol::Registered;
use relais_protocol::account::{Account, Export};
use serde_json::{Value, json};
use uuid::Uuid;

async fn start() -> TestServer {
    let server = TestServer::start().await;
    // The demo seed's extra questions are not what these tests are about.
    server.without_questions();
    server
}

fn details(email: &str) -> Value {
    json!({"email": email, "phone": "+33 6 12 34 56 78", "contact": "email", "language": "fr"})
}

async fn put(server: &TestServer, token: &str, body: &Value) -> reqwest::Response {
    server
        .client
        .put(server.url("/v1/demo/account"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn link(server: &TestServer, token: &str, code: &str) -> reqwest::Response {
    server
        .client
        .post(server.url("/v1/demo/account/link"))
        .bearer_auth(token)
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap()
}

async fn delete(server: &TestServer, token: &str) -> reqwest::Response {
    server
        .client
        .delete(server.url("/v1/demo/account"))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn created(server: &TestServer, device: &Registered, email: &str) -> Account {
    let response = put(server, &device.token, &details(email)).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Pushes `ops` as the device's mutations from `first_seq`, all of which must apply.
async fn send(server: &TestServer, token: &str, first_seq: u64, ops: Vec<Value>) {
    let mutations = ops
        .into_iter()
        .zip(first_seq..)
        .map(|(op, seq)| json!({"seq": seq, "mutation_id": Uuid::now_v7(), "op": op}))
        .collect();
    let answer: Value = server
        .push(token, &batch(mutations))
        .await
        .json()
        .await
        .unwrap();
    for result in answer["results"].as_array().unwrap() {
        assert_eq!(result["outcome"], "applied", "{answer}");
    }
}

/// Files a report (listing `photos`) as the device's mutation `seq`.
async fn file(server: &TestServer, token: &str, seq: u64, photos: &[&str]) -> Uuid {
    let id = Uuid::now_v7();
    let mutation = create_report_with_photos(seq, id, PARIS, photos);
    send(server, token, seq, vec![mutation["op"].clone()]).await;
    id
}

async fn first_service(server: &TestServer, token: &str) -> String {
    let directory: Value = server
        .get(token, "/v1/demo/directory")
        .await
        .json()
        .await
        .unwrap();
    directory["services"][0]["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn an_account_is_created_updated_and_linked_from_another_device_with_its_code() {
    let server = start().await;
    let phone = server.register().await;
    let tablet = server.register().await;
    let stranger = server.register().await;

    let response = server.get(&phone.token, "/v1/demo/account").await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "not_found"
    );

    let account = created(&server, &phone, "ana@example.fr").await;
    assert_eq!(account.details.email, "ana@example.fr");
    assert_eq!(account.devices, 1);
    assert_eq!(account.link_code.len(), 14);
    // Only the code's hash is kept.
    let stored: Vec<u8> = server.query("SELECT link_code_sha256 FROM accounts", []);
    assert_eq!(stored.len(), 32);

    // An update keeps the account and replaces the code.
    let mut update = details("ana@example.org");
    update["contact"] = json!("sms");
    update["language"] = json!("en");
    let updated: Account = put(&server, &phone.token, &update)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(updated.id, account.id);
    assert_eq!(updated.details.email, "ana@example.org");
    assert_ne!(updated.link_code, account.link_code);
    let shown: Account = server
        .get(&phone.token, "/v1/demo/account")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (shown.id, shown.details.clone()),
        (account.id, updated.details.clone())
    );
    assert_eq!(shown.link_code, "");

    // The replaced code links nothing; the current one, retyped, links the tablet once.
    let response = link(&server, &tablet.token, &account.link_code).await;
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "not_found"
    );
    let retyped = updated.link_code.to_lowercase().replace('-', " ");
    let response = link(&server, &tablet.token, &retyped).await;
    assert_eq!(response.status(), 200);
    let linked: Account = response.json().await.unwrap();
    assert_eq!((linked.id, linked.devices), (account.id, 2));
    assert_ne!(linked.link_code, updated.link_code);
    let response = link(&server, &stranger.token, &updated.link_code).await;
    assert_eq!(response.status(), 404);
    let from_tablet: Account = server
        .get(&tablet.token, "/v1/demo/account")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(from_tablet.id, account.id);

    // A device of another account cannot be taken over.
    let own = created(&server, &stranger, "bob@example.fr").await;
    let response = link(&server, &stranger.token, &linked.link_code).await;
    assert_eq!(response.status(), 403);
    assert_ne!(own.id, account.id);
    server.stop().await;
}

#[tokio::test]
async fn bad_account_bodies_are_400() {
    let server = start().await;
    let device = server.register().await;
    let mut bodies = vec![
        details("not an email"),
        details("a@b"),
        json!({"email": "a@b.fr", "contact": "sms", "language": "fr"}),
        json!({"email": "a@b.fr", "contact": "pigeon", "language": "fr"}),
        json!({"email": "a@b.fr", "contact": "email", "language": "de"}),
        json!({"email": "a@b.fr", "phone": "call me", "contact": "email", "language": "fr"}),
        json!({"contact": "email", "language": "fr"}),
    ];
    bodies.push(json!("a string"));
    for body in &bodies {
        let response = put(&server, &device.token, body).await;
        assert_eq!(response.status(), 400, "{body}");
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"],
            "malformed_request"
        );
    }
    let response = server
        .client
        .post(server.url("/v1/demo/account/link"))
        .bearer_auth(&device.token)
        .body("{\"code\": 12")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    let response = server
        .client
        .put(server.url("/v1/demo/account"))
        .json(&details("a@b.fr"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 401);
    let count: i64 = server.query("SELECT COUNT(*) FROM accounts", []);
    assert_eq!(count, 0);
    server.stop().await;
}

/// A citizen with two linked devices who filed a report with a photo and a note, supports a
/// neighbour's report and rated a service.
struct Citizen {
    phone: Registered,
    tablet: Registered,
    account: Account,
    report: Uuid,
    supported: Uuid,
    service: String,
    photo: String,
}

async fn active_citizen(server: &TestServer, neighbour: &Registered) -> Citizen {
    let phone = server.register().await;
    let tablet = server.register().await;
    let account = created(server, &phone, "ana@example.fr").await;
    let linked = link(server, &tablet.token, &account.link_code).await;
    assert_eq!(linked.status(), 200);

    let photo = fake_jpeg(2000, 1);
    let sha = sha256_hex(&photo);
    let response = server
        .patch_upload("demo", &phone.token, &sha, 0, photo.len(), &photo)
        .await;
    assert_eq!(response.status(), 200);
    let report = file(server, &phone.token, 1, &[&sha]).await;
    let supported = file(server, &neighbour.token, 1, &[]).await;
    let service = first_service(server, &tablet.token).await;
    send(
        server,
        &phone.token,
        2,
        vec![json!({"type": "add_note", "report_id": report, "text": "Toujours là ce matin"})],
    )
    .await;
    send(
        server,
        &tablet.token,
        1,
        vec![
            json!({"type": "support_report", "report_id": supported}),
            json!({"type": "rate_service", "service_id": service, "satisfaction": 4,
                   "importance": 5, "comment": "Accueil aimable"}),
        ],
    )
    .await;
    Citizen {
        phone,
        tablet,
        account,
        report,
        supported,
        service,
        photo: sha,
    }
}

#[tokio::test]
async fn the_export_holds_everything_about_the_account_and_its_devices() {
    let server = start().await;
    let neighbour = server.register().await;
    let citizen = active_citizen(&server, &neighbour).await;

    let response = server
        .get(&citizen.tablet.token, "/v1/demo/account/export")
        .await;
    assert_eq!(response.status(), 200);
    let export: Export = response.json().await.unwrap();
    let account = export.account.as_ref().unwrap();
    assert_eq!((account.id, account.devices), (citizen.account.id, 2));
    assert_eq!(account.details.email, "ana@example.fr");
    assert_eq!(account.link_code, "");
    let mut devices: Vec<_> = export.devices.iter().map(|d| d.id).collect();
    devices.sort();
    let mut expected = vec![citizen.phone.device_id, citizen.tablet.device_id];
    expected.sort();
    assert_eq!(devices, expected);
    assert_eq!(export.devices[0].platform, "linux");

    assert_eq!(export.reports.len(), 1);
    let report = &export.reports[0];
    assert_eq!(report.report.id, citizen.report);
    assert_eq!(report.report.photos, [citizen.photo.as_str()]);
    assert_eq!(report.report.zone, "7510401");
    assert_eq!(report.report.history.len(), 1);
    assert_eq!(export.notes.len(), 1);
    assert_eq!(export.notes[0].report_id, citizen.report);
    assert_eq!(export.notes[0].message.text, "Toujours là ce matin");
    assert_eq!(export.supports, [citizen.supported]);
    assert_eq!(export.ratings.len(), 1);
    assert_eq!(export.ratings[0].service_id, citizen.service);
    assert_eq!(
        (export.ratings[0].satisfaction, export.ratings[0].importance),
        (4, 5)
    );
    assert_eq!(
        export.ratings[0].comment.as_deref(),
        Some("Accueil aimable")
    );

    // A device without an account exports itself alone.
    let alone: Export = server
        .get(&neighbour.token, "/v1/demo/account/export")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(alone.account, None);
    assert_eq!(alone.devices.len(), 1);
    assert_eq!(alone.devices[0].id, neighbour.device_id);
    assert_eq!(alone.reports.len(), 1);
    assert_eq!(alone.reports[0].report.id, citizen.supported);
    assert!(alone.notes.is_empty() && alone.supports.is_empty() && alone.ratings.is_empty());
    server.stop().await;
}

#[tokio::test]
async fn deleting_the_account_forgets_the_person_and_keeps_the_reports_anonymous() {
    let server = start().await;
    let neighbour = server.register().await;
    let citizen = active_citizen(&server, &neighbour).await;
    let (_, before) = server.pull(&neighbour.token, "").await;
    let cursor = before["cursor"].as_str().unwrap().to_owned();
    let supporters = |pull: &Value| {
        pull["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["kind"] == "report" && c["report"]["id"] == citizen.supported.to_string())
            // Left out at zero, as readers default it.
            .map(|c| c["report"]["supporters"].as_u64().unwrap_or(0))
    };
    assert_eq!(supporters(&before), Some(1));

    let response = delete(&server, &citizen.tablet.token).await;
    assert_eq!(response.status(), 204);

    // Both devices' tokens are gone.
    for token in [&citizen.phone.token, &citizen.tablet.token] {
        let response = server.get(token, "/v1/demo/account").await;
        assert_eq!(response.status(), 401);
        let response = server.get(token, "/v1/demo/catalogue").await;
        assert_eq!(response.status(), 401);
    }
    // The supported report lost its supporter, and devices are told.
    let (_, after) = server.pull(&neighbour.token, &cursor).await;
    assert_eq!(supporters(&after), Some(0));
    // The citizen's report is still public, with its photo, and carries no identity.
    let (raw, all) = server.pull(&neighbour.token, "").await;
    assert!(
        all["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["report"]["id"] == citizen.report.to_string())
    );
    for id in [
        citizen.phone.device_id,
        citizen.tablet.device_id,
        citizen.account.id,
    ] {
        assert!(!raw.contains(&id.to_string()));
    }
    let response = server
        .get(
            &neighbour.token,
            &format!("/v1/demo/photos/{}", citizen.photo),
        )
        .await;
    assert_eq!(response.status(), 200);

    // In the database: no account, no devices, no supports or ratings of the person; the
    // report and the note now belong to the anonymous device; the rating history is anonymous.
    let count = |sql: &str| server.query::<i64, _>(sql, []);
    assert_eq!(count("SELECT COUNT(*) FROM accounts"), 0);
    let ids = format!(
        "'{}', '{}'",
        citizen.phone.device_id, citizen.tablet.device_id
    );
    assert_eq!(
        count(&format!("SELECT COUNT(*) FROM devices WHERE id IN ({ids})")),
        0
    );
    assert_eq!(count("SELECT COUNT(*) FROM supports"), 0);
    assert_eq!(count("SELECT COUNT(*) FROM ratings"), 0);
    assert_eq!(
        count("SELECT COUNT(*) FROM rating_history WHERE citizen IS NULL"),
        1
    );
    assert_eq!(count("SELECT COUNT(*) FROM rating_history"), 1);
    let owner: String = server.query(
        "SELECT d.role FROM reports r JOIN devices d ON d.id = r.device_id WHERE r.id = ?1",
        [citizen.report.to_string()],
    );
    assert_eq!(owner, "anonymous");
    let note: String = server.query(
        "SELECT d.role || ':' || n.text FROM report_notes n JOIN devices d ON d.id = n.device_id
         WHERE n.report_id = ?1",
        [citizen.report.to_string()],
    );
    assert_eq!(note, "anonymous:Toujours là ce matin");

    // The neighbour is untouched, and a second deletion (of a device without account) reuses
    // the anonymous device.
    let response = delete(&server, &neighbour.token).await;
    assert_eq!(response.status(), 204);
    assert_eq!(
        count("SELECT COUNT(*) FROM devices WHERE role = 'anonymous'"),
        1
    );
    assert_eq!(count("SELECT COUNT(*) FROM reports"), 2);
    let reader = server.observer().await;
    let (_, all) = server.pull(&reader.token, "").await;
    let reports = all["changes"].as_array().unwrap();
    assert_eq!(reports.iter().filter(|c| c["kind"] == "report").count(), 2);
    server.stop().await;
}
