//! Tenant seeds: a tenant's identity and catalogue (services, category groups, categories) plus
//! its zones, read from a `tenant.json` and a `zones.geojson`. The demo seed (Paris) is embedded
//! in the binary.

use serde::Deserialize;
use sha2::{Digest, Sha256};

use relais_protocol::LocalizedText;

use crate::zones::ZoneGeometry;

/// A tenant ready to be stored.
#[derive(Debug, Clone)]
pub struct TenantSeed {
    pub tenant: TenantFile,
    pub zones: Vec<SeedZone>,
    /// SHA-256 (hex) of the seed files, so that re-applying the same seed is a no-op.
    pub digest: String,
}

/// `tenant.json`.
#[derive(Debug, Clone, Deserialize)]
pub struct TenantFile {
    pub id: String,
    pub name: String,
    pub services: Vec<SeedEntry>,
    pub groups: Vec<SeedEntry>,
    pub categories: Vec<SeedCategory>,
}

/// A service or a category group.
#[derive(Debug, Clone, Deserialize)]
pub struct SeedEntry {
    pub code: String,
    pub name: LocalizedText,
}

#[derive(Debug, Clone, Deserialize)]
pub struct SeedCategory {
    pub code: String,
    pub group: String,
    pub name: LocalizedText,
    pub service: String,
    /// Where the category comes from in the town's own nomenclature.
    pub source: Option<CategorySource>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct CategorySource {
    #[serde(rename = "type")]
    pub kind: Option<String>,
    pub soustype: Option<String>,
}

/// A zone with its geometry kept as GeoJSON text (checked to parse).
#[derive(Debug, Clone)]
pub struct SeedZone {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub geometry: String,
}

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
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("tenant.json: {0}")]
    Tenant(serde_json::Error),
    #[error("zones.geojson: {0}")]
    Zones(serde_json::Error),
    #[error("zone {code}: {reason}")]
    Geometry { code: String, reason: String },
    #[error("{0}")]
    Inconsistent(String),
}

/// The demo tenant `demo` (Paris and its 20 arrondissements).
pub fn demo() -> Result<TenantSeed, SeedError> {
    parse(
        include_str!("../seed/demo/tenant.json"),
        include_str!("../seed/demo/zones.geojson"),
    )
}

/// Parses and checks a seed: every category names a known group and service, every zone
/// geometry is a Polygon or MultiPolygon.
pub fn parse(tenant_json: &str, zones_geojson: &str) -> Result<TenantSeed, SeedError> {
    let tenant: TenantFile = serde_json::from_str(tenant_json).map_err(SeedError::Tenant)?;
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
            Ok(SeedZone {
                code: feature.properties.code,
                name: feature.properties.name,
                kind: feature.properties.kind,
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
    Ok(TenantSeed {
        tenant,
        zones,
        digest,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_seed_is_paris_with_its_twenty_arrondissements() {
        let seed = demo().unwrap();
        assert_eq!(seed.tenant.id, "demo");
        assert_eq!(seed.zones.len(), 20);
        assert!(seed.tenant.categories.len() > 10);
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
