//! The public state of reports as pull pages serve them, kept in memory. Many phones follow the
//! same zone: without it, each page read each report's row, its service's names and its history
//! again for every phone that pulls it (42% of the server's CPU with 1,000 phones, BENCHMARKS.md).
//!
//! An entry is keyed by what fixes that state: the change-log sequence number the report was
//! last stamped with (every change to a report's public state stamps it anew, in every bucket it
//! belongs to, in the transaction that makes it: see [`crate::writes`]; a page's rows and the
//! states it reads come from one snapshot), the log's epoch (a server restored from a backup
//! starts another, and numbers again) and the catalogue's version (a report's service names come
//! from the catalogue). An entry therefore never goes stale; the least recently used go when the
//! cache is full. Whether the report is the viewer's own is not part of it.

use std::collections::{HashMap, HashSet};
use std::sync::Mutex;

use hashlink::LruCache;
use relais_protocol::{PublicReport, SharedReport};
use uuid::Uuid;

use crate::LogRow;

/// How many reports a server keeps (about a kilobyte each).
const CAPACITY: usize = 20_000;

/// Reports' public states by what fixes them. Cheap to share behind an `Arc`; the states
/// themselves are shared with the pages that serve them, never copied, and serialized once
/// ([`SharedReport::serialized`]).
#[derive(Debug)]
pub struct ReportCache {
    /// By report and sequence number; the entry's snapshot is compared on each lookup (two
    /// towns may hold the same report id at the same number: they only evict each other).
    entries: Mutex<LruCache<(Uuid, u64), Entry>>,
}

impl Default for ReportCache {
    fn default() -> Self {
        Self {
            entries: Mutex::new(LruCache::new(CAPACITY)),
        }
    }
}

/// The snapshot a page was read from: what, beside a report's sequence number, fixes its state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub tenant: String,
    pub epoch: String,
    pub catalogue_version: i64,
}

#[derive(Debug)]
struct Entry {
    snapshot: Snapshot,
    report: SharedReport,
}

/// The reports a page's rows name: those the cache held, and those still to read.
#[derive(Debug)]
pub struct PageReports {
    snapshot: Snapshot,
    held: HashMap<Uuid, SharedReport>,
    /// Each with the sequence number it is stamped with in the page.
    missing: Vec<(String, u64)>,
}

impl ReportCache {
    /// The reports the live rows of a page name, from the cache where it has them.
    pub fn lookup(&self, snapshot: &Snapshot, rows: &[LogRow]) -> PageReports {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        let mut held = HashMap::with_capacity(rows.len());
        let mut missing = Vec::new();
        let mut seen = HashSet::with_capacity(rows.len());
        for row in rows {
            if row.kind != "report" || !row.live || !seen.insert(row.entity.as_str()) {
                continue;
            }
            let found = Uuid::parse_str(&row.entity).ok().and_then(|id| {
                entries
                    .get(&(id, row.seq))
                    .filter(|entry| entry.snapshot == *snapshot)
                    .map(|entry| (id, entry.report.clone()))
            });
            match found {
                Some((id, report)) => {
                    held.insert(id, report);
                }
                None => missing.push((row.entity.clone(), row.seq)),
            }
        }
        PageReports {
            snapshot: snapshot.clone(),
            held,
            missing,
        }
    }
}

impl PageReports {
    /// The ids of the reports to read from the database.
    pub fn missing(&self) -> Vec<String> {
        self.missing.iter().map(|(id, _)| id.clone()).collect()
    }

    /// Every report of the page: those held, and those `read` (kept in `cache` for the next
    /// pages).
    pub fn complete(
        self,
        cache: &ReportCache,
        read: HashMap<Uuid, PublicReport>,
    ) -> HashMap<Uuid, SharedReport> {
        let Self {
            snapshot,
            mut held,
            missing,
        } = self;
        let read = read.into_iter();
        held.extend(read.map(|(id, report)| (id, SharedReport::serialized(report))));
        let mut entries = cache.entries.lock().unwrap_or_else(|e| e.into_inner());
        for (id, seq) in missing {
            let Some((id, report)) = Uuid::parse_str(&id)
                .ok()
                .and_then(|id| held.get(&id).map(|report| (id, report)))
            else {
                continue;
            };
            let entry = Entry {
                snapshot: snapshot.clone(),
                report: report.clone(),
            };
            entries.insert((id, seq), entry);
        }
        drop(entries);
        held
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(entity: Uuid, seq: u64) -> LogRow {
        LogRow {
            seq,
            bucket: 0,
            kind: "report".into(),
            entity: entity.to_string(),
            live: true,
        }
    }

    fn report(id: Uuid, text: &str) -> PublicReport {
        serde_json::from_value(serde_json::json!({
            "id": id, "category": "encombrants", "location": {"lat": 48.85, "lon": 2.35},
            "text": text, "created_at_ms": 1, "status": "received", "version": 1,
            "zone": "75104", "service": {"fr": "Propreté", "en": "Cleanliness"},
            "history": [], "photos": [], "supporters": 0
        }))
        .unwrap()
    }

    /// A report read once is served from the cache while its sequence number, the epoch and the
    /// catalogue's version stay; a change to any of them reads it again, and another town
    /// holding the same id at the same number never gets it.
    #[test]
    fn a_report_is_served_from_the_cache_until_its_state_may_have_moved() {
        let cache = ReportCache::default();
        let id = Uuid::now_v7();
        let snapshot = Snapshot {
            tenant: "demo".into(),
            epoch: "e1".into(),
            catalogue_version: 1,
        };
        let first = cache.lookup(&snapshot, &[row(id, 7)]);
        assert_eq!(first.missing(), [id.to_string()]);
        let all = first.complete(&cache, HashMap::from([(id, report(id, "Matelas"))]));
        assert_eq!(all[&id].text, "Matelas");

        let again = cache.lookup(&snapshot, &[row(id, 7), row(id, 7)]);
        assert!(again.missing().is_empty());
        assert_eq!(again.complete(&cache, HashMap::new())[&id].text, "Matelas");

        let moved = [
            (snapshot.clone(), 8),
            (
                Snapshot {
                    epoch: "e2".into(),
                    ..snapshot.clone()
                },
                7,
            ),
            (
                Snapshot {
                    catalogue_version: 2,
                    ..snapshot.clone()
                },
                7,
            ),
            (
                Snapshot {
                    tenant: "another-town".into(),
                    ..snapshot.clone()
                },
                7,
            ),
        ];
        for (snapshot, seq) in moved {
            assert_eq!(
                cache.lookup(&snapshot, &[row(id, seq)]).missing(),
                [id.to_string()]
            );
        }
    }
}
