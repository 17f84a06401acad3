//! `GET /metrics`: the server's metrics (see `crate::metrics`) in the Prometheus text format.

use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;

use crate::router::AppState;
use relais_server_database::Database;

pub async fn get<DB: Database>(State(state): State<AppState<DB>>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(),
    )
}
