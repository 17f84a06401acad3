//! The importers on the real open-data files, when the project's shared data directory is
//! reachable (`../shared/data` from the workspace root), and the demo seed's `directory.json`
//! against them.

use std::path::PathBuf;

use super::*;

fn shared_data() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/data");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "note: {} is absent, skipping the tests on real data",
            dir.display()
        );
        None
    }
}

const ANNUAIRE: &str = "mairies_69_42_75_annuaire.csv";
const EQUIPEMENTS: &str = "paris_equipements_sportifs_RES.geojson";

#[test]
fn the_real_town_hall_directory_reads_completely() {
    let Some(data) = shared_data() else { return };
    let path = data.join(ANNUAIRE);
    assert_eq!(Format::detect(&path, ""), Format::Annuaire);
    let halls = read_file(&path, None).unwrap();
    // 641 rows, of which 9 repeat Lyon's arrondissement town halls (SRM rows).
    assert_eq!(halls.len(), 632);
    // Real quirks: Doizieux (42084) has "nan" coordinates, one town hall publishes no hours.
    let unlocated: Vec<_> = halls.iter().filter(|h| h.location.is_none()).collect();
    assert_eq!(unlocated.len(), 1);
    assert_eq!(unlocated[0].id, "mairie-42084");
    assert_eq!(
        halls.iter().filter(|h| h.opening_hours.is_none()).count(),
        1
    );
    let paris = read_file(&path, Some("75")).unwrap();
    // Since 2020 the 1st to 4th arrondissements share one town hall (Paris Centre, 75103).
    assert_eq!(paris.len(), 17);
    let fifth = paris.iter().find(|h| h.id == "mairie-75105").unwrap();
    assert_eq!(fifth.name.fr, "Mairie du 5e arrondissement de Paris");
    assert_eq!(
        fifth.opening_hours.as_deref(),
        Some("Lundi–Vendredi 08:30–17:00\nSamedi 09:00–12:30")
    );
}

#[test]
fn the_real_sports_facilities_read_completely_with_english_kinds() {
    let Some(data) = shared_data() else { return };
    let facilities = read_file(&data.join(EQUIPEMENTS), None).unwrap();
    assert_eq!(facilities.len(), 547);
    assert!(facilities.iter().all(|f| f.location.is_some()));
    assert!(
        facilities.iter().all(|f| f.kind.fr != f.kind.en),
        "every facility type of the file has an English name"
    );
}

#[test]
fn the_demo_directory_is_what_the_importer_makes_of_the_real_files() {
    let Some(data) = shared_data() else { return };
    let mut expected = read_file(&data.join(ANNUAIRE), Some("75")).unwrap();
    expected.extend(read_file(&data.join(EQUIPEMENTS), None).unwrap());
    let demo = crate::seed::demo_directory().unwrap();
    assert!(
        demo == expected,
        "server/seed/demo/directory.json is stale: regenerate it (see ATTRIBUTION.md)"
    );
}

#[test]
fn format_is_detected_by_extension_then_content() {
    let path = Path::new("export.json");
    assert_eq!(Format::detect(path, " [{}]"), Format::Services);
    assert_eq!(
        Format::detect(path, "{\"type\":\"FeatureCollection\"}"),
        Format::Equipements
    );
    assert_eq!(
        Format::detect(Path::new("mairies"), "code_insee,nom"),
        Format::Annuaire
    );
    assert_eq!(
        Format::detect(Path::new("a.GeoJSON"), "["),
        Format::Equipements
    );
}

#[test]
fn written_json_reads_back_the_same() {
    let services = crate::seed::demo_directory().unwrap();
    let json = to_json(&services).unwrap();
    assert_eq!(parse(Format::Services, &json, None).unwrap(), services);
}

#[test]
fn duplicate_ids_and_imported_ratings_are_refused() {
    let json = r#"[{"id":"a","name":{"fr":"A","en":"A"},"kind":{"fr":"K","en":"K"}},
                   {"id":"a","name":{"fr":"B","en":"B"},"kind":{"fr":"K","en":"K"}}]"#;
    let services = parse(Format::Services, json, None).unwrap();
    assert!(check(&services).is_err());
    let json = r#"[{"id":"a","name":{"fr":"A","en":"A"},"kind":{"fr":"K","en":"K"},
                    "ratings":{"count":9,"satisfaction_mean":5.0,"importance_mean":5.0}}]"#;
    let services = parse(Format::Services, json, None).unwrap();
    assert!(check(&services).is_err());
}

/// Fuzz target of the importers (proptest, stable Rust): the real open-data files' first
/// entries, cut anywhere and with bytes flipped or delimiters inserted, in each format. Each
/// reads, or is refused with an [`ImportError`], never a panic; what is accepted passes
/// [`check`]. `PROPTEST_CASES` scales the cases (a quarter of proptest's 256 by default).
#[test]
fn cut_or_corrupted_open_data_is_refused_never_a_panic() {
    use proptest::prelude::*;
    let Some(data) = shared_data() else { return };
    let head = |name: &str, bytes: usize| {
        let text = std::fs::read_to_string(data.join(name)).unwrap();
        text.char_indices()
            .take_while(|(i, _)| *i < bytes)
            .map(|(_, c)| c)
            .collect::<String>()
    };
    let sources = [
        (Format::Annuaire, head(ANNUAIRE, 12_000)),
        (Format::Equipements, head(EQUIPEMENTS, 12_000)),
        (
            Format::Services,
            std::fs::read_to_string(
                Path::new(env!("CARGO_MANIFEST_DIR")).join("seed/demo/directory.json"),
            )
            .unwrap()
            .chars()
            .take(12_000)
            .collect(),
        ),
    ];
    let edit = prop_oneof![
        Just(&b";"[..]),
        Just(&b","[..]),
        Just(&b"\""[..]),
        Just(&b"\n"[..]),
        Just(&b"{"[..]),
        Just(&b"]"[..]),
        Just(&b"\x1b[2J"[..]),
        Just(&b"\xE2\x80\xAE"[..]),
        Just(&b"nan"[..]),
        Just(&b"1e999"[..]),
    ];
    let case = (
        0..sources.len(),
        any::<prop::sample::Index>(),
        prop::collection::vec((any::<prop::sample::Index>(), edit), 0..6),
    );
    crate::tests::fuzz::run("directory importers", case, |(source, cut, edits)| {
        let (format, text) = &sources[source];
        let mut bytes = text.as_bytes().to_vec();
        for (at, insert) in edits {
            let at = at.index(bytes.len() + 1);
            bytes.splice(at..at, insert.iter().copied());
        }
        bytes.truncate(cut.index(bytes.len() + 1));
        let text = String::from_utf8_lossy(&bytes);
        if let Ok(services) = parse(*format, &text, None) {
            // Accepted entries are either clean or refused as a whole by the check.
            let _ = check(&services);
        }
        Ok(())
    });
}
