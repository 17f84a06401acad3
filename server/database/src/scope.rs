//! The pull's data: what a device may see (its [`Scope`], a set of change-log buckets), where
//! it stands in each ([`Position`]), and one [`ChangePage`]; how every backend reads and cuts a
//! page ([`PageRead`]) and turns it into changes ([`PageEntities::changes`]).

use std::collections::{BTreeMap, HashMap, HashSet};

use relais_protocol::{Change, FollowedZone, SharedReport, Task, ThreadMessage, ZoneAlert};
use uuid::Uuid;

use crate::{DbError, DirectoryStamp};

/// The buckets a device reads. Bucket names: `c:<citizen>` (a citizen's own and followed
/// reports, threads and follows), `z:<zone>` (reports and alerts of a zone), `s:<service>`
/// (a service's tasks).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub tenant: String,
    /// The caller's citizen, to tell its own reports (`mine`); `None` for a staff device.
    pub citizen: Option<String>,
    pub buckets: Vec<String>,
    /// For a staff member limited to some zones: the zones (and those inside them) whose tasks
    /// they receive; `None`: every task of their buckets.
    pub task_zones: Option<Vec<String>>,
}

/// Where a device stands in the tenant's change log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Position {
    /// From the beginning.
    Start,
    /// An earlier cursor (`epoch.seq`): every bucket at `seq`.
    Everywhere { epoch: String, seq: u64 },
    /// Each bucket at its own sequence number; a bucket not listed starts from the beginning.
    PerBucket {
        epoch: String,
        seqs: BTreeMap<String, u64>,
    },
}

/// One page of a scope's changes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangePage {
    /// The asked position could not be served: this page starts from the beginning.
    pub reset: bool,
    pub epoch: String,
    /// Where each bucket of the scope stands after this page.
    pub seqs: BTreeMap<String, u64>,
    /// The latest state of what changed, oldest change first.
    pub changes: Vec<Change>,
    pub has_more: bool,
    /// The tenant's catalogue version and directory stamp, read in the page's snapshot: the
    /// last page tells a device whether its copies are current without two more reads.
    pub catalogue_version: i64,
    pub directory: DirectoryStamp,
}

impl Scope {
    /// Whether a task of a report in `zone` is for this scope (a staff member limited to zones).
    pub fn receives_task(&self, zone: &str) -> bool {
        self.task_zones
            .as_ref()
            .is_none_or(|zones| zones.iter().any(|z| z == zone))
    }

    /// The reports of a page that may be the scope's citizen's own: those with a live row in
    /// the citizen's bucket (it also holds the reports the citizen follows), in the order of
    /// their first row; none for a staff device. Every change to a report stamps its reporter's
    /// bucket with the number its other buckets get ([`crate::writes`]) and a page never splits
    /// a change ([`PageRead::cut`]), so an own report in the page has its row there. A page of
    /// a followed zone names a hundred reports and a handful of these: only these are looked
    /// up to tell which are `mine`.
    pub fn own_candidates(&self, rows: &[LogRow]) -> Vec<String> {
        let Some(citizen) = &self.citizen else {
            return Vec::new();
        };
        let bucket = format!("c:{citizen}");
        let Some(index) = self.buckets.iter().position(|b| *b == bucket) else {
            return Vec::new();
        };
        page_ids(rows.iter().filter(|row| row.bucket == index), "report")
    }
}

impl Position {
    /// Where each bucket of `scope` starts in a change log of `epoch` whose head is `head`, and
    /// whether the position had to be reset (another epoch, or a position this log never
    /// reached: a server restored from an older backup).
    pub fn starts(&self, scope: &Scope, epoch: &str, head: u64) -> (bool, Vec<u64>) {
        let at = |seq: u64| vec![seq; scope.buckets.len()];
        match self {
            Self::Start => (false, at(0)),
            Self::Everywhere { epoch: e, seq } if e != epoch || *seq > head => (true, at(0)),
            Self::Everywhere { seq, .. } => (false, at(*seq)),
            Self::PerBucket { epoch: e, seqs }
                if e != epoch || seqs.values().any(|s| *s > head) =>
            {
                (true, at(0))
            }
            Self::PerBucket { seqs, .. } => (
                false,
                scope
                    .buckets
                    .iter()
                    .map(|bucket| seqs.get(bucket).copied().unwrap_or(0))
                    .collect(),
            ),
        }
    }
}

/// A change-log row read for a page: its sequence number, the index of its bucket in the
/// scope, and the entity it stamps (`live: false`: the entity left the bucket).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogRow {
    pub seq: u64,
    pub bucket: usize,
    pub kind: String,
    pub entity: String,
    pub live: bool,
}

/// The rows of a page and where each bucket stands after it, as every backend cuts them.
#[derive(Debug, Clone, PartialEq)]
pub struct PageCut {
    /// The page's rows in sequence order.
    pub rows: Vec<LogRow>,
    pub seqs: BTreeMap<String, u64>,
    pub has_more: bool,
}

