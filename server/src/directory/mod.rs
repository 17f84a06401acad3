//! The town's directory of public services (town halls, pools, gymnasiums...), which citizens
//! rate on satisfaction and importance. This module reads it from the open-data files towns
//! already have and imports it into a tenant, and keeps each town's directory as devices receive
//! it ([`current`]); the storage and the `GET /v1/{tenant}/directory` answer are in
//! `relais_server_database::Database` (`import_directory`, `directory`, `directory_stamp`) and
//! `handlers::v1::directory`.
//!
//! Readers, chosen by [`Format::detect`]:
//! - [`annuaire`]: the national town-hall directory (CSV);
//! - [`equipements`]: the sports-facilities census (GeoJSON points);
//! - a JSON array of [`PublicService`], the shape [`to_json`] writes (the demo seed's
//!   `directory.json` is one).
//!
//! `relais-server import-directory` (`crate::command`) runs the import. Importing is idempotent: entries are matched by id, and only a real change bumps the
//! directory version. Entries missing from a file are kept (citizens' ratings refer to them, and
//! a town imports several files one by one).

pub mod annuaire;
pub mod current;
pub mod equipements;

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use relais_domain::ranges;
use relais_protocol::{GeoPoint, PublicService};

#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Malformed(String),
}

/// The kinds of file the importer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The national town-hall directory, CSV.
    Annuaire,
    /// The sports-facilities census, GeoJSON.
    Equipements,
    /// A JSON array of [`PublicService`].
    Services,
}

impl Format {
    /// By extension (`.csv`, `.geojson`), else by content: a JSON array is a list of services, a
    /// JSON object a GeoJSON collection, anything else CSV.
    pub fn detect(path: &Path, text: &str) -> Self {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("csv") => Self::Annuaire,
            Some("geojson") => Self::Equipements,
            _ => match text
                .trim_start_matches('\u{feff}')
                .trim_start()
                .chars()
                .next()
            {
                Some('[') => Self::Services,
                Some('{') => Self::Equipements,
                _ => Self::Annuaire,
            },
        }
    }
}

/// Reads and checks the entries of one file. `departement` keeps only the town halls of that
/// département (the national directory covers the whole country).
pub fn read_file(
    path: &Path,
    departement: Option<&str>,
) -> Result<Vec<PublicService>, ImportError> {
    let text = std::fs::read_to_string(path).map_err(|source| ImportError::Io {
        path: path.to_owned(),
        source,
    })?;
    let services = parse(Format::detect(path, &text), &text, departement)?;
    check(&services)?;
    Ok(services)
}

/// Reads entries of a known format.
pub fn parse(
    format: Format,
    text: &str,
    departement: Option<&str>,
) -> Result<Vec<PublicService>, ImportError> {
    match format {
        Format::Annuaire => annuaire::read(text, departement),
        Format::Equipements => equipements::read(text),
        Format::Services => serde_json::from_str(text)
            .map_err(|e| ImportError::Malformed(format!("not a list of services: {e}"))),
    }
}

/// The longest name or kind of a service, in characters.
const MAX_NAME_CHARS: usize = 500;

/// Ids are unique and not empty, names and kinds clean texts (see [`relais_domain::text`]),
/// points valid; an entry carries no
/// rating summary (those are computed from citizens' ratings).
pub fn check(services: &[PublicService]) -> Result<(), ImportError> {
    let mut ids = HashSet::new();
    for service in services {
        let refuse = |what: &str| {
            Err(ImportError::Malformed(format!(
                "entry {:?}: {what}",
                service.id
            )))
        };
        if service.id.trim().is_empty() || service.id.len() > 100 {
            return refuse("the id must have 1 to 100 characters");
        }
        if !ids.insert(service.id.as_str()) {
            return refuse("the id appears twice");
        }
        if [
            &service.name.fr,
            &service.name.en,
            &service.kind.fr,
            &service.kind.en,
        ]
        .iter()
        .any(|text| relais_domain::text::clean(text, MAX_NAME_CHARS).is_err())
        {
            return refuse("a name or kind is empty, too long, or holds control characters");
        }
        if service.location.is_some_and(|p| !ranges::is_point(&p)) {
            return refuse("invalid location");
        }
        if service.ratings.is_some() {
            return refuse("ratings are not imported");
        }
    }
    Ok(())
}

/// The entries as a JSON array, one entry per line (readable diffs of a committed file).
pub fn to_json(services: &[PublicService]) -> Result<String, serde_json::Error> {
    let lines = services
        .iter()
        .map(serde_json::to_string)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(format!("[\n{}\n]\n", lines.join(",\n")))
}

fn non_empty(text: &str) -> Option<String> {
    let text = text.trim();
    (!text.is_empty()).then(|| text.to_owned())
}

fn point(lat: f64, lon: f64) -> Result<GeoPoint, String> {
    let point = GeoPoint {
        lat,
        lon,
        accuracy_m: None,
    };
    if ranges::is_point(&point) {
        Ok(point)
    } else {
        Err(format!("invalid point ({lat}, {lon})"))
    }
}

/// A point from the text of two columns, `None` when either is empty or `nan` (the national
/// directory has a town hall with `nan` coordinates).
fn point_from_text(lat: &str, lon: &str) -> Result<Option<GeoPoint>, String> {
    let missing = |text: &str| text.is_empty() || text.eq_ignore_ascii_case("nan");
    if missing(lat) || missing(lon) {
        return Ok(None);
    }
    let number = |text: &str| {
        text.parse::<f64>()
            .map_err(|_| format!("bad coordinate {text:?}"))
    };
    point(number(lat)?, number(lon)?).map(Some)
}

#[cfg(test)]
mod tests;
