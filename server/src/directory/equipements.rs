//! Reader of the sports-facilities census ("Recensement des équipements sportifs", RES) as a
//! GeoJSON FeatureCollection of points. Each feature is one facility (`ID`) of a site: `Nom de
//! l'installation` (the site), `Nom de l'équipement`, `Type d'équipement`, `ComLib` (the
//! commune) and `GestionTypeGestionnairePrincLib` (who runs it, not carried: the directory has
//! no field for it).

use relais_protocol::{LocalizedText, PublicService};
use serde::Deserialize;
use serde_json::Value;

use super::{ImportError, point};

/// RES facility types and their English names. A type not listed keeps its French name in both
/// languages.
const KINDS: &[(&str, &str)] = &[
    ("Bassin de natation", "Swimming pool"),
    ("Boulodrome", "Bowls ground"),
    ("Court de tennis", "Tennis court"),
    ("Dojo / Salle d'arts martiaux", "Martial arts hall"),
    ("Gymnase", "Gymnasium"),
    ("Mur d'escalade", "Climbing wall"),
    ("Patinoire", "Ice rink"),
    ("Piste d'athlétisme", "Athletics track"),
    ("Plateau EPS/Multisports/city-stades", "Multi-sports court"),
    ("Salle de combat", "Combat sports hall"),
    ("Salle de musculation/cardiotraining", "Fitness room"),
    ("Salle multisports", "Multi-sports hall"),
    ("Skatepark", "Skatepark"),
    ("Terrain de basket-ball", "Basketball court"),
    ("Terrain de football", "Football pitch"),
    ("Terrain de grands jeux", "Sports ground"),
    ("Terrain de pétanque", "Pétanque ground"),
];

#[derive(Deserialize)]
struct FeatureCollection {
    features: Vec<Feature>,
}

#[derive(Deserialize)]
struct Feature {
    properties: Properties,
    geometry: Option<Geometry>,
}

#[derive(Deserialize)]
struct Properties {
    #[serde(rename = "ID")]
    id: Value,
    #[serde(rename = "Nom de l'installation")]
    site: Option<String>,
    #[serde(rename = "Nom de l'équipement")]
    facility: Option<String>,
    #[serde(rename = "Type d'équipement")]
    kind: Option<String>,
}

#[derive(Deserialize)]
#[serde(tag = "type")]
enum Geometry {
    Point {
        coordinates: Vec<f64>,
    },
    #[serde(other)]
    Other,
}

/// Reads the facilities of a RES GeoJSON file.
pub fn read(text: &str) -> Result<Vec<PublicService>, ImportError> {
    let collection: FeatureCollection = serde_json::from_str(text)
        .map_err(|e| ImportError::Malformed(format!("not a RES FeatureCollection: {e}")))?;
    collection
        .features
        .into_iter()
        .enumerate()
        .map(|(index, feature)| {
            service(feature).map_err(|e| ImportError::Malformed(format!("feature {index}: {e}")))
        })
        .collect()
}

