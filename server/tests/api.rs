//! The HTTP API end to end: the real router and a real SQLite file, spoken to over loopback.

mod common;

use common::{OUTSIDE, PARIS, TestServer, batch, create_report, pulled_ids};
use serde_json::{Value, json};
use uuid::Uuid;

#[tokio::test]
async fn health_check_answers_ok() {
    let server = TestServer::start().await;
    let response = server
        .client
        .get(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(
        response.json::<Value>().await.unwrap(),
        json!({"status": "ok"})
    );
    server.stop().await;
}

#[tokio::test]
async fn a_registered_device_reads_the_catalogue_without_polygons() {
    let server = TestServer::start().await;
    let device = server.register().await;
    assert!(device.token.starts_with("rls_"));
    let response = server
        .client
        .get(server.url("/v1/demo/catalogue"))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let catalogue: Value = response.json().await.unwrap();
    assert_eq!(catalogue["name"], "Paris (démo)");
    assert_eq!(catalogue["zones"].as_array().unwrap().len(), 100);
    assert!(catalogue["zones"][0].get("geometry").is_none());
    let category = catalogue["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == common::CATEGORY)
        .unwrap();
    assert_eq!(category["service"]["fr"], "Propreté et déchets");
    server.stop().await;
}

#[tokio::test]
async fn registering_on_an_unknown_tenant_is_404() {
    let server = TestServer::start().await;
    let response = server
        .client
        .post(server.url("/v1/atlantis/devices"))
        .json(&json!({"platform": "linux", "app_version": "1"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "unknown_tenant"
    );
}

#[tokio::test]
async fn push_then_pull_round_trip_and_a_retry_is_a_no_op() {
    let server = TestServer::start().await;
    let device = server.register().await;
    let report = Uuid::now_v7();
    let body = batch(vec![create_report(1, report, PARIS)]);

    let first: Value = server
        .push(&device.token, &body)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(first["results"][0]["outcome"], "applied");
    assert_eq!(first["last_seq"], 1);
    let retry = server.push(&device.token, &body).await;
    assert_eq!(retry.status(), 200);
    let retry: Value = retry.json().await.unwrap();
    assert_eq!(retry["results"][0]["outcome"], "already_applied");

    let (_, pull) = server.pull(&device.token, "").await;
    assert_eq!(pulled_ids(&pull), [report.to_string()]);
    let pulled = &pull["changes"][0]["report"];
    assert_eq!(pulled["status"], "received");
    assert_eq!(pulled["zone"], "7510401");
    assert_eq!(pulled["history"][0]["status"], "received");
    let cursor = pull["cursor"].as_str().unwrap();
    let (_, again) = server.pull(&device.token, cursor).await;
    assert_eq!(pulled_ids(&again), Vec::<String>::new());
    assert_eq!(again["reset"], false);
    server.stop().await;
}

#[tokio::test]
async fn pulled_reports_carry_no_device_identity() {
    let server = TestServer::start().await;
    let author = server.register().await;
    let reader = server.observer().await;
    server
        .push(
            &author.token,
            &batch(vec![create_report(1, Uuid::now_v7(), PARIS)]),
        )
        .await;
    let (raw, pull) = server.pull(&reader.token, "").await;
    assert_eq!(pulled_ids(&pull).len(), 1);
    assert!(!raw.contains(&author.device_id.to_string()));
    assert!(!raw.contains(&author.device_id.simple().to_string()));
    assert!(!raw.contains("device"));
}

#[tokio::test]
async fn a_gap_is_409_with_the_expected_seq_and_changes_nothing() {
    let server = TestServer::start().await;
    let device = server.register().await;
    let response = server
        .push(
            &device.token,
            &batch(vec![create_report(2, Uuid::now_v7(), PARIS)]),
        )
        .await;
    assert_eq!(response.status(), 409);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"], "sequence_gap");
    assert_eq!(error["expected_seq"], 1);
    let (_, pull) = server.pull(&device.token, "").await;
    assert!(pulled_ids(&pull).is_empty());
}

#[tokio::test]
async fn a_reused_seq_is_409_sequence_conflict() {
    let server = TestServer::start().await;
    let device = server.register().await;
    server
        .push(
            &device.token,
            &batch(vec![create_report(1, Uuid::now_v7(), PARIS)]),
        )
        .await;
    let response = server
        .push(
            &device.token,
            &batch(vec![create_report(1, Uuid::now_v7(), PARIS)]),
        )
        .await;
    assert_eq!(response.status(), 409);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"], "sequence_conflict");
    assert_eq!(error["expected_seq"], 2);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413_json_and_changes_nothing() {
    let server = TestServer::start().await;
    let device = server.register().await;
    let mut mutation = create_report(1, Uuid::now_v7(), PARIS);
    mutation["op"]["text"] = json!("x".repeat(relais_protocol::MAX_BODY_BYTES));
    let response = server.push(&device.token, &batch(vec![mutation])).await;
    assert_eq!(response.status(), 413);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"], "body_too_large");
    let (_, pull) = server.pull(&device.token, "").await;
    assert!(pulled_ids(&pull).is_empty());
    // The sequence was not consumed.
    let ok: Value = server
        .push(
            &device.token,
            &batch(vec![create_report(1, Uuid::now_v7(), PARIS)]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(ok["results"][0]["outcome"], "applied");
}

#[tokio::test]
async fn malformed_bodies_and_queries_are_400_json() {
    let server = TestServer::start().await;
    let device = server.register().await;
    for body in [
        "{not json",
        r#"{"mutations": 3}"#,
        r#"{"mutations":[{"seq":1}]}"#,
    ] {
        let response = server
            .client
            .post(server.url("/v1/demo/sync/push"))
            .bearer_auth(&device.token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 400, "{body}");
        let error: Value = response.json().await.unwrap();
        assert_eq!(error["error"], "malformed_request", "{body}");
    }
    let response = server
        .client
        .get(server.url("/v1/demo/sync/pull?limit=lots"))
        .bearer_auth(&device.token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "malformed_request"
    );
}

#[tokio::test]
async fn bad_missing_or_foreign_tokens_are_401() {
    let server = TestServer::start().await;
    let device = server.register().await;
    let requests = [
        server.client.get(server.url("/v1/demo/catalogue")),
        server
            .client
            .get(server.url("/v1/demo/catalogue"))
            .bearer_auth("rls_0000"),
        server
            .client
            .get(server.url("/v1/other/catalogue"))
            .bearer_auth(&device.token),
        server
            .client
            .post(server.url("/v1/demo/sync/push"))
            .bearer_auth(format!("{}x", device.token))
            .json(&batch(vec![])),
    ];
    for request in requests {
        let response = request.send().await.unwrap();
        assert_eq!(response.status(), 401);
        assert_eq!(
            response.json::<Value>().await.unwrap()["error"],
            "unauthorized"
        );
    }
}

#[tokio::test]
async fn unknown_routes_are_404_json() {
    let server = TestServer::start().await;
    let response = server
        .client
        .get(server.url("/v2/nothing"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "not_found"
    );
    let response = server
        .client
        .delete(server.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 405);
    assert!(response.json::<Value>().await.is_ok());
}

#[tokio::test]
async fn a_report_outside_the_town_is_rejected_in_french_and_english() {
    let server = TestServer::start().await;
    let device = server.register().await;
    let answer: Value = server
        .push(
            &device.token,
            &batch(vec![create_report(1, Uuid::now_v7(), OUTSIDE)]),
        )
        .await
        .json()
        .await
        .unwrap();
    let result = &answer["results"][0];
    assert_eq!(result["outcome"], "rejected");
    assert_eq!(result["reason"]["code"], "outside_zones");
    assert_eq!(
        result["reason"]["message"]["fr"],
        "Ce point est en dehors de la ville de Paris (démo)."
    );
    assert_eq!(
        result["reason"]["message"]["en"],
        "This point is outside Paris (démo)."
    );
    assert_eq!(answer["last_seq"], 1);
}

#[tokio::test]
async fn an_answered_push_is_in_the_database_file() {
    let server = TestServer::start().await;
    let device = server.register().await;
    let report = Uuid::now_v7();
    let response = server
        .push(&device.token, &batch(vec![create_report(1, report, PARIS)]))
        .await;
    assert_eq!(response.status(), 200);
    // A fresh connection sees the committed rows (WAL included).
    let conn = rusqlite::Connection::open(server.database_path()).unwrap();
    let (zone, status): (String, String) = conn
        .query_row(
            "SELECT zone_code, status FROM reports WHERE id = ?1",
            [report.to_string()],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    assert_eq!((zone.as_str(), status.as_str()), ("7510401", "received"));
    let recorded: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM device_mutations WHERE device_id = ?1",
            [device.device_id.to_string()],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(recorded, 1);
    server.stop().await;
}

#[tokio::test]
async fn metrics_count_requests_and_outcomes() {
    let server = TestServer::start().await;
    server.without_questions();
    let device = server.register().await;
    let first = batch(vec![
        create_report(1, Uuid::now_v7(), OUTSIDE),
        create_report(2, Uuid::now_v7(), PARIS),
    ]);
    for _ in 0..2 {
        // The retry replays both outcomes: one duplicate, one rejection again.
        let answer = server.push(&device.token, &first).await;
        assert_eq!(answer.status(), 200);
    }
    let gap = server
        .push(
            &device.token,
            &batch(vec![create_report(9, Uuid::now_v7(), PARIS)]),
        )
        .await;
    assert_eq!(gap.status(), 409);
    let unknown = server
        .client
        .get(server.url("/v1/demo/nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), 404);
    let text = server
        .client
        .get(server.url("/metrics"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    // This server's own counts, whatever the other tests' servers in this process record.
    for line in [
        r#"http_requests_total{route="/v1/{tenant}/devices",status="201"} 1"#,
        r#"http_requests_total{route="/v1/{tenant}/sync/push",status="200"} 2"#,
        r#"http_requests_total{route="/v1/{tenant}/sync/push",status="409"} 1"#,
        r#"http_requests_total{route="unmatched",status="404"} 1"#,
        r#"http_request_duration_seconds_bucket{route="/v1/{tenant}/sync/push",le="+Inf"} 3"#,
        r#"http_request_duration_seconds_count{route="/v1/{tenant}/sync/push"} 3"#,
        r#"sync_mutations_total{outcome="applied"} 1"#,
        r#"sync_mutations_total{outcome="already_applied"} 1"#,
        r#"sync_mutations_total{outcome="rejected"} 2"#,
        r#"sync_rejections_total{reason="outside_zones"} 2"#,
        r#"sync_batches_refused_total{kind="gap"} 1"#,
        r#"sync_batches_refused_total{kind="conflict"} 0"#,
    ] {
        assert!(text.lines().any(|l| l == line), "no {line:?} in:\n{text}");
    }
    assert!(text.contains("# TYPE http_request_duration_seconds histogram"));
    // Routes are templates: no tenant, id or unknown path becomes a label.
    assert!(!text.contains("/v1/demo/"), "{text}");
}

#[tokio::test]
async fn concurrent_pushes_are_all_pulled_once_in_pages() {
    let server = std::sync::Arc::new(TestServer::start().await);
    let mut tasks = Vec::new();
    for _ in 0..8 {
        let server = std::sync::Arc::clone(&server);
        tasks.push(tokio::spawn(async move {
            let device = server.register().await;
            for seq in 1..=5 {
                let answer = server
                    .push(
                        &device.token,
                        &batch(vec![create_report(seq, Uuid::now_v7(), PARIS)]),
                    )
                    .await;
                assert_eq!(answer.status(), 200);
            }
            device.token
        }));
    }
    let mut tokens = Vec::new();
    for task in tasks {
        tokens.push(task.await.unwrap());
    }
    let mut cursor = String::new();
    let mut seen = Vec::new();
    loop {
        let response: Value = server
            .client
            .get(server.url("/v1/demo/sync/pull"))
            .query(&[("cursor", cursor.as_str()), ("limit", "7")])
            .bearer_auth(&tokens[0])
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen.extend(pulled_ids(&response));
        cursor = response["cursor"].as_str().unwrap().to_owned();
        if response["has_more"] == false {
            break;
        }
    }
    assert_eq!(seen.len(), 40);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 40);
}
