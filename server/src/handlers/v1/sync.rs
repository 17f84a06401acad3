//! `POST /v1/{tenant}/sync/push` and `GET /v1/{tenant}/sync/pull`: the HTTP side of
//! [`crate::sync`].

use axum::Json;
use axum::extract::State;
use relais_protocol::{Cursor, PullResponse, PushRequest, PushResponse};
use serde::Deserialize;
use tracing::instrument;

use crate::auth::DeviceAuth;
use crate::error::ApiFailure;
use crate::extract::{ApiJson, ApiQuery};
use crate::router::AppState;
use crate::sync;
use relais_server_database::Database;

#[instrument(skip_all, fields(tenant = %device.tenant, batch.len = body.mutations.len()))]
pub async fn push<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
    ApiJson(body): ApiJson<PushRequest>,
) -> Result<Json<PushResponse>, ApiFailure> {
    let push = sync::push::push(&state.db, &state.towns, &device, body.mutations).await;
    state.metrics.count_push(&push);
    Ok(Json(push?))
}

#[derive(Debug, Deserialize)]
pub struct PullQuery {
    #[serde(default)]
    cursor: Cursor,
    limit: Option<u32>,
}

#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn pull<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, ApiFailure> {
    sync::pull::pull(&state.db, &state.towns, &device, &query.cursor, query.limit)
        .await?
        .map(Json)
        .ok_or_else(|| ApiFailure::unknown_tenant(&device.tenant))
}
