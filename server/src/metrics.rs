//! In-process counters exposed at `GET /metrics` in the Prometheus text format: requests by route
//! and status, pushed mutations by outcome.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use relais_protocol::{Outcome, PushResult};

use crate::router::AppState;
use relais_server_database::Database;

#[derive(Debug, Default)]
pub struct Metrics {
    /// `(route, status)` → count. Routes are templates (`/v1/{tenant}/...`), so few.
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    /// Outcome → count.
    mutations: Mutex<BTreeMap<&'static str, u64>>,
}

impl Metrics {
    fn count_request(&self, route: &str, status: u16) {
        let mut requests = self.requests.lock().unwrap_or_else(|e| e.into_inner());
        *requests.entry((route.to_owned(), status)).or_default() += 1;
    }

    pub fn count_outcomes(&self, results: &[PushResult]) {
        let mut mutations = self.mutations.lock().unwrap_or_else(|e| e.into_inner());
        for result in results {
            let outcome = match result.outcome {
                Outcome::Applied => "applied",
                Outcome::AlreadyApplied => "already_applied",
                Outcome::Rejected { .. } => "rejected",
            };
            *mutations.entry(outcome).or_default() += 1;
        }
    }

    /// The counters in the Prometheus text exposition format.
    pub fn render(&self) -> String {
        let mut out = String::new();
        out.push_str("# HELP relais_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE relais_http_requests_total counter\n");
        for ((route, status), count) in self
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "relais_http_requests_total{{route=\"{route}\",status=\"{status}\"}} {count}"
            );
        }
        out.push_str("# HELP relais_mutations_total Pushed mutations by outcome.\n");
        out.push_str("# TYPE relais_mutations_total counter\n");
        for (outcome, count) in self
            .mutations
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
        {
            let _ = writeln!(
                out,
                "relais_mutations_total{{outcome=\"{outcome}\"}} {count}"
            );
        }
        out
    }
}

/// Middleware counting every answered request under its route template.
pub async fn count_requests<DB: Database>(
    State(state): State<AppState<DB>>,
    request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |path| path.as_str().to_owned());
    let response = next.run(request).await;
    state
        .metrics
        .count_request(&route, response.status().as_u16());
    response
}
