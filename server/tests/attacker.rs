//! The server as an attacker sees it, with real sockets: slow and idle clients are cut, a
//! connection limit keeps the server answering, the metrics are behind their token, the database
//! is its owner's only, a second server cannot open the same data directory, and registrations
//! and code guesses are limited.

mod common;

use std::time::{Duration, Instant};

use common::TestServer;
use relais_server::Connections;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

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