/// A page's rows as a backend reads them, bucket by bucket, each bucket's rows in sequence
/// order (`SELECT … WHERE bucket = ? AND seq > start ORDER BY seq LIMIT limit + 1`, stepped one
/// row at a time). Once `limit` rows are read, the page cannot reach past the `limit`-th smallest
/// sequence number read so far: the next buckets are read only up to it. A phone that files in
/// twenty zones has each change in its own bucket and its zone's; without that bound, each page
/// read up to `limit + 1` rows of every bucket (ten thousand rows for a page of 500).
#[derive(Debug)]
pub struct PageRead {
    limit: usize,
    rows: Vec<LogRow>,
    /// How many rows each bucket gave, the one past the bound included.
    fetched: Vec<usize>,
    /// The highest sequence number the page can still reach.
    bound: Option<u64>,
}

impl PageRead {
    pub fn new(scope: &Scope, limit: usize) -> Self {
        Self {
            limit,
            rows: Vec::new(),
            fetched: vec![0; scope.buckets.len()],
            bound: None,
        }
    }

    /// Takes the next row of its bucket; `false` once the rest of that bucket is past the page
    /// (stop reading it).
    pub fn take(&mut self, row: LogRow) -> bool {
        self.fetched[row.bucket] += 1;
        if self.bound.is_some_and(|bound| row.seq > bound) {
            return false;
        }
        self.rows.push(row);
        true
    }

    /// Ends a bucket's rows: the bound tightens to the `limit`-th smallest sequence number read.
    pub fn end_bucket(&mut self) {
        if self.limit == 0 || self.rows.len() < self.limit {
            return;
        }
        let mut seqs: Vec<u64> = self.rows.iter().map(|row| row.seq).collect();
        let (_, nth, _) = seqs.select_nth_unstable(self.limit - 1);
        self.bound = Some(*nth);
    }

    /// Cuts the page: at most `limit` changes, in sequence order. Rows of one change share its
    /// sequence number across buckets (a report in its zone's and its reporter's): a page never
    /// splits them, so nothing comes twice. A bucket with nothing left behind the page stands at
    /// `head` after it; `starts` are where each bucket stood before.
    pub fn cut(self, scope: &Scope, starts: &[u64], head: u64) -> PageCut {
        let Self {
            limit,
            mut rows,
            fetched,
            ..
        } = self;
        rows.sort_by_key(|row| row.seq);
        let end = rows
            .get(limit.saturating_sub(1))
            .map_or(rows.len(), |last| {
                rows.partition_point(|row| row.seq <= last.seq)
            });
        rows.truncate(end);
        let mut taken = vec![0usize; scope.buckets.len()];
        let mut seqs = BTreeMap::new();
        for row in &rows {
            taken[row.bucket] += 1;
            seqs.insert(scope.buckets[row.bucket].clone(), row.seq);
        }
        let mut has_more = false;
        for (index, bucket) in scope.buckets.iter().enumerate() {
            if taken[index] == fetched[index] && fetched[index] <= limit {
                seqs.insert(bucket.clone(), head);
            } else {
                has_more = true;
                seqs.entry(bucket.clone()).or_insert(starts[index]);
            }
        }
        PageCut {
            rows,
            seqs,
            has_more,
        }
    }
}

/// The latest state of a page's entities, read by a backend for the ids its rows name
/// ([`LogRow::entity`] of the live rows, by kind).
#[derive(Debug, Default)]
pub struct PageEntities {
    /// The page's reports that the scope's citizen filed.
    pub mine: HashSet<Uuid>,
    pub reports: HashMap<Uuid, SharedReport>,
    pub threads: HashMap<Uuid, Vec<ThreadMessage>>,
    pub tasks: HashMap<Uuid, Task>,
    pub alerts: HashMap<Uuid, ZoneAlert>,
    /// The followed zones of each citizen whose `follows` row is in the page.
    pub follows: HashMap<String, Vec<FollowedZone>>,
}

