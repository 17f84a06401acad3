//! The catalogue extensions (questions, response times, settings, zone outlines) and the
//! directory of public services, over HTTP on the real router, plus the `import-directory`
//! administration task of the binary.

mod common;

use std::path::Path;
use std::process::Command;

use common::{PARIS, TestServer};
use relais_protocol::{Catalogue, Directory, QuestionKind, TownSettings};
use relais_server::{Database, Sqlite, seed};
use serde_json::json;
use tempfile::TempDir;

async fn get<T: serde::de::DeserializeOwned>(server: &TestServer, token: &str, path: &str) -> T {
    let response = server.get(token, path).await;
    assert_eq!(response.status(), 200, "{path}");
    response.json().await.unwrap()
}

/// Even-odd ray casting over every ring: inside when an odd number of edges cross the ray.
fn inside(polygons: &[Vec<Vec<[f64; 2]>>], lon: f64, lat: f64) -> bool {
    let mut crossings = 0;
    for ring in polygons.iter().flatten() {
        for edge in ring.windows(2) {
            let ([x1, y1], [x2, y2]) = (edge[0], edge[1]);
            if (y1 > lat) != (y2 > lat) && lon < x1 + (lat - y1) * (x2 - x1) / (y2 - y1) {
                crossings += 1;
            }
        }
    }
    crossings % 2 == 1
}

#[tokio::test]
async fn the_catalogue_carries_questions_response_times_settings_and_outlines() {
    let server = TestServer::start().await;
    let device = server.register().await;
    let catalogue: Catalogue = get(&server, &device.token, "/v1/demo/catalogue").await;

    assert_eq!(catalogue.settings, TownSettings::default());
    assert!(
        catalogue
            .categories
            .iter()
            .all(|c| matches!(c.response_days, Some(2..=14)))
    );
    let items = catalogue.category("objets_abandonnes_autre").unwrap();
    let question = &items.questions[0];
    assert_eq!(question.label.fr, "Quel type d'objet ?");
    assert!(question.required);
    let QuestionKind::SingleChoice { options } = &question.kind else {
        panic!("{question:?}")
    };
    let labels: Vec<_> = options.iter().map(|o| o.label.fr.as_str()).collect();
    assert_eq!(labels, ["Matelas", "Meuble", "Électroménager", "Autre"]);
    let graffiti = catalogue
        .category("graffitis_mur_facade_pont_descente_eau")
        .unwrap();
    assert_eq!(
        graffiti.questions[0].kind,
        QuestionKind::Number { integer: false }
    );
    assert!(!graffiti.questions[0].required);
    let lamps = catalogue.category("eclairage_public_eteint_nuit").unwrap();
    assert_eq!(lamps.questions[0].label.en, "How many street lamps?");
    assert_eq!(lamps.duplicate_radius_m, Some(100));

    assert_eq!(catalogue.zones.len(), 100);
    assert!(catalogue.zones.iter().all(|z| !z.polygons.is_empty()));
    let (lat, lon) = PARIS;
    let containing: Vec<_> = catalogue
        .zones
        .iter()
        .filter(|z| inside(&z.polygons, lon, lat))
        .map(|z| z.code.as_str())
        .collect();
    // Hôtel de Ville: the 4th arrondissement and its quartier Saint-Merri.
    assert_eq!(containing, ["75104", "7510401"]);
    let saint_merri = catalogue.zone("7510401").unwrap();
    assert_eq!(saint_merri.parent.as_deref(), Some("75104"));
    assert!(
        !catalogue
            .zones
            .iter()
            .any(|z| inside(&z.polygons, 3.08, 45.78))
    );
    server.stop().await;
}

#[tokio::test]
async fn the_demo_directory_lists_paris_town_halls_and_sports_facilities() {
    let server = TestServer::start().await;
    let device = server.register().await;
    let directory: Directory = get(&server, &device.token, "/v1/demo/directory").await;
    assert_eq!(directory.min_sample, 5);
    assert_eq!(directory.version, 1);
    assert_eq!(directory.services.len(), 17 + 547);
    let hall = directory
        .services
        .iter()
        .find(|s| s.id == "mairie-75105")
        .unwrap();
    assert_eq!(hall.kind.en, "Town hall");
    assert_eq!(
        hall.address.as_deref(),
        Some("21 place du Panthéon, 75005 Paris")
    );
    assert!(directory.services.iter().all(|s| s.ratings.is_none()));

    let unauthenticated = server
        .client
        .get(server.url("/v1/demo/directory"))
        .send()
        .await
        .unwrap();
    assert_eq!(unauthenticated.status(), 401);
    server.stop().await;
}

