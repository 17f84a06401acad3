//! The town's catalogue and directory sent once then `304`, gzip both ways, the nearby
//! endpoint, and routing by category and zone (including after a change of the table), on the
//! real router over 127.0.0.1.

mod common;

use std::io::{Read, Write};
use std::process::Command;

use common::{CATEGORY, PARIS, TestServer, batch};
use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use reqwest::header::{ACCEPT_ENCODING, CONTENT_ENCODING, ETAG, IF_NONE_MATCH};
use serde_json::{Value, json};
use uuid::Uuid;

/// In the Bel-Air quartier (12th arrondissement, next to the Bois de Vincennes), where the demo
/// routes damaged street furniture to the wood's service.
const BEL_AIR: (f64, f64) = (48.8386, 2.4065);
const FURNITURE: &str = "autre_mobilier_urbain_deteriore";

fn create(seq: u64, category: &str, (lat, lon): (f64, f64)) -> Value {
    json!({"seq": seq, "mutation_id": Uuid::now_v7(), "op": {
        "type": "create_report", "report_id": Uuid::now_v7(), "category": category,
        "location": {"lat": lat, "lon": lon}, "text": "Banc cassé", "created_at_ms": 1_700_000_000_000_i64}})
}

#[tokio::test]
async fn the_catalogue_and_the_directory_travel_once_then_304_and_compressed() {
    let server = TestServer::start().await;
    let device = server.register().await;
    // A client that leaves the answer compressed, to see what travels.
    let raw = reqwest::Client::builder().no_gzip().build().unwrap();
    for path in ["/v1/demo/catalogue", "/v1/demo/directory"] {
        let first = raw
            .get(server.url(path))
            .bearer_auth(&device.token)
            .header(ACCEPT_ENCODING, "gzip")
            .send()
            .await
            .unwrap();
        assert_eq!(first.status(), 200);
        assert_eq!(first.headers()[CONTENT_ENCODING], "gzip", "{path}");
        let tag = first.headers()[ETAG].clone();
        let compressed = first.bytes().await.unwrap();
        let mut json = String::new();
        GzDecoder::new(&compressed[..])
            .read_to_string(&mut json)
            .unwrap();
        let body: Value = serde_json::from_str(&json).unwrap();
        assert!(body["version"].is_i64());
        assert!(
            compressed.len() * 3 < json.len(),
            "{path}: gzip should shrink JSON"
        );

        let again = server
            .client
            .get(server.url(path))
            .bearer_auth(&device.token)
            .header(IF_NONE_MATCH, tag.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
        assert!(again.bytes().await.unwrap().is_empty());
    }
    // The catalogue names its services and routing, and its zones nest.
    let catalogue: Value = server
        .get(&device.token, "/v1/demo/catalogue")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        catalogue["services"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "bois_de_vincennes")
    );
    assert!(
        catalogue["routing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["category"] == FURNITURE && r["zone"] == "7511201")
    );
    assert!(
        !catalogue["rejection_reasons"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert!(!catalogue["reply_templates"].as_array().unwrap().is_empty());
    server.stop().await;
}

#[tokio::test]
async fn a_gzip_push_is_taken_and_one_that_inflates_past_the_limit_is_413() {
    let server = TestServer::start().await;
    server.without_questions();
    let device = server.register().await;
    let gzip = |body: &Value| {
        let mut encoder = GzEncoder::new(Vec::new(), Compression::fast());
        encoder
            .write_all(&serde_json::to_vec(body).unwrap())
            .unwrap();
        encoder.finish().unwrap()
    };
    let push = |body: Vec<u8>| {
        server
            .client
            .post(server.url("/v1/demo/sync/push"))
            .bearer_auth(&device.token)
            .header("content-type", "application/json")
            .header(CONTENT_ENCODING, "gzip")
            .body(body)
            .send()
    };
    let response = push(gzip(&batch(vec![create(1, CATEGORY, PARIS)])))
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    let answer: Value = response.json().await.unwrap();
    assert_eq!(answer["results"][0]["outcome"], "applied");

    // A few kilobytes that inflate to megabytes: refused before they are parsed.
    let mut bomb = create(2, CATEGORY, PARIS);
    bomb["op"]["text"] = json!("a".repeat(4 * relais_protocol::MAX_BODY_BYTES));
    let compressed = gzip(&batch(vec![bomb]));
    assert!(compressed.len() < 64 * 1024);
    let response = push(compressed).await.unwrap();
    assert_eq!(response.status(), 413);
    let error: Value = response.json().await.unwrap();
    assert_eq!(error["error"], "body_too_large");
    assert_eq!(
        server.query::<i64, _>("SELECT COUNT(*) FROM reports", []),
        1
    );
    server.stop().await;
}

#[tokio::test]
async fn nearby_offers_the_open_originals_of_the_category_around_a_point() {
    let server = TestServer::start().await;
    server.without_questions();
    let author = server.register().await;
    let answer: Value = server
        .push(
            &author.token,
            &batch(vec![create(1, CATEGORY, PARIS), create(2, CATEGORY, PARIS)]),
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(answer["results"][1]["outcome"], "applied");
    let other = server.register().await;
    let (server, other) = (&server, &other);
    let nearby = |path: String| async move { server.get(&other.token, &path).await };
    let near: Value = nearby(format!(
        "/v1/demo/reports/nearby?lat=48.8567&lon=2.3522&category={CATEGORY}"
    ))
    .await
    .json()
    .await
    .unwrap();
    // The second report repeats the first: only the original is offered.
    let reports = near["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 1, "{near}");
    assert!(reports[0]["distance_m"].as_f64().unwrap() < 20.0);
    assert_eq!(near["radius_m"], 250);
    let far: Value = nearby(format!(
        "/v1/demo/reports/nearby?lat=48.87&lon=2.3522&category={CATEGORY}"
    ))
    .await
    .json()
    .await
    .unwrap();
    assert!(far["reports"].as_array().unwrap().is_empty());
    assert_eq!(
        nearby("/v1/demo/reports/nearby?lat=48.85&lon=2.35&category=nope".into())
            .await
            .status(),
        404
    );
    assert_eq!(
        nearby(format!(
            "/v1/demo/reports/nearby?lat=91&lon=2.35&category={CATEGORY}"
        ))
        .await
        .status(),
        400
    );
    assert_eq!(
        nearby("/v1/demo/reports/nearby?lat=x".into())
            .await
            .status(),
        400
    );
}

#[tokio::test]
async fn reports_are_routed_by_category_and_zone_and_a_table_change_applies_to_new_reports() {
    let server = TestServer::start().await;
    server.without_questions();
    let citizen = server.register().await;
    let service_of = |seq: u64, category: &'static str, at: (f64, f64)| {
        let (server, token) = (&server, citizen.token.clone());
        async move {
            let mutation = create(seq, category, at);
            let id = mutation["op"]["report_id"].as_str().unwrap().to_owned();
            let answer: Value = server
                .push(&token, &batch(vec![mutation]))
                .await
                .json()
                .await
                .unwrap();
            assert_eq!(answer["results"][0]["outcome"], "applied", "{answer}");
            let service: String = server.query(
                "SELECT service_code FROM reports WHERE id = ?1",
                [id.clone()],
            );
            (id, service)
        }
    };
    // By category: the category's default service.
    assert_eq!(service_of(1, CATEGORY, PARIS).await.1, "proprete");
    assert_eq!(service_of(2, FURNITURE, PARIS).await.1, "voirie");
    // By zone: the same category in Bel-Air goes to the wood's service.
    let (in_bel_air, service) = service_of(3, FURNITURE, BEL_AIR).await;
    assert_eq!(service, "bois_de_vincennes");

    // The administrator changes the table: reports received from then on follow it; the ones
    // already received keep their service.
    let data = server.database_path().parent().unwrap().to_owned();
    let output = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .arg("--data")
        .arg(&data)
        .args(["routing", "--tenant", "demo", "set", "--category", CATEGORY])
        .args(["--zone", "7510401", "--service", "voirie"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(service_of(4, CATEGORY, PARIS).await.1, "voirie");
    assert_eq!(
        service_of(5, CATEGORY, (48.8530, 2.3499)).await.1,
        "proprete"
    );
    let kept: String = server.query(
        "SELECT service_code FROM reports WHERE id = ?1",
        [in_bel_air],
    );
    assert_eq!(kept, "bois_de_vincennes");
    // The devices' catalogue says so too, for their offline preview.
    let catalogue: Value = server
        .get(&citizen.token, "/v1/demo/catalogue")
        .await
        .json()
        .await
        .unwrap();
    assert!(
        catalogue["routing"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["category"] == CATEGORY
                && r["zone"] == "7510401"
                && r["service"] == "voirie")
    );
    server.stop().await;
}
