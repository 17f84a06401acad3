//! `GET /v1/{tenant}/catalogue`: the categories, groups and zones a device caches for offline use.

use axum::Json;
use axum::extract::State;
use relais_protocol::Catalogue;
use tracing::instrument;

use crate::auth::DeviceAuth;
use crate::error::ApiFailure;
use crate::router::AppState;
use relais_server_database::Database;

#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn get<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
) -> Result<Json<Catalogue>, ApiFailure> {
    let town = state
        .towns
        .get(&state.db, &device.tenant)
        .await?
        .ok_or_else(|| ApiFailure::unknown_tenant(&device.tenant))?;
    Ok(Json(town.catalogue.clone()))
}
