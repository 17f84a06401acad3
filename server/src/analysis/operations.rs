//! The operations dashboard: how the town handled the requests it received over a period,
//! as a whole and per category, zone, service and status: how many, the median time to
//! acknowledge and to resolve, how many went past their due date, how many their reporters
//! reopened, how satisfied the reporters said they were, and the weekly trend.
//!
//! Pure: it takes the requests' dates and returns the figures, so the page and its CSV say the
//! same thing. A request is late when it was closed after its due date, or is still open past
//! it; the overdue rate counts only requests with a due date. The reopen rate is the share of
//! the requests resolved at least once (resolved now, or reopened since) that were reopened; the
//! satisfaction is the mean of the reporters' answers (1 to 5) to a resolution. Weeks start on
//! Monday, 00:00 UTC.

use std::collections::BTreeMap;

use relais_protocol::ReportStatus;
use relais_server_database::RequestDates as Request;

/// The figures of a group of requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub requests: u64,
    /// Median time from reception to acknowledgement, over the acknowledged requests.
    pub median_acknowledge_ms: Option<i64>,
    /// Median time from reception to resolution, over the resolved requests.
    pub median_resolve_ms: Option<i64>,
    pub resolved: u64,
    /// Requests with a due date, and those of them that are or were late.
    pub with_due_date: u64,
    pub overdue: u64,
    /// Requests resolved at least once, and those of them their reporter reopened.
    pub ever_resolved: u64,
    pub reopened: u64,
    /// The reporters' satisfaction with the resolution: how many answered, and the sum.
    pub satisfaction_answers: u64,
    satisfaction_sum: u64,
}

impl Summary {
    /// The figures of `requests`, lateness judged at `now_ms`.
    pub fn of<'a>(requests: impl IntoIterator<Item = &'a Request>, now_ms: i64) -> Self {
        let mut count = 0;
        let mut acknowledge = Vec::new();
        let mut resolve = Vec::new();
        let (mut with_due_date, mut overdue) = (0, 0);
        let (mut ever_resolved, mut reopened) = (0, 0);
        let (mut satisfaction_answers, mut satisfaction_sum) = (0, 0);
        for r in requests {
            count += 1;
            if r.reopened {
                reopened += 1;
            }
            if r.reopened || r.status == ReportStatus::Resolved {
                ever_resolved += 1;
            }
            if let Some(satisfaction) = r.satisfaction {
                satisfaction_answers += 1;
                satisfaction_sum += u64::from(satisfaction);
            }
            if let Some(at) = r.acknowledged_at_ms {
                acknowledge.push(at - r.received_at_ms);
            }
            if r.status == ReportStatus::Resolved
                && let Some(at) = r.closed_at_ms
            {
                resolve.push(at - r.received_at_ms);
            }
            if let Some(due) = r.due_at_ms {
                with_due_date += 1;
                if r.closed_at_ms.unwrap_or(now_ms) > due {
                    overdue += 1;
                }
            }
        }
        Self {
            requests: count,
            resolved: resolve.len() as u64,
            median_acknowledge_ms: median(acknowledge),
            median_resolve_ms: median(resolve),
            with_due_date,
            overdue,
            ever_resolved,
            reopened,
            satisfaction_answers,
            satisfaction_sum,
        }
    }

    /// The share of the requests resolved at least once that were reopened, if any was resolved.
    pub fn reopen_rate(&self) -> Option<f64> {
        (self.ever_resolved > 0).then(|| self.reopened as f64 / self.ever_resolved as f64)
    }

    /// The reporters' mean satisfaction with the resolution, if any answered.
    pub fn satisfaction(&self) -> Option<f64> {
        (self.satisfaction_answers > 0)
            .then(|| self.satisfaction_sum as f64 / self.satisfaction_answers as f64)
    }

    /// The share of requests with a due date that are or were late, if any has one.
    pub fn overdue_rate(&self) -> Option<f64> {
        (self.with_due_date > 0).then(|| self.overdue as f64 / self.with_due_date as f64)
    }
}

/// The median of `values` (the mean of the two middle ones for an even count).
fn median(mut values: Vec<i64>) -> Option<i64> {
    values.sort_unstable();
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some(values[n / 2 - 1] + (values[n / 2] - values[n / 2 - 1]) / 2),
    }
}

/// What requests are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Dimension {
    Status,
    Service,
    Category,
    Zone,
}

impl Dimension {
    pub const ALL: [Self; 4] = [Self::Status, Self::Service, Self::Category, Self::Zone];

