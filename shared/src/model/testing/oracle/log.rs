//! The oracle's change log: every change of an entity is stamped in each bucket it belongs to (a
//! citizen, a zone, a service), and a pull serves the buckets of the device's scope from where its
//! cursor left each, in pages of [`PAGE`] entries, the latest state of each entity. A cursor of
//! another epoch is answered with a reset.

use std::collections::{BTreeMap, BTreeSet};

use crux_http::protocol::HttpResult;
use relais_protocol::{Change, Cursor, PullResponse, ResourceTags, SharedReport, Task};
use uuid::Uuid;

use super::{DIRECTORY_TAG, ServerOracle, ok_json};

/// Entries served per page, whatever the device asks, so that paging is exercised.
const PAGE: usize = 2;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entity {
    Report(Uuid),
    Thread(Uuid),
    Task(Uuid),
    TaskRemoved(Uuid),
    /// A citizen's followed zones.
    Follows(String),
    Alert(Uuid),
}

#[derive(Default)]
pub struct ChangeLog {
    epoch: u32,
    entries: Vec<(String, Entity)>,
}

impl ChangeLog {
    pub fn new_epoch(&mut self) {
        self.epoch += 1;
    }

    pub fn stamp(&mut self, entity: Entity, buckets: impl IntoIterator<Item = String>) {
        for bucket in buckets {
            self.entries.push((bucket, entity.clone()));
        }
    }

    /// `epoch|bucket=position;...`, or `None` for a cursor of another epoch.
    fn parse(&self, cursor: &str) -> Option<BTreeMap<String, usize>> {
        if cursor.is_empty() {
            return Some(BTreeMap::new());
        }
        let (epoch, positions) = cursor.split_once('|')?;
        if epoch.parse::<u32>().ok()? != self.epoch {
            return None;
        }
        positions
            .split(';')
            .filter(|p| !p.is_empty())
            .map(|p| {
                let (bucket, at) = p.split_once('=')?;
                Some((bucket.to_owned(), at.parse().ok()?))
            })
            .collect()
    }

    fn format(&self, positions: &BTreeMap<String, usize>) -> String {
        let positions: Vec<String> = positions
            .iter()
            .map(|(b, at)| format!("{b}={at}"))
            .collect();
        format!("{}|{}", self.epoch, positions.join(";"))
    }
}

impl ServerOracle {
    /// The buckets a device reads: its citizen's and followed zones', or its services'.
    fn scope(&self, token: &str) -> BTreeSet<String> {
        let device = &self.devices[token];
        match &device.staff {
            Some(staff) => staff
                .services
                .iter()
                .map(|s| format!("service:{s}"))
                .collect(),
            None => std::iter::once(format!("citizen:{}", device.citizen))
                .chain(
                    self.follows
                        .get(&device.citizen)
                        .into_iter()
                        .flatten()
                        .map(|f| format!("zone:{}", f.zone)),
                )
                .collect(),
        }
    }

    pub(super) fn pull(&self, token: &str, url: &str) -> HttpResult {
        let url = url::Url::parse(url).unwrap();
        let param = |name: &str| {
            url.query_pairs()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.into_owned())
        };
        assert!(param("limit").is_some(), "the device always sends a limit");
        let cursor = param("cursor").unwrap_or_default();
        let (reset, mut positions) = match self.log.parse(&cursor) {
            Some(positions) => (false, positions),
            None => (true, BTreeMap::new()),
        };
        let scope = self.scope(token);
        let candidates: Vec<usize> = self
            .log
            .entries
            .iter()
            .enumerate()
            .filter(|(at, (bucket, _))| {
                scope.contains(bucket) && *at >= positions.get(bucket).copied().unwrap_or(0)
            })
            .map(|(at, _)| at)
            .collect();
        let served = &candidates[..candidates.len().min(PAGE)];
        let has_more = candidates.len() > served.len();
        let cut = if has_more {
            served.last().map_or(0, |at| at + 1)
        } else {
            self.log.entries.len()
        };
        for bucket in &scope {
            let at = positions.entry(bucket.clone()).or_default();
            *at = (*at).max(cut);
        }
        let changes = served
            .iter()
            .filter_map(|at| self.change(token, &self.log.entries[*at].1))
            .collect();
        ok_json(&PullResponse {
            reset,
            changes,
            cursor: Cursor(self.log.format(&positions)),
            has_more,
            resources: (!has_more && !self.older).then(|| ResourceTags {
                catalogue: self.catalogue_tag(),
                directory: Some(DIRECTORY_TAG.into()),
            }),
        })
    }

    /// The latest state of an entity, as the device may see it.
    fn change(&self, token: &str, entity: &Entity) -> Option<Change> {
        let citizen = &self.devices[token].citizen;
        Some(match entity {
            Entity::Report(id) => Change::Report {
                report: SharedReport::new(self.report(*id).clone()),
                mine: self.owners.get(id) == Some(citizen),
            },
            Entity::Thread(id) => Change::Thread {
                report_id: *id,
                messages: self.threads.get(id).cloned().unwrap_or_default(),
            },
            Entity::Task(id) => Change::Task {
                task: Box::new(Task {
                    report: self.report(*id).clone(),
                    answers: self.answers.get(id).cloned().unwrap_or_default(),
                    thread: self.threads.get(id).cloned().unwrap_or_default(),
                    notes: self.notes.get(id).cloned().unwrap_or_default(),
                    assigned_to: self.assigned.get(id).cloned(),
                    log: Vec::new(),
                }),
            },
            Entity::TaskRemoved(id) => Change::TaskRemoved { id: *id },
            Entity::Follows(citizen) => Change::Follows {
                zones: self.follows.get(citizen).cloned().unwrap_or_default(),
            },
            Entity::Alert(id) => Change::Alert {
                alert: self.alerts.iter().find(|a| a.id == *id)?.clone(),
            },
        })
    }

    /// Stamps a report's public state in its buckets: its reporter's, its supporters', its
    /// zone's and the zones above it; and its task in its service's.
    pub(super) fn touch_report(&mut self, id: Uuid) {
        let report = self.report(id);
        let zone = report.zone.clone();
        let service = report.service_code.clone();
        let mut buckets: Vec<String> = self
            .owners
            .get(&id)
            .into_iter()
            .chain(self.supporters.get(&id).into_iter().flatten())
            .map(|c| format!("citizen:{c}"))
            .collect();
        buckets.push(format!("zone:{zone}"));
        buckets.push("zone:paris".into());
        self.log.stamp(Entity::Report(id), buckets);
        if let Some(service) = service {
            self.log
                .stamp(Entity::Task(id), [format!("service:{service}")]);
        }
    }

    /// Stamps a report's thread for its reporter (and its task for the service).
    pub(super) fn touch_thread(&mut self, id: Uuid) {
        if let Some(owner) = self.owners.get(&id) {
            let bucket = format!("citizen:{owner}");
            self.log.stamp(Entity::Thread(id), [bucket]);
        }
    }

    pub(super) fn touch_follows(&mut self, citizen: &str) {
        let bucket = format!("citizen:{citizen}");
        self.log
            .stamp(Entity::Follows(citizen.to_owned()), [bucket]);
    }

    /// The report left `service`'s work list.
    pub(super) fn task_removed(&mut self, id: Uuid, service: &str) {
        let bucket = format!("service:{service}");
        self.log.stamp(Entity::TaskRemoved(id), [bucket]);
    }
}
