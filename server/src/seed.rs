//! Tenant seeds: a tenant's identity, report rules and catalogue (services, category groups,
//! categories with their extra questions) plus its zones, read from a `tenant.json` and a
//! `zones.geojson`. The demo seed (Paris) is embedded in the binary, with its directory of
//! public services (`directory.json`, in the shape [`crate::directory`] imports).

use std::collections::HashSet;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use relais_protocol::{PublicService, Question, QuestionKind};

use relais_domain::zones::ZoneGeometry;
pub use relais_server_database::town::{TownCategory, TownDefinition, TownFile, TownZone};

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: ZoneProperties,
    geometry: serde_json::Value,
}

#[derive(Deserialize)]
struct ZoneProperties {
    code: String,
    name: String,
    kind: String,
    #[serde(default)]
    parent: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("tenant.json: {0}")]
    Tenant(serde_json::Error),
    #[error("zones.geojson: {0}")]
    Zones(serde_json::Error),
    #[error("directory.json: {0}")]
    Directory(serde_json::Error),
    #[error("zone {code}: {reason}")]
    Geometry { code: String, reason: String },
    #[error("{0}")]
    Inconsistent(String),
}

/// The demo tenant `demo` (Paris and its 20 arrondissements).
pub fn demo() -> Result<TownDefinition, SeedError> {
    parse(
        include_str!("../seed/demo/tenant.json"),
        include_str!("../seed/demo/zones.geojson"),
    )
}

/// The demo tenant's directory: Paris's town halls and sports facilities, derived from open
/// data by the directory importer (see `seed/demo/ATTRIBUTION.md`).
pub fn demo_directory() -> Result<Vec<PublicService>, SeedError> {
    serde_json::from_str(include_str!("../seed/demo/directory.json")).map_err(SeedError::Directory)
}

/// Parses and checks a seed: every category names a known group and service, every zone
/// geometry is a Polygon or MultiPolygon.
pub fn parse(tenant_json: &str, zones_geojson: &str) -> Result<TownDefinition, SeedError> {
    let tenant: TownFile = serde_json::from_str(tenant_json).map_err(SeedError::Tenant)?;
    let collection: FeatureCollection =
        serde_json::from_str(zones_geojson).map_err(SeedError::Zones)?;
    for category in &tenant.categories {
        if !tenant.groups.iter().any(|g| g.code == category.group) {
            return Err(SeedError::Inconsistent(format!(
                "category {} names unknown group {}",
                category.code, category.group
            )));
        }
        if !tenant.services.iter().any(|s| s.code == category.service) {
            return Err(SeedError::Inconsistent(format!(
                "category {} names unknown service {}",
                category.code, category.service
            )));
        }
        check_questions(&category.code, &category.questions)?;
    }
    let zones = collection
        .features
        .into_iter()
        .map(|feature| {
            let geometry = feature.geometry.to_string();
            ZoneGeometry::parse(&geometry).map_err(|reason| SeedError::Geometry {
                code: feature.properties.code.clone(),
                reason,
            })?;
            Ok(TownZone {
                code: feature.properties.code,
                name: feature.properties.name,
                kind: feature.properties.kind,
                parent: feature.properties.parent,
                geometry,
            })
        })
        .collect::<Result<Vec<_>, SeedError>>()?;
    let digest = hex::encode(
        Sha256::new()
            .chain_update(tenant_json)
            .chain_update([0])
            .chain_update(zones_geojson)
            .finalize(),
    );
    Ok(TownDefinition {
        tenant,
        zones,
        digest,
    })
}