    pub const fn code(self) -> &'static str {
        match self {
            Self::Status => "status",
            Self::Service => "service",
            Self::Category => "category",
            Self::Zone => "zone",
        }
    }

    /// The dimension's name, `(French, English)`.
    pub const fn name(self) -> (&'static str, &'static str) {
        match self {
            Self::Status => ("Par statut", "By status"),
            Self::Service => ("Par service", "By service"),
            Self::Category => ("Par catégorie", "By category"),
            Self::Zone => ("Par zone", "By zone"),
        }
    }

    fn key(self, r: &Request) -> &str {
        match self {
            Self::Status => r.status.as_str(),
            Self::Service => &r.service,
            Self::Category => &r.category,
            Self::Zone => &r.zone,
        }
    }
}

/// One week of the trend: the requests received in it, and those resolved in it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Week {
    /// Monday, 00:00 UTC.
    pub start_ms: i64,
    pub received: u64,
    pub resolved: u64,
}

const WEEK_MS: i64 = 7 * 86_400_000;
/// 1970-01-01 was a Thursday: Mondays fall 4 days later in the week.
const MONDAY_OFFSET_MS: i64 = 4 * 86_400_000;

/// The Monday (00:00 UTC) starting the week of `at_ms`.
pub fn week_start(at_ms: i64) -> i64 {
    at_ms - (at_ms - MONDAY_OFFSET_MS).rem_euclid(WEEK_MS)
}

/// The weeks from the one of `from_ms` to the one of `until_ms` (excluded), each with the
/// requests received in it and those of them resolved in it (or since: a request is counted in
/// the week it was resolved, if that week is shown).
pub fn weeks(requests: &[Request], from_ms: i64, until_ms: i64) -> Vec<Week> {
    let first = week_start(from_ms);
    let mut weeks: Vec<Week> = (0..)
        .map(|n| first + n * WEEK_MS)
        .take_while(|start| *start < until_ms)
        .map(|start_ms| Week {
            start_ms,
            received: 0,
            resolved: 0,
        })
        .collect();
    let index = |at: i64| usize::try_from((week_start(at) - first) / WEEK_MS).ok();
    for r in requests {
        if let Some(week) = index(r.received_at_ms).and_then(|i| weeks.get_mut(i)) {
            week.received += 1;
        }
        if r.status == ReportStatus::Resolved
            && let Some(week) = r
                .closed_at_ms
                .and_then(index)
                .and_then(|i| weeks.get_mut(i))
        {
            week.resolved += 1;
        }
    }
    weeks
}

/// The dashboard of a period.
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    pub total: Summary,
    /// For each dimension, each value's figures, most requests first.
    pub groups: BTreeMap<Dimension, Vec<(String, Summary)>>,
}

