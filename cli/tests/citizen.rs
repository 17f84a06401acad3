//! End-to-end: the citizen's experience through the real `relais-server --demo` and real
//! `relais` phones on 127.0.0.1 — photos, duplicates and "me too", the timeline with the city's
//! answer and a reopening, service ratings, data export and deletion, both languages.

mod common;

use std::path::PathBuf;

use common::{Phone, Server, free_port, registered};
use serde_json::Value;
use sha2::{Digest, Sha256};

const CATEGORY: &str = "autres_encombrants_abandonnes";
/// Hôtel de Ville, in the 4th arrondissement.
const HERE: (f64, f64) = (48.8566, 2.3522);

fn report(phone: &Phone, id: &str) -> Value {
    phone
        .report(id)
        .unwrap_or_else(|| panic!("no report {id} on this phone"))
}

/// The category's required question, answered.
fn answers(phone: &Phone) -> Vec<String> {
    let categories: Value = phone.json(&["categories", "--json"]);
    let category = categories
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == CATEGORY)
        .unwrap();
    category["questions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|q| q["required"] == true)
        .map(|q| {
            let value = match q["kind"].as_str().unwrap() {
                "number" => "2".to_owned(),
                "single_choice" | "multi_choice" => {
                    q["options"][0]["code"].as_str().unwrap().to_owned()
                }
                _ => "réponse".to_owned(),
            };
            format!("{}={value}", q["code"].as_str().unwrap())
        })
        .collect()
}

fn file(phone: &Phone, (lat, lon): (f64, f64), text: &str, photos: &[PathBuf]) -> String {
    let (lat, lon) = (lat.to_string(), lon.to_string());
    let mut args = vec![
        "report",
        "--category",
        CATEGORY,
        "--lat",
        &lat,
        "--lon",
        &lon,
        "--text",
        text,
        "--json",
    ];
    let answers = answers(phone);
    for answer in &answers {
        args.extend(["--answer", answer]);
    }
    let photos: Vec<String> = photos
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    for photo in &photos {
        args.extend(["--photo", photo]);
    }
    phone.json(&args)["id"].as_str().unwrap().to_owned()
}

/// The real photos of the shared data set, if this machine has them.
fn real_photo(name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data/photos")
        .join(name);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is not on this machine", path.display());
        None
    }
}