/// Question codes are unique within a category, and so are the options of a choice, of which
/// there is at least one.
fn check_questions(category: &str, questions: &[Question]) -> Result<(), SeedError> {
    let refuse = |what: String| {
        Err(SeedError::Inconsistent(format!(
            "category {category}: {what}"
        )))
    };
    let mut codes = HashSet::new();
    for question in questions {
        if !codes.insert(question.code.as_str()) {
            return refuse(format!("question {} appears twice", question.code));
        }
        if let QuestionKind::SingleChoice { options } | QuestionKind::MultiChoice { options } =
            &question.kind
        {
            let mut choices = HashSet::new();
            if options.is_empty() || !options.iter().all(|o| choices.insert(o.code.as_str())) {
                return refuse(format!("question {} needs distinct options", question.code));
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use relais_protocol::TownSettings;

    use super::*;

    #[test]
    fn demo_seed_is_paris_with_its_arrondissements_and_quartiers() {
        let seed = demo().unwrap();
        assert_eq!(seed.tenant.id, "demo");
        let level = |kind: &str| seed.zones.iter().filter(|z| z.kind == kind).count();
        assert_eq!((level("arrondissement"), level("quartier")), (20, 80));
        assert!(
            seed.zones
                .iter()
                .all(|z| (z.kind == "quartier") == z.parent.is_some())
        );
        assert!(seed.tenant.categories.len() > 10);
        assert_eq!(seed.tenant.settings.rating_min_sample(), 5);
        assert!(
            seed.tenant
                .categories
                .iter()
                .all(|c| matches!(c.response_days, Some(2..=14)))
        );
        assert_eq!(
            seed.tenant
                .categories
                .iter()
                .filter(|c| !c.questions.is_empty())
                .count(),
            3
        );
    }

    #[test]
    fn an_old_seed_without_settings_nor_questions_gets_the_defaults() {
        let tenant = r#"{"id":"t","name":"T","services":[{"code":"s","name":{"fr":"S","en":"S"}}],
            "groups":[{"code":"g","name":{"fr":"G","en":"G"}}],
            "categories":[{"code":"c","group":"g","name":{"fr":"C","en":"C"},"service":"s"}]}"#;
        let zones = r#"{"type":"FeatureCollection","features":[]}"#;
        let seed = parse(tenant, zones).unwrap();
        assert_eq!(seed.tenant.settings.town(), TownSettings::default());
        assert_eq!(seed.tenant.settings.rating_min_sample(), 5);
        let category = &seed.tenant.categories[0];
        assert!(category.questions.is_empty());
        assert_eq!(category.response_days, None);
    }

    #[test]
    fn a_choice_without_options_is_refused() {
        let tenant = r#"{"id":"t","name":"T","services":[{"code":"s","name":{"fr":"S","en":"S"}}],
            "groups":[{"code":"g","name":{"fr":"G","en":"G"}}],
            "categories":[{"code":"c","group":"g","name":{"fr":"C","en":"C"},"service":"s",
              "questions":[{"code":"q","label":{"fr":"Q","en":"Q"},
                "kind":{"type":"single_choice","options":[]},"required":true}]}]}"#;
        let zones = r#"{"type":"FeatureCollection","features":[]}"#;
        assert!(matches!(
            parse(tenant, zones),
            Err(SeedError::Inconsistent(_))
        ));
    }

    #[test]
    fn the_demo_directory_has_paris_town_halls_and_sports_facilities() {
        let services = demo_directory().unwrap();
        let halls = services
            .iter()
            .filter(|s| s.id.starts_with("mairie-75"))
            .count();
        let sports = services.iter().filter(|s| s.id.starts_with("res-")).count();
        assert_eq!((halls, sports, services.len()), (17, 547, 564));
    }

    #[test]
    fn a_category_of_an_unknown_service_is_refused() {
        let tenant = r#"{"id":"t","name":"T","services":[],"groups":[{"code":"g","name":{"fr":"G","en":"G"}}],
            "categories":[{"code":"c","group":"g","name":{"fr":"C","en":"C"},"service":"nope"}]}"#;
        let zones = r#"{"type":"FeatureCollection","features":[]}"#;
        assert!(matches!(
            parse(tenant, zones),
            Err(SeedError::Inconsistent(_))
        ));
    }
}
