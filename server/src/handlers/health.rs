//! `GET /healthz`: 200 once the storage has answered a real query, 503 `unavailable` otherwise.

use axum::Json;
use axum::extract::State;
use serde_json::{Value, json};

use crate::error::ApiFailure;
use crate::router::AppState;
use relais_server_database::Database;

pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
) -> Result<Json<Value>, ApiFailure> {
    match state.db.health().await {
        Ok(()) => {
            tracing::debug!("health check ok");
            Ok(Json(json!({ "status": "ok" })))
        }
        Err(error) => {
            tracing::error!(%error, "health check failed");
            Err(ApiFailure::unavailable())
        }
    }
}
