//! The catalogue a town publishes: settings, questions, zone outlines, versions.
//!
//! SQLite only: it checks how the server derives the published catalogue from a stored
//! definition, which the shared suite's seeding tests already run on both backends.

use relais_protocol::{QuestionKind, TownSettings};
use tempfile::TempDir;

use relais_server_database::Database;
use relais_server_sqlite::Sqlite;

use crate::seed;
use crate::town::Towns;

const ZONES: &str = r#"{"type":"FeatureCollection","features":[{"type":"Feature",
    "properties":{"code":"z","name":"Z","kind":"commune"},
    "geometry":{"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}}]}"#;

fn tenant(settings: &str) -> String {
    format!(
        r#"{{"id":"t","name":"T"{settings},
        "services":[{{"code":"s","name":{{"fr":"S","en":"S"}}}}],
        "groups":[{{"code":"g","name":{{"fr":"G","en":"G"}}}}],
        "categories":[
          {{"code":"plain","group":"g","name":{{"fr":"P","en":"P"}},"service":"s"}},
          {{"code":"asks","group":"g","name":{{"fr":"A","en":"A"}},"service":"s",
            "response_days":4,"duplicate_radius_m":80,
            "questions":[{{"code":"n","label":{{"fr":"Combien ?","en":"How many?"}},
                           "kind":{{"type":"number"}},"required":true}}]}}]}}"#
    )
}

#[tokio::test]
async fn the_catalogue_carries_settings_questions_and_outlines() {
    let dir = TempDir::new().unwrap();
    let db = Sqlite::open(&dir.path().join("relais.db")).await.unwrap();
    db.seed(seed::parse(&tenant(""), ZONES).unwrap())
        .await
        .unwrap();
    let catalogue = Towns::default()
        .get(&db, "t")
        .await
        .unwrap()
        .unwrap()
        .catalogue
        .clone();
    assert_eq!(catalogue.settings, TownSettings::default());
    let plain = catalogue.category("plain").unwrap();
    assert!(plain.questions.is_empty());
    assert_eq!(
        (plain.response_days, plain.duplicate_radius_m),
        (None, None)
    );
    let asks = catalogue.category("asks").unwrap();
    assert_eq!(
        (asks.response_days, asks.duplicate_radius_m),
        (Some(4), Some(80))
    );
    assert_eq!(
        asks.questions[0].kind,
        QuestionKind::Number { integer: false }
    );
    assert!(asks.questions[0].required);
    assert_eq!(
        catalogue.zones[0].polygons,
        vec![vec![vec![
            [0.0, 0.0],
            [1.0, 0.0],
            [1.0, 1.0],
            [0.0, 1.0],
            [0.0, 0.0]
        ]]]
    );

    // Changing only the settings is a new seed: a new catalogue version.
    let settings = r#","settings":{"reopen_window_days":14,"duplicate_radius_m":100}"#;
    assert!(
        db.seed(seed::parse(&tenant(settings), ZONES).unwrap())
            .await
            .unwrap()
    );
    assert!(
        !db.seed(seed::parse(&tenant(settings), ZONES).unwrap())
            .await
            .unwrap()
    );
    let changed = db.catalogue("t").await.unwrap().unwrap();
    assert_eq!(changed.version, catalogue.version + 1);
    assert_eq!(
        changed.settings,
        TownSettings {
            reopen_window_days: 14,
            duplicate_radius_m: 100,
            ..TownSettings::default()
        }
    );
}
