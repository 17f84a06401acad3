//! `GET /healthz`: 200 once the storage has answered a real query, 503 `unavailable` otherwise.

use axum::Json;
use axum::extract::State;
use serde::Serialize;

use crate::error::ApiFailure;
use crate::router::AppState;
use relais_server_database::Database;

/// `GET /healthz` answer.
#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    /// Always `ok`: an unreachable storage is `503`.
    pub status: &'static str,
}

/// Health check: the storage answered a real query.
#[utoipa::path(
    get,
    path = "/healthz",
    operation_id = "health",
    tag = "server",
    responses(
        (status = 200, description = "Serving", body = Health),
        (status = 503, description = "The storage is unreachable", body = relais_protocol::ApiError),
    ),
)]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
) -> Result<Json<Health>, ApiFailure> {
    match state.db.health().await {
        Ok(()) => {
            tracing::debug!("health check ok");
            Ok(Json(Health { status: "ok" }))
        }
        Err(error) => {
            tracing::error!(%error, "health check failed");
            Err(ApiFailure::unavailable())
        }
    }
}