impl Dashboard {
    pub fn of(requests: &[Request], now_ms: i64) -> Self {
        let groups = Dimension::ALL
            .into_iter()
            .map(|dimension| {
                let mut by: BTreeMap<&str, Vec<&Request>> = BTreeMap::new();
                for r in requests {
                    by.entry(dimension.key(r)).or_default().push(r);
                }
                let mut rows: Vec<(String, Summary)> = by
                    .into_iter()
                    .map(|(key, rows)| (key.to_owned(), Summary::of(rows, now_ms)))
                    .collect();
                rows.sort_by(|a, b| b.1.requests.cmp(&a.1.requests).then(a.0.cmp(&b.0)));
                (dimension, rows)
            })
            .collect();
        Self {
            total: Summary::of(requests, now_ms),
            groups,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;
    const DAY: i64 = 24 * HOUR;

    fn request(
        service: &str,
        status: ReportStatus,
        ack_h: Option<i64>,
        closed_h: Option<i64>,
    ) -> Request {
        Request {
            category: "pothole".into(),
            zone: "z1".into(),
            service: service.into(),
            status,
            received_at_ms: 0,
            acknowledged_at_ms: ack_h.map(|h| h * HOUR),
            closed_at_ms: closed_h.map(|h| h * HOUR),
            due_at_ms: Some(3 * DAY),
            reopened: false,
            satisfaction: None,
        }
    }

    #[test]
    fn reopen_rate_and_satisfaction_count_the_reporters_answers() {
        let requests = [
            Request {
                satisfaction: Some(5),
                ..request("roads", ReportStatus::Resolved, Some(2), Some(24))
            },
            Request {
                satisfaction: Some(2),
                reopened: true,
                ..request("roads", ReportStatus::Reopened, Some(2), None)
            },
            request("roads", ReportStatus::Resolved, Some(2), Some(30)),
            request("roads", ReportStatus::Rejected, Some(2), Some(30)),
            request("roads", ReportStatus::Received, None, None),
        ];
        let total = Summary::of(&requests, DAY);
        // Resolved at least once: two resolved now, one reopened since.
        assert_eq!((total.ever_resolved, total.reopened), (3, 1));
        assert!((total.reopen_rate().unwrap() - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(total.satisfaction_answers, 2);
        assert_eq!(total.satisfaction(), Some(3.5));
        assert_eq!(Summary::of(&requests[3..], DAY).reopen_rate(), None);
        assert_eq!(Summary::of(&requests[3..], DAY).satisfaction(), None);
    }

    #[test]
    fn weeks_start_on_monday_and_count_receptions_and_resolutions() {
        // 2026-11-30 was a Monday.
        let monday = 1_795_996_800_000;
        assert_eq!(week_start(monday), monday);
        assert_eq!(week_start(monday + 6 * DAY + 23 * HOUR), monday);
        assert_eq!(week_start(monday - 1), monday - 7 * DAY);
        let at = |received: i64, closed: Option<i64>, status| Request {
            received_at_ms: received,
            closed_at_ms: closed,
            ..request("roads", status, None, None)
        };
        let requests = [
            at(monday + DAY, Some(monday + 8 * DAY), ReportStatus::Resolved),
            at(monday + 2 * DAY, None, ReportStatus::Received),
            at(
                monday + 9 * DAY,
                Some(monday + 10 * DAY),
                ReportStatus::Rejected,
            ),
        ];
        let weeks = weeks(&requests, monday + DAY, monday + 14 * DAY);
        assert_eq!(
            weeks,
            [
                Week {
                    start_ms: monday,
                    received: 2,
                    resolved: 0
                },
                Week {
                    start_ms: monday + 7 * DAY,
                    received: 1,
                    resolved: 1
                },
            ]
        );
    }

    #[test]
    fn medians_count_only_the_requests_that_reached_the_step() {
        let requests = [
            request("roads", ReportStatus::Resolved, Some(2), Some(24)),
            request("roads", ReportStatus::Resolved, Some(4), Some(96)),
            request("roads", ReportStatus::Acknowledged, Some(10), None),
            request("roads", ReportStatus::Received, None, None),
            // Rejected: closed, but not a resolution.
            request("parks", ReportStatus::Rejected, Some(1), Some(5)),
        ];
        let total = Summary::of(&requests, 10 * DAY);
        assert_eq!(total.requests, 5);
        // Acknowledged after 1, 2, 4, 10 hours: the median of an even count is the middle's mean.
        assert_eq!(total.median_acknowledge_ms, Some(3 * HOUR));
        // Resolved after 24 and 96 hours.
        assert_eq!(total.resolved, 2);
        assert_eq!(total.median_resolve_ms, Some(60 * HOUR));
    }

    #[test]
    fn a_request_is_late_when_closed_after_its_due_date_or_still_open_past_it() {
        let requests = [
            // Closed after 96 h, due at 72 h: late.
            request("roads", ReportStatus::Resolved, Some(4), Some(96)),
            // Closed in time.
            request("roads", ReportStatus::Resolved, Some(2), Some(24)),
            // Open: late only once the due date has passed.
            request("roads", ReportStatus::Received, None, None),
            Request {
                due_at_ms: None,
                ..request("roads", ReportStatus::Received, None, None)
            },
        ];
        let early = Summary::of(&requests, 2 * DAY);
        assert_eq!((early.with_due_date, early.overdue), (3, 1));
        let later = Summary::of(&requests, 4 * DAY);
        assert_eq!((later.with_due_date, later.overdue), (3, 2));
        assert!((later.overdue_rate().unwrap() - 2.0 / 3.0).abs() < 1e-9);
        assert_eq!(Summary::of(&[], 0).overdue_rate(), None);
        assert_eq!(Summary::of(&[], 0).median_resolve_ms, None);
    }

    #[test]
    fn groups_are_per_dimension_most_requests_first() {
        let requests = [
            request("roads", ReportStatus::Resolved, Some(2), Some(24)),
            request("roads", ReportStatus::Received, None, None),
            request("parks", ReportStatus::Received, None, None),
        ];
        let dashboard = Dashboard::of(&requests, DAY);
        assert_eq!(dashboard.total.requests, 3);
        let services = &dashboard.groups[&Dimension::Service];
        assert_eq!(services[0].0, "roads");
        assert_eq!(services[0].1.requests, 2);
        assert_eq!(services[1].0, "parks");
        let statuses = &dashboard.groups[&Dimension::Status];
        assert_eq!(
            statuses[0],
            ("received".to_owned(), Summary::of(&requests[1..], DAY))
        );
        assert_eq!(dashboard.groups[&Dimension::Zone].len(), 1);
    }
}
