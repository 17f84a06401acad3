//! The server as an attacker sees it, with real sockets: slow and idle clients are cut, a
//! connection limit keeps the server answering, the metrics are behind their token, the database
//! is its owner's only, a second server cannot open the same data directory, registrations
//! and code guesses are limited (failed codes logged with the client's address), and a report id says nothing across towns (on SQLite and on
//! PostgreSQL).

mod common;

use std::time::{Duration, Instant};

use common::{PARIS, TestServer, batch, create_report};
use relais_server::{Connections, Database, Postgres, Sqlite};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use uuid::Uuid;

fn quick(max_connections: usize) -> Connections {
    Connections {
        header_timeout: 1,
        body_timeout: 1,
        max_connections,
        ..Connections::default()
    }
}

async fn connect(server: &TestServer) -> TcpStream {
    TcpStream::connect(server.base.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection; how long that took, and what it sent.
async fn until_closed(stream: &mut TcpStream) -> (Duration, String) {
    let started = Instant::now();
    let mut received = Vec::new();
    let mut buf = [0; 4096];
    loop {
        match tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await {
            Ok(Ok(0) | Err(_)) => break,
            Ok(Ok(n)) => received.extend_from_slice(&buf[..n]),
            Err(_) => panic!("the server kept the connection open for 10 s"),
        }
    }
    (
        started.elapsed(),
        String::from_utf8_lossy(&received).into_owned(),
    )
}

#[tokio::test]
async fn silent_slow_and_idle_clients_are_cut_after_the_header_timeout() {
    let server = TestServer::start_with(quick(64)).await;

    // Connects and says nothing.
    let mut silent = connect(&server).await;
    let (took, _) = until_closed(&mut silent).await;
    assert!(took < Duration::from_secs(3), "silent: {took:?}");

    // Sends half its headers, then stalls.
    let mut slow = connect(&server).await;
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let (took, _) = until_closed(&mut slow).await;
    assert!(took < Duration::from_secs(3), "slow headers: {took:?}");

    // A whole request on a keep-alive connection, answered, then idle.
    let mut idle = connect(&server).await;
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let (took, answer) = until_closed(&mut idle).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(took < Duration::from_secs(3), "idle keep-alive: {took:?}");
    server.stop().await;
}

#[tokio::test]
async fn a_stalled_body_is_cut_after_the_body_timeout() {
    let server = TestServer::start_with(quick(64)).await;
    let device = server.register().await;
    let mut stream = connect(&server).await;
    let head = format!(
        "POST /v1/demo/sync/push HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n{{\"mutations\":",
        device.token
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let (took, answer) = until_closed(&mut stream).await;
    assert!(took < Duration::from_secs(4), "{took:?}");
    // Cut before the handler had a whole body: an error answer, or none.
    assert!(!answer.starts_with("HTTP/1.1 200"), "{answer}");
    // Nothing was applied: the device's next push still starts at 1.
    let pushed = server
        .push(&device.token, &serde_json::json!({ "mutations": [] }))
        .await;
    assert_eq!(pushed.status(), 200);
    server.stop().await;
}

/// The probe that took the server down: many idle sockets. With a connection limit below them
/// and the header timeout, a real client is still answered within a couple of seconds.
#[tokio::test]
async fn idle_sockets_beyond_the_connection_limit_do_not_starve_real_clients() {
    let server = TestServer::start_with(quick(32)).await;
    let mut idle = Vec::new();
    for _ in 0..200 {
        idle.push(connect(&server).await);
    }
    let started = Instant::now();
    let response = tokio::time::timeout(
        Duration::from_secs(8),
        server.client.get(server.url("/healthz")).send(),
    )
    .await
    .expect("the health check waited more than 8 s")
    .unwrap();
    assert_eq!(response.status(), 200);
    let took = started.elapsed();
    // Each wave of 32 idle sockets is cut after 1 s: at worst a few waves before ours.
    assert!(took < Duration::from_secs(8), "{took:?}");
    drop(idle);
    server.stop().await;
}

#[tokio::test]
async fn metrics_are_served_only_with_their_token_when_one_is_set() {
    let server = TestServer::start_with(Connections {
        metrics_token: Some("s3cret-metrics".into()),
        ..Connections::default()
    })
    .await;
    let url = server.url("/metrics");
    for token in [None, Some("wrong"), Some("s3cret-metric")] {
        let mut request = server.client.get(&url);
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401, "{token:?}");
        let body: serde_json::Value = response.json().await.unwrap();
        assert_eq!(body["error"], "unauthorized");
    }
    let response = server
        .client
        .get(&url)
        .bearer_auth("s3cret-metrics")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert!(response.text().await.unwrap().contains("# TYPE"));
    server.stop().await;

    // Without a token, as before: public.
    let server = TestServer::start().await;
    let response = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    server.stop().await;
}

#[cfg(unix)]
#[tokio::test]
async fn the_database_and_the_data_directory_are_their_owner_s_only() {
    use std::os::unix::fs::PermissionsExt;
    let server = TestServer::start().await;
    server.register().await;
    let db = server.database_path();
    let mut checked = 0;
    for suffix in ["", "-wal", "-shm"] {
        let path = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
        if let Ok(meta) = std::fs::metadata(&path) {
            assert_eq!(
                meta.permissions().mode() & 0o777,
                0o600,
                "{}",
                path.display()
            );
            checked += 1;
        }
    }
    assert!(checked >= 2, "the database and its WAL");
    server.stop().await;
}

#[tokio::test]
async fn a_second_server_cannot_serve_the_same_data_directory() {
    let server = TestServer::start().await;
    let mut second = std::process::Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .arg("--data")
        .arg(server.data_dir())
        .args(["--listen", "127.0.0.1:0"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    while second.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            second.kill().unwrap();
            panic!("the second server started serving");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let output = second.wait_with_output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("already serves"), "{stderr}");
    assert!(output.stdout.is_empty(), "it never listened");
    // Administration commands still open the same directory while it serves.
    server.admin(&["tenant", "list"], "");
    server.stop().await;
}

/// What a probe sent: a URL of 100,000 bytes (more than any HTTP client library builds, so
/// written on a socket). Hyper refuses it before routing; the answer is still a JSON error.
#[tokio::test]
async fn an_over_long_url_gets_a_json_error() {
    let server = TestServer::start().await;
    for len in [70_000, 100_000] {
        let mut stream = connect(&server).await;
        let request = format!(
            "GET /v1/demo/catalogue?{} HTTP/1.1\r\nHost: x\r\n\r\n",
            "a".repeat(len)
        );
        // The server may answer and close before it has read everything.
        let _ = stream.write_all(request.as_bytes()).await;
        let (_, answer) = until_closed(&mut stream).await;
        assert!(
            answer.starts_with("HTTP/1.1 414 "),
            "{len}: {}",
            &answer[..answer.len().min(200)]
        );
        assert!(
            answer.contains("content-type: application/json"),
            "{answer}"
        );
        let body = answer.split("\r\n\r\n").nth(1).unwrap_or_default();
        let body: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(body["error"], "malformed_request", "{body}");
    }
    // The server goes on answering.
    let response = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    server.stop().await;
}

/// Registers a device of the demo town from the client `from`; the answer's status, its
/// `Retry-After` and its JSON body.
async fn register_from(
    server: &TestServer,
    from: [u8; 4],
) -> (u16, Option<String>, serde_json::Value) {
    let client = reqwest::Client::builder()
        .local_address(std::net::IpAddr::from(from))
        .build()
        .unwrap();
    let response = client
        .post(server.url("/v1/demo/devices"))
        .json(&serde_json::json!({"platform": "linux", "app_version": "test"}))
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    let retry_after = response
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_owned());
    (status, retry_after, response.json().await.unwrap())
}

#[tokio::test]
async fn registrations_are_limited_per_client_and_per_town_and_link_codes_per_client() {
    let server = TestServer::start_with(Connections {
        registrations_per_minute: 3,
        town_registrations_per_minute: 5,
        ..Connections::default()
    })
    .await;
    let devices = || server.query::<i64, _>("SELECT COUNT(*) FROM devices", []);
    let before = devices();
    // One registration of 127.0.0.1 (and of the town), for the link codes below.
    let device = server.register().await;
    for _ in 0..2 {
        assert_eq!(register_from(&server, [127, 0, 0, 1]).await.0, 201);
    }
    let (status, retry_after, body) = register_from(&server, [127, 0, 0, 1]).await;
    assert_eq!(status, 429, "{body}");
    assert_eq!(body["error"], "too_many_requests", "{body}");
    let wait: u64 = retry_after.expect("a Retry-After header").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    assert_eq!(
        devices(),
        before + 3,
        "a refused registration stores nothing"
    );
    // Another address has its own allowance, until the town's is used up.
    for _ in 0..2 {
        assert_eq!(register_from(&server, [127, 0, 0, 2]).await.0, 201);
    }
    let (status, _, body) = register_from(&server, [127, 0, 0, 3]).await;
    assert_eq!(status, 429, "the town's 5 a minute are used: {body}");
    assert_eq!(devices(), before + 5);

    // Link codes: 10 guesses a minute from one address, then 429.
    let guess = |code: &'static str| {
        server
            .client
            .post(server.url("/v1/demo/account/link"))
            .bearer_auth(&device.token)
            .json(&serde_json::json!({ "code": code }))
            .send()
    };
    for _ in 0..10 {
        assert_eq!(guess("AAAA-BBBB").await.unwrap().status(), 404);
    }
    let refused = guess("AAAA-BBBB").await.unwrap();
    assert_eq!(refused.status(), 429);
    assert!(refused.headers().contains_key("retry-after"));
    server.stop().await;
}

/// Enrolment codes are guessed within the client's code limit, on the real binary: a wrong code
/// is `403` and logged with the client's address, the eleventh attempt in a minute is `429` with
/// `Retry-After` (before the code is even looked up), and no guess registers a device.
#[tokio::test]
async fn enrolment_code_guesses_are_limited_and_logged_with_the_client_address() {
    let data = tempfile::TempDir::new().unwrap();
    let (child, base) =
        common::spawn_binary(data.path(), &["--demo", "--log-format", "json"], true);
    let client = reqwest::Client::new();
    let guess = || {
        client
            .post(format!("{base}/v1/demo/devices"))
            .json(&json!({
                "platform": "linux", "app_version": "test",
                "enrolment_code": "AAAA-BBBB-CCCC-DDDD",
            }))
            .send()
    };
    for _ in 0..10 {
        assert_eq!(guess().await.unwrap().status(), 403);
    }
    let refused = guess().await.unwrap();
    assert_eq!(refused.status(), 429);
    let wait: u64 = refused.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let body: Value = refused.json().await.unwrap();
    assert_eq!(body["error"], "too_many_requests", "{body}");

    let pid = child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let output = child.wait_with_output().unwrap();
    let logs = String::from_utf8(output.stderr).unwrap();
    let logged = |message: &str| {
        logs.lines()
            .filter_map(|line| serde_json::from_str::<Value>(line).ok())
            .filter(|line| {
                line["fields"]["message"] == message && line["fields"]["client"] == "127.0.0.1"
            })
            .count()
    };
    assert_eq!(logged("unknown enrolment code"), 10, "{logs}");
    assert_eq!(logged("registration refused: over the limit"), 1, "{logs}");
    let devices = common::run_admin(
        data.path(),
        &["devices", "--tenant", "demo", "list", "--all"],
        "",
    );
    assert!(devices.status.success());
    assert_eq!(
        String::from_utf8_lossy(&devices.stdout),
        "",
        "no device registered"
    );
}

/// A second town, Lyon: one square zone around the city and one category.
fn lyon() -> relais_server::seed::TownDefinition {
    let tenant = r#"{"id":"lyon","name":"Lyon",
        "services":[{"code":"voirie","name":{"fr":"Voirie","en":"Roads"}}],
        "groups":[{"code":"rue","name":{"fr":"Rue","en":"Street"}}],
        "categories":[{"code":"nid_de_poule","group":"rue",
                       "name":{"fr":"Nid-de-poule","en":"Pothole"},"service":"voirie"}]}"#;
    let zones = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
        "properties":{"code":"69381","name":"Lyon 1er","kind":"arrondissement"},
        "geometry":{"type":"Polygon",
                    "coordinates":[[[4.8,45.7],[4.9,45.7],[4.9,45.8],[4.8,45.8],[4.8,45.7]]]}}]}"#;
    relais_server::seed::parse(tenant, zones).unwrap()
}

