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

/// Push the device's queued mutations, in their sequence: one outcome each.
#[utoipa::path(
    post,
    path = "/v1/{tenant}/sync/push",
    operation_id = "push",
    tag = "device",
    params(crate::openapi::Town),
    request_body = PushRequest,
    responses(
        (status = 200, description = "Committed: one result per mutation, in order", body = PushResponse),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
        (status = 409, response = inline(crate::openapi::Conflict)),
        (status = 413, response = inline(crate::openapi::TooLarge)),
    ),
    security(("bearer" = [])),
)]
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

/// Where to start and how much to read.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PullQuery {
    /// The cursor of the last page read; absent or empty: from the start.
    #[serde(default)]
    #[param(value_type = Option<String>)]
    cursor: Cursor,
    /// Changes per page, at most 1,000.
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// Pull the changes of the device's scope after a cursor, oldest first.
#[utoipa::path(
    get,
    path = "/v1/{tenant}/sync/pull",
    operation_id = "pull",
    tag = "device",
    params(crate::openapi::Town, PullQuery),
    responses(
        (status = 200, description = "A page of changes", body = PullResponse),
        (status = 400, response = inline(crate::openapi::Malformed)),
        (status = 401, response = inline(crate::openapi::Unauthorized)),
    ),
    security(("bearer" = [])),
)]
#[instrument(skip_all, fields(tenant = %device.tenant))]
pub async fn pull<DB: Database>(
    State(state): State<AppState<DB>>,
    DeviceAuth(device): DeviceAuth,
    ApiQuery(query): ApiQuery<PullQuery>,
) -> Result<Json<PullResponse>, ApiFailure> {
    let page = sync::pull::pull(
        &state.db,
        &state.towns,
        &state.directories,
        &device,
        &query.cursor,
        query.limit,
    )
    .await?
    .ok_or_else(|| ApiFailure::unknown_tenant(&device.tenant))?;
    Ok(Json(page))
}
