//! `GET /metrics`: the server's metrics (see `crate::metrics`) in the Prometheus text format,
//! to who bears the metrics token when the server has one (`--metrics-token`): request counts
//! and latencies per route tell an outsider how busy a town is and when.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::{AUTHORIZATION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::error::ApiFailure;
use crate::router::AppState;
use relais_server_database::Database;

/// The server's metrics in the Prometheus text format (bearer of `--metrics-token` when set).
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "metrics",
    tag = "server",
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
    ),
    security((), ("bearer" = [])),
)]
pub async fn get<DB: Database>(State(state): State<AppState<DB>>, headers: HeaderMap) -> Response {
    if let Some(expected) = state.metrics_token {
        let given = headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        // Digests compared, not the tokens: the time taken says nothing of how much matched.
        if <[u8; 32]>::from(Sha256::digest(given.as_bytes())) != expected {
            return ApiFailure::unauthorized().into_response();
        }
    }
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
        .into_response()
}