#[test]
fn photos_travel_stripped_and_whole_and_any_device_of_the_town_can_fetch_them() {
    let (Some(rotated), Some(with_gps)) = (
        real_photo("large_xiaomi_mi9t_4000x3000_orient6_emptygps.jpg"),
        real_photo("gps_iphone6_madrid_3264x2448.jpg"),
    ) else {
        return;
    };
    let server = Server::start(free_port());
    let a = registered(&server);
    let id = file(&a, HERE, "Matelas et sommier", &[rotated, with_gps]);
    a.ok(&["sync"]);
    let mine = report(&a, &id);
    let photos: Vec<String> = mine["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(photos.len(), 2);
    assert_eq!(mine["photos_sent"], 2, "{mine}");

    // Another phone of the town, following the 4th arrondissement, receives the report.
    let b = registered(&server);
    b.ok(&["follow-zone", "75104"]);
    b.ok(&["sync"]);
    assert_eq!(report(&b, &id)["photos"].as_array().unwrap().len(), 2);
    for sha in &photos {
        let out = b.data().join("fetched.jpg");
        b.ok(&["photo", "fetch", sha, "--out", out.to_str().unwrap()]);
        let bytes = std::fs::read(&out).unwrap();
        assert_eq!(hex::encode(Sha256::digest(&bytes)), *sha, "the exact bytes");
        assert_eq!(
            bytes,
            std::fs::read(a.data().join("photos").join(format!("{sha}.jpg"))).unwrap()
        );
        assert!(!bytes.windows(4).any(|w| w == b"Exif"), "no EXIF left");
        assert!(!bytes.windows(3).any(|w| w == b"GPS"), "no GPS left");
    }
    let bad = b.run(&["photo", "fetch", &"0".repeat(64), "--out", "/dev/null"]);
    assert!(!bad.status.success());
}

#[test]
fn nearby_reports_are_offered_and_me_too_is_counted_once() {
    let server = Server::start(free_port());
    let a = registered(&server);
    let first = file(&a, HERE, "Canapé abandonné", &[]);
    a.ok(&["sync"]);

    let b = registered(&server);
    b.ok(&["sync"]);
    let nearby: Value = b.json(&[
        "nearby",
        "--lat",
        "48.8568",
        "--lon",
        "2.3524",
        "--category",
        CATEGORY,
        "--json",
    ]);
    let offered: Vec<&str> = nearby["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["report"]["id"].as_str().unwrap())
        .collect();
    assert!(offered.contains(&first.as_str()), "{nearby}");
    let far: Value = b.json(&[
        "nearby",
        "--lat",
        "48.88",
        "--lon",
        "2.30",
        "--category",
        CATEGORY,
        "--json",
    ]);
    assert!(
        far["reports"]
            .as_array()
            .unwrap()
            .iter()
            .all(|n| n["report"]["id"] != first.as_str())
    );

    b.ok(&["support", &first]);
    let again = b.run(&["support", &first]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already"));
    let own = a.run(&["support", &first]);
    assert!(!own.status.success());
    b.ok(&["sync"]);
    a.ok(&["sync"]);
    assert_eq!(report(&a, &first)["supporters"], 1);

    // The server flags a new report next to an open one of the same category.
    let second = file(&b, (48.8567, 2.3523), "Encore un canapé", &[]);
    b.ok(&["sync"]);
    assert_eq!(report(&b, &second)["duplicate_of"], first.as_str());
}

#[test]
fn the_city_answers_the_citizen_follows_the_timeline_and_reopens() {
    let port = free_port();
    let server = Server::start(port);
    let a = registered(&server);
    let id = file(&a, HERE, "Dépôt sauvage rue de Rivoli", &[]);
    a.ok(&["sync"]);

    let agent = server.agent_phone("proprete", "agent.proprete@paris.example");
    agent.ok(&["sync"]);
    agent.ok(&[
        "status",
        &id,
        "--to",
        "resolved",
        "--reply",
        "Enlevé ce matin",
    ]);
    agent.ok(&["sync"]);

    let sync = a.run(&["sync"]);
    assert!(sync.status.success());
    let printed = String::from_utf8_lossy(&sync.stdout);
    assert!(
        printed.contains("notification:") && printed.contains("Enlevé ce matin"),
        "{printed}"
    );
    a.ok(&["reply", &id, "--text", "Merci, mais il en reste"]);
    let timeline: Value = a.json(&["timeline", &id, "--json"]);
    let kinds: Vec<&str> = timeline["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert!(
        kinds.contains(&"status") && kinds.contains(&"message") && kinds.contains(&"reply"),
        "{timeline}"
    );
    assert_eq!(timeline["can_confirm"], true);
    a.ok(&["confirm", &id, "--not-fixed", "--satisfaction", "2"]);
    a.ok(&["sync"]);
    assert_eq!(report(&a, &id)["status"], "reopened");
    let french: Value = a.json_lang("fr", &["timeline", &id, "--json"]);
    assert!(
        french["timeline"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["label"] == "Rouvert"),
        "{french}"
    );
}

#[test]
fn services_are_rated_once_per_citizen_and_summaries_appear_above_the_minimum_sample() {
    let server = Server::start(free_port());
    let phones: Vec<Phone> = (0..5).map(|_| registered(&server)).collect();
    let services: Value = phones[0].json(&["services", "--json"]);
    let service = services
        .as_array()
        .unwrap()
        .first()
        .expect("the demo town has a directory")["id"]
        .as_str()
        .unwrap()
        .to_owned();
    phones[0].ok(&[
        "rate",
        "--service",
        &service,
        "--satisfaction",
        "1",
        "--importance",
        "5",
        "--comment",
        "Trop d'attente",
    ]);
    phones[0].ok(&[
        "rate",
        "--service",
        &service,
        "--satisfaction",
        "2",
        "--importance",
        "5",
    ]);
    let mine: Value = phones[0].json(&["ratings", "--json"]);
    assert_eq!(
        mine.as_array().unwrap().len(),
        1,
        "a new rating replaces the old"
    );
    assert_eq!(mine[0]["satisfaction"], 2);
    let bad = phones[0].run(&[
        "rate",
        "--service",
        &service,
        "--satisfaction",
        "6",
        "--importance",
        "5",
    ]);
    assert!(!bad.status.success());
    for phone in &phones[1..] {
        phone.ok(&[
            "rate",
            "--service",
            &service,
            "--satisfaction",
            "4",
            "--importance",
            "3",
        ]);
    }
    for phone in &phones {
        phone.ok(&["sync"]);
    }
    phones[0].ok(&["sync"]);
    let services: Value = phones[0].json(&["services", "--json"]);
    let rated = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == service.as_str())
        .unwrap();
    assert_eq!(rated["ratings_count"], 5, "{rated}");
    let mean = rated["satisfaction_mean"].as_f64().unwrap();
    assert!((mean - 3.6).abs() < 1e-9, "(2 + 4 × 4) / 5, got {mean}");
    assert_eq!(rated["my_rating"]["state"], "sent");
}

#[test]
fn a_citizen_exports_then_deletes_their_data_and_their_reports_stay_anonymous() {
    let server = Server::start(free_port());
    let a = registered(&server);
    let id = file(&a, HERE, "Poubelle renversée", &[]);
    a.ok(&["sync"]);
    let export = a.data().join("export.json");
    a.ok(&["account", "export", "--out", export.to_str().unwrap()]);
    let exported: Value = serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    assert!(
        exported["reports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id.as_str()),
        "{exported}"
    );
    let device_id = a.device_id();
    assert!(
        exported["devices"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["id"] == device_id.as_str())
    );

    a.ok(&["account", "delete"]);
    // The device was reset: it is not registered any more, and says so.
    let reset = a.run(&["reports", "--json"]);
    assert_eq!(reset.status.code(), Some(5), "{reset:?}");
    assert!(String::from_utf8_lossy(&reset.stderr).contains("not registered"));
    let b = registered(&server);
    b.ok(&["follow-zone", "75104"]);
    b.ok(&["sync"]);
    let seen = b.output(&["reports", "--json"]);
    assert!(seen.contains(&id), "the report stays");
    assert!(!seen.contains(&device_id));
}

#[test]
fn a_point_outside_the_town_is_refused_offline_in_the_users_language() {
    let server = Server::start(free_port());
    let a = registered(&server);
    let lyon = ("45.7578", "4.8320");
    let args = [
        "report",
        "--category",
        CATEGORY,
        "--lat",
        lyon.0,
        "--lon",
        lyon.1,
        "--text",
        "Place Bellecour",
    ];
    let english = a.run(&args);
    assert!(!english.status.success());
    assert!(
        String::from_utf8_lossy(&english.stderr).contains("outside"),
        "{english:?}"
    );
    let french = a.run_lang("fr", &args);
    assert!(
        String::from_utf8_lossy(&french.stderr).contains("en dehors"),
        "{french:?}"
    );
    assert_eq!(a.json(&["outbox", "--json"]), Value::Array(vec![]));
}

#[test]
fn a_report_written_step_by_step_survives_between_commands_and_photos_offer_their_place() {
    let server = Server::start(free_port());
    let a = registered(&server);
    a.ok(&["draft", "start"]);
    a.ok(&["draft", "category", "objets_abandonnes_autre"]);
    if let Some(genoa) = real_photo("gps_nikon_d3100_genoa_small.jpg") {
        a.ok(&["draft", "photo", genoa.to_str().unwrap()]);
        let draft: Value = a.json(&["draft", "show", "--json"]);
        assert!(
            (draft["offered_lat"].as_f64().unwrap() - 44.42).abs() < 0.01,
            "{draft}"
        );
        let refused = a.run(&["draft", "use-photo-location"]);
        assert!(!refused.status.success(), "Genoa is outside Paris");
    }
    a.ok(&[
        "draft",
        "locate",
        "--lat",
        "48.8566",
        "--lon",
        "2.3522",
        "--accuracy",
        "5",
        "--source",
        "gps",
    ]);
    a.ok(&["draft", "photos-done"]);
    a.ok(&["draft", "text", "Un frigo sur le trottoir"]);
    let incomplete = a.run(&["draft", "review"]);
    assert!(
        !incomplete.status.success(),
        "the required question is not answered"
    );
    a.ok(&["draft", "answer", "type_objet", "electromenager"]);
    a.ok(&["draft", "review"]);
    let draft: Value = a.json(&["draft", "show", "--json"]);
    assert_eq!(draft["step"], "review");
    let id = a.json(&["draft", "submit", "--json"])["id"]
        .as_str()
        .unwrap()
        .to_owned();
    a.ok(&["sync"]);
    let mine = report(&a, &id);
    assert_eq!(mine["status"], "received");
    let after = a.run(&["draft", "show"]);
    assert!(!after.status.success(), "the draft is gone once submitted");
}

#[test]
fn an_optional_account_links_two_devices_of_one_citizen() {
    let server = Server::start(free_port());
    let phone = registered(&server);
    let tablet = registered(&server);
    let id = file(&phone, HERE, "Banc cassé", &[]);
    phone.ok(&["sync"]);
    let bad = phone.run(&["account", "set", "--email", "not-an-email"]);
    assert!(!bad.status.success());
    let code = phone.output(&[
        "account",
        "set",
        "--email",
        "alice@example.org",
        "--contact",
        "email",
    ]);
    let code = code.trim();
    assert!(!code.is_empty());
    let wrong = tablet.run(&["account", "link", "WRONG-CODE"]);
    assert!(!wrong.status.success());
    tablet.ok(&["account", "link", code]);
    // The tablet now speaks for the same citizen: its export holds the phone's report, and it
    // cannot say "me too" for it.
    let export = tablet.data().join("export.json");
    tablet.ok(&["account", "export", "--out", export.to_str().unwrap()]);
    let exported: Value = serde_json::from_slice(&std::fs::read(&export).unwrap()).unwrap();
    assert_eq!(
        exported["devices"].as_array().unwrap().len(),
        2,
        "{exported}"
    );
    assert!(
        exported["reports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id.as_str())
    );
    assert_eq!(exported["account"]["details"]["email"], "alice@example.org");
    // After a sync the tablet holds the phone's report as its own: "me too" is refused at
    // once, and it can write to the city about it.
    tablet.ok(&["sync"]);
    let own = tablet.run(&["support", &id]);
    assert!(!own.status.success());
    assert!(
        String::from_utf8_lossy(&own.stderr).contains("own report"),
        "{own:?}"
    );
    tablet.ok(&["reply", &id, "--text", "Toujours là"]);
    tablet.ok(&["sync"]);
    let outbox: Value = tablet.json(&["outbox", "--json"]);
    assert_eq!(outbox.as_array().unwrap().len(), 0, "{outbox}");
    phone.ok(&["sync"]);
    let timeline = phone.output(&["timeline", &id]);
    assert!(timeline.contains("Toujours là"), "{timeline}");
}
