//! `GET /v1/{tenant}/directory`: the town's public services, with rating summaries where enough
//! citizens rated them. Devices cache it to rate services offline.

use axum::Json;
use axum::extract::State;
use relais_protocol::Directory;
use tracing::instrument;

use crate::auth::DeviceAuth;
use crate::error::ApiFailure;
use crate::router::AppState;
use relais_server_database::Database;

#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
) -> Result<Json<Directory>, ApiFailure> {
    state
        .db
        .directory(&device.tenant)
        .await?
        .map(Json)
        .ok_or_else(|| ApiFailure::unknown_tenant(&device.tenant))
}
