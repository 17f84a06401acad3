//! A report as a pull page's `report` change carries it: shared, so that a server hands the
//! same copy to every page that names it (a report of a busy zone goes to every phone that
//! follows the zone), and, on the server, serialized once for all of them. With 1,000 phones,
//! writing each report's JSON again for every page was a sixth of the server's CPU
//! (BENCHMARKS.md). On the wire it is a plain [`PublicReport`]; a device reads it as one.

use std::ops::Deref;
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::value::RawValue;

use crate::PublicReport;

/// A [`PublicReport`] behind an [`Arc`], with its JSON when it was made with
/// [`SharedReport::serialized`]. Reads as the report (`Deref`); compares and prints as it.
#[derive(Clone)]
pub struct SharedReport(Arc<Held>);

struct Held {
    report: PublicReport,
    /// The report's JSON, as `serde_json` writes it. Only JSON serializers can take it as is:
    /// set by the server, which writes pages as JSON and nothing else.
    json: Option<Box<RawValue>>,
}

impl SharedReport {
    /// A report to share, serialized as a struct each time (devices, tests).
    pub fn new(report: PublicReport) -> Self {
        Self(Arc::new(Held { report, json: None }))
    }

    /// A report to share, serialized now, once: every JSON page that carries it writes these
    /// bytes. Not for other formats (a non-JSON serializer would write the JSON as a string).
    pub fn serialized(report: PublicReport) -> Self {
        let json = serde_json::value::to_raw_value(&report).ok();
        Self(Arc::new(Held { report, json }))
    }

    /// The report, copied only if another holder still shares it.
    pub fn into_inner(self) -> PublicReport {
        match Arc::try_unwrap(self.0) {
            Ok(held) => held.report,
            Err(shared) => shared.report.clone(),
        }
    }
}

impl Deref for SharedReport {
    type Target = PublicReport;

    fn deref(&self) -> &PublicReport {
        &self.0.report
    }
}

impl PartialEq for SharedReport {
    fn eq(&self, other: &Self) -> bool {
        self.0.report == other.0.report
    }
}

impl std::fmt::Debug for SharedReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.report.fmt(f)
    }
}

impl Serialize for SharedReport {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match &self.0.json {
            Some(json) => json.serialize(serializer),
            None => self.0.report.serialize(serializer),
        }
    }
}

impl<'de> Deserialize<'de> for SharedReport {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        PublicReport::deserialize(deserializer).map(Self::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Change;

    fn report() -> PublicReport {
        serde_json::from_value(serde_json::json!({
            "id": "01936f10-0b2c-7a11-8d3e-5b9f3c2a1dff", "category": "encombrants",
            "location": {"lat": 48.8566, "lon": 2.3522, "accuracy_m": 8.0},
            "text": "Matelas \"deux places\" devant le n°12", "created_at_ms": 1763923200000_i64,
            "status": "received", "version": 1, "zone": "7510401",
            "service": {"fr": "Propreté", "en": "Cleanliness"},
            "history": [{"status": "received", "at_ms": 1763923260000_i64}], "supporters": 2
        }))
        .unwrap()
    }

    /// A change written with the report's stored JSON is byte for byte the change written
    /// field by field, and reads back as the same report.
    #[test]
    fn a_report_serialized_once_writes_the_same_bytes_and_reads_back() {
        let change = |report| Change::Report { report, mine: true };
        let once = serde_json::to_string(&change(SharedReport::serialized(report()))).unwrap();
        let each = serde_json::to_string(&change(SharedReport::new(report()))).unwrap();
        assert_eq!(once, each);
        let back: Change = serde_json::from_str(&once).unwrap();
        assert_eq!(back, change(SharedReport::new(report())));
    }
}