impl PageEntities {
    /// The page's changes: each entity once, in the order of its first row. A row whose entity
    /// is gone, or of a kind this build does not publish, is passed over.
    pub fn changes(mut self, scope: &Scope, rows: &[LogRow]) -> Result<Vec<Change>, DbError> {
        let id = |row: &LogRow| {
            Uuid::parse_str(&row.entity)
                .map_err(|e| DbError::Corrupt(format!("bad uuid {:?}: {e}", row.entity)))
        };
        let mut changes = Vec::with_capacity(rows.len());
        let mut done = HashSet::with_capacity(rows.len());
        for row in rows {
            if !done.insert((row.kind.as_str(), row.entity.as_str(), row.live)) {
                continue;
            }
            let change = match (row.kind.as_str(), row.live) {
                ("report", true) => {
                    let id = id(row)?;
                    self.reports.remove(&id).map(|report| Change::Report {
                        report,
                        mine: self.mine.contains(&id),
                    })
                }
                ("report", false) => Some(Change::ReportRemoved { id: id(row)? }),
                ("thread", true) => {
                    let id = id(row)?;
                    self.threads.remove(&id).map(|messages| Change::Thread {
                        report_id: id,
                        messages,
                    })
                }
                ("task", true) => self
                    .tasks
                    .remove(&id(row)?)
                    .filter(|task| scope.receives_task(&task.report.zone))
                    .map(|task| Change::Task {
                        task: Box::new(task),
                    }),
                ("task", false) => Some(Change::TaskRemoved { id: id(row)? }),
                ("alert", true) => self
                    .alerts
                    .remove(&id(row)?)
                    .map(|alert| Change::Alert { alert }),
                ("follows", true) => self.follows.get(&row.entity).map(|zones| Change::Follows {
                    zones: zones.clone(),
                }),
                _ => None,
            };
            changes.extend(change);
        }
        Ok(changes)
    }
}

/// The distinct entities of `kind` that the live rows of a page (or some of them) name, in
/// the order of their first row.
pub fn page_ids<'r>(rows: impl IntoIterator<Item = &'r LogRow>, kind: &str) -> Vec<String> {
    let mut seen = HashSet::new();
    rows.into_iter()
        .filter(|row| row.kind == kind && row.live && seen.insert(row.entity.as_str()))
        .map(|row| row.entity.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_page(buckets: &[&[u64]], limit: usize) -> (PageCut, usize) {
        let scope = Scope {
            tenant: "demo".into(),
            citizen: None,
            buckets: (0..buckets.len()).map(|i| format!("z:{i}")).collect(),
            task_zones: None,
        };
        let mut read = PageRead::new(&scope, limit);
        let mut stepped = 0;
        for (bucket, seqs) in buckets.iter().enumerate() {
            for seq in seqs.iter().take(limit + 1) {
                stepped += 1;
                let row = LogRow {
                    seq: *seq,
                    bucket,
                    kind: "report".into(),
                    entity: seq.to_string(),
                    live: true,
                };
                if !read.take(row) {
                    break;
                }
            }
            read.end_bucket();
        }
        (read.cut(&scope, &vec![0; buckets.len()], 100), stepped)
    }

    /// Of a page of a followed zone, only the reports with a row in the citizen's own bucket
    /// may be its own: not a neighbour's report, nor a thread, nor a report that left.
    #[test]
    fn only_reports_stamped_in_the_citizens_bucket_may_be_its_own() {
        let scope = Scope {
            tenant: "demo".into(),
            citizen: Some("me".into()),
            buckets: vec!["c:me".into(), "z:75104".into()],
            task_zones: None,
        };
        let row = |seq, bucket, kind: &str, entity: &str, live| LogRow {
            seq,
            bucket,
            kind: kind.into(),
            entity: entity.into(),
            live,
        };
        let rows = [
            row(1, 1, "report", "neighbours", true),
            row(2, 0, "report", "mine", true),
            row(2, 1, "report", "mine", true),
            row(3, 0, "thread", "mine", true),
            row(4, 0, "report", "gone", false),
        ];
        assert_eq!(scope.own_candidates(&rows), ["mine"]);
        let staff = Scope {
            citizen: None,
            ..scope
        };
        assert!(staff.own_candidates(&rows).is_empty());
    }

    /// The second bucket is read only up to the fourth sequence number of the first: its row 6
    /// says it has more, and its rows 8 and 10 are never stepped.
    #[test]
    fn a_page_reads_the_next_buckets_only_as_far_as_it_can_reach() {
        let (cut, stepped) = read_page(&[&[1, 2, 3, 4, 5, 6, 7], &[2, 4, 6, 8, 10]], 4);
        let seqs: Vec<u64> = cut.rows.iter().map(|row| row.seq).collect();
        assert_eq!(seqs, [1, 2, 2, 3]);
        assert_eq!(cut.seqs["z:0"], 3);
        assert_eq!(cut.seqs["z:1"], 2);
        assert!(cut.has_more);
        assert_eq!(stepped, 5 + 3);
    }

    /// A change in two buckets shares its number: the page takes both rows or neither, and
    /// buckets read to their end stand at the head.
    #[test]
    fn a_page_never_splits_a_change_and_finished_buckets_stand_at_the_head() {
        let (cut, _) = read_page(&[&[1, 3], &[2, 3]], 3);
        let seqs: Vec<u64> = cut.rows.iter().map(|row| row.seq).collect();
        assert_eq!(seqs, [1, 2, 3, 3]);
        assert_eq!(cut.seqs["z:0"], 100);
        assert_eq!(cut.seqs["z:1"], 100);
        assert!(!cut.has_more);
    }
}