/// A pothole in Lyon, filed as `report_id`.
fn lyon_report(seq: u64, report_id: Uuid) -> Value {
    json!({"seq": seq, "mutation_id": Uuid::now_v7(),
           "op": {"type": "create_report", "report_id": report_id, "category": "nid_de_poule",
                  "location": {"lat": 45.75, "lon": 4.85, "accuracy_m": 8.0},
                  "text": "Un nid-de-poule à Lyon", "created_at_ms": 1_700_000_000_000_i64}})
}

/// `POST /v1/{tenant}/{path}` with the device's token (none to register), as JSON.
async fn post(server: &TestServer, tenant: &str, path: &str, token: &str, body: &Value) -> Value {
    let mut request = server
        .client
        .post(server.url(&format!("/v1/{tenant}/{path}")));
    if !token.is_empty() {
        request = request.bearer_auth(token);
    }
    let response = request.json(body).send().await.unwrap();
    assert!(response.status().is_success(), "{}", response.status());
    response.json().await.unwrap()
}

/// Everything `token`'s device of `tenant` pulls from the start.
async fn pull_all(server: &TestServer, tenant: &str, token: &str) -> Value {
    let response = server
        .client
        .get(server.url(&format!("/v1/{tenant}/sync/pull")))
        .query(&[("cursor", "")])
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// The pulled public state of report `id`, once at most.
fn pulled(pull: &Value, id: Uuid) -> Option<Value> {
    let id = id.to_string();
    let found: Vec<&Value> = pull["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|change| change["kind"] == "report" && change["report"]["id"] == id)
        .collect();
    assert!(found.len() <= 1, "{pull}");
    found.first().map(|change| change["report"].clone())
}

/// An answer's results without what differs between any two mutations (their number and id).
fn outcomes(answer: &Value) -> Vec<Value> {
    answer["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|result| {
            let mut result = result.clone();
            let result_map = result.as_object_mut().unwrap();
            result_map.remove("seq");
            result_map.remove("mutation_id");
            result
        })
        .collect()
}

/// Report ids are unique per town: the id of a Parisian report is taken in Lyon like any new id,
/// the answer there is the same as for a new id (Lyon learns nothing of Paris), each town keeps
/// its own report under that id, and in its own town the id is still taken.
async fn report_ids_are_unique_per_town_only(server: &TestServer, db: &impl Database) {
    db.seed(lyon()).await.unwrap();
    let parisian = server.register().await;
    let report = Uuid::now_v7();
    let filed = post(
        server,
        "demo",
        "sync/push",
        &parisian.token,
        &batch(vec![create_report(1, report, PARIS)]),
    )
    .await;
    assert_eq!(filed["results"][0]["outcome"], "applied", "{filed}");

    let registration = json!({"platform": "linux", "app_version": "test"});
    let lyonnais = post(server, "lyon", "devices", "", &registration).await;
    let lyonnais = lyonnais["token"].as_str().unwrap();
    let fresh = Uuid::now_v7();
    let answer = post(
        server,
        "lyon",
        "sync/push",
        lyonnais,
        &batch(vec![lyon_report(1, report), lyon_report(2, fresh)]),
    )
    .await;
    let outcomes = outcomes(&answer);
    assert_eq!(outcomes[0], json!({"outcome": "applied"}), "{answer}");
    assert_eq!(
        outcomes[0], outcomes[1],
        "the reused id is answered as a new one"
    );

    // A second Lyonnais supports the Lyon report of that id: counted in Lyon only.
    let neighbour = post(server, "lyon", "devices", "", &registration).await;
    let neighbour = neighbour["token"].as_str().unwrap();
    let support = json!({"seq": 1, "mutation_id": Uuid::now_v7(),
                         "op": {"type": "support_report", "report_id": report}});
    let supported = post(
        server,
        "lyon",
        "sync/push",
        neighbour,
        &batch(vec![support]),
    )
    .await;
    assert_eq!(supported["results"][0]["outcome"], "applied", "{supported}");

    let in_lyon = pulled(&pull_all(server, "lyon", lyonnais).await, report).unwrap();
    assert_eq!(in_lyon["text"], "Un nid-de-poule à Lyon");
    assert_eq!(in_lyon["zone"], "69381");
    assert_eq!(in_lyon["supporters"], 1);
    let observer = server.observer().await;
    let in_paris = pulled(&pull_all(server, "demo", &observer.token).await, report).unwrap();
    assert_eq!(in_paris["text"], "Un matelas abandonné sur le trottoir");
    assert!(in_paris.get("supporters").is_none(), "none: left out");
    assert_eq!(in_paris["history"].as_array().unwrap().len(), 1);

    // In its own town the id is taken.
    let again = post(
        server,
        "demo",
        "sync/push",
        &parisian.token,
        &batch(vec![create_report(2, report, PARIS)]),
    )
    .await;
    assert_eq!(
        again["results"][0]["reason"]["code"], "duplicate_id",
        "{again}"
    );
}

#[tokio::test]
async fn report_ids_are_unique_per_town_only_on_sqlite() {
    let server = TestServer::start().await;
    let db = Sqlite::open(&server.database_path()).await.unwrap();
    report_ids_are_unique_per_town_only(&server, &db).await;
    server.stop().await;
}

#[tokio::test]
async fn report_ids_are_unique_per_town_only_on_postgres() {
    let Some(postgres) = relais_server_postgres::testing::test_server("report_ids_per_town") else {
        return;
    };
    let url = relais_server_postgres::testing::fresh_database(&postgres)
        .await
        .unwrap();
    let server = TestServer::start_on(&url).await;
    let db = Postgres::open(&url).await.unwrap();
    report_ids_are_unique_per_town_only(&server, &db).await;
    server.stop().await;
}