#[tokio::test]
async fn a_town_sees_only_its_own_directory() {
    let server = TestServer::start().await;
    let demo = server.register().await;
    // A second town in the same database, created the way an operator would (seed, import).
    let db = Sqlite::open(&server.database_path()).await.unwrap();
    let tenant = r#"{"id":"lyon","name":"Lyon","services":[],"groups":[],"categories":[]}"#;
    let zones = r#"{"type":"FeatureCollection","features":[]}"#;
    db.seed(seed::parse(tenant, zones).unwrap()).await.unwrap();
    let entries = serde_json::from_value(json!([{
        "id": "mairie-69381", "name": {"fr": "Mairie du 1er", "en": "Mairie du 1er"},
        "kind": {"fr": "Mairie", "en": "Town hall"}
    }]))
    .unwrap();
    db.import_directory("lyon", entries).await.unwrap().unwrap();

    let response = server
        .client
        .post(server.url("/v1/lyon/devices"))
        .json(&json!({"platform": "linux", "app_version": "test"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 201);
    let lyon: relais_protocol::Registered = response.json().await.unwrap();
    let directory: Directory = get(&server, &lyon.token, "/v1/lyon/directory").await;
    let ids: Vec<_> = directory.services.iter().map(|s| s.id.as_str()).collect();
    assert_eq!(ids, ["mairie-69381"]);
    let demo_directory: Directory = get(&server, &demo.token, "/v1/demo/directory").await;
    assert!(
        !demo_directory
            .services
            .iter()
            .any(|s| s.id == "mairie-69381")
    );

    // A device of one town cannot read the other's directory.
    let crossed = server.get(&demo.token, "/v1/lyon/directory").await;
    assert_eq!(crossed.status(), 401);
    server.stop().await;
}

fn import(data: &Path, args: &[&str]) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_relais-server"))
        .arg("--data")
        .arg(data)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

#[test]
fn import_directory_is_idempotent() {
    let data = TempDir::new().unwrap();
    let file = data.path().join("services.json");
    std::fs::write(
        &file,
        r#"[{"id":"piscine-1","name":{"fr":"Piscine","en":"Piscine"},
             "kind":{"fr":"Piscine","en":"Swimming pool"}}]"#,
    )
    .unwrap();
    let file = file.to_str().unwrap();
    let first = import(
        data.path(),
        &["--demo", "import-directory", "--tenant", "demo", file],
    );
    assert!(
        first.contains("1 added, 0 updated, 0 unchanged (directory version 2)"),
        "{first}"
    );
    let again = import(data.path(), &["import-directory", "--tenant", "demo", file]);
    assert!(
        again.contains("0 added, 0 updated, 1 unchanged (directory version 2)"),
        "{again}"
    );
}

#[test]
fn import_directory_reads_the_real_open_data_files() {
    let shared = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    if !shared.is_dir() {
        eprintln!("note: {} is absent, skipping", shared.display());
        return;
    }
    let data = TempDir::new().unwrap();
    let csv = shared.join("mairies_69_42_75_annuaire.csv");
    let geojson = shared.join("paris_equipements_sportifs_RES.geojson");
    let args = [
        "--demo",
        "import-directory",
        "--tenant",
        "demo",
        csv.to_str().unwrap(),
        geojson.to_str().unwrap(),
    ];
    // The demo already holds Paris's entries: only the other départements' town halls are new.
    let first = import(data.path(), &args);
    assert!(first.contains(": 632 entries"), "{first}");
    assert!(first.contains(": 547 entries"), "{first}");
    assert!(
        first.contains("imported 1179 entries into demo: 615 added, 0 updated, 564 unchanged"),
        "{first}"
    );
    let again = import(data.path(), &args);
    assert!(
        again.contains("0 added, 0 updated, 1179 unchanged"),
        "{again}"
    );
}

/// The server keeps the directory it serialised until the stored one changes: a rating, or a
/// change made behind its back (another server, an administrator's command), reaches the next
/// device that asks, and an unchanged one costs a `304`.
#[tokio::test]
async fn a_rating_reaches_the_next_device_that_asks_for_the_directory() {
    let server = TestServer::start().await;
    let device = server.register().await;
    server.sql("UPDATE tenants SET rating_min_sample = 1", ());
    let fetch = async |tag: Option<&str>| {
        let mut request = server
            .client
            .get(server.url("/v1/demo/directory"))
            .bearer_auth(&device.token);
        if let Some(tag) = tag {
            request = request.header("If-None-Match", tag);
        }
        let response = request.send().await.unwrap();
        let status = response.status().as_u16();
        let tag = response.headers()["etag"].to_str().unwrap().to_owned();
        let body = response.bytes().await.unwrap();
        let directory = serde_json::from_slice::<Directory>(&body).ok();
        (status, tag, directory)
    };
    let (status, first, _) = fetch(None).await;
    assert_eq!(status, 200);
    assert_eq!(fetch(Some(&first)).await.0, 304);

    let rating = json!({
        "seq": 1,
        "mutation_id": uuid::Uuid::now_v7(),
        "op": {"type": "rate_service", "service_id": "mairie-75105", "satisfaction": 2,
               "importance": 5, "comment": "Trop d'attente"},
    });
    let pushed = server
        .push(&device.token, &common::batch(vec![rating]))
        .await;
    assert_eq!(pushed.status(), 200);
    let (status, second, directory) = fetch(Some(&first)).await;
    assert_eq!(status, 200, "the rating changed the directory");
    assert_ne!(second, first);
    // The last page of a pull says the tags a `GET` answers now, so a device holding them
    // asks for neither.
    let (_, page) = server.pull(&device.token, "").await;
    assert_eq!(page["has_more"], false);
    assert_eq!(page["resources"]["directory"], second.as_str());
    let catalogue = server.get(&device.token, "/v1/demo/catalogue").await;
    assert_eq!(
        page["resources"]["catalogue"],
        catalogue.headers()["etag"].to_str().unwrap()
    );
    let hall = directory
        .unwrap()
        .services
        .into_iter()
        .find(|s| s.id == "mairie-75105")
        .unwrap();
    assert_eq!(hall.ratings.unwrap().count, 1);
    assert_eq!(fetch(Some(&second)).await.0, 304);

    // Written behind the server's back, as another server would.
    server.sql(
        "UPDATE public_services SET name_fr = 'Mairie du Ve' WHERE id = 'mairie-75105'",
        (),
    );
    server.sql(
        "UPDATE tenants SET directory_version = directory_version + 1",
        (),
    );
    let (status, _, directory) = fetch(Some(&second)).await;
    assert_eq!(status, 200);
    assert!(
        directory
            .unwrap()
            .services
            .iter()
            .any(|s| s.name.fr == "Mairie du Ve")
    );
    server.stop().await;
}
