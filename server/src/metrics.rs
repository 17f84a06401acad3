//! The server's metrics, served at `GET /metrics` in the Prometheus text format by the `metrics`
//! facade and `metrics-exporter-prometheus`:
//! - `http_requests_total{route,status}`: answered requests, by route template (`MatchedPath`,
//!   `/v1/{tenant}/...`, or `unmatched`; never the raw path, so few series) and status;
//! - `http_request_duration_seconds{route}`: a histogram of the time to answer (until the
//!   response's headers), by route template;
//! - `sync_mutations_total{outcome}`: pushed mutations by outcome (`applied`, `already_applied`,
//!   the duplicates a retry sends again, `rejected`);
//! - `sync_rejections_total{reason}`: rejected mutations by the reason's stable code (a bounded
//!   set written in the server's code); `reason="conflict"` counts a staff change made on a
//!   stale version of its report;
//! - `sync_batches_refused_total{kind}`: whole batches refused for their sequence: `gap` (the
//!   device skipped a number) or `conflict` (a recorded number reused by another mutation).
//!
//! Each [`Metrics`] owns its recorder instead of installing a global one: the facade takes one
//! global recorder per process, while the tests start many servers in one process and each reads
//! its own counts. Recording runs the macros under `metrics::with_local_recorder`, which points
//! them at this server's recorder for one synchronous closure.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, Request, State};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::Response;
use metrics::{Unit, counter, describe_counter, describe_histogram, histogram};
use metrics_exporter_prometheus::{
    Matcher, PrometheusBuilder, PrometheusHandle, PrometheusRecorder,
};
use relais_protocol::{Outcome, PushResponse};

use crate::router::AppState;
use crate::sync::BatchRefusal;
use crate::sync::push::PushError;
use relais_server_database::Database;

const REQUESTS: &str = "http_requests_total";
const DURATION: &str = "http_request_duration_seconds";
const MUTATIONS: &str = "sync_mutations_total";
const REJECTIONS: &str = "sync_rejections_total";
const BATCHES_REFUSED: &str = "sync_batches_refused_total";

/// Upper bounds of the duration buckets, in seconds: a read answers in a few milliseconds, a push
/// waits for its group commit, a photo chunk for the client's upload.
const DURATION_BUCKETS: [f64; 13] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];

/// How long histogram samples may wait before they are drained into their buckets.
const UPKEEP_EVERY: Duration = Duration::from_secs(5);

pub struct Metrics {
    recorder: PrometheusRecorder,
    handle: PrometheusHandle,
    started: Instant,
    /// When the next upkeep is due, in milliseconds since `started`.
    next_upkeep_ms: AtomicU64,
}

impl Default for Metrics {
    fn default() -> Self {
        let recorder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(DURATION.to_owned()), &DURATION_BUCKETS)
            .expect("the bucket list is not empty")
            .build_recorder();
        metrics::with_local_recorder(&recorder, || {
            describe_counter!(REQUESTS, "HTTP requests by route template and status.");
            describe_histogram!(
                DURATION,
                Unit::Seconds,
                "Time to answer an HTTP request, by route template."
            );
            describe_counter!(MUTATIONS, "Pushed mutations by outcome.");
            describe_counter!(REJECTIONS, "Rejected mutations by reason code.");
            describe_counter!(
                BATCHES_REFUSED,
                "Push batches refused as a whole for their sequence (gap, conflict)."
            );
            // Every outcome is listed from the start, so a rate over it is defined at once.
            for outcome in ["applied", "already_applied", "rejected"] {
                counter!(MUTATIONS, "outcome" => outcome).absolute(0);
            }
            for kind in ["gap", "conflict"] {
                counter!(BATCHES_REFUSED, "kind" => kind).absolute(0);
            }
        });
        Self {
            handle: recorder.handle(),
            recorder,
            started: Instant::now(),
            next_upkeep_ms: AtomicU64::new(millis(UPKEEP_EVERY)),
        }
    }
}

impl Metrics {
    fn record_request(&self, route: String, status: StatusCode, elapsed: Duration) {
        metrics::with_local_recorder(&self.recorder, || {
            let status = status.as_u16().to_string();
            counter!(REQUESTS, "route" => route.clone(), "status" => status).increment(1);
            histogram!(DURATION, "route" => route).record(elapsed);
        });
        self.upkeep_if_due();
    }

    /// Counts a push's outcomes, or its batch's refusal.
    pub fn count_push(&self, push: &Result<PushResponse, PushError>) {
        metrics::with_local_recorder(&self.recorder, || match push {
            Ok(response) => {
                for result in &response.results {
                    let outcome = match &result.outcome {
                        Outcome::Applied => "applied",
                        Outcome::AlreadyApplied => "already_applied",
                        Outcome::Rejected { reason } => {
                            counter!(REJECTIONS, "reason" => reason.code.clone()).increment(1);
                            "rejected"
                        }
                    };
                    counter!(MUTATIONS, "outcome" => outcome).increment(1);
                }
            }
            Err(PushError::Refused(refusal)) => {
                let kind = match refusal {
                    BatchRefusal::Gap { .. } => "gap",
                    BatchRefusal::Conflict { .. } => "conflict",
                };
                counter!(BATCHES_REFUSED, "kind" => kind).increment(1);
            }
            Err(_) => {}
        });
    }

    /// The metrics in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        self.handle.render()
    }

    /// The exporter keeps histogram samples in a buffer until they are drained into buckets. A
    /// scrape drains them, but a server nobody scrapes would keep every sample. Samples come only
    /// with requests, so the request that finds the last drain older than [`UPKEEP_EVERY`] drains
    /// them: the buffer holds at most that long's samples, with no task to run beside the server.
    fn upkeep_if_due(&self) {
        let now = millis(self.started.elapsed());
        let due = self.next_upkeep_ms.load(Ordering::Relaxed);
        if now >= due
            && self
                .next_upkeep_ms
                .compare_exchange(
                    due,
                    now.saturating_add(millis(UPKEEP_EVERY)),
                    Ordering::Relaxed,
                    Ordering::Relaxed,
                )
                .is_ok()
        {
            self.handle.run_upkeep();
        }
    }
}

fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

/// Middleware counting and timing every answered request under its route template.
pub async fn record_requests<DB: Database>(
    State(state): State<AppState<DB>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let started = Instant::now();
    let response = next.run(request).await;
    state
        .metrics
        .record_request(route, response.status(), started.elapsed());
    response
}