fn service(feature: Feature) -> Result<PublicService, String> {
    let p = feature.properties;
    let id = match &p.id {
        Value::Number(n) => n.to_string(),
        Value::String(s) if !s.trim().is_empty() => s.trim().to_owned(),
        other => return Err(format!("bad ID {other}")),
    };
    let site = p.site.as_deref().map_or("", str::trim);
    let facility = p.facility.as_deref().map_or("", str::trim);
    let name = match (site, facility) {
        ("", "") => return Err(format!("facility {id} has no name")),
        (site, "") => site.to_owned(),
        ("", facility) => facility.to_owned(),
        (site, facility) if site.to_lowercase().contains(&facility.to_lowercase()) => {
            site.to_owned()
        }
        (site, facility) => format!("{site} – {facility}"),
    };
    let kind = p.kind.as_deref().map_or("", str::trim);
    let kind = match KINDS.iter().find(|(fr, _)| *fr == kind) {
        Some((fr, en)) => LocalizedText::new(*fr, *en),
        None if kind.is_empty() => LocalizedText::new("Équipement sportif", "Sports facility"),
        None => LocalizedText::new(kind, kind),
    };
    let location = match feature.geometry {
        Some(Geometry::Point { coordinates }) => match coordinates[..] {
            [lon, lat, ..] => Some(point(lat, lon)?),
            _ => return Err(format!("facility {id}: bad point")),
        },
        _ => None,
    };
    Ok(PublicService {
        id: format!("res-{id}"),
        name: LocalizedText::new(name.clone(), name),
        kind,
        address: None,
        location,
        opening_hours: None,
        phone: None,
        website: None,
        ratings: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    // Three features copied from paris_equipements_sportifs_RES.geojson: Recensement des
    // équipements sportifs (ministère des Sports), Licence Ouverte.
    const EXCERPT: &str = r#"{"type": "FeatureCollection", "features": [
{"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.34679, 48.86181]}, "properties": {"ComLib": "Paris", "Nom de l'installation": "Gymnase Suzanne Berlioux", "ID": 140007, "Nom de l'équipement": "Gymnase de Type C", "Code Famille": 19, "Type d'équipement": "Salle multisports", "Type de terrain": "Synthétique (hors gazon)", "Longueur du Bassin": null, "GestionTypeGestionnairePrincLib": "Commune", "DSP": "Non", "EquDateMaj": "2013-02-06 09:55:06"}},
{"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.40048, 48.83123]}, "properties": {"ComLib": "Paris", "Nom de l'installation": "Centre Sportif Leo Lagrange", "ID": 140646, "Nom de l'équipement": "Court de Tennis n°1-2-3-4-5-6", "Code Famille": 5, "Type d'équipement": "Court de tennis", "Type de terrain": "Béton", "Longueur du Bassin": null, "GestionTypeGestionnairePrincLib": "Commune", "DSP": "Non", "EquDateMaj": "2013-04-04 15:38:29"}},
{"type": "Feature", "geometry": {"type": "Point", "coordinates": [2.34679, 48.86181]}, "properties": {"ComLib": "Paris", "Nom de l'installation": "Piscine Suzanne Berlioux", "ID": 140010, "Nom de l'équipement": "Bassin de 50m", "Code Famille": 1, "Type d'équipement": "Bassin de natation", "Type de terrain": "Carrelage", "Longueur du Bassin": 50, "GestionTypeGestionnairePrincLib": "Etablissement privé commercial", "DSP": "Oui", "EquDateMaj": "2015-02-13 00:00:00"}}
]}"#;

    fn excerpt() -> String {
        EXCERPT.to_owned()
    }

    #[test]
    fn reads_the_facilities_with_translated_kinds() {
        let facilities = read(&excerpt()).unwrap();
        assert_eq!(facilities.len(), 3);
        let gym = &facilities[0];
        assert_eq!(gym.id, "res-140007");
        assert_eq!(gym.name.fr, "Gymnase Suzanne Berlioux – Gymnase de Type C");
        assert_eq!(gym.name.en, gym.name.fr);
        assert_eq!(
            gym.kind,
            LocalizedText::new("Salle multisports", "Multi-sports hall")
        );
        let location = gym.location.unwrap();
        assert_eq!((location.lat, location.lon), (48.86181, 2.34679));
        assert_eq!(
            facilities[1].kind,
            LocalizedText::new("Court de tennis", "Tennis court")
        );
        assert_eq!(
            facilities[2].kind,
            LocalizedText::new("Bassin de natation", "Swimming pool")
        );
    }

    #[test]
    fn an_unknown_kind_keeps_its_french_name() {
        let text = excerpt().replace("Court de tennis", "Salle de billard");
        let facilities = read(&text).unwrap();
        assert_eq!(
            facilities[1].kind,
            LocalizedText::new("Salle de billard", "Salle de billard")
        );
    }

    #[test]
    fn a_feature_without_id_is_refused() {
        let text = excerpt().replace("\"ID\": 140007", "\"ID\": null");
        assert!(matches!(read(&text), Err(ImportError::Malformed(_))));
    }
}
